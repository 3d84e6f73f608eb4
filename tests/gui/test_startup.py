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

from mtc_desktop import cli
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


# The program as `mtc-desktop --database FILE` starts it, noting which modules are loaded
# the moment the database is open (the start-up step after the login window's first paint).
AT_OPEN = textwrap.dedent(
    """
    import sys
    from mtc_desktop.gui import app

    seen = {}
    opened = app.open_first_database

    def open_first_database(window, target):
        result = opened(window, target)
        seen["modules"] = sorted(sys.modules)
        # Sources read (by PySide6's import hook, looking for "PySide6" in each module).
        import linecache, os

        stdlib = os.path.dirname(os.__file__)  # the standard library's own modules
        seen["read"] = sorted(
            f for f in linecache.cache if os.path.dirname(f) == stdlib or "peewee" in f
        )
        # PySide6 makes a class, with all its enums, the first time it is touched.
        seen["classes"] = sorted(
            f"{module.__name__}.{name}"
            for module in (sys.modules["PySide6.QtCore"], sys.modules["PySide6.QtWidgets"])
            for name in vars(module)
        )
        return result

    app.open_first_database = open_first_database
    from mtc_desktop.cli import main
    status = main(["--database", sys.argv[1]])
    import json  # not before: the check is whether the program loads it

    print(json.dumps({"status": status, **seen}))
    """
)

# What opening a current SQLite database under the login window does not need, and what
# each would cost the start if it came back (bench_startup.py measures the whole).
NOT_NEEDED_TO_OPEN = {
    "psycopg": "PostgreSQL's driver and libpq",
    "psycopg2": "PostgreSQL's older driver",
    "playhouse": "the migrations framework (only for a schema upgrade)",
    "mtc_desktop.store.backup": "backups (only when backing up)",
    "mtc_desktop.store.models": "the model classes (the first service to use them loads them)",
    "mtc_desktop.services.logons": "the services behind the login (loaded after the open)",
    "mtc_desktop.gui.main_window": "the main window (at login)",
    "mtc_desktop.gui.accessibility": "links as links for screen readers (installed after the open)",
    "argon2": "the password hasher (at login)",
    "reportlab": "the PDF writer",
    "pypdf": "the PDF reader",
    "pikepdf": "the PDF packer",
    "smtplib": "the email sender (its own thread, after the open)",
    "ssl": "OpenSSL, for the email sender",
    "email": "the email package",
    "_hashlib": "OpenSSL's hashes (peewee's hashlib is deferred: store/drivers.py)",
    "uuid": "peewee's UUID fields (deferred)",
    "socket": "peewee's IP fields (deferred)",
    "json": "peewee's JSON support (deferred)",
}

# Qt classes the login window does not need before the database is open, each costing the
# start the making of its enums the first time it is touched.
NOT_MADE_BEFORE_OPEN = {
    "PySide6.QtCore.Qt": "Qt's namespace (about 20 ms)",
    "PySide6.QtWidgets.QStyle": "the style's class: a native style is kept without asking it",
    "PySide6.QtWidgets.QMessageBox": "message boxes (only when something goes wrong)",
    "PySide6.QtWidgets.QFileDialog": "file choosers",
    "PySide6.QtWidgets.QMainWindow": "the main window (at login)",
    "PySide6.QtWidgets.QWizard": "the wizards",
}


@pytest.mark.sqlite_only
def test_the_database_opens_under_the_login_window_without_what_it_does_not_need(
    demo_db: DatabaseRef,
) -> None:
    env = dict(os.environ, MTC_DESKTOP_SMOKE="1", QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", AT_OPEN, str(demo_db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["status"] == 0
    assert found["modules"] is not None, "the database was never opened"
    assert "peewee" in found["modules"]  # the database is open through peewee
    loaded = {
        name: why
        for name, why in NOT_NEEDED_TO_OPEN.items()
        if any(m == name or m.startswith(f"{name}.") for m in found["modules"])
    }
    assert loaded == {}
    made = {name: why for name, why in NOT_MADE_BEFORE_OPEN.items() if name in found["classes"]}
    assert made == {}
    # PySide6 read the source of no top-level standard module nor peewee's
    # (gui/pyside_source_checks.py);
    # enum's it reads for its own enums, in a bare window too.
    assert [path for path in found["read"] if not path.endswith("/enum.py")] == []


def test_pyside_is_told_what_it_would_find_about_the_standard_library_and_peewee() -> None:
    """gui/pyside_source_checks.py enters the standard library and peewee in PySide6's
    table as modules that do not use it; PySide6's own check says the same of each loaded
    one."""
    import sys

    import peewee  # noqa: F401

    import mtc_desktop.gui.pyside_source_checks  # noqa: F401  # makes the entries

    feature = sys.modules["__feature__"]
    table = feature.pyside_feature_dict
    entered = [
        name
        for name in sorted(sys.modules)
        if table.get(name) == -1
        and (name.partition(".")[0] in sys.stdlib_module_names or name == "peewee")
    ]
    assert {"peewee", "typing", "logging"} <= set(entered)
    assert [name for name in entered if feature._mod_uses_pyside(sys.modules[name])] == []


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


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--demo"],
        ["--database", "office.db"],
        ["--database=postgresql://clerk@server/mtc", "--demo"],
        ["--demo", "--database", "office.db"],
        ["--database", "a.db", "--database=b.db", "--demo", "--demo"],  # the last counts
        ["--database="],
    ],
)
def test_starting_the_program_reads_its_options_as_the_whole_command_line_does(
    argv: list[str],
) -> None:
    quick = cli._program_only(argv)  # no parser for every command on the way to the window
    whole = cli.build_parser().parse_args(argv)
    assert quick is not None
    assert (quick.database, quick.demo, quick.handler, quick.command) == (
        whole.database,
        whole.demo,
        whole.handler,
        whole.command,
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["--version"],
        ["demo-data", "--database", "d.db"],
        ["--database", "d.db", "db", "check"],
        ["--database"],
        ["--databse", "d.db"],
    ],
)
def test_commands_help_and_mistakes_go_to_the_whole_command_line(argv: list[str]) -> None:
    assert cli._program_only(argv) is None


# Logging in as each mode, in a fresh process: the PDF writer and reader load when a form
# is made or read, not with the pages that offer to.
LOG_IN = textwrap.dedent(
    """
    import json, sys
    from PySide6.QtWidgets import QApplication
    from mtc_desktop.gui.app import launch
    from mtc_desktop.gui.main_window import MainWindow
    from mtc_desktop.services import demo

    app = QApplication([])
    login = launch(sys.argv[1], demo.demo_logons())
    login.form.usernameEdit.setText(sys.argv[2])
    login.form.passwordEdit.setText(demo.DEMO_PASSWORD)
    login.form.logInButton.click()
    app.processEvents()
    windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    heavy = ("reportlab", "pypdf", "pikepdf")
    loaded = sorted({n.split(".")[0] for n in sys.modules if n.split(".")[0] in heavy})
    print(json.dumps({"logged_in": len(windows), "loaded": loaded}))
    """
)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("username", ["harborbakery", "smithcpa", "dorclerk"])
def test_logging_in_loads_no_pdf_library(demo_db: DatabaseRef, username: str) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", LOG_IN, str(demo_db), username],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr  # nor at exit, when Qt deletes the windows
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {"logged_in": 1, "loaded": []}
