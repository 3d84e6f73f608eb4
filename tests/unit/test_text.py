"""Legal-name matching and the cleaning of names, usernames and free text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mtc_desktop.domain.errors import InvalidInput
from mtc_desktop.domain.text import (
    MAX_NAME_LENGTH,
    clean_name,
    clean_text,
    clean_username,
    name_key,
    names_match,
    search_words,
    username_key,
)

# Unicode's Bidi_Control property (PropList.txt), all twelve characters.
BIDI_CONTROLS = [
    "\u061c",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
]
ZERO_WIDTH = ["\u200b", "\ufeff", "\u2060", "\u00ad"]

# --- name matching ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "on_file"),
    [
        ("ÉLODIE  Durand", "Élodie Durand"),
        ("E\u0301lodie Durand", "Élodie Durand"),  # decomposed accent against precomposed
        ("élodie durand", "E\u0301LODIE DURAND"),
        ("  Maria\tSantos \n", "Maria Santos"),
        ("Maria\u00a0Santos", "Maria Santos"),  # no-break space
        ("Maria\u3000Santos", "Maria Santos"),  # ideographic space
        ("ＭＡＲＩＡ ＳＡＮＴＯＳ", "Maria Santos"),  # full-width letters (NFKC)
        ("Straße GmbH", "STRASSE GMBH"),  # case folding, not lower-casing
        ("ﬁnch llc", "Finch LLC"),  # ligature (NFKC)
        ("Νίκος Παπαδόπουλος", "ΝΊΚΟΣ ΠΑΠΑΔΌΠΟΥΛΟΣ"),
        ("Дмитрий Иванов", "дмитрий иванов"),
        ("Ma\u200bria Santos", "Maria Santos"),  # zero-width space ignored
        ("می\u200cخواهم", "میخواهم"),  # ZWNJ ignored when comparing
    ],
)
def test_names_that_match(typed: str, on_file: str) -> None:
    assert names_match(typed, on_file)
    assert names_match(on_file, typed)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Maria Santos", "Mario Santos"),
        ("Maria Santos", "MariaSantos"),  # a space is not nothing
        ("Elodie Durand", "Élodie Durand"),  # an accent is part of the name
        ("Maria Santos", "Santos Maria"),
        ("Maria Santos", "Maria  Santos Jr"),
    ],
)
def test_names_that_do_not_match(a: str, b: str) -> None:
    assert not names_match(a, b)


def test_name_key_is_folded_and_collapsed() -> None:
    assert name_key("  ÉLODIE \t Durand-Lefèvre ") == "élodie durand-lefèvre"


@given(st.text(max_size=40))
def test_canonically_equivalent_names_match(name: str) -> None:
    for form in ("NFC", "NFD", "NFKC", "NFKD"):
        assert names_match(name, unicodedata.normalize(form, name))


@given(st.text(max_size=40))
def test_case_folded_name_matches(name: str) -> None:
    assert names_match(name, name.casefold())


@given(st.lists(st.text(alphabet=st.characters(categories=["L"]), min_size=1), min_size=1))
def test_whitespace_between_words_does_not_matter(words: list[str]) -> None:
    assert names_match(" ".join(words), " \t\u00a0 ".join(words) + "  ")


@given(st.text(max_size=40))
def test_name_key_is_idempotent(name: str) -> None:
    assert name_key(name_key(name)) == name_key(name)


# --- cleaning a name ---------------------------------------------------------------------------


def test_clean_name_stores_nfc_and_single_spaces() -> None:
    cleaned = clean_name("  E\u0301lodie \t  Durand ")
    assert cleaned == "Élodie Durand"
    assert unicodedata.is_normalized("NFC", cleaned)


def test_clean_name_keeps_case() -> None:
    assert clean_name("McDonald & Sons") == "McDonald & Sons"


@pytest.mark.parametrize("char", ZERO_WIDTH)
def test_clean_name_removes_zero_width_characters(char: str) -> None:
    assert clean_name(f"Ma{char}ria Santos") == "Maria Santos"


def test_clean_name_keeps_joiners_that_names_need() -> None:
    assert clean_name("می\u200cخواهم") == "می\u200cخواهم"


@pytest.mark.parametrize("char", BIDI_CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_clean_name_refuses_text_direction_characters(char: str) -> None:
    with pytest.raises(InvalidInput) as info:
        clean_name(f"Maria{char} Santos")
    assert info.value.field == "legal_name"
    assert "text-direction" in info.value.message
    assert f"U+{ord(char):04X}" in info.value.message
    assert "retype it without pasting" in info.value.message


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_clean_name_refuses_control_characters(char: str) -> None:
    with pytest.raises(InvalidInput) as info:
        clean_name(f"Maria{char}Santos")
    assert "control character" in info.value.message
    assert f"U+{ord(char):04X}" in info.value.message


@pytest.mark.parametrize("raw", ["", "   ", "\u200b", "\t\n"])
def test_clean_name_refuses_an_empty_name(raw: str) -> None:
    with pytest.raises(InvalidInput, match="Enter the legal name"):
        clean_name(raw)


def test_clean_name_needs_a_letter_or_digit() -> None:
    with pytest.raises(InvalidInput, match="at least one letter or digit"):
        clean_name("-- & --")


def test_clean_name_length_limit() -> None:
    assert clean_name("a" * MAX_NAME_LENGTH) == "a" * MAX_NAME_LENGTH
    with pytest.raises(InvalidInput, match="too long"):
        clean_name("a" * (MAX_NAME_LENGTH + 1))
    with pytest.raises(InvalidInput, match="too long"):
        clean_name("a " * 10_000)


def test_clean_name_uses_the_callers_words() -> None:
    with pytest.raises(InvalidInput) as info:
        clean_name("", what="business name", field="business")
    assert info.value.message == "Enter the business name."
    assert info.value.field == "business"


@given(st.text(max_size=60))
def test_clean_name_output_is_clean_or_refused(raw: str) -> None:
    try:
        cleaned = clean_name(raw)
    except InvalidInput:
        return
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned
    assert unicodedata.is_normalized("NFC", cleaned)
    assert not any(ch in cleaned for ch in BIDI_CONTROLS + ZERO_WIDTH)
    assert not any(unicodedata.category(ch) == "Cc" for ch in cleaned)
    assert names_match(cleaned, raw)


# --- free text ------------------------------------------------------------------------------


def test_clean_text_trims_and_normalizes() -> None:
    assert clean_text("  Notice of E\u0301tat\n", "title", "title") == "Notice of État"


def test_clean_text_keeps_line_breaks_inside() -> None:
    assert clean_text("line one\nline two\ttab", "note", "note") == "line one\nline two\ttab"


@pytest.mark.parametrize("char", ["\u202e", "\u2067", "\x00", "\x1b"])
def test_clean_text_refuses_controls_with_a_message(char: str) -> None:
    with pytest.raises(InvalidInput) as info:
        clean_text(f"a{char}b", "title", "title")
    assert info.value.field == "title"
    assert f"U+{ord(char):04X}" in info.value.message
    assert "The title contains" in info.value.message


def test_clean_text_length_limit() -> None:
    assert clean_text("x" * 10, "note", "note", max_length=10) == "x" * 10
    with pytest.raises(InvalidInput, match="too long"):
        clean_text("x" * 11, "note", "note", max_length=10)


def test_clean_text_refuses_blank() -> None:
    with pytest.raises(InvalidInput, match="Enter the title"):
        clean_text("  \n ", "title", "title")


# --- usernames and search words ---------------------------------------------------------------


@pytest.mark.parametrize("raw", ["abc", "smith.cpa", "j_doe-2", "owner@bakery", " padded "])
def test_valid_usernames(raw: str) -> None:
    assert clean_username(raw) == raw.strip()


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "Choose a username"),
        ("ab", "3 to 64 characters"),
        ("a" * 65, "3 to 64 characters"),
        (".abc", "must start with a letter or digit"),
        ("ab cd", "may use the letters"),
        ("élodie", "may use the letters"),
    ],
)
def test_invalid_usernames(raw: str, words: str) -> None:
    with pytest.raises(InvalidInput, match=words) as info:
        clean_username(raw)
    assert info.value.field == "username"


def test_usernames_compare_case_insensitively() -> None:
    assert username_key(" SmithCPA ") == username_key("smithcpa")


def test_search_words() -> None:
    assert search_words("  ÉLODIE   durand ") == ["élodie", "durand"]
    assert search_words("   ") == []
