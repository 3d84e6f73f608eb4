"""DOR staff import many returned Client Authorizations at once: one reader process serves
the batch, each file gets its own outcome (recorded, or what is wrong with it), and a file
that hangs or kills the reader costs only itself: the next file gets a new reader."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from mtc_desktop.domain.errors import NotAllowed
from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import AccountType, ApprovalMethod, RequestStatus
from mtc_desktop.forms import reader
from mtc_desktop.forms.authorization import give_rights_field, granted_rights_field
from mtc_desktop.services import printing, requests, returned_forms
from mtc_desktop.services.base import Actor
from mtc_desktop.services.requests import RequestView
from mtc_desktop.services.returned_forms import BatchItem
from tests.conftest import World
from tests.forms import filling, hostile_parsers
from tests.services.helpers import ask, audit_actions, last_audit_id

WH, MEALS = AccountType.WITHHOLDING, AccountType.MEALS


@dataclass
class Batch:
    staff: Actor
    views: list[RequestView]
    pdfs: list[bytes]

    def filled(self, index: int, give: bool = True) -> bytes:
        view = self.views[index]
        account = view.lines[0].account.number
        values = (
            {give_rights_field(account): "/Yes", granted_rights_field(account): "/view_only"}
            if give
            else {}
        )
        return filling.fill(self.pdfs[index], values)


@pytest.fixture
def batch(world: World) -> Batch:
    staff = world.staff()
    firm = world.third_party("firm", "Firm LLP")
    views = []
    for n in range(4):
        taxpayer = world.taxpayer(f"Harbor Bakery {n}", (WH, MEALS), IdType.FEIN)
        wh, _meals = world.accounts(taxpayer)
        views.append(ask(firm, taxpayer, [(wh, AccessLevel.FILE)], ApprovalMethod.PRINTED_FORM))
    pdfs = [printing.authorization_pdf(firm, view.id) for view in views]
    return Batch(staff, views, pdfs)


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _status(batch: Batch, index: int) -> RequestStatus:
    return requests.get_request(batch.staff, batch.views[index].id).status


def test_a_batch_of_good_forms_is_read_by_one_process_and_recorded(
    batch: Batch, tmp_path: Path
) -> None:
    paths = [_write(tmp_path, f"form{i}.pdf", batch.filled(i, give=i != 3)) for i in range(4)]
    pids: list[int | None] = []
    seen: list[tuple[int, int, str]] = []
    since = last_audit_id()
    with reader.FormReader() as forms:

        def progress(done: int, total: int, item: BatchItem) -> None:
            pids.append(forms.pid)
            seen.append((done, total, item.path.name))

        read = returned_forms.read_returned_forms(
            batch.staff, paths, progress=progress, using=forms
        )
        assert forms.processes_started == 1
    assert pids[0] is not None
    assert len(set(pids)) == 1  # the same process read every form
    assert seen == [(i + 1, 4, f"form{i}.pdf") for i in range(4)]
    assert [item.number for item in read] == [view.number for view in batch.views]
    assert [item.problem for item in read] == ["", "", "", ""]
    account = batch.views[0].lines[0].account.label
    assert read[0].outcome == f"Approves: {account} — View Only."
    assert read[3].outcome == "Denies (no Give Rights box is checked)."
    assert audit_actions(since) == []  # reading changes nothing

    done = returned_forms.record_returned_forms(batch.staff, read)
    assert [item.outcome for item in done] == [
        f"Recorded as approved: {view.lines[0].account.label} — View Only."
        for view in batch.views[:3]
    ] + ["Recorded as denied."]
    assert [_status(batch, i) for i in range(4)] == [RequestStatus.APPROVED] * 3 + [
        RequestStatus.DENIED
    ]
    assert audit_actions(since).count("printed_form_recorded") == 4


def test_a_mixed_batch_goes_on_past_every_bad_file(batch: Batch, tmp_path: Path) -> None:
    encrypted = filling.encrypt(batch.filled(1))
    files = [
        ("good0.pdf", batch.filled(0)),
        ("damaged.pdf", filling.damaged(batch.filled(1))),
        ("password.pdf", encrypted),
        ("letter.docx.pdf", filling.docx()),
        ("huge.pdf", batch.filled(1) + bytes(reader.MAX_FORM_BYTES)),
        ("good2.pdf", batch.filled(2)),
        ("hangs.pdf", batch.filled(1) + b"%%hang\n%%EOF\n"),
        ("dies.pdf", batch.filled(1) + b"%%crash\n%%EOF\n"),
        ("again0.pdf", batch.filled(0)),
        ("good3.pdf", batch.filled(3, give=False)),
    ]
    paths = [_write(tmp_path, name, data) for name, data in files]
    with reader.FormReader(
        time_limit=3.0, parse=hostile_parsers.hang_or_crash_when_marked
    ) as forms:
        items = returned_forms.import_returned_forms(
            batch.staff,
            paths,
            using=forms,
        )
        started = forms.processes_started
    outcomes = {item.path.name: item.outcome for item in items}
    assert [item.path.name for item in items] == [name for name, _ in files]
    assert outcomes["good0.pdf"].startswith("Recorded as approved")
    assert outcomes["damaged.pdf"].startswith("This PDF is damaged and cannot be read")
    assert outcomes["password.pdf"].startswith("This PDF is password-protected")
    assert outcomes["letter.docx.pdf"].startswith("This file is not a PDF: it is a Word")
    assert outcomes["huge.pdf"].startswith("This file is 10.")
    assert outcomes["good2.pdf"].startswith("Recorded as approved")
    assert outcomes["hangs.pdf"].startswith(
        "Reading this PDF took longer than 3 seconds and was stopped"
    )
    assert outcomes["dies.pdf"].startswith("The PDF reader stopped unexpectedly on this file")
    assert outcomes["again0.pdf"].startswith("Another form for request")
    assert outcomes["good3.pdf"] == "Recorded as denied."
    # Form 1 was never read cleanly: it stays pending; the others are decided.
    assert _status(batch, 1) is RequestStatus.PENDING
    assert [_status(batch, i) for i in (0, 2, 3)] == [
        RequestStatus.APPROVED,
        RequestStatus.APPROVED,
        RequestStatus.DENIED,
    ]
    # One process read the batch; the hang and the crash each cost it a new one (files
    # refused before parsing, or found damaged by a healthy reader, do not).
    assert started == 3


def test_the_reader_is_replaced_after_a_failure_and_kept_otherwise(
    batch: Batch, tmp_path: Path
) -> None:
    good = _write(tmp_path, "good.pdf", batch.filled(0))
    dies = _write(tmp_path, "dies.pdf", batch.filled(1) + b"%%crash\n%%EOF\n")
    with reader.FormReader(parse=hostile_parsers.hang_or_crash_when_marked) as forms:
        pids = []
        for path in (good, good, dies, good, good):
            returned_forms.read_returned_forms(batch.staff, [path], using=forms)
            pids.append(forms.pid)
    assert pids[0] == pids[1]  # reused
    assert pids[2] is None  # killed with the form it died on
    assert pids[3] is not None
    assert pids[3] != pids[0]  # a new one for the next form
    assert pids[4] == pids[3]


def test_a_reader_serves_a_limited_number_of_forms(batch: Batch, tmp_path: Path) -> None:
    good = _write(tmp_path, "good.pdf", batch.filled(0))
    with reader.FormReader(forms_per_process=2) as forms:
        pids = []
        for _ in range(5):
            returned_forms.read_returned_forms(batch.staff, [good], using=forms)
            pids.append(forms.pid)
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4]
    assert forms.processes_started == 3


def test_a_request_decided_between_reading_and_recording(batch: Batch, tmp_path: Path) -> None:
    paths = [_write(tmp_path, f"f{i}.pdf", batch.filled(i)) for i in range(2)]
    read = returned_forms.read_returned_forms(batch.staff, paths)
    form = read[0].form
    assert form is not None
    requests.record_printed_form(batch.staff, form.number, form.authorization_code, form.decisions)
    done = returned_forms.record_returned_forms(batch.staff, read)
    assert done[0].outcome.startswith(f"Not recorded: Request {form.number} was already recorded")
    assert done[1].outcome.startswith("Recorded as approved")


def test_a_stopped_batch_reports_the_files_left(batch: Batch, tmp_path: Path) -> None:
    paths = [_write(tmp_path, f"f{i}.pdf", batch.filled(i)) for i in range(3)]
    calls: list[object] = []
    read = returned_forms.read_returned_forms(
        batch.staff, paths, stop=lambda: len(calls) >= 1, progress=lambda *a: calls.append(a)
    )
    assert [item.problem for item in read] == ["", returned_forms.STOPPED, returned_forms.STOPPED]


def test_only_dor_staff_import_returned_forms(batch: Batch, world: World, tmp_path: Path) -> None:
    firm = world.third_party("other", "Other LLP")
    with pytest.raises(NotAllowed):
        returned_forms.import_returned_forms(firm, [_write(tmp_path, "f.pdf", batch.filled(0))])
    assert _status(batch, 0) is RequestStatus.PENDING


def test_an_owner_password_only_form_reads_in_a_batch(batch: Batch, tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(batch.filled(0))))
    writer.encrypt(user_password="", owner_password="x")
    out = io.BytesIO()
    writer.write(out)
    items = returned_forms.import_returned_forms(
        batch.staff, [_write(tmp_path, "owner.pdf", out.getvalue())]
    )
    assert items[0].outcome.startswith("Recorded as approved")
