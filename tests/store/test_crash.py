"""A workstation killed in the middle of its writes: the database still passes ``db check``,
and every change is either all there (with its audit event and messages) or not at all.

On a SQLite file, the journal puts back a half-made change; on PostgreSQL, the server rolls
back the transaction of a connection that died.
"""

from __future__ import annotations

import multiprocessing as mp
import random
import signal
from collections import Counter

from peewee import fn

from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import AccountType, ApprovalMethod, Role, TaxpayerKind
from mtc_desktop.services import logons, requests
from mtc_desktop.services.base import Actor, transaction
from mtc_desktop.services.taxpayers import add_account, create_taxpayer
from mtc_desktop.store import database as store_db
from mtc_desktop.store.models import (
    AccessGrant,
    AccessRequest,
    AuditEvent,
    Message,
    RequestLine,
)
from tests.conftest import PASSWORD
from tests.databases import DatabaseRef

KILLS = 100
CTX = mp.get_context("fork")  # a workstation ready to write in a hundredth of a second


def _register(username: str, role: Role, id_type: IdType, number: str, name: str) -> Actor:
    return logons.register(
        logons.Registration(
            username, PASSWORD, f"{username}@mail.example", role, id_type, number, name
        )
    )


def _write_until_killed(ref: DatabaseRef, seed: int, ready) -> None:  # type: ignore[no-untyped-def]
    """A firm's workstation: its logon first, then requests, each approved by its new
    client, as fast as the services go."""
    store_db.open_database(ref)
    firm = _register(
        f"firm{seed}",
        Role.THIRD_PARTY,
        IdType.FEIN,
        f"{31 + seed % 5:02d}-{1000000 + seed:07d}",
        f"Firm {seed}",
    )
    ready.set()
    n = 0
    while True:
        n += 1
        number = f"{100 + (seed * 37 + n) % 500:03d}-{10 + seed % 89:02d}-{1000 + n % 9000:04d}"
        name = f"Client {seed} {n}"
        with transaction():
            taxpayer = create_taxpayer(
                IdType.SSN, number.replace("-", ""), name, TaxpayerKind.INDIVIDUAL
            )
            first = add_account(taxpayer, AccountType.PERSONAL_INCOME)
            second = add_account(taxpayer, AccountType.FIDUCIARY)
        owner = _register(f"c{seed}x{n}", Role.TAXPAYER, IdType.SSN, number, name)
        view = requests.request_access(
            firm,
            requests.RequestDraft(
                IdType.SSN,
                number,
                name,
                ((first.id, AccessLevel.FILE), (second.id, AccessLevel.PAY)),
                ApprovalMethod.MASSTAXCONNECT,
            ),
        )
        requests.decide_request(
            owner,
            view.id,
            [
                requests.LineDecision(first.id, True, AccessLevel.VIEW_ONLY),
                requests.LineDecision(second.id, True, AccessLevel.PAY),
            ],
        )


def _count_by_request(model, *where) -> Counter[int]:  # type: ignore[no-untyped-def]
    query = model.select(model.request, fn.COUNT(model.id)).group_by(model.request)
    for condition in where:
        query = query.where(condition)
    return Counter(dict(query.tuples()))


def _check_whole(ref: DatabaseRef) -> int:
    """Every request is whole: created with its two lines, its audit event and its email;
    decided with both lines, both grants, their audit events and the three messages."""
    report = store_db.check_database(str(ref))
    assert report.ok, report.lines
    store_db.open_database(ref, upgrade=False)
    try:
        lines = _count_by_request(RequestLine)
        undecided = _count_by_request(RequestLine, RequestLine.give_rights.is_null())
        granted = _count_by_request(RequestLine, RequestLine.give_rights == True)  # noqa: E712
        messages = _count_by_request(Message)
        grants = _count_by_request(AccessGrant)

        def audited(action: str) -> Counter[int]:
            return _count_by_request(AuditEvent, AuditEvent.action == action)

        created = audited("request_created")
        approved = audited("request_approved")
        grant_events = audited("grant_created")
        made = list(AccessRequest.select(AccessRequest.id, AccessRequest.status).tuples())
        for request_id, status in made:
            assert lines[request_id] == 2, request_id
            assert created[request_id] == 1, request_id
            if status == "pending":
                assert undecided[request_id] == 2, request_id
                assert messages[request_id] == 1  # the email asking the taxpayer
                assert grants[request_id] == 0
            else:
                assert status == "approved"
                assert granted[request_id] == 2, request_id
                assert grants[request_id] == 2
                assert grant_events[request_id] == 2
                assert approved[request_id] == 1
                assert messages[request_id] == 4  # the ask, and email + e-message + email
        return len(made)
    finally:
        store_db.close_database()


def test_killed_at_random_points_every_change_is_whole(database: DatabaseRef) -> None:
    store_db.close_database()
    rng = random.Random(2026)
    total = 0
    for kill in range(1, KILLS + 1):
        ready = CTX.Event()
        worker = CTX.Process(target=_write_until_killed, args=(database, kill, ready))
        worker.start()
        assert ready.wait(timeout=30), f"worker {kill} never got its logon made"
        worker.join(timeout=rng.uniform(0.02, 0.3))
        assert worker.exitcode is None, "still writing when killed"
        worker.kill()
        worker.join(timeout=30)
        assert worker.exitcode == -signal.SIGKILL
        total = _check_whole(database)
    assert total >= KILLS, "the workers got some requests written before being killed"
    store_db.open_database(database)
