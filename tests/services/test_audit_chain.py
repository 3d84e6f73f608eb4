"""The tamper-evident audit trail: every event carries the hash of the one before it, and
``mtc-desktop audit verify`` names the first event edited, removed or reordered."""

from __future__ import annotations

import itertools
import json
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from mtc_desktop.cli import main
from mtc_desktop.domain.chain import GENESIS
from mtc_desktop.services import audit, demo
from mtc_desktop.store import database as store_db
from mtc_desktop.store.models import AuditEvent, Counter
from tests.databases import DatabaseRef, PostgresServer, is_postgresql, raw_connection

CHAIN_MIGRATION = "0003_audit_chain_and_login_failures"


def _fill() -> None:
    demo.create_demo()
    demo.add_bulk_clients("smithcpa", 40)


@pytest.fixture
def demo_copy(backend: str, request: pytest.FixtureRequest) -> Iterator[DatabaseRef]:
    """A copy of the demo database, with bulk clients, closed: ready to tamper with."""
    if backend == "sqlite":
        tmp_path: Path = request.getfixturevalue("tmp_path")
        path = tmp_path / "demo.db"
        store_db.open_database(path)
        _fill()
        store_db.close_database()
        copy = tmp_path / "copy.db"
        shutil.copy(path, copy)
        yield copy
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    url = server.copy(server.template("audit-demo", _fill))
    yield url
    store_db.close_database()
    server.drop(url)


def _verify(path: DatabaseRef, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["audit", "verify", "--database", str(path), *extra])
    captured = capsys.readouterr()
    return code, (captured.out + captured.err).strip()


def _sql(path: DatabaseRef, statement: str, *params: object) -> None:
    """A change made behind the program's back, by a plain driver connection."""
    with raw_connection(path) as conn:
        conn.execute(statement, params)


def _event_ids(path: DatabaseRef) -> list[int]:
    with raw_connection(path) as conn:
        return [row[0] for row in conn.execute("SELECT id FROM audit_event ORDER BY id")]


def test_every_event_links_to_the_one_before(demo_copy: DatabaseRef) -> None:
    store_db.open_database(demo_copy)
    try:
        events = list(AuditEvent.select().order_by(AuditEvent.id))
        assert len(events) > 60
        assert events[0].prev_hash == GENESIS
        for before, after in itertools.pairwise(events):
            assert after.prev_hash == before.hash
            assert len(after.hash) == 64
        report = audit.verify_chain()
        assert report.ok
        assert report.events == len(events)
        assert report.latest == events[-1].hash == audit.latest_hash()
        counted = Counter.get(Counter.name == "audit-chain").value
        assert counted == len(events)
    finally:
        store_db.close_database()


def test_an_intact_trail_verifies(
    demo_copy: DatabaseRef, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = _verify(demo_copy, capsys)
    assert code == 0
    assert text.startswith("The audit trail is intact: ")
    assert "latest hash " in text


def test_a_changed_event_is_named(
    demo_copy: DatabaseRef, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = _event_ids(demo_copy)[10]
    _sql(
        demo_copy,
        "UPDATE audit_event SET details = '{\"tampered\": true}' WHERE id = ?",
        victim,
    )
    code, text = _verify(demo_copy, capsys)
    assert code == 1
    assert f"Event {victim} (" in text
    assert "was changed after it was written" in text


def test_a_changed_actor_is_caught_too(
    demo_copy: DatabaseRef, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = _event_ids(demo_copy)[5]
    _sql(demo_copy, "UPDATE audit_event SET actor_id = NULL WHERE id = ?", victim)
    code, text = _verify(demo_copy, capsys)
    assert code == 1
    assert f"Event {victim} (" in text


def test_a_deleted_event_is_caught(
    demo_copy: DatabaseRef, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = _event_ids(demo_copy)
    _sql(demo_copy, "DELETE FROM audit_event WHERE id = ?", ids[20])
    code, text = _verify(demo_copy, capsys)
    assert code == 1
    assert f"The chain breaks at event {ids[21]} (" in text
    assert "removed, or events were reordered" in text


def test_deleting_the_last_events_is_caught(
    demo_copy: DatabaseRef, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = _event_ids(demo_copy)
    _sql(demo_copy, "DELETE FROM audit_event WHERE id >= ?", ids[-3])
    code, text = _verify(demo_copy, capsys)
    assert code == 1
    assert f"3 event(s) at the end of the chain were removed ({len(ids)} were written" in text


def test_swapped_events_are_caught(
    demo_copy: DatabaseRef, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two events swapped whole, hashes and all: the links between them break."""
    ids = _event_ids(demo_copy)
    a, b = ids[30], ids[31]
    _sql(demo_copy, "UPDATE audit_event SET id = -1 WHERE id = ?", a)
    _sql(demo_copy, "UPDATE audit_event SET id = ? WHERE id = ?", a, b)
    _sql(demo_copy, "UPDATE audit_event SET id = ? WHERE id = -1", b)
    code, text = _verify(demo_copy, capsys)
    assert code == 1
    assert f"The chain breaks at event {a} (" in text


def test_a_rewritten_history_is_caught_by_a_hash_printed_earlier(
    demo_copy: DatabaseRef, capsys: pytest.CaptureFixture[str]
) -> None:
    """Recomputing every hash after an edit makes the chain whole again, but a hash printed
    before (on a form, in an export) is no longer in it."""
    from mtc_desktop.domain.chain import event_hash

    _code, text = _verify(demo_copy, capsys)
    printed = text.rsplit("latest hash ", 1)[1].rstrip(".")
    victim = _event_ids(demo_copy)[3]
    _sql(demo_copy, "UPDATE audit_event SET action = 'favorite_added' WHERE id = ?", victim)
    store_db.open_database(demo_copy)
    try:
        prev = GENESIS
        for event in AuditEvent.select().order_by(AuditEvent.id):
            digest = event_hash(
                prev,
                event_id=event.id,
                at=event.at,
                actor_id=event.actor_id,
                action=event.action,
                third_party_id=event.third_party_id,
                taxpayer_id=event.taxpayer_id,
                request_id=event.request_id,
                account_id=event.account_id,
                details=event.details,
            )
            AuditEvent.update(prev_hash=prev, hash=digest).where(
                AuditEvent.id == event.id
            ).execute()
            prev = digest
    finally:
        store_db.close_database()
    assert _verify(demo_copy, capsys)[0] == 0, "the forger's chain is whole"
    code, text = _verify(demo_copy, capsys, "--expect", printed)
    assert code == 1
    assert "printed earlier is not in the chain" in text


def test_export_writes_every_event_and_the_latest_hash(
    demo_copy: DatabaseRef, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "audit.jsonl"
    assert main(["audit", "export", "--database", str(demo_copy), str(out)]) == 0
    said = capsys.readouterr().out
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    events, last = lines[:-1], lines[-1]
    assert last == {"events": len(events), "latest_hash": events[-1]["hash"]}
    assert (
        said
        == f"Exported {len(events):,} audit events to {out}; latest hash {last['latest_hash']}.\n"
    )
    assert [e["id"] for e in events] == _event_ids(demo_copy)
    assert _verify(demo_copy, capsys, "--expect", last["latest_hash"])[0] == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600, "readable by its owner only"


def test_upgrading_chains_the_events_already_there(database: DatabaseRef) -> None:
    """A database from before the chain gets its events chained, oldest first."""
    from playhouse.migrations import Runner

    demo.create_demo()
    db = store_db.db.obj
    Runner(db, str(store_db.MIGRATIONS_DIR), table_name=store_db.HISTORY_TABLE).down(
        CHAIN_MIGRATION
    )
    if not is_postgresql(database):
        db.execute_sql("PRAGMA user_version = 2")
    assert "hash" not in [column.name for column in db.get_columns("audit_event")]
    store_db.close_database()

    store_db.open_database(database)
    try:
        report = audit.verify_chain()
        assert report.ok
        assert report.events == AuditEvent.select().count() > 20
        assert Counter.get(Counter.name == "audit-chain").value == report.events
    finally:
        store_db.close_database()


def test_the_hash_printed_on_a_client_authorization_proves_the_history_before_it(
    demo_copy: DatabaseRef, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from pypdf import PdfReader

    from mtc_desktop.forms.authorization import render_authorization
    from mtc_desktop.services import printing

    store_db.open_database(demo_copy)
    try:
        number = printing.pending_printed_form_numbers()[0]
        pdf = render_authorization(printing.system_authorization_form(number))
        latest = audit.latest_hash()
    finally:
        store_db.close_database()
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert f"audit {latest[:16]}" in text
    assert _verify(demo_copy, capsys, "--expect", latest[:16])[0] == 0
    victim = _event_ids(demo_copy)[2]
    _sql(demo_copy, "DELETE FROM audit_event WHERE id >= ?", victim)
    code, said = _verify(demo_copy, capsys, "--expect", latest[:16])
    assert code == 1
    assert "removed" in said
