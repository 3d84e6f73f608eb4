"""At the login window: *Set Up This Database* (a new database's first DOR administrator)
and *Use a One-Time Code…* (a staff member chooses their own password with the code an
administrator gave them).

Nobody sets another person's password (DESIGN rule 8): the first administrator types their
own, and every later staff member gets a one-time code and types their own here.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum

import shiboken6
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from mtc_desktop.domain.errors import AuthenticationFailed, InvalidInput, MtcError
from mtc_desktop.domain.text import MAX_USERNAME_LENGTH, clean_name
from mtc_desktop.gui import ops
from mtc_desktop.gui.widgets import error_label, heading, note
from mtc_desktop.gui.wizard import (
    PASSWORD_HINT,
    USERNAME_HINT,
    FieldForm,
    FieldPage,
    grow_to_fit,
    label_buttons,
    new_grid,
    new_logon_errors,
    new_password_errors,
    plain,
)
from mtc_desktop.services.base import Actor


def _password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(1024)
    return edit


class SetUpPage(IntEnum):
    ADMINISTRATOR = 0
    REVIEW = 1


class AdministratorPage(FieldPage):
    """The first DOR administrator: their name, username, email address and password."""

    def __init__(self) -> None:
        super().__init__(
            "Set up this database",
            "This database has no logons yet. Create the first DOR administrator: you. "
            "You will add the other DOR staff from Staff Logons once you are logged in.",
        )
        self.outer.insertWidget(
            0,
            note(
                "Only you should know your password. Other staff members choose their own "
                "with a one-time code you give them; no one sets another person's password."
            ),
        )
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(400)
        self.username_edit = QLineEdit()
        self.username_edit.setMaxLength(MAX_USERNAME_LENGTH * 2)
        self.email_edit = QLineEdit()
        self.email_edit.setMaxLength(320)
        self.password_edit = _password_edit()
        self.confirm_edit = _password_edit()
        self.add_field("display_name", "&Full name", self.name_edit, "As your colleagues know you.")
        self.add_field("username", "&Username", self.username_edit, USERNAME_HINT)
        self.add_field(
            "email",
            "&Email address",
            self.email_edit,
            "Your own work address: the program's notices to DOR staff go here.",
        )
        self.add_field("password", "&Password", self.password_edit, PASSWORD_HINT)
        self.add_field("confirm_password", "&Confirm password", self.confirm_edit)
        self.required_note.show()
        for name, edit in (
            ("display_name", self.name_edit),
            ("username", self.username_edit),
            ("email", self.email_edit),
            ("password", self.password_edit),
            ("confirm_password", self.confirm_edit),
        ):
            self.registerField(f"{name}*", edit)
            self.clear_on_edit(name, edit)

    def validatePage(self) -> bool:
        errors = new_logon_errors(
            self.username_edit.text(),
            self.email_edit.text(),
            self.password_edit.text(),
            self.confirm_edit.text(),
        )
        try:
            clean_name(self.name_edit.text(), "full name", "display_name")
        except InvalidInput as exc:
            errors.update(exc.errors)
        return self.show_errors(errors)


class SetUpReviewPage(FieldPage):
    """What will be made; *Set Up Database* makes it and logs the administrator in."""

    def __init__(self) -> None:
        super().__init__(
            "Review and set up",
            "Check what you entered. To change something, select Back.",
            message_name="Set Up Database error",
        )
        self.add_values(
            (
                ("display_name", "Full name"),
                ("username", "Username"),
                ("email", "Email address"),
                ("role", "Logon"),
            )
        )
        self.values["role"].setText("DOR staff, administrator")
        self.add_note(
            "Select Set Up Database to create your logon. You will be logged in to the "
            "DOR back office straight away."
        )

    def initializePage(self) -> None:
        wizard = self.wizard()
        assert isinstance(wizard, SetUpWizard)
        page = wizard.administrator_page
        self.values["display_name"].setText(" ".join(page.name_edit.text().split()))
        self.values["username"].setText(page.username_edit.text().strip())
        self.values["email"].setText(page.email_edit.text().strip())
        self.show_message("")

    def cleanupPage(self) -> None:
        self.show_message("")

    def validatePage(self) -> bool:
        wizard = self.wizard()
        assert isinstance(wizard, SetUpWizard)
        return wizard.set_up()


class SetUpWizard(QWizard):
    """*Set Up This Database*: the first DOR administrator, then review and set up."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setUpWizard")
        self.setWindowTitle("Set Up This Database")
        label_buttons(self, "&Set Up Database")
        self.administrator_page = AdministratorPage()
        self.review_page = SetUpReviewPage()
        self.setPage(SetUpPage.ADMINISTRATOR, self.administrator_page)
        self.setPage(SetUpPage.REVIEW, self.review_page)
        self.setStartId(SetUpPage.ADMINISTRATOR)
        self.setMinimumSize(720, 560)
        self.actor: Actor | None = None

    @classmethod
    def ask(cls, parent: QWidget | None) -> Actor | None:
        """Run the wizard; the administrator, logged in, or None if the user cancelled."""
        wizard = cls(parent)
        try:
            wizard.exec()
            return wizard.actor
        finally:
            if shiboken6.isValid(wizard):
                shiboken6.delete(wizard)

    def set_up(self) -> bool:
        if self.actor is not None:  # set up already: never twice
            return True
        from mtc_desktop.services import staff

        page = self.administrator_page
        self.review_page.show_message("")
        username, name, email, password = (
            page.username_edit.text(),
            page.name_edit.text(),
            page.email_edit.text(),
            page.password_edit.text(),
        )

        def refused(exc: MtcError) -> None:
            if isinstance(exc, InvalidInput):
                self.show_errors(exc.errors)
            else:
                self.review_page.show_message(exc.message)

        self.actor = (
            ops.Op(self, lambda: staff.set_up_database(username, name, email, password))
            .refused(refused)
            .run()
        )
        return self.actor is not None

    def show_errors(self, errors: Mapping[str, str]) -> None:
        page = self.administrator_page
        mine = {name: text for name, text in errors.items() if name in page.fields}
        loose = [text for name, text in errors.items() if name not in page.fields]
        if loose:
            self.review_page.show_message(" ".join(loose))
        if mine:
            self.back()
            page.show_errors(mine)


class RedeemCodeDialog(QDialog, FieldForm):
    """*Use a One-Time Code*: username, the code, and a new password chosen by its holder."""

    def __init__(self, parent: QWidget | None = None, username: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("redeemCodeDialog")
        self.setWindowTitle("Use a One-Time Code")
        self.actor: Actor | None = None
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(heading("Choose your password with a one-time code", 2))
        layout.addWidget(
            note(
                "A DOR administrator gave you a one-time code for your logon. It works once, "
                "for 24 hours. Type it here with a new password that only you know."
            )
        )
        self.init_fields(new_grid())
        self.username_edit = QLineEdit(username)
        self.username_edit.setMaxLength(MAX_USERNAME_LENGTH * 2)
        self.code_edit = QLineEdit()
        self.code_edit.setMaxLength(64)
        self.password_edit = _password_edit()
        self.confirm_edit = _password_edit()
        self.add_field("username", "&Username", self.username_edit)
        self.add_field(
            "code", "One-time &code", self.code_edit, "As the administrator gave it to you."
        )
        self.add_field("password", "&New password", self.password_edit, PASSWORD_HINT)
        self.add_field("confirm_password", "&Confirm new password", self.confirm_edit)
        for name in self.fields:
            edit = self.fields[name]
            assert isinstance(edit, QLineEdit)
            self.clear_on_edit(name, edit)
        layout.addLayout(self.grid)
        self.message = error_label("One-time code error")
        layout.addWidget(self.message)
        layout.addStretch(1)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(
            "Set Password and Log In", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.ok_button.setAccessibleName(plain(self.ok_button.text()))
        self.ok_button.setDefault(True)
        cancel = buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setAccessibleName("Cancel")
        buttons.accepted.connect(self.redeem)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, self.sizeHint().height())
        (self.code_edit if username else self.username_edit).setFocus()

    @classmethod
    def ask(cls, parent: QWidget | None, username: str = "") -> Actor | None:
        dialog = cls(parent, username)
        try:
            dialog.exec()
            return dialog.actor
        finally:
            if shiboken6.isValid(dialog):
                shiboken6.delete(dialog)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        grow_to_fit(self)

    def show_errors(self, errors: Mapping[str, str]) -> bool:
        clear = super().show_errors(errors)
        grow_to_fit(self)
        return clear

    def redeem(self) -> None:
        if self.actor is not None:
            return
        self.show_message("")
        username = self.username_edit.text().strip()
        code = self.code_edit.text().strip()
        errors: dict[str, str] = {}
        if not username:
            errors["username"] = "Enter your username."
        if not code:
            errors["code"] = "Enter the one-time code the administrator gave you."
        errors.update(
            new_password_errors(
                self.password_edit.text(), self.confirm_edit.text(), username=username
            )
        )
        if not self.show_errors(errors):
            return
        from mtc_desktop.services import staff

        password = self.password_edit.text()

        def refused(exc: MtcError) -> None:
            if isinstance(exc, InvalidInput):
                self.show_errors({k: v for k, v in exc.errors.items() if k in self.fields})
                loose = [v for k, v in exc.errors.items() if k not in self.fields]
                self.show_message(" ".join(loose))
                return
            self.show_message(exc.message)
            if isinstance(exc, AuthenticationFailed):
                self.code_edit.setFocus()
                self.code_edit.selectAll()

        self.actor = (
            ops.Op(self, lambda: staff.redeem_code(username, code, password)).refused(refused).run()
        )
        if self.actor is not None:
            self.accept()
