"""Only ``mtc_desktop/gui/`` may import Qt (DESIGN.md §4), checked three ways: the
import-linter contracts of ``pyproject.toml``, a scan of every module's import statements,
and importing every non-GUI module in a fresh interpreter."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "mtc_desktop"
GUI = PACKAGE / "gui"
QT_PACKAGES = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2")


def qt_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every Qt import in ``source``, at any depth (functions,
    ``if TYPE_CHECKING``, try blocks) and through ``importlib.import_module("...")``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        found += [(node.lineno, name) for name in names if name.split(".")[0] in QT_PACKAGES]
    return found


def non_gui_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if GUI not in p.parents)


def test_the_scan_finds_qt_imports_wherever_they_hide() -> None:
    source = textwrap.dedent(
        """
        import os, PySide6.QtCore
        from PySide6 import QtWidgets
        from shiboken6 import isValid
        import importlib
        def later():
            from PySide6.QtGui import QIcon
            return importlib.import_module("PySide6.QtPdf")
        try:
            import PyQt6
        except ImportError:
            pass
        from .PySide6 import nothing  # relative: one of ours, not Qt
        import PySide6_addons_is_not_qt
        """
    )
    assert sorted(line for line, _ in qt_imports(source)) == [2, 3, 4, 7, 8, 10]


def test_the_scan_sees_the_whole_package() -> None:
    modules = non_gui_modules()
    parts = {p.relative_to(PACKAGE).parts[0] for p in modules}
    assert {"domain", "store", "services", "cli.py", "__init__.py"} <= parts
    assert not any(GUI in p.parents for p in modules)


def test_no_module_outside_gui_imports_qt() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: import {name}"
        for path in non_gui_modules()
        for line, name in qt_imports(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "Only mtc_desktop/gui may import Qt:\n" + "\n".join(offenders)


def test_importing_everything_outside_gui_loads_no_qt() -> None:
    script = textwrap.dedent(
        """
        import importlib, pkgutil, sys
        import mtc_desktop
        for info in pkgutil.walk_packages(mtc_desktop.__path__, "mtc_desktop."):
            if info.name == "mtc_desktop.gui" or info.name.startswith("mtc_desktop.gui."):
                continue
            if ".migrations." in info.name:
                continue
            importlib.import_module(info.name)
        qt = sorted(m for m in sys.modules if m.split(".")[0] in QT_PACKAGES)
        print("\\n".join(qt))
        """
    ).replace("QT_PACKAGES", repr(QT_PACKAGES))
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", "Qt loaded by a non-GUI module:\n" + result.stdout


@pytest.mark.slow
def test_import_linter_contracts_hold() -> None:
    """pyproject.toml's contracts: Qt only in gui, and the layers gui > services > store >
    domain."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Only mtc_desktop.gui imports Qt KEPT" in result.stdout
