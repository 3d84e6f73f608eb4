"""Fixtures shared by every test: a fresh database per test, cheap password hashing, a
movable clock, and a small world of taxpayers and third parties to act in.

A test that takes the ``database`` fixture (or one made from it, such as ``world``) runs
on SQLite, and on PostgreSQL too when ``MTC_TEST_POSTGRES_URL`` names a server
(``tests/databases.py``); ``@pytest.mark.sqlite_only`` keeps one that is about SQLite files
by its nature to SQLite.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from mtc_desktop.domain.ids import IdType, normalize_id
from mtc_desktop.domain.model import AccountType, Role, TaxpayerKind
from mtc_desktop.services import base, demo, logons
from mtc_desktop.services.base import Actor, transaction
from mtc_desktop.services.taxpayers import add_account, create_taxpayer
from mtc_desktop.store import database as store_db
from mtc_desktop.store.models import TaxAccount, Taxpayer
from tests.databases import BACKENDS, DatabaseRef, PostgresServer, postgres_server

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# QSettings (window places, text size, recent databases) on Linux live under
# $XDG_CONFIG_HOME: the tests, and the programs they start, never touch the user's own.
# tests/gui/conftest.py also points Qt there and empties it before each test.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="mtc-test-config-")

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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only: a test about SQLite files by its nature; not run on PostgreSQL",
    )
    config.addinivalue_line(
        "markers",
        "postgresql_only: a test about a PostgreSQL server by its nature (MTC_TEST_POSTGRES_URL)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each test that needs a database once per backend (``[sqlite]``, ``[postgresql]``)."""
    if "backend" not in metafunc.fixturenames:
        return
    backends: list[Any] = list(BACKENDS)
    if metafunc.definition.get_closest_marker("sqlite_only"):
        backends = ["sqlite"]
    elif metafunc.definition.get_closest_marker("postgresql_only"):
        backends = [
            "postgresql"
            if "postgresql" in BACKENDS
            else pytest.param(
                "postgresql",
                marks=pytest.mark.skip(reason="needs a PostgreSQL server: MTC_TEST_POSTGRES_URL"),
            )
        ]
    metafunc.parametrize("backend", backends, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The backend this run of the test is on: "sqlite" or "postgresql"."""
    return str(request.param)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """The PostgreSQL server of ``MTC_TEST_POSTGRES_URL``, making databases for the session."""
    assert "postgresql" in BACKENDS, "set MTC_TEST_POSTGRES_URL to test on PostgreSQL"
    with postgres_server() as server:
        yield server


@pytest.fixture
def database(backend: str, request: pytest.FixtureRequest) -> Iterator[DatabaseRef]:
    """A fresh, migrated database bound to the models, closed afterwards: a SQLite file
    (the ``db_path`` of the test), or a PostgreSQL URL."""
    if backend == "sqlite":
        path: Path = request.getfixturevalue("db_path")
        store_db.open_database(path)
        yield path
        store_db.close_database()
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    url = server.fresh()
    store_db.open_database(url)
    yield url
    store_db.close_database()
    server.drop(url)


@pytest.fixture
def demo_db(backend: str, request: pytest.FixtureRequest) -> Iterator[DatabaseRef]:
    """A demo database, closed: a SQLite file, or a PostgreSQL database copied from one
    filled once per session."""
    if backend == "sqlite":
        path: Path = request.getfixturevalue("tmp_path") / "demo.db"
        store_db.open_database(path)
        demo.create_demo()
        store_db.close_database()
        yield path
        store_db.close_database()
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    url = server.copy(server.template("demo", demo.create_demo))
    yield url
    store_db.close_database()
    server.drop(url)


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
        address: str = "1 Ashburton Place\nBoston, MA 02108",
    ) -> Taxpayer:
        raw = self._fein() if id_type is IdType.FEIN else self._ssn()
        if id_type is IdType.FEIN and raw[:2] in ("49", "69", "70", "78", "79", "89"):
            raw = "3" + raw[1:]
        kind = TaxpayerKind.BUSINESS if id_type is IdType.FEIN else TaxpayerKind.INDIVIDUAL
        with transaction():
            tp = create_taxpayer(
                id_type, normalize_id(id_type, raw), name, kind, email=email, address=address
            )
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

    def third_party(self, username: str, name: str | None = None, fein: str = "") -> Actor:
        """A firm registering its logon: a new FEIN unless ``fein`` names one."""
        return logons.register(
            logons.Registration(
                username=username,
                password=PASSWORD,
                email=f"{username}@firm.example",
                role=Role.THIRD_PARTY,
                id_type=IdType.FEIN,
                id_number=fein or self._fein(),
                legal_name=name or f"{username} LLP",
            )
        )

    def staff(self, username: str = "clerk", *, administrator: bool = False) -> Actor:
        with transaction():
            return logons.create_staff_logon(
                username,
                PASSWORD,
                f"{username}@dor.example",
                "Test Clerk",
                administrator=administrator,
            )

    @staticmethod
    def accounts(taxpayer: Taxpayer) -> list[TaxAccount]:
        return list(
            TaxAccount.select().where(TaxAccount.taxpayer == taxpayer.id).order_by(TaxAccount.id)
        )


@pytest.fixture
def world(database: Path, clock: Clock) -> World:
    return World()
