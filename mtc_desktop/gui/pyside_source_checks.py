"""Spare the start-up PySide6's source reading for modules that cannot use it.

PySide6 (its ``__feature__`` import hook, PYSIDE-1019/2029) reads the source of every
module the first time an import statement names it, to see whether the module says
"PySide6" and may switch its features (``snake_case``...), and records the answer in a
table by module name: 0 for a module that does, -1 (ignore) for one that does not. Every
``import typing``, ``import logging``, ``import peewee`` after PySide6 loaded cost that
reading: about 10 ms of processor time before the database was open. The standard
library's modules and :data:`NOT_USING_QT` never say "PySide6", so importing this module
enters them as -1 up front, the answer the reading would give. ``gui/app.py`` imports it
before anything else. A PySide6 without that table: nothing is done.
"""

from __future__ import annotations

import sys

import PySide6.QtCore  # noqa: F401  # installs PySide6's import hook and its table

# Besides the standard library's top-level modules: peewee's 340 KB alone took 2 ms.
NOT_USING_QT = ("peewee", "playhouse", "sqlite3.dbapi2")


def skip_source_checks() -> None:
    table = getattr(sys.modules.get("__feature__"), "pyside_feature_dict", None)
    if not isinstance(table, dict):
        return
    standard = sys.stdlib_module_names
    for name in (*standard, *NOT_USING_QT):
        table.setdefault(name, -1)
    for name in list(sys.modules):  # submodules loaded already (collections.abc...)
        if name.partition(".")[0] in standard:
            table.setdefault(name, -1)


skip_source_checks()
