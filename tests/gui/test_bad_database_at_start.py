"""Starting on a database that cannot be opened — not a database, damaged, written by a newer
version, a server that cannot be reached, a folder that cannot be written: one dialog says
which database and why, and offers *Open Another Database…*, *Create a New Database…* and
*Quit*. Another database chosen there serves the session; a bad one brings the dialog back
with its own reason; *Quit* ends the program with status 1 and no traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox, QWidget

from mtc_desktop.gui.app import Session, StartEnded, open_first_database, run
from mtc_desktop.gui.login import LoginWindow
from mtc_desktop.services import logons
from mtc_desktop.services.base import transaction
from mtc_desktop.store import database as store_db
from tests.conftest import PASSWORD
from tests.gui.conftest import ModalAnswer, log_in
from tests.store.helpers import file_digest, make_damaged, make_newer_version

BUTTONS = sorted(["Open Another Database…", "Create a New Database…", "Quit"])


def _text_file(path: Path) -> str:
    path.write_text("Shopping list: milk, eggs\n")
    return str(path)


def _damaged(path: Path) -> str:
    make_damaged(path)
    return str(path)


def _newer(path: Path) -> str:
    make_newer_version(path)
    return str(path)


def _unreachable_server(_path: Path) -> str:
    return "postgresql://mtc@127.0.0.1:1/office"  # nothing listens on port 1


def _unwritable_folder(path: Path) -> str:
    notes = path.with_name("notes.txt")
    notes.write_text("a file, not a folder\n")
    return str(notes / "office.db")


# How each bad database is made, and what the dialog says about it.
BAD: dict[str, tuple[Callable[[Path], str], str]] = {
    "text-file": (_text_file, "is not an MTC Desktop database (it is not a SQLite file)."),
    "damaged": (_damaged, "is damaged (database disk image is malformed)."),
    "newer": (_newer, "was written by a newer version of MTC Desktop"),
    "unreachable-server": (
        _unreachable_server,
        "Cannot open PostgreSQL database office on 127.0.0.1: connection failed",
    ),
    "unwritable-folder": (_unwritable_folder, "notes.txt is a file, not a folder."),
}


@pytest.fixture(params=sorted(BAD))
def bad(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """(a database given with --database that cannot be opened, what the dialog says)."""
    make, says = BAD[request.param]
    return make(tmp_path / "bad.db"), says


@pytest.fixture
def start_window(qtbot) -> Iterator[LoginWindow]:
    """The login window as the program shows it, before its database is opened."""
    window = Session().login_window
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    store_db.close_database()
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible():
            widget.close()


def _plain(shown: str) -> str:
    """What a box says, its non-breaking hyphens (U+2011) read as hyphens."""
    return shown.replace("\u2011", "-")


class Answers:
    """Answers the modal dialogs as they come, one step each, in order: a button label
    for a message box, a file (or None: Cancel) for a file chooser. Notes what each
    message box showed, and whether the login window was showing behind it."""

    def __init__(self, window: QWidget, *steps: str | Path | None) -> None:
        self.window = window
        self.steps = list(steps)
        self.titles: list[str] = []
        self.texts: list[str] = []
        self.buttons: list[list[str]] = []
        self.login_visible: list[bool] = []
        self._answered: list[QWidget] = []  # kept: a reference until the dialog is gone
        self._timer = QTimer()
        self._timer.timeout.connect(self._poll)
        self._timer.start(20)

    def __enter__(self) -> Answers:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._timer.stop()
        assert not self.steps, f"dialogs that never came: {self.steps}"

    def _poll(self) -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog in self._answered or not dialog.isVisible():
            return
        self._answered.append(dialog)
        assert self.steps, f"a dialog nobody expected: {dialog.windowTitle()}"
        step = self.steps.pop(0)
        if isinstance(dialog, QFileDialog):
            assert not isinstance(step, str), f"a file chooser came instead of {step!r}"
            if step is None:
                dialog.reject()
            else:  # typed into the File name field, as a user does
                name = dialog.findChild(QLineEdit, "fileNameEdit")
                assert isinstance(name, QLineEdit)
                name.setText(str(step))
                dialog.accept()
            return
        assert isinstance(dialog, QMessageBox), type(dialog)
        self.titles.append(dialog.windowTitle())
        self.texts.append(_plain(dialog.text()))
        self.buttons.append(sorted(b.text() for b in dialog.buttons()))
        self.login_visible.append(self.window.isVisible())
        [button] = [b for b in dialog.buttons() if b.text() == step]
        button.click()


def test_a_bad_database_is_told_in_one_dialog_and_a_new_one_leads_to_the_login(
    qtbot,
    start_window: LoginWindow,
    bad: tuple[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    given, says = bad
    new = tmp_path / "office.db"
    with Answers(start_window, "Create a New Database…", new) as seen:
        assert open_first_database(start_window, given) == str(new)
    assert seen.titles == ["The Database Cannot Be Opened"]
    assert says in seen.texts[0]
    assert "\n" not in seen.texts[0]
    assert "--database" not in seen.texts[0], "the dialog offers the choice itself"
    if "postgresql" not in given:
        assert given in seen.texts[0], "it names the database"
    assert seen.buttons == [BUTTONS]
    assert seen.login_visible == [False], "no login window on a database that is not there"
    err = capsys.readouterr().err
    assert err.startswith("mtc-desktop: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err
    # The new database is made and opened, and the login window works on it.
    assert store_db.read_stamp(new).user_version == store_db.schema_version()
    assert start_window.isVisible()
    with transaction():
        logons.create_staff_logon("clerk", PASSWORD, "clerk@dor.example", "Test Clerk")
    window = log_in(qtbot, start_window, "clerk", PASSWORD)
    assert window.isVisible()
    window.close()


def test_another_bad_choice_brings_the_dialog_back_with_its_own_reason(
    qtbot, start_window: LoginWindow, tmp_path: Path
) -> None:
    text_file = _text_file(tmp_path / "notes.txt")
    damaged = Path(_damaged(tmp_path / "old.db"))
    before = file_digest(damaged)
    with (
        Answers(start_window, "Open Another Database…", damaged, "Quit") as seen,
        pytest.raises(StartEnded) as ended,
    ):
        open_first_database(start_window, text_file)
    assert ended.value.status == 1
    assert seen.texts == [
        f"{text_file} is not an MTC Desktop database (it is not a SQLite file).",
        f"{damaged} is damaged (database disk image is malformed).",
    ]
    assert seen.buttons == [BUTTONS, BUTTONS]
    assert file_digest(damaged) == before, "a damaged database is left as it was"
    assert store_db.db.obj is None, "no database was opened"


def test_a_new_database_is_never_made_over_an_existing_file(
    qtbot, start_window: LoginWindow, tmp_path: Path
) -> None:
    text_file = _text_file(tmp_path / "notes.txt")
    steps = ["Create a New Database…", Path(text_file), "Create a New Database…", None, "Quit"]
    with Answers(start_window, *steps) as seen, pytest.raises(StartEnded):
        open_first_database(start_window, text_file)
    exists = (
        f"{text_file} exists already, so it cannot be a new database. To use it, choose "
        "Open Another Database…"
    )
    assert seen.texts[1:] == [exists, exists], "a cancelled file chooser brings it back"
    assert Path(text_file).read_text() == "Shopping list: milk, eggs\n"
    assert store_db.db.obj is None


# run() raises the login window, which the headless (offscreen) platform cannot do.
@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_quit_ends_the_program_with_status_1_and_no_traceback(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run() sets its own
    given = _text_file(tmp_path / "notes.txt")
    quit_box = ModalAnswer("Quit").arm()
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(QApplication.quit)
    guard.start(30_000)  # a dialog that never came would leave run() waiting
    try:
        status = run(given)
    finally:
        guard.stop()
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, LoginWindow):
                widget.deleteLater()
    assert quit_box.answered
    assert status == 1
    _out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert err == (
        f"mtc-desktop: {given} is not an MTC Desktop database (it is not a SQLite file). "
        "Choose another file with --database.\n"
    )


def test_an_option_name_is_never_split_across_lines(
    qtbot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Word wrap breaks after a hyphen: "--" ended one line and "database" began the next."""
    told = ModalAnswer("OK").arm()
    assert run(str(tmp_path / "office.db"), demo=True) == 1
    assert told.answered
    assert told.informative == (
        "Use \u2011\u2011demo or \u2011\u2011database, not both: a demo never opens a real "
        "database."
    ), "non-breaking hyphens (U+2011) on the screen"
    assert capsys.readouterr().err == (
        "mtc-desktop: Use --demo or --database, not both: a demo never opens a real database.\n"
    ), "plain hyphens where a command can be copied from"
