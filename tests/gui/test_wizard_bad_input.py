"""Hostile and odd input typed or pasted into the wizards: each gets its message beside the
field it is in, the wizard stays on the page with what was typed, and nothing is stored."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLineEdit, QWidget

from mtc_desktop.store.models import AccessRequest, Logon, Taxpayer
from tests.gui import test_create_logon as logon_wizard
from tests.gui import test_request_wizard as request_wizard
from tests.gui.conftest import log_in


def paste(edit: QWidget, text: str) -> str:
    """Paste ``text`` over what the field holds, as Ctrl+V does (QTest cannot type control
    characters); return what the field then holds (a length limit may cut a paste)."""
    assert isinstance(edit, QLineEdit)
    edit.setFocus()
    edit.selectAll()
    edit.insert(text)
    return edit.text()


@pytest.fixture
def preparer(qtbot, login_window):  # type: ignore[no-untyped-def]
    return log_in(qtbot, login_window, "smithcpa")


PASTES = {
    "control character": "Ada\x07 Lovelace",
    "right-to-left override": "Ada \u202eLovelace",
    "100,000-character paste": "A" * 100_000,
    "only invisible": "\u200b\u200b",
    "sql": "x'); DROP TABLE logon; --",
}


@pytest.mark.parametrize("name", list(PASTES.values()), ids=list(PASTES))
def test_create_a_logon_refuses_hostile_names_beside_the_field(qtbot, world, name: str) -> None:
    logons_before = Logon.select().count()
    taxpayers_before = Taxpayer.select().count()

    def script(user: logon_wizard.User) -> None:
        user.who(third_party=True)
        assert user.title == "Your identity"
        user.choose("ID type", logon_wizard.FEIN)
        user.type("ID number", "31-7654321")
        pasted = paste(user.field("Legal name"), name)
        user.click("Next")
        if user.title == "Your identity":
            assert user.error_beside("Legal name"), "a message beside the field"
            assert user.text("Legal name") == pasted, "what was pasted is kept to be fixed"
        else:  # the name was acceptable once cleaned (the SQL text is just text)
            assert name.startswith("x')")
        user.click("Cancel")

    assert logon_wizard.run_wizard(qtbot, script) is None
    assert (Logon.select().count(), Taxpayer.select().count()) == (
        logons_before,
        taxpayers_before,
    )


@pytest.mark.parametrize(
    ("id_number", "name"),
    [
        ("0" * 100_000, request_wizard.HARBOR[1]),
        ("04-3812967\x00", request_wizard.HARBOR[1]),
        ("٠٤-٣٨١٢٩٦٧", request_wizard.HARBOR[1]),
        (request_wizard.HARBOR[0], "Harbor Street\u202e Bakery LLC"),
        (request_wizard.HARBOR[0], "%"),
        (request_wizard.HARBOR[0], "B" * 100_000),
    ],
    ids=["long id", "nul in id", "arabic-indic digits", "rlo in name", "like", "long name"],
)
def test_the_request_wizard_refuses_hostile_ids_and_names(
    qtbot, preparer, id_number: str, name: str
) -> None:
    requests_before = AccessRequest.select().count()

    def script(user: request_wizard.User) -> None:
        user.id_type(request_wizard.FEIN)
        paste(user.field("ID number"), id_number)
        paste(user.field("Legal name"), name)
        user.click("Next")
        assert user.title == "Enter the taxpayer's ID number and legal name", "refused"
        messages = [user.error_beside("ID number"), user.error_beside("Legal name")]
        assert any(messages), "a message beside a field"
        assert all(len(m) < 300 for m in messages)

    request_wizard.run_wizard(qtbot, preparer, script)
    assert AccessRequest.select().count() == requests_before
