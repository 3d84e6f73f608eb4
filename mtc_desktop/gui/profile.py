"""Manage My Profile: the logon's details, and the More… tab with its panels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFormLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from mtc_desktop.domain.model import Role
from mtc_desktop.gui.pages import Page
from mtc_desktop.gui.widgets import LinkButton, heading, note, panel
from mtc_desktop.services import logons

if TYPE_CHECKING:
    from mtc_desktop.gui.main_window import MainWindow


class ProfilePage(Page):
    title = "Manage My Profile"

    def __init__(self, main: MainWindow) -> None:
        super().__init__(main)
        self.body.addWidget(heading("Manage My Profile"))
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Profile tabs")
        self.body.addWidget(self.tabs)
        self._details = QWidget()
        self.details_form = QFormLayout(self._details)
        self.tabs.addTab(self._details, "Profile")
        more = QWidget()
        more_layout = QVBoxLayout(more)
        self.tabs.addTab(more, "More…")
        self.links: dict[str, LinkButton] = {}

        if self.actor.role is not Role.DOR_STAFF:
            box, layout = panel("Third-party Access")
            layout.addWidget(note("Decide who may act on your tax accounts, and what they may do."))
            self._link(layout, "View Access Requests from Third Parties", self._open_requests)
            self._link(layout, "Manage Third-party Access", self._open_third_parties)
            more_layout.addWidget(box)
        more_layout.addStretch(1)
        self.tabs.setCurrentIndex(1)
        self.body.addStretch(1)

    def _link(self, layout: QVBoxLayout, text: str, slot: object) -> None:
        link = LinkButton(text)
        link.clicked.connect(slot)
        layout.addWidget(link)
        self.links[text] = link

    def refresh(self) -> None:
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

    def _open_requests(self) -> None:
        from mtc_desktop.gui.taxpayer import AccessRequestsPage

        self.main.push(AccessRequestsPage(self.main))

    def _open_third_parties(self) -> None:
        from mtc_desktop.gui.taxpayer import ThirdPartiesPage

        self.main.push(ThirdPartiesPage(self.main))
