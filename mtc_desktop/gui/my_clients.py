"""Manage My Clients: the client tools a third party turns on with *Change Client View* —
its client list, its requests with their status (withdraw a pending one, print its form
again), and a new request for a client whose access ended."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.model import ApprovalMethod, RequestStatus
from mtc_desktop.gui import dialogs, ops, router
from mtc_desktop.gui.busy import connect_write, writes
from mtc_desktop.gui.models import FormerClientsModel, MyRequestsModel
from mtc_desktop.gui.pages import Page
from mtc_desktop.gui.widgets import LinkButton, ResultLabel, heading, note, setup_table
from mtc_desktop.services import clients, grants, requests
from mtc_desktop.services.base import Actor
from mtc_desktop.services.requests import RequestView

if TYPE_CHECKING:
    from mtc_desktop.gui.main_window import MainWindow

SHOWN = 200  # newest requests shown at once; typing narrows the rest
STATUS_CHOICES: tuple[tuple[str, RequestStatus | None], ...] = (
    ("Pending", RequestStatus.PENDING),
    ("All", None),
    ("Approved", RequestStatus.APPROVED),
    ("Denied", RequestStatus.DENIED),
    ("Withdrawn", RequestStatus.WITHDRAWN),
    ("Expired", RequestStatus.EXPIRED),
)


@router.page("my_clients")
class ManageMyClientsPage(Page):
    title = "Manage My Clients"

    def __init__(self, main: MainWindow) -> None:
        super().__init__(main)
        self.body.addWidget(heading("Manage My Clients"))
        links = QHBoxLayout()
        self.clients_link = LinkButton("All Clients")
        self.clients_link.clicked.connect(self._open_clients)
        self.request_link = LinkButton("Request to Manage Other Taxpayer's Accounts")
        connect_write(self.request_link, self.new_request)
        self.access_link = LinkButton("Manage My Access")
        self.access_link.clicked.connect(self._open_my_access)
        for link in (self.clients_link, self.request_link, self.access_link):
            links.addWidget(link)
        links.addStretch(1)
        self.body.addLayout(links)

        self.body.addWidget(heading("My requests", 2))
        bar = QHBoxLayout()
        self.status_box = QComboBox()
        self.status_box.setAccessibleName("Request status")
        for label, _status in STATUS_CHOICES:
            self.status_box.addItem(label)
        self.status_box.currentIndexChanged.connect(self.refresh)
        status_label = QLabel("&Status:")
        status_label.setBuddy(self.status_box)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by taxpayer name, ID or request number")
        self.filter_edit.setAccessibleName("Filter requests")
        self.filter_edit.setClearButtonEnabled(True)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(150)
        self._filter_timer.timeout.connect(self.refresh)
        self.filter_edit.textChanged.connect(self._filter_timer.start)
        bar.addWidget(status_label)
        bar.addWidget(self.status_box)
        bar.addWidget(self.filter_edit, 1)
        self.body.addLayout(bar)
        self.requests_model = MyRequestsModel(parent=self)
        self.requests_view = QTableView()
        self.requests_view.setAccessibleName("My requests")
        self.requests_view.setModel(self.requests_model)
        setup_table(self.requests_view, stretch_column=MyRequestsModel.Column.ACCOUNTS)
        self.requests_view.setMinimumHeight(220)
        self.requests_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.body.addWidget(self.requests_view, 1)
        self.count_label = note("")
        self.body.addWidget(self.count_label)
        actions = QHBoxLayout()
        self.print_button = QPushButton("Print Client Authorization")
        self.print_button.clicked.connect(self._print)
        self.withdraw_button = QPushButton("Withdraw Request")
        self.withdraw_button.clicked.connect(self._withdraw)
        self.again_button = QPushButton("New Request")
        self.again_button.setAccessibleName("New Request for this taxpayer")
        self.again_button.clicked.connect(self._request_again)
        for button in (self.print_button, self.withdraw_button, self.again_button):
            button.setAutoDefault(False)
            actions.addWidget(button)
        actions.addStretch(1)
        self.body.addLayout(actions)

        self.body.addWidget(heading("Former clients", 2))
        self.body.addWidget(
            note(
                "Clients whose access was canceled. Access comes back only through a new "
                "request that the taxpayer approves."
            )
        )
        self.former_model = FormerClientsModel(parent=self)
        self.former_view = QTableView()
        self.former_view.setAccessibleName("Former clients")
        self.former_view.setModel(self.former_model)
        setup_table(self.former_view, stretch_column=FormerClientsModel.Column.NAME)
        self.former_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.body.addWidget(self.former_view)
        self.former_empty = note("You have no former clients.")
        self.body.addWidget(self.former_empty)
        former_actions = QHBoxLayout()
        self.former_button = QPushButton("New Request for Former Client")
        self.former_button.setAutoDefault(False)
        self.former_button.clicked.connect(self._request_former)
        former_actions.addWidget(self.former_button)
        former_actions.addStretch(1)
        self.body.addLayout(former_actions)
        self.result_label = ResultLabel()  # announced by a screen reader
        self.body.addWidget(self.result_label)

    # --- reading -----------------------------------------------------------------------

    @property
    def status(self) -> RequestStatus | None:
        return STATUS_CHOICES[self.status_box.currentIndex()][1]

    def refresh(self) -> None:
        text = self.filter_edit.text()
        rows = self.call(requests.my_requests, self.actor, self.status, text=text, limit=SHOWN)
        total = self.call(requests.count_my_requests, self.actor, self.status, text=text)
        self.requests_model.set_rows(rows or [])
        shown, total = len(rows or []), total or 0
        what = self.status_box.currentText().lower()
        if total == 0:
            self.count_label.setText(f"No {what} requests." if what != "all" else "No requests.")
        elif shown < total:
            self.count_label.setText(
                f"Showing the newest {shown:,} of {total:,} requests. Type to narrow the list."
            )
        else:
            self.count_label.setText(f"{total:,} request{'s' if total != 1 else ''}.")
        former = self.call(grants.former_clients, self.actor) or []
        self.former_model.set_rows(former)
        self.former_view.setMinimumHeight(min(6, max(2, len(former) + 1)) * 32 + 6)
        self.former_view.setVisible(bool(former))
        self.former_button.setVisible(bool(former))
        self.former_empty.setVisible(not former)
        self._update_buttons()

    def selected_request(self) -> RequestView | None:
        rows = self.requests_view.selectionModel().selectedRows()
        return self.requests_model.row_object(rows[0].row()) if rows else None

    def select_request(self, number: str) -> None:
        for row, request in enumerate(self.requests_model.rows()):
            if request.number == number:
                self.requests_view.selectRow(row)
                return
        raise LookupError(number)

    def _update_buttons(self, *_args: QItemSelection) -> None:
        request = self.selected_request()
        pending = request is not None and request.status is RequestStatus.PENDING
        self.withdraw_button.setEnabled(pending)
        self.print_button.setEnabled(
            pending and request is not None and request.method is ApprovalMethod.PRINTED_FORM
        )
        self.again_button.setEnabled(
            request is not None
            and request.status
            in (RequestStatus.DENIED, RequestStatus.WITHDRAWN, RequestStatus.EXPIRED)
        )
        self.former_button.setEnabled(bool(self.former_view.selectionModel().selectedRows()))

    # --- acting --------------------------------------------------------------------------

    @writes
    def _print(self) -> None:
        from mtc_desktop.gui.authorization import print_client_authorization

        request = self.selected_request()
        if request is not None and not print_client_authorization(self, self.actor, request):
            self.refresh()

    @writes
    def _withdraw(self) -> None:
        request = self.selected_request()
        if request is None:
            return
        if not dialogs.confirm(
            self,
            "Withdraw Request",
            f"Withdraw request {request.number} for {request.taxpayer_name}?",
            "The taxpayer is emailed that it was withdrawn and can no longer approve it, and a "
            "printed Client Authorization for it will be refused by DOR. You can send a new "
            "request later.",
            yes="Withdraw",
            no="Keep",
        ):
            return
        done = self.call(requests.withdraw_request, self.actor, request.id)
        if done is not None:
            self.result_label.setText(f"Request {done.number} was withdrawn.")
            self.refresh()

    @writes
    def _request_again(self) -> None:
        request = self.selected_request()
        if request is not None:
            self.new_request(request.taxpayer_id_type, request.taxpayer_name)

    @writes
    def _request_former(self) -> None:
        rows = self.former_view.selectionModel().selectedRows()
        if rows:
            client = self.former_model.row_object(rows[0].row())
            self.new_request(client.id_type, client.name)

    def new_request(self, id_type: IdType | None = None, name: str = "") -> RequestView | None:
        """Open the request wizard, started with a former client's ID type and name."""
        created = router.run("request_access", self, self.actor, id_type=id_type, legal_name=name)
        if created is not None:
            self.result_label.setText(
                f"Request {created.number} for {created.taxpayer_name} was sent."
            )
            self.status_box.setCurrentIndex(0)
            self.filter_edit.clear()
            self.refresh()
        return created

    def _open_clients(self) -> None:
        self.main.open_page("clients", start_on_favorites=False)

    def _open_my_access(self) -> None:
        self.main.open_page("my_access")


@router.command("change_client_view")
def change_client_view(parent: QWidget, actor: Actor) -> bool | None:
    """*Change Client View*: the choice saved, or None if cancelled."""
    return ChangeClientViewDialog.ask(parent, actor)


class ChangeClientViewDialog(QDialog):
    """Change Client View: a check box, *Submit* or *Cancel* (FAQ: What if a third party
    does not see Manage My Clients?)."""

    def __init__(self, parent: QWidget, enabled: bool) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change Client View")
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Change Client View", 2))
        layout.addWidget(
            note(
                "Manage My Clients gathers the client tools: your client list, your requests "
                "with their status, and new requests for former clients. It appears under "
                "Manage My Profile."
            )
        )
        self.check_box = QCheckBox("Show Manage My Clients (client management features)")
        self.check_box.setChecked(enabled)
        layout.addWidget(self.check_box)
        buttons = QDialogButtonBox()
        self.submit_button = buttons.addButton("Submit", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    @classmethod
    def ask(cls, parent: QWidget, actor: Actor) -> bool | None:
        """Show the dialog; on *Submit* save the choice and return it, on *Cancel* None."""
        enabled = ops.call(parent, clients.client_view_enabled, actor)
        if enabled is None:  # the refusal was shown; nothing changed
            return None
        dialog = cls(parent, enabled)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            choice = dialog.check_box.isChecked()
            if not ops.attempt(parent, clients.set_client_view, actor, choice):
                return None  # the refusal was shown; nothing changed
            return choice
        finally:
            dialog.deleteLater()
