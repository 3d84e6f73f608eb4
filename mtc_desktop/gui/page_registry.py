"""The one place that imports every page module, so that each registers its pages,
dialogs and panels with the router (``gui/router.py``) under their keys. Page modules
never import each other; anything that opens a page or a dialog of another module asks
the router by key."""

from __future__ import annotations

from mtc_desktop.gui import (  # noqa: F401  (imported for their registrations)
    client_account,
    client_page,
    clients,
    dor,
    home,
    inbox,
    my_access,
    my_clients,
    outbox,
    poa,
    profile,
    registry,
    request_wizard,
    staff,
    taxpayer,
)

PAGE_MODULES = (
    "mtc_desktop.gui.client_account",
    "mtc_desktop.gui.client_page",
    "mtc_desktop.gui.clients",
    "mtc_desktop.gui.dor",
    "mtc_desktop.gui.home",
    "mtc_desktop.gui.inbox",
    "mtc_desktop.gui.my_access",
    "mtc_desktop.gui.my_clients",
    "mtc_desktop.gui.outbox",
    "mtc_desktop.gui.poa",
    "mtc_desktop.gui.profile",
    "mtc_desktop.gui.registry",
    "mtc_desktop.gui.request_wizard",
    "mtc_desktop.gui.staff",
    "mtc_desktop.gui.taxpayer",
)
