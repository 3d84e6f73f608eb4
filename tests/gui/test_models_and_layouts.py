"""Every table model passes pytest-qt's model tester; the compiled Designer layouts are
up to date with ui/*.ui."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mtc_desktop.gui.models import (
    OBJECT_ROLE,
    AccessModel,
    AccountsModel,
    HistoryModel,
    InboxModel,
    PendingRequestsModel,
    ThirdPartiesModel,
)
from mtc_desktop.gui.taxpayer import describe_history
from mtc_desktop.services import accounts, audit, grants, notifications, requests
from mtc_desktop.services.demo import create_demo
from mtc_desktop.services.demo_logons import DEMO_PASSWORD
from mtc_desktop.services.logons import log_in

ROOT = Path(__file__).resolve().parents[2]


def test_table_models_pass_the_model_tester(qtmodeltester, database) -> None:
    create_demo()
    bakery = log_in("harborbakery", DEMO_PASSWORD)
    smith_id = grants.third_parties_with_access(bakery)[0].third_party_id
    cases = [
        (AccountsModel(), accounts.my_accounts(bakery)),
        (PendingRequestsModel(), requests.pending_for_me(bakery)),
        (ThirdPartiesModel(), grants.third_parties_with_access(bakery)),
        (AccessModel(), grants.access_of_third_party(bakery, smith_id)),
        (HistoryModel(describe_history), audit.history_with_third_party(bakery, smith_id)),
        (InboxModel(), notifications.inbox(bakery)),
    ]
    for model, rows in cases:
        assert rows, f"{type(model).__name__} needs rows to be tested"
        model.set_rows(rows)
        qtmodeltester.check(model, force_py=True)
        # Views get the row object itself, never parse the text on screen.
        assert model.index(0, 0).data(OBJECT_ROLE) == rows[0]
        model.set_rows([])
        qtmodeltester.check(model, force_py=True)


def test_compiled_layouts_match_the_designer_files() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "compile_ui.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{result.stdout}Run: python packaging/compile_ui.py"
