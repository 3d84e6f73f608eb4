"""The main window: a header with the logon's name and mode and the navigation links, and
a stack of pages. Pages are pushed as the user follows links (Manage My Profile → More… →
...), with Back returning to the page before."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QWidget

from mtc_desktop.domain.model import Role
from mtc_desktop.gui import page_registry, router
from mtc_desktop.gui.forms.ui_main_window import Ui_MainWindow
from mtc_desktop.gui.pages import Page
from mtc_desktop.gui.widgets import LinkButton
from mtc_desktop.services import notifications
from mtc_desktop.services.base import Actor

EXPIRY_SWEEP_MS = 10 * 60 * 1000

MODE_LABELS = {
    Role.TAXPAYER: "Taxpayer",
    Role.THIRD_PARTY: "Third party",
    Role.DOR_STAFF: "DOR staff",
}


class MainWindow(QMainWindow):
    switch_logon_requested = Signal()

    def __init__(self, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.actor = actor
        self.form = Ui_MainWindow()
        self.form.setupUi(self)
        self.setWindowTitle(actor.display_name)  # the system adds " — MTC Desktop"
        self.form.header.setObjectName("header")
        self.form.nameLabel.setObjectName("nameLabel")
        self.form.nameLabel.setText(f"{actor.display_name}  ·  {actor.username}")
        self.form.modeLabel.setText(f"{MODE_LABELS[actor.role]} mode")
        self._history: list[Page] = []

        nav = self.form.navLayout
        self.back_link = LinkButton("Back")
        self.back_link.clicked.connect(self.go_back)
        self.home_link = LinkButton("Home")
        self.home_link.clicked.connect(self.go_home)
        self.inbox_link = LinkButton("Inbox")
        self.inbox_link.clicked.connect(self.open_inbox)
        self.profile_link = LinkButton("Manage My Profile")
        self.profile_link.clicked.connect(self.open_profile)
        self.switch_link = LinkButton("Switch Logon")
        self.switch_link.clicked.connect(self.switch_logon_requested.emit)
        for link in (
            self.back_link,
            self.home_link,
            self.inbox_link,
            self.profile_link,
            self.switch_link,
        ):
            nav.addWidget(link)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Back), self, self.go_back)
        QShortcut(QKeySequence("Alt+Left"), self, self.go_back)

        from mtc_desktop.gui.idle import IdleLock

        self.idle_lock = IdleLock(self, actor, self.switch_logon_requested.emit)
        # Requests past their period expire while the program stays open, too (both sides
        # are told); the sweep also runs at every login.
        self.expiry_timer = QTimer(self)
        self.expiry_timer.setInterval(EXPIRY_SWEEP_MS)
        self.expiry_timer.timeout.connect(self.sweep_expired)
        self.expiry_timer.start()
        self.resize(1100, 740)
        self.go_home()

    # --- navigation --------------------------------------------------------------------

    @property
    def current_page(self) -> Page | None:
        return self._history[-1] if self._history else None

    def push(self, page: Page) -> Page:
        """Show ``page`` on top of the current one."""
        self._history.append(page)
        self.form.pages.addWidget(page)
        self.form.pages.setCurrentWidget(page)
        page.refresh()
        self._update_chrome()
        page.focus_first()
        return page

    def replace_all(self, *pages: Page) -> None:
        while self._history:
            old = self._history.pop()
            self.form.pages.removeWidget(old)
            old.deleteLater()
        for page in pages:
            self.push(page)

    def go_back(self) -> None:
        if len(self._history) <= 1:
            return
        old = self._history.pop()
        self.form.pages.removeWidget(old)
        old.deleteLater()
        page = self._history[-1]
        self.form.pages.setCurrentWidget(page)
        page.refresh()
        self._update_chrome()
        page.focus_first()

    def _update_chrome(self) -> None:
        # A status-bar message is about the page it was shown on: a new page starts without
        # one (an action that moves to another page shows its message after the move).
        self.statusBar().clearMessage()
        self.back_link.setEnabled(len(self._history) > 1)
        trail = " › ".join(p.title for p in self._history)
        self.form.breadcrumbLabel.setText(trail)
        self.refresh_inbox_count()

    def refresh_inbox_count(self) -> None:
        """Reread the inbox's counts and show them in the header and on the page showing,
        if it shows them: one count, from one place."""
        counts = notifications.inbox_counts(self.actor)
        self.inbox_link.setText(f"Inbox ({counts.unread} unread)" if counts.unread else "Inbox")
        page = self.current_page
        if page is not None:
            page.show_inbox_counts(counts)

    def open_page(self, key: str, *, under: str | None = None, **args: Any) -> Page:
        """Open the page registered as ``key`` (gui/router.py) with ``args``: over the
        page showing, or over Home (``under="home"``) or Home › Manage My Profile
        (``under="profile"``), the way the FAQ's steps reach it."""
        page = router.make_page(self, key, **args)
        if under == "home":
            self.replace_all(*self.home_pages(), page)
        elif under == "profile":
            self.replace_all(*self.home_pages(), router.make_page(self, "profile"), page)
        else:
            assert under is None, under
            self.push(page)
        return page

    def home_page(self) -> Page:
        """The first page: DOR staff's back office, or the logon's own home."""
        key = "dor_home" if self.actor.role is Role.DOR_STAFF else "home"
        return router.make_page(self, key)

    def home_pages(self) -> list[Page]:
        """What *Home* shows, the same at login and every time after: the home page, and
        for a third party its clients over it (FAQ: a third party logs in to its clients,
        its favorites first)."""
        pages = [self.home_page()]
        if self.actor.role is Role.THIRD_PARTY:
            pages.append(router.make_page(self, "clients"))
        return pages

    def go_home(self) -> None:
        self.replace_all(*self.home_pages())

    def open_profile(self) -> None:
        self.replace_all(*self.home_pages(), router.make_page(self, "profile"))

    def open_clients(self) -> None:
        if self.actor.role is Role.THIRD_PARTY:
            self.go_home()  # a third party's Home is its clients
            return
        self.replace_all(self.home_page(), router.make_page(self, "clients"))

    def open_inbox(self) -> None:
        self.open_page("inbox", under="home")

    def sweep_expired(self) -> int:
        """Expire overdue requests; reread the page and the inbox count if any did."""
        from mtc_desktop.domain.errors import MtcError
        from mtc_desktop.services import requests

        try:
            count = requests.expire_overdue()
        except MtcError:
            return 0  # the database is away for a moment; the next sweep tries again
        if count and self.current_page is not None:
            self.current_page.refresh()
            self.refresh_inbox_count()
        return count

    def closeEvent(self, event: QCloseEvent) -> None:
        self.expiry_timer.stop()
        self.idle_lock.stop()
        super().closeEvent(event)

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if (
            event.key() == Qt.Key.Key_Backspace
            and event.modifiers() == Qt.KeyboardModifier.AltModifier
        ):
            self.go_back()
            return
        super().keyPressEvent(event)
