"""Power of Attorney (Form M-2848) in the windows, beside third-party access.

- the taxpayer's *Powers of Attorney* page (from Manage My Profile → More…), each POA in
  force with *Revoke*;
- the panel on a third party's client page: whether it holds a POA for that client, with
  *Request Information…*, *Prepare Form M-2848…* and *Withdraw*;
- DOR staff's panel on their home page: *Record Power of Attorney*, *Import a Signed Form
  M-2848 (PDF)…* and the *Information Requests* queue (*Fulfil*, *Refuse*).

Each place answers the FAQ's "What is the difference between POA and third party?" in a
short block quoting it. Every rule is the service's (services/poa.py); these windows only
ask and show.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mtc_desktop.domain.errors import MtcError
from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.model import AccountType
from mtc_desktop.domain.poa import (
    FAQ_DIFFERENCE,
    FAQ_QUESTION,
    FIRST_TAX_YEAR,
    MAX_YEARS_AHEAD,
    InformationKind,
    PoaAct,
)
from mtc_desktop.gui import dialogs, ops, router
from mtc_desktop.gui.busy import connect_write, writes
from mtc_desktop.gui.models import RowsModel
from mtc_desktop.gui.pages import Page
from mtc_desktop.gui.widgets import (
    CommandButton,
    LinkButton,
    ResultLabel,
    error_label,
    heading,
    note,
    open_rows_with,
    panel,
    place_links,
    setup_table,
    show_text,
)
from mtc_desktop.services import poa
from mtc_desktop.services.base import Actor, now
from mtc_desktop.services.poa import InformationView, PoaDraft, PoaView

if TYPE_CHECKING:
    from mtc_desktop.gui.main_window import MainWindow

R = TypeVar("R")


def faq_block() -> QGroupBox:
    """The FAQ's answer, quoted: shown wherever people meet the two grants."""
    box, layout = panel(FAQ_QUESTION)
    text = note(FAQ_DIFFERENCE)
    text.setTextFormat(Qt.TextFormat.PlainText)
    layout.addWidget(text)
    return box


def _result_label() -> QLabel:
    """The outcome of the last action, shown only while it says something (as on the DOR
    home page)."""
    label = ResultLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def _years_spin(value: int, name: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(FIRST_TAX_YEAR, now().year + MAX_YEARS_AHEAD)
    spin.setValue(value)
    spin.setAccessibleName(name)
    return spin


def _buddy(form: QFormLayout, widget: QWidget) -> None:
    label = form.labelForField(widget)
    if isinstance(label, QLabel):
        label.setBuddy(widget)


def _date(day: dt.date | None) -> str:
    return f"{day:%m/%d/%Y}" if day is not None else "—"


# --- tables ---------------------------------------------------------------------------------


class PoaModel(RowsModel[PoaView]):
    class Column(enum.IntEnum):
        NUMBER = 0
        PARTY = 1
        TAX_TYPES = 2
        YEARS = 3
        SIGNED = 4
        EXPIRES = 5
        STATUS = 6
        ACTION = 7

    HEADERS: ClassVar[dict[int, str]] = {
        Column.NUMBER: "Power of Attorney",
        Column.PARTY: "Representative",
        Column.TAX_TYPES: "Tax types",
        Column.YEARS: "Tax years",
        Column.SIGNED: "Signed",
        Column.EXPIRES: "Expires",
        Column.STATUS: "Status",
        Column.ACTION: "",
    }

    SORT_BY: ClassVar[dict[int, Callable[[Any], Any]]] = {
        Column.SIGNED: lambda o: o.signed_on,
        Column.EXPIRES: lambda o: o.expires_on,
    }  # dates sort as dates

    def display(self, obj: PoaView, column: int) -> str:
        rep = obj.representative
        return {
            self.Column.NUMBER: obj.number,
            self.Column.PARTY: rep.name + (f" ({rep.username})" if rep.username else ""),
            self.Column.TAX_TYPES: obj.tax_types_label,
            self.Column.YEARS: obj.years,
            self.Column.SIGNED: _date(obj.signed_on),
            self.Column.EXPIRES: _date(obj.expires_on),
            self.Column.STATUS: obj.status_label,
            self.Column.ACTION: "",
        }[self.Column(column)]


def _poa_table(model: PoaModel, name: str) -> QTableView:
    view = QTableView()
    view.setAccessibleName(name)
    view.setModel(model)
    setup_table(view, stretch_column=PoaModel.Column.TAX_TYPES)
    view.setTabKeyNavigation(False)
    return view


def _fit_rows(view: QTableView, rows: int) -> None:
    height = view.horizontalHeader().sizeHint().height() + 32 * max(1, rows) + 4
    view.setFixedHeight(min(height, 360))


def _links(
    view: QTableView, rows: list[PoaView], text: str, slot: Callable[[int], None]
) -> list[CommandButton]:
    """A command button (it changes data) per POA in force; other rows get none."""
    links = []
    for row, item in enumerate(rows):
        if not item.in_force:
            continue
        link = CommandButton(text)
        link.setAccessibleDescription(f"{text} Power of Attorney {item.number}")
        connect_write(link, functools.partial(slot, item.id))
        view.setIndexWidget(view.model().index(row, PoaModel.Column.ACTION), link)
        links.append(link)
    open_rows_with(view, PoaModel.Column.ACTION)
    return links


# --- the taxpayer: Powers of Attorney --------------------------------------------------------


@router.page("powers_of_attorney")
class PowersOfAttorneyPage(Page):
    """The POAs the taxpayer gave, newest first; *Revoke* on each one in force."""

    title = "Powers of Attorney"

    def __init__(self, main: MainWindow) -> None:
        super().__init__(main)
        self.body.addWidget(heading("Powers of Attorney"))
        self.body.addWidget(
            note(
                "Representatives you authorised on a signed Form M-2848, as DOR recorded them. "
                "Revoke one at any time: the representative can then no longer request your "
                "returns or other documentation from DOR. Third parties with access on "
                "MassTaxConnect are under Manage Third-party Access; revoking a Power of "
                "Attorney does not change their access."
            )
        )
        self.result = _result_label()
        self.body.addWidget(self.result)
        self.model = PoaModel(parent=self)
        self.view = _poa_table(self.model, "Powers of Attorney you gave")
        self.body.addWidget(self.view)
        self.empty = note("You have given no Power of Attorney.")
        self.body.addWidget(self.empty)
        self.body.addWidget(faq_block())
        self.body.addStretch(1)
        self.revoke_links: list[CommandButton] = []

    def refresh(self) -> None:
        rows = self.call(poa.poas_of_my_taxpayer, self.actor) or []
        self.model.set_rows(rows)
        self.revoke_links = _links(self.view, rows, "Revoke", self.revoke)
        self.empty.setVisible(not rows)
        _fit_rows(self.view, len(rows))

    def revoke(self, poa_id: int) -> None:
        item = next((r for r in self.model.rows() if r.id == poa_id), None)
        if item is None:
            return
        if not dialogs.confirm(
            self,
            "Revoke Power of Attorney",
            f"Revoke Power of Attorney {item.number} for {item.representative.name}?",
            "The representative can no longer request your tax returns or other "
            "documentation from DOR under it. DOR emails you both. Third-party access on "
            "MassTaxConnect is not changed.",
        ):
            return
        done = self.call(poa.revoke_poa, self.actor, poa_id)
        if done is not None:
            self.result.setText(
                f"Power of Attorney {done.number} revoked. You and the representative were emailed."
            )
            self.refresh()
            self.main.refresh_inbox_count()


@router.panel("poa.profile")
class ProfilePoaPanel(QGroupBox):
    """The Power of Attorney panel on Manage My Profile → More…, beside Third-party Access:
    the POAs in force, and the link to all of them (with *Revoke*)."""

    def __init__(self, page: Page) -> None:
        super().__init__("Power of Attorney")
        self.setAccessibleName("Power of Attorney panel")
        self.page = page
        layout = QVBoxLayout(self)
        layout.addWidget(
            note(
                "Representatives you authorised on Form M-2848 to request your tax returns "
                "and other documentation from DOR. This is not third-party access."
            )
        )
        self.in_force = note("")
        self.in_force.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.in_force)
        link = LinkButton("Powers of Attorney")
        link.clicked.connect(self.open_page)
        layout.addWidget(link)

    def refresh(self) -> None:
        rows = self.page.call(poa.poas_of_my_taxpayer, self.page.actor) or []
        held = [r for r in rows if r.in_force]
        self.in_force.setText(
            "In force: "
            + "; ".join(
                f"{r.number}, {r.representative.name} ({r.tax_types_label}, {r.years})"
                for r in held
            )
            if held
            else "No Power of Attorney of yours is in force."
        )

    def open_page(self) -> None:
        self.page.main.open_page("powers_of_attorney")


# --- the third party: its client's page --------------------------------------------------------


@router.panel("poa.client")
class ClientPoaPanel(QGroupBox):
    """On a third party's client page: the POAs it holds for this client, and what it can
    ask for under them."""

    def __init__(self, page: Page, taxpayer_id: int) -> None:
        super().__init__("Power of Attorney (Form M-2848)")
        self.setAccessibleName("Power of Attorney panel")
        self.page = page
        self.actor = page.actor
        self.taxpayer_id = taxpayer_id
        layout = QVBoxLayout(self)
        self.status = note("")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.status)
        self.model = PoaModel(parent=self)
        self.view = _poa_table(self.model, "Your Powers of Attorney for this client")
        layout.addWidget(self.view)
        row = QHBoxLayout()
        self.request_button = QPushButton("Request Information…")
        self.request_button.clicked.connect(self.request_information)
        self.prepare_button = QPushButton("Prepare Form M-2848…")
        self.prepare_button.clicked.connect(self.prepare_form)
        for button in (self.request_button, self.prepare_button):
            button.setAutoDefault(False)
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.requests_note = note("")
        self.requests_note.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.requests_note)
        self.result = _result_label()
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.result)
        difference = note(f"{FAQ_QUESTION} {FAQ_DIFFERENCE}")
        difference.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(difference)
        self.withdraw_links: list[CommandButton] = []

    def refresh(self) -> None:
        if self.actor.taxpayer_id == self.taxpayer_id:  # its own business: no POA needed
            self.setVisible(False)
            return
        rows = self.page.call(poa.poas_for_client, self.actor, self.taxpayer_id) or []
        in_force = [r for r in rows if r.in_force]
        if in_force:
            self.status.setText(
                "You hold a Power of Attorney for this client: "
                + "; ".join(
                    f"{r.number} for {r.tax_types_label}, tax years {r.years}" for r in in_force
                )
                + ". You may request their returns and other documentation from DOR."
            )
        else:
            self.status.setText(
                "You hold no Power of Attorney for this client. Your third-party access lets "
                "you file, pay and amend returns on MassTaxConnect; to request their returns "
                "or other documentation from DOR, prepare a Form M-2848 for them to sign."
            )
        self.model.set_rows(rows)
        self.view.setVisible(bool(rows))
        self.withdraw_links = _links(self.view, rows, "Withdraw", self.withdraw)
        _fit_rows(self.view, len(rows))
        asked = self.page.call(poa.my_information_requests, self.actor, self.taxpayer_id) or []
        self.requests_note.setText(
            "Your information requests: "
            + "; ".join(f"{r.number} ({r.what}): {r.status.label}" for r in asked[:5])
            if asked
            else ""
        )
        self.requests_note.setVisible(bool(asked))

    @writes
    def request_information(self) -> None:
        asked = RequestInformationDialog.ask(self, self.actor, self.taxpayer_id)
        if asked is RequestInformationDialog.PREPARE:
            self._prepare_form()
        elif isinstance(asked, InformationView):
            self.result.setText(
                f"Request {asked.number} sent to DOR ({asked.what}) under Power of Attorney "
                f"{asked.poa_number}. DOR emails you when it is fulfilled."
            )
        self.refresh()

    @writes
    def prepare_form(self) -> None:
        self._prepare_form()

    def _prepare_form(self) -> None:
        prepared = PrepareFormDialog.ask(self, self.actor, self.taxpayer_id)
        if prepared is None:
            return
        from mtc_desktop.gui.pdf_preview import PdfPreviewDialog

        self.result.setText(
            f"Form {prepared.number} prepared: print it for your client to sign and send to DOR."
        )
        PdfPreviewDialog.show_pdf(
            self, prepared.pdf, f"Form M-2848 {prepared.number}", f"{prepared.number}.pdf"
        )

    def withdraw(self, poa_id: int) -> None:
        item = next((r for r in self.model.rows() if r.id == poa_id), None)
        if item is None:
            return
        if not dialogs.confirm(
            self,
            "Withdraw",
            f"Withdraw from Power of Attorney {item.number}?",
            "You can no longer request this client's returns or documentation under it. DOR "
            "emails you and the taxpayer. Your third-party access is not changed.",
        ):
            return
        done = self.page.call(poa.withdraw_poa, self.actor, poa_id)
        if done is not None:
            self.result.setText(f"You withdrew from Power of Attorney {done.number}.")
            self.refresh()


class RequestInformationDialog(QDialog):
    """*Request Information…*: a copy of a return or other documentation, by tax type and
    year. Refused without a POA, with the difference explained and *Prepare Form M-2848…*."""

    PREPARE = "prepare"

    def __init__(self, parent: QWidget, actor: Actor, taxpayer_id: int) -> None:
        super().__init__(parent)
        self.actor = actor
        self.taxpayer_id = taxpayer_id
        self.result_value: InformationView | str | None = None
        self.setWindowTitle("Request Information")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Request Information from DOR", 2))
        layout.addWidget(
            note("Ask DOR for a copy of a return or other documentation of this client.")
        )
        form = QFormLayout()
        self.kind_combo = QComboBox()
        for kind in InformationKind:
            self.kind_combo.addItem(kind.label, kind)
        self.kind_combo.setAccessibleName("What you need")
        self.type_combo = QComboBox()
        self.type_combo.setAccessibleName("Tax type")
        self.year_spin = _years_spin(now().year - 1, "Tax year")
        self.details_edit = QLineEdit()
        self.details_edit.setAccessibleName("Details (optional)")
        self.details_edit.setMaxLength(2000)
        for label, widget in (
            ("What you need:", self.kind_combo),
            ("Tax type:", self.type_combo),
            ("Tax year:", self.year_spin),
            ("Details (optional):", self.details_edit),
        ):
            form.addRow(label, widget)
            _buddy(form, widget)
        layout.addLayout(form)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.send_button = buttons.addButton("Send Request", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.send)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        client = ops.call(self, poa.client_for_form, actor, taxpayer_id)
        for account_type in (client.tax_types if client else ()) or tuple(AccountType):
            self.type_combo.addItem(account_type.label, account_type)

    @writes
    def send(self) -> None:
        asked = (
            self.type_combo.currentData(),
            self.year_spin.value(),
            self.kind_combo.currentData(),
            self.details_edit.text(),
        )
        result = (
            ops.Op(self, lambda: poa.request_information(self.actor, self.taxpayer_id, *asked))
            .refused(self._refused)
            .run()
        )
        if result is not None:
            self.result_value = result
            self.accept()

    def _refused(self, exc: MtcError) -> None:
        if not isinstance(exc, poa.PoaRequired):
            show_text(self.error, exc.message)
        elif dialogs.confirm(
            self,
            "Power of Attorney needed",
            "This request needs a Power of Attorney.",
            exc.message,
            yes="Prepare Form M-2848…",
            no="Close",
        ):
            self.result_value = self.PREPARE
            self.accept()

    @classmethod
    def ask(cls, parent: QWidget, actor: Actor, taxpayer_id: int) -> InformationView | str | None:
        dialog = cls(parent, actor, taxpayer_id)
        try:
            dialog.exec()
            return dialog.result_value
        finally:
            dialog.deleteLater()


class PrepareFormDialog(QDialog):
    """*Prepare Form M-2848…*: choose the tax types, years and acts to prefill."""

    def __init__(self, parent: QWidget, actor: Actor, taxpayer_id: int) -> None:
        super().__init__(parent)
        self.actor = actor
        self.taxpayer_id = taxpayer_id
        self.prepared: poa.PreparedForm | None = None
        self.setWindowTitle("Prepare Form M-2848")
        layout = QVBoxLayout(self)
        client = ops.call(self, poa.client_for_form, actor, taxpayer_id)
        name = client.legal_name if client else "this client"
        layout.addWidget(heading(f"Form M-2848 for {name}", 2))
        layout.addWidget(
            note(
                "The form is prefilled from DOR's registry with your client and you as the "
                "representative. Your client checks what they authorise, signs it and sends "
                "it to DOR, which records it."
            )
        )
        box, inner = panel("Tax types")
        grid = QGridLayout()
        inner.addLayout(grid)
        self.type_boxes: dict[AccountType, QCheckBox] = {}
        for i, account_type in enumerate(
            (client.tax_types if client else ()) or tuple(AccountType)
        ):
            check = QCheckBox(account_type.label)
            check.setChecked(True)
            grid.addWidget(check, i // 2, i % 2)
            self.type_boxes[account_type] = check
        layout.addWidget(box)
        years = QHBoxLayout()
        this_year = now().year
        self.first_spin = _years_spin(this_year - 3, "First tax year")
        self.last_spin = _years_spin(this_year - 1, "Last tax year")
        for text, spin in (
            ("First tax year:", self.first_spin),
            ("Last tax year:", self.last_spin),
        ):
            label = QLabel(text)
            label.setBuddy(spin)
            years.addWidget(label)
            years.addWidget(spin)
        years.addStretch(1)
        layout.addLayout(years)
        box, inner = panel("Acts authorised")
        self.act_boxes: dict[PoaAct, QCheckBox] = {}
        for act in PoaAct:
            check = QCheckBox(act.label)
            check.setChecked(True)
            inner.addWidget(check)
            self.act_boxes[act] = check
        layout.addWidget(box)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.prepare_button = buttons.addButton(
            "Prepare Form", QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.prepare)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def choice(self) -> poa.FormChoice:
        return poa.FormChoice(
            tax_types=tuple(t for t, box in self.type_boxes.items() if box.isChecked()),
            first_year=self.first_spin.value(),
            last_year=self.last_spin.value(),
            acts=tuple(a for a, box in self.act_boxes.items() if box.isChecked()),
        )

    @writes
    def prepare(self) -> None:
        self.prepared = ops.call(
            self,
            poa.prepare_form,
            self.actor,
            self.taxpayer_id,
            self.choice(),
            refused=lambda exc: show_text(self.error, exc.message),
        )
        if self.prepared is not None:
            self.accept()

    @classmethod
    def ask(cls, parent: QWidget, actor: Actor, taxpayer_id: int) -> poa.PreparedForm | None:
        dialog = cls(parent, actor, taxpayer_id)
        try:
            dialog.exec()
            return dialog.prepared
        finally:
            dialog.deleteLater()


# --- DOR staff ------------------------------------------------------------------------------


@router.panel("poa.dor")
class DorPoaPanel(QGroupBox):
    """The Power of Attorney panel on the DOR staff home page."""

    def __init__(self, page: Page) -> None:
        super().__init__("Power of Attorney (Form M-2848)")
        self.setAccessibleName("Power of Attorney panel")
        self.page = page
        self.actor = page.actor
        layout = QVBoxLayout(self)
        layout.addWidget(
            note(
                "Record a Power of Attorney from a signed Form M-2848, typed from the paper "
                "or read from the returned PDF; fulfil or refuse representatives' requests "
                "for returns and other documentation."
            )
        )
        # Recording changes data: buttons. The queue is another page: a link.
        record = CommandButton("Record Power of Attorney")
        record.clicked.connect(self.record)
        imported = CommandButton("Import a Signed Form M-2848 (PDF)…")
        imported.clicked.connect(self.import_form)
        queue = LinkButton("Information Requests")
        queue.clicked.connect(self.open_queue)
        commands = QHBoxLayout()
        commands.addWidget(record)
        commands.addWidget(imported)
        commands.addStretch(1)
        layout.addLayout(commands)
        layout.addWidget(queue)
        self.result = _result_label()
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.result)
        difference = note(f"{FAQ_QUESTION} {FAQ_DIFFERENCE}")
        difference.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(difference)

    @writes
    def record(self) -> None:
        recorded = RecordPoaDialog.ask(self, self.actor)
        if recorded is not None:
            self.result.setText(recorded_text(recorded))
            self.page.main.refresh_inbox_count()

    def open_queue(self) -> None:
        self.page.main.open_page("information_queue")

    @writes
    def import_form(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Import a Signed Form M-2848", str(Path.home()), "PDF documents (*.pdf)"
        )
        if name:
            self.import_path(Path(name))

    def import_path(self, path: Path) -> poa.RecordedPoa | None:
        """Read a returned Form M-2848, show what it says, and record it once confirmed."""
        actor = self.actor
        title = "Import a Signed Form M-2848"
        returned = (
            ops.Op(self, lambda: poa.read_returned_poa(actor, path))
            .refused(
                lambda exc: dialogs.warn(self, title, "This form cannot be recorded.", exc.message)
            )
            .wait("Reading the form…", title, name="mtc-read-poa")
        )
        if returned is None:
            return None
        if not dialogs.confirm(
            self,
            title,
            "Record this Power of Attorney? Both sides are emailed.",
            returned.summary(),
            yes="Record",
            no="Cancel",
        ):
            return None
        recorded = ops.call(
            self,
            poa.record_poa,
            actor,
            returned.draft,
            refused=lambda exc: dialogs.warn(
                self, title, "The form was not recorded.", exc.message
            ),
        )
        if recorded is None:
            return None
        self.result.setText(recorded_text(recorded))
        self.page.main.refresh_inbox_count()
        return recorded


def recorded_text(recorded: poa.RecordedPoa) -> str:
    view = recorded.poa
    text = (
        f"Power of Attorney {view.number} recorded: {view.taxpayer_name} authorises "
        f"{view.representative.name} for {view.tax_types_label}, tax years {view.years}."
    )
    if recorded.superseded:
        text += f" It supersedes {', '.join(recorded.superseded)}."
    return text + " Both sides were emailed."


class RecordPoaDialog(QDialog):
    """*Record Power of Attorney*: a signed Form M-2848, typed from the paper."""

    def __init__(self, parent: QWidget, actor: Actor) -> None:
        super().__init__(parent)
        self.actor = actor
        self.recorded: poa.RecordedPoa | None = None
        self.setWindowTitle("Record Power of Attorney")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Record Power of Attorney", 2))
        layout.addWidget(note("Enter what the signed Form M-2848 says."))
        form = QFormLayout()
        self.id_type_combo = QComboBox()
        for id_type in IdType:
            self.id_type_combo.addItem(id_type.value, id_type)
        self.id_type_combo.setAccessibleName("Taxpayer ID type")
        self.id_edit = QLineEdit()
        self.id_edit.setAccessibleName("Taxpayer ID number")
        self.taxpayer_label = note("")
        self.username_edit = QLineEdit()
        self.username_edit.setAccessibleName("Representative's username")
        self.username_edit.setPlaceholderText("A third party's MassTaxConnect username")
        self.rep_name_edit = QLineEdit()
        self.rep_name_edit.setAccessibleName("Representative's name")
        self.rep_address_edit = QPlainTextEdit()
        self.rep_address_edit.setTabChangesFocus(True)  # Tab goes on to the next field
        self.rep_address_edit.setAccessibleName("Representative's address")
        self.rep_address_edit.setFixedHeight(52)
        self.rep_id_type_combo = QComboBox()
        for id_type in IdType:
            self.rep_id_type_combo.addItem(id_type.value, id_type)
        self.rep_id_type_combo.setAccessibleName("Representative's ID type")
        self.rep_id_edit = QLineEdit()
        self.rep_id_edit.setAccessibleName("Representative's ID number")
        this_year = now().year
        self.first_spin = _years_spin(this_year - 3, "First tax year")
        self.last_spin = _years_spin(this_year - 1, "Last tax year")
        today = now().date()
        self.signed_edit = QDateEdit(QDate(today.year, today.month, today.day))
        self.signed_edit.setCalendarPopup(True)
        self.signed_edit.setDisplayFormat("MM/dd/yyyy")
        self.signed_edit.setAccessibleName("Date signed")
        self.expires_check = QCheckBox("Expires on")
        self.expires_edit = QDateEdit(QDate(today.year + 3, today.month, 1))
        self.expires_edit.setDisplayFormat("MM/dd/yyyy")
        self.expires_edit.setCalendarPopup(True)
        self.expires_edit.setAccessibleName("Expiry date")
        self.expires_edit.setEnabled(False)
        self.expires_check.toggled.connect(self.expires_edit.setEnabled)
        expiry = QHBoxLayout()
        expiry.addWidget(self.expires_check)
        expiry.addWidget(self.expires_edit)
        expiry.addStretch(1)
        rows: list[tuple[str, QWidget | QHBoxLayout]] = [
            ("Taxpayer ID type:", self.id_type_combo),
            ("Taxpayer ID number:", self.id_edit),
            ("", self.taxpayer_label),
            ("Representative's username:", self.username_edit),
            ("Or, with no logon — name:", self.rep_name_edit),
            ("Address:", self.rep_address_edit),
            ("ID type:", self.rep_id_type_combo),
            ("ID number:", self.rep_id_edit),
            ("First tax year:", self.first_spin),
            ("Last tax year:", self.last_spin),
            ("Date signed:", self.signed_edit),
            ("Expiry (optional):", expiry),
        ]
        for label, widget in rows:
            if isinstance(widget, QHBoxLayout):
                form.addRow(label, widget)
            else:
                form.addRow(label, widget)
                if label:
                    _buddy(form, widget)
        layout.addLayout(form)
        self.id_edit.editingFinished.connect(self.find_taxpayer)
        box, inner = panel("Tax types covered")
        grid = QGridLayout()
        inner.addLayout(grid)
        self.type_boxes: dict[AccountType, QCheckBox] = {}
        for i, account_type in enumerate(AccountType):
            check = QCheckBox(account_type.label)
            grid.addWidget(check, i // 2, i % 2)
            self.type_boxes[account_type] = check
        layout.addWidget(box)
        box, inner = panel("Acts authorised")
        self.act_boxes: dict[PoaAct, QCheckBox] = {}
        for act in PoaAct:
            check = QCheckBox(act.label)
            check.setChecked(True)
            inner.addWidget(check)
            self.act_boxes[act] = check
        layout.addWidget(box)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.record_button = buttons.addButton("Record", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.record)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.taxpayer_id: int | None = None

    def find_taxpayer(self) -> bool:
        if not self.id_edit.text().strip():
            show_text(self.error, "Enter the taxpayer's ID number, as in Part 1 of the form.")
            return False

        def refused(exc: MtcError) -> None:
            self.taxpayer_id = None
            self.taxpayer_label.setText("")
            show_text(self.error, exc.message)

        found = ops.call(
            self,
            poa.find_taxpayer_for_poa,
            self.actor,
            self.id_type_combo.currentData(),
            self.id_edit.text(),
            refused=refused,
        )
        if found is None:
            return False
        self.taxpayer_id = found.taxpayer_id
        self.taxpayer_label.setText(f"{found.legal_name} ({found.masked_id})")
        show_text(self.error, "")
        return True

    def draft(self) -> PoaDraft | None:
        if not self.find_taxpayer() or self.taxpayer_id is None:
            return None
        signed = self.signed_edit.date()
        expires = self.expires_edit.date()
        return PoaDraft(
            taxpayer_id=self.taxpayer_id,
            tax_types=tuple(t for t, box in self.type_boxes.items() if box.isChecked()),
            first_year=self.first_spin.value(),
            last_year=self.last_spin.value(),
            acts=tuple(a for a, box in self.act_boxes.items() if box.isChecked()),
            signed_on=dt.date(signed.year(), signed.month(), signed.day()),
            expires_on=dt.date(expires.year(), expires.month(), expires.day())
            if self.expires_check.isChecked()
            else None,
            representative_username=self.username_edit.text(),
            rep_name=self.rep_name_edit.text(),
            rep_address=self.rep_address_edit.toPlainText(),
            rep_id_type=self.rep_id_type_combo.currentData(),
            rep_id_number=self.rep_id_edit.text(),
        )

    @writes
    def record(self) -> None:
        draft = self.draft()
        if draft is None:
            return
        self.recorded = ops.call(
            self,
            poa.record_poa,
            self.actor,
            draft,
            refused=lambda exc: show_text(self.error, exc.message),
        )
        if self.recorded is not None:
            self.accept()

    @classmethod
    def ask(cls, parent: QWidget, actor: Actor) -> poa.RecordedPoa | None:
        dialog = cls(parent, actor)
        try:
            dialog.exec()
            return dialog.recorded
        finally:
            dialog.deleteLater()


class InformationModel(RowsModel[InformationView]):
    class Column(enum.IntEnum):
        NUMBER = 0
        REPRESENTATIVE = 1
        TAXPAYER = 2
        WHAT = 3
        POA = 4
        ASKED = 5
        FULFIL = 6
        REFUSE = 7

    HEADERS: ClassVar[dict[int, str]] = {
        Column.NUMBER: "Request",
        Column.REPRESENTATIVE: "Representative",
        Column.TAXPAYER: "Taxpayer",
        Column.WHAT: "What",
        Column.POA: "Power of Attorney",
        Column.ASKED: "Asked on",
        Column.FULFIL: "",
        Column.REFUSE: "",
    }

    SORT_BY: ClassVar[dict[int, Callable[[Any], Any]]] = {
        Column.ASKED: lambda o: o.created_at
    }  # dates sort as dates

    def display(self, obj: InformationView, column: int) -> str:
        return {
            self.Column.NUMBER: obj.number,
            self.Column.REPRESENTATIVE: (
                f"{obj.representative_name} ({obj.representative_username})"
            ),
            self.Column.TAXPAYER: f"{obj.taxpayer_name} ({obj.taxpayer_masked_id})",
            self.Column.WHAT: obj.what + (f": {obj.details}" if obj.details else ""),
            self.Column.POA: obj.poa_number,
            self.Column.ASKED: f"{obj.created_at:%m/%d/%Y}",
            self.Column.FULFIL: "",
            self.Column.REFUSE: "",
        }[self.Column(column)]


@router.page("information_queue")
class InformationQueuePage(Page):
    """DOR staff: representatives' pending requests for returns and documentation."""

    title = "Information Requests"

    def __init__(self, main: MainWindow) -> None:
        super().__init__(main)
        self.body.addWidget(heading("Information Requests"))
        self.body.addWidget(
            note(
                "Requests for copies of returns and other documentation, made under a Power "
                "of Attorney, oldest first. Fulfil one once you have sent what was asked for; "
                "refuse one with the reason."
            )
        )
        self.result = _result_label()
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        self.body.addWidget(self.result)
        self.model = InformationModel(parent=self)
        self.view = QTableView()
        self.view.setAccessibleName("Pending information requests")
        self.view.setModel(self.model)
        setup_table(self.view, stretch_column=InformationModel.Column.WHAT)
        self.view.setTabKeyNavigation(False)
        self.body.addWidget(self.view, 1)
        self.empty = note("No information request is waiting.")
        self.body.addWidget(self.empty)

    def refresh(self) -> None:
        rows = self.call(poa.information_queue, self.actor) or []
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        for column, text, slot in (
            (InformationModel.Column.FULFIL, "Fulfil", self.fulfil),
            (InformationModel.Column.REFUSE, "Refuse", self.refuse),
        ):
            links = []
            for item in rows:
                link = CommandButton(text)  # it changes data: a button, not a link
                link.setAccessibleDescription(f"{text} request {item.number}")
                connect_write(link, functools.partial(slot, item.id))
                links.append(link)
            place_links(self.view, column, links)

    def _item(self, request_id: int) -> InformationView | None:
        return next((r for r in self.model.rows() if r.id == request_id), None)

    def fulfil(self, request_id: int) -> None:
        item = self._item(request_id)
        if item is None:
            return
        if not dialogs.confirm(
            self,
            "Fulfil",
            f"Record request {item.number} as fulfilled?",
            f"{item.what} of {item.taxpayer_name} for {item.representative_name}. The "
            "representative and the taxpayer are emailed.",
        ):
            return
        done = self.call(poa.fulfil_information_request, self.actor, request_id)
        if done is not None:
            self.result.setText(f"Request {done.number} recorded as fulfilled.")
            self.refresh()

    def refuse(self, request_id: int) -> None:
        item = self._item(request_id)
        if item is None:
            return
        reason = RefuseDialog.ask(self, item)
        if reason is None:
            return
        done = self.call(poa.refuse_information_request, self.actor, request_id, reason)
        if done is not None:
            self.result.setText(f"Request {done.number} recorded as refused.")
            self.refresh()


class RefuseDialog(QDialog):
    """The reason for refusing an information request, told to the representative."""

    def __init__(self, parent: QWidget, item: InformationView) -> None:
        super().__init__(parent)
        self.setWindowTitle("Refuse")
        layout = QVBoxLayout(self)
        layout.addWidget(note(f"Refuse request {item.number} ({item.what})? Say why:"))
        self.reason_edit = QLineEdit()
        self.reason_edit.setAccessibleName("Reason for refusing")
        layout.addWidget(self.reason_edit)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        buttons.addButton("Refuse", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _check(self) -> None:
        if not self.reason_edit.text().strip():
            show_text(self.error, "Enter the reason for refusing; the representative is told it.")
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget, item: InformationView) -> str | None:
        dialog = cls(parent, item)
        try:
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            return dialog.reason_edit.text() if accepted else None
        finally:
            dialog.deleteLater()
