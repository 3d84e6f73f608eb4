"""Help → Third-party Access FAQ (F1): DOR's FAQ in a window, opened at the answer that
fits the page in view; search; Show Me; Reset Demo; "Demo" said on screen; the access
levels explained where a level is chosen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QLabel,
    QWidget,
)

from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.gui import help, levels
from mtc_desktop.gui.app import launch
from mtc_desktop.gui.help import HelpWindow
from mtc_desktop.gui.taxpayer import AccountSecurityDialog, ApproveDenyDialog
from mtc_desktop.services import demo
from mtc_desktop.store import database
from mtc_desktop.store.models import AccessRequest
from tests.gui.conftest import ModalAnswer, buttons, click, log_in, main_window, when_modal
from tests.gui.test_request_wizard import FEIN, HARBOR, User, run_wizard

MORE = "More…"  # a tab of Manage My Profile, not a link


def _go(qtbot, main: QWidget, steps: list[str]) -> None:
    for step in steps:
        if step == MORE:
            page = main.current_page
            page.tabs.setCurrentIndex(
                [page.tabs.tabText(i) for i in range(page.tabs.count())].index(MORE)
            )
        else:
            click(qtbot, main, step)


def _help_window() -> HelpWindow:
    windows = [w for w in QApplication.allWidgets() if isinstance(w, HelpWindow) and w.isVisible()]
    assert len(windows) == 1, f"expected one help window, found {len(windows)}"
    return windows[0]


def _shown_question(window: HelpWindow) -> str:
    item = window.questions.currentItem()
    assert item is not None
    return item.text()


def _press_f1(qtbot, widget: QWidget) -> HelpWindow:
    """F1 in ``widget``'s window, made the active one (shortcuts work only there)."""
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    qtbot.keyClick(widget, Qt.Key.Key_F1)
    qtbot.waitUntil(
        lambda: any(isinstance(w, HelpWindow) and w.isVisible() for w in QApplication.allWidgets())
    )
    return _help_window()


@pytest.mark.parametrize(
    ("username", "steps", "question"),
    [
        ("harborbakery", [], "What is third-party access?"),
        (
            "harborbakery",
            ["Manage My Profile", MORE, "View Access Requests from Third Parties"],
            "How does a taxpayer approve a third party's request for access on MassTaxConnect?",
        ),
        (
            "harborbakery",
            ["Manage My Profile", MORE, "Manage Third-party Access"],
            "How does a taxpayer increase or decrease a third party's access?",
        ),
        (
            "smithcpa",
            [],
            "Where can a third party view clients who have assigned access rights to them?",
        ),
        (
            "smithcpa",
            ["Manage My Profile", MORE, "Manage My Access"],
            "Can a third party cancel access to a client’s account(s) on MassTaxConnect?",
        ),
        (
            "smithcpa",
            ["Manage My Profile"],
            "How does a third party request access to a taxpayer’s account(s)?",
        ),
    ],
)
def test_f1_opens_the_faq_at_the_answer_for_the_page_in_view(
    qtbot, login_window, username: str, steps: list[str], question: str
) -> None:
    main = log_in(qtbot, login_window, username)
    _go(qtbot, main, steps)
    window = _press_f1(qtbot, main)
    assert _shown_question(window) == question
    assert window.answer_view.toPlainText().startswith(question)
    # Its source and date are said under the answer.
    assert "Updated: August 16, 2022" in window.source.text()
    assert "third-party-access-to-masstaxconnect-faqs" in window.source.text()
    # F1 again raises the same window, at this page's answer.
    window.show_answer("itin")
    main.activateWindow()
    qtbot.waitUntil(main.isActiveWindow)
    qtbot.keyClick(main, Qt.Key.Key_F1)
    assert _shown_question(window) == question
    assert _help_window() is window
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isVisible())


def test_f1_at_the_login_window_and_the_help_menu(qtbot, login_window) -> None:
    window = _press_f1(qtbot, login_window)
    assert _shown_question(window) == "What is third-party access?"
    assert len(window.visible_questions()) == 18  # the FAQ's 17 and the access levels
    window.close()
    click(qtbot, login_window, "Third-party Access FAQ (F1)")
    window = _help_window()
    window.close()
    main = log_in(qtbot, login_window, "msantos")
    help_menu = main.menus["help"]
    labels = [a.text().replace("&", "") for a in help_menu.actions() if a.text()]
    assert "Third-party Access FAQ" in labels
    faq = next(
        a for a in help_menu.actions() if a.text().replace("&", "") == "Third-party Access FAQ"
    )
    assert faq.shortcut().toString() == "F1"
    faq.trigger()
    _help_window().close()


def test_search_filters_questions_and_answers_and_says_when_nothing_matches(
    qtbot, login_window
) -> None:
    window = _press_f1(qtbot, login_window)
    qtbot.waitUntil(window.isActiveWindow)
    assert window.questions.hasFocus()  # the arrow keys go through the questions
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search.hasFocus()
    # Words of an answer, not of its question: the ITIN answer says "SSN or FEIN".
    qtbot.keyClicks(window.search, "ssn fein")
    assert window.visible_questions() == [
        "Can a tax practitioner use an ITIN rather than an SSN when creating a third party account?"
    ]
    assert "DOR requires an SSN or FEIN" in window.answer_view.toPlainText()
    window.search.clear()
    qtbot.keyClicks(window.search, "Manage My Clients")
    assert window.visible_questions() == [
        "How does a third party access the Manage My Clients feature on MassTaxConnect?",
        "What if a third party does not see Manage My Clients?",
    ]
    window.search.clear()
    qtbot.keyClicks(window.search, "zebra crossing")
    assert window.visible_questions() == []
    assert window.no_match.isVisible()
    assert window.no_match.text() == "No answer matches “zebra crossing”."
    assert window.answer_view.toPlainText() == ""
    assert not window.show_me.isEnabled()
    window.search.clear()
    assert len(window.visible_questions()) == 18
    assert not window.no_match.isVisible()
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_the_help_window_by_keyboard_alone(qtbot, login_window) -> None:
    window = _press_f1(qtbot, login_window)
    qtbot.waitUntil(window.isActiveWindow)
    # Down goes through the questions, each answer shown as it is reached.
    qtbot.keyClick(window.questions, Qt.Key.Key_Down)
    assert _shown_question(window) == (
        "Does a third party start the process to work on a taxpayer’s behalf?"
    )
    assert "final authority" in window.answer_view.toPlainText()
    qtbot.keyClick(window.questions, Qt.Key.Key_Down)
    assert window.current_answer_id() == "tp-request"
    assert window.show_me.isEnabled()  # a procedure: it has a tour
    order: list[QWidget] = []
    while not order or order[-1] is not window.questions:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        if not order or QApplication.focusWidget() is not order[-1]:  # the link: two stops
            order.append(QApplication.focusWidget())
        assert len(order) < 10, order
    assert order == [
        window.answer_view,
        window.source,
        window.show_me,
        window.close_button,
        window.search,
        window.questions,
    ]
    # Space on Close closes it (Escape does too, anywhere in it).
    window.close_button.setFocus()
    qtbot.keyClick(window.close_button, Qt.Key.Key_Space)
    assert not window.isVisible()


def test_answers_read_as_paragraphs_and_bullets(qtbot, login_window) -> None:
    window = help.show_help(login_window, "tp-request")
    text = window.answer_view.toHtml()
    # Eight steps with two options under the last; then two bullets, and three.
    assert text.count("<li") == 15
    assert text.count("<ul") == 4
    assert "Third-party Access section" in window.answer_view.toPlainText()
    window.close()


def test_show_me_follows_has_tour(qtbot, login_window, monkeypatch) -> None:
    started: list[tuple[str, QWidget]] = []
    from mtc_desktop.gui import tours

    monkeypatch.setattr(tours, "has_tour", lambda answer_id: answer_id == "tx-approve")
    monkeypatch.setattr(
        tours, "start_tour", lambda answer_id, window: started.append((answer_id, window))
    )
    window = help.show_help(login_window, "what-is")
    assert not window.show_me.isEnabled()
    window.show_answer("tx-approve")
    assert window.show_me.isEnabled()
    click(qtbot, window, "Show Me")
    assert started == [("tx-approve", login_window)]
    window.show_answer("itin")
    assert not window.show_me.isEnabled()
    window.close()


def test_show_me_is_enabled_exactly_for_answers_with_a_tour(qtbot, login_window) -> None:
    from mtc_desktop.gui import tours

    window = help.show_help(login_window)
    for answer_id in help.load_faq().ids:
        window.show_answer(answer_id)
        assert window.show_me.isEnabled() == tours.has_tour(answer_id), answer_id
    window.close()


def test_the_help_window_fits_a_small_screen_and_keeps_its_place(qtbot, login_window) -> None:
    window = help.show_help(login_window)
    assert window.minimumSizeHint().width() <= 1366
    assert window.minimumSizeHint().height() <= 768
    assert window.width() <= 1366
    assert window.height() <= 768
    window.resize(700, 500)
    window.move(40, 30)
    window.close()
    again = help.show_help(login_window)
    assert (again.width(), again.height()) == (700, 500)
    assert again is not window
    again.close()


def test_every_page_answer_is_a_faq_answer_and_every_key_a_page() -> None:
    from mtc_desktop.gui import page_registry, router  # noqa: F401

    ids = set(help.load_faq().ids)
    assert set(help.PAGE_ANSWERS.values()) <= ids
    assert set(help.PROFILE_ANSWERS.values()) <= ids
    assert set(help.PAGE_ANSWERS) <= set(router.page_keys())


# --- Reset Demo and "Demo" on screen ------------------------------------------------------


def test_a_demo_says_so_in_the_titles_and_the_header(qtbot, login_window) -> None:
    assert login_window.windowTitle() == "Log In — Demo"
    main = log_in(qtbot, login_window, "harborbakery")
    assert main.windowTitle() == "Harbor Street Bakery LLC — Demo"
    tag = main.findChild(QLabel, "demoTag")
    assert tag is not None
    assert tag.isVisible()
    assert tag.text() == "Demo"
    assert tag.accessibleName() == "Demo database"
    labels = [a.text().replace("&", "") for a in main.menus["help"].actions()]
    assert "Reset Demo…" in labels


def test_a_real_database_says_no_demo_and_offers_no_reset(qtbot, tmp_path: Path) -> None:
    from mtc_desktop.services import staff

    database.open_database(tmp_path / "office.db")
    staff.add_staff_with_password(
        "chief", "Chris Chief", "chief@dor.example", demo.DEMO_PASSWORD, administrator=True
    )
    database.close_database()
    login = launch(str(tmp_path / "office.db"))
    qtbot.addWidget(login)
    try:
        assert login.windowTitle() == "Log In"
        assert not login.form.demoBox.isVisible()
        main = log_in(qtbot, login, "chief")
        assert "Demo" not in main.windowTitle()
        assert main.findChild(QLabel, "demoTag") is None
        labels = [a.text().replace("&", "") for a in main.menus["help"].actions()]
        assert "Reset Demo…" not in labels
        assert "Third-party Access FAQ" in labels
    finally:
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible():
                widget.close()
        login.deleteLater()


def test_a_demo_database_opened_by_name_lists_its_logons(qtbot, demo_db: Path) -> None:
    login = launch(str(demo_db))  # not --demo: the database says it is a demo
    qtbot.addWidget(login)
    try:
        assert login.windowTitle() == "Log In — Demo"
        assert login.form.demoBox.isVisible()
        assert login.form.demoTable.rowCount() == len(demo.demo_logons())
    finally:
        login.close()
        login.deleteLater()


def _pending_numbers() -> list[str]:
    return [r.number for r in AccessRequest.select().where(AccessRequest.status == "pending")]


def test_reset_demo_puts_back_a_change_and_returns_to_the_login_window(qtbot, login_window) -> None:
    before = sorted(_pending_numbers())
    main = log_in(qtbot, login_window, "harborbakery")
    _go(qtbot, main, ["Manage My Profile", MORE, "View Access Requests from Third Parties"])

    confirm = ModalAnswer("Yes")

    def deny(dialog: QWidget) -> None:
        when_modal(lambda box: confirm._try(), of_type=QWidget)  # the confirmation box
        buttons(dialog, "Deny All")[0].click()

    when_modal(deny, of_type=ApproveDenyDialog)
    click(qtbot, main, "Approve/Deny")
    assert confirm.answered
    assert sorted(_pending_numbers()) != before, "the request was decided"

    # No: nothing changes.
    no = ModalAnswer("Cancel").arm()
    main.user_actions["reset_demo"].trigger()
    assert no.answered
    assert "Everything done in it since it was made is lost." in no.text
    assert main.isVisible()
    assert sorted(_pending_numbers()) != before

    yes = ModalAnswer("Reset Demo").arm()
    main.user_actions["reset_demo"].trigger()
    assert yes.answered
    qtbot.waitUntil(login_window.isVisible)
    assert sorted(_pending_numbers()) == before
    assert login_window.form.demoBox.isVisible()
    assert login_window.form.demoTable.rowCount() == len(demo.demo_logons())
    assert "back as it was" in login_window.form.messageLabel.text()
    # The bakery's request is there to decide again.
    main = log_in(qtbot, login_window, "harborbakery")
    _go(qtbot, main, ["Manage My Profile", MORE, "View Access Requests from Third Parties"])
    assert buttons(main, "Approve/Deny")


# --- the access levels explained where one is chosen --------------------------------------


def test_each_level_in_the_drop_down_explains_its_rights() -> None:
    combo = levels.level_combo(AccessLevel.FILE)
    tips = [combo.itemData(i, Qt.ItemDataRole.ToolTipRole) for i in range(combo.count())]
    assert tips == [
        "View Only: view the account",
        "File: view the account and file and amend returns",
        "Pay: view the account and make payments",
        "File and Pay: view the account, file and amend returns and make payments",
        "Full Access: view the account, file and amend returns, make payments and send and "
        "read secure messages",
    ]
    combo.deleteLater()


def _levels_explained(qtbot, dialog: QWidget) -> str:
    found: list[str] = []

    def read(box: QWidget) -> None:
        label = box.findChild(QLabel, "levelsText")
        found.append(label.accessibleDescription() if label else "")
        box.close()

    seen = when_modal(read, of_type=QDialog)
    click(qtbot, dialog, "What do the levels mean?")
    assert seen
    return found[0]


def _f1_in(qtbot, dialog: QWidget) -> str:
    """F1 in a dialog: the question the help window opens at (the window then closed)."""
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog, Qt.Key.Key_F1)
    window = _help_window()
    question = _shown_question(window)
    window.close()
    return question


def test_approve_deny_explains_the_levels_and_f1_opens_its_answer(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    _go(qtbot, main, ["Manage My Profile", MORE, "View Access Requests from Third Parties"])
    explained: list[str] = []
    questions: list[str] = []

    def inside(dialog: QWidget) -> None:
        try:
            explained.append(_levels_explained(qtbot, dialog))
            questions.append(_f1_in(qtbot, dialog))
        finally:
            dialog.reject()  # type: ignore[attr-defined]

    seen = when_modal(inside, of_type=ApproveDenyDialog)
    click(qtbot, main, "Approve/Deny")
    assert seen
    assert "Full Access: view the account, file and amend returns, make payments" in explained[0]
    assert questions == [
        "How does a taxpayer approve a third party's request for access on MassTaxConnect?"
    ]


def test_account_security_explains_the_levels_and_f1_opens_its_answer(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "msantos")
    _go(qtbot, main, ["Manage My Profile", MORE, "Manage Third-party Access", "smithcpa"])
    explained: list[str] = []
    questions: list[str] = []

    def inside(dialog: QWidget) -> None:
        try:
            explained.append(_levels_explained(qtbot, dialog))
            questions.append(_f1_in(qtbot, dialog))
            # F1 on the drop-down of access types: the levels explained.
            click(qtbot, dialog, "Change")
            assert dialog.level_combo.hasFocus()  # type: ignore[attr-defined]
            questions.append(_f1_in(qtbot, dialog))
        finally:
            dialog.reject()  # type: ignore[attr-defined]

    seen = when_modal(inside, of_type=AccountSecurityDialog)
    click(qtbot, main, "File and Pay")
    assert seen
    assert "View Only: view the account." in explained[0]
    assert questions == [
        "How does a taxpayer increase or decrease a third party's access?",
        "What do the access levels mean?",
    ]


def test_request_wizard_explains_the_levels_and_f1_opens_its_answer(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "smithcpa")
    questions: list[str] = []
    links: list[QWidget] = []

    def script(user: User) -> None:
        user.activate()
        questions.append(_f1_in(qtbot, user.wizard))
        user.activate()
        user.alt("F", until=lambda: user.button(FEIN).isChecked())
        user.alt("N", until=lambda: user.title.startswith("Enter"))
        user.keys(HARBOR[0])
        user.press(Qt.Key.Key_Tab)
        user.keys(HARBOR[1])
        user.press(Qt.Key.Key_Return)
        assert user.title == "Select account(s) and level of access"
        links.extend(
            b
            for b in user.page.findChildren(QAbstractButton)
            if b.text().replace("&", "") == "What do the levels mean?" and b.isVisible()
        )
        # Under the rows, after the last drop-down in the tab order.
        assert links
        # Shift+Tab from the link goes back to the last row's controls.
        before = links[0].previousInFocusChain()
        while not (before.isVisible() and before.focusPolicy() & Qt.FocusPolicy.TabFocus):
            before = before.previousInFocusChain()
        assert isinstance(before, QComboBox | QCheckBox)
        assert user.page.rows_area.isAncestorOf(before)

    run_wizard(qtbot, main, script)
    assert questions == ["How does a third party request access to a taxpayer’s account(s)?"]
    assert len(links) == 1
    assert main_window() is main


def test_the_faq_open_at_login_goes_with_the_user_to_the_main_window(
    qtbot, login_window, monkeypatch
) -> None:
    """Opened over the login window, the FAQ stays open when the user logs in; F1 in the main
    window brings that same window to the front, over the main window, and Show Me acts on
    the main window (not on the hidden login window)."""
    from mtc_desktop.gui import tours

    started: list[tuple[str, QWidget]] = []
    monkeypatch.setattr(
        tours, "start_tour", lambda answer_id, window: started.append((answer_id, window))
    )
    window = _press_f1(qtbot, login_window)
    window.resize(700, 500)
    window.search.setText("account")
    main = log_in(qtbot, login_window, "harborbakery")
    assert window.isVisible()
    assert window.parentWidget() is main  # in front of the main window, closed with it
    assert window.search.text() == "account"
    assert (window.width(), window.height()) == (700, 500)
    again = _press_f1(qtbot, main)
    assert again is window
    qtbot.waitUntil(window.isActiveWindow)
    assert _shown_question(window) == "What is third-party access?"
    window.show_answer("tx-approve")
    assert tours.has_tour("tx-approve")
    click(qtbot, window, "Show Me")
    assert started == [("tx-approve", main)]
    window.close()


def _ink(image: QImage) -> set[tuple[int, int]]:
    """Where text is drawn: the pixels far in lightness from their line's background (the
    selected row's shading varies a little from top to bottom)."""
    image = image.convertToFormat(QImage.Format.Format_Grayscale8)
    data = bytes(image.constBits())
    stride, width = image.bytesPerLine(), image.width()
    found = set()
    for y in range(image.height()):
        line = data[y * stride : y * stride + width]
        background = sorted(line)[width // 2]
        found |= {(x, y) for x, value in enumerate(line) if abs(value - background) > 100}
    return found


def _text_differs(one: QImage, other: QImage) -> bool:
    """Whether one image has text where the other has none: a word, or the three dots of
    "…" (a dozen pixels), not a letter's edge or the whole text a pixel aside."""
    first, second = _ink(one), _ink(other)

    def alone(points: set[tuple[int, int]], near: set[tuple[int, int]]) -> int:
        return sum(
            not any((x + dx, y + dy) in near for dx in (-1, 0, 1) for dy in (-1, 0, 1))
            for x, y in points
        )

    return alone(first, second) + alone(second, first) > 3


def test_every_question_wraps_whole_selected_or_not(qtbot, login_window) -> None:
    """Each question in the list shows all its words on as many lines as it needs, the
    selected one as much as the others, at any width: none is cut short with "…"."""
    window = help.show_help(login_window, "tx-approve")
    qtbot.waitExposed(window)
    questions = window.questions
    for row in range(questions.count()):  # compared from the top down, not centred
        questions.item(row).setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    cut: set[tuple[int, str]] = set()
    for width in range(700, 1000, 9):
        window.resize(width, 600)
        QApplication.processEvents()
        for row in range(questions.count()):
            item = questions.item(row)
            rect = questions.visualItemRect(item)
            if rect.top() < 0 or rect.bottom() > questions.viewport().height():
                continue  # scrolled out of view
            shown = questions.viewport().grab(rect).toImage()
            # The same row given room for any number of lines: what it shows at the top is
            # the same unless the row was too short for its words.
            item.setSizeHint(QSize(rect.width(), rect.height() * 3))
            QApplication.processEvents()
            tall = questions.viewport().grab(questions.visualItemRect(item)).toImage()
            item.setSizeHint(QSize())
            QApplication.processEvents()
            top = QRect(0, 0, shown.width(), shown.height() - 6)
            if _text_differs(shown.copy(top), tall.copy(top)):
                cut.add((width, item.text()))
    window.close()
    assert not cut, f"cut short: {sorted(cut)[:3]}"
