"""DOR staff import many returned Client Authorizations at once from the Home page's
*Import Returned Forms…*: a table says, file by file, what each form says or what is wrong;
*Record* records those that read cleanly, and the report says what was recorded."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from mtc_desktop.forms.authorization import (
    give_rights_field,
    granted_rights_field,
    render_authorization,
)
from mtc_desktop.gui import ops
from mtc_desktop.gui.dor import DorHomePage
from mtc_desktop.gui.returned_forms import ReturnedFormsDialog
from mtc_desktop.services import printing
from mtc_desktop.store.models import AccessRequest
from tests.forms import filling
from tests.gui.conftest import buttons, click, log_in


def _when_report(action: Callable[[ReturnedFormsDialog], None], count: int = 2) -> list[QWidget]:
    """Run ``action`` on each of the next ``count`` batch dialogs as it opens (the review,
    then the report)."""
    seen: list[QWidget] = []

    def attempt() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, ReturnedFormsDialog) and box.isVisible() and box not in seen:
            seen.append(box)
            action(box)
        if len(seen) < count:
            QTimer.singleShot(20, attempt)

    QTimer.singleShot(0, attempt)
    return seen


def _forms(folder: Path) -> tuple[list[Path], list[AccessRequest]]:
    """Three files: a form that gives View Only on its first account, a form cut off, and
    a Word document renamed .pdf."""
    numbers = printing.pending_printed_form_numbers()[:2]
    pending = [AccessRequest.get(AccessRequest.number == n) for n in numbers]
    first = pending[0].lines[0].account.account_number
    blank = render_authorization(printing.system_authorization_form(numbers[0]))
    good = folder / "good.pdf"
    good.write_bytes(
        filling.fill(
            blank, {give_rights_field(first): "/Yes", granted_rights_field(first): "/view_only"}
        )
    )
    cut = folder / "cut off.pdf"
    cut.write_bytes(
        filling.truncated(render_authorization(printing.system_authorization_form(numbers[1])))
    )
    letter = folder / "letter.pdf"
    letter.write_bytes(filling.docx())
    return [good, cut, letter], pending


def test_many_forms_are_reviewed_in_one_table_and_those_that_read_are_recorded(
    qtbot, login_window, tmp_path: Path, monkeypatch
) -> None:
    staff = log_in(qtbot, login_window, "dorclerk")
    home = staff.current_page
    assert isinstance(home, DorHomePage)
    paths, pending = _forms(tmp_path)
    monkeypatch.setattr(
        "PySide6.QtWidgets.QFileDialog.getOpenFileNames",
        lambda *args, **kwargs: ([str(p) for p in paths], "PDF documents (*.pdf)"),
    )
    shown: list[tuple[str, list[tuple[str, ...]]]] = []

    def answer(dialog: ReturnedFormsDialog) -> None:
        shown.append((dialog.summary, dialog.rows()))
        if buttons(dialog, "Record 1 Form"):
            buttons(dialog, "Record 1 Form")[0].click()
        else:
            buttons(dialog, "Close")[0].click()

    _when_report(answer)
    click(qtbot, home, "Import Returned Forms…")
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=30_000)

    (review, before), (report, after) = shown
    number = pending[0].number
    assert review == "1 of 3 files can be recorded; 2 cannot: the reason is on each row."
    assert [row[:2] for row in before] == [
        ("good.pdf", number),
        ("cut off.pdf", "—"),
        ("letter.pdf", "—"),
    ]
    assert before[0][2].startswith("Approves: ")
    assert before[0][2].endswith("— View Only.")
    assert before[1][2].startswith("This PDF is incomplete: its end is missing")
    assert before[2][2].startswith("This file is not a PDF: it is a Word document")
    assert report == "Recorded 1 of 3 files; 2 not recorded: the reason is on each row."
    assert after[0][2].startswith("Recorded as approved: ")
    assert after[1:] == before[1:]
    assert home.import_result.text() == (
        "Recorded 1 of 3 returned forms; 2 not recorded (record those by hand)."
    )
    assert AccessRequest.get_by_id(pending[0].id).status == "approved"
    assert AccessRequest.get_by_id(pending[1].id).status == "pending"


def test_cancel_at_the_review_records_nothing(
    qtbot, login_window, tmp_path: Path, monkeypatch
) -> None:
    staff = log_in(qtbot, login_window, "dorclerk")
    home = staff.current_page
    paths, pending = _forms(tmp_path)
    monkeypatch.setattr(
        "PySide6.QtWidgets.QFileDialog.getOpenFileNames",
        lambda *args, **kwargs: ([str(p) for p in paths[:2]], "PDF documents (*.pdf)"),
    )
    shown: list[str] = []

    def cancel(dialog: ReturnedFormsDialog) -> None:
        shown.append(dialog.summary)
        buttons(dialog, "Cancel")[0].click()

    _when_report(cancel, count=1)
    click(qtbot, home, "Import Returned Forms…")
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=30_000)
    qtbot.wait(100)
    assert QApplication.activeModalWidget() is None  # no report: nothing was recorded
    assert home.import_result.text() == ""
    assert AccessRequest.get_by_id(pending[0].id).status == "pending"


def test_a_long_op_shows_its_steps_and_stops_when_asked(qtbot) -> None:
    """Op.wait with Steps: a progress bar that follows the worker, and Stop asks it to stop
    (what *Import Returned Forms…* reads and records with)."""
    parent = QWidget()
    qtbot.addWidget(parent)
    steps = ops.Steps(50)
    values: list[int] = []

    def work() -> int:
        done = 0
        while done < 50 and not steps.stopped():
            time.sleep(0.05)
            done += 1
            steps.step(done, f"Step {done + 1} of 50…")
        return done

    def press_stop() -> None:
        progress = parent.findChildren(QProgressDialog)
        if not progress or not progress[0].isVisible() or progress[0].value() < 3:
            QTimer.singleShot(20, press_stop)
            return
        values.append(progress[0].value())
        assert progress[0].labelText().startswith("Step ")
        buttons(progress[0], "Stop")[0].click()

    QTimer.singleShot(0, press_stop)
    result = ops.Op(parent, work).wait("Working…", "Batch", steps=steps)
    assert values
    assert values[0] >= 3
    assert result is not None
    assert values[0] <= result < 50
