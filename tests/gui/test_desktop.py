"""The desktop program around the FAQ's pages: the action registry behind the menu bar,
the header and the pages' links; the keyboard (Back, Forward, Home, F5, Ctrl+Q, Ctrl+F);
the window's place remembered; About MTC Desktop."""

from __future__ import annotations

import html
import tomllib
from pathlib import Path
from urllib.parse import urlparse

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from mtc_desktop.gui import help, page_registry, router
from mtc_desktop.gui.actions import SPECS, ActionLink, plain
from mtc_desktop.gui.main_window import MainWindow
from mtc_desktop.services import settings
from tests.gui.conftest import ModalAnswer, buttons, click, log_in, when_modal

ROOT = Path(__file__).resolve().parents[2]
MODES = ("harborbakery", "smithcpa", "dorclerk")

# What each action that opens a dialog opens (the dialog's class).
DIALOGS = {
    "open_database": "QFileDialog",
    "new_database": "QFileDialog",
    "import_returned_form": "QFileDialog",
    "request_access": "RequestWizard",
    "change_client_view": "ChangeClientViewDialog",
    "mail_correspondence": "MailCorrespondenceDialog",
    "email_server": "SmtpSettingsDialog",
    "register_taxpayer": "RegisterTaxpayerDialog",
    "import_registry": "ImportRegistryDialog",
    "record_poa": "RecordPoaDialog",
    "about": "AboutDialog",
}
# Actions tested on their own below: they end the session.
ENDING = {"quit", "switch_logon"}


def menu_actions(main: MainWindow) -> list[QAction]:
    """Every action in the menu bar's menus (and their submenus), in order."""
    found: list[QAction] = []

    def walk(actions: list[QAction]) -> None:
        for action in actions:
            if action.menu() is not None:
                walk(action.menu().actions())
            elif not action.isSeparator():
                found.append(action)

    walk(main.menuBar().actions())
    return found


def activate(qtbot, main: MainWindow) -> None:
    """Make ``main`` the active window: its shortcuts work only then, as on a desktop."""
    main.activateWindow()
    qtbot.waitUntil(main.isActiveWindow)


def trigger_and_close_dialog(action: QAction) -> QWidget:
    """Trigger ``action``, which opens a modal dialog; close the dialog and return it."""
    seen = when_modal(lambda box: box.reject() if isinstance(box, QDialog) else box.close())
    action.trigger()
    assert seen, f"{plain(action.text())} opened no dialog"
    return seen[0]


@pytest.mark.parametrize("username", MODES)
def test_every_menu_action_of_every_mode_opens_what_it_says(
    qtbot, login_window, username: str
) -> None:
    main = log_in(qtbot, login_window, username)
    activate(qtbot, main)
    actions = menu_actions(main)
    # Help → Show Me's items start the FAQ's tours (tests/gui/test_tours.py), not actions.
    by_id = {
        a.objectName(): a
        for a in actions
        if a.objectName() and not a.objectName().startswith("showMe:")
    }
    # The menus hold the mode's actions and no other: every FAQ step of the mode is there.
    expected = {s.id for s in main.user_actions.specs}
    assert set(by_id) == expected
    assert {"back", "forward", "home", "inbox", "refresh", "quit", "about"} <= expected
    for spec in main.user_actions.specs:
        action = by_id[spec.id]
        assert plain(action.text()).startswith(spec.text)
        if spec.id in ENDING:
            continue
        main.go_home()
        if spec.id in DIALOGS:
            dialog = trigger_and_close_dialog(action)
            assert type(dialog).__name__ == DIALOGS[spec.id], spec.id
            assert main.isVisible()
        elif spec.page:
            action.trigger()
            page = main.current_page
            assert page is not None
            assert page.key == spec.page, spec.id
            assert main.form.breadcrumbLabel.text().endswith(page.title)
            # Back returns to where the step starts (Home, or Manage My Profile).
            main.user_actions["back"].trigger()
            start = "clients" if username == "smithcpa" else main.home_page_key()
            assert main.current_page.key == ("profile" if spec.under == "profile" else start)
        elif spec.id == "profile":
            action.trigger()
            assert main.current_page.key == "profile"
        elif spec.id == "inbox":
            action.trigger()
            assert main.current_page.key == "inbox"
        elif spec.id == "find_request":
            activate(qtbot, main)  # again: a dialog closed just before
            action.trigger()
            assert main.current_page.key == "dor_home"
            assert main.current_page.reference_edit.hasFocus()
        elif spec.id == "print":
            # Nothing to print on Home: the item is there, disabled.
            assert not action.isEnabled()
        elif spec.id == "find_in_list":
            assert action.isEnabled() == (main.current_page.filter_widget() is not None)
        elif spec.id == "faq":
            action.trigger()  # the FAQ, at the answer about the page showing
            window = help.open_window()
            assert window is not None
            assert window.current_answer_id() == help.answer_for_page(
                main.current_page.key, main.actor.role
            )
            window.close()
        elif spec.id == "reset_demo":
            cancel = ModalAnswer("Cancel").arm()  # asked first; Cancel changes nothing
            action.trigger()
            assert cancel.answered
            assert main.isVisible()
        else:
            action.trigger()  # back, forward, home, refresh, text sizes: no error
    main.user_actions["normal_text"].trigger()
    main.close()


@pytest.mark.parametrize("username", MODES)
def test_no_two_actions_share_a_shortcut_in_one_window(qtbot, login_window, username) -> None:
    main = log_in(qtbot, login_window, username)
    owners: dict[str, list[str]] = {}
    for action in main.findChildren(QAction):
        for key in action.shortcuts():
            owners.setdefault(key.toString(), []).append(plain(action.text()))
    for shortcut in main.findChildren(QShortcut):
        for key in QShortcut.keys(shortcut):  # Qt's method, not a dict's
            owners.setdefault(key.toString(), []).append("a QShortcut")
    shared = {key: names for key, names in owners.items() if len(names) > 1}
    assert not shared
    assert owners["Alt+Left"] == ["Back"]
    assert {"Alt+Right", "Alt+Home", "F5", "Ctrl+Q", "Ctrl+F"} <= set(owners)
    main.close()


def test_the_header_links_are_the_menus_actions_with_mnemonics(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    for link, action_id in (
        (main.back_link, "back"),
        (main.home_link, "home"),
        (main.inbox_link, "inbox"),
        (main.profile_link, "profile"),
        (main.switch_link, "switch_logon"),
    ):
        assert isinstance(link, ActionLink)
        assert link.action is main.user_actions[action_id]
        assert "&" in link.text()  # Alt+letter
        assert link.focusPolicy() & Qt.FocusPolicy.TabFocus
    # Back is disabled on Home, in the header and in the Go menu alike.
    assert not main.back_link.isEnabled()
    assert not main.user_actions["back"].isEnabled()
    click(qtbot, main, "Manage My Profile")
    assert main.back_link.isEnabled()
    # A page's link is the same action as the menu item: one label, written once.
    (link,) = buttons(main.current_page, "Manage Third-party Access")
    assert isinstance(link, ActionLink)
    assert link.action is main.user_actions["third_parties"]
    main.close()


def test_back_forward_and_home_from_the_keyboard(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    activate(qtbot, main)
    click(qtbot, main, "Manage My Profile")
    click(qtbot, main, "Manage Third-party Access")
    assert main.form.breadcrumbLabel.text() == (
        "Home › Manage My Profile › Manage Third-party Access"
    )
    alt = Qt.KeyboardModifier.AltModifier
    qtbot.keyClick(main, Qt.Key.Key_Left, alt)
    assert main.form.breadcrumbLabel.text() == "Home › Manage My Profile"
    qtbot.keyClick(main, Qt.Key.Key_Left, alt)
    assert main.form.breadcrumbLabel.text() == "Home"
    qtbot.keyClick(main, Qt.Key.Key_Right, alt)
    assert main.form.breadcrumbLabel.text() == "Home › Manage My Profile"
    qtbot.keyClick(main, Qt.Key.Key_Right, alt)
    assert main.current_page.key == "third_parties"
    assert not main.user_actions["forward"].isEnabled()
    qtbot.keyClick(main, Qt.Key.Key_Left, alt)
    # Following a link starts a new way: nothing is ahead any more.
    click(qtbot, main, "View Access Requests from Third Parties")
    assert not main.user_actions["forward"].isEnabled()
    qtbot.keyClick(main, Qt.Key.Key_Home, alt)
    assert main.form.breadcrumbLabel.text() == "Home"
    main.close()


def test_f5_rereads_the_page(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "dorclerk")
    activate(qtbot, main)
    page = main.current_page
    before = page.expiry_spin.value()
    settings.set_expiry_days(main.actor, before + 7)  # changed behind the window
    assert page.expiry_spin.value() == before
    qtbot.keyClick(main, Qt.Key.Key_F5)
    assert page.expiry_spin.value() == before + 7
    assert f"{before + 7} days" in page.summary.text()
    main.close()


def test_ctrl_f_puts_the_cursor_in_the_list_filter(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "smithcpa")
    activate(qtbot, main)
    page = main.current_page
    assert page.key == "clients"
    main.profile_link.setFocus()
    qtbot.keyClick(main, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.filter_edit.hasFocus()
    main.close()


def test_ctrl_q_quits(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    activate(qtbot, main)
    qtbot.keyClick(main, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not main.isVisible())
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible()]


def test_the_window_comes_back_where_it_was(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    area = QGuiApplication.primaryScreen().availableGeometry()
    width = max(main.minimumSizeHint().width(), area.width() - 90)
    place = QRect(area.x() + 30, area.y() + 40, width, area.height() - 80)
    main.setGeometry(place)
    click(qtbot, main, "Switch Logon")
    assert not main.isVisible()
    again = log_in(qtbot, login_window, "harborbakery")
    assert again is not main
    assert again.geometry() == place
    again.close()


def test_a_window_last_seen_on_a_screen_now_gone_opens_on_the_primary_screen(
    qtbot, login_window
) -> None:
    screens = QGuiApplication.screens()
    beyond = max(s.geometry().right() for s in screens) + 500
    store = QSettings()
    store.setValue("main_window/rect", [beyond, 200, 640, 480])
    store.setValue("main_window/maximized", False)
    store.sync()
    main = log_in(qtbot, login_window, "harborbakery")
    area = QGuiApplication.primaryScreen().availableGeometry()
    geometry = main.geometry()
    assert area.contains(QPoint(geometry.center().x(), geometry.top() + 10))
    assert geometry.height() == 480
    main.close()


def test_about_shows_the_version_and_the_database_in_use(
    qtbot, login_window, demo_db: Path
) -> None:
    from mtc_desktop import __version__

    main = log_in(qtbot, login_window, "smithcpa")
    texts: list[str] = []

    def read_and_close(box: QWidget) -> None:
        texts.append(box.text())  # type: ignore[attr-defined]
        texts.append(box.details.text())  # type: ignore[attr-defined]
        box.reject()  # type: ignore[attr-defined]

    when_modal(read_and_close)
    main.user_actions["about"].trigger()
    text = texts[0]
    assert f"Version: {__version__}" in text
    shown = str(demo_db)
    password = urlparse(shown).password
    if password:  # a server: its URL, never its password
        shown = shown.replace(f":{password}@", ":***@")
        assert password not in texts[0] + texts[1]
    assert f"Database in use: {shown}" in text
    assert "Licence: MIT" in text
    assert "Qt: 6." in text
    assert "Python: 3." in text
    assert html.escape(shown) in texts[1]
    main.close()


def test_print_is_offered_where_a_page_prints(qtbot, login_window, answer_dialog) -> None:
    main = log_in(qtbot, login_window, "dorclerk")
    assert not main.user_actions["print"].isEnabled()  # Home prints nothing
    page = main.current_page
    page.reference_edit.setText("R2026-000001")
    click(qtbot, main, "Find Request")
    assert main.current_page.key == "dor_request"
    assert main.user_actions["print"].isEnabled()
    main.close()


def test_larger_text_scales_the_style_and_is_remembered(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    app = QApplication.instance()
    normal = app.styleSheet()
    assert "font-size: 10.5pt" in normal
    main.user_actions["larger_text"].trigger()
    assert "font-size: 11.6pt" in app.styleSheet()
    assert float(QSettings().value("view/text_scale")) == pytest.approx(1.1)
    main.user_actions["normal_text"].trigger()
    assert app.styleSheet() == normal
    main.close()


def test_the_import_linter_contract_keeps_every_page_module_independent() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (independence,) = [c for c in contracts if c["type"] == "independence"]
    # Every module that registers a page or a command is in the contract.
    registering = {cls.__module__ for cls in map(router.page_class, router.page_keys())}
    assert registering <= set(independence["modules"])
    assert set(independence["modules"]) == set(page_registry.PAGE_MODULES)


def test_an_action_exists_for_every_faq_label_and_every_label_is_written_once() -> None:
    labels = [spec.text for spec in SPECS]
    assert len(labels) == len(set(labels))
    for faq in (
        "Manage My Profile",
        "View Access Requests from Third Parties",
        "Manage Third-party Access",
        "Request to Manage Other Taxpayer's Accounts",
        "Manage My Access",
        "Change Client View",
        "Manage My Clients",
        "Find Request",
        "Import Returned Forms…",
        "Mail Correspondence",
        "Outbox",
        "Email Server",
        "Register Taxpayer",
        "Import Registry…",
        "Staff Logons",
        "Record Power of Attorney",
    ):
        assert faq in labels
    assert QKeySequence("Ctrl+Q") in [
        QKeySequence(k) for s in SPECS if s.id == "quit" for k in s.shortcuts
    ]


def test_file_new_database_switches_the_session_to_it(qtbot, login_window, tmp_path) -> None:
    from PySide6.QtWidgets import QFileDialog

    from mtc_desktop.gui import desktop
    from mtc_desktop.store import database

    main = log_in(qtbot, login_window, "harborbakery")
    new = tmp_path / "office.db"

    def choose(dialog: QWidget) -> None:
        assert isinstance(dialog, QFileDialog)
        dialog.selectFile(str(new))
        dialog.accept()

    seen = when_modal(choose)
    main.user_actions["new_database"].trigger()
    assert seen
    # Logged out; the login window is on the new, empty database and offers to set it up.
    qtbot.waitUntil(login_window.isVisible)
    assert not main.isVisible()
    assert database.opened_target().path == new
    assert login_window.form.setUpBox.isVisible()
    assert not login_window.form.demoBox.isVisible()
    assert desktop.recent_databases()[0] == str(new)
    login_window.close()


def test_a_right_click_on_a_page_offers_the_menus_actions(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    offered = main.form.pages.actions()
    assert main.form.pages.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
    assert [plain(a.text()) for a in offered] == ["Back", "Forward", "Home", "Refresh", "Print…"]
    assert offered[0] is main.user_actions["back"]
    main.close()


def test_a_change_made_from_the_menu_is_confirmed_until_the_page_changes(
    qtbot, login_window
) -> None:
    main = log_in(qtbot, login_window, "smithcpa")
    assert not buttons(main, "Manage My Clients")

    def switch_on(dialog: QWidget) -> None:
        dialog.check_box.setChecked(True)  # type: ignore[attr-defined]
        dialog.accept()  # type: ignore[attr-defined]

    main.open_profile()
    when_modal(switch_on)
    main.user_actions["change_client_view"].trigger()
    assert main.statusBar().currentMessage() == (
        "Client view switched on: Manage My Clients is on Manage My Profile."
    )
    assert buttons(main.current_page, "Manage My Clients")  # the page was reread
    click(qtbot, main, "Home")
    assert main.statusBar().currentMessage() == ""
    main.close()


def test_escape_closes_about(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    closed: list[bool] = []

    def press_escape(dialog: QWidget) -> None:
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        closed.append(not dialog.isVisible())

    when_modal(press_escape)
    main.user_actions["about"].trigger()
    assert closed == [True]
    main.close()


@pytest.mark.parametrize("username", MODES)
def test_no_two_items_of_a_menu_share_a_mnemonic(qtbot, login_window, username) -> None:
    main = log_in(qtbot, login_window, username)
    menus = [main.menuBar(), *main.menus.values(), main.recent_menu]
    for menu in menus:
        letters = [
            text[text.index("&") + 1].lower()
            for text in (a.text() for a in menu.actions() if not a.isSeparator())
            if "&" in text
        ]
        assert len(letters) == len(set(letters)), (menu.title(), letters)
    # The header's Alt+letters are not the menu bar's.
    header = {
        link.text()[link.text().index("&") + 1].lower()
        for link in (
            main.back_link,
            main.home_link,
            main.inbox_link,
            main.profile_link,
            main.switch_link,
        )
    }
    assert not header & {"f", "g", "v", "h"}
    main.close()
