"""What every service shares: the acting logon, transactions, the clock, permission checks."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from mtc_desktop.domain.errors import NotAllowed
from mtc_desktop.domain.model import Role
from mtc_desktop.store.database import environment_errors
from mtc_desktop.store.models import Logon, db

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Actor:
    """The logged-in logon on whose behalf a service is called."""

    logon_id: int
    username: str
    role: Role
    taxpayer_id: int | None
    display_name: str
    # A DOR staff logon that manages staff logons (services/staff.py).
    administrator: bool = False

    @property
    def is_third_party(self) -> bool:
        return self.role is Role.THIRD_PARTY

    @property
    def is_dor_staff(self) -> bool:
        return self.role is Role.DOR_STAFF


def actor_for(logon: Logon) -> Actor:
    return Actor(
        logon_id=logon.id,
        username=logon.username,
        role=Role(logon.role),
        taxpayer_id=logon.taxpayer_id,
        display_name=logon.display_name,
        administrator=bool(logon.administrator),
    )


# The clock. Tests replace it to move time forward (request expiry).
_clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None)  # noqa: E731


def now() -> dt.datetime:
    """The current time, naive UTC, as stored."""
    return _clock()


def set_clock(clock: Callable[[], dt.datetime] | None) -> None:
    global _clock
    _clock = clock or (lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None))


# Per thread, one list per open transaction() of what to run once the outermost commits.
_pending = threading.local()


@contextlib.contextmanager
def transaction() -> Iterator[None]:
    """One unit of work: the change, its audit event and its messages, all or nothing."""
    stack: list[list[Callable[[], None]]] = _pending.__dict__.setdefault("stack", [])
    stack.append([])
    try:
        with environment_errors(), db.atomic():
            yield
    except BaseException:
        stack.pop()
        raise
    done = stack.pop()
    if stack:
        stack[-1].extend(fn for fn in done if fn not in stack[-1])
        return
    for fn in done:
        _run_after_commit(fn)


def _run_after_commit(fn: Callable[[], None]) -> None:
    try:
        fn()
    except Exception:
        # The change is committed: a failing listener must not make it look undone.
        log.exception("a listener run after a commit failed")


def after_commit(fn: Callable[[], None]) -> None:
    """Call ``fn`` once the current transaction has committed (at once outside one); never
    if it rolls back. Registering the same function twice in a transaction calls it once."""
    stack: list[list[Callable[[], None]]] = _pending.__dict__.setdefault("stack", [])
    if not stack:
        _run_after_commit(fn)
    elif fn not in stack[-1]:
        stack[-1].append(fn)


def reading(fn: Callable[P, R]) -> Callable[P, R]:
    """Mark a read-only service: environment failures become user messages."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with environment_errors():
            return fn(*args, **kwargs)

    return wrapper


def writing(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a service in one transaction."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction():
            return fn(*args, **kwargs)

    return wrapper


def release_thread_connection() -> None:
    """Close the calling thread's database connection, if it has one: a worker thread
    calls this before it ends (each thread has its own connection)."""
    if db.obj is not None and not db.is_closed():
        db.close()


# Logons whose window is locked after idle time: their services refuse until unlocked.
_locked_sessions: set[int] = set()
SESSION_LOCKED = (
    "This window is locked because it was left idle. Enter your password to unlock it; "
    "nothing was changed."
)


def lock_session(actor: Actor) -> None:
    """Refuse every service call for this logon until :func:`unlock_session`."""
    _locked_sessions.add(actor.logon_id)


def unlock_session(actor: Actor) -> None:
    _locked_sessions.discard(actor.logon_id)


def session_locked(actor: Actor) -> bool:
    return actor.logon_id in _locked_sessions


LOGON_DISABLED = "This logon is disabled. Ask a DOR administrator to enable it."


def current_logon(actor: Actor) -> Logon:
    """The actor's logon as stored now; its role is taken from the database, not the caller."""
    if actor.logon_id in _locked_sessions:
        raise NotAllowed(SESSION_LOCKED)
    logon = Logon.get_or_none(Logon.id == actor.logon_id)
    if logon is None or logon.role != actor.role.value:
        raise NotAllowed("Your logon is no longer valid. Log in again.")
    if logon.disabled_at is not None:
        raise NotAllowed(LOGON_DISABLED)
    return logon


def require_role(actor: Actor, *roles: Role) -> Logon:
    logon = current_logon(actor)
    if actor.role not in roles:
        names = " or ".join(r.label.lower() for r in roles)
        raise NotAllowed(f"Only a {names} logon can do this.")
    return logon


def require_taxpayer_side(actor: Actor) -> int:
    """A logon acting for its own taxpayer identity (a taxpayer, or a firm for its business)."""
    current_logon(actor)
    if actor.role is Role.DOR_STAFF or actor.taxpayer_id is None:
        raise NotAllowed("Only a taxpayer's own logon can do this.")
    return actor.taxpayer_id
