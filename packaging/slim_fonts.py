"""Make the fonts in resources/fonts/ from Debian's font packages, slimmed for embedding.

ReportLab copies a font's ``name``, ``cvt ``, ``fpgm`` and ``prep`` tables, and each used
glyph with its hinting instructions, into every PDF it embeds a subset in. Hinting does
nothing on paper or in a PDF viewer that scales the page, and DejaVu's ``name`` table
holds 14 KB of licence text (shipped beside the fonts instead). Removing both makes each
Client Authorization about half as big.

Run on a Debian machine with fontTools (a tool, not a dependency of the program):

    apt-get install fonts-dejavu-core fonts-wqy-microhei
    python3 -m venv /tmp/ft && /tmp/ft/bin/pip install fonttools
    /tmp/ft/bin/python packaging/slim_fonts.py

Changes made (as the Apache-2.0 licence of WenQuanYi Micro Hei asks to be stated): the
face "WenQuanYi Micro Hei" is taken out of the collection ``wqy-microhei.ttc``; TrueType
hinting, glyph names (``post`` format 3), vertical metrics and OpenType layout tables are
removed from all fonts; the version string says so. Outlines and metrics are unchanged.
"""

from __future__ import annotations

from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

OUT = Path(__file__).resolve().parent.parent / "resources" / "fonts"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
NOTE = "; hinting and layout tables removed for MTC Desktop"
DROP_TABLES = (
    "cvt ",
    "fpgm",
    "prep",
    "hdmx",
    "LTSH",
    "VDMX",
    "GPOS",
    "GSUB",
    "GDEF",
    "kern",
    "vhea",
    "vmtx",
    "FFTM",
    "gasp",
)
KEEP_NAMES = (0, 1, 2, 3, 4, 5, 6)  # copyright, family, style, id, full, version, PS name


def slim(font: TTFont, out: Path) -> None:
    for tag in DROP_TABLES:
        if tag in font:
            del font[tag]
    glyf = font["glyf"]
    for name in font.getGlyphOrder():
        glyf[name].removeHinting()
    font["maxp"].maxSizeOfInstructions = 0
    font["post"].formatType = 3.0
    table = font["name"]
    table.names = [rec for rec in table.names if rec.nameID in KEEP_NAMES]
    for rec in table.names:
        if rec.nameID == 5:
            rec.string = rec.toUnicode() + NOTE
    font.save(out)
    print(f"{out.name}: {out.stat().st_size:,} bytes")


def main() -> None:
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono-Bold.ttf"):
        slim(TTFont(DEJAVU / name), OUT / name)
    slim(TTCollection(WQY).fonts[0], OUT / "WenQuanYiMicroHei.ttf")


if __name__ == "__main__":
    main()
