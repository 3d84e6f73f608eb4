"""Settings kept in the database, shared by every workstation on it."""

from __future__ import annotations

from mtc_desktop.domain.errors import InvalidInput
from mtc_desktop.domain.model import Role
from mtc_desktop.services import audit
from mtc_desktop.services.base import Actor, reading, require_role, writing
from mtc_desktop.store.models import Setting

EXPIRY_DAYS = "request_expiry_days"
DEFAULT_EXPIRY_DAYS = 45


def _get_int(key: str, default: int) -> int:
    row = Setting.get_or_none(Setting.key == key)
    return int(row.value) if row is not None else default


def expiry_days() -> int:
    """Days a request stays pending before it expires."""
    return _get_int(EXPIRY_DAYS, DEFAULT_EXPIRY_DAYS)


@reading
def get_expiry_days() -> int:
    return expiry_days()


@writing
def set_expiry_days(actor: Actor, days: int) -> None:
    """DOR staff set how long a request may wait for its decision."""
    require_role(actor, Role.DOR_STAFF)
    if not 1 <= days <= 365:
        raise InvalidInput("The expiry period is 1 to 365 days.", "expiry_days")
    old = expiry_days()
    Setting.insert(key=EXPIRY_DAYS, value=str(days)).on_conflict(
        conflict_target=[Setting.key], update={Setting.value: str(days)}
    ).execute()
    audit.record(actor, "setting_changed", key=EXPIRY_DAYS, old=old, new=days)
