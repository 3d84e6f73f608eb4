"""Taxpayer ID numbers: the accepted spellings, each rule of refusal, and masking."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from mtc_desktop.domain.errors import InvalidInput
from mtc_desktop.domain.ids import (
    ITIN_FOR_THIRD_PARTY,
    IdType,
    format_id,
    is_itin_shaped,
    mask_id,
    normalize_id,
    normalize_third_party_id,
    redact_ids,
)

ITIN_GROUPS = {*range(50, 66), *range(70, 89), *range(90, 93), *range(94, 100)}
UNASSIGNED_FEIN = {
    "00", "07", "08", "09", "17", "18", "19", "28", "29",
    "49", "69", "70", "78", "79", "89", "96", "97",
}  # fmt: skip


def attempt(fn: Callable[[IdType, str], str], id_type: IdType, raw: str) -> str | InvalidInput:
    """The digits, or the refusal; any other exception propagates and fails the test."""
    try:
        return fn(id_type, raw)
    except InvalidInput as exc:
        return exc


def refusal(id_type: IdType, raw: str) -> str:
    with pytest.raises(InvalidInput) as info:
        normalize_id(id_type, raw)
    assert info.value.field == "id_number"
    return info.value.message


def expected_valid(id_type: IdType, d: str) -> bool:
    """The rules of the issue, written out independently of the module under test."""
    if id_type is IdType.SSN:
        return (
            d[:3] not in ("000", "666")
            and d[0] != "9"
            and d[3:5] != "00"
            and d[5:] != "0000"
            and d not in ("078051120", "219099999")
        )
    if id_type is IdType.ITIN:
        return d[0] == "9" and int(d[3:5]) in ITIN_GROUPS
    return d[:2] not in UNASSIGNED_FEIN


# --- accepted spellings ------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["123-45-6789", "123456789", "123 45 6789", "  123-45-6789\t"])
def test_ssn_accepts_the_usual_spellings(raw: str) -> None:
    assert normalize_id(IdType.SSN, raw) == "123456789"


@pytest.mark.parametrize("raw", ["912-70-1234", "912701234", "912 70 1234"])
def test_itin_accepts_the_usual_spellings(raw: str) -> None:
    assert normalize_id(IdType.ITIN, raw) == "912701234"


@pytest.mark.parametrize("raw", ["04-1234567", "041234567", "04 1234567"])
def test_fein_accepts_the_usual_spellings(raw: str) -> None:
    assert normalize_id(IdType.FEIN, raw) == "041234567"


def test_stored_form_is_nine_ascii_digits() -> None:
    digits = normalize_id(IdType.SSN, "１２３－４５－６７８９")
    assert digits == "123456789"
    assert digits.isascii()
    assert len(digits) == 9


@pytest.mark.parametrize(
    "raw",
    [
        "123–45–6789",  # en dash, as word processors turn a typed hyphen
        "123‐45‐6789",  # U+2010 hyphen
        "123−45−6789",  # minus sign
        "123\u00a045\u00a06789",  # no-break space
        "123-45 6789",  # mixed, but each at a standard place
        "123-456789",  # only one of the two separators
        "12345-6789",
    ],
)
def test_other_dashes_and_spaces_at_the_standard_places(raw: str) -> None:
    assert normalize_id(IdType.SSN, raw) == "123456789"


# --- non-ASCII digits (module docstring: NFKC for full-width, everything else refused) -----


@pytest.mark.parametrize(
    "raw",
    [
        "１２３－４５－６７８９",  # full-width digits and dash
        "１２３４５６７８９",
        "１２３　４５　６７８９",  # ideographic spaces
        "１２３-45-6789",  # mixed full-width and ASCII
    ],
)
def test_full_width_digits_are_accepted(raw: str) -> None:
    assert normalize_id(IdType.SSN, raw) == "123456789"


@pytest.mark.parametrize(
    ("raw", "char"),
    [
        ("١٢٣-٤٥-٦٧٨٩", "١"),  # Arabic-Indic
        ("۱۲۳۴۵۶۷۸۹", "۱"),  # Extended Arabic-Indic (Persian, Urdu)
        ("१२३४५६७८९", "१"),  # Devanagari
        ("১২৩৪৫৬৭৮৯", "১"),  # Bengali
        ("๑๒๓๔๕๖๗๘๙", "๑"),  # Thai
        ("12345678٩", "٩"),  # one foreign digit among ASCII ones
    ],
)
def test_digits_of_other_scripts_are_refused(raw: str, char: str) -> None:
    message = refusal(IdType.SSN, raw)
    assert "digits 0-9" in message
    assert "another script" in message
    assert repr(char) in message


@pytest.mark.parametrize(
    "raw",
    [
        "①②③④⑤⑥⑦⑧⑨",  # circled: NFKC would make them 1-9
        "¹²³-⁴⁵-⁶⁷⁸⁹",  # superscript
        "𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗",  # mathematical bold
        "12345678⑩",
    ],
)
def test_look_alike_digits_are_not_silently_converted(raw: str) -> None:
    message = refusal(IdType.SSN, raw)
    assert "digits 0-9" in message


@given(st.characters(categories=["Nd"]).filter(lambda c: not ("0" <= c <= "9")))
def test_every_non_ascii_decimal_digit_except_full_width_is_refused(char: str) -> None:
    raw = "12345678" + char
    if "０" <= char <= "９":
        assert normalize_id(IdType.SSN, "12345678" + char) == "12345678" + str(
            unicodedata.digit(char)
        )
    else:
        assert "another script" in refusal(IdType.SSN, raw)


# --- refusals, each naming its rule --------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "count"), [("12345678", 8), ("123-45-678", 8), ("1234567890", 10), ("1", 1)]
)
def test_wrong_length_says_how_many_digits(raw: str, count: int) -> None:
    message = refusal(IdType.SSN, raw)
    assert "must have 9 digits" in message
    assert f"this one has {count}" in message


@pytest.mark.parametrize(
    ("raw", "char"), [("12a456789", "a"), ("123.45.6789", "."), ("123/45/6789", "/")]
)
def test_other_characters_are_named(raw: str, char: str) -> None:
    message = refusal(IdType.SSN, raw)
    assert "only digits, dashes and spaces" in message
    assert repr(char) in message


@pytest.mark.parametrize("raw", ["", "   ", "\t"])
def test_empty_input_asks_for_the_number(raw: str) -> None:
    assert refusal(IdType.SSN, raw) == "Enter the SSN (9 digits)."


@pytest.mark.parametrize(
    ("id_type", "raw"),
    [
        (IdType.SSN, "12-345-6789"),
        (IdType.SSN, "1234-56789"),
        (IdType.SSN, "123-4567-89"),
        (IdType.SSN, "12345678-9"),
        (IdType.SSN, "-123456789"),
        (IdType.SSN, "123456789-"),
        (IdType.SSN, "1 2 3 4 5 6 7 8 9"),
        (IdType.ITIN, "91-270-1234"),
        (IdType.FEIN, "123-45-6789"),
        (IdType.FEIN, "041-234567"),
        (IdType.FEIN, "04-123-4567"),
    ],
)
def test_separators_only_at_the_standard_places(id_type: IdType, raw: str) -> None:
    assert "separators" in refusal(id_type, raw)
    assert "wrong places" in refusal(id_type, raw)


@pytest.mark.parametrize("raw", ["123--45-6789", "123 -45-6789", "123-45- 6789"])
def test_two_separators_in_a_row(raw: str) -> None:
    assert "two separators in a row" in refusal(IdType.SSN, raw)


@pytest.mark.parametrize(("raw", "rule"), [("000-12-3456", "000"), ("666-12-3456", "666")])
def test_ssn_area_never_issued(raw: str, rule: str) -> None:
    assert f"never starts with {rule}" in refusal(IdType.SSN, raw)


@pytest.mark.parametrize("area", ["900", "912", "949", "950", "999"])
@pytest.mark.parametrize("group", ["12", "70"])  # 70: an ITIN-shaped number
def test_ssn_area_900_to_999_is_refused(area: str, group: str) -> None:
    message = refusal(IdType.SSN, f"{area}-{group}-3456")
    assert "never starts with 9" in message
    assert "ITIN" in message


def test_ssn_group_00() -> None:
    assert "middle two digits of an SSN are never 00" in refusal(IdType.SSN, "123-00-4567")


def test_ssn_serial_0000() -> None:
    assert "last four digits of an SSN are never 0000" in refusal(IdType.SSN, "123-45-0000")


@pytest.mark.parametrize("raw", ["078-05-1120", "219-09-9999", "078051120", "219 09 9999"])
def test_ssn_known_invalid(raw: str) -> None:
    assert "never issued" in refusal(IdType.SSN, raw)


@pytest.mark.parametrize(
    "raw",
    [
        "001-01-0001",
        "665-99-9999",
        "667-01-0001",
        "899-99-9999",
        "123-01-4567",
        "123-45-0001",
        "078-05-1121",
        "219-09-9998",
    ],
)
def test_ssn_neighbours_of_the_refused_are_accepted(raw: str) -> None:
    assert normalize_id(IdType.SSN, raw) == raw.replace("-", "")


@pytest.mark.parametrize("first", "012345678")
def test_itin_must_start_with_9(first: str) -> None:
    message = refusal(IdType.ITIN, f"{first}12-70-1234")
    assert "always starts with 9" in message


@pytest.mark.parametrize(
    ("group", "accepted"),
    [
        ("49", False),
        ("50", True),
        ("65", True),
        ("66", False),
        ("69", False),
        ("70", True),
        ("88", True),
        ("89", False),
        ("90", True),
        ("92", True),
        ("93", False),
        ("94", True),
        ("99", True),
    ],
)
def test_itin_group_boundaries(group: str, accepted: bool) -> None:
    raw = f"912-{group}-3456"
    if accepted:
        assert normalize_id(IdType.ITIN, raw) == f"912{group}3456"
    else:
        message = refusal(IdType.ITIN, raw)
        assert "50-65, 70-88, 90-92 or 94-99" in message
        assert f"{group} is not one of them" in message


def test_itin_groups_exhaustively() -> None:
    accepted = set()
    for group in range(100):
        try:
            normalize_id(IdType.ITIN, f"900{group:02d}1234")
        except InvalidInput:
            continue
        accepted.add(group)
    assert accepted == ITIN_GROUPS


@pytest.mark.parametrize("prefix", sorted(UNASSIGNED_FEIN))
def test_fein_unassigned_prefix_is_refused(prefix: str) -> None:
    message = refusal(IdType.FEIN, f"{prefix}-1234567")
    assert f"never assigns an FEIN starting with {prefix}" in message


@pytest.mark.parametrize("prefix", sorted(UNASSIGNED_FEIN))
def test_fein_a_neighbour_of_each_unassigned_prefix_is_accepted(prefix: str) -> None:
    n = int(prefix)
    neighbour = next(
        f"{m:02d}" for m in (n + 1, n - 1, n + 2, n - 2) if f"{m:02d}" not in UNASSIGNED_FEIN
    )
    assert normalize_id(IdType.FEIN, f"{neighbour}-1234567") == f"{neighbour}1234567"


def test_fein_prefixes_exhaustively() -> None:
    refused = set()
    for prefix in range(100):
        try:
            normalize_id(IdType.FEIN, f"{prefix:02d}1234567")
        except InvalidInput:
            refused.add(f"{prefix:02d}")
    assert refused == UNASSIGNED_FEIN


def test_the_field_named_in_the_error_is_the_callers() -> None:
    with pytest.raises(InvalidInput) as info:
        normalize_id(IdType.SSN, "000-00-0000", field="client_id")
    assert info.value.field == "client_id"
    assert info.value.errors == {"client_id": info.value.message}


# --- properties ----------------------------------------------------------------------------

nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@given(st.sampled_from(IdType), nine_digits)
@example(IdType.SSN, "078051120")
@example(IdType.ITIN, "900931234")
@example(IdType.FEIN, "961234567")
def test_any_nine_digits_are_accepted_unchanged_or_refused(id_type: IdType, digits: str) -> None:
    result = attempt(normalize_id, id_type, digits)
    if isinstance(result, InvalidInput):
        assert result.message
        assert not expected_valid(id_type, digits)
    else:
        assert result == digits
        assert expected_valid(id_type, digits)


@given(st.sampled_from(IdType), st.text(max_size=30))
def test_any_text_gives_nine_ascii_digits_or_invalid_input(id_type: IdType, raw: str) -> None:
    result = attempt(normalize_id, id_type, raw)
    if isinstance(result, InvalidInput):
        assert result.message
    else:
        assert len(result) == 9
        assert result.isascii()
        assert result.isdigit()


@given(st.sampled_from(IdType), nine_digits, st.sampled_from(["-", " ", "–"]))
def test_formatted_id_reads_back_the_same(id_type: IdType, digits: str, sep: str) -> None:
    if not expected_valid(id_type, digits):
        return
    assert normalize_id(id_type, format_id(id_type, digits)) == digits
    assert normalize_id(id_type, format_id(id_type, digits).replace("-", sep)) == digits


# --- a third party's own identity ----------------------------------------------------------


def test_third_party_itin_type_is_refused_with_dors_words() -> None:
    with pytest.raises(InvalidInput) as info:
        normalize_third_party_id(IdType.ITIN, "912-70-1234")
    assert info.value.message == (
        "DOR requires an SSN or FEIN for third-party accounts; an ITIN cannot be used."
    )
    assert info.value.field == "id_type"


@pytest.mark.parametrize("raw", ["912-70-1234", "900501234", "999 99 9999", "９１２７０１２３４"])
def test_third_party_itin_shaped_ssn_is_refused_with_dors_words(raw: str) -> None:
    with pytest.raises(InvalidInput) as info:
        normalize_third_party_id(IdType.SSN, raw)
    assert info.value.message == ITIN_FOR_THIRD_PARTY
    assert ITIN_FOR_THIRD_PARTY == (
        "DOR requires an SSN or FEIN for third-party accounts; an ITIN cannot be used."
    )


def test_third_party_ssn_starting_with_9_but_not_itin_shaped_gets_the_ssn_rule() -> None:
    with pytest.raises(InvalidInput) as info:
        normalize_third_party_id(IdType.SSN, "912-49-1234")
    assert "never starts with 9" in info.value.message


@pytest.mark.parametrize(
    ("id_type", "raw", "digits"),
    [(IdType.SSN, "123-45-6789", "123456789"), (IdType.FEIN, "04-1234567", "041234567")],
)
def test_third_party_ssn_or_fein_is_accepted(id_type: IdType, raw: str, digits: str) -> None:
    assert normalize_third_party_id(id_type, raw) == digits


def test_third_party_id_keeps_the_ordinary_rules() -> None:
    with pytest.raises(InvalidInput, match="never starts with 000"):
        normalize_third_party_id(IdType.SSN, "000-12-3456")
    with pytest.raises(InvalidInput, match="never assigns an FEIN starting with 07"):
        normalize_third_party_id(IdType.FEIN, "07-1234567")


@given(nine_digits)
def test_third_party_never_gets_an_itin_through_the_ssn_field(digits: str) -> None:
    result = attempt(normalize_third_party_id, IdType.SSN, digits)
    if isinstance(result, InvalidInput):
        assert (result.message == ITIN_FOR_THIRD_PARTY) == is_itin_shaped(digits)
    else:
        assert not is_itin_shaped(result)


# --- masking -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("id_type", "digits", "masked"),
    [
        (IdType.SSN, "123456789", "***-**-6789"),
        (IdType.ITIN, "912701234", "***-**-1234"),
        (IdType.FEIN, "041234567", "**-***4567"),
    ],
)
def test_mask_shows_only_the_last_four_digits(id_type: IdType, digits: str, masked: str) -> None:
    assert mask_id(id_type, digits) == masked


@given(st.sampled_from(IdType), nine_digits)
def test_mask_never_shows_more_than_the_last_four(id_type: IdType, digits: str) -> None:
    masked = mask_id(id_type, digits)
    assert masked.endswith(digits[-4:])
    assert "".join(ch for ch in masked if ch.isdigit()) == digits[-4:]


@pytest.mark.parametrize(
    ("id_type", "formatted"),
    [(IdType.SSN, "123-45-6789"), (IdType.ITIN, "123-45-6789"), (IdType.FEIN, "12-3456789")],
)
def test_format_id_uses_the_standard_groups(id_type: IdType, formatted: str) -> None:
    assert format_id(id_type, "123456789") == formatted


def test_id_type_labels_name_the_number() -> None:
    assert IdType.SSN.label == "Social Security Number (SSN)"
    assert IdType.ITIN.label == "Individual Taxpayer Identification Number (ITIN)"
    assert IdType.FEIN.label == "Federal Employer Identification Number (FEIN)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Key (id_type, id_number)=(SSN, 031542296) exists",
            "Key (id_type, id_number)=(SSN, *****2296) exists",
        ),
        ("taxpayer 031-54-2296 and firm 04-2750194", "taxpayer *****2296 and firm *****0194"),
        (
            "request R2026-000012, account WTH-00000001",
            "request R2026-000012, account WTH-00000001",
        ),
        ("a 12-digit 123456789012 run is no ID", "a 12-digit 123456789012 run is no ID"),
    ],
)
def test_ids_in_log_text_are_masked(text: str, expected: str) -> None:
    assert redact_ids(text) == expected


def test_the_program_log_masks_ids() -> None:
    import io
    import logging

    from mtc_desktop.cli import RedactIds

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactIds("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("mtc_desktop.test.redact")
    logger.addHandler(handler)
    try:
        logger.error("duplicate key (SSN, %s)", "031542296")
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == "ERROR mtc_desktop.test.redact: duplicate key (SSN, *****2296)\n"
