"""The application: opening the database, the login window, and the main window after it.

``run()`` is what ``mtc-desktop`` calls; ``launch()`` opens the first window on an existing
QApplication for embedding and tests.
"""

from __future__ import annotations

# isort: off
# First: the imports below are spared PySide6's reading of their sources.
from mtc_desktop.gui import pyside_source_checks  # noqa: F401
# isort: on

import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, QSize
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from mtc_desktop import APP_NAME, __version__
from mtc_desktop.domain.errors import MtcError
from mtc_desktop.gui import dialogs, ops
from mtc_desktop.gui.login import LoginWindow
from mtc_desktop.resources import resource

if TYPE_CHECKING:
    from mtc_desktop.gui.sender import BackgroundSender
    from mtc_desktop.services.base import Actor
    from mtc_desktop.services.demo_logons import DemoLogon

log = logging.getLogger(__name__)

# The desktop entry (packaging/linux/DESKTOP_FILE_NAME.desktop): Wayland shells find the
# window's icon and name through it.
DESKTOP_FILE_NAME = "org.mtcdesktop.MtcDesktop"
ICON_SIDES = (16, 32, 48, 64, 128, 256)


# Styles that draw as the desktop the program runs on does (Windows, macOS, KDE, GNOME via
# a platform theme). Any other — Qt's bare "Windows" fallback on a Linux without a
# desktop's platform theme — gives way to Fusion, Qt's own complete desktop style.
NATIVE_STYLES = frozenset(
    {"windowsvista", "windows11", "macos", "breeze", "oxygen", "kvantum", "gtk2", "gtk3", "fusion"}
)
PORTAL_BLUE = "#14558f"  # MassTaxConnect's header blue, kept as the accent


def _may_not_be_native(app: QApplication) -> bool:
    """Whether the application's style may be one outside NATIVE_STYLES, found without
    touching the style from Python: PySide6 would make QStyle's class, with its hundreds
    of enum members, before the login window's first paint (about 6 ms of processor
    time). Every style Qt picks (and one set by name) is made by QStyleFactory, which
    names it by its key in lower case, and is a child of the application; so the style
    need be asked only when a child bears the name of an available style that is not
    native ("windows")."""
    from PySide6.QtWidgets import QStyleFactory

    available = QStyleFactory.keys()  # a static method's list, not a dict's keys
    others = {key.lower() for key in available} - NATIVE_STYLES
    return any(app.findChild(QObject, name) is not None for name in others)


def use_native_style(app: QApplication) -> None:
    """The system's style (Fusion where it has none, unless the user chose one with
    ``-style`` or ``QT_STYLE_OVERRIDE``), with the portal's blue for selection and
    links."""
    from PySide6.QtGui import QColor, QPalette

    chosen = os.environ.get("QT_STYLE_OVERRIDE") or "-style" in sys.argv
    if not chosen and _may_not_be_native(app) and app.style().name().lower() not in NATIVE_STYLES:
        app.setStyle("Fusion")
    palette = app.palette()
    blue = QColor(PORTAL_BLUE)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        palette.setColor(group, QPalette.ColorRole.Highlight, blue)
        palette.setColor(group, QPalette.ColorRole.HighlightedText, QColor("white"))
    palette.setColor(QPalette.ColorRole.Link, blue)
    palette.setColor(QPalette.ColorRole.LinkVisited, QColor("#0b3a66"))
    app.setPalette(palette)


def _apply_look(app: QApplication) -> None:
    from mtc_desktop.gui.focus import show_focus_everywhere

    show_focus_everywhere(app)  # one visible focus frame, on every control
    if not app.property("mtc_styled"):
        use_native_style(app)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("MTC Desktop")
    app.setDesktopFileName(DESKTOP_FILE_NAME)
    # The icon's PNG sizes (drawn from its SVG), read when a size is asked for: the SVG
    # itself would load Qt's SVG library and icon engine, 2 MiB the start would wait for.
    icon = QIcon()
    for side in ICON_SIDES:
        png = resource("icons", f"mtc-desktop-{side}.png")
        if png.exists():
            icon.addFile(str(png), QSize(side, side))
    if not icon.isNull():
        app.setWindowIcon(icon)
    style = resource("styles", "app.qss")
    if style.exists() and not app.property("mtc_styled"):
        from mtc_desktop.gui import desktop

        base = style.read_text(encoding="utf-8")
        app.setProperty("mtc_base_style", base)  # View → text size scales it
        app.setStyleSheet(desktop.scaled_style(base, desktop.text_scale()))
        app.setProperty("mtc_styled", True)


def _install_accessibility() -> None:
    """Links as links, for screen readers (gui/accessibility.py). The login window has no
    LinkButton, so run() installs this once the database is open, after the first paint
    (the module and Qt's accessibility classes cost it about 4 ms); launch() at once."""
    from mtc_desktop.gui import accessibility

    accessibility.install()


class Session(QObject):
    """Which window is showing: the login window, or a logon's main window."""

    def __init__(self, demo_logons: Sequence[DemoLogon] = ()) -> None:
        super().__init__(QApplication.instance())
        self.demo_logons = list(demo_logons)
        self.login_window = LoginWindow(self.demo_logons)
        self.login_window.logged_in.connect(self.open_main_window)
        self.login_window.destroyed.connect(self._end)
        self.main_window: QWidget | None = None

    def _end(self) -> None:
        """The login window is gone: so is the session, and the main window with it (its
        actions' handlers hold it, so dropping the reference alone would not free it)."""
        window, self.main_window = self.main_window, None
        # At quit Qt may have deleted the window already.
        if window is not None and shiboken6.isValid(window):
            window.close()
            window.deleteLater()
        if shiboken6.isValid(self):
            self.deleteLater()

    def open_main_window(self, actor: Actor) -> None:
        from mtc_desktop.gui.main_window import MainWindow
        from mtc_desktop.services import requests

        requests.expire_overdue()  # before anything shows a request that has run out
        window = MainWindow(actor)
        window.switch_logon_requested.connect(self.switch_logon)
        window.session_ended.connect(self.switch_logon)  # with a message (Reset Demo)
        window.database_chosen.connect(self.switch_database)
        self.main_window = window
        self.login_window.hide()
        from mtc_desktop.gui import help

        help.follow_to(window)  # an FAQ open over the login window comes along
        window.show()
        window.activateWindow()

    def switch_logon(self, message: str = "") -> None:
        if self.main_window is not None:
            window, self.main_window = self.main_window, None
            window.close()
            window.deleteLater()
        self.login_window.reset(message)
        self.login_window.show()
        self.login_window.activateWindow()

    def switch_database(self, target: str) -> None:
        """File → Open Database… / New Database…: log out, close this database, open
        ``target`` (a new file is made and offers Set Up This Database) and show the login
        window on it. If it cannot be opened, the database before stays open and the login
        window says why."""
        from mtc_desktop.gui import desktop
        from mtc_desktop.store import database

        previous = database.opened_target()
        self.switch_logon()
        if not offer_backup_before_upgrade(self.login_window, target):
            return
        _close_database()
        _none, refusal = ops.outcome(_open_database, target)
        if refusal is not None:
            if previous is not None:
                database.open_database(previous)
            self.login_window.reset(f"{refusal.message} The database before is still open.")
            return
        opened = database.opened_target()
        if opened is not None and opened.path is not None:
            desktop.remember_database(str(opened.path))
        self.login_window.form.demoBox.hide()  # the demo's logons are not in this one
        self.login_window.check_setup()


def offer_backup_before_upgrade(parent: QWidget, target: str | None) -> bool:
    """Before an older database's schema is upgraded, offer to back it up beside itself.
    Returns False when the user would rather quit (nothing was changed)."""
    from mtc_desktop.store import database

    resolved = database.resolve_target(target)
    pending = database.needs_upgrade(resolved)  # the file's header; no backup module yet
    if pending is None:
        return True
    # QMessageBox here and below, not at the top: PySide6 makes a class (with its enums)
    # the first time it is used, and the program's start would wait for it.
    from PySide6.QtWidgets import QMessageBox

    current, latest = pending
    box = QMessageBox(
        QMessageBox.Icon.Question,
        APP_NAME,
        f"This database was made by an earlier version of MTC Desktop (schema {current}). "
        f"It will be upgraded to schema {latest}, after which earlier versions cannot open it.",
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    box.setObjectName("messageBox")
    if resolved.path is not None:
        box.setInformativeText("Back it up first? The copy is kept beside the database.")
    else:
        box.setInformativeText(
            dialogs.unbroken_names(
                "Back it up first? The copy (made with pg_dump) is kept in your MTC Desktop "
                "data folder; mtc-desktop db restore FILE puts it back."
            )
        )
    backup_button = box.addButton("Back Up and Upgrade", QMessageBox.ButtonRole.AcceptRole)
    upgrade_button = box.addButton("Upgrade Without Backup", QMessageBox.ButtonRole.DestructiveRole)
    quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(backup_button)
    box.setEscapeButton(quit_button)
    try:
        while True:
            box.exec()
            clicked = box.clickedButton()
            if clicked is upgrade_button:
                return True
            if clicked is not backup_button:
                return False
            from mtc_desktop.store import backup

            copy, refusal = ops.outcome(
                backup.backup_database,
                resolved,
                backup.backup_path_before_upgrade(resolved, current),
            )
            if copy is None:
                # Nothing was changed: say why, and ask again.
                assert refusal is not None
                dialogs.warn(parent, "The database was not backed up", refusal.message)
                continue
            dialogs.inform(
                parent, APP_NAME, "The database was backed up.", f"The copy is {copy.path}."
            )
            return True
    finally:
        box.deleteLater()


def _open_database(target: str | None) -> None:
    from mtc_desktop.store import database

    database.open_database(target)


DATABASE_FILTERS = ["MTC Desktop databases (*.db *.sqlite *.sqlite3)", "All files (*)"]


def choose_database_file(parent: QWidget | None, *, new: bool) -> Path | None:
    """Ask for a SQLite file with a file chooser: an existing database to open, or (with
    ``new``) the name of a database to create. None when the user cancels."""
    from PySide6.QtWidgets import QFileDialog

    from mtc_desktop.store import database

    dialog = QFileDialog(parent, "Create a New Database" if new else "Open Another Database")
    dialog.setObjectName("databaseChooser")
    dialog.setNameFilters(DATABASE_FILTERS)
    folder = database.default_path().parent  # where the program's own database lives
    dialog.setDirectory(str(folder if folder.is_dir() else Path.home()))
    if new:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setDefaultSuffix("db")
        # A file that exists is refused afterwards, never replaced: it may be a database.
        dialog.setOption(QFileDialog.Option.DontConfirmOverwrite)
        dialog.selectFile("mtc-desktop.db")
    else:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    try:
        if not dialog.exec():
            return None
        chosen = dialog.selectedFiles()
        return Path(chosen[0]) if chosen else None
    finally:
        dialog.deleteLater()


def ask_for_another_database(parent: QWidget | None, problem: MtcError) -> str | None:
    """The database cannot be opened: say which and why, and offer to open another one,
    to create a new one, or to quit. Returns the SQLite file to try next (a new one is made
    when it is opened), or None to quit."""
    from PySide6.QtWidgets import QMessageBox

    from mtc_desktop.store import database

    # Store errors carry their reason without advice for the command line (--database).
    reason = str(getattr(problem, "reason", "") or problem.message)
    while True:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "The Database Cannot Be Opened",
            dialogs.unbroken_names(reason),
            QMessageBox.StandardButton.NoButton,
            parent,
        )
        box.setObjectName("cannotOpenDatabaseBox")
        box.setInformativeText("Open another database, create a new one, or quit.")
        open_button = box.addButton("Open Another Database…", QMessageBox.ButtonRole.ActionRole)
        new_button = box.addButton("Create a New Database…", QMessageBox.ButtonRole.ActionRole)
        quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(open_button)
        box.setEscapeButton(quit_button)
        try:
            box.exec()
            clicked = box.clickedButton()
        finally:
            box.deleteLater()
        if clicked is open_button:
            chosen = choose_database_file(parent, new=False)
            if chosen is not None:
                return str(chosen)
        elif clicked is new_button:
            chosen = choose_database_file(parent, new=True)
            if chosen is None:
                continue
            _none, refusal = ops.outcome(database.check_new_database_path, chosen)
            if refusal is not None:
                reason = f"{refusal.message} To use it, choose Open Another Database…"
                continue
            return str(chosen)
        else:
            return None


class StartEnded(Exception):
    """The user quit before a database was opened; ``status`` is the exit status."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def open_first_database(window: QWidget, target: str | None) -> str | None:
    """Open the database the program was started on, over the login window just shown:
    an older one is upgraded (a backup offered first); one that cannot be opened is said
    in one dialog, which offers another database, a new one, or quitting. Returns the
    database opened, which serves the rest of the session. Raises :class:`StartEnded`
    when the user quits: status 0 when they would rather not upgrade, 1 when the
    database could not be opened."""
    while True:

        def open_it(target: str | None) -> None:
            if not offer_backup_before_upgrade(window, target):
                raise StartEnded(0)
            _open_database(target)

        _none, exc = ops.outcome(open_it, target)
        if exc is not None:
            print(f"mtc-desktop: {exc.message}", file=sys.stderr)
            window.hide()  # no login window on a database that is not there
            target = ask_for_another_database(window, exc)
            if target is None:
                raise StartEnded(1) from None
            continue
        if not window.isVisible():
            window.show()
            window.activateWindow()
        return target


def _close_database() -> None:
    from mtc_desktop.store import database

    database.close_database()


def start_sender(app: QApplication) -> BackgroundSender:
    """Deliver the outbox in the background until the application quits."""
    from mtc_desktop.gui.sender import BackgroundSender

    sender = BackgroundSender(app)
    sender.failed.connect(lambda reason: log.warning("email delivery: %s", reason))
    app.aboutToQuit.connect(sender.stop)
    sender.start()
    return sender


def launch(
    target: str | None, demo_logons: Sequence[DemoLogon] = (), *, send_email: bool = False
) -> LoginWindow:
    """Open the database and show the login window on the running QApplication; with
    ``send_email``, also start the background sender (tests leave it off)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication), "create a QApplication first"
    _apply_look(app)
    _install_accessibility()
    _open_database(target)
    if send_email:
        start_sender(app)
    session = Session(demo_logons)
    session.login_window.check_setup()
    session.login_window.show()
    return session.login_window


def _make_demo_database() -> tuple[str, list[DemoLogon], Path]:
    from mtc_desktop.services import demo
    from mtc_desktop.store import database

    folder = Path(tempfile.mkdtemp(prefix="mtc-desktop-demo-"))
    path = folder / "demo.db"
    database.open_database(path)
    try:
        logons = demo.create_demo()
    finally:
        database.close_database()
    return str(path), logons, folder


def _cannot_start(exc: MtcError, parent: QWidget | None = None) -> int:
    from PySide6.QtWidgets import QMessageBox

    print(f"mtc-desktop: {exc.message}", file=sys.stderr)
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        APP_NAME,
        "MTC Desktop cannot start.",
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setObjectName("messageBox")
    box.setInformativeText(dialogs.unbroken_names(exc.message))
    try:
        box.exec()
    finally:
        box.deleteLater()
    return 1


def _excepthook(kind: type[BaseException], value: BaseException, tb: object) -> None:
    log.error("unhandled error", exc_info=(kind, value, tb))  # type: ignore[arg-type]
    dialogs.show_error(QApplication.activeWindow(), value)


def _smoke_done(app: QApplication, status: dict[str, int]) -> None:
    """MTC_DESKTOP_SMOKE=1, for packaging checks: quit once the login window has painted
    and the database opened, saying "ok" when the window icon was found too."""
    if not status["code"]:
        if app.windowIcon().isNull():
            print("mtc-desktop: the application icon was not found", file=sys.stderr)
            status["code"] = 1
        else:
            print("ok", flush=True)
    app.quit()


def run(target: str | None = None, demo: bool = False) -> int:
    """Start the program; returns the exit status."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    _apply_look(app)
    demo_folder: Path | None = None
    demo_logons: list[DemoLogon] = []
    if demo:
        if target:
            return _cannot_start(
                MtcError("Use --demo or --database, not both: a demo never opens a real database.")
            )
        made, refusal = ops.outcome(_make_demo_database)
        if made is None:
            assert refusal is not None
            return _cannot_start(refusal)
        target, demo_logons, demo_folder = made
    # The login window shows first; the database (and the services with it) load right
    # after, while the user reads the window — start-up is what the user waits for.
    window = Session(demo_logons).login_window
    window.show()
    window.raise_()
    status = {"code": 0}

    def open_database() -> None:
        try:
            open_first_database(window, target)
        except StartEnded as ended:
            status["code"] = ended.status
            window.close()
            app.quit()  # the window may be hidden: closing it does not end the program
            return
        _install_accessibility()  # before any page with links: the main window's
        window.check_setup()  # a new database: offer Set Up This Database
        start_sender(app)

    window.first_painted.connect(open_database)  # emitted once per window
    if os.environ.get("MTC_DESKTOP_SMOKE") == "1":
        window.first_painted.connect(lambda: _smoke_done(app, status))
    sys.excepthook = _excepthook
    try:
        code = app.exec()
        return status["code"] or code
    finally:
        _close_database()
        if demo_folder is not None:
            shutil.rmtree(demo_folder, ignore_errors=True)
