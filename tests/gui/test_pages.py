"""The page base: a refused service call is shown and the page reread, once."""

from __future__ import annotations

import pytest

from mtc_desktop.domain.errors import StateConflict
from mtc_desktop.gui import dialogs, pages
from mtc_desktop.gui.main_window import MainWindow
from mtc_desktop.services import logons
from mtc_desktop.store import database


class _Failing(pages.Page):
    title = "Failing"

    def __init__(self, main: MainWindow) -> None:
        self.calls = 0
        super().__init__(main)

    def fail(self) -> None:
        self.calls += 1
        raise StateConflict("This request was already decided.")

    def refresh(self) -> None:
        self.call(self.fail)


def test_a_refusal_that_persists_is_shown_without_rereading_forever(
    qtbot, demo_db, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        dialogs, "show_error", lambda _parent, exc: shown.append(getattr(exc, "message", ""))
    )
    database.open_database(demo_db)
    main = MainWindow(logons.log_in("harborbakery", "training-password-2026"))
    qtbot.addWidget(main)
    page = _Failing(main)
    qtbot.addWidget(page)
    assert page.call(page.fail) is None
    # The call, then one reread that fails too: two errors shown, no third attempt.
    assert page.calls == 2
    assert shown == ["This request was already decided."] * 2
