"""The ``mtc-desktop`` command: start the program, or work on a database from a shell.

mtc-desktop [--demo] [--database PATH_OR_URL]      open the program
mtc-desktop demo-data --database D [--clients N]   make a demo database
mtc-desktop db check|upgrade --database D          check or upgrade a database
mtc-desktop authorization-pdf NUMBER --database D -o FILE.pdf
mtc-desktop authorization-pdf --all-pending [--third-party USERNAME] --database D -o FOLDER
                                                   print Client Authorization forms
mtc-desktop staff add USERNAME --name N --email E [--administrator] [--password-stdin]
mtc-desktop staff list|code                        DOR staff logons
mtc-desktop registry import FILE.csv [--skip-invalid] [--dry-run]
mtc-desktop registry export FILE.csv               the registry of taxpayers and accounts
mtc-desktop returned-forms import FILE.pdf… --staff USERNAME
                                                   record returned Client Authorizations
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from mtc_desktop import __version__
from mtc_desktop.domain.errors import EnvironmentProblem, MtcError

log = logging.getLogger("mtc_desktop")

Handler = Callable[[argparse.Namespace], int]


def _database_option(parser: argparse.ArgumentParser, *, default: object = None) -> None:
    parser.add_argument(
        "--database",
        metavar="PATH_OR_URL",
        default=default,
        help="a SQLite file or a postgresql:// URL (default: $MTC_DATABASE_URL, else the "
        "database in your user data folder)",
    )


def _cmd_run(args: argparse.Namespace) -> int:
    from mtc_desktop.gui.app import run

    return run(args.database, demo=args.demo)


def _cmd_demo_data(args: argparse.Namespace) -> int:
    from mtc_desktop.services import demo
    from mtc_desktop.store import database

    target = database.resolve_target(args.database)
    if not database.is_unused(target):
        what = "exists already" if target.is_sqlite else "holds data already"
        print(
            f"mtc-desktop: {target.describe()} {what}; demo data goes into a new database.",
            file=sys.stderr,
        )
        return 2
    started = time.perf_counter()
    database.open_database(target)
    try:
        logons = demo.create_demo(progress=lambda what: print(f"  made {what}"))
        if args.clients:
            print(f"  adding {args.clients:,} clients to smithcpa...")
            demo.add_bulk_clients("smithcpa", args.clients)
    finally:
        database.close_database()
    print(f"Demo database: {target.describe()} ({time.perf_counter() - started:.1f} s)")
    print(f"Every demo logon has the password: {demo.DEMO_PASSWORD}")
    for item in logons:
        print(f"  {item.username:<15} {item.role.label:<12} {item.name} — {item.what}")
    return 0


def _cmd_db_check(args: argparse.Namespace) -> int:
    from mtc_desktop.store import database

    report = database.check_database(args.database)
    for line in report.lines:
        print(
            line if report.ok else f"mtc-desktop: {line}",
            file=sys.stdout if report.ok else sys.stderr,
        )
    return 0 if report.ok else 1


def _cmd_db_upgrade(args: argparse.Namespace) -> int:
    from mtc_desktop.store import backup, database

    target = database.resolve_target(args.database)
    before = database.stored_version(target)
    pending = database.needs_upgrade(target)
    if pending is not None and not args.no_backup:
        try:
            copy = backup.backup_database(
                target, backup.backup_path_before_upgrade(target, pending[0])
            )
        except EnvironmentProblem as exc:
            raise EnvironmentProblem(
                f"{exc.message} Nothing was upgraded; to upgrade without a backup, add --no-backup."
            ) from exc
        print(f"Backed up {target.describe()} to {copy.path} before upgrading.")
    database.open_database(target, create=False, upgrade=True)
    database.close_database()
    latest = database.schema_version()
    if before == latest:
        print(f"{target.describe()} is up to date (schema {latest}).")
    else:
        print(f"{target.describe()} upgraded to schema {latest}.")
    return 0


def _cmd_db_backup(args: argparse.Namespace) -> int:
    from mtc_desktop.store import backup, database

    target = database.resolve_target(args.database)
    started = time.perf_counter()
    try:
        result = backup.backup_database(target, args.file, replace=args.force)
    except backup.BackupExists as exc:
        raise MtcError(f"{exc.path} exists already; add --force to replace it.") from exc
    print(
        f"Backed up {target.describe()} (schema {result.schema}) to {result.path}: "
        f"{result.size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s."
    )
    return 0


def _cmd_db_restore(args: argparse.Namespace) -> int:
    from mtc_desktop.store import backup, database

    target = database.resolve_target(args.database)
    kept = backup.restore_database(args.file, target)
    print(f"Restored {target.describe()} from {args.file}.")
    if kept is not None:
        print(f"The database as it was before is kept at {kept}.")
    return 0


def _cmd_audit_verify(args: argparse.Namespace) -> int:
    from mtc_desktop.services import audit
    from mtc_desktop.store import database

    database.open_database(args.database, create=False, upgrade=False)
    try:
        with database.environment_errors():
            report = audit.verify_chain(args.expect or "")
    finally:
        database.close_database()
    if not report.ok:
        print(f"mtc-desktop: the audit trail was tampered with. {report.problem}", file=sys.stderr)
        return 1
    print(f"The audit trail is intact: {report.events:,} events, latest hash {report.latest}.")
    return 0


def _cmd_audit_export(args: argparse.Namespace) -> int:
    from mtc_desktop.services import audit
    from mtc_desktop.store import database

    database.open_database(args.database, create=False, upgrade=False)
    out = Path(args.file)
    temporary = out.with_name(f".{out.name}.part")
    try:
        # Owner-only, like the database it comes from: the events name taxpayers.
        descriptor = os.open(temporary, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with (
            database.environment_errors(),
            open(descriptor, "w", encoding="utf-8") as stream,
        ):
            count, latest = audit.export_events(stream)
        os.replace(temporary, out)
    except OSError as exc:
        raise EnvironmentProblem(f"Cannot write {out}: {exc.strerror or exc}.") from exc
    finally:
        temporary.unlink(missing_ok=True)
        database.close_database()
    print(f"Exported {count:,} audit events to {out}; latest hash {latest}.")
    return 0


def _write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a half-written PDF is worse)."""
    from mtc_desktop.store.files import write_private

    write_private(path, data)


def _cmd_authorization_pdf(args: argparse.Namespace) -> int:
    from mtc_desktop.forms.authorization import render_authorization
    from mtc_desktop.services import printing
    from mtc_desktop.store import database

    output = Path(args.output)
    database.open_database(database.resolve_target(args.database), create=False, upgrade=False)
    try:
        if not args.all_pending:
            pdf = render_authorization(printing.system_authorization_form(args.number))
            if output.is_dir():
                output = output / f"{args.number.strip().upper()}.pdf"
            _write_file(output, pdf)
            print(f"Wrote {output} ({len(pdf) / 1024:.0f} KB)")
            return 0
        try:
            output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EnvironmentProblem(f"Cannot make the folder {output}: {exc.strerror}.") from exc
        numbers = printing.pending_printed_form_numbers(args.third_party)
        started = time.perf_counter()
        failed: list[str] = []
        live = sys.stdout.isatty()
        for done, number in enumerate(numbers, start=1):
            try:
                pdf = render_authorization(printing.system_authorization_form(number))
            except MtcError as exc:  # one unprintable name does not stop the batch
                failed.append(number)
                if live:
                    print()
                print(f"mtc-desktop: {exc.message}", file=sys.stderr)
                continue
            _write_file(output / f"{number}.pdf", pdf)
            if live or done == len(numbers) or done % 100 == 0:
                line = f"[{done:>{len(str(len(numbers)))}}/{len(numbers)}] {number}.pdf"
                print(f"\r{line}" if live else line, end="" if live else "\n", flush=True)
        if live and numbers:
            print()
        written = len(numbers) - len(failed)
        print(
            f"Wrote {written} Client Authorization form{'s' if written != 1 else ''} to "
            f"{output} ({time.perf_counter() - started:.1f} s)"
            + (f"; {len(failed)} could not be printed: {', '.join(failed)}" if failed else "")
        )
        return 1 if failed else 0
    finally:
        database.close_database()


def _open_for_command(args: argparse.Namespace, *, create: bool = False) -> None:
    from mtc_desktop.store import database

    target = database.resolve_target(args.database)
    # A new database gets its schema; an older one is upgraded by db upgrade (backup first).
    new = create and database.stored_version(target) in (None, 0)
    database.open_database(target, create=create, upgrade=new)


def _read_new_password() -> str:
    """The password from standard input: asked twice at a terminal, else its first line."""
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass("Password for the new logon: ")
        if getpass.getpass("The same password again: ") != first:
            raise MtcError("The two passwords differ; nothing was changed.")
        return first
    line = sys.stdin.readline()
    if not line:
        raise MtcError("--password-stdin read nothing; give the password on standard input.")
    return line.rstrip("\r\n")


class _RefusePassword(argparse.Action):
    """``--password VALUE`` is refused without echoing VALUE (argparse would otherwise take
    it for an abbreviation of --password-stdin and print the password as an extra word)."""

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kw: object) -> None:
        parser.error(
            "a password is never given as an argument (it would stay in the shell's history "
            "and the process list); use --password-stdin"
        )


def _cmd_staff_add(args: argparse.Namespace) -> int:
    from mtc_desktop.services import staff
    from mtc_desktop.store import database

    password = _read_new_password() if args.password_stdin else None
    # Checked before a new database file is made for it.
    staff.check_new_staff(args.username, args.name, args.email, password)
    _open_for_command(args, create=True)
    try:
        if password is not None:
            actor = staff.add_staff_with_password(
                args.username, args.name, args.email, password, administrator=args.administrator
            )
            kind = "DOR administrator" if actor.administrator else "DOR staff"
            print(f"Added the {kind} logon {actor.username}; log in with the password given.")
            return 0
        code = staff.add_staff(
            None, args.username, args.name, args.email, administrator=args.administrator
        )
    finally:
        database.close_database()
    _print_code(code)
    return 0


def _print_code(code: object) -> None:
    from mtc_desktop.services.staff import OneTimeCode

    assert isinstance(code, OneTimeCode)
    print(f"One-time code for {code.username}: {code.code}")
    print(
        f"It works once, until {code.expires_at:%Y-%m-%d %H:%M} UTC: at the login window, "
        "Use a One-Time Code… sets the holder's own password. Hand it over in person; "
        "it is not shown again."
    )


def _cmd_staff_code(args: argparse.Namespace) -> int:
    from mtc_desktop.domain.text import username_key
    from mtc_desktop.services import staff
    from mtc_desktop.store import database

    _open_for_command(args)
    try:
        match = [
            s
            for s in staff.list_staff(None)
            if username_key(s.username) == username_key(args.username)
        ]
        if not match:
            raise MtcError(f"There is no DOR staff logon named {args.username}.")
        code = staff.issue_code(None, match[0].id)
    finally:
        database.close_database()
    _print_code(code)
    return 0


def _cmd_staff_list(args: argparse.Namespace) -> int:
    from mtc_desktop.services import staff
    from mtc_desktop.store import database

    _open_for_command(args)
    try:
        people = staff.list_staff(None)
    finally:
        database.close_database()
    if not people:
        print("No DOR staff logons yet; add the first with: mtc-desktop staff add …")
        return 0
    print(f"{'USERNAME':<20} {'NAME':<28} {'EMAIL':<32} ROLE           STATE")
    for person in people:
        role = "administrator" if person.administrator else "staff"
        state = "active" if person.active else "disabled"
        if person.code_pending:
            state += ", code pending"
        print(
            f"{person.username:<20} {person.display_name:<28} {person.email:<32} {role:<14} {state}"
        )
    return 0


def _cmd_registry_import(args: argparse.Namespace) -> int:
    from mtc_desktop.services import registry
    from mtc_desktop.store import database

    source = Path(args.file)
    shown = {"step": -1}
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if total < 20_000:  # a small file is done before a line would help
            return
        step = done * 10 // total
        if step != shown["step"]:
            shown["step"] = step
            phase = "checking" if done * 2 <= total else "writing"
            print(
                f"  {step * 10:3d}% ({phase}, {time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
                flush=True,
            )

    _open_for_command(args)
    try:
        report = registry.import_registry(
            None,
            source,
            skip_invalid=args.skip_invalid,
            dry_run=args.dry_run,
            progress=progress,
        )
    finally:
        database.close_database()
    for problem in report.problems:
        print(f"line {problem.line}: {problem.message}", file=sys.stderr)
    print(report.summary())
    return 1 if report.problems else 0


def _cmd_registry_export(args: argparse.Namespace) -> int:
    from mtc_desktop.services import registry
    from mtc_desktop.store import database

    _open_for_command(args)
    try:
        count = registry.export_registry(None, Path(args.file))
    finally:
        database.close_database()
    print(f"Wrote {count:,} tax account row{'s' if count != 1 else ''} to {args.file}.")
    return 0


def _cmd_returned_forms_import(args: argparse.Namespace) -> int:
    from mtc_desktop.domain.text import username_key
    from mtc_desktop.services import returned_forms, staff
    from mtc_desktop.services.base import actor_for
    from mtc_desktop.store import database
    from mtc_desktop.store.models import Logon

    _open_for_command(args)
    try:
        match = [
            s
            for s in staff.list_staff(None)
            if username_key(s.username) == username_key(args.staff)
        ]
        if not match or not match[0].active:
            raise MtcError(
                f"There is no active DOR staff logon named {args.staff}; the forms are "
                "recorded in the name of one (see: mtc-desktop staff list)."
            )
        actor = actor_for(Logon.get_by_id(match[0].id))
        started = time.perf_counter()
        width = max(len(name) for name in args.files)

        def report(_done: int, _total: int, item: returned_forms.BatchItem) -> None:
            number = item.number or "-"
            print(f"{item.path!s:<{width}}  {number:<14} {item.outcome}", flush=True)

        items = returned_forms.import_returned_forms(
            actor, [Path(name) for name in args.files], progress=report
        )
    finally:
        database.close_database()
    recorded = sum(1 for item in items if item.recorded is not None)
    refused = len(items) - recorded
    print(
        f"Recorded {recorded} of {len(items)} returned form{'s' if len(items) != 1 else ''}"
        + (f"; {refused} not recorded (the reason is on each line)" if refused else "")
        + f" ({time.perf_counter() - started:.1f} s)."
    )
    return 1 if refused else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mtc-desktop",
        description="Third-party access to MassTaxConnect tax accounts, offline.",
    )
    parser.add_argument("--version", action="version", version=f"mtc-desktop {__version__}")
    _database_option(parser)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open a fresh demo database (never your real one) with demo logons listed",
    )
    parser.set_defaults(handler=_cmd_run)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo-data", help="create a demo database")
    _database_option(demo, default=argparse.SUPPRESS)
    demo.add_argument(
        "--clients",
        type=int,
        default=0,
        metavar="N",
        help="also give the firm smithcpa N more clients (for scale work)",
    )
    demo.set_defaults(handler=_cmd_demo_data)

    dbp = sub.add_parser("db", help="check, upgrade, back up or restore a database")
    dbsub = dbp.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    check = dbsub.add_parser("check", help="check a database without changing it")
    _database_option(check, default=argparse.SUPPRESS)
    check.set_defaults(handler=_cmd_db_check)
    upgrade = dbsub.add_parser(
        "upgrade",
        help="bring a database's schema up to date (a SQLite file is backed up beside it first)",
    )
    _database_option(upgrade, default=argparse.SUPPRESS)
    upgrade.add_argument(
        "--no-backup", action="store_true", help="do not back up the database before upgrading"
    )
    upgrade.set_defaults(handler=_cmd_db_upgrade)
    backup = dbsub.add_parser(
        "backup", help="copy the database to FILE, consistently, even while it is in use"
    )
    _database_option(backup, default=argparse.SUPPRESS)
    backup.add_argument("file", metavar="FILE", help="the backup file to write")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup.set_defaults(handler=_cmd_db_backup)
    restore = dbsub.add_parser(
        "restore", help="put a backup back (the database as it was is kept beside it)"
    )
    _database_option(restore, default=argparse.SUPPRESS)
    restore.add_argument("file", metavar="FILE", help="the backup file to restore")
    restore.set_defaults(handler=_cmd_db_restore)

    auditp = sub.add_parser("audit", help="verify or export the tamper-evident audit trail")
    auditsub = auditp.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = auditsub.add_parser(
        "verify", help="check the hash chain; name the first event edited, removed or reordered"
    )
    _database_option(verify, default=argparse.SUPPRESS)
    verify.add_argument(
        "--expect",
        metavar="HASH",
        help="a latest hash printed earlier (on a form or an export) that must be in the chain",
    )
    verify.set_defaults(handler=_cmd_audit_verify)
    export = auditsub.add_parser("export", help="write every event as JSON lines, with hashes")
    _database_option(export, default=argparse.SUPPRESS)
    export.add_argument("file", metavar="FILE", help="the file to write")
    export.set_defaults(handler=_cmd_audit_export)

    pdf = sub.add_parser(
        "authorization-pdf",
        help="print the Client Authorization of pending printed-form requests",
        description="Write the Client Authorization PDF of one pending printed-form request, "
        "or of all of them (one file per request, named after its number).",
    )
    _database_option(pdf, default=argparse.SUPPRESS)
    pdf.add_argument("number", nargs="?", metavar="REQUEST_NUMBER", help="e.g. R2026-000012")
    pdf.add_argument(
        "--all-pending",
        action="store_true",
        help="every pending printed-form request; -o names a folder",
    )
    pdf.add_argument(
        "--third-party", metavar="USERNAME", help="with --all-pending: only this third party's"
    )
    pdf.add_argument(
        "-o", "--output", required=True, metavar="FILE_OR_FOLDER", help="where to write"
    )
    pdf.set_defaults(handler=_cmd_authorization_pdf)
    staffp = sub.add_parser("staff", help="add or list DOR staff logons")
    staffsub = staffp.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    add = staffsub.add_parser(
        "add",
        help="add a DOR staff logon (the first one of a database is its administrator)",
        description="Add a DOR staff logon. With --password-stdin the password is read from "
        "standard input (asked twice at a terminal); without it a one-time code is printed, "
        "with which the staff member chooses their own password at the login window.",
    )
    _database_option(add, default=argparse.SUPPRESS)
    add.add_argument("username", metavar="USERNAME")
    add.add_argument("--name", required=True, metavar="NAME", help="the person's full name")
    add.add_argument("--email", required=True, metavar="EMAIL")
    add.add_argument(
        "--administrator", action="store_true", help="may add, disable and enable staff logons"
    )
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the logon's password from standard input (never give it as an argument)",
    )
    add.add_argument("--password", nargs="?", action=_RefusePassword, help=argparse.SUPPRESS)
    add.set_defaults(handler=_cmd_staff_add)
    listp = staffsub.add_parser("list", help="list the DOR staff logons")
    _database_option(listp, default=argparse.SUPPRESS)
    listp.set_defaults(handler=_cmd_staff_list)
    codep = staffsub.add_parser(
        "code", help="print a new one-time code for a staff member who cannot log in"
    )
    _database_option(codep, default=argparse.SUPPRESS)
    codep.add_argument("username", metavar="USERNAME")
    codep.set_defaults(handler=_cmd_staff_code)

    regp = sub.add_parser("registry", help="import or export the registry of taxpayers")
    regsub = regp.add_subparsers(dest="registry_command", metavar="ACTION", required=True)
    imp = regsub.add_parser(
        "import",
        help="import taxpayers and tax accounts from a CSV file",
        description="Import a UTF-8 CSV file with the header id_type,id_number,legal_name,"
        "taxpayer_type,account_type,mailing_address (and optionally account_number), one "
        "row per tax account. The whole file is checked first: if any row is wrong, nothing "
        "is imported and each bad row is named by its line (exit status 1).",
    )
    _database_option(imp, default=argparse.SUPPRESS)
    imp.add_argument("file", metavar="FILE.csv")
    imp.add_argument(
        "--skip-invalid", action="store_true", help="import the good rows and report the rest"
    )
    imp.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
    imp.set_defaults(handler=_cmd_registry_import)
    exp = regsub.add_parser(
        "export", help="write the registry's taxpayers and open tax accounts to a CSV file"
    )
    _database_option(exp, default=argparse.SUPPRESS)
    exp.add_argument("file", metavar="FILE.csv")
    exp.set_defaults(handler=_cmd_registry_export)

    retp = sub.add_parser("returned-forms", help="import returned Client Authorization PDFs")
    retsub = retp.add_subparsers(dest="returned_command", metavar="ACTION", required=True)
    rimp = retsub.add_parser(
        "import",
        help="read filled-in Client Authorization PDFs and record each that reads cleanly",
        description="Read each returned Client Authorization PDF (in one isolated reader "
        "process, with the size and time limits of a single form) and record the "
        "taxpayer's choices of each form that reads cleanly, as DOR staff would from the "
        "program. One line per file: the request number and what was recorded, or what "
        "is wrong. Exit status 1 if any file was not recorded.",
    )
    _database_option(rimp, default=argparse.SUPPRESS)
    rimp.add_argument(
        "--staff",
        metavar="USERNAME",
        required=True,
        help="the DOR staff logon the forms are recorded by (named in the audit trail)",
    )
    rimp.add_argument("files", metavar="FILE.pdf", nargs="+")
    rimp.set_defaults(handler=_cmd_returned_forms_import)
    return parser


class RedactIds(logging.Formatter):
    """Log lines never carry a taxpayer's ID unmasked, whatever a message or traceback
    (a database error quoting a row, say) holds."""

    def format(self, record: logging.LogRecord) -> str:
        from mtc_desktop.domain.ids import redact_ids

        return redact_ids(super().format(record))


def configure_logging() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(RedactIds("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not any(isinstance(h.formatter, RedactIds) for h in root.handlers):
        root.addHandler(handler)
    root.setLevel(logging.WARNING)


def _program_only(argv: Sequence[str]) -> argparse.Namespace | None:
    """``argv`` read when it only starts the program (``--database``, ``--demo``), as the
    whole parser reads those two (the last ``--database`` counts), without building a
    parser: every command's parser would cost the start 8 ms, and even one of these two
    options alone a few (argparse looks for its translations on disk at every label).
    None for anything else (a command, --help, --version, a mistake, an abbreviation),
    which the whole parser reads and answers."""
    database: str | None = None
    demo = False
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--demo":
            demo = True
        elif arg.startswith("--database="):
            database = arg.removeprefix("--database=")
        elif arg == "--database" and rest and not rest[0].startswith("-"):
            database = rest.pop(0)
        else:
            return None
    return argparse.Namespace(database=database, demo=demo, handler=_cmd_run, command=None)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    args = _program_only(sys.argv[1:] if argv is None else argv)
    if args is not None:
        return args
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo-data" and not getattr(args, "database", None):
        parser.error("demo-data needs --database PATH_OR_URL")
    if args.command == "authorization-pdf":
        if not getattr(args, "database", None):
            parser.error("authorization-pdf needs --database PATH_OR_URL")
        if bool(args.number) == bool(args.all_pending):
            parser.error("authorization-pdf takes a REQUEST_NUMBER or --all-pending (one of them)")
        if args.third_party and not args.all_pending:
            parser.error("--third-party goes with --all-pending")
    if getattr(args, "clients", 0) < 0:
        parser.error("--clients must be 0 or more")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    configure_logging()
    args = _parse(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except MtcError as exc:
        print(f"mtc-desktop: {exc.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
