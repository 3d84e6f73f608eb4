"""The demo logons and their shared password, apart from the demo builder so that the
login window can list them without importing it."""

from __future__ import annotations

from dataclasses import dataclass

from mtc_desktop.domain.model import Role

DEMO_PASSWORD = "training-password-2026"
# The setting that marks a database made by the demo builder (services/demo.py): only such
# a database offers Reset Demo and says "Demo" on screen.
DEMO_FLAG = "demo_database"


def is_demo_database() -> bool:
    """True when the open database is a demo database (made by ``create_demo``)."""
    # Imported here: the login window imports this module before any database is open.
    from mtc_desktop.store.database import environment_errors
    from mtc_desktop.store.models import Setting

    with environment_errors():
        return Setting.get_or_none(Setting.key == DEMO_FLAG) is not None


@dataclass(frozen=True)
class DemoLogon:
    username: str
    role: Role
    name: str
    what: str


def demo_logons() -> list[DemoLogon]:
    return [
        DemoLogon(
            "harborbakery",
            Role.TAXPAYER,
            "Harbor Street Bakery LLC",
            "a business with a pending request to decide",
        ),
        DemoLogon("msantos", Role.TAXPAYER, "Maria Santos", "an individual with one preparer"),
        DemoLogon(
            "edurand", Role.TAXPAYER, "Élodie Durand-Lefèvre", "a pending printed-form request"
        ),
        DemoLogon("smithcpa", Role.THIRD_PARTY, "Smith & Daughters CPA", "a preparer with clients"),
        DemoLogon(
            "beaconpayroll",
            Role.THIRD_PARTY,
            "Beacon Payroll Services Inc.",
            "a payroll firm waiting for decisions",
        ),
        DemoLogon("dorclerk", Role.DOR_STAFF, "Pat Rivera (DOR)", "DOR back office"),
    ]
