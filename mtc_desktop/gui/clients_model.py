"""The third party's client list: the lazy model and its view, shared by the client pages.

The client list is built for a firm with a million clients. :class:`ClientsModel` holds
a view of the ordered ids of the clients that match, which the service keeps between
keystrokes, sorts and visits (``services.clients.client_list``), and fetches the rows
themselves in blocks, when the view asks for a row that is on screen. Its row count is
exact from the start, so the scroll bar is true and jumping to the last client fetches one
block; a ``canFetchMore``/``fetchMore`` model would have to page with ``OFFSET`` (sorting
the whole match set again for each page) and fetch every page on the way to the end.
Every column sorts.
"""

from __future__ import annotations

import enum
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableView,
)

from mtc_desktop.domain.text import search_words
from mtc_desktop.gui.models import OBJECT_ROLE
from mtc_desktop.gui.widgets import (
    rows_fit_text,
    start_on_first_row,
)
from mtc_desktop.services import clients
from mtc_desktop.services.base import Actor
from mtc_desktop.services.clients import ClientRow, SortKey

if TYPE_CHECKING:
    pass


Index = QModelIndex | QPersistentModelIndex


STAR = "★"
NO_STAR = "☆"
OWN_BUSINESS = "own business"


def client_name(row: ClientRow) -> str:
    return f"{row.name} ({OWN_BUSINESS})" if row.own_business else row.name


# --- the lazy client model ---------------------------------------------------------------


class ClientsModel(QAbstractTableModel):
    """A third party's clients: the ordered ids of those that match, rows fetched in blocks.

    ``set_filter``, ``sort`` and ``refresh`` ask the service for the ids again (they raise
    the service's errors); ``data()`` fetches the block of rows around the one asked for
    and keeps the most recently used ``max_blocks`` blocks. A block that cannot be read is
    left empty and reported once through ``loading_failed``.
    """

    class Column(enum.IntEnum):
        FAVORITE = 0
        NAME = 1
        ID = 2
        ACCOUNTS = 3
        LEVELS = 4

    HEADERS: ClassVar[dict[int, str]] = {
        Column.FAVORITE: "Favorite",
        Column.NAME: "Name",
        Column.ID: "ID",
        Column.ACCOUNTS: "Accounts",
        Column.LEVELS: "Access levels",
    }
    # Every column sorts (the service keeps each order once made).
    SORT_KEYS: ClassVar[dict[int, SortKey]] = {
        Column.FAVORITE: SortKey.FAVORITE,
        Column.NAME: SortKey.NAME,
        Column.ID: SortKey.ID,
        Column.ACCOUNTS: SortKey.ACCOUNTS,
        Column.LEVELS: SortKey.LEVELS,
    }
    COLUMNS: ClassVar[dict[SortKey, int]] = {key: column for column, key in SORT_KEYS.items()}
    # Above this many rows a new list is not compared with the shown one row by row.
    COMPARE_UP_TO = 50_000

    loading_failed = Signal(object)

    def __init__(
        self,
        actor: Actor,
        *,
        favorites_only: bool = False,
        block_size: int = 100,
        max_blocks: int = 40,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)  # the page: the model goes with it
        self.actor = actor
        self.favorites_only = favorites_only
        self.block_size = block_size
        self.max_blocks = max_blocks
        self.text = ""
        self.sort_key = SortKey.NAME
        self.descending = False
        self.total = 0  # matching clients without any filter
        self._ids: Sequence[int] = []
        self._blocks: OrderedDict[int, dict[int, ClientRow]] = OrderedDict()
        self._failed: set[int] = set()

    # --- what the page asks -------------------------------------------------------------

    def set_filter(self, text: str) -> None:
        """Show the clients whose name or ID contains every typed word, in any order."""
        if search_words(text) == search_words(self.text):
            self.text = text
            return
        self.text = text
        self._reload()

    def set_sort(self, key: SortKey, descending: bool = False) -> None:
        if (key, descending) != (self.sort_key, self.descending):
            self.sort_key, self.descending = key, descending
            self._reload()

    def refresh(self) -> None:
        """Reread the ids and drop every cached row (after a change made anywhere)."""
        if not search_words(self.text):
            self._reload()
            self.total = len(self._ids)
        else:
            self.total = clients.count_clients(self.actor, favorites_only=self.favorites_only)
            self._reload()

    def refresh_clients(self, taxpayer_ids: Sequence[int]) -> None:
        """Reread the rows of these clients only; the list itself has not changed."""
        for tid in taxpayer_ids:
            row = self.row_of(tid)
            if row is not None:
                block = row // self.block_size
                self._blocks.pop(block, None)
                self._failed.discard(block)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def row_object(self, row: int) -> ClientRow | None:
        if not 0 <= row < len(self._ids):
            return None
        block = row // self.block_size
        rows = self._blocks.get(block)
        if rows is None:
            rows = self._load(block)
        else:
            self._blocks.move_to_end(block)
        return rows.get(self._ids[row])

    def row_of(self, taxpayer_id: int) -> int | None:
        try:
            return self._ids.index(taxpayer_id)
        except ValueError:
            return None

    def taxpayer_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    @property
    def cached_blocks(self) -> int:
        return len(self._blocks)

    # --- loading -------------------------------------------------------------------------

    def _reload(self) -> None:
        ids = clients.client_list(
            self.actor,
            self.text,
            favorites_only=self.favorites_only,
            sort=self.sort_key,
            descending=self.descending,
        )
        comparable = len(ids) <= self.COMPARE_UP_TO or ids is self._ids
        if len(ids) == len(self._ids) and comparable and ids == self._ids:
            # The same clients in the same order: keep the view's place and selection.
            self._blocks.clear()
            self._failed.clear()
            if ids:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(ids) - 1, len(self.HEADERS) - 1)
                )
            return
        self.beginResetModel()
        self._ids = ids
        self._blocks.clear()
        self._failed.clear()
        self.endResetModel()

    def _load(self, block: int) -> dict[int, ClientRow]:
        if block in self._failed:
            return {}
        start = block * self.block_size
        ids = self._ids[start : start + self.block_size]
        try:
            rows = clients.client_rows(self.actor, ids)
        except Exception as exc:  # shown after the paint that asked, never inside it
            self._failed.add(block)
            # The model as context: not run if it (with its page) is gone by then.
            QTimer.singleShot(0, self, lambda e=exc: self.loading_failed.emit(e))
            return {}
        loaded = {r.taxpayer_id: r for r in rows}
        self._blocks[block] = loaded
        while len(self._blocks) > self.max_blocks:
            self._blocks.popitem(last=False)
        return loaded

    # --- Qt's model interface ------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS.get(section)
        if role == Qt.ItemDataRole.ToolTipRole and section in self.SORT_KEYS:
            if section == self.Column.FAVORITE:
                return "Sort by Favorite: favorites first, or last"
            return f"Sort by {self.HEADERS[section]}"
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by any column (the service keeps each order once it is made)."""
        key = self.SORT_KEYS.get(column)
        if key is not None:
            self.set_sort(key, order == Qt.SortOrder.DescendingOrder)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        column = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column == self.Column.FAVORITE:
                return Qt.AlignmentFlag.AlignCenter
            return None
        if role not in _ROLES:
            return None
        obj = self.row_object(index.row())
        if obj is None:
            return None
        if role == OBJECT_ROLE:
            return obj
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == self.Column.FAVORITE:
                return _GOLD if obj.favorite else _GREY
            return None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if column == self.Column.FAVORITE:
                return "Favorite" if obj.favorite else "Not a favorite"
            return self._text(obj, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.Column.FAVORITE:
                if obj.favorite:
                    return "Favorite: click or press Space to remove it from favorites"
                return "Not a favorite: click or press Space to mark it as a favorite"
            if column in (self.Column.ACCOUNTS, self.Column.LEVELS):
                return "\n".join(
                    f"{a.account_type.label} {a.account_number}: {a.level.label}"
                    for a in obj.accesses
                )
            return self._text(obj, column) or None
        return self._text(obj, column)

    def _text(self, obj: ClientRow, column: int) -> str:
        if column == self.Column.FAVORITE:
            return STAR if obj.favorite else NO_STAR
        if column == self.Column.NAME:
            return client_name(obj)
        if column == self.Column.ID:
            return obj.masked_id
        if column == self.Column.ACCOUNTS:
            return obj.accounts_label
        return obj.levels_label


_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.AccessibleTextRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.ForegroundRole,
        OBJECT_ROLE,
    }
)
_GOLD = QBrush(QColor("#a86b00"))
_GREY = QBrush(QColor("#6b7785"))


class ClientsView(QTableView):
    """The table of clients: Enter or a double click opens a client; Space or a click on
    the star marks or unmarks it as a favorite."""

    open_requested = Signal(int)
    favorite_requested = Signal(int)

    ROW_HEIGHT = 30

    def __init__(self, model: ClientsModel, name: str) -> None:
        super().__init__()
        self.setModel(model)
        self.setAccessibleName(name)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)  # Tab leaves the table, to the buttons below
        start_on_first_row(self)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        rows = self.verticalHeader()
        rows.setVisible(False)
        # Every row the same height, set once: nothing measures 100,000 rows.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows_fit_text(self, self.ROW_HEIGHT)  # taller with larger text
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(ClientsModel.Column.NAME, Qt.SortOrder.AscendingOrder)
        # Short columns a fixed width (set once: nothing measures 100,000 rows); the name
        # and the list of accounts ("Paid Family and Medical Leave, Withholding") share
        # the rest.
        widths = {
            ClientsModel.Column.FAVORITE: 84,
            ClientsModel.Column.ID: 130,
            ClientsModel.Column.LEVELS: 220,
        }
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        for column in (ClientsModel.Column.NAME, ClientsModel.Column.ACCOUNTS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.clicked.connect(self._clicked)
        self.doubleClicked.connect(self._double_clicked)

    def current_row(self) -> int | None:
        rows = self.selectionModel().selectedRows()
        if rows:
            return rows[0].row()
        index = self.currentIndex()
        return index.row() if index.isValid() else None

    def select_row(self, row: int) -> None:
        index = self.model().index(row, ClientsModel.Column.NAME)
        self.setCurrentIndex(index)
        self.scrollTo(index)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        row = self.current_row()
        if row is not None and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_requested.emit(row)
            return
        if row is not None and event.key() == Qt.Key.Key_Space:
            self.favorite_requested.emit(row)
            return
        super().keyPressEvent(event)

    def _clicked(self, index: QModelIndex) -> None:
        if index.column() == ClientsModel.Column.FAVORITE:
            self.favorite_requested.emit(index.row())

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.column() != ClientsModel.Column.FAVORITE:
            self.open_requested.emit(index.row())
