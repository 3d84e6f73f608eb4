"""The Qt binding keeps ``None`` alive through a long session.

PySide6 6.12.0 on Python 3.11 drops a reference to ``None`` on every call into Qt that
returns nothing; after a few thousand such calls the process dies with ``Fatal Python
error: none_dealloc``. ``pyproject.toml`` bounds the binding so that a clean install cannot
get that combination. This test runs an ordinary long session in a child process, with no
repair of any reference anywhere, and fails on a binding that drops them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

_CHILD = textwrap.dedent(
    """
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit

    from mtc_desktop.gui.app import launch
    from mtc_desktop.services import demo, logons

    app = QApplication([])
    start = sys.getrefcount(None)

    # Tens of thousands of ordinary calls into Qt that return nothing or no object.
    label, edit, combo = QLabel(), QLineEdit(), QComboBox()
    combo.addItems(["View Only", "File", "Pay"])
    for i in range(15_000):
        label.setText(str(i))
        edit.setText("x")
        edit.clear()
        combo.setCurrentIndex(i % 3)
        label.parentWidget()  # a getter that returns no object
        app.processEvents()
        QCoreApplication.sendPostedEvents()

    # A long session of page changes in the real program.
    login = launch(sys.argv[1], demo.demo_logons())
    login.form.usernameEdit.setText("smithcpa")
    login.form.passwordEdit.setText(demo.DEMO_PASSWORD)
    login.form.logInButton.click()
    app.processEvents()
    from mtc_desktop.gui.main_window import MainWindow
    [main] = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
    for _ in range(60):
        main.open_profile()
        app.processEvents()
        main.open_inbox()
        app.processEvents()
        main.open_clients()
        app.processEvents()
        main.go_home()
        app.processEvents()
    main.close()
    app.processEvents()
    end = sys.getrefcount(None)
    print(f"None references: {start} at the start, {end} at the end")
    sys.exit(0 if end >= start else 3)
    """
)


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_a_long_session_keeps_none_alive(demo_db: Path, tmp_path: Path) -> None:
    script = tmp_path / "soak.py"
    script.write_text(_CHILD, encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, str(script), str(demo_db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert "none_dealloc" not in done.stderr, done.stderr[-2000:]
    assert done.returncode == 0, (done.stdout + done.stderr)[-2000:]
    assert "None references" in done.stdout
