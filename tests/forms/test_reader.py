"""Reading a returned Client Authorization's fields: filled forms read back as filled, and
every kind of wrong file is refused with its own message, without hanging the program."""

from __future__ import annotations

import dataclasses
import io
import json
import multiprocessing.context
import multiprocessing.resource_tracker
import multiprocessing.spawn
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from mtc_desktop.domain.errors import EnvironmentProblem
from mtc_desktop.domain.model import TaxpayerKind
from mtc_desktop.forms import authorization as form_module
from mtc_desktop.forms import reader
from mtc_desktop.forms.authorization import (
    CODE_FIELD,
    DATE_FIELD,
    PRINTED_NAME_FIELD,
    REQUEST_NUMBER_FIELD,
    TITLE_FIELD,
    give_rights_field,
    granted_rights_field,
    render_authorization,
)
from mtc_desktop.forms.reader import FormFileRefused, PdfFields, Refusal
from tests.forms import filling, hostile_parsers
from tests.forms.conftest import build_form

BY_HAND = "by hand from the paper form"


@pytest.fixture(scope="module")
def blank() -> bytes:
    return render_authorization(build_form(accounts=3, kind=TaxpayerKind.BUSINESS))


def _refused(source: bytes | Path, **kwargs: object) -> FormFileRefused:
    with pytest.raises(FormFileRefused) as caught:
        reader.read_authorization_fields(source, **kwargs)  # type: ignore[arg-type]
    return caught.value


# --- filled forms ----------------------------------------------------------------------


@pytest.mark.parametrize("incremental", [False, True], ids=["saved whole", "saved incrementally"])
def test_a_filled_form_reads_back_as_filled(blank: bytes, incremental: bool) -> None:
    values = {
        give_rights_field("PIT-00000001"): "/Yes",
        granted_rights_field("PIT-00000001"): "/file_and_pay",
        granted_rights_field("PIT-00000002"): "/pay",  # marked, but not given
        give_rights_field("PIT-00000003"): "/Yes",
        granted_rights_field("PIT-00000003"): "/view_only",
        PRINTED_NAME_FIELD: "陈伟 (Chen Wei)",
        TITLE_FIELD: "Owner",
        DATE_FIELD: "03/05/2026",
    }
    form = reader.read_authorization_fields(filling.fill(blank, values, incremental=incremental))
    assert form.request_number == "R2026-000042"
    assert form.authorization_code == "ABCDE-FGHJK"
    for name, value in values.items():
        assert form.value(name) == value
    assert form.value(give_rights_field("PIT-00000002")) == "/Off"
    assert form.account_fields(reader.GIVE_RIGHTS_PREFIX) == {
        give_rights_field(f"PIT-0000000{i}") for i in (1, 2, 3)
    }


def test_a_blank_form_reads_as_blank_from_a_path(blank: bytes, tmp_path: Path) -> None:
    path = tmp_path / "returned.pdf"
    path.write_bytes(blank)
    form = reader.read_authorization_fields(path)
    assert form.request_number == "R2026-000042"
    for i in (1, 2, 3):
        assert form.value(give_rights_field(f"PIT-0000000{i}")) == "/Off"
        assert form.value(granted_rights_field(f"PIT-0000000{i}")) is None
    assert form.text(PRINTED_NAME_FIELD) == ""


def test_the_number_and_code_are_hidden_read_only_fields(blank: bytes) -> None:
    page = PdfReader(io.BytesIO(blank)).pages[0]
    hidden = {}
    for annot in page["/Annots"]:
        annot = annot.get_object()
        if annot.get("/T") in (REQUEST_NUMBER_FIELD, CODE_FIELD):
            hidden[annot["/T"]] = annot
    assert set(hidden) == {REQUEST_NUMBER_FIELD, CODE_FIELD}
    for annot in hidden.values():
        assert annot["/F"] & 2  # hidden: never shown, never printed
        assert not annot["/F"] & 4
        assert annot["/Ff"] & 1  # read-only
        assert [float(v) for v in annot["/Rect"]] == [0, 0, 0, 0]
    assert hidden[REQUEST_NUMBER_FIELD]["/V"] == "R2026-000042"
    assert hidden[CODE_FIELD]["/V"] == "ABCDE-FGHJK"


def test_an_older_form_without_the_hidden_fields_is_found_by_its_keywords(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(form_module._Layout, "_hidden_field", staticmethod(lambda *a: None))
    older = render_authorization(build_form())
    form = reader.read_authorization_fields(older)
    assert (form.request_number, form.authorization_code) == ("R2026-000042", "ABCDEFGHJK")

    no_keywords = dataclasses.replace(build_form(), qr_payload="Client Authorization")
    refused = _refused(render_authorization(no_keywords))
    assert refused.reason is Refusal.NO_REFERENCE
    assert "does not carry its request number and authorization code" in refused.message
    assert "record the decision by hand" in refused.message


# --- files that are not a readable Client Authorization ---------------------------------


def test_an_empty_file(tmp_path: Path) -> None:
    for source in (b"", tmp_path / "empty.pdf"):
        if isinstance(source, Path):
            source.write_bytes(b"")
        refused = _refused(source)
        assert refused.reason is Refusal.EMPTY
        assert refused.message.startswith("This file is empty (0 bytes)")
        assert "Ask for the file again" in refused.message


def test_a_missing_file(tmp_path: Path) -> None:
    refused = _refused(tmp_path / "gone.pdf")
    assert refused.reason is Refusal.UNREADABLE
    assert refused.message.startswith("The file gone.pdf could not be opened")


@pytest.mark.parametrize(
    ("data", "it_is", "advice"),
    [
        (filling.docx(), "it is a Word document", "Choose the Client Authorization PDF"),
        (filling.PNG, "it is a PNG image", "A scanned or photographed form cannot be read"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "it is a JPEG image", BY_HAND),
        (b"<!DOCTYPE html><html><body>Form</body></html>", "it is a web page", BY_HAND),
        (b"Dear DOR, here is my form.", "This file is not a PDF.", BY_HAND),
    ],
    ids=["docx", "png", "jpeg", "html", "text"],
)
def test_a_file_that_is_not_a_pdf(tmp_path: Path, data: bytes, it_is: str, advice: str) -> None:
    renamed = tmp_path / "Client Authorization.pdf"
    renamed.write_bytes(data)
    refused = _refused(renamed)
    assert refused.reason is Refusal.NOT_PDF
    assert refused.message.startswith("This file is not a PDF")
    assert it_is in refused.message
    assert advice in refused.message


def test_a_truncated_pdf(blank: bytes) -> None:
    filled = filling.fill(blank, {give_rights_field("PIT-00000001"): "/Yes"})
    refused = _refused(filling.truncated(filled))
    assert refused.reason is Refusal.TRUNCATED
    assert refused.message.startswith("This PDF is incomplete: its end is missing")
    assert "Ask for the file again" in refused.message


@pytest.mark.parametrize(
    "make",
    [
        # Saved whole by a viewer (every object in the open), the middle ones overwritten.
        lambda pdf: filling.damaged(filling.fill(pdf, {})),
        # As printed: the compressed object streams that hold its fields overwritten.
        filling.damaged_object_streams,
        lambda pdf: b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n",
    ],
    ids=["overwritten", "object streams overwritten", "garbage"],
)
def test_a_damaged_pdf(blank: bytes, make: object) -> None:
    refused = _refused(make(blank))  # type: ignore[operator]
    assert refused.reason is Refusal.DAMAGED
    assert refused.message.startswith("This PDF is damaged and cannot be read")
    assert BY_HAND in refused.message


def test_a_pdf_that_asks_for_a_password_is_refused(blank: bytes) -> None:
    refused = _refused(filling.encrypt(blank, "secret"))
    assert refused.reason is Refusal.ENCRYPTED
    assert refused.message.startswith("This PDF is password-protected")
    assert "save the form again without a password" in refused.message


def test_a_pdf_encrypted_with_an_empty_user_password_is_read(blank: bytes) -> None:
    """Any viewer opens it without asking (only editing needs the owner password)."""
    values = {give_rights_field("PIT-00000001"): "/Yes", PRINTED_NAME_FIELD: "Ana Ruiz"}
    encrypted = filling.encrypt(filling.fill(blank, values), "")
    assert PdfReader(io.BytesIO(encrypted)).is_encrypted
    form = reader.read_authorization_fields(encrypted)
    assert form.request_number == "R2026-000042"
    assert form.value(give_rights_field("PIT-00000001")) == "/Yes"
    assert form.value(PRINTED_NAME_FIELD) == "Ana Ruiz"


def test_an_oversized_file_is_refused_before_it_is_read(blank: bytes, tmp_path: Path) -> None:
    refused = _refused(blank, max_bytes=20 * 1024)
    assert refused.reason is Refusal.TOO_LARGE
    assert f"This file is {len(blank) / 1024:.0f} KB; files over 20 KB are not read" in (
        refused.message
    )

    # The real limit, in memory and as a sparse file: refused at once, nothing parsed.
    big = bytes(reader.MAX_FORM_BYTES + 1)
    sparse = tmp_path / "huge.pdf"
    with sparse.open("wb") as file:
        file.truncate(reader.MAX_FORM_BYTES + 1)
    for source in (big, sparse):
        started = time.monotonic()
        refused = _refused(source, parse=hostile_parsers.hang)
        assert time.monotonic() - started < 1
        assert refused.reason is Refusal.TOO_LARGE
        assert refused.message.startswith("This file is 10.0 MB; files over 10.0 MB are not read")
        assert "well under 1 MB" in refused.message
    # At the limit exactly, a file is read.
    assert reader.load(blank, max_bytes=len(blank)) == blank


def test_a_pdf_without_fields_says_to_record_it_by_hand() -> None:
    refused = _refused(filling.bare_page())
    assert refused.reason is Refusal.NO_FIELDS
    assert refused.message.startswith("This PDF has no form fields to read")
    assert "scan" in refused.message
    assert "Record the decision by hand from the paper form" in refused.message


def test_a_form_that_is_not_a_client_authorization() -> None:
    refused = _refused(filling.other_form())
    assert refused.reason is Refusal.NOT_OURS
    assert "not a Client Authorization printed by MTC Desktop" in refused.message


# --- a parser that hangs, crashes or fails ---------------------------------------------


def _marked(tmp_path: Path) -> tuple[bytes, Path]:
    pid_file = tmp_path / "parser.pid"
    return f"%PDF-1.7\n%%pid:{pid_file}\n%%EOF\n".encode(), pid_file


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_hung_parser_is_killed(tmp_path: Path) -> None:
    data, pid_file = _marked(tmp_path)
    started = time.monotonic()
    refused = _refused(data, time_limit=1.5, parse=hostile_parsers.hang)
    took = time.monotonic() - started
    assert refused.reason is Refusal.TIMED_OUT
    assert refused.message.startswith(
        "Reading this PDF took longer than 1.5 seconds and was stopped"
    )
    assert BY_HAND in refused.message
    assert 1.5 <= took < 10
    pid = int(pid_file.read_text())  # it got as far as parsing
    assert pid != os.getpid()
    assert _gone(pid)


def test_a_crashing_parser_is_reported(tmp_path: Path) -> None:
    data, pid_file = _marked(tmp_path)
    started = time.monotonic()
    refused = _refused(data, parse=hostile_parsers.crash)
    assert time.monotonic() - started < reader.TIME_LIMIT  # told at once, not at the limit
    assert refused.reason is Refusal.CRASHED
    assert refused.message.startswith("The PDF reader stopped unexpectedly on this file")
    assert _gone(int(pid_file.read_text()))


@pytest.mark.parametrize("parse", [hostile_parsers.fail, hostile_parsers.lie])
def test_a_parser_error_or_a_malformed_answer_is_a_damaged_file(parse: reader.Parser) -> None:
    refused = _refused(b"%PDF-1.7\n%%EOF\n", parse=parse)
    assert refused.reason is Refusal.DAMAGED
    assert refused.message.startswith("This PDF is damaged and cannot be read")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is enforced on Linux")
def test_the_parsing_process_memory_is_capped() -> None:
    refused = _refused(b"%PDF-1.7\n%%EOF\n", parse=hostile_parsers.hog)
    assert refused.reason is Refusal.DAMAGED


def test_the_answer_is_checked_not_trusted() -> None:
    assert reader._decode(b"\x80\x04not json") == "the answer is not JSON"
    assert reader._decode(b'{"ok": {"values": {"a": 1}}}') == "the answer's fields are malformed"
    assert reader._decode(b'{"ok": 1, "error": 2}') == "the answer is not one result"
    good = PdfFields(values={"a": None, "b": "/Yes"}, keywords="k", field_count=2)
    assert reader._decode(json.dumps({"ok": dataclasses.asdict(good)}).encode()) == good


def test_a_reader_that_dies_at_start_is_told_at_once(
    blank: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child ends before it takes the file: a clear message, well within the limit."""
    monkeypatch.setattr(reader, "_child", hostile_parsers.die_at_start)
    started = time.monotonic()
    refused = _refused(blank, time_limit=5.0)
    assert time.monotonic() - started < 5.0
    assert refused.reason is Refusal.READER_STOPPED
    assert refused.message.startswith("The form could not be read: the reader stopped unexpectedly")
    assert "Try again; if it happens again" in refused.message


def test_a_reader_that_never_takes_the_file_cannot_hang_the_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The child starts but never reads: sending it a file larger than a pipe holds must
    not outlast the time limit."""
    monkeypatch.setattr(reader, "_child", hostile_parsers.stall_at_start)
    data = b"%PDF-1.7\n" + b"%" * (4 * 1024 * 1024) + b"\n%%EOF\n"
    started = time.monotonic()
    refused = _refused(data, time_limit=2.0)
    took = time.monotonic() - started
    assert refused.reason is Refusal.TIMED_OUT
    assert 2.0 <= took < 8


def _run_within(seconds: float, call: Callable[[], object]) -> tuple[object, float]:
    """``call()``'s result or exception, and how long it took; fails if it outlasts
    ``seconds`` (a hang)."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as exc:
            outcome.append(exc)

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still waiting after {seconds} s"
    return outcome[0], time.monotonic() - started


@pytest.mark.parametrize(
    ("script", "reason"),
    [("exit 3", Refusal.READER_STOPPED), ("exec sleep 60", Refusal.TIMED_OUT)],
    ids=["dies at start", "never reads its start-up message"],
)
def test_a_reader_process_that_dies_or_stalls_at_start_cannot_hang_the_import(
    blank: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str, reason: Refusal
) -> None:
    """The spawn runs a program that ends at once, or never reads what it is sent: the
    import ends within the time limit, with a clear refusal."""
    multiprocessing.resource_tracker.ensure_running()  # started before the spawn is pointed
    program = tmp_path / "not-python"
    program.write_text(f"#!/bin/sh\n{script}\n")
    program.chmod(0o755)
    monkeypatch.setattr(multiprocessing.spawn, "_python_exe", os.fsencode(program))
    big = blank + b"%" * (4 * 1024 * 1024) + b"\n%%EOF\n"  # more than a pipe holds
    refused, took = _run_within(15, lambda: reader.read_authorization_fields(big, time_limit=2.0))
    assert isinstance(refused, FormFileRefused)
    assert refused.reason is reason
    assert took < 2.0 + 6
    if reason is Refusal.READER_STOPPED:
        assert refused.message.startswith(
            "The form could not be read: the reader stopped unexpectedly"
        )


def test_a_reader_that_cannot_start_is_the_machines_fault(
    blank: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: object) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start", refuse)
    with pytest.raises(EnvironmentProblem) as caught:
        reader.read_authorization_fields(blank)
    assert caught.value.message == (
        "The program could not start its PDF reader (Resource temporarily unavailable). "
        "Close some programs and try again."
    )
