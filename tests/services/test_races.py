"""Two workstations acting on the same request or grant at the same moment, as real
processes on one database (a SQLite file, or a PostgreSQL server): exactly one wins, the
other is told and changes nothing; one audit event per real change; never a double grant,
never a lost cancellation. Where both may go ahead (an expiry sweep, a registration, a
favorite), both succeed and the change is made once."""

from __future__ import annotations

import functools
import multiprocessing as mp
import traceback
from collections.abc import Callable
from pathlib import Path

from mtc_desktop.domain.errors import NotAllowed, StateConflict
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import AccountType, ApprovalMethod
from mtc_desktop.services import accounts, audit, clients, grants, requests
from mtc_desktop.services.base import Actor, actor_for
from mtc_desktop.store import database as store_db
from mtc_desktop.store.models import (
    AccessGrant,
    AccessRequest,
    AuditEvent,
    Favorite,
    Logon,
    Message,
    Taxpayer,
)
from tests.conftest import Clock, World
from tests.services.helpers import ask, draft, grant_access

ROUNDS = 200  # of each race, on each database
PRINTED = ApprovalMethod.PRINTED_FORM
PARTNERS = "Partners & Partners LLP"
CTX = mp.get_context("fork")


def _outcome(action: Callable[[], object]) -> str:
    try:
        action()
    except StateConflict as exc:
        return f"conflict: {exc.message}"
    except NotAllowed as exc:
        return f"refused: {exc.message}"
    return "won"


def _side(path: str, barrier, results, side: int, actions: list[Callable[[], object]]) -> None:  # type: ignore[no-untyped-def]
    """One workstation: for each round, wait for the other, then act at the same instant."""
    try:
        store_db.open_database(path)
        for number, action in enumerate(actions):
            barrier.wait(timeout=60)
            results.put((number, side, _outcome(action)))
    except BaseException:
        barrier.abort()  # the other workstation stops waiting for this one
        results.put((-1, side, "crash: " + traceback.format_exc()))
    finally:
        store_db.close_database()


def _races(
    path: Path, rounds: list[tuple[Callable[[], object], Callable[[], object]]]
) -> list[list[str]]:
    """Run each round's two actions in two workstation processes, released together at the
    start of every round; the outcomes of each round, sorted ("conflict…" before "won")."""
    store_db.close_database()
    barrier = CTX.Barrier(2)
    results = CTX.Queue()
    procs = [
        CTX.Process(
            target=_side,
            args=(str(path), barrier, results, side, [pair[side] for pair in rounds]),
        )
        for side in (0, 1)
    ]
    for proc in procs:
        proc.start()
    outcomes: list[list[str]] = [[] for _ in rounds]
    for _ in range(2 * len(rounds)):
        number, _, outcome = results.get(timeout=120)
        assert number >= 0, outcome
        outcomes[number].append(outcome)
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0
    results.close()
    results.join_thread()
    store_db.open_database(path)
    return [sorted(pair) for pair in outcomes]


def _race(path: Path, first: Callable[[], object], second: Callable[[], object]) -> list[str]:
    """One round of :func:`_races`."""
    return _races(path, [(first, second)])[0]


def _granted_clients(
    world: World,
    firm: Actor,
    level: AccessLevel,
    types: tuple[AccountType, ...] = (AccountType.PERSONAL_INCOME,),
) -> list[tuple[int, int, int]]:
    """ROUNDS clients, each with a logon, granting ``firm`` ``level`` on every account:
    (the owner's logon id, the grant on its last account, that account's id)."""
    cases = []
    for i in range(ROUNDS):
        taxpayer = world.taxpayer(f"Client {i}", types)
        owner = world.taxpayer_logon(f"client{i}", taxpayer)
        held = world.accounts(taxpayer)
        grant_access(firm, taxpayer, owner, [(account, level) for account in held])
        grant = AccessGrant.get(
            (AccessGrant.account == held[-1].id) & (AccessGrant.status == "active")
        )
        cases.append((owner.logon_id, grant.id, held[-1].id))
    return cases


def _chain_intact() -> None:
    """The audit trail's hash chain held while both processes wrote to it."""
    report = audit.verify_chain()
    assert report.ok, report.problem


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

    rounds = []
    for owner_id, request_id, account_id in cases:
        approve = lambda o=owner_id, r=request_id, a=account_id: requests.decide_request(  # noqa: E731
            actor_for(Logon.get_by_id(o)),
            r,
            [requests.LineDecision(a, True, AccessLevel.PAY)],
        )
        deny = lambda o=owner_id, r=request_id: requests.deny_request(  # noqa: E731
            actor_for(Logon.get_by_id(o)), r
        )
        rounds.append((approve, deny))
    for outcome in _races(database, rounds):
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
    _chain_intact()


def test_two_cancellations_of_one_grant_never_lose_or_double_it(
    world: World, database: Path
) -> None:
    firm = world.third_party("firm")
    cases = _granted_clients(world, firm, AccessLevel.FILE_AND_PAY)

    firm_id = firm.logon_id
    rounds = []
    for owner_id, grant_id, _account_id in cases:
        by_taxpayer = lambda o=owner_id: grants.cancel_general_access(  # noqa: E731
            actor_for(Logon.get_by_id(o)), firm_id
        )
        by_firm = lambda g=grant_id: grants.cancel_my_access(  # noqa: E731
            actor_for(Logon.get_by_id(firm_id)), g
        )
        rounds.append((by_taxpayer, by_firm))
    for outcome in _races(database, rounds):
        assert outcome[1] == "won", outcome
        assert outcome[0].startswith("conflict: "), outcome

    for _owner_id, grant_id, _account_id in cases:
        grant = AccessGrant.get_by_id(grant_id)
        assert grant.status == "cancelled", "never a lost cancellation"
    assert _actions("grant_cancelled")["grant_cancelled"] == ROUNDS, "cancelled once each"
    _chain_intact()


def test_a_level_change_racing_a_cancellation_never_revives_the_grant(
    world: World, database: Path
) -> None:
    firm = world.third_party("firm")
    cases = _granted_clients(world, firm, AccessLevel.FILE)

    firm_id = firm.logon_id
    rounds = []
    for owner_id, grant_id, _account_id in cases:
        change = lambda o=owner_id, g=grant_id: grants.change_level(  # noqa: E731
            actor_for(Logon.get_by_id(o)), g, AccessLevel.FULL_ACCESS
        )
        cancel = lambda g=grant_id: grants.cancel_my_access(  # noqa: E731
            actor_for(Logon.get_by_id(firm_id)), g
        )
        rounds.append((change, cancel))
    for outcome in _races(database, rounds):
        assert all(o == "won" or o.startswith("conflict: ") for o in outcome), outcome
    # The firm's cancellation always stands: a level change cannot bring a grant back.
    assert all(AccessGrant.get_by_id(g).status == "cancelled" for _o, g, _a in cases)
    assert _actions("grant_cancelled")["grant_cancelled"] == ROUNDS
    _chain_intact()


def test_a_return_filed_as_the_level_is_lowered_is_never_saved_after_it(
    world: World, database: Path
) -> None:
    """The taxpayer lowers a firm's File access to View Only while the firm files: the
    filing is saved before the lowering, or refused; never saved after it."""
    firm = world.third_party("firm")
    cases = _granted_clients(world, firm, AccessLevel.FILE)

    firm_id = firm.logon_id
    rounds = []
    for owner_id, grant_id, account_id in cases:
        lower = lambda o=owner_id, g=grant_id: grants.change_level(  # noqa: E731
            actor_for(Logon.get_by_id(o)), g, AccessLevel.VIEW_ONLY
        )
        file = lambda a=account_id: accounts.file_return(  # noqa: E731
            actor_for(Logon.get_by_id(firm_id)), a, "2025 Q4"
        )
        rounds.append((lower, file))
    for outcome in _races(database, rounds):
        assert outcome[1] == "won", outcome
        assert outcome[0] == "won" or outcome[0].startswith("refused: Your access"), outcome
    for _owner_id, _grant_id, account_id in cases:
        events = {
            e.action: e.id
            for e in AuditEvent.select().where(
                (AuditEvent.account == account_id)
                & AuditEvent.action.in_(["return_filed", "grant_level_changed"])
            )
        }
        if "return_filed" in events:  # in the order of the commits: the chain's order
            assert events["return_filed"] < events["grant_level_changed"], events
    _chain_intact()


def test_a_level_change_racing_a_general_cancel_is_never_turned_away_as_busy(
    world: World, database: Path
) -> None:
    """A taxpayer cancels General Access on one workstation while changing the level of one
    of the same grants on another: one after the other, never a deadlock."""
    firm = world.third_party("firm")
    both = (AccountType.WITHHOLDING, AccountType.MEALS)
    cases = _granted_clients(world, firm, AccessLevel.FILE, both)

    firm_id = firm.logon_id
    rounds = []
    for owner_id, grant_id, _account_id in cases:
        cancel = lambda o=owner_id: grants.cancel_general_access(  # noqa: E731
            actor_for(Logon.get_by_id(o)), firm_id
        )
        change = lambda o=owner_id, g=grant_id: grants.change_level(  # noqa: E731
            actor_for(Logon.get_by_id(o)), g, AccessLevel.PAY
        )
        rounds.append((cancel, change))
    for outcome in _races(database, rounds):
        assert outcome == ["won", "won"] or (
            outcome[1] == "won" and outcome[0].startswith("conflict: ")
        ), outcome
    assert (
        not AccessGrant.select()
        .where(AccessGrant.status == "active")
        .where(AccessGrant.third_party == firm_id, AccessGrant.taxpayer != firm.taxpayer_id)
        .exists()
    )
    assert _actions("general_access_cancelled")["general_access_cancelled"] == ROUNDS
    _chain_intact()


def test_two_expiry_sweeps_at_once_expire_each_request_once(
    world: World, database: Path, clock: Clock
) -> None:
    """Two workstations' main windows sweep overdue requests at the same moment."""
    firm = world.third_party("firm")
    made = 0
    for i in range(8):
        taxpayer = world.taxpayer(f"Client {i}", email=f"client{i}@mail.example")
        ask(firm, taxpayer, [(world.accounts(taxpayer)[0], AccessLevel.FILE)], PRINTED)
        made += 1
    clock.advance(days=46)
    for i in range(8, 8 + 5 * 4):
        if i % 4 == 0:  # a few more overdue requests for each round
            outcome = _race(database, requests.expire_overdue, requests.expire_overdue)
            assert outcome == ["won", "won"], outcome
            clock.advance(days=46)
        taxpayer = world.taxpayer(f"Client {i}", email=f"client{i}@mail.example")
        ask(firm, taxpayer, [(world.accounts(taxpayer)[0], AccessLevel.FILE)], PRINTED)
        made += 1
    clock.advance(days=46)
    outcome = _race(database, requests.expire_overdue, requests.expire_overdue)
    assert outcome == ["won", "won"], outcome
    assert AccessRequest.select().where(AccessRequest.status == "expired").count() == made
    assert _actions("request_expired")["request_expired"] == made, "expired once each"
    # Each side told once: the firm, and the taxpayer at its email on file.
    assert Message.select().where(Message.subject.endswith("expired")).count() == 2 * made
    _chain_intact()


def test_two_firms_registering_one_new_business_at_once(world: World, database: Path) -> None:
    """Two partners of a firm register logons for its FEIN, not yet known, at the same moment."""
    feins = [f"{40 + i % 9:02d}-{7000000 + i:07d}" for i in range(ROUNDS)]
    rounds = [
        (
            functools.partial(world.third_party, f"partner{i}a", PARTNERS, fein),
            functools.partial(world.third_party, f"partner{i}b", PARTNERS, fein),
        )
        for i, fein in enumerate(feins)
    ]
    for fein, outcome in zip(feins, _races(database, rounds), strict=True):
        assert outcome == ["won", "won"], outcome
        digits = fein.replace("-", "")
        taxpayer = Taxpayer.get(Taxpayer.id_number == digits)
        assert Taxpayer.select().where(Taxpayer.id_number == digits).count() == 1
        assert Logon.select().where(Logon.taxpayer == taxpayer.id).count() == 2
    _chain_intact()


def test_two_requests_for_one_taxpayer_at_once_make_one(world: World, database: Path) -> None:
    """Two workstations of one firm send a request for the same taxpayer at the same moment."""
    firm = world.third_party("firm")
    taxpayers, rounds = [], []
    for i in range(ROUNDS):
        taxpayer = world.taxpayer(f"Client {i}")
        form = draft(taxpayer, [(world.accounts(taxpayer)[0], AccessLevel.FILE)], PRINTED)
        send = functools.partial(requests.request_access, firm, form)
        taxpayers.append(taxpayer)
        rounds.append((send, send))
    for taxpayer, outcome in zip(taxpayers, _races(database, rounds), strict=True):
        assert outcome[1] == "won", outcome
        assert outcome[0].startswith("conflict: You already have a pending request"), outcome
        assert AccessRequest.select().where(AccessRequest.taxpayer == taxpayer.id).count() == 1
    assert _actions("request_created")["request_created"] == ROUNDS
    _chain_intact()


def test_two_favorites_of_one_client_at_once_make_one(world: World, database: Path) -> None:
    firm = world.third_party("firm")
    owner_taxpayer = world.taxpayer("Client")
    owner = world.taxpayer_logon("client", owner_taxpayer)
    grant_access(
        firm, owner_taxpayer, owner, [(world.accounts(owner_taxpayer)[0], AccessLevel.FILE)]
    )
    mark = functools.partial(clients.set_favorite, firm, owner_taxpayer.id, True)
    unmark = functools.partial(clients.set_favorite, firm, owner_taxpayer.id, False)
    rounds = [(mark, mark), (unmark, unmark)] * (ROUNDS // 2)
    assert all(outcome == ["won", "won"] for outcome in _races(database, rounds))
    assert Favorite.select().count() == 0
    # Marked once and unmarked once in each pair of rounds: never twice, never missed.
    marked = _actions("favorite_added", "favorite_removed")
    assert marked == {"favorite_added": ROUNDS // 2, "favorite_removed": ROUNDS // 2}
    _chain_intact()
