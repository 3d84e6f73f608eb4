"""PostgreSQL's driver loads only for a PostgreSQL database (store/drivers.py): opening a
SQLite file never imports psycopg or libpq, and peewee, given psycopg later, holds what it
holds when it imports psycopg itself. Each check runs in a fresh interpreter, as the
program starts."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.databases import DatabaseRef, is_postgresql

DRIVER_PACKAGES = ("psycopg", "psycopg2", "psycopg_binary", "psycopg_c", "psycopg2cffi")

OPEN_AND_WRITE = textwrap.dedent(
    """
    import json, sys
    from mtc_desktop.services.base import transaction
    from mtc_desktop.store import database
    from mtc_desktop.store.models import Setting

    database.open_database(sys.argv[1])
    with transaction():
        Setting.create(key="driver_check", value="written")
    value = Setting.get(Setting.key == "driver_check").value
    database.close_database()
    loaded = sorted(n for n in sys.modules if n.split(".")[0] in sys.argv[2:])
    print(json.dumps({"value": value, "loaded": loaded}))
    """
)

# peewee's module-level names and its psycopg 3 adapter's class attributes, with what
# differs between processes (addresses) left out.
PEEWEE_STATE = textwrap.dedent(
    """
    import json, re, sys, types

    def shown(value):
        if isinstance(value, types.ModuleType):
            return "module " + value.__name__
        if isinstance(value, type):
            return "class " + value.__module__ + "." + value.__qualname__
        if callable(value):
            return "callable " + getattr(value, "__qualname__", type(value).__name__)
        if isinstance(value, (set, frozenset)):  # in an order of its own in each process
            return repr(sorted(map(repr, value)))
        return re.sub(r" at 0x[0-9a-f]+", "", repr(value))

    def state(peewee):
        names = {
            name: shown(value)
            for name, value in vars(peewee).items()
            if name not in ("__loader__", "__spec__")  # how it was imported
        }
        adapter = {
            name: shown(value) for name, value in vars(peewee.Psycopg3Adapter).items()
        }
        return {"module": names, "adapter": adapter}
    """
)


def _child(code: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_opening_a_database_loads_postgresql_driver_only_for_postgresql(
    database: DatabaseRef,
) -> None:
    found = _child(OPEN_AND_WRITE, str(database), *DRIVER_PACKAGES)
    assert found["value"] == "written"
    if is_postgresql(database):
        assert "psycopg" in found["loaded"]
    else:
        assert found["loaded"] == []


def test_peewee_given_the_driver_later_holds_what_it_takes_itself() -> None:
    itself = _child(PEEWEE_STATE + "import peewee\nprint(json.dumps(state(peewee)))")
    assert itself["module"]["psycopg"] == "module psycopg"  # peewee found it on its own
    later = _child(
        PEEWEE_STATE
        + textwrap.dedent(
            """
            import mtc_desktop, peewee
            before = peewee.psycopg
            from mtc_desktop.store.drivers import load_postgresql_driver
            load_postgresql_driver()
            found = state(peewee)
            found["before"] = repr(before)
            print(json.dumps(found))
            """
        )
    )
    assert later.pop("before") == "None"  # imported without it
    assert later == itself


def test_other_code_imports_psycopg_as_usual() -> None:
    found = _child(
        "import json, mtc_desktop, peewee, psycopg\n"
        "print(json.dumps({'peewee': repr(peewee.psycopg), 'psycopg': psycopg.__name__}))"
    )
    assert found == {"peewee": "None", "psycopg": "psycopg"}


def test_peewee_loads_the_modules_it_uses_only_in_its_functions_at_their_first_use() -> None:
    found = _child(
        textwrap.dedent(
            """
            import datetime, sys
            import mtc_desktop, peewee
            from mtc_desktop.store.drivers import DEFERRED_FOR_PEEWEE

            before = sorted(name for name in DEFERRED_FOR_PEEWEE if name in sys.modules)
            db = peewee.SqliteDatabase(":memory:")

            class Thing(peewee.Model):
                key = peewee.UUIDField(null=True)
                address = peewee.IPField(null=True)
                at = peewee.TimestampField(utc=True, null=True)

                class Meta:
                    database = db
                    legacy_table_names = False  # index names start with the table's
                    table_name = "thing_with_a_name_long_enough_to_be_shortened_" + "x" * 40

            db.connect()
            Thing.add_index(Thing.key, Thing.address, Thing.at)  # its name shortened by md5
            db.create_tables([Thing])
            Thing.create(
                key="12345678-1234-5678-1234-567812345678",
                address="10.1.2.3",
                at=datetime.datetime(2026, 1, 2, 3, 4, 5),
            )
            row = Thing.get()
            indexes = [index.name for index in db.get_indexes(Thing._meta.table_name)]
            words = peewee.json.loads('["json"]')
            import json

            print(json.dumps({
                "before": before,
                "row": [str(row.key), row.address, row.at.isoformat()],
                "shortened": [len(name) <= 64 for name in indexes],
                "json": words,
                "same": {
                    name: getattr(peewee, name) is sys.modules.get(name)
                    for name in DEFERRED_FOR_PEEWEE
                },
            }))
            """
        )
    )
    assert found["before"] == []  # importing peewee loaded none of them
    assert found["row"] == [
        "12345678-1234-5678-1234-567812345678",
        "10.1.2.3",
        "2026-01-02T03:04:05",
    ]
    assert found["shortened"] == [True]
    assert found["json"] == ["json"]
    # Each, once used, is the module itself in peewee's namespace.
    assert found["same"] == dict.fromkeys(("uuid", "socket", "hashlib", "json", "calendar"), True)
