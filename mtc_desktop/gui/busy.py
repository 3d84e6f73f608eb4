"""One press, one write: a handler that changes data never runs inside itself.

A second press can reach a handler while its first run is still going: a double click, Enter
pressed twice, or a click while the handler's confirmation box or a background read (both
nested event loops) is open. Then the second run would send the same change again and,
the first having succeeded, show "Already changed" or write twice.

Every handler that writes (or opens the dialog that writes) goes through :func:`run_write`:
decorate a page's or dialog's method with :func:`writes`, or connect a button with
:func:`connect_write`. While one runs, every other write of the same window is ignored, and
the button that sent it is disabled; afterwards the button is put back as it was, unless
the handler itself decided its state meanwhile (a refresh that finds nothing left to
cancel). A press on a button that is no longer on screen (its dialog closed when the first
press succeeded) is ignored too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

import shiboken6
from PySide6.QtWidgets import QAbstractButton, QWidget

if TYPE_CHECKING:
    from PySide6.QtCore import Qt

P = ParamSpec("P")
R = TypeVar("R")
W = TypeVar("W", bound=QWidget)

_BUSY = "mtcWriting"  # a dynamic property of the window whose write is running
BUSY_PROPERTY = _BUSY  # for gui/ops.py, whose background writes hold it until they end


# Set by setEnabled(False) and cleared by setEnabled(True): after our own setEnabled(False)
# it is cleared, so finding it set again means the handler disabled the button itself.
# (Qt's namespace is read when first needed: making it costs start-up about 20 ms.)
def _force_disabled() -> Qt.WidgetAttribute:
    from PySide6.QtCore import Qt

    return Qt.WidgetAttribute.WA_ForceDisabled


def is_writing(widget: QWidget) -> bool:
    """Whether a write of ``widget``'s window is running now."""
    return bool(widget.window().property(_BUSY))


def run_write(
    owner: QWidget, action: Callable[[], R], button: QAbstractButton | None = None
) -> R | None:
    """Run ``action`` unless a write of ``owner``'s window is running (then None).

    ``button``, the button pressed, is disabled while ``action`` runs and enabled again
    afterwards if it still exists and ``action`` did not disable it itself; a press of a
    button that is no longer visible is ignored."""
    window = owner.window()
    if window.property(_BUSY) or (button is not None and not button.isVisible()):
        return None
    disable = button is not None and button.isEnabled()
    window.setProperty(_BUSY, True)
    if disable:
        assert button is not None
        button.setEnabled(False)
        button.setAttribute(_force_disabled(), False)
    try:
        return action()
    finally:
        if shiboken6.isValid(window):
            window.setProperty(_BUSY, False)
        if (
            disable
            and button is not None
            and shiboken6.isValid(button)
            and not button.isEnabled()
            and not button.testAttribute(_force_disabled())
        ):
            button.setEnabled(True)


def writes(method: Callable[Concatenate[W, P], R]) -> Callable[Concatenate[W, P], R | None]:
    """Decorate a method of a page or dialog that writes: it runs through :func:`run_write`,
    with the button that sent the signal (if a button did) as the one pressed."""

    @functools.wraps(method)
    def wrapper(self: W, *args: P.args, **kwargs: P.kwargs) -> R | None:
        sender = self.sender() if shiboken6.isValid(self) else None
        button = sender if isinstance(sender, QAbstractButton) else None
        return run_write(self, lambda: method(self, *args, **kwargs), button)

    return wrapper


def connect_write(button: QAbstractButton, action: Callable[[], object]) -> None:
    """Connect ``button``'s clicks to ``action``, which writes, through :func:`run_write`
    (for a row's link, whose action names the row)."""
    button.clicked.connect(lambda _checked=False: run_write(button, action, button))
