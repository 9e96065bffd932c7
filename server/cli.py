"""The ``jumelage`` command. Every failure is one line on stderr and a non-zero exit."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import socket
import sys
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from models import db
from models.config import ConfigError, Settings, load_settings
from models.errors import ModelError

Command = Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]


class CliError(Exception):
    """A problem to report in one line."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jumelage", description="Jumelage community server")
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=int,
        help="server processes on the port (default: one per core on PostgreSQL; SQLite "
        "allows only 1, as its writers would fail each other's transactions)",
    )
    sub.add_parser("migrate", help="apply pending database migrations")
    sub.add_parser("demo", help="fill an empty instance with sample data")
    sub.add_parser("worker", help="run the queues (inbox, deliveries, mail) only")
    domains = sub.add_parser("domains", help="block remote domains").add_subparsers(
        dest="action", required=True
    )
    block = domains.add_parser("block", help="block a domain and its subdomains")
    block.add_argument("domain")
    block.add_argument("--severity", choices=["suspend", "silence"], default="suspend")
    block.add_argument("--reason", default="")
    domains.add_parser("unblock", help="lift a block").add_argument("domain")
    domains.add_parser("list", help="list blocks")
    users = sub.add_parser("users", help="manage accounts").add_subparsers(
        dest="action", required=True
    )
    create = users.add_parser("create", help="create an account")
    create.add_argument("name")
    create.add_argument("--email", required=True)
    create.add_argument("--password", required=True)
    create.add_argument("--admin", action="store_true")
    users.add_parser("list", help="list accounts")
    for action in ("suspend", "unsuspend"):
        users.add_parser(action, help=f"{action} an account").add_argument("name")
    tw = sub.add_parser("twinnings", help="manage twinnings").add_subparsers(
        dest="action", required=True
    )
    tcreate = tw.add_parser("create", help="create a twinning")
    tcreate.add_argument("slug")
    tcreate.add_argument("--title", required=True)
    tcreate.add_argument("--owner", required=True)
    tcreate.add_argument("--language", default="en", choices=["fr", "en", "es"])
    media = sub.add_parser("media", help="uploaded files").add_subparsers(
        dest="action", required=True
    )
    media.add_parser(
        "strip-metadata",
        help="replace pictures stored before uploads were cleaned by a copy without EXIF/GPS",
    )
    sub.add_parser("check", help="check the settings, the database and the public address")
    backup = sub.add_parser("backup", help="write the whole node to one archive (.tar.gz)")
    backup.add_argument("file", type=Path)
    backup.add_argument("--json", action="store_true", help="print a JSON summary")
    restore = sub.add_parser("restore", help="restore an archive into an empty node")
    restore.add_argument("file", type=Path)
    restore.add_argument("--json", action="store_true", help="print a JSON summary")
    restore.add_argument(
        "--database-url", help="restore into this database instead (SQLite to PostgreSQL, say)"
    )
    _add_mail_commands(sub)
    return p


async def _with_db(settings: Settings, work: Callable[[], Awaitable[int]]) -> int:
    from server.app import PendingMigrations, prepare_database

    try:
        await prepare_database(settings)
    except PendingMigrations as exc:
        raise CliError(f"the database needs migrations ({exc}); run: jumelage migrate") from exc
    try:
        return await work()
    finally:
        await db.close()


async def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    await db.migrate(settings)
    await db.close()
    print("database is up to date")
    return 0


async def cmd_users(settings: Settings, args: argparse.Namespace) -> int:
    from models.accounts import Account, create_account

    async def work() -> int:
        if args.action == "create":
            role = "admin" if args.admin else "user"
            account = await create_account(args.name, args.email, args.password, role=role)
            print(f"created {role} {account.username}")
        elif args.action == "list":
            for a in await Account.all().order_by("username"):
                print(f"{a.username}\t{a.email}\t{a.role}\t{a.state}")
        else:
            found = await Account.get_or_none(username=args.name.lower())
            if found is None:
                raise CliError(f"no account named {args.name!r}")
            found.state = "suspended" if args.action == "suspend" else "active"
            await found.save(update_fields=["state"])
            print(f"{found.username} is now {found.state}")
        return 0

    return await _with_db(settings, work)


async def cmd_twinnings(settings: Settings, args: argparse.Namespace) -> int:
    from models.accounts import Account
    from models.twinnings import TwinningInput, create_twinning

    async def work() -> int:
        owner = await Account.get_or_none(username=args.owner.lower(), state="active")
        if owner is None:
            raise CliError(f"no active account named {args.owner!r} (--owner)")
        data = TwinningInput(title={args.language: args.title}, primary_language=args.language)
        twinning = await create_twinning(owner, args.slug, data)
        print(f"created twinning {twinning.slug}: {settings.base_url}/t/{twinning.slug}")
        return 0

    return await _with_db(settings, work)


async def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from models.demo import fill_demo

    async def work() -> int:
        summary = await fill_demo()
        print(summary)
        return 0

    return await _with_db(settings, work)


async def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    from federation import worker
    from federation.context import Federation
    from server import mailer

    async def work() -> int:
        fed = await Federation.start(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        print("federation worker running; stop with Ctrl-C")
        try:
            if settings.smtp_url:  # the mail queue goes with the federation queues
                await asyncio.gather(worker.run(fed, stop), mailer.run(settings, stop))
            else:
                await worker.run(fed, stop)
        finally:
            await fed.close()
        return 0

    return await _with_db(settings, work)


def _count(n: int, thing: str, things: str, what: str) -> str:
    return f"{n} {thing if n == 1 else things} {what}"


async def cmd_domains(settings: Settings, args: argparse.Namespace) -> int:
    """Blocking says what the block did (memberships suspended, follows held back, pending
    deliveries given up); lifting it, which memberships are active again."""
    from models.domain_blocks import block_domain, lift_block
    from models.remote import DomainBlock

    async def work() -> int:
        if args.action == "list":
            for b in await DomainBlock.all().order_by("domain"):
                print(f"{b.domain}\t{b.severity}\t{b.reason}")
            return 0
        domain = args.domain.strip().lower().rstrip(".")
        if not domain or "/" in domain or " " in domain:
            raise CliError(f"not a domain name: {args.domain!r}")
        if args.action == "block":
            done = await block_domain(domain, args.severity, args.reason)
            effects = ", ".join(
                [
                    _count(done.memberships, "membership", "memberships", "suspended"),
                    _count(done.follows, "follow", "follows", "held back"),
                    _count(done.deliveries, "pending delivery", "pending deliveries", "given up"),
                ]
            )
            print(f"{domain} is blocked ({args.severity}): {effects}")
            return 0
        lifted = await lift_block(domain)
        if lifted is None:
            raise CliError(f"{domain} was not blocked")
        restored = _count(lifted.memberships, "membership", "memberships", "active again")
        print(f"{domain} is no longer blocked: {restored}")
        return 0

    return await _with_db(settings, work)


def _check_bind(host: str, port: int) -> None:
    """Hypercorn reports a taken port with pages of tracebacks; say it in one line first."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise CliError(f"--port: cannot listen on {host}:{port}: {exc.strerror}") from exc


def _workers(settings: Settings, asked: int | None) -> int:
    from server.serving import default_workers

    if asked is None:
        return default_workers(settings)
    if not 1 <= asked <= 64:
        raise CliError(f"--workers: give a number from 1 to 64, not {asked}")
    if asked > 1 and settings.is_sqlite:
        raise CliError(
            "--workers: SQLite allows one server process (writers in several processes fail "
            "each other's transactions); use PostgreSQL (JUMELAGE_DATABASE_URL) for more"
        )
    return asked


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from server.app import PendingMigrations
    from server.serving import hypercorn_config, pending_migrations, run_many, run_one

    workers = _workers(settings, args.workers)
    _check_bind(args.host, args.port)
    if workers > 1:  # each process would refuse on its own; say it once
        pending = asyncio.run(pending_migrations(settings))
        if pending:
            raise CliError(
                f"the database needs migrations ({', '.join(pending)}); run: jumelage migrate"
            )
    known = f"known as {settings.base_url}" + (f", {workers} processes" if workers > 1 else "")
    print(f"Jumelage is starting on http://{args.host}:{args.port}/ ({known})")
    print(f"Data: {settings.data_dir}. Create the first admin with:")
    print("  jumelage users create NAME --email E --password P --admin")
    if workers > 1:
        return run_many(settings, args.host, args.port, workers)
    try:
        run_one(settings, hypercorn_config(args.host, args.port, 1, settings.access_log))
    except PendingMigrations as exc:
        raise CliError(f"the database needs migrations ({exc}); run: jumelage migrate") from exc
    return 0


async def cmd_media(settings: Settings, args: argparse.Namespace) -> int:
    from models.media import strip_stored_metadata

    async def work() -> int:
        cleaned, problems = await strip_stored_metadata(settings.data_dir)
        print(f"{cleaned} picture(s) cleaned of their metadata, with a thumbnail")
        for problem in problems:
            print(f"jumelage: not cleaned (left as it is): {problem}", file=sys.stderr)
        return 1 if problems else 0

    return await _with_db(settings, work)


def _progress(total: int | None, quiet: bool) -> tuple[Callable[[str, int], None], Any]:
    """A progress bar on the terminal (none when piped or with --json)."""
    from tqdm import tqdm

    bar = tqdm(total=total, unit="row", disable=True if quiet else None, file=sys.stderr)

    def advance(what: str, n: int) -> None:
        bar.set_description(what, refresh=False)
        bar.update(n)

    return advance, bar


def _summary(manifest: Any, file: Path, as_json: bool, verb: str) -> None:
    rows = sum(manifest.rows.values())
    files = sum(1 for n in manifest.files if n.startswith("files/"))
    if as_json:
        totals = {"file": str(file), "row_count": rows, "file_count": files}
        print(json.dumps({**asdict(manifest), **totals}))
    else:
        print(f"{verb} {file}: {rows} rows of {len(manifest.rows)} tables, {files} files")


async def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    from server.check import run_checks

    async def work() -> int:
        outcomes = await run_checks(settings)
        for outcome in outcomes:
            print(f"{'ok  ' if outcome.ok else 'FAIL'} {outcome.name}: {outcome.detail}")
        return 0 if all(o.ok for o in outcomes) else 1

    return await _with_db(settings, work)


async def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from models.backup import write_backup

    if args.file.is_dir() or not args.file.parent.is_dir():
        raise CliError(f"{args.file}: give a file name in an existing folder")

    async def work() -> int:
        advance, bar = _progress(None, args.json)
        with bar:
            manifest = await write_backup(settings, args.file, advance)
        _summary(manifest, args.file, args.json, "backed up into")
        return 0

    return await _with_db(settings, work)


async def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from models.backup import read_manifest, restore_backup

    if not args.file.is_file():
        raise CliError(f"{args.file}: no such backup file")
    if args.database_url:
        settings = replace(settings, database_url=args.database_url)
    manifest = read_manifest(args.file)
    await db.migrate(settings)

    async def work() -> int:
        total = sum(manifest.rows.values()) + len(manifest.files) - 1
        advance, bar = _progress(total, args.json)
        with bar:
            restored = await restore_backup(settings, args.file, advance)
        _summary(restored, args.file, args.json, "restored from")
        return 0

    return await _with_db(settings, work)


def _add_mail_commands(sub: Any) -> None:
    mail = sub.add_parser("mail", help="discussions by e-mail").add_subparsers(
        dest="action", required=True
    )
    receive = mail.add_parser("receive", help="take one message on standard input (a pipe)")
    receive.add_argument("--sender", help="the envelope sender (default: Return-Path, From)")
    receive.add_argument(
        "--recipient", action="append", default=[], help="an envelope recipient (repeatable)"
    )
    listen = mail.add_parser("serve", help="an SMTP (or LMTP) listener for the mail server")
    listen.add_argument("--listen", default="127.0.0.1:8025", metavar="HOST:PORT")
    listen.add_argument("--lmtp", action="store_true", help="speak LMTP instead of SMTP")


EX_TEMPFAIL = 75  # sysexits.h: the mail server keeps the message and tries again


async def cmd_mail(settings: Settings, args: argparse.Namespace) -> int:
    """``receive`` exits 0 once the message is stored (then processes it), 2 for a message
    to bounce, 75 when the database is out of reach or behind (the mail server retries)."""
    from server import mail_in_listener

    if args.action == "serve":
        host, _, port = args.listen.rpartition(":")
        if not host or not port.isdigit():
            raise CliError(f"--listen: give HOST:PORT, not {args.listen!r}")
        _check_bind(host.strip("[]"), int(port))

        async def listen() -> int:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            await mail_in_listener.serve(settings, host.strip("[]"), int(port), args.lmtp, stop)
            return 0

        return await _with_db(settings, listen)
    return await _receive_mail(settings, args)


async def _receive_mail(settings: Settings, args: argparse.Namespace) -> int:
    from models.inbound_mail import MAX_MESSAGE
    from models.mail import list_domain
    from server import mail_in, mail_in_listener

    raw = sys.stdin.buffer.read(MAX_MESSAGE + 1)
    if len(raw) > MAX_MESSAGE:
        raise CliError("message too large (more than 25 MB)")
    if not raw.strip():
        raise CliError("no message on standard input")
    recipients = mail_in_listener.pipe_recipients(raw, args.recipient, list_domain(settings))
    if not recipients:
        raise CliError("no recipient: give --recipient ADDRESS")
    sender = mail_in_listener.pipe_sender(raw, args.sender)

    async def work() -> int:
        await mail_in_listener.accept(raw, recipients, sender)
        try:  # stored is delivered: what goes wrong now waits for the next pass
            await mail_in.process_pending(settings)
        except Exception:
            logging.getLogger("jumelage.mail").exception("stored mail not processed yet")
        return 0

    try:
        return await _with_db(settings, work)
    except (ConfigError, CliError) as exc:  # not stored: the mail server keeps it for later
        print(f"jumelage: {exc}", file=sys.stderr)
        return EX_TEMPFAIL


COMMANDS: dict[str, Command] = {
    "migrate": cmd_migrate,
    "users": cmd_users,
    "twinnings": cmd_twinnings,
    "demo": cmd_demo,
    "worker": cmd_worker,
    "domains": cmd_domains,
    "media": cmd_media,
    "check": cmd_check,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "mail": cmd_mail,
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # Hypercorn logs requests and start-up with handlers of its own; the rest warns and errs.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        port = args.port if args.command == "serve" else None
        settings = load_settings(listen_port=port)
        if args.command == "serve":
            return cmd_serve(settings, args)
        return asyncio.run(COMMANDS[args.command](settings, args))
    except (ConfigError, CliError) as exc:
        print(f"jumelage: {exc}", file=sys.stderr)
        return 2
    except ModelError as exc:
        message = exc.message % exc.params if exc.params else exc.message
        print(f"jumelage: {exc.field}: {message}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"jumelage: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
