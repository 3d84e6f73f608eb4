"""Create a Logon: the wizard driven as a user drives it — by the labels on the screen —
through the real modal ``CreateLogonWizard.ask()``, then checked on screen and in the
database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QWidget, QWizard

from mtc_desktop.domain.errors import InvalidInput
from mtc_desktop.domain.ids import IdType, format_id, normalize_id
from mtc_desktop.domain.model import Role
from mtc_desktop.domain.passwords import check_new_password
from mtc_desktop.gui.create_logon import PASSWORDS_DIFFER, CreateLogonWizard
from mtc_desktop.gui.login import LoginWindow
from mtc_desktop.services.base import Actor
from mtc_desktop.services.taxpayers import NO_MATCH
from mtc_desktop.store.models import Logon, Taxpayer
from tests.conftest import World
from tests.gui.conftest import buttons, click

PASSWORD = "correct horse battery staple"
ITIN_MESSAGE = "DOR requires an SSN or FEIN for third-party accounts; an ITIN cannot be used."


def domain_message(check: Callable[[], object]) -> str:
    """What the domain's validator says about a value (the wizard must say the same)."""
    with pytest.raises(InvalidInput) as info:
        check()
    return info.value.message


class User:
    """A person at the keyboard in front of the wizard, finding things by their labels."""

    def __init__(self, qtbot, wizard: CreateLogonWizard) -> None:
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
        if not text:
            self.qtbot.keyClick(edit, Qt.Key.Key_Delete)
        self.qtbot.keyClicks(edit, text)
        assert edit.text() == text

    def options(self, label: str) -> list[str]:
        combo = self.field(label)
        assert isinstance(combo, QComboBox)
        return [combo.itemText(i) for i in range(combo.count())]

    def choose(self, label: str, option: str) -> None:
        combo = self.field(label)
        assert isinstance(combo, QComboBox)
        index = combo.findText(option)
        assert index >= 0, f"{option!r} is not offered in {label!r}"
        combo.setCurrentIndex(index)

    def click(self, text: str) -> None:
        click(self.qtbot, self.wizard, text)

    def can_click(self, text: str) -> bool:
        found = buttons(self.wizard, text)
        return bool(found) and found[0].isEnabled()

    def error_beside(self, label: str) -> str:
        """The red message shown just under the field, which is also the field's
        accessible description; "" when there is none."""
        field = self.field(label)
        top_left = field.mapTo(self.page, field.rect().bottomLeft())
        shown = []
        for lab in self.page.findChildren(QLabel):
            if lab.property("role") != "error" or not lab.isVisible() or not lab.text():
                continue
            at = lab.mapTo(self.page, lab.rect().topLeft())
            if abs(at.x() - top_left.x()) <= 4 and 0 <= at.y() - top_left.y() <= 16:
                shown.append(lab.text())
        assert len(shown) <= 1
        message = shown[0] if shown else ""
        if message:
            assert field.accessibleDescription() == message
        return message

    def review(self, caption: str) -> str:
        value = self.field(caption)
        assert isinstance(value, QLabel)
        return value.text()

    # --- whole steps ----------------------------------------------------------------

    def who(self, third_party: bool = False) -> None:
        assert self.title == "Who is registering?"
        self.click("I am a third party" if third_party else "I am a taxpayer")
        self.click("Next")

    def identity(self, id_type: str, id_number: str, legal_name: str) -> None:
        assert self.title == "Your identity"
        self.choose("ID type", id_type)
        self.type("ID number", id_number)
        self.type("Legal name", legal_name)
        self.click("Next")

    def logon(self, username: str, email: str, password: str = PASSWORD, confirm: str = "") -> None:
        assert self.title == "Choose your username and password"
        self.type("Username", username)
        self.type("Email address", email)
        self.type("Password", password)
        self.type("Confirm password", confirm or password)
        self.click("Next")


SSN = "Social Security Number (SSN)"
ITIN = "Individual Taxpayer Identification Number (ITIN)"
FEIN = "Federal Employer Identification Number (FEIN)"


def run_wizard(
    qtbot, script: Callable[[User], None], parent: QWidget | None = None
) -> Actor | None:
    """Open the wizard the way the program does (``ask()``, modal) and let ``script`` drive
    it; the wizard is cancelled if the script fails, so a failing test cannot hang."""
    failures: list[Exception] = []
    seen: list[QWidget] = []  # a reference held until the script is done

    def drive() -> None:
        wizard = QApplication.activeModalWidget()
        if not isinstance(wizard, CreateLogonWizard):
            QTimer.singleShot(10, drive)
            return
        seen.append(wizard)
        try:
            script(User(qtbot, wizard))
        except Exception as exc:
            failures.append(exc)
        finally:
            if wizard.isVisible():
                wizard.reject()

    QTimer.singleShot(0, drive)
    actor = CreateLogonWizard.ask(parent)
    if failures:
        raise failures[0]
    assert seen, "the wizard never opened"
    return actor


def counts() -> tuple[int, int]:
    return Logon.select().count(), Taxpayer.select().count()


# --- registering ------------------------------------------------------------------------


def test_taxpayer_registers_for_an_identity_on_file(qtbot, world: World) -> None:
    ada = world.taxpayer("Ada Lovelace")

    def script(user: User) -> None:
        assert user.wizard.windowTitle() == "Create a Logon"
        assert not buttons(user.wizard, "Back"), "no Back on the first page"
        user.who()
        assert user.options("ID type") == [SSN, ITIN, FEIN]
        # Next waits until every field is filled in.
        assert not user.can_click("Next")
        # Names match whatever the case and spacing (rule 5).
        user.identity(SSN, format_id(IdType.SSN, ada.id_number), "  ada   LOVELACE ")
        assert "tax professional may help" in " ".join(
            lab.text() for lab in user.page.findChildren(QLabel)
        )
        user.logon("ada.lovelace", "Ada@Example.com")
        assert user.title == "Review and create your logon"
        assert user.review("Registering as") == "Taxpayer"
        assert user.review("ID type") == SSN
        assert user.review("ID number") == format_id(IdType.SSN, ada.id_number)
        assert user.review("Legal name") == "ada LOVELACE"
        assert user.review("Username") == "ada.lovelace"
        assert user.review("Email address") == "Ada@Example.com"
        assert PASSWORD not in " ".join(lab.text() for lab in user.page.findChildren(QLabel))
        assert not buttons(user.wizard, "Next")
        user.click("Create Logon")

    actor = run_wizard(qtbot, script)

    assert actor is not None
    assert actor.username == "ada.lovelace"
    assert actor.role is Role.TAXPAYER
    assert actor.taxpayer_id == ada.id
    logon = Logon.get(Logon.username == "ada.lovelace")
    assert logon.taxpayer_id == ada.id
    assert logon.email == "Ada@example.com"  # the domain is normalized, the local part kept
    assert PASSWORD not in logon.password_hash


def test_third_party_registers_with_fein(qtbot, world: World) -> None:
    before = counts()

    def script(user: User) -> None:
        user.who(third_party=True)
        assert user.options("ID type") == [SSN, FEIN], "an ITIN is not offered to a third party"
        user.identity(FEIN, "04-1234567", "Beacon Tax Partners LLP")
        user.logon("beacontax", "office@beacontax.example")
        assert user.review("Registering as") == "Third party"
        assert user.review("ID number") == "04-1234567"
        user.click("Create Logon")

    actor = run_wizard(qtbot, script)

    assert actor is not None
    assert actor.role is Role.THIRD_PARTY
    assert counts() == (before[0] + 1, before[1] + 1)
    firm = Taxpayer.get_by_id(actor.taxpayer_id)
    assert (firm.id_type, firm.id_number, firm.legal_name) == (
        "FEIN",
        "041234567",
        "Beacon Tax Partners LLP",
    )
    assert firm.kind == "business"


def test_create_a_logon_from_the_login_window_logs_in(qtbot, world: World) -> None:
    grace = world.taxpayer("Grace Hopper")
    login = LoginWindow()
    qtbot.addWidget(login)
    login.show()
    actors: list[Actor] = []
    login.logged_in.connect(actors.append)
    seen: list[QWidget] = []

    def script(wizard: QWidget) -> None:
        assert isinstance(wizard, CreateLogonWizard)
        seen.append(wizard)
        user = User(qtbot, wizard)
        try:
            user.who()
            user.identity(SSN, grace.id_number, "Grace Hopper")
            user.logon("ghopper", "grace@navy.example")
            user.click("Create Logon")
        finally:
            if wizard.isVisible():
                wizard.reject()

    def drive() -> None:
        wizard = QApplication.activeModalWidget()
        if wizard is None:
            QTimer.singleShot(10, drive)
        else:
            script(wizard)

    QTimer.singleShot(0, drive)
    click(qtbot, login, "Create a Logon")

    assert seen
    assert [a.username for a in actors] == ["ghopper"]
    login.close()


# --- refusals, each beside its field ----------------------------------------------------


def test_bad_ssn_is_refused_beside_id_number_and_kept(qtbot, world: World) -> None:
    expected = domain_message(lambda: normalize_id(IdType.SSN, "000-12-3456"))

    def script(user: User) -> None:
        user.who()
        user.identity(SSN, "000-12-3456", "Ada Lovelace")
        assert user.title == "Your identity", "the page is refused"
        assert user.error_beside("ID number") == expected
        assert user.error_beside("Legal name") == ""
        assert user.text("ID number") == "000-12-3456"
        assert user.text("Legal name") == "Ada Lovelace"
        # Typing in the field takes the message away.
        user.type("ID number", "123-45-6789")
        assert user.error_beside("ID number") == ""
        user.click("Cancel")

    assert run_wizard(qtbot, script) is None


def test_itin_is_refused_for_a_third_party(qtbot, world: World) -> None:
    def script(user: User) -> None:
        # Chosen as a taxpayer first, then the user goes back and says third party.
        user.who()
        user.identity(ITIN, "912-70-1234", "Ada Lovelace")
        assert user.title == "Choose your username and password"
        user.click("Back")
        user.click("Back")
        user.who(third_party=True)
        assert user.options("ID type") == [SSN, FEIN]
        assert user.field("ID type").currentText() == SSN
        assert user.text("ID number") == "912-70-1234", "the number typed is kept"
        user.click("Next")
        assert user.title == "Your identity"
        assert user.error_beside("ID number") == ITIN_MESSAGE
        user.click("Cancel")

    assert run_wizard(qtbot, script) is None


@pytest.mark.parametrize("case", ["wrong name", "unknown number"])
def test_identity_not_on_file_is_refused_vaguely_beside_legal_name(
    qtbot, world: World, case: str
) -> None:
    ada = world.taxpayer("Ada Lovelace")
    number = ada.id_number if case == "wrong name" else "123-45-6780"
    name = "Ada Byron" if case == "wrong name" else "Ada Lovelace"
    before = counts()

    def script(user: User) -> None:
        user.who()
        user.identity(SSN, number, name)
        user.logon("ada", "ada@example.com")
        user.click("Create Logon")
        # Back on the page holding the field, with the same words whichever was wrong.
        assert user.title == "Your identity"
        assert user.error_beside("Legal name") == NO_MATCH
        assert user.error_beside("ID number") == ""
        assert user.text("Legal name") == name
        # Nothing typed on the later pages is lost either.
        user.type("Legal name", "Ada Lovelace")
        user.type("ID number", ada.id_number)
        user.click("Next")
        assert user.text("Username") == "ada"
        assert user.text("Password") == PASSWORD
        assert user.text("Confirm password") == PASSWORD
        user.click("Next")
        user.click("Create Logon")

    actor = run_wizard(qtbot, script)
    assert actor is not None
    assert actor.taxpayer_id == ada.id
    assert counts() == (before[0] + 1, before[1])


def test_short_password_and_mismatching_confirmation(qtbot, world: World) -> None:
    short = domain_message(lambda: check_new_password("too short"))

    def script(user: User) -> None:
        user.who()
        user.identity(SSN, "123-45-6789", "Ada Lovelace")
        user.logon("ada", "ada@example.com", password="too short", confirm="too short!")
        assert user.title == "Choose your username and password"
        assert user.error_beside("Password") == short
        assert user.error_beside("Confirm password") == PASSWORDS_DIFFER
        assert user.error_beside("Username") == ""
        assert user.error_beside("Email address") == ""
        assert user.text("Password") == "too short"
        assert user.text("Confirm password") == "too short!"
        user.type("Password", PASSWORD)
        user.type("Confirm password", PASSWORD + "!")
        user.click("Next")
        assert user.error_beside("Password") == ""
        assert user.error_beside("Confirm password") == PASSWORDS_DIFFER
        user.click("Cancel")

    assert run_wizard(qtbot, script) is None


def test_logon_page_uses_the_service_validators(qtbot, world: World) -> None:
    def script(user: User) -> None:
        user.who()
        user.identity(SSN, "123-45-6789", "Ada Lovelace")
        user.logon("a", "not an address", password="ada@example.com")
        assert user.error_beside("Username").startswith("A username has 3 to 64 characters")
        assert user.error_beside("Email address").startswith("This email address is not valid")
        user.type("Username", "ada")
        user.type("Email address", "ada@example.com")
        user.click("Next")
        assert user.error_beside("Password") == (
            "The password must not be the same as the email address."
        )
        user.click("Cancel")

    assert run_wizard(qtbot, script) is None


def test_taken_username_is_shown_beside_username(qtbot, world: World) -> None:
    world.taxpayer_logon("ada.l", world.taxpayer("Ada Lovelace"))
    grace = world.taxpayer("Grace Hopper")

    def script(user: User) -> None:
        user.who()
        user.identity(SSN, grace.id_number, "Grace Hopper")
        user.logon("ADA.L", "grace@example.com")
        user.click("Create Logon")
        assert user.title == "Choose your username and password"
        assert user.error_beside("Username") == "This username is taken; choose another."
        assert user.text("Username") == "ADA.L"
        user.type("Username", "grace.h")
        user.click("Next")
        user.click("Create Logon")

    actor = run_wizard(qtbot, script)
    assert actor is not None
    assert actor.username == "grace.h"


def test_shared_email_is_shown_beside_email(qtbot, world: World) -> None:
    world.taxpayer_logon("ada", world.taxpayer("Ada Lovelace"))
    grace = world.taxpayer("Grace Hopper")
    before = counts()

    def script(user: User) -> None:
        user.who()
        user.identity(SSN, grace.id_number, "Grace Hopper")
        user.logon("grace", "ADA@mail.example")
        user.click("Create Logon")
        assert user.title == "Choose your username and password"
        message = user.error_beside("Email address")
        assert "shared email addresses are not allowed" in message
        assert user.error_beside("Username") == ""
        user.click("Cancel")

    assert run_wizard(qtbot, script) is None
    assert counts() == before


# --- moving around ----------------------------------------------------------------------


def test_back_keeps_everything_typed(qtbot, world: World) -> None:
    def script(user: User) -> None:
        user.who(third_party=True)
        user.identity(FEIN, "04-1234567", "Beacon Tax Partners LLP")
        user.logon("beacontax", "office@beacontax.example")
        assert user.title == "Review and create your logon"
        for _ in range(3):
            user.click("Back")
        assert user.title == "Who is registering?"
        assert buttons(user.wizard, "I am a third party")[0].isChecked()
        user.click("Next")
        assert user.field("ID type").currentText() == FEIN
        assert user.text("ID number") == "04-1234567"
        assert user.text("Legal name") == "Beacon Tax Partners LLP"
        user.click("Next")
        assert user.text("Username") == "beacontax"
        assert user.text("Email address") == "office@beacontax.example"
        assert user.text("Password") == PASSWORD
        assert user.text("Confirm password") == PASSWORD
        user.click("Next")
        assert user.review("Legal name") == "Beacon Tax Partners LLP"
        user.click("Cancel")

    assert run_wizard(qtbot, script) is None


def test_cancel_returns_none_and_creates_nothing(qtbot, world: World) -> None:
    before = counts()

    def script(user: User) -> None:
        user.who(third_party=True)
        user.identity(FEIN, "04-1234567", "Beacon Tax Partners LLP")
        user.logon("beacontax", "office@beacontax.example")
        assert user.title == "Review and create your logon"
        user.click("Cancel")

    assert run_wizard(qtbot, script) is None
    assert counts() == before
    assert not Logon.select().where(Logon.username == "beacontax").exists()


def test_labels_and_buttons_for_the_keyboard(qtbot, world: World) -> None:
    def script(user: User) -> None:
        wizard = user.wizard
        for which, text in (
            (QWizard.WizardButton.NextButton, "&Next"),
            (QWizard.WizardButton.BackButton, "&Back"),
            (QWizard.WizardButton.CancelButton, "Cancel"),
            (QWizard.WizardButton.FinishButton, "&Create Logon"),
        ):
            assert wizard.buttonText(which) == text
            assert wizard.button(which).accessibleName() == text.replace("&", "")
        user.who()
        for page_labels in (("ID type", "ID number", "Legal name"),):
            for label in page_labels:
                assert user.field(label).focusPolicy() != Qt.FocusPolicy.NoFocus
        mnemonics = [
            lab.text()
            for lab in user.page.findChildren(QLabel)
            if lab.buddy() is not None and lab.isVisible()
        ]
        assert all("&" in text for text in mnemonics), mnemonics
        user.click("Cancel")

    assert run_wizard(qtbot, script) is None
