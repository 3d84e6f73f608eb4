"""WCAG 2.2 AA contrast of the stylesheet's colours (resources/styles/*.qss) against what
they are drawn on: text 4.5:1 (1.4.3), the focus indicator and control borders 3:1
(1.4.11). The pairs are read from the stylesheet, so a colour changed there is checked."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from PySide6.QtWidgets import QApplication, QStyleFactory

from mtc_desktop.gui.app import PORTAL_BLUE
from mtc_desktop.resources import resource

TEXT, NON_TEXT = 4.5, 3.0
NAMED = {"white": "#ffffff", "black": "#000000"}
# Controls: a border drawn on one of them identifies it, so it needs 3:1 (a panel's frame,
# such as the login box's, only groups and is not held to it).
CONTROL_TYPES = ("QPushButton", "QLineEdit", "QComboBox", "QCheckBox", "QRadioButton", "QTab")


@dataclass(frozen=True)
class Rule:
    selector: str
    declarations: dict[str, str]

    @property
    def base(self) -> str:
        """The selector without its states and properties ("QPushButton#link")."""
        return re.sub(r"(:[a-z-]+|\[[^\]]*\])", "", self.selector).strip()


def parse(text: str) -> list[Rule]:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    rules = []
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", text):
        declarations = {}
        for part in body.split(";"):
            if ":" in part:
                name, value = part.split(":", 1)
                declarations[name.strip()] = value.strip()
        for selector in selectors.split(","):
            rules.append(Rule(" ".join(selector.split()), declarations))
    return rules


def colour(value: str | None) -> str | None:
    """The first colour of a declaration's value (#rgb, #rrggbb, white, black)."""
    if not value:
        return None
    found = re.search(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|\b(white|black)\b", value)
    if found is None:
        return None
    text = found.group(0).lower()
    text = NAMED.get(text, text)
    if len(text) == 4:
        text = "#" + "".join(c * 2 for c in text[1:])
    return text


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ratio(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def stylesheets() -> dict[str, list[Rule]]:
    folder = resource("styles", "app.qss").parent
    return {path.name: parse(path.read_text(encoding="utf-8")) for path in folder.glob("*.qss")}


@pytest.fixture(scope="module")
def backgrounds(qapp: QApplication) -> dict[str, list[str]]:
    """What the stylesheet's colours are drawn on: the pages' window, field and alternate
    row colours (Fusion's, the style used where the desktop has none), the header's blue,
    and the selection (the portal's blue, gui/app.py)."""
    style = QStyleFactory.create("Fusion")
    palette = style.standardPalette()
    style.deleteLater()
    pages = [
        palette.window().color().name(),
        palette.base().color().name(),
        palette.alternateBase().color().name(),
    ]
    return {"pages": pages, "selection": [PORTAL_BLUE.lower()]}


def drawn_on(rule: Rule, rules: list[Rule], backgrounds: dict[str, list[str]]) -> list[str]:
    """The background(s) under ``rule``'s text or outline: its own, else the same control's
    in that state ("QPushButton#link:focus" for a focused link in a selected row), else
    what it sits in (the header, a selected row, a page)."""
    own = colour(rule.declarations.get("background") or rule.declarations.get("background-color"))
    if own:
        return [own]
    states = re.findall(r":[a-z-]+", rule.selector)
    for other in rules:
        same_control = other.base == rule.base and "[" not in other.selector
        same_state = re.findall(r":[a-z-]+", other.selector) == states
        if same_control and same_state and states and other is not rule:
            found = colour(other.declarations.get("background"))
            if found:
                return [found]
    if "[selectedRow" in rule.selector:
        return backgrounds["selection"]
    for container in ("QFrame#header", "QFrame#loginBox"):
        if rule.selector.startswith(container + " "):
            (outer,) = [r for r in rules if r.selector == container]
            return [colour(outer.declarations["background"]) or ""]
    return backgrounds["pages"]


def text_colour(rule: Rule, rules: list[Rule]) -> str | None:
    """``rule``'s text colour, or the one its control has without the state."""
    own = colour(rule.declarations.get("color"))
    if own or "color" in rule.declarations:
        return own  # palette(...) colours are the palette's own pairs
    for other in rules:
        if other.selector == rule.base:
            return colour(other.declarations.get("color"))
    return None


def test_the_stylesheet_has_pairs_to_check() -> None:
    rules = [r for rs in stylesheets().values() for r in rs]
    assert sum(1 for r in rules if colour(r.declarations.get("color"))) >= 8
    assert any(r.selector.startswith("QFocusFrame") for r in rules)


def test_text_has_4_5_to_1_against_its_background(backgrounds: dict[str, list[str]]) -> None:
    failures, checked = [], 0
    for name, rules in stylesheets().items():
        for rule in rules:
            if ":disabled" in rule.selector:
                continue  # WCAG 1.4.3 exempts inactive controls
            fg = text_colour(rule, rules)
            if fg is None:
                continue
            for bg in drawn_on(rule, rules, backgrounds):
                checked += 1
                if ratio(fg, bg) < TEXT:
                    failures.append(f"{name}: {rule.selector}: {fg} on {bg} {ratio(fg, bg):.2f}:1")
    assert checked >= 20
    assert not failures, "\n".join(failures)


def test_the_focus_indicator_has_3_to_1_against_what_it_borders(
    backgrounds: dict[str, list[str]],
) -> None:
    """The focus frame's border against the page around it and against the focused
    control's own background (a focused link is tinted)."""
    failures, checked = [], 0
    for name, rules in stylesheets().items():
        focused_fills: dict[bool, list[str]] = {True: [], False: []}  # in the header?
        for rule in rules:
            if ":focus" in rule.selector:
                fill = colour(rule.declarations.get("background"))
                if fill:
                    focused_fills[rule.selector.startswith("QFrame#header")].append(fill)
        frames = [r for r in rules if r.base.endswith("QFocusFrame")]
        assert frames, f"{name} draws no focus frame"
        for rule in frames:
            border = colour(rule.declarations.get("border"))
            assert border, f"{name}: {rule.selector} has no border colour"
            in_header = rule.selector.startswith("QFrame#header")
            around = drawn_on(rule, rules, backgrounds) if in_header else backgrounds["pages"]
            for bg in around + focused_fills[in_header]:
                checked += 1
                if ratio(border, bg) < NON_TEXT:
                    failures.append(
                        f"{name}: {rule.selector}: {border} against {bg} {ratio(border, bg):.2f}:1"
                    )
    assert checked >= 5
    assert not failures, "\n".join(failures)


def test_control_borders_have_3_to_1(backgrounds: dict[str, list[str]]) -> None:
    failures = []
    for name, rules in stylesheets().items():
        for rule in rules:
            if not any(t in rule.base.split()[-1] for t in CONTROL_TYPES if rule.base):
                continue
            border = colour(rule.declarations.get("border"))
            if border is None:
                continue
            for bg in drawn_on(rule, rules, backgrounds):
                if ratio(border, bg) < NON_TEXT:
                    failures.append(f"{name}: {rule.selector}: border {border} on {bg}")
    assert not failures, "\n".join(failures)


def test_the_selection_keeps_4_5_to_1() -> None:
    """Selected rows: the palette's highlighted text (white) on the portal's blue."""
    assert ratio("#ffffff", PORTAL_BLUE.lower()) >= TEXT


@pytest.mark.parametrize(
    ("fg", "bg", "expected"),
    [("#000000", "#ffffff", 21.0), ("#ffffff", "#ffffff", 1.0), ("#767676", "#ffffff", 4.54)],
)
def test_the_ratio_is_wcag_s(fg: str, bg: str, expected: float) -> None:
    assert ratio(fg, bg) == pytest.approx(expected, abs=0.01)
