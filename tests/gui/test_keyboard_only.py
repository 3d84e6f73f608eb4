"""The FAQ's procedures by keyboard alone.

A small driver presses real keys on whatever has the keyboard focus — never a mouse, never
a widget's own method — and finds where it is the way a keyboard user with a screen reader
does: by the focused control's label (its text or accessible name). Every step goes
through Tab, Shift+Tab, the arrow keys, Space and Enter, so a control the keyboard cannot
reach, or a table that keeps the focus, fails the step that needs it and names the
controls Tab went through instead.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QRadioButton,
    QTabBar,
    QWidget,
)
from shiboken6 import isValid

from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.gui.login import LoginWindow
from mtc_desktop.gui.main_window import MainWindow
from mtc_desktop.services import demo
from mtc_desktop.store.models import AccessGrant, AccessRequest, Favorite, Logon, Taxpayer

Key = Qt.Key
NO_KEYS = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier

HARBOR = ("04-3812967", "Harbor Street Bakery LLC")
FEIN = "Federal Employer Identification Number (FEIN)"


def names_of(widget: QWidget) -> set[str]:
    """What a screen reader says for ``widget``: its accessible name, its text, and for a
    tab bar the current tab."""
    names = {widget.accessibleName()}
    if isinstance(widget, (QAbstractButton, QLabel, QLineEdit)):
        names.add(widget.text().replace("&", ""))
    if isinstance(widget, QTabBar):
        names.add(widget.tabText(widget.currentIndex()).replace("&", ""))
    return {name for name in names if name}


def closed(window: QWidget) -> bool:
    return not isValid(window) or not window.isVisible()


def describe(widget: QWidget | None) -> str:
    if widget is None:
        return "nothing"
    return f"{type(widget).__name__} {sorted(names_of(widget))}"


class Keyboard:
    """Keys pressed on the focused control, as a keyboard-only user presses them."""

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot

    # --- where the focus is ---------------------------------------------------------------

    def focused(self) -> QWidget:
        """The control with the keyboard focus. Offscreen, no window manager gives the
        focus back to the window under a dialog that closed; the driver does what the
        window manager does: it activates the window the user is in."""

        def ready() -> bool:
            window = QApplication.activeModalWidget() or next(
                (
                    w
                    for w in QApplication.topLevelWidgets()
                    if w.isVisible() and isinstance(w, (MainWindow, LoginWindow))
                ),
                None,
            )
            if window is None:
                return False
            if QApplication.activeWindow() is not window and window.windowHandle() is not None:
                window.windowHandle().requestActivate()
            focus = QApplication.focusWidget()
            return focus is not None and focus.window() is window

        self.qtbot.waitUntil(ready, timeout=3000)
        widget = QApplication.focusWidget()
        assert widget is not None
        return widget

    def on(self, name: str) -> bool:
        return name in names_of(self.focused())

    # --- keys ---------------------------------------------------------------------------

    def press(self, key: Qt.Key, modifiers: Qt.KeyboardModifier = NO_KEYS) -> None:
        self.qtbot.keyClick(self.focused(), key, modifiers)

    def type(self, text: str) -> None:
        self.qtbot.keyClicks(self.focused(), text)

    def tab_until(
        self, found: Callable[[QWidget], bool], what: str, *, back: bool = False, limit: int = 120
    ) -> QWidget:
        """Press Tab (Shift+Tab with ``back``) until the focused control is ``found``."""
        passed: list[str] = []
        for _ in range(limit):
            widget = self.focused()
            if found(widget):
                return widget
            passed.append(describe(widget))
            if back:
                self.press(Key.Key_Backtab, SHIFT)
            else:
                self.press(Key.Key_Tab)
        raise AssertionError(f"Tab never reached {what}; it went through: {passed}")

    def tab_to(self, name: str, *, back: bool = False) -> QWidget:
        return self.tab_until(lambda w: name in names_of(w), repr(name), back=back)

    def activate(self, name: str) -> None:
        """Tab to the control labelled ``name`` and press Space."""
        self.tab_to(name)
        self.press(Key.Key_Space)

    def tab(self, label: str) -> None:
        """Tab to the tab bar, then the arrow keys to the tab labelled ``label``."""
        bar = self.tab_until(lambda w: isinstance(w, QTabBar), "a tab bar")
        assert isinstance(bar, QTabBar)
        for key in [Key.Key_Right] * bar.count() + [Key.Key_Left] * bar.count():
            if bar.tabText(bar.currentIndex()).replace("&", "") == label:
                return
            self.press(key)
        raise AssertionError(f"no tab {label!r}")

    def choose(self, text: str) -> None:
        """In the focused drop-down, the arrow keys to ``text``."""
        combo = self.focused()
        assert isinstance(combo, QComboBox), describe(combo)
        self.press(Key.Key_Home)
        for _ in range(combo.count()):
            if combo.currentText() == text:
                return
            self.press(Key.Key_Down)
        raise AssertionError(f"{text!r} is not offered by {describe(combo)}")

    def choose_option(self, name: str) -> None:
        """Tab into a group of radio buttons, the arrow keys to ``name``, Space."""
        self.tab_until(lambda w: isinstance(w, QRadioButton), "a group of options")
        for _ in range(10):
            if self.on(name):
                break
            self.press(Key.Key_Down)
        assert self.on(name), f"no option {name!r}"
        self.press(Key.Key_Space)
        button = self.focused()
        assert isinstance(button, QRadioButton)
        assert button.isChecked()

    def current_row_text(self, column: int) -> str:
        """What the focused table says for its current row, in ``column``."""
        view = self.focused()
        assert isinstance(view, QAbstractItemView), describe(view)
        index = view.currentIndex()
        return str(view.model().index(index.row(), column).data() or "")

    def then(self, key: Qt.Key, script: Callable[[QWidget], None]) -> None:
        """Press ``key``, which opens a dialog, and let ``script`` work it by keyboard too.
        The dialog must be closed by the script's keys."""
        failures: list[BaseException] = []
        seen: list[QWidget] = []
        opener = self.focused()

        def attempt() -> None:
            dialog = QApplication.activeModalWidget()
            if dialog is None or dialog is opener.window() or dialog in seen:
                QTimer.singleShot(20, attempt)
                return
            seen.append(dialog)
            try:
                script(dialog)
                self.qtbot.waitUntil(lambda: closed(dialog), timeout=3000)
            except BaseException as exc:  # the dialog must not stay open and block
                failures.append(exc)
                if isinstance(dialog, QDialog) and not closed(dialog):
                    dialog.reject()

        QTimer.singleShot(0, attempt)
        self.press(key)
        self.qtbot.waitUntil(lambda: bool(seen) and closed(seen[0]), timeout=5000)
        if failures:
            raise failures[0]

    def answer(self, button: str) -> Callable[[QWidget], None]:
        """A script for a message box: Tab to ``button`` and press Space."""

        def script(_box: QWidget) -> None:
            self.activate(button)

        return script

    # --- logging in -------------------------------------------------------------------------

    def log_in(self, username: str) -> MainWindow:
        self.tab_to("Username")
        self.type(username)
        self.press(Key.Key_Tab)
        assert self.on("Password"), describe(self.focused())
        self.type(demo.DEMO_PASSWORD)
        self.press(Key.Key_Return)  # Log In is the default button
        self.qtbot.waitUntil(lambda: isinstance(self.focused().window(), MainWindow))
        main = self.focused().window()
        assert isinstance(main, MainWindow)
        return main


@pytest.fixture
def keyboard(qtbot, login_window) -> Keyboard:
    login_window.windowHandle().requestActivate()
    return Keyboard(qtbot)


def _grants(username: str, taxpayer: str) -> dict[str, str]:
    """The third party's active grants on the taxpayer's accounts: account type → level."""
    third_party = Logon.get(Logon.username == username)
    owner = Taxpayer.get(Taxpayer.legal_name == taxpayer)
    return {
        g.account.account_type: g.level
        for g in AccessGrant.select().where(
            (AccessGrant.third_party == third_party.id)
            & (AccessGrant.status == "active")
            & (AccessGrant.taxpayer == owner.id)
        )
    }


def _more_tab(kb: Keyboard) -> None:
    """Manage My Profile, then the More… tab (the FAQ's way in)."""
    kb.activate("Manage My Profile")
    kb.tab("More…")


# --- as a taxpayer -----------------------------------------------------------------------------


def test_taxpayer_approves_changes_and_cancels_by_keyboard_alone(keyboard: Keyboard) -> None:
    """FAQ: approve a request (two accounts, two different levels), increase or decrease a
    third party's access, and cancel it — Tab, arrows, Space and Enter only."""
    kb = keyboard
    main = kb.log_in("harborbakery")

    _more_tab(kb)
    kb.activate("View Access Requests from Third Parties")
    kb.tab_to("Approve/Deny")

    def decide(dialog: QWidget) -> None:
        # The first account's Give Rights has the focus; each row: Give Rights, Granted Rights.
        assert kb.focused().accessibleName().startswith("Give Rights for Withholding ")
        kb.press(Key.Key_Space)
        kb.press(Key.Key_Tab)
        assert kb.focused().accessibleName().startswith("Granted Rights for Withholding ")
        kb.choose(AccessLevel.PAY.label)
        kb.press(Key.Key_Tab)
        assert (
            kb.focused()
            .accessibleName()
            .startswith("Give Rights for Paid Family and Medical Leave ")
        )
        kb.press(Key.Key_Space)
        kb.press(Key.Key_Tab)
        kb.choose(AccessLevel.FULL_ACCESS.label)
        kb.press(Key.Key_Return)  # Enter approves what was chosen

    kb.then(Key.Key_Space, decide)
    assert _grants("beaconpayroll", HARBOR[1]) == {
        "withholding": "pay",
        "pfml": "full_access",
    }

    # Increase or decrease: Manage Third-party Access → Username → Access Type → Change.
    _more_tab(kb)
    kb.activate("Manage Third-party Access")
    kb.activate("beaconpayroll")
    kb.tab_to(AccessLevel.PAY.label)  # the Access Type link of the Withholding row

    def change(dialog: QWidget) -> None:
        kb.activate("Change")
        assert kb.on("New access type"), describe(kb.focused())
        kb.choose(AccessLevel.FILE.label)
        kb.activate("Save")

    kb.then(Key.Key_Space, change)
    assert _grants("beaconpayroll", HARBOR[1])["withholding"] == "file"

    # Cancel: Manage Account Access → Cancel Access → Yes.
    kb.activate("Manage Account Access")
    kb.tab_to("Cancel Access")
    kb.then(Key.Key_Space, kb.answer("Yes"))
    assert _grants("beaconpayroll", HARBOR[1]) == {}
    assert main.isVisible()


def test_enter_with_no_account_chosen_neither_approves_nor_denies(
    keyboard: Keyboard, qtbot
) -> None:
    kb = keyboard
    kb.log_in("harborbakery")
    _more_tab(kb)
    kb.activate("View Access Requests from Third Parties")
    kb.tab_to("Approve/Deny")
    opened: list[QWidget] = []

    def enter_then_cancel(dialog: QWidget) -> None:
        opened.append(dialog)
        kb.press(Key.Key_Return)  # nothing checked: nothing happens
        assert dialog.isVisible()
        assert QApplication.activeModalWidget() is dialog, "no box offers to deny"
        kb.activate("Cancel")

    kb.then(Key.Key_Space, enter_then_cancel)
    assert opened
    assert _grants("beaconpayroll", HARBOR[1]) == {}


# --- as a third party --------------------------------------------------------------------------


def test_third_party_requests_marks_a_favorite_and_cancels_by_keyboard_alone(
    keyboard: Keyboard,
) -> None:
    """FAQ: request access with the wizard, mark a client a favorite, and cancel one's own
    access (Tax Administrator → Cancel My Access) — by keyboard alone."""
    kb = keyboard
    kb.log_in("smithcpa")
    smith = Logon.get(Logon.username == "smithcpa")

    # Mark a favorite: the All tab's list, the arrow keys to the client, Space.
    kb.tab("All")
    kb.tab_to("All clients")
    for _ in range(20):
        if kb.current_row_text(1) == HARBOR[1]:
            break
        kb.press(Key.Key_Down)
    assert kb.current_row_text(1) == HARBOR[1]
    kb.press(Key.Key_Space)
    favorites = Favorite.select().where(Favorite.third_party == smith.id)
    assert [f.taxpayer.legal_name for f in favorites] == [HARBOR[1]]

    # Request access with the wizard.
    _more_tab(kb)
    kb.tab_to("Request to Manage Other Taxpayer's Accounts")

    def wizard(dialog: QWidget) -> None:
        kb.choose_option(FEIN)
        kb.activate("Next")
        assert kb.on("ID number"), describe(kb.focused())
        kb.type(HARBOR[0])
        kb.press(Key.Key_Tab)
        assert kb.on("Legal name"), describe(kb.focused())
        kb.type(HARBOR[1])
        kb.press(Key.Key_Return)  # Next
        box = kb.tab_until(
            lambda w: w.accessibleName().startswith("Withholding "), "the Withholding account"
        )
        kb.press(Key.Key_Space)
        assert box.property("checked") is True
        kb.press(Key.Key_Tab)
        kb.choose(AccessLevel.PAY.label)
        kb.activate("Next")
        kb.choose_option("MassTaxConnect")
        kb.activate("Next")
        kb.activate("Submit")
        kb.activate("Finish")

    kb.then(Key.Key_Space, wizard)
    request = (
        AccessRequest.select()
        .where(AccessRequest.third_party == smith.id)
        .order_by(AccessRequest.id.desc())
        .first()
    )
    assert request.taxpayer.legal_name == HARBOR[1]
    assert (request.status, request.method) == ("pending", "masstaxconnect")

    # Cancel own access: Manage My Access → Tax Administrator (Maria Santos) → Cancel My Access.
    _more_tab(kb)
    kb.activate("Manage My Access")
    kb.tab_until(
        lambda w: (
            "Tax Administrator" in names_of(w) and "Maria Santos" in w.accessibleDescription()
        ),
        "Tax Administrator for Maria Santos",
    )
    kb.press(Key.Key_Space)
    kb.tab_to("Cancel My Access")
    kb.then(Key.Key_Space, kb.answer("Yes"))
    assert _grants("smithcpa", "Maria Santos") == {}


# --- no table keeps the keyboard ---------------------------------------------------------------


def _leaves(kb: Keyboard, table_name: str) -> None:
    """From the table, each of Tab, Shift+Tab, Ctrl+Tab and Ctrl+Shift+Tab moves the focus
    out of it (to its links, or the next or previous control)."""
    for key, modifiers in (
        (Key.Key_Tab, NO_KEYS),
        (Key.Key_Backtab, SHIFT),
        (Key.Key_Tab, CTRL),
        (Key.Key_Backtab, CTRL | SHIFT),
    ):
        table = kb.tab_to(table_name)
        assert isinstance(table, QAbstractItemView)
        kb.press(key, modifiers)
        assert kb.focused() is not table, f"{key.name} with {modifiers} stays in {table_name}"
        assert not table.isAncestorOf(kb.focused()) or isinstance(kb.focused(), QAbstractButton), (
            f"{describe(kb.focused())} is inside {table_name}"
        )


def test_tab_and_ctrl_tab_leave_every_table_of_the_taxpayer(keyboard: Keyboard) -> None:
    kb = keyboard
    kb.log_in("harborbakery")
    _leaves(kb, "My tax accounts")
    _more_tab(kb)
    kb.activate("View Access Requests from Third Parties")
    _leaves(kb, "Pending access requests")
    _more_tab(kb)
    kb.activate("Manage Third-party Access")
    _leaves(kb, "Third parties with access")
    kb.activate("smithcpa")
    kb.tab("Access")
    _leaves(kb, "Access by account")
    kb.tab("History")
    _leaves(kb, "History with this third party")
    kb.activate("Home")
    _leaves(kb, "My tax accounts")
    kb.activate("Open Inbox")
    _leaves(kb, "Messages")


def test_tab_and_ctrl_tab_leave_every_table_of_the_third_party(keyboard: Keyboard) -> None:
    kb = keyboard
    kb.log_in("smithcpa")
    kb.tab("All")
    _leaves(kb, "All clients")
    _more_tab(kb)
    kb.activate("Manage My Access")
    _leaves(kb, "My access to clients' accounts")


def test_a_demo_logon_is_chosen_from_the_list_by_keyboard(keyboard: Keyboard) -> None:
    """The login window's demo list: the arrow keys to a logon, Enter fills in the form
    (as a double click does), and Log In has the focus."""
    kb = keyboard
    kb.tab_to("Demo logons")
    for _ in range(10):
        if kb.current_row_text(0) == "smithcpa":
            break
        kb.press(Key.Key_Down)
    assert kb.current_row_text(0) == "smithcpa"
    kb.press(Key.Key_Return)
    assert kb.on("Log In"), describe(kb.focused())
    kb.press(Key.Key_Space)
    kb.qtbot.waitUntil(lambda: isinstance(kb.focused().window(), MainWindow))
    assert kb.focused().window().actor.username == "smithcpa"


# --- every page and dialog: each control reached, none keeps the focus ---------------------------


def _takes_tab(widget: QWidget, window: QWidget) -> bool:
    """Whether a user expects Tab to stop at ``widget``: visible and enabled in ``window``,
    taking the focus by Tab itself (not through a proxy, not a part of a drop-down or a
    spin box)."""
    if widget.window() is not window or not widget.isVisible() or not widget.isEnabled():
        return False
    if not (widget.focusPolicy() & Qt.FocusPolicy.TabFocus) or widget.focusProxy() is not None:
        return False
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, (QComboBox, QAbstractSpinBox)) or parent.focusProxy() is not None:
            return False
        parent = parent.parentWidget()
    return True


def _cycle(kb: Keyboard, *, back: bool) -> list[QWidget]:
    """The controls Tab (Shift+Tab with ``back``) goes through from the focused one until
    it comes back to it. A control with parts (a date's day, month and year) may take a
    few presses; one that keeps the focus for good is a trap."""
    start = kb.focused()
    key, modifiers = (Key.Key_Backtab, SHIFT) if back else (Key.Key_Tab, NO_KEYS)
    seen = [start]
    for _ in range(150):
        here = kb.focused()
        for _press in range(6):
            kb.press(key, modifiers)
            if kb.focused() is not here:
                break
        else:
            raise AssertionError(f"the focus stays on {describe(here)}: a keyboard trap")
        if kb.focused() is start:
            return seen
        assert kb.focused() not in seen, (
            f"Tab came back to {describe(kb.focused())}, never to {describe(start)}"
        )
        seen.append(kb.focused())
    raise AssertionError("Tab goes on and on")


def _every_control_reached(kb: Keyboard, where: str) -> None:
    window = kb.focused().window()
    forward = _cycle(kb, back=False)
    backward = _cycle(kb, back=True)
    expected = [w for w in window.findChildren(QWidget) if _takes_tab(w, window)]
    missed = [describe(w) for w in expected if w not in forward]
    assert not missed, f"{where}: Tab never reaches {missed}"
    assert set(backward) == set(forward), f"{where}: Shift+Tab goes another way round"
    assert backward[1:] == list(reversed(forward[1:])), f"{where}: Shift+Tab is not Tab reversed"


def _in_dialog(kb: Keyboard, opener: str, where: str) -> None:
    kb.tab_to(opener)

    def check(_dialog: QWidget) -> None:
        _every_control_reached(kb, where)
        kb.press(Key.Key_Escape)

    kb.then(Key.Key_Space, check)


def test_every_control_of_the_taxpayer_pages_is_reached_both_ways(keyboard: Keyboard) -> None:
    """Each page and dialog on the taxpayer's FAQ paths: Tab goes round every control and
    back to where it started, and Shift+Tab goes the same way round backwards. (The pages
    are opened by the menus' own commands; only the walk is by keyboard.)"""
    kb = keyboard
    _every_control_reached(kb, "the login window")
    main = kb.log_in("harborbakery")
    _every_control_reached(kb, "Home")
    for key in ("profile", "access_requests", "third_parties", "inbox"):
        main.open_page(key)
        _every_control_reached(kb, key)
    main.open_page("access_requests")
    kb.tab_to("Approve/Deny")

    def approve_deny(_dialog: QWidget) -> None:
        _every_control_reached(kb, "Approve/Deny")
        kb.press(Key.Key_Space)  # Give Rights: the row's Granted Rights joins the round
        _every_control_reached(kb, "Approve/Deny with a row given")
        # After the rows, the rest as it reads: the levels explained, then the buttons
        # left to right.
        kb.tab_to("What do the levels mean?")
        after = []
        for _ in range(3):
            kb.press(Key.Key_Tab)
            after.append(kb.focused().accessibleName())
        assert after == ["Deny All", "Cancel", "Approve"]
        kb.press(Key.Key_Escape)

    kb.then(Key.Key_Space, approve_deny)
    main.open_page("third_parties")
    kb.activate("smithcpa")
    for tab in ("Access", "Manage Account Access", "History"):
        kb.tab(tab)
        _every_control_reached(kb, f"the third party's {tab} tab")
    kb.tab("Access")
    _in_dialog(kb, AccessLevel.FILE.label, "Account Security")


def test_every_control_of_the_third_party_pages_is_reached_both_ways(
    keyboard: Keyboard,
) -> None:
    kb = keyboard
    _in_dialog(kb, "Create a Logon", "Create a Logon")
    _in_dialog(kb, "Use a One-Time Code", "Use a One-Time Code")
    main = kb.log_in("smithcpa")
    _every_control_reached(kb, "Clients")
    for key in ("profile", "my_access", "my_clients", "inbox"):
        main.open_page(key)
        _every_control_reached(kb, key)
    main.open_page("my_clients")
    kb.tab_to("My requests")
    _in_dialog(kb, "Print Client Authorization", "the preview")
    main.open_page("clients")
    kb.tab("All")
    kb.tab_to("All clients")
    kb.press(Key.Key_Return)  # opens the client
    _every_control_reached(kb, "a client")
    _in_dialog(kb, "Request Information…", "Request Information")
    _in_dialog(kb, "Prepare Form M-2848…", "Prepare Form M-2848")


def test_every_control_of_the_dor_pages_is_reached_both_ways(keyboard: Keyboard) -> None:
    kb = keyboard
    main = kb.log_in("dorclerk")
    _every_control_reached(kb, "DOR's home")
    _in_dialog(kb, "Record Power of Attorney", "Record Power of Attorney")
    for key in ("registry_search", "staff", "outbox", "information_queue"):
        main.open_page(key)
        _every_control_reached(kb, key)
    main.open_page("registry_search")
    _in_dialog(kb, "Register Taxpayer…", "Register Taxpayer")
    main.open_page("staff")
    _in_dialog(kb, "Add Staff Logon…", "Add Staff Logon")
    main.open_page("outbox")
    _in_dialog(kb, "Email Server…", "Email Server")
    printed = (
        AccessRequest.select()
        .where((AccessRequest.status == "pending") & (AccessRequest.method == "printed_form"))
        .first()
    )
    main.open_page("dor_request", request_id=printed.id)
    _every_control_reached(kb, "a printed-form request")
    # Reading order: the code, the rows' Give Rights, then the buttons under them.
    kb.tab_to("Authorization code")
    order: list[set[str]] = []
    while not kb.on("Print Client Authorization"):
        kb.press(Key.Key_Tab)
        order.append(names_of(kb.focused()))
    gives = [
        i for i, names in enumerate(order) if any(n.startswith("Give Rights for ") for n in names)
    ]
    record = [i for i, names in enumerate(order) if "Record Form" in names]
    assert gives
    assert record
    assert max(gives) < record[0]
