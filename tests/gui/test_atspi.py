"""The program as a screen reader meets it: ``mtc-desktop --demo`` on the Linux
accessibility bus (AT-SPI, at-spi2-core) under Xvfb, in a private D-Bus session, driven by
tests/gui/atspi_probe.py through the bus alone (the system's python3 with pyatspi). Logged
in as the demo taxpayer, third party and DOR staff, along the FAQ's paths: every FAQ label
is a control with a name and a role a user can operate, no control is unnamed, and Tab
lands on named objects only."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PROBE = Path(__file__).with_name("atspi_probe.py")
SYSTEM_PYTHON = "/usr/bin/python3"
BUS_LAUNCHER = "/usr/libexec/at-spi-bus-launcher"

# The FAQ's labels on the paths the probe follows (spec/third-party-access-faq.txt).
FAQ_LABELS = [
    "Manage My Profile",
    "More…",
    "View Access Requests from Third Parties",
    "Approve/Deny",
    "Give Rights",
    "Granted Rights",
    "Manage Third-party Access",
    "Username",
    "Access Type",
    "Change",
    "Cancel Access",
    "Manage My Access",
    "Tax Administrator",
    "Cancel My Access",
    "Request to Manage Other Taxpayer's Accounts",
    "Change Client View",
    "Manage My Clients",
]
ACTIONABLE = {
    "push button",
    "toggle button",
    "link",
    "check box",
    "radio button",
    "combo box",
    "menu item",
    "page tab",
}
# A table's cells and a tab bar are named by what they show; they are not controls of
# their own to name.
NAMED_BY_CONTENT = {"table cell", "page tab list"}


def labelled(name: str, label: str) -> bool:
    """``name`` is the FAQ's ``label``, alone or followed by its row ("Cancel Access for
    smithcpa", "Username: smithcpa, …") — not by another label ("Change Client View" is not
    "Change")."""
    if name == label or name.startswith(label + ":"):
        return True
    rest = name[len(label) + 1 :] if name.startswith(label + " ") else ""
    return bool(rest) and rest[0].islower()


def run_probe(tmp_path: Path) -> dict[str, Any]:
    missing = [tool for tool in ("xvfb-run", "dbus-run-session") if shutil.which(tool) is None] + [
        path for path in (SYSTEM_PYTHON, BUS_LAUNCHER) if not Path(path).exists()
    ]
    assert not missing, f"install at-spi2-core, python3-pyatspi, dbus and xvfb: {missing}"
    program = [sys.executable, "-m", "mtc_desktop.cli", "--demo"]
    script = (
        f"{BUS_LAUNCHER} --launch-immediately & sleep 1; "
        f"QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 QT_QPA_PLATFORM=xcb "
        f"{' '.join(program)} >{tmp_path / 'program.log'} 2>&1 & app=$!; "
        f"{SYSTEM_PYTHON} {PROBE}; status=$?; kill $app; wait $app; exit $status"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    env["HOME"] = str(tmp_path)  # the program's settings and data in the test's folder
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    done = subprocess.run(
        ["xvfb-run", "-a", "dbus-run-session", "bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=150,
        env=env,
        cwd=tmp_path,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    log = (tmp_path / "program.log").read_text(errors="replace")[-3000:]
    assert lines, f"the probe said nothing:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}\n{log}"
    report: dict[str, Any] = json.loads(lines[-1])
    report["program_log"] = log
    return report


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return run_probe(tmp_path_factory.mktemp("atspi"))


def test_the_probe_followed_every_path(report: dict[str, Any]) -> None:
    assert not report["errors"], "\n".join(report["errors"]) + "\n" + report["program_log"]
    where = {snap["where"] for snap in report["snapshots"]}
    for expected in (
        "Taxpayer: Approve/Deny dialog",
        "Taxpayer: third party's Access tab",
        "Taxpayer: Account Security dialog, changing",
        "Taxpayer: Cancel Access question",
        "Third party: Tax Administrator",
        "Third party: Manage My Clients",
        "DOR staff: Home",
    ):
        assert expected in where


def test_every_faq_label_is_a_named_control_a_user_can_operate(report: dict[str, Any]) -> None:
    seen = [(c["role"], c["name"]) for snap in report["snapshots"] for c in snap["controls"]]
    # A drop-down is known by its label (the labelled-by relation; its name is its value).
    seen += [
        ("combo box", label)
        for snap in report["snapshots"]
        for c in snap["controls"]
        for label in c["labelled_by"]
    ]
    seen += [tuple(pair) for entry in report["focus"] for pair in entry["focused"]]
    missing = [
        label
        for label in FAQ_LABELS
        if not any(role in ACTIONABLE and labelled(name, label) for role, name in seen)
    ]
    assert not missing, f"FAQ labels a screen reader does not find as controls: {missing}"


def test_no_control_is_unnamed(report: dict[str, Any]) -> None:
    offenders = []
    checked = 0
    for snap in report["snapshots"]:
        for control in snap["controls"]:
            checked += 1
            role, name = control["role"], control["name"].strip()
            if role in NAMED_BY_CONTENT:
                continue
            if role == "combo box":
                # On Linux a drop-down's name is its value; its label is the labelled-by
                # relation (a label whose buddy it is), which Orca reads with it.
                if not control["labelled_by"]:
                    offenders.append(f"{snap['where']}: drop-down {name!r} has no label")
            elif not name:
                offenders.append(f"{snap['where']}: unnamed {role}")
    for entry in report["focus"]:
        for role, name in entry["focused"]:
            if role not in NAMED_BY_CONTENT and not name.strip():
                offenders.append(f"{entry['where']}: Tab focused an unnamed {role}")
    assert checked > 200, f"only {checked} controls were seen"
    assert not offenders, "\n".join(sorted(set(offenders)))


def test_links_are_links_and_can_be_pressed(report: dict[str, Any]) -> None:
    links = [
        (snap["where"], c)
        for snap in report["snapshots"]
        for c in snap["controls"]
        if c["role"] == "link"
    ]
    assert links
    not_pressable = [f"{where}: {c['name']}" for where, c in links if "Press" not in c["actions"]]
    assert not not_pressable, not_pressable
    # The row links are met by Tab, as links: their focus events name them with their row.
    focused = [tuple(p) for entry in report["focus"] for p in entry["focused"]]
    assert any(
        role == "link" and name.startswith("Approve/Deny request ") for role, name in focused
    ), "the Approve/Deny link is not announced with its request"


def test_messages_that_appear_are_announced(report: dict[str, Any]) -> None:
    """The login window's refusal (an error line beside the fields) and a status message
    reach the screen reader as announcements, without moving the focus."""
    said = report["announcements"]
    assert "The username or password is not correct." in said
    assert any(text.startswith("Client view switched on") for text in said), said
