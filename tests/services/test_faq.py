"""One test per answer of the FAQ "Third-party access to MassTaxConnect" that the services
serve, plus the rules of DESIGN.md §3 that make those answers safe.

Each test walks the FAQ's steps through the service calls the screens use and checks what
the user would check: the request's status, the All tab, the inbox, what may be done on an
account, and that a refused step left the database as it was.
"""

from __future__ import annotations

import datetime as dt
import decimal
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest

from mtc_desktop.domain.errors import (
    AuthenticationFailed,
    InvalidInput,
    NotAllowed,
    NotFound,
    StateConflict,
)
from mtc_desktop.domain.ids import IdType, format_id
from mtc_desktop.domain.levels import AccessLevel, Right
from mtc_desktop.domain.model import (
    AccountType,
    ActivityKind,
    ApprovalMethod,
    CorrespondenceKind,
    GrantStatus,
    MessageKind,
    RequestStatus,
    Role,
    TaxpayerKind,
)
from mtc_desktop.services import (
    accounts,
    audit,
    clients,
    correspondence,
    grants,
    logons,
    notifications,
    requests,
    settings,
)
from mtc_desktop.services.base import Actor, transaction
from mtc_desktop.services.requests import LineDecision, RequestDraft, RequestView
from mtc_desktop.services.taxpayers import create_taxpayer
from mtc_desktop.store.models import (
    AccessGrant,
    AccessRequest,
    AccountActivity,
    AuditEvent,
    Logon,
    Message,
    TaxAccount,
    Taxpayer,
)
from tests.conftest import PASSWORD, Clock, World
from tests.services.helpers import (
    active_grant_row,
    active_levels,
    as_requested,
    ask,
    audit_actions,
    draft,
    grant_access,
    last_audit_id,
    last_message_id,
    messages_for,
    recipients_since,
    register_third_party_for,
    snapshot,
)

WH, MEALS, PIT = AccountType.WITHHOLDING, AccountType.MEALS, AccountType.PERSONAL_INCOME
EMAIL, EMESSAGE = MessageKind.EMAIL, MessageKind.EMESSAGE
ITIN_MESSAGE = "DOR requires an SSN or FEIN for third-party accounts; an ITIN cannot be used."


@pytest.fixture
def bakery(world) -> Taxpayer:
    """A business client with two accounts and an owner who has a logon."""
    return world.taxpayer("Harbor Bakery", (WH, MEALS), IdType.FEIN)


@pytest.fixture
def owner(world, bakery) -> Actor:
    return world.taxpayer_logon("owner", bakery)


@pytest.fixture
def firm(world) -> Actor:
    return world.third_party("firm", "Firm LLP")


@pytest.fixture
def staff(world) -> Actor:
    return world.staff()


def client_levels(third_party: Actor) -> dict[str, dict[AccountType, AccessLevel]]:
    """The All tab as a user reads it: client name -> account type -> level."""
    return {
        row.name: {a.account_type: a.level for a in row.accesses}
        for row in clients.list_clients(third_party)
    }


# --- How does a third party request access to a taxpayer's account(s)? -----------------


def test_request_by_masstaxconnect_emails_the_taxpayer(world, bakery, owner, firm) -> None:
    wh, meals = world.accounts(bakery)
    view = requests.request_access(
        firm,
        RequestDraft(
            IdType.FEIN,
            format_id(IdType.FEIN, bakery.id_number),
            "Harbor Bakery",
            ((wh.id, AccessLevel.FILE_AND_PAY), (meals.id, AccessLevel.FILE)),
            ApprovalMethod.MASSTAXCONNECT,
        ),
    )

    assert view.status is RequestStatus.PENDING
    assert view.method is ApprovalMethod.MASSTAXCONNECT
    assert [(ln.account.id, ln.requested_level) for ln in view.lines] == [
        (wh.id, AccessLevel.FILE_AND_PAY),
        (meals.id, AccessLevel.FILE),
    ]
    # "the taxpayer will receive an email with the request from the third party"
    [email] = notifications.inbox(owner)
    assert email.kind is MessageKind.EMAIL
    assert view.number in email.subject
    assert "Firm LLP" in email.subject
    assert "Withholding" in email.body
    assert "File and Pay" in email.body
    assert "Approve/Deny" in email.body
    raw = notifications.raw_email(owner, email.id)
    assert "owner@mail.example" in raw
    # Nobody else hears of it yet, and the taxpayer finds it to complete it online.
    assert notifications.inbox(firm) == []
    assert Message.select().count() == 1
    [pending] = requests.pending_for_me(owner)
    assert pending.number == view.number
    assert pending.authorization_code == ""  # the code is for the form, never the taxpayer
    assert [r.number for r in requests.my_requests(firm)] == [view.number]


def test_request_by_printed_form_gives_an_authorization_code(world, firm, staff) -> None:
    trust = world.taxpayer("Quiet Trust", (AccountType.FIDUCIARY,), IdType.FEIN)
    [fiduciary] = world.accounts(trust)

    view = ask(firm, trust, [(fiduciary, AccessLevel.FILE)], ApprovalMethod.PRINTED_FORM)

    assert view.status is RequestStatus.PENDING
    assert view.method is ApprovalMethod.PRINTED_FORM
    # The confirmation page carries what Print Client Authorization prints.
    assert len(view.authorization_code) == requests.CODE_LENGTH
    assert set(view.authorization_code) <= set(requests.CODE_ALPHABET)
    assert requests.get_request(firm, view.id).authorization_code == view.authorization_code
    # The third party sends the form; MassTaxConnect emails nobody.
    assert Message.select().count() == 0
    # DOR finds the returned form by its QR code.
    found = requests.find_request(staff, requests.qr_text(view.number, view.authorization_code))
    assert found.id == view.id
    # Two requests never share a code.
    other = ask(world.third_party("other"), trust, [(fiduciary, AccessLevel.PAY)], view.method)
    assert other.authorization_code != view.authorization_code


# --- How does a taxpayer approve a third party's request for access? -------------------


def test_taxpayer_approves_with_lower_rights_than_requested(world, bakery, owner, firm) -> None:
    wh, meals = world.accounts(bakery)
    view = ask(firm, bakery, [(wh, AccessLevel.FULL_ACCESS), (meals, AccessLevel.FILE_AND_PAY)])

    decided = requests.decide_request(
        owner,
        view.id,
        [
            LineDecision(wh.id, True, AccessLevel.VIEW_ONLY),  # Give Rights, lower
            LineDecision(meals.id, False, AccessLevel.FILE_AND_PAY),  # not given
        ],
    )

    assert decided.status is RequestStatus.APPROVED
    lines = {ln.account.id: (ln.give_rights, ln.granted_level) for ln in decided.lines}
    assert lines == {wh.id: (True, AccessLevel.VIEW_ONLY), meals.id: (False, None)}
    assert active_levels(firm) == {wh.id: AccessLevel.VIEW_ONLY}
    assert client_levels(firm)["Harbor Bakery"] == {WH: AccessLevel.VIEW_ONLY}
    assert requests.pending_for_me(owner) == []


def test_taxpayer_may_give_any_level_not_only_what_was_asked(world, bakery, owner, firm) -> None:
    wh, meals = world.accounts(bakery)
    view = ask(firm, bakery, [(wh, AccessLevel.VIEW_ONLY), (meals, AccessLevel.PAY)])

    requests.decide_request(
        owner,
        view.id,
        [
            LineDecision(wh.id, True, AccessLevel.FILE_AND_PAY),
            LineDecision(meals.id, True, AccessLevel.FILE),
        ],
    )

    assert active_levels(firm) == {wh.id: AccessLevel.FILE_AND_PAY, meals.id: AccessLevel.FILE}


def test_no_rights_given_means_denied(world, bakery, owner, firm) -> None:
    wh, meals = world.accounts(bakery)
    view = ask(firm, bakery, [(wh, AccessLevel.FILE), (meals, AccessLevel.PAY)])

    decided = requests.decide_request(
        owner,
        view.id,
        [
            LineDecision(wh.id, False, AccessLevel.FILE),
            LineDecision(meals.id, False, AccessLevel.PAY),
        ],
    )

    assert decided.status is RequestStatus.DENIED
    assert active_levels(firm) == {}
    assert "Harbor Bakery" not in client_levels(firm)
    assert audit_actions()[-1] == "request_denied"


def test_every_account_of_the_request_must_be_decided(world, bakery, owner, firm) -> None:
    wh, meals = world.accounts(bakery)
    view = ask(firm, bakery, [(wh, AccessLevel.FILE), (meals, AccessLevel.PAY)])
    before = snapshot()

    with pytest.raises(InvalidInput):
        requests.decide_request(owner, view.id, [LineDecision(wh.id, True, AccessLevel.FILE)])

    assert snapshot() == before


@pytest.mark.parametrize("give", [True, False], ids=["approved", "denied"])
def test_decision_emails_both_sides_and_emessages_the_third_party(
    world, bakery, owner, firm, give
) -> None:
    second_owner = world.taxpayer_logon("partner", bakery)  # any logon of the taxpayer
    bystander = world.third_party("bystander")
    wh, _ = world.accounts(bakery)
    view = ask(firm, bakery, [(wh, AccessLevel.FILE)])
    mark = last_message_id()

    decided = requests.decide_request(
        second_owner, view.id, [LineDecision(wh.id, give, AccessLevel.FILE)]
    )

    verdict = "approved" if give else "denied"
    assert decided.status is (RequestStatus.APPROVED if give else RequestStatus.DENIED)
    new = Message.select().where(Message.id > mark)
    by_recipient = sorted((m.recipient_id, m.kind) for m in new)
    assert by_recipient == sorted(
        [
            (firm.logon_id, EMAIL.value),
            (firm.logon_id, EMESSAGE.value),
            (owner.logon_id, EMAIL.value),
            (second_owner.logon_id, EMAIL.value),
        ]
    )
    for message in new:
        assert verdict in message.subject
        assert view.number in message.subject
    emessage = next(i for i in notifications.inbox(firm) if i.kind is EMESSAGE)
    assert "Harbor Bakery" in emessage.body
    assert notifications.inbox(bystander) == []


def test_only_the_third_party_that_asked_withdraws_a_request(world, firm, staff) -> None:
    """Not even the firm whose own business the request is for (its logon is that
    taxpayer's too), nor another firm, nor DOR."""
    ledger_co = world.taxpayer("Ledger & Co", (WH,), IdType.FEIN)
    ledger = register_third_party_for("ledger", ledger_co)
    view = ask(
        firm,
        ledger_co,
        [(world.accounts(ledger_co)[0], AccessLevel.FILE)],
        ApprovalMethod.PRINTED_FORM,
    )
    rival = world.third_party("rival")
    before = snapshot()

    for actor, error in (
        (ledger, NotAllowed),
        (rival, NotFound),
        (staff, NotAllowed),
    ):
        with pytest.raises(error):
            requests.withdraw_request(actor, view.id)

    assert snapshot() == before
    assert requests.withdraw_request(firm, view.id).status is RequestStatus.WITHDRAWN


def test_a_withdrawn_request_is_told_to_the_taxpayer(world, bakery, owner, firm) -> None:
    """The taxpayer was emailed the request; it is told there is nothing left to decide."""
    view = ask(firm, bakery, [(world.accounts(bakery)[0], AccessLevel.FILE)])
    assert requests.pending_for_me(owner)
    requests.withdraw_request(firm, view.id)
    [told] = [i for i in notifications.inbox(owner) if "withdrawn" in i.subject]
    assert told.subject == f"Access request {view.number} withdrawn"
    assert firm.display_name in told.body
    assert "nothing for you to approve or deny" in told.body
    assert requests.pending_for_me(owner) == []


# --- How does a taxpayer increase or decrease a third party's access? ------------------


def test_taxpayer_increases_and_decreases_a_level(world, bakery, owner, firm) -> None:
    wh, _ = world.accounts(bakery)
    grant_access(firm, bakery, owner, [(wh, AccessLevel.FILE)])
    [row] = grants.access_of_third_party(owner, firm.logon_id)
    assert row.level is AccessLevel.FILE

    raised = grants.change_level(owner, row.id, AccessLevel.FILE_AND_PAY)

    assert raised.level is AccessLevel.FILE_AND_PAY
    assert accounts.account_page(firm, wh.id).level is AccessLevel.FILE_AND_PAY
    assert "increased" in messages_for(firm, EMAIL)[-1].subject

    lowered = grants.change_level(owner, row.id, AccessLevel.VIEW_ONLY)

    assert lowered.level is AccessLevel.VIEW_ONLY
    assert accounts.account_page(firm, wh.id).rights == {Right.VIEW}
    assert "decreased" in messages_for(firm, EMAIL)[-1].subject
    assert [g.level for g in grants.access_of_third_party(owner, firm.logon_id)] == [
        AccessLevel.VIEW_ONLY
    ]
    changes = [
        h.details
        for h in audit.history_with_third_party(owner, firm.logon_id)
        if h.action == "grant_level_changed"
    ]
    assert changes == [
        {"old": "file", "new": "file_and_pay"},
        {"old": "file_and_pay", "new": "view_only"},
    ]


# --- How does a taxpayer cancel a third party's access? --------------------------------


def test_cancel_access_on_general_access_cancels_every_grant_of_that_third_party(
    world, bakery, owner, firm
) -> None:
    wh, meals = world.accounts(bakery)
    rival = world.third_party("rival")
    other_client = world.taxpayer("Ada Lovelace", (PIT,))
    ada = world.taxpayer_logon("ada", other_client)
    [ada_pit] = world.accounts(other_client)
    grant_access(firm, bakery, owner, [(wh, AccessLevel.FILE), (meals, AccessLevel.PAY)])
    grant_access(rival, bakery, owner, [(wh, AccessLevel.VIEW_ONLY)])
    grant_access(firm, other_client, ada, [(ada_pit, AccessLevel.FILE)])
    mark = last_message_id()

    cancelled = grants.cancel_general_access(owner, firm.logon_id)

    assert cancelled == 2
    assert active_levels(firm) == {ada_pit.id: AccessLevel.FILE}  # another client's: kept
    assert active_levels(rival) == {wh.id: AccessLevel.VIEW_ONLY}  # another firm's: kept
    assert "Harbor Bakery" not in client_levels(firm)
    assert [t.username for t in grants.third_parties_with_access(owner)] == ["rival"]
    with pytest.raises(NotAllowed):
        accounts.account_page(firm, wh.id)
    # The third party is told.
    assert recipients_since(mark) == [(firm.logon_id, "email", "firm@firm.example")]
    assert "canceled your access" in messages_for(firm, EMAIL)[-1].subject
    # It cannot be undone: nothing left to cancel, the old grants never change again.
    old = list(
        AccessGrant.select().where(
            (AccessGrant.third_party == firm.logon_id) & (AccessGrant.taxpayer == bakery.id)
        )
    )
    assert {g.status for g in old} == {GrantStatus.CANCELLED.value}
    with pytest.raises(StateConflict):
        grants.cancel_general_access(owner, firm.logon_id)
    with pytest.raises(StateConflict):
        grants.change_level(owner, old[0].id, AccessLevel.FULL_ACCESS)
    with pytest.raises(StateConflict):
        grants.cancel_my_access(firm, old[0].id)
    assert {
        g.status for g in AccessGrant.select().where(AccessGrant.id.in_([g.id for g in old]))
    } == {GrantStatus.CANCELLED.value}


# --- How can a taxpayer reactivate access for a third party? ---------------------------


def test_reactivation_is_a_new_request_approved_again(world, bakery, owner, firm) -> None:
    wh, _ = world.accounts(bakery)
    grant_access(firm, bakery, owner, [(wh, AccessLevel.FILE)])
    old = active_grant_row(firm, wh)
    grants.cancel_general_access(owner, firm.logon_id)
    assert "Harbor Bakery" not in client_levels(firm)

    view = ask(firm, bakery, [(wh, AccessLevel.PAY)])
    assert active_levels(firm) == {}  # a request alone gives nothing back
    requests.decide_request(owner, view.id, as_requested(view))

    new = active_grant_row(firm, wh)
    assert new is not None
    assert old is not None
    assert new.id != old.id
    assert new.request_id == view.id
    assert AccessGrant.get_by_id(old.id).status == GrantStatus.CANCELLED.value
    assert client_levels(firm)["Harbor Bakery"] == {WH: AccessLevel.PAY}


# --- Can a third party cancel access to a client's account(s)? -------------------------


def test_third_party_cancels_its_access_to_one_account(world, bakery, owner, firm) -> None:
    wh, meals = world.accounts(bakery)
    grant_access(firm, bakery, owner, [(wh, AccessLevel.FILE), (meals, AccessLevel.PAY)])
    row = next(g for g in grants.my_access(firm) if g.account.id == wh.id)
    assert grants.my_grant(firm, row.id).level is AccessLevel.FILE  # the Tax Administrator link
    mark = last_message_id()

    result = grants.cancel_my_access(firm, row.id)

    assert result.status is GrantStatus.CANCELLED
    assert active_levels(firm) == {meals.id: AccessLevel.PAY}
    assert client_levels(firm)["Harbor Bakery"] == {MEALS: AccessLevel.PAY}
    assert recipients_since(mark) == [(owner.logon_id, "email", "owner@mail.example")]
    assert "Withholding" in messages_for(owner, EMAIL)[-1].body
    with pytest.raises(StateConflict):
        grants.cancel_my_access(firm, row.id)


def test_third_party_cancels_its_access_to_a_whole_client(world, bakery, owner, firm) -> None:
    wh, meals = world.accounts(bakery)
    grant_access(firm, bakery, owner, [(wh, AccessLevel.FILE), (meals, AccessLevel.PAY)])

    assert grants.cancel_my_access_for_client(firm, bakery.id) == 2

    assert active_levels(firm) == {}
    assert "Harbor Bakery" not in client_levels(firm)
    assert grants.third_parties_with_access(owner) == []
    with pytest.raises(NotFound):
        grants.cancel_my_access_for_client(firm, bakery.id)


def test_third_party_manages_its_own_business_the_same_way(world) -> None:
    business = world.taxpayer("Ledger & Co", (WH, AccountType.SALES_AND_USE), IdType.FEIN)
    wh, sales = world.accounts(business)
    firm = register_third_party_for("ledger", business)
    rows = grants.my_access(firm)
    assert {(g.account.id, g.own_business) for g in rows} == {(wh.id, True), (sales.id, True)}
    # Its logon is its business's too, yet it never sets its own level (rule 3).
    before = snapshot()
    with pytest.raises(NotAllowed):
        grants.change_level(firm, rows[0].id, AccessLevel.VIEW_ONLY)
    assert snapshot() == before
    mark = last_message_id()

    grants.cancel_my_access(firm, next(g.id for g in rows if g.account.id == wh.id))

    assert active_levels(firm) == {sales.id: AccessLevel.FULL_ACCESS}
    [own] = clients.list_clients(firm)
    assert own.own_business
    assert [a.account_type for a in own.accesses] == [AccountType.SALES_AND_USE]
    assert recipients_since(mark) == []  # nobody else to tell about its own business
    assert grants.cancel_my_access_for_client(firm, business.id) == 1
    assert clients.list_clients(firm) == []


# --- Where can a third party view clients who have assigned access rights to them? ----


def test_all_tab_lists_the_clients_and_the_own_business(world, bakery, owner) -> None:
    business = world.taxpayer("Ledger & Co", (WH,), IdType.FEIN)
    firm = register_third_party_for("ledger", business)
    ada_tp = world.taxpayer("Ada Lovelace", (PIT,))
    ada = world.taxpayer_logon("ada", ada_tp)
    world.taxpayer("Nobody Asked", (PIT,))
    pending_tp = world.taxpayer("Pending Person", (PIT,))
    wh, meals = world.accounts(bakery)
    grant_access(firm, bakery, owner, [(wh, AccessLevel.FILE_AND_PAY), (meals, AccessLevel.PAY)])
    grant_access(firm, ada_tp, ada, [(world.accounts(ada_tp)[0], AccessLevel.FILE)])
    ask(
        firm,
        pending_tp,
        [(world.accounts(pending_tp)[0], AccessLevel.FILE)],
        ApprovalMethod.PRINTED_FORM,
    )

    rows = clients.list_clients(firm)

    assert [r.name for r in rows] == ["Ada Lovelace", "Harbor Bakery", "Ledger & Co"]
    assert [r.own_business for r in rows] == [False, False, True]
    assert client_levels(firm) == {
        "Ada Lovelace": {PIT: AccessLevel.FILE},
        "Harbor Bakery": {WH: AccessLevel.FILE_AND_PAY, MEALS: AccessLevel.PAY},
        "Ledger & Co": {WH: AccessLevel.FULL_ACCESS},
    }
    assert clients.count_clients(firm) == 3
    assert [r.name for r in clients.list_clients(firm, "bakery harbor")] == ["Harbor Bakery"]
    # The IDs on the All tab are masked.
    assert rows[1].masked_id == "**-***" + bakery.id_number[-4:]
    with pytest.raises(NotAllowed):
        clients.list_clients(owner)


# --- After access is approved ... favorites ---------------------------------------------


def test_favorites_mark_clients_the_firm_works_with_regularly(world, bakery, owner, firm) -> None:
    ada_tp = world.taxpayer("Ada Lovelace", (PIT,))
    ada = world.taxpayer_logon("ada", ada_tp)
    stranger = world.taxpayer("Stranger", (PIT,))
    grant_access(firm, bakery, owner, [(world.accounts(bakery)[0], AccessLevel.FILE)])
    grant_access(firm, ada_tp, ada, [(world.accounts(ada_tp)[0], AccessLevel.FILE)])

    clients.set_favorite(firm, bakery.id, True)
    clients.set_favorite(firm, bakery.id, True)  # twice is still one favorite

    assert [r.name for r in clients.list_clients(firm, favorites_only=True)] == ["Harbor Bakery"]
    assert {r.name: r.favorite for r in clients.list_clients(firm)} == {
        "Ada Lovelace": False,
        "Harbor Bakery": True,
    }
    assert clients.favorites_count(firm) == 1
    assert audit_actions().count("favorite_added") == 1
    # Only a current client can be a favorite.
    before = snapshot()
    with pytest.raises(NotFound):
        clients.set_favorite(firm, stranger.id, True)
    assert snapshot() == before

    clients.set_favorite(firm, bakery.id, False)

    assert clients.list_clients(firm, favorites_only=True) == []


# --- What if a third party does not see Manage My Clients? -----------------------------


def test_change_client_view_turns_on_manage_my_clients(world, owner, firm) -> None:
    assert clients.client_view_enabled(firm) is False
    assert logons.profile(firm).client_view is False

    clients.set_client_view(firm, True)

    assert clients.client_view_enabled(firm) is True
    assert logons.profile(firm).client_view is True
    events = list(AuditEvent.select().where(AuditEvent.action == "client_view_changed"))
    assert len(events) == 1
    before = snapshot()
    clients.set_client_view(firm, True)  # ticking an already ticked box changes nothing
    assert snapshot() == before
    with pytest.raises(NotAllowed):
        clients.set_client_view(owner, True)

    clients.set_client_view(firm, False)

    assert clients.client_view_enabled(firm) is False


# --- Will a third party be notified that their client has been sent a letter? ----------


def test_correspondence_mailed_emails_every_third_party_authorized_on_that_account(
    world, bakery, owner, staff
) -> None:
    wh, meals = world.accounts(bakery)
    firm = world.third_party("firm")
    rival = world.third_party("rival")
    meals_only = world.third_party("meals-only")
    cancelled = world.third_party("cancelled")
    asking = world.third_party("asking")
    grant_access(firm, bakery, owner, [(wh, AccessLevel.VIEW_ONLY)])
    grant_access(rival, bakery, staff, [(wh, AccessLevel.FULL_ACCESS)])
    grant_access(meals_only, bakery, owner, [(meals, AccessLevel.FILE)])
    grant_access(cancelled, bakery, owner, [(wh, AccessLevel.FILE)])
    grants.cancel_general_access(owner, cancelled.logon_id)
    ask(asking, bakery, [(wh, AccessLevel.FILE)], ApprovalMethod.PRINTED_FORM)
    mark = last_message_id()

    result = correspondence.mail_correspondence(
        staff,
        wh.account_number.lower(),
        CorrespondenceKind.NOTICE,
        "Notice of assessment",
        dt.date(2026, 3, 2),
    )

    assert sorted(result.notified_third_parties) == ["firm", "rival"]
    assert sorted(recipients_since(mark)) == sorted(
        [
            (firm.logon_id, "email", "firm@firm.example"),
            (rival.logon_id, "email", "rival@firm.example"),
        ]
    )
    email = messages_for(firm, EMAIL)[-1]
    assert "Harbor Bakery" in email.subject
    assert "Notice of assessment" in email.body
    assert wh.account_number in email.body
    assert audit_actions()[-1] == "correspondence_mailed"
    # Only DOR mails correspondence.
    with pytest.raises(NotAllowed):
        correspondence.mail_correspondence(
            firm, wh.account_number, CorrespondenceKind.LETTER, "x", dt.date(2026, 3, 2)
        )


# --- Can a tax practitioner use an ITIN rather than an SSN? -----------------------------


@pytest.mark.parametrize(
    ("id_type", "number"),
    [(IdType.ITIN, "912-70-1234"), (IdType.SSN, "912-70-1234")],
    ids=["itin", "itin-typed-as-ssn"],
)
def test_itin_is_refused_for_a_third_party(world, id_type, number) -> None:
    before = snapshot()

    with pytest.raises(InvalidInput) as caught:
        logons.register(
            logons.Registration(
                "preparer",
                PASSWORD,
                "preparer@firm.example",
                Role.THIRD_PARTY,
                id_type,
                number,
                "Pat Preparer",
            )
        )

    assert caught.value.message == ITIN_MESSAGE
    assert snapshot() == before


def test_an_itin_is_fine_for_a_taxpayer_and_an_ssn_for_a_third_party(world) -> None:
    with transaction():
        create_taxpayer(IdType.ITIN, "912701234", "Ines Itin", TaxpayerKind.INDIVIDUAL)
    taxpayer = logons.register(
        logons.Registration(
            "ines",
            PASSWORD,
            "ines@mail.example",
            Role.TAXPAYER,
            IdType.ITIN,
            "912-70-1234",
            "Ines Itin",
        )
    )
    preparer = logons.register(
        logons.Registration(
            "pat",
            PASSWORD,
            "pat@firm.example",
            Role.THIRD_PARTY,
            IdType.SSN,
            "123-45-6780",
            "Pat Preparer",
        )
    )
    assert taxpayer.role is Role.TAXPAYER
    assert preparer.role is Role.THIRD_PARTY


# --- Should a tax professional sign up a client? (email, username and password) --------


@pytest.mark.parametrize(
    "address", ["OWNER@mail.example", "owner@MAIL.EXAMPLE", " Owner@Mail.Example "]
)
def test_a_shared_email_address_is_refused(world, bakery, owner, address) -> None:
    before = snapshot()

    with pytest.raises(InvalidInput) as caught:
        logons.register(
            logons.Registration(
                "preparer",
                PASSWORD,
                address,
                Role.THIRD_PARTY,
                IdType.FEIN,
                "04-1234567",
                "Pat Preparer",
            )
        )

    assert caught.value.field == "email"
    assert "shared email addresses are not allowed" in caught.value.message
    assert snapshot() == before


def test_an_email_address_is_required(world, bakery) -> None:
    with pytest.raises(InvalidInput) as caught:
        logons.register(
            logons.Registration(
                "owner",
                PASSWORD,
                "  ",
                Role.TAXPAYER,
                IdType.FEIN,
                bakery.id_number,
                "Harbor Bakery",
            )
        )
    assert caught.value.field == "email"


def test_username_and_password_are_chosen_by_their_holder(world, bakery) -> None:
    chosen = "Correct horse battery staple"
    me = logons.register(
        logons.Registration(
            "BakeryOwner",
            chosen,
            "owner@mail.example",
            Role.TAXPAYER,
            IdType.FEIN,
            bakery.id_number,
            "Harbor Bakery",
        )
    )
    someone = world.taxpayer_logon("someone", world.taxpayer("Some One", (PIT,)))
    stored = Logon.get_by_id(me.logon_id)

    assert me.username == "BakeryOwner"
    assert chosen not in stored.password_hash
    assert stored.password_hash.startswith("$argon2id$")
    assert logons.log_in("bakeryowner", chosen).logon_id == me.logon_id
    with pytest.raises(AuthenticationFailed) as wrong:
        logons.log_in("BakeryOwner", PASSWORD)
    with pytest.raises(AuthenticationFailed) as unknown:
        logons.log_in("nobody", chosen)
    assert wrong.value.message == unknown.value.message
    # The username is the holder's: nobody else can take it, whatever the case.
    with pytest.raises(InvalidInput):
        world.taxpayer_logon("BAKERYOWNER", world.taxpayer("Other", (PIT,)))
    # Only the holder changes the password, and only knowing the current one.
    with pytest.raises(InvalidInput):
        logons.change_password(me, "not the current password", "another long passphrase")
    someone_hash = Logon.get_by_id(someone.logon_id).password_hash
    logons.change_password(me, chosen, "another long passphrase")
    assert logons.log_in("BakeryOwner", "another long passphrase").logon_id == me.logon_id
    assert Logon.get_by_id(someone.logon_id).password_hash == someone_hash
    # A taxpayer can only register for an identity DOR knows.
    with pytest.raises(InvalidInput):
        logons.register(
            logons.Registration(
                "ghost",
                chosen,
                "ghost@mail.example",
                Role.TAXPAYER,
                IdType.SSN,
                "123-45-6781",
                "Ghost",
            )
        )


# --- DOR staff record a returned printed form ------------------------------------------


def _printed_request(
    world: World, bakery: Taxpayer, firm: Actor
) -> tuple[RequestView, list[LineDecision]]:
    wh, meals = world.accounts(bakery)
    view = ask(
        firm,
        bakery,
        [(wh, AccessLevel.FILE_AND_PAY), (meals, AccessLevel.FILE)],
        ApprovalMethod.PRINTED_FORM,
    )
    decisions = [
        LineDecision(wh.id, True, AccessLevel.PAY),
        LineDecision(meals.id, False, AccessLevel.FILE),
    ]
    return view, decisions


def test_staff_record_a_printed_form_with_its_authorization_code(
    world, bakery, owner, firm, staff
) -> None:
    view, decisions = _printed_request(world, bakery, firm)
    typed = f"{view.authorization_code[:5]}-{view.authorization_code[5:]}".lower()
    mark = last_message_id()

    recorded = requests.record_printed_form(staff, view.number.lower(), typed, decisions)

    assert recorded.status is RequestStatus.APPROVED
    assert active_levels(firm) == {decisions[0].account_id: AccessLevel.PAY}
    stored = AccessRequest.get_by_id(view.id)
    assert stored.decided_by_id == staff.logon_id
    assert audit_actions()[-2:] == ["request_approved", "printed_form_recorded"]
    assert sorted((r, k) for r, k, _ in recipients_since(mark)) == sorted(
        [
            (firm.logon_id, "email"),
            (firm.logon_id, "emessage"),
            (owner.logon_id, "email"),
        ]
    )
    assert "printed Client Authorization form" in messages_for(firm, EMESSAGE)[-1].body


def test_staff_record_a_form_of_a_taxpayer_without_a_logon(world, firm, staff) -> None:
    trust = world.taxpayer(
        "Quiet Trust", (AccountType.FIDUCIARY,), IdType.FEIN, "trust@mail.example"
    )
    [fid] = world.accounts(trust)
    view = ask(firm, trust, [(fid, AccessLevel.FILE)], ApprovalMethod.PRINTED_FORM)
    mark = last_message_id()

    requests.record_printed_form(staff, view.number, view.authorization_code, as_requested(view))

    assert active_levels(firm) == {fid.id: AccessLevel.FILE}
    # The taxpayer is told at the address DOR has on file.
    assert (None, "email", "trust@mail.example") in recipients_since(mark)


def test_staff_refuse_a_wrong_authorization_code(world, bakery, owner, firm, staff) -> None:
    view, decisions = _printed_request(world, bakery, firm)
    wrong = "".join("A" if c != "A" else "B" for c in view.authorization_code)
    before = snapshot()

    with pytest.raises(InvalidInput) as caught:
        requests.record_printed_form(staff, view.number, wrong, decisions)

    assert caught.value.field == "authorization_code"
    assert snapshot() == before
    assert requests.get_request(staff, view.id).status is RequestStatus.PENDING


def test_staff_refuse_a_form_already_decided(world, bakery, owner, firm, staff) -> None:
    view, decisions = _printed_request(world, bakery, firm)
    requests.record_printed_form(staff, view.number, view.authorization_code, decisions)
    before = snapshot()

    with pytest.raises(StateConflict) as caught:
        requests.record_printed_form(staff, view.number, view.authorization_code, decisions)

    assert "already recorded" in caught.value.message
    assert snapshot() == before


def test_staff_refuse_to_record_a_request_made_for_online_approval(
    world, bakery, owner, firm, staff
) -> None:
    wh, _ = world.accounts(bakery)
    view = ask(firm, bakery, [(wh, AccessLevel.FILE)], ApprovalMethod.MASSTAXCONNECT)
    code = AccessRequest.get_by_id(view.id).authorization_code
    before = snapshot()

    with pytest.raises(InvalidInput) as caught:
        requests.record_printed_form(staff, view.number, code, as_requested(view))

    assert "decides it online" in caught.value.message
    assert snapshot() == before


def test_only_staff_record_printed_forms(world, bakery, owner, firm) -> None:
    view, decisions = _printed_request(world, bakery, firm)
    before = snapshot()
    for actor in (firm, owner):
        with pytest.raises(NotAllowed):
            requests.record_printed_form(actor, view.number, view.authorization_code, decisions)
    assert snapshot() == before


# --- Expiry -----------------------------------------------------------------------------


def test_a_request_expires_after_45_days_by_default(world, bakery, owner, firm, clock) -> None:
    wh, _ = world.accounts(bakery)
    view = ask(firm, bakery, [(wh, AccessLevel.FILE)])
    assert settings.get_expiry_days() == 45
    assert view.expires_at == view.created_at + dt.timedelta(days=45)

    clock.advance(days=44)
    assert requests.expire_overdue() == 0
    assert requests.get_request(firm, view.id).status is RequestStatus.PENDING

    clock.advance(days=2)
    mark = last_message_id()
    assert requests.expire_overdue() == 1

    assert requests.get_request(firm, view.id).status is RequestStatus.EXPIRED
    assert requests.pending_for_me(owner) == []
    assert sorted(r for r, _, _ in recipients_since(mark)) == sorted(
        [firm.logon_id, owner.logon_id]
    )
    assert "expired" in messages_for(firm, EMAIL)[-1].subject
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).first()
    assert (event.action, event.actor_id) == ("request_expired", None)
    # Final: it cannot be decided or withdrawn any more, and a new request is allowed.
    with pytest.raises(StateConflict):
        requests.decide_request(owner, view.id, as_requested(view))
    with pytest.raises(StateConflict):
        requests.withdraw_request(firm, view.id)
    assert requests.expire_overdue() == 0
    again = ask(firm, bakery, [(wh, AccessLevel.FILE)])
    assert again.status is RequestStatus.PENDING


def test_the_expiry_period_is_set_by_dor(world, bakery, owner, firm, staff, clock) -> None:
    wh, _ = world.accounts(bakery)
    with pytest.raises(NotAllowed):
        settings.set_expiry_days(firm, 10)
    with pytest.raises(InvalidInput):
        settings.set_expiry_days(staff, 0)

    settings.set_expiry_days(staff, 10)
    view = ask(firm, bakery, [(wh, AccessLevel.FILE)])
    clock.advance(days=11)

    assert requests.expire_overdue() == 1
    assert requests.get_request(owner, view.id).status is RequestStatus.EXPIRED


def test_an_overdue_request_cannot_be_approved_even_before_the_sweep(
    world, bakery, owner, firm, clock
) -> None:
    wh, _ = world.accounts(bakery)
    view = ask(firm, bakery, [(wh, AccessLevel.FILE)])
    clock.advance(days=46)

    with pytest.raises(StateConflict):
        requests.decide_request(owner, view.id, as_requested(view))

    assert requests.get_request(firm, view.id).status is RequestStatus.EXPIRED
    assert active_levels(firm) == {}


def test_a_request_past_its_period_does_not_block_a_new_one(
    world, bakery, owner, firm, clock
) -> None:
    """A program left open for weeks has not swept yet: the new request still goes through,
    and the old one is marked expired (with its audit event and emails) on the way."""
    wh, _ = world.accounts(bakery)
    old = ask(firm, bakery, [(wh, AccessLevel.FILE)])
    clock.advance(days=46)
    mark = last_audit_id()

    new = ask(firm, bakery, [(wh, AccessLevel.PAY)])

    assert new.status is RequestStatus.PENDING
    assert requests.get_request(firm, old.id).status is RequestStatus.EXPIRED
    assert audit_actions(mark) == ["request_expired", "request_created"]
    assert [r.number for r in requests.pending_for_me(owner)] == [new.number]


def test_a_request_can_still_be_decided_on_its_last_day(world, bakery, owner, firm, clock) -> None:
    wh, _ = world.accounts(bakery)
    view = ask(firm, bakery, [(wh, AccessLevel.FILE)])
    clock.advance(days=44, hours=23)

    decided = requests.decide_request(owner, view.id, as_requested(view))

    assert decided.status is RequestStatus.APPROVED


# --- Rights in action -------------------------------------------------------------------


@pytest.mark.parametrize("level", list(AccessLevel), ids=lambda lv: lv.value)
def test_what_a_third_party_may_do_follows_its_level(world, bakery, owner, firm, level) -> None:
    wh, meals = world.accounts(bakery)
    grant_access(firm, bakery, owner, [(wh, level)])

    page = accounts.account_page(firm, wh.id)
    assert page.level is level
    assert page.rights == level.rights

    if level.allows(Right.FILE):
        filed = accounts.file_return(firm, wh.id, "2025 Q4")
        assert filed.kind is ActivityKind.FILE_RETURN
    else:
        with pytest.raises(NotAllowed):
            accounts.file_return(firm, wh.id, "2025 Q4")
    if level.allows(Right.PAY):
        paid = accounts.make_payment(firm, wh.id, "1,250.00")
        assert paid.amount == decimal.Decimal("1250.00")
    else:
        with pytest.raises(NotAllowed):
            accounts.make_payment(firm, wh.id, "1250.00")

    expected = {ActivityKind.FILE_RETURN} if level.allows(Right.FILE) else set()
    if level.allows(Right.PAY):
        expected.add(ActivityKind.MAKE_PAYMENT)
    activity = accounts.account_page(firm, wh.id).activity
    assert {a.kind for a in activity} == expected
    assert {a.who for a in activity} <= {"firm"}
    assert AccountActivity.select().count() == len(expected)
    # An account not granted stays closed, whatever the level elsewhere.
    with pytest.raises(NotAllowed):
        accounts.account_page(firm, meals.id)
    with pytest.raises(NotAllowed):
        accounts.file_return(firm, meals.id, "2025 Q4")


def test_a_lowered_level_takes_effect_on_the_next_call(world, bakery, owner, firm) -> None:
    wh, _ = world.accounts(bakery)
    grant_access(firm, bakery, owner, [(wh, AccessLevel.FILE_AND_PAY)])
    grant = active_grant_row(firm, wh)
    assert grant is not None
    accounts.make_payment(firm, wh.id, "10.00")

    grants.change_level(owner, grant.id, AccessLevel.VIEW_ONLY)

    before = snapshot()
    with pytest.raises(NotAllowed):
        accounts.make_payment(firm, wh.id, "10.00")
    with pytest.raises(NotAllowed):
        accounts.file_return(firm, wh.id, "2025")
    assert snapshot() == before
    assert accounts.account_page(firm, wh.id).level is AccessLevel.VIEW_ONLY

    grants.cancel_general_access(owner, firm.logon_id)

    with pytest.raises(NotAllowed):
        accounts.account_page(firm, wh.id)


def test_the_taxpayer_always_acts_on_its_own_accounts(world, bakery, owner) -> None:
    wh, _ = world.accounts(bakery)
    page = accounts.account_page(owner, wh.id)
    assert page.level is None
    assert page.rights == frozenset(Right)
    accounts.file_return(owner, wh.id, "2025")
    accounts.make_payment(owner, wh.id, "5")
    assert [a.kind for a in accounts.account_page(owner, wh.id).activity] == [
        ActivityKind.MAKE_PAYMENT,
        ActivityKind.FILE_RETURN,
    ]


# --- Rule 5: a request cannot be used to discover who is a taxpayer ---------------------


def test_unknown_id_and_wrong_name_give_the_same_message(world, bakery, owner, firm) -> None:
    wh, _ = world.accounts(bakery)
    line = ((wh.id, AccessLevel.FILE),)
    method = ApprovalMethod.PRINTED_FORM
    attempts = [
        RequestDraft(IdType.FEIN, "04-7654321", "Harbor Bakery", line, method),  # unknown ID
        draft(bakery, [(wh, AccessLevel.FILE)], method, name="Harbour Bakery Inc"),  # name
        RequestDraft(IdType.SSN, "123-45-6789", "Harbor Bakery", line, method),  # ID type
    ]
    before = snapshot()
    answers = set()
    for attempt in attempts:
        with pytest.raises(InvalidInput) as by_request:
            requests.request_access(firm, attempt)
        with pytest.raises(InvalidInput) as by_lookup:
            requests.lookup_taxpayer(firm, attempt.id_type, attempt.id_number, attempt.legal_name)
        answers.add((by_request.value.field, by_request.value.message))
        answers.add((by_lookup.value.field, by_lookup.value.message))

    assert len(answers) == 1
    assert snapshot() == before


def test_names_match_after_normalization(world, firm) -> None:
    elodie = world.taxpayer("Élodie Durand", (PIT,))
    [pit] = world.accounts(elodie)
    typed = unicodedata.normalize("NFD", "  ÉLODIE \t durand ")

    found = requests.lookup_taxpayer(firm, IdType.SSN, elodie.id_number, typed)
    view = requests.request_access(
        firm, draft(elodie, [(pit, AccessLevel.FILE)], ApprovalMethod.PRINTED_FORM, name=typed)
    )

    assert found.taxpayer_id == elodie.id
    assert view.taxpayer_id == elodie.id


# --- Rule 6: MassTaxConnect approval needs a taxpayer logon ---------------------------


def test_masstaxconnect_approval_needs_a_taxpayer_logon(world, firm) -> None:
    trust = world.taxpayer("Quiet Trust", (AccountType.FIDUCIARY,), IdType.FEIN)
    [fid] = world.accounts(trust)
    assert (
        requests.lookup_taxpayer(firm, IdType.FEIN, trust.id_number, "Quiet Trust").has_logon
        is False
    )
    before = snapshot()

    with pytest.raises(InvalidInput) as caught:
        ask(firm, trust, [(fid, AccessLevel.FILE)], ApprovalMethod.MASSTAXCONNECT)

    assert caught.value.field == "method"
    assert "no MassTaxConnect logon" in caught.value.message
    assert "Printed form" in caught.value.message
    assert snapshot() == before
    # The printed form is offered instead and works; once the taxpayer registers, online does.
    printed = ask(firm, trust, [(fid, AccessLevel.FILE)], ApprovalMethod.PRINTED_FORM)
    requests.withdraw_request(firm, printed.id)
    world.taxpayer_logon("trustee", trust)
    online = ask(firm, trust, [(fid, AccessLevel.FILE)], ApprovalMethod.MASSTAXCONNECT)
    assert online.status is RequestStatus.PENDING


# --- Rule 4: one pending request per pair, one active grant per account ----------------


def test_one_pending_request_per_third_party_and_taxpayer(world, bakery, owner, firm) -> None:
    wh, meals = world.accounts(bakery)
    first = ask(firm, bakery, [(wh, AccessLevel.FILE)])
    before = snapshot()

    with pytest.raises(StateConflict) as caught:
        ask(firm, bakery, [(meals, AccessLevel.PAY)], ApprovalMethod.PRINTED_FORM)

    assert first.number in caught.value.message
    assert snapshot() == before
    # Another firm may ask at the same time; after a decision, the first firm may ask again.
    ask(world.third_party("rival"), bakery, [(wh, AccessLevel.VIEW_ONLY)])
    requests.deny_request(owner, first.id)
    assert ask(firm, bakery, [(meals, AccessLevel.PAY)]).status is RequestStatus.PENDING
    assert (
        AccessRequest.select()
        .where(
            (AccessRequest.third_party == firm.logon_id)
            & (AccessRequest.taxpayer == bakery.id)
            & (AccessRequest.status == "pending")
        )
        .count()
        == 1
    )


def test_one_active_grant_per_third_party_and_account(world, bakery, owner, firm) -> None:
    wh, meals = world.accounts(bakery)
    grant_access(firm, bakery, owner, [(wh, AccessLevel.FILE)])
    before = snapshot()

    with pytest.raises(InvalidInput) as caught:
        ask(firm, bakery, [(wh, AccessLevel.FULL_ACCESS), (meals, AccessLevel.FILE)])

    assert "already have access" in caught.value.message
    assert snapshot() == before
    # The other account can still be requested, and approving it leaves one grant each.
    view = ask(firm, bakery, [(meals, AccessLevel.FILE)])
    requests.decide_request(owner, view.id, as_requested(view))
    counts = [
        AccessGrant.select()
        .where(
            (AccessGrant.third_party == firm.logon_id)
            & (AccessGrant.account == account.id)
            & (AccessGrant.status == "active")
        )
        .count()
        for account in (wh, meals)
    ]
    assert counts == [1, 1]


# --- Rule 7: the change, its audit event and its messages are all or nothing ----------


class SmtpDown(RuntimeError):
    pass


@dataclass
class Scene:
    world: World
    bakery: Taxpayer
    owner: Actor
    firm: Actor
    staff: Actor
    clock: Clock

    def first_account(self) -> TaxAccount:
        return self.world.accounts(self.bakery)[0]


Operation = Callable[[], object]


def _approve(s: Scene) -> Operation:
    view = ask(s.firm, s.bakery, [(s.first_account(), AccessLevel.FILE)])
    return partial(requests.decide_request, s.owner, view.id, as_requested(view))


def _request(s: Scene) -> Operation:
    return partial(ask, s.firm, s.bakery, [(s.first_account(), AccessLevel.FILE)])


def _deny(s: Scene) -> Operation:
    view = ask(s.firm, s.bakery, [(s.first_account(), AccessLevel.FILE)])
    return partial(requests.deny_request, s.owner, view.id)


def _record_form(s: Scene) -> Operation:
    view = ask(
        s.firm, s.bakery, [(s.first_account(), AccessLevel.FILE)], ApprovalMethod.PRINTED_FORM
    )
    return partial(
        requests.record_printed_form,
        s.staff,
        view.number,
        view.authorization_code,
        as_requested(view),
    )


def _change_level(s: Scene) -> Operation:
    grant_access(s.firm, s.bakery, s.owner, [(s.first_account(), AccessLevel.FILE)])
    grant = active_grant_row(s.firm, s.first_account())
    assert grant is not None
    return partial(grants.change_level, s.owner, grant.id, AccessLevel.VIEW_ONLY)


def _cancel_general(s: Scene) -> Operation:
    lines = [(a, AccessLevel.FILE) for a in s.world.accounts(s.bakery)]
    grant_access(s.firm, s.bakery, s.owner, lines)
    return partial(grants.cancel_general_access, s.owner, s.firm.logon_id)


def _cancel_mine(s: Scene) -> Operation:
    grant_access(s.firm, s.bakery, s.owner, [(s.first_account(), AccessLevel.FILE)])
    grant = active_grant_row(s.firm, s.first_account())
    assert grant is not None
    return partial(grants.cancel_my_access, s.firm, grant.id)


def _mail(s: Scene) -> Operation:
    account = s.first_account()
    grant_access(s.firm, s.bakery, s.owner, [(account, AccessLevel.FILE)])
    return partial(
        correspondence.mail_correspondence,
        s.staff,
        account.account_number,
        CorrespondenceKind.LETTER,
        "Letter",
        dt.date(2026, 3, 2),
    )


def _expire(s: Scene) -> Operation:
    ask(s.firm, s.bakery, [(s.first_account(), AccessLevel.FILE)])
    s.clock.advance(days=46)
    return requests.expire_overdue


ATOMIC_CASES: dict[str, Callable[[Scene], Operation]] = {
    "request": _request,
    "approve": _approve,
    "deny": _deny,
    "printed form": _record_form,
    "change level": _change_level,
    "cancel general access": _cancel_general,
    "cancel my access": _cancel_mine,
    "mail correspondence": _mail,
    "expire": _expire,
}


@pytest.mark.parametrize("case", list(ATOMIC_CASES))
def test_a_failed_email_leaves_no_change_no_audit_event_and_no_message(
    world, bakery, owner, firm, staff, clock, monkeypatch, case
) -> None:
    operation = ATOMIC_CASES[case](Scene(world, bakery, owner, firm, staff, clock))
    before = snapshot()
    real_email = notifications.email_logon
    calls: list[int] = []

    def failing_email(logon: Logon, *args: object, **kwargs: object) -> None:
        calls.append(logon.id)
        raise SmtpDown("the outbox is broken")

    monkeypatch.setattr(notifications, "email_logon", failing_email)
    with pytest.raises(SmtpDown):
        operation()

    assert calls, "the operation never reached its first email"
    assert snapshot() == before

    # The same call succeeds once messages can be written: so the failure did come after
    # the change and its audit event, and they were rolled back with it.
    monkeypatch.setattr(notifications, "email_logon", real_email)
    audit_mark, message_mark = last_audit_id(), last_message_id()
    operation()
    assert audit_actions(audit_mark)
    assert recipients_since(message_mark)


def test_a_failure_on_the_last_message_also_takes_back_the_earlier_ones(
    world, bakery, owner, firm, monkeypatch
) -> None:
    wh, _ = world.accounts(bakery)
    view = ask(firm, bakery, [(wh, AccessLevel.FILE)])
    before = snapshot()
    real_email = notifications.email_logon
    sent: list[str] = []

    def email_fails_for_taxpayer(logon: Logon, *args: Any, **kwargs: Any) -> None:
        if logon.role == Role.TAXPAYER.value:
            raise SmtpDown("the taxpayer's email could not be queued")
        sent.append(logon.username)
        real_email(logon, *args, **kwargs)

    monkeypatch.setattr(notifications, "email_logon", email_fails_for_taxpayer)
    with pytest.raises(SmtpDown):
        requests.decide_request(owner, view.id, as_requested(view))

    assert sent == ["firm"]  # the third party's email and e-message were written first ...
    assert snapshot() == before  # ... and taken back with everything else
    assert requests.get_request(owner, view.id).status is RequestStatus.PENDING
    assert AccessGrant.select().count() == 0
    assert Message.select().where(Message.recipient == firm.logon_id).count() == 0
