"""From an empty database to a working office, in the windows: *Set Up This Database* at the
login window, the DOR registry (*Register Taxpayer*, *Add Tax Account*, *Close Account*,
*Import Registry…*), *Staff Logons* with one-time codes redeemed at the login window, and
taxpayers and a preparer who create their own logons and meet through a request — driven by
the labels on the screen, checked on screen and in the database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QTableWidget,
    QWidget,
    QWizard,
)

from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.model import AccountType, TaxpayerKind
from mtc_desktop.gui.app import launch
from mtc_desktop.gui.create_logon import PASSWORDS_DIFFER, CreateLogonWizard
from mtc_desktop.gui.dor import DorHomePage
from mtc_desktop.gui.home import HomePage
from mtc_desktop.gui.login import LoginWindow
from mtc_desktop.gui.registry import (
    AddTaxAccountDialog,
    ImportRegistryDialog,
    RegisterTaxpayerDialog,
    RegistrySearchPage,
    RegistryTaxpayerPage,
)
from mtc_desktop.gui.setup import RedeemCodeDialog, SetUpWizard
from mtc_desktop.gui.staff import AddStaffDialog, OneTimeCodeDialog, StaffLogonsPage
from mtc_desktop.gui.taxpayer import AccessRequestsPage, ApproveDenyDialog
from mtc_desktop.services import registry, staff
from mtc_desktop.services.base import Actor
from mtc_desktop.services.staff import OneTimeCode
from mtc_desktop.store import database as store_db
from mtc_desktop.store.models import (
    AccessGrant,
    AccessRequest,
    AuditEvent,
    Logon,
    Message,
    TaxAccount,
    Taxpayer,
)
from tests.databases import DatabaseRef, PostgresServer
from tests.gui import test_create_logon as create_logon_test
from tests.gui import test_request_wizard as request_test
from tests.gui.conftest import ModalAnswer, buttons, click, log_in, main_window, when_modal

PASSWORD = "correct horse battery staple"
FEIN = "Federal Employer Identification Number (FEIN)"
SSN = "Social Security Number (SSN)"

HEADER = "id_type,id_number,legal_name,taxpayer_type,account_type,mailing_address"
# Two taxpayers, three accounts; line 4 has an ITIN for a business (a bad row).
BAD_FILE = (
    f"{HEADER}\n"
    'SSN,031-54-2210,Rosa Delgado,Individual,Personal Income,"12 Elm St, Salem, MA 01970"\n'
    'FEIN,04-5550123,Quincy Tools Inc.,Business,Withholding,"9 Dock Rd, Quincy, MA 02169"\n'
    'ITIN,912-70-1234,Quincy Tools Inc.,Business,Sales and Use,"9 Dock Rd, Quincy, MA 02169"\n'
)
GOOD_FILE = BAD_FILE.replace("ITIN,912-70-1234", "FEIN,04-5550123")


# --- an empty database, opened by the program -------------------------------------------


@pytest.fixture
def empty_db(backend: str, request: pytest.FixtureRequest) -> Iterator[DatabaseRef]:
    """A database no one has used: a new SQLite file, or an empty PostgreSQL database."""
    if backend == "sqlite":
        yield request.getfixturevalue("tmp_path") / "office.db"
        store_db.close_database()
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    url = server.fresh()
    yield url
    store_db.close_database()
    server.drop(url)


@pytest.fixture
def new_office(qtbot, empty_db: DatabaseRef) -> Iterator[LoginWindow]:
    """The program opened on the empty database: its login window."""
    window = launch(str(empty_db))
    qtbot.addWidget(window)
    yield window
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible():
            widget.close()


@pytest.fixture
def office(new_office: LoginWindow) -> LoginWindow:
    """The new office's login window once its first administrator, chief, is set up."""
    staff.set_up_database("chief", "Chidi Okafor", "chief@dor.example.gov", PASSWORD)
    new_office.check_setup()
    return new_office


# --- driving modal windows ---------------------------------------------------------------


def drive(of_type: type[QWidget], script: Callable[[QWidget], None]) -> list[BaseException]:
    """Run ``script`` on the next modal window of ``of_type`` once the click that opens it
    has opened it; the window is closed if the script fails, so a failing test cannot hang.
    Returns the list that receives the script's failure."""
    failures: list[BaseException] = []

    def act(window: QWidget) -> None:
        try:
            script(window)
        except BaseException as exc:
            failures.append(exc)
        finally:
            if window.isVisible() and isinstance(window, QDialog):
                window.reject()

    when_modal(act, of_type=of_type)
    return failures


def click_and_drive(
    qtbot, root: QWidget, text: str, of_type: type[QWidget], script: Callable[[QWidget], None]
) -> None:
    """Click the button labelled ``text``, and let ``script`` drive the window it opens."""
    failures = drive(of_type, script)
    click(qtbot, root, text)
    if failures:
        raise failures[0]


class Form(create_logon_test.User):
    """A person in front of a dialog (or a wizard's page), finding fields by their labels."""

    def __init__(self, qtbot, window: QWidget) -> None:
        super().__init__(qtbot, window)  # type: ignore[arg-type]
        self.window = window

    @property
    def page(self) -> QWidget:
        if isinstance(self.window, QWizard):
            page = self.window.currentPage()
            assert page is not None
            return page
        return self.window

    @property
    def title(self) -> str:
        return self.page.title() if isinstance(self.window, QWizard) else ""

    def click(self, text: str) -> None:
        click(self.qtbot, self.window, text)

    def type_lines(self, label: str, text: str) -> None:
        edit = self.field(label)
        assert isinstance(edit, QPlainTextEdit)
        edit.setFocus()
        edit.selectAll()
        for number, line in enumerate(text.split("\n")):
            if number:
                self.qtbot.keyClick(edit, Qt.Key.Key_Return)
            self.qtbot.keyClicks(edit, line)
        assert edit.toPlainText() == text

    def check(self, name: str, checked: bool = True) -> None:
        """Check the visible check box read aloud as ``name``."""
        found = [
            box
            for box in self.window.findChildren(QCheckBox)
            if box.accessibleName() == name and box.isVisible()
        ]
        assert len(found) == 1, f"no check box {name!r}"
        box = found[0]
        if box.isChecked() != checked:
            box.click()

    def shown(self) -> str:
        """Every visible text in the window, as one string."""
        return " ".join(
            label.text() for label in self.window.findChildren(QLabel) if label.isVisible()
        )


def rows_of(view: QTableView) -> list[list[str]]:
    model = view.model()
    return [
        [model.index(row, column).data() or "" for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def select_row(view: QTableView, first_cell: str) -> None:
    for row, cells in enumerate(rows_of(view)):
        if cells[0] == first_cell:
            view.selectRow(row)
            return
    raise AssertionError(f"no row {first_cell!r} in {rows_of(view)}")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def registry_counts() -> tuple[int, int]:
    return Taxpayer.select().count(), TaxAccount.select().count()


# --- steps of the whole path ----------------------------------------------------------


def set_up_database(qtbot, login: LoginWindow) -> QWidget:
    """The first administrator sets up the new database; their back office opens."""

    def script(window: QWidget) -> None:
        user = Form(qtbot, window)
        assert window.windowTitle() == "Set Up This Database"
        assert user.title == "Set up this database"
        user.type("Full name", "Chidi Okafor")
        user.type("Username", "chief")
        user.type("Email address", "chief@dor.example.gov")
        user.type("Password", PASSWORD)
        user.type("Confirm password", PASSWORD + "!")
        user.click("Next")
        # The rules and the words of Create a Logon, beside the field.
        assert user.error_beside("Confirm password") == PASSWORDS_DIFFER
        user.type("Password", "chief")
        user.type("Confirm password", "chief")
        user.click("Next")
        assert user.error_beside("Password")
        user.type("Password", PASSWORD)
        user.type("Confirm password", PASSWORD)
        user.click("Next")
        assert user.title == "Review and set up"
        assert user.review("Full name") == "Chidi Okafor"
        assert user.review("Username") == "chief"
        assert user.review("Logon") == "DOR staff, administrator"
        user.click("Set Up Database")

    assert buttons(login, "Set Up This Database")
    # Nothing else can happen on an empty database: no Create a Logon, no one-time code.
    assert not buttons(login, "Create a Logon")
    assert not buttons(login, "Use a One-Time Code…")
    assert Logon.select().count() == 0
    click_and_drive(qtbot, login, "Set Up This Database", SetUpWizard, script)
    qtbot.waitUntil(lambda: not login.isVisible())
    main = main_window()
    assert isinstance(main.current_page, DorHomePage)
    assert main.actor.username == "chief"
    assert main.actor.administrator
    chief = Logon.get(Logon.username == "chief")
    assert (chief.role, chief.administrator, chief.display_name) == (
        "dor_staff",
        True,
        "Chidi Okafor",
    )
    assert AuditEvent.select().where(AuditEvent.action == "database_set_up").count() == 1
    return main


def register_business_with_two_accounts(qtbot, main: QWidget) -> RegistryTaxpayerPage:
    home = main.current_page
    assert isinstance(home, DorHomePage)

    def register(window: QWidget) -> None:
        user = Form(qtbot, window)
        assert window.windowTitle() == "Register Taxpayer"
        user.choose("ID type", FEIN)
        user.type("ID number", "04-5559876")
        user.type("Legal name", "Nantucket Sails LLC")
        assert user.field("Taxpayer type").currentText() == "Business"  # FEIN: a business
        user.type_lines("Mailing address", "4 Wharf St\nNantucket, MA 02554")
        user.click("Register")

    click_and_drive(qtbot, home, "Register Taxpayer", RegisterTaxpayerDialog, register)
    page = main.current_page
    assert isinstance(page, RegistryTaxpayerPage)
    assert page.heading.text() == "Nantucket Sails LLC"
    assert "4 Wharf St, Nantucket, MA 02554" in page.details.text()
    assert "No logon yet" in page.details.text()
    assert rows_of(page.view) == []

    def add_generated(window: QWidget) -> None:
        user = Form(qtbot, window)
        user.choose("Account type", "Withholding")
        assert user.text("Account ID") == ""  # left blank: the next number is generated
        user.click("Add Account")

    def add_typed(window: QWidget) -> None:
        user = Form(qtbot, window)
        user.choose("Account type", "Sales and Use")
        user.type("Account ID", "WTH-123")
        user.click("Add Account")
        assert user.error_beside("Account ID"), "a malformed number is refused beside it"
        user.type("Account ID", "STU-00004321")
        user.click("Add Account")

    click_and_drive(qtbot, page, "Add Tax Account…", AddTaxAccountDialog, add_generated)
    click_and_drive(qtbot, page, "Add Tax Account…", AddTaxAccountDialog, add_typed)
    shown = rows_of(page.view)
    assert [row[0] for row in shown] == ["Withholding", "Sales and Use"]
    assert shown[0][1].startswith("WTH-")
    assert shown[1][1] == "STU-00004321"
    assert [row[2] for row in shown] == ["Open", "Open"]
    assert "STU-00004321 was added" in page.result.text()
    business = Taxpayer.get(Taxpayer.legal_name == "Nantucket Sails LLC")
    assert sorted(a.account_type for a in business.accounts) == ["sales_and_use", "withholding"]
    return page


def import_registry(qtbot, main: QWidget, tmp_path: Path) -> None:
    """One attempt refused for a bad row (nothing written, the row shown), then accepted."""
    click(qtbot, main, "Home")
    home = main.current_page
    bad = write(tmp_path, "registry-bad.csv", BAD_FILE)
    before = registry_counts()

    def attempt(window: QWidget) -> None:
        assert isinstance(window, ImportRegistryDialog)
        user = Form(qtbot, window)
        user.type("File", str(bad))
        user.click("Import")
        qtbot.waitUntil(lambda: not window.running and window.summary.isVisible())
        assert window.summary.text() == "Nothing was imported: 1 row needs fixing."
        assert window.problems.isVisible()
        ((line, message),) = window.problem_rows()
        assert line == 4
        assert "ITIN" in message
        assert registry_counts() == before, "nothing was written"
        # Fixed, and tried again.
        write(tmp_path, "registry-bad.csv", GOOD_FILE)
        user.click("Import")
        qtbot.waitUntil(lambda: not window.running and window.summary.isVisible())
        assert window.summary.text().startswith("2 taxpayers and 3 tax accounts added")
        assert not window.problems.isVisible()
        user.click("Close")

    click_and_drive(qtbot, home, "Import Registry…", ImportRegistryDialog, attempt)
    assert registry_counts() == (before[0] + 2, before[1] + 3)
    assert home.registry_result.text().startswith("2 taxpayers and 3 tax accounts added")


def add_staff_logon(qtbot, main: QWidget) -> OneTimeCode:
    click(qtbot, main, "Home")
    click(qtbot, main, "Staff Logons")
    page = main.current_page
    assert isinstance(page, StaffLogonsPage)
    assert rows_of(page.view) == [
        ["chief", "Chidi Okafor", "chief@dor.example.gov", "Yes", "Yes", "", page_added(page)]
    ]
    shown: list[OneTimeCode] = []

    def see_code(window: QWidget) -> None:
        assert isinstance(window, OneTimeCodeDialog)
        user = Form(qtbot, window)
        code = window.code
        shown.append(code)
        assert user.text("Code") == code.code
        assert "Valid until" in window.expiry.text()
        user.click("Copy")
        assert QGuiApplication.clipboard().text() == code.code
        user.click("Done")

    def add(window: QWidget) -> None:
        user = Form(qtbot, window)
        user.type("Username", "jlee")
        user.type("Full name", "Jordan Lee")
        user.type("Email address", "jlee@dor.example.gov")
        assert not user.field("Administrator").isChecked()  # not an administrator unless checked
        drive(OneTimeCodeDialog, see_code)
        user.click("Add Logon")

    click_and_drive(qtbot, page, "Add Staff Logon…", AddStaffDialog, add)
    qtbot.waitUntil(lambda: bool(shown))
    jlee = [row for row in rows_of(page.view) if row[0] == "jlee"]
    assert len(jlee) == 1
    assert jlee[0][3:6] == ["No", "Yes", "Pending"]
    # The code is kept only as a hash; the new logon has no password yet.
    stored = Logon.get(Logon.username == "jlee")
    assert stored.password_hash == ""
    assert shown[0].code.replace("-", "") not in (stored.code_hash or "")
    return shown[0]


def page_added(page: StaffLogonsPage) -> str:
    return page.model.display(page.model.row_object(0), page.model.Column.ADDED)


def redeem_code(qtbot, login: LoginWindow, code: OneTimeCode) -> QWidget:
    """The new staff member chooses their own password with the code, at the login window."""
    new_password = "my own staff password 2026"

    def script(window: QWidget) -> None:
        user = Form(qtbot, window)
        user.type("Username", "jlee")
        user.type("One-time code", "WRONG-CODE-0000")
        user.type("New password", new_password)
        user.type("Confirm new password", new_password)
        user.click("Set Password and Log In")
        assert "one-time code is not correct" in user.shown()
        assert window.isVisible()
        user.type("One-time code", code.code.lower())  # read aloud, typed in lower case
        user.click("Set Password and Log In")

    click_and_drive(qtbot, login, "Use a One-Time Code…", RedeemCodeDialog, script)
    qtbot.waitUntil(lambda: not login.isVisible())
    main = main_window()
    assert main.actor.username == "jlee"
    assert Logon.get(Logon.username == "jlee").code_hash is None
    return main


def switch_logon(qtbot, main: QWidget, login: LoginWindow) -> None:
    click(qtbot, main, "Switch Logon")
    qtbot.waitUntil(login.isVisible)


def create_logon(
    qtbot,
    login: LoginWindow,
    *,
    third_party: bool,
    id_type: str,
    id_number: str,
    name: str,
    username: str,
) -> QWidget:
    def script(window: QWidget) -> None:
        user = create_logon_test.User(qtbot, window)  # type: ignore[arg-type]
        user.who(third_party=third_party)
        user.identity(id_type, id_number, name)
        user.logon(username, f"{username}@example.com", PASSWORD)
        user.click("Create Logon")

    click_and_drive(qtbot, login, "Create a Logon", CreateLogonWizard, script)
    qtbot.waitUntil(lambda: not login.isVisible())
    main = main_window()
    assert main.actor.username == username
    return main


# --- the whole path ------------------------------------------------------------------------


def test_a_new_office_from_an_empty_database_in_the_windows(
    qtbot, new_office: LoginWindow, tmp_path: Path
) -> None:
    login = new_office
    main = set_up_database(qtbot, login)
    assert buttons(main, "Staff Logons"), "an administrator manages staff logons"
    register_business_with_two_accounts(qtbot, main)
    import_registry(qtbot, main, tmp_path)
    code = add_staff_logon(qtbot, main)

    switch_logon(qtbot, main, login)
    assert not buttons(login, "Set Up This Database"), "set up once"
    assert buttons(login, "Create a Logon")
    main = redeem_code(qtbot, login, code)
    assert isinstance(main.current_page, DorHomePage)
    assert not buttons(main, "Staff Logons"), "jlee is not an administrator"
    assert buttons(main, "Register Taxpayer"), "every DOR staff member keeps the registry"

    # A taxpayer from the imported file creates a logon and sees their accounts.
    switch_logon(qtbot, main, login)
    main = create_logon(
        qtbot,
        login,
        third_party=False,
        id_type=FEIN,
        id_number="04-5550123",
        name="Quincy Tools Inc.",
        username="quincytools",
    )
    home = main.current_page
    assert isinstance(home, HomePage)
    accounts = rows_of(home.accounts_view)
    assert sorted(row[0] for row in accounts) == ["Sales and Use", "Withholding"]

    # A preparer creates a logon and asks for access to one of them.
    switch_logon(qtbot, main, login)
    main = create_logon(
        qtbot,
        login,
        third_party=True,
        id_type=SSN,
        id_number="041-22-9876",
        name="Pat Preparer",
        username="patprep",
    )
    withholding = request_test.account_label("Quincy Tools Inc.", "Withholding")

    def ask(user: request_test.User) -> None:
        user.id_type(FEIN)
        user.taxpayer("04-5550123", "Quincy Tools Inc.")
        user.accounts({withholding: "View Only"})
        user.method("MassTaxConnect")
        user.click("Submit")
        user.click("Finish")

    view = request_test.run_wizard(qtbot, main, ask)
    assert view is not None

    # The taxpayer approves it.
    switch_logon(qtbot, main, login)
    main = log_in(qtbot, login, "quincytools", PASSWORD)
    click(qtbot, main, "Manage My Profile")
    profile = main.current_page
    profile.tabs.setCurrentIndex(
        [profile.tabs.tabText(i) for i in range(profile.tabs.count())].index("More…")
    )
    click(qtbot, main, "View Access Requests from Third Parties")
    requests_page = main.current_page
    assert isinstance(requests_page, AccessRequestsPage)
    assert requests_page.model.rowCount() == 1

    def approve(dialog: QWidget) -> None:
        assert isinstance(dialog, ApproveDenyDialog)
        dialog.give_boxes[0].setChecked(True)
        buttons(dialog, "Approve")[0].click()

    failures = drive(ApproveDenyDialog, approve)
    click(qtbot, requests_page, "Approve/Deny")
    assert not failures
    assert "approved" in requests_page.result_label.text()
    assert AccessRequest.get_by_id(view.id).status == "approved"
    patprep = Logon.get(Logon.username == "patprep")
    grants = list(
        AccessGrant.select().where(
            (AccessGrant.third_party == patprep.id) & (AccessGrant.status == "active")
        )
    )
    assert [(g.account.account_type, g.level) for g in grants] == [("withholding", "view_only")]

    # DOR closes that account: the preparer's access ends, and both sides are emailed.
    switch_logon(qtbot, main, login)
    main = log_in(qtbot, login, "chief", PASSWORD)
    home = main.current_page
    qtbot.keyClicks(home.registry_edit, "quincy")
    click(qtbot, home, "Find Taxpayer")
    click(qtbot, main.current_page, "Open Taxpayer")
    page = main.current_page
    assert isinstance(page, RegistryTaxpayerPage)
    assert "Has a logon." in page.details.text()
    select_row(page.view, "Withholding")
    sure = ModalAnswer("Close Account").arm()
    click(qtbot, page, "Close Account")
    assert sure.answered
    assert sure.informative.startswith(
        "1 third party with access to it loses that access, and both sides are emailed."
    )
    assert "1 third party lost access; both sides were emailed." in page.result.text()
    assert AccessGrant.get_by_id(grants[0].id).status == "cancelled"
    quincy = Logon.get(Logon.username == "quincytools")
    for who in (patprep, quincy):
        emails = Message.select().where((Message.recipient == who.id) & (Message.kind == "email"))
        subjects = [m.subject for m in emails]
        assert any("canceled" in subject for subject in subjects), subjects
    switch_logon(qtbot, main, login)


# --- staff logons ---------------------------------------------------------------------------


def test_the_last_administrator_cannot_be_disabled(qtbot, office: LoginWindow) -> None:
    main = log_in(qtbot, office, "chief", PASSWORD)
    click(qtbot, main, "Staff Logons")
    page = main.current_page
    assert isinstance(page, StaffLogonsPage)
    select_row(page.view, "chief")
    assert page.disable_button.isEnabled()
    sure = ModalAnswer("Disable").arm()
    refusal = ModalAnswer("OK")
    QTimer.singleShot(0, lambda: QTimer.singleShot(50, refusal.arm))
    click(qtbot, page, "Disable")
    qtbot.waitUntil(lambda: refusal.answered)
    assert sure.answered
    assert refusal.text == (
        "chief is the last active DOR administrator and cannot be disabled; add another "
        "administrator first."
    )
    assert Logon.get(Logon.username == "chief").disabled_at is None
    assert rows_of(page.view)[0][4] == "Yes"


def test_a_disabled_staff_member_cannot_log_in_until_enabled(qtbot, office: LoginWindow) -> None:
    chief = staff_actor("chief")
    code = staff.add_staff(chief, "rgomez", "Rita Gomez", "rgomez@dor.example.gov")
    staff.redeem_code("rgomez", code.code, "rita's own password 2026")
    main = log_in(qtbot, office, "chief", PASSWORD)
    click(qtbot, main, "Staff Logons")
    page = main.current_page
    select_row(page.view, "rgomez")
    sure = ModalAnswer("Disable").arm()
    click(qtbot, page, "Disable")
    assert sure.answered
    assert page.result.text() == "The logon rgomez is disabled: it cannot log in."
    row = next(r for r in rows_of(page.view) if r[0] == "rgomez")
    assert row[4] == "Disabled"
    assert page.enable_button.isEnabled()
    assert not page.disable_button.isEnabled()

    switch_logon(qtbot, main, office)
    qtbot.keyClicks(office.form.usernameEdit, "rgomez")
    qtbot.keyClicks(office.form.passwordEdit, "rita's own password 2026")
    click(qtbot, office, "Log In")
    assert office.isVisible()
    assert office.form.messageLabel.text() == (
        "This logon is disabled. Ask a DOR administrator to enable it."
    )

    office.form.usernameEdit.clear()
    main = log_in(qtbot, office, "chief", PASSWORD)
    click(qtbot, main, "Staff Logons")
    page = main.current_page
    select_row(page.view, "rgomez")
    click(qtbot, page, "Enable")
    assert page.result.text() == "The logon rgomez is enabled: it can log in again."
    switch_logon(qtbot, main, office)
    office.form.usernameEdit.clear()
    main = log_in(qtbot, office, "rgomez", "rita's own password 2026")
    assert main.actor.username == "rgomez"
    switch_logon(qtbot, main, office)


def test_staff_who_are_not_administrators_do_not_see_staff_logons(
    qtbot, office: LoginWindow
) -> None:
    chief = staff_actor("chief")
    code = staff.add_staff(chief, "clerk1", "Casey Clerk", "clerk1@dor.example.gov")
    staff.redeem_code("clerk1", code.code, "casey's own password 2026")
    main = log_in(qtbot, office, "clerk1", "casey's own password 2026")
    home = main.current_page
    assert isinstance(home, DorHomePage)
    assert not buttons(main, "Staff Logons")
    assert not home.staff_box.isVisibleTo(home)
    # Not the window only: the service refuses them too.
    with pytest.raises(Exception, match="Only a DOR administrator"):
        staff.list_staff(main.actor)
    switch_logon(qtbot, main, office)


def staff_actor(username: str) -> Actor:
    from mtc_desktop.services.base import actor_for

    return actor_for(Logon.get(Logon.username == username))


# --- the registry -----------------------------------------------------------------------


def test_register_taxpayer_refusals_are_shown_beside_their_fields(
    qtbot, office: LoginWindow
) -> None:
    chief = staff_actor("chief")
    registry.register_taxpayer(
        chief, IdType.SSN, "031-54-2210", "Rosa Delgado", TaxpayerKind.INDIVIDUAL, "12 Elm St"
    )
    main = log_in(qtbot, office, "chief", PASSWORD)
    before = registry_counts()

    def script(window: QWidget) -> None:
        user = Form(qtbot, window)
        user.click("Register")
        assert user.error_beside("ID number")
        assert user.error_beside("Legal name")
        assert user.error_beside("Mailing address")
        user.choose("ID type", "Individual Taxpayer Identification Number (ITIN)")
        user.type("ID number", "912-70-1234")
        user.type("Legal name", "Rosa Delgado Imports")
        user.choose("Taxpayer type", "Business")
        user.type_lines("Mailing address", "1 Pier Rd\nSalem, MA 01970")
        user.click("Register")
        assert user.error_beside("ID type") == (
            "An ITIN belongs to an individual; register a business with its FEIN."
        )
        user.choose("ID type", SSN)
        user.type("ID number", "031542210")
        user.choose("Taxpayer type", "Individual")
        user.click("Register")
        assert "already has a taxpayer with this SSN: Rosa Delgado" in user.error_beside(
            "ID number"
        )
        assert user.text("Legal name") == "Rosa Delgado Imports", "nothing typed is lost"
        user.click("Cancel")

    click_and_drive(qtbot, main, "Register Taxpayer", RegisterTaxpayerDialog, script)
    assert registry_counts() == before
    switch_logon(qtbot, main, office)


def test_find_a_registered_taxpayer_and_close_an_account(qtbot, office: LoginWindow) -> None:
    chief = staff_actor("chief")
    rosa = registry.register_taxpayer(
        chief, IdType.SSN, "031-54-2210", "Rosa Delgado", TaxpayerKind.INDIVIDUAL, "12 Elm St"
    )
    income = registry.add_tax_account(chief, rosa.id, AccountType.PERSONAL_INCOME)
    registry.add_tax_account(chief, rosa.id, AccountType.PFML)
    main = log_in(qtbot, office, "chief", PASSWORD)
    home = main.current_page
    qtbot.keyClicks(home.registry_edit, "delgado")
    click(qtbot, home, "Find Taxpayer")
    search = main.current_page
    assert isinstance(search, RegistrySearchPage)
    assert [row[0] for row in rows_of(search.view)] == ["Rosa Delgado"]
    search.search_edit.clear()
    qtbot.keyClicks(search.search_edit, "2210")
    click(qtbot, search, "Find Taxpayer")
    assert [row[0] for row in rows_of(search.view)] == ["Rosa Delgado"]
    click(qtbot, search, "Open Taxpayer")
    page = main.current_page
    assert isinstance(page, RegistryTaxpayerPage)
    assert not page.close_button.isEnabled(), "select an account first"
    select_row(page.view, "Personal Income")
    sure = ModalAnswer("Close Account").arm()
    click(qtbot, page, "Close Account")
    assert sure.answered
    assert "No third party has access to it." in sure.informative
    row = next(r for r in rows_of(page.view) if r[1] == income.account_number)
    assert row[2] == "Closed"
    assert not page.close_button.isEnabled()
    assert TaxAccount.get_by_id(income.id).closed_at is not None
    switch_logon(qtbot, main, office)


def test_cancel_stops_an_import_and_leaves_nothing(
    qtbot, office: LoginWindow, tmp_path: Path
) -> None:
    lines = [HEADER]
    for n in range(6000):
        lines.append(f'FEIN,04-{7000000 + n},Firm {n} LLC,Business,Withholding,"{n} Main St"')
    big = write(tmp_path, "big.csv", "\n".join(lines) + "\n")
    main = log_in(qtbot, office, "chief", PASSWORD)
    before = registry_counts()

    def script(window: QWidget) -> None:
        assert isinstance(window, ImportRegistryDialog)
        user = Form(qtbot, window)
        user.type("File", str(big))
        user.click("Import")
        assert window.running
        assert buttons(window, "Cancel"), "while it runs, Close becomes Cancel"
        assert window.progress_bar.isVisible()
        user.click("Cancel")
        qtbot.waitUntil(lambda: not window.running, timeout=60_000)
        assert window.summary.text() == "The import was canceled: nothing was imported."
        assert registry_counts() == before
        user.click("Close")

    click_and_drive(qtbot, main, "Import Registry…", ImportRegistryDialog, script)
    assert registry_counts() == before
    switch_logon(qtbot, main, office)


def test_check_only_writes_nothing_and_lists_every_bad_row(
    qtbot, office: LoginWindow, tmp_path: Path
) -> None:
    text = (
        f"{HEADER}\n"
        'SSN,000-00-0000,Nobody,Individual,Personal Income,"1 A St"\n'
        'SSN,031-54-2210,Rosa Delgado,Individual,Lemonade Stand,"12 Elm St"\n'
        'SSN,031-54-2211,Ravi Das,Individual,Personal Income,"3 B St"\n'
    )
    path = write(tmp_path, "check.csv", text)
    main = log_in(qtbot, office, "chief", PASSWORD)
    before = registry_counts()

    def script(window: QWidget) -> None:
        assert isinstance(window, ImportRegistryDialog)
        user = Form(qtbot, window)
        user.type("File", str(path))
        user.check("Check Only")
        assert buttons(window, "Check")
        user.click("Check")
        qtbot.waitUntil(lambda: not window.running and window.summary.isVisible())
        assert [line for line, _message in window.problem_rows()] == [2, 3]
        assert "Lemonade Stand" in window.problem_rows()[1][1]
        assert registry_counts() == before
        user.click("Close")

    click_and_drive(qtbot, main, "Import Registry…", ImportRegistryDialog, script)
    switch_logon(qtbot, main, office)


# --- fits the screen, and every control is named -------------------------------------------


def test_windows_fit_the_screen_and_every_control_is_labelled(qtbot, office: LoginWindow) -> None:
    chief = staff_actor("chief")
    rosa = registry.register_taxpayer(
        chief, IdType.SSN, "031-54-2210", "Rosa Delgado", TaxpayerKind.INDIVIDUAL, "12 Elm St"
    )
    code = staff.add_staff(chief, "jlee", "Jordan Lee", "jlee@dor.example.gov")
    windows: list[QWidget] = [
        SetUpWizard(),
        RedeemCodeDialog(office),
        AddStaffDialog(office, chief),
        OneTimeCodeDialog(office, code, new=True),
        RegisterTaxpayerDialog(office, chief),
        AddTaxAccountDialog(office, chief, registry.registry_taxpayer(chief, rosa.id)),
        ImportRegistryDialog(office, chief),
    ]
    try:
        for window in windows:
            window.show()
            qtbot.waitExposed(window)
            size = window.frameGeometry().size().expandedTo(window.size())
            name = f"{type(window).__name__} is {size.width()}×{size.height()}"
            assert size.width() <= 1366, name
            assert size.height() <= 740, name
            buddies = {
                label.buddy() for label in window.findChildren(QLabel) if label.buddy() is not None
            }
            for control in window.findChildren(QWidget):
                if not control.isVisibleTo(window) or isinstance(control, QAbstractButton):
                    continue
                if isinstance(control, QLineEdit | QComboBox | QPlainTextEdit | QTableWidget):
                    if control.parent() is not None and isinstance(control.parent(), QComboBox):
                        continue
                    assert control.accessibleName(), f"{type(window).__name__}: unnamed"
                    assert control in buddies, (
                        f"{type(window).__name__}: {control.accessibleName()} has no label"
                    )
            for button in window.findChildren(QAbstractButton):
                if button.isVisibleTo(window) and button.text():
                    assert button.accessibleName(), f"{button.text()!r} has no accessible name"
            window.close()
    finally:
        for window in windows:
            window.close()
            window.deleteLater()


def test_a_message_shown_in_a_dialog_squeezes_no_hint(qtbot, office: LoginWindow) -> None:
    """A refusal shown under the fields makes the dialog taller; every hint and message
    keeps the lines its text needs."""
    dialog = RedeemCodeDialog(office, "chief")
    try:
        dialog.show()
        qtbot.waitExposed(dialog)
        user = Form(qtbot, dialog)
        user.type("One-time code", "WRONG")
        user.type("New password", "my own staff password 2026")
        user.type("Confirm new password", "my own staff password 2026")
        user.click("Set Password and Log In")
        assert "one-time code is not correct" in user.shown()
        qtbot.wait(10)
        for label in dialog.findChildren(QLabel):
            if label.isVisible() and label.wordWrap() and label.text():
                assert label.height() >= label.heightForWidth(label.width()), label.text()
    finally:
        dialog.close()
        dialog.deleteLater()


def test_issue_a_new_code_to_a_locked_out_staff_member(qtbot, office: LoginWindow) -> None:
    chief = staff_actor("chief")
    first = staff.add_staff(chief, "jlee", "Jordan Lee", "jlee@dor.example.gov")
    main = log_in(qtbot, office, "chief", PASSWORD)
    click(qtbot, main, "Staff Logons")
    page = main.current_page
    select_row(page.view, "jlee")
    shown: list[OneTimeCode] = []

    def see_code(window: QWidget) -> None:
        assert isinstance(window, OneTimeCodeDialog)
        shown.append(window.code)
        assert "Any earlier code for jlee no longer works" in Form(qtbot, window).shown()
        Form(qtbot, window).click("Done")

    sure = ModalAnswer("Issue Code")
    failures = drive(OneTimeCodeDialog, see_code)
    sure.arm()
    click(qtbot, page, "Issue One-Time Code…")
    qtbot.waitUntil(lambda: bool(shown))
    assert not failures
    assert sure.answered
    assert "Any code issued before stops working" in sure.informative
    assert shown[0].code != first.code
    assert page.result.text() == "A one-time code was issued for jlee."
    switch_logon(qtbot, main, office)

    # The first code no longer works; the new one does.
    with pytest.raises(Exception, match="not correct"):
        staff.redeem_code("jlee", first.code, "jordan's own password 2026")
    actor = staff.redeem_code("jlee", shown[0].code, "jordan's own password 2026")
    assert actor.username == "jlee"
