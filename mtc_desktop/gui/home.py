"""The first page after logging in: the logon's own tax accounts and what waits for it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QTableView

from mtc_desktop.domain.model import Role
from mtc_desktop.gui import router
from mtc_desktop.gui.models import AccountsModel
from mtc_desktop.gui.pages import Page
from mtc_desktop.gui.widgets import LinkButton, heading, note, setup_table
from mtc_desktop.services import accounts, notifications, requests

if TYPE_CHECKING:
    from mtc_desktop.gui.main_window import MainWindow


@router.page("home")
class HomePage(Page):
    title = "Home"
    _pending = 0

    def __init__(self, main: MainWindow) -> None:
        super().__init__(main)
        self.body.addWidget(heading(f"Welcome, {self.actor.display_name}"))
        self.summary = note("")
        self.body.addWidget(self.summary)
        if self.actor.role is Role.THIRD_PARTY:
            tools = QHBoxLayout()
            self.clients_link = LinkButton("My Clients")
            self.clients_link.clicked.connect(main.open_clients)
            self.new_request_link = self.action_link("request_access")
            tools.addWidget(self.clients_link)
            tools.addWidget(self.new_request_link)
            tools.addStretch(1)
            self.body.addLayout(tools)
        row = QHBoxLayout()
        self.requests_link = self.action_link("access_requests")
        self.inbox_link = LinkButton("Open Inbox")
        self.inbox_link.clicked.connect(main.open_inbox)
        row.addWidget(self.requests_link)
        row.addWidget(self.inbox_link)
        row.addStretch(1)
        self.body.addLayout(row)
        self.accounts_heading = heading("My tax accounts", 2)
        self.body.addWidget(self.accounts_heading)
        self.accounts_model = AccountsModel(parent=self)
        self.accounts_view = QTableView()
        self.accounts_view.setAccessibleName("My tax accounts")
        self.accounts_view.setModel(self.accounts_model)
        setup_table(self.accounts_view, stretch_column=AccountsModel.Column.NUMBER)
        self.body.addWidget(self.accounts_view)
        self.profile_hint = note(
            "Select Manage My Profile, then the More… tab, to manage who may act on your "
            "tax accounts."
        )
        self.body.addWidget(self.profile_hint)
        self.body.addStretch(1)

    def refresh(self) -> None:
        own = self.call(accounts.my_accounts, self.actor) or []
        self.accounts_model.set_rows(own)
        has_identity = self.actor.role is not Role.DOR_STAFF
        self.accounts_heading.setVisible(has_identity)
        self.accounts_view.setVisible(has_identity)
        self.accounts_view.setMinimumHeight(min(8, max(2, len(own) + 1)) * 32 + 6)
        self._pending = (
            len(self.call(requests.pending_for_me, self.actor) or []) if has_identity else 0
        )
        self.requests_link.setVisible(bool(self._pending))
        counts = self.call(notifications.inbox_counts, self.actor)
        if counts is not None:
            self.show_inbox_counts(counts)

    def show_inbox_counts(self, counts: notifications.InboxCounts) -> None:
        pending, unread = self._pending, counts.unread
        parts = []
        if pending:
            parts.append(
                f"{pending} access request{'s' if pending != 1 else ''} from third parties "
                "wait{} for your decision.".format("s" if pending == 1 else "")
            )
        if unread:
            parts.append(f"You have {unread} unread message{'s' if unread != 1 else ''}.")
        self.summary.setText(" ".join(parts) or "Nothing is waiting for you.")
        self.inbox_link.setVisible(bool(unread))
