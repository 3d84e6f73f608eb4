"""Compile the Qt Designer layouts in ui/ into mtc_desktop/gui/forms/ui_*.py.

    python packaging/compile_ui.py          # write the modules
    python packaging/compile_ui.py --check  # exit 1 if a module is stale

The generated modules are committed (so the program starts without a compile step) and
never edited by hand; tests/gui/test_ui_forms.py fails when one is out of date.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UI_DIR = ROOT / "ui"
OUT_DIR = ROOT / "mtc_desktop" / "gui" / "forms"


def _uic() -> str:
    here = Path(sys.executable).parent / "pyside6-uic"
    return str(here) if here.exists() else (shutil.which("pyside6-uic") or "pyside6-uic")


_UIC_VERSION = re.compile(
    r"^(## Created by: Qt User Interface Compiler) version \S+$", re.MULTILINE
)
_IMPORT = re.compile(r"^from (PySide6\.\w+) import \(([^)]*)\)\n", re.MULTILINE)


def trim_imports(source: str) -> str:
    """Keep only the names the form uses from the imports uic writes.

    uic imports some sixty classes whatever the form needs; PySide6 initializes each class
    on import, and ``Qt``'s namespace alone (all its enums at once) costs about 23 ms of the
    login window's start-up.
    """
    body = re.sub(r"#.*", "", _IMPORT.sub("", source))

    def keep(match: re.Match[str]) -> str:
        names = [n.strip() for n in match.group(2).split(",") if n.strip()]
        used = [n for n in names if re.search(rf"\b{n}\b", body)]
        if not used:
            return ""
        return f"from {match.group(1)} import ({', '.join(used)})\n"

    return _IMPORT.sub(keep, source)


def compile_one(ui: Path, out: Path) -> None:
    subprocess.run([_uic(), "--from-imports", str(ui), "-o", str(out)], check=True)
    # uic stamps neither date nor path into the file; its own version is left out too, so
    # the output is the same from every PySide6 the project allows (6.11 on Python 3.11).
    text = _UIC_VERSION.sub(r"\1", out.read_text(encoding="utf-8"))
    out.write_text(trim_imports(text), encoding="utf-8")


def target_for(ui: Path) -> Path:
    return OUT_DIR / f"ui_{ui.stem}.py"


def stale() -> list[str]:
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for ui in sorted(UI_DIR.glob("*.ui")):
            fresh = Path(tmp) / target_for(ui).name
            compile_one(ui, fresh)
            current = target_for(ui)
            if not current.exists() or current.read_text() != fresh.read_text():
                problems.append(f"{current.relative_to(ROOT)} is out of date with {ui.name}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.check:
        problems = stale()
        for line in problems:
            print(line)
        return 1 if problems else 0
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for ui in sorted(UI_DIR.glob("*.ui")):
        compile_one(ui, target_for(ui))
        print(f"{ui.name} -> {target_for(ui).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
