"""gui/ has one service-call path and one background-work path: gui/ops.py.

A static check over the source: no module in mtc_desktop/gui starts a thread of its own
(``threading.Thread``, a ``ThreadPoolExecutor``, ``QThread``, ``QThreadPool``, ``QRunnable``)
or catches ``MtcError`` (the refusal is routed by gui/ops.py: beside the field, or a
dialog, then the page reread) — except gui/ops.py itself."""

from __future__ import annotations

import ast
from pathlib import Path

import mtc_desktop.gui

GUI = Path(mtc_desktop.gui.__file__).parent
OPS = GUI / "ops.py"
THREADS = {"Thread", "ThreadPoolExecutor", "ProcessPoolExecutor", "QThread", "QThreadPool"}
THREAD_BASES = {"QRunnable", "QThread"}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _imports_futures(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.module == "concurrent.futures"
    if isinstance(node, ast.Import):
        return any(alias.name == "concurrent.futures" for alias in node.names)
    return False


def _offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        where = f"gui/{path.name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Call) and _name(node.func) in THREADS:
            found.append(f"{where} starts a {_name(node.func)}")
        elif isinstance(node, ast.ClassDef) and any(
            _name(base) in THREAD_BASES for base in node.bases
        ):
            found.append(f"{where} subclasses a Qt thread class")
        elif isinstance(node, ast.ExceptHandler) and node.type is not None:
            types = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            if any(_name(t) == "MtcError" for t in types):
                found.append(f"{where} catches MtcError")
        elif _imports_futures(node):
            found.append(f"{where} imports concurrent.futures")
    return found


def test_the_check_finds_what_it_forbids(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import concurrent.futures\nimport threading\n"
        "from PySide6.QtCore import QRunnable\n"
        "threading.Thread(target=print).start()\n"
        "class Job(QRunnable):\n    pass\n"
        "try:\n    pass\nexcept (ValueError, MtcError):\n    pass\n",
        encoding="utf-8",
    )
    kinds = [line.split(" ", 1)[1] for line in _offences(sample)]
    assert sorted(kinds) == [
        "catches MtcError",
        "imports concurrent.futures",
        "starts a Thread",
        "subclasses a Qt thread class",
    ]


def test_no_gui_module_starts_threads_or_catches_refusals_outside_ops() -> None:
    offences = [
        offence for path in sorted(GUI.glob("*.py")) if path != OPS for offence in _offences(path)
    ]
    assert offences == []


def test_ops_is_where_threads_start_and_refusals_are_routed() -> None:
    kinds = {line.split(" ", 1)[1] for line in _offences(OPS)}
    assert kinds == {"starts a Thread", "catches MtcError"}
