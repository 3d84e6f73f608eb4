"""Request to Manage Other Taxpayer's Accounts: the third party's wizard driven as a user
drives it — by the labels on the screen — through the real modal ``RequestWizard.ask()``
on the demo database, then checked on screen and in the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
    QWizard,
)

from mtc_desktop.domain.errors import InvalidInput
from mtc_desktop.domain.ids import IdType, normalize_id
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import ApprovalMethod
from mtc_desktop.gui.pdf_preview import PdfPreviewDialog
from mtc_desktop.gui.request_wizard import (
    ALREADY_GRANTED,
    CHOOSE_ACCOUNTS,
    CHOOSE_ID_TYPE,
    CHOOSE_METHOD,
    NOTHING_TO_REQUEST,
    TITLE,
    RequestPrefill,
    RequestWizard,
)
from mtc_desktop.services import base, demo, logons, requests
from mtc_desktop.services.base import Actor
from mtc_desktop.services.requests import NO_ONLINE_LOGON, LineDecision, RequestDraft, RequestView
from mtc_desktop.services.taxpayers import NO_MATCH, account_view
from mtc_desktop.store.models import AccessRequest, Logon, Message, RequestLine, Taxpayer
from tests.gui.conftest import buttons, click, log_in, when_modal

SSN = "Social Security Number (SSN)"
ITIN = "Individual Taxpayer Identification Number (ITIN)"
FEIN = "Federal Employer Identification Number (FEIN)"

# The demo's taxpayers (mtc_desktop/services/demo.py).
HARBOR = ("04-3812967", "Harbor Street Bakery LLC")  # has a logon; smithcpa holds two grants
DMITRI = ("20-4471852", "Дмитрий Иванов Trading Co.")  # no logon
ELODIE = ("027-61-4410", "Élodie Durand-Lefèvre")  # smithcpa's printed form is pending
MARIA = ("031-54-2296", "Maria Santos")  # smithcpa has access to her one account
SMITH = ("04-2750194", "Smith & Daughters CPA")  # smithcpa's own business


def domain_message(check: Callable[[], object]) -> str:
    """What the domain's validator says about a value (the wizard must say the same)."""
    with pytest.raises(InvalidInput) as info:
        check()
    return info.value.message


def account_label(taxpayer_name: str, account_type: str) -> str:
    """'Withholding WTH-00000001': an account as the accounts page lists it."""
    taxpayer = Taxpayer.get(Taxpayer.legal_name == taxpayer_name)
    for account in taxpayer.accounts:
        view = account_view(account)
        if view.account_type.label == account_type:
            return view.label
    raise AssertionError(f"{taxpayer_name} has no {account_type} account")


class User:
    """A third party at the keyboard in front of the wizard, finding things by label."""

    def __init__(self, qtbot, wizard: RequestWizard) -> None:
        self.qtbot = qtbot
        self.wizard = wizard

    @property
    def page(self) -> QWidget:
        page = self.wizard.currentPage()
        assert page is not None
        return page

    @property
    def title(self) -> str:
        return self.page.title()

    @property
    def subtitle(self) -> str:
        return self.page.subTitle()

    def has_focus(self, widget: QWidget) -> bool:
        """Whether ``widget`` has the wizard's keyboard focus (the one it gets back when the
        window is active; offscreen, no window ever is)."""
        return self.wizard.focusWidget() is widget

    def activate(self) -> None:
        """Make the wizard the active window, as it is for a user: keys go to it."""
        self.wizard.windowHandle().requestActivate()
        self.qtbot.waitUntil(self.wizard.isActiveWindow)

    def press(
        self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        """A key pressed on the keyboard: it goes to whatever has the focus."""
        focused = QApplication.focusWidget()
        assert focused is not None
        assert focused.window() is self.wizard
        self.qtbot.keyClick(focused, key, modifier)

    def alt(self, letter: str, until: Callable[[], bool]) -> None:
        """Alt and a label's underlined letter; a button so pressed is clicked a moment
        later (Qt animates the click), so wait for what it does."""
        self.press(getattr(Qt.Key, f"Key_{letter}"), Qt.KeyboardModifier.AltModifier)
        self.qtbot.waitUntil(until, timeout=2000)

    def keys(self, text: str) -> None:
        focused = QApplication.focusWidget()
        assert focused is not None
        self.qtbot.keyClicks(focused, text)

    def visible_text(self) -> str:
        return "\n".join(
            label.text() for label in self.page.findChildren(QLabel) if label.isVisible()
        )

    def field(self, label: str) -> QWidget:
        """The field a visible label names (its buddy: what Alt+mnemonic focuses)."""
        found = [
            lab.buddy()
            for lab in self.page.findChildren(QLabel)
            if lab.text().replace("&", "") == label and lab.isVisible() and lab.buddy()
        ]
        assert len(found) == 1, f"no field labelled {label!r} on {self.title!r}"
        widget = found[0]
        assert widget.accessibleName() == label
        return widget

    def named(self, name: str, kind: type = QWidget) -> QWidget:
        """The visible widget whose accessible name is ``name`` (what a screen reader says)."""
        found = [
            w for w in self.page.findChildren(kind) if w.accessibleName() == name and w.isVisible()
        ]
        assert len(found) == 1, f"no {kind.__name__} named {name!r} on {self.title!r}"
        return found[0]

    def text(self, label: str) -> str:
        edit = self.field(label)
        assert isinstance(edit, QLineEdit)
        return edit.text()

    def type(self, label: str, text: str) -> None:
        """Select what is in the field and type over it."""
        edit = self.field(label)
        assert isinstance(edit, QLineEdit)
        edit.setFocus()
        edit.selectAll()
        self.qtbot.keyClick(edit, Qt.Key.Key_Delete)
        if text.isascii():
            self.qtbot.keyClicks(edit, text)
        else:  # as an input method delivers it: QTest types only ASCII keys
            event = QInputMethodEvent("", [])
            event.setCommitString(text)
            QApplication.sendEvent(edit, event)
        assert edit.text() == text

    def click(self, text: str) -> None:
        click(self.qtbot, self.wizard, text)

    def can_click(self, text: str) -> bool:
        found = buttons(self.wizard, text)
        return bool(found) and found[0].isEnabled()

    def button(self, text: str) -> QAbstractButton:
        found = buttons(self.page, text)
        assert len(found) == 1, f"no button {text!r} on {self.title!r}"
        return found[0]

    def _error_under(self, widget: QWidget) -> str:
        """The red message shown just under ``widget``, which is also its accessible
        description; "" when there is none."""
        bottom_left = widget.mapTo(self.page, widget.rect().bottomLeft())
        shown = []
        for lab in self.page.findChildren(QLabel):
            if lab.property("role") != "error" or not lab.isVisible() or not lab.text():
                continue
            at = lab.mapTo(self.page, lab.rect().topLeft())
            if abs(at.x() - bottom_left.x()) <= 4 and 0 <= at.y() - bottom_left.y() <= 16:
                shown.append(lab.text())
        assert len(shown) <= 1
        message = shown[0] if shown else ""
        if message:
            assert widget.accessibleDescription() == message
        return message

    def error_beside(self, label: str) -> str:
        return self._error_under(self.field(label))

    def error_under_group(self, name: str) -> str:
        """The message under a group of choices (ID type, Accounts, Approval method)."""
        return self._error_under(self.named(name))

    def page_message(self) -> str:
        """The red message about the page as a whole (not about one field)."""
        found = [
            lab.text()
            for lab in self.page.findChildren(QLabel)
            if lab.property("role") == "error"
            and lab.isVisible()
            and lab.accessibleName() == f"{self.title} error"
        ]
        return found[0] if found else ""

    def review(self, caption: str) -> str:
        value = self.field(caption)
        assert isinstance(value, QLabel)
        return value.text()

    # --- the accounts page ---------------------------------------------------------

    def account(self, label: str) -> QCheckBox:
        box = self.named(label, QCheckBox)
        assert isinstance(box, QCheckBox)
        assert box.text() == label
        return box

    def level(self, label: str) -> QComboBox:
        combo = self.named(f"Level of access for {label}", QComboBox)
        assert isinstance(combo, QComboBox)
        return combo

    def ask_for(self, label: str, level: str) -> None:
        """Check the account's box and choose its level of access."""
        box = self.account(label)
        if not box.isChecked():
            self.qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())
        assert box.isChecked()
        combo = self.level(label)
        assert combo.isEnabled()
        index = combo.findText(level)
        assert index >= 0, f"{level!r} is not offered"
        combo.setCurrentIndex(index)

    # --- whole steps ----------------------------------------------------------------

    def id_type(self, id_type: str) -> None:
        assert self.title == "Select the taxpayer's ID type"
        self.click(id_type)
        self.click("Next")

    def taxpayer(self, id_number: str, legal_name: str) -> None:
        assert self.title == "Enter the taxpayer's ID number and legal name"
        self.type("ID number", id_number)
        self.type("Legal name", legal_name)
        self.click("Next")

    def accounts(self, wanted: dict[str, str]) -> None:
        assert self.title == "Select account(s) and level of access"
        for label, level in wanted.items():
            self.ask_for(label, level)
        self.click("Next")

    def method(self, method: str) -> None:
        assert self.title == "Choose one of two options for the taxpayer to approve the request"
        self.click(method)
        self.click("Next")


def run_wizard(
    qtbot,
    main: QWidget,
    script: Callable[[User], None],
    prefill: RequestPrefill | None = None,
) -> RequestView | None:
    """Open the wizard the way the program does (``ask()``, modal) and let ``script`` drive
    it; the wizard is closed if the script fails, so a failing test cannot hang."""
    failures: list[BaseException] = []
    seen: list[QWidget] = []  # a reference held until the script is done

    def drive() -> None:
        wizard = QApplication.activeModalWidget()
        if not isinstance(wizard, RequestWizard):
            QTimer.singleShot(10, drive)
            return
        seen.append(wizard)
        try:
            script(User(qtbot, wizard))
        except BaseException as exc:
            failures.append(exc)
        finally:
            if wizard.isVisible():
                wizard.reject()

    QTimer.singleShot(0, drive)
    view = RequestWizard.ask(main, main.actor, prefill=prefill)
    if failures:
        raise failures[0]
    assert seen, "the wizard never opened"
    return view


@pytest.fixture
def smith(qtbot, login_window) -> QWidget:
    """The main window of the demo's preparer, Smith & Daughters CPA (smithcpa)."""
    return log_in(qtbot, login_window, "smithcpa")


def lines_of(request_id: int) -> dict[str, str]:
    return {
        line.account.account_type: line.requested_level
        for line in RequestLine.select().where(RequestLine.request == request_id)
    }


def pending_of(username: str, taxpayer_name: str) -> list[AccessRequest]:
    logon = Logon.get(Logon.username == username)
    taxpayer = Taxpayer.get(Taxpayer.legal_name == taxpayer_name)
    return list(
        AccessRequest.select().where(
            (AccessRequest.third_party == logon.id)
            & (AccessRequest.taxpayer == taxpayer.id)
            & (AccessRequest.status == "pending")
        )
    )


def as_user(username: str) -> Actor:
    return logons.log_in(username, demo.DEMO_PASSWORD)


# --- a request made, both ways ---------------------------------------------------------------


def test_printed_form_request_for_a_taxpayer_without_a_logon(qtbot, smith) -> None:
    """FAQ: How does a third party request access — the Printed form option."""
    withholding = account_label(DMITRI[1], "Withholding")
    excise = account_label(DMITRI[1], "Corporate Excise")
    requests_before = AccessRequest.select().count()

    def script(user: User) -> None:
        assert user.wizard.windowTitle() == TITLE
        assert not buttons(user.wizard, "Back"), "no Back on the first page"
        radios = [r.text().replace("&", "") for r in user.page.findChildren(QRadioButton)]
        assert radios == [SSN, ITIN, FEIN]
        user.id_type(FEIN)
        assert user.named("ID type", QLabel).text() == FEIN
        user.taxpayer(DMITRI[0], DMITRI[1])
        assert user.subtitle == "For the taxpayer with FEIN **-***1852: Дмитрий Иванов Trading Co."
        assert user.account(excise).isEnabled()
        assert not user.level(excise).isEnabled(), "a level is chosen once the box is checked"
        user.accounts({excise: "File and Pay", withholding: "Pay"})
        # Rule 6: no logon, no MassTaxConnect — the program says why and offers the form.
        online = user.button("MassTaxConnect")
        assert not online.isEnabled()
        assert NO_ONLINE_LOGON in user.visible_text()
        assert online.accessibleDescription() == NO_ONLINE_LOGON
        assert user.button("Printed form").isChecked()
        user.click("Next")
        assert user.title == "Review and submit your request"
        assert user.review("ID type") == FEIN
        assert user.review("ID number") == "**-***1852"
        assert user.review("Legal name") == DMITRI[1]
        assert user.review("Account(s) and level of access") == (
            f"{excise} — File and Pay\n{withholding} — Pay"
        )
        assert user.review("Approval method") == "Printed form"
        assert not buttons(user.wizard, "Next")
        user.click("Submit")
        assert user.title == "Your request has been submitted"
        assert user.subtitle.startswith(
            "To be approved on a printed Client Authorization form. For the taxpayer"
        )
        number = user.named("Request number", QLabel).text().removeprefix("Request number: ")
        assert number.startswith("R")
        text = user.visible_text()
        assert "Select the Print Client Authorization button" in text
        assert "Complete the form and follow the instructions on the form to send it to DOR" in (
            text
        )
        assert user.button("Print Client Authorization").isEnabled()
        assert not buttons(user.wizard, "Back"), "a submitted request cannot be changed"
        assert not buttons(user.wizard, "Cancel")
        user.click("Finish")

    view = run_wizard(qtbot, smith, script)

    assert view is not None
    assert view.method is ApprovalMethod.PRINTED_FORM
    assert AccessRequest.select().count() == requests_before + 1
    row = AccessRequest.get(AccessRequest.number == view.number)
    assert row.third_party.username == "smithcpa"
    assert row.taxpayer.legal_name == DMITRI[1]
    assert (row.status, row.method) == ("pending", "printed_form")
    assert lines_of(row.id) == {"corporate_excise": "file_and_pay", "withholding": "pay"}
    assert not Message.select().where(Message.request == row.id).exists()


def test_masstaxconnect_request_emails_the_taxpayer(qtbot, smith) -> None:
    """FAQ: ... the MassTaxConnect option: the taxpayer receives an email with the request."""
    withholding = account_label(HARBOR[1], "Withholding")
    pfml = account_label(HARBOR[1], "Paid Family and Medical Leave")
    sales = account_label(HARBOR[1], "Sales and Use")
    meals = account_label(HARBOR[1], "Meals")

    def script(user: User) -> None:
        user.id_type(FEIN)
        # Rule 5: the name matches whatever its case and spacing.
        user.taxpayer("043812967", "  harbor street   BAKERY llc ")
        # Accounts already granted are shown, but cannot be asked for again.
        for granted in (sales, meals):
            assert not user.account(granted).isEnabled()
            assert user.account(granted).accessibleDescription() == ALREADY_GRANTED
        assert user.visible_text().count(ALREADY_GRANTED) == 2
        assert user.account(withholding).isEnabled()
        assert user.level(withholding).currentText() == "File and Pay"
        user.accounts({withholding: "View Only", pfml: "Full Access"})
        assert user.button("MassTaxConnect").isEnabled()
        assert not user.button("Printed form").isChecked()
        assert not user.button("MassTaxConnect").isChecked()
        user.method("MassTaxConnect")
        assert user.review("Legal name") == HARBOR[1]
        assert user.review("Approval method") == "MassTaxConnect"
        user.click("Submit")
        assert user.subtitle.startswith("To be approved online in MassTaxConnect. For the")
        text = user.visible_text()
        assert "The taxpayer has been sent an email with your request" in text
        assert "notified by email from DOR once the request has been approved or denied" in text
        assert not buttons(user.wizard, "Print Client Authorization")
        user.click("Finish")

    view = run_wizard(qtbot, smith, script)

    assert view is not None
    row = AccessRequest.get_by_id(view.id)
    assert (row.status, row.method) == ("pending", "masstaxconnect")
    assert lines_of(row.id) == {"withholding": "view_only", "pfml": "full_access"}
    owner = Logon.get(Logon.username == "harborbakery")
    emails = list(
        Message.select().where((Message.recipient == owner.id) & (Message.request == row.id))
    )
    assert [m.kind for m in emails] == ["email"]
    assert view.number in emails[0].subject
    assert "Smith & Daughters CPA" in emails[0].subject


def test_print_client_authorization_opens_the_preview(qtbot, smith) -> None:
    previews: list[tuple[str, int, bool]] = []

    def look_and_close(dialog: QWidget) -> None:
        assert isinstance(dialog, PdfPreviewDialog)
        previews.append(
            (dialog.windowTitle(), dialog.document.pageCount(), dialog.save_button.isEnabled())
        )
        buttons(dialog, "Close")[0].click()

    def script(user: User) -> None:
        user.id_type(FEIN)
        user.taxpayer(*DMITRI)
        user.accounts({account_label(DMITRI[1], "Withholding"): "File"})
        user.method("Printed form")
        user.click("Submit")
        when_modal(look_and_close, of_type=PdfPreviewDialog)
        user.click("Print Client Authorization")
        assert previews, "the preview did not open"
        assert user.title == "Your request has been submitted", "the wizard stays open"
        user.click("Finish")

    view = run_wizard(qtbot, smith, script)

    assert view is not None
    title, pages, can_save = previews[0]
    assert title == f"Client Authorization — request {view.number}"
    assert pages >= 1
    assert can_save


# --- 1. ID type ------------------------------------------------------------------------------


def test_next_without_an_id_type_says_to_choose_one(qtbot, smith) -> None:
    def script(user: User) -> None:
        user.click("Next")
        assert user.title == "Select the taxpayer's ID type"
        assert user.error_under_group("ID type") == CHOOSE_ID_TYPE
        user.click(SSN)
        assert user.error_under_group("ID type") == "", "choosing clears the message"
        user.click("Next")
        assert user.title == "Enter the taxpayer's ID number and legal name"
        assert user.named("ID type", QLabel).text() == SSN
        assert user.field("ID number").placeholderText() == "123-45-6789"
        user.click("Cancel")

    assert run_wizard(qtbot, smith, script) is None


# --- 2. ID number and legal name -------------------------------------------------------------


def test_empty_and_malformed_entries_are_shown_beside_their_fields(qtbot, smith) -> None:
    short = domain_message(lambda: normalize_id(IdType.FEIN, "04-38129"))
    letters = domain_message(lambda: normalize_id(IdType.FEIN, "04-38I2967"))

    def script(user: User) -> None:
        user.id_type(FEIN)
        user.taxpayer("", "")
        assert user.title == "Enter the taxpayer's ID number and legal name"
        assert user.error_beside("ID number") == "Enter the FEIN (9 digits)."
        assert user.error_beside("Legal name") == "Enter the legal name."
        assert user.has_focus(user.field("ID number")), "the first field in error has the focus"
        user.taxpayer("04-38129", HARBOR[1])
        assert user.error_beside("ID number") == short
        assert "has 7" in short
        assert user.error_beside("Legal name") == ""
        user.type("ID number", "04-38I2967")
        assert user.error_beside("ID number") == "", "typing clears the message"
        user.click("Next")
        assert user.error_beside("ID number") == letters
        user.type("ID number", HARBOR[0])
        user.click("Next")
        assert user.title == "Select account(s) and level of access"
        user.click("Cancel")

    assert run_wizard(qtbot, smith, script) is None


def test_wrong_name_or_unknown_id_get_the_same_vague_message(qtbot, smith) -> None:
    """Rule 5: the form cannot be used to discover who is a taxpayer."""

    def script(user: User) -> None:
        user.id_type(FEIN)
        user.taxpayer(HARBOR[0], "Harbour Street Bakery LLC")
        assert user.error_beside("Legal name") == NO_MATCH
        assert user.error_beside("ID number") == ""
        first = user.visible_text()
        user.taxpayer("04-3812968", HARBOR[1])  # no such FEIN
        assert user.error_beside("Legal name") == NO_MATCH
        assert user.visible_text() == first, "nothing tells the two apart"
        assert user.title == "Enter the taxpayer's ID number and legal name"
        user.click("Cancel")

    assert run_wizard(qtbot, smith, script) is None


def test_own_business_is_refused_beside_the_id_number(qtbot, smith) -> None:
    def script(user: User) -> None:
        user.id_type(FEIN)
        user.taxpayer(*SMITH)
        assert user.error_beside("ID number") == (
            "This is your own business; its accounts are already on your All tab."
        )
        assert user.title == "Enter the taxpayer's ID number and legal name"
        user.click("Cancel")

    assert run_wizard(qtbot, smith, script) is None


def test_a_pending_request_stops_the_wizard_with_its_number(qtbot, smith) -> None:
    (pending,) = pending_of("smithcpa", ELODIE[1])

    def script(user: User) -> None:
        user.id_type(SSN)
        user.taxpayer(*ELODIE)
        assert user.title == "Enter the taxpayer's ID number and legal name"
        assert user.page_message() == (
            f"You already have a pending request ({pending.number}) for this taxpayer. "
            "Withdraw it first, or wait for the taxpayer's decision."
        )
        assert user.error_beside("ID number") == ""
        assert user.error_beside("Legal name") == ""
        user.click("Next")
        assert user.title == "Enter the taxpayer's ID number and legal name"
        user.type("Legal name", ELODIE[1] + " ")
        assert user.page_message() == "", "editing clears it until the next look-up"
        user.click("Cancel")

    assert run_wizard(qtbot, smith, script) is None
    assert pending_of("smithcpa", ELODIE[1]) == [pending]


def test_a_pending_request_past_its_period_no_longer_blocks(qtbot, smith) -> None:
    """Days went by with the program open: the old request has run out, swept or not."""
    (old,) = pending_of("smithcpa", ELODIE[1])
    later = old.created_at + dt.timedelta(days=46)
    base.set_clock(lambda: later)
    try:

        def script(user: User) -> None:
            user.id_type(SSN)
            user.taxpayer(*ELODIE)
            assert user.page_message() == ""
            user.accounts({account_label(ELODIE[1], "Fiduciary"): "File"})
            user.method("MassTaxConnect")
            user.click("Submit")
            user.click("Finish")

        view = run_wizard(qtbot, smith, script)
    finally:
        base.set_clock(None)
    assert view is not None
    assert AccessRequest.get_by_id(old.id).status == "expired"
    assert pending_of("smithcpa", ELODIE[1]) == [AccessRequest.get_by_id(view.id)]


# --- 3. Accounts and levels ------------------------------------------------------------------


def test_at_least_one_account_must_be_checked(qtbot, smith) -> None:
    withholding = account_label(HARBOR[1], "Withholding")

    def script(user: User) -> None:
        user.id_type(FEIN)
        user.taxpayer(*HARBOR)
        user.click("Next")
        assert user.title == "Select account(s) and level of access"
        assert user.error_under_group("Accounts") == CHOOSE_ACCOUNTS
        # A level chosen on an unchecked row asks for nothing.
        user.ask_for(withholding, "Pay")
        assert user.error_under_group("Accounts") == "", "checking clears the message"
        user.qtbot.mouseClick(user.account(withholding), Qt.MouseButton.LeftButton)
        assert not user.level(withholding).isEnabled()
        user.click("Next")
        assert user.error_under_group("Accounts") == CHOOSE_ACCOUNTS
        user.ask_for(withholding, "Pay")
        user.click("Next")
        assert user.title.startswith("Choose one of two options")
        user.click("Cancel")

    assert run_wizard(qtbot, smith, script) is None


def test_every_account_already_granted_leaves_nothing_to_request(qtbot, smith) -> None:
    income = account_label(MARIA[1], "Personal Income")

    def script(user: User) -> None:
        user.id_type(SSN)
        user.taxpayer(*MARIA)
        assert user.title == "Select account(s) and level of access"
        assert not user.account(income).isEnabled()
        assert user.page_message() == NOTHING_TO_REQUEST
        user.click("Next")
        assert user.title == "Select account(s) and level of access"
        user.click("Cancel")

    assert run_wizard(qtbot, smith, script) is None


# --- 4. Printed form or MassTaxConnect -------------------------------------------------------


def test_next_without_an_approval_method_says_to_choose_one(qtbot, smith) -> None:
    def script(user: User) -> None:
        user.id_type(FEIN)
        user.taxpayer(*HARBOR)
        user.accounts({account_label(HARBOR[1], "Withholding"): "File"})
        user.click("Next")
        assert user.title.startswith("Choose one of two options")
        assert user.error_under_group("Approval method") == CHOOSE_METHOD
        user.click("Printed form")
        assert user.error_under_group("Approval method") == ""
        user.click("Next")
        assert user.title == "Review and submit your request"
        user.click("Cancel")

    assert run_wizard(qtbot, smith, script) is None


def test_masstaxconnect_cannot_stay_chosen_for_a_taxpayer_without_a_logon(qtbot, smith) -> None:
    """Chosen for one taxpayer, then Back to another who has no logon."""

    def script(user: User) -> None:
        user.id_type(FEIN)
        user.taxpayer(*HARBOR)
        user.accounts({account_label(HARBOR[1], "Withholding"): "File"})
        user.click("MassTaxConnect")
        for _ in range(2):
            user.click("Back")
        user.taxpayer(*DMITRI)
        assert user.subtitle == "For the taxpayer with FEIN **-***1852: Дмитрий Иванов Trading Co."
        assert user.account(account_label(DMITRI[1], "Withholding")).isEnabled()
        assert not user.account(account_label(DMITRI[1], "Withholding")).isChecked()
        user.accounts({account_label(DMITRI[1], "Corporate Excise"): "File"})
        assert not user.button("MassTaxConnect").isChecked()
        assert not user.button("MassTaxConnect").isEnabled()
        assert user.button("Printed form").isChecked()
        user.click("Next")
        assert user.review("Approval method") == "Printed form"
        assert user.review("Legal name") == DMITRI[1]
        user.click("Cancel")

    assert run_wizard(qtbot, smith, script) is None


# --- 5. Review and Submit --------------------------------------------------------------------


def test_back_keeps_everything_chosen_and_typed(qtbot, smith) -> None:
    withholding = account_label(HARBOR[1], "Withholding")
    pfml = account_label(HARBOR[1], "Paid Family and Medical Leave")

    def script(user: User) -> None:
        user.id_type(FEIN)
        user.taxpayer(HARBOR[0], "harbor street bakery llc")
        user.accounts({withholding: "Pay", pfml: "Full Access"})
        user.method("MassTaxConnect")
        assert user.title == "Review and submit your request"
        for _ in range(4):
            user.click("Back")
        assert user.title == "Select the taxpayer's ID type"
        assert user.button(FEIN).isChecked()
        user.click("Next")
        assert user.text("ID number") == HARBOR[0]
        assert user.text("Legal name") == "harbor street bakery llc"
        user.click("Next")
        assert user.account(withholding).isChecked()
        assert user.level(withholding).currentText() == "Pay"
        assert user.account(pfml).isChecked()
        assert user.level(pfml).currentText() == "Full Access"
        user.click("Next")
        assert user.button("MassTaxConnect").isChecked()
        user.click("Next")
        assert user.review("Account(s) and level of access") == (
            f"{withholding} — Pay\n{pfml} — Full Access"
        )
        user.click("Cancel")

    assert run_wizard(qtbot, smith, script) is None


def test_a_request_made_meanwhile_elsewhere_is_shown_on_review_and_nothing_is_lost(
    qtbot, smith
) -> None:
    """StateConflict at Submit: another workstation of the firm asked a moment before."""
    withholding = account_label(HARBOR[1], "Withholding")
    elsewhere: list[RequestView] = []

    def script(user: User) -> None:
        user.id_type(FEIN)
        user.taxpayer(*HARBOR)
        user.accounts({withholding: "Pay"})
        user.method("MassTaxConnect")
        account_id = next(r.account.id for r in user.wizard.accounts_page.rows if r.chosen)
        elsewhere.append(
            requests.request_access(
                user.wizard.actor,
                RequestDraft(
                    IdType.FEIN,
                    HARBOR[0],
                    HARBOR[1],
                    ((account_id, AccessLevel.FILE),),
                    ApprovalMethod.PRINTED_FORM,
                ),
            )
        )
        user.click("Submit")
        assert user.title == "Review and submit your request"
        assert user.page_message() == (
            f"You already have a pending request ({elsewhere[0].number}) for this taxpayer. "
            "Withdraw it first, or wait for the taxpayer's decision."
        )
        assert user.review("Account(s) and level of access") == f"{withholding} — Pay"
        for _ in range(3):
            user.click("Back")
        assert user.text("ID number") == HARBOR[0]
        assert user.text("Legal name") == HARBOR[1]
        # Looked up again, the taxpayer now has that request pending.
        user.click("Next")
        assert user.page_message().startswith(
            f"You already have a pending request ({elsewhere[0].number})"
        )
        # The other request withdrawn, this one goes through as it was.
        requests.withdraw_request(user.wizard.actor, elsewhere[0].id)
        user.click("Next")
        assert user.account(withholding).isChecked()
        assert user.level(withholding).currentText() == "Pay"
        user.click("Next")
        assert user.button("MassTaxConnect").isChecked()
        user.click("Next")
        assert user.page_message() == ""
        user.click("Submit")
        assert user.title == "Your request has been submitted"
        user.click("Finish")

    view = run_wizard(qtbot, smith, script)

    assert view is not None
    assert AccessRequest.get_by_id(elsewhere[0].id).status == "withdrawn"
    row = AccessRequest.get_by_id(view.id)
    assert (row.status, row.method) == ("pending", "masstaxconnect")
    assert lines_of(row.id) == {"withholding": "pay"}


def test_an_account_granted_meanwhile_is_shown_on_the_accounts_page(qtbot, smith) -> None:
    """InvalidInput at Submit names the accounts: back to that page, the row now granted."""
    withholding = account_label(HARBOR[1], "Withholding")
    pfml = account_label(HARBOR[1], "Paid Family and Medical Leave")

    def script(user: User) -> None:
        user.id_type(FEIN)
        user.taxpayer(*HARBOR)
        user.accounts({withholding: "Pay", pfml: "File"})
        user.method("Printed form")
        # Meanwhile a request made on another workstation is approved for Withholding.
        account_id = next(
            r.account.id for r in user.wizard.accounts_page.rows if r.account.label == withholding
        )
        made = requests.request_access(
            user.wizard.actor,
            RequestDraft(
                IdType.FEIN,
                HARBOR[0],
                HARBOR[1],
                ((account_id, AccessLevel.FILE),),
                ApprovalMethod.MASSTAXCONNECT,
            ),
        )
        requests.decide_request(
            as_user("harborbakery"), made.id, [LineDecision(account_id, True, AccessLevel.FILE)]
        )
        user.click("Submit")
        assert user.title == "Select account(s) and level of access"
        assert user.error_under_group("Accounts") == (
            f"You already have access to {withholding}; the taxpayer can change its level."
        )
        assert not user.account(withholding).isEnabled()
        assert user.account(pfml).isChecked(), "the other choices are kept"
        assert user.level(pfml).currentText() == "File"
        user.click("Next")
        user.click("Next")
        assert user.review("Account(s) and level of access") == f"{pfml} — File"
        user.click("Submit")
        user.click("Finish")

    view = run_wizard(qtbot, smith, script)
    assert view is not None
    assert lines_of(view.id) == {"pfml": "file"}


def test_cancel_returns_none_and_creates_nothing(qtbot, smith) -> None:
    before = (AccessRequest.select().count(), Message.select().count())

    def script(user: User) -> None:
        user.id_type(FEIN)
        user.taxpayer(*HARBOR)
        user.accounts({account_label(HARBOR[1], "Withholding"): "File"})
        user.method("MassTaxConnect")
        assert user.title == "Review and submit your request"
        user.click("Cancel")

    assert run_wizard(qtbot, smith, script) is None
    assert (AccessRequest.select().count(), Message.select().count()) == before


# --- a former client ---------------------------------------------------------------------------


def test_prefill_opens_on_the_id_number_with_the_name_filled_in(qtbot, smith) -> None:
    prefill = RequestPrefill(IdType.FEIN, DMITRI[1])

    def script(user: User) -> None:
        assert user.title == "Enter the taxpayer's ID number and legal name"
        assert user.named("ID type", QLabel).text() == FEIN
        assert user.text("ID number") == ""
        assert user.text("Legal name") == DMITRI[1]
        assert "Type the taxpayer's ID number again" in user.visible_text()
        user.click("Back")
        assert user.button(FEIN).isChecked()
        user.click("Next")
        user.taxpayer(DMITRI[0], user.text("Legal name"))
        user.accounts({account_label(DMITRI[1], "Withholding"): "View Only"})
        user.click("Next")
        user.click("Submit")
        user.click("Finish")

    view = run_wizard(qtbot, smith, script, prefill=prefill)
    assert view is not None
    assert view.taxpayer_name == DMITRI[1]
    assert lines_of(view.id) == {"withholding": "view_only"}


# --- the keyboard ------------------------------------------------------------------------------


def test_buttons_labels_and_fields_for_the_keyboard(qtbot, smith) -> None:
    def script(user: User) -> None:
        wizard = user.wizard
        for which, text in (
            (QWizard.WizardButton.NextButton, "&Next"),
            (QWizard.WizardButton.BackButton, "&Back"),
            (QWizard.WizardButton.CommitButton, "&Submit"),
            (QWizard.WizardButton.CancelButton, "Cancel"),
            (QWizard.WizardButton.FinishButton, "&Finish"),
        ):
            assert wizard.buttonText(which) == text
            assert wizard.button(which).accessibleName() == text.replace("&", "")
        radios = user.page.findChildren(QRadioButton)
        for radio in radios:
            assert "&" in radio.text()
            assert radio.accessibleName() == radio.text().replace("&", "")
        # Tab enters the group once; the arrow keys move between its choices.
        assert [bool(r.focusPolicy() & Qt.FocusPolicy.TabFocus) for r in radios].count(True) == 1
        user.activate()
        radios[0].setFocus()
        user.qtbot.keyClick(radios[0], Qt.Key.Key_Down)
        assert user.has_focus(radios[1])
        user.id_type(FEIN)
        assert user.has_focus(user.field("ID number"))
        buddies = [
            lab.text()
            for lab in user.page.findChildren(QLabel)
            if lab.buddy() is not None and lab.isVisible()
        ]
        assert sorted(buddies) == ["&ID number", "&Legal name"]
        user.taxpayer(*HARBOR)
        # Tab goes check box, its level, the next check box, ... skipping granted rows.
        withholding = user.account(account_label(HARBOR[1], "Withholding"))
        pfml = user.account(account_label(HARBOR[1], "Paid Family and Medical Leave"))
        assert user.has_focus(withholding)
        user.qtbot.keyClick(withholding, Qt.Key.Key_Space)
        assert withholding.isChecked()
        level = user.level(withholding.text())
        assert withholding.nextInFocusChain() is level
        assert level.nextInFocusChain() is pfml
        user.click("Next")
        for name in ("Printed form", "MassTaxConnect"):
            button = user.button(name)
            assert button.text() == f"&{name}"
            assert button.accessibleName() == name
        user.method("Printed form")
        user.click("Submit")
        printer = user.button("Print Client Authorization")
        assert printer.accessibleName() == "Print Client Authorization"
        assert printer.focusPolicy() & Qt.FocusPolicy.TabFocus
        assert user.has_focus(printer)
        user.click("Finish")

    assert run_wizard(qtbot, smith, script) is not None


def test_a_whole_request_by_keyboard_alone(qtbot, smith) -> None:
    withholding = account_label(HARBOR[1], "Withholding")
    pfml = account_label(HARBOR[1], "Paid Family and Medical Leave")

    def script(user: User) -> None:
        user.activate()
        user.alt("F", until=lambda: user.button(FEIN).isChecked())  # &Federal Employer...
        user.alt("N", until=lambda: user.title.startswith("Enter"))  # &Next
        assert user.has_focus(user.field("ID number"))
        user.keys(HARBOR[0])
        user.press(Qt.Key.Key_Tab)
        assert user.has_focus(user.field("Legal name"))
        user.keys(HARBOR[1])
        user.press(Qt.Key.Key_Return)  # Next is the default button
        assert user.title == "Select account(s) and level of access"
        assert user.has_focus(user.account(withholding)), "granted rows are skipped"
        user.press(Qt.Key.Key_Space)
        user.press(Qt.Key.Key_Tab)
        assert user.has_focus(user.level(withholding))
        user.press(Qt.Key.Key_Up)  # File and Pay → Pay
        user.press(Qt.Key.Key_Tab)
        assert user.has_focus(user.account(pfml))
        user.alt("N", until=lambda: user.title.startswith("Choose one of two options"))
        user.alt("M", until=lambda: user.button("MassTaxConnect").isChecked())
        user.alt("N", until=lambda: user.title == "Review and submit your request")
        assert user.review("Account(s) and level of access") == f"{withholding} — Pay"
        user.alt("S", until=lambda: user.title == "Your request has been submitted")  # &Submit
        assert user.has_focus(user.named("Request number", QLabel)), "read out first"
        user.alt("F", until=lambda: not user.wizard.isVisible())  # &Finish

    view = run_wizard(qtbot, smith, script)
    assert view is not None
    assert view.method is ApprovalMethod.MASSTAXCONNECT
    assert lines_of(view.id) == {"withholding": "pay"}


def test_tab_reaches_the_wizard_buttons_in_the_order_they_read(qtbot, smith) -> None:
    """After the page's own fields, Tab goes through the buttons left to right as they are
    laid out: Back, Next (or Submit), Cancel; Shift+Tab the same way back."""

    def tab_cycle(user: User, first: QWidget, key: Qt.Key = Qt.Key.Key_Tab) -> list[QWidget]:
        """Every control Tab (or Shift+Tab) reaches, once round, starting at ``first``."""
        seen: list[QWidget] = []
        for _ in range(60):
            user.press(key)
            focused = QApplication.focusWidget()
            assert focused is not None
            if focused in seen:
                break
            seen.append(focused)
        start = seen.index(first)
        return seen[start:] + seen[:start]

    def check_page(user: User) -> None:
        laid_out = sorted(
            (
                b
                for b in user.wizard.findChildren(QPushButton)
                if b.isVisible() and not user.page.isAncestorOf(b)
            ),
            key=lambda b: b.mapToGlobal(b.rect().topLeft()).x(),
        )
        names = [b.text().replace("&", "") for b in laid_out]
        forward = tab_cycle(user, laid_out[0])
        reached = [b.text().replace("&", "") for b in forward[: len(laid_out)]]
        assert reached == names, user.title
        backward = tab_cycle(user, laid_out[-1], Qt.Key.Key_Backtab)
        reached = [b.text().replace("&", "") for b in backward[: len(laid_out)]]
        assert reached == names[::-1], user.title

    def script(user: User) -> None:
        user.activate()
        check_page(user)  # the ID type: Next, Cancel
        user.id_type(FEIN)
        check_page(user)  # Back, Next, Cancel
        user.taxpayer(*HARBOR)
        check_page(user)
        user.accounts({account_label(HARBOR[1], "Withholding"): "File"})
        check_page(user)
        user.method("MassTaxConnect")
        assert user.title == "Review and submit your request"
        check_page(user)  # Back, Submit, Cancel
        user.click("Cancel")

    assert run_wizard(qtbot, smith, script) is None
