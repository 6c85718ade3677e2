"""Leads as CSV rows: the export's columns, and checking rows on the way in.

The column names and their order are a contract with spreadsheets and
scripts: change them only with a migration path for their users.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

from bot.domain import grammar
from bot.domain.dates import DateError, read_cell
from bot.domain.lead import Lead
from bot.domain.slack_user import USER_ID_EXAMPLE, is_user_id
from bot.domain.temperature import band_for, score
from bot.domain.text import UnreadableText, clean
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

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these runs as a formula in a spreadsheet (OWASP CSV injection)."""

HEADER_NAMES = {
    "name": ("name", "full name", "fullname", "contact", "contact name", "lead", "lead name"),
    "company": ("company", "company name", "organization", "organisation", "account", "org"),
    "email": ("email", "e-mail", "email address", "e-mail address", "mail"),
    "phone": ("phone", "phone number", "mobile", "mobile phone", "cell", "telephone", "tel"),
    "source": ("source", "lead source"),
    "owner": ("owner", "lead owner"),
    "status": ("status",),
    "note": ("note", "notes"),
    "created_at": ("created_at", "created", "created at"),
    "last_touch_at": ("last_touch_at", "last touch", "last touch at"),
    "snoozed_until": ("snoozed_until", "snoozed until"),
}
_HEADERS = {variant: column for column, names in HEADER_NAMES.items() for variant in names}
_OURS = frozenset(COLUMNS)
"""The export's own columns: read back without a word, whether used or not."""


def safe_cell(value: str) -> str:
    """A text cell a spreadsheet shows as text: formula-looking ones get a leading ``'``."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def unsafe_cell(value: str) -> str:
    """``safe_cell`` undone, so an export imported again is exactly what was exported."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def delimiter(header_line: str) -> str:
    """``;`` when the header is separated by semicolons (spreadsheets in many locales), else ``,``."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def header_columns(fieldnames: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """Which CSV header means which column (any case, the usual variants), and the ignored."""
    meant: dict[str, str] = {}
    ignored: list[str] = []
    for field in fieldnames:
        key = " ".join(field.replace("_", " ").lower().split())
        column = _HEADERS.get(key) or _HEADERS.get(field.strip().lower())
        if column and column not in meant.values():
            meant[field] = column
        elif field.strip().lower() not in _OURS:
            ignored.append(field.strip() or "(blank)")
    return meant, ignored


def renamed(row: dict[str, str], meant: dict[str, str]) -> dict[str, str]:
    """A row keyed by our column names, formula guards taken off."""
    return {column: unsafe_cell(row.get(field) or "") for field, column in meant.items()}


def iso(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def export_row(lead: Lead, now: datetime) -> dict[str, str]:
    points = score(lead.source, lead.created_at, lead.signals, now)
    return {
        "id": str(lead.number),
        "name": safe_cell(lead.name),
        "company": safe_cell(lead.company),
        "email": safe_cell(lead.email),
        "phone": safe_cell(lead.phone),
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
    note: str = ""


class BadRow(ValueError):
    """A row that can't be imported; the message says why."""


def _time(row: dict[str, str], column: str, now: datetime, *, day_first: bool) -> datetime | None:
    text = (row.get(column) or "").strip()
    if not text:
        return None
    plan = column == "snoozed_until"
    try:
        moment = read_cell(text, now, day_first=day_first, plan=plan)
    except DateError as error:
        raise BadRow(f"{column}: {error}") from None
    if not plan and moment > now:
        raise BadRow(f"{column} {text} is in the future")
    return moment


def _text(row: dict[str, str], column: str, limit: int) -> str:
    value = " ".join((row.get(column) or "").split())
    if len(value) > limit:
        raise BadRow(f"{column} is {len(value)} characters long; the limit is {limit}")
    return value


def parse_row(
    row: dict[str, str],
    line: int,
    default_owner: str | None,
    now: datetime,
    *,
    day_first: bool = False,
) -> ImportedLead:
    """Check one CSV row; raise BadRow naming what is wrong.

    Every cell goes through the one text rule first (``bot.domain.text.clean``), and
    every date through the one reader (``bot.domain.dates.read_cell``): ``day_first``
    says how the file writes ``3/4``.
    """
    row = _cleaned(row)
    name = _text(row, "name", grammar.MAX_NAME)
    if not name:
        raise BadRow("name is empty")
    email = _text(row, "email", grammar.MAX_FIELD)
    if email and not grammar.is_email(email):
        raise BadRow(f"email “{email}” is not an email address")
    typed = _text(row, "source", grammar.MAX_FIELD) or "cold"
    source = grammar.known_source(typed)
    if source is None:
        guess = grammar.suggest(typed, SOURCES, grammar.SOURCE_ALIASES)
        hint = f"; did you mean {guess}?" if guess else f": use one of {', '.join(SOURCES)}"
        raise BadRow(f"source “{typed}” is not a source{hint}")
    owner = _text(row, "owner", grammar.MAX_FIELD) or (default_owner or "")
    if not owner:
        raise BadRow("owner is empty: add the column or pass --owner U…")
    if not is_user_id(owner):
        raise BadRow(f"owner “{owner}” is not a Slack user id like {USER_ID_EXAMPLE}")
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
        created_at=_time(row, "created_at", now, day_first=day_first),
        last_touch_at=_time(row, "last_touch_at", now, day_first=day_first),
        snoozed_until=_time(row, "snoozed_until", now, day_first=day_first),
        note=_note(row),
    )


def _cleaned(row: dict[str, str]) -> dict[str, str]:
    try:
        return {column: clean(value, column) for column, value in row.items()}
    except UnreadableText as error:
        raise BadRow(
            f"{error.field} holds bytes that aren't UTF-8 text (or half of an emoji): "
            "fix that cell and import the row again"
        ) from None


def _note(row: dict[str, str]) -> str:
    note = (row.get("note") or "").strip()
    if len(note) > grammar.MAX_NOTE:
        raise BadRow(f"note is {len(note)} characters long; the limit is {grammar.MAX_NOTE}")
    return note
