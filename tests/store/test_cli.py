"""The ``mtc-desktop`` command's database work: ``db check``, ``db upgrade``, ``demo-data``.

Each case runs in-process through :func:`mtc_desktop.cli.main`; the ones a user meets
first also run as the installed ``mtc-desktop`` program.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mtc_desktop import __version__
from mtc_desktop.cli import main
from mtc_desktop.services import demo
from mtc_desktop.store import database as store_db
from tests.store.helpers import EXPLANATIONS, file_digest, sidecars

# Database files: headers, sidecars, digests (on PostgreSQL: tests/store/test_postgresql.py).
pytestmark = pytest.mark.sqlite_only

PROGRAM = Path(sys.executable).with_name("mtc-desktop")


def run_program(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MTC_DATABASE_URL"}
    return subprocess.run(
        [str(PROGRAM), *args], capture_output=True, text=True, timeout=120, env=env, check=False
    )


@pytest.fixture
def sound_db(tmp_path: Path) -> Path:
    path = tmp_path / "sound.db"
    store_db.open_database(path)
    store_db.close_database()
    return path


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"mtc-desktop {__version__}"


# --- db check -----------------------------------------------------------------------------------


def test_db_check_passes_a_sound_database(
    sound_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = file_digest(sound_db)
    assert main(["db", "check", "--database", str(sound_db)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "integrity: ok",
        "references: ok",
        f"schema: {store_db.schema_version()} (current)",
    ]
    assert err == ""
    assert file_digest(sound_db) == before
    assert not sidecars(sound_db)


def test_db_check_reads_the_environment(
    sound_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MTC_DATABASE_URL", str(sound_db))
    assert main(["db", "check"]) == 0
    assert f"schema: {store_db.schema_version()} (current)" in capsys.readouterr().out


def test_db_check_refuses_a_foreign_file(
    foreign_file: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    kind, path = foreign_file
    before = file_digest(path)
    assert main(["db", "check", "--database", str(path)]) != 0
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("mtc-desktop: ")
    assert EXPLANATIONS[kind] in lines[0]
    assert file_digest(path) == before
    assert not sidecars(path)


def test_db_check_of_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "none.db"
    assert main(["db", "check", "--database", str(path)]) == 1
    assert capsys.readouterr().err == f"mtc-desktop: There is no database at {path}.\n"
    assert not path.exists()


def test_program_db_check_passes_a_sound_database(sound_db: Path) -> None:
    result = run_program("db", "check", "--database", str(sound_db))
    assert result.returncode == 0, result.stderr
    assert f"schema: {store_db.schema_version()} (current)" in result.stdout


def test_program_db_check_refuses_a_foreign_file(foreign_file: tuple[str, Path]) -> None:
    kind, path = foreign_file
    before = file_digest(path)
    result = run_program("db", "check", "--database", str(path))
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert EXPLANATIONS[kind] in lines[0]
    assert file_digest(path) == before
    assert not sidecars(path)


# --- db upgrade ---------------------------------------------------------------------------------


def test_db_upgrade_says_an_up_to_date_database_is_up_to_date(
    sound_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade", "--database", str(sound_db)]) == 0
    assert capsys.readouterr().out == (
        f"{sound_db} is up to date (schema {store_db.schema_version()}).\n"
    )


def test_db_upgrade_refuses_a_foreign_file(
    foreign_file: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    kind, path = foreign_file
    before = file_digest(path)
    assert main(["db", "upgrade", "--database", str(path)]) != 0
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert EXPLANATIONS[kind] in lines[0]
    assert file_digest(path) == before
    assert not sidecars(path)


def test_db_upgrade_does_not_create_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "none.db"
    assert main(["db", "upgrade", "--database", str(path)]) == 1
    assert "There is no database" in capsys.readouterr().err
    assert not path.exists()


# --- demo-data ----------------------------------------------------------------------------------


def test_demo_data_makes_a_sound_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "demo.db"
    assert main(["demo-data", "--database", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"Every demo logon has the password: {demo.DEMO_PASSWORD}" in out
    for logon in demo.demo_logons():
        assert logon.username in out
    assert main(["db", "check", "--database", str(path)]) == 0


def test_demo_data_refuses_to_overwrite_a_file(
    sound_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = file_digest(sound_db)
    assert main(["demo-data", "--database", str(sound_db)]) == 2
    err = capsys.readouterr().err
    assert err == (f"mtc-desktop: {sound_db} exists already; demo data goes into a new database.\n")
    assert file_digest(sound_db) == before


def test_demo_data_refuses_to_overwrite_any_file(
    foreign_file: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, path = foreign_file
    before = file_digest(path)
    assert main(["demo-data", "--database", str(path)]) != 0
    assert capsys.readouterr().err.startswith("mtc-desktop: ")
    assert file_digest(path) == before


def test_demo_data_needs_a_database(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["demo-data"])
    assert info.value.code == 2
    assert "demo-data needs --database" in capsys.readouterr().err


def test_demo_data_refuses_a_negative_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["demo-data", "--database", str(tmp_path / "d.db"), "--clients", "-1"])
    assert info.value.code == 2
    assert "--clients must be 0 or more" in capsys.readouterr().err
    assert not (tmp_path / "d.db").exists()


def test_program_demo_data_with_clients(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    result = run_program("demo-data", "--database", str(path), "--clients", "300")
    assert result.returncode == 0, result.stderr
    assert "adding 300 clients to smithcpa" in result.stdout
    check = run_program("db", "check", "--database", str(path))
    assert check.returncode == 0, check.stderr
    again = run_program("demo-data", "--database", str(path))
    assert again.returncode == 2
    assert "exists already" in again.stderr
