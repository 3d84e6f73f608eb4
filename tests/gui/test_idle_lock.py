"""The idle lock: after a while without input the window is covered and asks for the
password again; Unlock with the right one, or Switch Logon back to the login window."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QVBoxLayout, QWidget

from mtc_desktop.gui.idle import DEFAULT_TIMEOUT_MS, WRONG_PASSWORD, IdleLock, LockDialog
from mtc_desktop.services.base import Actor
from tests.conftest import PASSWORD, World
from tests.gui.conftest import click, log_in, main_window


@dataclass
class Desk:
    """A window with a text box, as the main window stands in for, and its lock."""

    window: QWidget
    edit: QLineEdit
    actor: Actor
    switched: list[bool] = field(default_factory=list)
    lock: IdleLock | None = None

    def start(self, timeout_ms: int) -> IdleLock:
        self.lock = IdleLock(
            self.window, self.actor, lambda: self.switched.append(True), timeout_ms
        )
        return self.lock


@pytest.fixture
def desk(qtbot, world: World) -> Iterator[Desk]:
    actor = world.taxpayer_logon("ada", world.taxpayer("Ada Lovelace"))
    window = QWidget()
    window.setWindowTitle("Main window stand-in")
    layout = QVBoxLayout(window)
    layout.addWidget(QLabel("Private tax information"))
    edit = QLineEdit()
    layout.addWidget(edit)
    window.resize(600, 400)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    desk = Desk(window, edit, actor)
    yield desk
    if desk.lock is not None:
        desk.lock.stop()
    window.close()


def lock_dialog() -> LockDialog:
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, LockDialog), dialog
    return dialog


def password_field(dialog: QWidget) -> QLineEdit:
    (label,) = [
        lab for lab in dialog.findChildren(QLabel) if lab.text().replace("&", "") == "Password"
    ]
    edit = label.buddy()
    assert isinstance(edit, QLineEdit)
    return edit


def error_beside(edit: QLineEdit) -> str:
    parent = edit.parentWidget()
    below = edit.mapTo(parent, edit.rect().bottomLeft())
    for lab in parent.findChildren(QLabel):
        at = lab.mapTo(parent, lab.rect().topLeft())
        if (
            lab.property("role") == "error"
            and lab.isVisible()
            and abs(at.x() - below.x()) <= 4
            and 0 <= at.y() - below.y() <= 16
        ):
            assert edit.accessibleDescription() == lab.text()
            return lab.text()
    return ""


def covered(window: QWidget) -> bool:
    return any(
        w.isVisible() and w.geometry() == window.rect() and w.accessibleName() == "Locked"
        for w in window.findChildren(QWidget)
    )


def test_locks_after_idle_time_and_unlocks_with_the_password(qtbot, desk: Desk) -> None:
    lock = desk.start(timeout_ms=200)
    assert not lock.locked
    qtbot.waitUntil(lambda: lock.locked, timeout=3000)

    dialog = lock_dialog()  # kept referenced until the last click
    assert dialog.isVisible()
    assert dialog.windowModality() == Qt.WindowModality.ApplicationModal
    assert covered(desk.window), "the window's content is hidden"
    assert "ada" in " ".join(lab.text() for lab in dialog.findChildren(QLabel))

    # A wrong password is refused beside the field, and the lock stays.
    edit = password_field(dialog)
    qtbot.keyClicks(edit, "not my password at all")
    click(qtbot, dialog, "Unlock")
    assert error_beside(edit) == WRONG_PASSWORD
    assert edit.text() == ""
    assert lock.locked
    assert dialog.isVisible()
    assert covered(desk.window)

    # Escape does not get anyone past the lock either.
    qtbot.keyClick(edit, Qt.Key.Key_Escape)
    assert lock.locked
    assert dialog.isVisible()

    qtbot.keyClicks(edit, PASSWORD)
    click(qtbot, dialog, "Unlock")
    assert not lock.locked
    assert not dialog.isVisible()
    assert not covered(desk.window)
    assert desk.switched == []


def test_empty_password_is_asked_for(qtbot, desk: Desk) -> None:
    lock = desk.start(timeout_ms=60_000)
    lock.lock()
    dialog = lock_dialog()
    click(qtbot, dialog, "Unlock")
    assert error_beside(password_field(dialog)) == "Enter your password."
    assert lock.locked


def test_input_in_the_window_keeps_it_unlocked(qtbot, desk: Desk) -> None:
    lock = desk.start(timeout_ms=500)
    for _ in range(6):  # 0.9 s of typing and clicking, each gap well under the timeout
        qtbot.keyClick(desk.edit, "a")
        qtbot.wait(75)
        qtbot.mouseClick(desk.edit, Qt.MouseButton.LeftButton)
        qtbot.wait(75)
    assert not lock.locked
    assert desk.edit.text() == "aaaaaa"
    qtbot.waitUntil(lambda: lock.locked, timeout=3000)
    assert lock_dialog().isVisible()


def test_input_in_another_window_does_not_count(qtbot, desk: Desk) -> None:
    other = QLineEdit()
    qtbot.addWidget(other)
    other.show()
    lock = desk.start(timeout_ms=300)
    for _ in range(8):
        qtbot.keyClick(other, "b")
        qtbot.wait(50)
    qtbot.waitUntil(lambda: lock.locked, timeout=3000)
    other.close()


def test_switch_logon_calls_back_and_keeps_the_content_covered(qtbot, desk: Desk) -> None:
    lock = desk.start(timeout_ms=60_000)
    lock.lock()
    dialog = lock_dialog()
    click(qtbot, dialog, "Switch Logon")
    assert desk.switched == [True]
    assert not dialog.isVisible()
    # The window is the callback's to close; until then nothing is shown again.
    assert covered(desk.window)
    assert lock.dialog is None


def test_default_is_thirty_minutes(qtbot, desk: Desk) -> None:
    lock = desk.start(DEFAULT_TIMEOUT_MS)
    assert lock.timeout_ms == 30 * 60 * 1000
    lock.lock()
    text = " ".join(lab.text() for lab in lock_dialog().findChildren(QLabel))
    assert "after 30 minutes without input" in text
    lock.stop()
    assert not lock_dialog_open()


def lock_dialog_open() -> bool:
    return any(isinstance(w, LockDialog) and w.isVisible() for w in QApplication.topLevelWidgets())


def test_switch_logon_from_the_locked_main_window_returns_to_login(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "msantos")
    assert main is main_window()
    main.idle_lock.lock()
    dialog = lock_dialog()
    click(qtbot, dialog, "Switch Logon")
    qtbot.waitUntil(login_window.isVisible)
    assert not main.isVisible()
    assert not lock_dialog_open()
