"""The errors a user can be shown.

Two kinds, as in qutebrowser's ``misc/sql.py``: an :class:`MtcError` is something the user
did or met (bad input, no permission, a request already decided, a locked database) and
carries a message written for them; anything else is a bug, logged with its traceback.
"""

from __future__ import annotations

from collections.abc import Mapping


class MtcError(Exception):
    """An error whose message is meant for the user."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class InvalidInput(MtcError):
    """One or more fields hold something the rules do not accept.

    ``errors`` maps a field name to what is wrong with it and how to fix it.
    """

    def __init__(self, errors: Mapping[str, str] | str, field: str = "") -> None:
        if isinstance(errors, str):
            errors = {field: errors}
        self.errors: dict[str, str] = dict(errors)
        super().__init__(" ".join(self.errors.values()))

    @property
    def field(self) -> str:
        return next(iter(self.errors))


class NotAllowed(MtcError):
    """The acting logon may not do this."""


class NotFound(MtcError):
    """The thing asked for does not exist, or is not visible to the acting logon."""


class StateConflict(MtcError):
    """The thing is no longer in a state that allows this (decided, cancelled, expired...)."""


class AuthenticationFailed(MtcError):
    """Username or password is wrong; the message never says which."""


class EnvironmentProblem(MtcError):
    """The machine got in the way: database locked, disk full, file unreadable."""
