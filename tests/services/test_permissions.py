"""The permission matrix: who may do what to whose request or grant, in every request state;
and, at the end, to whose Power of Attorney, in every POA state.

Every cell is one test. Five logons act — the taxpayer who owns the object, another
taxpayer, the third party that made the request, another third party, and DOR staff — on a
request that is pending, approved, denied, withdrawn or expired, doing one of nine things.
Two objects of the same shape exist side by side ("whose object"): the firm's request on
Harbor Bakery, and the rival firm's request on Ada Lovelace; each cell acts on one of them.

A cell is either allowed, and then its effect is checked (and nothing of the other object
moved), or refused with the right error, and then every table is exactly as before.

The grant acted on (change level, Cancel My Access) is the requesting third party's grant on
the request's first account: the active one when the request was approved; otherwise the
one it held before, which the taxpayer cancelled (a cancelled grant never comes back).
"""

from __future__ import annotations

import datetime as dt
import enum
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mtc_desktop.domain.errors import MtcError, NotAllowed, NotFound, StateConflict
from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import (
    AccountType,
    ApprovalMethod,
    GrantStatus,
    RequestStatus,
)
from mtc_desktop.domain.poa import InformationKind, InformationStatus, PoaAct, PoaStatus
from mtc_desktop.services import accounts, grants, poa, requests
from mtc_desktop.services.base import Actor
from mtc_desktop.services.poa import PoaRequired
from mtc_desktop.services.requests import LineDecision
from mtc_desktop.store import database as store_db
from mtc_desktop.store.models import (
    AccessGrant,
    AccessRequest,
    AccountActivity,
    InformationRequest,
    PoaForm,
    PowerOfAttorney,
    db,
)
from tests.conftest import Clock, World
from tests.databases import DatabaseRef, PostgresServer
from tests.services.helpers import (
    active_grant_row,
    as_requested,
    ask,
    audit_actions,
    changed_tables,
    grant_access,
    last_audit_id,
    last_message_id,
    recipients_since,
    snapshot,
)


class Who(enum.Enum):
    OWNER = "taxpayer_owner"
    OTHER_TAXPAYER = "other_taxpayer"
    REQUESTER = "requesting_third_party"
    OTHER_THIRD_PARTY = "other_third_party"
    STAFF = "dor_staff"


class State(enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class Action(enum.Enum):
    DECIDE = "decide"
    DENY = "deny"
    WITHDRAW = "withdraw"
    RECORD_PRINTED_FORM = "record_printed_form"
    CHANGE_LEVEL = "change_level"
    CANCEL_GENERAL_ACCESS = "cancel_general_access"
    CANCEL_MY_ACCESS = "cancel_my_access"
    FILE_RETURN = "file_return"
    MAKE_PAYMENT = "make_payment"


WHOSE = ("firm_on_bakery", "rival_on_ada")
ALLOWED = "allowed"
Outcome = str | type[MtcError]


@dataclass
class Target:
    """One request and everything around it, seen from the request's side."""

    taxpayer_id: int
    other_taxpayer_id: int
    actors: dict[Who, Actor]
    request_id: int
    number: str
    code: str
    first_account: int
    second_account: int
    grant_id: int  # the requester's grant on the first account (see the module docstring)

    @property
    def requester(self) -> Actor:
        return self.actors[Who.REQUESTER]

    @property
    def owner(self) -> Actor:
        return self.actors[Who.OWNER]


def expected(action: Action, who: Who, state: State) -> Outcome:
    """The rules of DESIGN.md §3, cell by cell."""
    pending = state is State.PENDING
    approved = state is State.APPROVED
    if action in (Action.DECIDE, Action.DENY):
        # Rule 2: only the taxpayer decides online; a third party never decides its own;
        # others do not even see the request. Only pending moves.
        return {
            Who.OWNER: ALLOWED if pending else StateConflict,
            Who.OTHER_TAXPAYER: NotFound,
            Who.REQUESTER: NotAllowed,
            Who.OTHER_THIRD_PARTY: NotFound,
            Who.STAFF: NotAllowed,
        }[who]
    if action is Action.WITHDRAW:
        return {
            Who.OWNER: NotAllowed,
            Who.OTHER_TAXPAYER: NotAllowed,
            Who.REQUESTER: ALLOWED if pending else StateConflict,
            Who.OTHER_THIRD_PARTY: NotFound,
            Who.STAFF: NotAllowed,
        }[who]
    if action is Action.RECORD_PRINTED_FORM:
        if who is Who.STAFF:
            return ALLOWED if pending else StateConflict
        return NotAllowed
    if action is Action.CHANGE_LEVEL:
        # Rule 3: only the taxpayer changes a level; a cancelled grant stays cancelled.
        if who is Who.OWNER:
            return ALLOWED if approved else StateConflict
        return NotAllowed
    if action is Action.CANCEL_GENERAL_ACCESS:
        # Acting on one's own accounts: a taxpayer (or a firm for its own business) whose
        # accounts the requester has no grant on has nothing to cancel.
        return {
            Who.OWNER: ALLOWED if approved else StateConflict,
            Who.OTHER_TAXPAYER: StateConflict,
            Who.REQUESTER: NotAllowed,
            Who.OTHER_THIRD_PARTY: StateConflict,
            Who.STAFF: NotAllowed,
        }[who]
    if action is Action.CANCEL_MY_ACCESS:
        return {
            Who.OWNER: NotAllowed,
            Who.OTHER_TAXPAYER: NotAllowed,
            Who.REQUESTER: ALLOWED if approved else StateConflict,
            Who.OTHER_THIRD_PARTY: NotFound,
            Who.STAFF: NotAllowed,
        }[who]
    # File a return, make a payment (rule 1): the owner always; the third party only with
    # an active grant whose level allows it (File and Pay here); nobody else.
    if who is Who.OWNER:
        return ALLOWED
    if who is Who.REQUESTER and approved:
        return ALLOWED
    return NotAllowed


# --- building the world of one cell ---------------------------------------------------


REQUESTED = (AccessLevel.FILE_AND_PAY, AccessLevel.VIEW_ONLY)


def _move_to(state: State, target: Target, staff: Actor, view: Any) -> None:
    method = ApprovalMethod(view.method)
    if state is State.APPROVED:
        if method is ApprovalMethod.PRINTED_FORM:
            requests.record_printed_form(
                staff, view.number, view.authorization_code, as_requested(view)
            )
        else:
            requests.decide_request(target.owner, view.id, as_requested(view))
    elif state is State.DENIED:
        if method is ApprovalMethod.PRINTED_FORM:
            refusal = [LineDecision(ln.account.id, False, ln.requested_level) for ln in view.lines]
            requests.record_printed_form(staff, view.number, view.authorization_code, refusal)
        else:
            requests.deny_request(target.owner, view.id)
    elif state is State.WITHDRAWN:
        requests.withdraw_request(target.requester, view.id)


def build(world: World, clock: Clock, state: State, method: ApprovalMethod) -> dict[str, Target]:
    bakery = world.taxpayer(
        "Harbor Bakery", (AccountType.WITHHOLDING, AccountType.MEALS), IdType.FEIN
    )
    ada = world.taxpayer("Ada Lovelace", (AccountType.PERSONAL_INCOME, AccountType.PFML))
    owner_bakery = world.taxpayer_logon("bakery-owner", bakery)
    owner_ada = world.taxpayer_logon("ada", ada)
    firm = world.third_party("firm")
    rival = world.third_party("rival")
    staff = world.staff()
    sides = {
        "firm_on_bakery": (bakery, ada, owner_bakery, owner_ada, firm, rival, owner_bakery),
        # The rival's earlier grant came on a printed form recorded by DOR.
        "rival_on_ada": (ada, bakery, owner_ada, owner_bakery, rival, firm, staff),
    }
    targets: dict[str, Target] = {}
    views = {}
    for name, (taxpayer, other, owner, other_owner, tp, other_tp, decider) in sides.items():
        first, second = world.accounts(taxpayer)
        # History: an earlier grant on the first account, cancelled by the taxpayer.
        grant_access(tp, taxpayer, decider, [(first, AccessLevel.FILE_AND_PAY)])
        old = active_grant_row(tp, first)
        assert old is not None
        grants.cancel_general_access(owner, tp.logon_id)
        view = ask(tp, taxpayer, list(zip((first, second), REQUESTED, strict=True)), method)
        views[name] = view
        targets[name] = Target(
            taxpayer_id=taxpayer.id,
            other_taxpayer_id=other.id,
            actors={
                Who.OWNER: owner,
                Who.OTHER_TAXPAYER: other_owner,
                Who.REQUESTER: tp,
                Who.OTHER_THIRD_PARTY: other_tp,
                Who.STAFF: staff,
            },
            request_id=view.id,
            number=view.number,
            code=view.authorization_code,
            first_account=first.id,
            second_account=second.id,
            grant_id=old.id,
        )
    for name, target in targets.items():
        _move_to(state, target, staff, views[name])
    if state is State.EXPIRED:
        clock.advance(days=46)
        assert requests.expire_overdue() == 2
    for target in targets.values():
        assert AccessRequest.get_by_id(target.request_id).status == state.value
        if state is State.APPROVED:
            current = active_grant_row(target.requester, target.first_account)
            assert current is not None
            target.grant_id = current.id
    return targets


MakeWorld = Callable[[State, ApprovalMethod], dict[str, Target]]


@dataclass
class Templates:
    """Built worlds, one database per (backend, state, method), copied for each cell."""

    folder: Path
    built: dict[
        tuple[str, State, ApprovalMethod], tuple[DatabaseRef, dict[str, Target], dt.datetime]
    ]


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    return Templates(tmp_path_factory.mktemp("permission-worlds"), {})


@pytest.fixture
def cell_world(
    templates: Templates,
    tmp_path: Path,
    clock: Clock,
    backend: str,
    request: pytest.FixtureRequest,
) -> Iterator[MakeWorld]:
    """A fresh database holding the world of one cell: a copy of its built template (a
    file, or a PostgreSQL database)."""
    server: PostgresServer | None = (
        request.getfixturevalue("postgres") if backend == "postgresql" else None
    )
    copies: list[str] = []

    def make(state: State, method: ApprovalMethod) -> dict[str, Target]:
        key = (backend, state, method)
        if key not in templates.built:
            source: DatabaseRef = (
                templates.folder / f"{state.value}-{method.value}.db"
                if server is None
                else server.fresh()
            )
            store_db.open_database(source)
            try:
                targets = build(World(), clock, state, method)
                if server is None:
                    db.obj.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                store_db.close_database()
            templates.built[key] = (source, targets, clock.now)
        source, targets, when = templates.built[key]
        copy: DatabaseRef
        if server is None:
            copy = tmp_path / "mtc.db"
            shutil.copyfile(source, copy)
        else:
            copy = server.copy(str(source))
            copies.append(copy)
        store_db.open_database(copy)
        clock.now = when
        return targets  # plain ids and actors: the same in every copy

    yield make
    store_db.close_database()
    for url in copies:
        assert server is not None
        server.drop(url)


# --- the actions ------------------------------------------------------------------------


DECISIONS_LEVEL = AccessLevel.FILE  # lower than the File and Pay asked for


def _decisions(t: Target) -> list[LineDecision]:
    return [
        LineDecision(t.first_account, True, DECISIONS_LEVEL),
        LineDecision(t.second_account, False, AccessLevel.VIEW_ONLY),
    ]


ACTIONS: dict[Action, Callable[[Actor, Target], Any]] = {
    Action.DECIDE: lambda a, t: requests.decide_request(a, t.request_id, _decisions(t)),
    Action.DENY: lambda a, t: requests.deny_request(a, t.request_id),
    Action.WITHDRAW: lambda a, t: requests.withdraw_request(a, t.request_id),
    Action.RECORD_PRINTED_FORM: lambda a, t: requests.record_printed_form(
        a, t.number, t.code, _decisions(t)
    ),
    Action.CHANGE_LEVEL: lambda a, t: grants.change_level(a, t.grant_id, AccessLevel.FULL_ACCESS),
    Action.CANCEL_GENERAL_ACCESS: lambda a, t: grants.cancel_general_access(
        a, t.requester.logon_id
    ),
    Action.CANCEL_MY_ACCESS: lambda a, t: grants.cancel_my_access(a, t.grant_id),
    Action.FILE_RETURN: lambda a, t: accounts.file_return(a, t.first_account, "2025 Q4"),
    Action.MAKE_PAYMENT: lambda a, t: accounts.make_payment(a, t.first_account, "125.00"),
}


def _status(t: Target) -> RequestStatus:
    return RequestStatus(AccessRequest.get_by_id(t.request_id).status)


def _requester_levels(t: Target) -> dict[int, AccessLevel]:
    return {
        g.account_id: AccessLevel(g.level)
        for g in AccessGrant.select().where(
            (AccessGrant.third_party == t.requester.logon_id)
            & (AccessGrant.taxpayer == t.taxpayer_id)
            & (AccessGrant.status == GrantStatus.ACTIVE.value)
        )
    }


def _kinds(
    t: Target, who: Who, messages: list[tuple[int | None, str, str]]
) -> list[tuple[str, str]]:
    by_id = {actor.logon_id: w for w, actor in t.actors.items()}
    return sorted((by_id[r].value, kind) for r, kind, _ in messages if r is not None)


DECISION_MESSAGES = sorted(
    [(Who.REQUESTER.value, "email"), (Who.REQUESTER.value, "emessage"), (Who.OWNER.value, "email")]
)


def check_effect(
    action: Action,
    who: Who,
    t: Target,
    audit: list[str],
    messages: list[tuple[int | None, str, str]],
) -> set[str]:
    """Assert the allowed action did what the user asked; return the tables it may change."""
    actor = t.actors[who]
    told = _kinds(t, who, messages)
    if action is Action.DECIDE:
        assert _status(t) is RequestStatus.APPROVED
        assert _requester_levels(t) == {t.first_account: DECISIONS_LEVEL}
        assert audit == ["grant_created", "request_approved"]
        assert told == DECISION_MESSAGES
        return {"access_request", "request_line", "access_grant", "audit_event", "message"}
    if action is Action.DENY:
        assert _status(t) is RequestStatus.DENIED
        assert _requester_levels(t) == {}
        assert audit == ["request_denied"]
        assert told == DECISION_MESSAGES
        return {"access_request", "request_line", "audit_event", "message"}
    if action is Action.WITHDRAW:
        assert _status(t) is RequestStatus.WITHDRAWN
        assert audit == ["request_withdrawn"]
        return {"access_request", "audit_event", "message"}
    if action is Action.RECORD_PRINTED_FORM:
        stored = AccessRequest.get_by_id(t.request_id)
        assert _status(t) is RequestStatus.APPROVED
        assert stored.decided_by_id == actor.logon_id
        assert _requester_levels(t) == {t.first_account: DECISIONS_LEVEL}
        assert audit == ["grant_created", "request_approved", "printed_form_recorded"]
        assert told == DECISION_MESSAGES
        return {"access_request", "request_line", "access_grant", "audit_event", "message"}
    if action is Action.CHANGE_LEVEL:
        assert AccessGrant.get_by_id(t.grant_id).level == AccessLevel.FULL_ACCESS.value
        assert _requester_levels(t) == {
            t.first_account: AccessLevel.FULL_ACCESS,
            t.second_account: AccessLevel.VIEW_ONLY,
        }
        assert audit == ["grant_level_changed"]
        assert told == [(Who.REQUESTER.value, "email")]
        return {"access_grant", "audit_event", "message"}
    if action is Action.CANCEL_GENERAL_ACCESS:
        assert _requester_levels(t) == {}
        assert audit == ["grant_cancelled", "grant_cancelled", "general_access_cancelled"]
        assert told == [(Who.REQUESTER.value, "email")]
        return {"access_grant", "audit_event", "message"}
    if action is Action.CANCEL_MY_ACCESS:
        assert AccessGrant.get_by_id(t.grant_id).status == GrantStatus.CANCELLED.value
        assert _requester_levels(t) == {t.second_account: AccessLevel.VIEW_ONLY}
        assert audit == ["grant_cancelled"]
        assert told == [(Who.OWNER.value, "email")]
        return {"access_grant", "audit_event", "message"}
    kind = "file_return" if action is Action.FILE_RETURN else "make_payment"
    [row] = AccountActivity.select().where(AccountActivity.account == t.first_account)
    assert (row.kind, row.actor_id) == (kind, actor.logon_id)
    assert audit == ["return_filed" if action is Action.FILE_RETURN else "payment_made"]
    assert told == []
    return {"account_activity", "audit_event"}


def _other_side(t: Target) -> list[list[tuple[Any, ...]]]:
    """Every request and grant of the other taxpayer, to show the cell touched only its own."""
    return [
        list(
            AccessRequest.select()
            .where(AccessRequest.taxpayer == t.other_taxpayer_id)
            .order_by(AccessRequest.id)
            .tuples()
        ),
        list(
            AccessGrant.select()
            .where(AccessGrant.taxpayer == t.other_taxpayer_id)
            .order_by(AccessGrant.id)
            .tuples()
        ),
    ]


def _cell_id(action: Action, who: Who, state: State, whose: str) -> str:
    return f"{action.value}-{who.value}-{state.value}-{whose}"


CELLS = [
    pytest.param(action, who, state, whose, id=_cell_id(action, who, state, whose))
    for action in Action
    for who in Who
    for state in State
    for whose in WHOSE
]


@pytest.mark.parametrize(("action", "who", "state", "whose"), CELLS)
def test_permission_cell(
    cell_world: MakeWorld, action: Action, who: Who, state: State, whose: str
) -> None:
    method = (
        ApprovalMethod.PRINTED_FORM
        if action is Action.RECORD_PRINTED_FORM
        else ApprovalMethod.MASSTAXCONNECT
    )
    target = cell_world(state, method)[whose]
    actor = target.actors[who]
    outcome = expected(action, who, state)
    before = snapshot()
    other_before = _other_side(target)
    audit_mark, message_mark = last_audit_id(), last_message_id()

    if outcome == ALLOWED:
        ACTIONS[action](actor, target)
        after = snapshot()
        may_change = check_effect(
            action, who, target, audit_actions(audit_mark), recipients_since(message_mark)
        )
        if "audit_event" in may_change:
            may_change = may_change | {"counter"}  # the audit chain counts its events
        assert changed_tables(before, after) <= may_change
        assert _other_side(target) == other_before
    else:
        assert isinstance(outcome, type)
        with pytest.raises(MtcError) as caught:
            ACTIONS[action](actor, target)
        assert type(caught.value) is outcome, caught.value.message
        assert caught.value.message  # a sentence the user can read
        assert snapshot() == before


# --- the three refusals called out by name -----------------------------------------------


def test_a_third_party_cannot_decide_its_own_request(cell_world: MakeWorld) -> None:
    target = cell_world(State.PENDING, ApprovalMethod.MASSTAXCONNECT)["firm_on_bakery"]
    before = snapshot()
    for call in (
        lambda: requests.decide_request(target.requester, target.request_id, _decisions(target)),
        lambda: requests.deny_request(target.requester, target.request_id),
    ):
        with pytest.raises(NotAllowed):
            call()
    assert snapshot() == before


def test_a_taxpayer_cannot_act_on_another_taxpayers_request(cell_world: MakeWorld) -> None:
    targets = cell_world(State.PENDING, ApprovalMethod.MASSTAXCONNECT)
    mine, theirs = targets["firm_on_bakery"], targets["rival_on_ada"]
    before = snapshot()
    with pytest.raises(NotFound):
        requests.decide_request(mine.owner, theirs.request_id, _decisions(theirs))
    with pytest.raises(NotFound):
        requests.get_request(mine.owner, theirs.request_id)
    assert [r.number for r in requests.pending_for_me(mine.owner)] == [mine.number]
    assert snapshot() == before


def test_a_third_party_cannot_raise_its_own_level(cell_world: MakeWorld) -> None:
    target = cell_world(State.APPROVED, ApprovalMethod.MASSTAXCONNECT)["firm_on_bakery"]
    before = snapshot()
    for level in AccessLevel:
        with pytest.raises(NotAllowed):
            grants.change_level(target.requester, target.grant_id, level)
    assert snapshot() == before
    assert accounts.account_page(target.requester, target.second_account).level is (
        AccessLevel.VIEW_ONLY
    )


# --- Power of Attorney: every role × POA state × action × whose POA ---------------------------
#
# Two POAs side by side, as above: the firm's on Harbor Bakery (Withholding) and the rival's
# on Ada Lovelace (Personal Income), each for tax years 2023-2025 and until 2026-12-31; each
# representative also holds third-party access to its client, and has a pending request for
# a copy of the 2024 return, made while the POA was in force. Then both POAs move to the
# cell's state: still active, revoked by the taxpayer, withdrawn by the representative,
# superseded by a newer POA for 2025-2026 (which no longer covers 2024), or expired.


class PoaState(enum.Enum):
    ACTIVE = "active"
    REVOKED = "revoked"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"


class PoaAction(enum.Enum):
    VIEW = "view"
    REVOKE = "revoke"
    WITHDRAW = "withdraw"
    REQUEST_INFORMATION = "request_information"
    FULFIL_INFORMATION = "fulfil_information"
    REFUSE_INFORMATION = "refuse_information"
    PREPARE_FORM = "prepare_form"
    RECORD = "record"


@dataclass
class PoaTarget:
    taxpayer_id: int
    other_taxpayer_id: int
    actors: dict[Who, Actor]
    account_type: AccountType
    poa_id: int
    info_id: int

    @property
    def representative(self) -> Actor:
        return self.actors[Who.REQUESTER]


POA_SIGNED = dt.date(2026, 2, 27)
POA_EXPIRES = dt.date(2026, 12, 31)


def _poa_draft(
    t: PoaTarget, first: int, last: int, expires: dt.date | None = POA_EXPIRES
) -> poa.PoaDraft:
    return poa.PoaDraft(
        taxpayer_id=t.taxpayer_id,
        tax_types=(t.account_type,),
        first_year=first,
        last_year=last,
        acts=tuple(PoaAct),
        signed_on=POA_SIGNED,
        expires_on=expires,
        representative_username=t.representative.username,
    )


def build_poas(world: World, clock: Clock, state: PoaState) -> dict[str, PoaTarget]:
    bakery = world.taxpayer(
        "Harbor Bakery", (AccountType.WITHHOLDING, AccountType.MEALS), IdType.FEIN
    )
    ada = world.taxpayer("Ada Lovelace", (AccountType.PERSONAL_INCOME, AccountType.PFML))
    owner_bakery = world.taxpayer_logon("bakery-owner", bakery)
    owner_ada = world.taxpayer_logon("ada", ada)
    firm = world.third_party("firm")
    rival = world.third_party("rival")
    staff = world.staff()
    sides = {
        "firm_on_bakery": (bakery, ada, owner_bakery, owner_ada, firm, rival),
        "rival_on_ada": (ada, bakery, owner_ada, owner_bakery, rival, firm),
    }
    targets: dict[str, PoaTarget] = {}
    for name, (taxpayer, other, owner, other_owner, rep, other_rep) in sides.items():
        account = world.accounts(taxpayer)[0]
        grant_access(rep, taxpayer, owner, [(account, AccessLevel.FILE_AND_PAY)])
        target = PoaTarget(
            taxpayer_id=taxpayer.id,
            other_taxpayer_id=other.id,
            actors={
                Who.OWNER: owner,
                Who.OTHER_TAXPAYER: other_owner,
                Who.REQUESTER: rep,
                Who.OTHER_THIRD_PARTY: other_rep,
                Who.STAFF: staff,
            },
            account_type=AccountType(account.account_type),
            poa_id=0,
            info_id=0,
        )
        target.poa_id = poa.record_poa(staff, _poa_draft(target, 2023, 2025)).poa.id
        target.info_id = poa.request_information(
            rep, taxpayer.id, target.account_type, 2024, InformationKind.TAX_RETURN
        ).id
        targets[name] = target
    for target in targets.values():
        if state is PoaState.REVOKED:
            poa.revoke_poa(target.actors[Who.OWNER], target.poa_id)
        elif state is PoaState.WITHDRAWN:
            poa.withdraw_poa(target.representative, target.poa_id)
        elif state is PoaState.SUPERSEDED:
            newer = poa.record_poa(staff, _poa_draft(target, 2025, 2026))
            assert newer.superseded
    if state is PoaState.EXPIRED:
        clock.now = dt.datetime(2027, 1, 15, 9, 30)
    for target in targets.values():
        view = poa.get_poa(staff, target.poa_id)
        assert view.status_label.split()[0].lower() == state.value
    return targets


def expected_poa(action: PoaAction, who: Who, state: PoaState) -> Outcome:
    """The POA rules (services/poa.py), cell by cell."""
    in_force = state is PoaState.ACTIVE
    if action is PoaAction.VIEW:
        # Its taxpayer, its representative and DOR see it; others do not even see it.
        return NotFound if who in (Who.OTHER_TAXPAYER, Who.OTHER_THIRD_PARTY) else ALLOWED
    if action is PoaAction.REVOKE:
        return {
            Who.OWNER: ALLOWED if in_force else StateConflict,
            Who.OTHER_TAXPAYER: NotFound,
            Who.REQUESTER: NotAllowed,
            Who.OTHER_THIRD_PARTY: NotFound,
            Who.STAFF: NotAllowed,
        }[who]
    if action is PoaAction.WITHDRAW:
        return {
            Who.OWNER: NotAllowed,
            Who.OTHER_TAXPAYER: NotFound,
            Who.REQUESTER: ALLOWED if in_force else StateConflict,
            Who.OTHER_THIRD_PARTY: NotFound,
            Who.STAFF: NotAllowed,
        }[who]
    if action is PoaAction.REQUEST_INFORMATION:
        # Only under a POA in force covering the 2024 return; third-party access alone is
        # not enough (PoaRequired explains the difference). A stranger learns nothing.
        return {
            Who.OWNER: NotAllowed,
            Who.OTHER_TAXPAYER: NotAllowed,
            Who.REQUESTER: ALLOWED if in_force else PoaRequired,
            Who.OTHER_THIRD_PARTY: NotFound,
            Who.STAFF: NotAllowed,
        }[who]
    if action is PoaAction.FULFIL_INFORMATION:
        if who is Who.STAFF:
            return ALLOWED if in_force else StateConflict
        return NotAllowed
    if action is PoaAction.REFUSE_INFORMATION:
        return ALLOWED if who is Who.STAFF else NotAllowed
    if action is PoaAction.PREPARE_FORM:
        # The representative holds third-party access to its client in every state.
        return {
            Who.OWNER: NotAllowed,
            Who.OTHER_TAXPAYER: NotAllowed,
            Who.REQUESTER: ALLOWED,
            Who.OTHER_THIRD_PARTY: NotFound,
            Who.STAFF: NotAllowed,
        }[who]
    # RECORD: DOR staff only, whatever state the earlier POA is in.
    return ALLOWED if who is Who.STAFF else NotAllowed


POA_ACTIONS: dict[PoaAction, Callable[[Actor, PoaTarget], Any]] = {
    PoaAction.VIEW: lambda a, t: poa.get_poa(a, t.poa_id),
    PoaAction.REVOKE: lambda a, t: poa.revoke_poa(a, t.poa_id),
    PoaAction.WITHDRAW: lambda a, t: poa.withdraw_poa(a, t.poa_id),
    PoaAction.REQUEST_INFORMATION: lambda a, t: poa.request_information(
        a, t.taxpayer_id, t.account_type, 2024, InformationKind.OTHER_DOCUMENTATION
    ),
    PoaAction.FULFIL_INFORMATION: lambda a, t: poa.fulfil_information_request(a, t.info_id),
    PoaAction.REFUSE_INFORMATION: lambda a, t: poa.refuse_information_request(
        a, t.info_id, "Not on file."
    ),
    PoaAction.PREPARE_FORM: lambda a, t: poa.prepare_form(
        a, t.taxpayer_id, poa.FormChoice((t.account_type,), 2024, 2025)
    ),
    PoaAction.RECORD: lambda a, t: poa.record_poa(a, _poa_draft(t, 2024, 2024, None)),
}


def check_poa_effect(
    action: PoaAction,
    state: PoaState,
    t: PoaTarget,
    audit: list[str],
    messages: list[tuple[int | None, str, str]],
) -> set[str]:
    """Assert the allowed action did what the user asked; return the tables it may change."""
    told = sorted(
        (w.value, kind)
        for r, kind, _ in messages
        for w, actor in t.actors.items()
        if actor.logon_id == r
    )
    both = sorted([(Who.OWNER.value, "email"), (Who.REQUESTER.value, "email")])
    row = PowerOfAttorney.get_by_id(t.poa_id)
    info = InformationRequest.get_by_id(t.info_id)
    if action is PoaAction.VIEW:
        assert audit == []
        return set()
    if action in (PoaAction.REVOKE, PoaAction.WITHDRAW):
        status = PoaStatus.REVOKED if action is PoaAction.REVOKE else PoaStatus.WITHDRAWN
        assert row.status == status.value
        assert audit == [f"poa_{status.value}"]
        assert told == both
        return {"power_of_attorney", "audit_event", "message"}
    if action is PoaAction.REQUEST_INFORMATION:
        [new] = (
            InformationRequest.select()
            .where(InformationRequest.id != t.info_id)
            .where(InformationRequest.taxpayer == t.taxpayer_id)
        )
        assert (new.representative_id, new.poa_id, new.tax_year) == (
            t.representative.logon_id,
            t.poa_id,
            2024,
        )
        assert audit == ["information_requested"]
        assert told == []
        return {"information_request", "audit_event"}
    if action is PoaAction.FULFIL_INFORMATION:
        assert info.status == InformationStatus.FULFILLED.value
        assert audit == ["information_fulfilled"]
        assert told == sorted(
            [
                (Who.REQUESTER.value, "email"),
                (Who.REQUESTER.value, "emessage"),
                (Who.OWNER.value, "email"),
            ]
        )
        return {"information_request", "audit_event", "message"}
    if action is PoaAction.REFUSE_INFORMATION:
        assert info.status == InformationStatus.REFUSED.value
        assert audit == ["information_refused"]
        assert told == [(Who.REQUESTER.value, "email"), (Who.REQUESTER.value, "emessage")]
        return {"information_request", "audit_event", "message"}
    if action is PoaAction.PREPARE_FORM:
        assert PoaForm.select().where(PoaForm.taxpayer == t.taxpayer_id).count() == 1
        assert audit == ["poa_form_prepared"]
        assert told == []
        return {"poa_form", "audit_event"}
    # RECORD: a new POA for 2024 supersedes the earlier one only while that is in force.
    newest = PowerOfAttorney.select().order_by(PowerOfAttorney.id.desc()).get()
    assert (newest.taxpayer_id, newest.representative_id) == (
        t.taxpayer_id,
        t.representative.logon_id,
    )
    if state is PoaState.ACTIVE:
        assert audit == ["poa_recorded", "poa_superseded"]
        assert row.status == PoaStatus.SUPERSEDED.value
    else:
        assert audit == ["poa_recorded"]
    assert told == both
    return {"power_of_attorney", "poa_tax_type", "audit_event", "message"}


def _other_poas(t: PoaTarget) -> list[list[tuple[Any, ...]]]:
    return [
        list(
            model.select().where(model.taxpayer == t.other_taxpayer_id).order_by(model.id).tuples()
        )
        for model in (PowerOfAttorney, InformationRequest, PoaForm)
    ]


MakePoaWorld = Callable[[PoaState], dict[str, PoaTarget]]


@pytest.fixture(scope="session")
def poa_templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    return Templates(tmp_path_factory.mktemp("poa-worlds"), {})


@pytest.fixture
def poa_world(
    poa_templates: Templates,
    tmp_path: Path,
    clock: Clock,
    backend: str,
    request: pytest.FixtureRequest,
) -> Iterator[MakePoaWorld]:
    """A fresh database holding the world of one POA cell, copied from its template."""
    server: PostgresServer | None = (
        request.getfixturevalue("postgres") if backend == "postgresql" else None
    )
    copies: list[str] = []
    built: dict[tuple[str, PoaState], tuple[DatabaseRef, dict[str, PoaTarget], dt.datetime]]
    built = poa_templates.built  # type: ignore[assignment]

    def make(state: PoaState) -> dict[str, PoaTarget]:
        key = (backend, state)
        if key not in built:
            source: DatabaseRef = (
                poa_templates.folder / f"{state.value}.db" if server is None else server.fresh()
            )
            store_db.open_database(source)
            try:
                targets = build_poas(World(), clock, state)
                if server is None:
                    db.obj.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                store_db.close_database()
            built[key] = (source, targets, clock.now)
        source, targets, when = built[key]
        copy: DatabaseRef
        if server is None:
            copy = tmp_path / "mtc.db"
            shutil.copyfile(source, copy)
        else:
            copy = server.copy(str(source))
            copies.append(copy)
        store_db.open_database(copy)
        clock.now = when
        return targets

    yield make
    store_db.close_database()
    for url in copies:
        assert server is not None
        server.drop(url)


POA_CELLS = [
    pytest.param(action, who, state, whose, id=f"{action.value}-{who.value}-{state.value}-{whose}")
    for action in PoaAction
    for who in Who
    for state in PoaState
    for whose in WHOSE
]


@pytest.mark.parametrize(("action", "who", "state", "whose"), POA_CELLS)
def test_poa_permission_cell(
    poa_world: MakePoaWorld, action: PoaAction, who: Who, state: PoaState, whose: str
) -> None:
    target = poa_world(state)[whose]
    actor = target.actors[who]
    outcome = expected_poa(action, who, state)
    before = snapshot()
    other_before = _other_poas(target)
    audit_mark, message_mark = last_audit_id(), last_message_id()

    if outcome == ALLOWED:
        POA_ACTIONS[action](actor, target)
        after = snapshot()
        may_change = check_poa_effect(
            action, state, target, audit_actions(audit_mark), recipients_since(message_mark)
        )
        if "audit_event" in may_change:
            may_change = may_change | {"counter"}  # the audit chain and the numbers
        assert changed_tables(before, after) <= may_change
        assert _other_poas(target) == other_before
    else:
        assert isinstance(outcome, type)
        with pytest.raises(MtcError) as caught:
            POA_ACTIONS[action](actor, target)
        assert type(caught.value) is outcome, caught.value.message
        assert caught.value.message
        assert snapshot() == before
