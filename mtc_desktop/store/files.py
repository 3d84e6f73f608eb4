"""Writing the files the program hands the user (emails, forms, exports): whole or not at
all, and readable by their owner only, since they may name taxpayers."""

from __future__ import annotations

import os
from pathlib import Path

from mtc_desktop.domain.errors import EnvironmentProblem


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` with mode 0600, through a temporary file renamed into
    place, so a failure never leaves half a file under the chosen name."""
    temporary = path.with_name(f".{path.name}.part")
    try:
        fd = os.open(temporary, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o600)  # an existing .part may have had other bits
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise EnvironmentProblem(
            f"Cannot write {path}: {exc.strerror or exc}. Nothing was written."
        ) from exc
