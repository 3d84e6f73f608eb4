"""Memory over repeated visits: a firm with 100,000 clients going Home → client list again
and again, against a bare PySide6 window doing the same number of event-loop turns.

    .venv/bin/python benchmarks/bench_memory.py [--database FILE] [--clients 100000]
        [--visits 12] [--second-visits 20]

The database is made by ``mtc-desktop demo-data --database FILE --clients N`` (in a
temporary folder unless ``--database`` names a file; a named file that does not exist yet
is made and kept for the next run). A fresh process (QT_QPA_PLATFORM=offscreen unless a
display is set) logs in as the demo firm ``smithcpa`` with its password, as the login
window does, opens the main window, and then:

- ``--visits`` times: *Home* (the header's link), then the *All* tab of the client list it
  shows — every client's id loaded, the table painted;
- ``--second-visits`` times: *Manage My Profile* → *More…* → *Manage My Access* (its first
  100 clients, a link in each row), then *Home* again.

The resident set size (RSS, ``/proc/self/statm``) is read after each visit, once the
event loop has run its turns (deferred deletes included). Nothing calls ``gc.collect()``:
what is freed is what the program frees by itself. The bare window, in its own process,
runs the same number of turns and reads its RSS the same way.

Prints the RSS after each visit, the growth over all the visits (from after the first,
which builds what every later visit reuses), and the target: flat, under 8 MiB in all.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

TARGET_GROWTH_MIB = 8.0
TURNS = 20  # event-loop turns after each visit

COMMON = r"""
import json, os, sys
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

PAGE = os.sysconf("SC_PAGE_SIZE")
TURNS = int(sys.argv[2])


def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


def turns(app):
    for _ in range(TURNS):
        app.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
"""

BARE = (
    COMMON
    + r"""
from PySide6.QtWidgets import QWidget

app = QApplication(sys.argv[:1])
w = QWidget()
w.setWindowTitle("bare")
w.resize(1100, 740)
w.show()
turns(app)
visits, second = int(sys.argv[3]), int(sys.argv[4])
start = rss_mib()
first = []
for _ in range(visits):
    turns(app)
    first.append(rss_mib())
after = []
for _ in range(second):
    turns(app)
    after.append(rss_mib())
print(json.dumps({"start": start, "first": first, "second": after}))
"""
)

OURS = (
    COMMON
    + r"""
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

app = QApplication(sys.argv[:1])
from mtc_desktop.gui.app import _apply_look
from mtc_desktop.gui.clients import ClientsPage
from mtc_desktop.gui.my_access import MyAccessPage
from mtc_desktop.gui.main_window import MainWindow
from mtc_desktop.gui.profile import ProfilePage
from mtc_desktop.services import demo, logons
from mtc_desktop.store import database

_apply_look(app)
database.open_database(sys.argv[1], create=False, upgrade=False)
actor = logons.log_in("smithcpa", demo.DEMO_PASSWORD)
main = MainWindow(actor)
main.show()
turns(app)
visits, second = int(sys.argv[3]), int(sys.argv[4])


def click(button):
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def client_list():
    click(main.home_link)
    page = main.current_page
    assert isinstance(page, ClientsPage), type(page).__name__
    page.tabs.setCurrentIndex(ClientsPage.ALL_TAB)
    turns(app)
    model = page.all_model
    assert model.rowCount() > 0 and model.index(0, 1).data(), "the All tab shows clients"
    return model.rowCount()


def my_access():
    click(main.profile_link)
    profile = main.current_page
    assert isinstance(profile, ProfilePage)
    profile.tabs.setCurrentIndex(profile.tabs.count() - 1)
    click(profile.links["Manage My Access"])
    page = main.current_page
    assert isinstance(page, MyAccessPage), type(page).__name__
    turns(app)
    assert page.tax_administrator_links(), "Manage My Access lists accounts"
    click(main.home_link)
    turns(app)


clients = client_list()
start = rss_mib()
first = []
for _ in range(visits):
    client_list()
    first.append(rss_mib())
after = []
for _ in range(second):
    my_access()
    after.append(rss_mib())
print(json.dumps({"start": start, "first": first, "second": after, "clients": clients}))
main.close()
database.close_database()
"""
)


def _child(code: str, *args: str) -> dict:
    env = dict(os.environ)
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=1200,
    )
    if result.returncode != 0:
        sys.exit(f"benchmark child failed:\n{result.stdout}{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _make_database(path: Path, clients: int) -> None:
    print(f"making {path} with {clients:,} clients ...", flush=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mtc_desktop.cli",
            "demo-data",
            "--database",
            str(path),
            "--clients",
            str(clients),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _series(values: list[float]) -> str:
    return " ".join(f"{v:.1f}" for v in values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, help="a demo database (made if missing)")
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--visits", type=int, default=12, help="Home → client list visits")
    parser.add_argument("--second-visits", type=int, default=20, help="Manage My Access visits")
    args = parser.parse_args()
    counts = (str(TURNS), str(args.visits), str(args.second_visits))
    with tempfile.TemporaryDirectory() as tmp:
        db = args.database or Path(tmp) / "clients.db"
        if not db.exists():
            _make_database(db, args.clients)
        ours = _child(OURS, str(db), *counts)
        bare = _child(BARE, "", *counts)

    print(f"{ours['clients']:,} clients of smithcpa; RSS in MiB after each visit")
    print(f"bare PySide6 window     : start {bare['start']:.1f}")
    print(f"  {args.visits} x {TURNS} turns     : {_series(bare['first'])}")
    print(f"  {args.second_visits} x {TURNS} turns     : {_series(bare['second'])}")
    print(f"MTC Desktop             : start {ours['start']:.1f} (after the first client list)")
    print(f"  Home → client list    : {_series(ours['first'])}")
    print(f"  Manage My Access      : {_series(ours['second'])}")
    met = True
    for label, key, visits in (
        ("Home → client list", "first", args.visits),
        ("Manage My Access", "second", args.second_visits),
    ):
        if not visits:
            continue
        before = ours["start"] if key == "first" else ours["first"][-1]
        growth = ours[key][-1] - before
        bare_before = bare["start"] if key == "first" else bare["first"][-1]
        bare_growth = bare[key][-1] - bare_before
        peak = max(ours[key]) - before
        later = ours[key][-1] - ours[key][0]
        ok = growth < TARGET_GROWTH_MIB and peak < TARGET_GROWTH_MIB
        met = met and ok
        print(
            f"growth over {visits} visits of {label}: {growth:+.1f} MiB (highest "
            f"{peak:+.1f}; after its first visit {later:+.1f}); bare window "
            f"{bare_growth:+.1f} MiB; target < {TARGET_GROWTH_MIB:.0f} MiB in all "
            f"{'met' if ok else 'MISSED'}"
        )
    ratio = ours["first"][-1] / bare["first"][-1] if args.visits else 0.0
    print(f"RSS ratio to the bare window after the visits: {ratio:.2f}x")
    print("targets met" if met else "TARGETS MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
