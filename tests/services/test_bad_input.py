"""A catalogue of hostile and odd input at the service layer: each value gets a clear
message naming its field, or is stored exactly and safely; a refusal changes nothing."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from mtc_desktop.domain.errors import InvalidInput, MtcError, NotFound
from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import ApprovalMethod, CorrespondenceKind, Role
from mtc_desktop.services import accounts, clients, correspondence, logons, requests
from mtc_desktop.services.base import Actor
from mtc_desktop.store.models import Correspondence, Logon, TaxAccount, Taxpayer
from tests.conftest import PASSWORD, World
from tests.services.helpers import changed_tables, grant_access, snapshot

HOSTILE = {
    "nul": "Ann\x00Lowell",
    "bell": "Ann\x07Lowell",
    "newline header": "Ann Lowell\r\nBcc: evil@example.com",
    "right-to-left override": "Ann \u202eLowell",
    "zero-width space": "Ann\u200b Lowell",
    "decomposed accent": "Zoe\u0308 Lowell",
    "100,000-character paste": "A" * 100_000,
    "sql": "Robert'); DROP TABLE taxpayer; --",
    "like metacharacters": "100% _sure_ \\",
    "only spaces": "   \t  ",
    "empty": "",
    "emoji": "Ann 🦊 Lowell",
}

# Characters that must never be stored in a name or title.
FORBIDDEN = set(map(chr, range(0x20))) | {"\u202e", "\u200b", "\x7f"}


def _refused_or_clean(call, stored, raw: str) -> None:  # type: ignore[no-untyped-def]
    before = snapshot()
    refused: InvalidInput | None = None
    try:
        call(raw)
    except InvalidInput as exc:
        refused = exc
    if refused is not None:
        assert refused.message.strip(), "a refusal says what is wrong"
        assert refused.field, "and names the field"
        assert len(refused.message) < 400, "a short message, not the input echoed back"
        assert not changed_tables(before, snapshot()), "a refusal changes nothing"
        return
    value = stored()
    assert not FORBIDDEN & set(value), repr(value)
    assert value == unicodedata.normalize("NFC", value)
    assert len(value) <= 400


@pytest.mark.parametrize("raw", list(HOSTILE.values()), ids=list(HOSTILE))
def test_legal_names_at_registration(world: World, raw: str) -> None:
    def call(name: str) -> None:
        logons.register(
            logons.Registration(
                "newfirm",
                PASSWORD,
                "new@firm.example",
                Role.THIRD_PARTY,
                IdType.FEIN,
                "31-7654321",
                name,
            )
        )

    _refused_or_clean(call, lambda: Logon.get(Logon.username == "newfirm").display_name, raw)


@pytest.mark.parametrize("raw", list(HOSTILE.values()), ids=list(HOSTILE))
def test_correspondence_titles(world: World, raw: str) -> None:
    clerk = world.staff()
    ann = world.taxpayer("Ann Lowell")
    number = world.accounts(ann)[0].account_number

    def call(title: str) -> None:
        correspondence.mail_correspondence(
            clerk, number, CorrespondenceKind.LETTER, title, dt.date(2026, 3, 2)
        )

    _refused_or_clean(call, lambda: Correspondence.get().title, raw)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12345678",
        "1234567890",
        "123-45-678",
        "12345678a",
        "１２３-４５-６７８９",
        "١٢٣٤٥٦٧٨٩",
        "000-00-0000",
        "666-12-3456",
        "123 45 6789 ",
        "-123456789",
        "123456789" * 1000,
        "' OR 1=1 --",
        "%",
        "_________",
    ],
)
def test_ids_looked_up_by_a_third_party(world: World, raw: str) -> None:
    firm = world.third_party("firm")
    world.taxpayer("Ann Lowell")
    before = snapshot()
    with pytest.raises(InvalidInput) as info:
        requests.lookup_taxpayer(firm, IdType.SSN, raw, "Ann Lowell")
    assert info.value.field in ("id_number", "legal_name")
    assert info.value.message
    assert not changed_tables(before, snapshot())


@pytest.mark.parametrize("raw", ["%", "_", "%%", "\\", "'", '"', "*", "?", "[a-z]", "A%"])
def test_filter_metacharacters_match_only_themselves(world: World, raw: str) -> None:
    firm = world.third_party("firm")
    names = ("Ann Lowell", "Bob Smith", "100% Pure Maple Co", "Under_Score LLC")
    for n, name in enumerate(names):
        taxpayer = world.taxpayer(name)
        owner = world.taxpayer_logon(f"owner{n}", taxpayer)
        grant_access(firm, taxpayer, owner, [(world.accounts(taxpayer)[0], AccessLevel.FILE)])
    shown = [row.name for row in clients.list_clients(firm, raw)]
    assert shown == sorted(n for n in names if raw.casefold() in n.casefold())
    assert requests.my_requests(firm, text=raw) is not None


def _firm_granted(world: World, level: AccessLevel) -> tuple[Actor, TaxAccount]:
    """A firm given ``level`` on a client's account: the firm, and the account."""
    firm = world.third_party("firm")
    ann = world.taxpayer("Ann Lowell")
    owner = world.taxpayer_logon("ann", ann)
    account = world.accounts(ann)[0]
    grant_access(firm, ann, owner, [(account, level)])
    return firm, account


@pytest.mark.parametrize(
    "raw",
    ["", "-5", "0", "NaN", "inf", "1e309", "1,000.001", "12.345", "$", "١٢٣", "9" * 40, "1 000"],
)
def test_payment_amounts(world: World, raw: str) -> None:
    firm, account = _firm_granted(world, AccessLevel.FULL_ACCESS)
    before = snapshot()
    with pytest.raises(InvalidInput) as info:
        accounts.make_payment(firm, account.id, raw)
    assert info.value.field == "amount"
    assert not changed_tables(before, snapshot())


@pytest.mark.parametrize("raw", ["", " ", "\x00", "2025\r\nBcc: x", "Q" * 10_000])
def test_return_periods(world: World, raw: str) -> None:
    firm, account = _firm_granted(world, AccessLevel.FILE)
    before = snapshot()
    with pytest.raises(InvalidInput):
        accounts.file_return(firm, account.id, raw)
    assert not changed_tables(before, snapshot())


@pytest.mark.parametrize(
    "raw", ["", "R", "R2026-", "MTC-AUTH|", "MTC-AUTH|a|b|c", "x" * 100_000, "'; --", "%"]
)
def test_references_typed_or_scanned_by_dor(world: World, raw: str) -> None:
    clerk = world.staff()
    with pytest.raises(MtcError) as info:
        requests.find_request(clerk, raw)
    assert isinstance(info.value, InvalidInput | NotFound)
    assert len(info.value.message) < 200


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Ann.Lowell@Example.com", "ann.lowell@example.COM"),
        ("ann@bücher.example", "ann@xn--bcher-kva.example"),
        ("ann@BÜCHER.example", "ann@bücher.example"),
    ],
)
def test_emails_that_differ_only_in_case_or_idn_form_are_one_address(
    world: World, first: str, second: str
) -> None:
    def register(username: str, email: str, fein: str) -> None:
        logons.register(
            logons.Registration(
                username, PASSWORD, email, Role.THIRD_PARTY, IdType.FEIN, fein, f"{username} LLP"
            )
        )

    register("firstfirm", first, "31-7654321")
    before = snapshot()
    with pytest.raises(InvalidInput) as info:
        register("secondfirm", second, "31-7654322")
    assert info.value.field == "email"
    assert "already used" in info.value.message
    assert not changed_tables(before, snapshot())


@pytest.mark.parametrize(
    ("length", "accepted"), [(14, False), (15, True), (1024, True), (1025, False)]
)
def test_passwords_at_each_length_limit(world: World, length: int, accepted: bool) -> None:
    words = "tangerine kayak 41 glacier velvet moss orbit 7 lantern quince ember pylon "
    password = (words * (length // len(words) + 1))[:length]
    registration = logons.Registration(
        "limitfirm",
        password,
        "limit@firm.example",
        Role.THIRD_PARTY,
        IdType.FEIN,
        "31-7654321",
        "Limit LLP",
    )
    if accepted:
        logons.register(registration)
        assert logons.log_in("limitfirm", password).username == "limitfirm"
        assert Taxpayer.select().count() >= 1
    else:
        before = snapshot()
        with pytest.raises(InvalidInput) as info:
            logons.register(registration)
        assert info.value.field == "password"
        assert not changed_tables(before, snapshot())


def test_a_refused_request_leaves_no_partial_row(world: World) -> None:
    firm = world.third_party("firm")
    ann = world.taxpayer("Ann Lowell")
    account = world.accounts(ann)[0]
    before = snapshot()
    with pytest.raises(InvalidInput):
        requests.request_access(
            firm,
            requests.RequestDraft(
                IdType.SSN,
                "000-00-0000",
                "Ann Lowell",
                ((account.id, AccessLevel.FILE),),
                ApprovalMethod.PRINTED_FORM,
            ),
        )
    with pytest.raises(InvalidInput):
        requests.request_access(
            firm,
            requests.RequestDraft(
                IdType(ann.id_type),
                ann.id_number,
                "Ann Lowell",
                ((account.id, AccessLevel.FILE), (account.id, AccessLevel.PAY)),
                ApprovalMethod.PRINTED_FORM,
            ),
        )
    assert not changed_tables(before, snapshot())
