"""Third-party mode: the client list and what a third party does for its clients.

- *Clients*: the *Favorites* and *All* tabs ("the list of clients, and the third party's
  own business, will be displayed on the All tab"), filtered as you type, favorites marked
  and unmarked;
- a client's accounts, and an account's page: *File Return*, *Make Payment* and the
  account's activity, within the access level the taxpayer gave;
- *Manage My Access* → *Tax Administrator* → *Cancel My Access*.

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

import decimal
import enum
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

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
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mtc_desktop.domain.errors import NotAllowed, NotFound
from mtc_desktop.domain.levels import AccessLevel, Right
from mtc_desktop.domain.model import GrantStatus
from mtc_desktop.domain.text import search_words
from mtc_desktop.gui import dialogs, ops, router
from mtc_desktop.gui.busy import writes
from mtc_desktop.gui.levels import RIGHT_WORDS, describe_level
from mtc_desktop.gui.models import OBJECT_ROLE, AccessModel, ActivityModel, RowsModel, day
from mtc_desktop.gui.pages import Page
from mtc_desktop.gui.widgets import (
    LinkButton,
    heading,
    note,
    panel,
    place_links,
    setup_table,
    start_on_first_row,
)
from mtc_desktop.services import accounts, clients, grants
from mtc_desktop.services.accounts import AccountPage
from mtc_desktop.services.base import Actor
from mtc_desktop.services.clients import ClientAccess, ClientRow, SortKey
from mtc_desktop.services.grants import GrantView

if TYPE_CHECKING:
    from mtc_desktop.gui.main_window import MainWindow

Index = QModelIndex | QPersistentModelIndex
R = TypeVar("R")

STAR = "★"
NO_STAR = "☆"
OWN_BUSINESS = "own business"


def client_name(row: ClientRow) -> str:
    return f"{row.name} ({OWN_BUSINESS})" if row.own_business else row.name


def _words(rights: frozenset[Right]) -> str:
    """The rights as a sentence: "View the account; file and amend returns." """
    text = "; ".join(RIGHT_WORDS[r] for r in Right if r in rights)
    return f"{text[0].upper()}{text[1:]}." if text else ""


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
        rows.setDefaultSectionSize(self.ROW_HEIGHT)
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


# --- Clients: the Favorites and All tabs ----------------------------------------------------


class SortChoice(enum.Enum):
    NAME_ASC = ("Name (A to Z)", SortKey.NAME, False)
    NAME_DESC = ("Name (Z to A)", SortKey.NAME, True)
    ID_ASC = ("ID (lowest first)", SortKey.ID, False)
    ID_DESC = ("ID (highest first)", SortKey.ID, True)
    FAVORITE_ASC = ("Favorites first", SortKey.FAVORITE, False)
    FAVORITE_DESC = ("Favorites last", SortKey.FAVORITE, True)
    ACCOUNTS_ASC = ("Accounts (A to Z)", SortKey.ACCOUNTS, False)
    ACCOUNTS_DESC = ("Accounts (Z to A)", SortKey.ACCOUNTS, True)
    LEVELS_ASC = ("Access levels (A to Z)", SortKey.LEVELS, False)
    LEVELS_DESC = ("Access levels (Z to A)", SortKey.LEVELS, True)

    @property
    def label(self) -> str:
        return self.value[0]

    @property
    def key(self) -> SortKey:
        return self.value[1]

    @property
    def descending(self) -> bool:
        return self.value[2]

    @classmethod
    def of(cls, key: SortKey, descending: bool) -> SortChoice:
        return next(c for c in cls if c.key is key and c.descending == descending)


@router.page("clients")
class ClientsPage(Page):
    """The client list: *Favorites* and *All* tabs, a filter, and favorite marking."""

    title = "Clients"
    FAVORITES_TAB = 0
    ALL_TAB = 1
    # Filtering waits for the keystrokes already queued (a fast typist, a paste), then
    # runs: one filter at 100,000 clients takes well under a frame or two, so no longer
    # pause is needed (benchmarks/bench_clients.py).
    FILTER_DELAY_MS = 0

    def __init__(self, main: MainWindow, *, start_on_favorites: bool | None = None) -> None:
        super().__init__(main)
        self.body.addWidget(heading("Clients"))
        self.body.addWidget(
            note(
                "Your clients, and your own business, are on the All tab. Mark the clients "
                "you work with regularly as favorites: they appear on the Favorites tab when "
                "you log in. Open a client with Enter or a double click."
            )
        )
        top = QHBoxLayout()
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter clients")
        self.filter_edit.setAccessibleName("Filter clients")
        self.filter_edit.setAccessibleDescription(
            "Type words of a client's name or digits of its ID, in any order"
        )
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setFixedWidth(420)  # the count beside it never moves it
        top.addWidget(self.filter_edit)
        sort_label = QLabel("Sort by:")
        self.sort_combo = QComboBox()
        self.sort_combo.setAccessibleName("Sort by")
        for choice in SortChoice:
            self.sort_combo.addItem(choice.label, choice)
        sort_label.setBuddy(self.sort_combo)
        top.addSpacing(12)
        top.addWidget(sort_label)
        top.addWidget(self.sort_combo)
        top.addStretch(1)
        self.count_label = QLabel("")
        self.count_label.setAccessibleName("Clients shown")
        self.count_label.setObjectName("note")
        top.addWidget(self.count_label)
        self.body.addLayout(top)

        self.favorites_model = ClientsModel(self.actor, favorites_only=True, parent=self)
        self.all_model = ClientsModel(self.actor, parent=self)
        self.models = (self.favorites_model, self.all_model)
        self.favorites_view = ClientsView(self.favorites_model, "Favorite clients")
        self.all_view = ClientsView(self.all_model, "All clients")
        self.views = (self.favorites_view, self.all_view)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Client tabs")
        self.tabs.addTab(self.favorites_view, "Favorites")
        self.tabs.addTab(self.all_view, "All")
        self.body.addWidget(self.tabs, 1)

        actions = QHBoxLayout()
        self.open_button = QPushButton("Open Client")
        self.open_button.setAccessibleName("Open Client")
        self.favorite_button = QPushButton("Mark as Favorite")
        self.favorite_button.setAccessibleName("Mark as Favorite")
        actions.addWidget(self.open_button)
        actions.addWidget(self.favorite_button)
        actions.addStretch(1)
        self.body.addLayout(actions)

        # Whether a tab's model must reread before it is shown (the filter or a favorite
        # changed while the other tab was showing).
        self._stale = [True, True]
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(self.FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self._apply_filter)
        self.filter_edit.textChanged.connect(lambda _text: self._filter_timer.start())
        self.filter_edit.returnPressed.connect(self._filter_done)
        self.sort_combo.currentIndexChanged.connect(self._sort_chosen)
        for model in self.models:
            model.loading_failed.connect(self._loading_failed)
        for tab, view in enumerate(self.views):
            view.open_requested.connect(lambda row, t=tab: self.open_client(t, row))
            view.favorite_requested.connect(lambda row, t=tab: self.toggle_favorite(t, row))
            view.selectionModel().selectionChanged.connect(self._update_buttons)
            view.horizontalHeader().sectionClicked.connect(self._header_clicked)
        self.open_button.clicked.connect(self._open_selected)
        self.favorite_button.clicked.connect(self._toggle_selected)

        if start_on_favorites is None:
            start_on_favorites = bool(ops.call(self, clients.favorites_count, self.actor))
        self.tabs.setCurrentIndex(self.FAVORITES_TAB if start_on_favorites else self.ALL_TAB)
        self.tabs.currentChanged.connect(self._tab_changed)

    def _loading_failed(self, exc: Exception) -> None:
        dialogs.show_error(self, exc)

    # --- which tab --------------------------------------------------------------------------

    @property
    def current_tab(self) -> int:
        return self.tabs.currentIndex()

    @property
    def model(self) -> ClientsModel:
        return self.models[self.current_tab]

    @property
    def view(self) -> ClientsView:
        return self.views[self.current_tab]

    def focus_first(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- reading ----------------------------------------------------------------------------

    def refresh(self) -> None:
        self._stale = [True, True]
        self._load(self.current_tab)

    def _load(self, tab: int) -> None:
        model, view = self.models[tab], self.views[tab]
        selected = self._selected_client(tab)
        model.text = self.filter_edit.text()
        if ops.attempt(self, model.refresh):
            self._stale[tab] = False
        if selected is not None and (row := model.row_of(selected)) is not None:
            view.select_row(row)
        self._update_count()
        self._update_buttons()

    def _tab_changed(self, tab: int) -> None:
        if self._stale[tab]:
            self._load(tab)
        else:
            self._update_count()
            self._update_buttons()

    def _apply_filter(self) -> None:
        text = self.filter_edit.text()
        tab = self.current_tab
        self._stale[1 - tab] = True
        ops.attempt(self, self.models[tab].set_filter, text)
        self._update_count()
        self._update_buttons()

    def _filter_done(self) -> None:
        """Enter in the filter: go to the list, on its first client."""
        self._filter_timer.stop()
        self._apply_filter()
        if self.model.rowCount():
            if self.view.current_row() is None:
                self.view.select_row(0)
            self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _sort_chosen(self) -> None:
        choice: SortChoice = self.sort_combo.currentData()
        self._apply_sort(choice.key, choice.descending)

    def _header_clicked(self, column: int) -> None:
        """A header click sorts by its column; a second click reverses the order."""
        key = ClientsModel.SORT_KEYS.get(column)
        if key is None:
            self._show_sort_indicator()
            return
        model = self.model
        descending = not model.descending if model.sort_key is key else False
        self.sort_combo.setCurrentIndex(list(SortChoice).index(SortChoice.of(key, descending)))

    def _apply_sort(self, key: SortKey, descending: bool) -> None:
        tab = self.current_tab
        selected = self._selected_client(tab)
        for other, model in enumerate(self.models):
            if other == tab:
                ops.attempt(self, model.set_sort, key, descending)
            else:
                model.sort_key, model.descending = key, descending
                self._stale[other] = True
        if selected is not None and (row := self.model.row_of(selected)) is not None:
            self.view.select_row(row)
        self._show_sort_indicator()
        self._update_buttons()

    def _show_sort_indicator(self) -> None:
        choice: SortChoice = self.sort_combo.currentData()
        column = ClientsModel.COLUMNS[choice.key]
        order = Qt.SortOrder.DescendingOrder if choice.descending else Qt.SortOrder.AscendingOrder
        for view in self.views:
            view.horizontalHeader().setSortIndicator(column, order)

    def _update_count(self) -> None:
        model = self.model
        shown, total = model.rowCount(), model.total
        if model.favorites_only and total == 0:
            text = "No favorites yet. Select a client on the All tab and Mark as Favorite."
        else:
            what = "favorite" if model.favorites_only else "client"
            plural = f"{what}s" if total != 1 else what
            text = (
                f"{shown:,} of {total:,} {plural}"
                if search_words(model.text)
                else f"{total:,} {plural}"
            )
        self.count_label.setText(text)

    def _selected_client(self, tab: int) -> int | None:
        row = self.views[tab].current_row()
        return None if row is None else self.models[tab].taxpayer_id(row)

    def _update_buttons(self) -> None:
        row = self.view.current_row()
        client = None if row is None else self.model.row_object(row)
        self.open_button.setEnabled(client is not None)
        self.favorite_button.setEnabled(client is not None)
        label = "Remove from Favorites" if client and client.favorite else "Mark as Favorite"
        self.favorite_button.setText(label)
        self.favorite_button.setAccessibleName(label)

    # --- acting -----------------------------------------------------------------------------

    def _open_selected(self) -> None:
        row = self.view.current_row()
        if row is not None:
            self.open_client(self.current_tab, row)

    def _toggle_selected(self) -> None:
        row = self.view.current_row()
        if row is not None:
            self.toggle_favorite(self.current_tab, row)

    def open_client(self, tab: int, row: int) -> None:
        client = self.models[tab].row_object(row)
        if client is not None:
            self.main.push(ClientPage(self.main, client.taxpayer_id))

    @writes
    def toggle_favorite(self, tab: int, row: int) -> None:
        """Mark or unmark the client in ``row`` of ``tab`` as a favorite."""
        client = self.models[tab].row_object(row)
        if client is None:
            return
        favorite = not client.favorite
        if not _done(self, clients.set_favorite, self.actor, client.taxpayer_id, favorite):
            return
        self._stale[self.FAVORITES_TAB] = True
        if self.all_model.sort_key is SortKey.FAVORITE:  # the client moves: list again
            self._stale[self.ALL_TAB] = True
            if tab == self.ALL_TAB:
                self._load(tab)
        else:
            self.all_model.refresh_clients([client.taxpayer_id])
        if tab == self.FAVORITES_TAB:
            self._load(tab)
            model = self.models[tab]
            if model.rowCount():
                self.views[tab].select_row(min(row, model.rowCount() - 1))
        self._update_count()
        self._update_buttons()
        self.main.statusBar().showMessage(
            f"{client.name} {'is now a favorite' if favorite else 'was removed from favorites'}.",
            8000,
        )


def _done(page: Page, fn: Callable[..., object], *args: Any) -> bool:
    """Call a service that returns nothing through ``Page.call``; True when it succeeded."""

    def run() -> bool:
        fn(*args)
        return True

    return page.call(run) is True


# --- one client: its accounts -------------------------------------------------------------


@router.page("client")
class ClientPage(Page):
    """A client's accounts, one row per account with the access level; each opens the
    account's page."""

    title = "Client"

    def __init__(self, main: MainWindow, taxpayer_id: int) -> None:
        super().__init__(main)
        self.taxpayer_id = taxpayer_id
        self.name_heading = heading("Client")
        self.body.addWidget(self.name_heading)
        self.details = note("")
        self.body.addWidget(self.details)
        self.hint = note("")
        self.body.addWidget(self.hint)
        self.model = AccessModel(parent=self)
        self.view = QTableView()
        self.view.setAccessibleName("Accounts of this client")
        self.view.setModel(self.model)
        setup_table(self.view, stretch_column=AccessModel.Column.ACCOUNT_TYPE)
        self.view.setTabKeyNavigation(False)
        self.view.activated.connect(lambda index: self._open_row(index.row()))
        self.body.addWidget(self.view)
        self.poa_panel = router.make_panel("poa.client", self, taxpayer_id=taxpayer_id)
        self.body.addWidget(self.poa_panel)
        self.body.addStretch(1)

    def refresh(self) -> None:
        self.poa_panel.refresh()
        rows: list[GrantView] = ops.call(self, grants.my_access, self.actor, self.taxpayer_id) or []
        if rows:
            first = rows[0]
            name = first.taxpayer_name
            self.details.setText(
                f"ID {first.taxpayer_masked_id}"
                + (" · your own business" if first.own_business else "")
                + f" · {len(rows)} account{'s' if len(rows) != 1 else ''} you may act on"
            )
            self.hint.setText(
                "Select an account ID to see what you may do on the account, and its activity."
            )
        else:
            name = ops.call(self, clients.taxpayer_name, self.actor, self.taxpayer_id) or "Client"
            self.details.setText("You no longer have access to any of this client's accounts.")
            self.hint.setText(
                "To work for this client again, send a new request for the taxpayer's approval."
            )
        self.title = name
        self.name_heading.setText(name)
        self.model.set_rows(rows)
        links = []
        for grant in rows:
            link = LinkButton(grant.account.number)
            link.setAccessibleDescription(f"Open the {grant.account.account_type.label} account")
            link.clicked.connect(lambda _=False, g=grant: self.open_account(g.account.id))
            links.append(link)
        place_links(self.view, AccessModel.Column.ACCOUNT, links)
        height = self.view.horizontalHeader().sizeHint().height() + 32 * max(1, len(rows)) + 4
        self.view.setFixedHeight(min(height, 420))

    def account_links(self) -> list[LinkButton]:
        return [
            w
            for row in range(self.model.rowCount())
            if isinstance(
                w := self.view.indexWidget(self.model.index(row, AccessModel.Column.ACCOUNT)),
                LinkButton,
            )
        ]

    def _open_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.open_account(self.model.row_object(row).account.id)

    def open_account(self, account_id: int) -> None:
        self.main.push(ClientAccountPage(self.main, account_id))


# --- a client's account: what the third party may do there -------------------------------


@router.page("client_account")
class ClientAccountPage(Page):
    """One account of a client: the level, in words, *File Return* and *Make Payment*
    within it, and the account's activity. Every action asks the service, which reads the
    level at that moment: a level the taxpayer lowered counts at once."""

    title = "Account"

    def __init__(self, main: MainWindow, account_id: int) -> None:
        super().__init__(main)
        self.account_id = account_id
        self.current: AccountPage | None = None
        self.account_heading = heading("Tax account")
        self.body.addWidget(self.account_heading)
        info = QFormLayout()
        info.setHorizontalSpacing(16)
        self.client_label = QLabel("")
        self.client_label.setAccessibleName("Client")
        self.account_label = QLabel("")
        self.account_label.setAccessibleName("Account")
        self.level_label = QLabel("")
        self.level_label.setAccessibleName("Your access")
        self.may_label = QLabel("")
        self.may_label.setAccessibleName("You may")
        self.may_label.setWordWrap(True)
        self.may_not_label = QLabel("")
        self.may_not_label.setAccessibleName("You may not")
        self.may_not_label.setWordWrap(True)
        info.addRow("Client:", self.client_label)
        info.addRow("Account:", self.account_label)
        info.addRow("Your access:", self.level_label)
        info.addRow("You may:", self.may_label)
        info.addRow("You may not:", self.may_not_label)
        self.info = QWidget()
        self.info.setLayout(info)
        self.body.addWidget(self.info)

        self.gone_box = QWidget()
        gone = QVBoxLayout(self.gone_box)
        gone.setContentsMargins(0, 0, 0, 0)
        self.gone_label = QLabel("")
        self.gone_label.setProperty("role", "error")
        self.gone_label.setWordWrap(True)
        self.gone_label.setAccessibleName("Access")
        gone.addWidget(self.gone_label)
        self.back_link = LinkButton("Back")
        self.back_link.clicked.connect(main.go_back)
        back_row = QHBoxLayout()
        back_row.addWidget(self.back_link)
        back_row.addStretch(1)
        gone.addLayout(back_row)
        gone.addStretch(1)
        # Shown instead of the account: it takes the room the activity list leaves.
        self.body.addWidget(self.gone_box, 1)

        self.action_row = QWidget()
        self.action_row.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        row = QHBoxLayout(self.action_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)
        file_box, file_layout = panel("File Return")
        file_line = QHBoxLayout()
        self.period_edit = QLineEdit()
        self.period_edit.setPlaceholderText("Tax period, e.g. 2025 or Q1 2026")
        self.period_edit.setAccessibleName("Tax period")
        self.period_edit.setMaxLength(32)
        self.file_button = QPushButton("File Return")
        self.file_button.setAccessibleName("File Return")
        self.period_edit.returnPressed.connect(self.file_button.click)
        file_line.addWidget(self.period_edit, 1)
        file_line.addWidget(self.file_button)
        file_layout.addLayout(file_line)
        self.file_note = note("")
        file_layout.addWidget(self.file_note)
        file_layout.addStretch(1)
        pay_box, pay_layout = panel("Make Payment")
        pay_line = QHBoxLayout()
        self.amount_edit = QLineEdit()
        self.amount_edit.setPlaceholderText("Amount in dollars, e.g. 1250.00")
        self.amount_edit.setAccessibleName("Payment amount")
        self.amount_edit.setMaxLength(24)
        self.pay_button = QPushButton("Make Payment")
        self.pay_button.setAccessibleName("Make Payment")
        self.amount_edit.returnPressed.connect(self.pay_button.click)
        pay_line.addWidget(self.amount_edit, 1)
        pay_line.addWidget(self.pay_button)
        pay_layout.addLayout(pay_line)
        self.pay_note = note("")
        pay_layout.addWidget(self.pay_note)
        pay_layout.addStretch(1)
        row.addWidget(file_box, 1)
        row.addWidget(pay_box, 1)
        self.body.addWidget(self.action_row)
        self.result_label = QLabel("")
        self.result_label.setProperty("role", "success")
        self.result_label.setWordWrap(True)
        self.result_label.setAccessibleName("Result")
        self.body.addWidget(self.result_label)

        self.activity_heading = heading("Activity", 2)
        self.body.addWidget(self.activity_heading)
        self.activity_note = note("No return has been filed and no payment made here yet.")
        self.body.addWidget(self.activity_note)
        self.activity_model = ActivityModel(parent=self)
        self.activity_view = QTableView()
        self.activity_view.setAccessibleName("Account activity")
        self.activity_view.setModel(self.activity_model)
        setup_table(self.activity_view, stretch_column=ActivityModel.Column.WHAT)
        self.activity_view.setTabKeyNavigation(False)
        self.body.addWidget(self.activity_view, 1)
        # Takes the room the activity list leaves while it is hidden (stretch 0 yields to it).
        self.body.addStretch(0)
        self.file_button.clicked.connect(self._file_return)
        self.pay_button.clicked.connect(self._make_payment)

    # --- reading ----------------------------------------------------------------------------

    def refresh(self) -> None:
        try:
            page = accounts.account_page(self.actor, self.account_id)
        except (NotAllowed, NotFound) as exc:
            self._show_gone(exc.message)
            return
        except Exception as exc:
            dialogs.show_error(self, exc)
            return
        self._show(page)

    def _show(self, page: AccountPage) -> None:
        self.current = page
        self.title = page.account.label
        self.account_heading.setText(f"{page.account.account_type.label} account")
        self.client_label.setText(f"{page.taxpayer_name} ({page.taxpayer_masked_id})")
        self.account_label.setText(page.account.label)
        level = page.level
        self.level_label.setText(level.label if level else "Your own account")
        self.may_label.setText(_words(page.rights) or "Nothing.")
        self.may_not_label.setText(_words(frozenset(Right) - page.rights) or "—")
        name = level.label if level else "Your"
        can_file, can_pay = page.can(Right.FILE), page.can(Right.PAY)
        for edit, button, text, allowed, what in (
            (self.period_edit, self.file_button, self.file_note, can_file, "file returns"),
            (self.amount_edit, self.pay_button, self.pay_note, can_pay, "make payments"),
        ):
            edit.setEnabled(allowed)
            button.setEnabled(allowed)
            text.setText(
                ""
                if allowed
                else f"Your access ({name}) does not allow you to {what}. Only the taxpayer "
                "can raise it."
            )
            text.setVisible(not allowed)
        self.info.setVisible(True)
        self.action_row.setVisible(True)
        self.activity_heading.setVisible(True)
        self.gone_box.setVisible(False)
        self.activity_model.set_rows(page.activity)
        self.activity_view.setVisible(bool(page.activity))
        self.activity_note.setVisible(not page.activity)

    def _show_gone(self, message: str) -> None:
        self.current = None
        self.title = "Account"
        self.account_heading.setText("No access to this account")
        self.gone_label.setText(message)
        self.gone_box.setVisible(True)
        for widget in (
            self.info,
            self.action_row,
            self.activity_heading,
            self.activity_note,
            self.activity_view,
        ):
            widget.setVisible(False)
        self.result_label.setText("")
        self.back_link.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def access_gone(self) -> bool:
        return self.current is None and self.gone_box.isVisibleTo(self)

    def focus_first(self) -> None:
        if self.access_gone:
            self.back_link.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.period_edit.isEnabled():
            self.period_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.amount_edit.isEnabled():
            self.amount_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            super().focus_first()

    # --- acting -----------------------------------------------------------------------------

    @writes
    def _file_return(self) -> None:
        done = self.call(accounts.file_return, self.actor, self.account_id, self.period_edit.text())
        if done is None:
            return
        self.period_edit.clear()
        self.refresh()
        self.result_label.setText(f"{done.label}.")

    @writes
    def _make_payment(self) -> None:
        amount = self.call(accounts.parse_amount, self.amount_edit.text())
        if amount is None:
            return
        # Ask for the level now, before asking the user to confirm a payment it may refuse.
        page = self.call(accounts.account_page, self.actor, self.account_id)
        if page is None:
            return
        if not page.can(Right.PAY):
            name = page.level.label if page.level else "your"
            dialogs.warn(
                self,
                "Cannot do that",
                f"Your access to this account ({name}) does not allow you to make payments.",
            )
            self._show(page)
            return
        if not dialogs.confirm(
            self,
            "Make Payment",
            f"Pay {_dollars(amount)} on {page.account.label} for {page.taxpayer_name}?",
            "The payment is recorded in the account's activity.",
        ):
            return
        done = self.call(accounts.make_payment, self.actor, self.account_id, amount)
        if done is None:
            return
        self.amount_edit.clear()
        self.refresh()
        self.result_label.setText(f"{done.label} made.")


def _dollars(amount: decimal.Decimal) -> str:
    return f"${amount:,.2f}"


# --- Manage My Access → Tax Administrator → Cancel My Access -----------------------------


@dataclass(frozen=True)
class AccessRow:
    """One client and account on Manage My Access."""

    client: ClientRow
    access: ClientAccess


class MyAccessModel(RowsModel[AccessRow]):
    class Column(enum.IntEnum):
        CLIENT = 0
        ID = 1
        ACCOUNT_TYPE = 2
        ACCOUNT = 3
        LEVEL = 4
        ACTION = 5

    HEADERS: ClassVar[dict[int, str]] = {
        Column.CLIENT: "Client",
        Column.ID: "ID",
        Column.ACCOUNT_TYPE: "Account type",
        Column.ACCOUNT: "Account ID",
        Column.LEVEL: "Access Type",
        Column.ACTION: "",
    }

    def display(self, obj: AccessRow, column: int) -> str:
        return {
            self.Column.CLIENT: client_name(obj.client),
            self.Column.ID: obj.client.masked_id,
            self.Column.ACCOUNT_TYPE: obj.access.account_type.label,
            self.Column.ACCOUNT: obj.access.account_number,
            self.Column.LEVEL: obj.access.level.label,
            self.Column.ACTION: "",
        }[self.Column(column)]


@router.page("my_access")
class MyAccessPage(Page):
    """Manage My Access: one row per client and account type, each with its *Tax
    Administrator* link. A firm with many clients finds one with the filter; the list
    shows the first :attr:`MAX_CLIENTS` that match."""

    title = "Manage My Access"
    MAX_CLIENTS = 100
    FILTER_DELAY_MS = 150  # each refilter builds a link per row

    def __init__(self, main: MainWindow) -> None:
        super().__init__(main)
        self.body.addWidget(heading("Manage My Access"))
        self.body.addWidget(
            note(
                "Locate the client and account type that you want to manage and select Tax "
                "Administrator. Your own business's accounts are managed the same way."
            )
        )
        top = QHBoxLayout()
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter clients")
        self.filter_edit.setAccessibleName("Filter clients")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setFixedWidth(420)  # the count beside it never moves it
        top.addWidget(self.filter_edit)
        top.addStretch(1)
        self.count_label = QLabel("")
        self.count_label.setObjectName("note")
        self.count_label.setAccessibleName("Accounts shown")
        top.addWidget(self.count_label)
        self.body.addLayout(top)
        self.model = MyAccessModel(parent=self)
        self.view = QTableView()
        self.view.setAccessibleName("My access to clients' accounts")
        self.view.setModel(self.model)
        setup_table(self.view, stretch_column=MyAccessModel.Column.CLIENT)
        self.view.setTabKeyNavigation(False)
        self.body.addWidget(self.view, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.FILTER_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.filter_edit.textChanged.connect(lambda _text: self._timer.start())

    def focus_first(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def refresh(self) -> None:
        self._timer.stop()
        text = self.filter_edit.text()
        ids = ops.call(self, clients.client_ids, self.actor, text, limit=self.MAX_CLIENTS + 1)
        found = ops.call(self, clients.client_rows, self.actor, (ids or [])[: self.MAX_CLIENTS])
        rows = [AccessRow(c, a) for c in found or [] for a in c.accesses]
        self.model.set_rows(rows)
        links = []
        for item in rows:
            link = LinkButton("Tax Administrator")
            link.setAccessibleDescription(
                f"Manage your access to {item.access.account_type.label} "
                f"{item.access.account_number} of {item.client.name}"
            )
            link.clicked.connect(lambda _=False, i=item: self.open_details(i.access.grant_id))
            links.append(link)
        place_links(self.view, MyAccessModel.Column.ACTION, links)
        if ids is not None and len(ids) > self.MAX_CLIENTS:
            total = ops.call(self, clients.count_clients, self.actor, text) or 0
            self.count_label.setText(
                f"The first {self.MAX_CLIENTS} of {total:,} clients; type in Filter clients "
                "to find another."
            )
        elif rows:
            accounts_n = len(rows)
            clients_n = len(found or [])
            self.count_label.setText(
                f"{accounts_n} account{'s' if accounts_n != 1 else ''} of "
                f"{clients_n} client{'s' if clients_n != 1 else ''}"
            )
        else:
            self.count_label.setText(
                "No client matches the filter." if search_words(text) else "You have no access."
            )

    def tax_administrator_links(self) -> list[LinkButton]:
        return [
            w
            for row in range(self.model.rowCount())
            if isinstance(
                w := self.view.indexWidget(self.model.index(row, MyAccessModel.Column.ACTION)),
                LinkButton,
            )
        ]

    def open_details(self, grant_id: int) -> None:
        self.main.push(AccessDetailsPage(self.main, grant_id))


@router.page("access_details")
class AccessDetailsPage(Page):
    """Tax Administrator: the access details of one client account, and *Cancel My Access*."""

    title = "Tax Administrator"

    def __init__(self, main: MainWindow, grant_id: int) -> None:
        super().__init__(main)
        self.grant_id = grant_id
        self.grant: GrantView | None = None
        self.body.addWidget(heading("Tax Administrator"))
        self.subtitle = note("")
        self.body.addWidget(self.subtitle)
        box, layout = panel("Access details")
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        self.fields: dict[str, QLabel] = {}
        for label in ("Client", "ID", "Account", "Access Type", "It allows", "Last changed"):
            value = QLabel("")
            value.setAccessibleName(label)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{label}:", value)
            self.fields[label] = value
        layout.addLayout(form)
        self.body.addWidget(box)
        self.cancel_note = note("")
        self.body.addWidget(self.cancel_note)
        row = QHBoxLayout()
        self.cancel_button = QPushButton("Cancel My Access")
        self.cancel_button.setAccessibleName("Cancel My Access")
        self.cancel_button.clicked.connect(self.cancel_my_access)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        self.body.addLayout(row)
        self.body.addStretch(1)

    def refresh(self) -> None:
        grant = ops.call(self, grants.my_grant, self.actor, self.grant_id)
        self.grant = grant
        if grant is None:
            self.subtitle.setText("There is no such access.")
            self.cancel_button.setEnabled(False)
            return
        own = grant.own_business
        self.fields["Client"].setText(
            f"{grant.taxpayer_name} ({OWN_BUSINESS})" if own else grant.taxpayer_name
        )
        self.fields["ID"].setText(grant.taxpayer_masked_id)
        self.fields["Account"].setText(grant.account.label)
        self.fields["Access Type"].setText(grant.level.label)
        self.fields["It allows"].setText(_allows(grant.level))
        self.fields["Last changed"].setText(day(grant.changed_at))
        active = grant.status is GrantStatus.ACTIVE
        self.cancel_button.setEnabled(active)
        if not active:
            self.subtitle.setText("This access was canceled; it cannot be undone.")
            self.cancel_note.setText(
                "To work on this account again, send a new request for the taxpayer's approval."
            )
            return
        self.subtitle.setText(
            "Your logon's access to your own business's account."
            if own
            else f"Your access to an account of {grant.taxpayer_name}."
        )
        self.cancel_note.setText(
            "Cancel My Access removes this logon's access to this account of its own "
            "business. It cannot be undone."
            if own
            else "Cancel My Access ends your access to this account. It cannot be undone: to "
            "work on it again you must send a new request, and the taxpayer must approve it."
        )

    @writes
    def cancel_my_access(self) -> None:
        grant = self.grant
        if grant is None:
            return
        if grant.own_business:
            text = f"Cancel this logon's access to {grant.account.label} of your own business?"
            informative = (
                "This removes the logon's access to its own business account. Once access "
                "is canceled, it cannot be undone."
            )
        else:
            text = f"Cancel your access to {grant.account.label} of {grant.taxpayer_name}?"
            informative = (
                "Once access is canceled, it cannot be undone. To restore it, you must send a "
                "new request and the taxpayer must approve it. The taxpayer is told by email."
            )
        if not dialogs.confirm(self, "Cancel My Access", text, informative):
            return
        done = self.call(grants.cancel_my_access, self.actor, self.grant_id)
        if done is None:
            return
        main = self.main
        main.go_back()  # first: the message is about the page it returns to
        main.statusBar().showMessage(
            f"Your access to {grant.account.label} of {grant.taxpayer_name} was canceled.",
            10000,
        )


def _allows(level: AccessLevel) -> str:
    text = describe_level(level).split(": ", 1)[1]
    return f"{text[0].upper()}{text[1:]}."
