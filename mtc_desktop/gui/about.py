"""*Help → About MTC Desktop*: the version, the database in use, Qt's and Python's
versions, and the licence."""

from __future__ import annotations

import html
import platform

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from mtc_desktop import APP_NAME, __version__
from mtc_desktop.store import database

LICENCE = "MIT"


def database_in_use() -> str:
    """The database open now: its file, or its server's URL without the password."""
    target = database.opened_target()
    if target is None:
        return "none open"
    if target.path is not None:
        return str(target.path)
    return target.shown_url


def about_lines() -> list[tuple[str, str]]:
    return [
        ("Version", __version__),
        ("Database in use", database_in_use()),
        ("Qt", f"{qVersion()} (PySide6 {PySide6.__version__})"),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("Licence", LICENCE),
    ]


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(f"About {APP_NAME}")
        layout = QVBoxLayout(self)
        title = QLabel(APP_NAME)
        title.setObjectName("heading")
        layout.addWidget(title)
        layout.addWidget(
            QLabel(
                "Third-party access to MassTaxConnect tax accounts, offline: taxpayers, "
                "third parties and DOR staff, step for step as the FAQ describes it."
            )
        )
        rows = "".join(
            f"<tr><td><b>{html.escape(name)}:</b>&nbsp;</td><td>{html.escape(value)}</td></tr>"
            for name, value in about_lines()
        )
        self.details = QLabel(f"<table>{rows}</table>")
        self.details.setAccessibleName("About details")
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setWordWrap(True)
        layout.addWidget(self.details)
        for child in self.findChildren(QLabel):
            child.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def text(self) -> str:
        """What the dialog says, as plain text."""
        return "\n".join(f"{name}: {value}" for name, value in about_lines())

    @classmethod
    def ask(cls, parent: QWidget | None) -> None:
        dialog = cls(parent)
        try:
            dialog.exec()
        finally:
            dialog.deleteLater()
