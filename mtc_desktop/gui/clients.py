"""Third-party mode: *Clients*, the *Favorites* and *All* tabs ("the list of clients, and
the third party's own business, will be displayed on the All tab"), filtered as you type,
favorites marked and unmarked. The model and view are in gui/clients_model.py; a client's
page, an account's page and *Manage My Access* are pages of their own modules
(gui/client_page.py, gui/client_account.py, gui/my_access.py)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
)

from mtc_desktop.domain.text import search_words
from mtc_desktop.gui import desktop, dialogs, ops, router
from mtc_desktop.gui.busy import writes
from mtc_desktop.gui.pages import Page
from mtc_desktop.gui.widgets import (
    heading,
    note,
)
from mtc_desktop.services import clients
from mtc_desktop.services.clients import SortKey

if TYPE_CHECKING:
    from mtc_desktop.gui.main_window import MainWindow
from mtc_desktop.gui.clients_model import (
    ClientsModel,
    ClientsView,
)

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
        self._restore_columns()

    def _restore_columns(self) -> None:
        """The widths the user dragged and the sort chosen last time (gui/desktop.py); the
        sort is set before the first read, so the list is read once, in that order."""
        saved = None
        for view in self.views:
            saved = desktop.remember_columns(view, f"{self.key}/{view.accessibleName()}") or saved
        key = ClientsModel.SORT_KEYS.get(saved[0]) if saved is not None else None
        if saved is None or key is None:
            return
        choice = SortChoice.of(key, saved[1])
        for model in self.models:
            model.sort_key, model.descending = choice.key, choice.descending
        self.sort_combo.blockSignals(True)
        self.sort_combo.setCurrentIndex(list(SortChoice).index(choice))
        self.sort_combo.blockSignals(False)
        self._show_sort_indicator()

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
            self.main.open_page("client", taxpayer_id=client.taxpayer_id)

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
