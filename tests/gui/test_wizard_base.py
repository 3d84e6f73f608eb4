"""The wizards share one page base (gui/wizard.py FieldPage): every page of *Create a
Logon*, the request wizard and *Set Up This Database* is one, so a field's message, its
hint and the page's message line look and behave the same in each."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget, QWizard

from mtc_desktop.gui.create_logon import CreateLogonWizard
from mtc_desktop.gui.request_wizard import RequestWizard
from mtc_desktop.gui.setup import SetUpWizard
from mtc_desktop.gui.wizard import FieldPage
from tests.gui.conftest import log_in


def _pages(wizard: QWizard) -> list[QWidget]:
    return [wizard.page(page_id) for page_id in wizard.pageIds()]


def test_every_page_of_every_wizard_is_the_one_base(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "smithcpa")
    wizards = [CreateLogonWizard(), SetUpWizard(), RequestWizard(main, main.actor)]
    for wizard in wizards:
        qtbot.addWidget(wizard)
    for wizard in wizards:
        pages = _pages(wizard)
        assert len(pages) >= 2
        assert [type(page).__name__ for page in pages if not isinstance(page, FieldPage)] == []


def test_a_page_message_and_a_field_message_show_the_same_way_in_each_wizard(
    qtbot, login_window
) -> None:
    main = log_in(qtbot, login_window, "smithcpa")
    for wizard in (CreateLogonWizard(), SetUpWizard(), RequestWizard(main, main.actor)):
        qtbot.addWidget(wizard)
        page = next(p for p in _pages(wizard) if isinstance(p, FieldPage) and p.fields)
        assert isinstance(page, FieldPage)
        name = next(iter(page.fields))
        page.show_errors({name: "Type it again."})
        assert page.errors[name].text() == "Type it again."
        assert page.errors[name].property("role") == "error"
        assert page.fields[name].accessibleDescription() == "Type it again."
        page.show_message("The database is busy. Try again.")
        assert page.message_text() == "The database is busy. Try again."
        assert page.message.property("role") == "error"
        page.show_message("")
        assert page.message_text() == ""
