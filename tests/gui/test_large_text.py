"""Text at 200%: the desktop's font doubled and View → text size at its largest (2×). On
the login window, the Approve/Deny dialog and a page of each mode, no label, button,
link or table row is smaller than its text needs (nothing cut or hidden), and wrapped
text gets the height its lines need."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QTableView,
    QWidget,
)

from mtc_desktop.gui import desktop
from mtc_desktop.gui.login import LoginWindow
from mtc_desktop.gui.my_clients import ChangeClientViewDialog
from mtc_desktop.gui.request_wizard import RequestWizard
from mtc_desktop.gui.taxpayer import ApproveDenyDialog
from tests.gui.conftest import buttons, click, log_in, when_modal

LARGEST = desktop.TEXT_SCALES[-1]


def describe(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, (QLabel, QAbstractButton)) else ""
    return f"{type(widget).__name__} {widget.objectName() or ''} {text[:40]!r}".replace("  ", " ")


def clipped(window: QWidget) -> list[str]:
    """The shown labels, buttons and table rows of ``window`` smaller than their text."""
    QCoreApplication.processEvents()
    found = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.width() <= 0:
            continue
        if isinstance(widget, QLabel) and widget.text():
            if widget.wordWrap():
                need_h = widget.heightForWidth(widget.width())
                if widget.height() + 1 < need_h:
                    found.append(f"{describe(widget)}: {widget.height()} px high of {need_h}")
            else:
                hint = widget.sizeHint()
                if widget.width() + 1 < hint.width() or widget.height() + 1 < hint.height():
                    found.append(
                        f"{describe(widget)}: {widget.size().toTuple()} < {hint.toTuple()}"
                    )
        elif isinstance(widget, QAbstractButton) and widget.text():
            hint = widget.sizeHint()
            if widget.width() + 1 < hint.width() or widget.height() + 1 < hint.height():
                found.append(f"{describe(widget)}: {widget.size().toTuple()} < {hint.toTuple()}")
        elif isinstance(widget, QTableView) and widget.model() is not None:
            model = widget.model()
            line = widget.fontMetrics().height()
            for row in range(min(model.rowCount(), 20)):
                if widget.rowHeight(row) < line + 4:
                    found.append(
                        f"table {widget.accessibleName()!r}: row {row} is {widget.rowHeight(row)} "
                        f"px high for {line} px text"
                    )
                    break
    return found


@pytest.fixture
def text_at_200(qapp: QApplication, login_window: LoginWindow) -> Iterator[LoginWindow]:
    """The desktop font doubled and View → text size at its largest."""
    original = QFont(qapp.font())
    doubled = QFont(original)
    doubled.setPointSizeF(original.pointSizeF() * 2)
    qapp.setFont(doubled)
    desktop.set_text_scale(LARGEST)
    try:
        yield login_window
    finally:
        desktop.set_text_scale(1.0)
        qapp.setFont(original)


def test_the_style_is_twice_as_large(qapp: QApplication, text_at_200: LoginWindow) -> None:
    assert LARGEST == 2.0
    assert "font-size: 21.0pt" in qapp.styleSheet()  # 10.5pt at 2×


def test_the_login_window_cuts_nothing(qtbot, text_at_200: LoginWindow) -> None:
    text_at_200.adjustSize()
    qtbot.wait(20)
    assert clipped(text_at_200) == []


def test_the_taxpayers_pages_and_the_approve_deny_dialog_cut_nothing(
    qtbot, text_at_200: LoginWindow
) -> None:
    main = log_in(qtbot, text_at_200, "harborbakery")
    assert clipped(main) == []
    click(qtbot, main, "Manage My Profile")
    tabs = main.current_page.tabs  # type: ignore[attr-defined]
    tabs.setCurrentIndex([tabs.tabText(i) for i in range(tabs.count())].index("More…"))
    click(qtbot, main, "View Access Requests from Third Parties")
    assert clipped(main) == []
    seen: list[list[str]] = []

    def check(dialog: QWidget) -> None:
        seen.append(clipped(dialog))
        buttons(dialog, "Cancel")[0].click()

    when_modal(check, of_type=ApproveDenyDialog)
    click(qtbot, main.current_page, "Approve/Deny")
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [[]]
    main.close()


def test_the_third_partys_client_list_and_dialogs_cut_nothing(
    qtbot, text_at_200: LoginWindow
) -> None:
    main = log_in(qtbot, text_at_200, "smithcpa")
    assert clipped(main) == []
    actions = main.user_actions  # type: ignore[attr-defined]
    for action_id, dialog_type in (
        ("change_client_view", ChangeClientViewDialog),
        ("request_access", RequestWizard),
    ):
        seen: list[list[str]] = []

        def check(dialog: QWidget, seen: list[list[str]] = seen) -> None:
            seen.append(clipped(dialog))
            dialog.reject()  # type: ignore[attr-defined]

        when_modal(check, of_type=dialog_type)
        actions[action_id].trigger()
        qtbot.waitUntil(lambda seen=seen: bool(seen))
        assert seen == [[]], action_id
    main.close()


def test_the_dor_home_page_cuts_nothing(qtbot, text_at_200: LoginWindow) -> None:
    main = log_in(qtbot, text_at_200, "dorclerk")
    assert clipped(main) == []
    main.close()


def test_the_check_finds_a_cut_label(qtbot) -> None:
    """The check itself: a label narrower than its text is found."""
    window = QWidget()
    qtbot.addWidget(window)
    label = QLabel("A label much longer than the room it has", window)
    label.setFixedWidth(40)
    window.show()
    qtbot.waitExposed(window)
    assert len(clipped(window)) == 1
    window.close()
