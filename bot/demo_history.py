"""The sample team's last eight weeks, replayed day by day, so its weekly picture is real.

Leads arrive, buying signals come in, reps answer them (Ben slower than the others,
everyone quicker as the weeks go by), deals are won and lost: each written through
the app's own storage code at the moment it happened, and each morning the day just
ended is kept exactly as a running app keeps it (``storage.snapshots.keep_due``).
A fixed seed makes every run tell the same story.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Protocol

from bot.domain.dates import zone
from bot.domain.schedule import WorkspaceSettings
from storage import snapshots
from storage.db import Database
from storage.engine import Connection

WEEKS = 8
LEAD_IN_WEEKS = 6
"""Leads arrive this long before the history starts, so its first week has a pipeline."""
SEED = 2026
FIRST_NAMES = [
    "Alex",
    "Maya",
    "Jonas",
    "Elif",
    "Marco",
    "Sofia",
    "Hugo",
    "Nadia",
    "Pavel",
    "Ines",
    "Tariq",
    "Julia",
    "Felix",
    "Aiko",
    "Liam",
    "Chiara",
    "Oskar",
    "Rosa",
    "Mateo",
    "Hana",
    "Viktor",
    "Leila",
    "Samuel",
    "Greta",
    "Ruben",
    "Amira",
]
LAST_NAMES = [
    "Berg",
    "Moreau",
    "Novak",
    "Okoye",
    "Lindqvist",
    "Romano",
    "Tanaka",
    "Schulz",
    "Haddad",
    "Costa",
    "Nguyen",
    "Kowalski",
    "Weber",
    "Fischer",
    "Ortega",
    "Sato",
    "Jansen",
    "Ivanova",
    "Duarte",
    "Kaya",
]
COMPANIES = (
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Wingtip",
    "Litware",
    "Proseware",
    "Adatum",
    "Lucerne",
    "Fourth Coffee",
    "Alpine Ski",
    "Blue Yonder",
    "Coho Vineyard",
    "Humongous",
    "Trey Research",
    "Woodgrove",
)
SOURCES = ("inbound", "inbound", "referral", "event", "remarketing", "cold", "cold", "client")
SIGNALS = ("quote", "trial", "download", "inbound")
SLOW_REPS = {"UBEN": 2.5}
"""How many times slower than the team each rep answers (the others: 1)."""

Step = Callable[[Connection, datetime], Awaitable[None]]
"""One write at the moment it happens (the replay passes the moment)."""


class Team(Protocol):
    """What the demo writes with: its own storage calls, keyed by a name it picks."""

    def create(self, key: str, name: str, company: str, source: str, owner: str) -> Step: ...
    def touch(self, key: str, kind: str, owner: str, note: str = "") -> Step: ...
    def close(self, key: str, status: str) -> Step: ...


@dataclass(order=True)
class Event:
    """Something that happens to the sample team at ``at``."""

    at: datetime
    order: int
    step: Step = field(compare=False)


@dataclass
class Replay:
    """Events in time order; each morning's history kept between them."""

    settings: WorkspaceSettings
    events: list[Event] = field(default_factory=list)

    def add(self, at: datetime, step: Step) -> None:
        self.events.append(Event(at, len(self.events), step))

    async def run(self, db: Database, start: datetime, now: datetime) -> None:
        pending = sorted(event for event in self.events if event.at <= now)
        for morning in _mornings(self.settings, start, now):
            pending = await _apply(db, pending, before=morning)
            await snapshots.keep_due(db, self.settings, morning)
        await _apply(db, pending, before=now + timedelta(seconds=1))


async def _apply(db: Database, events: list[Event], before: datetime) -> list[Event]:
    due = [event for event in events if event.at < before]
    async with db.transaction() as conn:
        for event in due:
            await event.step(conn, event.at)
    return events[len(due) :]


def _mornings(settings: WorkspaceSettings, start: datetime, now: datetime) -> list[datetime]:
    """Each digest time in the workspace's zone from ``start`` up to ``now``, in UTC."""
    local = zone(settings.tz)
    day = start.astimezone(local).date()
    found = []
    while (at := datetime.combine(day, settings.send_at, tzinfo=local).astimezone(UTC)) <= now:
        if at >= start:
            found.append(at)
        day += timedelta(days=1)
    return found


def _working_moment(rng: random.Random, day: datetime, tz: str) -> datetime:
    """A moment in office hours (08:00 to 18:00 local) on ``day``."""
    local = day.astimezone(zone(tz)).date()
    minutes = rng.randint(8 * 60, 18 * 60 - 1)
    at = datetime.combine(local, time(minutes // 60, minutes % 60), tzinfo=zone(tz))
    return at.astimezone(UTC)


def answer_delay(rng: random.Random, owner: str, progress: float) -> timedelta | None:
    """How long the owner takes to answer a buying signal; ``None``: never.

    ``progress`` runs from 0 (eight weeks ago) to 1 (today): the team gets quicker.
    """
    if rng.random() < 0.06 - 0.04 * progress:
        return None
    typical = (100 - 70 * progress) * SLOW_REPS.get(owner, 1.0)
    return timedelta(minutes=max(2.0, rng.lognormvariate(0, 0.7) * typical))


def generate(replay: Replay, now: datetime, reps: list[str], team: Team) -> datetime:
    """Leads of the last few months into ``replay``; returns when history starts to be kept.

    Leads arrive from well before the eight weeks the picture shows, so its first
    week already has a pipeline of the ages a real one has.
    """
    rng = random.Random(SEED)
    tz = replay.settings.tz
    start = now - timedelta(weeks=WEEKS, days=1)
    day = now - timedelta(weeks=WEEKS + LEAD_IN_WEEKS)
    serial = 0
    while day < now - timedelta(hours=12):
        progress = max(0.0, (day - start) / (now - start))
        weekday = day.astimezone(zone(tz)).weekday()
        for _ in range(0 if weekday >= 5 else rng.choice((1, 1, 2, 2))):
            serial += 1
            created = _working_moment(rng, day, tz)
            owner = rng.choice(reps)
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            key = f"history-{serial}"
            company = rng.choice(COMPANIES)
            replay.add(created, team.create(key, name, company, rng.choice(SOURCES), owner))
            _story(replay, rng, team, key, owner, created, progress)
        day += timedelta(days=1)
    return start


def _story(
    replay: Replay,
    rng: random.Random,
    team: Team,
    key: str,
    owner: str,
    created: datetime,
    progress: float,
) -> None:
    """One lead's weeks: maybe a buying signal and our answer, follow-ups, maybe a close."""
    tz = replay.settings.tz
    later = created
    if rng.random() < 0.55:
        moment = _working_moment(rng, created + timedelta(days=rng.choice((0, 1, 2))), tz)
        later = max(moment, created + timedelta(minutes=rng.randint(5, 90)))
        replay.add(later, team.touch(key, rng.choice(SIGNALS), owner))
        delay = answer_delay(rng, owner, progress)
        if delay is not None:
            later += delay
            replay.add(later, team.touch(key, rng.choice(("call", "email")), owner))
        outcome = rng.random()
        if outcome < 0.4:
            replay.add(later + timedelta(days=rng.uniform(4, 20)), team.close(key, "won"))
            return
        if outcome < 0.65:
            replay.add(later + timedelta(days=rng.uniform(4, 25)), team.close(key, "lost"))
            return
    for _ in range(rng.randint(1, 4)):  # follow-ups, until the lead is let go
        later += timedelta(days=rng.uniform(2, 6))
        replay.add(later, team.touch(key, rng.choice(("email", "voicemail", "call")), owner))
    if rng.random() < 0.35:
        replay.add(later + timedelta(days=rng.uniform(3, 15)), team.close(key, "lost"))
