"""Access levels in words and in a combo box, shared by the pages that show or choose one
(Manage Third-party Access, the client pages, the request wizard, DOR's request page)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from mtc_desktop.domain.levels import AccessLevel, Right
from mtc_desktop.gui import accessibility

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
