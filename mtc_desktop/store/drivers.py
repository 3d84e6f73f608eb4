"""PostgreSQL's driver, loaded only when a PostgreSQL database is opened.

peewee imports psycopg (and with it libpq) as it is itself imported: 140-190 ms and about
20 MiB that a SQLite file never needs, paid before the program could open one.
:func:`install` (run by ``mtc_desktop/__init__.py``, so before anything of ours imports
peewee) has peewee imported with the PostgreSQL drivers hidden from it, and nothing else:
any other ``import psycopg`` works as usual. :func:`load_postgresql_driver`, called when a
``postgresql://`` database is opened, imports psycopg 3 and gives it to peewee as peewee
takes it itself.

The drivers are hidden only while peewee's module runs, once; another thread importing
psycopg in those few milliseconds would be refused. The program imports peewee (opening
its database) before it starts any thread of its own.

The same loader also defers the standard modules peewee imports but uses only inside its
functions (:data:`DEFERRED_FOR_PEEWEE`: UUID and IP fields, JSON, an index name's hash,
UTC timestamps): peewee's names for them stand in (:class:`_OnFirstUse`) until one of its
functions first uses them, which imports the module and puts it in peewee's namespace.
Together about 10 ms and 4 MiB (hashlib brings OpenSSL) that opening a database does not
need. Anyone else importing them gets the real modules, as usual.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib import import_module
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

# What peewee tries to import as it is imported (peewee 4.5), each in a try block.
HIDDEN_FROM_PEEWEE = ("psycopg2cffi", "psycopg2", "psycopg")
# What peewee imports and uses only inside its functions (peewee 4.5): loaded at first use.
DEFERRED_FOR_PEEWEE = ("uuid", "socket", "hashlib", "json", "calendar")


# The import system's protocols, not importlib.abc's classes: importing importlib.abc
# (and importlib.resources with it) would cost the start-up about 7 ms.


class _OnFirstUse(ModuleType):
    """Stands in ``owner``'s namespace for a module it has not used yet: the first attribute
    asked for imports the module and puts it in ``owner`` in this stand-in's place. Its
    dunder names are its own (import machinery and ``inspect`` look at them), so looking
    at it loads nothing."""

    def __init__(self, name: str, owner: ModuleType) -> None:
        super().__init__(name)
        self._owner = owner

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        name = self.__name__
        if sys.modules.get(name) is self:  # used while its owner was still being imported
            del sys.modules[name]
        real = import_module(name)
        if getattr(self._owner, name, None) is self:
            setattr(self._owner, name, real)
        return getattr(real, attr)


class _WithoutDrivers:
    """peewee's own loader, running peewee's module with the drivers unimportable and the
    modules it needs only later deferred."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        hidden = [name for name in HIDDEN_FROM_PEEWEE if name not in sys.modules]
        for name in hidden:
            sys.modules[name] = None  # type: ignore[assignment]  # "import" raises ImportError
        later = {
            name: _OnFirstUse(name, module)
            for name in DEFERRED_FOR_PEEWEE
            if name not in sys.modules
        }
        sys.modules.update(later)
        try:
            self.loader.exec_module(module)
        finally:
            for name in hidden:
                if name in sys.modules and sys.modules[name] is None:
                    del sys.modules[name]
            for name, stand_in in later.items():
                if sys.modules.get(name) is stand_in:
                    del sys.modules[name]

    def __getattr__(self, name: str) -> Any:  # get_source, get_filename, is_package...
        return getattr(self.loader, name)


class _PeeweeFinder:
    """Finds peewee through the other finders (a venv, a frozen program alike) and hands
    back its spec with :class:`_WithoutDrivers` around its loader. Once only."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != "peewee":
            return None
        _uninstall()
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _WithoutDrivers(spec.loader)
                return spec
        return None


_finder = _PeeweeFinder()


def install() -> None:
    """Have peewee, when it is first imported, imported without PostgreSQL's drivers."""
    if "peewee" not in sys.modules and _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)


def _uninstall() -> None:
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)


def load_postgresql_driver() -> None:
    """Give peewee psycopg 3, if peewee was imported without it. Without psycopg installed
    this does nothing, and peewee says "psycopg postgres driver not found" on connecting."""
    import peewee

    orm: Any = peewee  # these names are not in peewee's type hints
    if orm.psycopg is not None:
        return
    try:
        import psycopg
        from psycopg.pq import TransactionStatus
        from psycopg.types.json import Json, Jsonb
    except ImportError:
        return
    # What peewee's module does when psycopg imports: its names, and the class attributes
    # its psycopg 3 adapter sets only then.
    orm.psycopg = psycopg
    orm.TransactionStatus = TransactionStatus
    orm.Json_pg3 = Json
    orm.Jsonb_pg3 = Jsonb
    adapter = orm.Psycopg3Adapter
    adapter.txn_idle = TransactionStatus.IDLE
    adapter.txn_inerror = TransactionStatus.INERROR
    adapter.txn_unknown = TransactionStatus.UNKNOWN
