"""Finding the files in ``resources/`` (icons, fonts, stylesheets, help), both in a source
checkout and in an installed or frozen program."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    here = Path(__file__).resolve().parent
    candidates = [
        here.parent / "resources",  # source checkout / editable install
        here / "resources",  # installed wheel
        Path(getattr(sys, "_MEIPASS", here)) / "resources",  # frozen bundle
    ]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("MTC Desktop's resources folder is missing; reinstall the program.")


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
