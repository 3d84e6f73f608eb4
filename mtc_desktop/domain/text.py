"""Names, usernames and free text: cleaning what people type, and comparing names.

Legal names are compared after Unicode compatibility normalization (NFKC), case folding
and collapsing runs of white space (DESIGN.md rule 5), so ``ÉLODIE  Durand`` typed with a
decomposed accent matches ``Élodie Durand`` on file.
"""

from __future__ import annotations

import re
import unicodedata

from mtc_desktop.domain.errors import InvalidInput

MAX_NAME_LENGTH = 200
MAX_TEXT_LENGTH = 10_000
MAX_USERNAME_LENGTH = 64
MIN_USERNAME_LENGTH = 3

_SPACES = re.compile(r"\s+")
# Characters that change how text is shown without being part of it: bidirectional
# overrides and isolates can make a name read differently on screen than it is stored.
# These are Unicode's Bidi_Control characters, all twelve of them.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Invisible characters that carry no meaning in a name and are dropped.
_INVISIBLE = frozenset("\u200b\ufeff\u2060\u00ad")
# Joiners are kept in a name (Persian and Indic names need them) but ignored when comparing.
_JOINERS = frozenset("\u200c\u200d")
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")


def _reject_controls(text: str, what: str, field: str) -> None:
    for char in text:
        if char in _BIDI_CONTROLS:
            raise InvalidInput(
                f"The {what} contains an invisible text-direction character "
                f"(U+{ord(char):04X}); retype it without pasting.",
                field,
            )
        if unicodedata.category(char) == "Cc" and char not in "\t\n\r":
            raise InvalidInput(
                f"The {what} contains a control character (U+{ord(char):04X}); "
                "retype it without pasting.",
                field,
            )


def clean_name(raw: str, what: str = "legal name", field: str = "legal_name") -> str:
    """The name as stored: NFC, single spaces, no invisible characters."""
    if len(raw) > MAX_NAME_LENGTH * 4:
        raise InvalidInput(
            f"The {what} is too long ({len(raw):,} characters); at most {MAX_NAME_LENGTH} "
            "are allowed.",
            field,
        )
    _reject_controls(raw, what, field)
    text = "".join(ch for ch in raw if ch not in _INVISIBLE)
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    if not text:
        raise InvalidInput(f"Enter the {what}.", field)
    if len(text) > MAX_NAME_LENGTH:
        raise InvalidInput(
            f"The {what} is too long ({len(text):,} characters); at most {MAX_NAME_LENGTH} "
            "are allowed.",
            field,
        )
    if not any(ch.isalnum() for ch in text):
        raise InvalidInput(f"The {what} must contain at least one letter or digit.", field)
    return text


def name_key(name: str) -> str:
    """The form of a name used to compare it with another."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch for ch in text if ch not in _JOINERS and ch not in _INVISIBLE)
    return _SPACES.sub(" ", text.casefold()).strip()


def names_match(a: str, b: str) -> bool:
    return name_key(a) == name_key(b)


def clean_username(raw: str) -> str:
    text = raw.strip()
    if not text:
        raise InvalidInput("Choose a username.", "username")
    if not (MIN_USERNAME_LENGTH <= len(text) <= MAX_USERNAME_LENGTH):
        raise InvalidInput(
            f"A username has {MIN_USERNAME_LENGTH} to {MAX_USERNAME_LENGTH} characters; "
            f"this one has {len(text):,}.",
            "username",
        )
    if not _USERNAME.match(text):
        raise InvalidInput(
            "A username may use the letters A-Z, digits and . _ @ - and must start with a "
            "letter or digit.",
            "username",
        )
    return text


def username_key(username: str) -> str:
    return username.strip().casefold()


def clean_text(raw: str, what: str, field: str, max_length: int = MAX_TEXT_LENGTH) -> str:
    """Free text (a title, a note): controls refused, length bounded, ends trimmed."""
    if len(raw) > max_length:
        raise InvalidInput(
            f"The {what} is too long ({len(raw):,} characters); at most {max_length:,} "
            "are allowed.",
            field,
        )
    _reject_controls(raw, what, field)
    text = unicodedata.normalize("NFC", raw).strip()
    if not text:
        raise InvalidInput(f"Enter the {what}.", field)
    return text


def clean_line(raw: str, what: str, field: str, max_length: int = MAX_TEXT_LENGTH) -> str:
    """One line of text (a title, a tax period): :func:`clean_text`, and no line breaks or
    invisible characters, runs of spaces made one."""
    if "\n" in raw or "\r" in raw:
        raise InvalidInput(f"The {what} must fit on one line; remove the line break.", field)
    text = clean_text(raw, what, field, max_length)
    text = _SPACES.sub(" ", "".join(ch for ch in text if ch not in _INVISIBLE)).strip()
    if not text:
        raise InvalidInput(f"Enter the {what}.", field)
    return text


def search_words(text: str) -> list[str]:
    """The words of a filter typed by a user, in the form they are compared."""
    return [w for w in name_key(text).split(" ") if w]
