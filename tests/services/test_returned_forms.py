"""DOR staff import a returned Client Authorization: the PDF printed for a request, filled
in as a taxpayer would, reads back as exactly what was marked, and records; every file or
form that cannot be recorded is refused with its own message and changes nothing."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from mtc_desktop.domain.errors import InvalidInput, MtcError, NotAllowed, NotFound, StateConflict
from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import AccountType, ApprovalMethod, RequestStatus
from mtc_desktop.forms import reader
from mtc_desktop.forms.authorization import (
    CODE_FIELD,
    DATE_FIELD,
    PRINTED_NAME_FIELD,
    REQUEST_NUMBER_FIELD,
    TITLE_FIELD,
    AccountLine,
    give_rights_field,
    granted_rights_field,
    render_authorization,
)
from mtc_desktop.forms.reader import FormFileRefused, Refusal
from mtc_desktop.services import printing, requests
from mtc_desktop.services.base import Actor
from mtc_desktop.services.requests import LineDecision, RequestView
from mtc_desktop.services.returned_forms import (
    ReturnedForm,
    give_rights_value,
    granted_level_value,
    read_returned_form,
)
from mtc_desktop.store.models import Taxpayer
from tests.conftest import Clock, World
from tests.forms import filling
from tests.services.helpers import (
    active_levels,
    ask,
    audit_actions,
    changed_tables,
    last_audit_id,
    snapshot,
)

WH, MEALS, SALES = AccountType.WITHHOLDING, AccountType.MEALS, AccountType.SALES_AND_USE


@dataclass
class Case:
    """A pending printed-form request of a business, its blank form, and who is in it."""

    world: World
    staff: Actor
    firm: Actor
    bakery: Taxpayer
    view: RequestView
    pdf: bytes

    def number(self, index: int) -> str:
        return self.view.lines[index].account.number

    def account(self, index: int) -> int:
        return self.view.lines[index].account.id

    def filled(self, marks: Mapping[int, tuple[bool, AccessLevel | None]], **texts: str) -> bytes:
        """The form with, per line index, Give Rights checked or not and a level marked."""
        values: dict[str, str] = {}
        for index, (give, level) in marks.items():
            if give:
                values[give_rights_field(self.number(index))] = "/Yes"
            if level is not None:
                values[granted_rights_field(self.number(index))] = f"/{level.value}"
        values.update(texts)
        return filling.fill(self.pdf, values)


@pytest.fixture
def case(world: World) -> Case:
    staff = world.staff()
    firm = world.third_party("firm", "Firm LLP")
    bakery = world.taxpayer("Harbor Bakery", (WH, MEALS, SALES), IdType.FEIN)
    wh, meals, sales = world.accounts(bakery)
    view = ask(
        firm,
        bakery,
        [(wh, AccessLevel.FILE), (meals, AccessLevel.PAY), (sales, AccessLevel.FULL_ACCESS)],
        ApprovalMethod.PRINTED_FORM,
    )
    return Case(world, staff, firm, bakery, view, printing.authorization_pdf(firm, view.id))


def _refused(case: Case, data: bytes | Path, error: type[MtcError], **kwargs: str) -> MtcError:
    """Read ``data`` expecting ``error``; prove the database did not change."""
    before = snapshot()
    with pytest.raises(error) as caught:
        read_returned_form(case.staff, data, **kwargs)
    assert changed_tables(before, snapshot()) == set()
    return caught.value


# --- the happy path ----------------------------------------------------------------------


def test_a_filled_form_reads_back_exactly_and_records(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "returned.pdf"
    path.write_bytes(
        case.filled(
            {
                0: (True, AccessLevel.VIEW_ONLY),  # lower than the File requested
                1: (False, None),
                2: (True, AccessLevel.FILE_AND_PAY),
            },
            **{
                PRINTED_NAME_FIELD: "  Marta   Ruiz ",
                TITLE_FIELD: "Owner",
                DATE_FIELD: "03/04/2026",
            },
        )
    )
    before = snapshot()
    audit_since = last_audit_id()
    form = read_returned_form(case.staff, path, expected_number=case.view.number.lower())
    assert changed_tables(before, snapshot()) == set()  # reading records nothing
    assert audit_actions(audit_since) == []

    assert form.number == case.view.number
    assert form.authorization_code == case.view.authorization_code
    assert form.decisions == (
        LineDecision(case.account(0), True, AccessLevel.VIEW_ONLY),
        LineDecision(case.account(1), False, AccessLevel.PAY),
        LineDecision(case.account(2), True, AccessLevel.FILE_AND_PAY),
    )
    assert (form.printed_name, form.title, form.signature_date) == (
        "Marta Ruiz",
        "Owner",
        "03/04/2026",
    )
    assert form.request.id == case.view.id
    assert form.request.status is RequestStatus.PENDING
    assert form.approved
    assert form.notes == ()
    assert form.summary().splitlines() == [
        f"Client Authorization for request {case.view.number}: the taxpayer approves.",
        f"  Withholding {case.number(0)}: Give Rights, View Only (requested File)",
        f"  Meals {case.number(1)}: not given",
        f"  Sales and Use {case.number(2)}: Give Rights, File and Pay (requested Full Access)",
        "Signed by Marta Ruiz, Owner, dated 03/04/2026.",
    ]

    recorded = requests.record_printed_form(
        case.staff, form.number, form.authorization_code, form.decisions
    )
    assert recorded.status is RequestStatus.APPROVED
    assert active_levels(case.firm) == {
        case.account(0): AccessLevel.VIEW_ONLY,
        case.account(2): AccessLevel.FILE_AND_PAY,
    }
    assert "printed_form_recorded" in audit_actions(audit_since)


def test_a_form_saved_with_only_an_owner_password_is_read(case: Case, tmp_path: Path) -> None:
    """Encrypted with an empty user password, which any viewer opens without asking."""
    filled = case.filled({0: (True, AccessLevel.PAY), 2: (True, AccessLevel.VIEW_ONLY)})
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(filled)))
    writer.encrypt(user_password="", owner_password="x")
    path = tmp_path / "returned.pdf"
    with path.open("wb") as file:
        writer.write(file)
    assert PdfReader(path).is_encrypted
    form = read_returned_form(case.staff, path, expected_number=case.view.number)
    assert form.number == case.view.number
    assert form.decisions == (
        LineDecision(case.account(0), True, AccessLevel.PAY),
        LineDecision(case.account(1), False, AccessLevel.PAY),
        LineDecision(case.account(2), True, AccessLevel.VIEW_ONLY),
    )
    recorded = requests.record_printed_form(
        case.staff, form.number, form.authorization_code, form.decisions
    )
    assert recorded.status is RequestStatus.APPROVED


def test_a_form_with_nothing_given_denies_the_request(case: Case) -> None:
    form = read_returned_form(
        case.staff, case.filled({0: (False, None)}, **{PRINTED_NAME_FIELD: "Marta Ruiz"})
    )
    assert [d.give_rights for d in form.decisions] == [False, False, False]
    assert not form.approved
    assert "the taxpayer denies (no Give Rights box is checked)" in form.summary()
    assert "dated (no date)" in form.summary()
    recorded = requests.record_printed_form(
        case.staff, form.number, form.authorization_code, form.decisions
    )
    assert recorded.status is RequestStatus.DENIED
    assert active_levels(case.firm) == {}


def test_a_level_marked_without_give_rights_is_not_given_and_noted(case: Case) -> None:
    form = read_returned_form(case.staff, case.filled({1: (False, AccessLevel.FULL_ACCESS)}))
    assert form.decisions[1] == LineDecision(case.account(1), False, AccessLevel.FULL_ACCESS)
    assert form.notes == (
        f"Account {case.number(1)} has a Granted Rights level marked but Give Rights not "
        "checked: it is not given, as the form says.",
    )
    assert form.notes[0] in form.summary()


def test_give_rights_without_a_level_is_refused(case: Case) -> None:
    error = _refused(case, case.filled({2: (True, None)}), InvalidInput)
    assert error.message == (
        f"Give Rights is checked for account {case.number(2)}, but no Granted Rights level "
        "is marked. Ask the taxpayer which level they give, or record the decision by hand "
        "from the paper form."
    )


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("give", "/Maybe", "The Give Rights box for account {n} holds “Maybe”"),
        ("granted", "/super_admin", "The Granted Rights for account {n} are “super_admin”"),
        ("granted", "Everything", "The Granted Rights for account {n} are “Everything”"),
    ],
)
def test_a_value_no_check_box_or_choice_can_hold_is_refused(
    case: Case, field: str, value: str, expected: str
) -> None:
    name = (give_rights_field if field == "give" else granted_rights_field)(case.number(0))
    extra = {give_rights_field(case.number(0)): "/Yes"} if field == "granted" else {}
    data = filling.set_raw(case.pdf, {name: value, **extra})
    error = _refused(case, data, InvalidInput)
    assert error.message.startswith(expected.format(n=case.number(0)))
    assert "Record the decision by hand from the paper form." in error.message


@pytest.mark.parametrize(
    ("raw", "checked"),
    [("/Yes", True), ("/On", True), ("yes", True), ("/Off", False), ("", False), (None, False)],
)
def test_check_box_values(raw: str | None, checked: bool) -> None:
    assert give_rights_value(raw, "WTH-1") is checked


@pytest.mark.parametrize(
    ("raw", "level"),
    [
        ("/file_and_pay", AccessLevel.FILE_AND_PAY),
        ("/FILE_AND_PAY", AccessLevel.FILE_AND_PAY),
        ("/File and Pay", AccessLevel.FILE_AND_PAY),
        ("  view only ", AccessLevel.VIEW_ONLY),
        ("/Full Access", AccessLevel.FULL_ACCESS),
        (None, None),
        ("/Off", None),
    ],
)
def test_granted_rights_are_levels_by_code_or_label_in_any_case(
    raw: str | None, level: AccessLevel | None
) -> None:
    assert granted_level_value(raw, "WTH-1") is level


def test_a_name_with_a_hidden_control_character_is_refused(case: Case) -> None:
    data = case.filled({0: (True, AccessLevel.FILE)}, **{PRINTED_NAME_FIELD: "Marta\u202eRuiz"})
    error = _refused(case, data, InvalidInput)
    assert error.message.startswith(
        "The printed name on the form holds an invisible control character (U+202E)."
    )


# --- the wrong form, or the wrong time ---------------------------------------------------


def test_a_form_for_another_request_than_the_one_open(case: Case, world: World) -> None:
    other = ask(
        case.firm,
        world.taxpayer("Élodie Durand", (AccountType.PERSONAL_INCOME,)),
        [(world.accounts(world.taxpayers["Élodie Durand"])[0], AccessLevel.FILE)],
        ApprovalMethod.PRINTED_FORM,
    )
    data = case.filled({0: (True, AccessLevel.FILE)})
    error = _refused(case, data, InvalidInput, expected_number=other.number)
    n, o = case.view.number, other.number
    assert error.message == (
        f"This form is for request {n}, not request {o}. Choose the form of request {o}, or "
        f"open request {n} to record this one."
    )


def test_a_wrong_authorization_code_is_refused(case: Case) -> None:
    data = filling.set_raw(case.filled({0: (True, AccessLevel.FILE)}), {CODE_FIELD: "ABCDE-FGHJK"})
    error = _refused(case, data, InvalidInput)
    assert error.message.startswith(
        f"The authorization code on the form does not match the one printed for request "
        f"{case.view.number}:"
    )
    assert "Nothing was recorded" in error.message
    # Nothing beyond ASCII upsets the comparison.
    data = filling.set_raw(case.pdf, {CODE_FIELD: "ÄBCDÉ-FGHJK"})
    assert "does not match" in _refused(case, data, InvalidInput).message


def test_a_form_for_no_known_request(case: Case) -> None:
    data = filling.set_raw(case.pdf, {REQUEST_NUMBER_FIELD: "R2099-999999"})
    error = _refused(case, data, NotFound)
    assert error.message.startswith(
        "The form is for request “R2099-999999”, but there is no request with that number."
    )


def test_a_form_already_recorded_is_not_recorded_twice(case: Case, clock: Clock) -> None:
    data = case.filled({0: (True, AccessLevel.FILE)})
    form = read_returned_form(case.staff, data)
    requests.record_printed_form(case.staff, form.number, form.authorization_code, form.decisions)
    clock.advance(days=1)
    error = _refused(case, data, StateConflict)
    assert error.message == (
        f"Request {case.view.number} was already recorded (approved) on March 2, 2026; a form "
        "is recorded once. Nothing was changed."
    )


def test_a_request_the_taxpayer_decided_online(case: Case, world: World) -> None:
    owner = world.taxpayer_logon("owner", case.bakery)
    requests.deny_request(owner, case.view.id)
    error = _refused(case, case.filled({0: (True, AccessLevel.FILE)}), StateConflict)
    assert error.message == (
        f"Request {case.view.number} was already decided online by the taxpayer (denied) on "
        "March 2, 2026, so this printed form no longer counts. Nothing was changed."
    )


def test_a_withdrawn_request(case: Case) -> None:
    requests.withdraw_request(case.firm, case.view.id)
    error = _refused(case, case.filled({0: (True, AccessLevel.FILE)}), StateConflict)
    assert error.message == (
        f"Request {case.view.number} was withdrawn by the third party on March 2, 2026, so "
        "this form cannot be recorded. Nothing was changed."
    )


@pytest.mark.parametrize("swept", [False, True], ids=["not yet swept", "swept"])
def test_an_expired_request(case: Case, clock: Clock, swept: bool) -> None:
    data = case.filled({0: (True, AccessLevel.FILE)})
    clock.advance(days=46)
    if swept:
        assert requests.expire_overdue() == 1
    error = _refused(case, data, StateConflict)  # reading does not expire it either
    assert error.message == (
        f"Request {case.view.number} expired on April 16, 2026 without a decision, so this "
        "form cannot be recorded. The third party can make a new request. Nothing was changed."
    )


def test_a_request_made_for_online_approval(case: Case, world: World) -> None:
    world.taxpayer_logon("owner", case.bakery)
    requests.withdraw_request(case.firm, case.view.id)
    online = ask(case.firm, case.bakery, [(case.account(0), AccessLevel.FILE)])
    form = printing.form_from_view(requests.get_request(case.staff, online.id))
    error = _refused(case, render_authorization(form), InvalidInput)
    assert error.message == (
        f"Request {online.number} is for approval on MassTaxConnect, not on a printed form; "
        "the taxpayer decides it online, so this form cannot be recorded."
    )


def test_an_account_not_on_the_request_is_refused(case: Case) -> None:
    form = printing.authorization_form(case.staff, case.view.id)
    extra = AccountLine("Meals", "MEA-99999999", AccessLevel.PAY)
    pdf = render_authorization(dataclasses.replace(form, lines=(*form.lines, extra)))
    error = _refused(case, pdf, InvalidInput)
    assert error.message == (
        f"The form lists account MEA-99999999, which is not on request {case.view.number}: "
        "it is not the form printed for this request. Nothing was recorded."
    )


def test_a_request_line_missing_from_the_form_is_refused(case: Case) -> None:
    form = printing.authorization_form(case.staff, case.view.id)
    pdf = render_authorization(dataclasses.replace(form, lines=form.lines[:2]))
    error = _refused(case, pdf, InvalidInput)
    assert error.message == (
        f"The form has no Give Rights or Granted Rights for account {case.number(2)} of "
        f"request {case.view.number}: it is not the whole form printed for this request. "
        "Record the decision by hand from the paper form."
    )


def test_only_dor_staff_read_returned_forms(case: Case) -> None:
    for actor in (case.firm, case.world.taxpayer_logon("owner", case.bakery)):
        before = snapshot()
        with pytest.raises(NotAllowed) as caught:
            read_returned_form(actor, case.pdf)
        assert caught.value.message == "Only a dor staff logon can do this."
        assert changed_tables(before, snapshot()) == set()


# --- files that are not a readable form ---------------------------------------------------


@pytest.mark.parametrize(
    ("make", "reason", "starts"),
    [
        (lambda pdf: b"", Refusal.EMPTY, "This file is empty"),
        (filling.truncated, Refusal.TRUNCATED, "This PDF is incomplete"),
        (filling.damaged, Refusal.DAMAGED, "This PDF is damaged"),
        (filling.encrypt, Refusal.ENCRYPTED, "This PDF is password-protected"),
        (lambda pdf: filling.docx(), Refusal.NOT_PDF, "This file is not a PDF: it is a Word"),
        (lambda pdf: filling.PNG, Refusal.NOT_PDF, "This file is not a PDF: it is a PNG image"),
        (
            lambda pdf: pdf + bytes(reader.MAX_FORM_BYTES),
            Refusal.TOO_LARGE,
            "This file is 10.0 MB",
        ),
        (lambda pdf: filling.bare_page(), Refusal.NO_FIELDS, "This PDF has no form fields"),
        (lambda pdf: filling.other_form(), Refusal.NOT_OURS, "This PDF's form is not a Client"),
    ],
    ids=[
        "empty",
        "truncated",
        "damaged",
        "encrypted",
        "docx",
        "png",
        "oversized",
        "no fields",
        "not ours",
    ],
)
def test_a_file_that_is_not_a_readable_form_changes_nothing(
    case: Case, tmp_path: Path, make: object, reason: Refusal, starts: str
) -> None:
    path = tmp_path / "Client Authorization.pdf"
    path.write_bytes(make(case.filled({0: (True, AccessLevel.FILE)})))  # type: ignore[operator]
    error = _refused(case, path, FormFileRefused, expected_number=case.view.number)
    assert isinstance(error, FormFileRefused)
    assert error.reason is reason
    assert error.message.startswith(starts)
    assert requests.get_request(case.staff, case.view.id).status is RequestStatus.PENDING


def test_the_returned_form_is_what_the_gui_records(case: Case) -> None:
    """ReturnedForm carries what record_printed_form takes, and nothing needs re-reading."""
    form = read_returned_form(case.staff, case.filled({1: (True, AccessLevel.PAY)}))
    assert isinstance(form, ReturnedForm)
    lines = form.request.lines
    assert [d.account_id for d in form.decisions] == [line.account.id for line in lines]
    assert form.request.authorization_code == form.authorization_code
