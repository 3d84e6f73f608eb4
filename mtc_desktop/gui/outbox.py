"""DOR staff: the Outbox (every email, whether it went, why not, *Retry Now*, *Export .eml…*)
and the Email Server dialog (the SMTP server, *Send Test Email*)."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mtc_desktop.domain.errors import InvalidInput, MtcError
from mtc_desktop.gui import ops, router
from mtc_desktop.gui.busy import writes
from mtc_desktop.gui.models import RowsModel, when
from mtc_desktop.gui.pages import Page
from mtc_desktop.gui.sender import running_sender
from mtc_desktop.gui.widgets import (
    CommandButton,
    error_label,
    heading,
    note,
    setup_table,
    show_text,
)
from mtc_desktop.services import notifications, outbox
from mtc_desktop.services.base import Actor
from mtc_desktop.services.outbox import (
    DeliveryState,
    DeliverySummary,
    EmailServer,
    OutboxRow,
    Security,
    ServerSettings,
)
from mtc_desktop.store.files import write_private

if TYPE_CHECKING:
    from mtc_desktop.gui.main_window import MainWindow

__all__ = ["OutboxModel", "OutboxPage", "SmtpSettingsDialog", "status_text"]

log = logging.getLogger(__name__)

ERROR_SHOWN = 70


def status_text(row: OutboxRow) -> str:
    """Waiting, Sending, Retrying at …, Sent, Failed."""
    if row.state is DeliveryState.WAITING:
        if row.sending:
            return "Sending"
        if row.next_attempt_at is not None:
            return f"Retrying at {when(row.next_attempt_at)}"
    return row.state.label


def _short(text: str) -> str:
    return text if len(text) <= ERROR_SHOWN else text[: ERROR_SHOWN - 1].rstrip() + "…"


class OutboxModel(RowsModel[OutboxRow]):
    class Column(enum.IntEnum):
        CREATED = 0
        TO = 1
        SUBJECT = 2
        STATE = 3
        ATTEMPTS = 4
        SENT = 5
        ERROR = 6

    HEADERS: ClassVar[dict[int, str]] = {
        Column.CREATED: "Created",
        Column.TO: "To",
        Column.SUBJECT: "Subject",
        Column.STATE: "State",
        Column.ATTEMPTS: "Attempts",
        Column.SENT: "Sent",
        Column.ERROR: "Last error",
    }

    SORT_BY: ClassVar[dict[int, Callable[[Any], Any]]] = {
        Column.CREATED: lambda o: o.created_at,
        Column.SENT: lambda o: o.sent_at,
        Column.ATTEMPTS: lambda o: o.attempts,
    }  # dates sort as dates

    def display(self, obj: OutboxRow, column: int) -> str:
        return {
            self.Column.CREATED: when(obj.created_at),
            self.Column.TO: obj.to_address,
            self.Column.SUBJECT: obj.subject,
            self.Column.STATE: status_text(obj),
            self.Column.ATTEMPTS: str(obj.attempts),
            self.Column.SENT: when(obj.sent_at),
            self.Column.ERROR: _short(obj.last_error),
        }[self.Column(column)]

    def extra(self, obj: OutboxRow, column: int, role: int) -> Any:
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column == self.Column.STATE
            and obj.state is DeliveryState.FAILED
        ):
            return QColor("#b00020")
        return None


FILTERS: tuple[tuple[str, DeliveryState | None], ...] = (
    ("All emails", None),
    ("Waiting", DeliveryState.WAITING),
    ("Failed", DeliveryState.FAILED),
    ("Sent", DeliveryState.SENT),
)


def summary_text(summary: DeliverySummary) -> str:
    waiting = f"{summary.waiting} waiting"
    if summary.retrying:
        waiting += f" ({summary.retrying} to retry)"
    counts = f"{waiting}, {summary.failed} failed, {summary.sent} sent."
    if not summary.configured:
        return (
            f"{counts} No email server is set up, so emails wait here; they are sent once "
            "one is (Email Server…)."
        )
    return f"{counts} Emails go through {summary.server}."


@router.page("outbox")
class OutboxPage(Page):
    title = "Outbox"

    def __init__(self, main: MainWindow) -> None:
        super().__init__(main)
        self.body.addWidget(heading("Outbox"))
        self.summary_label = note("")
        self.summary_label.setAccessibleName("Outbox summary")
        self.body.addWidget(self.summary_label)
        row = QHBoxLayout()
        show = QLabel("&Show:")
        self.filter_combo = QComboBox()
        self.filter_combo.setAccessibleName("Show")
        for label, state in FILTERS:
            self.filter_combo.addItem(label, state)
        show.setBuddy(self.filter_combo)
        self.filter_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        row.addWidget(show)
        row.addWidget(self.filter_combo)
        row.addStretch(1)
        self.body.addLayout(row)
        self.model = OutboxModel(parent=self)
        self.view = QTableView()
        self.view.setAccessibleName("Emails")
        self.view.setModel(self.model)
        setup_table(self.view, stretch_column=OutboxModel.Column.SUBJECT)
        self.view.selectionModel().selectionChanged.connect(self._selected)
        self.body.addWidget(self.view, 1)
        self.detail_label = note("")
        self.detail_label.setAccessibleName("Selected email")
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(self.detail_label)
        actions = QHBoxLayout()
        self.retry_link = CommandButton("Retry Now")
        self.retry_link.clicked.connect(self.retry_selected)
        self.export_link = CommandButton("Export .eml…")
        self.export_link.clicked.connect(self.export_selected)
        self.refresh_link = CommandButton("Refresh")
        self.refresh_link.clicked.connect(self.refresh)
        self.server_link = CommandButton("Email Server…")
        self.server_link.clicked.connect(self.edit_server)
        for link in (self.retry_link, self.export_link, self.refresh_link, self.server_link):
            actions.addWidget(link)
        actions.addStretch(1)
        self.body.addLayout(actions)
        sender = running_sender()
        if sender is not None:
            sender.delivered.connect(self._sender_round)
        self._update_actions()

    # --- reading -----------------------------------------------------------------------

    def refresh(self) -> None:
        state = self.filter_combo.currentData()
        rows = self.call(outbox.outbox, self.actor, state=state)
        summary = self.call(outbox.delivery_summary, self.actor)
        self._show_rows(rows or [], summary)

    def _show_rows(self, rows: list[OutboxRow], summary: DeliverySummary | None) -> None:
        selected = self.selected_row()
        self.model.set_rows(rows)
        self.summary_label.setText(summary_text(summary) if summary is not None else "")
        if selected is not None:
            self.select(selected.id)
        self._update_actions()

    def _sender_round(self, _report: object) -> None:
        """Reread after a background round, quietly: nobody asked, so a refusal (a locked
        window, a busy database) waits for the next round instead of opening a box."""
        if not self.isVisible():
            return
        state = self.filter_combo.currentData()
        (
            ops.Op(
                self,
                lambda: (
                    outbox.outbox(self.actor, state=state),
                    outbox.delivery_summary(self.actor),
                ),
            )
            .refused(lambda _exc: None)
            .success(lambda read: self._show_rows(*read))
            .run()
        )

    def selected_row(self) -> OutboxRow | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_object(rows[0].row()) if rows else None

    def select(self, message_id: int) -> bool:
        for i, row in enumerate(self.model.rows()):
            if row.id == message_id:
                self.view.selectRow(i)
                return True
        return False

    def _selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_actions()

    def _update_actions(self) -> None:
        row = self.selected_row()
        self.export_link.setEnabled(row is not None)
        self.retry_link.setEnabled(
            row is not None and row.state is not DeliveryState.SENT and not row.sending
        )
        if row is None:
            self.detail_label.setText("Select an email to retry it or export it.")
            return
        text = f"To {row.to_address}: {status_text(row)}"
        if row.attempts:
            text += f" after {row.attempts} attempt{'s' if row.attempts != 1 else ''}"
        text += "."
        if row.last_error:
            text += f"\nLast error: {row.last_error}"
        self.detail_label.setText(text)

    # --- acting ------------------------------------------------------------------------

    @writes
    def retry_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        if self.call(outbox.retry_now, self.actor, row.id) is not None:
            self.refresh()
            self.main.statusBar().showMessage(
                f"The email to {row.to_address} is sent again at once, in the background."
            )

    def export_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        raw = self.call(notifications.raw_email, self.actor, row.id)
        if raw is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export email", f"email-{row.id}.eml", "Email message (*.eml)"
        )
        # The stored text as it is: CRLF line endings, as RFC 5322 writes them.
        if path and ops.attempt(self, write_private, Path(path), raw.encode("utf-8")):
            self.main.statusBar().showMessage(f"The email was saved as {path}.")

    @writes
    def edit_server(self) -> None:
        if SmtpSettingsDialog.ask(self, self.actor) is not None:
            self.refresh()
            self.main.statusBar().showMessage("Email server saved.")


@router.command("email_server")
def email_server(parent: QWidget, actor: Actor) -> EmailServer | None:
    """*Email Server*: the saved server, or None if nothing was saved."""
    return SmtpSettingsDialog.ask(parent, actor)


class SmtpSettingsDialog(QDialog):
    """Email Server: host, port, security, username, password, sender address;
    *Send Test Email*; Save or Cancel."""

    def __init__(self, parent: QWidget | None, actor: Actor) -> None:
        super().__init__(parent)
        self.actor = actor
        self.saved: EmailServer | None = None
        self.setWindowTitle("Email Server")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Email Server", 2))
        layout.addWidget(
            note(
                "MTC Desktop sends its emails through this server. Leave the server empty "
                "to keep emails in the outbox."
            )
        )
        form = QFormLayout()
        self.host_edit = QLineEdit()
        self.host_edit.setAccessibleName("Server")
        self.host_edit.setPlaceholderText("e.g. smtp.example.org")
        self.port_spin = QSpinBox()
        self.port_spin.setRange(0, 65535)
        self.port_spin.setAccessibleName("Port")
        self.security_combo = QComboBox()
        self.security_combo.setAccessibleName("Security")
        for security in Security:
            self.security_combo.addItem(security.label, security)
        self.username_edit = QLineEdit()
        self.username_edit.setAccessibleName("Username")
        self.username_edit.setPlaceholderText("empty if the server needs no login")
        self.password_edit = QLineEdit()
        self.password_edit.setAccessibleName("Password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.from_edit = QLineEdit()
        self.from_edit.setAccessibleName("Sender address")
        self.errors: dict[str, QLabel] = {}
        for label, field, widget in (
            ("&Server:", "host", self.host_edit),
            ("&Port:", "port", self.port_spin),
            ("S&ecurity:", "security", self.security_combo),
            ("&Username:", "username", self.username_edit),
            ("Pass&word:", "password", self.password_edit),
            ("Sen&der address:", "from_address", self.from_edit),
        ):
            form.addRow(label, widget)
            self.errors[field] = error_label()
            form.addRow("", self.errors[field])
        layout.addLayout(form)

        test_row = QHBoxLayout()
        test_label = QLabel("Send a &test email to:")
        self.test_edit = QLineEdit()
        self.test_edit.setAccessibleName("Test email address")
        self.test_edit.setPlaceholderText("your email address")
        test_label.setBuddy(self.test_edit)
        self.test_button = QPushButton("Send Test Email")
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self.send_test_email)
        test_row.addWidget(test_label)
        test_row.addWidget(self.test_edit, 1)
        test_row.addWidget(self.test_button)
        layout.addLayout(test_row)
        self.errors["to_address"] = error_label()
        layout.addWidget(self.errors["to_address"])
        self.test_result = QLabel("")
        self.test_result.setWordWrap(True)
        self.test_result.setAccessibleName("Test email result")
        self.test_result.setVisible(False)
        layout.addWidget(self.test_result)
        self.error_label = error_label()
        layout.addWidget(self.error_label)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.save)  # a click, so that it names the button
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        self._testing = False
        self._load()
        self.security_combo.currentIndexChanged.connect(self._security_changed)
        self.resize(560, self.sizeHint().height())

    @classmethod
    def ask(cls, parent: QWidget | None, actor: Actor) -> EmailServer | None:
        """Edit the email server; the saved server, or None if nothing was saved."""
        if not ops.attempt(parent, outbox.email_server, actor):  # DOR staff only
            return None
        dialog = cls(parent, actor)
        try:
            dialog.exec()
            return dialog.saved
        finally:
            dialog.deleteLater()

    def _load(self) -> None:
        server = outbox.email_server(self.actor)
        self.host_edit.setText(server.host)
        self.port_spin.setValue(server.port)
        self.security_combo.setCurrentIndex(self.security_combo.findData(server.security))
        self.username_edit.setText(server.username)
        self.from_edit.setText(server.from_address)
        from mtc_desktop.notify.compose import DOR_SENDER_ADDRESS

        self.from_edit.setPlaceholderText(f"{DOR_SENDER_ADDRESS} (the default)")
        if server.password_from_environment:
            self.password_edit.setPlaceholderText(f"set by {outbox.PASSWORD_ENV}")
        elif server.password_saved:
            self.password_edit.setPlaceholderText("saved; type to replace it")
        self._security = server.security

    def _security_changed(self, _index: int) -> None:
        security: Security = self.security_combo.currentData()
        if self.port_spin.value() in (0, self._security.default_port):
            self.port_spin.setValue(security.default_port)
        self._security = security

    def settings(self) -> ServerSettings:
        """What the dialog holds now; an empty password keeps the saved one."""
        return ServerSettings(
            host=self.host_edit.text(),
            port=self.port_spin.value(),
            security=self.security_combo.currentData(),
            username=self.username_edit.text(),
            password=self.password_edit.text() or None,
            from_address=self.from_edit.text(),
        )

    def _clear_errors(self) -> None:
        for label in (*self.errors.values(), self.error_label):
            show_text(label, "")

    def _show_errors(self, exc: InvalidInput) -> None:
        for field, text in exc.errors.items():
            show_text(self.errors.get(field, self.error_label), text)
        first = {
            "host": self.host_edit,
            "port": self.port_spin,
            "username": self.username_edit,
            "password": self.password_edit,
            "from_address": self.from_edit,
            "to_address": self.test_edit,
        }.get(exc.field)
        if first is not None:
            first.setFocus()

    @writes
    def save(self) -> None:
        self._clear_errors()
        saved = (
            ops.Op(self, lambda: outbox.save_email_server(self.actor, self.settings()))
            .refused(self._show_refusal)
            .run()
        )
        if saved is None:
            return
        self.saved = saved
        self.accept()

    def _show_refusal(self, exc: MtcError) -> None:
        if isinstance(exc, InvalidInput):
            self._show_errors(exc)
        else:
            show_text(self.error_label, exc.message)

    # --- the test email, off the GUI thread ---------------------------------------------

    @property
    def testing(self) -> bool:
        return self._testing

    def send_test_email(self) -> None:
        if self._testing:
            return
        self._clear_errors()
        self.test_result.setVisible(False)
        settings, to, actor = self.settings(), self.test_edit.text(), self.actor
        self._testing = True
        self.test_button.setEnabled(False)
        self.test_button.setText("Sending…")
        (
            ops.Op(self, lambda: outbox.send_test_email(actor, settings, to))
            .success(lambda text: self._test_finished("ok", text))
            .refused(
                lambda exc: self._test_finished(
                    "invalid" if isinstance(exc, InvalidInput) else "error", exc
                )
            )
            .failed(lambda exc: self._test_finished("error", "The test email was not sent."))
            .run_in_background(name="mtc-test-email")
        )

    def _test_finished(self, kind: str, value: object) -> None:
        self._testing = False
        self.test_button.setEnabled(True)
        self.test_button.setText("Send Test Email")
        if isinstance(value, InvalidInput):
            self._show_errors(value)
            return
        if isinstance(value, MtcError):
            value = value.message
        self.test_result.setProperty("role", "success" if kind == "ok" else "error")
        self.test_result.style().unpolish(self.test_result)
        self.test_result.style().polish(self.test_result)
        self.test_result.setText(str(value))
        self.test_result.setVisible(True)
