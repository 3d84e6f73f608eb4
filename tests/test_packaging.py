"""Desktop integration and packaging: the menu entry and AppStream file pass their
validators, they agree with each other and with the program, the icon files are what their
names say, and the running program finds its icon wherever it is installed.

The wheel and the frozen program themselves are built and used by packaging/ci-smoke.sh.
"""

from __future__ import annotations

import configparser
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from mtc_desktop import APP_NAME, __version__, resources
from mtc_desktop.gui import app as gui_app

ROOT = Path(__file__).resolve().parents[1]
LINUX = ROOT / "packaging" / "linux"
ICONS = ROOT / "resources" / "icons"
APP_ID = gui_app.DESKTOP_FILE_NAME
DESKTOP_FILE = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
PNG_SIZES = (16, 32, 48, 64, 128, 256)


def validator(name: str) -> str:
    """The validator's path; CI installs it (.ci/run), so there a missing one fails."""
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed; .ci/run should have installed it")
        pytest.skip(f"{name} is not installed")
    return found


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP_FILE, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_file_passes_desktop_file_validate() -> None:
    result = subprocess.run(
        [validator("desktop-file-validate"), str(DESKTOP_FILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert not result.stdout.strip(), result.stdout  # hints and warnings are printed too


def test_metainfo_passes_appstreamcli_validate() -> None:
    result = subprocess.run(
        [validator("appstreamcli"), "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Errors and warnings fail; "I:" infos (e.g. a tag newer than this appstream) do not.
    problems = [line for line in result.stdout.splitlines() if line.startswith(("E:", "W:"))]
    assert not problems, result.stdout


def test_desktop_entry_names_the_program_and_its_icon() -> None:
    entry = desktop_entry()
    assert entry["Name"] == APP_NAME
    assert entry["Exec"].split()[0] == "mtc-desktop"  # the console script of pyproject.toml
    assert entry["Icon"] == "mtc-desktop"
    assert (ICONS / f"{entry['Icon']}.svg").is_file()
    assert entry["StartupWMClass"] == APP_NAME  # the window's WM_CLASS: the application name


def test_metainfo_agrees_with_the_desktop_entry_and_the_version() -> None:
    component = ET.parse(METAINFO).getroot()
    assert component.findtext("id") == APP_ID
    assert component.findtext("name") == APP_NAME
    assert component.findtext("launchable[@type='desktop-id']") == DESKTOP_FILE.name
    assert component.findtext("provides/binary") == "mtc-desktop"
    releases = component.findall("releases/release")
    assert releases, "the metainfo lists no release"
    assert releases[0].get("version") == __version__, "add this version to <releases>, newest first"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("size", PNG_SIZES)
def test_png_icon_has_the_size_in_its_name(size: int) -> None:
    assert png_size(ICONS / f"mtc-desktop-{size}.png") == (size, size)


def test_windows_and_macos_icons_hold_every_size() -> None:
    ico = (ICONS / "mtc-desktop.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1)
    sides = {ico[6 + 16 * i] or 256 for i in range(count)}
    assert sides >= {16, 32, 48, 256}
    icns = (ICONS / "mtc-desktop.icns").read_bytes()
    assert icns[:4] == b"icns"
    assert struct.unpack(">I", icns[4:8])[0] == len(icns)


def test_the_running_program_has_its_icon_and_desktop_file_name(qapp: QApplication) -> None:
    gui_app._apply_look(qapp)
    icon = qapp.windowIcon()
    assert not icon.isNull()
    for size in (16, 48, 256):
        pixmap = icon.pixmap(size, size)
        assert not pixmap.isNull(), f"the icon has no picture at {size} px"
        assert pixmap.width() == size
        # Mass.gov blue low on the page, clear of the lines and the check: the icon was
        # drawn, not an empty image.
        color = pixmap.toImage().pixelColor(size // 4, size * 85 // 100)
        assert (color.red(), color.green(), color.blue()) == (0x14, 0x55, 0x8F)
    assert qapp.desktopFileName() == APP_ID


@pytest.fixture
def fresh_resources_dir() -> Iterator[None]:
    resources.resources_dir.cache_clear()
    yield
    resources.resources_dir.cache_clear()


def test_a_frozen_program_finds_its_resources_in_its_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_resources_dir: None
) -> None:
    (tmp_path / "resources" / "styles").mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resources_dir() == tmp_path / "resources"


def test_a_checkout_finds_its_own_resources(fresh_resources_dir: None) -> None:
    assert resources.resources_dir() == ROOT / "resources"
    assert resources.resource("icons", "mtc-desktop.svg").is_file()


def test_smoke_mode_shows_the_login_window_and_quits(tmp_path: Path) -> None:
    env = dict(os.environ, MTC_DESKTOP_SMOKE="1", QT_QPA_PLATFORM="offscreen")
    script = "import sys; from mtc_desktop.cli import main; sys.exit(main())"
    result = subprocess.run(
        [sys.executable, "-c", script, "--demo"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok", result.stdout + result.stderr
