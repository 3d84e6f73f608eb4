"""What a screen reader finds in MTC Desktop: run by the system's python3 (with pyatspi) on
the accessibility bus, beside the program started with ``mtc-desktop --demo``
(tests/gui/test_atspi.py starts both under Xvfb and a private D-Bus session).

It drives the program only through the accessibility bus, as assistive technology does:
it types into fields with the editable-text interface, presses buttons, links and tabs
with their *Press* action, and presses Tab and Escape with synthesized key events. It logs
in as the demo taxpayer, third party and DOR staff, follows the FAQ's paths, and on every
page and dialog on the way records each control's role, name and actions, and each object
that takes the focus as Tab moves through the page. It prints one JSON object; the test
judges it."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pyatspi  # type: ignore[import-not-found]
from gi.repository import GLib  # type: ignore[import-not-found]

PASSWORD = "training-password-2026"
TAB, ESCAPE = 0xFF09, 0xFF1B
# Roles a user operates; a control in one of them must have a name.
CONTROL_ROLES = {
    "push button",
    "toggle button",
    "link",
    "check box",
    "radio button",
    "combo box",
    "menu item",
    "page tab",
    "page tab list",
    "text",
    "password text",
    "spin button",
    "table",
    "list",
    "tree table",
    "slider",
}
# Roles that say "press me" (or "choose me").
ACTIONABLE_ROLES = {
    "push button",
    "toggle button",
    "link",
    "check box",
    "radio button",
    "combo box",
    "menu item",
    "page tab",
}
CELL_ROLES = {"table cell", "table column header", "table row header", "list item"}

report: dict[str, Any] = {
    "snapshots": [],
    "focus": [],
    "errors": [],
    "steps": [],
    "announcements": [],
}
focus_events: list[tuple[str, str, Any]] = []  # role, name, the object


def _on_focus(event: Any) -> None:
    if event.type.startswith("object:state-changed:focused") and not event.detail1:
        return
    try:
        source = event.source
        focus_events.append((source.getRoleName(), source.name or "", source))
    except Exception:  # the object may be gone already
        pass


def _on_announcement(event: Any) -> None:
    """What the program asked a screen reader to say (QAccessibleAnnouncementEvent)."""
    report["announcements"].append(str(event.any_data or ""))


def pump(seconds: float) -> None:
    """Let the accessibility events in for ``seconds``."""
    context = GLib.MainContext.default()
    end = time.monotonic() + seconds
    while True:
        while context.pending():
            context.iteration(False)
        if time.monotonic() >= end:
            return
        time.sleep(0.02)


def wait_for(what: Callable[[], Any], seconds: float = 8.0) -> Any:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            found = what()
        except Exception:  # objects come and go while a window changes
            found = None
        if found:
            return found
        pump(0.1)
    return None


def application() -> Any:
    for candidate in pyatspi.Registry.getDesktop(0):
        if candidate is not None and candidate.name == "MTC Desktop":
            return candidate
    return None


def showing(accessible: Any) -> bool:
    return accessible.getState().contains(pyatspi.STATE_SHOWING)


def windows() -> list[Any]:
    app = application()
    if app is None:
        return []
    found = []
    for i in range(app.childCount):
        window = app.getChildAtIndex(i)
        if window is not None and showing(window):
            found.append(window)
    return found


def top_window() -> Any:
    """The window in front: a dialog over the main window, if one is open."""
    shown = windows()
    for window in reversed(shown):
        if window.getRoleName() in ("dialog", "alert"):
            return window
    active = [w for w in shown if w.getState().contains(pyatspi.STATE_ACTIVE)]
    return (active or shown or [None])[-1]


def descendants(root: Any) -> Iterator[Any]:
    """The shown objects under ``root``, in reading order."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        children = []
        for i in range(node.childCount):
            child = node.getChildAtIndex(i)
            if child is not None and showing(child):
                children.append(child)
        stack.extend(reversed(children))


def actions_of(accessible: Any) -> list[str]:
    try:
        action = accessible.queryAction()
    except NotImplementedError:
        return []
    return [action.getName(i) for i in range(action.nActions)]


def labels_of(accessible: Any) -> list[str]:
    """The names of the objects ``accessible`` is labelled by (a label whose buddy it is)."""
    names = []
    for relation in accessible.getRelationSet():
        if relation.getRelationType() == pyatspi.RELATION_LABELLED_BY:
            for i in range(relation.getNTargets()):
                target = relation.getTarget(i)
                if target is not None and target.name:
                    names.append(target.name)
    return names


def snapshot(where: str) -> None:
    """Record every control in the front window."""
    print(f"{time.monotonic():.1f} snapshot {where}", file=sys.stderr, flush=True)
    window = top_window()
    if window is None:
        report["errors"].append(f"{where}: no window is shown")
        return
    controls = []
    for node in descendants(window):
        role = node.getRoleName()
        state = node.getState()
        focusable = state.contains(pyatspi.STATE_FOCUSABLE)
        if role in CELL_ROLES:
            if role != "table column header":
                continue
        elif role not in CONTROL_ROLES and not focusable:
            continue
        controls.append(
            {
                "role": role,
                "name": node.name or "",
                "focusable": focusable,
                "enabled": state.contains(pyatspi.STATE_ENABLED),
                "actions": actions_of(node),
                "labelled_by": labels_of(node) if role == "combo box" else [],
            }
        )
    report["snapshots"].append(
        {"where": where, "window": window.name, "role": window.getRoleName(), "controls": controls}
    )


def named(name: str, roles: set[str] | None = None) -> Callable[[], Any]:
    """A finder of the control in the front window called ``name`` or, for a row's
    control, ``name`` followed by the row ("Approve/Deny request 3 from …")."""

    def find() -> Any:
        window = top_window()
        if window is None:
            return None
        for node in descendants(window):
            label = node.name or ""
            matches = label == name or label.startswith((name + " ", name + ":"))
            if matches and (roles is None or node.getRoleName() in roles):
                return node
        return None

    return find


def press(name: str, roles: set[str] = ACTIONABLE_ROLES, settle: float = 0.5) -> bool:
    """Press the control called ``name`` with its first action, as a screen reader does."""
    report["steps"].append(f"press {name}")
    print(f"{time.monotonic():.1f} press {name}", file=sys.stderr, flush=True)
    target = wait_for(named(name, roles))
    if target is None:
        report["errors"].append(f"{name}: not found in {getattr(top_window(), 'name', None)!r}")
        return False
    try:
        target.queryAction().doAction(0)
    except Exception as exc:
        report["errors"].append(f"{name}: cannot be pressed ({exc})")
        return False
    pump(settle)
    return True


def key(keysym: int, settle: float = 0.08) -> None:
    pyatspi.Registry.generateKeyboardEvent(keysym, None, pyatspi.KEY_SYM)
    pump(settle)


def tab_through(where: str, presses: int = 14) -> None:
    """Press Tab ``presses`` times and record what takes the focus each time."""
    focus_events.clear()
    for _ in range(presses):
        key(TAB)
    pump(0.3)
    focused = [(role, name) for role, name, _source in focus_events]
    report["focus"].append({"where": where, "focused": focused})


def press_in_row(name: str, presses: int = 40) -> bool:
    """Tab to the first control called ``name`` (or ``name`` and its row) and press it:
    a table row's links are reached by Tab and found by their focus event, as a screen
    reader user meets them (they are not children of the table's accessible)."""
    report["steps"].append(f"tab to {name} and press it")
    print(f"{time.monotonic():.1f} tab to {name}", file=sys.stderr, flush=True)
    focus_events.clear()
    seen = 0
    for _ in range(presses):
        key(TAB)
        for role, label, source in focus_events[seen:]:
            if role in ACTIONABLE_ROLES and (
                label == name or label.startswith((name + " ", name + ":"))
            ):
                report["focus"].append({"where": f"row control {name}", "focused": [(role, label)]})
                try:
                    source.queryAction().doAction(0)
                except Exception as exc:
                    report["errors"].append(f"{label}: cannot be pressed ({exc})")
                    return False
                pump(0.8)
                return True
        seen = len(focus_events)
    report["errors"].append(
        f"{name}: Tab never reached it in {getattr(top_window(), 'name', None)!r}"
    )
    return False


def type_into(name: str, role: str, text: str) -> None:
    field = wait_for(named(name, {role}))
    if field is None:
        report["errors"].append(f"{name}: no {role} to type into")
        return
    field.queryEditableText().setTextContents(text)


def wait_window(title_part: str, seconds: float = 10.0) -> bool:
    window = wait_for(lambda: top_window() is not None and title_part in top_window().name, seconds)
    if not window:
        report["errors"].append(
            f"window {title_part!r} did not open (front: {getattr(top_window(), 'name', None)!r})"
        )
    pump(0.5)
    return bool(window)


def again(username: str, title_part: str) -> bool:
    """Switch Logon and log in again. After a dialog closes, a window manager gives the
    main window the keyboard back; Xvfb has none, and the program activates its login
    and main windows itself, so this is how the keyboard comes back to the main window."""
    press("Switch Logon", {"link"})
    return log_in(username, title_part)


def close_dialog(title_part: str) -> None:
    """Escape until the dialog ``title_part`` is gone (a wizard asks before it discards)."""
    for _ in range(3):
        window = top_window()
        if window is None or title_part not in window.name:
            return
        key(ESCAPE, settle=0.8)
        confirm = top_window()
        if (
            confirm is not None
            and confirm.getRoleName() == "dialog"
            and title_part not in (confirm.name or "")
        ):
            for answer in ("Discard", "Yes", "Close", "OK"):
                button = named(answer, {"push button"})()
                if button is not None:
                    button.queryAction().doAction(0)
                    pump(0.8)
                    break


def log_in(username: str, title_part: str) -> bool:
    if not wait_window("Log In", 30):
        return False
    type_into("Username", "text", username)
    type_into("Password", "password text", PASSWORD)
    press("Log In", {"push button"}, settle=0.5)
    return wait_window(title_part, 20)


def visit(name: str, where: str, roles: set[str] = ACTIONABLE_ROLES, tab: bool = True) -> bool:
    if not press(name, roles):
        return False
    snapshot(where)
    if tab:
        tab_through(where)
    return True


def wrong_password() -> None:
    """A refused login: the message beside the fields is announced."""
    if not wait_window("Log In", 30):
        return
    type_into("Username", "text", "harborbakery")
    type_into("Password", "password text", "not the password")
    press("Log In", {"push button"}, settle=1.0)


def taxpayer() -> None:
    me = ("harborbakery", "Harbor Street Bakery")
    wrong_password()
    if not log_in(*me):
        return
    snapshot("Taxpayer: Home")
    tab_through("Taxpayer: Home")
    visit("Manage My Profile", "Taxpayer: Manage My Profile", tab=False)
    visit("More…", "Taxpayer: More…", {"page tab"})
    visit("View Access Requests from Third Parties", "Taxpayer: Access Requests")
    if press_in_row("Approve/Deny") and wait_window("Approve/Deny"):
        snapshot("Taxpayer: Approve/Deny dialog")
        tab_through("Taxpayer: Approve/Deny dialog", 12)
        close_dialog("Approve/Deny")
    if not again(*me):
        return
    visit("Manage My Profile", "Taxpayer: Manage My Profile", tab=False)
    visit("More…", "Taxpayer: More…", {"page tab"}, tab=False)
    visit("Manage Third-party Access", "Taxpayer: Manage Third-party Access")
    if press_in_row("Username"):
        snapshot("Taxpayer: third party's Access tab")
        tab_through("Taxpayer: third party's Access tab")
        visit("Manage Account Access", "Taxpayer: Manage Account Access tab", {"page tab"})
        visit("History", "Taxpayer: History tab", {"page tab"}, tab=False)
        visit("Access", "Taxpayer: third party's Access tab", {"page tab"}, tab=False)
    if press_in_row("Access Type") and wait_window("Account Security"):
        snapshot("Taxpayer: Account Security dialog")
        if press("Change", {"push button"}):
            snapshot("Taxpayer: Account Security dialog, changing")
            tab_through("Taxpayer: Account Security dialog, changing", 8)
        close_dialog("Account Security")
    # Cancel Access asks first; No keeps the access.
    visit("Manage Account Access", "Taxpayer: Manage Account Access tab", {"page tab"}, tab=False)
    if press("Cancel Access", {"push button"}) and wait_window("Cancel Access"):
        snapshot("Taxpayer: Cancel Access question")
        press("No", {"push button"})
    press("Switch Logon", {"link"})


def third_party() -> None:
    me = ("smithcpa", "Smith & Daughters")
    if not log_in(*me):
        return
    snapshot("Third party: Home")
    tab_through("Third party: Home")
    visit("Manage My Profile", "Third party: Manage My Profile", tab=False)
    visit("More…", "Third party: More…", {"page tab"})
    visit("Manage My Access", "Third party: Manage My Access")
    if press_in_row("Tax Administrator"):
        snapshot("Third party: Tax Administrator")
        tab_through("Third party: Tax Administrator", 8)
    visit("Manage My Profile", "Third party: Manage My Profile", tab=False)
    visit("More…", "Third party: More…", {"page tab"}, tab=False)
    if press("Request to Manage Other Taxpayer's Accounts") and wait_window("Request to Manage"):
        snapshot("Third party: request wizard")
        tab_through("Third party: request wizard", 10)
        close_dialog("Request to Manage")
    if not again(*me):
        return
    visit("Manage My Profile", "Third party: Manage My Profile", tab=False)
    visit("More…", "Third party: More…", {"page tab"}, tab=False)
    if press("Change Client View") and wait_window("Change Client View"):
        snapshot("Third party: Change Client View dialog")
        tab_through("Third party: Change Client View dialog", 6)
        box = named("Show Manage My Clients", {"check box"})()
        if box is not None and not box.getState().contains(pyatspi.STATE_CHECKED):
            box.queryAction().doAction(0)
            pump(0.3)
        press("Submit", {"push button"})
        close_dialog("Change Client View")
    if not again(*me):
        return
    visit("Manage My Profile", "Third party: Manage My Profile", tab=False)
    visit("Manage My Clients", "Third party: Manage My Clients")
    press("Switch Logon", {"link"})


def dor_staff() -> None:
    if not log_in("dorclerk", "Pat Rivera"):
        return
    snapshot("DOR staff: Home")
    tab_through("DOR staff: Home")
    visit("Manage My Profile", "DOR staff: Manage My Profile")
    press("Switch Logon", {"link"})


def main() -> int:
    pyatspi.Registry.registerEventListener(_on_focus, "object:state-changed:focused")
    pyatspi.Registry.registerEventListener(_on_announcement, "object:announcement")
    if not wait_for(application, 40):
        report["errors"].append("MTC Desktop did not appear on the accessibility bus")
    else:
        for scenario in (taxpayer, third_party, dor_staff):
            try:
                scenario()
            except Exception as exc:  # say which step broke, go on
                report["errors"].append(f"{scenario.__name__}: {type(exc).__name__}: {exc}")
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
