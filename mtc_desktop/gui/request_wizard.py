"""*Request to Manage Other Taxpayer's Accounts*: a third party asks for access to a
taxpayer's accounts, step for step as the FAQ describes it ("How does a third party request
access to a taxpayer's account(s)?"):

1. select the taxpayer's ID type;
2. enter the taxpayer's ID number and legal name (looked up with
   :func:`mtc_desktop.services.requests.lookup_taxpayer`; a wrong ID or name gets the
   service's one vague message, DESIGN.md rule 5);
3. select account(s) and the level of access for each;
4. choose *Printed form* or *MassTaxConnect* for the taxpayer to approve the request;
5. review, and *Submit* (:func:`mtc_desktop.services.requests.request_access`);
6. the confirmation page, with *Print Client Authorization* for a printed form.

Built like Create a Logon (:mod:`mtc_desktop.gui.create_logon`): page ids in an
:class:`IntEnum`, each message shown beside the field it names, and going Back keeps what
was typed. Whatever the service still refuses at Submit is shown on the page that holds
the field, or on the review page when it names none (a request made meanwhile on another
workstation).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from mtc_desktop.domain.errors import InvalidInput, MtcError
from mtc_desktop.domain.ids import IdType, normalize_id
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import ApprovalMethod
from mtc_desktop.domain.text import clean_name
from mtc_desktop.gui import ops, router
from mtc_desktop.gui.authorization import print_client_authorization
from mtc_desktop.gui.busy import run_write, writes
from mtc_desktop.gui.levels import describe_level, level_combo, levels_link
from mtc_desktop.gui.models import day
from mtc_desktop.gui.widgets import bold, note
from mtc_desktop.gui.wizard import FieldPage, plain
from mtc_desktop.services import requests
from mtc_desktop.services.base import Actor
from mtc_desktop.services.requests import RequestDraft, RequestView, TaxpayerLookup
from mtc_desktop.services.taxpayers import AccountView

TITLE = "Request to Manage Other Taxpayer's Accounts"
PRINT_CLIENT_AUTHORIZATION = "Print Client Authorization"
ALREADY_GRANTED = "You already have access"
DEFAULT_LEVEL = AccessLevel.FILE_AND_PAY  # the FAQ's own example of an access type

CHOOSE_ID_TYPE = "Select the taxpayer's ID type: SSN, ITIN or FEIN."
CHOOSE_ACCOUNTS = "Select at least one account and its level of access."
CHOOSE_METHOD = "Choose how the taxpayer will approve the request: Printed form or MassTaxConnect."
NOTHING_TO_REQUEST = (
    "You already have access to every account of this taxpayer; there is nothing to "
    "request. Only the taxpayer can change the level of access."
)
NO_ACCOUNTS = "DOR has no tax accounts on file for this taxpayer; there is nothing to request."


def pending_message(number: str) -> str:
    """The same words the service uses when it refuses a second pending request."""
    return (
        f"You already have a pending request ({number}) for this taxpayer. "
        "Withdraw it first, or wait for the taxpayer's decision."
    )


class Page(IntEnum):
    ID_TYPE = 0
    TAXPAYER = 1
    ACCOUNTS = 2
    METHOD = 3
    REVIEW = 4
    CONFIRMATION = 5


# Where each field the service may complain about lives.
FIELD_PAGES: dict[str, Page] = {
    "id_type": Page.ID_TYPE,
    "id_number": Page.TAXPAYER,
    "legal_name": Page.TAXPAYER,
    "accounts": Page.ACCOUNTS,
    "method": Page.METHOD,
}

_ID_EXAMPLES = {IdType.SSN: "123-45-6789", IdType.ITIN: "912-70-1234", IdType.FEIN: "04-1234567"}
_ID_MNEMONICS = {IdType.SSN: "S", IdType.ITIN: "I", IdType.FEIN: "F"}


@dataclass(frozen=True)
class RequestPrefill:
    """A new request for a former client (access cancelled or expired): the ID type and
    legal name are filled in; the ID number is typed again, as only masked IDs are shown."""

    id_type: IdType
    legal_name: str


def _with_mnemonic(text: str, letter: str) -> str:
    at = text.find(letter)
    return text if at < 0 else f"{text[:at]}&{text[at:]}"


def _note(text: str) -> QLabel:
    label = note(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class _StepPage(FieldPage):
    """A step of the request wizard: the wizards' one page base, and its wizard."""

    def _wizard(self) -> RequestWizard:
        wizard = self.wizard()
        assert isinstance(wizard, RequestWizard)
        return wizard


def _choice(text: str, explanation: str) -> tuple[QRadioButton, QLabel]:
    button = QRadioButton(text)
    button.setAccessibleName(plain(text))
    button.setAccessibleDescription(explanation)
    label = _note(explanation)
    label.setContentsMargins(26, 0, 0, 0)  # under the button's text, not its circle
    return button, label


# --- 1. Select the taxpayer's ID type -------------------------------------------------------


class IdTypePage(_StepPage):
    def __init__(self) -> None:
        super().__init__(
            "Select the taxpayer's ID type",
            "The kind of identification number DOR has on file for the taxpayer you will work for.",
        )
        self.group = QButtonGroup(self)
        self.buttons: dict[IdType, QRadioButton] = {}
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        explanations = {
            IdType.SSN: "An individual's Social Security Number.",
            IdType.ITIN: "An individual without an SSN: the IRS's Individual Taxpayer "
            "Identification Number.",
            IdType.FEIN: "A business, trust or estate: its Federal Employer Identification Number.",
        }
        for index, id_type in enumerate(IdType):
            button, label = _choice(
                _with_mnemonic(id_type.label, _ID_MNEMONICS[id_type]), explanations[id_type]
            )
            button.toggled.connect(lambda _on: self.set_error("id_type", ""))
            self.group.addButton(button)
            self.buttons[id_type] = button
            if index:
                column.addSpacing(8)
            column.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
            column.addWidget(label)
        self.add_group("id_type", "ID type", box)

    def initializePage(self) -> None:
        chosen = self.id_type
        self.buttons[chosen or next(iter(IdType))].setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def id_type(self) -> IdType | None:
        for id_type, button in self.buttons.items():
            if button.isChecked():
                return id_type
        return None

    def select(self, id_type: IdType) -> None:
        self.buttons[id_type].setChecked(True)

    def validatePage(self) -> bool:
        return self.show_errors({} if self.id_type else {"id_type": CHOOSE_ID_TYPE})


# --- 2. Enter taxpayer's ID number and legal name -------------------------------------------


class TaxpayerPage(_StepPage):
    def __init__(self) -> None:
        super().__init__(
            "Enter the taxpayer's ID number and legal name",
            "Both must match DOR's records for the taxpayer.",
        )
        self.intro = _note("")
        self.intro.hide()
        self.outer.insertWidget(0, self.intro)
        self.id_type_value = QLabel()
        self.id_type_value.setTextFormat(Qt.TextFormat.PlainText)
        self.id_number_edit = QLineEdit()
        self.id_number_edit.setMaxLength(40)
        self.legal_name_edit = QLineEdit()
        self.legal_name_edit.setMaxLength(400)
        caption = QLabel("ID type")
        caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.id_type_value.setAccessibleName("ID type")
        self.grid.addWidget(caption, 0, 0)
        self.grid.addWidget(self.id_type_value, 0, 1)
        self._row = 1
        self.add_field("id_number", "&ID number", self.id_number_edit)
        self.add_field(
            "legal_name",
            "&Legal name",
            self.legal_name_edit,
            "The taxpayer's name as on their tax return.",
        )
        self.id_number_edit.textEdited.connect(lambda _t: self._edited("id_number"))
        self.legal_name_edit.textEdited.connect(lambda _t: self._edited("legal_name"))

    def _edited(self, name: str) -> None:
        self.set_error(name, "")
        self.show_message("")

    def initializePage(self) -> None:
        id_type = self._wizard().id_type_page.id_type or IdType.SSN
        self.id_type_value.setText(id_type.label)
        example = _ID_EXAMPLES[id_type]
        self.id_number_edit.setPlaceholderText(example)
        self.set_hint("id_number", f"9 digits, with or without dashes: {example}")
        self.id_number_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_prefill(self, prefill: RequestPrefill) -> None:
        self.legal_name_edit.setText(prefill.legal_name)
        self.intro.setText(
            f"A new request for {prefill.legal_name}. Type the taxpayer's ID number again: "
            "MTC Desktop shows only the last four digits of an ID."
        )
        self.intro.show()

    def validatePage(self) -> bool:
        """Check the entries with the service's own validators, then look the taxpayer up."""
        self.show_message("")
        id_type = self._wizard().id_type_page.id_type or IdType.SSN
        errors: dict[str, str] = {}
        try:
            normalize_id(id_type, self.id_number_edit.text())
        except InvalidInput as exc:
            errors.update(exc.errors)
        try:
            clean_name(self.legal_name_edit.text())
        except InvalidInput as exc:
            errors.update(exc.errors)
        if not self.show_errors(errors):
            return False
        return self._wizard().look_up()


# --- 3. Select account(s) and level of access ------------------------------------------------


@dataclass(frozen=True)
class AccountRow:
    """One account on the accounts page; one already granted has no level to choose."""

    account: AccountView
    check: QCheckBox
    level: QComboBox | None

    @property
    def granted(self) -> bool:
        return self.level is None

    @property
    def chosen(self) -> bool:
        return self.level is not None and self.check.isChecked()

    @property
    def chosen_level(self) -> AccessLevel:
        level = self.level.currentData() if self.level is not None else None
        return level if isinstance(level, AccessLevel) else DEFAULT_LEVEL


class AccountsPage(_StepPage):
    ROW_HEIGHT = 30
    MAX_ROWS_HEIGHT = 300  # pixels; about eight accounts

    def __init__(self) -> None:
        super().__init__("Select account(s) and level of access")
        self.rows_area = QScrollArea()
        self.rows_area.setWidgetResizable(True)
        self.rows_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.rows_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.add_group("accounts", "Accounts", self.rows_area)
        self.outer.insertWidget(
            self.outer.indexOf(self.message) + 1,
            _note(
                "What each level of access allows:\n"
                + "\n".join(describe_level(level) for level in AccessLevel)
            ),
        )
        self.rows: list[AccountRow] = []
        self._choices: dict[int, tuple[bool, AccessLevel]] = {}
        self._shown: TaxpayerLookup | None = None

    def initializePage(self) -> None:
        lookup = self._wizard().lookup
        assert lookup is not None
        self.load(lookup)

    def load(self, lookup: TaxpayerLookup) -> None:
        """One row per account of the taxpayer; choices already made are kept."""
        self.setSubTitle(self._wizard().taxpayer_line())
        if lookup == self._shown:
            return
        self._remember()
        self._shown = lookup
        self.rows = []
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 12, 0)  # clear of the scroll bar, when there is one
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(6)
        grid.setColumnStretch(0, 1)
        for column, text in enumerate(("Account", "Level of access")):
            header = QLabel(text)
            header.setFont(bold(header.font()))
            grid.addWidget(header, 0, column)
        previous: QWidget | None = None
        for row, account in enumerate(lookup.accounts, start=1):
            check = QCheckBox(account.label)
            check.setAccessibleName(account.label)
            check.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            # As wide as its text, so a click beside it does not look like it would count.
            grid.addWidget(check, row, 0, Qt.AlignmentFlag.AlignLeft)
            grid.setRowMinimumHeight(row, self.ROW_HEIGHT)  # with or without a drop-down
            combo: QComboBox | None = None
            if account.id in lookup.already_granted:
                check.setEnabled(False)
                check.setAccessibleDescription(ALREADY_GRANTED)
                already = _note(ALREADY_GRANTED)
                already.setWordWrap(False)
                grid.addWidget(already, row, 1)
            else:
                checked, level = self._choices.get(account.id, (False, DEFAULT_LEVEL))
                combo = level_combo(level)
                combo.setAccessibleName(f"Level of access for {account.label}")
                combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
                check.setChecked(checked)
                combo.setEnabled(checked)
                check.toggled.connect(combo.setEnabled)
                check.toggled.connect(lambda _on: self.set_error("accounts", ""))
                grid.addWidget(combo, row, 1)
                for widget in (check, combo):
                    if previous is not None:
                        QWidget.setTabOrder(previous, widget)
                    previous = widget
            self.rows.append(AccountRow(account, check, combo))
        # Under the rows, and after them in the tab order: the five levels explained.
        self.levels_link = levels_link()
        grid.addWidget(
            self.levels_link, len(lookup.accounts) + 1, 0, 1, 2, Qt.AlignmentFlag.AlignLeft
        )
        grid.setRowStretch(len(lookup.accounts) + 2, 1)
        old = self.rows_area.takeWidget()
        if old is not None:
            old.deleteLater()
        self.rows_area.setWidget(box)
        # Every row in sight up to a point; past it, the rows scroll under the legend.
        self.rows_area.setMinimumHeight(min(box.sizeHint().height(), self.MAX_ROWS_HEIGHT))
        if not lookup.accounts:
            self.show_message(NO_ACCOUNTS)
        elif all(row.granted for row in self.rows):
            self.show_message(NOTHING_TO_REQUEST)
        else:
            self.show_message("")
        self.set_error("accounts", "")
        first = next((r.check for r in self.rows if not r.granted), None)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def _remember(self) -> None:
        for row in self.rows:
            if not row.granted:
                self._choices[row.account.id] = (row.check.isChecked(), row.chosen_level)

    def lines(self) -> tuple[tuple[int, AccessLevel], ...]:
        return tuple((r.account.id, r.chosen_level) for r in self.rows if r.chosen)

    def validatePage(self) -> bool:
        if self.message_text():
            return False  # nothing to request: said on the page already
        return self.show_errors({} if self.lines() else {"accounts": CHOOSE_ACCOUNTS})


# --- 4. Printed form or MassTaxConnect --------------------------------------------------------


class MethodPage(_StepPage):
    MTC_EXPLANATION = (
        "The taxpayer receives an email with your request and completes it online in "
        "MassTaxConnect."
    )

    def __init__(self) -> None:
        super().__init__(
            "Choose one of two options for the taxpayer to approve the request",
        )
        self.printed_button, printed_note = _choice(
            "&Printed form",
            "After you submit, select Print Client Authorization on the confirmation page, "
            "complete the form and follow the instructions on it to send it to DOR.",
        )
        self.online_button, self.online_note = _choice("&MassTaxConnect", self.MTC_EXPLANATION)
        self.group = QButtonGroup(self)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        for index, (button, label) in enumerate(
            ((self.printed_button, printed_note), (self.online_button, self.online_note))
        ):
            self.group.addButton(button)
            button.toggled.connect(lambda _on: self.set_error("method", ""))
            if index:
                column.addSpacing(10)
            column.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
            column.addWidget(label)
        self.add_group("method", "Approval method", box)

    def initializePage(self) -> None:
        lookup = self._wizard().lookup
        assert lookup is not None
        self.setSubTitle(self._wizard().taxpayer_line())
        online = lookup.has_logon
        if not online:
            self.printed_button.setChecked(True)  # the one way open (rule 6)
        self.online_button.setEnabled(online)
        text = self.MTC_EXPLANATION if online else requests.NO_ONLINE_LOGON
        self.online_note.setText(text)
        self.online_button.setAccessibleDescription(text)

    @property
    def method(self) -> ApprovalMethod | None:
        if self.printed_button.isChecked():
            return ApprovalMethod.PRINTED_FORM
        if self.online_button.isChecked():
            return ApprovalMethod.MASSTAXCONNECT
        return None

    def validatePage(self) -> bool:
        return self.show_errors({} if self.method else {"method": CHOOSE_METHOD})


# --- 5. Review and Submit ---------------------------------------------------------------------


class ReviewPage(_StepPage):
    ROWS = (
        ("id_type", "ID type"),
        ("id_number", "ID number"),
        ("legal_name", "Legal name"),
        ("accounts", "Account(s) and level of access"),
        ("method", "Approval method"),
    )

    def __init__(self) -> None:
        super().__init__(
            "Review and submit your request",
            "Check what you entered. To change something, select Back.",
        )
        self.setCommitPage(True)
        self.grid.setVerticalSpacing(10)
        self.values: dict[str, QLabel] = {}
        for row, (name, caption) in enumerate(self.ROWS):
            label = QLabel(caption)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            value = QLabel()
            value.setWordWrap(True)
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(caption)
            label.setBuddy(value)
            self.grid.addWidget(label, row, 0)
            self.grid.addWidget(value, row, 1)
            self.values[name] = value
        self.outer.insertWidget(
            1,
            _note(
                "Select Submit to send the request. The taxpayer has final authority on who "
                "has access and what type of access is given, and can cancel it at any time."
            ),
        )

    def initializePage(self) -> None:
        wizard = self._wizard()
        lookup = wizard.lookup
        assert lookup is not None
        id_type = wizard.id_type_page.id_type
        self.values["id_type"].setText(id_type.label if id_type else "")
        self.values["id_number"].setText(lookup.masked_id)
        self.values["legal_name"].setText(lookup.legal_name)
        self.values["accounts"].setText(
            "\n".join(
                f"{row.account.label} — {row.chosen_level.label}"
                for row in wizard.accounts_page.rows
                if row.chosen
            )
        )
        method = wizard.method_page.method
        self.values["method"].setText(method.label if method else "")
        self.show_message("")

    def cleanupPage(self) -> None:
        self.show_message("")

    def validatePage(self) -> bool:
        return self._wizard().submit()


# --- 6. Confirmation --------------------------------------------------------------------------


class ConfirmationPage(_StepPage):
    def __init__(self) -> None:
        super().__init__("Your request has been submitted")
        self.number_label = QLabel()
        self.number_label.setObjectName("subheading")
        self.number_label.setTextFormat(Qt.TextFormat.PlainText)
        # Selectable by keyboard too: it takes the focus, so a screen reader reads it out.
        self.number_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.number_label.setAccessibleName("Request number")
        self.instructions = _note("")
        self.instructions.setObjectName("")  # the steps to follow, in the normal colour
        self.print_button = QPushButton(f"&{PRINT_CLIENT_AUTHORIZATION}")
        self.print_button.setAccessibleName(PRINT_CLIENT_AUTHORIZATION)
        self.print_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.print_button.setAutoDefault(False)
        self.print_button.clicked.connect(self._print)
        self.expiry = _note("")
        for row, widget in enumerate(
            (self.number_label, self.instructions, self.print_button, self.expiry)
        ):
            if row:
                self.grid.setRowMinimumHeight(2 * row - 1, 8)
            self.grid.addWidget(widget, 2 * row, 0, 1, 2)
        # As wide as its text, not the page.
        self.grid.setAlignment(self.print_button, Qt.AlignmentFlag.AlignLeft)

    def initializePage(self) -> None:
        view = self._wizard().result_view
        assert view is not None
        self.number_label.setText(f"Request number: {view.number}")
        self.setSubTitle(
            f"To be approved {view.method.how_approved}. {self._wizard().taxpayer_line()}"
        )
        if view.method is ApprovalMethod.PRINTED_FORM:
            self.instructions.setText(
                "What to do now:\n"
                f"  •  Select the {PRINT_CLIENT_AUTHORIZATION} button below.\n"
                "  •  Complete the form and follow the instructions on the form to send it "
                "to DOR."
            )
            self.print_button.show()
            self.print_button.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.instructions.setText(
                "The taxpayer has been sent an email with your request, and completes the "
                "request for access online.\n"
                "You and the taxpayer will be notified by email from DOR once the request "
                "has been approved or denied."
            )
            self.print_button.hide()
            self.number_label.setFocus(Qt.FocusReason.OtherFocusReason)
        self.expiry.setText(
            f"If the taxpayer has not decided by {day(view.expires_at)}, the request expires "
            "and you can send a new one."
        )

    @writes
    def _print(self) -> None:
        wizard = self._wizard()
        view = wizard.result_view
        if view is not None:
            print_client_authorization(self, wizard.actor, view)


# --- the wizard ------------------------------------------------------------------------------


@router.command("request_access")
def request_access(
    parent: QWidget, actor: Actor, *, id_type: IdType | None = None, legal_name: str = ""
) -> RequestView | None:
    """*Request to Manage Other Taxpayer's Accounts*: the wizard, started with a former
    client's ID type and name when given; the request made, or None."""
    prefill = RequestPrefill(id_type=id_type, legal_name=legal_name) if id_type else None
    return RequestWizard.ask(parent, actor, prefill=prefill)


class RequestWizard(QWizard):
    """*Request to Manage Other Taxpayer's Accounts*, for the acting third party."""

    def __init__(
        self,
        parent: QWidget | None,
        actor: Actor,
        *,
        prefill: RequestPrefill | None = None,
    ) -> None:
        super().__init__(parent)
        self.actor = actor
        self.lookup: TaxpayerLookup | None = None
        self.result_view: RequestView | None = None
        self.setObjectName("requestWizard")
        self.setWindowTitle(TITLE)
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        # Subtitles hold taxpayers' names: never read as HTML.
        self.setTitleFormat(Qt.TextFormat.PlainText)
        self.setSubTitleFormat(Qt.TextFormat.PlainText)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        for which, text in (
            (QWizard.WizardButton.BackButton, "&Back"),
            (QWizard.WizardButton.NextButton, "&Next"),
            (QWizard.WizardButton.CommitButton, "&Submit"),
            (QWizard.WizardButton.CancelButton, "Cancel"),
            (QWizard.WizardButton.FinishButton, "&Finish"),
        ):
            self.setButtonText(which, text)
            self.button(which).setAccessibleName(plain(text))
        self.id_type_page = IdTypePage()
        self.taxpayer_page = TaxpayerPage()
        self.accounts_page = AccountsPage()
        self.method_page = MethodPage()
        self.review_page = ReviewPage()
        self.confirmation_page = ConfirmationPage()
        for page_id, page in (
            (Page.ID_TYPE, self.id_type_page),
            (Page.TAXPAYER, self.taxpayer_page),
            (Page.ACCOUNTS, self.accounts_page),
            (Page.METHOD, self.method_page),
            (Page.REVIEW, self.review_page),
            (Page.CONFIRMATION, self.confirmation_page),
        ):
            self.setPage(page_id, page)
        self.setStartId(Page.ID_TYPE)
        self.setMinimumSize(760, 600)
        from mtc_desktop.gui import help

        help.add_context_help(self, help.REQUEST_WIZARD_ANSWER)  # F1: the FAQ's answer
        if prefill is not None:
            self.id_type_page.select(prefill.id_type)
            self.taxpayer_page.show_prefill(prefill)
            # Straight to the one thing left to type; Back still leads to the ID type.
            self.restart()
            self.next()

    @classmethod
    def ask(
        cls, parent: QWidget | None, actor: Actor, *, prefill: RequestPrefill | None = None
    ) -> RequestView | None:
        """Run the wizard; the request made, or None if the user cancelled before Submit."""
        wizard = cls(parent, actor, prefill=prefill)
        try:
            wizard.exec()
            return wizard.result_view
        finally:
            # Gone now, not at the next event loop: no window outlives the wizard.
            if shiboken6.isValid(wizard):
                shiboken6.delete(wizard)

    def taxpayer_line(self) -> str:
        """Whom the request is for, as the pages after the look-up say it. The masked ID
        comes first: a line never breaks inside it."""
        id_type, lookup = self.id_type_page.id_type, self.lookup
        if id_type is None or lookup is None:
            return ""
        line = f"For the taxpayer with {id_type.value} {lookup.masked_id}: {lookup.legal_name}"
        return line if line.endswith(".") else f"{line}."

    def step(self, page_id: Page) -> _StepPage:
        page = self.page(page_id)
        assert isinstance(page, _StepPage)
        return page

    def draft(self) -> RequestDraft:
        id_type = self.id_type_page.id_type
        method = self.method_page.method
        assert id_type is not None
        assert method is not None
        return RequestDraft(
            id_type=id_type,
            id_number=self.taxpayer_page.id_number_edit.text(),
            legal_name=self.taxpayer_page.legal_name_edit.text(),
            lines=self.accounts_page.lines(),
            method=method,
        )

    def look_up(self) -> bool:
        """Find the taxpayer the ID and legal name name; False, after saying why, if none
        matches or a request for them is already pending."""
        page = self.taxpayer_page
        id_type = self.id_type_page.id_type
        assert id_type is not None

        def refused(exc: MtcError) -> None:
            if isinstance(exc, InvalidInput):
                self.show_errors(exc.errors)
            else:
                page.show_message(exc.message)

        lookup = ops.call(
            self,
            requests.lookup_taxpayer,
            self.actor,
            id_type,
            page.id_number_edit.text(),
            page.legal_name_edit.text(),
            refused=refused,
        )
        if lookup is None:
            return False
        if lookup.pending_request is not None:
            page.show_message(pending_message(lookup.pending_request))
            return False
        self.lookup = lookup
        return True

    def submit(self) -> bool:
        """Request access once: a second press of Submit while the first is sending is
        ignored (gui/busy.py)."""
        commit = self.button(QWizard.WizardButton.CommitButton)
        return run_write(self, self._send, commit) is True

    def _send(self) -> bool:
        """Request access; on a refusal, show it beside its field, on the field's page."""
        if self.result_view is not None:  # submitted already: never twice
            return True
        self.review_page.show_message("")

        def refused(exc: MtcError) -> None:
            if isinstance(exc, InvalidInput):
                if "accounts" in exc.errors:
                    self._reload_accounts()
                self.show_errors(exc.errors)
            else:
                self.review_page.show_message(exc.message)

        self.result_view = (
            ops.Op(self, lambda: requests.request_access(self.actor, self.draft()))
            .refused(refused)
            .run()
        )
        return self.result_view is not None

    def _reload_accounts(self) -> None:
        """Show the accounts as they are now (one may have been granted meanwhile)."""
        id_type = self.id_type_page.id_type
        assert id_type is not None
        lookup, _refusal = ops.outcome(
            requests.lookup_taxpayer,
            self.actor,
            id_type,
            self.taxpayer_page.id_number_edit.text(),
            self.taxpayer_page.legal_name_edit.text(),
        )
        if lookup is None:
            return  # the refusal being shown says what to do
        self.lookup = lookup
        self.accounts_page.load(lookup)

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Each message beside its field; go back to the first page holding one."""
        by_page: dict[Page, dict[str, str]] = {}
        loose: list[str] = []
        for name, message in errors.items():
            if name in FIELD_PAGES:
                by_page.setdefault(FIELD_PAGES[name], {})[name] = message
            else:
                loose.append(message)
        if loose:
            self.step(Page(self.currentId())).show_message(" ".join(loose))
        if not by_page:
            return
        for page_id, messages in by_page.items():
            self.step(page_id).show_errors(messages)
        target = min(by_page)
        while self.currentId() > target and target in self.visitedIds():
            self.back()
        self.step(target).show_errors(by_page[target])  # focus its first field
