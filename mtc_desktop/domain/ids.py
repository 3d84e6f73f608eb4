"""Taxpayer identification numbers: SSN, ITIN and FEIN.

An ID number is stored as nine ASCII digits. Typed input may group the digits the usual
way for its type (``123-45-6789`` or ``123 45 6789`` for an SSN or ITIN, ``12-3456789``
for an FEIN) or not at all (``123456789``).

Non-ASCII digits: input is first put in Unicode NFKC form, which turns full-width digits
and dashes (as typed with many East Asian input methods) into ASCII ones. Any other
character with a numeric value (digits of other scripts such as Arabic-Indic or Devanagari;
circled, superscript or mathematical digits) is refused with a message asking for 0-9: it
is never silently converted, because an ID that looks different on paper than on screen
is how a wrong account gets authorized.
"""

from __future__ import annotations

import enum
import re
import unicodedata

from mtc_desktop.domain.errors import InvalidInput


class IdType(enum.Enum):
    SSN = "SSN"
    ITIN = "ITIN"
    FEIN = "FEIN"

    @property
    def label(self) -> str:
        return _ID_LABELS[self]


_ID_LABELS = {
    IdType.SSN: "Social Security Number (SSN)",
    IdType.ITIN: "Individual Taxpayer Identification Number (ITIN)",
    IdType.FEIN: "Federal Employer Identification Number (FEIN)",
}

# Where a separator may stand, by the number of digits before it.
_GROUPS = {IdType.SSN: (3, 5), IdType.ITIN: (3, 5), IdType.FEIN: (2,)}
_EXAMPLES = {IdType.SSN: "123-45-6789", IdType.ITIN: "912-70-1234", IdType.FEIN: "04-1234567"}
_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
# ASCII and full-width 0-9: the only digits accepted (see the module docstring).
_ACCEPTED_DIGITS = frozenset(
    "0123456789\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19"
)

# Published, never-issued SSNs (the Woolworth wallet card and an advertisement).
KNOWN_INVALID_SSNS = frozenset({"078051120", "219099999"})

# FEIN prefixes the IRS never assigns.
UNASSIGNED_FEIN_PREFIXES = frozenset(
    {
        "00",
        "07",
        "08",
        "09",
        "17",
        "18",
        "19",
        "28",
        "29",
        "49",
        "69",
        "70",
        "78",
        "79",
        "89",
        "96",
        "97",
    }
)
_ITIN_GROUP_RANGES = ((50, 65), (70, 88), (90, 92), (94, 99))

ITIN_FOR_THIRD_PARTY = (
    "DOR requires an SSN or FEIN for third-party accounts; an ITIN cannot be used."
)


def _refuse_other_digits(id_type: IdType, raw: str, field: str) -> None:
    # Checked before NFKC, which would turn ① or ² into 1 or 2 without a word.
    for char in raw:
        if char in _ACCEPTED_DIGITS or unicodedata.numeric(char, None) is None:
            continue
        what = "a digit of another script" if unicodedata.category(char) == "Nd" else "not 0-9"
        raise InvalidInput(
            f"The {id_type.value} must be written with the digits 0-9; {char!r} is {what}.",
            field,
        )


def _digits(id_type: IdType, raw: str, field: str) -> str:
    _refuse_other_digits(id_type, raw, field)
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise InvalidInput(f"Enter the {id_type.value} (9 digits).", field)
    example = _EXAMPLES[id_type]
    digits: list[str] = []
    separators: set[int] = set()
    for char in text:
        if "0" <= char <= "9":
            digits.append(char)
        elif char in _DASHES or char.isspace():
            if len(digits) in separators:  # two separators in a row
                raise InvalidInput(
                    f"The {id_type.value} has two separators in a row. Write it as "
                    f"{example} or as 9 digits.",
                    field,
                )
            separators.add(len(digits))
        elif char.isdigit():
            raise InvalidInput(
                f"The {id_type.value} must be written with the digits 0-9; "
                f"{char!r} is a digit of another script.",
                field,
            )
        else:
            raise InvalidInput(
                f"The {id_type.value} may contain only digits, dashes and spaces; remove {char!r}.",
                field,
            )
    if len(digits) != 9:
        raise InvalidInput(
            f"The {id_type.value} must have 9 digits; this one has {len(digits)}.", field
        )
    if not separators <= set(_GROUPS[id_type]):
        raise InvalidInput(
            f"The separators of this {id_type.value} are in the wrong places. Write it as "
            f"{example} or as 9 digits.",
            field,
        )
    return "".join(digits)


def is_itin_shaped(digits: str) -> bool:
    """True for nine digits that follow the ITIN pattern."""
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit() or digits[0] != "9":
        return False
    group = int(digits[3:5])
    return any(lo <= group <= hi for lo, hi in _ITIN_GROUP_RANGES)


def _check_ssn(d: str, field: str) -> None:
    area, group, serial = d[:3], d[3:5], d[5:]
    if area == "000":
        raise InvalidInput("An SSN never starts with 000; check the first three digits.", field)
    if area == "666":
        raise InvalidInput("An SSN never starts with 666; check the first three digits.", field)
    if area[0] == "9":
        raise InvalidInput(
            "An SSN never starts with 9 (numbers starting with 9 are ITINs); check the "
            "number or choose ITIN as the ID type.",
            field,
        )
    if group == "00":
        raise InvalidInput("The middle two digits of an SSN are never 00.", field)
    if serial == "0000":
        raise InvalidInput("The last four digits of an SSN are never 0000.", field)
    if d in KNOWN_INVALID_SSNS:
        raise InvalidInput(
            "This SSN was published as an example and was never issued; enter the real one.",
            field,
        )


def _check_itin(d: str, field: str) -> None:
    if d[0] != "9":
        raise InvalidInput(
            "An ITIN always starts with 9; check the number or choose SSN as the ID type.",
            field,
        )
    if not is_itin_shaped(d):
        raise InvalidInput(
            "The fourth and fifth digits of an ITIN are 50-65, 70-88, 90-92 or 94-99; "
            f"{d[3:5]} is not one of them.",
            field,
        )


def _check_fein(d: str, field: str) -> None:
    if d[:2] in UNASSIGNED_FEIN_PREFIXES:
        raise InvalidInput(
            f"The IRS never assigns an FEIN starting with {d[:2]}; check the first two digits.",
            field,
        )


_CHECKS = {IdType.SSN: _check_ssn, IdType.ITIN: _check_itin, IdType.FEIN: _check_fein}


def normalize_id(id_type: IdType, raw: str, field: str = "id_number") -> str:
    """Return the nine stored digits of ``raw``, or raise :class:`InvalidInput`."""
    digits = _digits(id_type, raw, field)
    _CHECKS[id_type](digits, field)
    return digits


def normalize_third_party_id(id_type: IdType, raw: str, field: str = "id_number") -> str:
    """Like :func:`normalize_id`, for a third party's own identity: SSN or FEIN only."""
    if id_type is IdType.ITIN:
        raise InvalidInput(ITIN_FOR_THIRD_PARTY, "id_type")
    digits = _digits(id_type, raw, field)
    if id_type is IdType.SSN and is_itin_shaped(digits):
        raise InvalidInput(ITIN_FOR_THIRD_PARTY, field)
    _CHECKS[id_type](digits, field)
    return digits


def mask_id(id_type: IdType, digits: str) -> str:
    """The ID as shown on screens and forms: only its last four digits."""
    if id_type is IdType.FEIN:
        return f"**-***{digits[-4:]}"
    return f"***-**-{digits[-4:]}"


# Anything shaped like an SSN, ITIN (123-45-6789 or 123456789) or FEIN (12-3456789), not
# inside a longer run of digits.
_ID_LIKE = re.compile(r"(?<![\d-])(?:\d{3}-\d{2}-\d{4}|\d{2}-\d{7}|\d{9})(?![\d-])")


def redact_ids(text: str) -> str:
    """``text`` with every ID-shaped number masked to its last four digits (for logs)."""
    return _ID_LIKE.sub(lambda m: f"*****{m.group(0)[-4:]}", text)


def format_id(id_type: IdType, digits: str) -> str:
    if id_type is IdType.FEIN:
        return f"{digits[:2]}-{digits[2:]}"
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
