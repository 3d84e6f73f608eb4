"""Power of Attorney (Form M-2848) beside third-party access, at the service level.

The issue's "Done when" path as a new user would try it; superseding; a representative
with no logon; expiry; the information request queue; and every bad input of the *Record
Power of Attorney* form and of an imported returned Form M-2848 refused with its own message,
nothing changed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass

import pytest
from pypdf import PdfReader

from mtc_desktop.domain.errors import InvalidInput, MtcError, NotAllowed, NotFound, StateConflict
from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import AccountType, MessageKind
from mtc_desktop.domain.poa import InformationKind, InformationStatus, PoaAct, PoaStatus
from mtc_desktop.forms import m2848
from mtc_desktop.forms.reader import FormFileRefused, Refusal
from mtc_desktop.services import audit, poa
from mtc_desktop.services.base import Actor
from mtc_desktop.services.poa import FormChoice, PoaDraft, PoaRequired
from mtc_desktop.store.models import Taxpayer
from tests.conftest import Clock, World
from tests.forms import filling
from tests.services.helpers import (
    active_levels,
    audit_actions,
    changed_tables,
    grant_access,
    last_audit_id,
    last_message_id,
    messages_for,
    recipients_since,
    snapshot,
)

WH, MEALS, SALES = AccountType.WITHHOLDING, AccountType.MEALS, AccountType.SALES_AND_USE


@dataclass
class People:
    world: World
    bakery: Taxpayer
    owner: Actor  # the bakery's own logon
    firm: Actor  # a preparer with third-party access to the bakery
    rival: Actor  # a preparer with nothing
    staff: Actor


@pytest.fixture
def people(world: World) -> People:
    bakery = world.taxpayer("Harbor Bakery LLC", (WH, MEALS), IdType.FEIN)
    owner = world.taxpayer_logon("bakery", bakery)
    firm = world.third_party("smithcpa", "Smith & Co CPAs")
    rival = world.third_party("rival")
    staff = world.staff()
    grant_access(firm, bakery, owner, [(world.accounts(bakery)[0], AccessLevel.FILE_AND_PAY)])
    return People(world, bakery, owner, firm, rival, staff)


def draft(people: People, **changes: object) -> PoaDraft:
    base = PoaDraft(
        taxpayer_id=people.bakery.id,
        representative_username="smithcpa",
        tax_types=(WH,),
        first_year=2023,
        last_year=2025,
        acts=tuple(PoaAct),
        signed_on=dt.date(2026, 2, 27),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def fill_form(pdf: bytes, **values: str) -> bytes:
    defaults = {m2848.DATE_FIELD: "02/27/2026", m2848.PRINTED_NAME_FIELD: "Ann Baker"}
    return filling.fill(pdf, {**defaults, **values})


def ask_copy(people: People, year: int = 2024, account_type: AccountType = WH):  # type: ignore[no-untyped-def]
    return poa.request_information(
        people.firm, people.bakery.id, account_type, year, InformationKind.TAX_RETURN
    )


# --- the "Done when" path -----------------------------------------------------------


def test_a_preparer_with_third_party_access_needs_a_poa_and_gets_one(people: People) -> None:
    before_grants = active_levels(people.firm)
    before = snapshot()

    # 1. A copy of a return: refused, with the difference explained, nothing written.
    with pytest.raises(PoaRequired) as refused:
        ask_copy(people)
    text = refused.value.message
    assert "You have third-party access to Harbor Bakery LLC" in text
    assert "file, pay, amend returns and conduct work on MassTaxConnect" in text
    assert "Power of Attorney (Form M-2848)" in text
    assert "Prepare Form M-2848" in text
    assert "Withholding for 2024" in text
    assert refused.value.taxpayer_id == people.bakery.id
    assert changed_tables(before, snapshot()) == set()

    # 2. The prefilled Form M-2848, from the registry.
    client = poa.client_for_form(people.firm, people.bakery.id)
    assert client.tax_types == (WH, MEALS)
    prepared = poa.prepare_form(people.firm, people.bakery.id, FormChoice((WH,), 2023, 2025))
    page = PdfReader(io.BytesIO(prepared.pdf))
    assert len(page.pages) == 1
    words = " ".join(page.pages[0].extract_text().split())
    for shown in ("Form M-2848", "Harbor Bakery LLC", "Smith & Co CPAs", prepared.number):
        assert shown in words
    fields = page.get_fields() or {}
    assert fields[m2848.tax_type_field(WH)].get("/V") == "/Yes"
    assert fields[m2848.tax_type_field(MEALS)].get("/V") in (None, "/Off")
    assert fields[m2848.FIRST_YEAR_FIELD].get("/V") == "2023"
    assert audit_actions()[-1] == "poa_form_prepared"

    # 3. DOR imports the signed form and records it; both sides are emailed.
    returned = poa.read_returned_poa(people.staff, fill_form(prepared.pdf))
    assert returned.draft.tax_types == (WH,)
    assert (returned.draft.first_year, returned.draft.last_year) == (2023, 2025)
    assert returned.draft.signed_on == dt.date(2026, 2, 27)
    assert returned.draft.form_number == prepared.number
    assert "Signed by Ann Baker on 02/27/2026" in returned.summary()
    mark = last_message_id()
    recorded = poa.record_poa(people.staff, returned.draft)
    assert recorded.poa.status is PoaStatus.ACTIVE
    assert recorded.superseded == ()
    told = {r for r, kind, _ in recipients_since(mark) if kind == MessageKind.EMAIL.value}
    assert told == {people.owner.logon_id, people.firm.logon_id}

    # 4. The request is accepted now, and DOR fulfils it from the queue.
    asked = ask_copy(people)
    assert asked.status is InformationStatus.PENDING
    assert asked.poa_number == recorded.poa.number
    assert [r.number for r in poa.information_queue(people.staff)] == [asked.number]
    done = poa.fulfil_information_request(people.staff, asked.id, "Mailed 2024 M-941.")
    assert done.status is InformationStatus.FULFILLED
    assert poa.information_queue(people.staff) == []
    assert any(
        m.subject == f"Information request {asked.number} fulfilled"
        for m in messages_for(people.firm, MessageKind.EMESSAGE)
    )

    # 5. The taxpayer revokes; the next request is refused; third-party access unchanged.
    mark = last_message_id()
    revoked = poa.revoke_poa(people.owner, recorded.poa.id)
    assert revoked.status is PoaStatus.REVOKED
    told = {r for r, kind, _ in recipients_since(mark) if kind == MessageKind.EMAIL.value}
    assert told == {people.owner.logon_id, people.firm.logon_id}
    with pytest.raises(PoaRequired, match=f"{recorded.poa.number} .* is revoked"):
        ask_copy(people)
    assert active_levels(people.firm) == before_grants
    assert audit_actions()[-2:] == ["information_fulfilled", "poa_revoked"]


# --- what a POA covers ----------------------------------------------------------------------


def test_a_poa_covers_only_its_tax_types_years_and_acts(people: People) -> None:
    poa.record_poa(people.staff, draft(people))
    ask_copy(people, 2023)
    ask_copy(people, 2025)
    with pytest.raises(PoaRequired, match=r"does not cover Withholding for 2022"):
        ask_copy(people, 2022)
    with pytest.raises(PoaRequired, match=r"does not cover Meals for 2024"):
        ask_copy(people, 2024, MEALS)


def test_a_poa_without_receiving_documents_does_not_allow_requests(people: People) -> None:
    poa.record_poa(people.staff, draft(people, acts=(PoaAct.WAIVE_RESTRICTIONS,)))
    with pytest.raises(PoaRequired, match="does not authorise receiving tax returns"):
        ask_copy(people)


def test_a_poa_alone_gives_no_third_party_access(people: People) -> None:
    """Neither implies the other: the rival holds a POA and still sees no client."""
    recorded = poa.record_poa(people.staff, draft(people, representative_username="rival"))
    assert active_levels(people.rival) == {}
    assert (
        poa.request_information(
            people.rival, people.bakery.id, WH, 2024, InformationKind.OTHER_DOCUMENTATION
        ).poa_number
        == recorded.poa.number
    )


def test_an_expired_poa_no_longer_allows_requests(people: People, clock: Clock) -> None:
    recorded = poa.record_poa(people.staff, draft(people, expires_on=dt.date(2026, 3, 31)))
    asked = ask_copy(people)
    clock.advance(days=30)
    [shown] = poa.poas_for_client(people.firm, people.bakery.id)
    assert shown.status_label == "Expired"
    assert not shown.in_force
    with pytest.raises(PoaRequired, match=f"{recorded.poa.number} .* is expired"):
        ask_copy(people)
    with pytest.raises(StateConflict, match="record it as refused"):
        poa.fulfil_information_request(people.staff, asked.id)
    refused = poa.refuse_information_request(people.staff, asked.id, "The POA expired.")
    assert refused.status is InformationStatus.REFUSED
    with pytest.raises(StateConflict, match="expired on 03/31/2026"):
        poa.revoke_poa(people.owner, recorded.poa.id)


# --- superseding ----------------------------------------------------------------------------


def test_an_overlapping_new_poa_supersedes_the_earlier_one(people: People) -> None:
    first = poa.record_poa(people.staff, draft(people)).poa
    other_type = poa.record_poa(people.staff, draft(people, tax_types=(MEALS,))).poa
    other_years = poa.record_poa(people.staff, draft(people, first_year=2019, last_year=2020)).poa
    other_rep = poa.record_poa(people.staff, draft(people, representative_username="rival")).poa
    mark = last_audit_id()
    newer = poa.record_poa(people.staff, draft(people, tax_types=(WH, SALES), first_year=2025))
    assert newer.superseded == (first.number,)
    assert audit_actions(mark) == ["poa_recorded", "poa_superseded"]
    shown = {v.number: v for v in poa.poas_of_my_taxpayer(people.owner)}
    assert shown[first.number].status is PoaStatus.SUPERSEDED
    assert shown[first.number].status_label == f"Superseded by {newer.poa.number}"
    for kept in (other_type, other_years, other_rep):
        assert shown[kept.number].status is PoaStatus.ACTIVE
    mails = [m.body for m in messages_for(people.firm, MessageKind.EMAIL)]
    assert any(f"It supersedes {first.number}" in body for body in mails)
    with pytest.raises(StateConflict, match="already superseded"):
        poa.withdraw_poa(people.firm, first.id)


# --- a representative with no logon -----------------------------------------------------------


def test_a_representative_with_no_logon_is_recorded_by_name_address_and_id(
    people: People,
) -> None:
    named = {
        "representative_username": "",
        "rep_name": "Jane Counsel, Esq.",
        "rep_address": "10 Court Street\nBoston, MA 02108",
        "rep_id_type": IdType.SSN,
        "rep_id_number": "123-45-6780",
    }
    mark = last_message_id()
    recorded = poa.record_poa(people.staff, draft(people, **named)).poa
    assert recorded.representative.logon_id is None
    assert recorded.representative.masked_id == "***-**-6780"
    # Only the taxpayer is emailed: the representative has no address in the program.
    assert {r for r, _, _ in recipients_since(mark)} == {people.owner.logon_id}
    again = poa.record_poa(people.staff, draft(people, **named))
    assert again.superseded == (recorded.number,)


# --- who may do what (the whole matrix is tests/services/test_poa_permissions.py) -----------


def test_only_the_taxpayer_revokes_and_only_the_representative_withdraws(
    people: People,
) -> None:
    recorded = poa.record_poa(people.staff, draft(people)).poa
    before = snapshot()
    with pytest.raises(NotAllowed, match="representative withdraws"):
        poa.revoke_poa(people.firm, recorded.id)
    with pytest.raises(NotAllowed, match="revoke it instead"):
        poa.withdraw_poa(people.owner, recorded.id)
    with pytest.raises(NotFound):
        poa.withdraw_poa(people.rival, recorded.id)
    with pytest.raises(NotAllowed):
        poa.record_poa(people.firm, draft(people))
    assert changed_tables(before, snapshot()) == set()
    withdrawn = poa.withdraw_poa(people.firm, recorded.id)
    assert withdrawn.status is PoaStatus.WITHDRAWN
    assert audit_actions()[-1] == "poa_withdrawn"


def test_a_third_party_prepares_forms_only_for_its_clients(people: People) -> None:
    with pytest.raises(NotFound, match="not one of your clients"):
        poa.prepare_form(people.rival, people.bakery.id, FormChoice((WH,), 2024, 2024))
    with pytest.raises(NotFound, match="not one of your clients"):
        poa.request_information(
            people.rival, people.bakery.id, WH, 2024, InformationKind.TAX_RETURN
        )


# --- bad input: Record Power of Attorney ------------------------------------------------------


BAD_DRAFTS: list[tuple[str, dict[str, object], str]] = [
    ("no tax type", {"tax_types": ()}, "Mark at least one tax type"),
    ("no act", {"acts": ()}, "Mark at least one act"),
    ("years reversed", {"first_year": 2025, "last_year": 2023}, "is before the first"),
    ("year too early", {"first_year": 1900}, "out of range"),
    ("year too late", {"last_year": 2099}, "out of range"),
    ("signed in future", {"signed_on": dt.date(2026, 3, 3)}, "is in the future"),
    ("expiry before signing", {"expires_on": dt.date(2026, 2, 1)}, "is not after the date"),
    ("already expired", {"expires_on": dt.date(2026, 3, 1)}, "expired on 03/01/2026"),
    ("unknown username", {"representative_username": "nobody"}, "no third party with the"),
    ("taxpayer's own logon", {"representative_username": "bakery"}, "no third party with"),
    (
        "named, no name",
        {"representative_username": "", "rep_address": "1 Main St", "rep_id_number": "123-45-6780"},
        "Enter the representative's name",
    ),
    (
        "named, no address",
        {"representative_username": "", "rep_name": "J", "rep_id_number": "123-45-6780"},
        "Enter the representative's mailing address",
    ),
    (
        "named, bad ID",
        {"representative_username": "", "rep_name": "J", "rep_address": "x", "rep_id_number": "12"},
        "SSN",
    ),
    ("unknown form", {"form_number": "M2848-2026-999999"}, "no prepared Form M-2848"),
]


@pytest.mark.parametrize(
    ("changes", "message"), [c[1:] for c in BAD_DRAFTS], ids=[c[0] for c in BAD_DRAFTS]
)
def test_bad_input_on_record_poa_is_refused_and_changes_nothing(
    people: People, changes: dict[str, object], message: str
) -> None:
    before = snapshot()
    with pytest.raises(MtcError, match=message):
        poa.record_poa(people.staff, draft(people, **changes))
    assert changed_tables(before, snapshot()) == set()


def test_bad_input_on_an_information_request(people: People) -> None:
    poa.record_poa(people.staff, draft(people))
    with pytest.raises(InvalidInput, match="out of range"):
        ask_copy(people, 1850)
    with pytest.raises(InvalidInput, match="control character"):
        poa.request_information(
            people.firm, people.bakery.id, WH, 2024, InformationKind.TAX_RETURN, "a\x00b"
        )
    asked = ask_copy(people)
    with pytest.raises(InvalidInput, match="Enter the reason for refusing"):
        poa.refuse_information_request(people.staff, asked.id, "  ")
    poa.refuse_information_request(people.staff, asked.id, "Not on file.")
    with pytest.raises(StateConflict, match="already recorded as refused"):
        poa.fulfil_information_request(people.staff, asked.id)


# --- bad input: a returned Form M-2848 ----------------------------------------------------------


@pytest.fixture
def blank_form(people: People) -> bytes:
    return poa.prepare_form(people.firm, people.bakery.id, FormChoice((WH,), 2023, 2025)).pdf


def _refused(people: People, data: bytes, error: type[MtcError], message: str) -> MtcError:
    before = snapshot()
    with pytest.raises(error, match=message) as caught:
        poa.read_returned_poa(people.staff, data)
    assert changed_tables(before, snapshot()) == set()
    return caught.value


BAD_VALUES: list[tuple[str, Mapping[str, str], str]] = [
    ("no date signed", {m2848.DATE_FIELD: ""}, "no date signed"),
    ("date not a date", {m2848.DATE_FIELD: "last Tuesday"}, "is not a date"),
    ("year not a year", {m2848.FIRST_YEAR_FIELD: "twenty"}, "not a four-digit year"),
    ("years reversed", {m2848.FIRST_YEAR_FIELD: "2026", m2848.LAST_YEAR_FIELD: "2020"}, "before"),
    ("no tax type", {m2848.tax_type_field(WH): "/Off"}, "Mark at least one tax type"),
    ("bad expiry", {m2848.EXPIRES_FIELD: "02/01/2026"}, "is not after the date signed"),
]


@pytest.mark.parametrize(
    ("values", "message"), [c[1:] for c in BAD_VALUES], ids=[c[0] for c in BAD_VALUES]
)
def test_a_returned_form_with_bad_values_is_refused(
    people: People, blank_form: bytes, values: Mapping[str, str], message: str
) -> None:
    _refused(people, fill_form(blank_form, **values), InvalidInput, message)


def test_a_check_box_holding_something_else_is_refused(people: People, blank_form: bytes) -> None:
    data = filling.set_raw(
        fill_form(blank_form), {m2848.act_field(PoaAct.RECEIVE_DOCUMENTS): "maybe"}
    )
    _refused(people, data, InvalidInput, "other than a check mark")


def test_files_that_are_not_a_returned_form_m2848(people: People, blank_form: bytes) -> None:
    refusal = _refused(people, b"", FormFileRefused, "empty")
    assert isinstance(refusal, FormFileRefused)
    assert refusal.reason is Refusal.EMPTY
    refusal = _refused(people, b"\x89PNG\r\n", FormFileRefused, "not a PDF: it is a PNG image")
    assert "Client Authorization" not in refusal.message
    _refused(people, filling.bare_page("Form M-2848"), FormFileRefused, "no form fields")
    _refused(people, blank_form[: len(blank_form) // 2], FormFileRefused, "incomplete")
    refusal = _refused(
        people, filling.encrypt(fill_form(blank_form)), FormFileRefused, "password-protected"
    )
    assert isinstance(refusal, FormFileRefused)
    assert refusal.reason is Refusal.ENCRYPTED


def test_a_client_authorization_is_not_a_form_m2848(people: People, world: World) -> None:
    from mtc_desktop.domain.model import ApprovalMethod
    from mtc_desktop.services import printing
    from tests.services.helpers import ask

    view = ask(
        people.rival,
        people.bakery,
        [(world.accounts(people.bakery)[1], AccessLevel.VIEW_ONLY)],
        ApprovalMethod.PRINTED_FORM,
    )
    pdf = printing.authorization_pdf(people.rival, view.id)
    refusal = _refused(people, pdf, FormFileRefused, "not a Form M-2848 prepared by MTC Desktop")
    assert isinstance(refusal, FormFileRefused)
    assert refusal.reason is Refusal.NOT_OURS


def test_an_altered_code_or_a_form_recorded_twice(people: People, blank_form: bytes) -> None:
    altered = filling.set_raw(fill_form(blank_form), {m2848.FORM_CODE_FIELD: "AAAAA-BBBBB"})
    _refused(people, altered, InvalidInput, "does not match")
    unknown = filling.set_raw(fill_form(blank_form), {m2848.FORM_NUMBER_FIELD: "M2848-2020-1"})
    _refused(people, unknown, NotFound, "no Form M-2848 with that number")
    filled = fill_form(blank_form)
    poa.record_poa(people.staff, poa.read_returned_poa(people.staff, filled).draft)
    _refused(people, filled, StateConflict, "already recorded as Power of Attorney")


def test_only_dor_staff_read_a_returned_form(people: People, blank_form: bytes) -> None:
    with pytest.raises(NotAllowed):
        poa.read_returned_poa(people.firm, fill_form(blank_form))


def test_every_poa_action_has_an_audit_label() -> None:
    for action in (
        "poa_form_prepared",
        "poa_recorded",
        "poa_superseded",
        "poa_revoked",
        "poa_withdrawn",
        "information_requested",
        "information_fulfilled",
        "information_refused",
    ):
        assert audit.ACTION_LABELS[action]
