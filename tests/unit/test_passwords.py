"""The password policy: 15 to 1024 characters after normalization, never the username."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mtc_desktop.domain.errors import InvalidInput
from mtc_desktop.domain.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    check_new_password,
    normalize_password,
)


def refusal(password: str, **kwargs: str) -> str:
    with pytest.raises(InvalidInput) as info:
        check_new_password(password, **kwargs)
    assert info.value.field == "password"
    return info.value.message


WORDS = "tangerine kayak 41 glacier velvet moss orbit 7 lantern quince ember pylon "


def long_enough(n: int) -> str:
    """``n`` characters of unrelated words: long and hard to guess."""
    return (WORDS * (n // len(WORDS) + 1))[:n]


def test_limits_are_15_and_1024() -> None:
    assert (MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH) == (15, 1024)


def test_fourteen_characters_are_too_few() -> None:
    message = refusal(long_enough(14))
    assert "at least 15 characters" in message
    assert "this one has 14" in message


@pytest.mark.parametrize("n", [15, 16, 200, 1024])
def test_fifteen_to_1024_characters_are_accepted_whole(n: int) -> None:
    password = long_enough(n)
    assert check_new_password(password) == password


def test_more_than_1024_characters_are_refused() -> None:
    message = refusal(long_enough(1025))
    assert "at most 1,024 characters" in message
    assert "this one has 1,025" in message


def test_normalization_makes_decomposed_and_precomposed_the_same() -> None:
    precomposed = "café-au-lait-à-paris"
    decomposed = unicodedata.normalize("NFD", precomposed)
    assert decomposed != precomposed
    assert check_new_password(decomposed) == check_new_password(precomposed) == precomposed


def test_full_width_characters_are_normalized() -> None:
    assert normalize_password("ｐａｓｓｗｏｒｄ") == "password"


def test_length_is_counted_after_normalization() -> None:
    # 16 code points typed, 13 characters once the accents are composed.
    typed = unicodedata.normalize("NFD", "éèêabcdefghij")
    assert len(typed) == 16
    assert "this one has 13" in refusal(typed)


def test_spaces_are_kept_not_trimmed() -> None:
    password = "  correct horse battery  "
    assert check_new_password(password) == password


@pytest.mark.parametrize("username", ["longusername123", "LongUserName123", " longusername123 "])
def test_password_equal_to_the_username_is_refused(username: str) -> None:
    message = refusal("longusername123", username=username)
    assert message == "The password must not be the same as the username."


def test_password_equal_to_the_email_is_refused() -> None:
    message = refusal("Maria.Santos@mail.example", email="maria.santos@mail.example")
    assert message == "The password must not be the same as the email address."


def test_password_containing_the_username_among_other_words_is_allowed() -> None:
    password = "longusername123 rides a teal kayak"
    assert check_new_password(password, username="longusername123") == password


def test_the_username_with_a_character_added_is_easy_to_guess() -> None:
    message = refusal("longusername123!", username="longusername123")
    assert "harder to guess" in message
    assert "not your username" in message


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("123456789012345", "This is similar to a commonly used password."),
        ("qwertyuiopasdfghjkl", "This is similar to a commonly used password."),
        ("1qaz2wsx3edc4rfv", "This is a very common password."),
        ("iloveyouiloveyou", 'Repeats like "abcabcabc" are only slightly harder to guess'),
        ("passwordpassword1", 'Repeats like "abcabcabc" are only slightly harder to guess'),
    ],
)
def test_common_and_patterned_passwords_are_refused_with_the_reason(
    password: str, reason: str
) -> None:
    message = refusal(password)
    assert message.startswith(reason)
    assert message.endswith(
        "Choose a password that is harder to guess: a few unrelated words, not your "
        "username or email address, and not a common password."
    )


def test_the_demo_and_test_passwords_pass() -> None:
    for password in ("training-password-2026", "a-long-test-password-42"):
        assert check_new_password(password) == password


def test_too_few_different_characters() -> None:
    assert "too few different characters" in refusal("abcabcabcabcabcabc")


@given(st.text(min_size=0, max_size=40))
def test_any_password_is_accepted_normalized_or_refused(password: str) -> None:
    try:
        result = check_new_password(password)
    except InvalidInput as exc:
        refused: InvalidInput | None = exc
    else:
        refused = None
        assert result == unicodedata.normalize("NFKC", password)
        assert MIN_PASSWORD_LENGTH <= len(result) <= MAX_PASSWORD_LENGTH
    assert refused is None or refused.message
