"""``db backup`` and ``db restore``: a consistent copy even while another process writes,
put back whole, and every refusal leaving the files as they were."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mtc_desktop.cli import main
from mtc_desktop.domain.errors import EnvironmentProblem, InvalidInput
from mtc_desktop.services import demo
from mtc_desktop.store import backup
from mtc_desktop.store import database as store_db
from mtc_desktop.store.database import DatabaseRefused
from tests.store.helpers import EXPLANATIONS, file_digest

# SQLite's online backup API, on files (pg_dump: tests/store/test_postgresql.py).
pytestmark = pytest.mark.sqlite_only

# A writer in another process: each transaction adds a pair of settings, a_N and b_N.
WRITER = r"""
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
conn.execute("PRAGMA journal_mode = WAL")
print("ready", flush=True)
n = 0
deadline = time.monotonic() + float(sys.argv[2])
while time.monotonic() < deadline:
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO setting (key, value) VALUES (?, 'x' )", (f"a_{n}",))
    conn.execute("INSERT INTO setting (key, value) VALUES (?, 'x' )", (f"b_{n}",))
    conn.execute("COMMIT")
    n += 1
print(n, flush=True)
"""


@pytest.fixture
def demo_file(tmp_path: Path) -> Path:
    path = tmp_path / "office.db"
    store_db.open_database(path)
    demo.create_demo()
    store_db.close_database()
    return path


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {
            table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("logon", "access_request", "access_grant", "audit_event", "message")
        }


def test_a_backup_is_a_sound_copy_readable_only_by_its_owner(
    demo_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy.db"
    assert main(["db", "backup", "--database", str(demo_file), str(copy)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Backed up {demo_file} (schema {store_db.schema_version()}) to {copy}")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert _counts(copy) == _counts(demo_file)
    assert main(["db", "check", "--database", str(copy)]) == 0
    assert not Path(f"{copy}-wal").exists(), "a backup is one self-contained file"


def test_a_backup_taken_during_writes_restores_to_a_sound_database(
    demo_file: Path, tmp_path: Path
) -> None:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(demo_file), "3"], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "ready"
    time.sleep(0.3)
    copies = []
    for i in range(3):
        copy = tmp_path / f"during-{i}.db"
        backup.backup_database(demo_file, copy)
        copies.append(copy)
        time.sleep(0.2)
    written = int(writer.stdout.readline())
    assert writer.wait(timeout=30) == 0
    writer.stdout.close()
    assert written > 0
    seen = []
    for copy in copies:
        restored = tmp_path / f"restored-{copy.stem}.db"
        backup.restore_database(copy, restored)
        assert store_db.check_database(str(restored)).ok
        with sqlite3.connect(restored) as conn:
            a = conn.execute("SELECT COUNT(*) FROM setting WHERE key LIKE 'a_%'").fetchone()[0]
            b = conn.execute("SELECT COUNT(*) FROM setting WHERE key LIKE 'b_%'").fetchone()[0]
        assert a == b, "each transaction is in the backup whole or not at all"
        seen.append(a)
    assert seen == sorted(seen)
    assert seen[-1] > 0, "the backups were taken while the writer was writing"


def test_restore_puts_the_backup_back_and_keeps_the_database_as_it_was(
    demo_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "before.db"
    backup.backup_database(demo_file, copy)
    before = _counts(demo_file)
    with sqlite3.connect(demo_file) as conn:
        conn.execute("DELETE FROM message")
    assert _counts(demo_file)["message"] == 0
    assert main(["db", "restore", "--database", str(demo_file), str(copy)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Restored {demo_file} from {copy}."
    assert out[1].startswith("The database as it was before is kept at ")
    kept = Path(out[1].removeprefix("The database as it was before is kept at ").rstrip("."))
    assert _counts(demo_file) == before
    assert _counts(kept)["message"] == 0
    assert store_db.check_database(str(demo_file)).ok


@pytest.mark.parametrize("kind", sorted(EXPLANATIONS))
def test_restore_refuses_what_is_no_backup_of_ours_and_changes_nothing(
    demo_file: Path, tmp_path: Path, kind: str
) -> None:
    from tests.store.helpers import FOREIGN_FILES

    bad = tmp_path / f"{kind}.db"
    FOREIGN_FILES[kind](bad)
    before = file_digest(demo_file)
    with pytest.raises(DatabaseRefused):
        backup.restore_database(bad, demo_file)
    assert file_digest(demo_file) == before
    assert not list(tmp_path.glob("*before-restore*")), "no copy was left behind"


def test_a_damaged_backup_is_refused(demo_file: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    backup.backup_database(demo_file, copy)
    data = bytearray(copy.read_bytes())
    page = 4096
    data[page * 3 : page * 3 + 200] = b"\xff" * 200  # scribble over a table page
    copy.write_bytes(bytes(data))
    before = file_digest(demo_file)
    with pytest.raises(DatabaseRefused, match="damaged"):
        backup.restore_database(copy, demo_file)
    assert file_digest(demo_file) == before


def test_backup_refuses_to_overwrite_its_own_database_or_write_into_a_folder(
    demo_file: Path, tmp_path: Path
) -> None:
    before = file_digest(demo_file)
    with pytest.raises(InvalidInput, match="cannot overwrite the database"):
        backup.backup_database(demo_file, demo_file)
    with pytest.raises(InvalidInput, match="is a folder"):
        backup.backup_database(demo_file, tmp_path)
    with pytest.raises(InvalidInput, match="There is no folder"):
        backup.backup_database(demo_file, tmp_path / "missing" / "copy.db")
    assert file_digest(demo_file) == before
    assert not list(tmp_path.glob(".*.part"))


def test_the_cli_explains_a_refused_backup_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["db", "backup", "--database", str(tmp_path / "none.db"), str(tmp_path / "c.db")]) == 1
    )
    assert (
        capsys.readouterr().err == f"mtc-desktop: There is no database at {tmp_path / 'none.db'}.\n"
    )
    assert not (tmp_path / "c.db").exists()


def _schema_2(path: Path) -> None:
    from playhouse.migrations import Runner

    store_db.open_database(path)
    demo.create_demo()
    database = store_db.db.obj
    Runner(database, str(store_db.MIGRATIONS_DIR), table_name=store_db.HISTORY_TABLE).down(
        "0003_audit_chain_and_login_failures"
    )
    database.execute_sql("PRAGMA user_version = 2")
    store_db.close_database()


def test_db_upgrade_backs_the_file_up_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "office.db"
    _schema_2(path)
    assert main(["db", "upgrade", "--database", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    copies = list(tmp_path.glob("office.schema-2-*.db"))
    assert len(copies) == 1
    assert out[0] == f"Backed up {path} to {copies[0]} before upgrading."
    assert out[1] == f"{path} upgraded to schema {store_db.schema_version()}."
    assert store_db.read_stamp(copies[0]).user_version == 2
    assert store_db.check_database(str(path)).ok


def test_db_upgrade_without_backup_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "office.db"
    _schema_2(path)
    assert main(["db", "upgrade", "--no-backup", "--database", str(path)]) == 0
    assert capsys.readouterr().out == f"{path} upgraded to schema {store_db.schema_version()}.\n"
    assert not list(tmp_path.glob("office.schema-*"))


def test_db_upgrade_stops_when_the_backup_cannot_be_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "office.db"
    _schema_2(path)
    before = file_digest(path)

    def fail(*_args: object) -> None:
        raise EnvironmentProblem("Cannot write the copy: No space left on device.")

    monkeypatch.setattr(backup, "backup_database", fail)
    assert main(["db", "upgrade", "--database", str(path)]) == 1
    err = capsys.readouterr().err
    assert "No space left on device. Nothing was upgraded" in err
    assert "add --no-backup" in err
    assert file_digest(path) == before


def test_backup_refuses_to_replace_a_file_unless_forced(
    demo_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The file already there may be the one good copy: it is replaced only with --force."""
    copy = tmp_path / "monday.db"
    copy.write_bytes(b"last week's copy")
    assert main(["db", "backup", "--database", str(demo_file), str(copy)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"mtc-desktop: {copy} exists already; add --force to replace it.\n"
    assert copy.read_bytes() == b"last week's copy"
    assert not list(tmp_path.glob(".*.part"))
    with pytest.raises(backup.BackupExists, match="exists already"):
        backup.backup_database(demo_file, copy)
    assert copy.read_bytes() == b"last week's copy"

    assert main(["db", "backup", "--force", "--database", str(demo_file), str(copy)]) == 0
    assert capsys.readouterr().out.startswith(f"Backed up {demo_file} ")
    assert _counts(copy) == _counts(demo_file)
    assert main(["db", "check", "--database", str(copy)]) == 0
