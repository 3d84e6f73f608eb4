"""Opening, creating, upgrading and checking the database.

A SQLite database is a file stamped with our ``application_id`` and, in ``user_version``,
the number of schema migrations it has. Before a file is opened its 100-byte header is
read directly, so that a file of another program, random bytes, or a database written by a
newer MTC Desktop is refused with a clear message and left byte-for-byte as it was.

PostgreSQL (``postgresql://...``, through psycopg 3) is for a shared office server; its
schema version is the migration history kept by ``playhouse.migrations``. A PostgreSQL
database is ours when it holds that history, or is empty; one holding another program's
tables is refused and left as it was.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import sqlite3
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qs, unquote, urlparse

from peewee import (
    Database,
    DatabaseError,
    InterfaceError,
    InternalError,
    OperationalError,
    PostgresqlDatabase,
    SqliteDatabase,
)

from mtc_desktop.domain.errors import EnvironmentProblem, MtcError
from mtc_desktop.store import drivers
from mtc_desktop.store.proxy import db

if TYPE_CHECKING:
    from playhouse.migrations import Runner

log = logging.getLogger(__name__)

APPLICATION_ID = 0x4D544344  # "MTCD"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
HISTORY_TABLE = "schema_migration"
BUSY_TIMEOUT_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 10
# PostgreSQL advisory locks, keys of our own: one held by each write transaction, as
# SQLite's write lock is ("MTCW"), and one held while migrations run, so that workstations
# opening an older database at once upgrade it once ("MTCM").
PG_WRITE_LOCK = 0x4D544357
_PG_MIGRATION_LOCK = 0x4D54434D
ENV_VAR = "MTC_DATABASE_URL"
_SQLITE_MAGIC = b"SQLite format 3\x00"


class DatabaseRefused(MtcError):
    """The database cannot be used by this version of the program; it was not changed.

    ``reason`` is the message without its advice for the command line ("Choose another
    file with --database."), for a window that offers the choice itself."""

    def __init__(self, reason: str, advice: str = "") -> None:
        super().__init__(f"{reason} {advice}" if advice else reason)
        self.reason = reason


class CannotCreateDatabase(EnvironmentProblem):
    """No database file can be made where one was asked for: the folder is read-only, not
    ours to write, or not a folder at all. ``reason`` names the path and why."""

    def __init__(self, path: Path, why: str) -> None:
        self.reason = f"Cannot create the database {path}: {why}."
        super().__init__(f"{self.reason} Choose a folder you can write to with --database PATH.")


# Target, FileStamp and CheckReport are named tuples, not dataclasses: the start-up opens
# the database before anything else needs the dataclasses module (about 4 ms with the
# three classes it would make).


class Target(NamedTuple):
    """Where the database is: a SQLite file or a PostgreSQL URL."""

    url: str
    path: Path | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.path is not None

    def describe(self) -> str:
        if self.path is not None:
            return str(self.path)
        parsed = urlparse(self.url)
        host = parsed.hostname or "localhost"
        return f"PostgreSQL database {parsed.path.lstrip('/')} on {host}"

    @property
    def shown_url(self) -> str:
        """The URL to print in a message: without its password."""
        parsed = urlparse(self.url)
        if parsed.password is None:
            return self.url
        netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@", 1)
        return parsed._replace(netloc=netloc).geturl()


def default_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("mtc-desktop", appauthor=False)) / "mtc-desktop.db"


def resolve_target(arg: str | os.PathLike[str] | None = None) -> Target:
    """The database named by ``--database``, else ``MTC_DATABASE_URL``, else the default."""
    text = os.fspath(arg) if arg else os.environ.get(ENV_VAR, "")
    if not text:
        path = default_path()
        return Target(url=f"sqlite:///{path}", path=path)
    if text.startswith(("postgresql://", "postgres://")):
        return Target(url=text)
    if text.startswith("sqlite:///"):
        path = Path(unquote(text.removeprefix("sqlite:///")))
        if not path.is_absolute() and text.startswith("sqlite:////"):
            path = Path("/" + str(path))
        return Target(url=text, path=path)
    if "://" in text:
        raise DatabaseRefused(
            f"{text.split('://')[0]}:// databases are not supported; give a file path, a "
            "sqlite:/// URL or a postgresql:// URL."
        )
    path = Path(text).expanduser().absolute()
    return Target(url=f"sqlite:///{path}", path=path)


def _number(name: str) -> int:
    """A migration's number, the digits its name starts with (as playhouse.migrations reads it)."""
    digits = re.match(r"\d+", name)
    return int(digits.group()) if digits else 0


def _migration_names() -> dict[str, int]:
    """The migration scripts, by name, with their numbers."""
    return {path.stem: _number(path.stem) for path in MIGRATIONS_DIR.glob("[0-9]*.py")}


def schema_version() -> int:
    """The schema version this program writes: the number of its last migration."""
    return max(_migration_names().values())


class FileStamp(NamedTuple):
    exists: bool
    application_id: int = 0
    user_version: int = 0


def read_stamp(path: Path) -> FileStamp:
    """Read the stamp from a SQLite file's header without opening it as a database.

    While this process has the file open as its database, the stamp is asked of SQLite
    instead: SQLite's locks are POSIX locks, which a process loses on every descriptor of
    a file when it closes any one of them, so opening and closing the file here would
    drop the live connection's locks (another workstation could then delete the WAL that
    this process's next commit goes into; tests/store/test_file_locks.py)."""
    if _is_open_here(path):
        return FileStamp(
            exists=True,
            application_id=int(db.execute_sql("PRAGMA application_id").fetchone()[0]),
            user_version=int(db.execute_sql("PRAGMA user_version").fetchone()[0]),
        )
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except (FileNotFoundError, NotADirectoryError):  # not there, or a file on its way
        return FileStamp(exists=False)
    except IsADirectoryError as exc:
        raise DatabaseRefused(
            f"{path} is a folder, not a database file.", "Choose a file with --database."
        ) from exc
    except OSError as exc:
        raise DatabaseRefused(f"{path} cannot be read: {exc.strerror}.") from exc
    if not header:
        return FileStamp(exists=False)
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise DatabaseRefused(
            f"{path} is not an MTC Desktop database (it is not a SQLite file).",
            "Choose another file with --database.",
        )
    user_version, application_id = struct.unpack(">I4xI", header[60:72])
    return FileStamp(exists=True, application_id=application_id, user_version=user_version)


def check_stamp(path: Path, stamp: FileStamp) -> None:
    if not stamp.exists:
        return
    if stamp.application_id != APPLICATION_ID:
        raise DatabaseRefused(
            f"{path} is a SQLite database of another program, not of MTC Desktop; "
            "it was left untouched.",
            "Choose another file with --database.",
        )
    ours = schema_version()
    if stamp.user_version > ours:
        raise DatabaseRefused(
            f"{path} was written by a newer version of MTC Desktop (schema {stamp.user_version}; "
            f"this version knows up to {ours}). Install the newer version to open it; "
            "the file was left untouched."
        )


def _nearest_existing(path: Path) -> Path:
    """``path``, or the nearest folder (or file) above it that exists."""
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return candidate
    return Path(path.anchor or ".")


def why_not_here(path: Path, exc: OSError | None = None) -> str:
    """Why no database file can be made at ``path`` (after ``exc``, the error of trying):
    what is wrong with the folder it would go in. Empty when nothing is known to be."""
    folder = _nearest_existing(path.parent)
    if not folder.is_dir():
        return f"{folder} is a file, not a folder"
    if exc is None:
        return ""
    if exc.errno in (errno.EROFS, errno.EPERM):  # a read-only disk; an immutable folder
        return f"the folder {folder} is read-only"
    if exc.errno == errno.EACCES:
        return f"you have no permission to write in the folder {folder}"
    if exc.errno == errno.ENOENT:  # it exists, and still takes no new file (/proc)
        return f"the folder {folder} does not take new files"
    if exc.errno == errno.ENOSPC:
        return f"the disk of the folder {folder} is full"
    return f"{(exc.strerror or str(exc)).rstrip('.')} (in the folder {folder})"


def no_database(path: Path) -> DatabaseRefused:
    """ "There is no database at ...", with why there cannot be one there, when that shows."""
    why = why_not_here(path)
    return DatabaseRefused(f"There is no database at {path}" + (f": {why}." if why else "."))


def create_database_file(path: Path) -> None:
    """Make an empty file for a new database at ``path``, and the folders it needs; the
    file is owner-only from the first byte, as it will hold taxpayer IDs. Raises
    :class:`CannotCreateDatabase`, saying why, when the folder takes no new file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        os.close(fd)
    except OSError as exc:
        raise CannotCreateDatabase(path, why_not_here(path, exc)) from exc


def _connect_sqlite(path: Path) -> SqliteDatabase:
    return SqliteDatabase(
        str(path),
        pragmas=[
            ("journal_mode", "wal"),
            ("foreign_keys", 1),
            ("synchronous", 2),  # FULL: a committed change survives a power cut
            ("busy_timeout", int(BUSY_TIMEOUT_SECONDS * 1000)),
        ],
        timeout=BUSY_TIMEOUT_SECONDS,
        # Write transactions take the write lock at BEGIN, so a read-then-write never
        # deadlocks against another workstation's (STYLE.md, peewee).
        lock_type="IMMEDIATE",
    )


class _OfficeDatabase(PostgresqlDatabase):
    """PostgreSQL whose write transactions take one lock at BEGIN and keep it until they
    end, as SQLite's IMMEDIATE transactions take the write lock: writers go one at a time,
    readers never wait.

    The services are written for that: a transaction reads, decides, then writes, and its
    audit event takes the head of the audit hash chain. Under READ COMMITTED alone two
    workstations could both decide on what they read (two expiry sweeps, a return filed
    while its level is lowered), and a transaction holding a grant's row while it waits for
    the chain's head deadlocks with one holding the head while it waits for that row."""

    def begin(self, isolation_level: str | None = None) -> None:
        lock = f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK:d})"
        try:
            if isolation_level is not None:
                super().begin(isolation_level)
                self.execute_sql(lock)
            else:
                self.execute_sql(f"BEGIN; {lock}")  # one round trip
        except BaseException:
            # BEGIN went through and the lock did not (lock_timeout, say): end the
            # transaction here, as peewee does not know it began.
            with contextlib.suppress(Exception):
                self.execute_sql("ROLLBACK")
            raise


def _connect_postgresql(target: Target) -> PostgresqlDatabase:
    # libpq reads the whole URL (user, password, host, port, database, ?sslmode=...);
    # what the URL leaves out gets our defaults.
    url = "postgresql://" + target.url.split("://", 1)[1]
    given = parse_qs(urlparse(url).query)
    defaults: dict[str, Any] = {
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "application_name": "mtc-desktop",
        # A row another workstation holds locked is waited for as long as SQLite waits
        # for a busy file, then told as "busy" rather than hanging the window.
        "options": f"-c lock_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}",
    }
    params = {key: value for key, value in defaults.items() if key not in given}
    drivers.load_postgresql_driver()  # peewee was imported without it
    return _OfficeDatabase(url, prefer_psycopg3=True, **params)


def connect(target: Target) -> Database:
    """A peewee database for ``target``, not yet bound and not yet checked."""
    if target.path is not None:
        return _connect_sqlite(target.path)
    return _connect_postgresql(target)


def _runner(database: Database) -> Runner:
    # Imported only when a schema is created or upgraded: it costs start-up time.
    from playhouse.migrations import Runner

    return Runner(database, str(MIGRATIONS_DIR), table_name=HISTORY_TABLE)


def applied_version(database: Database) -> int:
    """The number of the last migration recorded in the history table (0 for none)."""
    if not database.table_exists(HISTORY_TABLE):
        return 0
    applied = {row[0] for row in database.execute_sql(f"SELECT name FROM {HISTORY_TABLE}")}
    return max((_number(name) for name in applied), default=0)


def _upgrade(database: Database, target: Target) -> list[str]:
    if target.is_sqlite:  # the write lock of each migration's transaction serializes them
        done: list[str] = _runner(database).up()
    else:
        # Wait for another workstation's upgrade however long it takes, not lock_timeout.
        database.execute_sql("SET lock_timeout = 0")
        database.execute_sql("SELECT pg_advisory_lock(%s)", (_PG_MIGRATION_LOCK,))
        database.execute_sql("RESET lock_timeout")
        try:  # the runner reads the history again once it holds the lock
            done = _runner(database).up()
        finally:
            database.execute_sql("SELECT pg_advisory_unlock(%s)", (_PG_MIGRATION_LOCK,))
    if target.is_sqlite:
        database.execute_sql(f"PRAGMA user_version = {applied_version(database):d}")
        database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    if done:
        log.info("applied migrations %s to %s", ", ".join(done), target.describe())
    return done


def open_database(
    target: Target | str | os.PathLike[str] | None = None,
    *,
    create: bool = True,
    upgrade: bool = True,
) -> Database:
    """Open the database, create or upgrade its schema, and bind the models to it."""
    if not isinstance(target, Target):
        target = resolve_target(target)
    if target.path is not None:
        stamp = read_stamp(target.path)
        check_stamp(target.path, stamp)
        if not stamp.exists:
            if not create:
                raise no_database(target.path)
            create_database_file(target.path)
    database = connect(target)
    try:
        database.connect(reuse_if_open=True)
        # Asked of the connection, not read from the file (see read_stamp).
        if (
            target.path is not None
            and not database.execute_sql("PRAGMA application_id").fetchone()[0]
        ):
            database.execute_sql(f"PRAGMA application_id = {APPLICATION_ID:d}")
        current = applied_version(database)
        latest = schema_version()
        if current == 0 and target.path is None:
            _check_unused_postgresql(database, target, create=create)
        if current > latest:
            raise DatabaseRefused(
                f"{target.describe()} was written by a newer version of MTC Desktop "
                f"(schema {current}; this version knows up to {latest})."
            )
        if current < latest:
            if not upgrade:
                raise DatabaseRefused(
                    f"{target.describe()} needs a schema upgrade (schema {current} to "
                    f"{latest}); run: mtc-desktop db upgrade --database {target.shown_url}"
                )
            _upgrade(database, target)
    except (OperationalError, InterfaceError) as exc:
        database.close()
        raise EnvironmentProblem(
            f"Cannot open {target.describe()}: {_why_closed(target, exc)}."
        ) from exc
    except DatabaseError as exc:
        database.close()
        if target.path is not None and is_damage(exc):
            raise damaged(target.path, exc) from exc
        raise
    except BaseException:
        database.close()
        raise
    db.initialize(database)
    global _opened
    _opened = target
    return database


_opened: Target | None = None


def _is_open_here(path: Path) -> bool:
    """Whether this process has the SQLite file at ``path`` open as its database."""
    if _opened is None or _opened.path is None or db.obj is None:
        return False
    try:
        return _opened.path.resolve() == path.resolve()
    except OSError:
        return False


def opened_target() -> Target | None:
    """The database the program has open (for *About MTC Desktop*), or None."""
    return _opened if db.obj is not None else None


def _why_closed(target: Target, exc: BaseException) -> str:
    """Why the database could not be opened: the driver's words, or, when SQLite could not
    write a file it needs, which file or folder is read-only."""
    text = str(exc).lower()
    path = target.path
    if path is not None and ("unable to open" in text or "readonly" in text):
        if not os.access(path.parent, os.W_OK | os.X_OK):
            return (
                f"the folder {path.parent} is read-only, and SQLite keeps its journal "
                "beside the database; copy the file to a folder you can write to"
            )
        if path.exists() and not os.access(path, os.W_OK):
            return "the file is read-only"
    return one_line(exc)


def is_damage(exc: BaseException) -> bool:
    """SQLite's word that a file is not a sound database (SQLITE_CORRUPT, SQLITE_NOTADB)."""
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "corrupt" in text


def damaged(path: Path, exc: BaseException) -> DatabaseRefused:
    return DatabaseRefused(
        f"{path} is damaged ({one_line(exc)}).",
        "Restore a backup with mtc-desktop db restore, or choose another file with --database.",
    )


def _check_unused_postgresql(database: Database, target: Target, *, create: bool) -> None:
    """A PostgreSQL database without our migration history must be empty to become ours."""
    others = [table for table in database.get_tables() if table != HISTORY_TABLE]
    if others:
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        raise DatabaseRefused(
            f"{target.describe()} holds tables of another program ({shown}), not an MTC "
            "Desktop database; it was left untouched. Give an empty database."
        )
    if not create:
        raise DatabaseRefused(f"{target.describe()} has no MTC Desktop database in it yet.")
    # Names in any script must fit. (Text from a SQL_ASCII database comes back as bytes.)
    encoding = database.execute_sql("SELECT current_setting('server_encoding')").fetchone()[0]
    if isinstance(encoding, bytes):
        encoding = encoding.decode("ascii", "replace")
    if encoding != "UTF8":
        raise DatabaseRefused(
            f"{target.describe()} uses the {encoding} encoding; MTC Desktop needs a UTF8 "
            "database (CREATE DATABASE ... ENCODING 'UTF8'). It was left untouched."
        )


def is_unused(target: Target) -> bool:
    """True when ``target`` holds no data yet: no SQLite file (or an empty one), or a
    PostgreSQL database without tables. Changes nothing."""
    if target.path is not None:
        return not target.path.exists() or target.path.stat().st_size == 0
    database = connect(target)
    try:
        database.connect()
        return not database.get_tables()
    except (OperationalError, InterfaceError) as exc:
        raise EnvironmentProblem(f"Cannot open {target.describe()}: {one_line(exc)}.") from exc
    finally:
        database.close()


def check_new_database_path(path: Path) -> None:
    """A new database is made only where no file is yet (an empty one counts as none):
    a file there may be somebody's database, and is never made over."""
    if path.exists() and (path.is_dir() or path.stat().st_size > 0):
        raise DatabaseRefused(f"{path} exists already, so it cannot be a new database.")


def stored_version(target: Target) -> int | None:
    """The schema version the database has now (0: no schema yet), None when there is no
    database file. Changes nothing."""
    if target.path is not None:
        stamp = read_stamp(target.path)
        check_stamp(target.path, stamp)
        return stamp.user_version if stamp.exists else None
    database = connect(target)
    try:
        database.connect()
        return applied_version(database)
    except (OperationalError, InterfaceError) as exc:
        raise EnvironmentProblem(f"Cannot open {target.describe()}: {one_line(exc)}.") from exc
    finally:
        database.close()


def needs_upgrade(target: Target | str | os.PathLike[str] | None) -> tuple[int, int] | None:
    """(schema now, schema after upgrading) when the database is older than the program;
    None when it is current or does not exist yet. Changes nothing. For a SQLite file
    this reads its header only; the migrations and the backup load only for an upgrade."""
    if not isinstance(target, Target):
        target = resolve_target(target)
    latest = schema_version()
    if target.path is not None:
        stamp = read_stamp(target.path)
        if not stamp.exists:
            return None
        check_stamp(target.path, stamp)
        return (stamp.user_version, latest) if stamp.user_version < latest else None
    current = stored_version(target) or 0  # a server that cannot be reached is told in a line
    return (current, latest) if 0 < current < latest else None


def one_line(exc: BaseException) -> str:
    """A driver's message on one line, to end with the caller's full stop: libpq's run over
    several, with tabs, each a sentence ("Connection refused", "Is the server running...?")."""
    parts = [part.strip() for part in str(exc).splitlines() if part.strip()]
    for i, part in enumerate(parts[:-1]):
        if part[-1] not in ".?!:;," and parts[i + 1][:1].isupper():
            parts[i] = f"{part}."
    return " ".join(parts).rstrip(".?")


def bind(database: Database) -> None:
    db.initialize(database)


def close_database() -> None:
    global _opened
    _opened = None
    if db.obj is not None:
        db.obj.close()
        db.initialize(None)


class CheckReport(NamedTuple):
    ok: bool
    lines: tuple[str, ...]


def check_database(target: Target | str | None = None) -> CheckReport:
    """Check the database without changing it; ``ok`` only when it is sound."""
    if not isinstance(target, Target):
        target = resolve_target(target)
    lines: list[str] = []
    if target.path is not None:
        try:
            stamp = read_stamp(target.path)
            check_stamp(target.path, stamp)
        except DatabaseRefused as exc:
            return CheckReport(False, (exc.message,))
        if not stamp.exists:
            return CheckReport(False, (no_database(target.path).message,))
        if stamp.user_version == 0:
            return CheckReport(False, (f"{target.path} has no schema yet.",))
    database = connect(target)
    try:
        database.connect()
        if target.path is not None:
            result = [row[0] for row in database.execute_sql("PRAGMA quick_check").fetchall()]
            if result != ["ok"]:
                return CheckReport(False, (f"{target.describe()} is damaged: {result[0]}",))
            lines.append("integrity: ok")
            fk = database.execute_sql("PRAGMA foreign_key_check").fetchall()
            if fk:
                return CheckReport(
                    False, (f"{target.describe()} has {len(fk)} rows with broken references.",)
                )
            lines.append("references: ok")
        current = applied_version(database)
        latest = schema_version()
        if current == 0 and target.path is None:
            try:
                _check_unused_postgresql(database, target, create=False)
            except DatabaseRefused as exc:
                return CheckReport(False, (exc.message,))
        if current != latest:
            what = "newer" if current > latest else "older"
            return CheckReport(
                False,
                (
                    f"{target.describe()} has schema {current}, "
                    f"{what} than this version's {latest}.",
                ),
            )
        from mtc_desktop.store.models import ALL_MODELS

        tables = set(database.get_tables())
        missing = [m._meta.table_name for m in ALL_MODELS if m._meta.table_name not in tables]
        if missing:
            return CheckReport(False, (f"Tables missing: {', '.join(missing)}.",))
        lines.append(f"schema: {current} (current)")
    except (DatabaseError, sqlite3.DatabaseError) as exc:  # a cursor's rows come unwrapped
        if target.path is not None and is_damage(exc):
            return CheckReport(False, (damaged(target.path, exc).reason,))
        return CheckReport(
            False, (f"{target.describe()} cannot be read: {_why_closed(target, exc)}.",)
        )
    finally:
        database.close()
    return CheckReport(True, tuple(lines))


# What libpq and PostgreSQL say when the server went away during a call...
_CONNECTION_LOST = (
    "terminating connection",
    "server closed the connection",
    "connection is closed",
    "connection is lost",
    "consuming input failed",
    "could not receive data",
    "could not send data",
    "no connection to the server",
    "ssl syscall error",
)
# ... and when it cannot be reached (SQLite: the file cannot be opened).
_UNREACHABLE = (
    "unable to open",
    "connection",
    "could not connect",
    "timeout expired",
    "the database system is",
)


def _drop_broken_connection() -> None:
    """Forget this thread's connection if the server has gone away from it, so that the
    next statement connects again. Inside a transaction it stays: the transaction failed."""
    database = db.obj
    if database is None or database.is_closed() or database.in_transaction():
        return
    if not database.is_connection_usable():
        with contextlib.suppress(DatabaseError):
            database.close()


def _causes(exc: BaseException) -> list[BaseException]:
    # A failed COMMIT can make SQLite roll back by itself; peewee's own rollback then
    # fails with "no transaction is active". The cause is the error before it.
    causes: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and len(causes) < 5:
        causes.append(cause)
        cause = cause.__context__
    return causes


@contextlib.contextmanager
def environment_errors() -> Iterator[None]:
    """Turn the database's complaints about the machine into messages for the user."""
    _drop_broken_connection()
    try:
        yield
    except (OperationalError, InterfaceError, InternalError) as exc:
        causes = _causes(exc)
        text = " | ".join(str(c).lower() for c in causes)
        if isinstance(exc, InternalError) and "read-only" not in text:
            raise  # e.g. a statement in an aborted transaction: a bug, not the machine
        if "locked" in text or "busy" in text or "lock timeout" in text or "deadlock" in text:
            raise EnvironmentProblem(
                "The database is busy with another workstation's change. Wait a moment "
                "and try again; nothing was changed."
            ) from exc
        if "full" in text or "no space left" in text:
            raise EnvironmentProblem(
                "The disk is full, so the change was not saved. Free some space and try "
                "again; nothing was lost."
            ) from exc
        if "readonly" in text or "read-only" in text:
            raise EnvironmentProblem(
                "The database is read-only, so the change was not saved."
            ) from exc
        if "disk i/o" in text:
            raise EnvironmentProblem(
                "The database file could not be written (a disk error: the disk may be full, "
                "or a file too large for it). Nothing was changed; free some space or check "
                "the disk, then try again."
            ) from exc
        if "too many clients" in text or "too many connections" in text:
            raise EnvironmentProblem(
                "The database server has as many workstations connected as it allows. Try "
                "again in a moment; nothing was changed."
            ) from exc
        if any(words in text for words in _CONNECTION_LOST):
            _drop_broken_connection()
            raise EnvironmentProblem(
                f"The connection to the database server was lost ({one_line(causes[-1])}). "
                "Try again once the server is back; if you were saving a change, check "
                "whether it was saved."
            ) from exc
        if any(words in text for words in _UNREACHABLE):
            raise EnvironmentProblem(
                f"The database could not be reached ({one_line(exc)}). Nothing was changed; "
                "try again."
            ) from exc
        raise
