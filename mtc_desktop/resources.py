"""Finding the files in ``resources/`` (icons, fonts, stylesheets, help), both in a source
checkout and in an installed or frozen program."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


def _candidates() -> list[Path]:
    here = Path(__file__).resolve().parent
    found = []
    if getattr(sys, "frozen", False):
        # PyInstaller: the bundle's data folder (beside the executable in a one-folder build).
        found.append(Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "resources")
    found.append(here / "resources")  # installed wheel: setup.py copies resources/ in
    if (here.parent / "pyproject.toml").is_file():
        # Source checkout or editable install; the marker keeps an unrelated top-level
        # ``resources`` folder in site-packages from being taken for ours.
        found.append(here.parent / "resources")
    return found


@cache
def resources_dir() -> Path:
    for candidate in _candidates():
        if (candidate / "styles").is_dir():
            return candidate
    raise FileNotFoundError("MTC Desktop's resources folder is missing; reinstall the program.")


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
