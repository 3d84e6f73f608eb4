"""Third-party mode: *Manage My Access* → *Tax Administrator* → *Cancel My Access*."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from PySide6.QtCore import (
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
)

from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import GrantStatus
from mtc_desktop.domain.text import search_words
from mtc_desktop.gui import dialogs, ops, router
from mtc_desktop.gui.busy import writes
from mtc_desktop.gui.levels import describe_level
from mtc_desktop.gui.models import RowsModel, day
from mtc_desktop.gui.pages import Page
from mtc_desktop.gui.widgets import (
    LinkButton,
    heading,
    note,
    panel,
    place_links,
    setup_table,
)
from mtc_desktop.services import clients, grants
from mtc_desktop.services.clients import ClientAccess, ClientRow
from mtc_desktop.services.grants import GrantView

if TYPE_CHECKING:
    from mtc_desktop.gui.main_window import MainWindow
from mtc_desktop.gui.clients_model import (
    OWN_BUSINESS,
    client_name,
)

# --- Manage My Access → Tax Administrator → Cancel My Access -----------------------------


@dataclass(frozen=True)
class AccessRow:
    """One client and account on Manage My Access."""

    client: ClientRow
    access: ClientAccess


class MyAccessModel(RowsModel[AccessRow]):
    class Column(enum.IntEnum):
        CLIENT = 0
        ID = 1
        ACCOUNT_TYPE = 2
        ACCOUNT = 3
        LEVEL = 4
        ACTION = 5

    HEADERS: ClassVar[dict[int, str]] = {
        Column.CLIENT: "Client",
        Column.ID: "ID",
        Column.ACCOUNT_TYPE: "Account type",
        Column.ACCOUNT: "Account ID",
        Column.LEVEL: "Access Type",
        Column.ACTION: "",
    }
    ACCESSIBLE_HEADERS: ClassVar[dict[int, str]] = {Column.ACTION: "Manage access"}

    def display(self, obj: AccessRow, column: int) -> str:
        return {
            self.Column.CLIENT: client_name(obj.client),
            self.Column.ID: obj.client.masked_id,
            self.Column.ACCOUNT_TYPE: obj.access.account_type.label,
            self.Column.ACCOUNT: obj.access.account_number,
            self.Column.LEVEL: obj.access.level.label,
            self.Column.ACTION: "Tax Administrator",  # the link's text, for a screen reader
        }[self.Column(column)]


@router.page("my_access")
class MyAccessPage(Page):
    """Manage My Access: one row per client and account type, each with its *Tax
    Administrator* link. A firm with many clients finds one with the filter; the list
    shows the first :attr:`MAX_CLIENTS` that match."""

    title = "Manage My Access"
    MAX_CLIENTS = 100
    FILTER_DELAY_MS = 150  # each refilter builds a link per row

    def __init__(self, main: MainWindow) -> None:
        super().__init__(main)
        self.body.addWidget(heading("Manage My Access"))
        self.body.addWidget(
            note(
                "Locate the client and account type that you want to manage and select Tax "
                "Administrator. Your own business's accounts are managed the same way."
            )
        )
        top = QHBoxLayout()
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter clients")
        self.filter_edit.setAccessibleName("Filter clients")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setFixedWidth(420)  # the count beside it never moves it
        top.addWidget(self.filter_edit)
        top.addStretch(1)
        self.count_label = QLabel("")
        self.count_label.setObjectName("note")
        self.count_label.setAccessibleName("Accounts shown")
        top.addWidget(self.count_label)
        self.body.addLayout(top)
        self.model = MyAccessModel(parent=self)
        self.view = QTableView()
        self.view.setAccessibleName("My access to clients' accounts")
        self.view.setModel(self.model)
        setup_table(self.view, stretch_column=MyAccessModel.Column.CLIENT)
        self.view.setTabKeyNavigation(False)
        self.body.addWidget(self.view, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.FILTER_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.filter_edit.textChanged.connect(lambda _text: self._timer.start())

    def focus_first(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def refresh(self) -> None:
        self._timer.stop()
        text = self.filter_edit.text()
        ids = ops.call(self, clients.client_ids, self.actor, text, limit=self.MAX_CLIENTS + 1)
        found = ops.call(self, clients.client_rows, self.actor, (ids or [])[: self.MAX_CLIENTS])
        rows = [AccessRow(c, a) for c in found or [] for a in c.accesses]
        self.model.set_rows(rows)
        links = []
        for item in rows:
            link = LinkButton("Tax Administrator")
            link.setAccessibleDescription(
                f"Manage your access to {item.access.account_type.label} "
                f"{item.access.account_number} of {item.client.name}"
            )
            link.clicked.connect(lambda _=False, i=item: self.open_details(i.access.grant_id))
            links.append(link)
        names = [
            f"Tax Administrator for {i.access.account_type.label} {i.access.account_number} "
            f"of {i.client.name}"
            for i in rows
        ]
        place_links(self.view, MyAccessModel.Column.ACTION, links, names)
        if ids is not None and len(ids) > self.MAX_CLIENTS:
            total = ops.call(self, clients.count_clients, self.actor, text) or 0
            self.count_label.setText(
                f"The first {self.MAX_CLIENTS} of {total:,} clients; type in Filter clients "
                "to find another."
            )
        elif rows:
            accounts_n = len(rows)
            clients_n = len(found or [])
            self.count_label.setText(
                f"{accounts_n} account{'s' if accounts_n != 1 else ''} of "
                f"{clients_n} client{'s' if clients_n != 1 else ''}"
            )
        else:
            self.count_label.setText(
                "No client matches the filter." if search_words(text) else "You have no access."
            )

    def tax_administrator_links(self) -> list[LinkButton]:
        return [
            w
            for row in range(self.model.rowCount())
            if isinstance(
                w := self.view.indexWidget(self.model.index(row, MyAccessModel.Column.ACTION)),
                LinkButton,
            )
        ]

    def open_details(self, grant_id: int) -> None:
        self.main.push(AccessDetailsPage(self.main, grant_id))


@router.page("access_details")
class AccessDetailsPage(Page):
    """Tax Administrator: the access details of one client account, and *Cancel My Access*."""

    title = "Tax Administrator"

    def __init__(self, main: MainWindow, grant_id: int) -> None:
        super().__init__(main)
        self.grant_id = grant_id
        self.grant: GrantView | None = None
        self.body.addWidget(heading("Tax Administrator"))
        self.subtitle = note("")
        self.body.addWidget(self.subtitle)
        box, layout = panel("Access details")
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        self.fields: dict[str, QLabel] = {}
        for label in ("Client", "ID", "Account", "Access Type", "It allows", "Last changed"):
            value = QLabel("")
            value.setAccessibleName(label)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{label}:", value)
            self.fields[label] = value
        layout.addLayout(form)
        self.body.addWidget(box)
        self.cancel_note = note("")
        self.body.addWidget(self.cancel_note)
        row = QHBoxLayout()
        self.cancel_button = QPushButton("Cancel My Access")
        self.cancel_button.setAccessibleName("Cancel My Access")
        self.cancel_button.clicked.connect(self.cancel_my_access)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        self.body.addLayout(row)
        self.body.addStretch(1)

    def refresh(self) -> None:
        grant = ops.call(self, grants.my_grant, self.actor, self.grant_id)
        self.grant = grant
        if grant is None:
            self.subtitle.setText("There is no such access.")
            self.cancel_button.setEnabled(False)
            return
        own = grant.own_business
        self.fields["Client"].setText(
            f"{grant.taxpayer_name} ({OWN_BUSINESS})" if own else grant.taxpayer_name
        )
        self.fields["ID"].setText(grant.taxpayer_masked_id)
        self.fields["Account"].setText(grant.account.label)
        self.fields["Access Type"].setText(grant.level.label)
        self.fields["It allows"].setText(_allows(grant.level))
        self.fields["Last changed"].setText(day(grant.changed_at))
        active = grant.status is GrantStatus.ACTIVE
        self.cancel_button.setEnabled(active)
        if not active:
            self.subtitle.setText("This access was canceled; it cannot be undone.")
            self.cancel_note.setText(
                "To work on this account again, send a new request for the taxpayer's approval."
            )
            return
        self.subtitle.setText(
            "Your logon's access to your own business's account."
            if own
            else f"Your access to an account of {grant.taxpayer_name}."
        )
        self.cancel_note.setText(
            "Cancel My Access removes this logon's access to this account of its own "
            "business. It cannot be undone."
            if own
            else "Cancel My Access ends your access to this account. It cannot be undone: to "
            "work on it again you must send a new request, and the taxpayer must approve it."
        )

    @writes
    def cancel_my_access(self) -> None:
        grant = self.grant
        if grant is None:
            return
        if grant.own_business:
            text = f"Cancel this logon's access to {grant.account.label} of your own business?"
            informative = (
                "This removes the logon's access to its own business account. Once access "
                "is canceled, it cannot be undone."
            )
        else:
            text = f"Cancel your access to {grant.account.label} of {grant.taxpayer_name}?"
            informative = (
                "Once access is canceled, it cannot be undone. To restore it, you must send a "
                "new request and the taxpayer must approve it. The taxpayer is told by email."
            )
        if not dialogs.confirm(self, "Cancel My Access", text, informative):
            return
        done = self.call(grants.cancel_my_access, self.actor, self.grant_id)
        if done is None:
            return
        main = self.main
        main.go_back()  # first: the message is about the page it returns to
        main.statusBar().showMessage(
            f"Your access to {grant.account.label} of {grant.taxpayer_name} was canceled.",
            10000,
        )


def _allows(level: AccessLevel) -> str:
    text = describe_level(level).split(": ", 1)[1]
    return f"{text[0].upper()}{text[1:]}."
