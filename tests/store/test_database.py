"""Opening, stamping, checking and refusing database files (mtc_desktop.store.database)."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from peewee import (
    IntegrityError,
    InterfaceError,
    InternalError,
    OperationalError,
    ProgrammingError,
    SqliteDatabase,
)
from playhouse.migrations import Runner

from mtc_desktop.domain.errors import EnvironmentProblem
from mtc_desktop.store import database as store_db
from mtc_desktop.store.database import (
    APPLICATION_ID,
    HISTORY_TABLE,
    MIGRATIONS_DIR,
    DatabaseRefused,
    Target,
    check_database,
    open_database,
    read_stamp,
    resolve_target,
    schema_version,
)
from mtc_desktop.store.models import ALL_MODELS, AccessGrant, AccessRequest, db
from tests.conftest import World
from tests.databases import DatabaseRef, raw_connection
from tests.store.helpers import EXPLANATIONS, file_digest, sidecars

# How each database words a broken unique index: SQLite, PostgreSQL.
UNIQUE = "UNIQUE|duplicate key"

SCRIPTS = sorted(p.stem for p in MIGRATIONS_DIR.glob("[0-9]*.py"))


@pytest.fixture
def opened(db_path: Path) -> Iterator[Path]:
    open_database(db_path)
    yield db_path
    store_db.close_database()


def pragma(name: str) -> object:
    return db.execute_sql(f"PRAGMA {name}").fetchone()[0]


# --- a new database ------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_a_new_file_is_stamped_with_our_id_and_schema_version(opened: Path) -> None:
    header = opened.read_bytes()[:100]
    assert header.startswith(b"SQLite format 3\x00")
    stamp = read_stamp(opened)
    assert stamp.exists
    assert stamp.application_id == APPLICATION_ID == int.from_bytes(b"MTCD", "big")
    assert stamp.user_version == schema_version() == len(SCRIPTS)
    assert pragma("application_id") == APPLICATION_ID
    assert pragma("user_version") == len(SCRIPTS)


@pytest.mark.sqlite_only
def test_sqlite_settings(opened: Path) -> None:
    assert pragma("journal_mode") == "wal"
    assert pragma("foreign_keys") == 1
    assert pragma("synchronous") == 2  # FULL
    assert pragma("busy_timeout") == 10_000


@pytest.mark.sqlite_only
def test_wal_mode_is_kept_in_the_file(opened: Path) -> None:
    conn = sqlite3.connect(opened)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


@pytest.mark.sqlite_only
def test_write_transactions_take_the_write_lock_at_begin(opened: Path) -> None:
    other = sqlite3.connect(opened, timeout=0, isolation_level=None)
    try:
        # Nothing read or written in the transaction yet: a DEFERRED one would hold no lock.
        with db.atomic(), pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


@pytest.mark.sqlite_only
def test_the_file_is_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "private.db"
    old_umask = os.umask(0)
    try:
        open_database(path)
        db.execute_sql("SELECT count(*) FROM taxpayer").fetchone()
        for p in (path, *sidecars(path)):
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
        assert sidecars(path), "expected the -wal and -shm files while open"
    finally:
        store_db.close_database()
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.sqlite_only
def test_missing_folders_are_made(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "mtc.db"
    open_database(path)
    store_db.close_database()
    assert read_stamp(path).application_id == APPLICATION_ID


@pytest.mark.sqlite_only
def test_an_empty_file_becomes_a_new_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    open_database(path)
    store_db.close_database()
    assert read_stamp(path).user_version == schema_version()


def test_reopening_keeps_data_and_history(database: DatabaseRef) -> None:
    db.execute_sql("INSERT INTO setting (key, value) VALUES ('x', '1')")
    store_db.close_database()
    open_database(database)
    assert db.execute_sql("SELECT value FROM setting WHERE key = 'x'").fetchone() == ("1",)
    assert db.execute_sql(f"SELECT count(*) FROM {HISTORY_TABLE}").fetchone() == (len(SCRIPTS),)


# --- migrations -----------------------------------------------------------------------------


def test_schema_is_made_by_playhouse_migrations(database: DatabaseRef) -> None:
    rows = db.execute_sql(f"SELECT name FROM {HISTORY_TABLE} ORDER BY id").fetchall()
    assert rows == [(name,) for name in SCRIPTS]
    runner = Runner(db.obj, str(MIGRATIONS_DIR), table_name=HISTORY_TABLE)
    assert [(m.name, bool(m.applied)) for m in runner.status()] == [
        (name, True) for name in SCRIPTS
    ]
    assert runner.up() == []


def test_schema_version_is_the_last_migration() -> None:
    scripts = sorted(p.stem for p in MIGRATIONS_DIR.glob("[0-9]*.py"))
    assert scripts[:3] == [
        "0001_initial",
        "0002_email_delivery",
        "0003_audit_chain_and_login_failures",
    ]
    numbers = [int(name.split("_")[0]) for name in scripts]
    assert numbers == list(range(1, len(scripts) + 1)), "numbered 0001, 0002, ... with no gap"
    assert schema_version() == numbers[-1]


def _schema(conn: sqlite3.Connection | SqliteDatabase) -> set[tuple[str, str, str]]:
    rows = conn.execute_sql if isinstance(conn, SqliteDatabase) else conn.execute
    out = set()
    for kind, table, sql in rows(
        "SELECT type, tbl_name, sql FROM sqlite_master "
        f"WHERE sql IS NOT NULL AND tbl_name != '{HISTORY_TABLE}'"
    ).fetchall():
        # Index names differ (the migration's models use peewee's legacy naming); what
        # they index must not.
        out.add((kind, table, re.sub(r'INDEX "[^"]+"', "INDEX", sql)))
    return out


@pytest.mark.sqlite_only
def test_the_migrations_build_exactly_the_models_schema(opened: Path) -> None:
    memory = SqliteDatabase(":memory:")
    with memory.bind_ctx(ALL_MODELS):
        memory.create_tables(ALL_MODELS)
        from_models = _schema(memory)
    assert _schema(db.obj) == from_models


# --- rules the database itself keeps --------------------------------------------------------


def test_two_pending_requests_for_one_pair_are_refused_by_the_database(
    world: World, database: DatabaseRef
) -> None:
    taxpayer = world.taxpayer("Maria Santos")
    firm = world.third_party("firm")

    def insert(number: str, status: str) -> None:
        AccessRequest.create(
            number=number,
            third_party=firm.logon_id,
            taxpayer=taxpayer.id,
            method="printed_form",
            authorization_code="ABCDE23456",
            status=status,
        )

    insert("R-1", "pending")
    with pytest.raises(IntegrityError), db.atomic():
        insert("R-2", "pending")
    # Final requests for the same pair are history, not a second pending one.
    insert("R-3", "approved")
    insert("R-4", "withdrawn")
    # The index is the database's, not the program's: a plain driver meets it too.
    with raw_connection(database) as conn, pytest.raises(conn.IntegrityError, match=UNIQUE):
        conn.execute(
            "INSERT INTO access_request (number, third_party_id, taxpayer_id, method, "
            "authorization_code, status, created_at) "
            "VALUES ('R-5', ?, ?, 'printed_form', 'X', 'pending', '2026-01-01')",
            (firm.logon_id, taxpayer.id),
        )
    statuses = [r.status for r in AccessRequest.select().order_by(AccessRequest.number)]
    assert statuses == ["pending", "approved", "withdrawn"]


def test_another_firm_may_have_its_own_pending_request(world: World) -> None:
    taxpayer = world.taxpayer("Maria Santos")
    for name in ("firm1", "firm2"):
        firm = world.third_party(name)
        AccessRequest.create(
            number=f"R-{name}",
            third_party=firm.logon_id,
            taxpayer=taxpayer.id,
            method="printed_form",
            authorization_code="ABCDE23456",
        )
    assert AccessRequest.select().where(AccessRequest.status == "pending").count() == 2


def test_two_active_grants_on_one_account_are_refused_by_the_database(
    world: World, database: DatabaseRef
) -> None:
    taxpayer = world.taxpayer("Maria Santos")
    account = world.accounts(taxpayer)[0]
    firm = world.third_party("firm")

    def insert(status: str) -> None:
        AccessGrant.create(
            third_party=firm.logon_id,
            account=account.id,
            taxpayer=taxpayer.id,
            level="file",
            status=status,
        )

    insert("active")
    with pytest.raises(IntegrityError), db.atomic():
        insert("active")
    insert("cancelled")
    insert("cancelled")
    with raw_connection(database) as conn, pytest.raises(conn.IntegrityError, match=UNIQUE):
        conn.execute(
            "INSERT INTO access_grant (third_party_id, account_id, taxpayer_id, level, "
            "status, created_at, changed_at) "
            "VALUES (?, ?, ?, 'pay', 'active', '2026-01-01', '2026-01-01')",
            (firm.logon_id, account.id, taxpayer.id),
        )
    assert [g.status for g in AccessGrant.select().order_by(AccessGrant.id)] == [
        "active",
        "cancelled",
        "cancelled",
    ]


def test_foreign_keys_are_enforced(database: DatabaseRef) -> None:
    with pytest.raises(IntegrityError, match=r"(?i)foreign key"), db.atomic():
        db.execute_sql(
            "INSERT INTO tax_account (taxpayer_id, account_type, account_number) "
            "VALUES (999, 'meals', 'MLS-1')"
        )


# --- files that are not ours, or not for this version ----------------------------------------


@pytest.mark.sqlite_only
def test_open_refuses_a_foreign_file_and_leaves_it_untouched(
    foreign_file: tuple[str, Path],
) -> None:
    kind, path = foreign_file
    before = file_digest(path)
    with pytest.raises(DatabaseRefused) as info:
        open_database(path)
    assert EXPLANATIONS[kind] in info.value.message
    assert "\n" not in info.value.message
    assert file_digest(path) == before
    assert not sidecars(path)
    assert db.obj is None or db.obj.database != str(path)


@pytest.mark.sqlite_only
@pytest.mark.parametrize(("create", "upgrade"), [(False, False), (False, True), (True, False)])
def test_open_refuses_a_foreign_file_whatever_the_options(
    foreign_file: tuple[str, Path], create: bool, upgrade: bool
) -> None:
    _, path = foreign_file
    before = file_digest(path)
    with pytest.raises(DatabaseRefused):
        open_database(path, create=create, upgrade=upgrade)
    assert file_digest(path) == before


@pytest.mark.sqlite_only
def test_check_refuses_a_foreign_file_and_leaves_it_untouched(
    foreign_file: tuple[str, Path],
) -> None:
    kind, path = foreign_file
    before = file_digest(path)
    report = check_database(str(path))
    assert not report.ok
    assert len(report.lines) == 1
    assert EXPLANATIONS[kind] in report.lines[0]
    assert file_digest(path) == before
    assert not sidecars(path)


@pytest.mark.sqlite_only
def test_check_passes_a_sound_database(db_path: Path) -> None:
    open_database(db_path)
    store_db.close_database()
    report = check_database(str(db_path))
    assert report.ok
    assert report.lines == (
        "integrity: ok",
        "references: ok",
        f"schema: {schema_version()} (current)",
    )


@pytest.mark.sqlite_only
def test_check_finds_a_damaged_database(db_path: Path) -> None:
    open_database(db_path)
    store_db.close_database()
    with db_path.open("r+b") as fh:
        fh.seek(4096 * 3)
        fh.write(os.urandom(4096 * 20))
    before = file_digest(db_path)
    report = check_database(str(db_path))
    assert not report.ok
    assert len(report.lines) == 1
    assert file_digest(db_path) == before


@pytest.mark.sqlite_only
def test_check_of_a_missing_file_makes_no_file(tmp_path: Path) -> None:
    path = tmp_path / "nothing.db"
    report = check_database(str(path))
    assert not report.ok
    assert report.lines == (f"There is no database at {path}.",)
    assert not path.exists()


@pytest.mark.sqlite_only
def test_open_without_create_makes_no_file(tmp_path: Path) -> None:
    path = tmp_path / "nothing.db"
    with pytest.raises(DatabaseRefused, match="There is no database"):
        open_database(path, create=False)
    assert not path.exists()


@pytest.mark.sqlite_only
def test_a_short_file_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "short.db"
    path.write_bytes(b"SQLite format 3\x00")
    with pytest.raises(DatabaseRefused, match="not a SQLite file"):
        open_database(path)
    assert path.read_bytes() == b"SQLite format 3\x00"


# --- naming the database ----------------------------------------------------------------------


def test_resolve_a_path(tmp_path: Path) -> None:
    target = resolve_target(str(tmp_path / "x.db"))
    assert target.path == tmp_path / "x.db"
    assert target.is_sqlite
    assert target.url == f"sqlite:///{tmp_path / 'x.db'}"


def test_resolve_a_relative_path_is_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_target("rel.db").path == tmp_path / "rel.db"


def test_resolve_a_sqlite_url(tmp_path: Path) -> None:
    assert resolve_target(f"sqlite:///{tmp_path}/x.db").path == tmp_path / "x.db"


def test_resolve_a_postgresql_url() -> None:
    target = resolve_target("postgresql://clerk:secret@dbhost:5432/mtc")
    assert target.path is None
    assert not target.is_sqlite
    assert target.describe() == "PostgreSQL database mtc on dbhost"
    assert "secret" not in target.describe()


def test_a_postgres_url_and_its_password_in_messages() -> None:
    target = resolve_target("postgres://clerk:s%40cret@dbhost/mtc?sslmode=require")
    assert target.path is None
    assert target.describe() == "PostgreSQL database mtc on dbhost"
    assert target.shown_url == "postgres://clerk:***@dbhost/mtc?sslmode=require"
    assert resolve_target("postgresql://dbhost/mtc").shown_url == "postgresql://dbhost/mtc"


def test_resolve_refuses_other_schemes() -> None:
    with pytest.raises(DatabaseRefused, match="mysql:// databases are not supported"):
        resolve_target("mysql://host/db")


def test_resolve_uses_the_environment_then_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MTC_DATABASE_URL", str(tmp_path / "env.db"))
    assert resolve_target(None).path == tmp_path / "env.db"
    assert resolve_target(str(tmp_path / "arg.db")).path == tmp_path / "arg.db"
    monkeypatch.delenv("MTC_DATABASE_URL")
    default = resolve_target(None)
    assert default == Target(url=f"sqlite:///{store_db.default_path()}", path=default.path)
    assert default.path is not None
    assert default.path.name == "mtc-desktop.db"


# --- the machine's complaints become messages ---------------------------------------------------


LOST = "connection to the database server was lost"
UNREACHABLE = "could not be reached"


@pytest.mark.parametrize(
    ("error", "complaint", "words"),
    [
        # SQLite
        (OperationalError, "database is locked", "busy with another workstation"),
        (OperationalError, "database or disk is full", "disk is full"),
        (OperationalError, "attempt to write a readonly database", "read-only"),
        (OperationalError, "disk I/O error", "could not be written"),
        (OperationalError, "unable to open database file", UNREACHABLE),
        # PostgreSQL, as psycopg words it
        (OperationalError, "canceling statement due to lock timeout", "busy with another"),
        (OperationalError, "deadlock detected", "busy with another workstation"),
        (
            OperationalError,
            'could not extend file "base/16384/16402": No space left on device',
            "disk is full",
        ),
        (InternalError, "cannot execute INSERT in a read-only transaction", "read-only"),
        (OperationalError, "sorry, too many clients already", "as many workstations"),
        (OperationalError, "terminating connection due to administrator command", LOST),
        (
            OperationalError,
            "server closed the connection unexpectedly\n\tThis probably means the server "
            "terminated abnormally\n\tbefore or while processing the request.",
            LOST,
        ),
        (OperationalError, "consuming input failed: EOF detected", LOST),
        (OperationalError, "the connection is closed", LOST),
        (
            OperationalError,
            'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
            "Connection refused\n\tIs the server running on that host and accepting TCP/IP "
            "connections?",
            UNREACHABLE,
        ),
        (OperationalError, "the database system is starting up", UNREACHABLE),
        (InterfaceError, "Error, database connection not opened.", UNREACHABLE),
    ],
)
def test_environment_errors_become_messages(
    error: type[Exception], complaint: str, words: str
) -> None:
    with pytest.raises(EnvironmentProblem) as info, store_db.environment_errors():
        raise error(complaint)
    assert words in info.value.message
    assert "\n" not in info.value.message


@pytest.mark.parametrize(
    ("error", "complaint"),
    [
        (OperationalError, "no such table: nothing"),
        (ProgrammingError, 'relation "nothing" does not exist'),
        (
            InternalError,
            "current transaction is aborted, commands ignored until end of transaction block",
        ),
    ],
)
def test_other_database_errors_are_not_hidden(error: type[Exception], complaint: str) -> None:
    with pytest.raises(error, match=re.escape(complaint)), store_db.environment_errors():
        raise error(complaint)


@pytest.mark.sqlite_only
def test_a_locked_database_is_reported_to_the_user(opened: Path) -> None:
    from mtc_desktop.services.base import transaction

    other = sqlite3.connect(opened, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    db.obj.execute_sql("PRAGMA busy_timeout = 50")
    try:
        with pytest.raises(EnvironmentProblem, match="busy"), transaction():
            db.execute_sql("INSERT INTO setting (key, value) VALUES ('k', 'v')")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert db.execute_sql("SELECT count(*) FROM setting").fetchone() == (0,)
