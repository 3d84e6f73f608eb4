"""The Client Authorization form: the printed way for a taxpayer to approve a request.

:func:`render_authorization` is a pure function from a frozen :class:`AuthorizationForm`
to the bytes of a Letter-size PDF (pretix-style: view model in, bytes out). The form is:

- a DOR-style heading with a QR code carrying ``MTC-AUTH|<number>|<code>``;
- the request number, its date, the date it must be back at DOR, the authorization code;
- Part 1 the third party, Part 2 the taxpayer (IDs masked to their last four digits);
- Part 3 one row per requested account: the requested level, a *Give Rights* check box and
  a *Granted Rights* choice of the five levels;
- Part 4 what each access level allows; Part 5 the signature block; Part 6 how to return it;
- "Page X of Y" and the request number on every page; rows flow onto further pages, with
  the table header repeated.

Fillable AcroForm fields (``canvas.acroForm``), named so a filled form can be read back
(:data:`FIELD_NAMES_HELP` says the same for people):

==================================  ==============================================
``give_rights_<ACCOUNT NUMBER>``    check box; ``/Yes`` when checked, else ``/Off``
``granted_rights_<ACCOUNT NUMBER>`` radio group; ``/view_only``, ``/file``, ``/pay``,
                                    ``/file_and_pay`` or ``/full_access``
                                    (:class:`AccessLevel` values); unset when blank
``printed_name``                    text
``title``                           text; on forms for a business taxpayer only
``signature_date``                  text, as written (MM/DD/YYYY asked for)
``request_number``                  text, hidden and read-only: the request number
``authorization_code``              text, hidden and read-only: the code as printed
==================================  ==============================================

The last two let an imported form find its request (``forms.reader``); they sit on the
first page, take no room and are never shown or printed. The number and code are also in
the QR code and, as the QR code's text, in the document's keywords.

The account number is written as stored (``PIT-00000012``); characters other than
letters, digits and ``-`` would become ``_`` (:func:`give_rights_field`).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from mtc_desktop.domain.errors import MtcError
from mtc_desktop.domain.levels import AccessLevel, Right
from mtc_desktop.domain.model import TaxpayerKind
from mtc_desktop.forms import fonts
from mtc_desktop.forms.fields import (
    CODE_FIELD,
    DATE_FIELD,
    PRINTED_NAME_FIELD,
    REQUEST_NUMBER_FIELD,
    TITLE_FIELD,
    give_rights_field,
    granted_rights_field,
)
from mtc_desktop.forms.fonts import Style
from mtc_desktop.forms.layout import Block, Pen, fit, line_height, paginate, wrap

# --- the view model ---------------------------------------------------------------------

DOR_RETURN_ADDRESS = (
    "Massachusetts Department of Revenue",
    "PO Box 7010",
    "Boston, MA 02204",
)


@dataclass(frozen=True)
class ThirdPartyInfo:
    name: str
    masked_id: str  # e.g. "**-***4821": last four digits only
    username: str
    email: str


@dataclass(frozen=True)
class TaxpayerInfo:
    legal_name: str
    masked_id: str
    kind: TaxpayerKind
    # The mailing address DOR has, its lines joined with ", " when printed.
    address: str = ""

    @property
    def address_line(self) -> str:
        return ", ".join(part.strip() for part in self.address.splitlines() if part.strip())


@dataclass(frozen=True)
class AccountLine:
    account_type: str  # the label, e.g. "Personal Income"
    account_number: str
    requested_level: AccessLevel


@dataclass(frozen=True)
class AuthorizationForm:
    """Everything printed on one Client Authorization, and nothing else."""

    request_number: str
    request_date: dt.date
    return_by: dt.date  # the request expires after this day
    third_party: ThirdPartyInfo
    taxpayer: TaxpayerInfo
    lines: tuple[AccountLine, ...]
    authorization_code: str  # as printed, e.g. "ABCDE-FGHJK"
    qr_payload: str  # what the QR code carries: requests.qr_text(number, code)
    return_address: tuple[str, ...] = DOR_RETURN_ADDRESS
    # The audit trail's latest hash when the form was made (its first 16 hex digits are
    # printed): `mtc-desktop audit verify --expect` later proves the history before it.
    audit_hash: str = ""

    def printed_texts(self) -> dict[str, str]:
        """The free texts the form prints, by what they are (for error messages)."""
        texts = {
            "third party name": self.third_party.name,
            "third party username": self.third_party.username,
            "third party email": self.third_party.email,
            "taxpayer legal name": self.taxpayer.legal_name,
        }
        if self.taxpayer.address_line:
            texts["taxpayer mailing address"] = self.taxpayer.address_line
        for line in self.lines:
            texts[f"account {line.account_number}"] = f"{line.account_type} {line.account_number}"
        return texts


class UnprintableText(MtcError):
    """Some names hold characters the form's fonts cannot print; nothing was rendered."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        listed = "; ".join(f"the {what} ({detail})" for what, detail in problems.items())
        super().__init__(
            f"The Client Authorization cannot print {listed}. Nothing was printed. Use "
            "the MassTaxConnect approval method instead, or ask DOR for a paper form."
        )


def check_printable(form: AuthorizationForm) -> dict[str, str]:
    """What of ``form`` cannot be printed: ``{what: 'the name: its characters'}``."""
    problems: dict[str, str] = {}
    for what, text in form.printed_texts().items():
        bad = fonts.unprintable(text)
        if bad:
            problems[what] = f"“{text}”: " + ", ".join(item.describe() for item in bad)
    return problems


# --- field names (in forms/fields.py, which reading a returned form needs without ReportLab)

FIELD_NAMES_HELP = (
    "give_rights_<account number>: check box, /Yes or /Off. "
    "granted_rights_<account number>: radio, one of /view_only /file /pay /file_and_pay "
    "/full_access. printed_name, title (business taxpayers), signature_date: text. "
    "request_number, authorization_code: hidden read-only text."
)

# --- page geometry (millimetres, as named constants) -----------------------------------

PAGE_WIDTH, PAGE_HEIGHT = LETTER
MARGIN_X = 15 * mm
MARGIN_TOP = 12 * mm
MARGIN_BOTTOM = 17 * mm  # content never goes below this
FOOTER_RULE_Y = 13 * mm
FOOTER_TEXT_Y = 9.5 * mm
CONTENT_LEFT = MARGIN_X
CONTENT_RIGHT = PAGE_WIDTH - MARGIN_X
CONTENT_WIDTH = CONTENT_RIGHT - CONTENT_LEFT
GUTTER = 4 * mm  # between Part 1 and Part 2, side by side
HALF_WIDTH = (CONTENT_WIDTH - GUTTER) / 2

QR_SIZE = 25 * mm
QR_SIZE_SMALL = 15 * mm
QR_QUIET_MODULES = 4  # the white margin scanners need, in modules
HEADER_HEIGHT = 25.5 * mm
CONT_HEADER_MIN_HEIGHT = 17 * mm
SECTION_BAR_HEIGHT = 5.6 * mm
SECTION_GAP = 1.6 * mm  # below a section bar
BLOCK_GAP = 3.0 * mm
CELL_PAD_X = 1.6 * mm
CELL_PAD_Y = 1.1 * mm
CELL_LABEL_HEIGHT = 2.9 * mm
STRIP_HEIGHT = 11.5 * mm
TABLE_HEADER_HEIGHT = 9.6 * mm
GRANTED_BAND_HEIGHT = 3.6 * mm  # "Granted Rights (mark one)" over the level columns
ROW_MIN_HEIGHT = 6.6 * mm
CHECKBOX_SIZE = 4.2 * mm
RADIO_SIZE = 3.7 * mm
LEVEL_ROW_HEIGHT = 4.2 * mm
SIGNATURE_HEIGHT = 11 * mm
TEXT_FIELD_HEIGHT = 6.6 * mm
FIELD_LABEL_GAP = 3.2 * mm  # from a field's label down to the field
ADDRESS_WIDTH = 60 * mm

# Part 3 columns: #, account type, account number, requested level, Give Rights, levels.
COL_INDEX = 7 * mm
COL_TYPE = 46 * mm
COL_NUMBER = 29 * mm
COL_REQUESTED = 23 * mm
COL_GIVE = 15 * mm
COL_LEVEL = (CONTENT_WIDTH - COL_INDEX - COL_TYPE - COL_NUMBER - COL_REQUESTED - COL_GIVE) / 5

# Part 4 columns: the level, then one per right.
COL_LEVEL_NAME = 38 * mm
COL_RIGHT = (CONTENT_WIDTH - COL_LEVEL_NAME) / 4

# Type sizes, points.
SIZE_TITLE = 18.0
SIZE_AGENCY = 11.5
SIZE_STATE = 6.8
SIZE_SUBTITLE = 9.2
SIZE_SECTION = 8.8
SIZE_LABEL = 6.2
SIZE_VALUE = 9.5
SIZE_VALUE_MIN = 6.5
SIZE_BODY = 8.2
SIZE_SMALL = 7.0
SIZE_TABLE = 8.0
SIZE_TABLE_HEAD = 6.6
SIZE_FOOTER = 6.8
SIZE_STRIP = 10.5
SIZE_CODE = 11.5

INK = colors.black
NAVY = colors.Color(0.07, 0.17, 0.31)  # the heading and the section bars
GREY = colors.Color(0.33, 0.35, 0.39)  # labels
RULE = colors.Color(0.55, 0.57, 0.6)  # inner grid lines
SHADE = colors.Color(0.92, 0.93, 0.95)  # header cells and every other row
WHITE = colors.white

_LEVELS = tuple(AccessLevel)
_RIGHTS = (Right.VIEW, Right.FILE, Right.PAY, Right.MESSAGES)


def _date(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


# --- the canvas ---------------------------------------------------------------------------


def _name_last_radio(canvas: Canvas, group: str, tooltip: str) -> None:
    """Give the radio button just drawn in ``group`` its own tooltip (/TU on its widget),
    so that each bubble names its level; ReportLab gives only the group one."""
    from reportlab.pdfbase.pdfdoc import PDFString

    ref = canvas.acroForm._radios[group].kids[-1]
    widget = canvas._doc.idToObject[ref.name]
    widget.dict["TU"] = PDFString(tooltip)


class AuthorizationCanvas(Canvas):
    """A numbered canvas: it knows the page count up front and writes the footer with
    "Page X of Y" as each page closes.

    The classic numbered canvas holds every page back until ``save()`` to learn the count;
    that would point every AcroForm widget's ``/P`` at the first page. Here the layout is
    paginated before anything is drawn, so the count is known and pages close in order.
    """

    def __init__(self, buffer: io.BytesIO, *, total_pages: int, footer: str) -> None:
        super().__init__(buffer, pagesize=LETTER, pageCompression=1, invariant=1)
        self.total_pages = total_pages
        self.footer = footer

    def showPage(self) -> None:
        pen = Pen(self)
        pen.hline(CONTENT_LEFT, CONTENT_RIGHT, FOOTER_RULE_Y, 0.5, RULE)
        top = FOOTER_TEXT_Y + SIZE_FOOTER
        pen.text(CONTENT_LEFT, top, self.footer, Style.REGULAR, SIZE_FOOTER, GREY)
        label = f"Page {self.getPageNumber()} of {self.total_pages}"
        pen.text(CONTENT_RIGHT, top, label, Style.BOLD, SIZE_FOOTER + 1, INK, "right")
        super().showPage()


def qr_widget(payload: str) -> QrCodeWidget:
    """The QR code a form carries (error correction M: a smudged corner still scans)."""
    return QrCodeWidget(payload, barLevel="M", barBorder=QR_QUIET_MODULES)


def _define_qr_form(c: Canvas, widget: QrCodeWidget) -> None:
    """The QR code as a form XObject named "qr", ``QR_SIZE`` square, drawn once per PDF
    and placed on every page; each run of dark modules in a row is one rectangle."""
    qr = widget.qr
    qr.make()
    count = qr.getModuleCount()
    box = QR_SIZE / (count + 2 * QR_QUIET_MODULES)
    c.beginForm("qr")
    c.setFillColor(INK)
    path = c.beginPath()
    for r, row in enumerate(qr.modules):
        col = 0
        for dark, group in itertools.groupby(bool(m) for m in row):
            length = len(list(group))
            if dark:
                x = (col + QR_QUIET_MODULES) * box
                y = QR_SIZE - (r + QR_QUIET_MODULES + 1) * box
                path.rect(x, y, length * box, box)
            col += length
    c.drawPath(path, stroke=0, fill=1)
    c.endForm()


def _place_qr(pen: Pen, x: float, top: float, size: float) -> None:
    c = pen.c
    c.saveState()
    c.translate(x, top - size)
    c.scale(size / QR_SIZE, size / QR_SIZE)
    c.doForm("qr")
    c.restoreState()


# --- labelled cells -----------------------------------------------------------------------

Cell = tuple[str, str, Style, float]  # label, value, style, fraction of the grid's width


@dataclass
class _Grid:
    """Rows of bordered, labelled cells; measured, then drawn at any height >= its own
    (the last row takes what is left, so two grids side by side line up)."""

    x: float
    width: float
    rows: list[tuple[float, list[tuple[str, float, list[str], Style, float]]]]

    @classmethod
    def measure(cls, x: float, grid_width: float, rows: Sequence[Sequence[Cell]]) -> _Grid:
        measured = []
        for row in rows:
            cells = []
            height = 0.0
            for label, value, style, frac in row:
                cell_width = grid_width * frac
                size, lines = fit(
                    value, style, SIZE_VALUE, cell_width - 2 * CELL_PAD_X, 2, SIZE_VALUE_MIN
                )
                used = 2 * CELL_PAD_Y + CELL_LABEL_HEIGHT + line_height(size) * len(lines)
                height = max(height, used)
                cells.append((label, cell_width, lines, style, size))
            measured.append((height, cells))
        return cls(x, grid_width, measured)

    @property
    def height(self) -> float:
        return sum(h for h, _ in self.rows)

    def draw(self, pen: Pen, top: float, height: float) -> None:
        y = top
        for i, (row_height, cells) in enumerate(self.rows):
            if i == len(self.rows) - 1:
                row_height = y - (top - height)
            x = self.x
            for label, cell_width, lines, style, size in cells:
                pen.box(x, y, cell_width, row_height, None, INK, 0.6)
                pen.text(
                    x + CELL_PAD_X, y - CELL_PAD_Y, label.upper(), Style.BOLD, SIZE_LABEL, GREY
                )
                value_top = y - CELL_PAD_Y - CELL_LABEL_HEIGHT
                pen.lines(x + CELL_PAD_X, value_top, lines, style, size)
                x += cell_width
            y -= row_height


# --- the form ---------------------------------------------------------------------------


class _Layout:
    """The blocks of one form, measured; drawing happens later, page by page."""

    def __init__(self, form: AuthorizationForm) -> None:
        self.form = form
        self.business = form.taxpayer.kind is TaxpayerKind.BUSINESS

    # page headers -------------------------------------------------------------------

    def draw_first_header(self, pen: Pen) -> None:
        top = PAGE_HEIGHT - MARGIN_TOP
        left = CONTENT_LEFT
        pen.text(left, top, "COMMONWEALTH OF MASSACHUSETTS", Style.BOLD, SIZE_STATE, GREY)
        pen.text(left, top - 3.4 * mm, "Department of Revenue", Style.BOLD, SIZE_AGENCY, NAVY)
        pen.text(left, top - 9.2 * mm, "Client Authorization", Style.BOLD, SIZE_TITLE, INK)
        pen.text(
            left,
            top - 16.6 * mm,
            "Third-party access to MassTaxConnect tax accounts: the taxpayer's approval",
            Style.REGULAR,
            SIZE_SUBTITLE,
            INK,
        )
        qr_left = CONTENT_RIGHT - QR_SIZE
        _place_qr(pen, qr_left, top + 1 * mm, QR_SIZE)
        pen.text(qr_left - 1 * mm, top, "REQUEST", Style.BOLD, SIZE_LABEL, GREY, "right")
        pen.text(
            qr_left - 1 * mm,
            top - 3 * mm,
            self.form.request_number,
            Style.BOLD,
            SIZE_STRIP,
            INK,
            "right",
        )
        pen.text(
            qr_left - 1 * mm, top - 8 * mm, "For DOR:", Style.REGULAR, SIZE_LABEL, GREY, "right"
        )
        pen.text(
            qr_left - 1 * mm,
            top - 10.6 * mm,
            "scan to find",
            Style.REGULAR,
            SIZE_LABEL,
            GREY,
            "right",
        )
        pen.text(
            qr_left - 1 * mm,
            top - 13.2 * mm,
            "the request",
            Style.REGULAR,
            SIZE_LABEL,
            GREY,
            "right",
        )
        pen.hline(CONTENT_LEFT, CONTENT_RIGHT, top - HEADER_HEIGHT + 2 * mm, 1.6, NAVY)
        self._hidden_field(pen, REQUEST_NUMBER_FIELD, self.form.request_number)
        self._hidden_field(pen, CODE_FIELD, self.form.authorization_code)

    @staticmethod
    def _hidden_field(pen: Pen, name: str, value: str) -> None:
        """A field no one sees or edits, for a program reading the form back: hidden and
        never printed (annotation flag), read-only (field flag), of no size."""
        pen.c.acroForm.textfield(
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

    def _continuation_title(self) -> tuple[float, list[str]]:
        taxpayer = self.form.taxpayer
        return fit(
            f"Taxpayer: {taxpayer.legal_name} ({taxpayer.masked_id})",
            Style.REGULAR,
            SIZE_BODY,
            CONTENT_WIDTH - QR_SIZE_SMALL - 4 * mm,
            2,
            SIZE_VALUE_MIN,
        )

    def continuation_height(self) -> float:
        size, lines = self._continuation_title()
        return max(CONT_HEADER_MIN_HEIGHT, 6 * mm + line_height(size) * len(lines) + 3 * mm)

    def draw_next_header(self, pen: Pen) -> None:
        top = PAGE_HEIGHT - MARGIN_TOP
        pen.text(
            CONTENT_LEFT,
            top,
            f"Client Authorization, request {self.form.request_number} (continued)",
            Style.BOLD,
            11.5,
            NAVY,
        )
        size, lines = self._continuation_title()
        pen.lines(CONTENT_LEFT, top - 6 * mm, lines, Style.REGULAR, size, INK)
        _place_qr(pen, CONTENT_RIGHT - QR_SIZE_SMALL, top + 1 * mm, QR_SIZE_SMALL)
        rule_y = top - self.continuation_height() + 2 * mm
        pen.hline(CONTENT_LEFT, CONTENT_RIGHT, rule_y, 1.2, NAVY)

    # the blocks, in order -------------------------------------------------------------

    def blocks(self) -> list[Block]:
        result = [self.strip(), self.strip_note(), self.parties()]
        result += [
            self.section("Part 3", "Accounts: Give Rights and Granted Rights"),
            self.paragraph(
                "For each account you allow, check Give Rights and mark one Granted Rights "
                "level; it may be higher or lower than the level requested. An account left "
                "unchecked is refused; if none is checked, the request is denied.",
                keep_with_next=True,
            ),
        ]
        again = self.table_header(continued=True)
        result.append(self.table_header(continued=False))
        result += [
            self.account_row(index, line, again)
            for index, line in enumerate(self.form.lines, start=1)
        ]
        result[-1].gap_after = BLOCK_GAP
        result += [self.section("Part 4", "What each access level allows"), self.levels_table()]
        result += [self.section("Part 5", "Taxpayer's signature"), self.signature()]
        result += [self.section("Part 6", "How to return this form"), self.instructions()]
        return result

    @staticmethod
    def _bar(pen: Pen, x: float, top: float, bar_width: float, part: str, title: str) -> None:
        pen.box(x, top, bar_width, SECTION_BAR_HEIGHT, NAVY, None)
        text_top = top - (SECTION_BAR_HEIGHT - SIZE_SECTION * 1.05) / 2
        pen.text(x + 2 * mm, text_top, part, Style.BOLD, SIZE_SECTION, WHITE)
        pen.text(x + 16 * mm, text_top, title, Style.BOLD, SIZE_SECTION, WHITE)

    def section(self, part: str, title: str) -> Block:
        def draw(pen: Pen, top: float) -> None:
            self._bar(pen, CONTENT_LEFT, top, CONTENT_WIDTH, part, title)

        return Block(SECTION_BAR_HEIGHT, draw, SECTION_GAP, keep_with_next=True, name=part)

    def paragraph(self, text: str, *, keep_with_next: bool = False) -> Block:
        lines = wrap(text, Style.REGULAR, SIZE_BODY, CONTENT_WIDTH)

        def draw(pen: Pen, top: float) -> None:
            pen.lines(CONTENT_LEFT, top, lines, Style.REGULAR, SIZE_BODY)

        height = line_height(SIZE_BODY) * len(lines)
        return Block(height, draw, 1.6 * mm, keep_with_next=keep_with_next, name="paragraph")

    def strip(self) -> Block:
        form = self.form
        cells = [
            ("Request number", form.request_number, Style.BOLD, 0.24),
            ("Date of request", _date(form.request_date), Style.BOLD, 0.23),
            ("Must reach DOR by", _date(form.return_by), Style.BOLD, 0.23),
            ("Authorization code", form.authorization_code, Style.MONO, 0.30),
        ]

        def draw(pen: Pen, top: float) -> None:
            x = CONTENT_LEFT
            for label, value, style, frac in cells:
                cell_width = CONTENT_WIDTH * frac
                pen.box(x, top, cell_width, STRIP_HEIGHT, None, INK, 1.0)
                pen.text(
                    x + CELL_PAD_X, top - CELL_PAD_Y, label.upper(), Style.BOLD, SIZE_LABEL, GREY
                )
                size = SIZE_CODE if style is Style.MONO else SIZE_STRIP
                size, _ = fit(value, style, size, cell_width - 2 * CELL_PAD_X, 1, SIZE_VALUE_MIN)
                pen.text(x + CELL_PAD_X, top - 5.2 * mm, value, style, size)
                x += cell_width

        return Block(STRIP_HEIGHT, draw, 1.2 * mm, name="strip")

    def strip_note(self) -> Block:
        text = (
            "Do not change the request number or the authorization code: DOR finds the "
            "request by them and by the QR code. Keep all pages together."
        )
        lines = wrap(text, Style.REGULAR, SIZE_SMALL, CONTENT_WIDTH)

        def draw(pen: Pen, top: float) -> None:
            pen.lines(CONTENT_LEFT, top, lines, Style.REGULAR, SIZE_SMALL, GREY)

        return Block(line_height(SIZE_SMALL) * len(lines), draw, BLOCK_GAP, name="strip note")

    def parties(self) -> Block:
        """Part 1 (the third party) and Part 2 (the taxpayer), side by side."""
        tp = self.form.third_party
        tx = self.form.taxpayer
        left = _Grid.measure(
            CONTENT_LEFT,
            HALF_WIDTH,
            [
                [("Name", tp.name, Style.BOLD, 1.0)],
                [
                    ("Taxpayer ID (last 4 digits)", tp.masked_id or "—", Style.REGULAR, 0.48),
                    ("MassTaxConnect username", tp.username, Style.REGULAR, 0.52),
                ],
                [("Contact email", tp.email, Style.REGULAR, 1.0)],
            ],
        )
        right_x = CONTENT_LEFT + HALF_WIDTH + GUTTER
        right = _Grid.measure(
            right_x,
            HALF_WIDTH,
            [
                [("Legal name", tx.legal_name, Style.BOLD, 1.0)],
                [
                    ("Taxpayer ID (last 4 digits)", tx.masked_id, Style.REGULAR, 0.48),
                    (
                        "Taxpayer type",
                        "Business" if self.business else "Individual",
                        Style.REGULAR,
                        0.52,
                    ),
                ],
                [("Mailing address", tx.address_line or "—", Style.REGULAR, 1.0)],
            ],
        )
        grid_height = max(left.height, right.height)

        def draw(pen: Pen, top: float) -> None:
            self._bar(pen, CONTENT_LEFT, top, HALF_WIDTH, "Part 1", "Third party asking for access")
            self._bar(pen, right_x, top, HALF_WIDTH, "Part 2", "Taxpayer")
            grid_top = top - SECTION_BAR_HEIGHT - SECTION_GAP
            left.draw(pen, grid_top, grid_height)
            right.draw(pen, grid_top, grid_height)

        height = SECTION_BAR_HEIGHT + SECTION_GAP + grid_height
        return Block(height, draw, BLOCK_GAP, name="parties")

    # Part 3 ---------------------------------------------------------------------------

    @staticmethod
    def _edges() -> list[float]:
        """The left edge of each Part 3 column, then the table's right edge."""
        widths = [COL_INDEX, COL_TYPE, COL_NUMBER, COL_REQUESTED, COL_GIVE] + [COL_LEVEL] * 5
        edges = [CONTENT_LEFT]
        for w in widths:
            edges.append(edges[-1] + w)
        return edges

    def table_header(self, *, continued: bool) -> Block:
        edges = self._edges()
        size = SIZE_TABLE_HEAD
        titles = ["#", "Account type", "Account number", "Requested level", "Give Rights"]
        title_lines = [
            wrap(title, Style.BOLD, size, edges[i + 1] - edges[i] - 2 * mm)
            for i, title in enumerate(titles)
        ]
        level_lines = [wrap(lvl.label, Style.BOLD, size, COL_LEVEL - 1.2 * mm) for lvl in _LEVELS]
        band = "Granted Rights: mark one" + (" (continued)" if continued else "")

        def draw(pen: Pen, top: float) -> None:
            pen.box(CONTENT_LEFT, top, CONTENT_WIDTH, TABLE_HEADER_HEIGHT, SHADE, None)
            for i, lines in enumerate(title_lines):
                used = line_height(size) * len(lines)
                y = top - (TABLE_HEADER_HEIGHT - used) / 2
                x0, x1 = edges[i], edges[i + 1]
                if i in (0, 4):
                    pen.lines((x0 + x1) / 2, y, lines, Style.BOLD, size, align="center")
                else:
                    pen.lines(x0 + 1.2 * mm, y, lines, Style.BOLD, size)
            granted_mid = (edges[5] + edges[10]) / 2
            pen.text(granted_mid, top - 0.6 * mm, band, Style.BOLD, size, align="center")
            pen.hline(edges[5], edges[10], top - GRANTED_BAND_HEIGHT, 0.4, RULE)
            below = TABLE_HEADER_HEIGHT - GRANTED_BAND_HEIGHT
            for k, lines in enumerate(level_lines):
                used = line_height(size) * len(lines)
                y = top - GRANTED_BAND_HEIGHT - (below - used) / 2
                mid = (edges[5 + k] + edges[6 + k]) / 2
                pen.lines(mid, y, lines, Style.BOLD, size, align="center")
            self._grid(pen, top, TABLE_HEADER_HEIGHT, edges, band=GRANTED_BAND_HEIGHT)
            pen.box(CONTENT_LEFT, top, CONTENT_WIDTH, TABLE_HEADER_HEIGHT, None, INK, 0.8)

        name = "table header (continued)" if continued else "table header"
        return Block(TABLE_HEADER_HEIGHT, draw, 0, keep_with_next=True, name=name)

    @staticmethod
    def _grid(pen: Pen, top: float, height: float, edges: list[float], band: float = 0) -> None:
        for k, x in enumerate(edges[1:-1], start=1):
            # In the header, the lines between level columns start below the band.
            y_top = top - band if k > 5 else top
            pen.vline(x, y_top, top - height, 0.4, RULE)

    def account_row(self, index: int, line: AccountLine, again: Block) -> Block:
        edges = self._edges()
        pad = 1.2 * mm
        type_lines = wrap(line.account_type, Style.REGULAR, SIZE_TABLE, COL_TYPE - 2 * pad)
        number_size, number_lines = fit(  # one line: shrink a long number, never wrap it
            line.account_number, Style.MONO, SIZE_TABLE, COL_NUMBER - 2 * pad, 1, 5.0
        )
        requested = wrap(
            line.requested_level.label, Style.BOLD, SIZE_TABLE, COL_REQUESTED - 2 * pad
        )
        text_height = max(
            line_height(SIZE_TABLE) * max(len(type_lines), len(requested)),
            line_height(number_size),
        )
        height = max(ROW_MIN_HEIGHT, text_height + 2 * CELL_PAD_Y)
        number = line.account_number
        what = f"{line.account_type} {number}"

        def draw(pen: Pen, top: float) -> None:
            if index % 2 == 0:
                pen.box(CONTENT_LEFT, top, CONTENT_WIDTH, height, SHADE, None)
            self._grid(pen, top, height, edges)
            pen.box(CONTENT_LEFT, top, CONTENT_WIDTH, height, None, INK, 0.6)

            def centred(n_lines: int, size: float) -> float:
                return top - (height - line_height(size) * n_lines) / 2

            mid_index = (edges[0] + edges[1]) / 2
            pen.text(
                mid_index,
                centred(1, SIZE_TABLE),
                str(index),
                Style.REGULAR,
                SIZE_TABLE,
                GREY,
                "center",
            )
            pen.lines(
                edges[1] + pad,
                centred(len(type_lines), SIZE_TABLE),
                type_lines,
                Style.REGULAR,
                SIZE_TABLE,
            )
            pen.lines(
                edges[2] + pad, centred(1, number_size), number_lines, Style.MONO, number_size
            )
            pen.lines(
                edges[3] + pad,
                centred(len(requested), SIZE_TABLE),
                requested,
                Style.BOLD,
                SIZE_TABLE,
            )
            acro = pen.c.acroForm
            middle = top - height / 2
            box_x = (edges[4] + edges[5] - CHECKBOX_SIZE) / 2
            box_top = middle + CHECKBOX_SIZE / 2
            pen.box(box_x, box_top, CHECKBOX_SIZE, CHECKBOX_SIZE, WHITE, INK, 1.0)
            acro.checkbox(
                name=give_rights_field(number),
                tooltip=f"Give Rights: {what}",
                x=box_x,
                y=box_top - CHECKBOX_SIZE,
                size=CHECKBOX_SIZE,
                buttonStyle="check",
                borderColor=None,
                fillColor=None,
                textColor=INK,
                borderWidth=None,
                fieldFlags="",
            )
            for k, level in enumerate(_LEVELS):
                centre_x = (edges[5 + k] + edges[6 + k]) / 2
                # Boxes and bubbles are ink on the page, so they print from every viewer
                # (QtPdf and others skip widget appearances; ReportLab draws round radio
                # buttons at the wrong size); the widgets on top show only what is chosen.
                pen.c.saveState()
                pen.c.setStrokeColor(INK)
                pen.c.setFillColor(WHITE)
                pen.c.setLineWidth(0.9)
                pen.c.circle(centre_x, middle, RADIO_SIZE / 2 - 0.45, stroke=1, fill=1)
                pen.c.restoreState()
                acro.radio(
                    name=granted_rights_field(number),
                    value=level.value,
                    selected=False,
                    # The group's own tooltip (ReportLab takes the first radio's).
                    tooltip=f"Granted Rights for {what}",
                    x=centre_x - RADIO_SIZE / 2,
                    y=middle - RADIO_SIZE / 2,
                    size=RADIO_SIZE,
                    buttonStyle="circle",
                    shape="square",
                    borderColor=None,
                    fillColor=None,
                    textColor=INK,
                    borderWidth=None,
                    fieldFlags="radio",
                )
                _name_last_radio(
                    pen.c, granted_rights_field(number), f"Granted Rights for {what}: {level.label}"
                )

        return Block(height, draw, 0, repeat=again, name=f"row {index}")

    # Part 4 ---------------------------------------------------------------------------

    def levels_table(self) -> Block:
        rows = len(_LEVELS) + 1
        height = LEVEL_ROW_HEIGHT * rows
        size = SIZE_TABLE
        pad_top = (LEVEL_ROW_HEIGHT - line_height(size)) / 2
        heads = [
            fit(right.value.capitalize(), Style.BOLD, size, COL_RIGHT - 2 * mm, 1, 5.5)[0]
            for right in _RIGHTS
        ]

        def draw(pen: Pen, top: float) -> None:
            pen.box(CONTENT_LEFT, top, CONTENT_WIDTH, LEVEL_ROW_HEIGHT, SHADE, None)
            pen.text(CONTENT_LEFT + CELL_PAD_X, top - pad_top, "Access level", Style.BOLD, size)
            for k, right in enumerate(_RIGHTS):
                mid = CONTENT_LEFT + COL_LEVEL_NAME + COL_RIGHT * (k + 0.5)
                head = right.value.capitalize()
                pen.text(mid, top - pad_top, head, Style.BOLD, heads[k], align="center")
            for r, level in enumerate(_LEVELS, start=1):
                y = top - LEVEL_ROW_HEIGHT * r
                pen.hline(CONTENT_LEFT, CONTENT_RIGHT, y, 0.4, RULE)
                pen.text(CONTENT_LEFT + CELL_PAD_X, y - pad_top, level.label, Style.BOLD, size)
                for k, right in enumerate(_RIGHTS):
                    mid = CONTENT_LEFT + COL_LEVEL_NAME + COL_RIGHT * (k + 0.5)
                    if level.allows(right):
                        pen.text(mid, y - pad_top, "✓ Yes", Style.REGULAR, size, INK, "center")
                    else:
                        pen.text(mid, y - pad_top, "—", Style.REGULAR, size, RULE, "center")
            for k in range(4):
                pen.vline(
                    CONTENT_LEFT + COL_LEVEL_NAME + COL_RIGHT * k, top, top - height, 0.4, RULE
                )
            pen.box(CONTENT_LEFT, top, CONTENT_WIDTH, height, None, INK, 0.8)

        return Block(height, draw, BLOCK_GAP, name="levels")

    # Part 5 ---------------------------------------------------------------------------

    def signature(self) -> Block:
        who = " or am authorized to sign for it" if self.business else ""
        declaration = (
            f"I am the taxpayer named in Part 2{who}. I give the third party in Part 1 access "
            "on MassTaxConnect to each account checked in Part 3, at the Granted Rights level "
            "marked for it. I can change or cancel this access at any time."
        )
        size, lines = fit(declaration, Style.REGULAR, SIZE_BODY, CONTENT_WIDTH, 3, 6.5)
        text_height = line_height(size) * len(lines)
        row_gap = 2.6 * mm
        height = (
            text_height + 2 * mm + SIGNATURE_HEIGHT + row_gap + FIELD_LABEL_GAP + TEXT_FIELD_HEIGHT
        )
        sign_width = CONTENT_WIDTH * 0.64
        date_x = CONTENT_LEFT + sign_width + 4 * mm
        name_width = CONTENT_WIDTH * 0.6 if self.business else sign_width
        title_x = CONTENT_LEFT + name_width + 4 * mm

        def draw(pen: Pen, top: float) -> None:
            pen.lines(CONTENT_LEFT, top, lines, Style.REGULAR, size)
            y = top - text_height - 2 * mm
            # The signature is wet ink on paper: a ruled box, not a form field.
            pen.box(CONTENT_LEFT, y, sign_width, SIGNATURE_HEIGHT, None, INK, 0.8)
            pen.text(
                CONTENT_LEFT + CELL_PAD_X,
                y - CELL_PAD_Y,
                "SIGNATURE OF TAXPAYER (IN INK)",
                Style.BOLD,
                SIZE_LABEL,
                GREY,
            )
            base = y - SIGNATURE_HEIGHT + 3 * mm
            pen.text(CONTENT_LEFT + 2.2 * mm, base + 4.4 * mm, "✗", Style.BOLD, 10, GREY)
            pen.hline(CONTENT_LEFT + 7 * mm, CONTENT_LEFT + sign_width - 3 * mm, base, 0.6, INK)
            pen.text(date_x, y, "DATE SIGNED (MM/DD/YYYY)", Style.BOLD, SIZE_LABEL, GREY)
            self._text_field(
                pen,
                DATE_FIELD,
                "Date signed (MM/DD/YYYY)",
                date_x,
                y - FIELD_LABEL_GAP,
                CONTENT_RIGHT - date_x,
                10,
            )
            y -= SIGNATURE_HEIGHT + row_gap
            pen.text(
                CONTENT_LEFT, y, "PRINTED NAME OF THE PERSON SIGNING", Style.BOLD, SIZE_LABEL, GREY
            )
            self._text_field(
                pen,
                PRINTED_NAME_FIELD,
                "Printed name of the person signing",
                CONTENT_LEFT,
                y - FIELD_LABEL_GAP,
                name_width,
                200,
            )
            if self.business:
                pen.text(title_x, y, "TITLE (OFFICER OR OWNER)", Style.BOLD, SIZE_LABEL, GREY)
                self._text_field(
                    pen,
                    TITLE_FIELD,
                    "Title of the person signing for the business",
                    title_x,
                    y - FIELD_LABEL_GAP,
                    CONTENT_RIGHT - title_x,
                    100,
                )

        # Kept with Part 6: whoever signs sees at once where the form goes.
        return Block(height, draw, BLOCK_GAP, keep_with_next=True, name="signature")

    @staticmethod
    def _text_field(
        pen: Pen, name: str, tooltip: str, x: float, top: float, field_width: float, maxlen: int
    ) -> None:
        pen.box(x, top, field_width, TEXT_FIELD_HEIGHT, WHITE, INK, 1.0)  # ink, as the boxes
        pen.c.acroForm.textfield(
            name=name,
            tooltip=tooltip,
            x=x,
            y=top - TEXT_FIELD_HEIGHT,
            width=field_width,
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

    # Part 6 ---------------------------------------------------------------------------

    def instructions(self) -> Block:
        form = self.form
        steps = [
            "Check Parts 1 and 2. If they do not name you and a third party you chose, "
            "do not sign.",
            "Complete Part 3, then sign and date Part 5 in ink. You may fill in the boxes "
            "on screen before printing.",
            f"Mail all pages to reach DOR by {_date(form.return_by)}; you or the third party "
            "may mail them. After that day the request expires.",
            "DOR emails you and the third party when your decision is recorded. You can "
            "change or cancel the access at any time on MassTaxConnect.",
        ]
        number_width = 4.5 * mm
        text_width = CONTENT_WIDTH - ADDRESS_WIDTH - 5 * mm - number_width
        wrapped = [wrap(step, Style.REGULAR, SIZE_BODY, text_width) for step in steps]
        step_gap = 1.0 * mm
        steps_height = sum(line_height(SIZE_BODY) * len(w) for w in wrapped)
        steps_height += step_gap * (len(steps) - 1)
        address_size, _ = min(
            (
                fit(line, Style.BOLD, SIZE_VALUE, ADDRESS_WIDTH - 2 * CELL_PAD_X, 1, 6.0)
                for line in form.return_address
            ),
            default=(SIZE_VALUE, []),
        )
        address_lines = [
            line_text
            for line in form.return_address
            for line_text in wrap(line, Style.BOLD, address_size, ADDRESS_WIDTH - 2 * CELL_PAD_X)
        ]
        address_height = (
            2 * CELL_PAD_Y
            + CELL_LABEL_HEIGHT
            + 0.6 * mm
            + line_height(address_size) * len(address_lines)
        )
        height = max(steps_height, address_height)

        def draw(pen: Pen, top: float) -> None:
            y = top
            for n, lines in enumerate(wrapped, start=1):
                pen.text(CONTENT_LEFT, y, f"{n}.", Style.BOLD, SIZE_BODY)
                used = pen.lines(CONTENT_LEFT + number_width, y, lines, Style.REGULAR, SIZE_BODY)
                y -= used + step_gap
            x = CONTENT_RIGHT - ADDRESS_WIDTH
            pen.box(x, top, ADDRESS_WIDTH, address_height, None, INK, 1.2)
            pen.text(
                x + CELL_PAD_X,
                top - CELL_PAD_Y,
                "MAIL THE SIGNED FORM TO",
                Style.BOLD,
                SIZE_LABEL,
                GREY,
            )
            address_top = top - CELL_PAD_Y - CELL_LABEL_HEIGHT - 0.6 * mm
            pen.lines(x + CELL_PAD_X, address_top, address_lines, Style.BOLD, address_size)

        return Block(height, draw, 0, name="instructions")


# --- the renderer -------------------------------------------------------------------------


def pack_objects(pdf: bytes) -> bytes:
    """``pdf`` rewritten by qpdf (through pikepdf) with its objects in compressed object
    streams (PDF 1.5). ReportLab writes PDF 1.4, every object in the open: a form's widget
    dictionaries are 75 KB of a 40-account form's 163 KB; packed, that form is about 60 KB.
    The objects, fields and appearances are the same; the file ID is derived from the
    content, so the same form gives the same bytes."""
    import pikepdf  # 50 ms or more to import: only once a form is written

    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as document:
        document.save(
            out,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            deterministic_id=True,
        )
    return out.getvalue()


def render_authorization(
    form: AuthorizationForm,
    *,
    canvas_class: type[AuthorizationCanvas] = AuthorizationCanvas,
    packed: bool = True,
) -> bytes:
    """The Client Authorization for ``form``, as the bytes of a PDF.

    Raises :class:`UnprintableText` when a name holds characters that no shipped font
    prints (nothing is rendered then). ``canvas_class`` lets a test or a tool watch what
    is drawn: a subclass of :class:`AuthorizationCanvas` that records. The PDF is
    ReportLab's, its objects packed by :func:`pack_objects`; ``packed=False`` gives
    ReportLab's PDF as written (to compare with).
    """
    problems = check_printable(form)
    if problems:
        raise UnprintableText(problems)
    layout = _Layout(form)
    first_top = PAGE_HEIGHT - MARGIN_TOP - HEADER_HEIGHT
    next_top = PAGE_HEIGHT - MARGIN_TOP - layout.continuation_height()
    pages = paginate(layout.blocks(), first_top, next_top, MARGIN_BOTTOM)

    buffer = io.BytesIO()
    footer = (
        f"Client Authorization · request {form.request_number} · taxpayer ID "
        f"{form.taxpayer.masked_id} · "
        + (f"audit {form.audit_hash[:16]}" if form.audit_hash else "MassTaxConnect")
    )
    canvas = canvas_class(buffer, total_pages=len(pages), footer=footer)
    canvas.setTitle(f"Client Authorization {form.request_number}")
    canvas.setAuthor("Massachusetts Department of Revenue")
    canvas.setSubject("Third-party access to MassTaxConnect tax accounts")
    canvas.setKeywords(form.qr_payload)
    canvas.setCreator("MTC Desktop")
    _define_qr_form(canvas, qr_widget(form.qr_payload))

    pen = Pen(canvas)
    for number, page in enumerate(pages, start=1):
        if number == 1:
            layout.draw_first_header(pen)
        else:
            layout.draw_next_header(pen)
        for block, top in page.placed:
            block.draw(pen, top)
        canvas.showPage()
    canvas.save()
    return pack_objects(buffer.getvalue()) if packed else buffer.getvalue()
