"""Fixtures shared by every test: a fresh database per test, cheap password hashing, a
movable clock, and a small world of taxpayers and third parties to act in."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from mtc_desktop.domain.ids import IdType, normalize_id
from mtc_desktop.domain.model import AccountType, Role, TaxpayerKind
from mtc_desktop.services import base, logons
from mtc_desktop.services.base import Actor, transaction
from mtc_desktop.services.taxpayers import add_account, create_taxpayer
from mtc_desktop.store import database as store_db
from mtc_desktop.store.models import TaxAccount, Taxpayer

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PASSWORD = "a-long-test-password-42"


@pytest.fixture(autouse=True, scope="session")
def _cheap_hashing() -> Iterator[None]:
    """argon2id still, with tiny parameters: the tests log in thousands of times."""
    previous = logons.password_hasher()
    logons.set_password_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    yield
    logons.set_password_hasher(previous)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "mtc.db"


@pytest.fixture
def database(db_path: Path) -> Iterator[Path]:
    """A fresh, migrated SQLite database bound to the models; closed afterwards."""
    store_db.open_database(db_path)
    yield db_path
    store_db.close_database()


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 2, 9, 30)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


@pytest.fixture
def clock() -> Iterator[Clock]:
    c = Clock()
    base.set_clock(c)
    yield c
    base.set_clock(None)


@dataclass
class World:
    """Factories for the people of a test, each a real registered logon."""

    counter: int = 0
    taxpayers: dict[str, Taxpayer] = field(default_factory=dict)

    def _ssn(self) -> str:
        self.counter += 1
        return f"{100 + self.counter:03d}-{10 + self.counter % 80:02d}-{1000 + self.counter:04d}"

    def _fein(self) -> str:
        self.counter += 1
        return f"{30 + self.counter % 60:02d}-{1000000 + self.counter:07d}"

    def taxpayer(
        self,
        name: str,
        accounts: tuple[AccountType, ...] = (AccountType.PERSONAL_INCOME,),
        id_type: IdType = IdType.SSN,
        email: str | None = None,
    ) -> Taxpayer:
        raw = self._fein() if id_type is IdType.FEIN else self._ssn()
        if id_type is IdType.FEIN and raw[:2] in ("49", "69", "70", "78", "79", "89"):
            raw = "3" + raw[1:]
        kind = TaxpayerKind.BUSINESS if id_type is IdType.FEIN else TaxpayerKind.INDIVIDUAL
        with transaction():
            tp = create_taxpayer(id_type, normalize_id(id_type, raw), name, kind, email=email)
            for account_type in accounts:
                add_account(tp, account_type)
        self.taxpayers[name] = tp
        return tp

    def taxpayer_logon(self, username: str, taxpayer: Taxpayer) -> Actor:
        return logons.register(
            logons.Registration(
                username=username,
                password=PASSWORD,
                email=f"{username}@mail.example",
                role=Role.TAXPAYER,
                id_type=IdType(taxpayer.id_type),
                id_number=taxpayer.id_number,
                legal_name=taxpayer.legal_name,
            )
        )

    def third_party(self, username: str, name: str | None = None) -> Actor:
        return logons.register(
            logons.Registration(
                username=username,
                password=PASSWORD,
                email=f"{username}@firm.example",
                role=Role.THIRD_PARTY,
                id_type=IdType.FEIN,
                id_number=self._fein(),
                legal_name=name or f"{username} LLP",
            )
        )

    def staff(self, username: str = "clerk") -> Actor:
        with transaction():
            return logons.create_staff_logon(
                username, PASSWORD, f"{username}@dor.example", "Test Clerk"
            )

    @staticmethod
    def accounts(taxpayer: Taxpayer) -> list[TaxAccount]:
        return list(
            TaxAccount.select().where(TaxAccount.taxpayer == taxpayer.id).order_by(TaxAccount.id)
        )


@pytest.fixture
def world(database: Path, clock: Clock) -> World:
    return World()
