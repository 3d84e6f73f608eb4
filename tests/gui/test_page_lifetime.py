"""No page outlives its visit: every page and dialog of each mode, visited many times by
its links, is gone once the user has left it — the page, its table models and its
dialogs, Python wrapper and Qt object alike. (A model with no Qt parent whose signal
held a lambda capturing its page kept both alive for good: +4–5 MiB a visit of a firm's
client list.)"""

from __future__ import annotations

import ast
import gc
import importlib
import inspect
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import shiboken6
from PySide6.QtCore import QAbstractItemModel, QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from mtc_desktop.gui.app import launch
from mtc_desktop.gui.client_account import ClientAccountPage
from mtc_desktop.gui.client_page import ClientPage
from mtc_desktop.gui.clients import ClientsPage
from mtc_desktop.gui.clients_model import ClientsModel
from mtc_desktop.gui.create_logon import CreateLogonWizard
from mtc_desktop.gui.dor import DorHomePage, DorRequestPage, MailCorrespondenceDialog
from mtc_desktop.gui.inbox import InboxPage
from mtc_desktop.gui.main_window import MainWindow
from mtc_desktop.gui.my_access import AccessDetailsPage, MyAccessPage
from mtc_desktop.gui.my_clients import ChangeClientViewDialog, ManageMyClientsPage
from mtc_desktop.gui.outbox import OutboxPage, SmtpSettingsDialog
from mtc_desktop.gui.pages import Page
from mtc_desktop.gui.pdf_preview import PdfPreviewDialog
from mtc_desktop.gui.poa import (
    InformationQueuePage,
    PowersOfAttorneyPage,
    PrepareFormDialog,
    RecordPoaDialog,
)
from mtc_desktop.gui.profile import ProfilePage
from mtc_desktop.gui.registry import (
    AddTaxAccountDialog,
    ImportRegistryDialog,
    RegisterTaxpayerDialog,
    RegistrySearchPage,
    RegistryTaxpayerPage,
)
from mtc_desktop.gui.request_wizard import RequestWizard
from mtc_desktop.gui.sender import BackgroundSender
from mtc_desktop.gui.setup import RedeemCodeDialog
from mtc_desktop.gui.staff import AddStaffDialog, StaffLogonsPage
from mtc_desktop.gui.taxpayer import (
    AccessRequestsPage,
    AccountSecurityDialog,
    ApproveDenyDialog,
    ThirdPartiesPage,
    ThirdPartyPage,
)
from mtc_desktop.services import base, clients, demo, logons
from mtc_desktop.store.models import AccessRequest, Taxpayer
from tests.gui.conftest import buttons, click, log_in, when_modal

VISITS = 20
OPENINGS = 5  # of each dialog

P = TypeVar("P", bound=Page)


def _settle() -> None:
    """What the event loop does after the user leaves a page: the deferred deletes run
    (more than once: a deleted page's children post their own), then Python's collector."""
    app = QApplication.instance()
    assert app is not None
    for _ in range(3):
        app.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()


def _ours(obj: object) -> bool:
    return isinstance(obj, (Page, QAbstractItemModel, QDialog)) and type(obj).__module__.startswith(
        "mtc_desktop."
    )


# Objects an earlier test in the same process left behind: each test counts only what it
# made itself. (Calling findChildren on a window can leave PySide6 holding the Python
# wrappers of pages that window had, after Qt deleted them: an earlier test that
# inspects every widget must not make this one fail, nor hide a leak of this one's.)
_EARLIER: set[int] = set()


@pytest.fixture(autouse=True)
def _count_only_this_tests_objects() -> None:
    _settle()
    _EARLIER.clear()
    _EARLIER.update(id(obj) for obj in gc.get_objects() if _from_the_program(obj))


def _from_the_program(obj: object) -> bool:
    module = type(obj).__dict__.get("__module__")
    return isinstance(module, str) and module.startswith("mtc_desktop.")


def census() -> Counter[str]:
    """The program's pages, table models and dialogs alive now, by class (Python objects,
    whether or not their Qt object was deleted: a wrapper kept alive keeps its data),
    made since this test began."""
    _settle()
    return Counter(
        type(obj).__name__ for obj in gc.get_objects() if _ours(obj) and id(obj) not in _EARLIER
    )


def alive(cls: type) -> int:
    _settle()
    return sum(1 for obj in gc.get_objects() if type(obj) is cls and id(obj) not in _EARLIER)


def page(main: MainWindow, cls: type[P]) -> P:
    current = main.current_page
    assert isinstance(current, cls), f"expected {cls.__name__}, showing {type(current).__name__}"
    return current


def open_inbox(qtbot, main: MainWindow) -> None:
    """The header's Inbox link ("Inbox", or "Inbox (3 unread)")."""
    qtbot.mouseClick(main.inbox_link, Qt.MouseButton.LeftButton)


def go_home(qtbot, main: MainWindow) -> None:
    click(qtbot, main, "Home")


def visit_many(
    qtbot,
    main: MainWindow,
    cls: type[Page],
    visit: Callable[[], None],
    *,
    home: Counter[str],
    showing: int = 1,
) -> None:
    """Visit a page ``VISITS`` times, each time from Home by its links and back Home:
    while it shows, only the ``showing`` pages of its kind on the way to it are alive, and
    once Home again, only what Home itself holds."""
    for _ in range(VISITS):
        visit()
        assert type(main.current_page) is cls
        go_home(qtbot, main)
    visit()
    count = alive(cls)
    assert count == showing, f"{count} {cls.__name__} pages alive after {VISITS + 1} visits"
    go_home(qtbot, main)
    after = census()
    assert after == home, (
        f"after {VISITS + 1} visits of {cls.__name__} and back Home, alive: "
        f"{dict(after - home)} more than Home holds"
    )


def close_dialog_many(qtbot, open_it: Callable[[], None], cls: type[QWidget], button: str) -> None:
    """Open a dialog ``OPENINGS`` times and close it with ``button``; none is left alive."""
    for _ in range(OPENINGS):
        seen = when_modal(lambda box: click(qtbot, box, button), of_type=cls)
        open_it()
        assert seen, f"{cls.__name__} did not open"
        seen.clear()
    assert alive(cls) == 0, f"{alive(cls)} {cls.__name__} dialogs alive after they closed"


def open_more_tab(main: MainWindow) -> ProfilePage:
    profile = page(main, ProfilePage)
    tabs = profile.tabs
    tabs.setCurrentIndex([tabs.tabText(i) for i in range(tabs.count())].index("More…"))
    return profile


# --- taxpayer mode ------------------------------------------------------------------------


def test_taxpayer_pages_and_dialogs_are_gone_after_each_visit(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    home = census()
    assert home["HomePage"] == 1

    def profile() -> None:
        click(qtbot, main, "Manage My Profile")
        tabs = page(main, ProfilePage).tabs
        for i in range(tabs.count()):  # both tabs: Profile and More…
            tabs.setCurrentIndex(i)

    def access_requests() -> None:
        click(qtbot, main, "Manage My Profile")
        click(qtbot, open_more_tab(main), "View Access Requests from Third Parties")

    def third_parties() -> None:
        click(qtbot, main, "Manage My Profile")
        click(qtbot, open_more_tab(main), "Manage Third-party Access")

    def third_party() -> None:
        third_parties()
        click(qtbot, main, "smithcpa")

    def powers_of_attorney() -> None:
        click(qtbot, main, "Manage My Profile")
        click(qtbot, open_more_tab(main), "Powers of Attorney")

    def inbox() -> None:
        open_inbox(qtbot, main)

    visit_many(qtbot, main, ProfilePage, profile, home=home)
    visit_many(qtbot, main, AccessRequestsPage, access_requests, home=home)
    visit_many(qtbot, main, ThirdPartiesPage, third_parties, home=home)
    visit_many(qtbot, main, ThirdPartyPage, third_party, home=home)
    visit_many(qtbot, main, InboxPage, inbox, home=home)
    visit_many(qtbot, main, PowersOfAttorneyPage, powers_of_attorney, home=home)

    access_requests()
    close_dialog_many(
        qtbot, lambda: click(qtbot, main.current_page, "Approve/Deny"), ApproveDenyDialog, "Cancel"
    )
    third_party()
    close_dialog_many(
        qtbot,
        lambda: click(
            qtbot, main.current_page, page(main, ThirdPartyPage).access_type_links()[0].text()
        ),
        AccountSecurityDialog,
        "Close",
    )
    go_home(qtbot, main)
    assert census() == home


# --- third-party mode ---------------------------------------------------------------------


def test_third_party_pages_and_dialogs_are_gone_after_each_visit(qtbot, login_window) -> None:
    smith = logons.log_in("smithcpa", demo.DEMO_PASSWORD)
    clients.set_client_view(smith, True)  # Manage My Clients shows under the profile
    main = log_in(qtbot, login_window, "smithcpa")
    home = census()
    assert home["ClientsPage"] == 1, "a third party's Home is its clients"
    assert home["ClientsModel"] == 2, "the Favorites and the All tab"

    def client_list() -> None:
        # Home → Back (the home page under the list) → My Clients: the list again, new.
        click(qtbot, main, "Back")
        click(qtbot, main, "My Clients")
        listing = page(main, ClientsPage)
        listing.tabs.setCurrentIndex(ClientsPage.ALL_TAB)
        qtbot.keyClicks(listing.filter_edit, "Maria")
        listing.filter_edit.clear()

    def client() -> None:
        listing = page(main, ClientsPage)
        listing.tabs.setCurrentIndex(ClientsPage.ALL_TAB)
        row = listing.all_model.row_of(
            Taxpayer.get(Taxpayer.legal_name == "Maria Santos").id  # type: ignore[arg-type]
        )
        assert row is not None
        listing.view.select_row(row)
        click(qtbot, listing, "Open Client")

    def client_account() -> None:
        client()
        opened = page(main, ClientPage)
        click(qtbot, opened, opened.account_links()[0].text())

    def my_clients() -> None:
        click(qtbot, main, "Manage My Profile")
        click(qtbot, main, "Manage My Clients")

    def all_clients() -> None:
        my_clients()
        click(qtbot, main, "All Clients")

    def my_access() -> None:
        click(qtbot, main, "Manage My Profile")
        click(qtbot, open_more_tab(main), "Manage My Access")

    def access_details() -> None:
        my_access()
        click(qtbot, main, "Tax Administrator")

    def inbox() -> None:
        open_inbox(qtbot, main)

    visit_many(qtbot, main, ClientsPage, client_list, home=home)
    visit_many(qtbot, main, ClientPage, client, home=home)
    visit_many(qtbot, main, ClientAccountPage, client_account, home=home)
    visit_many(qtbot, main, ManageMyClientsPage, my_clients, home=home)
    # All Clients from Manage My Clients: over Home's own client list.
    visit_many(qtbot, main, ClientsPage, all_clients, home=home, showing=2)
    visit_many(qtbot, main, MyAccessPage, my_access, home=home)
    visit_many(qtbot, main, AccessDetailsPage, access_details, home=home)
    visit_many(qtbot, main, InboxPage, inbox, home=home)

    click(qtbot, main, "Manage My Profile")
    open_more_tab(main)
    close_dialog_many(
        qtbot,
        lambda: click(qtbot, main.current_page, "Request to Manage Other Taxpayer's Accounts"),
        RequestWizard,
        "Cancel",
    )
    close_dialog_many(
        qtbot,
        lambda: click(qtbot, main.current_page, "Change Client View"),
        ChangeClientViewDialog,
        "Cancel",
    )
    go_home(qtbot, main)
    client()
    close_dialog_many(
        qtbot,
        lambda: click(qtbot, main.current_page, "Prepare Form M-2848…"),
        PrepareFormDialog,
        "Cancel",
    )
    go_home(qtbot, main)
    my_clients()
    my_page = page(main, ManageMyClientsPage)
    my_page.requests_view.selectRow(0)  # a pending request for a printed form
    assert buttons(my_page, "Print Client Authorization")[0].isEnabled()
    del my_page
    close_dialog_many(
        qtbot,
        lambda: click(qtbot, main.current_page, "Print Client Authorization"),
        PdfPreviewDialog,
        "Close",
    )
    go_home(qtbot, main)
    assert census() == home


# --- DOR staff ----------------------------------------------------------------------------


@pytest.fixture
def running_sender(qtbot) -> Iterator[BackgroundSender]:
    """The background email sender, as the program runs it: the Outbox page listens to
    its rounds."""
    sender = BackgroundSender(interval=60)
    sender.start()
    yield sender
    assert sender.stop(timeout=10)


def test_dor_pages_and_dialogs_are_gone_after_each_visit(
    qtbot, login_window, running_sender: BackgroundSender
) -> None:
    main = log_in(qtbot, login_window, "dorclerk")
    home = census()
    assert home["DorHomePage"] == 1
    number = AccessRequest.get(AccessRequest.status == "pending").number

    def registry_search() -> None:
        qtbot.keyClicks(main.current_page.registry_edit, "Harbor")  # type: ignore[union-attr]
        click(qtbot, main, "Find Taxpayer")

    def registry_taxpayer() -> None:
        registry_search()
        click(qtbot, main, "Open Taxpayer")

    def staff() -> None:
        click(qtbot, main, "Staff Logons")

    def outbox() -> None:
        click(qtbot, main, "Outbox")
        running_sender.delivered.emit(None)  # a round the page rereads after

    def request() -> None:
        qtbot.keyClicks(main.current_page.reference_edit, number)  # type: ignore[union-attr]
        click(qtbot, main, "Find Request")

    def inbox() -> None:
        open_inbox(qtbot, main)

    def information_requests() -> None:
        click(qtbot, main, "Information Requests")

    visit_many(qtbot, main, RegistrySearchPage, registry_search, home=home)
    visit_many(qtbot, main, RegistryTaxpayerPage, registry_taxpayer, home=home)
    visit_many(qtbot, main, StaffLogonsPage, staff, home=home)
    visit_many(qtbot, main, OutboxPage, outbox, home=home)
    visit_many(qtbot, main, DorRequestPage, request, home=home)
    visit_many(qtbot, main, InboxPage, inbox, home=home)
    visit_many(qtbot, main, InformationQueuePage, information_requests, home=home)

    assert isinstance(main.current_page, DorHomePage)
    for link, cls, button in (
        ("Register Taxpayer", RegisterTaxpayerDialog, "Cancel"),
        ("Mail Correspondence", MailCorrespondenceDialog, "Cancel"),
        ("Email Server", SmtpSettingsDialog, "Cancel"),
        ("Import Registry…", ImportRegistryDialog, "Close"),
        ("Record Power of Attorney", RecordPoaDialog, "Cancel"),
    ):
        close_dialog_many(
            qtbot, lambda link=link: click(qtbot, main.current_page, link), cls, button
        )
    staff()
    close_dialog_many(
        qtbot,
        lambda: click(qtbot, main.current_page, "Add Staff Logon…"),
        AddStaffDialog,
        "Cancel",
    )
    go_home(qtbot, main)
    registry_taxpayer()
    close_dialog_many(
        qtbot,
        lambda: click(qtbot, main.current_page, "Add Tax Account…"),
        AddTaxAccountDialog,
        "Cancel",
    )
    go_home(qtbot, main)
    assert census() == home


# --- the main window itself ---------------------------------------------------------------


def test_a_main_window_is_gone_after_switch_logon(qtbot, login_window) -> None:
    before, windows = census(), alive(MainWindow)
    for username in ("harborbakery", "smithcpa", "dorclerk") * 3:
        log_in(qtbot, login_window, username)
        click(qtbot, main_window_now(), "Switch Logon")
        qtbot.waitUntil(login_window.isVisible)
    assert alive(MainWindow) == windows, "a main window outlived its logon"
    # The login window's own dialogs, opened and closed.
    close_dialog_many(
        qtbot, lambda: click(qtbot, login_window, "Create a Logon"), CreateLogonWizard, "Cancel"
    )
    close_dialog_many(
        qtbot,
        lambda: click(qtbot, login_window, "Use a One-Time Code…"),
        RedeemCodeDialog,
        "Cancel",
    )
    after = census()
    assert after == before, f"alive after Switch Logon: {dict(after - before)}"


def test_a_main_window_is_gone_with_its_session(qtbot, demo_db) -> None:
    """The session ends with its login window (as at quit): the logon's main window goes
    too, although its actions' handlers hold it."""
    login = launch(str(demo_db), demo.demo_logons())
    log_in(qtbot, login, "smithcpa")
    assert alive(MainWindow) == 1
    main_window_now().close()
    login.close()
    login.deleteLater()
    assert alive(MainWindow) == 0, "the main window outlived its session"


def main_window_now() -> MainWindow:
    found = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
    ]
    assert len(found) == 1
    return found[0]


# --- the pattern, wherever a window makes a model -----------------------------------------


def _model_classes() -> dict[str, type]:
    """The program's table models: every QAbstractItemModel subclass in mtc_desktop.gui."""
    found: dict[str, type] = {}
    for path in sorted(GUI.glob("*.py")):
        module = importlib.import_module(f"mtc_desktop.gui.{path.stem}")
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, QAbstractItemModel)
                and value.__module__.startswith("mtc_desktop.gui")
            ):
                found[name] = value
    return found


GUI = Path(__file__).resolve().parents[2] / "mtc_desktop" / "gui"


def test_every_table_model_a_window_makes_has_a_qt_parent() -> None:
    """A model made without a Qt parent belongs to Python alone: a slot connected to its
    signals that holds the page (a lambda using ``self``) keeps the page and the model
    alive after the page is deleted. Every model the windows make gets its page (or
    dialog) as ``parent=``, so it goes with it."""
    models = _model_classes()
    assert {"ClientsModel", "AccessModel", "OutboxModel", "StaffModel"} <= set(models)
    missing = []
    for path in sorted(GUI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in models and not any(k.arg == "parent" for k in node.keywords):
                missing.append(f"{path.name}:{node.lineno} {name}(...)")
    assert not missing, f"table models made without parent=: {missing}"


# --- a client list's late report ----------------------------------------------------------


def test_a_client_list_gone_before_its_failed_block_is_reported_reports_nothing(
    qtbot, database
) -> None:
    """A block of rows that cannot be read is reported after the paint that asked for it:
    if the list (its page, and the model with it) is gone by then, nothing runs on it."""
    demo.create_demo()
    firm = logons.log_in("smithcpa", demo.DEMO_PASSWORD)
    reports: list[object] = []
    for leave_first in (False, True):
        holder = QObject()  # the page the model goes with
        model = ClientsModel(firm, parent=holder)
        model.refresh()
        model.loading_failed.connect(reports.append)
        base.lock_session(firm)  # the services refuse this logon: no block can be read
        try:
            assert model.row_object(0) is None
        finally:
            base.unlock_session(firm)
        if leave_first:
            shiboken6.delete(holder)
        _settle()
        assert len(reports) == 1, "reported once while the list is there, never after"
