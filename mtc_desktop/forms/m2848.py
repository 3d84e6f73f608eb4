"""Form M-2848, Power of Attorney and Declaration of Representative: the printed form a
representative prepares in the program for a client to sign, and reading it back.

:func:`render_m2848` is a pure function from a frozen :class:`M2848Form` to the bytes of a
one-page Letter PDF, drawn like the Client Authorization (``forms.authorization``: the same
fonts, pen, QR code and numbered footer): a heading with a QR code carrying
``MTC-POA|<form number>|<code>``; Part 1 the taxpayer and Part 2 the representative, from
the registry; Part 3 the tax matters (a check box per tax type, the first and last tax
year); Part 4 the acts authorised, as the FAQ lists them; Part 5 what a POA is, beside
third-party access; Part 6 the expiry and the taxpayer's signature; Part 7 how to return it.

Fillable fields (``canvas.acroForm``), named so a returned form can be read back:

=============================  =========================================================
``tax_type_<account type>``    check box (``/Yes`` or ``/Off``), one per tax type shown
``first_year``, ``last_year``  text, four digits
``act_<act>``                  check box, one per act (domain/poa.py ``PoaAct`` values)
``expires_on``                 text, MM/DD/YYYY, blank for no expiry
``signature_date``             text, MM/DD/YYYY
``printed_name``, ``title``    text (``title`` on forms for a business only)
``form_number``, ``form_code`` hidden, read-only: find the prepared form again
=============================  =========================================================

:func:`read_m2848_fields` reads a returned form through ``forms.reader``'s guarded
machinery (size and header checks, parsing in a separate process with time and memory
limits); what the values mean is for ``services.poa`` to check.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm

from mtc_desktop.domain.errors import MtcError
from mtc_desktop.domain.model import AccountType
from mtc_desktop.domain.poa import FAQ_DIFFERENCE, PoaAct
from mtc_desktop.forms import fonts, reader
from mtc_desktop.forms.authorization import (
    CONTENT_LEFT,
    CONTENT_RIGHT,
    CONTENT_WIDTH,
    DOR_RETURN_ADDRESS,
    GREY,
    INK,
    MARGIN_TOP,
    NAVY,
    PAGE_HEIGHT,
    QR_SIZE,
    SECTION_BAR_HEIGHT,
    SIZE_AGENCY,
    SIZE_BODY,
    SIZE_LABEL,
    SIZE_SECTION,
    SIZE_STATE,
    SIZE_TITLE,
    SIZE_VALUE,
    TEXT_FIELD_HEIGHT,
    WHITE,
    AuthorizationCanvas,
    _define_qr_form,
    _place_qr,
    pack_objects,
    qr_widget,
)
from mtc_desktop.forms.fonts import Style
from mtc_desktop.forms.layout import Pen, fit, wrap

FORM_NUMBER_FIELD = "form_number"
FORM_CODE_FIELD = "form_code"
FIRST_YEAR_FIELD = "first_year"
LAST_YEAR_FIELD = "last_year"
EXPIRES_FIELD = "expires_on"
DATE_FIELD = "signature_date"
PRINTED_NAME_FIELD = "printed_name"
TITLE_FIELD = "title"
TAX_TYPE_PREFIX = "tax_type_"
ACT_PREFIX = "act_"
QR_PREFIX = "MTC-POA|"

CHECK_SIZE = 4.0 * mm
ROW_STEP = 6.2 * mm
PART_GAP = 2.4 * mm


def tax_type_field(account_type: AccountType) -> str:
    return f"{TAX_TYPE_PREFIX}{account_type.value}"


def act_field(act: PoaAct) -> str:
    return f"{ACT_PREFIX}{act.value}"


@dataclass(frozen=True)
class M2848Form:
    """Everything printed on one Form M-2848, and nothing else."""

    number: str
    prepared_on: dt.date
    taxpayer_name: str
    taxpayer_masked_id: str
    taxpayer_address: str
    business: bool
    representative_name: str
    representative_masked_id: str
    representative_address: str
    representative_username: str
    representative_email: str
    tax_types: tuple[AccountType, ...]  # the boxes shown: the taxpayer's tax types
    chosen_types: tuple[AccountType, ...]  # of those, the ones checked already
    first_year: int
    last_year: int
    acts: tuple[PoaAct, ...]  # checked already
    code: str  # as printed, e.g. "ABCDE-FGHJK"
    qr_payload: str
    return_address: tuple[str, ...] = DOR_RETURN_ADDRESS
    audit_hash: str = ""

    def printed_texts(self) -> dict[str, str]:
        return {
            "taxpayer legal name": self.taxpayer_name,
            "taxpayer mailing address": _address_line(self.taxpayer_address),
            "representative name": self.representative_name,
            "representative address": _address_line(self.representative_address),
            "representative username": self.representative_username,
            "representative email": self.representative_email,
        }


class UnprintableForm(MtcError):
    """A name holds characters the form's fonts cannot print; nothing was rendered."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        listed = "; ".join(f"the {what} ({detail})" for what, detail in problems.items())
        super().__init__(
            f"Form M-2848 cannot print {listed}. Nothing was printed. Ask DOR for a paper "
            "Form M-2848 instead."
        )


def _address_line(text: str) -> str:
    return ", ".join(part.strip() for part in text.splitlines() if part.strip())


class _Drawing:
    def __init__(self, form: M2848Form, pen: Pen) -> None:
        self.form = form
        self.pen = pen
        self.acro = pen.c.acroForm
        self.y = PAGE_HEIGHT - MARGIN_TOP

    def header(self) -> None:
        pen, top, left = self.pen, self.y, CONTENT_LEFT
        pen.text(left, top, "COMMONWEALTH OF MASSACHUSETTS", Style.BOLD, SIZE_STATE, GREY)
        pen.text(left, top - 3.4 * mm, "Department of Revenue", Style.BOLD, SIZE_AGENCY, NAVY)
        pen.text(left, top - 9.2 * mm, "Form M-2848", Style.BOLD, SIZE_TITLE, INK)
        pen.text(
            left,
            top - 16.6 * mm,
            "Power of Attorney and Declaration of Representative",
            Style.BOLD,
            9.6,
            INK,
        )
        qr_left = CONTENT_RIGHT - QR_SIZE
        _place_qr(pen, qr_left, top + 1 * mm, QR_SIZE)
        right = qr_left - 1 * mm
        pen.text(right, top, "FORM", Style.BOLD, SIZE_LABEL, GREY, "right")
        pen.text(right, top - 3 * mm, self.form.number, Style.BOLD, 10.5, INK, "right")
        pen.text(right, top - 8 * mm, "Code", Style.REGULAR, SIZE_LABEL, GREY, "right")
        pen.text(right, top - 10.6 * mm, self.form.code, Style.BOLD, 9, INK, "right")
        pen.text(
            right,
            top - 14.6 * mm,
            f"Prepared {self.form.prepared_on:%m/%d/%Y}",
            Style.REGULAR,
            SIZE_LABEL,
            GREY,
            "right",
        )
        self.y = top - 25.5 * mm + 2 * mm
        pen.hline(CONTENT_LEFT, CONTENT_RIGHT, self.y, 1.6, NAVY)
        self.y -= 2.4 * mm
        self._hidden(FORM_NUMBER_FIELD, self.form.number)
        self._hidden(FORM_CODE_FIELD, self.form.code)

    def _hidden(self, name: str, value: str) -> None:
        self.acro.textfield(
            name=name,
            value=value,
            x=0,
            y=0,
            width=0,
            height=0,
            borderColor=None,
            fillColor=None,
            borderWidth=0,
            fontName="Helvetica",
            fontSize=1,
            maxlen=len(value),
            annotationFlags="hidden",
            fieldFlags="readOnly",
        )

    def section(self, part: str, title: str) -> None:
        pen = self.pen
        pen.box(CONTENT_LEFT, self.y, CONTENT_WIDTH, SECTION_BAR_HEIGHT, NAVY, None)
        text_top = self.y - (SECTION_BAR_HEIGHT - SIZE_SECTION * 1.05) / 2
        pen.text(CONTENT_LEFT + 2 * mm, text_top, part, Style.BOLD, SIZE_SECTION, WHITE)
        pen.text(CONTENT_LEFT + 16 * mm, text_top, title, Style.BOLD, SIZE_SECTION, WHITE)
        self.y -= SECTION_BAR_HEIGHT + 1.6 * mm

    def paragraph(self, text: str, size: float = SIZE_BODY) -> None:
        lines = wrap(text, Style.REGULAR, size, CONTENT_WIDTH)
        self.y -= self.pen.lines(CONTENT_LEFT, self.y, lines, Style.REGULAR, size)
        self.y -= 1.2 * mm

    def facts(self, rows: list[tuple[str, str]]) -> None:
        """Label and value pairs, two to a row."""
        half = (CONTENT_WIDTH - 4 * mm) / 2
        for i in range(0, len(rows), 2):
            height = 0.0
            for j, (label, value) in enumerate(rows[i : i + 2]):
                x = CONTENT_LEFT + j * (half + 4 * mm)
                self.pen.text(x, self.y, label.upper(), Style.BOLD, SIZE_LABEL, GREY)
                size, lines = fit(value or "—", Style.REGULAR, SIZE_VALUE, half, 2, 6.5)
                used = self.pen.lines(x, self.y - 2.9 * mm, lines, Style.REGULAR, size)
                height = max(height, 2.9 * mm + used)
            self.y -= height + 1.4 * mm

    def check(self, name: str, tooltip: str, x: float, top: float, checked: bool) -> None:
        self.pen.box(x, top, CHECK_SIZE, CHECK_SIZE, WHITE, INK, 1.0)
        self.acro.checkbox(
            name=name,
            tooltip=tooltip,
            x=x,
            y=top - CHECK_SIZE,
            size=CHECK_SIZE,
            checked=checked,
            buttonStyle="check",
            borderColor=None,
            fillColor=None,
            textColor=INK,
            borderWidth=None,
            fieldFlags="",
        )

    def text_field(
        self, name: str, tooltip: str, x: float, top: float, width: float, maxlen: int, value: str
    ) -> None:
        self.pen.box(x, top, width, TEXT_FIELD_HEIGHT, WHITE, INK, 1.0)
        self.acro.textfield(
            name=name,
            tooltip=tooltip,
            value=value,
            x=x,
            y=top - TEXT_FIELD_HEIGHT,
            width=width,
            height=TEXT_FIELD_HEIGHT,
            borderColor=None,
            fillColor=None,
            textColor=INK,
            borderWidth=0,
            fontName="Helvetica",
            fontSize=10,
            maxlen=maxlen,
            fieldFlags="",
        )

    def tax_matters(self) -> None:
        form = self.form
        self.paragraph(
            "Check each tax type this Power of Attorney covers, and the tax years (periods) "
            "from the first to the last. The representative has checked what they asked for; "
            "you may change it before signing."
        )
        column = CONTENT_WIDTH / 2
        for i, account_type in enumerate(form.tax_types):
            x = CONTENT_LEFT + (i % 2) * column
            top = self.y - (i // 2) * ROW_STEP
            self.check(
                tax_type_field(account_type),
                f"Tax type covered: {account_type.label}",
                x,
                top,
                account_type in form.chosen_types,
            )
            self.pen.text(x + CHECK_SIZE + 2 * mm, top - 0.4 * mm, account_type.label, size=9)
        rows = (len(form.tax_types) + 1) // 2
        self.y -= rows * ROW_STEP + 0.8 * mm
        labels = (("FIRST TAX YEAR", FIRST_YEAR_FIELD), ("LAST TAX YEAR", LAST_YEAR_FIELD))
        values = (str(form.first_year), str(form.last_year))
        for k, ((label, name), value) in enumerate(zip(labels, values, strict=True)):
            x = CONTENT_LEFT + k * 40 * mm
            self.pen.text(x, self.y, label, Style.BOLD, SIZE_LABEL, GREY)
            self.text_field(name, label.capitalize(), x, self.y - 3.2 * mm, 30 * mm, 4, value)
        self.y -= 3.2 * mm + TEXT_FIELD_HEIGHT + PART_GAP

    def acts(self) -> None:
        self.paragraph("Check each act the representative may perform for you before DOR.")
        for act in PoaAct:
            lines = wrap(act.label, Style.REGULAR, 9, CONTENT_WIDTH - CHECK_SIZE - 3 * mm)
            self.check(act_field(act), act.label, CONTENT_LEFT, self.y, act in self.form.acts)
            used = self.pen.lines(
                CONTENT_LEFT + CHECK_SIZE + 2 * mm, self.y - 0.4 * mm, lines, Style.REGULAR, 9
            )
            self.y -= max(ROW_STEP, used + 1.6 * mm)
        self.y -= PART_GAP - 1.2 * mm

    def signature(self) -> None:
        form = self.form
        who = " or am authorized to sign for it" if form.business else ""
        self.paragraph(
            f"I am the taxpayer named in Part 1{who}. I appoint the representative in Part 2 "
            "for the tax matters in Part 3 and the acts checked in Part 4. I can revoke this "
            "Power of Attorney at any time."
        )
        pen = self.pen
        pen.text(
            CONTENT_LEFT, self.y, "EXPIRES ON (MM/DD/YYYY, OPTIONAL)", Style.BOLD, SIZE_LABEL, GREY
        )
        self.text_field(
            EXPIRES_FIELD,
            "Expires on (MM/DD/YYYY), blank for no expiry",
            CONTENT_LEFT,
            self.y - 3.2 * mm,
            40 * mm,
            10,
            "",
        )
        self.y -= 3.2 * mm + TEXT_FIELD_HEIGHT + 2.4 * mm
        sign_width = CONTENT_WIDTH * 0.62
        date_x = CONTENT_LEFT + sign_width + 4 * mm
        sign_height = 11 * mm
        pen.box(CONTENT_LEFT, self.y, sign_width, sign_height, None, INK, 0.8)
        pen.text(
            CONTENT_LEFT + 1.6 * mm,
            self.y - 1.1 * mm,
            "SIGNATURE OF TAXPAYER (IN INK)",
            Style.BOLD,
            SIZE_LABEL,
            GREY,
        )
        pen.text(date_x, self.y, "DATE SIGNED (MM/DD/YYYY)", Style.BOLD, SIZE_LABEL, GREY)
        self.text_field(
            DATE_FIELD,
            "Date signed (MM/DD/YYYY)",
            date_x,
            self.y - 3.2 * mm,
            CONTENT_RIGHT - date_x,
            10,
            "",
        )
        self.y -= sign_height + 2.6 * mm
        name_width = CONTENT_WIDTH * 0.6 if form.business else sign_width
        pen.text(
            CONTENT_LEFT, self.y, "PRINTED NAME OF THE PERSON SIGNING", Style.BOLD, SIZE_LABEL, GREY
        )
        self.text_field(
            PRINTED_NAME_FIELD,
            "Printed name of the person signing",
            CONTENT_LEFT,
            self.y - 3.2 * mm,
            name_width,
            200,
            "",
        )
        if form.business:
            title_x = CONTENT_LEFT + name_width + 4 * mm
            pen.text(title_x, self.y, "TITLE (OFFICER OR OWNER)", Style.BOLD, SIZE_LABEL, GREY)
            self.text_field(
                TITLE_FIELD,
                "Title of the person signing for the business",
                title_x,
                self.y - 3.2 * mm,
                CONTENT_RIGHT - title_x,
                100,
                "",
            )
        self.y -= 3.2 * mm + TEXT_FIELD_HEIGHT + PART_GAP

    def instructions(self) -> None:
        form = self.form
        address = ", ".join(form.return_address)
        self.paragraph(
            "Check Parts 1 and 2, complete Parts 3 and 4, then sign and date Part 6 in ink. "
            f"Mail the signed form to {address}, or return this PDF filled in. DOR records "
            "it and emails you and the representative; you can revoke it at any time in "
            "MassTaxConnect (Manage My Profile → Powers of Attorney → Revoke)."
        )


def check_printable(form: M2848Form) -> dict[str, str]:
    problems: dict[str, str] = {}
    for what, text in form.printed_texts().items():
        bad = fonts.unprintable(text)
        if bad:
            problems[what] = f"“{text}”: " + ", ".join(item.describe() for item in bad)
    return problems


def render_m2848(form: M2848Form) -> bytes:
    """Form M-2848 for ``form``, as the bytes of a one-page PDF.

    Raises :class:`UnprintableForm` when a name holds characters no shipped font prints.
    Its objects are packed as a Client Authorization's are (``pack_objects``)."""
    problems = check_printable(form)
    if problems:
        raise UnprintableForm(problems)
    buffer = io.BytesIO()
    footer = f"Form M-2848 · {form.number} · taxpayer ID {form.taxpayer_masked_id} · " + (
        f"audit {form.audit_hash[:16]}" if form.audit_hash else "MassTaxConnect"
    )
    canvas = AuthorizationCanvas(buffer, total_pages=1, footer=footer)
    canvas.setTitle(f"Form M-2848 {form.number}")
    canvas.setAuthor("Massachusetts Department of Revenue")
    canvas.setSubject("Power of Attorney and Declaration of Representative")
    canvas.setKeywords(form.qr_payload)
    canvas.setCreator("MTC Desktop")
    _define_qr_form(canvas, qr_widget(form.qr_payload))
    drawing = _Drawing(form, Pen(canvas))
    drawing.header()
    drawing.section("Part 1", "Taxpayer")
    drawing.facts(
        [
            ("Legal name", form.taxpayer_name),
            ("Taxpayer ID", form.taxpayer_masked_id),
            ("Mailing address", _address_line(form.taxpayer_address)),
        ]
    )
    drawing.section("Part 2", "Representative")
    drawing.facts(
        [
            ("Name", form.representative_name),
            ("Representative ID", form.representative_masked_id),
            ("Mailing address", _address_line(form.representative_address)),
            (
                "MassTaxConnect username / email",
                f"{form.representative_username} · {form.representative_email}",
            ),
        ]
    )
    drawing.section("Part 3", "Tax matters: tax types and tax years")
    drawing.tax_matters()
    drawing.section("Part 4", "Acts authorised")
    drawing.acts()
    drawing.section("Part 5", "Power of Attorney and third-party access")
    drawing.paragraph(
        FAQ_DIFFERENCE + " Third-party access is given on MassTaxConnect, not by "
        "this form; this form gives no access there.",
        7.4,
    )
    drawing.section("Part 6", "Expiry and the taxpayer's signature")
    drawing.signature()
    drawing.section("Part 7", "How to return this form")
    drawing.instructions()
    canvas.showPage()
    canvas.save()
    return pack_objects(buffer.getvalue())


# --- reading a returned form ----------------------------------------------------------------


@dataclass(frozen=True)
class M2848Fields:
    number: str
    code: str
    values: dict[str, str | None]

    def text(self, name: str) -> str:
        return self.values.get(name) or ""


BY_HAND = "Record the Power of Attorney by hand from the paper form instead."


def _ours(message: str) -> str:
    """A refusal of the shared reader, told about a Form M-2848."""
    return message.replace("Client Authorization", "Form M-2848").replace(reader.BY_HAND, BY_HAND)


def m2848_fields(found: reader.PdfFields) -> M2848Fields:
    """Check that ``found`` is a Form M-2848 of this program, and name its parts."""
    if found.encrypted:
        raise reader.FormFileRefused(
            reader.Refusal.ENCRYPTED,
            "This PDF is password-protected, so its fields cannot be read. Ask the taxpayer "
            f"to save the form again without a password. {BY_HAND}",
        )
    if not found.values:
        raise reader.FormFileRefused(
            reader.Refusal.NO_FIELDS,
            "This PDF has no form fields to read: it is probably a scan, or a printout saved "
            f"as PDF. {BY_HAND}",
        )
    names = set(found.values)
    ours = FORM_NUMBER_FIELD in names or any(
        name.startswith((TAX_TYPE_PREFIX, ACT_PREFIX)) for name in names
    )
    if not ours or found.field_count > reader.MAX_FIELDS:
        raise reader.FormFileRefused(
            reader.Refusal.NOT_OURS,
            "This PDF's form is not a Form M-2848 prepared by MTC Desktop (a Client "
            "Authorization is imported with Import Returned Form). Choose the Form M-2848 "
            f"the taxpayer returned. {BY_HAND}",
        )
    number = (found.values.get(FORM_NUMBER_FIELD) or "").strip()
    code = (found.values.get(FORM_CODE_FIELD) or "").strip()
    if (not number or not code) and found.keywords.upper().startswith(QR_PREFIX):
        parts = found.keywords.split("|")
        if len(parts) == 3:
            number, code = parts[1].strip(), parts[2].strip()
    if not number or not code:
        raise reader.FormFileRefused(
            reader.Refusal.NO_REFERENCE,
            "This Form M-2848 does not carry its form number and code, so the prepared form "
            f"cannot be found from the file. {BY_HAND}",
        )
    return M2848Fields(number, code, dict(found.values))


def read_m2848_fields(
    source: bytes | Path,
    *,
    max_bytes: int = reader.MAX_FORM_BYTES,
    time_limit: float = reader.TIME_LIMIT,
    parse: reader.Parser = reader.parse_pdf,
) -> M2848Fields:
    """The fields of the returned Form M-2848 in ``source`` (PDF bytes or a path), read
    the guarded way (``forms.reader``). Raises ``reader.FormFileRefused``."""
    try:
        data = reader.load(source, max_bytes=max_bytes)
        reader.check_pdf_bytes(data)
        found = reader.parse_in_process(data, time_limit=time_limit, parse=parse)
    except reader.FormFileRefused as exc:
        raise reader.FormFileRefused(exc.reason, _ours(exc.message)) from exc
    return m2848_fields(found)
