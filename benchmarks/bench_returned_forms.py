"""Importing returned Client Authorizations: many filled-in forms read (and recorded) at
once, against pypdf reading the same files in this process.

    .venv/bin/python benchmarks/bench_returned_forms.py [--forms 100] [--no-per-form]

A fresh SQLite database gets ``--forms`` pending printed-form requests (two accounts each);
each request's Client Authorization is printed and filled in as a taxpayer's PDF viewer
would (one account given View Only, or nothing given: a denial), and saved as a file.

(a) The baseline: pypdf reading every file's form fields in this process, no isolation
    (``PdfReader(path).get_fields()``).
(b) Unless ``--no-per-form``: the files read the way one form is read, each in a new
    reader process (``read_returned_form`` per file): what a batch cost before.
(c) ``services.returned_forms.read_returned_forms``: the batch read by one isolated reader
    process and checked against the database (no writes).
(d) ``import_returned_forms``: (c) then each form recorded (its audit event and emails),
    as *Import Returned Forms…* and ``mtc-desktop returned-forms import`` do.

Prints figures and the ratio to the baseline; asserts nothing about time (issue 14 asks for
importing 100 forms in under 3 s, still isolated, on a 2-core machine).
"""

from __future__ import annotations

import argparse
import io
import platform
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import AccountType, ApprovalMethod, Role, TaxpayerKind
from mtc_desktop.forms.authorization import give_rights_field, granted_rights_field


def fill(pdf: bytes, values: dict[str, str]) -> bytes:
    """``pdf`` with its fields set, saved as most viewers save: an incremental update."""
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    writer.set_need_appearances_writer(True)
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_files(count: int, folder: Path) -> tuple[object, list[Path]]:
    """A database with ``count`` pending printed-form requests, and each one's filled form."""
    from argon2 import PasswordHasher

    from mtc_desktop.services import logons, printing, requests, staff
    from mtc_desktop.services.base import transaction
    from mtc_desktop.services.requests import RequestDraft
    from mtc_desktop.services.taxpayers import add_account, create_taxpayer

    logons.set_password_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    firm = logons.register(
        logons.Registration(
            username="benchfirm",
            password="a-long-benchmark-password-1",
            email="desk@benchfirm.example",
            role=Role.THIRD_PARTY,
            id_type=IdType.FEIN,
            id_number="04-1234567",
            legal_name="Bench Firm LLP",
        )
    )
    clerk = staff.add_staff_with_password(
        "benchclerk",
        "Bench Clerk",
        "clerk@dor.example",
        "a-long-benchmark-password-2",
        administrator=False,
    )
    paths = []
    types = (AccountType.PERSONAL_INCOME, AccountType.FIDUCIARY)
    for i in range(count):
        digits = f"{100 + i // 9999:03d}{1 + (i // 99) % 99:02d}{1 + i % 9999:04d}"
        name = f"Taxpayer {i}"
        with transaction():
            taxpayer = create_taxpayer(IdType.SSN, digits, name, TaxpayerKind.INDIVIDUAL)
            accounts = [add_account(taxpayer, kind) for kind in types]
        view = requests.request_access(
            firm,
            RequestDraft(
                IdType.SSN,
                digits,
                name,
                tuple((a.id, AccessLevel.FILE) for a in accounts),
                ApprovalMethod.PRINTED_FORM,
            ),
        )
        first = view.lines[0].account.number
        values = (
            {give_rights_field(first): "/Yes", granted_rights_field(first): "/view_only"}
            if i % 4
            else {}
        )
        path = folder / f"{view.number}.pdf"
        path.write_bytes(fill(printing.authorization_pdf(firm, view.id), values))
        paths.append(path)
    return clerk, paths


def processor() -> tuple[float, float]:
    """Processor seconds so far: this process's, and its ended children's (the readers)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time(), children.ru_utime + children.ru_stime


def spent(before: tuple[float, float]) -> str:
    now = processor()
    return (
        f"processor {now[0] - before[0]:.2f} s here + {now[1] - before[1]:.2f} s in reader "
        "processes"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--forms", type=int, default=100)
    parser.add_argument("--no-per-form", action="store_true")
    args = parser.parse_args()

    from mtc_desktop.services import returned_forms
    from mtc_desktop.store import database

    print(f"Python {platform.python_version()} on {platform.machine()}, {sys.platform}")
    with tempfile.TemporaryDirectory() as folder:
        database.open_database(Path(folder) / "bench.db")
        try:
            clerk, paths = make_files(args.forms, Path(folder))
            sizes = [p.stat().st_size for p in paths]
            print(f"{len(paths)} filled forms, {min(sizes) / 1024:.0f}-{max(sizes) / 1024:.0f} KB")
            PdfReader(paths[0]).get_fields()  # pypdf loaded, as in a reader process
            cpu = processor()
            started = time.perf_counter()
            for path in paths:
                PdfReader(path).get_fields()
            bare = time.perf_counter() - started
            n = len(paths)
            print(
                f"(a) pypdf in this process, not isolated: {bare:6.2f} s "
                f"({bare / n * 1000:.1f} ms a form; {spent(cpu)})"
            )

            if not args.no_per_form:
                cpu = processor()
                started = time.perf_counter()
                for path in paths:
                    returned_forms.read_returned_form(clerk, path)  # type: ignore[arg-type]
                each = time.perf_counter() - started
                print(
                    f"(b) a new reader process per form:       {each:6.2f} s "
                    f"({each / n * 1000:.1f} ms a form; ratio {each / bare:.1f} x pypdf; "
                    f"{spent(cpu)})"
                )

            cpu = processor()
            started = time.perf_counter()
            read = returned_forms.read_returned_forms(clerk, paths)  # type: ignore[arg-type]
            batch = time.perf_counter() - started
            unread = [item.problem for item in read if item.form is None]
            if unread:
                raise SystemExit(f"{len(unread)} forms were not read: {unread[0]}")
            print(
                f"(c) one reader process, read + checked:  {batch:6.2f} s "
                f"({batch / n * 1000:.1f} ms a form; ratio {batch / bare:.1f} x pypdf; "
                f"{spent(cpu)})"
            )

            cpu = processor()
            started = time.perf_counter()
            done = returned_forms.import_returned_forms(clerk, paths)  # type: ignore[arg-type]
            whole = time.perf_counter() - started
            recorded = sum(1 for item in done if item.recorded is not None)
            if recorded != n:
                problem = next(item.problem for item in done if item.recorded is None)
                raise SystemExit(f"{n - recorded} forms were not recorded: {problem}")
            met = "met" if whole < 3.0 * n / 100 else "NOT MET"
            print(
                f"(d) one reader process, read + recorded: {whole:6.2f} s "
                f"({whole / n * 1000:.1f} ms a form; ratio {whole / bare:.1f} x pypdf; "
                f"target < 3 s per 100 forms: {met}; {spent(cpu)})"
            )
        finally:
            database.close_database()


if __name__ == "__main__":
    main()
