"""The audit trail's hash chain: each event carries the hash of the one before it, so an
event edited, removed or moved afterwards breaks the chain from that point on.

The canonical form is fixed for good (a later change would break every stored chain): the
event's fields as a compact JSON array, the previous hash before it, SHA-256 over both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

GENESIS = "0" * 64


def event_hash(
    prev: str,
    *,
    event_id: int,
    at: dt.datetime,
    actor_id: int | None,
    action: str,
    third_party_id: int | None,
    taxpayer_id: int | None,
    request_id: int | None,
    account_id: int | None,
    details: str,
) -> str:
    canonical = json.dumps(
        [
            event_id,
            at.isoformat(),
            actor_id,
            action,
            third_party_id,
            taxpayer_id,
            request_id,
            account_id,
            details,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev}\n{canonical}".encode()).hexdigest()
