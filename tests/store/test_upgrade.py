"""Upgrading a database written by the first release (schema 1) to the current schema
(from 2 on, with the email delivery columns): its data kept, the check passing, a refusal
without ``upgrade``."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from peewee import SqliteDatabase
from playhouse.migrations import Runner

from mtc_desktop.cli import main
from mtc_desktop.store import database as store_db
from mtc_desktop.store.database import (
    HISTORY_TABLE,
    MIGRATIONS_DIR,
    DatabaseRefused,
    check_database,
    open_database,
    read_stamp,
    schema_version,
)
from mtc_desktop.store.models import ALL_MODELS, Logon, Message, db
from tests.store.helpers import file_digest
from tests.store.test_database import _schema

# A release-1 file and its stamp (on PostgreSQL: tests/store/test_postgresql.py).
pytestmark = pytest.mark.sqlite_only


def make_schema_1(path: Path) -> None:
    """A database as release 1 left it: migration 0001 only, stamped 1, with one email."""
    database = store_db.connect(store_db.resolve_target(str(path)))
    database.connect()
    database.execute_sql(f"PRAGMA application_id = {store_db.APPLICATION_ID:d}")
    Runner(database, str(MIGRATIONS_DIR), table_name=HISTORY_TABLE).up("0001_initial")
    database.execute_sql("PRAGMA user_version = 1")
    database.execute_sql(
        "INSERT INTO message (to_address, kind, subject, body, eml, created_at) "
        "VALUES ('ann@mail.example', 'email', 'Hello', 'Body', 'raw', '2026-03-01 09:00:00')"
    )
    database.execute_sql(
        "INSERT INTO message (to_address, kind, subject, body, eml, created_at, sent_at) "
        "VALUES ('bo@mail.example', 'email', 'Sent', 'Body', 'raw', '2026-03-01 09:00:00', "
        "'2026-03-01 09:05:00')"
    )
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()


@pytest.fixture
def schema_1(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "release-1.db"
    make_schema_1(path)
    yield path
    store_db.close_database()


def columns(path: Path, table: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    finally:
        conn.close()


def test_the_fixture_is_a_schema_1_database(schema_1: Path) -> None:
    assert read_stamp(schema_1).user_version == 1
    assert "attempts" not in columns(schema_1, "message")
    report = check_database(str(schema_1))
    assert not report.ok
    assert f"schema 1, older than this version's {schema_version()}" in report.lines[0]


def test_opening_upgrades_schema_1_and_keeps_the_messages(schema_1: Path) -> None:
    open_database(schema_1)
    assert read_stamp(schema_1).user_version == schema_version() >= 2
    rows = list(Message.select().order_by(Message.id))
    assert [(m.subject, m.sent_at is not None) for m in rows] == [("Hello", False), ("Sent", True)]
    for m in rows:
        assert (m.attempts, m.last_error, m.next_attempt_at) == (0, "", None)
        assert (m.claim_token, m.claimed_until, m.failed_at) == (None, None, None)
    names = [r[0] for r in db.execute_sql(f"SELECT name FROM {HISTORY_TABLE} ORDER BY id")]
    assert names[:2] == ["0001_initial", "0002_email_delivery"]
    assert len(names) == schema_version()
    store_db.close_database()
    report = check_database(str(schema_1))
    assert report.ok, report.lines
    assert report.lines[-1] == f"schema: {schema_version()} (current)"


def test_an_upgraded_database_has_exactly_the_schema_of_a_new_one(
    schema_1: Path, tmp_path: Path
) -> None:
    open_database(schema_1)
    upgraded = _schema(db.obj)
    store_db.close_database()
    open_database(tmp_path / "new.db")
    assert upgraded == _schema(db.obj)
    memory = SqliteDatabase(":memory:")
    with memory.bind_ctx(ALL_MODELS):
        memory.create_tables(ALL_MODELS)
        assert upgraded == _schema(memory)


def test_without_upgrade_schema_1_is_refused_and_left_as_it_was(schema_1: Path) -> None:
    before = file_digest(schema_1)
    with pytest.raises(
        DatabaseRefused, match=rf"needs a schema upgrade \(schema 1 to {schema_version()}\)"
    ):
        open_database(schema_1, upgrade=False)
    assert file_digest(schema_1) == before
    assert read_stamp(schema_1).user_version == 1


def test_db_upgrade_command_upgrades_schema_1(
    schema_1: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade", "--database", str(schema_1)]) == 0
    assert f"{schema_1} upgraded to schema {schema_version()}." in capsys.readouterr().out
    assert read_stamp(schema_1).user_version == schema_version()
    assert "claim_token" in columns(schema_1, "message")
    assert check_database(str(schema_1)).ok


def test_upgrading_makes_the_staff_made_before_administrators(schema_1: Path) -> None:
    """Staff logons were made on the command line before administrators existed: each
    becomes one, so an upgraded office keeps someone who can manage its staff."""
    conn = sqlite3.connect(schema_1)
    with conn:
        for name, role in (("clerk", "dor_staff"), ("firm", "third_party")):
            conn.execute(
                "INSERT INTO logon (username, username_key, email, email_key, password_hash, "
                "role, display_name, client_view, created_at) "
                "VALUES (?, ?, ?, ?, 'x', ?, ?, 0, '2026-03-01 09:00:00')",
                (name, name, f"{name}@mail.example", f"{name}@mail.example", role, name),
            )
    conn.close()
    open_database(schema_1)
    rows = {
        logon.username: (logon.administrator, logon.disabled_at, logon.code_hash)
        for logon in Logon.select()
    }
    assert rows == {"clerk": (True, None, None), "firm": (False, None, None)}
    assert [c for c in columns(schema_1, "tax_account") if c == "closed_at"] == ["closed_at"]
