"""Start-up loads only what the database at hand needs, and nothing twice: the program on
a SQLite file never imports PostgreSQL's driver (a fresh process, as a user starts it), and
logging in builds each page of the logon's Home once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections import Counter

import pytest

from mtc_desktop.gui.clients import ClientsPage
from mtc_desktop.gui.dor import DorHomePage
from mtc_desktop.gui.home import HomePage
from tests.databases import DatabaseRef, is_postgresql
from tests.gui.conftest import log_in

# The program as `mtc-desktop --database REF` starts it; MTC_DESKTOP_SMOKE=1 makes it quit
# once the login window has painted and the database is open, saying "ok".
START = textwrap.dedent(
    """
    import json, sys
    from mtc_desktop.cli import main
    status = main(["--database", sys.argv[1]])
    loaded = sorted(n for n in sys.modules if n.split(".")[0] in ("psycopg", "psycopg2"))
    print(json.dumps({"status": status, "loaded": loaded}))
    """
)


def test_the_program_loads_postgresql_driver_only_for_postgresql(demo_db: DatabaseRef) -> None:
    env = dict(os.environ, MTC_DESKTOP_SMOKE="1", QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", START, str(demo_db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    said, result = done.stdout.strip().splitlines()[-2:]
    assert said == "ok"  # the login window painted, with its icon, on the open database
    found = json.loads(result)
    assert found["status"] == 0
    if is_postgresql(demo_db):
        assert "psycopg" in found["loaded"]
    else:
        assert found["loaded"] == []


@pytest.mark.parametrize(
    ("username", "built"),
    [
        ("harborbakery", {"HomePage": 1}),
        ("msantos", {"HomePage": 1}),
        ("smithcpa", {"HomePage": 1, "ClientsPage": 1}),  # its clients over its home
        ("dorclerk", {"DorHomePage": 1}),
    ],
)
def test_logging_in_builds_the_home_page_once(
    qtbot, login_window, monkeypatch: pytest.MonkeyPatch, username: str, built: dict[str, int]
) -> None:
    made: Counter[str] = Counter()
    for page in (HomePage, DorHomePage, ClientsPage):
        original = page.__init__

        def counted(self, main, *args, _original=original, _name=page.__name__, **kwargs):  # type: ignore[no-untyped-def]
            made[_name] += 1
            _original(self, main, *args, **kwargs)

        monkeypatch.setattr(page, "__init__", counted)
    main = log_in(qtbot, login_window, username)
    qtbot.wait(50)  # anything queued at login has run
    assert dict(made) == built
    main.close()
