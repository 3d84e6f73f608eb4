"""Third-party mode: one client's accounts, and the way to each account's page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QTableView,
)

from mtc_desktop.gui import ops, router
from mtc_desktop.gui.models import AccessModel
from mtc_desktop.gui.pages import Page
from mtc_desktop.gui.widgets import (
    LinkButton,
    heading,
    note,
    place_links,
    setup_table,
)
from mtc_desktop.services import clients, grants
from mtc_desktop.services.grants import GrantView

if TYPE_CHECKING:
    from mtc_desktop.gui.main_window import MainWindow

# --- one client: its accounts -------------------------------------------------------------


@router.page("client")
class ClientPage(Page):
    """A client's accounts, one row per account with the access level; each opens the
    account's page."""

    title = "Client"

    def __init__(self, main: MainWindow, taxpayer_id: int) -> None:
        super().__init__(main)
        self.taxpayer_id = taxpayer_id
        self.name_heading = heading("Client")
        self.body.addWidget(self.name_heading)
        self.details = note("")
        self.body.addWidget(self.details)
        self.hint = note("")
        self.body.addWidget(self.hint)
        self.model = AccessModel(parent=self)
        self.view = QTableView()
        self.view.setAccessibleName("Accounts of this client")
        self.view.setModel(self.model)
        setup_table(self.view, stretch_column=AccessModel.Column.ACCOUNT_TYPE)
        self.view.setTabKeyNavigation(False)
        self.body.addWidget(self.view)
        self.poa_panel = router.make_panel("poa.client", self, taxpayer_id=taxpayer_id)
        self.body.addWidget(self.poa_panel)
        self.body.addStretch(1)

    def refresh(self) -> None:
        self.poa_panel.refresh()
        rows: list[GrantView] = ops.call(self, grants.my_access, self.actor, self.taxpayer_id) or []
        if rows:
            first = rows[0]
            name = first.taxpayer_name
            self.details.setText(
                f"ID {first.taxpayer_masked_id}"
                + (" · your own business" if first.own_business else "")
                + f" · {len(rows)} account{'s' if len(rows) != 1 else ''} you may act on"
            )
            self.hint.setText(
                "Select an account ID to see what you may do on the account, and its activity."
            )
        else:
            name = ops.call(self, clients.taxpayer_name, self.actor, self.taxpayer_id) or "Client"
            self.details.setText("You no longer have access to any of this client's accounts.")
            self.hint.setText(
                "To work for this client again, send a new request for the taxpayer's approval."
            )
        self.title = name
        self.name_heading.setText(name)
        self.model.set_rows(rows)
        links = []
        for grant in rows:
            link = LinkButton(grant.account.number)
            link.setAccessibleDescription(f"Open the {grant.account.account_type.label} account")
            link.clicked.connect(lambda _=False, g=grant: self.open_account(g.account.id))
            links.append(link)
        place_links(self.view, AccessModel.Column.ACCOUNT, links)
        height = self.view.horizontalHeader().sizeHint().height() + 32 * max(1, len(rows)) + 4
        self.view.setFixedHeight(min(height, 420))

    def account_links(self) -> list[LinkButton]:
        return [
            w
            for row in range(self.model.rowCount())
            if isinstance(
                w := self.view.indexWidget(self.model.index(row, AccessModel.Column.ACCOUNT)),
                LinkButton,
            )
        ]

    def open_account(self, account_id: int) -> None:
        self.main.open_page("client_account", account_id=account_id)
