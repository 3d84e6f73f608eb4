"""Every control a Tab reaches, on every page each mode's menus open, has an accessible
name that says what it is for (in process, through Qt's accessibility interfaces: the same
names the AT-SPI test hears on the FAQ's paths, here on every page). A drop-down is known
by its label (a label whose buddy it is), as on Linux Qt names it by its value."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QComboBox, QWidget

from mtc_desktop.gui.actions import SPECS
from mtc_desktop.gui.login import LoginWindow
from tests.gui.conftest import log_in


def unnamed(window: QWidget, where: str) -> tuple[int, list[str]]:
    """How many Tab-reachable controls ``window`` shows, and those without a name."""
    QCoreApplication.processEvents()
    checked, found = 0, []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            continue
        if widget.focusProxy() is not None:
            continue  # its proxy is the control
        iface = QAccessible.queryAccessibleInterface(widget)
        if iface is None:
            continue
        checked += 1
        if isinstance(widget, QComboBox):
            labels = iface.relations(QAccessible.Relation.Label)
            if not any(label.text(QAccessible.Text.Name).strip() for label, _rel in labels):
                found.append(f"{where}: drop-down {widget.currentText()!r} has no label")
        elif not iface.text(QAccessible.Text.Name).strip():
            found.append(f"{where}: unnamed {type(widget).__name__} {widget.objectName()!r}")
    return checked, found


def visit_every_page(qtbot, main: QWidget) -> tuple[int, list[str]]:
    checked, found = 0, []
    actions = main.user_actions  # type: ignore[attr-defined]
    for spec in SPECS:
        if not spec.page:
            continue
        action = actions.get(spec.id)
        if action is None or not action.isEnabled():
            continue
        action.trigger()
        qtbot.wait(10)
        page = main.current_page  # type: ignore[attr-defined]
        more, offenders = unnamed(main, f"{spec.text} ({page.key})")
        checked += more
        found += offenders
    return checked, found


def test_every_control_of_every_page_has_a_name(qtbot, login_window: LoginWindow) -> None:
    checked, found = unnamed(login_window, "Log In")
    for username in ("harborbakery", "smithcpa", "dorclerk"):
        main = log_in(qtbot, login_window, username)
        more, offenders = unnamed(main, f"{username}: Home")
        checked += more
        found += offenders
        more, offenders = visit_every_page(qtbot, main)
        checked += more
        found += offenders
        main.user_actions["switch_logon"].trigger()  # type: ignore[attr-defined]
        qtbot.waitUntil(login_window.isVisible)
    assert checked > 150
    assert not found, "\n".join(sorted(set(found)))
