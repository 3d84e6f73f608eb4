"""The one way the GUI runs a use case (gui/ops.py): success refreshes what changed, a
refusal is shown beside the field or in a dialog and the page reread once, a bug goes to
the bug dialog, work off the GUI thread answers on the GUI thread, and a second activation
of a write while the first runs is ignored."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt, QThread
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QVBoxLayout, QWidget

from mtc_desktop.domain.errors import InvalidInput, StateConflict
from mtc_desktop.gui import dialogs, ops, pages
from mtc_desktop.gui.main_window import MainWindow
from mtc_desktop.services import logons
from mtc_desktop.store import database


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """What the dialogs showed: (the exception's class, its message)."""
    seen: list[tuple[str, str]] = []
    monkeypatch.setattr(
        dialogs,
        "show_error",
        lambda _parent, exc: seen.append((type(exc).__name__, getattr(exc, "message", str(exc)))),
    )
    return seen


class _Form(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.button = QPushButton("Save")
        self.message = QLabel("")
        layout.addWidget(self.button)
        layout.addWidget(self.message)
        self.refreshed = 0

    def refresh(self) -> None:
        self.refreshed += 1


@pytest.fixture
def form(qtbot) -> _Form:
    widget = _Form()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_success_hands_over_the_result_and_refreshes(form: _Form, shown) -> None:
    got: list[int] = []
    result = ops.Op(form, lambda: 42).success(got.append).refresh(form.refresh).run()
    assert result == 42
    assert got == [42]
    assert form.refreshed == 1
    assert shown == []


def test_a_refusal_goes_beside_the_field_and_the_page_is_reread(form: _Form, shown) -> None:
    def refuse() -> None:
        raise InvalidInput("Type the period as YYYY-MM.", field="period")

    result = (
        ops.Op(form, refuse)
        .refused(lambda exc: form.message.setText(exc.message))
        .refresh(form.refresh)
        .run()
    )
    assert result is None
    assert form.message.text() == "Type the period as YYYY-MM."
    assert shown == []  # no dialog: the message is beside the field
    assert form.refreshed == 1


def test_a_refusal_without_a_field_goes_to_a_dialog(form: _Form, shown) -> None:
    def refuse() -> None:
        raise StateConflict("This request was already decided.")

    assert ops.call(form, refuse) is None
    assert shown == [("StateConflict", "This request was already decided.")]


def test_any_other_exception_goes_to_the_bug_dialog(form: _Form, shown) -> None:
    failed: list[BaseException] = []

    def broken() -> None:
        raise KeyError("a bug")

    result = ops.Op(form, broken).failed(failed.append).refresh(form.refresh).run()
    assert result is None
    assert shown == [("KeyError", "'a bug'")]
    assert len(failed) == 1
    assert form.refreshed == 0  # nothing changed, nothing to reread


def test_work_off_the_gui_thread_answers_on_the_gui_thread(qtbot, form: _Form, shown) -> None:
    gui_thread = QThread.currentThread()
    worked_on: list[str] = []
    answered_on: list[object] = []

    def work() -> str:
        worked_on.append(threading.current_thread().name)
        return "done"

    def success(result: str) -> None:
        answered_on.append(QThread.currentThread())
        form.message.setText(result)

    assert ops.Op(form, work).success(success).run_in_background(name="mtc-test-op")
    qtbot.waitUntil(lambda: form.message.text() == "done")
    assert worked_on == ["mtc-test-op"]
    assert answered_on == [gui_thread]
    assert QApplication.overrideCursor() is None  # the busy cursor is gone again


def test_a_refusal_off_the_gui_thread_is_shown_on_it(qtbot, form: _Form, shown) -> None:
    def refuse() -> None:
        raise InvalidInput("Choose the CSV file to import.")

    ops.Op(form, refuse).refused(lambda exc: form.message.setText(exc.message)).run_in_background()
    qtbot.waitUntil(lambda: form.message.text() == "Choose the CSV file to import.")
    assert shown == []


def test_wait_returns_the_result_of_work_done_off_the_gui_thread(form: _Form, shown) -> None:
    names: list[str] = []

    def work() -> int:
        names.append(threading.current_thread().name)
        return 7

    assert ops.Op(form, work).wait("Working…", name="mtc-test-wait") == 7
    assert names == ["mtc-test-wait"]


def test_a_second_activation_while_a_write_runs_is_ignored(qtbot, form: _Form, shown) -> None:
    release = threading.Event()
    calls: list[int] = []

    def slow_write() -> int:
        calls.append(1)
        release.wait(5)
        return len(calls)

    def press() -> bool:
        return (
            ops.Op(form, slow_write)
            .writes(form.button)
            .success(lambda n: form.message.setText(f"written {n}"))
            .run_in_background()
        )

    form.button.clicked.connect(press)
    qtbot.mouseClick(form.button, Qt.MouseButton.LeftButton)
    assert not form.button.isEnabled()  # the pressed button waits for the write
    assert not press()  # a second activation (Enter, a shortcut) is ignored
    release.set()
    qtbot.waitUntil(lambda: form.message.text() == "written 1")
    assert calls == [1]
    assert form.button.isEnabled()
    assert press()  # once it ended, the next press writes again
    qtbot.waitUntil(lambda: form.message.text() == "written 2")


def test_a_second_activation_of_a_write_on_the_gui_thread_is_ignored(form: _Form, shown) -> None:
    calls: list[str] = []

    def write() -> None:
        calls.append("outer")
        # The first run opens a nested event loop (a confirmation box): a second press.
        assert ops.Op(form, lambda: calls.append("inner")).writes(form.button).run() is None

    ops.Op(form, write).writes(form.button).run()
    assert calls == ["outer"]


# --- Page.call goes through the same path --------------------------------------------------


class _Failing(pages.Page):
    title = "Failing"

    def __init__(self, main: MainWindow) -> None:
        self.calls = 0
        super().__init__(main)

    def fail(self) -> None:
        self.calls += 1
        raise StateConflict("This request was already decided.")

    def refresh(self) -> None:
        self.call(self.fail)


def test_a_refusal_that_persists_is_shown_without_rereading_forever(qtbot, demo_db, shown) -> None:
    database.open_database(demo_db)
    main = MainWindow(logons.log_in("harborbakery", "training-password-2026"))
    qtbot.addWidget(main)
    page = _Failing(main)
    qtbot.addWidget(page)
    assert page.call(page.fail) is None
    # The call, then one reread that fails too: two errors shown, no third attempt.
    assert page.calls == 2
    assert shown == [("StateConflict", "This request was already decided.")] * 2
