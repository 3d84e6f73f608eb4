"""What a screen reader gets beyond Qt's defaults.

- A :class:`~mtc_desktop.gui.widgets.LinkButton` is a link (Qt would say "push button"),
  named by its accessible name or text, with a *press* action that clicks it.
- A drop-down's label reaches a screen reader through a label whose buddy it is: on
  Linux, Qt exposes a drop-down's value as its name and its buddy label as the
  *labelled by* relation, which Orca reads with it. :func:`label_drop_down` gives a
  drop-down without a visible label a hidden one saying its accessible name. (A tab bar
  is named by its current tab; its tab widget has the name.)
- Messages that appear (an error beside a field, a page's result line, the status bar) are
  announced with :func:`announce`, the way a live region is read.

:func:`install` runs once, when the application starts (``gui/app.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QAccessibleInterface
from PySide6.QtWidgets import QAbstractButton, QAccessibleWidget, QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QComboBox

# Qt's namespace, QComboBox and QLabel are imported where they are used: this module
# loads at start-up (install() runs as the database opens under the login window), and
# PySide6 makes a class (with all its enums) the first time it is touched; Qt's namespace
# alone cost the start about 20 ms.

_installed = False


class LinkAccessible(QAccessibleWidget):
    """A link-looking button as assistive technology sees it: role Link, its name, its
    state (focusable, focused, disabled) and one action, *press*, that clicks it."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget, QAccessible.Role.Link)

    def text(self, kind: QAccessible.Text) -> str:
        widget = self.widget()
        if kind == QAccessible.Text.Name and isinstance(widget, QAbstractButton):
            return widget.accessibleName() or widget.text().replace("&", "")
        return super().text(kind)

    def actionNames(self) -> list[str]:
        return [QAccessibleWidget.pressAction(), *super().actionNames()]

    def doAction(self, name: str) -> None:
        widget = self.widget()
        if name == QAccessibleWidget.pressAction() and isinstance(widget, QAbstractButton):
            if widget.isEnabled():
                # After this call returns, like Qt's own buttons: a dialog the link opens
                # runs its own event loop, and the assistive technology's call must not
                # wait for it to close.
                widget.animateClick()
            return
        super().doAction(name)

    def keyBindingsForAction(self, name: str) -> list[str]:
        if name == QAccessibleWidget.pressAction():
            return ["Space"]
        return super().keyBindingsForAction(name)


class _LabelWhenShown(QObject):
    """See :func:`label_drop_down`."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show:
            from PySide6.QtWidgets import QComboBox

            if isinstance(watched, QComboBox):
                give_label(watched)
        return False


def label_drop_down(combo: QComboBox) -> None:
    """Have ``combo`` labelled by its accessible name ("Granted Rights for Withholding
    WTH-00000001") as it is shown: on Linux, Qt names a drop-down by its value and says its
    label through a label whose buddy it is. A drop-down with a visible label (its buddy)
    keeps that one."""
    combo.installEventFilter(_LabelWhenShown(combo))


def give_label(combo: QComboBox) -> None:
    """A hidden label, sibling and buddy of ``combo``, saying its accessible name (kept
    in step when the name changes), unless a label is its buddy already."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    parent, name = combo.parentWidget(), combo.accessibleName()
    if parent is None or not name:
        return
    text = name.replace("&", "&&")  # a label's & is a mnemonic
    for label in parent.findChildren(QLabel, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if label.buddy() is combo:
            if label.objectName() == "dropDownLabel":
                label.setText(text)
            return
    label = QLabel(text, parent)
    label.setObjectName("dropDownLabel")
    label.setBuddy(combo)
    label.hide()


def _factory(key: str, obj: QObject) -> QAccessibleInterface | None:
    from mtc_desktop.gui.widgets import LinkButton

    if isinstance(obj, LinkButton):
        return LinkAccessible(obj)
    return None


def install() -> None:
    """Register the accessible factory (once per process)."""
    global _installed
    if _installed:
        return
    QAccessible.installFactory(_factory)
    _installed = True


def announce(source: QObject, message: str) -> None:
    """Have a screen reader say ``message`` (about ``source``) now, without moving focus;
    nothing when no assistive technology listens or there is nothing to say."""
    if not message or not QAccessible.isActive():
        return
    QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(source, message))
