"""The base of every page in the main window's stack."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from mtc_desktop.gui import ops
from mtc_desktop.gui.widgets import CommandButton, LinkButton

if TYPE_CHECKING:
    from mtc_desktop.gui.main_window import MainWindow
    from mtc_desktop.services.notifications import InboxCounts

R = TypeVar("R")


class Page(QWidget):
    """A page: a title for the breadcrumb, ``refresh()`` to reread its data from services.

    The main window deletes a page the user has left; nothing may keep it alive after.
    So a page gives each model and helper object it makes itself as Qt parent (``parent=
    self``), and connects signals of objects that outlive it (the main window, the
    application, the email sender) to its own bound methods, which Qt disconnects when
    the page goes, never to a lambda that holds the page (tests/gui/test_page_lifetime.py).
    """

    title = ""
    key = ""  # set by @router.page
    route: tuple[str, dict[str, Any]] | None = None  # (key, arguments) it was opened with

    def __init__(self, main: MainWindow) -> None:
        super().__init__()
        self.main = main
        self.actor = main.actor
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget()
        self.body = QVBoxLayout(body)
        self.body.setContentsMargins(24, 18, 24, 18)
        self.body.setSpacing(12)
        scroll.setWidget(body)
        outer.addWidget(scroll)
        self.setAccessibleName(self.title)
        scroll.setAccessibleName(f"{self.title} page")

    def refresh(self) -> None:
        """Reread what the page shows."""

    def clear_results(self) -> None:
        """Forget what the page said about the last change (its green result lines): shown
        again after Back, the page starts without them, as the status bar does."""
        for label in self.findChildren(QLabel):
            if label.property("role") == "success" and label.text():
                label.setText("")
                label.hide()

    def show_inbox_counts(self, counts: InboxCounts) -> None:
        """The inbox's counts changed (or were reread): a page that shows them updates."""

    def action_link(self, action_id: str) -> LinkButton:
        """A link on the page that is the registry's action ``action_id`` (gui/actions.py):
        the same label, tip and effect as its menu item. An action outside this logon's
        mode (e.g. Staff Logons for staff who are not administrators) gives a disabled
        link with the same label, for a page that hides it."""
        from mtc_desktop.gui.actions import SPEC_BY_ID, ActionLink, plain

        action = self.main.user_actions.get(action_id)
        if action is not None:
            return ActionLink(action)
        link = LinkButton(plain(SPEC_BY_ID[action_id].label))
        link.setEnabled(False)
        return link

    def action_button(self, action_id: str) -> CommandButton:
        """A command button on the page that is the registry's action ``action_id``: for
        an action that changes data (a link goes to another page, see
        :meth:`action_link`). Outside this logon's mode: disabled, with the same label."""
        from mtc_desktop.gui.actions import SPEC_BY_ID, ActionButton, plain

        action = self.main.user_actions.get(action_id)
        if action is not None:
            return ActionButton(action)
        button = CommandButton(plain(SPEC_BY_ID[action_id].label))
        button.setEnabled(False)
        return button

    def filter_widget(self) -> QWidget | None:
        """The filter of the list this page shows, if any (a page declares it as
        ``filter_edit``): View → Find in List (Ctrl+F) puts the cursor there."""
        widget = getattr(self, "filter_edit", None)
        return widget if isinstance(widget, QLineEdit) else None

    def print_control(self) -> QAbstractButton | None:
        """The page's own print button (declared as ``print_button``), if it has one."""
        button = getattr(self, "print_button", None)
        return button if isinstance(button, QAbstractButton) else None

    def can_print(self) -> bool:
        """Whether File → Print… (Ctrl+P) has something to print on this page."""
        return self.print_control() is not None

    def print_page(self) -> None:
        """File → Print…: what the page's print button does; while it is unavailable (no
        request chosen, or none with a form to print), say so in the status bar."""
        button = self.print_control()
        if button is None:
            return
        if button.isEnabled() and button.isVisibleTo(self):
            button.click()
        else:
            self.main.statusBar().showMessage(
                f"{button.text().replace('&', '')} is not available here: choose a request "
                "approved by printed form first.",
                8000,
            )

    def focus_first(self) -> None:
        """Put the keyboard focus on the page's first control, not on the header."""
        for widget in self.findChildren(QWidget):
            if (
                widget.isVisibleTo(self)
                and widget.isEnabled()
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
                and not isinstance(widget, QScrollArea)
            ):
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def call(self, fn: Callable[..., R], *args: Any, **kwargs: Any) -> R | None:
        """Call a service through gui/ops.py: a refusal or an error is shown and None
        returned instead of raising; after a refusal the page is reread, once."""
        return ops.call(self, fn, *args, refresh=self.refresh, **kwargs)
