"""Table models, one per entity, each with a ``Column`` enum and ``OBJECT_ROLE`` returning
the service's frozen row itself, so views never parse display text (napari's pattern)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from mtc_desktop.services.accounts import ActivityView
from mtc_desktop.services.audit import HistoryEntry
from mtc_desktop.services.grants import FormerClient, GrantView, ThirdPartyWithAccess
from mtc_desktop.services.notifications import InboxItem
from mtc_desktop.services.requests import RequestView
from mtc_desktop.services.taxpayers import AccountView

OBJECT_ROLE = Qt.ItemDataRole.UserRole + 1
T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex


def _local(value: dt.datetime) -> dt.datetime:
    """Stored times are naive UTC; show them in the workstation's time zone."""
    return value.replace(tzinfo=dt.UTC).astimezone()


def when(value: dt.datetime | None) -> str:
    return _local(value).strftime("%b %d, %Y %H:%M") if value is not None else ""


def day(value: dt.datetime | None) -> str:
    return _local(value).strftime("%b %d, %Y") if value is not None else ""


class RowsModel(QAbstractTableModel, Generic[T]):
    """A read-only table of frozen rows; subclasses give columns and how to show a cell.

    A page passes itself as ``parent``: the model then goes with the page. (A model without
    a Qt parent is owned by Python; a slot connected to its signals that holds the page
    keeps both alive after the page is deleted.)"""

    class Column(enum.IntEnum):
        pass

    HEADERS: ClassVar[dict[int, str]] = {}
    # A screen reader's name of a column whose header shows no text (a link column).
    ACCESSIBLE_HEADERS: ClassVar[dict[int, str]] = {}
    # What a column sorts by when it is not its text (a date column: the date itself).
    SORT_BY: ClassVar[dict[int, Callable[[Any], Any]]] = {}

    def __init__(self, rows: Sequence[T] = (), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._given: list[T] = list(rows)  # in the service's order
        self._rows: list[T] = list(rows)  # as shown: sorted by the user's column, if any
        self._sort: tuple[int, Qt.SortOrder] | None = None
        # Columns whose cells hold a link widget (``widgets.place_links``): the cell draws
        # no text of its own under the link; screen readers and tooltips still get it.
        self.link_columns: set[int] = set()

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._given = list(rows)
        self._rows = self._sorted(self._given)
        self.endResetModel()

    # --- sorting: a click on a column's heading (the view's ``setSortingEnabled``) --------

    def sort_value(self, obj: T, column: int) -> Any:
        """What ``column`` sorts by: its text, unless ``SORT_BY`` says otherwise."""
        key = self.SORT_BY.get(column)
        if key is not None:
            value = key(obj)
            return (value is None, value or 0)  # no date last
        return (False, (self.display(obj, column) or "").casefold())

    def _sorted(self, rows: list[T]) -> list[T]:
        if self._sort is None:
            return list(rows)
        column, order = self._sort
        return sorted(
            rows,
            key=lambda obj: self.sort_value(obj, column),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` (-1: the service's order). Rows keep their link widgets and
        their selection: persistent indexes move with their rows."""
        self._sort = (column, order) if 0 <= column < self.columnCount() else None
        self.layoutAboutToBeChanged.emit()
        before = self._rows
        self._rows = self._sorted(self._given)
        where = {id(obj): row for row, obj in enumerate(self._rows)}
        old = self.persistentIndexList()
        new = [self.index(where[id(before[i.row()])], i.column()) for i in old]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def row_object(self, row: int) -> T:
        return self._rows[row]

    def replace_row(self, row: int, obj: T) -> None:
        """Show ``obj`` in place of the row's object (the caller emits ``dataChanged``)."""
        old = self._rows[row]
        self._rows[row] = obj
        self._given = [obj if given is old else given for given in self._given]

    def rows(self) -> list[T]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS.get(section)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.AccessibleTextRole:
            return self.ACCESSIBLE_HEADERS.get(section) or self.HEADERS.get(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        obj = self._rows[index.row()]
        if role == OBJECT_ROLE:
            return obj
        if role == Qt.ItemDataRole.DisplayRole and index.column() in self.link_columns:
            return None
        if role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return self.display(obj, index.column()) or None
        return self.extra(obj, index.column(), role)

    def display(self, obj: T, column: int) -> str:
        raise NotImplementedError

    def extra(self, obj: T, column: int, role: int) -> Any:
        return None


class AccountsModel(RowsModel[AccountView]):
    class Column(enum.IntEnum):
        TYPE = 0
        NUMBER = 1

    HEADERS: ClassVar[dict[int, str]] = {Column.TYPE: "Account type", Column.NUMBER: "Account ID"}

    def display(self, obj: AccountView, column: int) -> str:
        return obj.account_type.label if column == self.Column.TYPE else obj.number


class PendingRequestsModel(RowsModel[RequestView]):
    """View Access Requests from Third Parties."""

    class Column(enum.IntEnum):
        THIRD_PARTY = 0
        DATE = 1
        METHOD = 2
        ACCOUNTS = 3
        NUMBER = 4
        ACTION = 5

    HEADERS: ClassVar[dict[int, str]] = {
        Column.THIRD_PARTY: "Third party",
        Column.DATE: "Requested",
        Column.METHOD: "Method",
        Column.ACCOUNTS: "Accounts",
        Column.NUMBER: "Request",
        Column.ACTION: "",
    }
    SORT_BY: ClassVar[dict[int, Callable[[Any], Any]]] = {Column.DATE: lambda o: o.created_at}
    ACCESSIBLE_HEADERS: ClassVar[dict[int, str]] = {Column.ACTION: "Decision"}

    def display(self, obj: RequestView, column: int) -> str:
        return {
            self.Column.THIRD_PARTY: f"{obj.third_party_name} ({obj.third_party_username})",
            self.Column.DATE: day(obj.created_at),
            self.Column.METHOD: obj.method.label,
            self.Column.ACCOUNTS: obj.accounts_label,
            self.Column.NUMBER: obj.number,
            self.Column.ACTION: "Approve/Deny",  # the link's text, for a screen reader
        }[self.Column(column)]


class ThirdPartiesModel(RowsModel[ThirdPartyWithAccess]):
    """Manage Third-party Access."""

    class Column(enum.IntEnum):
        USERNAME = 0
        NAME = 1
        ACCOUNTS = 2

    HEADERS: ClassVar[dict[int, str]] = {
        Column.USERNAME: "Username",
        Column.NAME: "Name",
        Column.ACCOUNTS: "Accounts",
    }

    def display(self, obj: ThirdPartyWithAccess, column: int) -> str:
        if column == self.Column.USERNAME:
            return obj.username
        if column == self.Column.NAME:
            return obj.name
        return str(obj.accounts)


class AccessModel(RowsModel[GrantView]):
    """A third party's page, Access tab: one row per account."""

    class Column(enum.IntEnum):
        ACCOUNT_TYPE = 0
        ACCOUNT = 1
        ACCESS_TYPE = 2
        SINCE = 3

    HEADERS: ClassVar[dict[int, str]] = {
        Column.ACCOUNT_TYPE: "Account type",
        Column.ACCOUNT: "Account ID",
        Column.ACCESS_TYPE: "Access Type",
        Column.SINCE: "Last changed",
    }
    SORT_BY: ClassVar[dict[int, Callable[[Any], Any]]] = {Column.SINCE: lambda o: o.changed_at}

    def display(self, obj: GrantView, column: int) -> str:
        return {
            self.Column.ACCOUNT_TYPE: obj.account.account_type.label,
            self.Column.ACCOUNT: obj.account.number,
            self.Column.ACCESS_TYPE: obj.level.label,
            self.Column.SINCE: day(obj.changed_at),
        }[self.Column(column)]


class HistoryModel(RowsModel[HistoryEntry]):
    class Column(enum.IntEnum):
        WHEN = 0
        WHAT = 1
        WHO = 2
        DETAILS = 3

    HEADERS: ClassVar[dict[int, str]] = {
        Column.WHEN: "When",
        Column.WHAT: "What",
        Column.WHO: "Who",
        Column.DETAILS: "",
    }
    SORT_BY: ClassVar[dict[int, Callable[[Any], Any]]] = {Column.WHEN: lambda o: o.at}
    ACCESSIBLE_HEADERS: ClassVar[dict[int, str]] = {Column.DETAILS: "Details"}

    def __init__(
        self, describe: Callable[[HistoryEntry], str], parent: QObject | None = None
    ) -> None:
        super().__init__(parent=parent)
        self._describe = describe

    def display(self, obj: HistoryEntry, column: int) -> str:
        return {
            self.Column.WHEN: when(obj.at),
            self.Column.WHAT: obj.label,
            self.Column.WHO: obj.who,
            self.Column.DETAILS: self._describe(obj),
        }[self.Column(column)]


class InboxModel(RowsModel[InboxItem]):
    class Column(enum.IntEnum):
        RECEIVED = 0
        KIND = 1
        SUBJECT = 2

    HEADERS: ClassVar[dict[int, str]] = {
        Column.RECEIVED: "Received",
        Column.KIND: "Type",
        Column.SUBJECT: "Subject",
    }
    SORT_BY: ClassVar[dict[int, Callable[[Any], Any]]] = {Column.RECEIVED: lambda o: o.received_at}

    def display(self, obj: InboxItem, column: int) -> str:
        return {
            self.Column.RECEIVED: when(obj.received_at),
            self.Column.KIND: obj.kind_label,
            self.Column.SUBJECT: obj.subject,
        }[self.Column(column)]

    def extra(self, obj: InboxItem, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.FontRole and not obj.read:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def mark_read(self, row: int) -> None:
        from dataclasses import replace

        self.replace_row(row, replace(self._rows[row], read=True))
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))


class ActivityModel(RowsModel[ActivityView]):
    class Column(enum.IntEnum):
        WHEN = 0
        WHAT = 1
        WHO = 2

    HEADERS: ClassVar[dict[int, str]] = {Column.WHEN: "When", Column.WHAT: "What", Column.WHO: "By"}
    SORT_BY: ClassVar[dict[int, Callable[[Any], Any]]] = {Column.WHEN: lambda o: o.at}

    def display(self, obj: ActivityView, column: int) -> str:
        return {
            self.Column.WHEN: when(obj.at),
            self.Column.WHAT: obj.label,
            self.Column.WHO: obj.who,
        }[self.Column(column)]


class MyRequestsModel(RowsModel[RequestView]):
    """Manage My Clients: the third party's requests with their status."""

    class Column(enum.IntEnum):
        NUMBER = 0
        TAXPAYER = 1
        ID = 2
        DATE = 3
        METHOD = 4
        STATUS = 5
        ACCOUNTS = 6

    HEADERS: ClassVar[dict[int, str]] = {
        Column.NUMBER: "Request",
        Column.TAXPAYER: "Taxpayer",
        Column.ID: "ID",
        Column.DATE: "Requested",
        Column.METHOD: "Method",
        Column.STATUS: "Status",
        Column.ACCOUNTS: "Accounts",
    }
    SORT_BY: ClassVar[dict[int, Callable[[Any], Any]]] = {Column.DATE: lambda o: o.created_at}

    def display(self, obj: RequestView, column: int) -> str:
        return {
            self.Column.NUMBER: obj.number,
            self.Column.TAXPAYER: obj.taxpayer_name,
            self.Column.ID: obj.taxpayer_masked_id,
            self.Column.DATE: day(obj.created_at),
            self.Column.METHOD: obj.method.label,
            self.Column.STATUS: obj.status.label,
            self.Column.ACCOUNTS: obj.accounts_label,
        }[self.Column(column)]


class FormerClientsModel(RowsModel[FormerClient]):
    class Column(enum.IntEnum):
        NAME = 0
        ID = 1
        CANCELLED = 2

    HEADERS: ClassVar[dict[int, str]] = {
        Column.NAME: "Client",
        Column.ID: "ID",
        Column.CANCELLED: "Access canceled",
    }
    SORT_BY: ClassVar[dict[int, Callable[[Any], Any]]] = {
        Column.CANCELLED: lambda o: o.cancelled_at
    }

    def display(self, obj: FormerClient, column: int) -> str:
        return {
            self.Column.NAME: obj.name,
            self.Column.ID: obj.masked_id,
            self.Column.CANCELLED: day(obj.cancelled_at),
        }[self.Column(column)]
