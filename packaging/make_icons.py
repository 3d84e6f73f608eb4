"""Render the application icon, resources/icons/mtc-desktop.svg, into the files that
desktops and installers want: PNGs at the usual sizes, a Windows .ico and a macOS .icns.

    python packaging/make_icons.py

Run it after editing the SVG and commit what it writes. It uses Qt's own SVG renderer
(QtSvg, part of PySide6-Essentials), so it needs nothing the development venv lacks.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SVG = ICONS / "mtc-desktop.svg"
PNG_SIZES = (16, 32, 48, 64, 128, 256)  # committed as mtc-desktop-N.png (hicolor sizes)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# The PNG-holding icns types by pixel size (macOS 10.7 and later read PNG data in each).
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09"}
ICNS_RETINA_1024 = b"ic10"  # 512x512@2x


def render_png(renderer: QSvgRenderer, size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError(f"could not encode the {size}px icon as PNG")
    buffer.close()
    return bytes(data.data())


def ico(images: dict[int, bytes]) -> bytes:
    """An ICO file whose entries are PNG images (read by Windows Vista and later)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, blobs = b"", b""
    for size, png in sorted(images.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return header + entries + blobs


def icns(chunks: list[tuple[bytes, bytes]]) -> bytes:
    """An Apple icon image: 'icns', the total length, then (type, length, PNG) chunks."""
    body = b"".join(kind + struct.pack(">I", 8 + len(png)) + png for kind, png in chunks)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"{SVG} is not a valid SVG", file=sys.stderr)
        return 1
    sizes = sorted({*PNG_SIZES, *ICO_SIZES, *ICNS_TYPES, 1024})
    pngs = {size: render_png(renderer, size) for size in sizes}
    written = []
    for size in PNG_SIZES:
        path = ICONS / f"mtc-desktop-{size}.png"
        path.write_bytes(pngs[size])
        written.append(path)
    (ICONS / "mtc-desktop.ico").write_bytes(ico({s: pngs[s] for s in ICO_SIZES}))
    chunks = [(kind, pngs[size]) for size, kind in ICNS_TYPES.items()]
    chunks.append((ICNS_RETINA_1024, pngs[1024]))
    (ICONS / "mtc-desktop.icns").write_bytes(icns(chunks))
    written += [ICONS / "mtc-desktop.ico", ICONS / "mtc-desktop.icns"]
    for path in written:
        print(f"{path.relative_to(ICONS.parent.parent)} ({path.stat().st_size:,} bytes)")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
