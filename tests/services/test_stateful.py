"""Random sequences of the FAQ's steps, checked against a model after every step.

Several third parties request access to several taxpayers; taxpayers (and DOR, for printed
forms) approve with random Give Rights and Granted Rights per line, or deny; third parties
withdraw; time passes and pending requests expire; taxpayers change levels and cancel
General Access; third parties Cancel My Access, one account or a whole client. After every
step, what each third party sees (the All tab, Manage My Access) and may do (the rights on
each account page) is exactly its active grants as the model tracks them, a final request
never moves, and rule 4 holds in the database.

Powers of Attorney run beside: DOR records POAs (a newer overlapping one supersedes),
taxpayers revoke, representatives withdraw, time lets them expire, representatives ask
for documentation and DOR fulfils or refuses. After every step the POAs in force are
exactly the model's, an ended POA never moves, an information request is accepted exactly
when a POA in force covers it, and none of it changes third-party access (the grants
invariants above), nor third-party access a POA.

Each example runs on its own fresh database, made and removed by the machine itself, so
no function-scoped fixture is shared between examples: a file in a temporary folder, or a
database on the PostgreSQL server of the tests.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from peewee import fn

from mtc_desktop.domain.errors import InvalidInput, MtcError, NotAllowed, NotFound, StateConflict
from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.levels import AccessLevel, Right
from mtc_desktop.domain.model import AccountType, ApprovalMethod, RequestStatus
from mtc_desktop.domain.poa import InformationKind, InformationStatus, PoaAct, PoaStatus
from mtc_desktop.services import accounts, base, clients, grants, poa, requests
from mtc_desktop.services import settings as app_settings
from mtc_desktop.services.base import Actor
from mtc_desktop.services.poa import PoaRequired
from mtc_desktop.services.requests import LineDecision
from mtc_desktop.store import database as store_db
from mtc_desktop.store.models import (
    AccessGrant,
    AccessRequest,
    AccountActivity,
    AuditEvent,
    Correspondence,
    Counter,
    Favorite,
    InformationRequest,
    Logon,
    Message,
    PoaForm,
    PoaTaxType,
    PowerOfAttorney,
    RequestLine,
    Setting,
)
from tests.conftest import Clock, World
from tests.databases import DatabaseRef, PostgresServer
from tests.services.helpers import draft, register_third_party_for

LEVELS = list(AccessLevel)
EXPIRY = dt.timedelta(days=app_settings.DEFAULT_EXPIRY_DAYS)
THIRD_PARTIES = ("firm", "rival", "payroll")
TAXPAYERS = ("bakery", "ada", "trust", "firmco")


@dataclass
class ModelRequest:
    third_party: str
    taxpayer: str
    method: ApprovalMethod
    lines: dict[int, AccessLevel]
    created_at: dt.datetime
    number: str
    code: str
    status: RequestStatus = RequestStatus.PENDING


@dataclass
class ModelGrant:
    grant_id: int
    level: AccessLevel


@dataclass
class ModelPoa:
    representative: str
    taxpayer: str
    types: frozenset[AccountType]
    years: tuple[int, int]
    expires: dt.date | None
    status: PoaStatus = PoaStatus.ACTIVE

    def in_force(self, today: dt.date) -> bool:
        return self.status is PoaStatus.ACTIVE and (self.expires is None or self.expires >= today)

    def covers(self, account_type: AccountType, year: int, today: dt.date) -> bool:
        first, last = self.years
        return self.in_force(today) and account_type in self.types and first <= year <= last


@dataclass
class ModelInformation:
    representative: str
    taxpayer: str
    account_type: AccountType
    year: int
    status: InformationStatus = InformationStatus.PENDING


@dataclass
class Model:
    poas: dict[int, ModelPoa] = field(default_factory=dict)
    infos: dict[int, ModelInformation] = field(default_factory=dict)
    requests: dict[int, ModelRequest] = field(default_factory=dict)
    # (third party, account id) -> its one active grant
    active: dict[tuple[str, int], ModelGrant] = field(default_factory=dict)
    cancelled: dict[int, tuple[str, int]] = field(default_factory=dict)
    finals: dict[int, RequestStatus] = field(default_factory=dict)

    def pending(self, third_party: str, taxpayer: str) -> ModelRequest | None:
        for r in self.requests.values():
            if (r.third_party, r.taxpayer, r.status) == (
                third_party,
                taxpayer,
                RequestStatus.PENDING,
            ):
                return r
        return None


NewDatabase = Callable[[], tuple[DatabaseRef, Callable[[], None]]]


def new_sqlite_file() -> tuple[DatabaseRef, Callable[[], None]]:
    folder = Path(tempfile.mkdtemp(prefix="mtc-stateful-"))
    return folder / "mtc.db", partial(shutil.rmtree, folder, ignore_errors=True)


class AccessMachine(RuleBasedStateMachine):
    # Where each example's database comes from: (the database, what removes it).
    new_database: NewDatabase = staticmethod(new_sqlite_file)

    def __init__(self) -> None:
        super().__init__()
        self.database, self.remove_database = self.new_database()
        store_db.open_database(self.database)
        self.clock = Clock()
        base.set_clock(self.clock)
        world = World()
        bakery = world.taxpayer(
            "Harbor Bakery", (AccountType.WITHHOLDING, AccountType.MEALS), IdType.FEIN
        )
        ada = world.taxpayer("Ada Lovelace", (AccountType.PERSONAL_INCOME,))
        # No logon: its requests go by printed form, recorded by DOR.
        trust = world.taxpayer(
            "Quiet Trust", (AccountType.FIDUCIARY, AccountType.PTE_WITHHOLDING), IdType.FEIN
        )
        # The firm's own business, itself a client other firms may ask to work for.
        firmco = world.taxpayer("Firm & Co", (AccountType.SALES_AND_USE,), IdType.FEIN)
        self.taxpayer_ids = {
            "bakery": bakery.id,
            "ada": ada.id,
            "trust": trust.id,
            "firmco": firmco.id,
        }
        self.taxpayers = {"bakery": bakery, "ada": ada, "trust": trust, "firmco": firmco}
        self.accounts = {
            name: [a.id for a in world.accounts(tp)] for name, tp in self.taxpayers.items()
        }
        self.account_owner = {a: name for name, ids in self.accounts.items() for a in ids}
        self.tax_types = {
            name: sorted(
                {AccountType(a.account_type) for a in world.accounts(tp)}, key=lambda t: t.value
            )
            for name, tp in self.taxpayers.items()
        }
        self.tp: dict[str, Actor] = {
            "firm": register_third_party_for("firm", firmco),
            "rival": world.third_party("rival"),
            "payroll": world.third_party("payroll"),
        }
        self.own_business = {"firm": "firmco"}
        # The logon that acts for each taxpayer on its own accounts.
        self.side: dict[str, Actor | None] = {
            "bakery": world.taxpayer_logon("bakery-owner", bakery),
            "ada": world.taxpayer_logon("ada", ada),
            "trust": None,
            "firmco": self.tp["firm"],
        }
        self.has_taxpayer_logon = {"bakery": True, "ada": True, "trust": False, "firmco": False}
        self.staff = world.staff()
        self.model = Model()
        for grant in AccessGrant.select().where(AccessGrant.status == "active"):
            name = next(n for n, a in self.tp.items() if a.logon_id == grant.third_party_id)
            self.model.active[(name, grant.account_id)] = ModelGrant(
                grant.id, AccessLevel(grant.level)
            )
        assert set(self.model.active) == {("firm", a) for a in self.accounts["firmco"]}

    def teardown(self) -> None:
        store_db.close_database()
        base.set_clock(None)
        self.remove_database()

    # --- helpers -------------------------------------------------------------------------

    def _expect(
        self, error: type[MtcError] | None, call: Callable[[], Any], *, expiring: bool = False
    ) -> Any:
        """Run ``call``; with ``error``, it must raise exactly that and change nothing, save
        (when ``expiring``) the expiry of a request whose period ran out before the call."""
        if error is None:
            return call()
        before = _state_rows()
        with pytest.raises(MtcError) as caught:
            call()
        assert type(caught.value) is error, caught.value.message
        if not expiring:
            assert _state_rows() == before
        return None

    def _record_new_grants(self, request_id: int, third_party: str) -> None:
        for grant in AccessGrant.select().where(AccessGrant.request == request_id):
            key = (third_party, grant.account_id)
            assert key not in self.model.active
            self.model.active[key] = ModelGrant(grant.id, AccessLevel(grant.level))

    def _finish(self, request_id: int, status: RequestStatus) -> None:
        self.model.requests[request_id].status = status
        self.model.finals[request_id] = status

    def _cancel(self, key: tuple[str, int]) -> None:
        grant = self.model.active.pop(key)
        self.model.cancelled[grant.grant_id] = key

    def _request_refusal(
        self, name: str, taxpayer: str, chosen: list[int], method: ApprovalMethod
    ) -> type[MtcError] | None:
        """What the request form must answer, in the order a user would meet it."""
        if self.own_business.get(name) == taxpayer:
            return InvalidInput  # its own business is on its All tab already
        if any((name, a) in self.model.active for a in chosen):
            return InvalidInput  # rule 4: one active grant per account
        if method is ApprovalMethod.MASSTAXCONNECT and not self.has_taxpayer_logon[taxpayer]:
            return InvalidInput  # rule 6
        pending = self.model.pending(name, taxpayer)
        if pending is not None and not self._overdue(pending):
            return StateConflict  # rule 4: one pending request per pair
        return None

    def _overdue(self, r: ModelRequest) -> bool:
        return r.status is RequestStatus.PENDING and r.created_at + EXPIRY <= self.clock.now

    def _lazily_expire(self, request_id: int) -> bool:
        """Acting on a request past its period expires it first, swept or not."""
        if self._overdue(self.model.requests[request_id]):
            self._finish(request_id, RequestStatus.EXPIRED)
            return True
        return False

    # --- third parties ask ----------------------------------------------------------------

    @rule(data=st.data())
    def request_access(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(THIRD_PARTIES), "third party")
        taxpayer = data.draw(st.sampled_from(TAXPAYERS), "taxpayer")
        self._ask(data, name, taxpayer)

    @precondition(lambda self: self.model.requests)
    @rule(data=st.data())
    def request_again(self, data: st.DataObject) -> None:
        """A third party asks a taxpayer it asked before (pending, decided or run out)."""
        earlier = data.draw(st.sampled_from(sorted(self.model.requests)), "earlier request")
        r = self.model.requests[earlier]
        self._ask(data, r.third_party, r.taxpayer)

    def _ask(self, data: st.DataObject, name: str, taxpayer: str) -> None:
        ids = self.accounts[taxpayer]
        chosen = data.draw(
            st.lists(st.sampled_from(ids), min_size=1, max_size=len(ids), unique=True)
        )
        lines = [(a, data.draw(st.sampled_from(LEVELS))) for a in chosen]
        method = data.draw(st.sampled_from(list(ApprovalMethod)), "method")

        error = self._request_refusal(name, taxpayer, chosen, method)
        old = self.model.pending(name, taxpayer)
        view = self._expect(
            error,
            lambda: requests.request_access(
                self.tp[name], draft(self.taxpayers[taxpayer], lines, method)
            ),
        )
        if view is not None:
            assert view.status is RequestStatus.PENDING
            if old is not None:  # past its period: expired on the way
                self._finish(
                    next(i for i, r in self.model.requests.items() if r is old),
                    RequestStatus.EXPIRED,
                )
            self.model.requests[view.id] = ModelRequest(
                name,
                taxpayer,
                method,
                dict(lines),
                self.clock.now,
                view.number,
                view.authorization_code,
            )

    # --- deciding ------------------------------------------------------------------------

    @precondition(lambda self: self.model.requests)
    @rule(data=st.data())
    def decide(self, data: st.DataObject) -> None:
        """Approve/Deny with random Give Rights and Granted Rights per line: online by the
        taxpayer, or on the printed form recorded by DOR."""
        request_id = data.draw(st.sampled_from(sorted(self.model.requests)), "request")
        r = self.model.requests[request_id]
        decisions = [
            LineDecision(a, data.draw(st.booleans()), data.draw(st.sampled_from(LEVELS)))
            for a in r.lines
        ]
        if r.method is ApprovalMethod.PRINTED_FORM:
            call = partial(requests.record_printed_form, self.staff, r.number, r.code, decisions)
        else:
            side = self.side[r.taxpayer]
            assert side is not None
            call = partial(requests.decide_request, side, request_id, decisions)
        expiring = self._lazily_expire(request_id)
        pending = r.status is RequestStatus.PENDING
        view = self._expect(None if pending else StateConflict, call, expiring=expiring)
        if view is None:
            return
        approved = any(d.give_rights for d in decisions)
        assert view.status is (RequestStatus.APPROVED if approved else RequestStatus.DENIED)
        self._finish(request_id, view.status)
        self._record_new_grants(request_id, r.third_party)
        expected = {
            (r.third_party, d.account_id): d.granted_level for d in decisions if d.give_rights
        }
        for key, level in expected.items():
            assert self.model.active[key].level is level

    @precondition(
        lambda self: any(
            r.method is ApprovalMethod.MASSTAXCONNECT for r in self.model.requests.values()
        )
    )
    @rule(data=st.data())
    def deny(self, data: st.DataObject) -> None:
        online = sorted(
            i for i, r in self.model.requests.items() if r.method is ApprovalMethod.MASSTAXCONNECT
        )
        request_id = data.draw(st.sampled_from(online), "request")
        r = self.model.requests[request_id]
        side = self.side[r.taxpayer]
        assert side is not None
        expiring = self._lazily_expire(request_id)
        pending = r.status is RequestStatus.PENDING
        view = self._expect(
            None if pending else StateConflict,
            lambda: requests.deny_request(side, request_id),
            expiring=expiring,
        )
        if view is not None:
            assert view.status is RequestStatus.DENIED
            self._finish(request_id, RequestStatus.DENIED)

    @precondition(lambda self: self.model.requests)
    @rule(data=st.data())
    def third_party_tries_to_decide_its_own(self, data: st.DataObject) -> None:
        request_id = data.draw(st.sampled_from(sorted(self.model.requests)), "request")
        r = self.model.requests[request_id]
        decisions = [LineDecision(a, True, AccessLevel.FULL_ACCESS) for a in r.lines]
        expiring = self._lazily_expire(request_id)  # recorded first, refused all the same
        self._expect(
            NotAllowed,
            lambda: requests.decide_request(self.tp[r.third_party], request_id, decisions),
            expiring=expiring,
        )

    @precondition(lambda self: self.model.requests)
    @rule(data=st.data())
    def withdraw(self, data: st.DataObject) -> None:
        request_id = data.draw(st.sampled_from(sorted(self.model.requests)), "request")
        r = self.model.requests[request_id]
        expiring = self._lazily_expire(request_id)
        pending = r.status is RequestStatus.PENDING
        view = self._expect(
            None if pending else StateConflict,
            lambda: requests.withdraw_request(self.tp[r.third_party], request_id),
            expiring=expiring,
        )
        if view is not None:
            assert view.status is RequestStatus.WITHDRAWN
            self._finish(request_id, RequestStatus.WITHDRAWN)

    # --- time passes ----------------------------------------------------------------------

    @rule(days=st.sampled_from([1, 20, 46]))
    def time_passes(self, days: int) -> None:
        """Days go by with the program open: nothing sweeps the overdue requests, so the
        next step on one of them meets it past its period."""
        self.clock.advance(days=days)

    @rule(days=st.integers(min_value=1, max_value=60))
    def time_passes_and_requests_expire(self, days: int) -> None:
        self.clock.advance(days=days)
        due = [
            i
            for i, r in self.model.requests.items()
            if r.status is RequestStatus.PENDING and r.created_at + EXPIRY <= self.clock.now
        ]
        assert requests.expire_overdue() == len(due)
        for request_id in due:
            self._finish(request_id, RequestStatus.EXPIRED)

    # --- after approval: the taxpayer's side -----------------------------------------------

    def _grants_with_a_taxpayer_side(self) -> list[tuple[str, int]]:
        return sorted(
            k for k in self.model.active if self.side[self.account_owner[k[1]]] is not None
        )

    @precondition(lambda self: self._grants_with_a_taxpayer_side())
    @rule(data=st.data())
    def taxpayer_changes_a_level(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(self._grants_with_a_taxpayer_side()), "grant")
        level = data.draw(st.sampled_from(LEVELS), "new level")
        side = self.side[self.account_owner[key[1]]]
        assert side is not None
        grant = self.model.active[key]
        # The firm's own business: a third party never changes its own level.
        own = side.logon_id == self.tp[key[0]].logon_id
        view = self._expect(
            NotAllowed if own else None, lambda: grants.change_level(side, grant.grant_id, level)
        )
        if view is not None:
            assert view.level is level
            grant.level = level

    @precondition(lambda self: self.model.active)
    @rule(data=st.data())
    def third_party_tries_to_change_its_own_level(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.model.active)), "grant")
        grant = self.model.active[key]
        self._expect(
            NotAllowed,
            lambda: grants.change_level(self.tp[key[0]], grant.grant_id, AccessLevel.FULL_ACCESS),
        )

    @rule(
        taxpayer=st.sampled_from(("bakery", "ada", "firmco")),
        name=st.sampled_from(THIRD_PARTIES),
    )
    def taxpayer_cancels_general_access(self, taxpayer: str, name: str) -> None:
        side = self.side[taxpayer]
        assert side is not None
        keys = [
            k for k in self.model.active if k[0] == name and self.account_owner[k[1]] == taxpayer
        ]
        if side.logon_id == self.tp[name].logon_id:
            error: type[MtcError] | None = NotAllowed
        else:
            error = None if keys else StateConflict
        count = self._expect(
            error, lambda: grants.cancel_general_access(side, self.tp[name].logon_id)
        )
        if count is not None:
            assert count == len(keys)
            for key in keys:
                self._cancel(key)

    # --- after approval: the third party's side ---------------------------------------------

    @precondition(lambda self: self.model.active or self.model.cancelled)
    @rule(data=st.data())
    def third_party_cancels_my_access(self, data: st.DataObject) -> None:
        """Cancel My Access on one row; on a cancelled one it is refused (cannot come back)."""
        choices = [(k, g.grant_id) for k, g in self.model.active.items()]
        choices += [(k, gid) for gid, k in self.model.cancelled.items()]
        key, grant_id = data.draw(st.sampled_from(sorted(choices)), "grant")
        active = key in self.model.active and self.model.active[key].grant_id == grant_id
        view = self._expect(
            None if active else StateConflict,
            lambda: grants.cancel_my_access(self.tp[key[0]], grant_id),
        )
        if view is not None:
            self._cancel(key)

    @rule(name=st.sampled_from(THIRD_PARTIES), taxpayer=st.sampled_from(TAXPAYERS))
    def third_party_cancels_a_whole_client(self, name: str, taxpayer: str) -> None:
        keys = [
            k for k in self.model.active if k[0] == name and self.account_owner[k[1]] == taxpayer
        ]
        count = self._expect(
            None if keys else NotFound,
            lambda: grants.cancel_my_access_for_client(self.tp[name], self.taxpayer_ids[taxpayer]),
        )
        if count is not None:
            assert count == len(keys)
            for key in keys:
                self._cancel(key)

    @rule(
        name=st.sampled_from(THIRD_PARTIES),
        data=st.data(),
        pay=st.booleans(),
    )
    def third_party_files_or_pays(self, name: str, data: st.DataObject, pay: bool) -> None:
        account = data.draw(st.sampled_from(sorted(self.account_owner)), "account")
        grant = self.model.active.get((name, account))
        right = Right.PAY if pay else Right.FILE
        allowed = grant is not None and grant.level.allows(right)
        actor = self.tp[name]
        call = (
            partial(accounts.make_payment, actor, account, "10.00")
            if pay
            else partial(accounts.file_return, actor, account, "2025")
        )
        done = self._expect(None if allowed else NotAllowed, call)
        if done is not None:
            assert done.who == actor.username

    # --- Powers of Attorney -------------------------------------------------------------------

    def _today(self) -> dt.date:
        return self.clock.now.date()

    def _related(self, name: str, taxpayer: str) -> bool:
        """A client of the third party: an active grant, or a POA naming it (any state)."""
        owned = set(self.accounts[taxpayer])
        return any(k[0] == name and k[1] in owned for k in self.model.active) or any(
            (p.representative, p.taxpayer) == (name, taxpayer) for p in self.model.poas.values()
        )

    @rule(data=st.data())
    def dor_records_a_poa(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(THIRD_PARTIES), "representative")
        taxpayer = data.draw(st.sampled_from(TAXPAYERS), "taxpayer")
        self._record_poa(data, name, taxpayer)

    @precondition(lambda self: self.model.poas)
    @rule(data=st.data())
    def dor_records_another_poa_for_the_same_pair(self, data: st.DataObject) -> None:
        """A newer Form M-2848 for a representative and taxpayer DOR already has one for:
        where it overlaps one in force, that one is superseded."""
        poa_id = data.draw(st.sampled_from(sorted(self.model.poas)), "earlier POA")
        earlier = self.model.poas[poa_id]
        self._record_poa(data, earlier.representative, earlier.taxpayer)

    def _record_poa(self, data: st.DataObject, name: str, taxpayer: str) -> None:
        types = data.draw(
            st.sets(st.sampled_from(self.tax_types[taxpayer]), min_size=1), "tax types"
        )
        first = data.draw(st.integers(2019, 2026), "first year")
        last = data.draw(st.integers(first, 2026), "last year")
        days = data.draw(st.one_of(st.none(), st.integers(1, 90)), "days to expiry")
        expires = None if days is None else self._today() + dt.timedelta(days=days)
        draft = poa.PoaDraft(
            taxpayer_id=self.taxpayer_ids[taxpayer],
            tax_types=tuple(types),
            first_year=first,
            last_year=last,
            acts=tuple(PoaAct),
            signed_on=self._today(),
            expires_on=expires,
            representative_username=self.tp[name].username,
        )
        if self.own_business.get(name) == taxpayer:
            self._expect(InvalidInput, partial(poa.record_poa, self.staff, draft))
            return
        today = self._today()
        overlapped = sorted(
            i
            for i, p in self.model.poas.items()
            if (p.representative, p.taxpayer) == (name, taxpayer)
            and p.in_force(today)
            and p.types & types
            and p.years[0] <= last
            and first <= p.years[1]
        )
        recorded = poa.record_poa(self.staff, draft)
        numbers = {i: PowerOfAttorney.get_by_id(i).number for i in overlapped}
        assert sorted(recorded.superseded) == sorted(numbers.values())
        for i in overlapped:
            self.model.poas[i].status = PoaStatus.SUPERSEDED
        self.model.poas[recorded.poa.id] = ModelPoa(
            name, taxpayer, frozenset(types), (first, last), expires
        )

    @precondition(lambda self: self.model.poas)
    @rule(data=st.data())
    def taxpayer_revokes_a_poa(self, data: st.DataObject) -> None:
        poa_id = data.draw(st.sampled_from(sorted(self.model.poas)), "POA")
        item = self.model.poas[poa_id]
        actor = self.side[item.taxpayer]
        if actor is None:  # no logon: the trust revokes on paper, outside the program
            return
        allowed = item.in_force(self._today())
        if self._expect(None if allowed else StateConflict, partial(poa.revoke_poa, actor, poa_id)):
            item.status = PoaStatus.REVOKED

    @precondition(lambda self: self.model.poas)
    @rule(data=st.data())
    def representative_withdraws(self, data: st.DataObject) -> None:
        poa_id = data.draw(st.sampled_from(sorted(self.model.poas)), "POA")
        item = self.model.poas[poa_id]
        allowed = item.in_force(self._today())
        actor = self.tp[item.representative]
        if self._expect(
            None if allowed else StateConflict, partial(poa.withdraw_poa, actor, poa_id)
        ):
            item.status = PoaStatus.WITHDRAWN

    @precondition(lambda self: self.model.poas)
    @rule(data=st.data())
    def another_third_party_tries_to_withdraw(self, data: st.DataObject) -> None:
        poa_id = data.draw(st.sampled_from(sorted(self.model.poas)), "POA")
        item = self.model.poas[poa_id]
        name = data.draw(
            st.sampled_from([n for n in THIRD_PARTIES if n != item.representative]), "other"
        )
        refusal = NotAllowed if self.own_business.get(name) == item.taxpayer else NotFound
        self._expect(refusal, partial(poa.withdraw_poa, self.tp[name], poa_id))

    @rule(data=st.data())
    def representative_requests_information(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(THIRD_PARTIES), "representative")
        taxpayer = data.draw(st.sampled_from(TAXPAYERS), "taxpayer")
        account_type = data.draw(st.sampled_from(self.tax_types[taxpayer]), "tax type")
        year = data.draw(st.integers(2018, 2026), "tax year")
        today = self._today()
        if not self._related(name, taxpayer):
            error: type[MtcError] | None = NotFound
        elif self.own_business.get(name) == taxpayer:
            error = InvalidInput
        elif any(
            p.covers(account_type, year, today)
            for p in self.model.poas.values()
            if (p.representative, p.taxpayer) == (name, taxpayer)
        ):
            error = None
        else:
            error = PoaRequired
        call = partial(
            poa.request_information,
            self.tp[name],
            self.taxpayer_ids[taxpayer],
            account_type,
            year,
            InformationKind.TAX_RETURN,
        )
        asked = self._expect(error, call)
        if asked is not None:
            self.model.infos[asked.id] = ModelInformation(name, taxpayer, account_type, year)

    @precondition(
        lambda self: any(i.status is InformationStatus.PENDING for i in self.model.infos.values())
    )
    @rule(data=st.data(), fulfil=st.booleans())
    def dor_fulfils_or_refuses(self, data: st.DataObject, fulfil: bool) -> None:
        pending = sorted(
            i for i, r in self.model.infos.items() if r.status is InformationStatus.PENDING
        )
        info_id = data.draw(st.sampled_from(pending), "information request")
        item = self.model.infos[info_id]
        if not fulfil:
            poa.refuse_information_request(self.staff, info_id, "Not on file.")
            item.status = InformationStatus.REFUSED
            return
        covered = any(
            p.covers(item.account_type, item.year, self._today())
            for p in self.model.poas.values()
            if (p.representative, p.taxpayer) == (item.representative, item.taxpayer)
        )
        done = self._expect(
            None if covered else StateConflict,
            partial(poa.fulfil_information_request, self.staff, info_id),
        )
        if done is not None:
            item.status = InformationStatus.FULFILLED

    # --- invariants -------------------------------------------------------------------------

    @invariant()
    def third_parties_see_exactly_their_active_grants(self) -> None:
        for name, actor in self.tp.items():
            mine = {k[1]: g.level for k, g in self.model.active.items() if k[0] == name}
            shown = {g.account.id: g.level for g in grants.my_access(actor)}
            assert shown == mine, name
            by_client: dict[int, dict[int, AccessLevel]] = {}
            for account, level in mine.items():
                owner = self.taxpayer_ids[self.account_owner[account]]
                by_client.setdefault(owner, {})[account] = level
            rows = clients.list_clients(actor)
            listed = {r.taxpayer_id: {a.account_id: a.level for a in r.accesses} for r in rows}
            assert listed == by_client, name
            for row in rows:
                assert row.own_business is (row.taxpayer_id == actor.taxpayer_id)

    @invariant()
    def third_parties_may_do_exactly_what_their_levels_allow(self) -> None:
        for name, actor in self.tp.items():
            for account in self.account_owner:
                grant = self.model.active.get((name, account))
                if grant is None:
                    with pytest.raises(NotAllowed):
                        accounts.account_page(actor, account)
                else:
                    page = accounts.account_page(actor, account)
                    assert page.level is grant.level
                    assert page.rights == grant.level.rights

    @invariant()
    def request_states_match_and_final_states_never_move(self) -> None:
        stored = {r.id: RequestStatus(r.status) for r in AccessRequest.select()}
        assert stored == {i: r.status for i, r in self.model.requests.items()}
        for request_id, status in self.model.finals.items():
            assert stored[request_id] is status

    @invariant()
    def rule_4_holds_in_the_database(self) -> None:
        doubled_grants = (
            AccessGrant.select(AccessGrant.third_party, AccessGrant.account)
            .where(AccessGrant.status == "active")
            .group_by(AccessGrant.third_party, AccessGrant.account)
            .having(fn.COUNT(AccessGrant.id) > 1)
        )
        assert not doubled_grants.exists()
        doubled_requests = (
            AccessRequest.select(AccessRequest.third_party, AccessRequest.taxpayer)
            .where(AccessRequest.status == "pending")
            .group_by(AccessRequest.third_party, AccessRequest.taxpayer)
            .having(fn.COUNT(AccessRequest.id) > 1)
        )
        assert not doubled_requests.exists()
        cancelled = {g.id for g in AccessGrant.select().where(AccessGrant.status == "cancelled")}
        assert cancelled == set(self.model.cancelled)

    @invariant()
    def poas_in_force_and_final_states_match_the_model(self) -> None:
        stored = {p.id: PoaStatus(p.status) for p in PowerOfAttorney.select()}
        assert stored == {i: p.status for i, p in self.model.poas.items()}
        today = self._today()
        for name, actor in self.tp.items():
            for taxpayer, taxpayer_id in self.taxpayer_ids.items():
                shown = {v.id for v in poa.poas_for_client(actor, taxpayer_id) if v.in_force}
                mine = {
                    i
                    for i, p in self.model.poas.items()
                    if (p.representative, p.taxpayer) == (name, taxpayer) and p.in_force(today)
                }
                assert shown == mine, (name, taxpayer)
        infos = {r.id: InformationStatus(r.status) for r in InformationRequest.select()}
        assert infos == {i: r.status for i, r in self.model.infos.items()}


def _state_rows() -> tuple[Any, ...]:
    """Everything a refused call could have touched: the rows of the tables that change,
    and how many rows the append-only ones have (a cheap stand-in for all of them)."""
    changing = tuple(
        list(model.select().order_by(model._meta.primary_key).tuples())
        for model in (
            AccessRequest,
            RequestLine,
            AccessGrant,
            Logon,
            Favorite,
            Setting,
            Counter,
            PowerOfAttorney,
            PoaTaxType,
            PoaForm,
            InformationRequest,
        )
    )
    appended = tuple(
        model.select(fn.COUNT(model.id), fn.MAX(model.id)).tuples().get()
        for model in (AuditEvent, Message, AccountActivity, Correspondence)
    )
    return changing + appended


def test_any_sequence_of_steps_keeps_the_rules(
    backend: str, request: pytest.FixtureRequest
) -> None:
    machine = AccessMachine
    if backend == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres")

        def new_postgresql_database() -> tuple[DatabaseRef, Callable[[], None]]:
            url = server.fresh()
            return url, partial(server.drop, url)

        machine = type(
            "AccessMachineOnPostgreSQL",
            (AccessMachine,),
            {"new_database": staticmethod(new_postgresql_database)},
        )
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
        ),
    )
