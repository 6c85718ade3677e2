"""The operator's commands: migrate, export, import, copy and report, straight on the database."""

from __future__ import annotations

import asyncio
import csv
import sys
from collections.abc import Iterator
from contextlib import ExitStack, closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import ConfigError, Settings, database_address
from bot.domain import snapshots as history
from bot.domain import weekly as summary
from bot.domain.lead import Lead, lead_keys
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
from bot.domain.report import speed_lines
from bot.domain.slack_user import USER_ID_EXAMPLE, is_user_id
from bot.domain.text import plural
from bot.domain.weekly import Weekly
from bot.domain.working_hours import WorkingHours
from bot.progress import bar
from storage import copy as copying
from storage import deliveries, leads, snapshot, snapshots
from storage import report as report_rows
from storage.db import Database, schema_version
from storage.engine import Address
from storage.progress import Advance

IMPORTED_BY = "import"
IMPORT_BATCH = 500


async def migrate(settings: Settings) -> int:
    db = await Database.open(settings.database, run_migrations=False)
    try:
        ran = await db.migrate(progress=bar)
        version = await schema_version(db.reader)
    finally:
        await db.close()
    print(f"{settings.database}: {plural(ran, 'migration')} applied, schema version {version}")
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
    db = await Database.open(settings.database)
    try:
        team_ids = teams or await leads.teams(db.reader)
        if not team_ids:
            print("No leads yet.")
            return 0
        since = now - timedelta(days=days)
        closed = await report_rows.closed_since(db.reader, team_ids, since)
        answers = await report_rows.answers_since(db.reader, team_ids, since)
        answered = await report_rows.answered_since(db.reader, team_ids, since)
        passed_on = await report_rows.passed_on_since(db.reader, team_ids, since)
        hours = {}
        for team_id in team_ids:
            workspace = await deliveries.get_settings(db.reader, team_id)
            hours[team_id] = WorkingHours.of(workspace.hours, workspace.digest_days, workspace.tz)
    finally:
        await db.close()
    speeds = speed_lines(answered, passed_on, hours.__getitem__)
    print(report_text(closed, answers, days, speeds=speeds))
    return 0


async def report_picture(settings: Settings, *, teams: list[str], path: str, now: datetime) -> int:
    """Write one workspace's weekly picture to ``path``, and print its three lines."""
    if len(teams) > 1:
        raise ConfigError("A picture shows one workspace: pass one --team.")
    db = await Database.open(settings.database)
    try:
        known = await deliveries.workspaces(db.reader)
        team_id = teams[0] if teams else (known[0] if len(known) == 1 else "")
        if not team_id:
            raise ConfigError(
                f"The database holds several workspaces ({', '.join(known)}): pass --team."
                if known
                else "The database has no workspace yet: nothing to draw."
            )
        workspace = await deliveries.get_settings(db.reader, team_id)
        weekly = await snapshots.weekly(db.reader, team_id, summary.today(workspace, now))
    finally:
        await db.close()
    written = await write_picture(weekly, workspace.tz, Path(path))
    print(f"wrote {written}: the weekly picture of {team_id}")
    for line in weekly.lines():
        print(f"  {line}")
    return 0


async def write_picture(weekly: Weekly, tz: str, path: Path) -> Path:
    """Draw the weekly picture into ``path`` (matplotlib loads here, only when asked)."""
    from handlers import pictures

    png = await asyncio.to_thread(pictures.weekly_png, weekly, tz)
    try:
        await asyncio.to_thread(path.write_bytes, png)
    except OSError as error:
        raise ConfigError(f"Can't write {path}: {error}") from None
    return path


async def export_snapshots(settings: Settings, *, team: str | None, out: str | None) -> int:
    """The daily pipeline history as CSV: every workspace's, or ``team``'s."""
    db = await Database.open(settings.database)
    try:
        team_ids = [team] if team else await deliveries.workspaces(db.reader)
    finally:
        await db.close()
    written = await asyncio.to_thread(_write_snapshots, settings.database, team_ids, out)
    if out:
        print(f"wrote {plural(written, 'day')} of pipeline history to {out}", file=sys.stderr)
    return 0


async def export(settings: Settings, *, team: str | None, out: str | None) -> int:
    """Every lead of the workspace as CSV; an empty database gives the header alone."""
    db = await Database.open(settings.database)
    try:
        known = await leads.teams(db.reader)
        team_id = team or ("" if not known else await _team(db, team))
        total = await leads.count(db.reader, team_id)
    finally:
        await db.close()
    written = await asyncio.to_thread(
        _export, settings.database, team_id, datetime.now(UTC), out, total
    )
    if out:
        print(f"wrote {plural(written, 'lead')} to {out}", file=sys.stderr)
    return 0


def _write_snapshots(where: Address, team_ids: list[str], out: str | None) -> int:
    with ExitStack() as stack:
        target = (
            stack.enter_context(open(out, "w", newline="", encoding="utf-8")) if out else sys.stdout
        )
        writer = csv.DictWriter(target, fieldnames=history.CSV_COLUMNS)
        writer.writeheader()
        written = 0
        # Closed in this thread, as the leads' export is (see ``_export``).
        for page in stack.enter_context(closing(snapshot.history_of(where, team_ids))):
            writer.writerows(history.csv_row(row) for row in page)
            written += len(page)
        return written


def _export(where: Address, team_id: str, now: datetime, out: str | None, total: int) -> int:
    with ExitStack() as stack:
        target = (
            stack.enter_context(open(out, "w", newline="", encoding="utf-8")) if out else sys.stdout
        )
        # Closed here, in this thread, even when the reader of a pipe has gone: its
        # connection belongs to this thread and can't be closed from another.
        batches = stack.enter_context(closing(snapshot.leads_of(where, team_id)))
        if not out:  # the CSV is on standard output: no bar beside it
            return write_leads(batches, now, target)
        with bar("exporting", total) as advance:
            return write_leads(_counted(batches, advance), now, target)


def _counted(batches: Iterator[list[Lead]], advance: Advance) -> Iterator[list[Lead]]:
    for batch in batches:
        yield batch
        advance(len(batch))


def _read(
    path: str, owner: str | None, now: datetime, *, day_first: bool = False
) -> tuple[list[ImportedLead], list[str], list[str]]:
    """Good rows, problems by line, and the columns nobody reads."""
    good: list[ImportedLead] = []
    problems: list[str] = []
    # Bytes that aren't UTF-8 are read as lone surrogates, which the text rule refuses by row.
    with open(path, newline="", encoding="utf-8-sig", errors="surrogateescape") as source:
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
                good.append(
                    parse_row(renamed(row, meant), reader.line_num, owner, now, day_first=day_first)
                )
            except BadRow as error:
                problems.append(f"line {reader.line_num}: {error}")
    return good, problems, ignored


async def _insert(db: Database, team_id: str, rows: list[ImportedLead], now: datetime) -> None:
    """Insert in short transactions, so the running bot's writes never wait long."""
    with bar("importing", len(rows)) as advance:
        for start in range(0, len(rows), IMPORT_BATCH):
            batch = rows[start : start + IMPORT_BATCH]
            async with db.transaction() as conn:
                await leads.insert_imported(conn, team_id, batch, created_by=IMPORTED_BY, now=now)
            advance(len(batch))


async def import_csv(
    settings: Settings,
    path: str,
    *,
    team: str | None,
    owner: str | None,
    dry_run: bool,
    day_first: bool = False,
) -> int:
    now = datetime.now(UTC)
    if owner and not is_user_id(owner):
        raise ConfigError(f"--owner must be a Slack user id like {USER_ID_EXAMPLE}, not {owner!r}.")
    try:
        rows, problems, ignored = _read(path, owner, now, day_first=day_first)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ConfigError(f"Can't read {path}: {error}") from None
    db = await Database.open(settings.database)
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


async def copy(source_url: str, target_url: str, *, force: bool) -> int:
    """``copy SOURCE_URL TARGET_URL``: every workspace's data, counted on both sides."""
    source_address, target_address = database_address(source_url), database_address(target_url)
    if source_address == target_address:
        raise ConfigError("SOURCE_URL and TARGET_URL are the same database.")
    source = await Database.open(source_address, run_migrations=False)
    try:
        target = await Database.open(target_address, progress=bar)
        try:
            copied = await copying.copy(source, target, force=force, progress=bar)
        finally:
            await target.close()
    finally:
        await source.close()
    print(
        f"copied {copied.rows} rows in {len(copied.counts)} tables from {source_address} "
        f"to {target_address}; counts match"
    )
    return 0
