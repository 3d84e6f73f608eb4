"""One registry of what a user can do (napari's action manager, qutebrowser's commands).

Each thing a user can do in a mode is an :class:`ActionSpec` below: its id, its label as
the FAQ words it (with a mnemonic), shortcut, tip, the modes it belongs to, its menu and
what it opens — a page by key (gui/router.py), a command by key, a method of the main
window, or a method of the Home page (DOR's tools live there). :class:`Actions` makes one
``QAction`` of each for a main window; the menus, the banner, the pages' links
(:class:`ActionLink`) and the context menus all use that same action, so a label is
written once and a shortcut is bound once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from mtc_desktop.domain.model import Role
from mtc_desktop.gui import router
from mtc_desktop.gui.widgets import CommandButton, LinkButton

if TYPE_CHECKING:
    from mtc_desktop.gui.main_window import MainWindow

ALL_MODES = frozenset(Role)
TAXPAYER = Role.TAXPAYER
THIRD_PARTY = Role.THIRD_PARTY
DOR = Role.DOR_STAFF


@dataclass(frozen=True)
class ActionSpec:
    id: str
    label: str  # the FAQ's words, with "&" before the mnemonic
    tip: str
    modes: frozenset[Role] = ALL_MODES
    menu: str = "go"  # "file", "go", "view", "help"
    shortcuts: tuple[str | QKeySequence.StandardKey, ...] = ()
    page: str = ""  # a page key, opened by main.open_page(page, under=under, **args)
    under: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    command: str = ""  # a command key, run by router.run(command, page, actor)
    method: str = ""  # a method of the main window
    home_call: str = ""  # a method of the Home page, e.g. "poa_panel.record"
    administrator: bool = False  # DOR administrators only
    taxpayer_identity: bool = False  # only a logon with its own taxpayer (POA)
    demo_only: bool = False  # only on a demo database (Reset Demo)

    @property
    def text(self) -> str:
        """The label without its mnemonic: what tests and screen readers read."""
        return plain(self.label)


def plain(label: str) -> str:
    return re.sub(r"&(.)", r"\1", label)


SPECS: tuple[ActionSpec, ...] = (
    # --- File ---------------------------------------------------------------------------
    ActionSpec(
        "open_database",
        "&Open Database…",
        "Open another MTC Desktop database file; you log in again there.",
        menu="file",
        shortcuts=("Ctrl+O",),
        method="open_database",
    ),
    ActionSpec(
        "new_database",
        "&New Database…",
        "Create a new, empty MTC Desktop database file and set it up.",
        menu="file",
        method="new_database",
    ),
    ActionSpec(
        "print",
        "&Print…",
        "Print what this page prints (a Client Authorization).",
        menu="file",
        shortcuts=("Ctrl+P",),
        method="print_page",
    ),
    ActionSpec(
        "switch_logon",
        "S&witch Logon",
        "Log out and return to the login window.",
        menu="file",
        method="switch_logon",
    ),
    ActionSpec(
        "quit",
        "&Quit",
        "Close MTC Desktop.",
        menu="file",
        shortcuts=("Ctrl+Q",),
        method="quit_program",
    ),
    # --- Go -----------------------------------------------------------------------------
    ActionSpec(
        "back",
        "&Back",
        "Return to the page before this one.",
        shortcuts=("Alt+Left",),
        method="go_back",
    ),
    ActionSpec(
        "forward",
        "&Forward",
        "Go to the page you came back from.",
        shortcuts=("Alt+Right",),
        method="go_forward",
    ),
    ActionSpec("home", "H&ome", "Your first page.", shortcuts=("Alt+Home",), method="go_home"),
    ActionSpec(
        "inbox",
        "&Inbox",
        "Messages about your requests and access.",
        shortcuts=("Ctrl+I",),
        method="open_inbox",
    ),
    ActionSpec(
        "profile",
        "Manage My &Profile",
        "Your logon's details, and the More… tab.",
        method="open_profile",
    ),
    # Taxpayer and third party: Manage My Profile → More… → Third-party Access.
    ActionSpec(
        "access_requests",
        "&View Access Requests from Third Parties",
        "Approve or deny the requests third parties sent for your tax accounts.",
        modes=frozenset({TAXPAYER, THIRD_PARTY}),
        page="access_requests",
        under="profile",
    ),
    ActionSpec(
        "third_parties",
        "Manage &Third-party Access",
        "Who may act on your tax accounts: change their access or cancel it.",
        modes=frozenset({TAXPAYER, THIRD_PARTY}),
        page="third_parties",
        under="profile",
    ),
    ActionSpec(
        "powers_of_attorney",
        "Powers of &Attorney",
        "The representatives you authorised on Form M-2848; revoke one.",
        modes=frozenset({TAXPAYER, THIRD_PARTY}),
        page="powers_of_attorney",
        under="profile",
        taxpayer_identity=True,
    ),
    # Third party.
    ActionSpec(
        "request_access",
        "&Request to Manage Other Taxpayer's Accounts",
        "Ask a taxpayer for access to act on its tax accounts.",
        modes=frozenset({THIRD_PARTY}),
        command="request_access",
    ),
    ActionSpec(
        "my_access",
        "Manage My A&ccess",
        "Your access to your clients' accounts; cancel your own access.",
        modes=frozenset({THIRD_PARTY}),
        page="my_access",
        under="profile",
    ),
    ActionSpec(
        "change_client_view",
        "Change Client Vi&ew",
        "Switch on Manage My Clients: your requests and former clients.",
        modes=frozenset({THIRD_PARTY}),
        command="change_client_view",
    ),
    ActionSpec(
        "my_clients",
        "Manage My C&lients",
        "Your requests and former clients (after Change Client View).",
        modes=frozenset({THIRD_PARTY}),
        page="my_clients",
        under="profile",
    ),
    # DOR staff: the back office's tools, on their Home page.
    ActionSpec(
        "find_request",
        "Find Re&quest",
        "Find a request by its number or the text of its QR code.",
        modes=frozenset({DOR}),
        home_call="focus_request_field",
    ),
    ActionSpec(
        "import_returned_form",
        "Import &Returned Forms…",
        "Record taxpayers' choices from filled-in Client Authorization PDFs, one or many.",
        modes=frozenset({DOR}),
        home_call="import_form",
    ),
    ActionSpec(
        "mail_correspondence",
        "&Mail Correspondence",
        "Record letters mailed to a taxpayer.",
        modes=frozenset({DOR}),
        home_call="mail_correspondence",
    ),
    ActionSpec(
        "outbox",
        "O&utbox",
        "The emails waiting to be sent, sent and failed.",
        modes=frozenset({DOR}),
        page="outbox",
        under="home",
    ),
    ActionSpec(
        "email_server",
        "&Email Server",
        "The SMTP server that sends the program's emails.",
        modes=frozenset({DOR}),
        command="email_server",
    ),
    ActionSpec(
        "register_taxpayer",
        "Register Ta&xpayer",
        "Add a taxpayer and its tax accounts to the registry.",
        modes=frozenset({DOR}),
        command="register_taxpayer",
    ),
    ActionSpec(
        "import_registry",
        "Import Re&gistry…",
        "Add taxpayers and tax accounts from a CSV file.",
        modes=frozenset({DOR}),
        home_call="import_registry",
    ),
    ActionSpec(
        "staff_logons",
        "&Staff Logons",
        "Add, disable and re-enable DOR staff logons.",
        modes=frozenset({DOR}),
        page="staff",
        under="home",
        administrator=True,
    ),
    ActionSpec(
        "record_poa",
        "Record Power of Attorne&y",
        "Record a Power of Attorney from a signed Form M-2848.",
        modes=frozenset({DOR}),
        home_call="poa_panel.record",
    ),
    ActionSpec(
        "information_requests",
        "I&nformation Requests",
        "Representatives' requests for returns and other documentation.",
        modes=frozenset({DOR}),
        page="information_queue",
        under="home",
    ),
    # --- View ---------------------------------------------------------------------------
    ActionSpec(
        "refresh",
        "&Refresh",
        "Read this page again from the database.",
        menu="view",
        shortcuts=("F5",),
        method="refresh_page",
    ),
    ActionSpec(
        "find_in_list",
        "&Find in List",
        "Put the cursor in this list's filter.",
        menu="view",
        shortcuts=("Ctrl+F",),
        method="focus_filter",
    ),
    ActionSpec(
        "larger_text",
        "&Larger Text",
        "Make all text larger.",
        menu="view",
        shortcuts=("Ctrl++", "Ctrl+="),
        method="larger_text",
    ),
    ActionSpec(
        "smaller_text",
        "&Smaller Text",
        "Make all text smaller.",
        menu="view",
        shortcuts=("Ctrl+-",),
        method="smaller_text",
    ),
    ActionSpec(
        "normal_text",
        "&Normal Text Size",
        "Show text at its usual size.",
        menu="view",
        shortcuts=("Ctrl+0",),
        method="normal_text",
    ),
    # --- Help ---------------------------------------------------------------------------
    ActionSpec(
        "faq",
        "Third-party Access &FAQ",
        "DOR's questions and answers, opened at the one about this page.",
        menu="help",
        shortcuts=(QKeySequence.StandardKey.HelpContents,),
        method="show_help",
    ),
    ActionSpec(
        "reset_demo",
        "Reset &Demo…",
        "Put the demo database back as it was made, for the next trainee.",
        menu="help",
        method="reset_demo",
        demo_only=True,
    ),
    ActionSpec(
        "about",
        "&About MTC Desktop",
        "The version, the database in use, and the licence.",
        menu="help",
        method="show_about",
    ),
)

# What the status bar says after a command that changed something returns ``result``
# (a command that opens a page says it there). The message goes when the page changes.
CONFIRMATIONS: dict[str, Callable[[Any], str]] = {
    "request_access": lambda r: (
        f"Request {r.number} for {r.taxpayer_name} was sent. It is in Manage My Clients "
        "and in your inbox."
    ),
    "change_client_view": lambda on: (
        "Client view switched on: Manage My Clients is on Manage My Profile."
        if on
        else "Client view switched off."
    ),
    "email_server": lambda _server: "Email server saved.",
}

SPEC_BY_ID = {spec.id: spec for spec in SPECS}
assert len(SPEC_BY_ID) == len(SPECS), "two actions share an id"

MENUS = (("file", "&File"), ("go", "&Go"), ("view", "&View"), ("help", "&Help"))


def specs_for(
    role: Role, *, administrator: bool = False, has_taxpayer: bool = True, demo: bool = False
) -> list[ActionSpec]:
    """The actions of a mode, in menu order (``demo``: on a demo database)."""
    return [
        spec
        for spec in SPECS
        if role in spec.modes
        and (administrator or not spec.administrator)
        and (has_taxpayer or not spec.taxpayer_identity)
        and (demo or not spec.demo_only)
    ]


class Actions:
    """The ``QAction`` of each thing the logon of ``main`` can do, added to the window so
    their shortcuts work wherever the focus is in it."""

    def __init__(self, main: MainWindow) -> None:
        self.main = main
        actor = main.actor
        self.specs = specs_for(
            actor.role,
            administrator=actor.administrator,
            has_taxpayer=actor.taxpayer_id is not None,
            demo=main.is_demo,
        )
        self._actions: dict[str, QAction] = {}
        for spec in self.specs:
            action = QAction(spec.label, main)
            action.setObjectName(spec.id)
            keys = [QKeySequence(k) for k in spec.shortcuts]
            if keys:
                action.setShortcuts(keys)
                shown = keys[0].toString(QKeySequence.SequenceFormat.NativeText)
                action.setToolTip(f"{spec.text} ({shown})")
            else:
                action.setToolTip(spec.text)
            action.setStatusTip(spec.tip)
            action.triggered.connect(self._trigger_of(spec))
            self._actions[spec.id] = action

    def __getitem__(self, action_id: str) -> QAction:
        return self._actions[action_id]

    def __contains__(self, action_id: object) -> bool:
        return action_id in self._actions

    def get(self, action_id: str) -> QAction | None:
        return self._actions.get(action_id)

    def all(self) -> Iterable[tuple[ActionSpec, QAction]]:
        return ((spec, self._actions[spec.id]) for spec in self.specs)

    def _trigger_of(self, spec: ActionSpec) -> Callable[[], None]:
        main = self.main

        def trigger() -> None:
            if spec.page:
                main.open_page(spec.page, under=spec.under, **spec.args)
            elif spec.command:
                parent: QWidget = main.current_page or main
                result = router.run(spec.command, parent, main.actor)
                if result is not None:
                    main.refresh_page()
                    confirm = CONFIRMATIONS.get(spec.id)
                    if confirm is not None:
                        main.statusBar().showMessage(confirm(result))
            elif spec.method:
                getattr(main, spec.method)()
            elif spec.home_call:
                main.call_on_home(spec.home_call)

        return trigger


class ActionLink(LinkButton):
    """A link that is an action: its text, tip, enabled state and trigger come from the
    ``QAction``, so the label is the registry's. In the banner it keeps the mnemonic
    (Alt+letter); on a page it shows the label alone, so page links do not compete with
    the menus' and the banner's mnemonics."""

    def __init__(
        self, action: QAction, *, mnemonic: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__("", parent)
        self.action = action
        self._mnemonic = mnemonic
        self._sync()
        action.changed.connect(self._sync)
        self.clicked.connect(action.trigger)

    def _sync(self) -> None:
        text = self.action.text()
        self.setText(text if self._mnemonic else plain(text))
        self.setToolTip(self.action.toolTip())
        self.setStatusTip(self.action.statusTip())
        self.setEnabled(self.action.isEnabled())


class ActionButton(CommandButton):
    """A command button that is an action (*Register Taxpayer*, *Record Power of
    Attorney*): the registry's label, tip, enabled state and trigger, drawn as a push
    button because it changes data; :class:`ActionLink` is for an action that goes to a
    page."""

    def __init__(self, action: QAction, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.action = action
        self._sync()
        action.changed.connect(self._sync)
        self.clicked.connect(action.trigger)

    def _sync(self) -> None:
        self.setText(plain(self.action.text()))
        self.setToolTip(self.action.toolTip())
        self.setStatusTip(self.action.statusTip())
        self.setEnabled(self.action.isEnabled())
