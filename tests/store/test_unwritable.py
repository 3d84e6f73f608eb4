"""A new database asked for where no file can be made: a path through a file, a folder of
the kernel (/proc), a read-only folder. ``demo-data`` and the ``db`` commands say so in one
line, naming the path and why, and exit 1; nothing is made, and no traceback is printed.

The tests run as root, whom permission bits do not stop, so the read-only folder is an
immutable one (``chattr +i``); where that is not available, a folder of /sys as root (sysfs
takes no new files), or a folder with mode 0555 for any other user.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from mtc_desktop.cli import main
from mtc_desktop.services import demo
from mtc_desktop.store import database as store_db
from tests.store.helpers import file_digest
from tests.store.test_cli import run_program

pytestmark = pytest.mark.sqlite_only

ADVICE = "Choose a folder you can write to with --database PATH."


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[str | None]:
    """Make ``folder`` read-only for this process while the block runs; yields how the
    message words it, or None when this machine offers no way (root without chattr +i,
    as in a container without CAP_LINUX_IMMUTABLE)."""
    chattr = shutil.which("chattr")
    if chattr and subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode == 0:
        try:
            yield f"the folder {folder} is read-only"
        finally:
            subprocess.run([chattr, "-i", str(folder)], check=True)
    elif os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield f"you have no permission to write in the folder {folder}"
        finally:
            folder.chmod(0o755)
    else:
        yield None


@pytest.fixture(params=["through-a-file", "proc", "read-only-folder"])
def unwritable(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """(a database path where no file can be made, why, as the message gives it)."""
    if request.param == "through-a-file":
        notes = tmp_path / "notes.txt"
        notes.write_text("not a folder\n")
        yield notes / "office" / "office.db", f"{notes} is a file, not a folder"
    elif request.param == "proc":
        yield Path("/proc/office.db"), "the folder /proc"
    else:
        folder = tmp_path / "read-only"
        folder.mkdir()
        with read_only(folder) as why:
            if why is not None:
                yield folder / "office.db", why
            else:  # sysfs takes no new files, even from root
                yield Path("/sys/mtc-desktop/office.db"), "the folder /sys is read-only"


@pytest.fixture
def sound_backup(tmp_path: Path) -> Path:
    path = tmp_path / "backup.db"
    store_db.open_database(path)
    demo.create_demo()
    store_db.close_database()
    return path


def _one_line(err: str) -> str:
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("mtc-desktop: ")
    return lines[0].removeprefix("mtc-desktop: ")


def test_demo_data_says_in_one_line_that_the_folder_cannot_be_written(
    unwritable: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, why = unwritable
    assert main(["demo-data", "--database", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    line = _one_line(err)
    assert line.startswith(f"Cannot create the database {path}: {why}")
    assert line.endswith(f". {ADVICE}")
    assert not path.exists()


def test_the_program_demo_data_prints_no_traceback(unwritable: tuple[Path, str]) -> None:
    path, why = unwritable
    result = run_program("demo-data", "--database", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert _one_line(result.stderr).startswith(f"Cannot create the database {path}: {why}")


@pytest.mark.parametrize("command", ["check", "upgrade"])
def test_db_check_and_upgrade_say_there_is_no_database_there(
    unwritable: tuple[Path, str], command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path, why = unwritable
    assert main(["db", command, "--database", str(path)]) == 1
    line = _one_line(capsys.readouterr().err)
    assert line.startswith(f"There is no database at {path}")
    if "is a file, not a folder" in why:  # what shows without trying to write
        assert line == f"There is no database at {path}: {why}."
    assert not path.exists()


def test_db_restore_says_in_one_line_that_the_folder_cannot_be_written(
    unwritable: tuple[Path, str], sound_backup: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, why = unwritable
    before = file_digest(sound_backup)
    assert main(["db", "restore", "--database", str(path), str(sound_backup)]) == 1
    line = _one_line(capsys.readouterr().err)
    assert line.startswith(f"Cannot create the database {path}: {why}")
    assert not path.exists()
    assert file_digest(sound_backup) == before


def test_db_backup_into_a_folder_that_cannot_be_written_says_so_in_one_line(
    unwritable: tuple[Path, str], sound_backup: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _why = unwritable
    assert main(["db", "backup", "--database", str(sound_backup), str(path)]) == 1
    line = _one_line(capsys.readouterr().err)
    assert str(path.parent) in line or str(path) in line
    assert not path.exists()


def test_audit_verify_says_there_is_no_database_there(
    unwritable: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, _why = unwritable
    assert main(["audit", "verify", "--database", str(path)]) == 1
    assert _one_line(capsys.readouterr().err).startswith(f"There is no database at {path}")


def test_an_existing_database_in_a_read_only_folder_is_explained(tmp_path: Path) -> None:
    """SQLite keeps its journal beside the file: in a folder it cannot write to, even an
    existing database does not open, and the message says which folder is in the way."""
    folder = tmp_path / "shared"
    path = folder / "office.db"
    store_db.open_database(path)
    store_db.close_database()
    with read_only(folder) as why:
        assert why is not None, "no way to make a read-only folder here (chattr +i refused)"
        result = run_program("db", "upgrade", "--database", str(path))
    assert result.returncode == 1
    assert _one_line(result.stderr) == (
        f"Cannot open {path}: the folder {folder} is read-only, and SQLite keeps its journal "
        "beside the database; copy the file to a folder you can write to."
    )


def test_a_new_database_is_never_made_over_a_file(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n")
    with pytest.raises(store_db.DatabaseRefused, match="exists already"):
        store_db.check_new_database_path(notes)
    with pytest.raises(store_db.DatabaseRefused, match="exists already"):
        store_db.check_new_database_path(tmp_path)
    empty = tmp_path / "empty.db"
    empty.touch()
    store_db.check_new_database_path(empty)  # an empty file is no database yet
    store_db.check_new_database_path(tmp_path / "new.db")
    assert notes.read_text() == "not a database\n"
