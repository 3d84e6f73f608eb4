"""Demo data: taxpayers, third parties, DOR staff, pending requests and grants, ready for
a training session; and, with ``clients``, one firm with many clients for scale work.

Every demo logon has the same password, listed on the login screen in demo mode.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable
from dataclasses import dataclass

from mtc_desktop.domain.errors import NotAllowed
from mtc_desktop.domain.ids import IdType, normalize_id
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import AccountType, ApprovalMethod, Role, TaxpayerKind
from mtc_desktop.domain.text import name_key
from mtc_desktop.services import audit, logons, registry, requests, staff
from mtc_desktop.services.base import Actor, now, transaction
from mtc_desktop.services.bulk import insert_rows, resync_sequences
from mtc_desktop.services.demo_logons import (
    DEMO_FLAG,
    DEMO_PASSWORD,
    DemoLogon,
    demo_logons,
    is_demo_database,
)
from mtc_desktop.services.requests import LineDecision, RequestDraft
from mtc_desktop.services.taxpayers import (
    account_number,
    next_number,
    search_text_for,
)
from mtc_desktop.store.models import (
    ALL_MODELS,
    AccessGrant,
    AccessRequest,
    AuditEvent,
    Counter,
    Logon,
    RequestLine,
    Setting,
    TaxAccount,
    Taxpayer,
)


@dataclass(frozen=True)
class _Person:
    id_type: IdType
    id_number: str
    name: str
    kind: TaxpayerKind
    accounts: tuple[AccountType, ...]
    email: str
    address: str


_PEOPLE = {
    "harbor": _Person(
        IdType.FEIN,
        "04-3812967",
        "Harbor Street Bakery LLC",
        TaxpayerKind.BUSINESS,
        (AccountType.WITHHOLDING, AccountType.SALES_AND_USE, AccountType.MEALS, AccountType.PFML),
        "owner@harborbakery.example",
        "212 Harbor Street\nBoston, MA 02210",
    ),
    "maria": _Person(
        IdType.SSN,
        "031-54-2296",
        "Maria Santos",
        TaxpayerKind.INDIVIDUAL,
        (AccountType.PERSONAL_INCOME,),
        "maria.santos@mail.example",
        "48 Chestnut Hill Avenue, Apt. 3\nBrighton, MA 02135",
    ),
    "elodie": _Person(
        IdType.SSN,
        "027-61-4410",
        "Élodie Durand-Lefèvre",
        TaxpayerKind.INDIVIDUAL,
        (AccountType.PERSONAL_INCOME, AccountType.FIDUCIARY),
        "elodie@mail.example",
        "9 Rue de Paris Place\nCambridge, MA 02139",
    ),
    "chen": _Person(
        IdType.ITIN,
        "912-78-3344",
        "陈伟 (Chen Wei)",
        TaxpayerKind.INDIVIDUAL,
        (AccountType.PERSONAL_INCOME,),
        "",
        "77 Beach Street\nBoston, MA 02111",
    ),
    "nikos": _Person(
        IdType.SSN,
        "045-22-9081",
        "Νίκος Παπαδόπουλος",
        TaxpayerKind.INDIVIDUAL,
        (AccountType.PERSONAL_INCOME,),
        "",
        "15 Washington Street\nPeabody, MA 01960",
    ),
    "dmitri": _Person(
        IdType.FEIN,
        "20-4471852",
        "Дмитрий Иванов Trading Co.",
        TaxpayerKind.BUSINESS,
        (AccountType.CORPORATE_EXCISE, AccountType.WITHHOLDING),
        "",
        "400 Commercial Street, Suite 12\nWorcester, MA 01608",
    ),
    "smith": _Person(
        IdType.FEIN,
        "04-2750194",
        "Smith & Daughters CPA",
        TaxpayerKind.BUSINESS,
        (AccountType.WITHHOLDING, AccountType.PFML),
        "office@smithcpa.example",
        "1 Federal Street, 20th Floor\nBoston, MA 02110",
    ),
    "beacon": _Person(
        IdType.FEIN,
        "46-1093827",
        "Beacon Payroll Services Inc.",
        TaxpayerKind.BUSINESS,
        (AccountType.WITHHOLDING,),
        "desk@beaconpayroll.example",
        "90 Canal Street\nLowell, MA 01852",
    ),
}


def _taxpayer(staff: Actor, key: str) -> None:
    """DOR registers the taxpayer and its accounts, as an office does with the registry."""
    p = _PEOPLE[key]
    taxpayer = registry.register_taxpayer(staff, p.id_type, p.id_number, p.name, p.kind, p.address)
    for account_type in p.accounts:
        registry.add_tax_account(staff, taxpayer.id, account_type)


def _register(username: str, key: str, role: Role, email: str) -> Actor:
    p = _PEOPLE[key]
    return logons.register(
        logons.Registration(
            username=username,
            password=DEMO_PASSWORD,
            email=email,
            role=role,
            id_type=p.id_type,
            id_number=p.id_number,
            legal_name=p.name,
        )
    )


def _accounts(key: str) -> list[TaxAccount]:
    p = _PEOPLE[key]
    tp = Taxpayer.get(
        (Taxpayer.id_type == p.id_type.value)
        & (Taxpayer.id_number == normalize_id(p.id_type, p.id_number))
    )
    return list(TaxAccount.select().where(TaxAccount.taxpayer == tp.id).order_by(TaxAccount.id))


def _draft(key: str, levels: list[AccessLevel], method: ApprovalMethod) -> RequestDraft:
    p = _PEOPLE[key]
    accounts = _accounts(key)
    return RequestDraft(
        id_type=p.id_type,
        id_number=p.id_number,
        legal_name=p.name,
        lines=tuple((a.id, lvl) for a, lvl in zip(accounts, levels, strict=False)),
        method=method,
    )


def create_demo(progress: Callable[[str], None] | None = None) -> list[DemoLogon]:
    """Fill an empty database with the training scenario; return the demo logons."""
    say = progress or (lambda _text: None)
    # Marked first: a demo database is recognisable (Reset Demo, "Demo" on screen).
    Setting.create(key=DEMO_FLAG, value=now().isoformat(timespec="seconds"))
    # Built through the services an office uses: the DOR administrator first, then the
    # registry of taxpayers and accounts, then the logons their holders make.
    clerk = staff.add_staff_with_password(
        "dorclerk", "Pat Rivera (DOR)", "clerk@dor.example", DEMO_PASSWORD, administrator=True
    )
    for key in _PEOPLE:
        _taxpayer(clerk, key)
    say("taxpayers and accounts")
    # The firms register themselves; DOR knows their business identity, whose accounts
    # they manage as their own.
    smith = _register("smithcpa", "smith", Role.THIRD_PARTY, "office@smithcpa.example")
    beacon = _register("beaconpayroll", "beacon", Role.THIRD_PARTY, "desk@beaconpayroll.example")
    harbor = _register("harborbakery", "harbor", Role.TAXPAYER, "owner@harborbakery.example")
    maria = _register("msantos", "maria", Role.TAXPAYER, "maria.santos@mail.example")
    _register("edurand", "elodie", Role.TAXPAYER, "elodie@mail.example")
    say("logons")

    # Smith & Daughters already works for the bakery and for Maria.
    r = requests.request_access(
        smith,
        _draft(
            "harbor",
            [AccessLevel.FULL_ACCESS, AccessLevel.FILE, AccessLevel.VIEW_ONLY],
            ApprovalMethod.MASSTAXCONNECT,
        ),
    )
    bakery_accounts = _accounts("harbor")
    requests.decide_request(
        harbor,
        r.id,
        [
            LineDecision(bakery_accounts[0].id, False, AccessLevel.FULL_ACCESS),
            LineDecision(bakery_accounts[1].id, True, AccessLevel.FULL_ACCESS),
            LineDecision(bakery_accounts[2].id, True, AccessLevel.FILE),
        ],
    )
    r = requests.request_access(
        smith, _draft("maria", [AccessLevel.FILE_AND_PAY], ApprovalMethod.MASSTAXCONNECT)
    )
    requests.decide_request(
        maria, r.id, [LineDecision(_accounts("maria")[0].id, True, AccessLevel.FILE_AND_PAY)]
    )
    r = requests.request_access(
        smith,
        _draft("elodie", [AccessLevel.FILE, AccessLevel.VIEW_ONLY], ApprovalMethod.PRINTED_FORM),
    )
    # Pending, waiting for decisions in the training session.
    requests.request_access(
        beacon,
        RequestDraft(
            id_type=IdType.FEIN,
            id_number=_PEOPLE["harbor"].id_number,
            legal_name=_PEOPLE["harbor"].name,
            lines=(
                (bakery_accounts[0].id, AccessLevel.FILE_AND_PAY),
                (bakery_accounts[3].id, AccessLevel.FILE_AND_PAY),
            ),
            method=ApprovalMethod.MASSTAXCONNECT,
        ),
    )
    requests.request_access(
        smith, _draft("chen", [AccessLevel.FILE_AND_PAY], ApprovalMethod.PRINTED_FORM)
    )
    requests.request_access(smith, _draft("nikos", [AccessLevel.FILE], ApprovalMethod.PRINTED_FORM))
    requests.request_access(
        beacon,
        _draft("dmitri", [AccessLevel.FILE_AND_PAY, AccessLevel.PAY], ApprovalMethod.PRINTED_FORM),
    )
    say("requests and grants")
    return demo_logons()


NOT_A_DEMO = (
    "This database is not a demo database, so Reset Demo would erase real data: it works "
    "only on a database made as a demo (mtc-desktop --demo, or mtc-desktop demo-data)."
)


def reset_demo(actor: Actor) -> list[DemoLogon]:
    """*Help → Reset Demo*: put a demo database back as it was made (everything done in it
    since is erased), in one transaction; refused on any other database. Returns the demo
    logons (every logon, the acting one too, is made again: its session is over)."""
    from peewee import sort_models  # type: ignore[attr-defined]  # not in peewee's stubs

    with transaction():
        if not is_demo_database():
            raise NotAllowed(NOT_A_DEMO)
        for model in reversed(sort_models(list(ALL_MODELS))):
            model.delete().execute()
        logons = create_demo()
        # The acting logon is gone with the rest: the event names it by its username.
        audit.record(None, "demo_reset", by=actor.username)
    return logons


_FIRST = (
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Ana",
    "Luis",
    "Mei",
    "Wei",
    "Priya",
    "Arjun",
    "Fatima",
    "Omar",
    "Sofia",
    "Mateo",
    "Chloé",
    "José",
    "Zoë",
    "Björn",
    "Siobhán",
    "Nguyen",
)
_LAST = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "O'Brien",
    "Müller",
    "Kowalski",
    "Øster",
    "Ó'Sullivan",
)
_CHUNK = 5000


def _ssn(i: int) -> str:
    area = 100 + i // (9999 * 99)
    group = 1 + (i // 9999) % 99
    serial = 1 + i % 9999
    return f"{area:03d}{group:02d}{serial:04d}"


def add_bulk_clients(username: str, count: int, seed: int = 2026) -> None:
    """Give the third party ``username`` ``count`` more clients, each with one approved
    Personal Income grant, written in bulk (for scale work)."""
    rng = random.Random(seed)
    with transaction():
        tp = Logon.get(Logon.username == username)
        when = now()
        base_taxpayer = (
            Taxpayer.select(Taxpayer.id).order_by(Taxpayer.id.desc()).scalar() or 0
        ) + 1
        base_account = (
            TaxAccount.select(TaxAccount.id).order_by(TaxAccount.id.desc()).scalar() or 0
        ) + 1
        base_request = (
            AccessRequest.select(AccessRequest.id).order_by(AccessRequest.id.desc()).scalar() or 0
        ) + 1
        base_grant = (
            AccessGrant.select(AccessGrant.id).order_by(AccessGrant.id.desc()).scalar() or 0
        ) + 1
        first_serial = next_number("account")
        Counter.update(value=first_serial + count).where(Counter.name == "account").execute()
        first_request = next_number(f"request-{when.year}")
        Counter.update(value=first_request + count).where(
            Counter.name == f"request-{when.year}"
        ).execute()
        existing = {
            t.id_number
            for t in Taxpayer.select(Taxpayer.id_number).where(Taxpayer.id_type == "SSN")
        }
        i = 0
        offset = 0
        while i < count:
            rows_t, rows_a, rows_r, rows_l, rows_g, rows_e = [], [], [], [], [], []
            for _ in range(min(_CHUNK, count - i)):
                digits = _ssn(i + offset)
                while digits in existing or digits in ("078051120", "219099999"):
                    offset += 1
                    digits = _ssn(i + offset)
                name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
                tid, aid, rid, gid = (
                    base_taxpayer + i,
                    base_account + i,
                    base_request + i,
                    base_grant + i,
                )
                number = f"R{when.year}-{first_request + i:06d}"
                decided = when - dt.timedelta(days=rng.randint(1, 900))
                rows_t.append(
                    {
                        "id": tid,
                        "id_type": "SSN",
                        "id_number": digits,
                        "legal_name": name,
                        "name_key": name_key(name),
                        "search_text": search_text_for(name, digits),
                        "kind": TaxpayerKind.INDIVIDUAL.value,
                        "address": "",
                        "email": None,
                    }
                )
                rows_a.append(
                    {
                        "id": aid,
                        "taxpayer": tid,
                        "account_type": AccountType.PERSONAL_INCOME.value,
                        "account_number": account_number(
                            AccountType.PERSONAL_INCOME, first_serial + i
                        ),
                    }
                )
                level = rng.choice(list(AccessLevel)).value
                rows_r.append(
                    {
                        "id": rid,
                        "number": number,
                        "third_party": tp.id,
                        "taxpayer": tid,
                        "method": ApprovalMethod.PRINTED_FORM.value,
                        "authorization_code": requests.new_authorization_code(),
                        "status": "approved",
                        "created_at": decided - dt.timedelta(days=3),
                        "decided_at": decided,
                        "decided_by": None,
                    }
                )
                rows_l.append(
                    {
                        "request": rid,
                        "account": aid,
                        "requested_level": level,
                        "give_rights": True,
                        "granted_level": level,
                    }
                )
                rows_g.append(
                    {
                        "id": gid,
                        "third_party": tp.id,
                        "account": aid,
                        "taxpayer": tid,
                        "level": level,
                        "status": "active",
                        "request": rid,
                        "created_at": decided,
                        "changed_at": decided,
                    }
                )
                rows_e.append(
                    {
                        "at": decided,
                        "actor": None,
                        "action": "grant_created",
                        "third_party": tp.id,
                        "taxpayer": tid,
                        "request": rid,
                        "account": aid,
                        "details": json.dumps({"level": level, "source": "demo data"}),
                    }
                )
                i += 1
            insert_rows(Taxpayer, rows_t)
            insert_rows(TaxAccount, rows_a)
            insert_rows(AccessRequest, rows_r)
            insert_rows(RequestLine, rows_l)
            insert_rows(AccessGrant, rows_g)
            audit.chain_rows(rows_e)
            insert_rows(AuditEvent, rows_e)
        resync_sequences(Taxpayer, TaxAccount, AccessRequest, AccessGrant, AuditEvent)
