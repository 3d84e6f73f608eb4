"""Files handed to the user (emails, forms, exports) are readable by their owner only and
written whole or not at all."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mtc_desktop.domain.errors import EnvironmentProblem
from mtc_desktop.store.files import write_private


def test_written_whole_and_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "message.eml"
    path.write_text("old")
    os.chmod(path, 0o644)
    write_private(path, b"Subject: x\r\n\r\nbody\r\n")
    assert path.read_bytes() == b"Subject: x\r\n\r\nbody\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["message.eml"]


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    (folder / "keep.pdf").write_bytes(b"%PDF-1.4 old")
    os.chmod(folder, 0o500)
    try:
        if os.access(folder, os.W_OK):  # root may write anywhere: use a missing folder
            target = tmp_path / "missing" / "form.pdf"
        else:
            target = folder / "keep.pdf"
        with pytest.raises(EnvironmentProblem, match="Nothing was written"):
            write_private(target, b"%PDF-1.4 new")
    finally:
        os.chmod(folder, 0o700)
    assert (folder / "keep.pdf").read_bytes() == b"%PDF-1.4 old"
    assert not list(tmp_path.rglob(".*.part"))
