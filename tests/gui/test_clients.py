"""Third-party mode's client screens, driven by their labels as a preparer would: the All
and Favorites tabs, filtering and sorting, favorites, a client's accounts, File Return and
Make Payment within the granted level, and Manage My Access → Tax Administrator → Cancel
My Access. Each test checks what the screen shows and what the database now holds."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QWidget

from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import AccountType
from mtc_desktop.domain.text import name_key
from mtc_desktop.gui.client_account import ClientAccountPage
from mtc_desktop.gui.client_page import ClientPage
from mtc_desktop.gui.clients import ClientsPage
from mtc_desktop.gui.clients_model import ClientsModel
from mtc_desktop.gui.models import OBJECT_ROLE
from mtc_desktop.gui.my_access import AccessDetailsPage, MyAccessPage
from mtc_desktop.services import clients, demo, grants, logons
from mtc_desktop.services.clients import ClientRow
from mtc_desktop.services.demo_logons import DEMO_PASSWORD
from mtc_desktop.store.models import (
    AccessGrant,
    AccountActivity,
    Favorite,
    Logon,
    Message,
    TaxAccount,
    Taxpayer,
)
from tests.gui.conftest import ModalAnswer, buttons, click, log_in

Col = ClientsModel.Column
HARBOR = "Harbor Street Bakery LLC"
MARIA = "Maria Santos"
SMITH = "Smith & Daughters CPA"
SMITH_OWN = "Smith & Daughters CPA (own business)"


# --- helpers ---------------------------------------------------------------------------------


def _clients_page(qtbot, login_window, **kwargs: object) -> tuple[QWidget, ClientsPage]:
    main = log_in(qtbot, login_window, "smithcpa")
    page = main.push(ClientsPage(main, **kwargs))  # type: ignore[arg-type]
    assert main.current_page is page
    return main, page


def _column(page: ClientsPage, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> list:
    model = page.model
    return [model.index(row, column).data(role) for row in range(model.rowCount())]


def _names(page: ClientsPage) -> list[str]:
    return _column(page, Col.NAME)


def _tab_text(page: ClientsPage) -> str:
    return page.tabs.tabText(page.tabs.currentIndex())


def _show_tab(page: ClientsPage, label: str) -> None:
    page.tabs.setCurrentIndex([page.tabs.tabText(i) for i in range(page.tabs.count())].index(label))


def _type_filter(qtbot, page: ClientsPage, text: str, expected: list[str]) -> None:
    page.filter_edit.clear()
    qtbot.keyClicks(page.filter_edit, text)
    qtbot.waitUntil(lambda: _names(page) == expected, timeout=2000)


def _cell_center(view, row: int, column: int) -> QPoint:
    return view.visualRect(view.model().index(row, column)).center()


def _logon_id(username: str) -> int:
    return int(Logon.get(Logon.username == username).id)


def _taxpayer_id(name: str) -> int:
    return int(Taxpayer.get(Taxpayer.legal_name == name).id)


def _favorites(username: str = "smithcpa") -> set[str]:
    return {
        f.taxpayer.legal_name
        for f in Favorite.select().where(Favorite.third_party == _logon_id(username))
    }


def _account_id(name: str, account_type: AccountType) -> int:
    return int(
        TaxAccount.get(
            (TaxAccount.taxpayer == _taxpayer_id(name))
            & (TaxAccount.account_type == account_type.value)
        ).id
    )


def _grant(name: str, account_type: AccountType) -> AccessGrant:
    return AccessGrant.get(
        (AccessGrant.third_party == _logon_id("smithcpa"))
        & (AccessGrant.account == _account_id(name, account_type))
    )


def _activity(name: str, account_type: AccountType) -> list[tuple[str, str, object]]:
    return [
        (a.kind, a.period, a.amount)
        for a in AccountActivity.select()
        .where(AccountActivity.account == _account_id(name, account_type))
        .order_by(AccountActivity.id)
    ]


def _as_taxpayer(username: str):  # type: ignore[no-untyped-def]
    return logons.log_in(username, DEMO_PASSWORD)


def _lower(account_type: AccountType, level: AccessLevel) -> None:
    """The bakery lowers smithcpa's level on one of its accounts, from its own logon."""
    grant = _grant(HARBOR, account_type)
    grants.change_level(_as_taxpayer("harborbakery"), grant.id, level)


def _open_account(qtbot, login_window, account_type: AccountType, client: str = HARBOR):  # type: ignore[no-untyped-def]
    main, page = _clients_page(qtbot, login_window)
    view = page.view
    view.select_row(_names(page).index(client))
    click(qtbot, page, "Open Client")
    client_page = main.current_page
    assert isinstance(client_page, ClientPage)
    wanted = _account_id(client, account_type)
    [row] = [
        r
        for r in range(client_page.model.rowCount())
        if client_page.model.row_object(r).account.id == wanted
    ]
    qtbot.mouseClick(client_page.account_links()[row], Qt.MouseButton.LeftButton)
    account_page = main.current_page
    assert isinstance(account_page, ClientAccountPage)
    return main, account_page


# --- the All tab -------------------------------------------------------------------------------


def test_all_tab_lists_the_clients_and_own_business_with_their_levels(qtbot, login_window) -> None:
    """FAQ: the list of clients, and the third party's own business, on the All tab."""
    _main, page = _clients_page(qtbot, login_window)
    assert _tab_text(page) == "All"  # the demo firm has no favorites yet
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == ["Favorites", "All"]
    headers = [
        page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(page.model.columnCount())
    ]
    assert headers == ["Favorite", "Name", "ID", "Accounts", "Access levels"]
    assert _names(page) == [HARBOR, MARIA, SMITH_OWN]
    assert _column(page, Col.ID) == ["**-***2967", "***-**-2296", "**-***0194"]
    # Exactly the levels granted: the bakery gave Meals File and Sales and Use Full Access,
    # and left Withholding out; Élodie's printed-form request is still pending.
    assert _column(page, Col.ACCOUNTS) == [
        "Meals, Sales and Use",
        "Personal Income",
        "Paid Family and Medical Leave, Withholding",
    ]
    assert _column(page, Col.LEVELS) == [
        "File, Full Access",
        "File and Pay",
        "Full Access",  # each level once; the tooltip says which account has which
    ]
    rows: list[ClientRow] = _column(page, Col.NAME, OBJECT_ROLE)
    assert {a.account_type: a.level for a in rows[0].accesses} == {
        AccountType.MEALS: AccessLevel.FILE,
        AccountType.SALES_AND_USE: AccessLevel.FULL_ACCESS,
    }
    assert [r.own_business for r in rows] == [False, False, True]
    assert page.count_label.text() == "3 clients"
    assert _column(page, Col.FAVORITE) == ["☆", "☆", "☆"]
    assert _column(page, Col.FAVORITE, Qt.ItemDataRole.AccessibleTextRole) == ["Not a favorite"] * 3
    # The page opens with the cursor in the filter, ready to type.
    assert page.window().focusWidget() is page.filter_edit


def test_filter_matches_every_word_in_any_order(qtbot, login_window) -> None:
    _main, page = _clients_page(qtbot, login_window)
    assert page.filter_edit.placeholderText() == "Filter clients"
    assert page.filter_edit.accessibleName() == "Filter clients"
    _type_filter(qtbot, page, "bakery harbor", [HARBOR])
    assert page.count_label.text() == "1 of 3 clients"
    _type_filter(qtbot, page, "SANTOS maria", [MARIA])
    _type_filter(qtbot, page, "2296", [MARIA])  # the last digits of her ID
    _type_filter(qtbot, page, "cpa daughters", [SMITH_OWN])
    _type_filter(qtbot, page, "harbor santos", [])
    assert page.count_label.text() == "0 of 3 clients"
    _type_filter(qtbot, page, "", [HARBOR, MARIA, SMITH_OWN])
    assert page.count_label.text() == "3 clients"


def test_enter_in_the_filter_goes_to_the_first_match_and_enter_opens_it(
    qtbot, login_window
) -> None:
    main, page = _clients_page(qtbot, login_window)
    _type_filter(qtbot, page, "santos", [MARIA])
    qtbot.keyClick(page.filter_edit, Qt.Key.Key_Return)
    assert page.view.current_row() == 0
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    client = main.current_page
    assert isinstance(client, ClientPage)
    assert client.name_heading.text() == MARIA


def _click_header(qtbot, page: ClientsPage, column: int) -> None:
    header = page.view.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def test_sorting_by_name_and_id_by_clicking_the_headers(qtbot, login_window) -> None:
    _main, page = _clients_page(qtbot, login_window)
    header = page.view.horizontalHeader()

    _click_header(qtbot, page, Col.ID)  # by ID: 031…, 042…, 043…
    assert _names(page) == [MARIA, SMITH_OWN, HARBOR]
    assert page.sort_combo.currentText() == "ID (lowest first)"
    assert header.sortIndicatorSection() == Col.ID
    _click_header(qtbot, page, Col.ID)
    assert _names(page) == [HARBOR, SMITH_OWN, MARIA]
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    _click_header(qtbot, page, Col.NAME)
    assert _names(page) == [HARBOR, MARIA, SMITH_OWN]
    _click_header(qtbot, page, Col.NAME)
    assert _names(page) == [SMITH_OWN, MARIA, HARBOR]
    # The same from the keyboard, through Sort by.
    page.sort_combo.setCurrentText("Name (A to Z)")
    assert _names(page) == [HARBOR, MARIA, SMITH_OWN]


def test_favorite_accounts_and_levels_sort_by_clicking_their_headers(qtbot, login_window) -> None:
    """Every column sorts: a click sorts by what the column shows (ties by name), a second
    click reverses it; Sort by and the header's arrow follow."""
    main, page = _clients_page(qtbot, login_window)
    header = page.view.horizontalHeader()
    clients.set_favorite(main.actor, _taxpayer_id(SMITH), True)
    page.refresh()
    cases = [
        # Favorites first: the firm's own business is its only favorite.
        (Col.FAVORITE, "Favorites first", [SMITH_OWN, HARBOR, MARIA], "Favorites last"),
        # "Meals, Sales and Use" < "Paid Family and Medical Leave, …" < "Personal Income"
        (Col.ACCOUNTS, "Accounts (A to Z)", [HARBOR, SMITH_OWN, MARIA], "Accounts (Z to A)"),
        # "File and Pay" < "File, Full Access" < "Full Access"
        (Col.LEVELS, "Access levels (A to Z)", [MARIA, HARBOR, SMITH_OWN], None),
    ]
    for column, choice, names, reversed_choice in cases:
        _click_header(qtbot, page, column)
        assert _names(page) == names, choice
        assert page.sort_combo.currentText() == choice
        assert header.sortIndicatorSection() == column
        assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
        shown = _column(page, column)
        if column != Col.FAVORITE:
            assert shown == sorted(shown), "in the order of what the column shows"
        _click_header(qtbot, page, column)
        assert _names(page) == names[::-1]
        assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        if reversed_choice:
            assert page.sort_combo.currentText() == reversed_choice
    # A favorite marked while sorted by Favorite moves up, and stays selected.
    _click_header(qtbot, page, Col.FAVORITE)
    assert _names(page) == [SMITH_OWN, HARBOR, MARIA]
    assert _column(page, Col.FAVORITE) == ["★", "☆", "☆"]
    page.view.select_row(2)
    click(qtbot, page, "Mark as Favorite")
    assert _names(page) == [MARIA, SMITH_OWN, HARBOR]  # favorites by name
    assert page.view.current_row() == 0


def test_a_change_made_elsewhere_shows_when_the_list_is_shown_again(qtbot, login_window) -> None:
    """The list kept between keystrokes and visits is reread after a change made by
    someone else (here the taxpayer, on her own computer): at the next showing, and at the
    next keystroke."""
    main, page = _clients_page(qtbot, login_window)
    _click_header(qtbot, page, Col.ACCOUNTS)  # an order made and kept
    assert _names(page) == [HARBOR, SMITH_OWN, MARIA]
    grants.cancel_general_access(_as_taxpayer("msantos"), _logon_id("smithcpa"))
    client = main.push(ClientPage(main, _taxpayer_id(HARBOR)))
    assert main.current_page is client
    main.go_back()
    assert main.current_page is page
    assert _names(page) == [HARBOR, SMITH_OWN]
    assert page.count_label.text() == "2 clients"
    # The bakery lowers Meals from File to View Only: the next keystroke shows it.
    _lower(AccountType.MEALS, AccessLevel.VIEW_ONLY)
    qtbot.keyClicks(page.filter_edit, "a")
    qtbot.waitUntil(lambda: _column(page, Col.LEVELS)[0] == "View Only, Full Access")
    assert _names(page) == [HARBOR, SMITH_OWN]


# --- favorites -----------------------------------------------------------------------------------


def test_mark_and_unmark_a_favorite(qtbot, login_window) -> None:
    """FAQ: a third party can designate favorite status to the clients it works with."""
    main, page = _clients_page(qtbot, login_window)
    assert not buttons(page, "Mark as Favorite")[0].isEnabled()  # nothing selected yet
    page.view.select_row(_names(page).index(MARIA))
    click(qtbot, page, "Mark as Favorite")
    assert _favorites() == {MARIA}
    assert _column(page, Col.FAVORITE) == ["☆", "★", "☆"]
    assert page.model.index(1, Col.FAVORITE).data(Qt.ItemDataRole.AccessibleTextRole) == "Favorite"
    assert buttons(page, "Remove from Favorites"), "the button now offers the opposite"
    assert "Maria Santos is now a favorite" in main.statusBar().currentMessage()

    # A click on the star of another row marks it too.
    view = page.view
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=_cell_center(view, 0, Col.FAVORITE)
    )
    assert _favorites() == {HARBOR, MARIA}

    _show_tab(page, "Favorites")
    assert _names(page) == [HARBOR, MARIA]
    assert page.count_label.text() == "2 favorites"

    # Space on a favorite removes it; the row leaves the Favorites tab.
    page.view.select_row(0)
    qtbot.keyClick(page.view, Qt.Key.Key_Space)
    assert _favorites() == {MARIA}
    assert _names(page) == [MARIA]
    click(qtbot, page, "Remove from Favorites")
    assert _favorites() == set()
    assert _names(page) == []
    assert page.count_label.text().startswith("No favorites yet")
    _show_tab(page, "All")
    assert _column(page, Col.FAVORITE) == ["☆", "☆", "☆"]


def test_clients_open_on_favorites_when_there_are_favorites(qtbot, login_window) -> None:
    """FAQ: favorites appear on the screen when the third party logs in."""
    main = log_in(qtbot, login_window, "smithcpa")
    clients.set_favorite(main.actor, _taxpayer_id(MARIA), True)
    page = main.push(ClientsPage(main))
    assert _tab_text(page) == "Favorites"
    assert _names(page) == [MARIA]
    _show_tab(page, "All")
    assert _names(page) == [HARBOR, MARIA, SMITH_OWN]
    page = main.push(ClientsPage(main, start_on_favorites=False))
    assert _tab_text(page) == "All"


def test_the_filter_applies_to_both_tabs(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "smithcpa")
    for name in (HARBOR, MARIA):
        clients.set_favorite(main.actor, _taxpayer_id(name), True)
    page = main.push(ClientsPage(main))
    _type_filter(qtbot, page, "bakery", [HARBOR])
    assert page.count_label.text() == "1 of 2 favorites"
    _show_tab(page, "All")
    assert _names(page) == [HARBOR]
    assert page.count_label.text() == "1 of 3 clients"


# --- a client's accounts and an account's page ---------------------------------------------


def test_double_click_opens_a_client_with_one_row_per_account(qtbot, login_window) -> None:
    main, page = _clients_page(qtbot, login_window)
    view = page.view
    where = _cell_center(view, 0, Col.NAME)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    client = main.current_page
    assert isinstance(client, ClientPage)
    assert client.name_heading.text() == HARBOR
    assert "**-***2967" in client.details.text()
    rows = [client.model.row_object(r) for r in range(client.model.rowCount())]
    assert [(g.account.account_type.label, g.level.label) for g in rows] == [
        ("Meals", "File"),
        ("Sales and Use", "Full Access"),
    ]
    assert [link.text() for link in client.account_links()] == [g.account.number for g in rows]
    assert main.form.breadcrumbLabel.text().endswith(f"Clients › {HARBOR}")


def test_own_business_opens_the_same_way(qtbot, login_window) -> None:
    main, page = _clients_page(qtbot, login_window)
    page.view.select_row(_names(page).index(SMITH_OWN))
    click(qtbot, page, "Open Client")
    client = main.current_page
    assert isinstance(client, ClientPage)
    assert client.name_heading.text() == SMITH
    assert "your own business" in client.details.text()
    levels = {
        client.model.row_object(r).account.account_type: client.model.row_object(r).level
        for r in range(client.model.rowCount())
    }
    assert levels == {
        AccountType.WITHHOLDING: AccessLevel.FULL_ACCESS,
        AccountType.PFML: AccessLevel.FULL_ACCESS,
    }


def test_file_and_pay_where_the_level_allows(qtbot, login_window) -> None:
    _main, page = _open_account(qtbot, login_window, AccountType.SALES_AND_USE)
    assert page.level_label.text() == "Full Access"
    assert "file and amend returns" in page.may_label.text()
    assert page.file_button.isEnabled()
    assert page.pay_button.isEnabled()

    qtbot.keyClicks(page.period_edit, "2025")
    click(qtbot, page, "File Return")
    assert _activity(HARBOR, AccountType.SALES_AND_USE) == [("file_return", "2025", None)]
    assert page.result_label.text() == "Return filed for 2025."
    assert page.activity_model.row_object(0).label == "Return filed for 2025"

    qtbot.keyClicks(page.amount_edit, "1,250.5")
    answer = ModalAnswer("Yes").arm()
    click(qtbot, page, "Make Payment")
    assert answer.answered
    assert "$1,250.50" in answer.text
    [_filed, (kind, _period, amount)] = _activity(HARBOR, AccountType.SALES_AND_USE)
    assert (kind, amount) == ("make_payment", Decimal("1250.50"))
    assert page.activity_model.row_object(0).label == "Payment of $1,250.50"

    # Answering No to the payment pays nothing.
    qtbot.keyClicks(page.amount_edit, "10")
    answer = ModalAnswer("No").arm()
    click(qtbot, page, "Make Payment")
    assert answer.answered
    assert len(_activity(HARBOR, AccountType.SALES_AND_USE)) == 2


def test_a_file_level_cannot_pay_and_says_why(qtbot, login_window) -> None:
    _main, page = _open_account(qtbot, login_window, AccountType.MEALS)
    assert page.level_label.text() == "File"
    assert page.file_button.isEnabled()
    assert not page.pay_button.isEnabled()
    assert not page.amount_edit.isEnabled()
    assert page.pay_note.isVisible()
    assert page.pay_note.text().startswith("Your access (File) does not allow you to make payments")
    assert "Make payments" in page.may_not_label.text()
    qtbot.keyClicks(page.period_edit, "Q1 2026")
    qtbot.keyClick(page.period_edit, Qt.Key.Key_Return)  # Enter files, too
    assert _activity(HARBOR, AccountType.MEALS) == [("file_return", "Q1 2026", None)]


def test_an_empty_period_is_refused_and_nothing_is_filed(qtbot, login_window) -> None:
    _main, page = _open_account(qtbot, login_window, AccountType.MEALS)
    answer = ModalAnswer("OK").arm()
    click(qtbot, page, "File Return")
    assert answer.answered
    assert "period" in answer.text
    assert _activity(HARBOR, AccountType.MEALS) == []


def test_a_lowered_level_counts_at_the_next_action_without_logging_out(qtbot, login_window) -> None:
    main, page = _open_account(qtbot, login_window, AccountType.SALES_AND_USE)
    assert page.file_button.isEnabled()
    assert page.pay_button.isEnabled()

    _lower(AccountType.SALES_AND_USE, AccessLevel.VIEW_ONLY)  # the bakery, elsewhere

    # The screen still offers File Return; the service reads the level now and refuses.
    qtbot.keyClicks(page.period_edit, "2025")
    answer = ModalAnswer("OK").arm()
    click(qtbot, page, "File Return")
    assert answer.answered
    assert "View Only" in answer.text
    assert "does not allow you to file returns" in answer.text
    assert _activity(HARBOR, AccountType.SALES_AND_USE) == []
    # ... and the page has reread the level: both actions are off, with the reason.
    assert page.level_label.text() == "View Only"
    assert not page.file_button.isEnabled()
    assert not page.pay_button.isEnabled()
    assert page.file_note.text().startswith("Your access (View Only) does not allow")
    assert main.current_page is page


def test_a_lowered_level_refuses_a_payment_before_asking_to_confirm(qtbot, login_window) -> None:
    _main, page = _open_account(qtbot, login_window, AccountType.SALES_AND_USE)
    _lower(AccountType.SALES_AND_USE, AccessLevel.FILE)
    qtbot.keyClicks(page.amount_edit, "99.00")
    answer = ModalAnswer("OK").arm()
    click(qtbot, page, "Make Payment")
    assert answer.answered
    assert "(File) does not allow you to make payments" in answer.text
    assert _activity(HARBOR, AccountType.SALES_AND_USE) == []
    assert page.level_label.text() == "File"
    assert page.file_button.isEnabled()
    assert not page.pay_button.isEnabled()


def test_cancelled_access_says_so_and_offers_back(qtbot, login_window) -> None:
    main, page = _open_account(qtbot, login_window, AccountType.SALES_AND_USE)
    grants.cancel_general_access(_as_taxpayer("harborbakery"), _logon_id("smithcpa"))
    qtbot.keyClicks(page.period_edit, "2025")
    answer = ModalAnswer("OK").arm()
    click(qtbot, page, "File Return")
    assert answer.answered
    assert "no access to this account" in answer.text
    assert page.access_gone
    assert "no access to this account" in page.gone_label.text()
    assert not page.file_button.isVisible()
    assert _activity(HARBOR, AccountType.SALES_AND_USE) == []
    [back] = [b for b in buttons(page, "Back") if b.parent() is not main.form.header]
    qtbot.mouseClick(back, Qt.MouseButton.LeftButton)
    client = main.current_page
    assert isinstance(client, ClientPage)
    assert client.model.rowCount() == 0
    assert "no longer have access" in client.details.text()


# --- Manage My Access → Tax Administrator → Cancel My Access -----------------------------------


def _my_access(qtbot, login_window) -> tuple[QWidget, MyAccessPage]:
    main = log_in(qtbot, login_window, "smithcpa")
    page = main.push(MyAccessPage(main))
    return main, page


def _rows(page: MyAccessPage) -> list[tuple[str, str, str]]:
    return [
        (r.client.name, r.access.account_type.label, r.access.level.label)
        for r in page.model.rows()
    ]


def _open_tax_administrator(qtbot, page: MyAccessPage, client: str, account: str) -> int:
    index = [(name, kind) for name, kind, _level in _rows(page)].index((client, account))
    link = page.tax_administrator_links()[index]
    assert link.text() == "Tax Administrator"
    # A screen reader meets it by Tab: its name says which row.
    assert link.accessibleName().startswith("Tax Administrator for ")
    assert link.accessibleName().endswith(f" of {client}")
    qtbot.mouseClick(link, Qt.MouseButton.LeftButton)
    return index


def test_manage_my_access_lists_each_client_and_account_type(qtbot, login_window) -> None:
    _main, page = _my_access(qtbot, login_window)
    assert _rows(page) == [
        (HARBOR, "Meals", "File"),
        (HARBOR, "Sales and Use", "Full Access"),
        (MARIA, "Personal Income", "File and Pay"),
        (SMITH, "Paid Family and Medical Leave", "Full Access"),
        (SMITH, "Withholding", "Full Access"),
    ]
    assert len(page.tax_administrator_links()) == 5
    qtbot.keyClicks(page.filter_edit, "maria")
    qtbot.waitUntil(lambda: [r[0] for r in _rows(page)] == [MARIA], timeout=2000)


def test_cancel_my_access_no_changes_nothing(qtbot, login_window) -> None:
    main, page = _my_access(qtbot, login_window)
    _open_tax_administrator(qtbot, page, HARBOR, "Sales and Use")
    details = main.current_page
    assert isinstance(details, AccessDetailsPage)
    assert details.fields["Client"].text() == HARBOR
    assert details.fields["Access Type"].text() == "Full Access"
    assert details.fields["It allows"].text().startswith("View the account, file and amend")
    messages = Message.select().count()
    answer = ModalAnswer("No").arm()
    click(qtbot, details, "Cancel My Access")
    assert answer.answered
    assert "cannot be undone" in answer.informative
    assert "new request" in answer.informative
    assert "approve" in answer.informative
    assert _grant(HARBOR, AccountType.SALES_AND_USE).status == "active"
    assert Message.select().count() == messages
    assert main.current_page is details


def test_cancel_my_access_yes_cancels_and_tells_the_taxpayer(qtbot, login_window) -> None:
    """FAQ: Can a third party cancel access to a client's account(s)?"""
    main, page = _my_access(qtbot, login_window)
    _open_tax_administrator(qtbot, page, HARBOR, "Sales and Use")
    details = main.current_page
    answer = ModalAnswer("Yes").arm()
    click(qtbot, details, "Cancel My Access")
    assert answer.answered
    grant = _grant(HARBOR, AccountType.SALES_AND_USE)
    assert grant.status == "cancelled"
    assert grant.cancelled_by_id == _logon_id("smithcpa")
    # Back on the list, the row is gone and the others stay.
    assert main.current_page is page
    assert (HARBOR, "Sales and Use", "Full Access") not in _rows(page)
    assert (HARBOR, "Meals", "File") in _rows(page)
    assert len(page.tax_administrator_links()) == 4
    told = Message.select().where(
        (Message.recipient == _logon_id("harborbakery"))
        & Message.subject.contains("canceled its access to your accounts")
    )
    assert told.count() == 1
    assert "Sales and Use" in told.get().body


def test_cancel_my_access_on_the_own_business(qtbot, login_window) -> None:
    """FAQ: a third party manages logon access for its own business using the same steps."""
    main, page = _my_access(qtbot, login_window)
    _open_tax_administrator(qtbot, page, SMITH, "Withholding")
    details = main.current_page
    assert details.fields["Client"].text() == SMITH_OWN
    messages = Message.select().count()
    answer = ModalAnswer("Yes").arm()
    click(qtbot, details, "Cancel My Access")
    assert answer.answered
    assert "own business" in answer.text
    assert "removes the logon's access to its own business" in answer.informative
    assert "cannot be undone" in answer.informative
    assert _grant(SMITH, AccountType.WITHHOLDING).status == "cancelled"
    assert _grant(SMITH, AccountType.PFML).status == "active"
    assert (SMITH, "Withholding", "Full Access") not in _rows(page)
    assert Message.select().count() == messages  # nobody else to tell
    # The All tab now shows the own business with its one remaining account.
    clients_page = main.push(ClientsPage(main, start_on_favorites=False))
    row = _names(clients_page).index(SMITH_OWN)
    assert _column(clients_page, Col.ACCOUNTS)[row] == "Paid Family and Medical Leave"


# --- keyboard and accessibility -----------------------------------------------------------------


def test_every_control_is_reachable_by_tab_and_named(qtbot, login_window) -> None:
    main, page = _clients_page(qtbot, login_window)
    page.view.select_row(0)
    page.filter_edit.setFocus()
    seen: list[QWidget] = []
    for _ in range(12):
        widget = page.window().focusWidget()
        if widget is not None and page.isAncestorOf(widget) and widget not in seen:
            seen.append(widget)
        page.focusNextChild()
    names = {w.accessibleName() for w in seen}
    assert {"Filter clients", "Sort by", "All clients", "Open Client", "Mark as Favorite"} <= names
    for label in ("Open Client", "Mark as Favorite"):
        (button,) = buttons(page, label)
        assert button.accessibleName() == label
        assert button.focusPolicy() & Qt.FocusPolicy.TabFocus

    my_access = main.push(MyAccessPage(main))
    for link in my_access.tax_administrator_links():
        assert isinstance(link, QAbstractButton)
        assert link.focusPolicy() & Qt.FocusPolicy.TabFocus


# --- the lazy model ----------------------------------------------------------------------------


def test_clients_model_passes_the_model_tester_and_stays_lazy(qtmodeltester, database) -> None:
    demo.create_demo()
    demo.add_bulk_clients("smithcpa", 500)
    firm = logons.log_in("smithcpa", DEMO_PASSWORD)

    model = ClientsModel(firm, block_size=50, max_blocks=3)
    model.refresh()
    assert model.rowCount() == 503
    assert model.total == 503
    assert model.cached_blocks == 0  # nothing fetched until a row is asked for
    qtmodeltester.check(model, force_py=True)
    last = model.index(502, Col.NAME).data(OBJECT_ROLE)
    assert isinstance(last, ClientRow)
    for row in range(0, 503, 7):
        assert model.index(row, Col.NAME).data() is not None
    assert model.cached_blocks <= 3

    rows = [model.index(r, Col.NAME).data(OBJECT_ROLE) for r in range(model.rowCount())]
    keys = [name_key(r.name) for r in rows]
    assert keys == sorted(keys)  # by name, accented names included
    model.sort(Col.ID, Qt.SortOrder.DescendingOrder)
    ids = [model.index(r, Col.NAME).data(OBJECT_ROLE).taxpayer_id for r in range(503)]
    assert ids == sorted(ids, key=lambda i: Taxpayer.get_by_id(i).id_number, reverse=True)
    model.sort(Col.ACCOUNTS)  # by what the column shows, then by name
    shown = [model.index(r, Col.ACCOUNTS).data(OBJECT_ROLE) for r in range(503)]
    assert [(r.accounts_label, name_key(r.name)) for r in shown] == sorted(
        (r.accounts_label, name_key(r.name)) for r in shown
    )

    # Every typed word must match, in any order: "Last First" finds "First Last".
    first, last = rows[100].name.split(" ", 1)
    model.sort(Col.NAME)
    model.set_filter(f"{last.upper()}   {first}")
    found = [model.index(r, Col.NAME).data(OBJECT_ROLE) for r in range(model.rowCount())]
    assert rows[100] in found
    assert all(
        first.casefold() in r.name.casefold() and last.casefold() in r.name.casefold()
        for r in found
    )
    assert model.total == 503
    qtmodeltester.check(model, force_py=True)

    favorites = ClientsModel(firm, favorites_only=True)
    favorites.refresh()
    assert favorites.rowCount() == 0
    qtmodeltester.check(favorites, force_py=True)
