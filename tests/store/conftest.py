"""Fixtures of the store tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.store.helpers import FOREIGN_FILES, sidecars


@pytest.fixture(params=sorted(FOREIGN_FILES))
def foreign_file(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    """A file that is no database of this version: (kind, path)."""
    kind: str = request.param
    path = tmp_path / f"{kind}.db"
    FOREIGN_FILES[kind](path)
    assert not sidecars(path)
    return kind, path
