"""Access levels: the rights table of DESIGN.md §3 and the order it implies."""

from __future__ import annotations

import itertools

import pytest

from mtc_desktop.domain.levels import AccessLevel, Right, describe_change

V, F, P, M = Right.VIEW, Right.FILE, Right.PAY, Right.MESSAGES

# DESIGN.md §3, row by row: view account, file and amend returns, make payments, messages.
RIGHTS_TABLE = {
    "View Only": {V},
    "File": {V, F},
    "Pay": {V, P},
    "File and Pay": {V, F, P},
    "Full Access": {V, F, P, M},
}

# (higher, lower): every pair where the first has strictly more rights.
STRICTLY_HIGHER = {
    (AccessLevel.FILE, AccessLevel.VIEW_ONLY),
    (AccessLevel.PAY, AccessLevel.VIEW_ONLY),
    (AccessLevel.FILE_AND_PAY, AccessLevel.VIEW_ONLY),
    (AccessLevel.FILE_AND_PAY, AccessLevel.FILE),
    (AccessLevel.FILE_AND_PAY, AccessLevel.PAY),
    (AccessLevel.FULL_ACCESS, AccessLevel.VIEW_ONLY),
    (AccessLevel.FULL_ACCESS, AccessLevel.FILE),
    (AccessLevel.FULL_ACCESS, AccessLevel.PAY),
    (AccessLevel.FULL_ACCESS, AccessLevel.FILE_AND_PAY),
}

PAIRS = list(itertools.product(AccessLevel, repeat=2))


def test_there_are_exactly_the_five_levels_of_the_table() -> None:
    assert [level.label for level in AccessLevel] == list(RIGHTS_TABLE)


@pytest.mark.parametrize("level", list(AccessLevel), ids=lambda lv: lv.value)
def test_rights_follow_the_table(level: AccessLevel) -> None:
    assert level.rights == RIGHTS_TABLE[level.label]
    for right in Right:
        assert level.allows(right) == (right in RIGHTS_TABLE[level.label])


def test_every_level_can_view_the_account() -> None:
    assert all(level.allows(Right.VIEW) for level in AccessLevel)


def test_only_full_access_has_secure_messages() -> None:
    assert [lv for lv in AccessLevel if lv.allows(Right.MESSAGES)] == [AccessLevel.FULL_ACCESS]


@pytest.mark.parametrize(("a", "b"), PAIRS, ids=lambda lv: lv.value)
def test_higher_means_strict_superset(a: AccessLevel, b: AccessLevel) -> None:
    assert a.is_higher_than(b) == ((a, b) in STRICTLY_HIGHER)
    assert a.is_higher_than(b) == (RIGHTS_TABLE[a.label] > RIGHTS_TABLE[b.label])


@pytest.mark.parametrize(("a", "b"), PAIRS, ids=lambda lv: lv.value)
def test_lower_is_the_mirror_of_higher(a: AccessLevel, b: AccessLevel) -> None:
    assert a.is_lower_than(b) == b.is_higher_than(a)
    assert not (a.is_higher_than(b) and a.is_lower_than(b))


def test_no_level_is_higher_or_lower_than_itself() -> None:
    for level in AccessLevel:
        assert not level.is_higher_than(level)
        assert not level.is_lower_than(level)


def test_file_and_pay_cannot_be_compared() -> None:
    assert not AccessLevel.FILE.is_higher_than(AccessLevel.PAY)
    assert not AccessLevel.PAY.is_higher_than(AccessLevel.FILE)
    assert describe_change(AccessLevel.FILE, AccessLevel.PAY) == "change"
    assert describe_change(AccessLevel.PAY, AccessLevel.FILE) == "change"


def test_higher_is_transitive() -> None:
    for a, b, c in itertools.product(AccessLevel, repeat=3):
        if a.is_higher_than(b) and b.is_higher_than(c):
            assert a.is_higher_than(c)


@pytest.mark.parametrize(("old", "new"), PAIRS, ids=lambda lv: lv.value)
def test_describe_change(old: AccessLevel, new: AccessLevel) -> None:
    if old is new:
        expected = "same"
    elif (new, old) in STRICTLY_HIGHER:
        expected = "increase"
    elif (old, new) in STRICTLY_HIGHER:
        expected = "decrease"
    else:
        expected = "change"
    assert describe_change(old, new) == expected


@pytest.mark.parametrize("level", list(AccessLevel), ids=lambda lv: lv.value)
def test_from_label_reads_labels_and_stored_codes(level: AccessLevel) -> None:
    assert AccessLevel.from_label(level.label) is level
    assert AccessLevel.from_label(level.value) is level
    assert AccessLevel.from_label(f"  {level.label.upper()} ") is level


@pytest.mark.parametrize("text", ["", "Admin", "Tax Administrator", "full"])
def test_from_label_refuses_unknown_levels(text: str) -> None:
    with pytest.raises(ValueError, match="unknown access level"):
        AccessLevel.from_label(text)


def test_right_labels_are_the_table_headings() -> None:
    assert [r.value for r in Right] == [
        "view account",
        "file and amend returns",
        "make payments",
        "secure messages",
    ]
