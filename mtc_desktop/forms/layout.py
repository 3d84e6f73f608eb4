"""Laying out a form: measuring and wrapping text, drawing it with font fallback, and
flowing measured blocks onto pages.

A form is a list of :class:`Block` objects, each measured before anything is drawn; the
paginator places them, so the page count is known before the first page is drawn (what
"Page X of Y" needs) and no block is ever split across a page break.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from mtc_desktop.forms import fonts
from mtc_desktop.forms.fonts import Style

LEADING = 1.24  # line height as a multiple of the type size
ASCENT = 0.93  # from the top of a line box down to its baseline, per point of type size
DESCENT = 0.24  # below the baseline, per point (DejaVu's descender)

INK = colors.black


def width(text: str, style: Style, size: float) -> float:
    return fonts.string_width(text, style, size)


def line_height(size: float) -> float:
    return size * LEADING


def wrap(text: str, style: Style, size: float, max_width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width``: at spaces, and inside a word
    (a CJK name has no spaces) only when the word alone is too wide."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if width(candidate, style, size) <= max_width:
            line = candidate
            continue
        if line:
            lines.append(line)
        if width(word, style, size) <= max_width:
            line = word
            continue
        line = ""
        for char in word:
            if line and width(line + char, style, size) > max_width:
                lines.append(line)
                line = char
            else:
                line += char
    if line or not lines:
        lines.append(line)
    return lines


def fit(
    text: str, style: Style, size: float, max_width: float, max_lines: int, min_size: float
) -> tuple[float, list[str]]:
    """Shrink ``text`` from ``size`` toward ``min_size`` until it wraps into ``max_lines``;
    at ``min_size`` it takes as many lines as it needs. No line is wider than
    ``max_width``, so nothing runs off the page."""
    while True:
        lines = wrap(text, style, size, max_width)
        if len(lines) <= max_lines or size <= min_size:
            return size, lines
        size = max(min_size, size - 0.5)


def draw_runs(c: Canvas, x: float, y: float, text: str, style: Style, size: float) -> float:
    """Draw one line at baseline ``y``, switching fonts by character; return its width."""
    start = x
    for name, chunk in fonts.runs(text, style):
        c.setFont(name, size)
        c.drawString(x, y, chunk)
        x += pdfmetrics.stringWidth(chunk, name, size)
    return x - start


class Pen:
    """Text, boxes and rules on a canvas, measured the same way they are laid out.

    Text is placed by the *top* of its line box, as the layout measures it.
    """

    def __init__(self, canvas: Canvas) -> None:
        self.c = canvas

    def text(
        self,
        x: float,
        top: float,
        text: str,
        style: Style = Style.REGULAR,
        size: float = 8.4,
        color: colors.Color = INK,
        align: str = "left",
    ) -> None:
        if align != "left":
            w = width(text, style, size)
            x -= w if align == "right" else w / 2
        self.c.setFillColor(color)
        draw_runs(self.c, x, top - size * ASCENT, text, style, size)

    def lines(
        self,
        x: float,
        top: float,
        lines: Sequence[str],
        style: Style = Style.REGULAR,
        size: float = 8.4,
        color: colors.Color = INK,
        align: str = "left",
    ) -> float:
        """Lines from ``top`` down; return the height used."""
        step = line_height(size)
        for i, line in enumerate(lines):
            self.text(x, top - i * step, line, style, size, color, align)
        return step * len(lines)

    def box(
        self,
        x: float,
        top: float,
        w: float,
        h: float,
        fill: colors.Color | None = None,
        stroke: colors.Color | None = INK,
        line_width: float = 0.6,
    ) -> None:
        c = self.c
        c.saveState()
        if fill is not None:
            c.setFillColor(fill)
        if stroke is not None:
            c.setStrokeColor(stroke)
            c.setLineWidth(line_width)
        c.rect(x, top - h, w, h, stroke=int(stroke is not None), fill=int(fill is not None))
        c.restoreState()

    def hline(
        self, x0: float, x1: float, y: float, line_width: float = 0.5, color: colors.Color = INK
    ) -> None:
        self._line(x0, y, x1, y, line_width, color)

    def vline(
        self, x: float, y0: float, y1: float, line_width: float = 0.5, color: colors.Color = INK
    ) -> None:
        self._line(x, y0, x, y1, line_width, color)

    def _line(
        self, x0: float, y0: float, x1: float, y1: float, line_width: float, color: colors.Color
    ) -> None:
        c = self.c
        c.saveState()
        c.setStrokeColor(color)
        c.setLineWidth(line_width)
        c.line(x0, y0, x1, y1)
        c.restoreState()


Draw = Callable[[Pen, float], None]


@dataclass
class Block:
    """Something of known height, drawn with its top at a given y."""

    height: float
    draw: Draw
    gap_after: float = 0.0
    keep_with_next: bool = False  # never the last thing on a page
    repeat: Block | None = None  # drawn first when this block starts a page (table head)
    name: str = ""


@dataclass
class Page:
    placed: list[tuple[Block, float]] = field(default_factory=list)


def paginate(
    blocks: Sequence[Block], first_top: float, next_top: float, bottom: float
) -> list[Page]:
    """Place ``blocks`` top to bottom, starting a page when the next one (with the blocks
    it is kept with) would go below ``bottom``."""
    pages = [Page()]
    y = first_top
    for i, block in enumerate(blocks):
        need = block.height
        j = i
        while blocks[j].keep_with_next and j + 1 < len(blocks):
            need += blocks[j].gap_after + blocks[j + 1].height
            j += 1
        if y - need < bottom and pages[-1].placed:
            pages.append(Page())
            y = next_top
            if block.repeat is not None:
                pages[-1].placed.append((block.repeat, y))
                y -= block.repeat.height + block.repeat.gap_after
        pages[-1].placed.append((block, y))
        y -= block.height + block.gap_after
    return pages
