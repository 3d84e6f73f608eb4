"""A Client Authorization stays under 100 KB whatever its size: its objects are packed
into compressed object streams (``authorization.pack_objects``), and packing changes no
field, no page and no QR code. The packed form opens in poppler (another renderer than the
preview's) and reads back once filled."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from mtc_desktop.domain.model import TaxpayerKind
from mtc_desktop.forms import reader
from mtc_desktop.forms.authorization import (
    DATE_FIELD,
    PRINTED_NAME_FIELD,
    TITLE_FIELD,
    give_rights_field,
    granted_rights_field,
    render_authorization,
)
from tests.forms import filling
from tests.forms.conftest import build_form, page_texts

FORTY = build_form(accounts=40, kind=TaxpayerKind.BUSINESS, taxpayer_name="陈伟 (Chen Wei)")
FIELD_KEYS = ("/FT", "/V", "/DV", "/TU", "/Ff", "/MaxLen", "/Opt", "/_States_")
WIDGET_KEYS = ("/Rect", "/TU", "/AS", "/F", "/MK", "/DA", "/Q")


@pytest.fixture(scope="module")
def forty() -> tuple[bytes, bytes]:
    """The 40-account form as ReportLab writes it, and as the program writes it."""
    return render_authorization(FORTY, packed=False), render_authorization(FORTY)


def _plain(value: object) -> object:
    """A pypdf value without its object numbers (which packing renumbers)."""
    if hasattr(value, "get_object"):
        value = value.get_object()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if k not in ("/P", "/Parent")}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _fields(pdf: bytes) -> dict[str, dict[str, object]]:
    fields = PdfReader(io.BytesIO(pdf)).get_fields() or {}
    return {
        name: {key: _plain(field[key]) for key in FIELD_KEYS if key in field}
        for name, field in fields.items()
    }


def _widgets(pdf: bytes) -> list[list[tuple[object, ...]]]:
    """Per page, each widget: its field's name, where it sits, how it shows, and the names
    and drawings of its appearance states."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        found = []
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            field = annot if "/T" in annot else annot["/Parent"].get_object()
            looks = {}
            appearances = annot.get("/AP")
            normal = appearances.get_object().get("/N") if appearances else None
            normal = normal.get_object() if normal is not None else None
            if isinstance(normal, DictionaryObject) and "/Subtype" not in normal:
                looks = {str(k): v.get_object().get_data() for k, v in normal.items()}
            elif normal is not None:
                looks = {"": normal.get_data()}
            found.append(
                (
                    str(field["/T"]),
                    *(_plain(annot.get(key)) for key in WIDGET_KEYS),
                    looks,
                )
            )
        pages.append(found)
    return pages


def test_a_forty_account_form_is_under_100_kb(forty: tuple[bytes, bytes]) -> None:
    as_written, packed = forty
    assert len(as_written) > 150_000  # ReportLab's PDF 1.4: every widget in the open
    assert len(packed) < 100_000
    assert packed.startswith(b"%PDF-1.5")
    assert b"/Type /ObjStm" in packed


def test_packing_keeps_every_field_page_and_word(forty: tuple[bytes, bytes]) -> None:
    as_written, packed = forty
    fields = _fields(as_written)
    assert len([name for name in fields if name.startswith("give_rights_")]) == 40
    assert len([name for name in fields if name.startswith("granted_rights_")]) == 40
    assert {PRINTED_NAME_FIELD, TITLE_FIELD, DATE_FIELD} <= set(fields)
    assert _fields(packed) == fields
    widgets = _widgets(as_written)
    assert sum(len(page) for page in widgets) > 240
    assert _widgets(packed) == widgets
    assert page_texts(packed) == page_texts(as_written)
    before = PdfReader(io.BytesIO(as_written)).metadata
    after = PdfReader(io.BytesIO(packed)).metadata
    assert before is not None
    assert after is not None
    assert dict(after) == dict(before)


def test_the_same_form_gives_the_same_bytes() -> None:
    assert render_authorization(FORTY) == render_authorization(FORTY)


def test_the_packed_form_opens_in_poppler_and_its_qr_code_scans(
    forty: tuple[bytes, bytes], tmp_path: Path
) -> None:
    _, packed = forty
    assert shutil.which("pdftoppm"), "poppler-utils is needed (.ci/run installs it)"
    path = tmp_path / "form.pdf"
    path.write_bytes(packed)
    done = subprocess.run(
        ["pdftoppm", "-png", "-r", "150", str(path), str(tmp_path / "page")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # poppler says nothing about a sound file
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == len(PdfReader(io.BytesIO(packed)).pages) == 3
    for image_path in images:
        with Image.open(image_path) as image:
            picture = image.convert("L")
        ink = sum(picture.histogram()[:128]) / (picture.width * picture.height)
        assert 0.02 < ink < 0.5, "the page has text and rules on white paper"
        found = [barcode.text for barcode in zxingcpp.read_barcodes(picture)]
        assert found == [FORTY.qr_payload], image_path.name


@pytest.mark.parametrize("incremental", [False, True], ids=["saved whole", "saved incrementally"])
def test_a_filled_packed_form_reads_back(forty: tuple[bytes, bytes], incremental: bool) -> None:
    _, packed = forty
    last = FORTY.lines[-1].account_number
    values = {
        give_rights_field(last): "/Yes",
        granted_rights_field(last): "/file_and_pay",
        PRINTED_NAME_FIELD: "陈伟 (Chen Wei)",
        TITLE_FIELD: "Owner",
        DATE_FIELD: "03/05/2026",
    }
    form = reader.read_authorization_fields(filling.fill(packed, values, incremental=incremental))
    assert (form.request_number, form.authorization_code) == ("R2026-000042", "ABCDE-FGHJK")
    for name, value in values.items():
        assert form.value(name) == value
    assert form.value(give_rights_field(FORTY.lines[0].account_number)) == "/Off"
