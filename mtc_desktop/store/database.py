"""Opening, creating, upgrading and checking the database.

A SQLite database is a file stamped with our ``application_id`` and, in ``user_version``,
the number of schema migrations it has. Before a file is opened its 100-byte header is
read directly, so that a file of another program, random bytes, or a database written by a
newer MTC Desktop is refused with a clear message and left byte-for-byte as it was.

PostgreSQL (``postgresql://...``) is for a shared office server; its schema version is the
migration history kept by ``playhouse.migrations``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from peewee import Database, DatabaseError, OperationalError, PostgresqlDatabase, SqliteDatabase

from mtc_desktop.domain.errors import EnvironmentProblem, MtcError
from mtc_desktop.store.models import ALL_MODELS, db

if TYPE_CHECKING:
    from playhouse.migrations import Runner

log = logging.getLogger(__name__)

APPLICATION_ID = 0x4D544344  # "MTCD"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
HISTORY_TABLE = "schema_migration"
BUSY_TIMEOUT_SECONDS = 10.0
ENV_VAR = "MTC_DATABASE_URL"
_SQLITE_MAGIC = b"SQLite format 3\x00"


class DatabaseRefused(MtcError):
    """The database cannot be used by this version of the program; it was not changed."""


@dataclass(frozen=True)
class Target:
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


@dataclass(frozen=True)
class FileStamp:
    exists: bool
    application_id: int = 0
    user_version: int = 0


def read_stamp(path: Path) -> FileStamp:
    """Read the stamp from a SQLite file's header without opening it as a database."""
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except FileNotFoundError:
        return FileStamp(exists=False)
    except OSError as exc:
        raise DatabaseRefused(f"{path} cannot be read: {exc.strerror}.") from exc
    if not header:
        return FileStamp(exists=False)
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise DatabaseRefused(
            f"{path} is not an MTC Desktop database (it is not a SQLite file). "
            "Choose another file with --database."
        )
    user_version, application_id = struct.unpack(">I4xI", header[60:72])
    return FileStamp(exists=True, application_id=application_id, user_version=user_version)


def check_stamp(path: Path, stamp: FileStamp) -> None:
    if not stamp.exists:
        return
    if stamp.application_id != APPLICATION_ID:
        raise DatabaseRefused(
            f"{path} is a SQLite database of another program, not of MTC Desktop; "
            "it was left untouched. Choose another file with --database."
        )
    ours = schema_version()
    if stamp.user_version > ours:
        raise DatabaseRefused(
            f"{path} was written by a newer version of MTC Desktop (schema {stamp.user_version}; "
            f"this version knows up to {ours}). Install the newer version to open it; "
            "the file was left untouched."
        )


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


def _connect_postgresql(target: Target) -> PostgresqlDatabase:
    parsed = urlparse(target.url)
    return PostgresqlDatabase(
        unquote(parsed.path.lstrip("/")),
        user=unquote(parsed.username) if parsed.username else None,
        password=unquote(parsed.password) if parsed.password else None,
        host=parsed.hostname or None,
        port=parsed.port or None,
        autorollback=True,
    )


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
    done: list[str] = _runner(database).up()
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
                raise DatabaseRefused(f"There is no database at {target.path}.")
            target.path.parent.mkdir(parents=True, exist_ok=True)
            # Owner-only from the first byte: the file holds taxpayer IDs.
            fd = os.open(target.path, os.O_CREAT | os.O_RDWR, 0o600)
            os.close(fd)
    database = connect(target)
    try:
        database.connect(reuse_if_open=True)
        if target.path is not None and not read_stamp(target.path).application_id:
            database.execute_sql(f"PRAGMA application_id = {APPLICATION_ID:d}")
        current = applied_version(database)
        latest = schema_version()
        if current > latest:
            raise DatabaseRefused(
                f"{target.describe()} was written by a newer version of MTC Desktop "
                f"(schema {current}; this version knows up to {latest})."
            )
        if current < latest:
            if not upgrade:
                raise DatabaseRefused(
                    f"{target.describe()} needs a schema upgrade (schema {current} to "
                    f"{latest}); run: mtc-desktop db upgrade --database {target.url}"
                )
            _upgrade(database, target)
    except OperationalError as exc:
        database.close()
        raise EnvironmentProblem(
            f"The database {target.describe()} cannot be opened: {exc}."
        ) from exc
    except BaseException:
        database.close()
        raise
    db.initialize(database)
    return database


def bind(database: Database) -> None:
    db.initialize(database)


def close_database() -> None:
    if db.obj is not None:
        db.obj.close()
        db.initialize(None)


@dataclass(frozen=True)
class CheckReport:
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
            return CheckReport(False, (f"There is no database at {target.path}.",))
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
        if current != latest:
            what = "newer" if current > latest else "older"
            return CheckReport(
                False,
                (
                    f"{target.describe()} has schema {current}, "
                    f"{what} than this version's {latest}.",
                ),
            )
        tables = set(database.get_tables())
        missing = [m._meta.table_name for m in ALL_MODELS if m._meta.table_name not in tables]
        if missing:
            return CheckReport(False, (f"Tables missing: {', '.join(missing)}.",))
        lines.append(f"schema: {current} (current)")
    except DatabaseError as exc:
        return CheckReport(False, (f"{target.describe()} cannot be read: {exc}",))
    finally:
        database.close()
    return CheckReport(True, tuple(lines))


@contextlib.contextmanager
def environment_errors() -> Iterator[None]:
    """Turn the database's complaints about the machine into messages for the user."""
    try:
        yield
    except OperationalError as exc:
        # A failed COMMIT can make SQLite roll back by itself; peewee's own rollback then
        # fails with "no transaction is active". The cause is the error before it.
        causes: list[BaseException] = []
        cause: BaseException | None = exc
        while cause is not None and len(causes) < 5:
            causes.append(cause)
            cause = cause.__context__
        text = " | ".join(str(c).lower() for c in causes)
        if "locked" in text or "busy" in text:
            raise EnvironmentProblem(
                "The database is busy with another workstation's change. Wait a moment "
                "and try again; nothing was changed."
            ) from exc
        if "full" in text:
            raise EnvironmentProblem(
                "The disk is full, so the change was not saved. Free some space and try "
                "again; nothing was lost."
            ) from exc
        if "readonly" in text or "read-only" in text:
            raise EnvironmentProblem(
                "The database file is read-only, so the change was not saved."
            ) from exc
        if "disk i/o" in text:
            raise EnvironmentProblem(
                "The database file could not be written (a disk error: the disk may be full, "
                "or a file too large for it). Nothing was changed; free some space or check "
                "the disk, then try again."
            ) from exc
        if "unable to open" in text or "connection" in text:
            raise EnvironmentProblem(
                f"The database could not be reached ({exc}). Nothing was changed; try again."
            ) from exc
        raise
