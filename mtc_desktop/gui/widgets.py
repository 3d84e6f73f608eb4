"""Small widgets shared by the pages: hyperlink-style buttons, headings, tables."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QFocusEvent, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mtc_desktop.gui.accessibility import announce


class LinkButton(QPushButton):
    """A hyperlink that is a real button: focusable, reachable by Tab, pressed by Space/Enter,
    with the FAQ's label as both its text and its accessible name."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setObjectName("link")
        self.setAccessibleName(text.replace("&", ""))
        self.setFlat(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAutoDefault(False)

    def setText(self, text: str) -> None:  # keep the accessible name in step
        super().setText(text)
        self.setAccessibleName(text.replace("&", ""))


class CommandButton(QPushButton):
    """A command that changes data or opens the dialog that does (*Cancel Access*,
    *Change*, *Retry Now*): a push button in the system's style, never a link. Links are
    for going to another page."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setAccessibleName(text.replace("&", ""))
        self.setAutoDefault(False)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)

    def setText(self, text: str) -> None:  # keep the accessible name in step
        super().setText(text)
        self.setAccessibleName(text.replace("&", ""))


def heading(text: str, level: int = 1) -> QLabel:
    label = QLabel(text)
    label.setObjectName("heading" if level == 1 else "subheading")
    label.setAccessibleName(text)
    label.setWordWrap(True)
    return label


def note(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("note")
    label.setWordWrap(True)
    return label


class ResultLabel(QLabel):
    """The outcome of the last action: shown only while it says something."""

    def __init__(self) -> None:
        super().__init__("")
        self.setProperty("role", "success")
        self.setWordWrap(True)
        self.setAccessibleName("Result")
        self.setVisible(False)

    def setText(self, text: str) -> None:
        changed = text != self.text()
        super().setText(text)
        self.setVisible(bool(text))
        if changed:
            announce(self, text)


def error_label(accessible_name: str = "") -> QLabel:
    """A red message line, hidden while it says nothing (see :func:`show_text`)."""
    label = QLabel()
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAccessibleName(accessible_name)
    label.hide()
    return label


def show_text(label: QLabel, text: str) -> None:
    """Say ``text`` in ``label``, shown while it says something (and read out by a screen
    reader when it changes)."""
    changed = text != label.text()
    label.setText(text)
    label.setVisible(bool(text))
    if changed:
        announce(label, text)


def panel(title: str) -> tuple[QGroupBox, QVBoxLayout]:
    """A titled panel, like MassTaxConnect's (e.g. the Third-party Access panel)."""
    box = QGroupBox(title)
    box.setAccessibleName(f"{title} panel")
    layout = QVBoxLayout(box)
    layout.setSpacing(6)
    return box, layout


# A list whose selected row is shown at once, and so changes something (the inbox: a
# message shown is marked read): focus selects nothing there; the user chooses a row.
OPENS_ON_SELECT = "opensOnSelect"


class _FirstRowOnFocus(QObject):
    """See :func:`start_on_first_row`."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.FocusIn
            and isinstance(event, QFocusEvent)
            and event.reason() != Qt.FocusReason.MouseFocusReason  # the click selects
            and isinstance(watched, QAbstractItemView)
            and watched.property(OPENS_ON_SELECT) is not True
        ):
            select_first_row(watched)
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            # Ctrl+Tab and Ctrl+Shift+Tab leave the table, as Tab and Shift+Tab do (Qt's
            # convention for a control that could use Tab itself); a table takes neither.
            back = event.key() == Qt.Key.Key_Backtab or bool(
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            )
            plain = QKeyEvent(
                QEvent.Type.KeyPress,
                Qt.Key.Key_Backtab if back else Qt.Key.Key_Tab,
                Qt.KeyboardModifier.ShiftModifier if back else Qt.KeyboardModifier.NoModifier,
            )
            QApplication.sendEvent(watched, plain)
            return True
        return False


def select_first_row(view: QAbstractItemView) -> None:
    """Make the current row (the first one, when there is none) current and selected,
    unless a row is selected already."""
    model, selection = view.model(), view.selectionModel()
    if model is None or selection is None or selection.hasSelection() or not model.rowCount():
        return
    current = view.currentIndex()
    row = current.row() if current.isValid() else 0
    column = current.column() if current.isValid() else 0
    view.setCurrentIndex(model.index(row, column))


def start_on_first_row(view: QAbstractItemView) -> None:
    """A table given the keyboard focus shows its first row current and selected, so the
    first Down arrow goes to the second row. (Qt makes the first row current without
    selecting it: the first Down then selects the second, and the first looks skipped.)

    And the keyboard is never trapped in it: the arrow keys move between its cells, Tab
    and Shift+Tab, Ctrl+Tab and Ctrl+Shift+Tab go to the next and previous control."""
    view.setTabKeyNavigation(False)
    view.installEventFilter(_FirstRowOnFocus(view))


def place_links(
    view: QTableView, column: int, links: Sequence[QPushButton], names: Sequence[str] = ()
) -> None:
    """Put ``links[row]`` in each row's cell of ``column``, the one way to show a link (or
    a command button, for a row's command that changes data) in a table. ``names[row]``,
    when given, is the link's accessible name: what it does and for which row
    ("Approve/Deny request R-1 from Acme Payroll"), since a screen reader meets the link
    by Tab, away from its row (the model gives the cell its text). The cell's own
    text is not drawn under the link (it looked double-struck), and the link is never
    narrower than its text: the column makes room for it on every refresh (it shrank to
    "App" once the cell was measured without it)."""
    model = view.model()
    link_columns = getattr(model, "link_columns", None)
    if link_columns is not None and column not in link_columns and model.rowCount():
        link_columns.add(column)
        last = model.rowCount() - 1
        model.dataChanged.emit(model.index(0, column), model.index(last, column))
    elif link_columns is not None:
        link_columns.add(column)
    # Each link is a focusable button in the tab order: Tab leaves the table (its arrow
    # keys move between rows) for the first row's link, then the next row's.
    view.setTabKeyNavigation(False)
    previous: QWidget = view
    for row, link in enumerate(links):
        if row < len(names):
            link.setAccessibleName(names[row])
        link.setMinimumWidth(link.sizeHint().width())
        view.setIndexWidget(model.index(row, column), link)
        QWidget.setTabOrder(previous, link)
        previous = link
    header = view.horizontalHeader()
    if links and header.sectionResizeMode(column) is not QHeaderView.ResizeMode.Stretch:
        view.resizeColumnToContents(column)
    open_rows_with(view, column)


class _RowLinks(QObject):
    """See :func:`open_rows_with`. A child of its view, so it goes with it."""

    NAME = "rowLinks"

    def __init__(self, view: QTableView, column: int) -> None:
        super().__init__(view)
        self.setObjectName(self.NAME)
        self.column = column
        self._selection: QItemSelectionModel | None = None
        view.activated.connect(self.activate)
        view.model().layoutChanged.connect(self._retab)  # sorted: Tab follows the rows

    def _retab(self) -> None:
        view = self._view()
        model = view.model()
        columns = sorted(getattr(model, "link_columns", None) or {self.column})
        previous: QWidget = view
        for row in range(model.rowCount()):
            for column in columns:
                widget = view.indexWidget(model.index(row, column))
                if widget is not None:
                    QWidget.setTabOrder(previous, widget)
                    previous = widget

    def _view(self) -> QTableView:
        view = self.parent()
        assert isinstance(view, QTableView)
        return view

    def activate(self, index: QModelIndex) -> None:
        """Enter or a double click on a row: what a click on its link does."""
        view = self._view()
        link = view.indexWidget(view.model().index(index.row(), self.column))
        if isinstance(link, QAbstractButton) and link.isEnabled() and link.isVisibleTo(view):
            link.click()

    def follow_selection(self) -> None:
        """Mark the links of the selected rows (again, for links placed just now)."""
        view = self._view()
        selection = view.selectionModel()
        if selection is not None and selection is not self._selection:
            self._selection = selection
            selection.selectionChanged.connect(self._selection_changed)
        if selection is not None:
            self._mark(view, selection.selectedIndexes(), selected=True)

    def _selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        view = self._view()
        self._mark(view, deselected.indexes(), selected=False)
        self._mark(view, selected.indexes(), selected=True)

    @staticmethod
    def _mark(view: QTableView, indexes: Sequence[QModelIndex], *, selected: bool) -> None:
        for index in indexes:
            widget = view.indexWidget(index)
            if isinstance(widget, LinkButton) and widget.property("selectedRow") != selected:
                widget.setProperty("selectedRow", selected)
                style = widget.style()
                style.unpolish(widget)
                style.polish(widget)
                widget.update()


def open_rows_with(view: QTableView, column: int) -> None:
    """Enter (or Return) on a table's current row, or a double click on it, does what a
    click on the row's link in ``column`` does: the desktop's way to open a row. The first
    column given is the row's primary link (``place_links`` gives its column). And a link
    in a selected row is drawn in the selection's text colour (``selectedRow`` in the
    style sheet), not the link's blue on the selection's blue."""
    helper = view.findChild(QObject, _RowLinks.NAME, Qt.FindChildOption.FindDirectChildrenOnly)
    if not isinstance(helper, _RowLinks):
        helper = _RowLinks(view, column)
    helper.follow_selection()


class _RowsFitText(QObject):
    """See :func:`rows_fit_text`. A child of its view, so it goes with it."""

    def __init__(self, view: QTableView, minimum: int) -> None:
        super().__init__(view)
        self.minimum = minimum
        self.fit(view)

    def fit(self, view: QTableView) -> None:
        line = view.fontMetrics().height()
        view.verticalHeader().setDefaultSectionSize(max(self.minimum, line + 10))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FontChange and isinstance(watched, QTableView):
            self.fit(watched)
        return False


def rows_fit_text(view: QTableView, minimum: int) -> None:
    """Rows ``minimum`` pixels high, or as high as a line of the view's text needs (and
    the link in a row): larger text (View → text size, the desktop's font) makes them
    taller instead of cutting the text. Every row the same height, so nothing measures
    a long table's rows."""
    view.installEventFilter(_RowsFitText(view, minimum))


def setup_table(view: QTableView, *, stretch_column: int | None = None) -> None:
    start_on_first_row(view)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    rows_fit_text(view, 32)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(stretch_column is None)
    if stretch_column is not None:
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    # The columns size to their contents on purpose (a link in a cell is never cut), so
    # no width is the user's to drag or to remember. A click on a heading sorts the rows
    # (models.RowsModel.sort), and that sort is remembered for the page (gui/desktop.py).
    if callable(getattr(view.model(), "sort_value", None)):
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the service's order
        view.setSortingEnabled(True)
        view.installEventFilter(_SortKeeper(view))


class _SortKeeper(QObject):
    """When its table is first shown, inside its page: the sort saved for it under the
    page's key comes back, and each new sort is saved (``desktop.remember_columns``)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QTableView):
            watched.removeEventFilter(self)
            page = watched.parentWidget()
            while page is not None and not isinstance(getattr(page, "key", None), str):
                page = page.parentWidget()
            if page is not None:
                from mtc_desktop.gui import desktop

                key = f"{getattr(page, 'key', '')}/{watched.accessibleName()}"
                saved = desktop.remember_columns(watched, key)
                if saved is not None:
                    column, descending = saved
                    order = (
                        Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
                    )
                    watched.sortByColumn(column, order)
            self.deleteLater()
        return False


def bold(font: QFont) -> QFont:
    font = QFont(font)
    font.setBold(True)
    return font
