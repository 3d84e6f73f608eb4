"""The Client Authorization PDF: what it says, its fields, its QR code, and its layout."""

from __future__ import annotations

import io
import re
from collections import Counter

import pytest
from pypdf import PdfReader, PdfWriter

from mtc_desktop.domain.ids import IdType, format_id
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import TaxpayerKind
from mtc_desktop.forms import authorization as form_module
from mtc_desktop.forms.authorization import (
    CODE_FIELD,
    DATE_FIELD,
    PRINTED_NAME_FIELD,
    REQUEST_NUMBER_FIELD,
    TITLE_FIELD,
    UnprintableText,
    give_rights_field,
    granted_rights_field,
    qr_widget,
    render_authorization,
)
from mtc_desktop.services import printing, requests
from tests.forms.conftest import (
    Drawn,
    MakeRequest,
    RecordingCanvas,
    build_form,
    overlaps,
    page_texts,
)

LEVEL_VALUES = {level.value for level in AccessLevel}


def _fields(pdf: bytes) -> dict[str, dict]:
    return dict(PdfReader(io.BytesIO(pdf)).get_fields() or {})


def _uncompressed(pdf: bytes) -> bytes:
    """``pdf`` with every stream decoded and no object streams: all of it in the open."""
    import pikepdf

    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as document:
        document.save(
            out,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
            compress_streams=False,
            stream_decode_level=pikepdf.StreamDecodeLevel.all,
        )
    return out.getvalue()


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# --- what the form says ------------------------------------------------------------------


def test_pdf_holds_exactly_the_requests_data(make_request: MakeRequest) -> None:
    made = make_request("Élodie Durand-Lefèvre", accounts=3)
    view = made.view
    pdf = printing.authorization_pdf(made.third_party, view.id)

    assert pdf.startswith(b"%PDF-")
    text = _flat(" ".join(page_texts(pdf)))
    assert view.number in text
    assert "Élodie Durand-Lefèvre" in text
    assert view.taxpayer_masked_id in text
    assert view.third_party_name in text
    assert view.third_party_masked_id in text
    assert view.third_party_username in text
    assert view.third_party_email in text
    assert requests.format_code(view.authorization_code) in text
    assert "Individual" in text
    for line in view.lines:
        assert line.account.number in text
        assert line.account.account_type.label in text
    assert "Page 1 of 1" in text
    # The requested level of each account is printed in its row, after its number.
    for line in view.lines:
        after = text.split(line.account.number, 1)[1]
        assert after.lstrip().startswith(line.requested_level.label)
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None
    assert reader.metadata.title == f"Client Authorization {view.number}"


def test_no_unmasked_id_anywhere(make_request: MakeRequest) -> None:
    made = make_request("Maria Santos", accounts=2)
    view = made.view
    pdf = printing.authorization_pdf(made.third_party, view.id)
    digits = made.taxpayer.id_number
    formatted = format_id(IdType(made.taxpayer.id_type), digits)
    from mtc_desktop.store.models import Logon, Taxpayer

    own = Taxpayer.get_by_id(Logon.get_by_id(made.third_party.logon_id).taxpayer_id).id_number
    reader = PdfReader(io.BytesIO(pdf))
    everything = " ".join(page_texts(pdf)) + str(reader.metadata) + str(_fields(pdf))
    opened = _uncompressed(pdf)
    for secret in (digits, formatted, own, own[:2] + "-" + own[2:]):
        assert secret not in everything
        assert secret.encode() not in pdf
        assert secret.encode() not in opened
    assert digits[-4:] in everything  # only the last four are printed


def test_business_form_has_a_title_field_and_individual_form_does_not() -> None:
    business = _fields(render_authorization(build_form(kind=TaxpayerKind.BUSINESS)))
    individual = _fields(render_authorization(build_form(kind=TaxpayerKind.INDIVIDUAL)))
    assert TITLE_FIELD in business
    assert TITLE_FIELD not in individual


def test_field_names_encode_each_account(make_request: MakeRequest) -> None:
    made = make_request("Harbor Street Bakery LLC", accounts=4, id_type=IdType.FEIN)
    pdf = printing.authorization_pdf(made.third_party, made.view.id)
    fields = _fields(pdf)
    expected = {PRINTED_NAME_FIELD, DATE_FIELD, TITLE_FIELD, REQUEST_NUMBER_FIELD, CODE_FIELD}
    for line in made.view.lines:
        expected |= {
            give_rights_field(line.account.number),
            granted_rights_field(line.account.number),
        }
    assert set(fields) == expected
    for line in made.view.lines:
        give = fields[give_rights_field(line.account.number)]
        assert give["/FT"] == "/Btn"
        assert give.get("/V") == "/Off"
        granted = fields[granted_rights_field(line.account.number)]
        assert granted["/FT"] == "/Btn"
        assert granted.get("/V") is None  # nothing chosen until the taxpayer chooses
        states = {
            state.lstrip("/")
            for kid in granted.indirect_reference.get_object()["/Kids"]
            for state in kid.get_object()["/AP"]["/N"]
        }
        assert states - {"Off"} == LEVEL_VALUES
    # The number and the code, for the program that reads the returned form.
    assert fields[REQUEST_NUMBER_FIELD]["/V"] == made.view.number
    assert fields[CODE_FIELD]["/V"] == requests.format_code(made.view.authorization_code)
    assert fields[CODE_FIELD]["/Ff"] & 1  # read-only
    assert fields[REQUEST_NUMBER_FIELD]["/Ff"] & 1


def test_each_granted_rights_radio_names_its_own_level() -> None:
    """A viewer shows a radio's /TU as its tooltip (and reads it to a screen reader): each
    bubble names its account and its own level; the group names the account."""
    form = build_form(accounts=2)
    reader = PdfReader(io.BytesIO(render_authorization(form)))
    for line in form.lines:
        what = f"{line.account_type} {line.account_number}"
        group = reader.get_fields()[granted_rights_field(line.account_number)]
        assert group["/TU"] == f"Granted Rights for {what}"
        tooltips = {
            next(iter(set(kid["/AP"]["/N"]) - {"/Off"})).lstrip("/"): kid.get("/TU")
            for kid in (k.get_object() for k in group.indirect_reference.get_object()["/Kids"])
        }
        assert tooltips == {
            level.value: f"Granted Rights for {what}: {level.label}" for level in AccessLevel
        }


def test_filled_fields_read_back_as_typed() -> None:
    form = build_form(accounts=3, kind=TaxpayerKind.BUSINESS, taxpayer_name="陈伟 (Chen Wei)")
    pdf = render_authorization(form)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    first, third = form.lines[0].account_number, form.lines[2].account_number
    values = {
        give_rights_field(first): "/Yes",
        granted_rights_field(first): "/file_and_pay",
        give_rights_field(third): "/Yes",
        granted_rights_field(third): "/view_only",
        PRINTED_NAME_FIELD: "Chen Wei",
        TITLE_FIELD: "Owner",
        DATE_FIELD: "03/05/2026",
    }
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    read = {name: field.get("/V") for name, field in _fields(out.getvalue()).items()}
    for name, value in values.items():
        assert read[name] == value
    second = form.lines[1].account_number
    assert read[give_rights_field(second)] == "/Off"
    assert read[granted_rights_field(second)] is None


def test_qr_code_carries_number_and_code() -> None:
    form = build_form()
    assert qr_widget(form.qr_payload).value == "MTC-AUTH|R2026-000042|ABCDEFGHJK"
    pdf = render_authorization(form)
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None
    assert reader.metadata.get("/Keywords") == form.qr_payload


def test_service_builds_the_qr_payload_from_number_and_code(make_request: MakeRequest) -> None:
    made = make_request()
    form = printing.authorization_form(made.third_party, made.view.id)
    assert form.qr_payload == requests.qr_text(made.view.number, made.view.authorization_code)
    assert qr_widget(form.qr_payload).value == form.qr_payload
    assert requests.parse_reference(form.qr_payload) == (
        made.view.number,
        made.view.authorization_code,
    )


def test_any_script_prints_with_embedded_fonts() -> None:
    name = "陈伟 Νίκος Παπαδόπουλος Дмитрий Иванов Zoë Ó'Sullivan 김철수 ひらがな"
    pdf, drawn = _render_recorded(taxpayer_name=name)
    text = _flat(" ".join(page_texts(pdf)))
    for word in name.split():
        assert word in text
    # Every string is drawn in a shipped font...
    assert {d.font for d in drawn} <= {
        "MTC-DejaVuSans",
        "MTC-DejaVuSans-Bold",
        "MTC-DejaVuSansMono-Bold",
        "MTC-WenQuanYiMicroHei",
    }
    # ...embedded in the PDF (ReportLab's page preamble names Helvetica but draws nothing).
    fonts: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if font["/BaseFont"] == "/Helvetica":
                continue
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
            assert "/FontFile2" in font["/FontDescriptor"].get_object()
    assert {"DejaVuSans", "DejaVuSans-Bold", "WenQuanYiMicroHei"} <= fonts


@pytest.mark.parametrize(
    ("name", "culprit"),
    [("שלום כהן", "U+05E9"), ("محمد علي", "U+0645"), ("สมชาย ใจดี", "U+0E2A")],
)
def test_a_name_no_font_can_print_is_reported_not_printed(name: str, culprit: str) -> None:
    with pytest.raises(UnprintableText) as caught:
        render_authorization(build_form(taxpayer_name=name))
    assert "taxpayer legal name" in caught.value.problems
    assert culprit in caught.value.message
    assert name in caught.value.message


# --- layout --------------------------------------------------------------------------------


def _render_recorded(**kwargs: object) -> tuple[bytes, list[Drawn]]:
    pdf = render_authorization(build_form(**kwargs), canvas_class=RecordingCanvas)  # type: ignore[arg-type]
    return pdf, RecordingCanvas.last.drawn


def _widget_rects(pdf: bytes) -> list[tuple[int, tuple[float, float, float, float]]]:
    rects = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Widget":
                x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
                rects.append((number, (x0, y0, x1, y1)))
    return rects


def _assert_clean_layout(pdf: bytes, drawn: list[Drawn]) -> None:
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    left, right = form_module.CONTENT_LEFT - 0.01, form_module.CONTENT_RIGHT + 0.01
    top = form_module.PAGE_HEIGHT - form_module.MARGIN_TOP + 0.5
    for item in drawn:
        x0, y0, x1, y1 = item.box
        assert left <= x0, f"{item.text!r} runs off the left of page {item.page}"
        assert x1 <= right, f"{item.text!r} runs off the right of page {item.page}"
        assert y0 >= 0, f"{item.text!r} runs off the bottom"
        assert y1 <= top, f"{item.text!r} runs off the top"
        if "Page " not in item.text and "Client Authorization · request" not in item.text:
            assert y0 >= form_module.MARGIN_BOTTOM - 0.01, f"{item.text!r} is in the footer"
    by_page: dict[int, list[Drawn]] = {}
    for item in drawn:
        by_page.setdefault(item.page, []).append(item)
    for number, items in by_page.items():
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                assert not overlaps(a.box, b.box), f"page {number}: {a.text!r} overlaps {b.text!r}"
    widgets = _widget_rects(pdf)
    for number, rect in widgets:
        for item in by_page.get(number, []):
            assert not overlaps(rect, item.box), f"page {number}: a field covers {item.text!r}"
    for i, (page_a, a) in enumerate(widgets):
        for page_b, b in widgets[i + 1 :]:
            assert page_a != page_b or not overlaps(a, b) or a == b, "two fields overlap"
    footers = [d.text for d in drawn if d.text.startswith("Page ")]
    assert footers == [f"Page {n} of {pages}" for n in range(1, pages + 1)]


def test_forty_accounts_flow_onto_further_pages_without_overlap() -> None:
    pdf, drawn = _render_recorded(accounts=40, kind=TaxpayerKind.BUSINESS)
    pages = page_texts(pdf)
    assert len(pages) >= 2
    _assert_clean_layout(pdf, drawn)
    numbers = Counter(re.findall(r"PIT-\d{8}", " ".join(pages)))
    assert numbers == Counter({f"PIT-{i:08d}": 1 for i in range(1, 41)})
    # Each further page says what it continues, and repeats the table header with its rows.
    for text in pages[1:]:
        assert "R2026-000042 (continued)" in text
        if re.search(r"PIT-\d{8}", text):
            assert "Granted Rights: mark one (continued)" in text
    # The signature block comes after the last account, on the same or a later page.
    last_row = max(i for i, text in enumerate(pages) if "PIT-00000040" in text)
    signature = min(i for i, text in enumerate(pages) if "SIGNATURE OF TAXPAYER" in text)
    assert signature >= last_row
    fields = _fields(pdf)
    assert len([f for f in fields if f.startswith("give_rights_")]) == 40


def test_widgets_sit_on_the_page_of_their_row() -> None:
    pdf = render_authorization(build_form(accounts=40))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if "/P" in annot:  # radio buttons point at their group instead
                assert annot.raw_get("/P").idnum == page.indirect_reference.idnum


def test_a_200_character_name_wraps_inside_its_box() -> None:
    long = ("Ωmega Ünïversal Трейдинг 株式会社 Holdings and Partners of Greater Boston " * 4)[:200]
    assert len(long) == 200
    pdf, drawn = _render_recorded(taxpayer_name=long, third_party_name=long, accounts=5)
    _assert_clean_layout(pdf, drawn)
    half = form_module.HALF_WIDTH
    left_edge, right_edge = form_module.CONTENT_LEFT, form_module.CONTENT_RIGHT
    first_page = [d for d in drawn if d.page == 1]
    pieces = [
        d for d in first_page if d.text.strip() and d.text.strip() in long and len(d.text) > 8
    ]
    assert pieces, "the name is printed"
    for piece in pieces:
        x0, _, x1, _ = piece.box
        in_part_1 = left_edge <= x0 and x1 <= left_edge + half
        in_part_2 = right_edge - half <= x0 and x1 <= right_edge
        in_body = left_edge <= x0 and x1 <= right_edge  # continuation header, declaration
        assert in_part_1 or in_part_2 or in_body
    text = _flat(" ".join(page_texts(pdf))).replace(" ", "")
    assert long.replace(" ", "") in text


def test_one_page_for_a_few_accounts_and_small_files() -> None:
    for accounts in (1, 3):
        pdf = render_authorization(build_form(accounts=accounts, taxpayer_name="陈伟 (Chen Wei)"))
        assert len(page_texts(pdf)) == 1
        assert len(pdf) < 100_000
