"""Taxpayer mode, step for step as the FAQ describes it:

- View Access Requests from Third Parties → Approve/Deny → Give Rights / Granted Rights;
- Manage Third-party Access → Username → Access tab → Access Type → Account Security →
  Change → Save;
- Manage Account Access → Cancel Access (across from General Access) → Yes;
- the history of each third party, from the audit events.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mtc_desktop.domain.errors import MtcError
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import RequestStatus
from mtc_desktop.gui import dialogs, ops, router
from mtc_desktop.gui.busy import connect_write, writes
from mtc_desktop.gui.forms.ui_approve_deny_dialog import Ui_ApproveDenyDialog
from mtc_desktop.gui.forms.ui_third_party_page import Ui_ThirdPartyPage
from mtc_desktop.gui.help import add_context_help
from mtc_desktop.gui.levels import describe_level, level_combo, levels_link
from mtc_desktop.gui.models import (
    AccessModel,
    HistoryModel,
    PendingRequestsModel,
    ThirdPartiesModel,
    day,
)
from mtc_desktop.gui.pages import Page
from mtc_desktop.gui.widgets import (
    CommandButton,
    LinkButton,
    ResultLabel,
    heading,
    note,
    place_links,
    setup_table,
)
from mtc_desktop.services import audit, grants, requests
from mtc_desktop.services.audit import HistoryEntry
from mtc_desktop.services.grants import GrantView
from mtc_desktop.services.requests import LineDecision, RequestView

if TYPE_CHECKING:
    from mtc_desktop.gui.main_window import MainWindow

# --- View Access Requests from Third Parties ----------------------------------------------


@router.page("access_requests")
class AccessRequestsPage(Page):
    title = "View Access Requests from Third Parties"

    def __init__(self, main: MainWindow) -> None:
        super().__init__(main)
        self.body.addWidget(heading("Access Requests from Third Parties"))
        self.hint = note("")
        self.body.addWidget(self.hint)
        self.model = PendingRequestsModel(parent=self)
        self.view = QTableView()
        self.view.setAccessibleName("Pending access requests")
        self.view.setModel(self.model)
        setup_table(self.view, stretch_column=PendingRequestsModel.Column.ACCOUNTS)
        self.body.addWidget(self.view, 1)
        self.result_label = ResultLabel()  # announced by a screen reader
        self.body.addWidget(self.result_label)

    def refresh(self) -> None:
        rows = self.call(requests.pending_for_me, self.actor) or []
        self.model.set_rows(rows)
        links = []
        for request in rows:
            link = LinkButton("Approve/Deny")
            link.setAccessibleDescription(
                f"Approve or deny request {request.number} from {request.third_party_username}"
            )
            connect_write(link, functools.partial(self.open_decision, request))
            links.append(link)
        names = [f"Approve/Deny request {r.number} from {r.third_party_name}" for r in rows]
        place_links(self.view, PendingRequestsModel.Column.ACTION, links, names)
        self.hint.setText(
            "Select Approve/Deny for a request. You have final authority on who has access "
            "and what type of access is given."
            if rows
            else "No third party is waiting for your decision."
        )

    def approve_deny_links(self) -> list[LinkButton]:
        return [
            w
            for row in range(self.model.rowCount())
            if isinstance(
                w := self.view.indexWidget(
                    self.model.index(row, PendingRequestsModel.Column.ACTION)
                ),
                LinkButton,
            )
        ]

    def open_decision(self, request: RequestView) -> None:
        result = ApproveDenyDialog.ask(self, request)
        if result is None:
            self.refresh()
            return
        self.result_label.setText(result_text(result))
        self.refresh()
        self.main.refresh_inbox_count()


def result_text(view: RequestView) -> str:
    if view.status is RequestStatus.APPROVED:
        given = [
            f"{line.account.account_type.label} — {line.granted_level.label}"
            for line in view.lines
            if line.give_rights and line.granted_level
        ]
        refused = [line.account.account_type.label for line in view.lines if not line.give_rights]
        text = (
            f"Request {view.number} approved. {view.third_party_name} now has: {'; '.join(given)}."
        )
        if refused:
            text += f" Not given: {', '.join(refused)}."
    else:
        text = f"Request {view.number} denied. {view.third_party_name} was given no access."
    return text + " You and the third party have been notified by email."


class ApproveDenyDialog(QDialog):
    """One row per requested account: Give Rights and Granted Rights; Approve or Deny All.

    The rows are a grid of real controls under the column headings, not widgets put in a
    table's cells: each row's Give Rights check box and Granted Rights drop-down are in the
    tab order row by row, work with Space and the arrow keys, and are in the accessibility
    tree, named for their row. Enter approves only once some account has Give Rights
    checked (Approve is then the default button); with none checked Enter does nothing,
    never a denial the user did not choose. Enter on a focused button presses that button."""

    HEADERS = ("Account", "Requested Rights", "Give Rights", "Granted Rights")
    ROW_HEIGHT = 38

    class Col:
        ACCOUNT = 0
        REQUESTED = 1
        GIVE = 2
        GRANTED = 3

    def __init__(self, parent: QWidget, request: RequestView) -> None:
        super().__init__(parent)
        self.request = request
        self.actor = parent.actor  # type: ignore[attr-defined]
        self.result_view: RequestView | None = None
        self.form = Ui_ApproveDenyDialog()
        self.form.setupUi(self)
        self.form.headingLabel.setObjectName("subheading")
        self.form.headingLabel.setText(
            f"{request.third_party_name} ({request.third_party_username}) asks for access"
        )
        self.form.detailsLabel.setText(
            f"Request {request.number}, made {day(request.created_at)} for approval by "
            f"{request.method.label}. It expires {day(request.expires_at)} if not decided."
        )
        grid = self.form.accountsLayout
        grid.setContentsMargins(8, 0, 8, 0)
        grid.setHorizontalSpacing(20)
        grid.setVerticalSpacing(0)
        # The column headings stay above the rows when they scroll: they are in their own
        # strip outside the scroll area, each kept over its column (see _Headings).
        self.header_labels: list[QLabel] = []
        for text in self.HEADERS:
            label = QLabel(text, self.form.accountsHeader)
            label.setObjectName("gridHeader")
            label.setIndent(0)  # its text starts where its column's does (no frame indent)
            self.header_labels.append(label)
        self.give_boxes: list[QCheckBox] = []
        self.level_boxes: list[QComboBox] = []
        previous: QWidget | None = None
        for row, line in enumerate(request.lines, start=1):
            name = line.account.label
            for column, text in (
                (self.Col.ACCOUNT, name),
                (self.Col.REQUESTED, line.requested_level.label),
            ):
                cell = QLabel(text)
                cell.setObjectName("gridCell")
                grid.addWidget(cell, row, column)
            give = QCheckBox("Give Rights")
            give.setObjectName("gridCell")
            give.setAccessibleName(f"Give Rights for {name}")
            combo = level_combo(line.requested_level)
            combo.setAccessibleName(f"Granted Rights for {name}")
            combo.setEnabled(False)
            give.toggled.connect(combo.setEnabled)
            give.toggled.connect(self._choice_changed)
            grid.addWidget(give, row, self.Col.GIVE)
            grid.addWidget(combo, row, self.Col.GRANTED)
            grid.setRowMinimumHeight(row, self.ROW_HEIGHT)
            # Reading order: this row's check box, then its drop-down, then the next row.
            if previous is not None:
                QWidget.setTabOrder(previous, give)
            QWidget.setTabOrder(give, combo)
            previous = combo
            self.give_boxes.append(give)
            self.level_boxes.append(combo)
        if previous is not None:
            QWidget.setTabOrder(previous, self.form.denyButton)
        # The buttons as they read, left to right: Deny All, Cancel, Approve.
        QWidget.setTabOrder(self.form.denyButton, self.form.cancelButton)
        QWidget.setTabOrder(self.form.cancelButton, self.form.approveButton)
        grid.setColumnStretch(self.Col.ACCOUNT, 1)
        grid.setRowStretch(len(request.lines) + 1, 1)
        self.form.accountsGrid.installEventFilter(_TableLook(self.form.accountsGrid, grid))
        self.headings = _Headings(self.form.accountsHeader, self.header_labels, self.form, grid)
        shown = min(len(request.lines), 6)
        self.form.accountsArea.setMinimumHeight(self.ROW_HEIGHT * shown + 6)
        for button in (self.form.approveButton, self.form.cancelButton, self.form.denyButton):
            # Enter presses the focused button; otherwise the default, see keyPressEvent.
            button.setAutoDefault(False)
        self.form.approveButton.clicked.connect(self._approve)
        self.form.denyButton.clicked.connect(self._deny)
        self.form.cancelButton.clicked.connect(self.reject)
        self.setWindowTitle(f"Approve/Deny — request {request.number}")
        # As wide as the rows need (within a 1366-pixel screen); as tall as six rows, the
        # rest scroll.
        wide = self.form.accountsGrid.sizeHint().width() + 80
        self.resize(min(max(820, wide), 1300), 300 + self.ROW_HEIGHT * shown)
        if self.give_boxes:
            self.give_boxes[0].setFocus()
        # The five levels explained (Alt+L), above the buttons; in the tab order as it
        # reads: after the rows, before Deny All, Cancel and Approve.
        self.levels_link = levels_link()
        self.form.layout.insertWidget(
            self.form.layout.indexOf(self.form.hintLabel) + 1, self.levels_link
        )
        if self.level_boxes:
            QWidget.setTabOrder(self.level_boxes[-1], self.levels_link)
        QWidget.setTabOrder(self.levels_link, self.form.denyButton)
        QWidget.setTabOrder(self.form.denyButton, self.form.cancelButton)
        QWidget.setTabOrder(self.form.cancelButton, self.form.approveButton)
        add_context_help(self, "tx-approve")  # F1: the FAQ's answer
        # With larger text (View → text size, the desktop's font), as tall as the wrapped
        # lines above the rows need.
        layout = self.layout()
        if layout is not None and layout.hasHeightForWidth():
            self.resize(self.width(), max(self.height(), layout.totalHeightForWidth(self.width())))

    def _choice_changed(self) -> None:
        self.form.approveButton.setDefault(any(box.isChecked() for box in self.give_boxes))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            focused = self.focusWidget()
            if isinstance(focused, QPushButton) and focused.isEnabled():
                focused.click()
                return
            if self.form.approveButton.isDefault() and self.form.approveButton.isEnabled():
                self.form.approveButton.click()
            return  # nothing chosen yet: Enter neither approves nor denies
        super().keyPressEvent(event)

    @classmethod
    def ask(cls, parent: QWidget, request: RequestView) -> RequestView | None:
        dialog = cls(parent, request)
        try:
            dialog.exec()
            return dialog.result_view
        finally:
            dialog.deleteLater()

    def decisions(self) -> list[LineDecision]:
        return [
            LineDecision(line.account.id, give.isChecked(), combo.currentData())
            for line, give, combo in zip(
                self.request.lines, self.give_boxes, self.level_boxes, strict=True
            )
        ]

    def _submit(self, decisions: Sequence[LineDecision]) -> None:

        def refused(exc: MtcError) -> None:
            dialogs.show_error(self, exc)
            if not isinstance(exc, requests.InvalidInput):
                self.reject()

        self.result_view = (
            ops.Op(self, lambda: requests.decide_request(self.actor, self.request.id, decisions))
            .refused(refused)
            .run()
        )
        if self.result_view is not None:
            self.accept()

    @writes
    def _approve(self) -> None:
        decisions = self.decisions()
        if not any(d.give_rights for d in decisions):
            if dialogs.confirm(
                self,
                "Deny the request?",
                "No account has Give Rights checked, so this denies the whole request.",
                "Deny it?",
            ):
                self._submit(decisions)
            return
        self._submit(decisions)

    @writes
    def _deny(self) -> None:
        if dialogs.confirm(
            self,
            "Deny the request?",
            f"Deny all access to {self.request.third_party_name}?",
            "The third party is told by email and must send a new request to ask again.",
        ):
            self._submit(
                [LineDecision(d.account_id, False, d.granted_level) for d in self.decisions()]
            )


class _TableLook(QObject):
    """Draws a grid of controls as a table: a rule under the column headings and every
    other row shaded, in the palette's colours (the rows are real controls, not cells)."""

    def __init__(self, parent: QWidget, grid: QGridLayout) -> None:
        super().__init__(parent)
        self.grid = grid

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and isinstance(watched, QWidget):
            painter = QPainter(watched)
            palette = watched.palette()
            width = watched.width()
            painter.fillRect(watched.rect(), palette.base())
            for row in range(1, self.grid.rowCount()):
                rect = self.grid.cellRect(row, 0)
                if rect.isValid() and row % 2 == 0:
                    painter.fillRect(0, rect.top(), width, rect.height(), palette.alternateBase())
            painter.end()
        return False


class _Headings(QObject):
    """Keeps the column headings, in their strip above the scroll area, each over its column
    of the rows' grid: every column is at least as wide as its heading, and each heading
    moves with its column when the grid lays out, resizes or scrolls sideways."""

    def __init__(
        self, strip: QWidget, labels: list[QLabel], form: Ui_ApproveDenyDialog, grid: QGridLayout
    ) -> None:
        super().__init__(strip)
        self.strip = strip
        self.labels = labels
        self.form = form
        self.grid = grid
        # The first row's cells move whenever the columns do (a scroll bar comes or goes,
        # the dialog is resized, the text gets larger).
        first_row = [grid.itemAtPosition(1, column) for column in range(len(labels))]
        cells: list[QWidget] = []
        for item in first_row:
            cell = item.widget() if item is not None else None
            if cell is not None:
                cells.append(cell)
        for watched in (strip, form.accountsGrid, form.accountsArea.viewport(), *labels, *cells):
            watched.installEventFilter(self)
        form.accountsArea.horizontalScrollBar().valueChanged.connect(self.place)
        self.place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.strip and kind == QEvent.Type.Paint:
            painter = QPainter(self.strip)
            palette = self.strip.palette()
            painter.fillRect(self.strip.rect(), palette.base())
            painter.setPen(palette.color(QPalette.ColorRole.Mid))
            bottom = self.strip.height() - 1
            painter.drawLine(0, bottom, self.strip.width(), bottom)
            painter.end()
        elif kind in (
            QEvent.Type.Resize,
            QEvent.Type.Move,
            QEvent.Type.LayoutRequest,
            QEvent.Type.FontChange,
            QEvent.Type.StyleChange,
            QEvent.Type.Show,
        ):
            self.place()
        return False

    def place(self) -> None:
        height = max(label.sizeHint().height() for label in self.labels)
        if self.strip.minimumHeight() != height:
            self.strip.setFixedHeight(height)
        grid_widget = self.form.accountsGrid
        row = 1 if self.grid.rowCount() > 1 else 0
        for column, label in enumerate(self.labels):
            wide = label.sizeHint().width()
            if self.grid.columnMinimumWidth(column) != wide:
                self.grid.setColumnMinimumWidth(column, wide)
            cell = self.grid.cellRect(row, column)
            left = grid_widget.mapTo(self.strip.window(), cell.topLeft()).x()
            left -= self.strip.mapTo(self.strip.window(), self.strip.rect().topLeft()).x()
            label.setGeometry(left, 0, max(wide, cell.width()), height)


# --- Manage Third-party Access -------------------------------------------------------------


@router.page("third_parties")
class ThirdPartiesPage(Page):
    title = "Manage Third-party Access"

    def __init__(self, main: MainWindow) -> None:
        super().__init__(main)
        self.body.addWidget(heading("Manage Third-party Access"))
        self.hint = note("")
        self.body.addWidget(self.hint)
        self.model = ThirdPartiesModel(parent=self)
        self.view = QTableView()
        self.view.setAccessibleName("Third parties with access")
        self.view.setModel(self.model)
        setup_table(self.view, stretch_column=ThirdPartiesModel.Column.NAME)
        self.body.addWidget(self.view, 1)

    def refresh(self) -> None:
        rows = self.call(grants.third_parties_with_access, self.actor) or []
        self.model.set_rows(rows)
        links = []
        for tp in rows:
            link = LinkButton(tp.username)
            link.setAccessibleDescription(f"Username of {tp.name}; open its access")
            link.clicked.connect(lambda _=False, t=tp: self.open_third_party(t.third_party_id))
            links.append(link)
        names = [f"Username: {tp.username}, {tp.name}" for tp in rows]
        place_links(self.view, ThirdPartiesModel.Column.USERNAME, links, names)
        self.hint.setText(
            "Select the Username of a third party to see or change its access."
            if rows
            else "No third party has access to your tax accounts."
        )

    def username_links(self) -> list[LinkButton]:
        return [
            w
            for row in range(self.model.rowCount())
            if isinstance(
                w := self.view.indexWidget(
                    self.model.index(row, ThirdPartiesModel.Column.USERNAME)
                ),
                LinkButton,
            )
        ]

    def open_third_party(self, third_party_id: int) -> None:
        self.main.push(ThirdPartyPage(self.main, third_party_id))


@router.page("third_party")
class ThirdPartyPage(Page):
    """One third party: the Access tab, Manage Account Access, and the History."""

    title = "Third party"

    def __init__(self, main: MainWindow, third_party_id: int) -> None:
        super().__init__(main)
        self.third_party_id = third_party_id
        self.inner = QWidget()
        # The two links beside the title are made first, so that Tab reaches them before
        # the tabs under them (reading order).
        self.manage_access_link = LinkButton("Manage Access", self.inner)
        self.manage_account_access_link = LinkButton("Manage Account Access", self.inner)
        self.form = Ui_ThirdPartyPage()
        self.form.setupUi(self.inner)
        self.body.addWidget(self.inner, 1)
        self.form.titleLabel.setObjectName("heading")
        self.form.tabs.setAccessibleName("Third party's access")
        self.manage_access_link.clicked.connect(lambda: self.form.tabs.setCurrentIndex(0))
        self.manage_account_access_link.clicked.connect(lambda: self.form.tabs.setCurrentIndex(1))
        self.form.linkColumn.addWidget(self.manage_access_link)
        self.form.linkColumn.addWidget(self.manage_account_access_link)
        self.cancel_access_link = CommandButton("Cancel Access")
        self.cancel_access_link.setAccessibleDescription(
            "Cancel all of this third party's access to your accounts"
        )
        self.cancel_access_link.clicked.connect(self._cancel_general_access)
        self.form.generalRow.insertWidget(3, self.cancel_access_link)
        self.form.generalAccessLabel.setObjectName("subheading")
        self.form.generalRow.setStretch(1, 1)
        self.form.generalLayout.insertWidget(
            1,
            note(
                "Cancel Access ends this third party's access to all of your tax accounts at "
                "once. Once access is canceled, it cannot be undone: the third party must "
                "send a new request for your approval."
            ),
        )

        self.access_model = AccessModel(parent=self)
        self.form.accessTable.setModel(self.access_model)
        # The account type is the long text; the ID, the Access Type link and the date are
        # short, and as wide as they need.
        setup_table(self.form.accessTable, stretch_column=AccessModel.Column.ACCOUNT_TYPE)
        self.history_model = HistoryModel(describe_history, parent=self)
        self.form.historyTable.setModel(self.history_model)
        setup_table(self.form.historyTable, stretch_column=HistoryModel.Column.DETAILS)
        self.username = ""

    def refresh(self) -> None:
        rows: list[GrantView] = (
            self.call(grants.access_of_third_party, self.actor, self.third_party_id) or []
        )
        history = self.call(audit.history_with_third_party, self.actor, self.third_party_id) or []
        self.history_model.set_rows(history)
        if rows:
            self.username = rows[0].third_party_username
            name = rows[0].third_party_name
            self.form.titleLabel.setText(f"{name} ({self.username})")
        elif not self.username:
            self.form.titleLabel.setText("Third party")
        self.title = self.username or "Third party"
        self.form.subtitleLabel.setText(
            f"Has access to {len(rows)} of your tax accounts."
            if rows
            else "Has no access to your tax accounts. To work for you again, it must send "
            "a new request for your approval."
        )
        self.access_model.set_rows(rows)
        links = []
        for grant in rows:
            link = LinkButton(grant.level.label)
            link.setAccessibleDescription(f"Access Type for {grant.account.label}; change it")
            connect_write(link, functools.partial(self.open_account_security, grant))
            links.append(link)
        names = [f"Access Type for {g.account.label}: {g.level.label}" for g in rows]
        place_links(self.form.accessTable, AccessModel.Column.ACCESS_TYPE, links, names)
        self.form.generalAccessDetail.setText(
            f"All of {self.username or 'this third party'}'s access to your accounts."
            if rows
            else "Nothing to cancel."
        )
        self.cancel_access_link.setEnabled(bool(rows))
        self.cancel_access_link.setAccessibleName(
            f"Cancel Access for {self.username}" if self.username else "Cancel Access"
        )
        self.manage_account_access_link.setEnabled(bool(rows))

    def access_type_links(self) -> list[LinkButton]:
        return [
            w
            for row in range(self.access_model.rowCount())
            if isinstance(
                w := self.form.accessTable.indexWidget(
                    self.access_model.index(row, AccessModel.Column.ACCESS_TYPE)
                ),
                LinkButton,
            )
        ]

    def open_account_security(self, grant: GrantView) -> None:
        if AccountSecurityDialog.ask(self, grant) is not None:
            self.main.statusBar().showMessage("Access type saved.", 8000)
        self.refresh()

    @writes
    def _cancel_general_access(self) -> None:
        who = self.username or "this third party"
        if not dialogs.confirm(
            self,
            "Cancel Access",
            f"Cancel all of {who}'s access to your tax accounts?",
            "Once access is canceled, it cannot be undone. It will be up to the third party "
            "to send a new request for your approval.",
        ):
            return
        count = self.call(grants.cancel_general_access, self.actor, self.third_party_id)
        if count is None:
            return
        main = self.main
        main.go_back()  # first: the message is about the page it returns to
        main.statusBar().showMessage(
            f"Canceled {who}'s access to {count} account{'s' if count != 1 else ''}.", 10000
        )


def describe_history(entry: HistoryEntry) -> str:
    text = _history_detail(entry)
    if entry.account:
        return f"{entry.account}: {text}" if text else entry.account
    return text


def _history_detail(entry: HistoryEntry) -> str:
    d = entry.details
    labels: dict[object, str] = {level.value: level.label for level in AccessLevel}
    if entry.action == "grant_level_changed":
        return (
            f"{labels.get(d.get('old'), d.get('old'))} → {labels.get(d.get('new'), d.get('new'))}"
        )
    if entry.action == "grant_created" or entry.action == "grant_cancelled":
        return labels.get(d.get("level"), "")
    if entry.action in (
        "request_created",
        "request_approved",
        "request_denied",
        "request_withdrawn",
        "request_expired",
        "authorization_printed",
        "authorization_saved",
    ):
        return f"Request {d.get('number', '')}"
    if entry.action == "general_access_cancelled":
        return f"{d.get('grants', 0)} account(s)"
    return ""


class AccountSecurityDialog(QDialog):
    """Access Type → Account Security: Change → a drop-down of access types → Save."""

    def __init__(self, parent: QWidget, grant: GrantView) -> None:
        super().__init__(parent)
        self.grant = grant
        self.actor = parent.actor  # type: ignore[attr-defined]
        self.saved: GrantView | None = None
        self.setWindowTitle("Account Security")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(12)
        layout.addWidget(heading("Account Security", 2))
        info = QFormLayout()
        info.addRow(
            "Third party:", QLabel(f"{grant.third_party_name} ({grant.third_party_username})")
        )
        info.addRow("Account:", QLabel(grant.account.label))
        self.current_label = QLabel(grant.level.label)
        self.current_label.setAccessibleName("Current access type")
        info.addRow("Access Type:", self.current_label)
        layout.addLayout(info)
        self.change_link = CommandButton("Change")
        self.change_link.clicked.connect(self._start_change)
        layout.addWidget(self.change_link)
        self.level_combo = level_combo(grant.level)
        self.level_combo.setAccessibleName("New access type")
        self.level_combo.currentIndexChanged.connect(self._level_changed)
        # Its label, the drop-down's buddy: a screen reader says it with the drop-down.
        self.level_row = QWidget()
        row = QHBoxLayout(self.level_row)
        row.setContentsMargins(0, 0, 0, 0)
        level_label = QLabel("New access type:")
        level_label.setBuddy(self.level_combo)
        row.addWidget(level_label)
        row.addWidget(self.level_combo, 1)
        self.level_row.setVisible(False)
        layout.addWidget(self.level_row)
        self.explain = note(describe_level(grant.level))
        layout.addWidget(self.explain)
        layout.addWidget(levels_link())  # the five levels explained (Alt+L)
        add_context_help(self, "tx-change")  # F1: the FAQ's answer
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        self.save_button = QPushButton("Save")
        self.save_button.setEnabled(False)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self._save)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.resize(520, 300)

    @classmethod
    def ask(cls, parent: QWidget, grant: GrantView) -> GrantView | None:
        dialog = cls(parent, grant)
        try:
            dialog.exec()
            return dialog.saved
        finally:
            dialog.deleteLater()

    def _start_change(self) -> None:
        self.level_row.setVisible(True)
        self.change_link.setEnabled(False)
        self.level_combo.setFocus()

    def _level_changed(self) -> None:
        level: AccessLevel = self.level_combo.currentData()
        self.explain.setText(describe_level(level))
        self.save_button.setEnabled(level is not self.grant.level)

    @writes
    def _save(self) -> None:
        level: AccessLevel = self.level_combo.currentData()

        def refused(exc: MtcError) -> None:
            dialogs.show_error(self, exc)
            self.reject()

        self.saved = (
            ops.Op(self, lambda: grants.change_level(self.actor, self.grant.id, level))
            .refused(refused)
            .run()
        )
        if self.saved is not None:
            self.accept()
