"""Power of Attorney (Massachusetts Form M-2848), beside third-party access.

The FAQ ("What is the difference between POA and third party?"): a Power of Attorney is
required for a representative to request the taxpayer's information from DOR (tax returns
and other documentation) and to act in matters such as the waivers it lists; third-party
access lets a representative file, pay, amend returns and conduct work on MassTaxConnect.
Neither implies the other (DESIGN.md §3).

A POA covers tax types and a span of tax years (periods), names the acts it authorises,
and is recorded by DOR from a signed form. It ends when the taxpayer revokes it, the
representative withdraws, a newer POA supersedes it, or its expiry date passes.
"""

from __future__ import annotations

import datetime as dt
import enum

from mtc_desktop.domain.errors import InvalidInput

# The FAQ's answer, quoted where people meet the difference.
FAQ_DIFFERENCE = (
    "Power of Attorney (POA) is required if the representative is requesting taxpayer "
    "information from DOR, including tax returns and other documentation. This may include, "
    "but is not limited to, executing waivers and offers of waivers of restrictions on "
    "assessments or collection of deficiencies in taxes, and waivers of notice of "
    "disallowance of a claim for credit or refund. A client may designate a third party on "
    "MassTaxConnect to file, pay, amend tax returns and conduct work on their behalf."
)
FAQ_QUESTION = "What is the difference between POA and third party?"

FIRST_TAX_YEAR = 1990  # no period before it is asked for on the form
MAX_YEARS_AHEAD = 5  # a POA may name a few future years, not any year at all


class PoaStatus(enum.Enum):
    ACTIVE = "active"
    REVOKED = "revoked"  # by the taxpayer
    WITHDRAWN = "withdrawn"  # by the representative
    SUPERSEDED = "superseded"  # by a newer POA for the same representative and tax type

    @property
    def label(self) -> str:
        return self.value.capitalize()


POA_TRANSITIONS: dict[PoaStatus, frozenset[PoaStatus]] = {
    PoaStatus.ACTIVE: frozenset({PoaStatus.REVOKED, PoaStatus.WITHDRAWN, PoaStatus.SUPERSEDED}),
    PoaStatus.REVOKED: frozenset(),
    PoaStatus.WITHDRAWN: frozenset(),
    PoaStatus.SUPERSEDED: frozenset(),
}


class PoaAct(enum.Enum):
    """The acts a POA authorises, as the FAQ lists them."""

    RECEIVE_DOCUMENTS = "receive_documents"
    WAIVE_RESTRICTIONS = "waive_restrictions"
    WAIVE_DISALLOWANCE_NOTICE = "waive_disallowance_notice"

    @property
    def label(self) -> str:
        return _ACT_LABELS[self]


_ACT_LABELS = {
    PoaAct.RECEIVE_DOCUMENTS: "Receive tax returns and other documentation",
    PoaAct.WAIVE_RESTRICTIONS: (
        "Execute waivers and offers of waivers of restrictions on assessment or collection "
        "of deficiencies in taxes"
    ),
    PoaAct.WAIVE_DISALLOWANCE_NOTICE: (
        "Execute waivers of notice of disallowance of a claim for credit or refund"
    ),
}


class InformationKind(enum.Enum):
    """What a representative asks DOR for under a POA."""

    TAX_RETURN = "tax_return"
    OTHER_DOCUMENTATION = "other_documentation"

    @property
    def label(self) -> str:
        return (
            "Copy of tax return" if self is InformationKind.TAX_RETURN else ("Other documentation")
        )


class InformationStatus(enum.Enum):
    PENDING = "pending"
    FULFILLED = "fulfilled"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def check_years(first: int, last: int, today: dt.date) -> tuple[int, int]:
    """The tax years a POA covers, first to last, both included."""
    latest = today.year + MAX_YEARS_AHEAD
    for year, field in ((first, "first_year"), (last, "last_year")):
        if not FIRST_TAX_YEAR <= year <= latest:
            raise InvalidInput(
                f"The tax year {year} is out of range: enter a year from {FIRST_TAX_YEAR} "
                f"to {latest}.",
                field,
            )
    if last < first:
        raise InvalidInput(
            f"The last tax year ({last}) is before the first ({first}): enter the years "
            "covered from the earlier to the later, e.g. 2023 to 2025.",
            "last_year",
        )
    return first, last


def years_label(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]
