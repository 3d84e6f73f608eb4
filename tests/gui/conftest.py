"""GUI fixtures: a demo database, the program opened on it, and helpers that drive it the
way a user does — by the labels on the screen."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox, QWidget

from mtc_desktop import APP_NAME
from mtc_desktop.gui.app import launch
from mtc_desktop.gui.login import LoginWindow
from mtc_desktop.services import demo


@pytest.fixture(autouse=True, scope="session")
def _settings_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """QSettings of every format and scope in a folder of the test session's own."""
    folder = str(tmp_path_factory.mktemp("settings"))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, folder)


@pytest.fixture(autouse=True)
def fresh_settings(_settings_in_a_temporary_folder: None, qapp: QApplication) -> Iterator[None]:
    """Each test starts with no saved window places, text size or recent databases."""
    qapp.setOrganizationName("MTC Desktop")  # as gui/app.py names it
    qapp.setApplicationName(APP_NAME)
    QSettings().clear()
    yield
    QSettings().clear()


@pytest.fixture(autouse=True)
def no_windows_left_behind(qapp: QApplication) -> Iterator[None]:
    """Fail a test that leaves a visible top-level window (napari's conftest)."""
    yield
    qapp.processEvents()
    left = [w for w in qapp.topLevelWidgets() if w.isVisible()]
    for widget in left:
        widget.close()
    qapp.processEvents()
    assert not left, f"windows left open: {[type(w).__name__ for w in left]}"


@pytest.fixture
def login_window(qtbot, demo_db: Path) -> Iterator[LoginWindow]:
    window = launch(str(demo_db), demo.demo_logons())
    qtbot.addWidget(window)
    yield window
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible():
            widget.close()
    # As when the program quits: the login window goes, and with it the session and its
    # main window, so that no page of this test is still alive in the next one.
    window.deleteLater()
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()


def buttons(root: QWidget, text: str) -> list[QAbstractButton]:
    """The visible buttons labelled ``text``; mnemonics ("&Inbox") do not count."""
    text = text.replace("&", "")
    return [
        b
        for b in root.findChildren(QAbstractButton)
        if b.text().replace("&", "") == text and b.isVisible()
    ]


def click(qtbot, root: QWidget, text: str, index: int = 0) -> None:
    """Click the visible button or link labelled ``text``."""
    found = buttons(root, text)
    assert len(found) > index, f"no visible button or link labelled {text!r}"
    qtbot.mouseClick(found[index], Qt.MouseButton.LeftButton)


def main_window() -> QWidget:
    from mtc_desktop.gui.main_window import MainWindow

    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    windows = [w for w in windows if w.isVisible()]
    assert len(windows) == 1, "expected one main window"
    return windows[0]


def log_in(qtbot, login: LoginWindow, username: str, password: str = demo.DEMO_PASSWORD) -> QWidget:
    qtbot.keyClicks(login.form.usernameEdit, username)
    qtbot.keyClicks(login.form.passwordEdit, password)
    click(qtbot, login, "Log In")
    qtbot.waitUntil(lambda: not login.isVisible())
    return main_window()


class ModalAnswer:
    """Answers the next modal dialog by clicking one of its buttons, keeping a reference
    to the box until then (PySide6 6.12 destroys boxes whose last reference drops)."""

    def __init__(self, button_text: str) -> None:
        self.button_text = button_text
        self.text = ""
        self.informative = ""
        self.answered = False
        self._box: QWidget | None = None

    def arm(self) -> ModalAnswer:
        QTimer.singleShot(0, self._try)
        return self

    def _try(self) -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(20, self._try)
            return
        self._box = box
        if isinstance(box, QMessageBox):
            self.text = box.text()
            self.informative = box.informativeText()
        for button in box.findChildren(QAbstractButton):
            if button.text().replace("&", "") == self.button_text:
                self.answered = True
                button.click()
                return
        raise AssertionError(f"the dialog has no {self.button_text!r} button")


@pytest.fixture
def answer_dialog() -> Callable[[str], ModalAnswer]:
    return lambda text: ModalAnswer(text).arm()


def when_modal(action: Callable[[QWidget], None], *, of_type: type | None = None) -> list[QWidget]:
    """Run ``action`` on the next modal dialog once it is open (the click that opens it
    blocks in ``exec()``). Returns a list that receives the dialog, as a kept reference."""
    seen: list[QWidget] = []

    def attempt() -> None:
        box = QApplication.activeModalWidget()
        if box is None or (of_type is not None and not isinstance(box, of_type)) or box in seen:
            QTimer.singleShot(20, attempt)
            return
        seen.append(box)
        action(box)

    QTimer.singleShot(0, attempt)
    return seen
