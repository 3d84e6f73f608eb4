"""Faults of the machine, not of the user: a database locked past the busy timeout, a disk
that fills up mid-write, a database server that drops the connection. Each gives a clear
message, loses nothing already saved, and the same action succeeds once the cause is gone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mtc_desktop.domain.errors import EnvironmentProblem
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import ApprovalMethod
from mtc_desktop.services import requests
from mtc_desktop.store import database as store_db
from mtc_desktop.store.models import AccessRequest, Logon, db
from tests.conftest import World
from tests.databases import DatabaseRef, raw_connection
from tests.services.helpers import changed_tables, draft, snapshot


def _printed(world: World, taxpayer):  # type: ignore[no-untyped-def]
    return draft(
        taxpayer, [(world.accounts(taxpayer)[0], AccessLevel.FILE)], ApprovalMethod.PRINTED_FORM
    )


def test_a_database_locked_past_the_busy_timeout(
    world: World, database: DatabaseRef, monkeypatch: pytest.MonkeyPatch
) -> None:
    firm = world.third_party("firm")
    ann = world.taxpayer("Ann Lowell")
    store_db.close_database()
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_SECONDS", 0.3)
    store_db.open_database(database)
    before = snapshot()
    with raw_connection(database) as other:  # another workstation, in the middle of a change
        other.hold_write_lock()
        try:
            with pytest.raises(EnvironmentProblem) as info:
                requests.request_access(firm, _printed(world, ann))
            assert info.value.message == (
                "The database is busy with another workstation's change. Wait a moment and "
                "try again; nothing was changed."
            )
        finally:
            other.rollback()
    assert not changed_tables(before, snapshot())
    view = requests.request_access(firm, _printed(world, ann))
    assert AccessRequest.get_by_id(view.id).status == "pending"


def _terminate_my_connection(database: DatabaseRef) -> None:
    """The server ends this process's connection, as when it restarts or the network drops."""
    pid = db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    with raw_connection(database) as other:
        other.execute("SELECT pg_terminate_backend(?)", (pid,))


LOST = "The connection to the database server was lost"


@pytest.mark.postgresql_only
def test_a_connection_lost_between_calls(world: World, database: DatabaseRef) -> None:
    firm = world.third_party("firm")
    form = _printed(world, world.taxpayer("Ann Lowell"))
    before = snapshot()
    _terminate_my_connection(database)
    with pytest.raises(EnvironmentProblem) as info:
        requests.request_access(firm, form)
    assert info.value.message.startswith(LOST)
    assert "\n" not in info.value.message
    # The same call again: a new connection, and the request is made once.
    view = requests.request_access(firm, form)
    assert changed_tables(before, snapshot()) >= {"access_request", "request_line"}
    assert [r.number for r in AccessRequest.select()] == [view.number]


@pytest.mark.postgresql_only
def test_a_connection_lost_in_the_middle_of_a_change(
    world: World, database: DatabaseRef, monkeypatch: pytest.MonkeyPatch
) -> None:
    firm = world.third_party("firm")
    form = _printed(world, world.taxpayer("Ann Lowell"))
    before = snapshot()
    numbering = requests.next_number

    def cut_then_number(name: str) -> int:
        _terminate_my_connection(database)  # the request's first statements ran already
        return numbering(name)

    monkeypatch.setattr(requests, "next_number", cut_then_number)
    with pytest.raises(EnvironmentProblem) as info:
        requests.request_access(firm, form)
    assert info.value.message.startswith(LOST)
    monkeypatch.setattr(requests, "next_number", numbering)
    assert not changed_tables(before, snapshot()), "the half-made change was rolled back"
    view = requests.request_access(firm, form)
    assert [r.number for r in AccessRequest.select()] == [view.number]


def test_a_server_that_cannot_be_reached_is_told_in_one_line() -> None:
    with pytest.raises(EnvironmentProblem) as info:
        store_db.open_database("postgresql://clerk:secret@127.0.0.1:1/mtc")
    message = info.value.message
    assert message.startswith("Cannot open PostgreSQL database mtc on 127.0.0.1: ")
    assert "\n" not in message
    assert "secret" not in message


# Asks for requests until the file may grow no more (RLIMIT_FSIZE, as on a full disk).
FILLER = r"""
import resource, signal, sys
from mtc_desktop.domain.errors import EnvironmentProblem
from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import AccountType, ApprovalMethod, TaxpayerKind
from mtc_desktop.services import requests
from mtc_desktop.services.base import actor_for, transaction
from mtc_desktop.services.taxpayers import add_account, create_taxpayer
from mtc_desktop.store import database
from mtc_desktop.store.models import Logon

database.open_database(sys.argv[1])
firm = actor_for(Logon.get(Logon.username == "firm"))
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
made = 0
try:
    for n in range(100000):
        number = f"{100 + n // 9000 % 500:03d}-55-{1000 + n % 9000:04d}"
        with transaction():
            tp = create_taxpayer(IdType.SSN, number.replace("-", ""), f"Client {n} " + "x" * 150,
                                 TaxpayerKind.INDIVIDUAL)
            account = add_account(tp, AccountType.PERSONAL_INCOME)
        requests.request_access(firm, requests.RequestDraft(
            IdType.SSN, number, tp.legal_name, ((account.id, AccessLevel.FILE),),
            ApprovalMethod.PRINTED_FORM))
        made += 1
except EnvironmentProblem as exc:
    print(made)
    print(exc.message)
"""


@pytest.mark.sqlite_only  # the file may grow no more; a server's disk is the server's
def test_a_full_disk_mid_write(world: World, db_path: Path) -> None:
    world.third_party("firm")
    store_db.close_database()
    size = sum(p.stat().st_size for p in db_path.parent.glob(f"{db_path.name}*"))
    done = subprocess.run(
        [sys.executable, "-c", FILLER, str(db_path), str(size + 200_000)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    made_text, message = done.stdout.splitlines()
    made = int(made_text)
    assert made > 0
    assert message.startswith("The database file could not be written (a disk error")
    assert "Nothing was changed" in message
    assert store_db.check_database(str(db_path)).ok
    store_db.open_database(db_path)
    firm = Logon.get(Logon.username == "firm")
    assert AccessRequest.select().where(AccessRequest.third_party == firm.id).count() == made
    # Space again: the next request goes through.
    ann = world.taxpayer("Ann Lowell")
    from mtc_desktop.services.base import actor_for

    view = requests.request_access(
        actor_for(firm),
        draft(ann, [(world.accounts(ann)[0], AccessLevel.FILE)], ApprovalMethod.PRINTED_FORM),
    )
    assert view.status.value == "pending"
