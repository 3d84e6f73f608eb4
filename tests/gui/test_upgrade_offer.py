"""Opening an older database: the program offers a backup before it upgrades the schema. A
SQLite file is copied beside itself; a PostgreSQL database is dumped (pg_dump) into the
user's data folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from playhouse.migrations import Runner
from PySide6.QtWidgets import QWidget

from mtc_desktop.domain.errors import EnvironmentProblem
from mtc_desktop.gui import dialogs
from mtc_desktop.gui.app import offer_backup_before_upgrade
from mtc_desktop.services import demo
from mtc_desktop.store import backup
from mtc_desktop.store import database as store_db
from tests.databases import DatabaseRef, is_postgresql
from tests.gui.conftest import ModalAnswer
from tests.store.helpers import file_digest


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's data folder, where a PostgreSQL database's copy goes."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data" / "mtc-desktop"


@pytest.fixture
def parent(qtbot) -> QWidget:
    """The window the question is asked over."""
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def schema_2(database: DatabaseRef, data_dir: Path) -> DatabaseRef:
    """The demo database as the previous release left it: schema 2."""
    demo.create_demo()
    connection = store_db.db.obj
    Runner(connection, str(store_db.MIGRATIONS_DIR), table_name=store_db.HISTORY_TABLE).down(
        "0003_audit_chain_and_login_failures"
    )
    if not is_postgresql(database):
        connection.execute_sql("PRAGMA user_version = 2")
    store_db.close_database()
    assert store_db.needs_upgrade(str(database)) == (2, store_db.schema_version())
    return database


def _copies(ref: DatabaseRef, data_dir: Path) -> list[Path]:
    if is_postgresql(ref):
        return sorted((data_dir / "backups").glob("*.schema-2-*.dump"))
    assert isinstance(ref, Path)
    return sorted(ref.parent.glob(f"{ref.stem}.schema-2-*.db"))


def _fingerprint(ref: DatabaseRef) -> object:
    """What shows that the database was not touched."""
    if is_postgresql(ref):
        return store_db.needs_upgrade(str(ref))
    assert isinstance(ref, Path)
    return file_digest(ref)


def test_back_up_and_upgrade(
    parent: QWidget, schema_2: DatabaseRef, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _fingerprint(schema_2)
    told: list[str] = []
    monkeypatch.setattr(dialogs, "inform", lambda _p, _t, text, more="": told.append(more))
    ask = ModalAnswer("Back Up and Upgrade").arm()
    assert offer_backup_before_upgrade(parent, str(schema_2)) is True
    assert ask.answered
    assert "schema 2" in ask.text
    copies = _copies(schema_2, data_dir)
    assert len(copies) == 1
    assert told == [f"The copy is {copies[0]}."]
    if is_postgresql(schema_2):
        assert "pg_dump" in ask.informative
        assert copies[0].read_bytes()[:5] == b"PGDMP", "a pg_dump archive, for db restore"
    else:
        assert store_db.read_stamp(copies[0]).user_version == 2
    assert _fingerprint(schema_2) == before, "the upgrade itself comes after"
    store_db.open_database(schema_2)
    store_db.close_database()
    assert store_db.needs_upgrade(str(schema_2)) is None


def test_a_failed_backup_says_why_and_asks_again(
    parent: QWidget, schema_2: DatabaseRef, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pg_dump missing, a full disk: nothing is upgraded without the backup asked for."""
    before = _fingerprint(schema_2)

    def fail(*_args: object) -> None:
        raise EnvironmentProblem("pg_dump is not installed; install the PostgreSQL client tools.")

    monkeypatch.setattr(backup, "backup_database", fail)
    warned: list[tuple[str, str]] = []

    def warn(_parent: QWidget, title: str, text: str, _more: str = "") -> None:
        warned.append((title, text))
        ModalAnswer("Quit").arm()  # asked again: this time, quit

    monkeypatch.setattr(dialogs, "warn", warn)
    ModalAnswer("Back Up and Upgrade").arm()
    assert offer_backup_before_upgrade(parent, str(schema_2)) is False
    assert warned == [
        (
            "The database was not backed up",
            "pg_dump is not installed; install the PostgreSQL client tools.",
        )
    ]
    assert _fingerprint(schema_2) == before
    assert not _copies(schema_2, data_dir)


def test_upgrade_without_backup(parent: QWidget, schema_2: DatabaseRef, data_dir: Path) -> None:
    ModalAnswer("Upgrade Without Backup").arm()
    assert offer_backup_before_upgrade(parent, str(schema_2)) is True
    assert not _copies(schema_2, data_dir)


def test_quit_changes_nothing(parent: QWidget, schema_2: DatabaseRef, data_dir: Path) -> None:
    before = _fingerprint(schema_2)
    ModalAnswer("Quit").arm()
    assert offer_backup_before_upgrade(parent, str(schema_2)) is False
    assert _fingerprint(schema_2) == before
    assert not _copies(schema_2, data_dir)


def test_a_current_database_is_not_asked_about(parent: QWidget, database: DatabaseRef) -> None:
    store_db.close_database()
    assert offer_backup_before_upgrade(parent, str(database)) is True
