"""A workstation killed in the middle of its writes: the database still passes ``db check``,
and every change is either all there (with its audit event and messages) or not at all."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mtc_desktop.store import database as store_db
from mtc_desktop.store.models import (
    AccessGrant,
    AccessRequest,
    AuditEvent,
    Message,
    RequestLine,
)

# A writer killed mid-write on a file: SQLite's journal and WAL by their nature.
pytestmark = pytest.mark.sqlite_only

KILLS = 12

# Requests and decisions as fast as the services go, until killed. The taxpayers and
# logons are made first (with cheap password hashing), and say "ready".
WORKER = r"""
import sys
from argon2 import PasswordHasher
from mtc_desktop.domain.ids import IdType, format_id
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import AccountType, ApprovalMethod, Role, TaxpayerKind
from mtc_desktop.services import logons, requests
from mtc_desktop.services.base import transaction
from mtc_desktop.services.taxpayers import add_account, create_taxpayer
from mtc_desktop.store import database
from mtc_desktop.store.models import Logon, TaxAccount, Taxpayer

logons.set_password_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
database.open_database(sys.argv[1])
seed = int(sys.argv[2])
def reg(username, role, id_type, number, name):
    return logons.register(logons.Registration(
        username, "a-long-test-password-42", f"{username}@mail.example", role, id_type,
        number, name))
firm = reg(f"firm{seed}", Role.THIRD_PARTY, IdType.FEIN,
           f"{31 + seed % 5:02d}-{1000000 + seed:07d}", f"Firm {seed}")
print("ready", flush=True)
n = 0
while True:
    n += 1
    number = f"{100 + (seed * 37 + n) % 500:03d}-{10 + seed % 89:02d}-{1000 + n % 9000:04d}"
    name = f"Client {seed} {n}"
    with transaction():
        tp = create_taxpayer(IdType.SSN, number.replace("-", ""), name,
                             TaxpayerKind.INDIVIDUAL)
        a = add_account(tp, AccountType.PERSONAL_INCOME)
        b = add_account(tp, AccountType.FIDUCIARY)
    owner = reg(f"c{seed}x{n}", Role.TAXPAYER, IdType.SSN, number, name)
    view = requests.request_access(firm, requests.RequestDraft(
        IdType.SSN, number, name, ((a.id, AccessLevel.FILE), (b.id, AccessLevel.PAY)),
        ApprovalMethod.MASSTAXCONNECT))
    requests.decide_request(owner, view.id, [
        requests.LineDecision(a.id, True, AccessLevel.VIEW_ONLY),
        requests.LineDecision(b.id, True, AccessLevel.PAY)])
"""


def _audit(action: str, request_id: int) -> int:
    return (
        AuditEvent.select()
        .where((AuditEvent.action == action) & (AuditEvent.request == request_id))
        .count()
    )


def _check_whole(path: Path) -> int:
    """Every request is whole: created with its two lines, its audit event and its email;
    decided with both lines, both grants, their audit events and the three messages."""
    report = store_db.check_database(str(path))
    assert report.ok, report.lines
    store_db.open_database(path, upgrade=False)
    try:
        requests = list(AccessRequest.select())
        for request in requests:
            lines = list(RequestLine.select().where(RequestLine.request == request.id))
            assert len(lines) == 2, request.number
            assert _audit("request_created", request.id) == 1
            messages = Message.select().where(Message.request == request.id)
            if request.status == "pending":
                assert all(line.give_rights is None for line in lines)
                assert messages.count() == 1  # the email asking the taxpayer
                assert not AccessGrant.select().where(AccessGrant.request == request.id).exists()
            else:
                assert request.status == "approved"
                assert all(line.give_rights for line in lines)
                assert AccessGrant.select().where(AccessGrant.request == request.id).count() == 2
                assert _audit("grant_created", request.id) == 2
                assert _audit("request_approved", request.id) == 1
                assert messages.count() == 4  # the ask, and email + e-message + email
        return len(requests)
    finally:
        store_db.close_database()


def test_killed_at_random_points_every_change_is_whole(tmp_path: Path) -> None:
    path = tmp_path / "office.db"
    store_db.open_database(path)
    store_db.close_database()
    rng = random.Random(2026)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    total = 0
    for round_ in range(KILLS):
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(path), str(round_ + 1)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.6))
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        worker.stdout.close()
        assert worker.returncode == -signal.SIGKILL, "killed while still writing"
        total = _check_whole(path)
    assert total >= KILLS, "the workers got some requests written before being killed"
