"""What a desktop program remembers between runs, in ``QSettings`` (the organization and
application names are set in gui/app.py): each window's size and place, restored onto a
screen that still exists; each list's dragged column widths and sort; the text size; the
databases opened lately."""

from __future__ import annotations

import re

from PySide6.QtCore import QObject, QPoint, QRect, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QHeaderView, QTableView, QWidget

TEXT_SCALES = (0.8, 0.9, 1.0, 1.1, 1.25, 1.4, 1.6, 1.8, 2.0)
RECENT_LIMIT = 6


def settings() -> QSettings:
    return QSettings()


# --- window size and place ------------------------------------------------------------


def save_window(window: QWidget, name: str) -> None:
    """Remember ``window``'s size and place (its normal geometry when maximized)."""
    store = settings()
    store.beginGroup(name)
    maximized = window.isMaximized()
    rect = window.normalGeometry() if maximized else window.geometry()
    store.setValue("rect", [rect.x(), rect.y(), rect.width(), rect.height()])
    store.setValue("maximized", maximized)
    store.endGroup()
    store.sync()


def saved_rect(name: str) -> tuple[QRect, bool] | None:
    store = settings()
    store.beginGroup(name)
    try:
        values = store.value("rect")
        maximized = store.value("maximized", False, type=bool)
    finally:
        store.endGroup()
    try:
        x, y, w, h = (int(v) for v in values)
    except (TypeError, ValueError):
        return None
    if w < 200 or h < 150:
        return None
    return QRect(x, y, w, h), bool(maximized)


def place_on_screen(rect: QRect) -> QRect:
    """``rect`` where it was if a screen still shows its title bar; otherwise the same size
    (no larger than the screen) in the middle of the primary screen."""
    title = QPoint(rect.center().x(), rect.top() + 10)
    for screen in QGuiApplication.screens():
        if screen.availableGeometry().contains(title):
            return rect
    primary = QGuiApplication.primaryScreen()
    if primary is None:
        return rect
    area = primary.availableGeometry()
    placed = QRect(0, 0, min(rect.width(), area.width()), min(rect.height(), area.height()))
    placed.moveCenter(area.center())
    return placed


def restore_window(window: QWidget, name: str) -> bool:
    """Put ``window`` back where it was last time; False when nothing was saved."""
    saved = saved_rect(name)
    if saved is None:
        return False
    rect, maximized = saved
    window.setGeometry(place_on_screen(rect))
    if maximized:
        from PySide6.QtCore import Qt  # here: Qt's namespace costs start-up about 20 ms

        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)
    return True


# --- a list's columns -----------------------------------------------------------------
# Under "columns/<page key>/<list name>": the widths the user dragged and the sort column
# and order, with the columns' headings as a signature: a list whose columns changed
# (a new version) starts afresh instead of getting widths meant for other columns.
#
# Only sections the user can drag (``QHeaderView.Interactive``) keep a width. Most lists
# (``widgets.setup_table``) size their columns to their contents on purpose, so that a
# link in a cell is never cut: they keep no widths, and keep a sort only if they sort.


def columns_signature(view: QTableView) -> str:
    from PySide6.QtCore import Qt  # here: Qt's namespace costs start-up about 20 ms

    model = view.model()
    if model is None:
        return ""
    horizontal = Qt.Orientation.Horizontal
    return "|".join(str(model.headerData(i, horizontal) or "") for i in range(model.columnCount()))


def _columns_group(key: str) -> str:
    return "columns/" + key.replace("\\", "_")


def save_columns(view: QTableView, key: str) -> None:
    """Remember the widths the user can drag, and the sort shown, of ``view``."""
    header = view.horizontalHeader()
    store = settings()
    store.beginGroup(_columns_group(key))
    store.setValue("signature", columns_signature(view))
    interactive = QHeaderView.ResizeMode.Interactive
    store.setValue(
        "widths",
        [
            header.sectionSize(i) if header.sectionResizeMode(i) is interactive else -1
            for i in range(header.count())
        ],
    )
    if header.isSortIndicatorShown() and header.sortIndicatorSection() >= 0:
        store.setValue("sort", [header.sortIndicatorSection(), header.sortIndicatorOrder().value])
    else:
        store.remove("sort")
    store.endGroup()


def restore_columns(view: QTableView, key: str) -> tuple[int, bool] | None:
    """Give back the widths saved for ``view``; return the saved sort as (column,
    descending) for the list to apply (each list sorts its own way), or None. Saved state
    of other columns (the list changed since) is forgotten."""
    store = settings()
    store.beginGroup(_columns_group(key))
    try:
        if store.value("signature") != columns_signature(view):
            store.remove("")  # the whole group: it was about other columns
            return None
        widths = store.value("widths", [])
        sort = store.value("sort")
    finally:
        store.endGroup()
    header = view.horizontalHeader()
    interactive = QHeaderView.ResizeMode.Interactive
    for section, width in enumerate(widths if isinstance(widths, list) else []):
        try:
            size = int(width)
        except (TypeError, ValueError):
            continue
        if (
            size > 0
            and section < header.count()
            and header.sectionResizeMode(section) is interactive
        ):
            header.resizeSection(section, max(size, header.minimumSectionSize()))
    try:
        column, order = (int(v) for v in sort)
    except (TypeError, ValueError):
        return None
    if not 0 <= column < header.count():
        return None
    return column, order == 1  # Qt.SortOrder.DescendingOrder


class _ColumnsKeeper(QObject):
    """See :func:`remember_columns`: saves when a width is dragged or the sort changes."""

    def __init__(self, view: QTableView, key: str) -> None:
        super().__init__(view.horizontalHeader())
        self.key = key
        self.restoring = False
        header = view.horizontalHeader()
        header.sectionResized.connect(self._resized)
        header.sortIndicatorChanged.connect(self._save)

    def _view(self) -> QTableView:
        view = self.parent().parent()  # type: ignore[union-attr]
        assert isinstance(view, QTableView)
        return view

    def _resized(self, section: int, _old: int, _new: int) -> None:
        header = self._view().horizontalHeader()
        if header.sectionResizeMode(section) is QHeaderView.ResizeMode.Interactive:
            self._save()

    def _save(self, *_args: object) -> None:
        if not self.restoring:
            save_columns(self._view(), self.key)


def remember_columns(view: QTableView, key: str) -> tuple[int, bool] | None:
    """Restore ``view``'s columns saved under ``key`` (see :func:`restore_columns`) and
    save them from now on whenever the user drags a width or the sort changes. Returns
    the saved sort for the list to apply."""
    keeper = _ColumnsKeeper(view, key)
    keeper.restoring = True
    try:
        return restore_columns(view, key)
    finally:
        keeper.restoring = False


# --- text size ------------------------------------------------------------------------

_PT = re.compile(r"(\d+(?:\.\d+)?)pt\b")


def text_scale() -> float:
    value = settings().value("view/text_scale", 1.0)
    try:
        scale = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 1.0
    return scale if TEXT_SCALES[0] <= scale <= TEXT_SCALES[-1] else 1.0


def scaled_style(style: str, scale: float) -> str:
    """The style sheet with every point size multiplied by ``scale``."""
    if scale == 1.0:
        return style
    return _PT.sub(lambda m: f"{float(m.group(1)) * scale:.1f}pt", style)


def set_text_scale(scale: float) -> None:
    """Apply ``scale`` to the application's text (its style sheet sets every size: see
    gui/app.py) and remember it."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    base = app.property("mtc_base_style")
    if isinstance(base, str):
        app.setStyleSheet(scaled_style(base, scale))
    store = settings()
    store.setValue("view/text_scale", scale)
    store.sync()


def step_text_scale(steps: int) -> float:
    """One size larger (``steps`` = 1) or smaller (-1), or back to normal (0)."""
    current = text_scale()
    if steps == 0:
        scale = 1.0
    else:
        nearest = min(range(len(TEXT_SCALES)), key=lambda i: abs(TEXT_SCALES[i] - current))
        index = max(0, min(len(TEXT_SCALES) - 1, nearest + steps))
        scale = TEXT_SCALES[index]
    set_text_scale(scale)
    return scale


# --- recent databases -----------------------------------------------------------------


def recent_databases() -> list[str]:
    value = settings().value("recent_databases", [])
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [str(v) for v in items if v][:RECENT_LIMIT]


def remember_database(target: str) -> None:
    items = [target, *(t for t in recent_databases() if t != target)][:RECENT_LIMIT]
    store = settings()
    store.setValue("recent_databases", items)
    store.sync()
