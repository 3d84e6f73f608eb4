"""The password policy. Passwords are chosen by their holder (DESIGN.md rule 8)."""

from __future__ import annotations

import unicodedata

from mtc_desktop.domain.errors import InvalidInput

MIN_PASSWORD_LENGTH = 15
MAX_PASSWORD_LENGTH = 1024


def normalize_password(password: str) -> str:
    """The form a password is hashed in, so the same password typed on another keyboard
    (a precomposed or a decomposed accent) still matches. Never truncated."""
    return unicodedata.normalize("NFKC", password)


def check_new_password(password: str, *, username: str = "", email: str = "") -> str:
    """Return the password to hash, or raise :class:`InvalidInput` saying what is wrong."""
    text = normalize_password(password)
    if len(text) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters; this one has "
            f"{len(text)}. A few unrelated words make a long password easy to remember.",
            "password",
        )
    if len(text) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"A password has at most {MAX_PASSWORD_LENGTH:,} characters; this one has "
            f"{len(text):,}.",
            "password",
        )
    folded = text.casefold()
    if username and folded == username.strip().casefold():
        raise InvalidInput("The password must not be the same as the username.", "password")
    if email and folded == email.strip().casefold():
        raise InvalidInput("The password must not be the same as the email address.", "password")
    if len(set(text)) < 4:
        raise InvalidInput(
            "The password repeats too few different characters to be safe; choose another.",
            "password",
        )
    return text
