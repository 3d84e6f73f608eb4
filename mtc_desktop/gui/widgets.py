"""Small widgets shared by the pages: hyperlink-style buttons, headings, tables."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)


class LinkButton(QPushButton):
    """A hyperlink that is a real button: focusable, reachable by Tab, pressed by Space/Enter,
    with the FAQ's label as both its text and its accessible name."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setObjectName("link")
        self.setAccessibleName(text.replace("&", ""))
        self.setFlat(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAutoDefault(False)

    def setText(self, text: str) -> None:  # keep the accessible name in step
        super().setText(text)
        self.setAccessibleName(text.replace("&", ""))


def heading(text: str, level: int = 1) -> QLabel:
    label = QLabel(text)
    label.setObjectName("heading" if level == 1 else "subheading")
    label.setAccessibleName(text)
    label.setWordWrap(True)
    return label


def note(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("note")
    label.setWordWrap(True)
    return label


def panel(title: str) -> tuple[QGroupBox, QVBoxLayout]:
    """A titled panel, like MassTaxConnect's (e.g. the Third-party Access panel)."""
    box = QGroupBox(title)
    box.setAccessibleName(f"{title} panel")
    layout = QVBoxLayout(box)
    layout.setSpacing(6)
    return box, layout


def setup_table(view: QTableView, *, stretch_column: int | None = None) -> None:
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(32)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(stretch_column is None)
    if stretch_column is not None:
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)


def bold(font: QFont) -> QFont:
    font = QFont(font)
    font.setBold(True)
    return font
