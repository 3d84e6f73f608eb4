"""Who may print a Client Authorization, and for which requests."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from mtc_desktop.domain.errors import InvalidInput, NotAllowed, NotFound, StateConflict
from mtc_desktop.domain.model import ApprovalMethod, RequestStatus
from mtc_desktop.services import audit, printing, requests
from mtc_desktop.services.requests import LineDecision
from mtc_desktop.store.models import AuditEvent
from tests.conftest import Clock, World
from tests.forms.conftest import MakeRequest


def test_the_third_party_that_asked_and_dor_staff_may_print(
    world: World, make_request: MakeRequest
) -> None:
    made = make_request()
    staff = world.staff()
    by_third_party = printing.authorization_form(made.third_party, made.view.id)
    by_staff = printing.authorization_form(staff, made.view.id)
    assert by_third_party == by_staff
    assert by_third_party.audit_hash == audit.latest_hash(), "the chain's head when printed"
    assert by_third_party.request_number == made.view.number
    assert by_third_party.authorization_code == requests.format_code(made.view.authorization_code)
    assert by_third_party.taxpayer.masked_id == made.view.taxpayer_masked_id
    assert [line.account_number for line in by_third_party.lines] == [
        line.account.number for line in made.view.lines
    ]
    assert [line.requested_level for line in by_third_party.lines] == [
        line.requested_level for line in made.view.lines
    ]


def test_the_taxpayer_and_other_third_parties_may_not(
    world: World, make_request: MakeRequest
) -> None:
    made = make_request()
    taxpayer = world.taxpayer_logon("elodie", made.taxpayer)
    with pytest.raises(NotAllowed):
        printing.authorization_form(taxpayer, made.view.id)
    other = world.third_party("otherfirm")
    with pytest.raises(NotFound):
        printing.authorization_form(other, made.view.id)


def test_only_pending_printed_form_requests_have_a_form(
    world: World, make_request: MakeRequest
) -> None:
    online = make_request("Maria Santos", method=ApprovalMethod.MASSTAXCONNECT)
    with pytest.raises(InvalidInput, match="not on a printed form"):
        printing.authorization_form(online.third_party, online.view.id)

    made = make_request("Νίκος Παπαδόπουλος")
    requests.withdraw_request(made.third_party, made.view.id)
    with pytest.raises(StateConflict, match="withdrawn"):
        printing.authorization_form(made.third_party, made.view.id)

    decided = make_request("Дмитрий Иванов")
    staff = world.staff()
    requests.record_printed_form(
        staff,
        decided.view.number,
        decided.view.authorization_code,
        [LineDecision(line.account.id, False, line.requested_level) for line in decided.view.lines],
    )
    assert requests.get_request(staff, decided.view.id).status is RequestStatus.DENIED
    with pytest.raises(StateConflict, match="denied"):
        printing.authorization_form(staff, decided.view.id)


def test_a_request_past_its_expiry_has_no_form(make_request: MakeRequest, clock: Clock) -> None:
    made = make_request()
    form = printing.authorization_form(made.third_party, made.view.id)
    assert form.return_by == made.view.created_at.date() + dt.timedelta(days=45)
    clock.advance(days=45)
    with pytest.raises(StateConflict, match="expiry"):
        printing.authorization_form(made.third_party, made.view.id)
    assert printing.pending_printed_form_numbers() == []


def test_pending_numbers_for_the_batch(world: World, make_request: MakeRequest) -> None:
    first = make_request("Élodie Durand-Lefèvre")
    second = make_request("陈伟 (Chen Wei)", third_party=first.third_party)
    make_request("Maria Santos", method=ApprovalMethod.MASSTAXCONNECT)
    third = make_request("Νίκος Παπαδόπουλος")
    assert printing.pending_printed_form_numbers() == [
        first.view.number,
        second.view.number,
        third.view.number,
    ]
    username = first.third_party.username
    assert printing.pending_printed_form_numbers(username.upper()) == [
        first.view.number,
        second.view.number,
    ]
    with pytest.raises(NotFound):
        printing.pending_printed_form_numbers("nobody")
    numbers = [number for number, _ in printing.iter_pending_forms(username)]
    assert numbers == [first.view.number, second.view.number]


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


@pytest.mark.parametrize(
    ("output", "action"),
    [
        (printing.FormOutput.PRINTED, "authorization_printed"),
        (printing.FormOutput.SAVED, "authorization_saved"),
    ],
)
def test_printing_or_saving_a_form_is_in_the_audit_trail(
    world: World, make_request: MakeRequest, output: printing.FormOutput, action: str
) -> None:
    made = make_request()
    staff = world.staff()
    printing.record_authorization_output(made.third_party, made.view.id, output)
    printing.record_authorization_output(staff, made.view.id, output)
    events = _events(action)
    assert [e.actor_id for e in events] == [made.third_party.logon_id, staff.logon_id]
    for event in events:
        assert event.request_id == made.view.id
        assert event.taxpayer_id == made.taxpayer.id
        assert event.third_party_id == made.third_party.logon_id
        assert json.loads(event.details) == {"number": made.view.number}
    assert audit.verify_chain().ok
    # The taxpayer sees it in the history with the third party.
    owner = world.taxpayer_logon("elodie", made.taxpayer)
    history = audit.history_with_third_party(owner, made.third_party.logon_id)
    assert [h.label for h in history if h.action == action] == [audit.ACTION_LABELS[action]] * 2


def test_only_who_may_print_a_form_records_printing_it(
    world: World, make_request: MakeRequest
) -> None:
    made = make_request()
    before = AuditEvent.select().count()
    taxpayer = world.taxpayer_logon("elodie", made.taxpayer)
    with pytest.raises(NotAllowed):
        printing.record_authorization_output(taxpayer, made.view.id, printing.FormOutput.SAVED)
    with pytest.raises(NotFound):
        printing.record_authorization_output(
            world.third_party("otherfirm"), made.view.id, printing.FormOutput.PRINTED
        )
    online = make_request("Maria Santos", method=ApprovalMethod.MASSTAXCONNECT)
    before = AuditEvent.select().count()
    with pytest.raises(InvalidInput, match="no Client Authorization"):
        printing.record_authorization_output(
            online.third_party, online.view.id, printing.FormOutput.PRINTED
        )
    assert AuditEvent.select().count() == before
