"""A shared office database on PostgreSQL: made by the migrations in an empty database,
refused when it is another program's or a newer version's, checked, upgraded from release
1 (once, however many workstations open it at the same moment), filled with demo data
only when empty, and backed up and restored with ``pg_dump`` and ``pg_restore``.

What the SQLite tests learn from a file's header, these learn from the server's catalog.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from peewee import Database
from playhouse.migrations import Runner

from mtc_desktop.cli import main
from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.model import Role
from mtc_desktop.services import audit, clients, demo, logons
from mtc_desktop.store import database as store_db
from mtc_desktop.store.database import (
    HISTORY_TABLE,
    MIGRATIONS_DIR,
    PG_WRITE_LOCK,
    DatabaseRefused,
    check_database,
    open_database,
    resolve_target,
    schema_version,
)
from mtc_desktop.store.models import ALL_MODELS, Message, db
from tests.databases import PostgresServer, raw_connection

pytestmark = pytest.mark.postgresql_only

MIGRATIONS = sorted(p.stem for p in MIGRATIONS_DIR.glob("[0-9]*.py"))
PROGRAM = Path(sys.executable).with_name("mtc-desktop")


@pytest.fixture
def empty(backend: str, postgres: PostgresServer) -> Iterator[str]:
    """An empty database on the server, as an administrator makes one for the office."""
    url = postgres.empty()
    yield url
    store_db.close_database()
    postgres.drop(url)


def tables(url: str) -> list[str]:
    with raw_connection(url) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        ).fetchall()
    return [row[0] for row in rows]


def counts(url: str) -> dict[str, int]:
    with raw_connection(url) as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("logon", "access_request", "access_grant", "audit_event", "message")
        }


def make_release_1(url: str) -> None:
    """What release 1 left on a server: migration 0001 only, two emails, two audit events."""
    database = store_db.connect(resolve_target(url))
    database.connect()
    try:
        Runner(database, str(MIGRATIONS_DIR), table_name=HISTORY_TABLE).up("0001_initial")
        for subject, sent in (("Hello", None), ("Sent", "2026-03-01 09:05:00")):
            database.execute_sql(
                "INSERT INTO message (to_address, kind, subject, body, eml, created_at, "
                "sent_at) VALUES ('ann@mail.example', 'email', %s, 'Body', 'raw', "
                "'2026-03-01 09:00:00', %s)",
                (subject, sent),
            )
        for action in ("setting_changed", "setting_changed"):
            database.execute_sql(
                "INSERT INTO audit_event (at, action, details) "
                "VALUES ('2026-03-01 09:00:00', %s, '{\"key\": \"x\"}')",
                (action,),
            )
    finally:
        database.close()


# --- a new database ------------------------------------------------------------------------


def test_an_empty_database_gets_the_whole_schema_from_the_migrations(empty: str) -> None:
    open_database(empty)
    history = [row[0] for row in db.execute_sql(f"SELECT name FROM {HISTORY_TABLE} ORDER BY id")]
    assert history == MIGRATIONS
    store_db.close_database()
    assert set(tables(empty)) == {m._meta.table_name for m in ALL_MODELS} | {HISTORY_TABLE}
    report = check_database(empty)
    assert report.ok, report.lines
    assert report.lines == (f"schema: {schema_version()} (current)",)


def _schema(database: Database) -> set[tuple[object, ...]]:
    """Columns, indexes and references as the server's catalog has them, without the names
    that differ between a migration's models and the program's."""
    out: set[tuple[object, ...]] = set()
    for table in database.get_tables():
        if table == HISTORY_TABLE:
            continue
        for c in database.get_columns(table):
            out.add(("column", table, c.name, c.data_type, c.null, c.primary_key, c.default))
        for i in database.get_indexes(table):
            shape = i.sql.split(" USING ", 1)[1]  # "btree (a, b) WHERE ...", without the name
            out.add(("index", table, i.unique, shape))
        for f in database.get_foreign_keys(table):
            out.add(("reference", table, f.column, f.dest_table, f.dest_column, f.on_delete))
    return out


def test_the_migrations_build_exactly_the_models_schema(
    backend: str, postgres: PostgresServer
) -> None:
    migrated_url, modelled_url = postgres.empty(), postgres.empty()
    try:
        migrated = open_database(migrated_url)
        from_migrations = _schema(migrated)
        store_db.close_database()
        modelled = store_db.connect(resolve_target(modelled_url))
        with modelled.bind_ctx(ALL_MODELS):
            modelled.create_tables(ALL_MODELS)
            from_models = _schema(modelled)
        modelled.close()
    finally:
        postgres.drop(migrated_url)
        postgres.drop(modelled_url)
    assert from_migrations == from_models
    # The two rules of DESIGN.md §3 the database keeps itself, as partial unique indexes.
    partial = {shape for kind, _t, unique, shape in _indexes(from_migrations) if unique}
    assert "btree (third_party_id, taxpayer_id) WHERE ((status)::text = 'pending'::text)" in (
        partial
    )
    assert "btree (third_party_id, account_id) WHERE ((status)::text = 'active'::text)" in partial


def _indexes(schema: set[tuple[object, ...]]) -> list[tuple[str, str, bool, str]]:
    return [row for row in schema if row[0] == "index"]  # type: ignore[misc]


def test_write_transactions_take_the_write_lock_at_begin(empty: str) -> None:
    """As SQLite's IMMEDIATE transactions do: writers one at a time, readers never wait."""
    open_database(empty)
    with raw_connection(empty) as other:
        # Nothing read or written in the transaction yet: the lock is held from BEGIN.
        with db.atomic():
            other.execute("BEGIN")
            taken = other.execute("SELECT pg_try_advisory_xact_lock(?)", (PG_WRITE_LOCK,))
            assert taken.fetchone() == (False,)
            assert other.execute("SELECT count(*) FROM setting").fetchone() == (0,)
            other.rollback()
        other.execute("BEGIN")
        taken = other.execute("SELECT pg_try_advisory_xact_lock(?)", (PG_WRITE_LOCK,))
        assert taken.fetchone() == (True,)
        other.rollback()


# --- upgrading --------------------------------------------------------------------------------


def test_db_upgrade_brings_release_1_up_to_date_once(
    empty: str,
    postgres: PostgresServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # the user's data folder
    make_release_1(empty)
    report = check_database(empty)
    assert not report.ok
    assert f"has schema 1, older than this version's {schema_version()}" in report.lines[0]
    assert main(["db", "upgrade", "--database", empty]) == 0
    described = resolve_target(empty).describe()
    copies = list((tmp_path / "mtc-desktop" / "backups").glob("*.schema-1-*.dump"))
    assert len(copies) == 1, "backed up first, with pg_dump, into the user's data folder"
    assert capsys.readouterr().out == (
        f"Backed up {described} to {copies[0]} before upgrading.\n"
        f"{described} upgraded to schema {schema_version()}.\n"
    )
    # The copy is release 1's database, as it was: restored elsewhere, it is schema 1.
    other = postgres.empty()
    try:
        assert main(["db", "restore", "--database", other, str(copies[0])]) == 0
        assert "has schema 1" in check_database(other).lines[0]
        assert counts(other) == {**counts(empty), "audit_event": 2}
    finally:
        postgres.drop(other)
    capsys.readouterr()
    assert main(["db", "upgrade", "--database", empty]) == 0
    assert capsys.readouterr().out == (f"{described} is up to date (schema {schema_version()}).\n")
    assert check_database(empty).ok
    open_database(empty)
    rows = list(Message.select().order_by(Message.id))
    assert [(m.subject, m.sent_at is not None) for m in rows] == [("Hello", False), ("Sent", True)]
    assert all((m.attempts, m.last_error, m.failed_at) == (0, "", None) for m in rows)
    chain = audit.verify_chain()
    assert chain.ok, chain.problem
    assert chain.events == 2


def test_an_older_database_is_refused_without_upgrade_and_left_as_it_was(empty: str) -> None:
    make_release_1(empty)
    before = tables(empty)
    with pytest.raises(DatabaseRefused) as info:
        open_database(empty, upgrade=False)
    assert f"needs a schema upgrade (schema 1 to {schema_version()})" in info.value.message
    assert "mtc_ci_password" not in info.value.message
    assert tables(empty) == before


def _open_at_once(url: str, barrier, results) -> None:  # type: ignore[no-untyped-def]
    try:
        barrier.wait(timeout=20)
        open_database(url)
        results.put("opened")
    except BaseException:
        results.put(traceback.format_exc())
    finally:
        store_db.close_database()


def test_workstations_opening_an_older_database_at_once_upgrade_it_once(empty: str) -> None:
    make_release_1(empty)
    ctx = mp.get_context("fork")
    barrier, results = ctx.Barrier(3), ctx.Queue()
    procs = [ctx.Process(target=_open_at_once, args=(empty, barrier, results)) for _ in "abc"]
    for proc in procs:
        proc.start()
    outcome = [results.get(timeout=60) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    results.close()
    results.join_thread()
    assert outcome == ["opened"] * 3, outcome
    open_database(empty)
    history = [row[0] for row in db.execute_sql(f"SELECT name FROM {HISTORY_TABLE} ORDER BY id")]
    assert history == MIGRATIONS
    assert audit.verify_chain().ok


# --- databases that are not ours --------------------------------------------------------------


def test_another_programs_database_is_refused_and_left_as_it_was(
    empty: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with raw_connection(empty) as conn:
        conn.execute("CREATE TABLE bookmarks (url TEXT, title TEXT)")
        conn.execute("INSERT INTO bookmarks VALUES ('https://example.org', 'Example')")
    for create, upgrade in ((True, True), (False, True), (True, False)):
        with pytest.raises(DatabaseRefused, match=r"tables of another program \(bookmarks\)"):
            open_database(empty, create=create, upgrade=upgrade)
    report = check_database(empty)
    assert not report.ok
    assert len(report.lines) == 1
    assert "another program" in report.lines[0]
    assert main(["db", "upgrade", "--database", empty]) == 1
    assert main(["demo-data", "--database", empty]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    assert all(line.startswith("mtc-desktop: ") for line in err)
    assert tables(empty) == ["bookmarks"]


def test_a_database_that_cannot_keep_every_name_is_refused(
    backend: str, postgres: PostgresServer
) -> None:
    name = f"{postgres.prefix}ascii"
    with raw_connection(postgres.url) as conn:
        conn.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'SQL_ASCII' "
            "LC_COLLATE 'C' LC_CTYPE 'C'"
        )
    url = postgres.url_of(name)
    try:
        with pytest.raises(DatabaseRefused, match="uses the SQL_ASCII encoding"):
            open_database(url)
        assert tables(url) == []
    finally:
        postgres.drop(url)


def test_a_database_of_a_newer_version_is_refused(empty: str) -> None:
    open_database(empty)
    db.execute_sql(f"INSERT INTO {HISTORY_TABLE} (name, applied) VALUES ('0099_future', now())")
    store_db.close_database()
    before = counts(empty)
    with pytest.raises(DatabaseRefused, match="newer version of MTC Desktop"):
        open_database(empty)
    report = check_database(empty)
    assert not report.ok
    assert f"has schema 99, newer than this version's {schema_version()}" in report.lines[0]
    assert counts(empty) == before


def test_db_upgrade_makes_nothing_in_an_empty_database(
    empty: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade", "--database", empty]) == 1
    assert "has no MTC Desktop database in it yet" in capsys.readouterr().err
    described = resolve_target(empty).describe()
    report = check_database(empty)
    assert report.lines == (f"{described} has no MTC Desktop database in it yet.",)
    assert tables(empty) == []


def test_a_missing_database_is_told_in_one_line(backend: str, postgres: PostgresServer) -> None:
    url = postgres.url_of(f"{postgres.prefix}never_made")
    report = check_database(url)
    assert not report.ok
    assert len(report.lines) == 1
    assert "does not exist" in report.lines[0]
    assert "\n" not in report.lines[0]


# --- demo data, backup and restore -------------------------------------------------------------


def test_demo_data_goes_into_an_empty_database_only(
    empty: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo-data", "--database", empty, "--clients", "60"]) == 0
    assert "adding 60 clients to smithcpa" in capsys.readouterr().out
    assert check_database(empty).ok
    before = counts(empty)
    assert main(["demo-data", "--database", empty]) == 2
    described = resolve_target(empty).describe()
    assert capsys.readouterr().err == (
        f"mtc-desktop: {described} holds data already; demo data goes into a new database.\n"
    )
    assert counts(empty) == before
    # The bulk rows took explicit ids: the sequences moved past them, so the services go on.
    open_database(empty)
    firm = logons.log_in("smithcpa", demo.DEMO_PASSWORD)
    assert clients.count_clients(firm) >= 60
    logons.register(
        logons.Registration(
            username="newfirm",
            password="a-long-test-password-42",
            email="desk@newfirm.example",
            role=Role.THIRD_PARTY,
            id_type=IdType.FEIN,
            id_number="04-1234567",
            legal_name="New Firm LLC",
        )
    )


def test_backup_and_restore_with_pg_dump(
    empty: str, postgres: PostgresServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo-data", "--database", empty]) == 0
    capsys.readouterr()
    before = counts(empty)
    copy = tmp_path / "office.dump"
    assert main(["db", "backup", "--database", empty, str(copy)]) == 0
    described = resolve_target(empty).describe()
    out = capsys.readouterr().out
    assert out.startswith(f"Backed up {described} (schema {schema_version()}) to {copy}")
    assert copy.read_bytes()[:5] == b"PGDMP"
    assert not list(tmp_path.glob(".*.part"))
    with raw_connection(empty) as conn:
        conn.execute("DELETE FROM message")
    assert counts(empty)["message"] == 0
    assert main(["db", "restore", "--database", empty, str(copy)]) == 0
    assert capsys.readouterr().out == f"Restored {described} from {copy}.\n"
    assert counts(empty) == before
    assert check_database(empty).ok
    # The same backup makes a new office database elsewhere.
    other = postgres.empty()
    try:
        assert main(["db", "restore", "--database", other, str(copy)]) == 0
        assert counts(other) == before
        assert check_database(other).ok
        open_database(other)
        assert audit.verify_chain().ok
        store_db.close_database()
    finally:
        postgres.drop(other)


def test_the_installed_program_checks_a_postgresql_database(empty: str) -> None:
    open_database(empty)
    store_db.close_database()
    env = {**os.environ, "MTC_DATABASE_URL": empty}
    done = subprocess.run(
        [str(PROGRAM), "db", "check"], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"schema: {schema_version()} (current)\n"
