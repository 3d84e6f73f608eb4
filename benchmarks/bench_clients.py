"""The client list of a firm with 100,000 and 1,000,000 clients, against a minimal Qt table
over plain sqlite3 on the same database, in the same run.

    .venv/bin/python benchmarks/bench_clients.py [--clients 100000 1000000] [--runs 3]
        [--cache-dir /tmp]

Each size's database is ``mtc-desktop demo-data --clients N``, made once and kept in
``--cache-dir`` as ``mtc-bench-clients-N.db`` (a million clients take about four minutes
to make). Every run is a fresh process (QT_QPA_PLATFORM=offscreen unless a display is
set). Ours drives the program's own windows: the login window with the demo firm
``smithcpa`` and its password (argon2 with the program's real parameters), then its
*Clients* page. It times:

- **Log In → All tab rows**: Enter in the password field until the *All* tab has painted
  rows (argon2, the main window, the Home and Clients pages, the list);
- **one keystroke of filtering**: a key pressed in *Filter clients* until the table has
  repainted; typing "james smith" and erasing it letter by letter (22 keystrokes),
  median and slowest;
- **sorting by a column**: a click on each header (ascending), and again (descending),
  until the table has repainted;
- **erasing the filter**: "maria" typed, then Ctrl+A and Backspace, until the whole list
  is painted again;
- scrolling to the last client, and peak memory (``ru_maxrss``).

The baseline is the same page reduced to its bones: a QTableView over a model that asks
plain ``sqlite3`` for the ordered ids again at every change (the query the list ran before
it kept anything), reads rows for the ids on screen only, and checks the password with
argon2 the same way. Its figures and ours come from the same database in the same run.

The first run of ours after the database was made (or changed) reads the list from the
tables and saves it for the next login; it is reported on its own line. The medians of
``--runs`` runs after it are the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

TARGET_LOGIN_S = 1.0
TARGET_KEY_MEDIAN_S = 0.050
TARGET_KEY_SLOWEST_S = 0.150
TARGET_SORT_S = 0.300
TARGET_ERASE_S = 0.300
USERNAME = "smithcpa"
PASSWORD = "training-password-2026"  # the demo logons' (services/demo_logons.py)
TYPED = "james smith"
COLUMNS = ["ID", "Accounts", "Access levels", "Favorite", "Name"]

COMMON = r"""
import json, resource, sys, time
from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

KEYS = [(c, Qt.Key.Key_Space if c == " " else getattr(Qt.Key, f"Key_{c.upper()}"))
        for c in sys.argv[4]]


class Painted(QObject):
    # Notes when a watched viewport paints.
    def __init__(self, match):
        super().__init__()
        self.match = match
        self.seen = False

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and self.match(obj):
            self.seen = True
        return False


def wait_paint(app, spy, busy=lambda: False):
    # Until the change is applied and painted; a keystroke that changes nothing on
    # screen (a second space) paints nothing, so stop once no event is left to handle.
    while busy():
        app.processEvents()
    for _ in range(50):
        if spy.seen:
            return
        app.processEvents()


def timed(app, spy, action, busy=lambda: False):
    spy.seen = False
    started = time.perf_counter()
    action()
    wait_paint(app, spy, busy)
    return time.perf_counter() - started


def click_header(view, column):
    header = view.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def measure(app, spy, view, edit, busy, headers):
    model = view.model()
    everyone = model.rowCount()
    keystrokes, sizes = [], []
    for _, key in KEYS + [("", Qt.Key.Key_Backspace)] * len(KEYS):
        keystrokes.append(timed(app, spy, lambda: QTest.keyClick(edit, key), busy))
        sizes.append(model.rowCount())
    assert edit.text() == "" and model.rowCount() == everyone, "typed and erased"
    sorts = {}
    for name in headers:
        column = [model.headerData(c, Qt.Orientation.Horizontal) for c in
                  range(model.columnCount())].index(name)
        up = timed(app, spy, lambda: click_header(view, column), busy)
        down = timed(app, spy, lambda: click_header(view, column), busy)
        sorts[name] = [up, down]
    assert model.rowCount() == everyone
    QTest.keyClicks(edit, "maria")
    while busy():
        app.processEvents()
    app.processEvents()
    narrowed = model.rowCount()
    QTest.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    erase = timed(app, spy, lambda: QTest.keyClick(edit, Qt.Key.Key_Backspace), busy)
    assert model.rowCount() == everyone and narrowed < everyone, "the filter was erased"
    started = time.perf_counter()
    view.scrollToBottom()
    view.viewport().repaint()
    to_end = time.perf_counter() - started
    assert model.index(model.rowCount() - 1, 1).data(), "the last client is painted"
    return {
        "rows": everyone,
        "keystrokes_s": keystrokes,
        "sizes": sizes,
        "sorts_s": sorts,
        "erase_s": erase,
        "to_end_s": to_end,
        "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
"""

OURS = (
    COMMON
    + r"""
app = QApplication(sys.argv[:1])
from mtc_desktop.gui.app import Session, _apply_look
from mtc_desktop.gui.clients_model import ClientsModel, ClientsView
from mtc_desktop.store import database

_apply_look(app)
database.open_database(sys.argv[1], create=False, upgrade=False)
session = Session()
login = session.login_window
login.show()
for _ in range(10):
    app.processEvents()


def all_tab(obj):
    view = obj.parent()
    if not isinstance(view, ClientsView) or obj is not view.viewport():
        return False
    model = view.model()
    return not model.favorites_only and model.rowCount() > 0 and view.isVisible()


spy = Painted(all_tab)
app.installEventFilter(spy)
login.form.usernameEdit.setText(sys.argv[2])
login.form.passwordEdit.setText(sys.argv[3])
login_s = timed(app, spy, lambda: QTest.keyClick(login.form.passwordEdit, Qt.Key.Key_Return))
main = session.main_window
page = main.current_page
assert page.tabs.tabText(page.tabs.currentIndex()) == "All", "the firm has no favorites"
view = page.all_view
assert view.model().index(0, 1).data(), "rows are painted"
spy.match = lambda obj: obj is view.viewport()
result = measure(app, spy, view, page.filter_edit, page._filter_timer.isActive,
                 json.loads(sys.argv[5]))
result["login_s"] = login_s
result["pages"] = [type(p).__name__ for p in main._history]
print(json.dumps(result))
main.close()
database.close_database()
"""
)

PLAIN = (
    COMMON
    + r"""
import sqlite3
from argon2 import PasswordHasher
from PySide6.QtCore import QAbstractTableModel, QModelIndex
from PySide6.QtWidgets import QLineEdit, QTableView, QVBoxLayout, QWidget

app = QApplication(sys.argv[:1])
conn = sqlite3.connect(sys.argv[1])
GRANTED = ("SELECT taxpayer_id FROM access_grant WHERE third_party_id = :tp "
           "AND status = 'active'")
LABELS = ("(SELECT group_concat({x}) FROM access_grant g JOIN tax_account a "
          "ON a.id = g.account_id WHERE g.taxpayer_id = t.id AND g.third_party_id = :tp "
          "AND g.status = 'active')")
ORDER = {
    "Name": "t.name_key",
    "ID": "t.id_number",
    "Favorite": "t.id NOT IN (SELECT taxpayer_id FROM favorite WHERE third_party_id = :tp), "
                "t.name_key",
    "Accounts": LABELS.format(x="a.account_type") + ", t.name_key",
    "Access levels": LABELS.format(x="g.level") + ", t.name_key",
}


class PlainModel(QAbstractTableModel):
    # Ordered ids asked of the database at every change; rows read per block of 100.
    HEADERS = ["Favorite", "Name", "ID", "Accounts", "Access levels"]

    def __init__(self, tp):
        super().__init__()
        self.tp, self.text, self.key, self.desc = tp, "", "Name", False
        self.ids, self.blocks = [], {}

    def query(self):
        words = [w for w in self.text.casefold().split() if w]
        where = "".join(f" AND t.search_text LIKE :w{i}" for i in range(len(words)))
        order = ", ".join(f"{part} DESC" if self.desc else part
                          for part in (ORDER[self.key] + ", t.id").split(", "))
        args = {"tp": self.tp} | {f"w{i}": f"%{w}%" for i, w in enumerate(words)}
        sql = f"SELECT t.id FROM taxpayer t WHERE t.id IN ({GRANTED}){where} ORDER BY {order}"
        self.beginResetModel()
        self.ids = [row[0] for row in conn.execute(sql, args)]
        self.blocks = {}
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else 5

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        block = index.row() // 100
        if block not in self.blocks:
            ids = self.ids[block * 100 : block * 100 + 100]
            marks = ",".join("?" * len(ids))
            rows = conn.execute(
                f"SELECT t.id, t.legal_name, t.id_number, "
                f"EXISTS (SELECT 1 FROM favorite f WHERE f.taxpayer_id = t.id "
                f"AND f.third_party_id = ?), "
                f"{LABELS.format(x='a.account_type').replace(':tp', '?')}, "
                f"{LABELS.format(x='g.level').replace(':tp', '?')} "
                f"FROM taxpayer t WHERE t.id IN ({marks})",
                [self.tp, self.tp, self.tp, *ids],
            )
            self.blocks[block] = {r[0]: r for r in rows}
        row = self.blocks[block].get(self.ids[index.row()])
        if row is None:
            return None
        fav, name, digits, accounts, levels = row[3], row[1], row[2], row[4], row[5]
        return ["★" if fav else "☆", name, digits, accounts, levels][index.column()]


window = QWidget()
layout = QVBoxLayout(window)
edit = QLineEdit()
view = QTableView()
layout.addWidget(edit)
layout.addWidget(view)
window.resize(1100, 740)
view.verticalHeader().setDefaultSectionSize(30)
view.verticalHeader().setVisible(False)
window.show()
for _ in range(10):
    app.processEvents()
spy = Painted(lambda obj: obj is view.viewport())
app.installEventFilter(spy)

started = __import__("time").perf_counter()
stored, tp = conn.execute(
    "SELECT password_hash, id FROM logon WHERE username = ?", (sys.argv[2],)
).fetchone()
PasswordHasher().verify(stored, sys.argv[3])
model = PlainModel(tp)
model.query()
view.setModel(model)
spy.seen = False
wait_paint(app, spy)
login_s = __import__("time").perf_counter() - started


def filter_changed(text):
    model.text = text
    model.query()


def sort_clicked(column):
    key = model.HEADERS[column]
    model.desc = not model.desc if key == model.key else False
    model.key = key
    model.query()


edit.textChanged.connect(filter_changed)
view.horizontalHeader().sectionClicked.connect(sort_clicked)
result = measure(app, spy, view, edit, lambda: False, json.loads(sys.argv[5]))
result["login_s"] = login_s
print(json.dumps(result))
"""
)


def _child(code: str, db: Path) -> dict:
    env = dict(os.environ)
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    result = subprocess.run(
        [sys.executable, "-c", code, str(db), USERNAME, PASSWORD, TYPED, json.dumps(COLUMNS)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=3600,
    )
    if result.returncode != 0:
        sys.exit(f"benchmark child failed:\n{result.stdout}{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _database(cache: Path, clients: int) -> Path:
    path = cache / f"mtc-bench-clients-{clients}.db"
    cli = [sys.executable, "-m", "mtc_desktop.cli"]
    if not path.exists():
        print(f"making {path} with {clients:,} clients ...", flush=True)
        part = path.with_suffix(".part")
        part.unlink(missing_ok=True)
        subprocess.run(
            [*cli, "demo-data", "--database", str(part), "--clients", str(clients)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        part.rename(path)
    # A database made by an older version is brought to this version's schema (a copy
    # for measuring: no backup of it is kept).
    subprocess.run(
        [*cli, "db", "upgrade", "--no-backup", "--database", str(path)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return path


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def _line(what: str, ours: float, plain: float, target: str = "") -> str:
    ratio = ours / plain if plain else float("nan")
    return f"{what:32s} {_ms(ours)} {_ms(plain)} {ratio:6.2f}x   {target}"


def _size(db: Path, runs: int) -> bool:
    first = _child(OURS, db)  # reads the list from the tables and saves it; warms the cache
    ours = [_child(OURS, db) for _ in range(runs)]
    plain = [_child(PLAIN, db) for _ in range(runs)]

    def med(results: list[dict], pick) -> float:  # type: ignore[no-untyped-def]
        return statistics.median(pick(r) for r in results)

    rows = ours[0]["rows"]
    print(f"\n{rows:,} clients of {USERNAME}, {runs} run{'s' if runs != 1 else ''}, medians")
    print(f"pages open: {' › '.join(ours[0]['pages'])}")
    print(f"{'':32s} {'ours':>11s} {'plain sqlite3':>13s} {'ratio':>6s}")
    login_o, login_p = med(ours, lambda r: r["login_s"]), med(plain, lambda r: r["login_s"])
    print(_line("Log In → All tab rows", login_o, login_p, f"target < {TARGET_LOGIN_S:.1f} s"))
    print(f"  (open the All tab after a change, list read and saved: {_ms(first['login_s'])})")
    key_o = med(ours, lambda r: statistics.median(r["keystrokes_s"]))
    key_p = med(plain, lambda r: statistics.median(r["keystrokes_s"]))
    slow_o = med(ours, lambda r: max(r["keystrokes_s"]))
    slow_p = med(plain, lambda r: max(r["keystrokes_s"]))
    print(
        _line(
            "one keystroke, median", key_o, key_p, f"target < {TARGET_KEY_MEDIAN_S * 1000:.0f} ms"
        )
    )
    print(
        _line(
            "one keystroke, slowest",
            slow_o,
            slow_p,
            f"target < {TARGET_KEY_SLOWEST_S * 1000:.0f} ms",
        )
    )
    sizes = ours[0]["sizes"]
    print(f"  (typing '{TYPED}' and erasing it: {min(sizes):,} to {max(sizes):,} matches)")
    worst_sort = 0.0
    for column in COLUMNS:
        for way, label in ((0, "up"), (1, "down")):
            o = med(ours, lambda r, c=column, w=way: r["sorts_s"][c][w])
            p = med(plain, lambda r, c=column, w=way: r["sorts_s"][c][w])
            worst_sort = max(worst_sort, o)
            print(
                _line(
                    f"sort by {column} ({label})", o, p, f"target < {TARGET_SORT_S * 1000:.0f} ms"
                )
            )
    first_sorts = ", ".join(f"{c} {first['sorts_s'][c][0] * 1000:.0f}" for c in COLUMNS)
    print(f"  (first sort after a change, order made and saved, ms: {first_sorts})")
    erase_o, erase_p = med(ours, lambda r: r["erase_s"]), med(plain, lambda r: r["erase_s"])
    print(_line("erase the filter", erase_o, erase_p, f"target < {TARGET_ERASE_S * 1000:.0f} ms"))
    end_o, end_p = med(ours, lambda r: r["to_end_s"]), med(plain, lambda r: r["to_end_s"])
    print(_line("scroll to the last client", end_o, end_p))
    peak_o = max(r["peak_kib"] for r in ours) / 1024
    peak_p = max(r["peak_kib"] for r in plain) / 1024
    print(f"{'peak memory':32s} {peak_o:8.1f} MiB {peak_p:6.1f} MiB {peak_o / peak_p:6.2f}x")
    return (
        login_o < TARGET_LOGIN_S
        and key_o < TARGET_KEY_MEDIAN_S
        and slow_o < TARGET_KEY_SLOWEST_S
        and worst_sort < TARGET_SORT_S
        and erase_o < TARGET_ERASE_S
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp"))
    args = parser.parse_args()
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    met = True
    for clients in args.clients:
        size_met = _size(_database(args.cache_dir, clients), args.runs)
        # The targets are the issue's, for firms of 100,000 and 1,000,000 clients.
        met = met and (size_met or clients < 100_000)
    print("\ntargets met" if met else "\nTARGETS MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
