"""Access levels in words and in a combo box, shared by the pages that show or choose one
(Manage Third-party Access, the client pages, the request wizard, DOR's request page)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPushButton, QWidget

from mtc_desktop.domain.levels import AccessLevel, Right
from mtc_desktop.gui import accessibility
from mtc_desktop.gui.widgets import LinkButton

RIGHT_WORDS = {
    Right.VIEW: "view the account",
    Right.FILE: "file and amend returns",
    Right.PAY: "make payments",
    Right.MESSAGES: "send and read secure messages",
}


def describe_level(level: AccessLevel) -> str:
    words = [RIGHT_WORDS[r] for r in Right if r in level.rights]
    return (
        f"{level.label}: " + ", ".join(words[:-1]) + (" and " if len(words) > 1 else "") + words[-1]
    )


def level_combo(selected: AccessLevel) -> QComboBox:
    combo = QComboBox()
    for level in AccessLevel:
        combo.addItem(level.label, level)
        combo.setItemData(combo.count() - 1, describe_level(level), Qt.ItemDataRole.ToolTipRole)
    combo.setCurrentIndex(list(AccessLevel).index(selected))
    accessibility.label_drop_down(combo)  # "Granted Rights for …", said with its value
    return combo


LEVELS_TITLE = "What do the access levels mean?"
LEVELS_INTRO = (
    "A taxpayer chooses one access level for each tax account a third party may act on. "
    "Every level lets the third party view the account; the higher ones add more."
)


def levels_html() -> str:
    """The five levels and their rights, as a short text (the help window shows it too)."""
    rows = "".join(
        f"<li><b>{level.label}</b>: {describe_level(level).split(': ', 1)[1]}.</li>"
        for level in AccessLevel
    )
    return f"<p>{LEVELS_INTRO}</p><ul>{rows}</ul>"


def levels_text() -> str:
    return " ".join([LEVELS_INTRO, *(f"{describe_level(level)}." for level in AccessLevel)])


def show_levels(parent: QWidget) -> None:
    """A compact explanation of the five levels, over ``parent``'s window."""
    from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout

    dialog = QDialog(parent)
    dialog.setObjectName("levelsDialog")
    dialog.setWindowTitle(LEVELS_TITLE)
    layout = QVBoxLayout(dialog)
    text = QLabel(levels_html())
    text.setObjectName("levelsText")
    text.setWordWrap(True)
    text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    text.setAccessibleName(LEVELS_TITLE)
    text.setAccessibleDescription(levels_text())
    layout.addWidget(text)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    dialog.resize(460, dialog.sizeHint().height())
    try:
        dialog.exec()
    finally:
        dialog.deleteLater()


def levels_link(parent: QWidget | None = None) -> QPushButton:
    """ "What do the levels mean?", to put beside a level's choice: opens the explanation
    (Alt+L)."""
    link = LinkButton("What do the &levels mean?", parent)
    link.setToolTip(" ".join(f"{describe_level(level)}." for level in AccessLevel))
    link.clicked.connect(lambda: show_levels(link))
    return link
