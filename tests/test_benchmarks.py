"""The benchmarks still run against the program as it is now (a schema change or a renamed
service must not leave them broken until someone measures again). Tiny sizes, no timing:
the figures themselves are for ``benchmarks/`` alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

RUNS = {
    "bench_core": (["--decisions", "3", "--clients", "40"], ["ratio", "plain sqlite3"]),
    "bench_forms": (["--repeat", "2", "--batch", "4"], ["bare one-page canvas", "x bare"]),
    "bench_clients": (
        ["--clients", "300", "--runs", "1", "--cache-dir", "."],
        ["Log In → All tab rows", "one keystroke, slowest", "sort by Accounts", "ratio"],
    ),
    "bench_startup": (["--runs", "1"], ["bare PySide6 window", "ratio"]),
    "bench_registry": (["--rows", "60"], ["tax accounts added", "ratio"]),
    "bench_returned_forms": (
        ["--forms", "3"],
        ["pypdf in this process", "a new reader process per form", "read + recorded", "ratio"],
    ),
    "bench_memory": (
        ["--clients", "300", "--visits", "2", "--second-visits", "2"],
        ["bare PySide6 window", "growth over 2 visits of Home → client list", "ratio"],
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(RUNS))
def test_benchmark_runs_and_prints_its_ratio(name: str, tmp_path: Path) -> None:
    args, expected = RUNS[name]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / f"{name}.py"), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    for text in expected:
        assert text in done.stdout, done.stdout
