"""The inbox: the logon's emails and e-messages from DOR, unread ones in bold."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QPlainTextEdit, QSplitter, QTableView

from mtc_desktop.domain.model import MessageKind
from mtc_desktop.gui import ops, router
from mtc_desktop.gui.models import InboxModel
from mtc_desktop.gui.pages import Page
from mtc_desktop.gui.widgets import OPENS_ON_SELECT, CommandButton, heading, note, setup_table
from mtc_desktop.services import notifications
from mtc_desktop.store.files import write_private

if TYPE_CHECKING:
    from mtc_desktop.gui.main_window import MainWindow


class MessageList(QTableView):
    """The inbox's list, as in a mail client: a message is shown (and so marked read) once
    the user chooses it (arrow keys, a click, Enter), never because the list got the focus.
    The first Down arrow chooses the newest message."""

    def __init__(self) -> None:
        super().__init__()
        self.setProperty(OPENS_ON_SELECT, True)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)  # Qt makes the first row current, without choosing it
        selection = self.selectionModel()
        if selection is not None and not selection.hasSelection():
            # Nothing current: Down then goes to the first row, not past it.
            selection.setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.NoUpdate)


@router.page("inbox")
class InboxPage(Page):
    title = "Inbox"

    def __init__(self, main: MainWindow) -> None:
        super().__init__(main)
        self.body.addWidget(heading("Inbox"))
        self.count_label = note("")
        self.body.addWidget(self.count_label)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.model = InboxModel(parent=self)
        self.view = MessageList()
        self.view.setAccessibleName("Messages")
        self.view.setModel(self.model)
        setup_table(self.view, stretch_column=InboxModel.Column.SUBJECT)
        self.view.selectionModel().selectionChanged.connect(self._selected)
        self.view.activated.connect(self._open)
        self.reader = QPlainTextEdit()
        self.reader.setReadOnly(True)
        # Read-only, yet reached by Tab and read with the arrow keys (Tab goes on).
        self.reader.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.reader.setAccessibleName("Message text")
        splitter.addWidget(self.view)
        splitter.addWidget(self.reader)
        splitter.setSizes([300, 220])
        self.body.addWidget(splitter, 1)
        row = QHBoxLayout()
        self.save_link = CommandButton("Save as .eml…")
        self.save_link.clicked.connect(self._save_eml)
        self.save_link.setEnabled(False)
        row.addWidget(self.save_link)
        row.addStretch(1)
        self.body.addLayout(row)

    def focus_first(self) -> None:
        """The list first, with no message chosen (see ``MessageList``)."""
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def refresh(self) -> None:
        shown = self.shown_message_id()
        items = self.call(notifications.inbox, self.actor) or []
        self.model.set_rows(items)
        rows = [row for row, item in enumerate(items) if item.id == shown]
        if rows:
            self.view.selectRow(rows[0])  # the message being read stays shown
        else:
            self.reader.clear()
            self.save_link.setEnabled(False)
        if self.main.current_page is self:
            self.call(self.main.refresh_inbox_count)  # which calls show_inbox_counts

    def show_inbox_counts(self, counts: notifications.InboxCounts) -> None:
        self.count_label.setText(counts.text)

    def shown_message_id(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_object(rows[0].row()).id if rows else None

    def _open(self, index: QModelIndex) -> None:
        """Enter or a double click on a message: show it."""
        if index.isValid() and not self.view.selectionModel().isRowSelected(index.row()):
            self.view.selectRow(index.row())

    def _selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            self.reader.clear()
            self.save_link.setEnabled(False)
            return
        row = rows[0].row()
        item = self.model.row_object(row)
        self.reader.setPlainText(f"{item.subject}\n\n{item.body}")
        self.save_link.setEnabled(item.kind is MessageKind.EMAIL)
        if not item.read and self.call(notifications.mark_read, self.actor, item.id):
            self.model.mark_read(row)
            self.main.refresh_inbox_count()

    def _save_eml(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return
        item = self.model.row_object(rows[0].row())
        raw = self.call(notifications.raw_email, self.actor, item.id)
        if raw is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Save email", f"message-{item.id}.eml", "Email message (*.eml)"
        )
        if path and ops.attempt(self, write_private, Path(path), raw.encode("utf-8")):
            self.main.statusBar().showMessage(f"The message was saved as {path}.")
