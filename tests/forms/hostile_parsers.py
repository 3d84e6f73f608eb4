"""Stand-ins for pypdf that misbehave, run by the form reader in its parsing process (so
they are plain functions of a module it can import): the PDF bytes they get name a file
to write their process ID to, so a test can see the process is gone afterwards."""

from __future__ import annotations

import os
import time
from pathlib import Path

from mtc_desktop.forms.reader import PdfFields


def _note_pid(data: bytes) -> None:
    marker = data.split(b"%%pid:", 1)
    if len(marker) == 2:
        Path(marker[1].split(b"\n", 1)[0].decode()).write_text(str(os.getpid()))


def hang(data: bytes) -> PdfFields:
    _note_pid(data)
    while True:
        time.sleep(0.05)


def crash(data: bytes) -> PdfFields:
    _note_pid(data)
    os._exit(70)


def die_at_start(*_args: object) -> None:
    """In place of the reader process's entry function: it ends before taking the file."""
    os._exit(3)


def stall_at_start(*_args: object) -> None:
    """In place of the reader process's entry function: it never takes the file."""
    while True:
        time.sleep(0.05)


def fail(data: bytes) -> PdfFields:
    raise RecursionError("maximum recursion depth exceeded while parsing an object")


def hog(data: bytes) -> PdfFields:
    """Ask for 4 GiB at once, as a decompression bomb would."""
    bytearray(4 * 1024 * 1024 * 1024)
    return PdfFields()


def lie(data: bytes) -> PdfFields:
    """An answer whose values are not text."""
    return PdfFields(values={"give_rights_PIT-00000001": 1})  # type: ignore[dict-item]


def hang_or_crash_when_marked(data: bytes) -> PdfFields:
    """pypdf's reading, except for a file marked ``%%hang`` (never answers) or
    ``%%crash`` (the process ends): a batch of good forms with one hostile among them."""
    from mtc_desktop.forms.reader import parse_pdf

    if b"%%hang" in data:
        return hang(data)
    if b"%%crash" in data:
        return crash(data)
    return parse_pdf(data)
