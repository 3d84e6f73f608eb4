"""Opening an older database: the program offers a backup before it upgrades the schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from playhouse.migrations import Runner
from PySide6.QtWidgets import QWidget

from mtc_desktop.gui import dialogs
from mtc_desktop.gui.app import offer_backup_before_upgrade
from mtc_desktop.services import demo
from mtc_desktop.store import database as store_db
from tests.gui.conftest import ModalAnswer
from tests.store.helpers import file_digest

# The backup offered before an upgrade is a copy of the SQLite file beside it.
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def schema_2(tmp_path: Path) -> Path:
    path = tmp_path / "office.db"
    store_db.open_database(path)
    demo.create_demo()
    database = store_db.db.obj
    Runner(database, str(store_db.MIGRATIONS_DIR), table_name=store_db.HISTORY_TABLE).down(
        "0003_audit_chain_and_login_failures"
    )
    database.execute_sql("PRAGMA user_version = 2")
    store_db.close_database()
    return path


def test_back_up_and_upgrade(qtbot, schema_2: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    before = file_digest(schema_2)
    told: list[str] = []
    monkeypatch.setattr(dialogs, "inform", lambda _p, _t, text, more="": told.append(more))
    ask = ModalAnswer("Back Up and Upgrade").arm()
    assert offer_backup_before_upgrade(parent, str(schema_2)) is True
    assert ask.answered
    assert "schema 2" in ask.text
    copies = list(schema_2.parent.glob("office.schema-2-*.db"))
    assert len(copies) == 1
    assert told == [f"The copy is {copies[0]}."]
    assert store_db.read_stamp(copies[0]).user_version == 2
    assert file_digest(schema_2) == before, "the upgrade itself comes after"
    store_db.open_database(schema_2)
    store_db.close_database()
    assert store_db.read_stamp(schema_2).user_version == store_db.schema_version()


def test_quit_changes_nothing(qtbot, schema_2: Path) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    before = file_digest(schema_2)
    ModalAnswer("Quit").arm()
    assert offer_backup_before_upgrade(parent, str(schema_2)) is False
    assert file_digest(schema_2) == before
    assert not list(schema_2.parent.glob("office.schema-*"))


def test_a_current_database_is_not_asked_about(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    store_db.open_database(path)
    store_db.close_database()
    assert offer_backup_before_upgrade(QWidget(), str(path)) is True
