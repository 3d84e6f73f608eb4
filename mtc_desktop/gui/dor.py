"""DOR staff mode: the back office that closes the FAQ's loop.

Staff find a request by its number or by the text of its QR code, record the taxpayer's
choices from a returned Client Authorization (typed from the paper, or imported from the
filled-in PDF and confirmed), mail correspondence to an account, and keep the outbox and
the request expiry period.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

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
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mtc_desktop.domain.errors import InvalidInput, MtcError
from mtc_desktop.domain.model import ApprovalMethod, CorrespondenceKind, RequestStatus
from mtc_desktop.gui import dialogs, ops, router
from mtc_desktop.gui import returned_forms as returned_forms_dialog
from mtc_desktop.gui.busy import writes
from mtc_desktop.gui.levels import level_combo
from mtc_desktop.gui.models import day
from mtc_desktop.gui.pages import Page
from mtc_desktop.gui.widgets import ResultLabel, error_label, heading, note, panel, show_text
from mtc_desktop.services import correspondence, requests, settings
from mtc_desktop.services.base import Actor
from mtc_desktop.services.requests import LineDecision, RequestView

if TYPE_CHECKING:
    from mtc_desktop.gui.main_window import MainWindow
    from mtc_desktop.services.returned_forms import BatchItem, ReturnedForm


def _success_label() -> QLabel:
    return ResultLabel()


def request_summary(view: RequestView) -> str:
    return (
        f"{view.third_party_name} ({view.third_party_username}) asked on "
        f"{day(view.created_at)} for access to the accounts of {view.taxpayer_name} "
        f"({view.taxpayer_masked_id}), for approval by {view.method.label}. "
        f"Status: {view.status.label}"
        + (f", expires {day(view.expires_at)}." if view.status is RequestStatus.PENDING else ".")
    )


@router.page("dor_home")
class DorHomePage(Page):
    """The DOR staff home: the back office's tools, each a link or a short form."""

    title = "Home"

    def __init__(self, main: MainWindow) -> None:
        super().__init__(main)
        self.body.addWidget(heading("DOR back office"))
        self.summary = note("")
        self.body.addWidget(self.summary)
        self._add_registry_panel()
        self.poa_panel = router.make_panel("poa.dor", self)
        self.body.addWidget(self.poa_panel)

        box, layout = panel("Client Authorization forms")
        layout.addWidget(
            note(
                "Find a request by its number (e.g. R2026-000012) or by the text of the QR "
                "code on its Client Authorization; then record the taxpayer's choices from "
                "the returned form."
            )
        )
        row = QHBoxLayout()
        self.reference_edit = QLineEdit()
        self.reference_edit.setPlaceholderText("Request number or QR code text")
        self.reference_edit.setAccessibleName("Request number or QR code text")
        self.reference_edit.returnPressed.connect(self.find_request)
        self.find_button = QPushButton("Find Request")
        self.find_button.setAutoDefault(False)
        self.find_button.clicked.connect(self.find_request)
        row.addWidget(self.reference_edit, 1)
        row.addWidget(self.find_button)
        layout.addLayout(row)
        self.find_error = error_label()
        layout.addWidget(self.find_error)
        self.import_button = self.action_button("import_returned_form")
        layout.addWidget(self.import_button)
        self.import_result = _success_label()
        layout.addWidget(self.import_result)
        self.body.addWidget(box)

        box, layout = panel("Correspondence")
        layout.addWidget(
            note(
                "Record a letter or notice mailed to a taxpayer account. Every third party "
                "authorized on the account is emailed that its client was sent it."
            )
        )
        self.mail_button = self.action_button("mail_correspondence")
        layout.addWidget(self.mail_button)
        self.mail_result = _success_label()
        layout.addWidget(self.mail_result)
        self.body.addWidget(box)

        box, layout = panel("Email")
        layout.addWidget(
            note(
                "Emails wait in the outbox until an email server is set up; then they are "
                "sent in the background."
            )
        )
        links = QHBoxLayout()
        self.outbox_link = self.action_link("outbox")
        self.server_button = self.action_button("email_server")
        links.addWidget(self.outbox_link)
        links.addWidget(self.server_button)
        links.addStretch(1)
        layout.addLayout(links)
        self.body.addWidget(box)

        box, layout = panel("Request expiry")
        grid = QHBoxLayout()
        label = QLabel("&Days a request waits for its decision:")
        self.expiry_spin = QSpinBox()
        self.expiry_spin.setRange(1, 365)
        self.expiry_spin.setAccessibleName("Days a request waits for its decision")
        label.setBuddy(self.expiry_spin)
        self.expiry_save = QPushButton("Save")
        self.expiry_save.setAccessibleName("Save expiry period")
        self.expiry_save.setAutoDefault(False)
        self.expiry_save.clicked.connect(self._save_expiry)
        self.expire_now = QPushButton("Expire Overdue Requests Now")
        self.expire_now.setAutoDefault(False)
        self.expire_now.clicked.connect(self._expire_now)
        grid.addWidget(label)
        grid.addWidget(self.expiry_spin)
        grid.addWidget(self.expiry_save)
        grid.addSpacing(24)
        grid.addWidget(self.expire_now)
        grid.addStretch(1)
        layout.addLayout(grid)
        self.expiry_result = _success_label()
        layout.addWidget(self.expiry_result)
        self.body.addWidget(box)
        self._add_staff_panel()
        self.body.addStretch(1)

    def _add_registry_panel(self) -> None:
        box, layout = panel("Taxpayer registry")
        layout.addWidget(
            note(
                "The taxpayers and tax accounts DOR knows. A taxpayer can create a logon once "
                "registered here; a third party can then ask for access to their open accounts."
            )
        )
        row = QHBoxLayout()
        label = QLabel("Find a &taxpayer:")
        self.registry_edit = QLineEdit()
        self.registry_edit.setPlaceholderText("Name words or ID digits")
        self.registry_edit.setAccessibleName("Find a registered taxpayer")
        self.registry_edit.setMaxLength(200)
        label.setBuddy(self.registry_edit)
        self.registry_edit.returnPressed.connect(self.find_taxpayer)
        self.find_taxpayer_button = QPushButton("Find Taxpayer")
        self.find_taxpayer_button.setAutoDefault(False)
        self.find_taxpayer_button.clicked.connect(self.find_taxpayer)
        row.addWidget(label)
        row.addWidget(self.registry_edit, 1)
        row.addWidget(self.find_taxpayer_button)
        layout.addLayout(row)
        links = QHBoxLayout()
        self.register_button = self.action_button("register_taxpayer")
        self.import_registry_button = self.action_button("import_registry")
        links.addWidget(self.register_button)
        links.addWidget(self.import_registry_button)
        links.addStretch(1)
        layout.addLayout(links)
        self.registry_result = _success_label()
        layout.addWidget(self.registry_result)
        self.body.addWidget(box)

    def _add_staff_panel(self) -> None:
        box, layout = panel("Staff logons")
        layout.addWidget(
            note(
                "Add, disable and re-enable DOR staff logons, and give a staff member a "
                "one-time code to choose their own password."
            )
        )
        self.staff_link = self.action_link("staff_logons")
        layout.addWidget(self.staff_link)
        box.setVisible(self.actor.administrator)  # administrators only
        self.staff_box = box
        self.body.addWidget(box)

    # --- Taxpayer registry ------------------------------------------------------------

    def find_taxpayer(self) -> None:
        self.main.open_page("registry_search", text=self.registry_edit.text())

    def import_registry(self) -> None:
        report = router.run("import_registry", self, self.actor)
        if report is not None:
            self.registry_result.setText(report.summary())

    # --- Client Authorization forms ---------------------------------------------------

    def focus_first(self) -> None:
        self.reference_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_request_field(self) -> None:
        """Go → Find Request: the cursor in the request number field, its text selected."""
        self.reference_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.reference_edit.selectAll()

    def refresh(self) -> None:
        days = self.call(settings.get_expiry_days)
        if days is not None:
            self.expiry_spin.setValue(days)
        self.summary.setText(
            f"Logged in as {self.actor.display_name}. Pending requests expire after "
            f"{days} days without a decision."
            if days is not None
            else ""
        )

    # --- Client Authorization forms ---------------------------------------------------

    def find_request(self) -> None:
        text = self.reference_edit.text()
        if not text.strip():
            show_text(self.find_error, "Type a request number, or scan the form's QR code.")
            return
        view = ops.call(
            self,
            requests.find_request,
            self.actor,
            text,
            refused=lambda exc: show_text(self.find_error, exc.message),
        )
        if view is None:
            return
        show_text(self.find_error, "")
        self.main.push(DorRequestPage(self.main, view.id))

    @writes
    def import_form(self) -> None:
        """Import Returned Forms…: one file or many."""
        names, _ = QFileDialog.getOpenFileNames(
            self, "Import Returned Forms", str(Path.home()), "PDF documents (*.pdf)"
        )
        if len(names) == 1:
            self.import_path(Path(names[0]))
        elif names:
            self.import_paths([Path(name) for name in names])

    def import_path(self, path: Path) -> RequestView | None:
        """One form: what it says, in its review dialog, then recorded."""
        view = import_returned_form(self, self.actor, path)
        if view is not None:
            self.import_result.setText(recorded_text(view))
            self.main.refresh_inbox_count()
        return view

    def import_paths(self, paths: list[Path]) -> list[BatchItem] | None:
        """Many forms: read with a progress bar, reviewed in one table, then recorded."""
        items = returned_forms_dialog.import_returned_forms(self, self.actor, paths)
        if items is not None:
            done = sum(1 for item in items if item.recorded is not None)
            self.import_result.setText(
                f"Recorded {done} of {len(items)} returned forms"
                + (
                    f"; {len(items) - done} not recorded (record those by hand)."
                    if done < len(items)
                    else "."
                )
            )
            self.main.refresh_inbox_count()
        return items

    # --- Correspondence ---------------------------------------------------------------

    @writes
    def mail_correspondence(self) -> None:
        result = MailCorrespondenceDialog.ask(self, self.actor)
        if result is not None:
            self.mail_result.setText(result)

    # --- Expiry -----------------------------------------------------------------------

    @writes
    def _save_expiry(self) -> None:
        days = self.expiry_spin.value()
        if self.call(settings.set_expiry_days, self.actor, days) is None:
            self.expiry_result.setText(f"Requests now expire after {days} days.")
            self.refresh()

    @writes
    def _expire_now(self) -> None:
        count = self.call(requests.expire_overdue)
        if count is not None:
            self.expiry_result.setText(
                f"{count} overdue request{'s' if count != 1 else ''} expired; both sides "
                "were emailed."
                if count
                else "No pending request is past its expiry date."
            )


def import_returned_form(
    parent: QWidget, actor: Actor, path: Path, expected_number: str | None = None
) -> RequestView | None:
    """Read a returned form's PDF, show what it says, and record it once confirmed.

    The form is read off the GUI thread (a hostile file may take the reader's whole time
    limit) while a busy indicator keeps the window painted."""
    from mtc_desktop.services import returned_forms

    def refused(title: str) -> Callable[[MtcError], None]:
        return lambda exc: dialogs.warn(parent, "Import a Returned Form", title, exc.message)

    form = (
        ops.Op(
            parent,
            lambda: returned_forms.read_returned_form(actor, path, expected_number=expected_number),
        )
        .refused(refused("This form cannot be recorded."))
        .wait("Reading the form…", "Import a Returned Form", name="mtc-read-form")
    )
    if form is None or not ReturnedFormDialog.confirm(parent, form):
        return None
    return (
        ops.Op(
            parent,
            lambda: requests.record_printed_form(
                actor, form.number, form.authorization_code, form.decisions
            ),
        )
        .refused(refused("The form was not recorded."))
        .run()
    )


def recorded_text(view: RequestView) -> str:
    given = [
        f"{line.account.label} — {line.granted_level.label}"
        for line in view.lines
        if line.give_rights and line.granted_level is not None
    ]
    if view.status is RequestStatus.APPROVED:
        return (
            f"Request {view.number} recorded as approved: {'; '.join(given)}. Both sides "
            "were emailed."
        )
    return f"Request {view.number} recorded as denied. Both sides were emailed."


@router.page("dor_request")
class DorRequestPage(Page):
    """One request as DOR staff see it; a pending printed-form request can be recorded."""

    title = "Request"

    def __init__(self, main: MainWindow, request_id: int) -> None:
        super().__init__(main)
        self.request_id = request_id
        self.view: RequestView | None = None
        self.heading = heading("Request")
        self.body.addWidget(self.heading)
        self.details = note("")
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.body.addWidget(self.details)
        self.lines_box = QWidget()
        self.lines_grid = QGridLayout(self.lines_box)
        self.lines_grid.setContentsMargins(0, 0, 0, 0)
        self.lines_grid.setHorizontalSpacing(18)
        self.body.addWidget(self.lines_box)

        self.record_box, layout = panel("Record the returned form")
        layout.addWidget(
            note(
                "Copy the taxpayer's choices from the signed form: Give Rights and Granted "
                "Rights for each account. Check the authorization code printed on the form "
                "first; a form whose code does not match is not recorded."
            )
        )
        code_row = QFormLayout()
        self.code_edit = QLineEdit()
        self.code_edit.setAccessibleName("Authorization code")
        self.code_edit.setPlaceholderText("As printed on the form, e.g. ABCDE-23456")
        self.code_edit.setMaxLength(40)
        code_row.addRow("&Authorization code:", self.code_edit)
        layout.addLayout(code_row)
        self.code_error = error_label()
        layout.addWidget(self.code_error)
        self.choices_grid = QGridLayout()
        self.choices_grid.setHorizontalSpacing(18)
        layout.addLayout(self.choices_grid)
        self.give_boxes: list[QCheckBox] = []
        self.level_boxes: list[QComboBox] = []
        buttons = QHBoxLayout()
        self.record_button = QPushButton("Record Form")
        self.record_button.setAutoDefault(False)
        self.record_button.clicked.connect(self.record)
        self.import_button = QPushButton("Import the Filled-in PDF…")
        self.import_button.setAutoDefault(False)
        self.import_button.clicked.connect(self._import)
        self.print_button = QPushButton("Print Client Authorization")
        self.print_button.setAutoDefault(False)
        self.print_button.clicked.connect(self._print)
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        layout.addLayout(buttons)
        self.record_error = error_label()
        layout.addWidget(self.record_error)
        self.body.addWidget(self.record_box)
        self.result_label = _success_label()
        self.body.addWidget(self.result_label)
        self.body.addStretch(1)

    def refresh(self) -> None:
        view = self.call(requests.get_request, self.actor, self.request_id)
        if view is None:
            return
        first = self.view is None or self.view.status is not view.status
        self.view = view
        self.title = f"Request {view.number}"
        self.heading.setText(f"Request {view.number}")
        self.details.setText(request_summary(view))
        self._show_lines(view)
        recordable = (
            view.status is RequestStatus.PENDING and view.method is ApprovalMethod.PRINTED_FORM
        )
        self.record_box.setVisible(recordable)
        if recordable and first:
            self._build_choices(view)

    def _show_lines(self, view: RequestView) -> None:
        while self.lines_grid.count():
            item = self.lines_grid.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()  # type: ignore[union-attr]
        headers = ["Account", "Requested Rights", "Give Rights", "Granted Rights"]
        for column, text in enumerate(headers):
            label = QLabel(f"<b>{text}</b>")
            self.lines_grid.addWidget(label, 0, column)
        for row, line in enumerate(view.lines, start=1):
            given = "—" if line.give_rights is None else ("Yes" if line.give_rights else "No")
            granted = line.granted_level.label if line.granted_level is not None else "—"
            for column, text in enumerate(
                (line.account.label, line.requested_level.label, given, granted)
            ):
                label = QLabel(text)
                label.setTextFormat(Qt.TextFormat.PlainText)
                self.lines_grid.addWidget(label, row, column)
        self.lines_grid.setColumnStretch(4, 1)

    def _build_choices(self, view: RequestView) -> None:
        while self.choices_grid.count():
            item = self.choices_grid.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()  # type: ignore[union-attr]
        self.give_boxes, self.level_boxes = [], []
        for row, line in enumerate(view.lines):
            account = QLabel(line.account.label)
            give = QCheckBox("Give Rights")
            give.setAccessibleName(f"Give Rights for {line.account.label}")
            combo = level_combo(line.requested_level)
            combo.setAccessibleName(f"Granted Rights for {line.account.label}")
            combo.setEnabled(False)
            give.toggled.connect(combo.setEnabled)
            self.choices_grid.addWidget(account, row, 0)
            self.choices_grid.addWidget(give, row, 1)
            self.choices_grid.addWidget(combo, row, 2)
            self.give_boxes.append(give)
            self.level_boxes.append(combo)
        self.choices_grid.setColumnStretch(3, 1)
        # Reading order: the code, each row's Give Rights and Granted Rights, then the
        # buttons under them (the rows are made after the buttons, and Tab went to Print
        # Client Authorization first).
        chain: list[QWidget] = [self.code_edit]
        for give, combo in zip(self.give_boxes, self.level_boxes, strict=True):
            chain += [give, combo]
        chain += [self.record_button, self.import_button, self.print_button]
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

    def decisions(self) -> list[LineDecision]:
        assert self.view is not None
        return [
            LineDecision(line.account.id, give.isChecked(), combo.currentData())
            for line, give, combo in zip(
                self.view.lines, self.give_boxes, self.level_boxes, strict=True
            )
        ]

    @writes
    def record(self) -> RequestView | None:
        if self.view is None:
            return None
        show_text(self.code_error, "")
        show_text(self.record_error, "")
        if not self.code_edit.text().strip():
            show_text(self.code_error, "Type the authorization code printed on the form.")
            self.code_edit.setFocus()
            return None
        decisions = self.decisions()
        if not any(d.give_rights for d in decisions) and not dialogs.confirm(
            self,
            "Record a denial?",
            "No account has Give Rights checked: the form is recorded as a denial of the "
            "whole request.",
            "Record it as denied?",
        ):
            return None
        number, code = self.view.number, self.code_edit.text()

        def refused(exc: MtcError) -> None:
            if isinstance(exc, InvalidInput):  # the form stays as typed
                code = exc.field == "authorization_code"
                show_text(self.code_error if code else self.record_error, exc.message)
                return
            show_text(self.record_error, exc.message)
            self.refresh()

        view = (
            ops.Op(self, lambda: requests.record_printed_form(self.actor, number, code, decisions))
            .refused(refused)
            .run()
        )
        if view is None:
            return None
        self.result_label.setText(recorded_text(view))
        self.main.refresh_inbox_count()
        self.refresh()
        return view

    @writes
    def _import(self) -> None:
        if self.view is None:
            return
        name, _ = QFileDialog.getOpenFileName(
            self, "Import the Filled-in PDF", str(Path.home()), "PDF documents (*.pdf)"
        )
        if name:
            self.import_path(Path(name))

    def import_path(self, path: Path) -> RequestView | None:
        assert self.view is not None
        view = import_returned_form(self, self.actor, path, expected_number=self.view.number)
        if view is not None:
            self.result_label.setText(recorded_text(view))
            self.main.refresh_inbox_count()
            self.refresh()
        return view

    @writes
    def _print(self) -> None:
        from mtc_desktop.gui.authorization import print_client_authorization

        if self.view is not None:
            print_client_authorization(self, self.actor, self.view)


class ReturnedFormDialog(QDialog):
    """What an imported form says, to confirm before it is recorded."""

    def __init__(self, parent: QWidget, form: ReturnedForm) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Returned form — request {form.number}")
        layout = QVBoxLayout(self)
        layout.addWidget(heading(f"Request {form.number}", 2))
        summary = note(request_summary(form.request))
        summary.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(summary)
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        for column, text in enumerate(
            ["Account", "Requested Rights", "Give Rights", "Granted Rights"]
        ):
            grid.addWidget(QLabel(f"<b>{text}</b>"), 0, column)
        requested = {line.account.id: line for line in form.request.lines}
        for row, decision in enumerate(form.decisions, start=1):
            line = requested[decision.account_id]
            cells = (
                line.account.label,
                line.requested_level.label,
                "Yes" if decision.give_rights else "No",
                decision.granted_level.label if decision.give_rights else "—",
            )
            for column, text in enumerate(cells):
                label = QLabel(text)
                label.setTextFormat(Qt.TextFormat.PlainText)
                grid.addWidget(label, row, column)
        layout.addLayout(grid)
        signed = note(
            f"Signed by: {form.printed_name or '(no printed name)'}"
            + (f", {form.title}" if form.title else "")
            + f" — dated {form.signature_date or '(no date)'}"
        )
        signed.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(signed)
        for text in form.notes:  # what staff should look at on the paper, e.g. a stray mark
            remark = note(f"Note: {text}")
            remark.setTextFormat(Qt.TextFormat.PlainText)
            remark.setProperty("role", "error")
            layout.addWidget(remark)
        given = any(d.give_rights for d in form.decisions)
        layout.addWidget(
            note(
                "Record these choices? Both sides are emailed."
                if given
                else "No account has Give Rights checked: recording it denies the request."
            )
        )
        buttons = QDialogButtonBox()
        self.record_button = buttons.addButton("Record", QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.setFocus()
        cancel.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(760, self.sizeHint().height())

    @classmethod
    def confirm(cls, parent: QWidget, form: ReturnedForm) -> bool:
        dialog = cls(parent, form)
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()


class MailCorrespondenceDialog(QDialog):
    """Mail Correspondence: account, kind, title and date; Mail or Cancel."""

    def __init__(self, parent: QWidget, actor: Actor) -> None:
        super().__init__(parent)
        self.actor = actor
        self.result_text: str | None = None
        self.setWindowTitle("Mail Correspondence")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Mail Correspondence", 2))
        form = QFormLayout()
        self.account_edit = QLineEdit()
        self.account_edit.setAccessibleName("Account ID")
        self.account_edit.setPlaceholderText("e.g. WTH-00000001")
        self.account_error = error_label()
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName("Kind")
        for kind in CorrespondenceKind:
            self.kind_combo.addItem(kind.value.capitalize(), kind)
        self.title_edit = QLineEdit()
        self.title_edit.setAccessibleName("Title")
        self.title_edit.setMaxLength(400)
        self.title_edit.setPlaceholderText("e.g. Notice of Assessment, 2025")
        self.title_error = error_label()
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setAccessibleName("Mailed on")
        self.date_edit.setDisplayFormat("MMM d, yyyy")
        form.addRow("&Account ID:", self.account_edit)
        form.addRow("", self.account_error)
        form.addRow("&Kind:", self.kind_combo)
        form.addRow("&Title:", self.title_edit)
        form.addRow("", self.title_error)
        form.addRow("&Mailed on:", self.date_edit)
        layout.addLayout(form)
        self.error_label = error_label()
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox()
        self.mail_button = buttons.addButton("Mail", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        self.mail_button.clicked.connect(self._mail)  # a click, so that it names the button
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    @classmethod
    def ask(cls, parent: QWidget, actor: Actor) -> str | None:
        dialog = cls(parent, actor)
        try:
            dialog.exec()
            return dialog.result_text
        finally:
            dialog.deleteLater()

    @writes
    def _mail(self) -> None:
        for label in (self.account_error, self.title_error, self.error_label):
            show_text(label, "")
        account = self.account_edit.text().strip()
        if not account:
            show_text(self.account_error, "Type the account ID, e.g. WTH-00000001.")
            self.account_edit.setFocus()
            return
        kind = self.kind_combo.currentData()
        mailed_on: dt.date = self.date_edit.date().toPython()  # type: ignore[assignment]

        def refused(exc: MtcError) -> None:
            if isinstance(exc, InvalidInput):
                target = self.title_error if exc.field == "title" else self.error_label
            else:
                target = self.account_error if "account" in exc.message else self.error_label
            show_text(target, exc.message)

        title = self.title_edit.text()
        result = (
            ops.Op(
                self,
                lambda: correspondence.mail_correspondence(
                    self.actor, account, kind, title, mailed_on
                ),
            )
            .refused(refused)
            .run()
        )
        if result is None:
            return
        told = result.notified_third_parties
        self.result_text = f"The {kind.value} to {account.upper()} is recorded. " + (
            f"Emailed the authorized third part{'ies' if len(told) != 1 else 'y'}: "
            f"{', '.join(told)}."
            if told
            else "No third party is authorized on this account, so none was emailed."
        )
        self.accept()
