"""How moments are stored: fixed-width UTC text, so text order is time order for any year.

``2025-03-14T04:56:00Z``: four-digit, zero-padded year (``strftime("%Y")``
writes ``225`` for year 225, which sorts after ``2025``), to the second.
Rows written that broken way before migration 0005 still read back.
"""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(moment: datetime) -> str:
    """UTC, to the second, ``Z``-suffixed, always 20 characters."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime reached storage")
    utc = moment.astimezone(UTC).replace(microsecond=0, tzinfo=None)
    return f"{utc.isoformat()}Z"


def from_db(text: str | None) -> datetime | None:
    """The stored moment, also from a year stored without its leading zeros (``225-03-14…``)."""
    if text is None:
        return None
    year, dash, rest = text.partition("-")
    return datetime.fromisoformat(f"{year:0>4}{dash}{rest}")


def required_from_db(text: str) -> datetime:
    """A NOT NULL column: a missing value is a broken database, not an empty field."""
    moment = from_db(text)
    if moment is None:
        raise ValueError("a required time is missing from the database")
    return moment
