"""The *Create a Logon* wizard: the holder of a logon registers it and chooses its username,
email address and password (FAQ: "A taxpayer should choose their username and password").

Built like Qt's ``licensewizard`` example: page ids in an :class:`IntEnum`, required fields
registered with ``registerField("name*")``, and each page's ``validatePage()`` calling the
validators :func:`mtc_desktop.services.logons.register` uses, so a page is refused with the
same message the service would give. Every message is shown beside its field. The last page
calls the service; whatever it still refuses (a taken username, a shared email address, an
ID and legal name that match no taxpayer) is shown beside the field on the page holding it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from enum import IntEnum

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from mtc_desktop.domain.errors import InvalidInput, MtcError
from mtc_desktop.domain.ids import IdType, format_id, normalize_id, normalize_third_party_id
from mtc_desktop.domain.model import Role
from mtc_desktop.domain.text import MAX_USERNAME_LENGTH, clean_name
from mtc_desktop.gui import ops
from mtc_desktop.gui.widgets import note
from mtc_desktop.gui.wizard import (
    PASSWORD_HINT,
    PASSWORDS_DIFFER,
    USERNAME_HINT,
    FieldPage,
    label_buttons,
    new_logon_errors,
)
from mtc_desktop.services import logons
from mtc_desktop.services.base import Actor

log = logging.getLogger(__name__)


class Page(IntEnum):
    WHO = 0
    IDENTITY = 1
    LOGON = 2
    REVIEW = 3


__all__ = ["PASSWORDS_DIFFER", "CreateLogonWizard"]

# Where each field the service may complain about lives.
FIELD_PAGES: dict[str, Page] = {
    "role": Page.WHO,
    "id_type": Page.IDENTITY,
    "id_number": Page.IDENTITY,
    "legal_name": Page.IDENTITY,
    "username": Page.LOGON,
    "email": Page.LOGON,
    "password": Page.LOGON,
    "confirm_password": Page.LOGON,
}

_ID_EXAMPLES = {IdType.SSN: "123-45-6789", IdType.ITIN: "912-70-1234", IdType.FEIN: "04-1234567"}


class WhoPage(FieldPage):
    """(a) Who is registering: a taxpayer, or a third party acting for clients."""

    def __init__(self) -> None:
        super().__init__(
            "Who is registering?",
            "A logon belongs to one person or business, who chooses its username and password.",
        )
        self.taxpayer_button = QRadioButton("I am a &taxpayer")
        self.third_party_button = QRadioButton("I am a t&hird party")
        self.taxpayer_button.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.taxpayer_button)
        group.addButton(self.third_party_button)
        box = QWidget()
        box.setAccessibleName("Who is registering")
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        # As wide as their text, so a click beside it does not look like it would count.
        column.addWidget(self.taxpayer_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(
            self._indented(
                "You are registering for your own tax accounts, or your business's. DOR must "
                "already know you: you will give your ID number and your legal name as on "
                "your tax return."
            )
        )
        column.addSpacing(10)
        column.addWidget(self.third_party_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(
            self._indented(
                "You are a paid tax preparer, a payroll company or another third party who "
                "will act on clients' accounts once they approve your request. A third party "
                "registers with its own SSN or FEIN; an ITIN cannot be used."
            )
        )
        self.grid.addWidget(box, 0, 0, 1, 2)
        error = QLabel()
        error.setProperty("role", "error")
        error.setWordWrap(True)
        error.hide()
        self.grid.addWidget(error, 1, 0, 1, 2)
        self.fields["role"] = box
        self.errors["role"] = error
        self.outer.insertWidget(
            1,
            note(
                "A tax professional may help a client register, but the client creates "
                "their own logon: once the client has one, the tax professional requests "
                "access to the client's accounts."
            ),
        )
        self.registerField("third_party", self.third_party_button)

    @staticmethod
    def _indented(text: str) -> QLabel:
        label = note(text)
        label.setContentsMargins(26, 0, 0, 0)
        return label

    @property
    def role(self) -> Role:
        return Role.THIRD_PARTY if self.third_party_button.isChecked() else Role.TAXPAYER


class IdentityPage(FieldPage):
    """(b) The identity DOR knows: ID type, ID number and legal name."""

    def __init__(self) -> None:
        super().__init__("Your identity", "")
        self.id_type_combo = QComboBox()
        self.id_number_edit = QLineEdit()
        self.id_number_edit.setMaxLength(40)
        self.legal_name_edit = QLineEdit()
        self.legal_name_edit.setMaxLength(400)
        self.add_field("id_type", "ID &type", self.id_type_combo)
        self.add_field("id_number", "ID &number", self.id_number_edit)
        self.add_field("legal_name", "&Legal name", self.legal_name_edit)
        self.required_note.show()
        self.registerField("id_number*", self.id_number_edit)
        self.registerField("legal_name*", self.legal_name_edit)
        self.clear_on_edit("id_number", self.id_number_edit)
        self.clear_on_edit("legal_name", self.legal_name_edit)
        self.id_type_combo.currentIndexChanged.connect(self._id_type_changed)
        self._role: Role | None = None

    def _wizard(self) -> CreateLogonWizard:
        wizard = self.wizard()
        assert isinstance(wizard, CreateLogonWizard)
        return wizard

    def initializePage(self) -> None:
        """Offer the ID types the role may use, keeping what was typed."""
        role = self._wizard().role
        if role is self._role:
            return
        self._role = role
        current = self.id_type
        allowed = (
            [IdType.SSN, IdType.FEIN]
            if role is Role.THIRD_PARTY
            else [IdType.SSN, IdType.ITIN, IdType.FEIN]
        )
        combo = self.id_type_combo
        combo.blockSignals(True)
        combo.clear()
        for id_type in allowed:
            combo.addItem(id_type.label, id_type)
        combo.setCurrentIndex(allowed.index(current) if current in allowed else 0)
        combo.blockSignals(False)
        self._id_type_changed()
        self.set_error("id_number", "")  # judged for the other role; judged again on Next
        if role is Role.THIRD_PARTY:
            self.setSubTitle(
                "Your own SSN, or your firm's FEIN, and the legal name on its tax return."
            )
            self.set_hint(
                "id_type", "DOR requires an SSN or FEIN for third-party accounts, not an ITIN."
            )
            self.set_hint("legal_name", "Your name, or your firm's, as on its tax return.")
        else:
            self.setSubTitle(
                "The ID number and legal name DOR has on file for you. Both must match your "
                "tax records."
            )
            self.set_hint("id_type", "")
            self.set_hint("legal_name", "Exactly as on your tax return.")

    def _id_type_changed(self, _index: int = 0) -> None:
        id_type = self.id_type
        example = _ID_EXAMPLES[id_type]
        self.id_number_edit.setPlaceholderText(example)
        self.set_hint("id_number", f"9 digits, with or without dashes: {example}")
        self.set_error("id_type", "")

    @property
    def id_type(self) -> IdType:
        data = self.id_type_combo.currentData()
        return data if isinstance(data, IdType) else IdType.SSN

    def validatePage(self) -> bool:
        errors: dict[str, str] = {}
        try:
            if self._wizard().role is Role.THIRD_PARTY:
                normalize_third_party_id(self.id_type, self.id_number_edit.text())
            else:
                normalize_id(self.id_type, self.id_number_edit.text())
        except InvalidInput as exc:
            errors.update(exc.errors)
        try:
            clean_name(self.legal_name_edit.text())
        except InvalidInput as exc:
            errors.update(exc.errors)
        return self.show_errors(errors)


class LogonPage(FieldPage):
    """(c) The username, email address and password, chosen by the holder."""

    def __init__(self) -> None:
        super().__init__(
            "Choose your username and password",
            "Only you should know your password. No one at DOR will ever ask for it.",
        )
        self.outer.insertWidget(
            0,
            note(
                "Choose these yourself. A tax professional may help you register, but must "
                "not choose your username or password for you, and you should never share "
                "your password with anyone, your tax professional included."
            ),
        )
        self.username_edit = QLineEdit()
        self.username_edit.setMaxLength(MAX_USERNAME_LENGTH * 2)
        self.email_edit = QLineEdit()
        self.email_edit.setMaxLength(320)
        self.password_edit = QLineEdit()
        self.confirm_edit = QLineEdit()
        for edit in (self.password_edit, self.confirm_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setMaxLength(1024)
        self.add_field(
            "username",
            "&Username",
            self.username_edit,
            USERNAME_HINT,
        )
        self.add_field(
            "email",
            "&Email address",
            self.email_edit,
            "Required: DOR sends its notices here. Use your own address; shared email "
            "addresses are not allowed.",
        )
        self.add_field(
            "password",
            "&Password",
            self.password_edit,
            PASSWORD_HINT,
        )
        self.add_field("confirm_password", "&Confirm password", self.confirm_edit)
        self.required_note.show()
        self.registerField("username*", self.username_edit)
        self.registerField("email*", self.email_edit)
        self.registerField("password*", self.password_edit)
        self.registerField("confirm_password*", self.confirm_edit)
        self.clear_on_edit("username", self.username_edit)
        self.clear_on_edit("email", self.email_edit)
        self.clear_on_edit("password", self.password_edit)
        self.clear_on_edit("confirm_password", self.confirm_edit)

    def validatePage(self) -> bool:
        return self.show_errors(
            new_logon_errors(
                self.username_edit.text(),
                self.email_edit.text(),
                self.password_edit.text(),
                self.confirm_edit.text(),
            )
        )


class ReviewPage(FieldPage):
    """(d) What will be registered; *Create Logon* registers it."""

    def __init__(self) -> None:
        super().__init__(
            "Review and create your logon",
            "Check what you entered. To change something, select Back.",
            message_name="Create Logon error",
        )
        self.add_values(
            (
                ("role", "Registering as"),
                ("id_type", "ID type"),
                ("id_number", "ID number"),
                ("legal_name", "Legal name"),
                ("username", "Username"),
                ("email", "Email address"),
            )
        )
        self.add_note(
            "Select Create Logon to register. You will be logged in to your new logon "
            "straight away."
        )

    def _wizard(self) -> CreateLogonWizard:
        wizard = self.wizard()
        assert isinstance(wizard, CreateLogonWizard)
        return wizard

    def initializePage(self) -> None:
        wizard = self._wizard()
        identity = wizard.identity_page
        self.values["role"].setText(wizard.role.label)
        self.values["id_type"].setText(identity.id_type.label)
        # In full, so a mistyped digit can still be caught here; it is the holder's own ID.
        try:
            shown = format_id(
                identity.id_type, normalize_id(identity.id_type, identity.id_number_edit.text())
            )
        except InvalidInput:
            shown = identity.id_number_edit.text().strip()
        self.values["id_number"].setText(shown)
        self.values["legal_name"].setText(" ".join(identity.legal_name_edit.text().split()))
        self.values["username"].setText(wizard.logon_page.username_edit.text().strip())
        self.values["email"].setText(wizard.logon_page.email_edit.text().strip())
        self.show_message("")

    def cleanupPage(self) -> None:
        self.show_message("")

    def validatePage(self) -> bool:
        return self._wizard().create_logon()


class CreateLogonWizard(QWizard):
    """*Create a Logon*: who you are, your identity, your logon, then review and create."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("createLogonWizard")
        self.setWindowTitle("Create a Logon")
        label_buttons(self, "&Create Logon")
        self.who_page = WhoPage()
        self.identity_page = IdentityPage()
        self.logon_page = LogonPage()
        self.review_page = ReviewPage()
        self.setPage(Page.WHO, self.who_page)
        self.setPage(Page.IDENTITY, self.identity_page)
        self.setPage(Page.LOGON, self.logon_page)
        self.setPage(Page.REVIEW, self.review_page)
        self.setStartId(Page.WHO)
        self.setMinimumSize(720, 560)
        self.actor: Actor | None = None

    @classmethod
    def ask(cls, parent: QWidget | None) -> Actor | None:
        """Run the wizard; the new logon, logged in, or None if the user cancelled."""
        wizard = cls(parent)
        try:
            wizard.exec()
            return wizard.actor
        finally:
            # Gone now, not at the next event loop: no window outlives the wizard.
            if shiboken6.isValid(wizard):
                shiboken6.delete(wizard)

    @property
    def role(self) -> Role:
        return self.who_page.role

    def page_of(self, page_id: Page) -> FieldPage:
        page = self.page(page_id)
        assert isinstance(page, FieldPage)
        return page

    def registration(self) -> logons.Registration:
        identity, logon = self.identity_page, self.logon_page
        return logons.Registration(
            username=logon.username_edit.text(),
            password=logon.password_edit.text(),
            email=logon.email_edit.text(),
            role=self.role,
            id_type=identity.id_type,
            id_number=identity.id_number_edit.text(),
            legal_name=identity.legal_name_edit.text(),
        )

    def create_logon(self) -> bool:
        """Register; on a refusal, show each message beside its field and go to its page."""
        if self.actor is not None:  # registered already: never twice
            return True
        self.review_page.show_message("")

        def refused(exc: MtcError) -> None:
            if isinstance(exc, InvalidInput):
                self.show_errors(exc.errors)
            else:
                self.review_page.show_message(exc.message)

        op = ops.Op(self, lambda: logons.register(self.registration()))
        self.actor = op.refused(refused).run()
        return self.actor is not None

    def show_errors(self, errors: Mapping[str, str]) -> None:
        by_page: dict[Page, dict[str, str]] = {}
        loose: list[str] = []
        for name, message in errors.items():
            if name in FIELD_PAGES:
                by_page.setdefault(FIELD_PAGES[name], {})[name] = message
            else:
                loose.append(message)
        if loose:
            self.review_page.show_message(" ".join(loose))
        if not by_page:
            return
        for page_id, messages in by_page.items():
            self.page_of(page_id).show_errors(messages)
        target = min(by_page)
        if target in self.visitedIds():
            while self.currentId() > target:
                self.back()
        self.page_of(target).show_errors(by_page[target])  # focus its first field
