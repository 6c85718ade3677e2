"""The operator's commands: migrate, export, import and report, straight on the database."""

from __future__ import annotations

import asyncio
import csv
import sys
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import ConfigError, Settings
from bot.domain.lead import lead_keys
from bot.domain.lead_csv import (
    BadRow,
    ImportedLead,
    delimiter,
    header_columns,
    parse_row,
    renamed,
    write_leads,
)
from bot.domain.report import report as report_text
from bot.domain.text import plural
from storage import leads, snapshot
from storage import report as report_rows
from storage.db import Database, schema_version

IMPORTED_BY = "import"
IMPORT_BATCH = 500


async def migrate(settings: Settings) -> int:
    db = await Database.open(settings.database_path, run_migrations=False)
    try:
        ran = await db.migrate()
        version = await schema_version(db.reader)
    finally:
        await db.close()
    print(f"{settings.database_path}: {plural(ran, 'migration')} applied, schema version {version}")
    return 0


async def _team(db: Database, team: str | None) -> str:
    """The workspace asked for, or the only one there is."""
    if team:
        return team
    known = await leads.teams(db.reader)
    if len(known) == 1:
        return known[0]
    if not known:
        raise ConfigError(
            "The database has no leads yet; pass --team T… to import into a workspace."
        )
    raise ConfigError(f"The database holds several workspaces ({', '.join(known)}): pass --team.")


async def report(settings: Settings, *, teams: list[str], days: int, now: datetime) -> int:
    """Print the report: win rates by band 14 days before the close, source and rep."""
    db = await Database.open(settings.database_path)
    try:
        team_ids = teams or await leads.teams(db.reader)
        if not team_ids:
            print("No leads yet.")
            return 0
        since = now - timedelta(days=days)
        closed = await report_rows.closed_since(db.reader, team_ids, since)
        answers = await report_rows.answers_since(db.reader, team_ids, since)
    finally:
        await db.close()
    print(report_text(closed, answers, days))
    return 0


async def export(settings: Settings, *, team: str | None, out: str | None) -> int:
    """Every lead of the workspace as CSV; an empty database gives the header alone."""
    db = await Database.open(settings.database_path)
    try:
        known = await leads.teams(db.reader)
        team_id = team or ("" if not known else await _team(db, team))
    finally:
        await db.close()
    written = await asyncio.to_thread(
        _export, settings.database_path, team_id, datetime.now(UTC), out
    )
    if out:
        print(f"wrote {plural(written, 'lead')} to {out}", file=sys.stderr)
    return 0


def _export(path: Path, team_id: str, now: datetime, out: str | None) -> int:
    with ExitStack() as stack:
        target = (
            stack.enter_context(open(out, "w", newline="", encoding="utf-8")) if out else sys.stdout
        )
        return write_leads(snapshot.leads_of(path, team_id), now, target)


def _read(
    path: str, owner: str | None, now: datetime
) -> tuple[list[ImportedLead], list[str], list[str]]:
    """Good rows, problems by line, and the columns nobody reads."""
    good: list[ImportedLead] = []
    problems: list[str] = []
    with open(path, newline="", encoding="utf-8-sig") as source:
        separator = delimiter(source.readline())
        source.seek(0)  # the decoder starts again and takes the BOM off again
        reader = csv.DictReader(source, delimiter=separator)
        meant, ignored = header_columns(reader.fieldnames or [])
        if "name" not in meant.values():
            raise ConfigError(
                f"{path} has no name column (`name` or `full name`); the first row must name "
                "the columns."
            )
        for row in reader:
            try:
                good.append(parse_row(renamed(row, meant), reader.line_num, owner, now))
            except BadRow as error:
                problems.append(f"line {reader.line_num}: {error}")
    return good, problems, ignored


async def _insert(db: Database, team_id: str, rows: list[ImportedLead], now: datetime) -> None:
    """Insert in short transactions, so the running bot's writes never wait long."""
    for start in range(0, len(rows), IMPORT_BATCH):
        async with db.transaction() as conn:
            await leads.insert_imported(
                conn, team_id, rows[start : start + IMPORT_BATCH], created_by=IMPORTED_BY, now=now
            )


async def import_csv(
    settings: Settings, path: str, *, team: str | None, owner: str | None, dry_run: bool
) -> int:
    now = datetime.now(UTC)
    try:
        rows, problems, ignored = _read(path, owner, now)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ConfigError(f"Can't read {path}: {error}") from None
    db = await Database.open(settings.database_path)
    try:
        team_id = await _team(db, team)
        seen = await leads.duplicate_keys(db.reader, team_id)
        fresh = []
        for row in rows:
            keys = lead_keys(row.name, row.company, row.email)
            if keys & seen:
                problems.append(f"line {row.line}: skipped, “{row.name}” is already there")
                continue
            seen |= keys
            fresh.append(row)
        if not dry_run:
            await _insert(db, team_id, fresh, now)
    finally:
        await db.close()
    imported = len(fresh)
    if ignored:
        print(f"ignored columns: {', '.join(ignored)}", file=sys.stderr)
    for problem in sorted(problems, key=lambda p: int(p.split()[1].rstrip(":"))):
        print(problem, file=sys.stderr)
    verb = "would import" if dry_run else "imported"
    print(f"{verb} {plural(imported, 'lead')}; {plural(len(problems), 'row')} skipped or refused")
    return 0
