"""The main window: a menu bar, the portal's header with the logon's name and mode and its
navigation links, and a stack of pages. Pages are opened by key (gui/router.py) as the
user follows links (Manage My Profile → More… → ...), with Back and Forward through them.
Every menu item, header link and shortcut is an action of the registry (gui/actions.py)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMenu, QWidget

from mtc_desktop.domain.model import Role
from mtc_desktop.gui import (
    desktop,
    page_registry,  # noqa: F401  (every page registers its key)
    router,
)
from mtc_desktop.gui.accessibility import announce
from mtc_desktop.gui.actions import MENUS, ActionLink, Actions
from mtc_desktop.gui.forms.ui_main_window import Ui_MainWindow
from mtc_desktop.gui.pages import Page
from mtc_desktop.services import notifications
from mtc_desktop.services.base import Actor

EXPIRY_SWEEP_MS = 10 * 60 * 1000
# Menu groups: File's printing, logon and quitting; Go's FAQ steps after its navigation.
SEPARATOR_BEFORE = {"print", "switch_logon", "quit", "access_requests", "find_request"}
SEPARATOR_BEFORE |= {"larger_text", "about"}
DEMO_TAG = "Demo"
RESET_DEMO_QUESTION = (
    "Put the demo database back as it was? Everything done in it since it was made is lost."
)
RESET_DEMO_DONE = "The demo database is back as it was made. Log in with a demo logon."

MODE_LABELS = {
    Role.TAXPAYER: "Taxpayer",
    Role.THIRD_PARTY: "Third party",
    Role.DOR_STAFF: "DOR staff",
}


class MainWindow(QMainWindow):
    switch_logon_requested = Signal()
    database_chosen = Signal(str)  # File → Open Database… / New Database…
    session_ended = Signal(str)  # log out with a message for the login window (Reset Demo)

    def __init__(self, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.actor = actor
        self.form = Ui_MainWindow()
        self.form.setupUi(self)
        from mtc_desktop.services.demo_logons import is_demo_database

        self.is_demo = is_demo_database()
        # The system adds " — MTC Desktop".
        self.setWindowTitle(
            f"{actor.display_name} — {DEMO_TAG}" if self.is_demo else actor.display_name
        )
        self.form.header.setObjectName("header")
        self.form.nameLabel.setObjectName("nameLabel")
        self.form.nameLabel.setText(f"{actor.display_name}  ·  {actor.username}")
        self.form.modeLabel.setText(f"{MODE_LABELS[actor.role]} mode")
        self.demo_tag: QLabel | None = None
        if self.is_demo:
            # Said in the header too: practice data, which Help → Reset Demo puts back.
            self.demo_tag = QLabel(DEMO_TAG)
            self.demo_tag.setObjectName("demoTag")
            self.demo_tag.setAccessibleName("Demo database")
            self.demo_tag.setAccessibleDescription(
                "Practice data for training; Help → Reset Demo puts it back as it was made."
            )
            self.demo_tag.setToolTip(self.demo_tag.accessibleDescription())
            self.form.headerLayout.insertWidget(1, self.demo_tag, 0, Qt.AlignmentFlag.AlignVCenter)
        self._history: list[Page] = []
        # Pages Back left, newest last: (key, arguments) to open again with Forward.
        self._forward: list[tuple[str, dict[str, Any]]] = []
        self._going_forward = False

        self.user_actions = Actions(self)
        self._build_menus()
        # The portal's header: its links are the Go menu's actions, with their mnemonics.
        nav = self.form.navLayout
        self.back_link = ActionLink(self.user_actions["back"], mnemonic=True)
        self.home_link = ActionLink(self.user_actions["home"], mnemonic=True)
        self.inbox_link = ActionLink(self.user_actions["inbox"], mnemonic=True)
        self.profile_link = ActionLink(self.user_actions["profile"], mnemonic=True)
        self.switch_link = ActionLink(self.user_actions["switch_logon"], mnemonic=True)
        for link in (
            self.back_link,
            self.home_link,
            self.inbox_link,
            self.profile_link,
            self.switch_link,
        ):
            nav.addWidget(link)

        from mtc_desktop.gui.idle import IdleLock

        self.idle_lock = IdleLock(self, actor, self.switch_logon_requested.emit)
        # Requests past their period expire while the program stays open, too (both sides
        # are told); the sweep also runs at every login.
        self.expiry_timer = QTimer(self)
        self.expiry_timer.setInterval(EXPIRY_SWEEP_MS)
        self.expiry_timer.timeout.connect(self.sweep_expired)
        self.expiry_timer.start()
        self.resize(1100, 740)
        # A status message is read out by a screen reader as it appears.
        status_bar = self.statusBar()
        status_bar.setAccessibleName("Status")
        status_bar.messageChanged.connect(lambda text: announce(status_bar, text))
        # A right click on a page offers the same actions as the Go and View menus.
        self.form.pages.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for action_id in ("back", "forward", "home", "refresh", "print"):
            self.form.pages.addAction(self.user_actions[action_id])
        desktop.restore_window(self, "main_window")
        self.go_home()

    def _build_menus(self) -> None:
        bar = self.menuBar()
        bar.setAccessibleName("Menu bar")
        self.menus: dict[str, QMenu] = {}
        for key, title in MENUS:
            menu = bar.addMenu(title)
            menu.setObjectName(f"{key}Menu")
            menu.setToolTipsVisible(True)
            self.menus[key] = menu
        for spec, action in self.user_actions.all():
            menu = self.menus[spec.menu]
            if spec.id in SEPARATOR_BEFORE:
                menu.addSeparator()
            menu.addAction(action)
            if spec.id == "new_database":
                self.recent_menu = menu.addMenu("Recent &Databases")
                self.recent_menu.setObjectName("recentMenu")
                self.recent_menu.aboutToShow.connect(self._fill_recent)
                self._fill_recent()
            if spec.id == "faq":
                from mtc_desktop.gui import tours  # Help → Show Me: the FAQ's tours

                tours.add_menu(menu, self)

    # --- navigation --------------------------------------------------------------------

    @property
    def current_page(self) -> Page | None:
        return self._history[-1] if self._history else None

    def push(self, page: Page) -> Page:
        """Show ``page`` on top of the current one."""
        if not self._going_forward:
            self._forward.clear()  # a new way: what Back left is no longer ahead
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
        if old.route is not None:
            self._forward.append(old.route)
        self.form.pages.removeWidget(old)
        old.deleteLater()
        page = self._history[-1]
        self.form.pages.setCurrentWidget(page)
        page.clear_results()  # they were about the page as it was left
        page.refresh()
        self._update_chrome()
        page.focus_first()

    def _update_chrome(self) -> None:
        # A status-bar message is about the page it was shown on: a new page starts without
        # one (an action that moves to another page shows its message after the move).
        self.statusBar().clearMessage()
        self.user_actions["back"].setEnabled(len(self._history) > 1)
        self.user_actions["forward"].setEnabled(bool(self._forward))
        page = self.current_page
        self.user_actions["print"].setEnabled(page is not None and page.can_print())
        self.user_actions["find_in_list"].setEnabled(
            page is not None and page.filter_widget() is not None
        )
        trail = " › ".join(p.title for p in self._history)
        self.form.breadcrumbLabel.setText(trail)
        self.refresh_inbox_count()

    def go_forward(self) -> None:
        """Open again the page Back left (with the arguments it was opened with)."""
        if not self._forward:
            return
        key, args = self._forward.pop()
        self._going_forward = True
        try:
            self.push(router.make_page(self, key, **args))
        finally:
            self._going_forward = False

    def refresh_inbox_count(self) -> None:
        """Reread the inbox's counts and show them in the header and on the page showing,
        if it shows them: one count, from one place."""
        counts = notifications.inbox_counts(self.actor)
        self.user_actions["inbox"].setText(
            f"&Inbox ({counts.unread} unread)" if counts.unread else "&Inbox"
        )
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

    def home_page_key(self) -> str:
        return "dor_home" if self.actor.role is Role.DOR_STAFF else "home"

    def home_page(self) -> Page:
        """The first page: DOR staff's back office, or the logon's own home."""
        return router.make_page(self, self.home_page_key())

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

    def call_on_home(self, path: str) -> None:
        """Run a tool of the Home page (DOR's back office), going Home first if need be:
        ``path`` names a method of the page or of one of its parts ("poa_panel.record")."""
        home_key = self.home_page_key()
        if self.current_page is None or self.current_page.key != home_key:
            self.go_home()
            while self.current_page is not None and self.current_page.key != home_key:
                self.go_back()  # a third party's Home shows its clients over it
        target: Any = self.current_page
        for name in path.split("."):
            target = getattr(target, name)
        target()

    # --- the menus' other actions ------------------------------------------------------

    def switch_logon(self) -> None:
        self.switch_logon_requested.emit()

    def quit_program(self) -> None:
        """File → Quit: close every window (this one saves its size and place) and end."""
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        for window in app.topLevelWidgets():
            if window is not self and window.isVisible():
                window.close()
        self.close()
        app.quit()

    def refresh_page(self) -> None:
        """View → Refresh: reread the page showing and the inbox's count."""
        page = self.current_page
        if page is not None:
            page.refresh()
        self.refresh_inbox_count()

    def print_page(self) -> None:
        page = self.current_page
        if page is not None and page.can_print():
            page.print_page()

    def focus_filter(self) -> None:
        """View → Find in List (Ctrl+F): the cursor into the filter of the list showing."""
        page = self.current_page
        widget = page.filter_widget() if page is not None else None
        if widget is not None:
            widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
            select_all = getattr(widget, "selectAll", None)
            if callable(select_all):
                select_all()

    def larger_text(self) -> None:
        desktop.step_text_scale(1)

    def smaller_text(self) -> None:
        desktop.step_text_scale(-1)

    def normal_text(self) -> None:
        desktop.step_text_scale(0)

    def show_help(self) -> None:
        """Help → Third-party Access FAQ (F1): at the answer that fits the page showing."""
        from mtc_desktop.gui import help

        page = self.current_page
        help.show_help(self, help.answer_for_page(page.key if page else None, self.actor.role))

    def reset_demo(self) -> None:
        """Help → Reset Demo…: after a yes, the demo database as it was made; the session
        is over (its logon was made again), so back to the login window."""
        from mtc_desktop.gui import dialogs, ops
        from mtc_desktop.services import demo

        if not self.is_demo:
            return
        if not dialogs.confirm(
            self, "Reset Demo", RESET_DEMO_QUESTION, yes="Reset Demo", no="Cancel"
        ):
            return
        made = ops.call(self, demo.reset_demo, self.actor)
        if made is not None:
            self.session_ended.emit(RESET_DEMO_DONE)

    def show_about(self) -> None:
        from mtc_desktop.gui.about import AboutDialog

        AboutDialog.ask(self)

    def open_database(self) -> None:
        """File → Open Database…: another SQLite file; log in again there."""
        self._choose_database(new=False)

    def new_database(self) -> None:
        """File → New Database…: a new SQLite file, then Set Up This Database."""
        self._choose_database(new=True)

    def _choose_database(self, *, new: bool) -> None:
        from mtc_desktop.gui.app import choose_database_file

        chosen = choose_database_file(self, new=new)
        if chosen is None:
            return
        if new:
            from mtc_desktop.gui import ops
            from mtc_desktop.store import database

            # An existing file is never replaced.
            if not ops.attempt(self, database.check_new_database_path, chosen):
                return
        self.database_chosen.emit(str(chosen))

    def _fill_recent(self) -> None:
        from mtc_desktop.store import database

        self.recent_menu.clear()
        opened = database.opened_target()
        current = str(opened.path) if opened is not None and opened.path is not None else ""
        recent = [path for path in desktop.recent_databases() if path != current]
        for number, path in enumerate(recent, start=1):
            action = QAction(f"&{number} {path}", self.recent_menu)
            action.setStatusTip(f"Open {path}; you log in again there.")
            action.triggered.connect(self._open_recent)
            action.setData(path)
            self.recent_menu.addAction(action)
        self.recent_menu.setEnabled(bool(recent))

    def _open_recent(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.database_chosen.emit(str(action.data()))

    def sweep_expired(self) -> int:
        """Expire overdue requests; reread the page and the inbox count if any did."""
        from mtc_desktop.gui import ops
        from mtc_desktop.services import requests

        count, _refusal = ops.outcome(requests.expire_overdue)
        if count is None:
            return 0  # the database is away for a moment; the next sweep tries again
        if count and self.current_page is not None:
            self.current_page.refresh()
            self.refresh_inbox_count()
        return count

    def closeEvent(self, event: QCloseEvent) -> None:
        desktop.save_window(self, "main_window")
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
