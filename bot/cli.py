"""``hotleads`` / ``python -m bot``: serve, migrate, export and import.

This is an entry point: the only place that loads ``.env`` and reads the
process environment. ``.env`` is read from the working directory only, never
searched for up the tree: run the bot where its ``.env`` is, and a process
started anywhere else (the tests start theirs in a temporary folder) finds none.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from dotenv import load_dotenv

from bot import admin, demo, hook_admin, workspace_admin
from bot.config import ConfigError, Settings
from bot.domain import grammar
from bot.domain.dates import DateError, from_iso
from bot.domain.grammar import fields
from bot.domain.hooks import DEFAULT_KIND, TYPES
from bot.domain.text import UnreadableText, clean
from storage.copy import CopyRefused
from storage.db import AlreadyServing, DatabaseUnavailable, storage_failure
from storage.engine import Address
from storage.schema import SchemaTooNew

EXIT_USAGE = 2
EXIT_PIPE_CLOSED = 141
"""What a shell reports for a command whose reader went away (128 + SIGPIPE)."""
DOTENV = Path(".env")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="hotleads", description="Slack app that tells a sales team which leads are hot."
    )
    commands = top.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("serve", help="run the Slack app (the default)")
    commands.add_parser(
        "worker", help="send digests, reminders and follow-ups as they fall due; serve no Slack"
    )
    commands.add_parser("help", help="show this help (like --help)")
    commands.add_parser("migrate", help="bring the database schema up to date")

    export = commands.add_parser("export", help="write leads as CSV")
    export.add_argument("--team", help="Slack team id (needed when the database has several)")
    export.add_argument("--out", help="file to write (default: standard output)")
    export.add_argument(
        "--snapshots", action="store_true", help="write the daily pipeline history instead"
    )

    rep = commands.add_parser("report", help="is the score right? win rates of closed leads")
    rep.add_argument(
        "--team", action="append", default=[], help="Slack team id (repeat it; default: all)"
    )
    rep.add_argument("--days", type=_days, default=90, help="window in days (default: 90)")
    rep.add_argument(
        "--picture", metavar="FILE", help="write the weekly picture (PNG) of one workspace here"
    )

    due = commands.add_parser("run-due", help="send the digests and reminders due now")
    due.add_argument(
        "--now", type=_moment, help="act as if it were this ISO 8601 time (naive means UTC)"
    )

    demo_cmd = commands.add_parser(
        "demo", help="show the next digest morning's messages for a sample team"
    )
    demo_cmd.add_argument(
        "--picture", metavar="FILE", help="where to write its weekly picture (default: a temp file)"
    )
    demo_cmd.add_argument(
        "--db",
        type=_where,
        help="keep the sample database here: a file or postgresql://… (default: thrown away)",
    )

    copy = commands.add_parser(
        "copy", help="copy every workspace's data to another database (SQLite to PostgreSQL)"
    )
    copy.add_argument("source", metavar="SOURCE_URL", help="sqlite:///hotleads.db, postgresql://…")
    copy.add_argument("target", metavar="TARGET_URL", help="where to copy to, migrated first")
    copy.add_argument("--force", action="store_true", help="replace what the target holds")
    imp = commands.add_parser("import", help="read leads from CSV, skipping duplicates")
    imp.add_argument("file", help="CSV file with the export's columns (only name is required)")
    imp.add_argument("--team", help="Slack team id (needed unless the database has exactly one)")
    imp.add_argument("--owner", help="Slack user id for rows without an owner")
    imp.add_argument("--dry-run", action="store_true", help="check the file, store nothing")
    imp.add_argument(
        "--day-first",
        action="store_true",
        help="the file writes 3/4/2025 as 3 April (default: month first, as US spreadsheets)",
    )

    hooks_cmd = commands.add_parser("hooks", help="make, list and revoke inbound webhooks")
    hook_commands = hooks_cmd.add_subparsers(dest="hooks_command", metavar="ACTION", required=True)
    new = hook_commands.add_parser("new", help="make a hook and print its URL and secret once")
    new.add_argument("--team", required=True, help="Slack team id the leads go to")
    new.add_argument("--type", choices=TYPES, default="generic", help="who sends (default generic)")
    new.add_argument(
        "--kind",
        type=_kind,
        default=DEFAULT_KIND,
        help=f"what a delivery counts as, e.g. quote (default {DEFAULT_KIND})",
    )
    new.add_argument("--owner", help="Slack user id who gets the leads without an owner")
    new.add_argument("--json", action="store_true", help='print {"id", "url", "secret"}')
    listing = hook_commands.add_parser("list", help="the hooks, with use and last error")
    listing.add_argument("--team", help="only this Slack team's")
    revoke = hook_commands.add_parser("revoke", help="turn a hook off for good")
    revoke.add_argument("hook_id", metavar="HOOK_ID")

    commands.add_parser("openapi", help="print the inbound hooks' OpenAPI document")
    commands.add_parser("keygen", help="print a new HOTLEADS_ENCRYPTION_KEY")
    workspaces = commands.add_parser(
        "workspaces", help="list the workspaces that installed hotleads"
    )
    workspaces.add_argument(
        "--reseal", action="store_true", help="seal every token again with the newest key first"
    )
    return top


def _where(text: str) -> Path | Address:
    """A file, or a database URL (``postgresql://…``, ``sqlite:///…``)."""
    try:
        return Address.parse(text)
    except ValueError:
        return Path(text)


def _moment(text: str) -> datetime:
    try:
        return from_iso(text, datetime.now(UTC), plan=True)
    except DateError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _kind(text: str) -> str:
    """A kind of touch as ``/lead log`` reads it; a typo gets the slash command's suggestion."""
    known = grammar.known_kind(text)
    if known is None:
        guess = fields.suggest_kind(text)
        raise argparse.ArgumentTypeError(
            str(grammar.unknown("kind", text, guess, None, ", ".join(grammar.KINDS)))
        )
    return known


def _days(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 3650:
        raise argparse.ArgumentTypeError(f"{text!r} isn't a number of days from 1 to 3650")
    return int(text)


TYPED = ("team", "owner", "kind", "hook_id")
"""Arguments that are text someone typed (file names are not): read by the one text rule."""


def _typed(args: argparse.Namespace) -> None:
    for name in TYPED:
        value = getattr(args, name, None)
        if isinstance(value, list):
            setattr(args, name, [clean(item, f"--{name}") for item in value])
        elif isinstance(value, str):
            setattr(args, name, clean(value, f"--{name}" if name != "hook_id" else "HOOK_ID"))


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        _typed(args)
    except UnreadableText as error:
        print(f"hotleads: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "help":
        parser().print_help()
        return 0
    load_dotenv(DOTENV)
    command = args.command or "serve"
    if command == "keygen":  # before the settings: they may be waiting for this very key
        return workspace_admin.keygen()
    try:
        settings = Settings.from_env(
            os.environ, need_slack=command in ("serve", "worker", "run-due")
        )
    except ConfigError as error:
        return _stop(str(error))
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        return asyncio.run(_run(command, args, settings))
    except (ConfigError, SchemaTooNew, AlreadyServing, CopyRefused) as error:
        return _stop(str(error))
    except DatabaseUnavailable as error:
        return _stop(_unavailable(error, settings))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_gone()
    except Exception as error:  # a write the database refused half-way (disk full, read-only)
        cause = storage_failure(error)
        if cause is None:
            raise
        return _stop(f"DATABASE_URL ({settings.database}) refused a write: {cause}.")


def _stop(sentence: str) -> int:
    print(f"hotleads: {sentence}", file=sys.stderr)
    return EXIT_USAGE


def _unavailable(error: DatabaseUnavailable, settings: Settings) -> str:
    """One sentence naming where the database was set and why it can't be used."""
    named = "DATABASE_URL" if error.address == settings.database else "the database"
    return f"can't use {named} ({error.address}): {error.cause.rstrip('.')}."


def _reader_gone() -> int:
    """``export | head``: the reader has what it wanted; end quietly, as ``cat`` would."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # the flush at exit must not fail again
    return EXIT_PIPE_CLOSED


async def _hooks(args: argparse.Namespace, settings: Settings) -> int:
    if args.hooks_command == "new":
        return await hook_admin.new(
            settings,
            team=args.team,
            type=args.type,
            kind=args.kind,
            owner=args.owner,
            as_json=args.json,
        )
    if args.hooks_command == "list":
        return await hook_admin.list_hooks(settings, team=args.team)
    return await hook_admin.revoke(settings, args.hook_id)


async def _run(command: str, args: argparse.Namespace, settings: Settings) -> int:
    # Slack's libraries are loaded only by the commands that talk to Slack:
    # an export or import starts half a second sooner without them.
    if command == "serve":
        from bot.serve import serve

        await serve(settings)
        return 0
    if command == "worker":
        from bot.serve import work

        await work(settings)
        return 0
    if command == "run-due":
        from bot import runner

        return await runner.run_due_once(settings, args.now or datetime.now(UTC))
    if command == "demo":
        return await demo.show(datetime.now(UTC), args.db, args.picture)
    if command == "migrate":
        return await admin.migrate(settings)
    if command == "hooks":
        return await _hooks(args, settings)
    if command == "workspaces":
        return await workspace_admin.list_workspaces(settings, reseal=args.reseal)
    if command == "openapi":
        from bot.openapi import text

        sys.stdout.write(text())
        return 0
    if command == "copy":
        return await admin.copy(args.source, args.target, force=args.force)
    if command == "export" and args.snapshots:
        return await admin.export_snapshots(settings, team=args.team, out=args.out)
    if command == "export":
        return await admin.export(settings, team=args.team, out=args.out)
    if command == "report" and args.picture:
        return await admin.report_picture(
            settings, teams=args.team, path=args.picture, now=datetime.now(UTC)
        )
    if command == "report":
        return await admin.report(settings, teams=args.team, days=args.days, now=datetime.now(UTC))
    return await admin.import_csv(
        settings,
        args.file,
        team=args.team,
        owner=args.owner,
        dry_run=args.dry_run,
        day_first=args.day_first,
    )
