"""Start-up: process start to the login window shown, against a bare PySide6 window.

    .venv/bin/python benchmarks/bench_startup.py [--runs 15]

Runs alternate between the two; each is a fresh process (QT_QPA_PLATFORM=offscreen unless
a display is set). The parent times from spawning it until the child reports its window's
first paint, and the child reports its own peak memory at that moment (ru_maxrss). The
program is started through ``mtc-desktop``'s own ``main()``. Prints medians and the ratio
to the bare window.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mtc_desktop

# Both children report the moment their window's first paintEvent has run: what a user
# waits for. Each hooks only its own window's paintEvent: an application-wide event
# filter written in Python would run for every event of every widget and tax the window
# with more widgets.
REPORT = r"""
import resource, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

def report_once(window):
    if not getattr(window, "_reported", False):
        window._reported = True
        print("shown", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
        QTimer.singleShot(0, QApplication.instance().quit)
"""

BARE = (
    REPORT
    + r"""
from PySide6.QtWidgets import QWidget

class Bare(QWidget):
    def paintEvent(self, event):
        super().paintEvent(event)
        report_once(self)

app = QApplication(sys.argv[:1])
w = Bare(); w.setWindowTitle("bare"); w.resize(760, 560); w.show()
app.exec()
"""
)

# The real command, `mtc-desktop --database FILE`, through its own main().
OURS = (
    REPORT
    + r"""
app = QApplication(sys.argv[:1])
from mtc_desktop.gui.login import LoginWindow

_paint = LoginWindow.paintEvent
def paintEvent(self, event):
    _paint(self, event)
    report_once(self)
LoginWindow.paintEvent = paintEvent

from mtc_desktop.cli import main
main(["--database", sys.argv[1]])
"""
)


def _run(code: str, *args: str) -> tuple[float, int]:
    env = dict(os.environ)
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - started
    proc.wait(timeout=60)
    proc.stdout.close()
    word, kib = line.split()
    assert word == "shown", line
    return elapsed, int(kib)


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
    bare_t = statistics.median(t for t, _ in bare)
    ours_t = statistics.median(t for t, _ in ours)
    bare_m = max(m for _, m in bare) / 1024
    ours_m = max(m for _, m in ours) / 1024
    print(f"bare PySide6 window : {bare_t * 1000:7.0f} ms   peak {bare_m:6.1f} MiB")
    print(f"MTC Desktop login   : {ours_t * 1000:7.0f} ms   peak {ours_m:6.1f} MiB")
    print(f"ratio               : {ours_t / bare_t:7.2f}x  memory +{ours_m - bare_m:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
