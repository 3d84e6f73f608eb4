"""What the wizards and short forms share: labelled fields, each with a hint and a red
message shown beside it, and the checks of a new logon's username, email and password.

:class:`FieldForm` lays the fields out on a grid (label, field; under the field its message
and its hint); :class:`FieldPage` is a wizard page made of one. *Create a Logon*, *Set Up
This Database* and the staff and registry dialogs use them, so a field is refused with the
same words, in the same place, everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from mtc_desktop.domain.errors import InvalidInput
from mtc_desktop.domain.passwords import MIN_PASSWORD_LENGTH, check_new_password
from mtc_desktop.domain.text import MAX_USERNAME_LENGTH, MIN_USERNAME_LENGTH, clean_username
from mtc_desktop.gui.widgets import error_label, note, show_text

PASSWORDS_DIFFER = "The two passwords are not the same; type the same password in both boxes."

USERNAME_HINT = (
    f"{MIN_USERNAME_LENGTH} to {MAX_USERNAME_LENGTH} characters: letters, digits and . _ @ -"
)
PASSWORD_HINT = (
    f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words make a long password "
    "that is easy to remember."
)


def plain(text: str) -> str:
    """A label's text as read aloud: without its mnemonic ampersand."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def new_grid() -> QGridLayout:
    grid = QGridLayout()
    grid.setHorizontalSpacing(12)
    grid.setVerticalSpacing(4)
    grid.setColumnStretch(1, 1)
    return grid


class FieldForm:
    """Labelled fields on ``self.grid``, each with a hint and a red message beside it.

    A mixin for a Qt widget class: call :meth:`init_fields` in its ``__init__``.
    """

    grid: QGridLayout
    fields: dict[str, QWidget]
    errors: dict[str, QLabel]
    hints: dict[str, QLabel]
    _row: int

    def init_fields(self, grid: QGridLayout) -> None:
        self.grid = grid
        self.fields = {}
        self.errors = {}
        self.hints = {}
        self._row = 0

    def _next_row(self) -> int:
        if self._row:
            self.grid.setRowMinimumHeight(self._row, 8)  # air between one field and the next
            self._row += 1
        return self._row

    def _add_messages(
        self, name: str, caption: str, widget: QWidget, hint: str, column: int
    ) -> None:
        row = self._row
        span = 2 - column
        error = error_label(f"{caption} error")
        self.grid.addWidget(error, row + 1, column, 1, span)
        hint_label = note(hint)
        hint_label.setTextFormat(Qt.TextFormat.PlainText)
        hint_label.setVisible(bool(hint))
        self.grid.addWidget(hint_label, row + 2, column, 1, span)
        widget.setAccessibleDescription(hint)
        self._row += 3
        self.fields[name] = widget
        self.errors[name] = error
        self.hints[name] = hint_label

    def add_field(self, name: str, label_text: str, widget: QWidget, hint: str = "") -> QLabel:
        """A label on the left, the field on the right; its message and hint under it."""
        label = QLabel(label_text)
        label.setBuddy(widget)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        widget.setAccessibleName(plain(label_text))
        row = self._next_row()
        self.grid.addWidget(label, row, 0)
        self.grid.addWidget(widget, row, 1)
        self._add_messages(name, plain(label_text), widget, hint, 1)
        return label

    def add_group(self, name: str, caption: str, widget: QWidget) -> None:
        """A field made of several controls (choices, rows), across the form."""
        widget.setAccessibleName(caption)
        row = self._next_row()
        self.grid.addWidget(widget, row, 0, 1, 2)
        self._add_messages(name, caption, widget, "", 0)

    def set_hint(self, name: str, text: str) -> None:
        self.hints[name].setText(text)
        if self.errors[name].isHidden():
            self.hints[name].setVisible(bool(text))
            self.fields[name].setAccessibleDescription(text)

    def set_error(self, name: str, message: str) -> None:
        """Show ``message`` beside the field, in place of its hint; "" clears it."""
        label, widget = self.errors[name], self.fields[name]
        show_text(label, message)  # announced by a screen reader
        hint = self.hints.get(name)
        if hint is not None:
            hint.setVisible(not message and bool(hint.text()))
        widget.setAccessibleDescription(message or (hint.text() if hint else ""))

    def error_text(self, name: str) -> str:
        label = self.errors[name]
        return "" if label.isHidden() else label.text()

    def show_errors(self, errors: Mapping[str, str]) -> bool:
        """Show each message beside its field (clearing the others); focus the first one.
        True when there is none."""
        first: QWidget | None = None
        for name in self.fields:
            message = errors.get(name, "")
            self.set_error(name, message)
            if message and first is None:
                first = self.fields[name]
        if first is not None:
            focus_field(first)
        return first is None

    def clear_on_edit(self, name: str, edit: QLineEdit) -> None:
        edit.textEdited.connect(lambda _text: self.set_error(name, ""))


def focus_field(widget: QWidget) -> None:
    """Put the cursor in ``widget`` (selecting its text), or in the first control of a
    group that takes the focus."""
    if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
        target: QWidget | None = widget
    else:
        target = next(
            (
                w
                for w in widget.findChildren(QWidget)
                if w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
            ),
            None,
        )
    if target is None:
        return
    target.setFocus(Qt.FocusReason.OtherFocusReason)
    if isinstance(target, QLineEdit):
        target.selectAll()


class FieldPage(QWizardPage, FieldForm):
    """The one wizard page base (*Create a Logon*, the request wizard, *Set Up This
    Database*): a title and subtitle; labelled fields, each with a hint and a red message
    beside it (:class:`FieldForm`); a message line for the page as a whole; for a review
    page, rows of what will be done (:meth:`add_values`). What was typed is kept when the
    user goes Back."""

    def __init__(self, title: str, subtitle: str = "", *, message_name: str = "") -> None:
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.outer = QVBoxLayout(self)
        self.outer.setSpacing(12)
        self.init_fields(new_grid())
        self.outer.addLayout(self.grid)
        self.required_note = note(
            "Every field is required; Next is available once all are filled in."
        )
        self.required_note.hide()
        self.outer.addWidget(self.required_note)
        self.message = error_label(message_name or f"{plain(title)} error")
        self.outer.addWidget(self.message)
        self.outer.addStretch(1)
        self.values: dict[str, QLabel] = {}

    def add_note(self, text: str) -> QLabel:
        """A paragraph under the fields, above the page's message."""
        label = note(text)
        self.outer.insertWidget(self.outer.indexOf(self.message), label)
        return label

    def add_values(self, rows: Sequence[tuple[str, str]]) -> None:
        """A review page's rows: each caption on the left, what will be done on the right
        (in ``self.values``, selectable, read aloud with its caption)."""
        self.grid.setVerticalSpacing(8)
        for name, caption in rows:
            label = QLabel(caption)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            value = QLabel()
            value.setObjectName(f"{name}Value")
            value.setWordWrap(True)
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(caption)
            label.setBuddy(value)
            row = self._row
            self.grid.addWidget(label, row, 0)
            self.grid.addWidget(value, row, 1)
            self._row += 1
            self.values[name] = value

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def message_text(self) -> str:
        return "" if self.message.isHidden() else self.message.text()

    def cleanupPage(self) -> None:
        """Keep what was typed when the user goes Back (Qt's default resets the fields
        registered on the page)."""


def grow_to_fit(window: QWidget) -> None:
    """Make a dialog tall enough for the messages just shown beside its fields (it never
    shrinks), so that no hint or message is squeezed."""
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    needed = (
        layout.totalHeightForWidth(window.width())
        if layout.hasHeightForWidth()
        else layout.totalSizeHint().height()
    )
    needed = max(needed, window.sizeHint().height())
    if needed > window.height():
        window.resize(window.width(), needed)


def new_logon_errors(username: str, email: str, password: str, confirm: str) -> dict[str, str]:
    """What is wrong with a new logon's username, email address and password, by field —
    the checks (and words) of :func:`mtc_desktop.services.logons.register`."""
    from mtc_desktop.services import logons

    errors: dict[str, str] = {}
    try:
        clean_username(username)
    except InvalidInput as exc:
        errors.update(exc.errors)
    try:
        logons.clean_email(email)
    except InvalidInput as exc:
        errors.update(exc.errors)
    errors.update(new_password_errors(password, confirm, username=username, email=email))
    return errors


def new_password_errors(
    password: str, confirm: str, *, username: str = "", email: str = ""
) -> dict[str, str]:
    """What is wrong with a new password and its confirmation, by field."""
    errors: dict[str, str] = {}
    try:
        check_new_password(password, username=username, email=email)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if confirm != password:
        errors["confirm_password"] = PASSWORDS_DIFFER
    return errors


def label_buttons(wizard: QWizard, finish: str) -> None:
    """Name the wizard's buttons (and their accessible names) as every wizard here does."""
    wizard.setWizardStyle(QWizard.WizardStyle.ModernStyle)
    wizard.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
    wizard.setButtonText(QWizard.WizardButton.BackButton, "&Back")
    wizard.setButtonText(QWizard.WizardButton.NextButton, "&Next")
    wizard.setButtonText(QWizard.WizardButton.CancelButton, "Cancel")
    wizard.setButtonText(QWizard.WizardButton.FinishButton, finish)
    for which in (
        QWizard.WizardButton.BackButton,
        QWizard.WizardButton.NextButton,
        QWizard.WizardButton.CancelButton,
        QWizard.WizardButton.FinishButton,
    ):
        button = wizard.button(which)
        button.setAccessibleName(plain(button.text()))
