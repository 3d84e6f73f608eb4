"""The TrueType fonts embedded in printed forms, and which one prints each character.

ReportLab's built-in Helvetica silently drops every character outside Latin-1, so a form
prints names with fonts shipped in ``resources/fonts/`` (see the README there):

- DejaVu Sans (regular and bold): Latin with accents, Greek, Cyrillic, symbols;
- DejaVu Sans Mono Bold: the authorization code and account numbers;
- WenQuanYi Micro Hei: Chinese, Japanese kana and Korean Hangul.

Text is split into runs by the first font of a style's chain that has a glyph for each
character (per-character fallback). A character no font has, or one that needs a
right-to-left or shaping engine ReportLab does not have, is *unprintable*: the renderer
refuses the form and names the text, instead of printing empty boxes.
"""

from __future__ import annotations

import enum
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from mtc_desktop.resources import resource


class Style(enum.Enum):
    REGULAR = "regular"
    BOLD = "bold"
    MONO = "mono"


@dataclass(frozen=True)
class _Face:
    name: str  # the name the font is registered under with ReportLab
    file: str  # in resources/fonts/
    subfont: int = 0  # the face's index in a TrueType collection (.ttc)


DEJAVU = _Face("MTC-DejaVuSans", "DejaVuSans.ttf")
DEJAVU_BOLD = _Face("MTC-DejaVuSans-Bold", "DejaVuSans-Bold.ttf")
DEJAVU_MONO_BOLD = _Face("MTC-DejaVuSansMono-Bold", "DejaVuSansMono-Bold.ttf")
WQY_MICROHEI = _Face("MTC-WenQuanYiMicroHei", "WenQuanYiMicroHei.ttf")

# Fallback order per style. CJK has no bold face here: bold CJK prints in the regular one.
_CHAINS: dict[Style, tuple[_Face, ...]] = {
    Style.REGULAR: (DEJAVU, WQY_MICROHEI),
    Style.BOLD: (DEJAVU_BOLD, WQY_MICROHEI),
    Style.MONO: (DEJAVU_MONO_BOLD, DEJAVU_BOLD, WQY_MICROHEI),
}

# Right-to-left scripts print in the wrong order without a bidi engine, and their letters
# in the wrong shapes without a shaper; ReportLab has neither by default.
_RTL_CLASSES = frozenset({"R", "AL"})


@dataclass(frozen=True)
class Unprintable:
    """A character that no shipped font can print correctly, and why."""

    char: str
    reason: str

    def describe(self) -> str:
        name = unicodedata.name(self.char, "unnamed character")
        return f"{self.char} (U+{ord(self.char):04X} {name}: {self.reason})"


class _Fonts:
    """The registered faces and the characters each has a glyph for."""

    def __init__(self) -> None:
        self.coverage: dict[str, frozenset[int]] = {}
        for face in (DEJAVU, DEJAVU_BOLD, DEJAVU_MONO_BOLD, WQY_MICROHEI):
            path = resource("fonts", face.file)
            font = TTFont(face.name, str(path), subfontIndex=face.subfont)
            pdfmetrics.registerFont(font)
            self.coverage[face.name] = frozenset(font.face.charToGlyph)

    def has(self, face: _Face, char: str) -> bool:
        return ord(char) in self.coverage[face.name]

    def covers(self, face: _Face, text: str) -> bool:
        return (
            self.coverage[face.name].issuperset(map(ord, text))
            and "\u200c" not in text
            and "\u200d" not in text
        )


_lock = threading.Lock()
_loaded: _Fonts | None = None


def _fonts() -> _Fonts:
    global _loaded
    if _loaded is None:
        with _lock:  # registration reads 5 MB of fonts: once, even from two threads
            if _loaded is None:
                _loaded = _Fonts()
    return _loaded


def ensure_registered() -> None:
    """Load and register the fonts (once per process; about 0.1 s)."""
    _fonts()


def _ignorable(char: str) -> bool:
    # Joiners are kept in stored names (DESIGN rule 5) but draw nothing.
    return char in "\u200c\u200d"


def unprintable(text: str) -> tuple[Unprintable, ...]:
    """The characters of ``text`` that a form cannot print, each once, in order."""
    fonts = _fonts()
    found: dict[str, Unprintable] = {}
    for char in text:
        if char in found or _ignorable(char):
            continue
        if unicodedata.bidirectional(char) in _RTL_CLASSES:
            found[char] = Unprintable(char, "right-to-left script")
        elif not all(
            any(fonts.has(face, char) for face in _CHAINS[style])
            for style in (Style.REGULAR, Style.BOLD)  # names print in both
        ):
            found[char] = Unprintable(char, "no shipped font has it")
    return tuple(found.values())


@lru_cache(maxsize=8192)
def runs(text: str, style: Style) -> tuple[tuple[str, str], ...]:
    """Split ``text`` into ``(font name, text)`` runs, each printable in its font.

    Letters and digits take the first font of the chain that has them; spaces and
    punctuation stay in the current run's font when it has them, so the spaces between
    CJK words do not switch fonts back and forth.
    """
    fonts = _fonts()
    chain = _CHAINS[style]
    current = chain[0]
    if fonts.covers(current, text):  # the common case: one run in the primary font
        return ((current.name, text),) if text else ()
    result: list[tuple[str, str]] = []
    chunk: list[str] = []
    for char in text:
        if _ignorable(char):
            continue
        neutral = unicodedata.category(char)[0] in "ZP"
        if not (neutral and fonts.has(current, char)):
            face = next((f for f in chain if fonts.has(f, char)), current)
            if face is not current:
                if chunk:
                    result.append((current.name, "".join(chunk)))
                    chunk = []
                current = face
        chunk.append(char)
    if chunk:
        result.append((current.name, "".join(chunk)))
    return tuple(result)


@lru_cache(maxsize=8192)
def string_width(text: str, style: Style, size: float) -> float:
    """The width of ``text`` in points, printed in ``style`` at ``size``."""
    return sum(pdfmetrics.stringWidth(chunk, name, size) for name, chunk in runs(text, style))
