"""Leads as CSV rows: the export's columns, and checking rows on the way in.

The column names and their order are a contract with spreadsheets and
scripts: change them only with a migration path for their users.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

from bot.domain import grammar
from bot.domain.dates import DateError, check_plausible
from bot.domain.lead import Lead
from bot.domain.temperature import band_for, score
from bot.domain.vocabulary import SOURCES, STATUSES, Source, Status

COLUMNS = (
    "id",
    "name",
    "company",
    "email",
    "phone",
    "source",
    "owner",
    "status",
    "temperature",
    "score",
    "interactions",
    "last_touch_at",
    "snoozed_until",
    "created_at",
)
USER_ID = re.compile(r"^[UW][A-Z0-9]+$")


def iso(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def export_row(lead: Lead, now: datetime) -> dict[str, str]:
    points = score(lead.source, lead.created_at, lead.signals, now)
    return {
        "id": str(lead.number),
        "name": lead.name,
        "company": lead.company,
        "email": lead.email,
        "phone": lead.phone,
        "source": lead.source,
        "owner": lead.owner,
        "status": lead.status,
        "temperature": band_for(points),
        "score": str(points),
        "interactions": str(lead.touch_count),
        "last_touch_at": iso(lead.last_touch_at),
        "snoozed_until": iso(lead.snoozed_until),
        "created_at": iso(lead.created_at),
    }


def write_leads(
    batches: Iterable[list[Lead]], now: datetime, target: TextIO, band: str = "all"
) -> int:
    """Write every lead, or the open ones in ``band``, as export rows; returns how many."""
    writer = csv.DictWriter(target, fieldnames=COLUMNS)
    writer.writeheader()
    written = 0
    for batch in batches:
        rows = [export_row(lead, now) for lead in batch]
        if band != "all":
            rows = [row for row in rows if row["status"] == "open" and row["temperature"] == band]
        writer.writerows(rows)
        written += len(rows)
    return written


@dataclass(frozen=True)
class ImportedLead:
    line: int
    name: str
    company: str
    email: str
    phone: str
    source: Source
    owner: str
    status: Status
    created_at: datetime | None
    last_touch_at: datetime | None
    snoozed_until: datetime | None


class BadRow(ValueError):
    """A row that can't be imported; the message says why."""


def _time(row: dict[str, str], column: str, now: datetime) -> datetime | None:
    text = (row.get(column) or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRow(
            f"{column} “{text}” is not an ISO 8601 time like 2026-01-31T09:00:00Z"
        ) from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    plan = column == "snoozed_until"
    if not plan and moment > now:
        raise BadRow(f"{column} {text} is in the future")
    try:
        check_plausible(moment, now, text, plan=plan)
    except DateError as error:
        raise BadRow(f"{column}: {error}") from None
    return moment


def _text(row: dict[str, str], column: str, limit: int) -> str:
    value = " ".join((row.get(column) or "").split())
    if len(value) > limit:
        raise BadRow(f"{column} is {len(value)} characters long; the limit is {limit}")
    return value


def parse_row(
    row: dict[str, str], line: int, default_owner: str | None, now: datetime
) -> ImportedLead:
    """Check one CSV row; raise BadRow naming what is wrong."""
    name = _text(row, "name", grammar.MAX_NAME)
    if not name:
        raise BadRow("name is empty")
    email = _text(row, "email", grammar.MAX_FIELD)
    if email and not grammar.is_email(email):
        raise BadRow(f"email “{email}” is not an email address")
    source = _text(row, "source", grammar.MAX_FIELD).lower() or "cold"
    source = grammar.SOURCE_ALIASES.get(source, source)
    if source not in SOURCES:
        raise BadRow(f"source “{source}” is not one of {', '.join(SOURCES)}")
    owner = _text(row, "owner", grammar.MAX_FIELD) or (default_owner or "")
    if not owner:
        raise BadRow("owner is empty: add the column or pass --owner U…")
    if not USER_ID.match(owner):
        raise BadRow(f"owner “{owner}” is not a Slack user id like U0123ABCD")
    status = _text(row, "status", grammar.MAX_FIELD).lower() or "open"
    if status not in STATUSES:
        raise BadRow(f"status “{status}” is not one of {', '.join(STATUSES)}")
    return ImportedLead(
        line=line,
        name=name,
        company=_text(row, "company", grammar.MAX_FIELD),
        email=email,
        phone=_text(row, "phone", grammar.MAX_FIELD),
        source=source,
        owner=owner,
        status=status,
        created_at=_time(row, "created_at", now),
        last_touch_at=_time(row, "last_touch_at", now),
        snoozed_until=_time(row, "snoozed_until", now),
    )
