"""Third-party mode end to end: each third-party answer of the FAQ, from the login window
through the links it names, checked on screen and in the database; and the whole round
trip of a preparer and a taxpayer."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from mtc_desktop.gui.clients import ClientsPage
from mtc_desktop.gui.my_access import AccessDetailsPage, MyAccessPage
from mtc_desktop.gui.pdf_preview import PdfPreviewDialog
from mtc_desktop.gui.request_wizard import RequestWizard
from mtc_desktop.gui.taxpayer import AccessRequestsPage, ApproveDenyDialog
from mtc_desktop.store.models import (
    AccessGrant,
    AccessRequest,
    Favorite,
    Logon,
    Message,
    Taxpayer,
)
from tests.gui.conftest import ModalAnswer, buttons, click, log_in, when_modal
from tests.gui.test_request_wizard import DMITRI, FEIN, HARBOR, User, account_label


def _open_more(qtbot, main: QWidget) -> None:
    click(qtbot, main, "Manage My Profile")
    page = main.current_page
    page.tabs.setCurrentIndex(
        [page.tabs.tabText(i) for i in range(page.tabs.count())].index("More…")
    )


def _through_link(qtbot, root: QWidget, link: str, script: Callable[[User], None]) -> None:
    """Click ``link``, which opens the request wizard, and let ``script`` drive it."""
    failures: list[BaseException] = []
    seen: list[QWidget] = []

    def drive() -> None:
        wizard = QApplication.activeModalWidget()
        if not isinstance(wizard, RequestWizard):
            QTimer.singleShot(10, drive)
            return
        seen.append(wizard)
        try:
            script(User(qtbot, wizard))
        except BaseException as exc:
            failures.append(exc)
        finally:
            if wizard.isVisible():
                wizard.reject()

    QTimer.singleShot(0, drive)
    click(qtbot, root, link)
    if failures:
        raise failures[0]
    assert seen, f"{link} did not open the request wizard"


def _active(username: str, client: str) -> dict[str, str]:
    """The third party's active grants on the client's accounts: account type → level."""
    tp = Logon.get(Logon.username == username)
    taxpayer = Taxpayer.get(Taxpayer.legal_name == client)
    return {
        g.account.account_type: g.level
        for g in AccessGrant.select().where(
            (AccessGrant.third_party == tp.id)
            & (AccessGrant.status == "active")
            & (AccessGrant.taxpayer == taxpayer.id)
        )
    }


def _clients_on_screen(page: ClientsPage) -> dict[str, tuple[str, str]]:
    model = page.model
    rows = [model.row_object(r) for r in range(model.rowCount())]
    return {row.name: (row.accounts_label, row.levels_label) for row in rows if row is not None}


def _tab(page: ClientsPage, label: str) -> None:
    page.tabs.setCurrentIndex([page.tabs.tabText(i) for i in range(page.tabs.count())].index(label))


def test_where_a_third_party_views_its_clients(qtbot, login_window) -> None:
    """FAQ: Where can a third party view clients who have assigned access rights to them?
    The list of clients, and the third party's own business, on the All tab."""
    main = log_in(qtbot, login_window, "smithcpa")
    page = main.current_page
    assert isinstance(page, ClientsPage), "a third party logs in to its clients"
    assert page.tabs.tabText(page.tabs.currentIndex()) == "All", "no favorites yet: All"
    assert _clients_on_screen(page) == {
        "Harbor Street Bakery LLC": ("Meals, Sales and Use", "File, Full Access"),
        "Maria Santos": ("Personal Income", "File and Pay"),
        "Smith & Daughters CPA": (
            "Paid Family and Medical Leave, Withholding",
            "Full Access",
        ),
    }
    assert main.form.breadcrumbLabel.text() == "Home › Clients"


def test_request_access_from_manage_my_profile(qtbot, login_window) -> None:
    """FAQ: How does a third party request access to a taxpayer's account(s)? Manage My
    Profile → More → Request to Manage Other Taxpayer's Accounts in the Third-party Access
    section → ... → Print Client Authorization from the confirmation page."""
    main = log_in(qtbot, login_window, "smithcpa")
    _open_more(qtbot, main)
    previews: list[str] = []

    def look(dialog: QWidget) -> None:
        assert isinstance(dialog, PdfPreviewDialog)
        previews.append(dialog.windowTitle())
        buttons(dialog, "Close")[0].click()

    def script(user: User) -> None:
        user.id_type(FEIN)
        user.taxpayer(*DMITRI)
        user.accounts({account_label(DMITRI[1], "Corporate Excise"): "File"})
        user.method("Printed form")
        user.click("Submit")
        when_modal(look, of_type=PdfPreviewDialog)
        user.click("Print Client Authorization")
        user.click("Finish")

    _through_link(qtbot, main, "Request to Manage Other Taxpayer's Accounts", script)
    made = (
        AccessRequest.select()
        .join(Logon, on=(AccessRequest.third_party == Logon.id))
        .where(Logon.username == "smithcpa")
        .order_by(AccessRequest.id.desc())
        .first()
    )
    assert made.taxpayer.legal_name == DMITRI[1]
    assert (made.status, made.method) == ("pending", "printed_form")
    assert previews == [f"Client Authorization — request {made.number}"]


def test_a_third_party_cancels_its_own_access(qtbot, login_window) -> None:
    """FAQ: Can a third party cancel access to a client's account(s)? Manage My Profile →
    More… → Manage My Access in the Access panel → Tax Administrator → Cancel My Access."""
    main = log_in(qtbot, login_window, "smithcpa")
    _open_more(qtbot, main)
    click(qtbot, main, "Manage My Access")
    page = main.current_page
    assert isinstance(page, MyAccessPage)
    rows = [(r.client.name, r.access.account_type.label) for r in page.model.rows()]
    index = rows.index(("Maria Santos", "Personal Income"))
    qtbot.mouseClick(page.tax_administrator_links()[index], Qt.MouseButton.LeftButton)
    details = main.current_page
    assert isinstance(details, AccessDetailsPage)
    answer = ModalAnswer("Yes").arm()
    click(qtbot, details, "Cancel My Access")
    assert answer.answered
    assert _active("smithcpa", "Maria Santos") == {}
    assert ("Maria Santos", "Personal Income") not in [
        (r.client.name, r.access.account_type.label) for r in page.model.rows()
    ]


def test_preparer_and_taxpayer_round_trip(qtbot, login_window) -> None:
    """A preparer asks by printed form and prints it, asks again by MassTaxConnect, logs
    out; the taxpayer approves one account; the preparer logs back in, sees the client on
    the All tab with exactly the level granted, marks it a favorite, and cancels its own
    access to one account."""
    main = log_in(qtbot, login_window, "smithcpa")
    _open_more(qtbot, main)
    printed: list[str] = []

    def look(dialog: QWidget) -> None:
        printed.append(dialog.windowTitle())
        buttons(dialog, "Close")[0].click()

    def by_form(user: User) -> None:
        user.id_type(FEIN)
        user.taxpayer(*DMITRI)
        user.accounts(
            {
                account_label(DMITRI[1], "Corporate Excise"): "File and Pay",
                account_label(DMITRI[1], "Withholding"): "Pay",
            }
        )
        user.method("Printed form")
        user.click("Submit")
        when_modal(look, of_type=PdfPreviewDialog)
        user.click("Print Client Authorization")
        user.click("Finish")

    def online(user: User) -> None:
        user.id_type(FEIN)
        user.taxpayer(*HARBOR)
        user.accounts(
            {
                account_label(HARBOR[1], "Withholding"): "File and Pay",
                account_label(HARBOR[1], "Paid Family and Medical Leave"): "View Only",
            }
        )
        user.method("MassTaxConnect")
        user.click("Submit")
        user.click("Finish")

    _through_link(qtbot, main, "Request to Manage Other Taxpayer's Accounts", by_form)
    assert len(printed) == 1
    _through_link(qtbot, main, "Request to Manage Other Taxpayer's Accounts", online)
    click(qtbot, main, "Switch Logon")

    # The taxpayer approves Withholding, at a lower level, and not the other account.
    owner = log_in(qtbot, login_window, "harborbakery")
    _open_more(qtbot, owner)
    click(qtbot, owner, "View Access Requests from Third Parties")
    requests_page = owner.current_page
    assert isinstance(requests_page, AccessRequestsPage)
    mine = [
        r
        for r in (requests_page.model.row_object(i) for i in range(requests_page.model.rowCount()))
        if r.third_party_username == "smithcpa"
    ]
    assert len(mine) == 1
    row = requests_page.model.rows().index(mine[0])

    def decide(dialog: QWidget) -> None:
        assert isinstance(dialog, ApproveDenyDialog)
        for line, box, combo in zip(
            dialog.request.lines, dialog.give_boxes, dialog.level_boxes, strict=True
        ):
            wanted = line.account.account_type.label == "Withholding"
            box.setChecked(wanted)
            if wanted:
                combo.setCurrentText("File")
        buttons(dialog, "Approve")[0].click()

    when_modal(decide, of_type=ApproveDenyDialog)
    qtbot.mouseClick(requests_page.approve_deny_links()[row], Qt.MouseButton.LeftButton)
    assert "approved" in requests_page.result_label.text()
    click(qtbot, owner, "Switch Logon")

    # The preparer sees it at once on logging back in, with exactly the level granted.
    main = log_in(qtbot, login_window, "smithcpa")
    clients_page = main.current_page
    assert isinstance(clients_page, ClientsPage)
    _tab(clients_page, "All")
    assert _clients_on_screen(clients_page)["Harbor Street Bakery LLC"] == (
        "Meals, Sales and Use, Withholding",
        "File, Full Access",  # each level once
    )
    assert _active("smithcpa", "Harbor Street Bakery LLC") == {
        "meals": "file",
        "sales_and_use": "full_access",
        "withholding": "file",
    }
    smith = Logon.get(Logon.username == "smithcpa")
    assert (
        Message.select()
        .where((Message.recipient == smith.id) & Message.subject.contains("approved"))
        .exists()
    ), "DOR emailed the preparer"

    # Marks it a favorite: the next login opens on Favorites with it.
    names = [clients_page.model.row_object(r).name for r in range(clients_page.model.rowCount())]
    clients_page.view.select_row(names.index("Harbor Street Bakery LLC"))
    click(qtbot, clients_page, "Mark as Favorite")
    assert Favorite.select().where(Favorite.third_party == smith.id).count() == 1

    # Cancels its own access to one account.
    _open_more(qtbot, main)
    click(qtbot, main, "Manage My Access")
    access = main.current_page
    rows = [(r.client.name, r.access.account_type.label) for r in access.model.rows()]
    link = access.tax_administrator_links()[rows.index(("Harbor Street Bakery LLC", "Meals"))]
    qtbot.mouseClick(link, Qt.MouseButton.LeftButton)
    answer = ModalAnswer("Yes").arm()
    click(qtbot, main.current_page, "Cancel My Access")
    assert answer.answered
    assert _active("smithcpa", "Harbor Street Bakery LLC") == {
        "sales_and_use": "full_access",
        "withholding": "file",
    }

    click(qtbot, main, "Switch Logon")
    main = log_in(qtbot, login_window, "smithcpa")
    clients_page = main.current_page
    assert clients_page.tabs.tabText(clients_page.tabs.currentIndex()) == "Favorites"
    assert _clients_on_screen(clients_page) == {
        "Harbor Street Bakery LLC": ("Sales and Use, Withholding", "Full Access, File")
    }
