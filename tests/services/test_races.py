"""Two workstations acting on the same request or grant at the same moment, as real
processes on one database file: exactly one wins, the other is told and changes nothing;
one audit event per real change; never a double grant, never a lost cancellation."""

from __future__ import annotations

import multiprocessing as mp
import traceback
from collections.abc import Callable
from pathlib import Path

from mtc_desktop.domain.errors import StateConflict
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import ApprovalMethod
from mtc_desktop.services import grants, requests
from mtc_desktop.services.base import actor_for
from mtc_desktop.store import database as store_db
from mtc_desktop.store.models import AccessGrant, AccessRequest, AuditEvent, Logon
from tests.conftest import World
from tests.services.helpers import ask, grant_access

ROUNDS = 25
CTX = mp.get_context("fork")


def _act(path: str, barrier, results, action: Callable[[], object]) -> None:  # type: ignore[no-untyped-def]
    try:
        store_db.open_database(path)
        barrier.wait(timeout=20)
        try:
            action()
            results.put("won")
        except StateConflict as exc:
            results.put(f"conflict: {exc.message}")
    except BaseException:
        results.put("crash: " + traceback.format_exc())
    finally:
        store_db.close_database()


def _race(path: Path, first: Callable[[], object], second: Callable[[], object]) -> list[str]:
    """Run both actions in two fresh processes released at the same instant."""
    store_db.close_database()
    barrier = CTX.Barrier(2)
    results = CTX.Queue()
    procs = [
        CTX.Process(target=_act, args=(str(path), barrier, results, action))
        for action in (first, second)
    ]
    for proc in procs:
        proc.start()
    outcome = sorted(results.get(timeout=60) for _ in procs)
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0
    results.close()
    results.join_thread()
    store_db.open_database(path)
    return outcome


def _actions(*names: str) -> dict[str, int]:
    return {name: AuditEvent.select().where(AuditEvent.action == name).count() for name in names}


def test_two_decisions_of_one_request_exactly_one_wins(world: World, database: Path) -> None:
    firm = world.third_party("firm")
    cases = []
    for i in range(ROUNDS):
        taxpayer = world.taxpayer(f"Client {i}")
        owner = world.taxpayer_logon(f"client{i}", taxpayer)
        account = world.accounts(taxpayer)[0]
        request = ask(firm, taxpayer, [(account, AccessLevel.FILE)], ApprovalMethod.MASSTAXCONNECT)
        cases.append((owner.logon_id, request.id, account.id))

    for owner_id, request_id, account_id in cases:
        approve = lambda o=owner_id, r=request_id, a=account_id: requests.decide_request(  # noqa: E731
            actor_for(Logon.get_by_id(o)),
            r,
            [requests.LineDecision(a, True, AccessLevel.PAY)],
        )
        deny = lambda o=owner_id, r=request_id: requests.deny_request(  # noqa: E731
            actor_for(Logon.get_by_id(o)), r
        )
        outcome = _race(database, approve, deny)
        assert outcome[1] == "won", outcome
        assert outcome[0].startswith("conflict: "), outcome
        assert "was already" in outcome[0]

    for _owner_id, request_id, account_id in cases:
        status = AccessRequest.get_by_id(request_id).status
        assert status in ("approved", "denied")
        active = AccessGrant.select().where(
            (AccessGrant.account == account_id) & (AccessGrant.status == "active")
        )
        assert active.count() == (1 if status == "approved" else 0), "never a double grant"
    decided = _actions("request_approved", "request_denied")
    assert sum(decided.values()) == ROUNDS, "one audit event per real decision"
    assert _actions("grant_created")["grant_created"] == decided["request_approved"]


def test_two_cancellations_of_one_grant_never_lose_or_double_it(
    world: World, database: Path
) -> None:
    firm = world.third_party("firm")
    cases = []
    for i in range(ROUNDS):
        taxpayer = world.taxpayer(f"Client {i}")
        owner = world.taxpayer_logon(f"client{i}", taxpayer)
        account = world.accounts(taxpayer)[0]
        grant_access(firm, taxpayer, owner, [(account, AccessLevel.FILE_AND_PAY)])
        grant = AccessGrant.get(
            (AccessGrant.account == account.id) & (AccessGrant.status == "active")
        )
        cases.append((owner.logon_id, grant.id))

    firm_id = firm.logon_id
    for owner_id, grant_id in cases:
        by_taxpayer = lambda o=owner_id: grants.cancel_general_access(  # noqa: E731
            actor_for(Logon.get_by_id(o)), firm_id
        )
        by_firm = lambda g=grant_id: grants.cancel_my_access(  # noqa: E731
            actor_for(Logon.get_by_id(firm_id)), g
        )
        outcome = _race(database, by_taxpayer, by_firm)
        assert outcome[1] == "won", outcome
        assert outcome[0].startswith("conflict: "), outcome

    for _owner_id, grant_id in cases:
        grant = AccessGrant.get_by_id(grant_id)
        assert grant.status == "cancelled", "never a lost cancellation"
    assert _actions("grant_cancelled")["grant_cancelled"] == ROUNDS, "cancelled once each"


def test_a_level_change_racing_a_cancellation_never_revives_the_grant(
    world: World, database: Path
) -> None:
    firm = world.third_party("firm")
    cases = []
    for i in range(ROUNDS):
        taxpayer = world.taxpayer(f"Client {i}")
        owner = world.taxpayer_logon(f"client{i}", taxpayer)
        account = world.accounts(taxpayer)[0]
        grant_access(firm, taxpayer, owner, [(account, AccessLevel.FILE)])
        grant = AccessGrant.get(
            (AccessGrant.account == account.id) & (AccessGrant.status == "active")
        )
        cases.append((owner.logon_id, grant.id))

    firm_id = firm.logon_id
    for owner_id, grant_id in cases:
        change = lambda o=owner_id, g=grant_id: grants.change_level(  # noqa: E731
            actor_for(Logon.get_by_id(o)), g, AccessLevel.FULL_ACCESS
        )
        cancel = lambda g=grant_id: grants.cancel_my_access(  # noqa: E731
            actor_for(Logon.get_by_id(firm_id)), g
        )
        outcome = _race(database, change, cancel)
        assert all(o == "won" or o.startswith("conflict: ") for o in outcome), outcome
    # The firm's cancellation always stands: a level change cannot bring a grant back.
    assert all(AccessGrant.get_by_id(g).status == "cancelled" for _o, g in cases)
    assert _actions("grant_cancelled")["grant_cancelled"] == ROUNDS
