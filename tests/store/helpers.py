"""Helpers for the store tests: files that are not databases of this version, digests."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from mtc_desktop.store import database as store_db


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sidecars(path: Path) -> list[Path]:
    """SQLite's -wal, -shm and -journal files beside ``path`` that exist now."""
    return [
        p
        for p in (Path(f"{path}{suffix}") for suffix in ("-wal", "-shm", "-journal"))
        if p.exists()
    ]


def make_random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(8192))


def make_other_program(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE bookmarks (url TEXT, title TEXT)")
    conn.execute("INSERT INTO bookmarks VALUES ('https://example.org', 'Example')")
    conn.commit()
    conn.close()


def make_newer_version(path: Path) -> None:
    store_db.open_database(path)
    store_db.close_database()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {store_db.schema_version() + 1}")
    conn.close()


def make_damaged(path: Path) -> None:
    """Our database, its header sound, every page after the first scribbled over."""
    store_db.open_database(path)
    store_db.close_database()
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek(4096)
        fh.write(b"\xde\xad" * ((size - 4096) // 2))


FOREIGN_FILES: dict[str, Callable[[Path], None]] = {
    "random-bytes": make_random_bytes,
    "other-program": make_other_program,
    "newer-version": make_newer_version,
    "damaged": make_damaged,
}

# What the one-line explanation says for each kind of file.
EXPLANATIONS = {
    "random-bytes": "not a SQLite file",
    "other-program": "of another program",
    "newer-version": "newer version of MTC Desktop",
    "damaged": "is damaged (database disk image is malformed)",
}
