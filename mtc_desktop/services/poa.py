"""Power of Attorney (Form M-2848) and the information requests it allows.

FAQ, "What is the difference between POA and third party?": a POA is required for a
representative to request the taxpayer's information from DOR (tax returns and other
documentation) and for the waivers the FAQ lists; third-party access lets a representative
file, pay, amend returns and conduct work on MassTaxConnect. Neither implies the other.

- A representative (a third party's logon) prepares a Form M-2848 for a client to sign
  (:func:`prepare_form`), prefilled from the registry; DOR staff record the signed form
  (:func:`record_poa`), typed from the paper or read from the returned PDF
  (:func:`read_returned_poa`). A representative with no logon is recorded by name,
  address and ID.
- The taxpayer revokes a POA (:func:`revoke_poa`); the representative withdraws from it
  (:func:`withdraw_poa`). A POA whose expiry date has passed is no longer in force.
- **Superseding**: a POA recorded for the same representative and taxpayer that shares a
  tax type with an earlier POA in force, over overlapping tax years, supersedes the whole
  earlier POA (its status becomes *superseded*). A newer Form M-2848 replaces the one
  before; a taxpayer who wants both keeps them apart by tax type or years. The
  confirmation and the emails name what was superseded.
- An information request (:func:`request_information`) is accepted only under a POA in
  force that authorises receiving returns and documentation and covers the tax type and
  year; with third-party access alone it is refused by :class:`PoaRequired`, whose message
  says the difference and that the representative can prepare a Form M-2848. DOR staff
  record each request as fulfilled (the POA must still cover it) or refused.

Every change writes its audit event and emails both sides in the same transaction. A
representative with no logon has no email address in the program: DOR tells them by post.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mtc_desktop.domain.errors import InvalidInput, NotAllowed, NotFound, StateConflict
from mtc_desktop.domain.ids import IdType, mask_id, normalize_id
from mtc_desktop.domain.model import AccountType, GrantStatus, Role, TaxpayerKind
from mtc_desktop.domain.poa import (
    InformationKind,
    InformationStatus,
    PoaAct,
    PoaStatus,
    check_years,
    overlaps,
    years_label,
)
from mtc_desktop.domain.text import MAX_NAME_LENGTH, clean_name, clean_text
from mtc_desktop.services import audit, notifications, requests
from mtc_desktop.services.base import (
    Actor,
    now,
    reading,
    require_role,
    require_taxpayer_side,
    transaction,
)
from mtc_desktop.services.taxpayers import masked, next_number
from mtc_desktop.store.models import (
    AccessGrant,
    InformationRequest,
    Logon,
    PoaForm,
    PoaTaxType,
    PowerOfAttorney,
    TaxAccount,
    Taxpayer,
)

MAX_ADDRESS_LENGTH = 1000
MAX_DETAILS_LENGTH = 2000
QR_PREFIX = "MTC-POA"

NO_SUCH_POA = "There is no such Power of Attorney."


class PoaRequired(NotAllowed):
    """The request needs a Power of Attorney the representative does not hold; the GUI
    offers to prepare Form M-2848 for ``taxpayer_id``."""

    def __init__(self, message: str, taxpayer_id: int) -> None:
        self.taxpayer_id = taxpayer_id
        super().__init__(message)


# --- views ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Representative:
    logon_id: int | None  # None: a representative with no logon
    username: str  # "" without a logon
    name: str
    address: str
    id_type: IdType
    masked_id: str


@dataclass(frozen=True)
class PoaView:
    id: int
    number: str
    taxpayer_id: int
    taxpayer_name: str
    taxpayer_masked_id: str
    representative: Representative
    tax_types: tuple[AccountType, ...]
    first_year: int
    last_year: int
    acts: tuple[PoaAct, ...]
    signed_on: dt.date
    expires_on: dt.date | None
    status: PoaStatus
    recorded_at: dt.datetime
    ended_at: dt.datetime | None
    superseded_by: str | None  # the number of the POA that superseded it
    form_number: str | None
    expired: bool  # active, but its expiry date has passed

    @property
    def in_force(self) -> bool:
        return self.status is PoaStatus.ACTIVE and not self.expired

    @property
    def status_label(self) -> str:
        if self.status is PoaStatus.ACTIVE and self.expired:
            return "Expired"
        if self.status is PoaStatus.SUPERSEDED and self.superseded_by:
            return f"Superseded by {self.superseded_by}"
        return self.status.label

    @property
    def years(self) -> str:
        return years_label(self.first_year, self.last_year)

    @property
    def tax_types_label(self) -> str:
        return ", ".join(t.label for t in self.tax_types)

    def covers(self, account_type: AccountType, year: int) -> bool:
        return account_type in self.tax_types and self.first_year <= year <= self.last_year


def _today() -> dt.date:
    return now().date()


def _as_date(value: object) -> dt.date | None:
    """A DateField as read back: SQLite may give text."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _acts(text: str) -> tuple[PoaAct, ...]:
    values = set(filter(None, text.split(",")))
    return tuple(act for act in PoaAct if act.value in values)


def _types_of(poa_ids: Iterable[int]) -> dict[int, tuple[AccountType, ...]]:
    ids = list(poa_ids)
    found: dict[int, set[str]] = {i: set() for i in ids}
    if ids:
        for row in PoaTaxType.select().where(PoaTaxType.poa.in_(ids)):
            found[row.poa_id].add(row.account_type)
    return {i: tuple(t for t in AccountType if t.value in found[i]) for i, _ in found.items()}


def _views(rows: Sequence[PowerOfAttorney]) -> list[PoaView]:
    types = _types_of(r.id for r in rows)
    later = {
        p.id: p.number
        for p in PowerOfAttorney.select(PowerOfAttorney.id, PowerOfAttorney.number).where(
            PowerOfAttorney.id.in_([r.superseded_by_id for r in rows if r.superseded_by_id])
        )
    }
    today = _today()
    out = []
    for row in rows:
        taxpayer: Taxpayer = row.taxpayer
        logon: Logon | None = row.representative
        expires = _as_date(row.expires_on)
        signed = _as_date(row.signed_on)
        assert signed is not None
        out.append(
            PoaView(
                id=row.id,
                number=row.number,
                taxpayer_id=taxpayer.id,
                taxpayer_name=taxpayer.legal_name,
                taxpayer_masked_id=masked(taxpayer),
                representative=Representative(
                    logon_id=logon.id if logon is not None else None,
                    username=logon.username if logon is not None else "",
                    name=row.rep_name,
                    address=row.rep_address,
                    id_type=IdType(row.rep_id_type),
                    masked_id=mask_id(IdType(row.rep_id_type), row.rep_id_number),
                ),
                tax_types=types[row.id],
                first_year=row.first_year,
                last_year=row.last_year,
                acts=_acts(row.acts),
                signed_on=signed,
                expires_on=expires,
                status=PoaStatus(row.status),
                recorded_at=row.recorded_at,
                ended_at=row.ended_at,
                superseded_by=later.get(row.superseded_by_id) if row.superseded_by_id else None,
                form_number=row.form_number,
                expired=expires is not None and expires < today,
            )
        )
    return out


def _view(row: PowerOfAttorney) -> PoaView:
    return _views([row])[0]


def _ordered(query):  # type: ignore[no-untyped-def]
    return query.order_by(PowerOfAttorney.recorded_at.desc(), PowerOfAttorney.id.desc())


# --- reading ----------------------------------------------------------------------------


@reading
def poas_of_my_taxpayer(actor: Actor) -> list[PoaView]:
    """The taxpayer's profile: every POA the taxpayer gave, newest first."""
    taxpayer_id = require_taxpayer_side(actor)
    return _views(
        list(_ordered(PowerOfAttorney.select().where(PowerOfAttorney.taxpayer == taxpayer_id)))
    )


@reading
def poas_for_client(actor: Actor, taxpayer_id: int) -> list[PoaView]:
    """A third party's client page: the POAs naming it for that client, newest first."""
    require_role(actor, Role.THIRD_PARTY)
    return _views(
        list(
            _ordered(
                PowerOfAttorney.select().where(
                    (PowerOfAttorney.taxpayer == taxpayer_id)
                    & (PowerOfAttorney.representative == actor.logon_id)
                )
            )
        )
    )


@reading
def poas_of_taxpayer(actor: Actor, taxpayer_id: int) -> list[PoaView]:
    """DOR staff: every POA a taxpayer gave, newest first."""
    require_role(actor, Role.DOR_STAFF)
    return _views(
        list(_ordered(PowerOfAttorney.select().where(PowerOfAttorney.taxpayer == taxpayer_id)))
    )


@reading
def recent_poas(actor: Actor, limit: int = 200) -> list[PoaView]:
    """DOR staff: the POAs recorded most recently."""
    require_role(actor, Role.DOR_STAFF)
    return _views(list(_ordered(PowerOfAttorney.select()).limit(limit)))


@reading
def get_poa(actor: Actor, poa_id: int) -> PoaView:
    """One POA, for its taxpayer, its representative, or DOR staff."""
    row = _load_visible(actor, poa_id)
    return _view(row)


def _load_visible(actor: Actor, poa_id: int) -> PowerOfAttorney:
    logon = require_role(actor, Role.TAXPAYER, Role.THIRD_PARTY, Role.DOR_STAFF)
    row = PowerOfAttorney.get_or_none(PowerOfAttorney.id == poa_id)
    if row is None:
        raise NotFound(NO_SUCH_POA)
    if actor.is_dor_staff:
        return row
    if row.representative_id == logon.id:
        return row
    if actor.taxpayer_id is not None and row.taxpayer_id == actor.taxpayer_id:
        return row
    raise NotFound(NO_SUCH_POA)


@dataclass(frozen=True)
class TaxpayerForPoa:
    """The taxpayer a signed form names, as DOR staff find it by ID."""

    taxpayer_id: int
    legal_name: str
    masked_id: str
    tax_types: tuple[AccountType, ...]  # of the taxpayer's accounts, open or closed


@reading
def find_taxpayer_for_poa(actor: Actor, id_type: IdType, id_number: str) -> TaxpayerForPoa:
    """DOR staff: the registered taxpayer with this ID (the form's Part 1)."""
    require_role(actor, Role.DOR_STAFF)
    digits = normalize_id(id_type, id_number)
    taxpayer = Taxpayer.get_or_none(
        (Taxpayer.id_type == id_type.value) & (Taxpayer.id_number == digits)
    )
    if taxpayer is None:
        raise NotFound(
            f"No registered taxpayer has the {id_type.value} {mask_id(id_type, digits)}. Check "
            "the ID on the form, or register the taxpayer first."
        )
    types = {
        a.account_type
        for a in TaxAccount.select(TaxAccount.account_type).where(
            TaxAccount.taxpayer == taxpayer.id
        )
    }
    return TaxpayerForPoa(
        taxpayer_id=taxpayer.id,
        legal_name=taxpayer.legal_name,
        masked_id=masked(taxpayer),
        tax_types=tuple(t for t in AccountType if t.value in types),
    )


# --- recording a POA (DOR staff) --------------------------------------------------------


@dataclass(frozen=True)
class PoaDraft:
    """A signed Form M-2848 as DOR staff record it.

    The representative is ``representative_username`` (a third party's logon), or, when
    that is empty, the person named by ``rep_name``, ``rep_address`` and the ID."""

    taxpayer_id: int
    tax_types: tuple[AccountType, ...]
    first_year: int
    last_year: int
    acts: tuple[PoaAct, ...]
    signed_on: dt.date
    expires_on: dt.date | None = None
    representative_username: str = ""
    rep_name: str = ""
    rep_address: str = ""
    rep_id_type: IdType = IdType.SSN
    rep_id_number: str = ""
    form_number: str | None = None  # the prepared form it was signed on


@dataclass(frozen=True)
class RecordedPoa:
    poa: PoaView
    superseded: tuple[str, ...]  # numbers of the earlier POAs it superseded


def _clean_address(raw: str) -> str:
    text = "\n".join(line.strip() for line in raw.replace("\r\n", "\n").split("\n")).strip("\n")
    if not text.strip():
        raise InvalidInput(
            "Enter the representative's mailing address, as written on the form.", "rep_address"
        )
    return clean_text(text, "representative's address", "rep_address", MAX_ADDRESS_LENGTH)


@dataclass(frozen=True)
class _Rep:
    logon: Logon | None
    name: str
    address: str
    id_type: IdType
    id_number: str


def _representative(draft: PoaDraft, taxpayer: Taxpayer) -> _Rep:
    username = draft.representative_username.strip()
    if username:
        from mtc_desktop.domain.text import username_key

        logon = Logon.get_or_none(Logon.username_key == username_key(username))
        if logon is None or logon.role != Role.THIRD_PARTY.value:
            raise InvalidInput(
                f"There is no third party with the username {username[:64]}. Check the "
                "username on the form, or leave it blank and enter the representative's "
                "name, address and ID.",
                "representative_username",
            )
        firm: Taxpayer | None = logon.taxpayer
        if firm is None:  # every third party registers with its SSN or FEIN
            raise InvalidInput(
                f"The third party {logon.username} has no identity on file; enter the "
                "representative's name, address and ID instead.",
                "representative_username",
            )
        if firm.id == taxpayer.id:
            raise InvalidInput(
                "The representative is the taxpayer's own logon; a Power of Attorney names "
                "someone else.",
                "representative_username",
            )
        return _Rep(logon, firm.legal_name, firm.address, IdType(firm.id_type), firm.id_number)
    name = clean_name(draft.rep_name, "representative's name", "rep_name")
    address = _clean_address(draft.rep_address)
    digits = normalize_id(draft.rep_id_type, draft.rep_id_number, "rep_id_number")
    if (draft.rep_id_type.value, digits) == (taxpayer.id_type, taxpayer.id_number):
        raise InvalidInput(
            "The representative's ID is the taxpayer's own; a Power of Attorney names "
            "someone else.",
            "rep_id_number",
        )
    return _Rep(None, name, address, draft.rep_id_type, digits)


def _check_terms(draft: PoaDraft) -> None:
    if not draft.tax_types:
        raise InvalidInput("Mark at least one tax type the Power of Attorney covers.", "tax_types")
    if not draft.acts:
        raise InvalidInput("Mark at least one act the Power of Attorney authorises.", "acts")
    today = _today()
    check_years(draft.first_year, draft.last_year, today)
    if draft.signed_on > today:
        raise InvalidInput(
            f"The date signed ({draft.signed_on:%m/%d/%Y}) is in the future; enter the date "
            "written by the signature.",
            "signed_on",
        )
    if draft.signed_on.year < 1990:
        raise InvalidInput(
            f"The date signed ({draft.signed_on:%m/%d/%Y}) is too long ago; check the year.",
            "signed_on",
        )
    if draft.expires_on is not None:
        if draft.expires_on <= draft.signed_on:
            raise InvalidInput(
                f"The expiry date ({draft.expires_on:%m/%d/%Y}) is not after the date signed "
                f"({draft.signed_on:%m/%d/%Y}); enter the date it ends, or leave it blank.",
                "expires_on",
            )
        if draft.expires_on < today:
            raise InvalidInput(
                f"This Power of Attorney expired on {draft.expires_on:%m/%d/%Y}; an expired "
                "form cannot be recorded. Ask the taxpayer to sign a new one.",
                "expires_on",
            )


def _same_representative(rep: _Rep):  # type: ignore[no-untyped-def]
    if rep.logon is not None:
        return PowerOfAttorney.representative == rep.logon.id
    return (
        PowerOfAttorney.representative.is_null()
        & (PowerOfAttorney.rep_id_type == rep.id_type.value)
        & (PowerOfAttorney.rep_id_number == rep.id_number)
    )


def _form_for(draft: PoaDraft, taxpayer: Taxpayer, rep: _Rep) -> PoaForm | None:
    if draft.form_number is None:
        return None
    number = draft.form_number.strip().upper()
    form = PoaForm.get_or_none(PoaForm.number == number)
    if form is None:
        raise NotFound(f"There is no prepared Form M-2848 numbered {number[:32]}.")
    if form.poa_id is not None:
        recorded = PowerOfAttorney.get_by_id(form.poa_id)
        raise StateConflict(
            f"Form {number} was already recorded as Power of Attorney {recorded.number}; a "
            "form is recorded once. Nothing was changed."
        )
    if (
        form.taxpayer_id != taxpayer.id
        or rep.logon is None
        or form.representative_id != (rep.logon.id)
    ):
        raise InvalidInput(
            f"Form {number} was prepared for another taxpayer or representative; record it "
            "with the taxpayer and representative printed on it.",
            "form_number",
        )
    return form


def record_poa(actor: Actor, draft: PoaDraft) -> RecordedPoa:
    """*Record Power of Attorney*: DOR staff enter a signed Form M-2848."""
    with transaction():
        staff = require_role(actor, Role.DOR_STAFF)
        taxpayer = Taxpayer.get_or_none(Taxpayer.id == draft.taxpayer_id)
        if taxpayer is None:
            raise NotFound("There is no such taxpayer in the registry.")
        rep = _representative(draft, taxpayer)
        _check_terms(draft)
        form = _form_for(draft, taxpayer, rep)
        when = now()
        year = when.year
        poa = PowerOfAttorney.create(
            number=f"POA{year}-{next_number(f'poa-{year}'):06d}",
            taxpayer=taxpayer.id,
            representative=rep.logon.id if rep.logon is not None else None,
            rep_name=rep.name,
            rep_address=rep.address,
            rep_id_type=rep.id_type.value,
            rep_id_number=rep.id_number,
            first_year=draft.first_year,
            last_year=draft.last_year,
            acts=",".join(a.value for a in PoaAct if a in draft.acts),
            signed_on=draft.signed_on,
            expires_on=draft.expires_on,
            form_number=form.number if form is not None else None,
            recorded_by=staff.id,
            recorded_at=when,
        )
        for account_type in AccountType:
            if account_type in draft.tax_types:
                PoaTaxType.create(poa=poa.id, account_type=account_type.value)
        if form is not None:
            PoaForm.update(poa=poa.id).where(PoaForm.id == form.id).execute()
        third_party = rep.logon.id if rep.logon is not None else None
        audit.record(
            actor,
            "poa_recorded",
            third_party=third_party,
            taxpayer=taxpayer.id,
            poa=poa.number,
            tax_types=[t.value for t in AccountType if t in draft.tax_types],
            years=[draft.first_year, draft.last_year],
            acts=poa.acts,
            signed_on=draft.signed_on.isoformat(),
            expires_on=draft.expires_on.isoformat() if draft.expires_on else None,
            representative=rep.name if rep.logon is None else rep.logon.username,
            form=poa.form_number,
        )
        superseded = _supersede(actor, poa, rep, draft)
        view = _view(PowerOfAttorney.get_by_id(poa.id))
        _tell_both(
            view,
            f"Power of Attorney {view.number} recorded",
            f"DOR recorded Power of Attorney {view.number} (Form M-2848 signed "
            f"{view.signed_on:%m/%d/%Y}): {taxpayer.legal_name} ({view.taxpayer_masked_id}) "
            f"authorises {rep.name} for {view.tax_types_label}, tax years {view.years}"
            + (f", until {view.expires_on:%m/%d/%Y}" if view.expires_on else "")
            + ".\nActs authorised:\n"
            + "".join(f"  - {a.label}\n" for a in view.acts)
            + (
                f"It supersedes {', '.join(superseded)}, which no longer "
                f"{'applies' if len(superseded) == 1 else 'apply'}.\n"
                if superseded
                else ""
            )
            + "The taxpayer can revoke it at any time (Manage My Profile → Powers of "
            "Attorney → Revoke). It does not give third-party access on MassTaxConnect.\n",
        )
        return RecordedPoa(view, tuple(superseded))


def _supersede(actor: Actor, new: PowerOfAttorney, rep: _Rep, draft: PoaDraft) -> list[str]:
    """End the earlier POAs in force that the new one overlaps (see the module docstring)."""
    today = _today()
    earlier = list(
        PowerOfAttorney.select().where(
            (PowerOfAttorney.taxpayer == new.taxpayer_id)
            & (PowerOfAttorney.status == PoaStatus.ACTIVE.value)
            & (PowerOfAttorney.id != new.id)
            & _same_representative(rep)
        )
    )
    types = _types_of(p.id for p in earlier)
    done = []
    for old in earlier:
        expires = _as_date(old.expires_on)
        if expires is not None and expires < today:
            continue  # no longer in force: nothing to supersede
        if not set(types[old.id]) & set(draft.tax_types):
            continue
        if not overlaps((old.first_year, old.last_year), (draft.first_year, draft.last_year)):
            continue
        moved = (
            PowerOfAttorney.update(
                status=PoaStatus.SUPERSEDED.value,
                superseded_by=new.id,
                ended_at=now(),
                ended_by=actor.logon_id,
            )
            .where(
                (PowerOfAttorney.id == old.id) & (PowerOfAttorney.status == PoaStatus.ACTIVE.value)
            )
            .execute()
        )
        if moved != 1:
            raise StateConflict(
                f"Power of Attorney {old.number} changed a moment ago; nothing was recorded. "
                "Try again."
            )
        audit.record(
            actor,
            "poa_superseded",
            third_party=old.representative_id,
            taxpayer=old.taxpayer_id,
            poa=old.number,
            by=new.number,
        )
        done.append(old.number)
    return done


def _tell_both(view: PoaView, subject: str, body: str) -> None:
    """Email the taxpayer and the representative (one with a logon; DOR writes by post to
    one without)."""
    notifications.email_taxpayer(Taxpayer.get_by_id(view.taxpayer_id), subject, body)
    if view.representative.logon_id is not None:
        notifications.email_logon(Logon.get_by_id(view.representative.logon_id), subject, body)


# --- ending a POA -------------------------------------------------------------------------


def _end(actor: Actor, row: PowerOfAttorney, status: PoaStatus) -> PoaView:
    view = _view(row)
    if view.status is not PoaStatus.ACTIVE:
        raise StateConflict(
            f"Power of Attorney {view.number} is already {view.status_label.lower()}; "
            "nothing was changed."
        )
    if view.expired:
        assert view.expires_on is not None
        raise StateConflict(
            f"Power of Attorney {view.number} expired on {view.expires_on:%m/%d/%Y}; it no "
            "longer applies, so nothing was changed."
        )
    moved = (
        PowerOfAttorney.update(status=status.value, ended_at=now(), ended_by=actor.logon_id)
        .where((PowerOfAttorney.id == row.id) & (PowerOfAttorney.status == PoaStatus.ACTIVE.value))
        .execute()
    )
    if moved != 1:
        raise StateConflict(
            f"Power of Attorney {view.number} changed a moment ago; nothing was changed. The "
            "list has been refreshed."
        )
    return _view(PowerOfAttorney.get_by_id(row.id))


def revoke_poa(actor: Actor, poa_id: int) -> PoaView:
    """The taxpayer revokes a POA (Manage My Profile → Powers of Attorney → *Revoke*)."""
    with transaction():
        if actor.role is Role.THIRD_PARTY:
            seen = _load_visible(actor, poa_id)
            if seen.taxpayer_id != actor.taxpayer_id:
                raise NotAllowed(
                    "Only the taxpayer can revoke a Power of Attorney; a representative "
                    "withdraws from it instead."
                )
        taxpayer_id = require_taxpayer_side(actor)
        row = PowerOfAttorney.get_or_none(PowerOfAttorney.id == poa_id)
        if row is None or row.taxpayer_id != taxpayer_id:
            raise NotFound(NO_SUCH_POA)
        view = _end(actor, row, PoaStatus.REVOKED)
        audit.record(
            actor,
            "poa_revoked",
            third_party=row.representative_id,
            taxpayer=row.taxpayer_id,
            poa=view.number,
        )
        _tell_both(
            view,
            f"Power of Attorney {view.number} revoked",
            f"{view.taxpayer_name} revoked Power of Attorney {view.number} for "
            f"{view.representative.name} ({view.tax_types_label}, tax years {view.years}). "
            "The representative can no longer request the taxpayer's returns or other "
            "documentation from DOR under it. Third-party access on MassTaxConnect, if any, "
            "is not changed.\n",
        )
        return view


def withdraw_poa(actor: Actor, poa_id: int) -> PoaView:
    """The representative withdraws from a POA (its client page → *Withdraw*)."""
    with transaction():
        if actor.role is Role.TAXPAYER:
            seen = _load_visible(actor, poa_id)
            raise NotAllowed(
                f"Only the representative can withdraw from Power of Attorney {seen.number}; "
                "as the taxpayer, revoke it instead."
            )
        logon = require_role(actor, Role.THIRD_PARTY)
        row = PowerOfAttorney.get_or_none(PowerOfAttorney.id == poa_id)
        if row is None:
            raise NotFound(NO_SUCH_POA)
        if row.representative_id != logon.id:
            if row.taxpayer_id == actor.taxpayer_id:
                raise NotAllowed(
                    "Only the representative can withdraw from a Power of Attorney; as the "
                    "taxpayer, revoke it instead."
                )
            raise NotFound(NO_SUCH_POA)
        view = _end(actor, row, PoaStatus.WITHDRAWN)
        audit.record(
            actor,
            "poa_withdrawn",
            third_party=logon.id,
            taxpayer=row.taxpayer_id,
            poa=view.number,
        )
        _tell_both(
            view,
            f"Power of Attorney {view.number} withdrawn",
            f"{view.representative.name} withdrew from Power of Attorney {view.number} given "
            f"by {view.taxpayer_name} ({view.tax_types_label}, tax years {view.years}). "
            "Third-party access on MassTaxConnect, if any, is not changed.\n",
        )
        return view


# --- Form M-2848: prepared by the representative ------------------------------------------


@dataclass(frozen=True)
class FormChoice:
    """What the representative prefills on a Form M-2848 (the taxpayer may change it)."""

    tax_types: tuple[AccountType, ...]
    first_year: int
    last_year: int
    acts: tuple[PoaAct, ...] = tuple(PoaAct)


@dataclass(frozen=True)
class ClientForForm:
    """The registry's facts a Form M-2848 is prefilled with."""

    taxpayer_id: int
    legal_name: str
    masked_id: str
    kind: TaxpayerKind
    address: str
    tax_types: tuple[AccountType, ...]  # of the taxpayer's open accounts


def _related(actor: Actor, taxpayer_id: int) -> Taxpayer:
    """A taxpayer the third party works with: an active grant, or a POA naming it."""
    taxpayer = Taxpayer.get_or_none(Taxpayer.id == taxpayer_id)
    held = (
        AccessGrant.select()
        .where(
            (AccessGrant.third_party == actor.logon_id)
            & (AccessGrant.taxpayer == taxpayer_id)
            & (AccessGrant.status == GrantStatus.ACTIVE.value)
        )
        .exists()
        or PowerOfAttorney.select()
        .where(
            (PowerOfAttorney.representative == actor.logon_id)
            & (PowerOfAttorney.taxpayer == taxpayer_id)
        )
        .exists()
    )
    if taxpayer is None or not held:
        raise NotFound(
            "This taxpayer is not one of your clients. Request third-party access first, or "
            "ask DOR for a paper Form M-2848."
        )
    return taxpayer


@reading
def client_for_form(actor: Actor, taxpayer_id: int) -> ClientForForm:
    require_role(actor, Role.THIRD_PARTY)
    taxpayer = _related(actor, taxpayer_id)
    if taxpayer.id == actor.taxpayer_id:
        raise InvalidInput(
            "This is your own business; you need no Power of Attorney for it.", "taxpayer"
        )
    open_types = {
        a.account_type
        for a in TaxAccount.select(TaxAccount.account_type).where(
            (TaxAccount.taxpayer == taxpayer.id) & TaxAccount.closed_at.is_null()
        )
    }
    return ClientForForm(
        taxpayer_id=taxpayer.id,
        legal_name=taxpayer.legal_name,
        masked_id=masked(taxpayer),
        kind=TaxpayerKind(taxpayer.kind),
        address=taxpayer.address,
        tax_types=tuple(t for t in AccountType if t.value in open_types),
    )


@dataclass(frozen=True)
class PreparedForm:
    number: str
    pdf: bytes


def form_code() -> str:
    return requests.new_authorization_code()


def qr_text(number: str, code: str) -> str:
    return f"{QR_PREFIX}|{number}|{code}"


def prepare_form(actor: Actor, taxpayer_id: int, choice: FormChoice) -> PreparedForm:
    """*Prepare Form M-2848…*: a numbered form, prefilled from the registry, for the client
    to sign and send to DOR. Raises ``UnprintableText`` when a name cannot be printed."""
    from mtc_desktop.forms.m2848 import M2848Form, render_m2848

    with transaction():
        logon = require_role(actor, Role.THIRD_PARTY)
        client = client_for_form(actor, taxpayer_id)
        if not choice.tax_types:
            raise InvalidInput("Choose at least one tax type for the form.", "tax_types")
        if not choice.acts:
            raise InvalidInput("Choose at least one act for the form.", "acts")
        check_years(choice.first_year, choice.last_year, _today())
        firm = Taxpayer.get_by_id(logon.taxpayer_id)
        when = now()
        number = f"M2848-{when.year}-{next_number(f'poa-form-{when.year}'):06d}"
        code = form_code()
        form = M2848Form(
            number=number,
            prepared_on=when.date(),
            taxpayer_name=client.legal_name,
            taxpayer_masked_id=client.masked_id,
            taxpayer_address=client.address,
            business=client.kind is TaxpayerKind.BUSINESS,
            representative_name=firm.legal_name,
            representative_masked_id=masked(firm),
            representative_address=firm.address,
            representative_username=logon.username,
            representative_email=logon.email,
            tax_types=client.tax_types or choice.tax_types,
            chosen_types=choice.tax_types,
            first_year=choice.first_year,
            last_year=choice.last_year,
            acts=choice.acts,
            code=requests.format_code(code),
            qr_payload=qr_text(number, code),
            audit_hash=audit.latest_hash(),
        )
        pdf = render_m2848(form)
        PoaForm.create(
            number=number,
            code=code,
            taxpayer=client.taxpayer_id,
            representative=logon.id,
            prepared_at=when,
        )
        audit.record(
            actor,
            "poa_form_prepared",
            third_party=logon.id,
            taxpayer=client.taxpayer_id,
            form=number,
            tax_types=[t.value for t in choice.tax_types],
            years=[choice.first_year, choice.last_year],
        )
        return PreparedForm(number, pdf)


# --- Form M-2848: the signed form returned to DOR -----------------------------------------


@dataclass(frozen=True)
class ReturnedPoa:
    """A returned Form M-2848, read and checked: the draft DOR staff confirm and record."""

    draft: PoaDraft
    taxpayer_name: str
    representative_name: str
    printed_name: str
    title: str

    def summary(self) -> str:
        d = self.draft
        types = ", ".join(t.label for t in d.tax_types)
        signer = self.printed_name or "(no printed name)"
        if self.title:
            signer += f", {self.title}"
        return "\n".join(
            [
                f"Form {d.form_number}: {self.taxpayer_name} authorises "
                f"{self.representative_name}.",
                f"Tax types: {types}; tax years {years_label(d.first_year, d.last_year)}.",
                "Acts: " + "; ".join(a.label for a in d.acts) + ".",
                f"Signed by {signer} on {d.signed_on:%m/%d/%Y}"
                + (f"; expires {d.expires_on:%m/%d/%Y}." if d.expires_on else "; no expiry."),
            ]
        )


_DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%m-%d-%Y")


def parse_form_date(text: str, what: str, field: str) -> dt.date:
    """A date as written on the form: MM/DD/YYYY asked for; a few common others read."""
    cleaned = " ".join(text.split())
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    raise InvalidInput(
        f"The {what} on the form, “{cleaned[:40]}”, is not a date (MM/DD/YYYY). Record the "
        "Power of Attorney by hand from the paper form.",
        field,
    )


def _year(text: str, what: str, field: str) -> int:
    cleaned = text.strip()
    if not re.fullmatch(r"\d{4}", cleaned):
        raise InvalidInput(
            f"The {what} on the form, “{cleaned[:20]}”, is not a four-digit year. Record the "
            "Power of Attorney by hand from the paper form.",
            field,
        )
    return int(cleaned)


@reading
def read_returned_poa(actor: Actor, data: bytes | Path) -> ReturnedPoa:
    """Read a returned Form M-2848 (PDF bytes or a path) for DOR staff; changes nothing.

    The file goes through the same guarded reader as a Client Authorization (size and
    header checked, parsed in a separate process with time and memory limits). Raises
    ``FormFileRefused`` for a file that is not a readable Form M-2848, ``InvalidInput``,
    ``NotFound`` or ``StateConflict`` for one that cannot be recorded."""
    from mtc_desktop.forms import m2848
    from mtc_desktop.services.returned_forms import give_rights_value, written_text

    require_role(actor, Role.DOR_STAFF)
    fields = m2848.read_m2848_fields(data)
    number = fields.number.strip().upper()
    form = PoaForm.get_or_none(PoaForm.number == number)
    if form is None:
        raise NotFound(
            f"The form is numbered “{number[:32]}”, but no Form M-2848 with that number was "
            "prepared. Record the Power of Attorney by hand from the paper form."
        )
    code = requests.normalize_code(fields.code)
    if not hmac.compare_digest(code.encode(), form.code.encode()):
        raise InvalidInput(
            f"The code on the form does not match the one printed on form {number}: the form "
            "has been altered, or is not the one prepared. Nothing was recorded; check the "
            "paper form.",
            "code",
        )
    if form.poa_id is not None:
        recorded = PowerOfAttorney.get_by_id(form.poa_id)
        raise StateConflict(
            f"Form {number} was already recorded as Power of Attorney {recorded.number}; a "
            "form is recorded once. Nothing was changed."
        )

    def checked(name: str, label: str) -> bool:
        try:
            return give_rights_value(fields.values.get(name), label)
        except InvalidInput as exc:
            raise InvalidInput(
                f"The box “{label}” on the form holds something other than a check mark or "
                "nothing; it was not filled in by a PDF viewer as printed. Record the Power "
                "of Attorney by hand from the paper form.",
                "form",
            ) from exc

    types = tuple(
        t
        for t in AccountType
        if m2848.tax_type_field(t) in fields.values and checked(m2848.tax_type_field(t), t.label)
    )
    acts = tuple(
        a
        for a in PoaAct
        if m2848.act_field(a) in fields.values and checked(m2848.act_field(a), a.label)
    )
    first = _year(fields.text(m2848.FIRST_YEAR_FIELD), "first tax year", "first_year")
    last = _year(fields.text(m2848.LAST_YEAR_FIELD), "last tax year", "last_year")
    signed_text = written_text(fields.values.get(m2848.DATE_FIELD), "date signed", "signed_on", 40)
    if not signed_text:
        raise InvalidInput(
            "The form has no date signed: it is not signed, or was signed on paper only. "
            "Record the Power of Attorney by hand from the paper form.",
            "signed_on",
        )
    signed = parse_form_date(signed_text, "date signed", "signed_on")
    expiry_text = written_text(
        fields.values.get(m2848.EXPIRES_FIELD), "expiry date", "expires_on", 40
    )
    expires = parse_form_date(expiry_text, "expiry date", "expires_on") if expiry_text else None
    taxpayer = Taxpayer.get_by_id(form.taxpayer_id)
    logon = Logon.get_by_id(form.representative_id)
    draft = PoaDraft(
        taxpayer_id=taxpayer.id,
        tax_types=types,
        first_year=first,
        last_year=last,
        acts=acts,
        signed_on=signed,
        expires_on=expires,
        representative_username=logon.username,
        form_number=number,
    )
    _check_terms(draft)  # the same checks as typed input, before anyone confirms
    return ReturnedPoa(
        draft=draft,
        taxpayer_name=taxpayer.legal_name,
        representative_name=logon.taxpayer.legal_name if logon.taxpayer else logon.display_name,
        printed_name=written_text(
            fields.values.get(m2848.PRINTED_NAME_FIELD),
            "printed name",
            "printed_name",
            MAX_NAME_LENGTH,
        ),
        title=written_text(fields.values.get(m2848.TITLE_FIELD), "title", "title", 100),
    )


# --- information requests ----------------------------------------------------------------


@dataclass(frozen=True)
class InformationView:
    id: int
    number: str
    representative_id: int
    representative_username: str
    representative_name: str
    taxpayer_id: int
    taxpayer_name: str
    taxpayer_masked_id: str
    poa_number: str
    account_type: AccountType
    tax_year: int
    kind: InformationKind
    details: str
    status: InformationStatus
    created_at: dt.datetime
    decided_at: dt.datetime | None
    staff_note: str

    @property
    def what(self) -> str:
        return f"{self.kind.label}, {self.account_type.label} {self.tax_year}"


def _info_view(row: InformationRequest) -> InformationView:
    rep: Logon = row.representative
    taxpayer: Taxpayer = row.taxpayer
    return InformationView(
        id=row.id,
        number=row.number,
        representative_id=rep.id,
        representative_username=rep.username,
        representative_name=rep.display_name,
        taxpayer_id=taxpayer.id,
        taxpayer_name=taxpayer.legal_name,
        taxpayer_masked_id=masked(taxpayer),
        poa_number=row.poa.number,
        account_type=AccountType(row.account_type),
        tax_year=row.tax_year,
        kind=InformationKind(row.kind),
        details=row.details,
        status=InformationStatus(row.status),
        created_at=row.created_at,
        decided_at=row.decided_at,
        staff_note=row.staff_note,
    )


def _covering(
    representative_id: int, taxpayer_id: int, account_type: AccountType, year: int
) -> PoaView | None:
    rows = list(
        PowerOfAttorney.select().where(
            (PowerOfAttorney.representative == representative_id)
            & (PowerOfAttorney.taxpayer == taxpayer_id)
            & (PowerOfAttorney.status == PoaStatus.ACTIVE.value)
        )
    )
    for view in _views(rows):
        if (
            view.in_force
            and PoaAct.RECEIVE_DOCUMENTS in view.acts
            and view.covers(account_type, year)
        ):
            return view
    return None


def _why_not(actor: Actor, taxpayer: Taxpayer, account_type: AccountType, year: int) -> str:
    """Why a request is refused, and what to do: the FAQ's difference, for this case."""
    what = f"{account_type.label} for {year}"
    need = (
        f"Copies of returns and other documentation from DOR need a Power of Attorney (Form "
        f"M-2848) signed by the taxpayer, covering {what}. Choose Prepare Form M-2848… to "
        "print one for the taxpayer to sign; once DOR records it, ask again."
    )
    access = (
        AccessGrant.select()
        .where(
            (AccessGrant.third_party == actor.logon_id)
            & (AccessGrant.taxpayer == taxpayer.id)
            & (AccessGrant.status == GrantStatus.ACTIVE.value)
        )
        .exists()
    )
    poas = _views(
        list(
            _ordered(
                PowerOfAttorney.select().where(
                    (PowerOfAttorney.representative == actor.logon_id)
                    & (PowerOfAttorney.taxpayer == taxpayer.id)
                )
            )
        )
    )
    in_force = [v for v in poas if v.in_force]
    if in_force:
        held = "; ".join(f"{v.number}: {v.tax_types_label}, {v.years}" for v in in_force)
        lead = f"Your Power of Attorney for {taxpayer.legal_name} does not cover {what} ({held})"
        if not any(PoaAct.RECEIVE_DOCUMENTS in v.acts for v in in_force):
            lead = (
                f"Your Power of Attorney for {taxpayer.legal_name} does not authorise "
                "receiving tax returns and other documentation"
            )
        return f"{lead}. {need}"
    ended = [v for v in poas if not v.in_force]
    if ended:
        last = ended[0]
        lead = (
            f"Your Power of Attorney {last.number} for {taxpayer.legal_name} is "
            f"{last.status_label.lower()}"
        )
    elif access:
        lead = (
            f"You have third-party access to {taxpayer.legal_name}: it lets you file, pay, "
            "amend returns and conduct work on MassTaxConnect, but not request the "
            "taxpayer's information from DOR"
        )
    else:
        lead = f"You hold no Power of Attorney for {taxpayer.legal_name}"
    if ended and access:
        lead += " (your third-party access on MassTaxConnect is not a Power of Attorney)"
    return f"{lead}. {need}"


def request_information(
    actor: Actor,
    taxpayer_id: int,
    account_type: AccountType,
    tax_year: int,
    kind: InformationKind,
    details: str = "",
) -> InformationView:
    """*Request Information…*: ask DOR for a copy of a return or other documentation."""
    with transaction():
        logon = require_role(actor, Role.THIRD_PARTY)
        taxpayer = _related(actor, taxpayer_id)
        if taxpayer.id == actor.taxpayer_id:
            raise InvalidInput(
                "This is your own business; ask DOR for its returns as the taxpayer.",
                "taxpayer",
            )
        check_years(tax_year, tax_year, _today())
        text = details.strip()
        if text:
            text = clean_text(text, "description", "details", MAX_DETAILS_LENGTH)
        poa = _covering(logon.id, taxpayer.id, account_type, tax_year)
        if poa is None:
            raise PoaRequired(_why_not(actor, taxpayer, account_type, tax_year), taxpayer.id)
        when = now()
        row = InformationRequest.create(
            number=f"INF{when.year}-{next_number(f'information-{when.year}'):06d}",
            representative=logon.id,
            taxpayer=taxpayer.id,
            poa=poa.id,
            account_type=account_type.value,
            tax_year=tax_year,
            kind=kind.value,
            details=text,
            created_at=when,
        )
        audit.record(
            actor,
            "information_requested",
            third_party=logon.id,
            taxpayer=taxpayer.id,
            number=row.number,
            poa=poa.number,
            kind=kind.value,
            account_type=account_type.value,
            year=tax_year,
        )
        return _info_view(InformationRequest.get_by_id(row.id))


@reading
def my_information_requests(actor: Actor, taxpayer_id: int | None = None) -> list[InformationView]:
    require_role(actor, Role.THIRD_PARTY)
    query = InformationRequest.select().where(InformationRequest.representative == actor.logon_id)
    if taxpayer_id is not None:
        query = query.where(InformationRequest.taxpayer == taxpayer_id)
    return [
        _info_view(r)
        for r in query.order_by(InformationRequest.created_at.desc(), InformationRequest.id.desc())
    ]


@reading
def information_queue(
    actor: Actor, status: InformationStatus | None = InformationStatus.PENDING, limit: int = 500
) -> list[InformationView]:
    """DOR staff: the information requests, oldest pending first."""
    require_role(actor, Role.DOR_STAFF)
    query = InformationRequest.select()
    if status is not None:
        query = query.where(InformationRequest.status == status.value)
    rows = query.order_by(InformationRequest.created_at, InformationRequest.id).limit(limit)
    return [_info_view(r) for r in rows]


def _load_pending(actor: Actor, request_id: int) -> InformationRequest:
    require_role(actor, Role.DOR_STAFF)
    row = InformationRequest.get_or_none(InformationRequest.id == request_id)
    if row is None:
        raise NotFound("There is no such information request.")
    if row.status != InformationStatus.PENDING.value:
        raise StateConflict(
            f"Information request {row.number} was already recorded as "
            f"{InformationStatus(row.status).label.lower()}; nothing was changed."
        )
    return row


def _decide(
    actor: Actor, row: InformationRequest, status: InformationStatus, note: str
) -> InformationView:
    moved = (
        InformationRequest.update(
            status=status.value, decided_at=now(), decided_by=actor.logon_id, staff_note=note
        )
        .where(
            (InformationRequest.id == row.id)
            & (InformationRequest.status == InformationStatus.PENDING.value)
        )
        .execute()
    )
    if moved != 1:
        raise StateConflict(
            f"Information request {row.number} was recorded a moment ago; nothing was changed."
        )
    audit.record(
        actor,
        "information_fulfilled" if status is InformationStatus.FULFILLED else "information_refused",
        third_party=row.representative_id,
        taxpayer=row.taxpayer_id,
        number=row.number,
        note=note,
    )
    view = _info_view(InformationRequest.get_by_id(row.id))
    rep = Logon.get_by_id(row.representative_id)
    if status is InformationStatus.FULFILLED:
        subject = f"Information request {view.number} fulfilled"
        body = (
            f"DOR fulfilled your request {view.number} for {view.taxpayer_name} "
            f"({view.what}) under Power of Attorney {view.poa_number}."
            + (f"\nDOR's note: {note}" if note else "")
            + "\n"
        )
        notifications.email_taxpayer(
            Taxpayer.get_by_id(row.taxpayer_id),
            f"DOR sent your information to {rep.display_name}",
            f"Under Power of Attorney {view.poa_number}, DOR sent {rep.display_name} "
            f"({view.what}), as they requested ({view.number}).\n",
        )
    else:
        subject = f"Information request {view.number} refused"
        body = (
            f"DOR refused your request {view.number} for {view.taxpayer_name} "
            f"({view.what}): {note}\n"
        )
    notifications.email_logon(rep, subject, body)
    notifications.emessage_logon(rep, subject, body)
    return view


def fulfil_information_request(actor: Actor, request_id: int, note: str = "") -> InformationView:
    """DOR staff record that they sent what was asked for. The POA must still cover it."""
    with transaction():
        row = _load_pending(actor, request_id)
        text = clean_text(note, "note", "note", MAX_DETAILS_LENGTH) if note.strip() else ""
        account_type = AccountType(row.account_type)
        if _covering(row.representative_id, row.taxpayer_id, account_type, row.tax_year) is None:
            raise StateConflict(
                f"No Power of Attorney in force covers request {row.number} any more (it was "
                "revoked, withdrawn, superseded or has expired): record it as refused."
            )
        return _decide(actor, row, InformationStatus.FULFILLED, text)


def refuse_information_request(actor: Actor, request_id: int, reason: str) -> InformationView:
    """DOR staff refuse an information request, saying why."""
    with transaction():
        row = _load_pending(actor, request_id)
        text = clean_text(reason, "reason for refusing", "reason", MAX_DETAILS_LENGTH)
        return _decide(actor, row, InformationStatus.REFUSED, text)
