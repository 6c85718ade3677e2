"""How moments are stored: UTC text that sorts and reads as ISO 8601."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(moment: datetime) -> str:
    """UTC, to the second, ``Z``-suffixed."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime reached storage")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_db(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def required_from_db(text: str) -> datetime:
    """A NOT NULL column: a missing value is a broken database, not an empty field."""
    moment = from_db(text)
    if moment is None:
        raise ValueError("a required time is missing from the database")
    return moment
