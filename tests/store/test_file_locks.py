"""SQLite keeps its locks on a database file as POSIX locks, which a process loses on
*every* descriptor of that file when it closes *any* one of them. Reading the file's
header (the stamp) with a plain ``open()``/``close()`` while this process has the
database open dropped the locks of its live connection: another workstation closing its
own connection then believed itself the last one, checkpointed and deleted the WAL, and
this process's next commit went into a deleted file — reported saved, lost for everyone
(seen as a lost registration in tests/services/test_races.py, about 1 run in 12)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mtc_desktop.store import database as store_db
from mtc_desktop.store.models import db

OTHER_WORKSTATION = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); {}; c.close()"


def other_workstation(path: Path, statement: str) -> str:
    """Run ``statement`` on the file in another process, as another workstation would, and
    close its connection; what it printed."""
    code = OTHER_WORKSTATION.format(statement)
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture
def opened(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "office.db"
    store_db.open_database(path)
    try:
        yield path
    finally:
        store_db.close_database()


def _commit_a_row_and_count_it_elsewhere(path: Path) -> str:
    other_workstation(path, "c.execute('SELECT count(*) FROM logon').fetchone()")
    db.execute_sql("CREATE TABLE IF NOT EXISTS probe (x INTEGER)")
    with db.atomic():
        db.execute_sql("INSERT INTO probe VALUES (1)")
    return other_workstation(path, "print(c.execute('SELECT count(*) FROM probe').fetchone()[0])")


def test_a_commit_after_another_workstation_closed_is_kept(opened: Path) -> None:
    assert _commit_a_row_and_count_it_elsewhere(opened) == "1"


@pytest.mark.parametrize(
    "read",
    [
        lambda path: store_db.read_stamp(path),
        lambda path: store_db.needs_upgrade(path),
        lambda path: store_db.stored_version(store_db.resolve_target(path)),
    ],
    ids=["read_stamp", "needs_upgrade", "stored_version"],
)
def test_reading_the_stamp_while_open_keeps_the_connections_locks(opened: Path, read) -> None:  # type: ignore[no-untyped-def]
    read(opened)
    assert _commit_a_row_and_count_it_elsewhere(opened) == "1"


def test_the_stamp_read_while_open_is_the_files(opened: Path) -> None:
    stamp = store_db.read_stamp(opened)
    assert stamp.exists
    assert stamp.application_id == store_db.APPLICATION_ID
    assert stamp.user_version == store_db.schema_version()
    conn = sqlite3.connect(opened)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == stamp.user_version
    finally:
        conn.close()
