"""*Staff Logons* (DOR administrators only): list, add, disable and re-enable staff, and
give a locked-out staff member a one-time code.

Nobody sets another person's password (DESIGN rule 8): a new staff member gets a one-time
code, shown here once, and chooses their own password with it at the login window.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mtc_desktop.domain.errors import InvalidInput, MtcError
from mtc_desktop.domain.text import MAX_USERNAME_LENGTH, clean_name, clean_username
from mtc_desktop.gui import dialogs, ops, router
from mtc_desktop.gui.busy import writes
from mtc_desktop.gui.models import OBJECT_ROLE, RowsModel, day, when
from mtc_desktop.gui.pages import Page
from mtc_desktop.gui.widgets import ResultLabel, heading, note, setup_table, show_text
from mtc_desktop.gui.wizard import USERNAME_HINT, FieldForm, grow_to_fit, new_grid, plain
from mtc_desktop.services import staff
from mtc_desktop.services.base import Actor
from mtc_desktop.services.staff import OneTimeCode, StaffView

if TYPE_CHECKING:
    from mtc_desktop.gui.main_window import MainWindow


class StaffModel(RowsModel[StaffView]):
    class Column(enum.IntEnum):
        USERNAME = 0
        NAME = 1
        EMAIL = 2
        ADMINISTRATOR = 3
        ACTIVE = 4
        CODE = 5
        ADDED = 6

    HEADERS: ClassVar[dict[int, str]] = {
        Column.USERNAME: "Username",
        Column.NAME: "Name",
        Column.EMAIL: "Email address",
        Column.ADMINISTRATOR: "Administrator",
        Column.ACTIVE: "Active",
        Column.CODE: "One-time code",
        Column.ADDED: "Added",
    }

    SORT_BY: ClassVar[dict[int, Callable[[Any], Any]]] = {
        Column.ADDED: lambda o: o.created_at
    }  # dates sort as dates

    def display(self, obj: StaffView, column: int) -> str:
        return {
            self.Column.USERNAME: obj.username,
            self.Column.NAME: obj.display_name,
            self.Column.EMAIL: obj.email,
            self.Column.ADMINISTRATOR: "Yes" if obj.administrator else "No",
            self.Column.ACTIVE: "Yes" if obj.active else "Disabled",
            self.Column.CODE: "Pending" if obj.code_pending else "",
            self.Column.ADDED: day(obj.created_at),
        }[self.Column(column)]


def _button(text: str) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(plain(text))
    button.setAutoDefault(False)
    return button


@router.page("staff")
class StaffLogonsPage(Page):
    """The DOR staff logons, with what an administrator may do to them."""

    title = "Staff Logons"

    def __init__(self, main: MainWindow) -> None:
        super().__init__(main)
        title = heading("Staff Logons")
        self.body.addWidget(title)
        self.body.addWidget(
            note(
                "Add a logon for each DOR staff member. They choose their own password with "
                "the one-time code you are shown once (valid 24 hours): give it to them in "
                "person or by phone, and they select Use a One-Time Code at the login window. "
                "A staff member who forgot their password gets a new code the same way. A "
                "disabled logon cannot log in until it is enabled again."
            )
        )
        self.model = StaffModel(parent=self)
        self.view = QTableView()
        self.view.setAccessibleName("Staff logons")
        title.setBuddy(self.view)
        self.view.setModel(self.model)
        setup_table(self.view, stretch_column=StaffModel.Column.EMAIL)
        self.view.setMinimumHeight(240)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.body.addWidget(self.view, 1)
        row = QHBoxLayout()
        self.add_button = _button("Add Staff Logon…")
        self.add_button.clicked.connect(self.add_staff)
        self.code_button = _button("Issue One-Time Code…")
        self.code_button.clicked.connect(self.issue_code)
        self.disable_button = _button("Disable")
        self.disable_button.clicked.connect(self.disable)
        self.enable_button = _button("Enable")
        self.enable_button.clicked.connect(self.enable)
        row.addWidget(self.add_button)
        row.addSpacing(18)
        for button in (self.code_button, self.disable_button, self.enable_button):
            row.addWidget(button)
        row.addStretch(1)
        self.body.addLayout(row)
        self.result = ResultLabel()
        self.body.addWidget(self.result)
        self._selection_changed()

    def refresh(self) -> None:
        chosen = self.selected()
        rows = self.call(staff.list_staff, self.actor)
        if rows is None:
            return
        self.model.set_rows(rows)
        if chosen is not None:
            self.select(chosen.id)
        self._selection_changed()

    def focus_first(self) -> None:
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def selected(self) -> StaffView | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        value = self.model.data(rows[0], OBJECT_ROLE)
        return value if isinstance(value, StaffView) else None

    def select(self, logon_id: int) -> None:
        for row, item in enumerate(self.model.rows()):
            if item.id == logon_id:
                self.view.selectRow(row)
                return

    def _selection_changed(self, *_args: object) -> None:
        chosen = self.selected()
        self.code_button.setEnabled(chosen is not None and chosen.active)
        self.disable_button.setEnabled(chosen is not None and chosen.active)
        self.enable_button.setEnabled(chosen is not None and not chosen.active)

    def show_result(self, text: str) -> None:
        self.result.setText(text)  # shown while it says something, and announced

    @writes
    def add_staff(self) -> None:
        code = AddStaffDialog.ask(self, self.actor)
        if code is None:
            return
        self.refresh()
        self.select(code.logon_id)
        self.show_result(
            f"The logon {code.username} was added. It has no password until its holder "
            "uses the one-time code."
        )
        OneTimeCodeDialog.show_code(self, code, new=True)

    @writes
    def issue_code(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        if not dialogs.confirm(
            self,
            "Issue a one-time code?",
            f"Issue a new one-time code for {chosen.display_name} ({chosen.username})?",
            "Any code issued before stops working. Their password keeps working until "
            "they choose a new one with the code.",
            yes="Issue Code",
            no="Cancel",
        ):
            return
        code = self.call(staff.issue_code, self.actor, chosen.id)
        if code is None:
            return
        self.refresh()
        self.show_result(f"A one-time code was issued for {code.username}.")
        OneTimeCodeDialog.show_code(self, code, new=False)

    @writes
    def disable(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        if not dialogs.confirm(
            self,
            "Disable this logon?",
            f"Disable the logon of {chosen.display_name} ({chosen.username})?",
            "They cannot log in until an administrator enables it again. Nothing they did "
            "is undone.",
            yes="Disable",
            no="Cancel",
        ):
            return
        view = self.call(staff.disable_staff, self.actor, chosen.id)
        if view is None:
            return
        self.refresh()
        self.show_result(f"The logon {view.username} is disabled: it cannot log in.")

    @writes
    def enable(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        view = self.call(staff.enable_staff, self.actor, chosen.id)
        if view is None:
            return
        self.refresh()
        self.show_result(f"The logon {view.username} is enabled: it can log in again.")


class AddStaffDialog(QDialog, FieldForm):
    """*Add Staff Logon*: username, name, email address, and whether an administrator."""

    def __init__(self, parent: QWidget, actor: Actor) -> None:
        super().__init__(parent)
        self.actor = actor
        self.code: OneTimeCode | None = None
        self.setObjectName("addStaffDialog")
        self.setWindowTitle("Add Staff Logon")
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(heading("Add a staff logon", 2))
        layout.addWidget(
            note(
                "The new staff member chooses their own password: you are shown a one-time "
                "code for them, once."
            )
        )
        self.init_fields(new_grid())
        self.username_edit = QLineEdit()
        self.username_edit.setMaxLength(MAX_USERNAME_LENGTH * 2)
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(400)
        self.email_edit = QLineEdit()
        self.email_edit.setMaxLength(320)
        self.administrator_box = QCheckBox("Manages staff logons, as you do")
        self.add_field("username", "&Username", self.username_edit, USERNAME_HINT)
        self.add_field("display_name", "&Full name", self.name_edit)
        self.add_field(
            "email", "&Email address", self.email_edit, "Their own work address, not shared."
        )
        self.add_field("administrator", "&Administrator", self.administrator_box)
        for name, edit in (
            ("username", self.username_edit),
            ("display_name", self.name_edit),
            ("email", self.email_edit),
        ):
            self.clear_on_edit(name, edit)
        layout.addLayout(self.grid)
        self.message = QLabel("")
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Add Staff Logon error")
        self.message.hide()
        layout.addWidget(self.message)
        layout.addStretch(1)
        buttons = QDialogButtonBox()
        add = buttons.addButton("Add Logon", QDialogButtonBox.ButtonRole.AcceptRole)
        add.setAccessibleName("Add Logon")
        add.setDefault(True)
        buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole).setAccessibleName(
            "Cancel"
        )
        buttons.accepted.connect(self.add)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(620, self.sizeHint().height())
        self.username_edit.setFocus()

    @classmethod
    def ask(cls, parent: QWidget, actor: Actor) -> OneTimeCode | None:
        dialog = cls(parent, actor)
        try:
            dialog.exec()
            return dialog.code
        finally:
            if shiboken6.isValid(dialog):
                shiboken6.delete(dialog)

    def show_errors(self, errors: Mapping[str, str]) -> bool:
        clear = super().show_errors(errors)
        grow_to_fit(self)
        return clear

    @writes
    def add(self) -> None:
        if self.code is not None:
            return
        self.message.hide()
        errors: dict[str, str] = {}
        for check in (
            lambda: clean_username(self.username_edit.text()),
            lambda: clean_name(self.name_edit.text(), "full name", "display_name"),
        ):
            try:
                check()
            except InvalidInput as exc:
                errors.update(exc.errors)
        if not self.email_edit.text().strip():
            errors["email"] = "Enter the staff member's email address."
        if not self.show_errors(errors):
            return
        username, name, email = (
            self.username_edit.text(),
            self.name_edit.text(),
            self.email_edit.text(),
        )
        administrator = self.administrator_box.isChecked()
        self.code = (
            ops.Op(
                self,
                lambda: staff.add_staff(
                    self.actor, username, name, email, administrator=administrator
                ),
            )
            .refused(self._show_refusal)
            .run()
        )
        if self.code is None:
            return
        self.accept()

    def _show_refusal(self, exc: MtcError) -> None:
        if isinstance(exc, InvalidInput):
            self.show_errors({k: v for k, v in exc.errors.items() if k in self.fields})
            loose = [v for k, v in exc.errors.items() if k not in self.fields]
            show_text(self.message, " ".join(loose))
        else:
            show_text(self.message, exc.message)
        grow_to_fit(self)


class OneTimeCodeDialog(QDialog):
    """A one-time code, shown this once, with *Copy* and when it stops working."""

    def __init__(self, parent: QWidget, code: OneTimeCode, *, new: bool) -> None:
        super().__init__(parent)
        self.setObjectName("oneTimeCodeDialog")
        self.setWindowTitle("One-Time Code")
        self.code = code
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(heading(f"One-time code for {code.username}", 2))
        layout.addWidget(
            note(
                (
                    f"The logon {code.username} has no password yet. "
                    if new
                    else f"Any earlier code for {code.username} no longer works. "
                )
                + "Give them this code in person or by phone. It is shown only now: it is "
                "not kept anywhere it could be shown again."
            )
        )
        row = QHBoxLayout()
        caption = QLabel("&Code")
        self.code_label = QLineEdit(code.code)
        self.code_label.setReadOnly(True)
        self.code_label.setAccessibleName("One-time code")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(self.font().pointSizeF() * 1.6)
        self.code_label.setFont(font)
        self.code_label.setMinimumWidth(
            self.code_label.fontMetrics().horizontalAdvance(code.code) + 24
        )
        caption.setBuddy(self.code_label)
        self.copy_button = _button("Copy")
        self.copy_button.setAccessibleName("Copy the code")
        self.copy_button.clicked.connect(self.copy)
        row.addWidget(caption)
        row.addWidget(self.code_label, 1)
        row.addWidget(self.copy_button)
        layout.addLayout(row)
        self.expiry = note(
            f"Valid until {when(code.expires_at)} (24 hours). They select Use a One-Time Code "
            f"at the login window, type their username ({code.username}), this code, and a "
            "new password that only they know."
        )
        self.expiry.setAccessibleName("Valid until")
        layout.addWidget(self.expiry)
        self.copied = note("")
        self.copied.hide()
        layout.addWidget(self.copied)
        buttons = QDialogButtonBox()
        done = buttons.addButton("Done", QDialogButtonBox.ButtonRole.AcceptRole)
        done.setAccessibleName("Done")
        done.setDefault(True)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(600, self.sizeHint().height())

    @classmethod
    def show_code(cls, parent: QWidget, code: OneTimeCode, *, new: bool) -> None:
        dialog = cls(parent, code, new=new)
        try:
            dialog.exec()
        finally:
            if shiboken6.isValid(dialog):
                shiboken6.delete(dialog)

    def copy(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.code.code)
        self.copied.setText("Copied. Paste it only where the staff member alone will read it.")
        self.copied.show()
