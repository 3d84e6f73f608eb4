"""The DOR registry of taxpayers and their tax accounts: registering one at a time,
adding and closing accounts, and importing or exporting the registry as a CSV file.

The CSV file is UTF-8 (with or without a byte order mark), one row per tax account, with
the header ``id_type,id_number,legal_name,taxpayer_type,account_type,mailing_address`` and
an optional ``account_number`` column (generated when blank). The whole file is checked
before anything is written; a bad row stops the import unless ``skip_invalid``.

What a row means for a taxpayer DOR already knows:

- the same ID with another legal name or taxpayer type is a bad row, as is a mailing
  address other than the one on file (an import never changes a taxpayer's data; a blank
  address on file is filled in);
- a row whose account is already there (the same account number; or, with the number
  blank, an account of that type, open or closed) changes nothing: importing a file again
  changes nothing. An import never reopens a closed account.

The command line (``actor`` None) is the operator at the machine that holds the database;
its changes are audited as the command line's.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peewee import IntegrityError

from mtc_desktop.domain.errors import (
    EnvironmentProblem,
    InvalidInput,
    NotFound,
    StateConflict,
)
from mtc_desktop.domain.ids import IdType, format_id, mask_id, normalize_id
from mtc_desktop.domain.model import AccountType, GrantStatus, Role, TaxpayerKind
from mtc_desktop.domain.text import clean_name, clean_text, name_key, search_words
from mtc_desktop.services import audit, notifications
from mtc_desktop.services.base import (
    Actor,
    now,
    reading,
    require_role,
    transaction,
    writing,
)
from mtc_desktop.services.bulk import (
    insert_rows,
    next_id,
    refresh_statistics,
    resync_sequences,
)
from mtc_desktop.services.taxpayers import (
    _ACCOUNT_PREFIX,
    account_number,
    create_taxpayer,
    next_number,
    search_text_for,
)
from mtc_desktop.store.database import environment_errors
from mtc_desktop.store.models import (
    AccessGrant,
    AuditEvent,
    Counter,
    Logon,
    TaxAccount,
    Taxpayer,
    db,
)

COLUMNS = (
    "id_type",
    "id_number",
    "legal_name",
    "taxpayer_type",
    "account_type",
    "mailing_address",
)
OPTIONAL_COLUMNS = ("account_number",)
MAX_ADDRESS_LENGTH = 1000
_KIND_LABELS = {TaxpayerKind.INDIVIDUAL: "Individual", TaxpayerKind.BUSINESS: "Business"}
_ACCOUNT_NUMBER = re.compile(r"^([A-Z]{3})-(\d{8})$")
_CHUNK = 5000
_LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class RegistryAccount:
    id: int
    account_type: AccountType
    account_number: str
    closed: bool


@dataclass(frozen=True)
class RegistryTaxpayer:
    id: int
    id_type: IdType
    masked_id: str
    legal_name: str
    kind: TaxpayerKind
    address: str
    has_logon: bool
    accounts: tuple[RegistryAccount, ...]


@dataclass(frozen=True)
class RowProblem:
    """A bad row (or a problem of the whole file) by the file's line number; the header is
    line 1."""

    line: int
    message: str


@dataclass(frozen=True)
class ImportReport:
    rows: int
    taxpayers_added: int
    accounts_added: int
    unchanged: int
    problems: tuple[RowProblem, ...]
    written: bool
    cancelled: bool
    # Check only: the counts say what an import would add; nothing was written.
    dry_run: bool = False
    # Known taxpayers whose blank mailing address the file filled in.
    addresses_added: int = 0
    # Good rows that add something (written, or to be written once the file is fixed).
    rows_new: int = 0

    def summary(self) -> str:
        """One line for the window or the terminal."""
        if self.cancelled:
            return "The import was canceled: nothing was imported."
        bad = len(self.problems)
        rows_bad = f"{bad} row{'s' if bad != 1 else ''} need{'s' if bad == 1 else ''} fixing"
        if self.rows == 0 and self.problems:
            return f"Nothing was imported: {self.problems[0].message}"
        parts = []
        if self.taxpayers_added:
            parts.append(_count(self.taxpayers_added, "taxpayer"))
        if self.accounts_added:
            parts.append(_count(self.accounts_added, "tax account"))
        if self.addresses_added:
            parts.append(_count(self.addresses_added, "mailing address", "mailing addresses"))
        added = " and ".join(parts) if len(parts) < 3 else f"{parts[0]}, {parts[1]} and {parts[2]}"
        added = added or "nothing"
        same = (
            f"{self.unchanged:,} row{'s' if self.unchanged != 1 else ''} "
            f"{'were' if self.unchanged != 1 else 'was'} already in the registry"
        )
        if self.dry_run:
            text = f"Checked, nothing written: {added} would be added"
            if self.unchanged:
                text += f"; {same}"
            return text + (f"; {rows_bad}." if bad else ".")
        if not self.written:
            if bad and self.rows_new:
                return f"Nothing was imported: {rows_bad}."
            if bad:
                return (
                    f"Nothing new to import: {same}; {rows_bad}."
                    if self.unchanged
                    else f"Nothing was imported: {rows_bad}."
                )
            return "The registry already holds every row of this file: nothing changed."
        text = f"{added[0].upper()}{added[1:]} added"
        if self.unchanged:
            text += f"; {same}"
        if bad:
            text += f"; {bad} row{'s' if bad != 1 else ''} with problems skipped"
        return text + "."


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


# --- one at a time ---------------------------------------------------------------------


def _registry_account(account: TaxAccount) -> RegistryAccount:
    return RegistryAccount(
        id=account.id,
        account_type=AccountType(account.account_type),
        account_number=account.account_number,
        closed=account.closed_at is not None,
    )


def _registry_views(taxpayers: list[Taxpayer]) -> list[RegistryTaxpayer]:
    ids = [t.id for t in taxpayers]
    accounts: dict[int, list[RegistryAccount]] = {i: [] for i in ids}
    with_logon: set[int | None] = set()
    for chunk in _chunks(ids, _LOOKUP_CHUNK):
        for account in (
            TaxAccount.select().where(TaxAccount.taxpayer.in_(chunk)).order_by(TaxAccount.id)
        ):
            accounts[account.taxpayer_id].append(_registry_account(account))
        with_logon.update(
            row.taxpayer_id for row in Logon.select(Logon.taxpayer).where(Logon.taxpayer.in_(chunk))
        )
    return [
        RegistryTaxpayer(
            id=t.id,
            id_type=IdType(t.id_type),
            masked_id=mask_id(IdType(t.id_type), t.id_number),
            legal_name=t.legal_name,
            kind=TaxpayerKind(t.kind),
            address=t.address,
            has_logon=t.id in with_logon,
            accounts=tuple(accounts[t.id]),
        )
        for t in taxpayers
    ]


def _clean_address(raw: str, *, required: bool) -> str:
    text = "\n".join(line.strip() for line in raw.replace("\r\n", "\n").split("\n"))
    text = text.strip("\n")
    if not text.strip():
        if required:
            raise InvalidInput(
                "Enter the mailing address; DOR's letters and the Client Authorization "
                "form use it.",
                "address",
            )
        return ""
    return clean_text(text, "mailing address", "address", MAX_ADDRESS_LENGTH)


def _check_identity(id_type: IdType, id_number: str, kind: TaxpayerKind) -> str:
    if id_type is IdType.ITIN and kind is TaxpayerKind.BUSINESS:
        raise InvalidInput(
            "An ITIN belongs to an individual; register a business with its FEIN.", "id_type"
        )
    return normalize_id(id_type, id_number)


def _taxpayer_of(taxpayer_id: int) -> Taxpayer:
    taxpayer = Taxpayer.get_or_none(Taxpayer.id == taxpayer_id)
    if taxpayer is None:
        raise NotFound("There is no such taxpayer in the registry.")
    return taxpayer


@writing
def register_taxpayer(
    actor: Actor,
    id_type: IdType,
    id_number: str,
    legal_name: str,
    kind: TaxpayerKind,
    address: str,
) -> RegistryTaxpayer:
    """A taxpayer DOR knows from now on (DOR staff only): one per ID."""
    require_role(actor, Role.DOR_STAFF)
    errors: dict[str, str] = {}
    digits = name = text = ""
    try:
        digits = _check_identity(id_type, id_number, kind)
    except InvalidInput as exc:
        errors.update(exc.errors)
    try:
        name = clean_name(legal_name)
    except InvalidInput as exc:
        errors.update(exc.errors)
    try:
        text = _clean_address(address, required=True)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    same_id = (Taxpayer.id_type == id_type.value) & (Taxpayer.id_number == digits)
    known = Taxpayer.get_or_none(same_id)
    if known is not None:
        raise InvalidInput(_known_message(id_type, known), "id_number")
    try:
        with db.atomic():
            taxpayer = create_taxpayer(id_type, digits, name, kind, address=text)
    except IntegrityError:  # another workstation registered it a moment ago
        known = Taxpayer.get(same_id)
        raise InvalidInput(_known_message(id_type, known), "id_number") from None
    audit.record(actor, "taxpayer_registered", taxpayer=taxpayer.id, kind=kind.value)
    return _registry_views([taxpayer])[0]


def _known_message(id_type: IdType, known: Taxpayer) -> str:
    return (
        f"The registry already has a taxpayer with this {id_type.value}: {known.legal_name}. "
        "Find them with the search field to add tax accounts."
    )


@reading
def find_taxpayers(actor: Actor, text: str, limit: int = 200) -> list[RegistryTaxpayer]:
    """Registered taxpayers whose legal name holds every word typed, or whose ID holds the
    digits typed (dashes and spaces ignored), by name."""
    require_role(actor, Role.DOR_STAFF)
    query = Taxpayer.select()
    compact = re.sub(r"[\s\-]", "", text)
    if compact.isdigit():
        query = query.where(Taxpayer.id_number.contains(compact))
    else:
        for word in search_words(text):
            query = query.where(Taxpayer.search_text.contains(word))
    taxpayers = list(query.order_by(Taxpayer.name_key, Taxpayer.id).limit(max(1, limit)))
    return _registry_views(taxpayers)


@reading
def registry_taxpayer(actor: Actor, taxpayer_id: int) -> RegistryTaxpayer:
    require_role(actor, Role.DOR_STAFF)
    return _registry_views([_taxpayer_of(taxpayer_id)])[0]


def _parse_account_number(account_type: AccountType, raw: str) -> tuple[str, int]:
    """A typed account number as stored, and its serial; the format the program makes."""
    text = raw.strip().upper()
    prefix = _ACCOUNT_PREFIX[account_type]
    match = _ACCOUNT_NUMBER.match(text)
    if match is None or match.group(1) != prefix:
        raise InvalidInput(
            f"A {account_type.label} account number is {prefix}- and 8 digits, e.g. "
            f"{account_number(account_type, 1234)}; leave it blank to have one made.",
            "account_number",
        )
    serial = int(match.group(2))
    if serial == 0:
        raise InvalidInput(
            f"The account number {text} has serial 00000000, which is never issued.",
            "account_number",
        )
    return text, serial


def _keep_counter_past(serial: int) -> None:
    """Generated numbers must never meet a typed one: the counter moves past it."""
    next_number("account")
    Counter.update(value=serial).where(
        (Counter.name == "account") & (Counter.value < serial)
    ).execute()


@writing
def add_tax_account(
    actor: Actor, taxpayer_id: int, account_type: AccountType, account_number: str = ""
) -> RegistryAccount:
    """A new tax account of a registered taxpayer; its number made when left blank."""
    require_role(actor, Role.DOR_STAFF)
    taxpayer = _taxpayer_of(taxpayer_id)
    if account_number.strip():
        number, serial = _parse_account_number(account_type, account_number)
        if TaxAccount.select().where(TaxAccount.account_number == number).exists():
            raise InvalidInput(
                f"The account number {number} is taken; type another or leave it blank.",
                "account_number",
            )
        _keep_counter_past(serial)
    else:
        number = ""
        while not number or TaxAccount.select().where(TaxAccount.account_number == number).exists():
            number = _generated_number(account_type)
    try:
        with db.atomic():
            account = TaxAccount.create(
                taxpayer=taxpayer, account_type=account_type.value, account_number=number
            )
    except IntegrityError:
        raise InvalidInput(
            f"The account number {number} was just taken; type another or leave it blank.",
            "account_number",
        ) from None
    audit.record(
        actor,
        "tax_account_added",
        taxpayer=taxpayer.id,
        account=account.id,
        account_type=account_type.value,
        number=number,
    )
    _grant_owner_firm(taxpayer, account)
    return _registry_account(account)


def _generated_number(account_type: AccountType) -> str:
    return account_number(account_type, next_number("account"))


def _grant_owner_firm(taxpayer: Taxpayer, account: TaxAccount) -> None:
    """A firm manages its own business's accounts (taxpayers.grant_own_business): a new
    account of a firm's identity is granted to the firm's logons too."""
    from mtc_desktop.services.taxpayers import grant_own_business

    for logon in Logon.select().where(
        (Logon.taxpayer == taxpayer.id) & (Logon.role == Role.THIRD_PARTY.value)
    ):
        grant_own_business(logon, taxpayer)


@writing
def change_address(actor: Actor, taxpayer_id: int, address: str) -> RegistryTaxpayer:
    """Set a registered taxpayer's mailing address (DOR staff only): the one the Client
    Authorization prints and DOR's letters go to."""
    require_role(actor, Role.DOR_STAFF)
    taxpayer = _taxpayer_of(taxpayer_id)
    text = _clean_address(address, required=True)
    if text == taxpayer.address:
        raise StateConflict("This is the mailing address the registry has already.")
    Taxpayer.update(address=text).where(Taxpayer.id == taxpayer.id).execute()
    audit.record(actor, "taxpayer_address_changed", taxpayer=taxpayer.id)
    return _registry_views([Taxpayer.get_by_id(taxpayer.id)])[0]


@writing
def close_tax_account(actor: Actor, account_id: int) -> int:
    """Close an account: it keeps its history, is no longer offered in new requests, and
    every active grant on it ends, with the emails the FAQ's cancellation sends to both
    sides. Returns how many grants ended. A pending request that names the account stays
    pending; its taxpayer can no longer give rights on the closed account."""
    require_role(actor, Role.DOR_STAFF)
    account = TaxAccount.get_or_none(TaxAccount.id == account_id)
    if account is None:
        raise NotFound("There is no such tax account.")
    if account.closed_at is not None:
        raise StateConflict(f"The account {account.account_number} is closed already.")
    when = now()
    TaxAccount.update(closed_at=when).where(TaxAccount.id == account.id).execute()
    taxpayer = Taxpayer.get_by_id(account.taxpayer_id)
    label = f"{AccountType(account.account_type).label} {account.account_number}"
    audit.record(
        actor, "tax_account_closed", taxpayer=taxpayer.id, account=account.id, number=label
    )
    grants = list(
        AccessGrant.select().where(
            (AccessGrant.account == account.id) & (AccessGrant.status == GrantStatus.ACTIVE.value)
        )
    )
    for grant in grants:
        AccessGrant.update(
            status=GrantStatus.CANCELLED.value,
            cancelled_at=when,
            cancelled_by=actor.logon_id,
            changed_at=when,
        ).where(AccessGrant.id == grant.id).execute()
        audit.record(
            actor,
            "grant_cancelled",
            third_party=grant.third_party_id,
            taxpayer=taxpayer.id,
            account=account.id,
            level=grant.level,
            by="dor_account_closed",
        )
        firm = Logon.get_by_id(grant.third_party_id)
        if firm.taxpayer_id == taxpayer.id:
            continue  # the firm's own business: it is told as the taxpayer below
        notifications.email_logon(
            firm,
            f"Your access to an account of {taxpayer.legal_name} was canceled",
            f"DOR closed the tax account {label} of {taxpayer.legal_name} "
            f"({mask_id(IdType(taxpayer.id_type), taxpayer.id_number)}), so your access to "
            "it has ended.\n",
        )
    if grants:
        names = "\n".join(f"  - {Logon.get_by_id(g.third_party_id).display_name}" for g in grants)
        notifications.email_taxpayer(
            taxpayer,
            f"Third-party access to your account {account.account_number} was canceled",
            f"DOR closed your tax account {label}. These third parties no longer have "
            f"access to it:\n{names}\n",
        )
    return len(grants)


# --- the CSV file ----------------------------------------------------------------------


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_ACCOUNT_TYPES: dict[str, AccountType] = {}
for _type in AccountType:
    _ACCOUNT_TYPES[name_key(_type.label)] = _type
    _ACCOUNT_TYPES[_type.value] = _type
_ID_TYPES = {t.value.casefold(): t for t in IdType}
_KINDS = {label.casefold(): kind for kind, label in _KIND_LABELS.items()}
_KNOWN_LABELS = ", ".join(t.label for t in AccountType)


@dataclass
class _Row:
    line: int
    id_type: IdType
    digits: str
    name: str
    kind: TaxpayerKind
    account_type: AccountType
    address: str
    number: str
    serial: int


class _Cancelled(Exception):
    pass


def _not_csv(data: bytes) -> str | None:
    """Why these bytes are not a CSV text file, or None."""
    head = data[:8192]
    if head.startswith(b"%PDF"):
        return "This is a PDF file, not a CSV file. Choose the registry's .csv file."
    if head.startswith(b"PK\x03\x04"):
        return (
            "This is a spreadsheet workbook or another zip file, not a CSV file. In the "
            "spreadsheet program, save it as CSV UTF-8 and import that file."
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "This file is UTF-16 text; save it as CSV UTF-8 and import that file."
    if b"\x00" in head:
        return (
            "This is not a CSV text file (it holds binary data). Choose the registry's .csv file."
        )
    return None


def _bad_bytes(value: str) -> str | None:
    for char in value:
        if "\udc80" <= char <= "\udcff":
            return f"0x{ord(char) - 0xDC00:02X}"
    return None


def _read_source(source: Path | bytes) -> bytes:
    if isinstance(source, bytes):
        return source
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise EnvironmentProblem(f"Cannot read {source}: {exc.strerror or exc}.") from exc


@dataclass
class _Parsed:
    rows: list[_Row]
    problems: list[RowProblem]
    count: int


def _parse(data: bytes, tick: Callable[[int], None]) -> _Parsed:
    """Every row of the file, checked on its own; the problems by line."""
    why = _not_csv(data)
    if why:
        return _Parsed([], [RowProblem(1, why)], 0)
    text = data.decode("utf-8-sig", "surrogateescape")
    if not text.strip():
        return _Parsed(
            [],
            [
                RowProblem(
                    1,
                    "The file is empty. A registry file starts with the header line "
                    + ",".join(COLUMNS)
                    + ".",
                )
            ],
            0,
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        return _Parsed([], [RowProblem(1, f"The header line cannot be read: {exc}.")], 0)
    names = [h.strip().casefold() for h in header]
    bad = _bad_bytes(",".join(header))
    if bad:
        return _Parsed([], [RowProblem(1, _encoding_message(bad))], 0)
    missing = [c for c in COLUMNS if c not in names]
    unknown = [n for n in names if n not in COLUMNS and n not in OPTIONAL_COLUMNS]
    twice = sorted({n for n in names if names.count(n) > 1})
    if missing or unknown or twice:
        parts = []
        if missing:
            parts.append(
                f"the header has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''}"
            )
        if unknown:
            parts.append(f"it has unknown columns: {', '.join(repr(u) for u in unknown[:5])}")
        if twice:
            parts.append(f"it names {', '.join(twice)} twice")
        message = "; ".join(parts)
        return _Parsed(
            [],
            [
                RowProblem(
                    1,
                    f"{message[0].upper()}{message[1:]}. The header must be "
                    + ",".join(COLUMNS)
                    + " (and may add account_number).",
                )
            ],
            0,
        )
    index = {n: i for i, n in enumerate(names)}
    rows: list[_Row] = []
    problems: list[RowProblem] = []
    count = 0
    line = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(
                RowProblem(line, f"This line cannot be read as CSV ({exc}); check its quotes.")
            )
            count += 1
            break
        start, line = line, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue  # a blank line
        count += 1
        if count % 2000 == 0:
            tick(count)
        if len(values) != len(names):
            problems.append(
                RowProblem(
                    start,
                    f"This row has {len(values)} values; the header has {len(names)}. Put a "
                    "value that holds a comma in double quotes.",
                )
            )
            continue
        bad = _bad_bytes(",".join(values))
        if bad:
            problems.append(RowProblem(start, _encoding_message(bad)))
            continue
        row = _check_row(start, values, index)
        if isinstance(row, RowProblem):
            problems.append(row)
        else:
            rows.append(row)
    if count == 0 and not problems:
        problems.append(RowProblem(1, "The file has a header but no rows: nothing to import."))
    return _Parsed(rows, problems, count)


def _encoding_message(byte: str) -> str:
    return (
        f"This row is not UTF-8 text (it holds the byte {byte}, as Latin-1 or Windows "
        "spreadsheets write accented letters). Save the file as CSV UTF-8 and import it again."
    )


def _check_row(line: int, values: list[str], index: dict[str, int]) -> _Row | RowProblem:
    def value(column: str) -> str:
        at = index.get(column)
        return values[at].strip() if at is not None else ""

    errors: list[str] = []
    raw_type = value("id_type")
    id_type = _ID_TYPES.get(raw_type.casefold())
    if id_type is None:
        errors.append(
            f"Unknown ID type {raw_type!r}: use SSN, ITIN or FEIN."
            if raw_type
            else "The id_type is blank: use SSN, ITIN or FEIN."
        )
    raw_kind = value("taxpayer_type")
    kind = _KINDS.get(raw_kind.casefold())
    if kind is None:
        errors.append(
            f"Unknown taxpayer type {raw_kind!r}: use Individual or Business."
            if raw_kind
            else "The taxpayer_type is blank: use Individual or Business."
        )
    digits = ""
    if id_type is not None and kind is not None:
        try:
            digits = _check_identity(id_type, value("id_number"), kind)
        except InvalidInput as exc:
            errors.append(exc.message)
    elif id_type is not None:
        try:
            digits = normalize_id(id_type, value("id_number"))
        except InvalidInput as exc:
            errors.append(exc.message)
    name = ""
    try:
        name = clean_name(value("legal_name"))
    except InvalidInput as exc:
        errors.append(exc.message)
    raw_account = value("account_type")
    account_type = _ACCOUNT_TYPES.get(name_key(raw_account))
    if account_type is None:
        errors.append(
            f"Unknown account type {raw_account!r}: use one of {_KNOWN_LABELS}."
            if raw_account
            else f"The account_type is blank: use one of {_KNOWN_LABELS}."
        )
    address = ""
    try:
        address = _clean_address(value("mailing_address"), required=False)
    except InvalidInput as exc:
        errors.append(exc.message)
    number, serial = "", 0
    if account_type is not None and value("account_number"):
        try:
            number, serial = _parse_account_number(account_type, value("account_number"))
        except InvalidInput as exc:
            errors.append(exc.message)
    if errors:
        return RowProblem(line, " ".join(errors))
    assert id_type is not None
    assert kind is not None
    assert account_type is not None
    return _Row(line, id_type, digits, name, kind, account_type, address, number, serial)


@dataclass
class _Known:
    id: int
    legal_name: str
    name_key: str
    kind: str
    address: str


@dataclass
class _Plan:
    new_taxpayers: dict[tuple[str, str], _Row]
    new_accounts: list[tuple[tuple[str, str], _Row]]
    fill_address: dict[int, str]
    known: dict[tuple[str, str], _Known]
    unchanged: int
    problems: list[RowProblem]
    rows_new: int = 0


def _known_taxpayers(rows: list[_Row]) -> dict[tuple[str, str], _Known]:
    """The registry's taxpayers among the rows' IDs, looked up by ID type and number (the
    unique index's columns, in its order)."""
    known: dict[tuple[str, str], _Known] = {}
    for id_type in IdType:
        numbers = sorted({r.digits for r in rows if r.id_type is id_type})
        for chunk in _chunks(numbers, _LOOKUP_CHUNK):
            query = Taxpayer.select(
                Taxpayer.id,
                Taxpayer.id_type,
                Taxpayer.id_number,
                Taxpayer.legal_name,
                Taxpayer.name_key,
                Taxpayer.kind,
                Taxpayer.address,
            ).where((Taxpayer.id_type == id_type.value) & Taxpayer.id_number.in_(chunk))
            t: tuple[Any, ...]
            for t in query.tuples():  # type: ignore[assignment]
                known[(t[1], t[2])] = _Known(t[0], t[3], t[4], t[5], t[6])
    return known


def _plan(rows: list[_Row], problems: list[RowProblem]) -> _Plan:
    """Check the rows against each other and against the registry; decide what is new."""
    known = _known_taxpayers(rows)
    ids = sorted({k.id for k in known.values()})
    known_types: set[tuple[int, str]] = set()
    for chunk in _chunks(ids, _LOOKUP_CHUNK):
        for account in TaxAccount.select(TaxAccount.taxpayer, TaxAccount.account_type).where(
            TaxAccount.taxpayer.in_(chunk)
        ):
            known_types.add((account.taxpayer_id, account.account_type))
    typed = sorted({r.number for r in rows if r.number})
    known_numbers: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(typed, _LOOKUP_CHUNK):
        for account in TaxAccount.select(
            TaxAccount.account_number, TaxAccount.taxpayer, TaxAccount.account_type
        ).where(TaxAccount.account_number.in_(chunk)):
            known_numbers[account.account_number] = (account.taxpayer_id, account.account_type)

    first: dict[tuple[str, str], _Row] = {}
    in_file_types: dict[tuple[tuple[str, str], str], _Row] = {}
    in_file_numbers: dict[str, _Row] = {}
    plan = _Plan({}, [], {}, known, 0, list(problems))
    for row in rows:
        key = (row.id_type.value, row.digits)
        shown = mask_id(row.id_type, row.digits)
        message = _conflict(row, key, shown, first.get(key), known.get(key))
        if message is None:
            message = _account_conflict(
                row, key, in_file_types, in_file_numbers, known.get(key), known_numbers
            )
        if message is not None:
            plan.problems.append(RowProblem(row.line, message))
            continue
        first.setdefault(key, row)
        in_file_types.setdefault((key, row.account_type.value), row)
        if row.number:
            in_file_numbers[row.number] = row
        taxpayer = known.get(key)
        if taxpayer is None:
            plan.new_taxpayers.setdefault(key, row)
            plan.new_accounts.append((key, row))
            plan.rows_new += 1
            continue
        adds = False
        if row.address and not taxpayer.address and taxpayer.id not in plan.fill_address:
            plan.fill_address[taxpayer.id] = row.address
            adds = True
        exists = (
            row.number in known_numbers
            if row.number
            else (taxpayer.id, row.account_type.value) in known_types
        )
        if not exists:
            plan.new_accounts.append((key, row))
            adds = True
        if adds:
            plan.rows_new += 1
        else:
            plan.unchanged += 1
    plan.problems.sort(key=lambda p: p.line)
    return plan


def _kind_label(kind: str) -> str:
    return _KIND_LABELS[TaxpayerKind(kind)].lower()


def _conflict(
    row: _Row, key: tuple[str, str], shown: str, earlier: _Row | None, known: _Known | None
) -> str | None:
    what = f"The {row.id_type.value} {shown}"
    the = f"the {row.id_type.value} {shown}"
    if earlier is not None:
        if name_key(row.name) != name_key(earlier.name):
            return (
                f"{what} has the legal name {earlier.name!r} on line {earlier.line} and "
                f"{row.name!r} here; one taxpayer has one legal name."
            )
        if row.kind is not earlier.kind:
            return (
                f"{what} is {_KIND_LABELS[earlier.kind].lower()} on line {earlier.line} and "
                f"{_KIND_LABELS[row.kind].lower()} here; one taxpayer has one type."
            )
        if row.address and earlier.address and row.address != earlier.address:
            return (
                f"{what} has another mailing address on line {earlier.line}; give one "
                "taxpayer one address (or leave it blank on the other rows)."
            )
    if known is not None:
        if name_key(row.name) != known.name_key:
            return (
                f"The registry has {the} under the legal name {known.legal_name!r}, not "
                f"{row.name!r}; correct the name or the ID."
            )
        if row.kind.value != known.kind:
            return (
                f"The registry has {the} as {_kind_label(known.kind)}, not "
                f"{_KIND_LABELS[row.kind].lower()}; correct the taxpayer_type."
            )
        if row.address and known.address and row.address != known.address:
            return (
                f"The registry has another mailing address for {the}; an import does not "
                "change addresses (leave it blank, or give the one on file)."
            )
    return None


def _account_conflict(
    row: _Row,
    key: tuple[str, str],
    in_file_types: dict[tuple[tuple[str, str], str], _Row],
    in_file_numbers: dict[str, _Row],
    known: _Known | None,
    known_numbers: dict[str, tuple[int, str]],
) -> str | None:
    label = row.account_type.label
    if row.number:
        other = in_file_numbers.get(row.number)
        if other is not None:
            if other.digits == row.digits and other.id_type is row.id_type:
                return f"This row repeats line {other.line}; remove one of them."
            return f"The account number {row.number} is also on line {other.line}."
        earlier = in_file_types.get((key, row.account_type.value))
        if earlier is not None and not earlier.number:
            return (
                f"Line {earlier.line} already names a {label} account of this taxpayer "
                "without a number; give each row its account number, or remove one."
            )
        held = known_numbers.get(row.number)
        if held is not None and (
            known is None or held[0] != known.id or held[1] != row.account_type.value
        ):
            return (
                f"The registry has the account number {row.number} on another taxpayer's "
                "or another type's account; correct the number or leave it blank."
            )
        return None
    earlier = in_file_types.get((key, row.account_type.value))
    if earlier is not None:
        if not earlier.number:
            return f"This row repeats line {earlier.line}; remove one of them."
        return (
            f"Line {earlier.line} already names a {label} account of this taxpayer; give "
            "this row its account number too, or remove it."
        )
    return None


def import_registry(
    actor: Actor | None,
    source: Path | bytes,
    *,
    skip_invalid: bool = False,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import a registry CSV file (see the module docstring). ``progress(done, total)``
    counts steps over checking and writing; ``cancelled()`` is asked between chunks, and a
    cancel leaves nothing written. ``actor`` None is the command line."""
    data = _read_source(source)
    if actor is not None:
        require_role(actor, Role.DOR_STAFF)

    # Steps: each row checked, then each row written.
    estimate = max(1, data.count(b"\n"))
    total = [estimate * 2]

    def tick(done: int) -> None:
        if cancelled is not None and cancelled():
            raise _Cancelled
        if progress is not None:
            progress(min(done, total[0]), total[0])

    try:
        parsed = _parse(data, tick)
    except _Cancelled:
        return _cancelled_report(dry_run)
    total[0] = max(1, parsed.count * 2)
    tick(parsed.count)
    try:
        if dry_run:
            with environment_errors(), db.atomic():  # read only: no write lock taken
                plan = _plan(parsed.rows, parsed.problems)
            tick(total[0])
            return _report(parsed, plan, written=False, dry_run=True)
        with transaction():
            if actor is not None:
                require_role(actor, Role.DOR_STAFF)
            plan = _plan(parsed.rows, parsed.problems)
            if (plan.problems and not skip_invalid) or not (
                plan.new_taxpayers or plan.new_accounts or plan.fill_address
            ):
                written = False
            else:
                _write(actor, plan, data, tick, parsed.count)
                written = True
    except _Cancelled:
        return _cancelled_report(dry_run)
    if progress is not None:
        progress(total[0], total[0])
    return _report(parsed, plan, written=written, dry_run=False)


def _cancelled_report(dry_run: bool) -> ImportReport:
    return ImportReport(0, 0, 0, 0, (), written=False, cancelled=True, dry_run=dry_run)


def _report(parsed: _Parsed, plan: _Plan, *, written: bool, dry_run: bool) -> ImportReport:
    counting = written or dry_run
    return ImportReport(
        rows=parsed.count,
        taxpayers_added=len(plan.new_taxpayers) if counting else 0,
        accounts_added=len(plan.new_accounts) if counting else 0,
        unchanged=plan.unchanged,
        problems=tuple(plan.problems),
        written=written,
        cancelled=False,
        dry_run=dry_run,
        addresses_added=len(plan.fill_address) if counting else 0,
        rows_new=plan.rows_new,
    )


def _write(
    actor: Actor | None, plan: _Plan, data: bytes, tick: Callable[[int], None], rows: int
) -> None:
    """Write the plan in chunks inside the caller's transaction; each taxpayer and each
    account gets its audit event, and one event records the import."""
    when = now()
    actor_id = actor.logon_id if actor else None
    base_taxpayer = next_id(Taxpayer)
    taxpayer_ids: dict[tuple[str, str], int] = {k: t.id for k, t in plan.known.items()}
    new_keys = list(plan.new_taxpayers)
    for offset, key in enumerate(new_keys):
        taxpayer_ids[key] = base_taxpayer + offset
    generated = sum(1 for _, row in plan.new_accounts if not row.number)
    typed_serial = max((row.serial for _, row in plan.new_accounts), default=0)
    first_serial = next_number("account")
    # Reserve the generated serials, and keep the counter past every typed one.
    last_serial = max(first_serial + generated - 1, typed_serial, first_serial)
    Counter.update(value=last_serial).where(Counter.name == "account").execute()
    taken = _taken_numbers(plan, first_serial, generated)
    serial = first_serial
    # Writing is the second half of the steps: taxpayers and accounts, in proportion.
    writes = max(1, len(new_keys) + len(plan.new_accounts))
    written = 0

    def wrote(count: int) -> None:
        nonlocal written
        written += count
        tick(rows + written * rows // writes)

    for chunk in _chunks(new_keys, _CHUNK):
        rows_t, events = [], []
        for key in chunk:
            row = plan.new_taxpayers[key]
            tid = taxpayer_ids[key]
            rows_t.append(
                {
                    "id": tid,
                    "id_type": row.id_type.value,
                    "id_number": row.digits,
                    "legal_name": row.name,
                    "name_key": name_key(row.name),
                    "search_text": search_text_for(row.name, row.digits),
                    "kind": row.kind.value,
                    "address": row.address,
                    "email": None,
                }
            )
            events.append(
                _event(when, actor_id, "taxpayer_registered", tid, None, row, source="import")
            )
        insert_rows(Taxpayer, rows_t)
        audit.chain_rows(events)
        insert_rows(AuditEvent, events)
        wrote(len(chunk))
    base_account = next_id(TaxAccount)
    for start in range(0, len(plan.new_accounts), _CHUNK):
        chunk_a = plan.new_accounts[start : start + _CHUNK]
        rows_a, events = [], []
        for offset, (key, row) in enumerate(chunk_a):
            aid = base_account + start + offset
            number = row.number
            while not number:
                candidate = account_number(row.account_type, serial)
                serial += 1
                if candidate not in taken:
                    number = candidate
            tid = taxpayer_ids[key]
            rows_a.append(
                {
                    "id": aid,
                    "taxpayer": tid,
                    "account_type": row.account_type.value,
                    "account_number": number,
                    "closed_at": None,
                }
            )
            events.append(
                _event(
                    when,
                    actor_id,
                    "tax_account_added",
                    tid,
                    aid,
                    row,
                    account_type=row.account_type.value,
                    number=number,
                    source="import",
                )
            )
        insert_rows(TaxAccount, rows_a)
        audit.chain_rows(events)
        insert_rows(AuditEvent, events)
        wrote(len(chunk_a))
    if serial > first_serial + generated:  # numbers skipped past typed ones
        Counter.update(value=serial - 1).where(
            (Counter.name == "account") & (Counter.value < serial - 1)
        ).execute()
    for taxpayer_id, address in plan.fill_address.items():
        Taxpayer.update(address=address).where(
            (Taxpayer.id == taxpayer_id) & (Taxpayer.address == "")
        ).execute()
    resync_sequences(Taxpayer, TaxAccount, AuditEvent)
    if len(plan.new_accounts) >= 1000:
        refresh_statistics(Taxpayer, TaxAccount)
    audit.record(
        actor,
        "registry_imported",
        taxpayers_added=len(plan.new_taxpayers),
        accounts_added=len(plan.new_accounts),
        addresses_added=len(plan.fill_address),
        unchanged=plan.unchanged,
        rows_skipped=len(plan.problems),
        file_sha256=hashlib.sha256(data).hexdigest(),
        by="workstation" if actor else "command line",
    )
    _grant_new_accounts_to_owner_firms(plan, taxpayer_ids)


def _taken_numbers(plan: _Plan, first_serial: int, generated: int) -> set[str]:
    """Numbers the generated ones must avoid: the typed ones of this file. The registry's
    own are all below ``first_serial``: the counter is kept past every number typed."""
    return {row.number for _, row in plan.new_accounts if row.number}


def _grant_new_accounts_to_owner_firms(
    plan: _Plan, taxpayer_ids: dict[tuple[str, str], int]
) -> None:
    """New accounts of a known taxpayer that is a firm's own identity: the firm manages
    them, as its other own accounts."""
    from mtc_desktop.services.taxpayers import grant_own_business

    known_with_new = sorted(
        {taxpayer_ids[key] for key, _ in plan.new_accounts if key in plan.known}
    )
    for chunk in _chunks(known_with_new, _LOOKUP_CHUNK):
        for logon in Logon.select().where(
            (Logon.taxpayer.in_(chunk)) & (Logon.role == Role.THIRD_PARTY.value)
        ):
            grant_own_business(logon, Taxpayer.get_by_id(logon.taxpayer_id))


def _event(
    when: Any,
    actor_id: int | None,
    action: str,
    taxpayer: int,
    account: int | None,
    row: _Row,
    **details: Any,
) -> dict[str, Any]:
    import json

    details["line"] = row.line
    return {
        "at": when,
        "actor": actor_id,
        "action": action,
        "third_party": None,
        "taxpayer": taxpayer,
        "request": None,
        "account": account,
        "details": json.dumps(details, sort_keys=True, ensure_ascii=False, default=str),
    }


@reading
def export_registry(actor: Actor | None, target: Path) -> int:
    """Write every registered taxpayer's open tax accounts to ``target`` in the import's
    format (with account numbers); return the rows written. Closed accounts, and taxpayers
    with no open account, are left out: an import would make them open again."""
    from mtc_desktop.store.files import write_private

    if actor is not None:
        require_role(actor, Role.DOR_STAFF)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*COLUMNS, *OPTIONAL_COLUMNS])
    count = 0
    query = (
        TaxAccount.select(
            Taxpayer.id_type,
            Taxpayer.id_number,
            Taxpayer.legal_name,
            Taxpayer.kind,
            TaxAccount.account_type,
            Taxpayer.address,
            TaxAccount.account_number,
        )
        .join(Taxpayer)
        .where(TaxAccount.closed_at.is_null())
        .order_by(Taxpayer.id, TaxAccount.id)
        .tuples()
    )
    for id_type, digits, name, kind, account_type, address, number in query.iterator():
        writer.writerow(
            [
                id_type,
                format_id(IdType(id_type), digits),
                name,
                _KIND_LABELS[TaxpayerKind(kind)],
                AccountType(account_type).label,
                address,
                number,
            ]
        )
        count += 1
    write_private(Path(target), out.getvalue().encode("utf-8"))
    return count


# --- for the window's Close Account confirmation ----------------------------------------


@reading
def third_parties_with_access(actor: Actor, account_id: int) -> int:
    """How many active grants closing the account would end (DOR staff only): the
    *Close Account* confirmation says so before anything changes."""
    require_role(actor, Role.DOR_STAFF)
    return (
        AccessGrant.select()
        .where(
            (AccessGrant.account == account_id) & (AccessGrant.status == GrantStatus.ACTIVE.value)
        )
        .count()
    )
