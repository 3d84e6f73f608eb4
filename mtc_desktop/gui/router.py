"""Pages, dialogs and panels reached by name, not by import (qutebrowser's command registry).

A page module registers what it offers under a key: its pages (``@page("third_party")``),
the dialogs other modules start (``@command("register_taxpayer")``) and the panels other
pages embed (``@panel("poa.profile")``). The main window opens a page by its key and
arguments (``main.open_page("third_party", third_party_id=7)``); a page starts another
module's dialog with ``run("register_taxpayer", self)``. So no page module imports
another: ``gui/page_registry.py`` imports them all in one place, and an import-linter
contract in ``pyproject.toml`` keeps them independent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from mtc_desktop.gui.main_window import MainWindow
    from mtc_desktop.gui.pages import Page
    from mtc_desktop.services.base import Actor

P = TypeVar("P", bound="type[Page]")
F = TypeVar("F", bound=Callable[..., Any])

_PAGES: dict[str, type[Page]] = {}
_COMMANDS: dict[str, Callable[..., Any]] = {}
_PANELS: dict[str, Callable[..., QWidget]] = {}


class UnknownKey(LookupError):
    """Nothing is registered under this key: a page module was not imported by
    ``gui/page_registry.py``, or the key is misspelt (a bug)."""


def _register(table: dict[str, Any], kind: str, key: str, value: Any) -> None:
    if key in table and table[key] is not value:
        raise ValueError(f"two {kind}s registered as {key!r}")
    table[key] = value


def page(key: str) -> Callable[[P], P]:
    """Class decorator: the page opened by ``main.open_page(key, **args)``; the page's
    ``__init__`` takes the main window and those arguments."""

    def register(cls: P) -> P:
        _register(_PAGES, "page", key, cls)
        cls.key = key
        return cls

    return register


def command(key: str) -> Callable[[F], F]:
    """Function decorator: ``fn(parent, actor, **args)``, started by
    ``run(key, parent, actor, **args)``."""

    def register(fn: F) -> F:
        _register(_COMMANDS, "command", key, fn)
        return fn

    return register


def panel(key: str) -> Callable[[F], F]:
    """Decorator for a class or function ``(page, **args) -> QWidget`` that another page
    embeds with ``make_panel(key, page, **args)``."""

    def register(factory: F) -> F:
        _register(_PANELS, "panel", key, factory)
        return factory

    return register


def page_class(key: str) -> type[Page]:
    try:
        return _PAGES[key]
    except KeyError:
        raise UnknownKey(f"no page registered as {key!r}") from None


def make_page(main: MainWindow, key: str, **args: Any) -> Page:
    page = page_class(key)(main, **args)
    page.route = (key, dict(args))  # what Forward opens again after Back
    return page


def run(key: str, parent: QWidget, actor: Actor, **args: Any) -> Any:
    """Start the command registered as ``key`` (usually a dialog) and return its result."""
    try:
        fn = _COMMANDS[key]
    except KeyError:
        raise UnknownKey(f"no command registered as {key!r}") from None
    return fn(parent, actor, **args)


def make_panel(key: str, page: QWidget, **args: Any) -> Any:
    try:
        factory = _PANELS[key]
    except KeyError:
        raise UnknownKey(f"no panel registered as {key!r}") from None
    return factory(page, **args)


def main_window(widget: QWidget) -> MainWindow:
    """The main window ``widget`` lives in (a command opens its pages there)."""
    window = widget.window()
    # Not isinstance(MainWindow): importing the main window would import every page.
    assert hasattr(window, "open_page"), f"{type(widget).__name__} is not in a main window"
    return cast("MainWindow", window)


def page_keys() -> list[str]:
    return sorted(_PAGES)


def command_keys() -> list[str]:
    return sorted(_COMMANDS)
