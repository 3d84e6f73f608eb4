"""Bulk demo clients (``demo-data --clients N``): rows as sound as those the services write."""

from __future__ import annotations

import json
import re
from collections import Counter as Tally

import pytest

from mtc_desktop.domain.ids import IdType, normalize_id
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import AccountType, ApprovalMethod
from mtc_desktop.domain.text import name_key
from mtc_desktop.services import demo, logons, requests
from mtc_desktop.services.base import transaction
from mtc_desktop.services.requests import RequestDraft
from mtc_desktop.services.taxpayers import add_account, search_text_for
from mtc_desktop.store.database import check_database
from mtc_desktop.store.models import (
    AccessGrant,
    AccessRequest,
    AuditEvent,
    Logon,
    RequestLine,
    TaxAccount,
    Taxpayer,
    db,
)
from tests.conftest import Clock
from tests.databases import DatabaseRef, is_postgresql

COUNT = 5_100  # more than one chunk of the bulk writer


@pytest.fixture
def bulk(database: DatabaseRef, clock: Clock) -> tuple[Logon, int, int]:
    """The demo, then COUNT bulk clients for smithcpa: (smithcpa, first new taxpayer id,
    first new request id)."""
    demo.create_demo()
    first_taxpayer = Taxpayer.select().count() + 1
    first_request = AccessRequest.select().count() + 1
    demo.add_bulk_clients("smithcpa", COUNT)
    return Logon.get(Logon.username == "smithcpa"), first_taxpayer, first_request


def test_bulk_clients_are_whole_clients(bulk: tuple[Logon, int, int]) -> None:
    smith, first_taxpayer, first_request = bulk
    taxpayers = list(Taxpayer.select().where(Taxpayer.id >= first_taxpayer))
    assert len(taxpayers) == COUNT
    for tp in taxpayers[:: COUNT // 50]:
        assert tp.id_type == "SSN"
        assert normalize_id(IdType.SSN, tp.id_number) == tp.id_number
        assert tp.name_key == name_key(tp.legal_name)
        assert tp.search_text == search_text_for(tp.legal_name, tp.id_number)
    accounts = list(TaxAccount.select().where(TaxAccount.taxpayer >= first_taxpayer))
    assert len(accounts) == COUNT
    assert {a.account_type for a in accounts} == {AccountType.PERSONAL_INCOME.value}
    assert all(re.fullmatch(r"PIT-\d{8}", a.account_number) for a in accounts)

    new_requests = list(AccessRequest.select().where(AccessRequest.id >= first_request))
    assert len(new_requests) == COUNT
    assert {(r.status, r.method, r.third_party_id) for r in new_requests} == {
        ("approved", ApprovalMethod.PRINTED_FORM.value, smith.id)
    }
    assert all(r.decided_at > r.created_at for r in new_requests)
    assert all(re.fullmatch(r"R\d{4}-\d{6}", r.number) for r in new_requests)
    assert all(re.fullmatch(r"[A-Z2-9]{10}", r.authorization_code) for r in new_requests)

    lines = {
        line.request_id: line
        for line in RequestLine.select().where(RequestLine.request >= first_request)
    }
    grants = list(
        AccessGrant.select().where(
            (AccessGrant.taxpayer >= first_taxpayer) & (AccessGrant.third_party == smith.id)
        )
    )
    assert len(lines) == len(grants) == COUNT
    for grant in grants:
        line = lines[grant.request_id]
        assert grant.status == "active"
        assert line.account_id == grant.account_id
        assert line.give_rights is True
        assert line.requested_level == line.granted_level == grant.level
    assert {g.level for g in grants} == {lv.value for lv in AccessLevel}

    events = list(
        AuditEvent.select().where(
            (AuditEvent.taxpayer >= first_taxpayer) & (AuditEvent.action == "grant_created")
        )
    )
    assert len(events) == COUNT
    assert json.loads(events[0].details)["source"] == "demo data"


def test_bulk_ids_and_numbers_are_unique(bulk: tuple[Logon, int, int]) -> None:
    for column in (Taxpayer.id_number, TaxAccount.account_number, AccessRequest.number):
        values = [row[0] for row in column.model.select(column).tuples()]
        duplicates = [v for v, n in Tally(values).items() if n > 1]
        assert duplicates == [], column


def _sound(database: DatabaseRef) -> None:
    if not is_postgresql(database):  # PostgreSQL checks each reference as a row goes in
        assert db.execute_sql("PRAGMA foreign_key_check").fetchall() == []
    report = check_database(str(database))
    assert report.ok, report.lines


def test_the_database_is_sound_after_bulk_clients(
    bulk: tuple[Logon, int, int], database: DatabaseRef
) -> None:
    _sound(database)


def test_services_carry_on_after_bulk_clients(bulk: tuple[Logon, int, int]) -> None:
    """The counters moved past the bulk rows: new accounts and requests get fresh numbers."""
    smith = logons.log_in("smithcpa", demo.DEMO_PASSWORD)
    with transaction():
        maria = Taxpayer.get(Taxpayer.legal_name == "Maria Santos")
        account = add_account(maria, AccountType.MEALS)
    view = requests.request_access(
        smith,
        RequestDraft(
            IdType.SSN,
            maria.id_number,
            maria.legal_name,
            ((account.id, AccessLevel.FILE),),
            ApprovalMethod.PRINTED_FORM,
        ),
    )
    assert AccessRequest.select().where(AccessRequest.number == view.number).count() == 1
    assert TaxAccount.select().where(TaxAccount.account_number == account.account_number).count()
    assert view.lines[0].account.number == account.account_number


def test_a_second_batch_adds_more(bulk: tuple[Logon, int, int], database: DatabaseRef) -> None:
    smith, _, _ = bulk
    before = AccessGrant.select().where(AccessGrant.third_party == smith.id).count()
    demo.add_bulk_clients("smithcpa", 10)
    after = AccessGrant.select().where(AccessGrant.third_party == smith.id).count()
    assert after == before + 10
    _sound(database)


def test_bulk_names_come_from_the_seed(database: DatabaseRef) -> None:
    demo.create_demo()
    demo.add_bulk_clients("smithcpa", 20, seed=7)
    first = [t.legal_name for t in Taxpayer.select().order_by(Taxpayer.id.desc()).limit(20)]
    assert len(set(first)) > 1
    assert all(" " in name for name in first)
