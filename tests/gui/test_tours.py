"""Show Me tours (gui/tours.py, resources/help/tours.json): every step names a control of
its mode, every tour completes when a user activates only the highlighted control (by
keyboard or mouse), a tour never changes a database that is not a demo, and Escape ends
a tour and takes its highlight away."""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLineEdit,
    QMenu,
    QMessageBox,
    QTabBar,
)

from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import ApprovalMethod
from mtc_desktop.gui import tours
from mtc_desktop.gui.actions import SPEC_BY_ID
from mtc_desktop.gui.app import Session
from mtc_desktop.gui.login import LoginWindow
from mtc_desktop.resources import resource
from mtc_desktop.services import clients, requests
from mtc_desktop.services.requests import RequestDraft
from tests.conftest import PASSWORD, World
from tests.gui.conftest import ModalAnswer, log_in

# The FAQ answers that are procedures (the agreed id table): each has a tour.
PROCEDURES = {
    "tp-request",
    "tx-approve",
    "tx-change",
    "tx-cancel",
    "tp-cancel",
    "tp-view-clients",
    "reactivate",
    "tp-manage-my-clients",
    "tp-missing-manage-my-clients",
    "tp-sees-client",
}


# --- driving a tour the way a trainee does -------------------------------------------------


class Trainee:
    """Activates the control the tour's highlight points at, and nothing else: a key
    (Space on a button, an arrow on a drop-down, typing in a field) or a click (a tab, a
    table row). Runs from a timer, so it goes on inside the dialogs the steps open."""

    def __init__(self, qtbot, run: tours.TourRun) -> None:
        self.qtbot = qtbot
        self.run = run
        self.done_step = -1
        self.highlighted: list[str] = []
        self.stuck = ""
        self.deadline = time.monotonic() + 20
        QTimer.singleShot(0, self._look)

    def _look(self) -> None:
        run = self.run
        if run.finished:
            return
        QTimer.singleShot(40, self._look)  # first: the activation may open a dialog
        if time.monotonic() > self.deadline:
            # Stuck: close the dialogs in front so the test's own wait can report it.
            if not self.stuck:
                where = run.overlay.text if run.overlay is not None else "no highlight"
                shown = [
                    (b.text(), b.accessibleName(), b.isEnabled())
                    for b in run._root().findChildren(QAbstractButton)
                    if b.isVisible()
                ]
                self.stuck = (
                    f"stuck at step {run.index + 1} after {self.highlighted}: {where}; "
                    f"buttons in view: {shown}"
                )
            modal = QApplication.activeModalWidget()
            if modal is not None:
                modal.close()
            else:
                run.end()
            return
        overlay = run.overlay
        target = run.target
        if (
            run.index == self.done_step
            or overlay is None
            or not shiboken6.isValid(overlay)
            or target is None
            or overlay.target is not target
            or not overlay.isVisible()
        ):
            return
        step = run.step
        assert step is not None
        self.done_step = run.index
        ring = overlay.ring_rect()
        assert ring is not None
        assert ring.contains(target.rect_in(overlay)), "the ring is around the control"
        assert step.say in overlay.text, overlay.text
        self.highlighted.append(self._name(target))
        self._activate(target, step)

    @staticmethod
    def _name(target: tours.Target) -> str:
        widget = target.widget
        if isinstance(widget, QTabBar):
            return widget.tabText(target.tab).replace("&", "")
        if isinstance(widget, QAbstractItemView):
            return f"row {target.row} of {widget.accessibleName()}"
        if isinstance(widget, QAbstractButton):
            return widget.text().replace("&", "")
        return widget.accessibleName()

    def _activate(self, target: tours.Target, step: tours.Step) -> None:
        qtbot, widget = self.qtbot, target.widget
        if isinstance(widget, QTabBar):
            qtbot.mouseClick(
                widget, Qt.MouseButton.LeftButton, pos=widget.tabRect(target.tab).center()
            )
        elif isinstance(widget, QAbstractItemView):
            # The middle of the highlighted row (its first column may be a command's).
            rect = target.rect_in(widget.viewport())
            qtbot.mouseClick(widget.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        elif isinstance(widget, QLineEdit):
            qtbot.keyClicks(widget, step.input)
        elif isinstance(widget, QComboBox):
            wanted = widget.findText(step.input)
            assert wanted >= 0, f"{step.input!r} is not a choice of {widget.accessibleName()}"
            key = Qt.Key.Key_Down if wanted > widget.currentIndex() else Qt.Key.Key_Up
            qtbot.keyClick(widget, key)
            assert widget.currentText() == step.input, "the tour's choice is one key away"
        else:
            assert isinstance(widget, QAbstractButton)
            assert widget.isEnabled(), f"{self._name(target)} is highlighted but disabled"
            qtbot.keyClick(widget, Qt.Key.Key_Space)

    def finish(self) -> None:
        self.qtbot.waitUntil(lambda: self.run.finished, timeout=40000)
        assert not self.stuck, self.stuck


def start_from_login(qtbot, login: LoginWindow, answer: str) -> tuple[tours.TourRun, ModalAnswer]:
    tour = tours.load_tours()[answer]
    offer = ModalAnswer(f"Log In as {tour.logon}").arm()
    tours.start_tour(answer, login)
    assert offer.answered, "the tour offers its demo logon"
    run = tours.running()
    assert run is not None, "the tour runs once logged in"
    assert run.main.actor.username == tour.logon
    assert run.main.actor.role is tour.mode
    return run, offer


class BoxAnswer:
    """Answers the message box titled ``title``, whenever it comes, with ``button``."""

    def __init__(self, title: str, button: str, then: Callable[[], None] | None = None) -> None:
        self.title, self.button, self.then = title, button, then
        self.text = ""
        self.answered = False
        self._box: QMessageBox | None = None
        QTimer.singleShot(0, self._try)

    def _try(self) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or box.windowTitle() != self.title:
            QTimer.singleShot(20, self._try)
            return
        self._box = box
        self.text = f"{box.text()} {box.informativeText()}"
        for button in box.buttons():
            if button.text().replace("&", "") == self.button:
                self.answered = True
                button.click()
                if self.then is not None:
                    QTimer.singleShot(0, self.then)
                return
        raise AssertionError(f"the box has no {self.button!r} button")


def status(main) -> str:
    return main.statusBar().currentMessage()


@pytest.fixture(autouse=True)
def no_tour_left() -> Iterator[None]:
    yield
    run = tours.running()
    if run is not None:
        run.end()
    assert tours.running() is None


# --- (a) the data --------------------------------------------------------------------------


def test_every_procedure_answer_has_a_tour_of_existing_actions_in_its_mode() -> None:
    faq_ids = [a["id"] for a in json.loads(resource("help", "faq.json").read_text())["answers"]]
    loaded = tours.load_tours()
    assert set(loaded) == PROCEDURES
    assert set(loaded) <= set(faq_ids)
    from mtc_desktop.services.demo_logons import demo_logons

    logons = {d.username: d.role for d in demo_logons()}
    for answer, tour in loaded.items():
        assert logons[tour.logon] is tour.mode, f"{answer}: {tour.logon} is not in that mode"
        assert tour.steps, answer
        for step in tour.steps:
            assert step.say, f"{answer}: a step without its sentence"
            assert bool(step.action) + bool(step.label) + bool(step.view) == 1, step
            if step.action:
                assert step.action in SPEC_BY_ID, f"{answer}: no action {step.action!r}"
                assert tour.mode in SPEC_BY_ID[step.action].modes, (answer, step.action)
            if step.only_if_missing:
                assert tour.mode in SPEC_BY_ID[step.only_if_missing].modes
        # The sentences the FAQ gives are the FAQ's own words.
        faq_text = resource("help", "faq.json").read_text("utf-8")
        for step in tour.steps:
            if step.faq:
                for sentence in step.say.split(". "):
                    words = sentence.strip().rstrip(".")
                    assert words.split(" (")[0][:40] in faq_text, (answer, words)
    assert any(s.writes for s in loaded["tx-approve"].steps)


# --- (b) every tour completes, activating only the highlighted control ------------------------


def test_tx_approve_from_the_login_window_approves_the_request(qtbot, login_window) -> None:
    run, offer = start_from_login(qtbot, login_window, "tx-approve")
    assert "taxpayer mode" in offer.text
    assert "harborbakery" in offer.text
    main = run.main
    trainee = Trainee(qtbot, run)
    trainee.finish()
    assert run.completed
    assert trainee.highlighted[:3] == [
        "Manage My Profile",
        "More…",
        "View Access Requests from Third Parties",
    ]
    assert trainee.highlighted[3] == "Approve/Deny"
    assert trainee.highlighted[4].startswith("Give Rights")
    assert trainee.highlighted[5].startswith("Granted Rights")
    assert trainee.highlighted[6:] == ["Approve"]
    page = main.current_page
    assert page.key == "access_requests"
    result = page.result_label.text()
    assert "approved" in result
    assert "Beacon Payroll" in result
    assert "Pay" in result
    assert requests.pending_for_me(main.actor) == []
    assert "Show Me finished" in status(main)


@pytest.mark.parametrize("answer", ["tx-change", "tx-cancel"])
def test_taxpayer_tours_complete(qtbot, login_window, answer: str) -> None:
    run, _offer = start_from_login(qtbot, login_window, answer)
    main = run.main
    trainee = Trainee(qtbot, run)
    answers: list[ModalAnswer] = []
    trainee.finish()
    assert run.completed, trainee.highlighted
    assert len(trainee.highlighted) == len(run.tour.steps)
    if answer == "tx-change":
        assert trainee.highlighted[3] == "smithcpa"
        links = [b.text() for b in main.current_page.access_type_links()]
        assert links == ["Full Access"]
    else:
        assert trainee.highlighted[-1] == "Yes"
        assert main.current_page.key == "third_parties"
        assert main.current_page.username_links() == []
    del answers


@pytest.mark.parametrize("answer", ["tp-request", "reactivate"])
def test_third_party_request_tours_send_a_request(qtbot, login_window, answer: str) -> None:
    run, _offer = start_from_login(qtbot, login_window, answer)
    main = run.main
    assert run.overlay is not None
    if answer == "reactivate":  # the taxpayer asks; the third party sends a new request
        assert run.overlay.text.startswith("To reactivate access, a taxpayer will contact")
    Trainee(qtbot, run).finish()
    assert run.completed
    mine = requests.pending_for_me  # the taxpayer's side, read below
    from mtc_desktop.services import logons

    maria = logons.log_in("msantos", tours.DEMO_PASSWORD)
    pending = mine(maria)
    assert [p.third_party_username for p in pending] == ["beaconpayroll"]
    assert pending[0].method is ApprovalMethod.MASSTAXCONNECT
    assert [line.requested_level for line in pending[0].lines] == [AccessLevel.PAY]
    del main


@pytest.mark.parametrize(
    "answer",
    [
        "tp-cancel",
        "tp-view-clients",
        "tp-manage-my-clients",
        "tp-missing-manage-my-clients",
        "tp-sees-client",
    ],
)
def test_third_party_tours_complete(qtbot, login_window, answer: str) -> None:
    run, _offer = start_from_login(qtbot, login_window, answer)
    main = run.main
    trainee = Trainee(qtbot, run)
    trainee.finish()
    assert run.completed, trainee.highlighted
    page = main.current_page
    if answer == "tp-cancel":
        assert trainee.highlighted[3] == "Tax Administrator"
        assert "was canceled" in status(main)
        assert "Maria Santos" in status(main)
    elif answer == "tp-view-clients":
        assert page.key == "clients"
        assert page.tabs.tabText(page.tabs.currentIndex()) == "All"
    elif answer == "tp-manage-my-clients":
        # Client view was off in the demo: the tour switched it on first.
        assert "Show Manage My Clients" in " ".join(trainee.highlighted)
        assert page.key == "my_clients"
    elif answer == "tp-missing-manage-my-clients":
        assert clients.client_view_enabled(main.actor)
        assert page.key == "profile"
        assert page.clients_link.isVisible()
    else:
        assert clients.favorites_count(main.actor) == 1
        assert page.favorite_button.text() != "Mark as Favorite"


def test_a_tour_started_in_another_mode_offers_to_switch_logon(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "smithcpa")
    offer = ModalAnswer("Log In as harborbakery").arm()
    tours.start_tour("tx-approve", main)
    assert offer.answered
    assert "smithcpa" in offer.text
    run = tours.running()
    assert run is not None
    assert run.main.actor.username == "harborbakery"
    assert not main.isVisible() or not shiboken6.isValid(main)


def test_wandering_off_says_where_to_go_back(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    tours.start_tour("tx-approve", main)
    run = tours.running()
    assert run is not None
    main.user_actions["profile"].trigger()
    qtbot.waitUntil(lambda: run.index == 1)
    qtbot.mouseClick(
        run.target.widget,
        Qt.MouseButton.LeftButton,
        pos=run.target.widget.tabRect(run.target.tab).center(),
    )
    qtbot.waitUntil(lambda: run.index == 2 and run.overlay is not None and run.target is not None)
    # Off the way: Manage Third-party Access instead of View Access Requests.
    main.open_page("third_parties", under="profile")
    qtbot.waitUntil(lambda: "Go back" in run.overlay.text)
    assert "Go back to Manage My Profile with Back (Alt+Left)" in run.overlay.text
    assert run.target is None
    # The way back is ringed: the header's Back.
    assert run.overlay.guide is not None
    assert run.overlay.guide.widget is main.back_link
    main.user_actions["back"].trigger()
    qtbot.waitUntil(lambda: run.target is not None)
    assert run.overlay.text.startswith(run.tour.steps[2].say)


# --- (c) a database that is not a demo --------------------------------------------------------


@pytest.fixture
def plain_login(qtbot, world: World, database: Path) -> Iterator[LoginWindow]:
    """The login window of a session on an office's database (open already): no demo."""
    window = Session().login_window
    qtbot.addWidget(window)
    window.show()
    yield window
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible():
            widget.close()
    window.deleteLater()
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()


def test_on_a_real_database_a_tour_stops_before_changing_data(
    qtbot, world: World, plain_login: LoginWindow
) -> None:
    taxpayer = world.taxpayer("Acme Bakery")
    owner = world.taxpayer_logon("acmeowner", taxpayer)
    firm = world.third_party("realfirm", "Real Firm LLP")
    account = world.accounts(taxpayer)[0]
    requests.request_access(
        firm,
        RequestDraft(
            id_type=IdType(taxpayer.id_type),
            id_number=taxpayer.id_number,
            legal_name=taxpayer.legal_name,
            lines=((account.id, AccessLevel.FILE),),
            method=ApprovalMethod.MASSTAXCONNECT,
        ),
    )
    assert not tours.is_demo_database()
    # From the login window: no demo logon to offer, so it explains and stops.
    refusal = ModalAnswer("OK").arm()
    tours.start_tour("tx-approve", plain_login)
    assert refusal.answered
    assert "demo" in refusal.text
    assert tours.running() is None
    assert plain_login.isVisible()

    main = log_in(qtbot, plain_login, "acmeowner", PASSWORD)
    tours.start_tour("tx-approve", main)
    run = tours.running()
    assert run is not None
    seen: list[object] = []

    def then() -> None:
        # Still in the Approve/Deny dialog: nothing was sent; the user closes it.
        seen.append([r.third_party_username for r in requests.pending_for_me(owner)])
        seen.append(QApplication.activeModalWidget().windowTitle())
        QApplication.activeModalWidget().reject()

    stop = BoxAnswer("Show Me stops here", "OK", then=then)
    trainee = Trainee(qtbot, run)
    qtbot.waitUntil(lambda: stop.answered and len(seen) == 2, timeout=30000)
    assert "not a demo" in stop.text
    assert "Approve" in stop.text
    assert run.finished
    assert not run.completed
    assert seen[0] == ["realfirm"]
    assert str(seen[1]).startswith("Approve/Deny")
    assert trainee.highlighted[:4] == [
        "Manage My Profile",
        "More…",
        "View Access Requests from Third Parties",
        "Approve/Deny",
    ]
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    assert [r.third_party_username for r in requests.pending_for_me(owner)] == ["realfirm"]


# --- (d) Escape -------------------------------------------------------------------------------


def test_escape_ends_the_tour_and_removes_the_highlight(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    tours.start_tour("tx-approve", main)
    run = tours.running()
    assert run is not None
    overlay = run.overlay
    assert overlay is not None
    assert overlay.isVisible()
    assert overlay.parentWidget() is main
    assert overlay.target is not None
    assert overlay.target.widget is main.profile_link
    assert overlay.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    page = main.current_page
    qtbot.keyClick(main.focusWidget() or main, Qt.Key.Key_Escape)
    assert run.finished
    assert tours.running() is None
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not main.findChildren(tours.TourOverlay)
    assert main.current_page is page
    # The highlight let clicks through while it was there, and lets them now.
    qtbot.mouseClick(main.profile_link, Qt.MouseButton.LeftButton)
    assert main.current_page.key == "profile"


# --- where tours start: the help window's Show Me, and Help → Show Me -------------------------


def test_show_me_in_the_help_window_from_the_login_window(qtbot, login_window) -> None:
    from mtc_desktop.gui import help

    window = help.show_help(login_window, "tx-approve")
    assert window.show_me.isEnabled()
    offer = ModalAnswer("Log In as harborbakery").arm()
    qtbot.mouseClick(window.show_me, Qt.MouseButton.LeftButton)
    assert offer.answered
    run = tours.running()
    assert run is not None
    assert run.main.actor.username == "harborbakery"
    assert run.overlay is not None
    assert run.overlay.target is not None
    assert run.overlay.target.widget is run.main.profile_link
    window.close()


def test_help_menu_lists_the_tours(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    submenu = main.findChild(QMenu, "showMeMenu")
    assert submenu is not None
    questions = [a.text() for a in submenu.actions()]
    assert len(questions) == len(tours.load_tours())
    approve = next(a for a in submenu.actions() if "approve a third party" in a.text())
    approve.trigger()
    run = tours.running()
    assert run is not None
    assert run.main is main
    assert run.overlay is not None
    assert run.overlay.target is not None
    assert run.overlay.target.widget is main.profile_link


def test_done_when_f1_show_me_approves_the_request(qtbot, login_window) -> None:
    """As a new user tries it: F1 on the login window, the approval question, Show Me, the
    taxpayer demo logon offered, then only the ringed controls, and the request approved."""
    from mtc_desktop.gui import help

    login_window.activateWindow()
    qtbot.waitUntil(login_window.isActiveWindow)
    qtbot.keyClick(login_window, Qt.Key.Key_F1)
    window = help.open_window()
    assert window is not None
    question = "How does a taxpayer approve a third party's request for access on MassTaxConnect?"
    qtbot.keyClicks(window.search, "taxpayer approve")
    items = window.questions.findItems(question, Qt.MatchFlag.MatchExactly)
    assert len(items) == 1
    window.questions.setCurrentItem(items[0])
    offer = ModalAnswer("Log In as harborbakery").arm()
    qtbot.mouseClick(window.show_me, Qt.MouseButton.LeftButton)
    assert offer.answered
    assert "taxpayer mode" in offer.text
    run = tours.running()
    assert run is not None
    trainee = Trainee(qtbot, run)
    trainee.finish()
    assert trainee.highlighted[:4] == [
        "Manage My Profile",
        "More…",
        "View Access Requests from Third Parties",
        "Approve/Deny",
    ]
    assert trainee.highlighted[4].startswith("Give Rights")
    assert trainee.highlighted[5].startswith("Granted Rights")
    assert "approved" in run.main.current_page.result_label.text()
    if window.isVisible():
        window.close()


def test_a_tab_already_showing_is_selected_again_by_keyboard(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    tours.start_tour("tx-approve", main)
    run = tours.running()
    assert run is not None
    qtbot.keyClick(main.profile_link, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: run.index == 1 and run.target is not None)
    assert run.target is not None
    bar = run.target.widget
    assert isinstance(bar, QTabBar)
    assert bar.tabText(bar.currentIndex()) == "More…", "More… shows already"
    qtbot.keyClick(bar, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: run.index == 2)
    qtbot.waitUntil(lambda: run.target is not None)
    assert run.target is not None
    assert run.target.widget.text() == "View Access Requests from Third Parties"
