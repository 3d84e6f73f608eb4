"""The password policy. Passwords are chosen by their holder (DESIGN.md rule 8).

Length rules come first (15 to 1,024 characters after NFKC, never truncated). Then a
password must not be guessable: zxcvbn checks it against its bundled lists of common
passwords, words and names, keyboard patterns, dates and repeats, and against the
username and email address; anything below its score 3 (about 10^8 guesses) is refused
with zxcvbn's reason.
"""

from __future__ import annotations

import unicodedata

from mtc_desktop.domain.errors import InvalidInput

MIN_PASSWORD_LENGTH = 15
MAX_PASSWORD_LENGTH = 1024
MIN_SCORE = 3
# zxcvbn refuses input longer than 72 characters; a longer password is judged by its
# first 72, which is plenty to tell.
JUDGED_LENGTH = 72


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
    problem = guessable(text, username=username, email=email)
    if problem:
        raise InvalidInput(problem, "password")
    return text


def guessable(text: str, *, username: str = "", email: str = "") -> str:
    """Why ``text`` is easy to guess, or "" when it is not."""
    from zxcvbn import zxcvbn  # its word lists load on first use, not at start-up

    hints = [h for h in (username.strip(), email.strip(), email.partition("@")[0]) if h]
    result = zxcvbn(text[:JUDGED_LENGTH], user_inputs=hints)
    if result["score"] >= MIN_SCORE:
        return ""
    feedback = result.get("feedback") or {}
    reason = (feedback.get("warning") or "").strip()
    if not reason:
        reason = "This password is easy to guess."
    elif not reason.endswith("."):
        reason += "."
    return (
        f"{reason} Choose a password that is harder to guess: a few unrelated words, "
        "not your username or email address, and not a common password."
    )
