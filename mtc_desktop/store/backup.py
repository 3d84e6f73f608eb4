"""Backups: a consistent copy of the database, taken while workstations keep writing, and
putting one back.

SQLite uses its online backup API, which copies a snapshot page by page and restarts if
another connection writes meanwhile, so a backup taken during writes is a sound database.
The copy is written beside its destination and renamed into place once checked, so a
failed backup never leaves a half-written file under the chosen name. PostgreSQL uses
``pg_dump`` and ``pg_restore`` (custom format), which must be installed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from mtc_desktop.domain.errors import EnvironmentProblem, InvalidInput
from mtc_desktop.store.database import (
    APPLICATION_ID,
    BUSY_TIMEOUT_SECONDS,
    DatabaseRefused,
    Target,
    check_stamp,
    create_database_file,
    default_path,
    no_database,
    read_stamp,
    resolve_target,
    schema_version,
    stored_version,
    why_not_here,
)

PG_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    schema: int


def _as_target(target: Target | str | os.PathLike[str] | None) -> Target:
    return target if isinstance(target, Target) else resolve_target(target)


def _part(path: Path) -> Path:
    return path.with_name(f".{path.name}.part")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_copy(path: Path) -> int:
    """A backup must be a sound database of ours; return its schema version."""
    stamp = read_stamp(path)
    if not stamp.exists or stamp.application_id != APPLICATION_ID:
        raise DatabaseRefused(f"{path} is not an MTC Desktop backup; nothing was changed.")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        verdict = str(exc)
    finally:
        conn.close()
    if verdict != "ok":
        raise DatabaseRefused(f"{path} is damaged ({verdict}); nothing was changed.")
    return stamp.user_version


def _sqlite_copy(source: Path, destination: Path) -> None:
    """Copy the database at ``source`` into ``destination`` with the online backup API."""
    part = _part(destination)
    try:
        part.unlink(missing_ok=True)
        fd = os.open(part, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)  # taxpayer IDs inside
        os.close(fd)
        src = sqlite3.connect(str(source), timeout=BUSY_TIMEOUT_SECONDS)
        try:
            dst = sqlite3.connect(str(part))
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            finally:
                dst.close()
        finally:
            src.close()
        _fsync(part)
        os.replace(part, destination)
    except sqlite3.Error as exc:
        part.unlink(missing_ok=True)
        raise EnvironmentProblem(f"The backup could not be made: {exc}.") from exc
    except OSError as exc:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
        raise EnvironmentProblem(
            f"Cannot write {destination}: {why_not_here(destination, exc)}. Nothing was changed."
        ) from exc


def _pg_env(target: Target) -> tuple[list[str], dict[str, str]]:
    parsed = urlparse(target.url)
    args = ["--dbname", unquote(parsed.path.lstrip("/"))]
    if parsed.hostname:
        args += ["--host", parsed.hostname]
    if parsed.port:
        args += ["--port", str(parsed.port)]
    if parsed.username:
        args += ["--username", unquote(parsed.username)]
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = unquote(parsed.password)
    return args, env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise EnvironmentProblem(
            f"{name} is not installed; install the PostgreSQL client tools to back up or "
            "restore a PostgreSQL database."
        )
    return found


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    # Here, not at the top: the program's start reads this module to ask whether the
    # database needs an upgrade, and subprocess (with locale, signal, selectors) would
    # cost it a few ms for pg_dump and pg_restore, which only a PostgreSQL backup runs.
    import subprocess

    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired as exc:
        raise EnvironmentProblem(f"The {what} took too long and was stopped.") from exc
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise EnvironmentProblem(
            f"The {what} failed: {detail[-1] if detail else f'exit status {done.returncode}'}."
        )


class BackupExists(InvalidInput):
    """The backup file named exists already, and replacing it was not asked for."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path} exists already; choose another name for the backup.", "destination"
        )
        self.path = path


def backup_database(
    target: Target | str | os.PathLike[str] | None,
    destination: str | os.PathLike[str],
    *,
    replace: bool = False,
) -> BackupResult:
    """Copy the database to ``destination`` (a file), whole or not at all. A file already
    there is replaced only with ``replace``: it may be the one good copy."""
    target = _as_target(target)
    out = Path(destination).expanduser().absolute()
    if out.is_dir():
        raise InvalidInput(f"{out} is a folder; name the backup file to write.", "destination")
    if target.path is not None and out == target.path.absolute():
        raise InvalidInput("A backup cannot overwrite the database it copies.", "destination")
    if not out.parent.is_dir():
        raise InvalidInput(f"There is no folder {out.parent}.", "destination")
    if not replace and os.path.lexists(out):
        raise BackupExists(out)
    if target.path is not None:
        stamp = read_stamp(target.path)
        check_stamp(target.path, stamp)
        if not stamp.exists:
            raise no_database(target.path)
        _sqlite_copy(target.path, out)
        schema = _check_copy(out)
        return BackupResult(out, out.stat().st_size, schema)
    args, env = _pg_env(target)
    part = _part(out)
    try:
        _run(
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(part), *args],
            env,
            "backup",
        )
        _fsync(part)
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)
    return BackupResult(out, out.stat().st_size, _pg_schema(target))


def _pg_schema(target: Target) -> int:
    return stored_version(target) or 0  # a server that cannot be reached is told in a line


def restore_database(
    source: str | os.PathLike[str], target: Target | str | os.PathLike[str] | None
) -> Path | None:
    """Put a backup back in place of the database; return where the database as it was
    before the restore was kept (None when there was none)."""
    target = _as_target(target)
    backup = Path(source).expanduser().absolute()
    if not backup.is_file():
        raise InvalidInput(f"There is no backup file {backup}.", "source")
    if target.path is not None:
        schema = _check_copy(backup)
        if schema > schema_version():
            raise DatabaseRefused(
                f"{backup} was made by a newer version of MTC Desktop (schema {schema}); "
                "nothing was changed."
            )
        kept = None
        if read_stamp(target.path).exists:
            check_stamp(target.path, read_stamp(target.path))
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            kept = target.path.with_name(f"{target.path.stem}.before-restore-{stamp}.db")
            _sqlite_copy(target.path, kept)
        else:
            create_database_file(target.path)
        # Copy into the live file through SQLite, so that its WAL and any open
        # connection see the restored pages, never a file swapped under them.
        src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(str(target.path), timeout=BUSY_TIMEOUT_SECONDS)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = WAL")
            finally:
                dst.close()
        except sqlite3.Error as exc:
            raise EnvironmentProblem(
                f"The restore failed: {exc}."
                + (f" The database as it was is kept at {kept}." if kept else "")
            ) from exc
        finally:
            src.close()
        return kept
    args, env = _pg_env(target)
    _run(
        [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", *args, str(backup)],
        env,
        "restore",
    )
    return None


def backup_path_before_upgrade(target: Target, schema: int) -> Path:
    """Where an automatic backup before a schema upgrade goes: beside a SQLite database; for
    a PostgreSQL database, in this user's data folder (``backups/``), made if missing."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    if target.path is not None:
        return target.path.with_name(f"{target.path.stem}.schema-{schema}-{stamp}.db")
    folder = default_path().parent / "backups"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = unquote(urlparse(target.url).path.lstrip("/")) or "postgresql"
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return folder / f"{safe}.schema-{schema}-{stamp}.dump"
