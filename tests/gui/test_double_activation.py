"""A second press of a button that writes, while the first is still running (a double
click, Enter twice, a click while its confirmation box is up), is ignored: one write, and
no "Already changed" box after a success."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import shiboken6
from peewee import fn
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox, QPushButton, QWidget

from mtc_desktop.gui.busy import connect_write, is_writing, run_write, writes
from mtc_desktop.gui.taxpayer import AccessRequestsPage, ApproveDenyDialog
from mtc_desktop.store.models import AccessRequest, AuditEvent
from tests.gui.conftest import buttons, click, log_in, when_modal


class BoxWatcher:
    """Answers every message box that opens, keeping what each said."""

    def __init__(self, answers: dict[str, str] | None = None) -> None:
        self.answers = answers or {}
        self.seen: list[tuple[str, str]] = []
        self._boxes: list[QWidget] = []
        self.timer = QTimer()
        self.timer.setInterval(15)
        self.timer.timeout.connect(self._look)
        self.timer.start()

    def _look(self) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or box in self._boxes:
            return
        self._boxes.append(box)
        self.seen.append((box.windowTitle(), box.text()))
        wanted = self.answers.get(box.windowTitle(), "OK")
        for button in box.findChildren(QAbstractButton):
            if button.text().replace("&", "") == wanted:
                button.click()
                return
        box.reject()

    def titles(self) -> list[str]:
        return [title for title, _ in self.seen]


@pytest.fixture
def boxes() -> Iterator[BoxWatcher]:
    watcher = BoxWatcher()
    yield watcher
    watcher.timer.stop()


def double_click(qtbot, widget: QWidget) -> None:
    """What a double click delivers: press, release, double-click press, release (Qt's
    mouseDClick alone sends only the double-click press)."""
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    qtbot.mouseDClick(widget, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton)


def _last_event() -> int:
    return AuditEvent.select(fn.MAX(AuditEvent.id)).scalar() or 0


def _open_requests(qtbot, login_window) -> AccessRequestsPage:
    main = log_in(qtbot, login_window, "harborbakery")
    click(qtbot, main, "Manage My Profile")
    tabs = main.current_page.tabs
    tabs.setCurrentIndex([tabs.tabText(i) for i in range(tabs.count())].index("More…"))
    click(qtbot, main, "View Access Requests from Third Parties")
    page = main.current_page
    assert isinstance(page, AccessRequestsPage)
    return page


def test_double_click_on_approve_decides_once(qtbot, login_window, boxes) -> None:
    page = _open_requests(qtbot, login_window)
    request = page.model.row_object(0)
    last = _last_event()

    def approve_twice(dialog: QWidget) -> None:
        dialog.give_boxes[0].setChecked(True)
        double_click(qtbot, buttons(dialog, "Approve")[0])

    when_modal(approve_twice, of_type=ApproveDenyDialog)
    click(qtbot, page, "Approve/Deny")
    assert boxes.titles() == []
    assert "approved" in page.result_label.text()
    assert AccessRequest.get_by_id(request.id).status == "approved"
    written = AuditEvent.select().where(AuditEvent.id > last)
    assert [e.action for e in written].count("request_approved") == 1


def test_deny_all_pressed_again_while_its_confirmation_is_up(qtbot, login_window, boxes) -> None:
    page = _open_requests(qtbot, login_window)
    request = page.model.row_object(0)
    boxes.answers["Deny the request?"] = "Yes"
    boxes.timer.stop()  # the boxes are answered below, in order

    def deny_twice(dialog: QWidget) -> None:
        deny = buttons(dialog, "Deny All")[0]

        def again(box: QWidget) -> None:
            boxes.timer.start()
            deny.click()  # the second press, while the first's confirmation is open

        when_modal(again, of_type=QMessageBox)
        deny.click()

    when_modal(deny_twice, of_type=ApproveDenyDialog)
    click(qtbot, page, "Approve/Deny")
    assert boxes.titles() == ["Deny the request?"]
    assert "denied" in page.result_label.text()
    assert AccessRequest.get_by_id(request.id).status == "denied"


# --- the mechanism itself ---------------------------------------------------------------------


class _Window(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.runs: list[str] = []
        self.button = QPushButton("Save", self)
        self.other = QPushButton("Other", self)
        self.button.clicked.connect(self.save)
        self.other.clicked.connect(self.other_write)
        self.inner: Callable[[], None] = lambda: None

    @writes
    def save(self) -> None:
        self.runs.append("save")
        assert not self.button.isEnabled(), "the pressed button is disabled while it runs"
        self.inner()

    @writes
    def other_write(self) -> None:
        self.runs.append("other")


@pytest.fixture
def window(qtbot) -> _Window:
    window = _Window()
    qtbot.addWidget(window)
    window.show()
    return window


def test_a_press_inside_a_running_write_of_the_same_window_is_ignored(qtbot, window) -> None:
    def press_again() -> None:
        window.save()  # the same handler, re-entered (e.g. from a nested event loop)
        window.other.click()  # another write of the same window

    window.inner = press_again
    qtbot.mouseClick(window.button, Qt.MouseButton.LeftButton)
    assert window.runs == ["save"]
    assert window.button.isEnabled()
    qtbot.mouseClick(window.button, Qt.MouseButton.LeftButton)
    window.other.click()
    assert window.runs == ["save", "save", "other"], "once the first is done, presses count"


def test_the_button_stays_disabled_when_the_handler_disabled_it(qtbot, window) -> None:
    window.inner = lambda: window.button.setEnabled(False)  # e.g. nothing left to save
    qtbot.mouseClick(window.button, Qt.MouseButton.LeftButton)
    assert not window.button.isEnabled()
    window.inner = lambda: None
    window.button.setEnabled(True)
    qtbot.mouseClick(window.button, Qt.MouseButton.LeftButton)
    assert window.button.isEnabled()


def test_a_failing_handler_or_a_deleted_button_leaves_nothing_stuck(qtbot, window) -> None:
    def fail() -> None:
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        run_write(window, fail, window.button)
    assert window.button.isEnabled()
    assert not is_writing(window)
    link = QPushButton("Delete me", window)
    link.show()
    connect_write(link, lambda: shiboken6.delete(link))
    link.click()
    assert not is_writing(window)
    window.other.click()
    assert window.runs[-1] == "other"


def test_a_press_on_a_button_no_longer_shown_is_ignored(qtbot, window) -> None:
    window.hide()
    runs: list[int] = []
    assert run_write(window, lambda: runs.append(1), window.button) is None
    assert runs == []
