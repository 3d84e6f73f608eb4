"""Third-party mode: a client's account — *File Return*, *Make Payment* and the account's
activity, within the access level the taxpayer gave."""

from __future__ import annotations

import decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    Qt,
)
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mtc_desktop.domain.errors import NotAllowed, NotFound
from mtc_desktop.domain.levels import Right
from mtc_desktop.gui import dialogs, router
from mtc_desktop.gui.busy import writes
from mtc_desktop.gui.levels import RIGHT_WORDS
from mtc_desktop.gui.models import ActivityModel
from mtc_desktop.gui.pages import Page
from mtc_desktop.gui.widgets import (
    LinkButton,
    ResultLabel,
    heading,
    note,
    panel,
    setup_table,
)
from mtc_desktop.services import accounts
from mtc_desktop.services.accounts import AccountPage

if TYPE_CHECKING:
    from mtc_desktop.gui.main_window import MainWindow

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
        self.result_label = ResultLabel()  # announced by a screen reader
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


def _words(rights: frozenset[Right]) -> str:
    """The rights as a sentence: "View the account; file and amend returns." """
    text = "; ".join(RIGHT_WORDS[r] for r in Right if r in rights)
    return f"{text[0].upper()}{text[1:]}." if text else ""
