"""Everything Qt: the application, windows, pages, dialogs, wizards and table models.

The GUI calls services only; it never writes through the peewee models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget


def launch(database: str) -> QWidget:
    """Open the first window on an existing QApplication, show it, return it (no event loop)."""
    from mtc_desktop.gui.app import launch as _launch

    return _launch(database)
