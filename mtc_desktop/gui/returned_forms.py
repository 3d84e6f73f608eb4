"""*Import Returned Forms…*: many filled-in Client Authorization PDFs at once.

The files are read off the GUI thread by one isolated reader process, with a progress bar
and a Stop button; DOR staff then see one row per file — the request number and what the
form says, or what is wrong with the file — and record the forms that read cleanly with
one button. The report that follows says, file by file, what was recorded. A single file
keeps the one-form flow (its own review dialog, gui/dor.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mtc_desktop.gui import dialogs, ops
from mtc_desktop.gui.widgets import heading, note, start_on_first_row
from mtc_desktop.services import returned_forms
from mtc_desktop.services.base import Actor
from mtc_desktop.services.returned_forms import BatchItem

TITLE = "Import Returned Forms"
COLUMNS = ("File", "Request", "What the form says, or what is wrong")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class ReturnedFormsDialog(QDialog):
    """One row per file of a batch: before recording (what each form says, and the
    button that records those that read cleanly) or after (what was recorded)."""

    def __init__(self, parent: QWidget, items: Sequence[BatchItem], *, recorded: bool) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.items = list(items)
        layout = QVBoxLayout(self)
        readable = sum(1 for item in items if item.form is not None)
        done = sum(1 for item in items if item.recorded is not None)
        total = _plural(len(items), "file")
        if recorded:
            self.summary = f"Recorded {done} of {total}" + (
                f"; {len(items) - done} not recorded: the reason is on each row."
                if done < len(items)
                else "; both sides of each request were emailed."
            )
        elif readable:
            self.summary = f"{readable} of {total} can be recorded" + (
                f"; {len(items) - readable} cannot: the reason is on each row."
                if readable < len(items)
                else "."
            )
        else:
            self.summary = f"None of the {total} can be recorded: the reason is on each row."
        layout.addWidget(heading(self.summary, 2))
        self.table = QTableWidget(len(items), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Returned forms")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        start_on_first_row(self.table)  # and Tab leaves it
        for row, item in enumerate(items):
            cells = (item.path.name, item.number or "—", item.outcome)
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(str(item.path) if column == 0 else text)
                if column == 2 and (item.problem or (item.form and item.form.notes)):
                    cell.setData(Qt.ItemDataRole.AccessibleDescriptionRole, "needs attention")
                self.table.setItem(row, column, cell)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        layout.addWidget(self.table, 1)
        if not recorded and readable:
            layout.addWidget(
                note(
                    "Recording enters each readable form's choices as the taxpayer marked them "
                    "and emails both sides. Forms that cannot be recorded are left as they are: "
                    "record them by hand from the paper form."
                )
            )
        buttons = QDialogButtonBox()
        if not recorded and readable:
            self.record_button = buttons.addButton(
                f"Record {_plural(readable, 'Form')}", QDialogButtonBox.ButtonRole.AcceptRole
            )
            buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        else:
            buttons.addButton("Close", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(900, 480)

    def rows(self) -> list[tuple[str, ...]]:
        """The table as shown: (file, request, outcome) per row."""
        rows = []
        for row in range(self.table.rowCount()):
            cells = [self.table.item(row, column) for column in range(len(COLUMNS))]
            rows.append(tuple(cell.text() if cell is not None else "" for cell in cells))
        return rows

    @classmethod
    def show_items(cls, parent: QWidget, items: Sequence[BatchItem], *, recorded: bool) -> bool:
        dialog = cls(parent, items, recorded=recorded)
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()


def import_returned_forms(
    parent: QWidget, actor: Actor, paths: Sequence[Path]
) -> list[BatchItem] | None:
    """Read ``paths`` (progress bar, Stop), show what each says, record those that read
    cleanly once confirmed, and show what was recorded. The items after recording; None
    when nothing was recorded (cancelled, or nothing readable)."""
    reading = ops.Steps(len(paths))

    def read() -> list[BatchItem]:
        return returned_forms.read_returned_forms(
            actor,
            paths,
            progress=lambda done, total, _item: reading.step(
                done, f"Reading form {min(done + 1, total)} of {total}…"
            ),
            stop=reading.stopped,
        )

    items = (
        ops.Op(parent, read)
        .refused(lambda exc: dialogs.warn(parent, TITLE, "The forms were not read.", exc.message))
        .wait(f"Reading form 1 of {len(paths)}…", TITLE, name="mtc-read-forms", steps=reading)
    )
    if items is None:
        return None
    readable = sum(1 for item in items if item.form is not None)
    if not ReturnedFormsDialog.show_items(parent, items, recorded=False) or not readable:
        return None
    recording = ops.Steps(len(items))

    def record() -> list[BatchItem]:
        return returned_forms.record_returned_forms(
            actor,
            items,
            progress=lambda done, total, _item: recording.step(done),
            stop=recording.stopped,
        )

    # Not marked writes(): the page's Import action already holds the window's write guard.
    done = ops.Op(parent, record).wait(
        f"Recording {_plural(readable, 'form')}…",
        TITLE,
        name="mtc-record-forms",
        steps=recording,
    )
    if done is None:
        return None
    ReturnedFormsDialog.show_items(parent, done, recorded=True)
    return done
