from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import plain_lead

from bot.domain.lead import Lead
from bot.domain.reminders import due_reminders, is_quiet, tried_since
from bot.domain.schedule import WorkspaceSettings, due_day
from bot.domain.temperature import cutoffs, signals_from

BERLIN = WorkspaceSettings("T1", "C1", "09:00", "Europe/Berlin", 7)
MONDAY = date(2026, 11, 23)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("settings", "tz", "now", "due"),
    [
        (BERLIN, None, utc(23, 7, 59), None),  # 08:59 in Berlin
        (BERLIN, None, utc(23, 8, 0), MONDAY),  # 09:00 in Berlin
        (BERLIN, None, utc(23, 22, 59), MONDAY),  # catch-up later that day
        (BERLIN, None, utc(23, 23, 0), None),  # Tuesday 00:00 Berlin, before 09:00
        (BERLIN, None, utc(28, 10, 0), None),  # Saturday
        (replace(BERLIN, digest_days=("sat",)), None, utc(28, 10, 0), date(2026, 11, 28)),
        (BERLIN, "America/New_York", utc(23, 13, 59), None),  # 08:59 in New York
        (BERLIN, "America/New_York", utc(23, 14, 0), MONDAY),
        (BERLIN, "Asia/Tokyo", utc(23, 0, 0), MONDAY),  # 09:00 Monday in Tokyo
        (BERLIN, "Asia/Tokyo", utc(22, 23, 59), None),  # 08:59 Monday in Tokyo
    ],
)
def test_due_day(settings, tz, now, due):
    assert due_day(settings, tz, now) == due


NOW = utc(23, 9)


def lead(
    lead_id: int,
    source: str = "referral",
    created_days: float = 30,
    touches: list[tuple[str, float]] | None = None,
    status: str = "open",
    snoozed_until: datetime | None = None,
) -> Lead:
    created = NOW - timedelta(days=created_days)
    touches = touches or []
    at = [NOW - timedelta(days=d) for _, d in touches]
    signals = signals_from((k, NOW - timedelta(days=d)) for k, d in touches)
    until = cutoffs(source, created, signals)
    return plain_lead(
        lead_id,
        created,
        name=f"Lead {lead_id}",
        source=source,
        status=status,
        last_touch_at=max(at) if at else None,
        snoozed_until=snoozed_until,
        hot_until=until.hot_until,
        warm_until=until.warm_until,
        signals=signals,
    )


@pytest.mark.parametrize(
    ("subject", "quiet"),
    [
        (lead(1, "referral", 10), True),
        (lead(2, "referral", 3), False),  # created recently
        (lead(3, "referral", 30, [("call", 2)]), False),  # they talked to us recently
        (lead(4, "cold", 30), False),  # cold, not warm
        (lead(5, "cold", 30, [("quote", 8)]), True),  # hot, and silent since: quiet too
        (lead(9, "cold", 30, [("quote", 3)]), False),  # hot and fresh
        # Our own effort is not contact: it doesn't reset the clock.
        (lead(10, "referral", 30, [("email", 1), ("voicemail", 2), ("note", 1)]), True),
        (lead(11, "referral", 30, [("email", 1), ("reply", 2)]), False),  # they answered
        (lead(12, "referral", 30, [("call", 20), ("email", 1)]), True),
        (lead(6, "referral", 10, status="won"), False),
        (lead(7, "referral", 10, snoozed_until=NOW + timedelta(days=1)), False),
        (lead(8, "referral", 10, snoozed_until=NOW - timedelta(days=1)), True),
    ],
)
def test_is_quiet(subject, quiet):
    assert is_quiet(subject, NOW, 7) is quiet


def test_reminded_once_per_quiet_period():
    quiet = lead(1, "referral", 10)
    assert due_reminders([quiet], NOW, 7, {}) == [quiet]
    assert due_reminders([quiet], NOW, 7, {1: NOW - timedelta(days=1)}) == []
    assert due_reminders([quiet], NOW, 7, {1: NOW - timedelta(days=7)}) == [quiet]


def test_reminded_again_when_a_snooze_ends_still_quiet():
    snoozed = lead(1, "referral", 20, snoozed_until=NOW - timedelta(hours=1))
    assert due_reminders([snoozed], NOW, 7, {1: NOW - timedelta(days=3)}) == [snoozed]


def test_touched_after_reminder_starts_a_new_period():
    touched = lead(1, "referral", 40, [("call", 8)])
    assert due_reminders([touched], NOW, 7, {1: NOW - timedelta(days=9)}) == [touched]


def test_our_effort_after_a_reminder_does_not_start_a_new_period():
    tried = lead(1, "referral", 40, [("email", 2)])
    assert due_reminders([tried], NOW, 7, {1: NOW - timedelta(days=3)}) == []


def test_hot_quiet_leads_are_reminded_first():
    warm = lead(1, "referral", 30)
    hot = lead(2, "cold", 30, [("quote", 9)])
    assert hot.temperature(NOW).band == "hot" and warm.temperature(NOW).band == "warm"
    assert due_reminders([warm, hot], NOW, 7, {}) == [hot, warm]


def test_what_we_tried_since_they_last_answered():
    touches = [("reply", 10), ("email", 8), ("voicemail", 5), ("email", 3), ("note", 2)]
    quiet = lead(1, "referral", 30, touches)
    history = [(kind, NOW - timedelta(days=days)) for kind, days in touches]
    assert tried_since(quiet, history) == {"email": 2, "voicemail": 1}
    assert quiet.last_contact_at == NOW - timedelta(days=10)
