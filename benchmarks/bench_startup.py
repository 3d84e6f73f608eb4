"""Start-up: process start until the login window is painted AND the database is open,
against a bare PySide6 window.

    .venv/bin/python benchmarks/bench_startup.py [--runs 15]

Runs alternate between the two; each is a fresh process (QT_QPA_PLATFORM=offscreen unless
a display is set). The program is started through ``mtc-desktop``'s own ``main()`` on a
demo SQLite file. Its child says "painted" when the login window's first paintEvent has
run, "open" when the start-up has opened the database (found the file, checked that it
is ours and current, bound the models' database proxy), and "started" when the rest of
that step is done too (the login window told whether the database needs setting up, the
email sender started). The bare window says all three at its first paint. The parent
times each line from spawning the child; the child adds its peak memory (ru_maxrss) and
processor time at that moment. Prints medians and the ratios to the bare window against
the targets (the database open within 1.5 x the bare window, peak memory within bare + 25
MiB), and whether PostgreSQL's driver was loaded on the way (it should not be, for a
SQLite file).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import mtc_desktop

# Both children report from their own window's paintEvent: what a user waits for. Each
# hooks only its own window's paintEvent: an application-wide event filter written in
# Python would run for every event of every widget and tax the window with more widgets.
REPORT = r"""
import resource, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

def say(word):
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    psycopg = int(any(name.split(".")[0] in ("psycopg", "psycopg2") for name in sys.modules))
    print(word, usage.ru_maxrss, psycopg, cpu, flush=True)
"""

BARE = (
    REPORT
    + r"""
from PySide6.QtWidgets import QWidget

class Bare(QWidget):
    def paintEvent(self, event):
        super().paintEvent(event)
        if not getattr(self, "_reported", False):
            self._reported = True
            say("started")
            QTimer.singleShot(0, QApplication.instance().quit)

app = QApplication(sys.argv[:1])
w = Bare(); w.setWindowTitle("bare"); w.resize(760, 560); w.show()
app.exec()
"""
)

# The real command, `mtc-desktop --database FILE`, through its own main(). The start-up
# step run() takes after the first paint calls open_first_database, then the set-up check
# and start_sender.
OURS = (
    REPORT
    + r"""
app = QApplication(sys.argv[:1])
from mtc_desktop.gui import app as gui_app
from mtc_desktop.gui.login import LoginWindow

_paint = LoginWindow.paintEvent
def paintEvent(self, event):
    _paint(self, event)
    if not getattr(self, "_painted_said", False):
        self._painted_said = True
        say("painted")
LoginWindow.paintEvent = paintEvent

_open = gui_app.open_first_database
def open_first_database(window, target):
    opened = _open(window, target)
    from mtc_desktop.store.proxy import db  # the models' database, bound
    assert not db.is_closed(), "the database is not open"
    say("open")
    return opened
gui_app.open_first_database = open_first_database

_start_sender = gui_app.start_sender
def start_sender(application):
    sender = _start_sender(application)
    say("started")
    QTimer.singleShot(0, application.quit)
    return sender
gui_app.start_sender = start_sender

from mtc_desktop.cli import main
main(["--database", sys.argv[1]])
"""
)


@dataclass
class Moment:
    seconds: float  # from spawning the child
    kib: int  # peak memory by then
    cpu: float  # the process's processor time by then (user and system, all threads)
    psycopg: bool  # PostgreSQL's driver loaded by then


def _run(code: str, *args: str) -> dict[str, Moment]:
    """The moments the child reports: painted, open, started (the bare window says only
    started, which stands for all three)."""
    env = dict(os.environ)
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,  # Qt's offscreen plugin's notes; shown if the child fails
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    moments: dict[str, Moment] = {}
    while "started" not in moments:
        line = proc.stdout.readline()
        elapsed = time.perf_counter() - started
        if not line:
            _, errors = proc.communicate(timeout=60)
            raise SystemExit(f"the child ended before it was ready:\n{errors}")
        word, kib, psycopg, cpu = line.split()
        moments[word] = Moment(elapsed, int(kib), float(cpu), psycopg == "1")
    proc.communicate(timeout=60)
    for word in ("painted", "open"):
        moments.setdefault(word, moments["started"])
    return moments


def _median(runs: list[dict[str, Moment]], moment: str, what: str) -> float:
    return statistics.median(getattr(run[moment], what) for run in runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        subprocess.run(
            [sys.executable, "-m", "mtc_desktop.cli", "demo-data", "--database", str(db)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        # An installed program has its bytecode compiled (pip does it at install time).
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(Path(mtc_desktop.__file__).parent)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        _run(BARE), _run(OURS, str(db))  # warm the file cache
        bare, ours = [], []
        for _ in range(args.runs):  # interleaved, so that both see the same machine load
            bare.append(_run(BARE))
            ours.append(_run(OURS, str(db)))
    base = _median(bare, "started", "seconds")
    base_cpu = _median(bare, "started", "cpu")
    base_kib = max(run["started"].kib for run in bare)
    print(f"{'':34} {'median':>8} {'ratio':>7} {'processor':>10} {'ratio':>6} {'peak':>10}")
    print(
        f"{'bare PySide6 window painted':34} {base * 1000:6.0f} ms {1:6.2f}x "
        f"{base_cpu * 1000:7.0f} ms {1:5.2f}x {base_kib / 1024:6.1f} MiB"
    )
    for moment, label in (
        ("painted", "MTC Desktop login window painted"),
        ("open", "... and the database open"),
        ("started", "... set-up checked, sender started"),
    ):
        t = _median(ours, moment, "seconds")
        cpu = _median(ours, moment, "cpu")
        kib = max(run[moment].kib for run in ours)
        print(
            f"{label:34} {t * 1000:6.0f} ms {t / base:6.2f}x {cpu * 1000:7.0f} ms "
            f"{cpu / base_cpu:5.2f}x {kib / 1024:6.1f} MiB (+{(kib - base_kib) / 1024:.1f})"
        )
    ratio = _median(ours, "open", "seconds") / base
    extra = (max(run["open"].kib for run in ours) - base_kib) / 1024
    print(
        f"ratio, painted and database open: {ratio:.2f} x (target <= 1.5: "
        f"{'met' if ratio <= 1.5 else 'NOT MET'}); memory +{extra:.1f} MiB "
        f"(target <= +25: {'met' if extra <= 25 else 'NOT MET'})"
    )
    loaded = sum(run["started"].psycopg for run in ours)
    print(f"PostgreSQL's driver loaded in {loaded} of {len(ours)} runs (on a SQLite file)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
