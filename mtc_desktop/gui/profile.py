"""Manage My Profile: the logon's details, and the More… tab with its panels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFormLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from mtc_desktop.domain.model import Role
from mtc_desktop.gui import router
from mtc_desktop.gui.pages import Page
from mtc_desktop.gui.widgets import LinkButton, heading, note, panel
from mtc_desktop.services import clients, logons

if TYPE_CHECKING:
    from mtc_desktop.gui.main_window import MainWindow


@router.page("profile")
class ProfilePage(Page):
    title = "Manage My Profile"

    def __init__(self, main: MainWindow) -> None:
        super().__init__(main)
        self.body.addWidget(heading("Manage My Profile"))
        is_third_party = self.actor.role is Role.THIRD_PARTY
        # Shown once Change Client View is switched on (FAQ: Manage My Clients).
        self.clients_link = self.action_link("my_clients")
        self.clients_link.setVisible(False)
        self.body.addWidget(self.clients_link)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Profile tabs")
        self.body.addWidget(self.tabs)
        self._details = QWidget()
        self.details_form = QFormLayout(self._details)
        self.tabs.addTab(self._details, "Profile")
        more = QWidget()
        more_layout = QVBoxLayout(more)
        self.links: dict[str, LinkButton] = {}
        self.poa_panel: QWidget | None = None  # beside Third-party Access
        if self.actor.role is Role.DOR_STAFF:
            # DOR staff's tools are all on their Home page; an empty More… tab is not shown.
            self.body.addWidget(
                note("The back office's tools are on Home: select Home above to reach them.")
            )
        else:
            self.tabs.addTab(more, "More…")

        if self.actor.role is not Role.DOR_STAFF:
            box, layout = panel("Third-party Access")
            if is_third_party:
                layout.addWidget(note("Ask a taxpayer for access to act on its tax accounts."))
                self._link(layout, "request_access")
                layout.addWidget(note("Decide who may act on your own business's tax accounts."))
            else:
                layout.addWidget(
                    note("Decide who may act on your tax accounts, and what they may do.")
                )
            self._link(layout, "access_requests")
            self._link(layout, "third_parties")
            more_layout.addWidget(box)
            if self.actor.taxpayer_id is not None:
                self.poa_panel = router.make_panel("poa.profile", self)
                more_layout.addWidget(self.poa_panel)
        if is_third_party:
            box, layout = panel("Access")
            layout.addWidget(
                note("Your access to your clients' accounts and your own business's accounts.")
            )
            self._link(layout, "my_access")
            self._link(layout, "change_client_view")
            more_layout.addWidget(box)
        more_layout.addStretch(1)
        self.tabs.setCurrentIndex(self.tabs.count() - 1)
        self.body.addStretch(1)

    def _link(self, layout: QVBoxLayout, action_id: str) -> None:
        """A link of the More… tab: the registry's action (the same as the Go menu's)."""
        link = self.action_link(action_id)
        layout.addWidget(link)
        self.links[link.text()] = link

    def refresh(self) -> None:
        if self.poa_panel is not None:
            self.poa_panel.refresh()  # type: ignore[attr-defined]
        if self.actor.role is Role.THIRD_PARTY:
            self.clients_link.setVisible(bool(self.call(clients.client_view_enabled, self.actor)))
        profile = self.call(logons.profile, self.actor)
        while self.details_form.rowCount():
            self.details_form.removeRow(0)
        if profile is None:
            return
        rows = [
            ("Username", profile.username),
            ("Email", profile.email),
            ("Name", profile.display_name),
            ("Mode", profile.role.label),
        ]
        if profile.id_type is not None:
            rows.append((profile.id_type.value, profile.masked_id))
        for label, value in rows:
            text = QLabel(value)
            text.setAccessibleName(label)
            self.details_form.addRow(f"{label}:", text)
