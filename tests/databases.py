"""The databases the tests run on: SQLite files under ``tmp_path``, and, when
``MTC_TEST_POSTGRES_URL`` names a PostgreSQL server (a role that may create databases),
fresh databases on that server.

Each PostgreSQL test gets a database of its own, copied from a template that was migrated
once per session (``CREATE DATABASE ... TEMPLATE``), and dropped after it. Copying and
dropping take the server about a tenth of a second each, so both run in the background
while the tests run: the next fresh database is made while a test uses the present one,
and the last one is dropped meanwhile.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import psycopg
from psycopg import pq, sql

from mtc_desktop.store import database as store_db

POSTGRES_URL = os.environ.get("MTC_TEST_POSTGRES_URL", "")
BACKENDS: tuple[str, ...] = ("sqlite", "postgresql") if POSTGRES_URL else ("sqlite",)

# A database of one of the backends, as open_database() takes it: a file or a URL.
DatabaseRef = Path | str


def is_postgresql(ref: DatabaseRef) -> bool:
    return isinstance(ref, str) and ref.startswith("postgresql://")


class Raw:
    """A plain driver connection to a test's database, as another program or workstation
    has one: no peewee, no program code, each statement committed at once. Statements take
    ``?`` for their parameters on both backends."""

    def __init__(self, ref: DatabaseRef) -> None:
        self.postgresql = is_postgresql(ref)
        self._conn: Any
        if self.postgresql:
            self._conn = psycopg.connect(str(ref), autocommit=True)
            self.IntegrityError: type[Exception] = psycopg.IntegrityError
        else:
            self._conn = sqlite3.connect(ref, isolation_level=None)
            self.IntegrityError = sqlite3.IntegrityError

    def execute(self, statement: str, params: tuple[Any, ...] = ()) -> Any:
        if self.postgresql:
            statement = statement.replace("?", "%s")
        return self._conn.execute(statement, params)

    def hold_write_lock(self) -> None:
        """Begin a transaction that keeps every other writer waiting and lets readers read,
        until :meth:`rollback`, as another workstation's write transaction does: SQLite's
        write lock, or the program's write lock on PostgreSQL."""
        if not self.postgresql:
            self.execute("BEGIN IMMEDIATE")
            return
        self.execute("BEGIN")
        self.execute("SELECT pg_advisory_xact_lock(?)", (store_db.PG_WRITE_LOCK,))

    def rollback(self) -> None:
        self.execute("ROLLBACK")

    def close(self) -> None:
        self._conn.close()


@contextlib.contextmanager
def raw_connection(ref: DatabaseRef) -> Iterator[Raw]:
    raw = Raw(ref)
    try:
        yield raw
    finally:
        raw.close()


class _Background:
    """One connection to the server that runs a statement while the caller goes on; the
    next statement (or :meth:`wait`) first collects the previous one's outcome."""

    def __init__(self, conninfo: str) -> None:
        self._conn = pq.PGconn.connect(conninfo.encode())
        if self._conn.status != pq.ConnStatus.OK:
            raise RuntimeError(self._conn.get_error_message())
        self._busy = False

    def send(self, statement: sql.Composable) -> None:
        if self._busy:
            raise RuntimeError("wait() for the statement sent before")
        self._conn.send_query(statement.as_bytes(None))
        self._busy = True

    def wait(self) -> list[str]:
        """Wait for the statement sent last; return what the server said went wrong."""
        if not self._busy:
            return []
        self._busy = False
        errors = []
        while (result := self._conn.get_result()) is not None:
            if result.status not in (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK):
                errors.append(result.get_error_message().decode(errors="replace").strip())
        return errors

    def close(self) -> None:
        self.wait()
        self._conn.finish()


class PostgresServer:
    """Fresh databases on the server of ``MTC_TEST_POSTGRES_URL``, for one test session.

    Names carry this host and process, so that sessions sharing a server never touch each
    other's databases, and one that was killed is cleaned up by the next on the same host.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        host = hashlib.sha1(socket.gethostname().encode()).hexdigest()[:6]
        self._host_prefix = f"mtct_{host}_"
        self.prefix = f"{self._host_prefix}{os.getpid()}_"
        self._admin = psycopg.connect(url, autocommit=True)
        self._count = 0
        self._templates: dict[str, str] = {}
        self._ready: str | None = None
        self._maker = _Background(url)
        self._dropper = _Background(url)
        self._drop_leftovers()

    # --- naming -------------------------------------------------------------------------

    def url_of(self, name: str) -> str:
        return urlparse(self.url)._replace(path=f"/{name}").geturl()

    @staticmethod
    def name_of(url: str) -> str:
        return urlparse(url).path.lstrip("/")

    def _new_name(self, kind: str = "") -> str:
        self._count += 1
        return f"{self.prefix}{kind}{self._count}"

    # --- databases ----------------------------------------------------------------------

    def empty(self) -> str:
        """A new database with nothing in it, as a server administrator makes one."""
        name = self._new_name()
        self._admin.execute(self._create_empty(name))
        return self.url_of(name)

    def fresh(self) -> str:
        """A new database with the current schema, made while the last test ran."""
        base = self._base_template()
        self._wait_for_maker()
        name = self._ready or self._copy_now(base)
        self._ready = self._new_name()
        self._maker.send(self._create_from(self._ready, base))
        return self.url_of(name)

    def copy(self, source_url: str) -> str:
        """A new database holding what ``source_url`` holds; nobody may be connected to it."""
        return self.url_of(self._copy_now(self.name_of(source_url)))

    def template(self, key: str, fill: Callable[[], None]) -> str:
        """A database made once per session: a fresh one, opened, given to ``fill``, closed.
        Copy it with :meth:`copy` for each test."""
        if key not in self._templates:
            url = self.fresh()
            store_db.open_database(url)
            try:
                fill()
            finally:
                store_db.close_database()
            self._templates[key] = url
        return self._templates[key]

    def drop(self, url: str) -> None:
        """Drop a database a test is done with, in the background, once its connections
        are ended (a window's worker thread may still hold one). One the server cannot
        drop yet (autovacuum at work on it, say) is dropped at the end of the session."""
        self._collect_drop()
        name = self.name_of(url)
        self._admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
            "AND usename = current_user AND pid <> pg_backend_pid()",
            (name,),
        )
        self._dropper.send(self._drop(name))

    def _collect_drop(self) -> None:
        self._dropper.wait()  # one that failed stays until close() drops what is left

    def close(self) -> None:
        self._wait_for_maker()
        if self._ready is not None:
            self.drop(self.url_of(self._ready))
        for url in self._templates.values():
            self.drop(url)
        self._collect_drop()
        self._maker.close()
        self._dropper.close()
        self._drop_leftovers(mine=True)
        self._admin.close()

    def _wait_for_maker(self) -> None:
        errors = self._maker.wait()
        if errors:
            raise RuntimeError(f"PostgreSQL test databases: {'; '.join(errors)}")

    # --- helpers ------------------------------------------------------------------------

    def _base_template(self) -> str:
        name = f"{self.prefix}schema"
        if "schema" not in self._templates:
            self._admin.execute(self._create_empty(name))
            store_db.open_database(self.url_of(name))
            store_db.close_database()
            self._templates["schema"] = self.url_of(name)
        return name

    @staticmethod
    def _create_empty(name: str) -> sql.Composed:
        # Byte order for text, whatever the server's default locale: names sort as on
        # SQLite, so that a test's expected order holds on every server.
        return sql.SQL(
            "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
        ).format(sql.Identifier(name))

    @staticmethod
    def _drop(name: str) -> sql.Composed:
        # Not WITH (FORCE): PostgreSQL 15 then refuses to end an autovacuum worker for a
        # role without pg_signal_backend. A plain DROP ends one itself, and waits a few
        # seconds for the sessions ended just before it to go.
        return sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))

    @staticmethod
    def _create_from(name: str, template: str) -> sql.Composed:
        return sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template)
        )

    def _copy_now(self, template: str) -> str:
        name = self._new_name()
        self._admin.execute(self._create_from(name, template))
        return name

    def _drop_leftovers(self, *, mine: bool = False) -> None:
        """Drop the databases of this session (``mine``), or of dead sessions on this host."""
        rows = self._admin.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s)",
            (self._host_prefix,),
        ).fetchall()
        for (name,) in rows:
            pid = int(name.removeprefix(self._host_prefix).split("_", 1)[0])
            if name.startswith(self.prefix) if mine else not _alive(pid):
                self._admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND usename = current_user",
                    (name,),
                )
                self._admin.execute(self._drop(name))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer(POSTGRES_URL)
    try:
        yield server
    finally:
        server.close()
