"""One visible focus indicator for every control: a frame that follows the keyboard focus.

The style draws a focus ring only after a Tab (never on a button focused when a page
opens), each kind of control its own way, and some none (links, cells). Here a single
``QFocusFrame`` is moved onto whichever widget has the focus, in every window; its look —
a 2-pixel frame in the portal's dark blue, white on the blue header — is the style sheet's
(``QFocusFrame`` in resources/styles/app.qss), so the colours are checked with the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QFocusFrame, QWidget


class _FocusFollower:
    def __init__(self) -> None:
        self.frame: QFocusFrame | None = None

    def follow(self, _old: QWidget | None, new: QWidget | None) -> None:
        # Imported here: the login window's first paint waits for nothing it does not use.
        from PySide6.QtWidgets import QFocusFrame
        from shiboken6 import isValid

        frame = self.frame
        if frame is not None and not isValid(frame):
            frame = None  # went with the window it was in
        if new is None or new.isWindow() or new.parentWidget() is None:
            if frame is not None:
                frame.setWidget(None)  # type: ignore[arg-type]  # Qt takes a null widget
            return
        if frame is None:
            frame = QFocusFrame(new)
            frame.setObjectName("focusFrame")
            self.frame = frame
        frame.setWidget(new)  # moves into new's parent, around it, and shows


_FOLLOWER = _FocusFollower()


def show_focus_everywhere(app: QApplication) -> None:
    """Draw the focus frame around the focused control of every window from now on."""
    if app.property("mtc_focus_frame"):
        return
    app.setProperty("mtc_focus_frame", True)
    app.focusChanged.connect(_FOLLOWER.follow)
