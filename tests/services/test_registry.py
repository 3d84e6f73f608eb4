"""The DOR registry: registering taxpayers and accounts one at a time, closing an account,
and importing and exporting the registry as a CSV file, on SQLite and PostgreSQL.

Each kind of bad row is refused with its own message and leaves every table as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mtc_desktop.domain.errors import InvalidInput, NotAllowed, StateConflict
from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import AccountType, GrantStatus, MessageKind, TaxpayerKind
from mtc_desktop.services import registry, requests
from mtc_desktop.services.base import Actor
from mtc_desktop.services.registry import ImportReport, RowProblem
from mtc_desktop.store.models import AccessGrant, AuditEvent, Message, TaxAccount, Taxpayer
from tests.conftest import World
from tests.services.helpers import (
    ask,
    audit_actions,
    grant_access,
    last_audit_id,
    last_message_id,
    snapshot,
)

HEADER = "id_type,id_number,legal_name,taxpayer_type,account_type,mailing_address"


def csv_bytes(*rows: str, header: str = HEADER, bom: bool = False) -> bytes:
    text = "\r\n".join([header, *rows]) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


GOOD = (
    'FEIN,04-3812967,Harbor Street Bakery LLC,Business,Withholding,"212 Harbor Street\nBoston, MA"',
    "FEIN,04-3812967,Harbor Street Bakery LLC,Business,Sales and Use,",
    "SSN,031-54-2296,Maria Santos,Individual,Personal Income,48 Chestnut Hill Ave Brighton",
    "ITIN,912-78-3344,Chen Wei,Individual,Personal Income,77 Beach Street Boston",
)


@pytest.fixture
def clerk(world: World) -> Actor:
    return world.staff("clerk")


def problems(report: ImportReport) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in report.problems]


# --- one at a time ------------------------------------------------------------------------


def test_register_a_business_with_two_accounts(clerk: Actor) -> None:
    since = last_audit_id()
    taxpayer = registry.register_taxpayer(
        clerk,
        IdType.FEIN,
        "04-3812967",
        "Harbor Street Bakery LLC",
        TaxpayerKind.BUSINESS,
        "212 Harbor Street\nBoston, MA 02210",
    )
    assert (taxpayer.masked_id, taxpayer.kind, taxpayer.has_logon) == (
        "**-***2967",
        TaxpayerKind.BUSINESS,
        False,
    )
    generated = registry.add_tax_account(clerk, taxpayer.id, AccountType.WITHHOLDING)
    typed = registry.add_tax_account(clerk, taxpayer.id, AccountType.MEALS, "mls-00004321")
    assert generated.account_number.startswith("WTH-")
    assert typed.account_number == "MLS-00004321"
    shown = registry.registry_taxpayer(clerk, taxpayer.id)
    assert [a.account_number for a in shown.accounts] == [
        generated.account_number,
        "MLS-00004321",
    ]
    assert shown.address == "212 Harbor Street\nBoston, MA 02210"
    assert audit_actions(since) == ["taxpayer_registered", "tax_account_added", "tax_account_added"]
    # A generated number never meets a typed one: the counter moved past it.
    later = registry.add_tax_account(clerk, taxpayer.id, AccountType.SALES_AND_USE)
    assert int(later.account_number[4:]) > 4321


@pytest.mark.parametrize(
    ("id_type", "number", "kind", "field", "words"),
    [
        (IdType.SSN, "000-12-3456", TaxpayerKind.INDIVIDUAL, "id_number", "never starts with 000"),
        (IdType.ITIN, "912-78-3344", TaxpayerKind.BUSINESS, "id_type", "ITIN belongs to an"),
        (IdType.FEIN, "07-1234567", TaxpayerKind.BUSINESS, "id_number", "never assigns an FEIN"),
    ],
)
def test_register_refuses_a_bad_id(
    clerk: Actor, id_type: IdType, number: str, kind: TaxpayerKind, field: str, words: str
) -> None:
    before = snapshot()
    with pytest.raises(InvalidInput, match=words) as info:
        registry.register_taxpayer(clerk, id_type, number, "Some Name", kind, "1 Main St")
    assert field in info.value.errors
    assert snapshot() == before


def test_one_taxpayer_per_id(clerk: Actor) -> None:
    registry.register_taxpayer(
        clerk, IdType.SSN, "031-54-2296", "Maria Santos", TaxpayerKind.INDIVIDUAL, "1 Elm St"
    )
    before = snapshot()
    with pytest.raises(InvalidInput, match="already has a taxpayer with this SSN: Maria Santos"):
        registry.register_taxpayer(
            clerk, IdType.SSN, "031542296", "M. Santos", TaxpayerKind.INDIVIDUAL, "1 Elm St"
        )
    with pytest.raises(InvalidInput, match="Enter the mailing address"):
        registry.register_taxpayer(
            clerk, IdType.SSN, "031-54-2297", "Ann Lee", TaxpayerKind.INDIVIDUAL, "  \n "
        )
    assert snapshot() == before


def test_a_typed_account_number_is_checked(clerk: Actor, world: World) -> None:
    taxpayer = world.taxpayer("Ann Lee")
    taken = world.accounts(taxpayer)[0].account_number
    before = snapshot()
    with pytest.raises(InvalidInput, match=r"is WTH- and 8 digits, e\.g\. WTH-00001234"):
        registry.add_tax_account(clerk, taxpayer.id, AccountType.WITHHOLDING, "PIT-00000001")
    with pytest.raises(InvalidInput, match=f"The account number {taken} is taken"):
        registry.add_tax_account(clerk, taxpayer.id, AccountType.PERSONAL_INCOME, taken)
    assert snapshot() == before


def test_find_taxpayers_by_name_words_or_id_digits(clerk: Actor, world: World) -> None:
    maria = world.taxpayer("Maria Santos")
    world.taxpayer("Mario Rossi")
    assert [t.legal_name for t in registry.find_taxpayers(clerk, "santos MARIA")] == [
        "Maria Santos"
    ]
    digits = f"{maria.id_number[:3]}-{maria.id_number[3:5]}-{maria.id_number[5:]}"
    assert [t.id for t in registry.find_taxpayers(clerk, digits)] == [maria.id]
    assert len(registry.find_taxpayers(clerk, "mari")) == 2
    assert registry.find_taxpayers(clerk, "mari", limit=1)[0].legal_name == "Maria Santos"


def test_closing_an_account_ends_its_grants_with_emails_to_both_sides(
    clerk: Actor, world: World
) -> None:
    taxpayer = world.taxpayer(
        "Harbor Street Bakery LLC",
        (AccountType.WITHHOLDING, AccountType.MEALS),
        id_type=IdType.FEIN,
    )
    owner = world.taxpayer_logon("harbor", taxpayer)
    firm = world.third_party("firm")
    withholding, meals = world.accounts(taxpayer)
    grant_access(firm, taxpayer, owner, [(withholding, AccessLevel.FILE), (meals, AccessLevel.PAY)])
    mail_from = last_message_id()

    assert registry.close_tax_account(clerk, withholding.id) == 1

    assert TaxAccount.get_by_id(withholding.id).closed_at is not None
    statuses = {
        g.account_id: g.status
        for g in AccessGrant.select().where(AccessGrant.third_party == firm.logon_id)
    }
    assert statuses == {withholding.id: "cancelled", meals.id: GrantStatus.ACTIVE.value}
    emails = list(
        Message.select().where((Message.id > mail_from) & (Message.kind == MessageKind.EMAIL.value))
    )
    assert {m.recipient_id for m in emails} == {firm.logon_id, owner.logon_id}
    assert all(withholding.account_number in m.body for m in emails)
    # A closed account is no longer offered nor accepted in a new request.
    other = world.third_party("other")
    lookup = requests.lookup_taxpayer(other, IdType.FEIN, taxpayer.id_number, taxpayer.legal_name)
    assert [a.id for a in lookup.accounts] == [meals.id]
    with pytest.raises(InvalidInput, match="closed the account"):
        ask(other, taxpayer, [(withholding, AccessLevel.FILE)])
    with pytest.raises(StateConflict, match="closed already"):
        registry.close_tax_account(clerk, withholding.id)


def test_a_pending_request_cannot_give_rights_on_a_closed_account(
    clerk: Actor, world: World
) -> None:
    taxpayer = world.taxpayer("Ann Lee", (AccountType.PERSONAL_INCOME, AccountType.FIDUCIARY))
    owner = world.taxpayer_logon("annlee", taxpayer)
    firm = world.third_party("firm")
    income, fiduciary = world.accounts(taxpayer)
    view = ask(firm, taxpayer, [(income, AccessLevel.FILE), (fiduciary, AccessLevel.FILE)])
    registry.close_tax_account(clerk, fiduciary.id)
    everything = [
        requests.LineDecision(income.id, True, AccessLevel.FILE),
        requests.LineDecision(fiduciary.id, True, AccessLevel.FILE),
    ]
    with pytest.raises(InvalidInput, match="closed the account Fiduciary"):
        requests.decide_request(owner, view.id, everything)
    refuse_closed = requests.LineDecision(fiduciary.id, False, AccessLevel.FILE)
    decided = requests.decide_request(owner, view.id, [everything[0], refuse_closed])
    assert decided.status.value == "approved"


def test_mail_correspondence_goes_to_the_mailing_address(clerk: Actor, world: World) -> None:
    import datetime as dt

    from mtc_desktop.domain.model import CorrespondenceKind
    from mtc_desktop.services import correspondence

    firm = world.third_party("firm", name="Smith CPA")
    identity = Taxpayer.get_by_id(firm.taxpayer_id)
    account = registry.add_tax_account(clerk, identity.id, AccountType.WITHHOLDING)
    before = snapshot()
    with pytest.raises(InvalidInput, match="DOR has no mailing address for Smith CPA"):
        correspondence.mail_correspondence(
            clerk, account.account_number, CorrespondenceKind.LETTER, "Notice", dt.date(2026, 3, 2)
        )
    assert snapshot() == before
    since = last_audit_id()
    shown = registry.change_address(clerk, identity.id, " 1 Federal Street \r\nBoston, MA ")
    assert shown.address == "1 Federal Street\nBoston, MA"
    assert audit_actions(since) == ["taxpayer_address_changed"]
    with pytest.raises(StateConflict, match="already"):
        registry.change_address(clerk, identity.id, "1 Federal Street\nBoston, MA")
    result = correspondence.mail_correspondence(
        clerk, account.account_number, CorrespondenceKind.LETTER, "Notice", dt.date(2026, 3, 2)
    )
    assert result.mailed_to == "1 Federal Street\nBoston, MA"
    event = AuditEvent.select().order_by(AuditEvent.id.desc()).get()
    assert event.action == "correspondence_mailed"
    assert "1 Federal Street" in event.details


# --- permissions ----------------------------------------------------------------------


def test_only_dor_staff_use_the_registry(world: World, tmp_path: Path) -> None:
    taxpayer = world.taxpayer("Ann Lee")
    owner = world.taxpayer_logon("annlee", taxpayer)
    firm = world.third_party("firm")
    account = world.accounts(taxpayer)[0]
    calls: list[Callable[[Actor], object]] = [
        lambda a: registry.register_taxpayer(
            a, IdType.SSN, "031-54-2296", "Maria Santos", TaxpayerKind.INDIVIDUAL, "1 Elm St"
        ),
        lambda a: registry.find_taxpayers(a, "ann"),
        lambda a: registry.registry_taxpayer(a, taxpayer.id),
        lambda a: registry.add_tax_account(a, taxpayer.id, AccountType.MEALS),
        lambda a: registry.close_tax_account(a, account.id),
        lambda a: registry.change_address(a, taxpayer.id, "2 Main St"),
        lambda a: registry.import_registry(a, csv_bytes(*GOOD)),
        lambda a: registry.export_registry(a, tmp_path / "out.csv"),
    ]
    before = snapshot()
    for actor in (owner, firm):
        for call in calls:
            with pytest.raises(NotAllowed, match=r"(?i)only a DOR staff logon can do this"):
                call(actor)
    assert snapshot() == before
    assert not (tmp_path / "out.csv").exists()


# --- importing ------------------------------------------------------------------------


def test_a_good_file_is_imported_whole(clerk: Actor) -> None:
    since = last_audit_id()
    report = registry.import_registry(clerk, csv_bytes(*GOOD, bom=True))
    assert (report.rows, report.taxpayers_added, report.accounts_added, report.unchanged) == (
        4,
        3,
        4,
        0,
    )
    assert (report.written, report.cancelled, report.problems) == (True, False, ())
    assert report.summary() == "3 taxpayers and 4 tax accounts added."
    harbor = Taxpayer.get(Taxpayer.legal_name == "Harbor Street Bakery LLC")
    assert (harbor.id_type, harbor.id_number, harbor.kind, harbor.address) == (
        "FEIN",
        "043812967",
        "business",
        "212 Harbor Street\nBoston, MA",
    )
    harbor_accounts = TaxAccount.select().where(TaxAccount.taxpayer == harbor)
    assert sorted(a.account_type for a in harbor_accounts) == [
        "sales_and_use",
        "withholding",
    ]
    actions = audit_actions(since)
    assert actions.count("taxpayer_registered") == 3
    assert actions.count("tax_account_added") == 4
    assert actions[-1] == "registry_imported"
    # The bulk-written events keep the hash chain whole.
    from mtc_desktop.services import audit

    assert audit.verify_chain().ok


def test_importing_the_same_file_again_changes_nothing_and_says_so(clerk: Actor) -> None:
    registry.import_registry(clerk, csv_bytes(*GOOD))
    before = snapshot()
    report = registry.import_registry(clerk, csv_bytes(*GOOD))
    assert (report.taxpayers_added, report.accounts_added, report.unchanged) == (0, 0, 4)
    assert not report.written
    assert report.summary() == (
        "The registry already holds every row of this file: nothing changed."
    )
    assert snapshot() == before


def test_a_known_taxpayer_row_adds_only_what_is_new(clerk: Actor) -> None:
    registry.import_registry(clerk, csv_bytes(*GOOD))
    more = csv_bytes(*GOOD, "FEIN,04-3812967,HARBOR STREET  BAKERY LLC,Business,Meals,")
    report = registry.import_registry(clerk, more)
    assert (report.taxpayers_added, report.accounts_added, report.unchanged) == (0, 1, 4)
    assert report.summary() == ("1 tax account added; 4 rows were already in the registry.")
    assert Taxpayer.select().count() == 3


def test_a_blank_address_on_file_is_filled_in(clerk: Actor, world: World) -> None:
    firm = world.third_party("firm", name="Smith CPA", fein="04-2750194")
    identity = Taxpayer.get_by_id(firm.taxpayer_id)
    assert identity.address == ""
    report = registry.import_registry(
        clerk, csv_bytes("FEIN,04-2750194,Smith CPA,Business,Withholding,1 Federal St Boston")
    )
    assert (report.accounts_added, report.addresses_added) == (1, 1)
    assert report.summary() == "1 tax account and 1 mailing address added."
    assert Taxpayer.get_by_id(identity.id).address == "1 Federal St Boston"
    # The firm manages its own business's new account, as its other own accounts.
    new = TaxAccount.get(
        (TaxAccount.taxpayer == identity.id) & (TaxAccount.account_type == "withholding")
    )
    assert AccessGrant.get_or_none(
        (AccessGrant.third_party == firm.logon_id) & (AccessGrant.account == new.id)
    )


BAD_ROWS = {
    "bad ID": (
        "SSN,000-54-2296,Bad Id,Individual,Personal Income,1 Elm St",
        "An SSN never starts with 000",
    ),
    "ITIN for a business": (
        "ITIN,912-78-3345,Chen Trading,Business,Withholding,1 Elm St",
        "An ITIN belongs to an individual; register a business with its FEIN.",
    ),
    "unknown account type": (
        "SSN,031-54-2297,Ann Lee,Individual,Income Tax,1 Elm St",
        "Unknown account type 'Income Tax': use one of Personal Income, Withholding,",
    ),
    "unknown ID type": (
        "EIN,04-1234567,Acme,Business,Withholding,1 Elm St",
        "Unknown ID type 'EIN': use SSN, ITIN or FEIN.",
    ),
    "unknown taxpayer type": (
        "SSN,031-54-2297,Ann Lee,Person,Personal Income,1 Elm St",
        "Unknown taxpayer type 'Person': use Individual or Business.",
    ),
    "missing value": (
        "SSN,031-54-2297,Ann Lee,Individual,Personal Income",
        "This row has 5 values; the header has 6.",
    ),
    "duplicate row": (
        "SSN,031-54-2296,Maria Santos,Individual,Personal Income,48 Chestnut Hill Ave Brighton",
        "This row repeats line 5; remove one of them.",
    ),
    "same ID with two names": (
        "SSN,031-54-2296,Maria Santos-Lopez,Individual,Withholding,",
        "The SSN ***-**-2296 has the legal name 'Maria Santos' on line 5 and "
        "'Maria Santos-Lopez' here; one taxpayer has one legal name.",
    ),
    "same ID with two types": (
        "SSN,031-54-2296,Maria Santos,Business,Withholding,",
        "The SSN ***-**-2296 is individual on line 5 and business here",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_ROWS))
def test_each_bad_row_kind_is_refused_with_its_own_message(clerk: Actor, kind: str) -> None:
    row, message = BAD_ROWS[kind]
    before = snapshot()
    report = registry.import_registry(clerk, csv_bytes(*GOOD, row))
    assert len(report.problems) == 1
    line, text = problems(report)[0]
    assert line == 7  # the header, four good rows (one spans two lines), then this one
    assert message in text
    assert not report.written
    assert report.summary() == "Nothing was imported: 1 row needs fixing."
    assert snapshot() == before


def test_a_latin_1_row_is_refused_as_not_utf_8(clerk: Actor) -> None:
    data = csv_bytes(*GOOD) + "SSN,031-54-2297,Zoë Müller,Individual,Personal Income,x\r\n".encode(
        "latin-1"
    )
    before = snapshot()
    report = registry.import_registry(clerk, data)
    assert problems(report) == [
        (
            7,
            "This row is not UTF-8 text (it holds the byte 0xEB, as Latin-1 or Windows "
            "spreadsheets write accented letters). Save the file as CSV UTF-8 and import it "
            "again.",
        )
    ]
    assert snapshot() == before


FILE_PROBLEMS = {
    "empty file": (b"", "The file is empty."),
    "only a byte order mark": (b"\xef\xbb\xbf\r\n", "The file is empty."),
    "header only": (csv_bytes(), "The file has a header but no rows: nothing to import."),
    "missing column": (
        csv_bytes(
            "SSN,031-54-2296,Maria Santos,Individual,Personal Income",
            header="id_type,id_number,legal_name,taxpayer_type,account_type",
        ),
        "The header has no mailing_address column.",
    ),
    "a PDF": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "This is a PDF file"),
    "a spreadsheet": (b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), "spreadsheet workbook"),
    "binary": (bytes(range(256)) * 4, "This is not a CSV text file (it holds binary data)."),
    "UTF-16": (("\ufeff" + HEADER + "\n").encode("utf-16-le"), "UTF-16"),
}


@pytest.mark.parametrize("kind", list(FILE_PROBLEMS))
def test_a_file_that_is_no_registry_csv_is_refused_with_its_own_message(
    clerk: Actor, kind: str
) -> None:
    data, message = FILE_PROBLEMS[kind]
    before = snapshot()
    report = registry.import_registry(clerk, data)
    assert report.rows == 0
    assert len(report.problems) == 1
    assert report.problems[0].line == 1
    assert message in report.problems[0].message
    assert report.summary().startswith("Nothing was imported: ")
    assert not report.written
    assert snapshot() == before


def test_a_known_id_with_another_legal_name_is_a_bad_row(clerk: Actor, world: World) -> None:
    known = world.taxpayer("Maria Santos")
    digits = known.id_number
    row = f"SSN,{digits},Mary Santos,Individual,Withholding,"
    before = snapshot()
    report = registry.import_registry(clerk, csv_bytes(row))
    assert problems(report) == [
        (
            2,
            f"The registry has the SSN ***-**-{digits[-4:]} under the legal name "
            "'Maria Santos', not 'Mary Santos'; correct the name or the ID.",
        )
    ]
    assert snapshot() == before


def test_an_account_number_of_another_taxpayer_is_a_bad_row(clerk: Actor, world: World) -> None:
    other = world.taxpayer("Ann Lee")
    taken = world.accounts(other)[0].account_number
    header = HEADER + ",account_number"
    row = f"SSN,031-54-2296,Maria Santos,Individual,Personal Income,1 Elm St,{taken}"
    report = registry.import_registry(clerk, csv_bytes(row, header=header))
    assert problems(report) == [
        (
            2,
            f"The registry has the account number {taken} on another taxpayer's or another "
            "type's account; correct the number or leave it blank.",
        )
    ]


def test_every_bad_row_is_named_and_skip_invalid_imports_the_good_ones(clerk: Actor) -> None:
    rows = (*GOOD, BAD_ROWS["bad ID"][0], BAD_ROWS["unknown account type"][0])
    refused = registry.import_registry(clerk, csv_bytes(*rows))
    assert [p.line for p in refused.problems] == [7, 8]
    assert refused.summary() == "Nothing was imported: 2 rows need fixing."
    report = registry.import_registry(clerk, csv_bytes(*rows), skip_invalid=True)
    assert report.written
    assert [p.line for p in report.problems] == [7, 8]
    assert (report.taxpayers_added, report.accounts_added) == (3, 4)
    assert report.summary() == (
        "3 taxpayers and 4 tax accounts added; 2 rows with problems skipped."
    )
    assert Taxpayer.select().count() == 3


def test_dry_run_reports_and_writes_nothing(clerk: Actor) -> None:
    before = snapshot()
    report = registry.import_registry(clerk, csv_bytes(*GOOD, BAD_ROWS["bad ID"][0]), dry_run=True)
    assert (report.dry_run, report.written, report.taxpayers_added, report.accounts_added) == (
        True,
        False,
        3,
        4,
    )
    assert [p.line for p in report.problems] == [7]
    assert report.summary() == (
        "Checked, nothing written: 3 taxpayers and 4 tax accounts would be added; "
        "1 row needs fixing."
    )
    assert snapshot() == before


def big_file(count: int) -> bytes:
    rows = [
        f"SSN,{100 + i // 9999:03d}-{1 + (i // 99) % 99:02d}-{1 + i % 9999:04d},"
        f"Person {i},Individual,Personal Income,{i} Main Street"
        for i in range(count)
    ]
    return csv_bytes(*rows)


@pytest.mark.parametrize("when", [0.25, 0.75])
def test_cancel_leaves_nothing_imported(clerk: Actor, when: float) -> None:
    """Cancelled while checking (0.25) or while writing (0.75): nothing half-imported."""
    seen: list[tuple[int, int]] = []
    before = snapshot()
    report = registry.import_registry(
        clerk,
        big_file(12_000),
        progress=lambda done, total: seen.append((done, total)),
        cancelled=lambda: bool(seen) and seen[-1][0] >= seen[-1][1] * when,
    )
    assert report.cancelled
    assert not report.written
    assert report.summary() == "The import was canceled: nothing was imported."
    assert snapshot() == before


def test_progress_goes_up_to_the_end(clerk: Actor) -> None:
    seen: list[tuple[int, int]] = []
    report = registry.import_registry(
        clerk, big_file(6_000), progress=lambda done, total: seen.append((done, total))
    )
    assert report.accounts_added == 6_000
    assert seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert len(seen) > 4


def test_the_command_line_import_is_audited_as_such(world: World) -> None:
    since = last_audit_id()
    registry.import_registry(None, csv_bytes(*GOOD))
    event = AuditEvent.select().where(AuditEvent.id > since).order_by(AuditEvent.id.desc()).get()
    assert event.action == "registry_imported"
    assert event.actor_id is None
    assert '"by": "command line"' in event.details


def test_export_then_import_into_another_registry_round_trips(clerk: Actor, tmp_path: Path) -> None:
    registry.import_registry(clerk, csv_bytes(*GOOD))
    closed = TaxAccount.get(TaxAccount.account_type == "sales_and_use")
    registry.close_tax_account(clerk, closed.id)
    target = tmp_path / "registry.csv"
    assert registry.export_registry(clerk, target) == 3
    text = target.read_text("utf-8")
    assert text.splitlines()[0] == HEADER + ",account_number"
    assert closed.account_number not in text  # a closed account is left out
    assert (target.stat().st_mode & 0o777) == 0o600
    # The same file into this registry: everything is there already.
    again = registry.import_registry(clerk, target)
    assert (again.unchanged, again.written) == (3, False)


def test_row_problem_and_report_shapes() -> None:
    assert RowProblem(3, "x") == RowProblem(line=3, message="x")
    report = ImportReport(12, 12, 20, 4, (), written=True, cancelled=False)
    assert report.summary() == (
        "12 taxpayers and 20 tax accounts added; 4 rows were already in the registry."
    )
    refused = ImportReport(5, 0, 0, 0, (RowProblem(2, "a"),) * 3, written=False, cancelled=False)
    assert refused.summary() == "Nothing was imported: 3 rows need fixing."
