"""Message boxes with one entry point each, built as instances (not the static helpers)
so that a test can find the open box with ``QApplication.activeModalWidget()`` and press
its buttons, as a user would."""

from __future__ import annotations

import logging
import re
import traceback
from typing import TYPE_CHECKING

from mtc_desktop.domain.errors import InvalidInput, MtcError, StateConflict

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox, QWidget

# QMessageBox is imported where a box is made, not at the top: PySide6 makes a class (with
# its enums, 4 ms here) the first time it is used, and the program's start imports this
# module before any box is needed.

log = logging.getLogger(__name__)


# An option (--database) or the command's name (mtc-desktop), whose hyphens word wrap
# would break at: "--" at the end of a line, "database" on the next.
_HYPHENATED_NAME = re.compile(r"(?<![\w./-])--?[A-Za-z][\w-]*|\bmtc-desktop\b")


def unbroken_names(text: str) -> str:
    """``text`` for display, with the hyphens of option names and of ``mtc-desktop`` made
    non-breaking (U+2011), so that word wrap never splits one across two lines."""
    return _HYPHENATED_NAME.sub(lambda match: match.group().replace("-", "\u2011"), text)


def _box(
    parent: QWidget | None,
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    informative: str = "",
) -> QMessageBox:
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(
        icon, title, unbroken_names(text), QMessageBox.StandardButton.NoButton, parent
    )
    if informative:
        box.setInformativeText(unbroken_names(informative))
    box.setObjectName("messageBox")
    return box


def inform(parent: QWidget | None, title: str, text: str, informative: str = "") -> None:
    from PySide6.QtWidgets import QMessageBox

    box = _box(parent, QMessageBox.Icon.Information, title, text, informative)
    box.addButton(QMessageBox.StandardButton.Ok)
    box.exec()


def warn(parent: QWidget | None, title: str, text: str, informative: str = "") -> None:
    from PySide6.QtWidgets import QMessageBox

    box = _box(parent, QMessageBox.Icon.Warning, title, text, informative)
    box.addButton(QMessageBox.StandardButton.Ok)
    box.exec()


def confirm(
    parent: QWidget | None,
    title: str,
    text: str,
    informative: str = "",
    *,
    yes: str = "Yes",
    no: str = "No",
) -> bool:
    """Ask a yes/no question; the safe answer (No) is the default."""
    from PySide6.QtWidgets import QMessageBox

    box = _box(parent, QMessageBox.Icon.Question, title, text, informative)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.YesRole)
    no_button = box.addButton(no, QMessageBox.ButtonRole.NoRole)
    box.setDefaultButton(no_button)
    box.setEscapeButton(no_button)
    box.exec()
    return box.clickedButton() is yes_button


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """An MtcError gets its message; anything else is a bug: logged, shown with details."""
    if isinstance(exc, StateConflict):
        warn(parent, "Already changed", exc.message)
    elif isinstance(exc, InvalidInput):
        warn(parent, "Please check", exc.message)
    elif isinstance(exc, MtcError):
        warn(parent, "Cannot do that", exc.message)
    else:
        from PySide6.QtWidgets import QMessageBox

        log.error("unexpected error", exc_info=exc)
        box = _box(
            parent,
            QMessageBox.Icon.Critical,
            "Unexpected error",
            "Something went wrong inside MTC Desktop. Nothing was changed by the failed step.",
            "The details below have been written to the log; please send them to support.",
        )
        box.setDetailedText("".join(traceback.format_exception(exc)))
        box.addButton(QMessageBox.StandardButton.Ok)
        box.exec()
