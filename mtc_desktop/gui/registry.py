"""The DOR taxpayer registry: *Register Taxpayer*, finding a registered taxpayer, their tax
accounts (*Add Tax Account*, *Close Account*), and *Import Registry…* from a CSV file.

The import runs on a worker thread (it may take tens of seconds for a large file) while the
dialog shows its progress; *Cancel* stops it and leaves nothing imported.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mtc_desktop.domain.errors import InvalidInput, MtcError
from mtc_desktop.domain.ids import IdType, normalize_id
from mtc_desktop.domain.model import AccountType, TaxpayerKind
from mtc_desktop.domain.text import clean_name
from mtc_desktop.gui import dialogs, ops, router
from mtc_desktop.gui.busy import writes
from mtc_desktop.gui.models import OBJECT_ROLE, RowsModel
from mtc_desktop.gui.pages import Page
from mtc_desktop.gui.widgets import (
    bold,
    error_label,
    heading,
    note,
    setup_table,
    show_text,
    start_on_first_row,
)
from mtc_desktop.gui.wizard import FieldForm, grow_to_fit, new_grid, plain
from mtc_desktop.services import registry
from mtc_desktop.services.base import Actor
from mtc_desktop.services.registry import ImportReport, RegistryAccount, RegistryTaxpayer

if TYPE_CHECKING:
    from mtc_desktop.gui.main_window import MainWindow

KIND_LABELS = {TaxpayerKind.INDIVIDUAL: "Individual", TaxpayerKind.BUSINESS: "Business"}
_ID_EXAMPLES = {IdType.SSN: "123-45-6789", IdType.ITIN: "912-70-1234", IdType.FEIN: "04-1234567"}


def _button(text: str, *, default: bool = False) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(plain(text))
    button.setAutoDefault(default)
    return button


def _result_label() -> QLabel:
    label = QLabel("")
    label.setProperty("role", "success")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAccessibleName("Result")
    label.hide()
    return label


def _delete_later(widget: QWidget) -> None:
    if shiboken6.isValid(widget):
        shiboken6.delete(widget)


def accounts_text(taxpayer: RegistryTaxpayer) -> str:
    open_ = [a for a in taxpayer.accounts if not a.closed]
    if not taxpayer.accounts:
        return "none"
    text = ", ".join(f"{a.account_type.label} {a.account_number}" for a in open_) or "none open"
    closed = len(taxpayer.accounts) - len(open_)
    return text + (f" (and {closed} closed)" if closed else "")


# --- finding a taxpayer ------------------------------------------------------------------


class RegistryTaxpayersModel(RowsModel[RegistryTaxpayer]):
    class Column(enum.IntEnum):
        NAME = 0
        ID = 1
        KIND = 2
        ACCOUNTS = 3
        LOGON = 4

    HEADERS: ClassVar[dict[int, str]] = {
        Column.NAME: "Legal name",
        Column.ID: "ID",
        Column.KIND: "Type",
        Column.ACCOUNTS: "Tax accounts",
        Column.LOGON: "Logon",
    }

    def display(self, obj: RegistryTaxpayer, column: int) -> str:
        return {
            self.Column.NAME: obj.legal_name,
            self.Column.ID: f"{obj.id_type.value} {obj.masked_id}",
            self.Column.KIND: KIND_LABELS[obj.kind],
            self.Column.ACCOUNTS: accounts_text(obj),
            self.Column.LOGON: "Yes" if obj.has_logon else "Not yet",
        }[self.Column(column)]


@router.page("registry_search")
class RegistrySearchPage(Page):
    """Registered taxpayers found by name words or ID digits; open one for its accounts."""

    title = "Taxpayer Registry"

    def __init__(self, main: MainWindow, text: str = "") -> None:
        super().__init__(main)
        self.body.addWidget(heading("Taxpayer Registry"))
        self.body.addWidget(
            note(
                "Find a registered taxpayer by words of their legal name or digits of their "
                "ID; open one to add or close tax accounts."
            )
        )
        row = QHBoxLayout()
        label = QLabel("&Find:")
        self.search_edit = QLineEdit(text)
        self.search_edit.setAccessibleName("Find a registered taxpayer")
        self.search_edit.setPlaceholderText("Name words or ID digits")
        self.search_edit.setMaxLength(200)
        label.setBuddy(self.search_edit)
        self.search_edit.returnPressed.connect(self.search)
        self.find_button = _button("Find Taxpayer")
        self.find_button.clicked.connect(self.search)
        self.register_button = _button("Register Taxpayer…")
        self.register_button.clicked.connect(self.register)
        row.addWidget(label)
        row.addWidget(self.search_edit, 1)
        row.addWidget(self.find_button)
        row.addSpacing(18)
        row.addWidget(self.register_button)
        self.body.addLayout(row)
        self.count_label = note("")
        self.body.addWidget(self.count_label)
        self.model = RegistryTaxpayersModel(parent=self)
        self.view = QTableView()
        self.view.setAccessibleName("Registered taxpayers")
        self.count_label.setBuddy(self.view)
        self.view.setModel(self.model)
        setup_table(self.view, stretch_column=RegistryTaxpayersModel.Column.ACCOUNTS)
        self.view.setMinimumHeight(260)
        self.view.activated.connect(lambda _index: self.open_selected())
        self.view.doubleClicked.connect(lambda _index: self.open_selected())
        self.body.addWidget(self.view, 1)
        actions = QHBoxLayout()
        self.open_button = _button("Open Taxpayer")
        self.open_button.clicked.connect(self.open_selected)
        actions.addWidget(self.open_button)
        actions.addStretch(1)
        self.body.addLayout(actions)
        self._searched = ""

    def focus_first(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def refresh(self) -> None:
        if self.search_edit.text().strip():
            self.search()

    def search(self) -> None:
        text = self.search_edit.text().strip()
        if not text:
            self.model.set_rows([])
            self.count_label.setText("Type words of a legal name, or digits of an ID.")
            return
        found = self.call(registry.find_taxpayers, self.actor, text)
        if found is None:
            return
        self.model.set_rows(found)
        self.count_label.setText(
            f"{len(found)} registered taxpayer{'s' if len(found) != 1 else ''} found for "
            f"“{text}”." + (" Open one to see its tax accounts." if found else "")
        )
        if found:
            self.view.selectRow(0)

    def open_selected(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            self.count_label.setText("Select a taxpayer in the list first.")
            return
        taxpayer = self.model.data(rows[0], OBJECT_ROLE)
        if isinstance(taxpayer, RegistryTaxpayer):
            self.main.push(RegistryTaxpayerPage(self.main, taxpayer.id))

    @writes
    def register(self) -> None:
        taxpayer = RegisterTaxpayerDialog.ask(self, self.actor)
        if taxpayer is not None:
            self.main.push(RegistryTaxpayerPage(self.main, taxpayer.id, registered=True))


# --- one taxpayer ------------------------------------------------------------------------


class RegistryAccountsModel(RowsModel[RegistryAccount]):
    class Column(enum.IntEnum):
        TYPE = 0
        NUMBER = 1
        STATUS = 2

    HEADERS: ClassVar[dict[int, str]] = {
        Column.TYPE: "Account type",
        Column.NUMBER: "Account ID",
        Column.STATUS: "Status",
    }

    def display(self, obj: RegistryAccount, column: int) -> str:
        return {
            self.Column.TYPE: obj.account_type.label,
            self.Column.NUMBER: obj.account_number,
            self.Column.STATUS: "Closed" if obj.closed else "Open",
        }[self.Column(column)]


@router.page("registry_taxpayer")
class RegistryTaxpayerPage(Page):
    """A registered taxpayer and their tax accounts."""

    title = "Taxpayer"

    def __init__(self, main: MainWindow, taxpayer_id: int, *, registered: bool = False) -> None:
        super().__init__(main)
        self.taxpayer_id = taxpayer_id
        self.taxpayer: RegistryTaxpayer | None = None
        self.heading = heading("Taxpayer")
        self.body.addWidget(self.heading)
        self.details = note("")
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(self.details)
        accounts_heading = heading("Tax accounts", 2)
        self.body.addWidget(accounts_heading)
        self.model = RegistryAccountsModel(parent=self)
        self.view = QTableView()
        self.view.setAccessibleName("Tax accounts")
        accounts_heading.setBuddy(self.view)
        self.view.setModel(self.model)
        setup_table(self.view, stretch_column=RegistryAccountsModel.Column.STATUS)
        self.view.setMinimumHeight(200)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.body.addWidget(self.view, 1)
        row = QHBoxLayout()
        self.add_button = _button("Add Tax Account…")
        self.add_button.clicked.connect(self.add_account)
        self.close_button = _button("Close Account")
        self.close_button.clicked.connect(self.close_account)
        row.addWidget(self.add_button)
        row.addWidget(self.close_button)
        row.addStretch(1)
        self.body.addLayout(row)
        self.result = _result_label()
        self.body.addWidget(self.result)
        if registered:
            show_text(self.result, "The taxpayer is registered. Add their tax accounts.")
        self._selection_changed()

    def focus_first(self) -> None:
        self.add_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def refresh(self) -> None:
        taxpayer = self.call(registry.registry_taxpayer, self.actor, self.taxpayer_id)
        if taxpayer is None:
            return
        self.taxpayer = taxpayer
        self.title = taxpayer.legal_name
        self.heading.setText(taxpayer.legal_name)
        self.details.setText(
            f"{KIND_LABELS[taxpayer.kind]} · {taxpayer.id_type.label}: {taxpayer.masked_id}\n"
            f"Mailing address: {', '.join(taxpayer.address.splitlines()) or '(none)'}\n"
            + (
                "Has a logon."
                if taxpayer.has_logon
                else "No logon yet: the taxpayer creates one with Create a Logon at the login "
                "window, with this ID number and legal name."
            )
        )
        chosen = self.selected()
        self.model.set_rows(taxpayer.accounts)
        if chosen is not None:
            for row, account in enumerate(taxpayer.accounts):
                if account.id == chosen.id:
                    self.view.selectRow(row)
        self.view.setMinimumHeight(min(10, max(3, len(taxpayer.accounts) + 1)) * 32 + 6)
        self._selection_changed()

    def selected(self) -> RegistryAccount | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        value = self.model.data(rows[0], OBJECT_ROLE)
        return value if isinstance(value, RegistryAccount) else None

    def _selection_changed(self, *_args: object) -> None:
        chosen = self.selected()
        self.close_button.setEnabled(chosen is not None and not chosen.closed)

    @writes
    def add_account(self) -> None:
        if self.taxpayer is None:
            return
        account = AddTaxAccountDialog.ask(self, self.actor, self.taxpayer)
        if account is None:
            return
        self.refresh()
        show_text(
            self.result,
            f"The {account.account_type.label} account {account.account_number} was added.",
        )

    @writes
    def close_account(self) -> None:
        chosen = self.selected()
        if chosen is None or self.taxpayer is None:
            return
        holders = self.call(registry.third_parties_with_access, self.actor, chosen.id)
        if holders is None:
            return
        if holders:
            loses = (
                f"{holders} third part{'ies' if holders != 1 else 'y'} with access to it "
                f"lose{'s' if holders == 1 else ''} that access, and both sides are emailed."
            )
        else:
            loses = "No third party has access to it."
        if not dialogs.confirm(
            self,
            "Close this account?",
            f"Close the {chosen.account_type.label} account {chosen.account_number} of "
            f"{self.taxpayer.legal_name}?",
            f"{loses} A closed account keeps its history but is no longer offered in new "
            "requests. This cannot be undone here.",
            yes="Close Account",
            no="Cancel",
        ):
            return
        ended = self.call(registry.close_tax_account, self.actor, chosen.id)
        if ended is None:
            return
        self.refresh()
        self.main.refresh_inbox_count()
        show_text(
            self.result,
            f"The account {chosen.account_number} is closed. "
            + (
                f"{ended} third part{'ies' if ended != 1 else 'y'} lost access; both sides "
                "were emailed."
                if ended
                else "No third party had access to it."
            ),
        )


# --- dialogs -----------------------------------------------------------------------------


class _FieldDialog(QDialog, FieldForm):
    """A dialog of labelled fields with a message under them and OK/Cancel buttons."""

    def __init__(self, parent: QWidget, title: str, intro: str, ok_text: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.outer = QVBoxLayout(self)
        self.outer.setSpacing(12)
        self.outer.addWidget(heading(title, 2))
        if intro:
            self.outer.addWidget(note(intro))
        self.init_fields(new_grid())
        self.outer.addLayout(self.grid)
        self.message = error_label(f"{title} error")
        self.outer.addWidget(self.message)
        self.outer.addStretch(1)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setAccessibleName(plain(ok_text))
        self.ok_button.setDefault(True)
        cancel = buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setAccessibleName("Cancel")
        self.ok_button.clicked.connect(self.submit)  # a click, so that it names the button
        buttons.rejected.connect(self.reject)
        self.outer.addWidget(buttons)

    def submit(self) -> None:
        raise NotImplementedError

    def show_errors(self, errors: Mapping[str, str]) -> bool:
        clear = super().show_errors(errors)
        grow_to_fit(self)
        return clear

    def show_refusal(self, exc: MtcError) -> None:
        """A service's refusal: each field's message beside it, the rest under the form."""
        if isinstance(exc, InvalidInput):
            self.show_errors({k: v for k, v in exc.errors.items() if k in self.fields})
            show_text(
                self.message, " ".join(v for k, v in exc.errors.items() if k not in self.fields)
            )
        else:
            self.show_errors({})
            show_text(self.message, exc.message)
        grow_to_fit(self)


@router.command("register_taxpayer")
def register_taxpayer(parent: QWidget, actor: Actor) -> RegistryTaxpayer | None:
    """*Register Taxpayer*: the dialog, then the new taxpayer's page."""
    taxpayer = RegisterTaxpayerDialog.ask(parent, actor)
    if taxpayer is not None:
        router.main_window(parent).open_page(
            "registry_taxpayer", taxpayer_id=taxpayer.id, registered=True
        )
    return taxpayer


class RegisterTaxpayerDialog(_FieldDialog):
    """*Register Taxpayer*: ID type and number, legal name, type, mailing address."""

    def __init__(self, parent: QWidget, actor: Actor) -> None:
        super().__init__(
            parent,
            "Register Taxpayer",
            "As on the taxpayer's return. The taxpayer creates their own logon later with "
            "this ID number and legal name.",
            "Register",
        )
        self.setObjectName("registerTaxpayerDialog")
        self.actor = actor
        self.taxpayer: RegistryTaxpayer | None = None
        self.id_type_combo = QComboBox()
        for id_type in IdType:
            self.id_type_combo.addItem(id_type.label, id_type)
        self.id_number_edit = QLineEdit()
        self.id_number_edit.setMaxLength(40)
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(400)
        self.kind_combo = QComboBox()
        for kind, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, kind)
        self.address_edit = QPlainTextEdit()
        self.address_edit.setTabChangesFocus(True)
        self.address_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 16)
        self.add_field("id_type", "ID &type", self.id_type_combo)
        self.add_field("id_number", "ID &number", self.id_number_edit)
        self.add_field("legal_name", "&Legal name", self.name_edit, "Exactly as on the tax return.")
        self.add_field(
            "kind", "Taxpayer t&ype", self.kind_combo, "An ITIN is for individuals only."
        )
        self.add_field(
            "address",
            "&Mailing address",
            self.address_edit,
            "Street, city, state and ZIP code, on as many lines as needed.",
        )
        self.clear_on_edit("id_number", self.id_number_edit)
        self.clear_on_edit("legal_name", self.name_edit)
        self.address_edit.textChanged.connect(lambda: self.set_error("address", ""))
        self.id_type_combo.currentIndexChanged.connect(self._id_type_changed)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self.set_error("kind", ""))
        self._id_type_changed()
        self.resize(640, self.sizeHint().height())
        self.id_type_combo.setFocus()

    def _id_type_changed(self, _index: int = 0) -> None:
        id_type = self.id_type
        example = _ID_EXAMPLES[id_type]
        self.id_number_edit.setPlaceholderText(example)
        self.set_hint("id_number", f"9 digits, with or without dashes: {example}")
        self.set_error("id_type", "")
        if id_type is IdType.FEIN:
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(TaxpayerKind.BUSINESS))
        elif id_type is IdType.ITIN:
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(TaxpayerKind.INDIVIDUAL))

    @property
    def id_type(self) -> IdType:
        data = self.id_type_combo.currentData()
        return data if isinstance(data, IdType) else IdType.SSN

    @property
    def kind(self) -> TaxpayerKind:
        data = self.kind_combo.currentData()
        return data if isinstance(data, TaxpayerKind) else TaxpayerKind.INDIVIDUAL

    @classmethod
    def ask(cls, parent: QWidget, actor: Actor) -> RegistryTaxpayer | None:
        dialog = cls(parent, actor)
        try:
            dialog.exec()
            return dialog.taxpayer
        finally:
            _delete_later(dialog)

    @writes
    def submit(self) -> None:
        if self.taxpayer is not None:
            return
        show_text(self.message, "")
        errors: dict[str, str] = {}
        try:
            normalize_id(self.id_type, self.id_number_edit.text())
        except InvalidInput as exc:
            errors.update(exc.errors)
        try:
            clean_name(self.name_edit.text())
        except InvalidInput as exc:
            errors.update(exc.errors)
        if not self.address_edit.toPlainText().strip():
            errors["address"] = "Enter the mailing address: street, city, state and ZIP code."
        if not self.show_errors(errors):
            return
        id_number, name, address = (
            self.id_number_edit.text(),
            self.name_edit.text(),
            self.address_edit.toPlainText(),
        )
        self.taxpayer = (
            ops.Op(
                self,
                lambda: registry.register_taxpayer(
                    self.actor, self.id_type, id_number, name, self.kind, address
                ),
            )
            .refused(self.show_refusal)
            .run()
        )
        if self.taxpayer is not None:
            self.accept()


class AddTaxAccountDialog(_FieldDialog):
    """*Add Tax Account*: the account type, and its number (generated when left blank)."""

    def __init__(self, parent: QWidget, actor: Actor, taxpayer: RegistryTaxpayer) -> None:
        super().__init__(
            parent,
            "Add Tax Account",
            f"A new tax account of {taxpayer.legal_name} ({taxpayer.masked_id}).",
            "Add Account",
        )
        self.setObjectName("addTaxAccountDialog")
        self.actor = actor
        self.taxpayer = taxpayer
        self.account: RegistryAccount | None = None
        self.type_combo = QComboBox()
        for account_type in AccountType:
            self.type_combo.addItem(account_type.label, account_type)
        self.number_edit = QLineEdit()
        self.number_edit.setMaxLength(32)
        self.add_field("account_type", "Account &type", self.type_combo)
        self.add_field(
            "account_number",
            "Account &ID",
            self.number_edit,
            "Optional: leave it blank to have the next number generated.",
        )
        self.clear_on_edit("account_number", self.number_edit)
        self.resize(560, self.sizeHint().height())
        self.type_combo.setFocus()

    @classmethod
    def ask(
        cls, parent: QWidget, actor: Actor, taxpayer: RegistryTaxpayer
    ) -> RegistryAccount | None:
        dialog = cls(parent, actor, taxpayer)
        try:
            dialog.exec()
            return dialog.account
        finally:
            _delete_later(dialog)

    @writes
    def submit(self) -> None:
        if self.account is not None:
            return
        show_text(self.message, "")
        self.show_errors({})
        account_type = self.type_combo.currentData()
        assert isinstance(account_type, AccountType)
        number = self.number_edit.text().strip()
        self.account = (
            ops.Op(
                self,
                lambda: registry.add_tax_account(
                    self.actor, self.taxpayer.id, account_type, number
                ),
            )
            .refused(self.show_refusal)
            .run()
        )
        if self.account is not None:
            self.accept()


# --- import ------------------------------------------------------------------------------


@router.command("import_registry")
def import_registry(parent: QWidget, actor: Actor) -> ImportReport | None:
    """*Import Registry…*: the last import's report, or None if none ran."""
    return ImportRegistryDialog.ask(parent, actor)


class ImportRegistryDialog(QDialog):
    """*Import Registry…*: a CSV file, checked whole, then imported (or only checked)."""

    POLL_MS = 40

    def __init__(self, parent: QWidget, actor: Actor, path: Path | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importRegistryDialog")
        self.setWindowTitle("Import Registry")
        self.actor = actor
        self.report: ImportReport | None = None
        self._running = False
        self._progress = [0, 0]
        self._cancelled = [False]
        self._close_when_done = False
        self._poll = QTimer(self)
        self._poll.setInterval(self.POLL_MS)
        self._poll.timeout.connect(self._check)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(heading("Import the taxpayer registry", 2))
        layout.addWidget(
            note(
                "A CSV file (UTF-8), one row per tax account, with the header "
                "id_type,id_number,legal_name,taxpayer_type,account_type,mailing_address and "
                "optionally account_number (generated when blank). The whole file is checked "
                "first: if any row needs fixing, nothing is imported. Rows already in the "
                "registry are left as they are."
            )
        )
        row = QHBoxLayout()
        file_label = QLabel("&File")
        self.file_edit = QLineEdit(str(path) if path else "")
        self.file_edit.setAccessibleName("File")
        self.file_edit.setPlaceholderText("The CSV file to import")
        file_label.setBuddy(self.file_edit)
        self.choose_button = _button("Choose…")
        self.choose_button.setAccessibleName("Choose the file")
        self.choose_button.clicked.connect(self.choose_file)
        row.addWidget(file_label)
        row.addWidget(self.file_edit, 1)
        row.addWidget(self.choose_button)
        layout.addLayout(row)
        self.check_only_box = QCheckBox("&Check only: report what is wrong, import nothing")
        self.check_only_box.setAccessibleName("Check Only")
        self.skip_invalid_box = QCheckBox(
            "Import the &good rows only, and list the rows that need fixing"
        )
        self.skip_invalid_box.setAccessibleName("Import the good rows only")
        self.check_only_box.toggled.connect(self._options_changed)
        layout.addWidget(self.check_only_box)
        layout.addWidget(self.skip_invalid_box)
        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName("Import progress")
        self.progress_bar.setFormat("%p%")
        self.progress_bar.hide()
        layout.addWidget(self.progress_bar)
        self.status = note("")
        self.status.setAccessibleName("Import status")
        self.status.hide()
        layout.addWidget(self.status)
        self.error = error_label("Import error")
        layout.addWidget(self.error)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setAccessibleName("Import result")
        self.summary.setFont(bold(self.summary.font()))
        self.summary.hide()
        layout.addWidget(self.summary)
        self.problems_label = QLabel("&Rows to fix:")
        self.problems = QTableWidget(0, 2)
        self.problems.setAccessibleName("Rows to fix")
        self.problems_label.setBuddy(self.problems)
        self.problems.setHorizontalHeaderLabels(["Line", "What is wrong"])
        self.problems.verticalHeader().setVisible(False)
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problems.setWordWrap(True)
        start_on_first_row(self.problems)  # and Tab leaves it
        header = self.problems.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.problems_label.hide()
        self.problems.hide()
        layout.addWidget(self.problems_label)
        layout.addWidget(self.problems, 1)
        layout.addStretch(0)  # takes the room while the table is hidden
        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton("Import", QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button.setAccessibleName("Import")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.start)
        self.cancel_button = buttons.addButton("Close", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setAccessibleName("Close")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self._cancel_or_close)
        layout.addWidget(buttons)
        self.resize(760, 520)

    @classmethod
    def ask(cls, parent: QWidget, actor: Actor, path: Path | None = None) -> ImportReport | None:
        """Run the dialog; the last import's report (None if none ran)."""
        dialog = cls(parent, actor, path)
        try:
            dialog.exec()
            return dialog.report
        finally:
            _delete_later(dialog)

    @property
    def running(self) -> bool:
        return self._running

    def _options_changed(self) -> None:
        self.import_button.setText("Check" if self.check_only_box.isChecked() else "Import")
        self.import_button.setAccessibleName(self.import_button.text())
        self.skip_invalid_box.setEnabled(not self.check_only_box.isChecked())

    def choose_file(self) -> None:
        start = self.file_edit.text().strip() or str(Path.home())
        name, _ = QFileDialog.getOpenFileName(
            self, "Choose the registry file", start, "CSV files (*.csv);;All files (*)"
        )
        if name:
            self.file_edit.setText(name)

    def _set_running(self, running: bool) -> None:
        for widget in (
            self.file_edit,
            self.choose_button,
            self.check_only_box,
            self.import_button,
        ):
            widget.setEnabled(not running)
        self.skip_invalid_box.setEnabled(not running and not self.check_only_box.isChecked())
        self.cancel_button.setText("Cancel" if running else "Close")
        self.cancel_button.setAccessibleName(self.cancel_button.text())
        self.cancel_button.setEnabled(True)

    def start(self) -> None:
        """Check the file, then run the import on a worker thread."""
        if self.running:
            return
        show_text(self.error, "")
        text = self.file_edit.text().strip()
        if not text:
            show_text(self.error, "Choose the CSV file to import.")
            self.file_edit.setFocus()
            return
        path = Path(text).expanduser()
        if not path.is_file():
            show_text(self.error, f"There is no file {path}. Choose the CSV file to import.")
            self.file_edit.setFocus()
            return
        self.summary.hide()
        self.problems.hide()
        self.problems_label.hide()
        self._cancelled[0] = False
        self._progress[:] = [0, 0]
        self.progress_bar.setRange(0, 0)  # busy until the first count arrives
        self.progress_bar.setValue(0)
        self.progress_bar.show()
        show_text(self.status, "Checking the file…")
        self._set_running(True)
        actor, dry_run = self.actor, self.check_only_box.isChecked()
        skip_invalid = self.skip_invalid_box.isChecked() and not dry_run
        progress, cancelled = self._progress, self._cancelled

        def report_progress(done: int, total: int) -> None:
            progress[:] = [done, total]  # read by the GUI thread's poll

        self._running = True
        self._poll.start()
        (
            ops.Op(
                self,
                lambda: registry.import_registry(
                    actor,
                    path,
                    skip_invalid=skip_invalid,
                    dry_run=dry_run,
                    progress=report_progress,
                    cancelled=lambda: cancelled[0],
                ),
            )
            .ended(self._ended)
            .success(self._imported)
            .refused(lambda exc: show_text(self.error, exc.message))
            .run_in_background(name="mtc-registry-import")
        )

    def cancel(self) -> None:
        """Stop the running import; nothing of it is kept."""
        if self.running and not self._cancelled[0]:
            self._cancelled[0] = True
            show_text(self.status, "Canceling: nothing will be imported…")
            self.cancel_button.setEnabled(False)

    def _cancel_or_close(self) -> None:
        if self.running:
            self.cancel()
        else:
            self.reject()

    def _check(self) -> None:
        done, total = self._progress
        if total:
            if self.progress_bar.maximum() != total:
                self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))
            if not self._cancelled[0]:
                doing = "Checking" if self.check_only_box.isChecked() else "Checking and importing"
                show_text(self.status, f"{doing}: {min(100, done * 100 // total)}% done…")

    def _ended(self) -> None:
        self._poll.stop()
        self._running = False
        self._set_running(False)
        self.progress_bar.hide()
        self.status.hide()
        if self._close_when_done:  # closed while it ran: shut once what it said is shown
            QTimer.singleShot(0, self.reject)

    def _imported(self, report: ImportReport) -> None:
        self.report = report
        self.show_report(report)

    def show_report(self, report: ImportReport) -> None:
        text = report.summary()
        self.summary.setText(text)
        self.summary.setProperty("role", "error" if report.problems else "success")
        self.summary.style().unpolish(self.summary)
        self.summary.style().polish(self.summary)
        self.summary.show()
        problems = report.problems
        self.problems.setRowCount(len(problems))
        for row, problem in enumerate(problems):
            line = QTableWidgetItem(str(problem.line))
            line.setData(Qt.ItemDataRole.AccessibleTextRole, f"Line {problem.line}")
            self.problems.setItem(row, 0, line)
            self.problems.setItem(row, 1, QTableWidgetItem(problem.message))
        self.problems.resizeRowsToContents()
        self.problems_label.setVisible(bool(problems))
        self.problems.setVisible(bool(problems))

    def problem_rows(self) -> list[tuple[int, str]]:
        """The table of rows to fix, as shown: (line, what is wrong)."""
        rows = []
        for row in range(self.problems.rowCount()):
            line, message = self.problems.item(row, 0), self.problems.item(row, 1)
            if line is not None and message is not None:
                rows.append((int(line.text()), message.text()))
        return rows

    def reject(self) -> None:
        if self.running:  # Escape or the window's close button: cancel, close when stopped
            self._close_when_done = True
            self.cancel()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running:
            self._close_when_done = True
            self.cancel()
            event.ignore()
            return
        super().closeEvent(event)
