"""``python -m bot demo``: a sample team, and what its next digest morning would send it.

It fills a throwaway database through the same storage code the app uses and
picks the digest and reminders with the same domain code, then prints them as
plain text, so a newcomer sees the product before creating a Slack app.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import admin
from bot.demo_history import Replay, Step, generate
from bot.domain import weekly as summary
from bot.domain.answers import waiting
from bot.domain.dates import zone
from bot.domain.lead import Lead, NewTouch
from bot.domain.reminders import due_reminders
from bot.domain.schedule import WorkspaceSettings
from bot.domain.text import duration, plural
from bot.domain.vocabulary import WEEKDAYS
from storage import deliveries, leads, pipeline, snapshots
from storage.db import Database
from storage.engine import Address, Connection

TEAM = "TDEMO"
REPS = {
    "UANNA": ("Anna", "Europe/Berlin"),
    "UBEN": ("Ben", "America/New_York"),
    "UCHLOE": ("Chloé", "Asia/Singapore"),
}
# name, company, source, owner, days since created, touches as (kind, days ago, note), status
LEADS = [
    (
        "Jane Doe",
        "Acme GmbH",
        "referral",
        "UANNA",
        20,
        [("call", 12, "intro call"), ("quote", 2, "20 seats")],
        "open",
    ),
    (
        "Omar Haddad",
        "Globex",
        "inbound",
        "UBEN",
        6,
        [("trial", 1, "signed up for the pro trial")],
        "open",
    ),
    (
        "Li Wei",
        "Initech",
        "event",
        "UCHLOE",
        60,
        [("demo", 40, "demo with their CTO"), ("call", 4, "still comparing")],
        "open",
    ),
    (
        "Sara Costa",
        "Umbrella",
        "remarketing",
        "UANNA",
        60,
        [("download", 50, "pricing white paper"), ("email", 3, "asked how it went")],
        "open",
    ),
    ("Tom Becker", "Hooli", "client", "UBEN", 40, [("meeting", 9, "renewal chat")], "open"),
    ("Priya Nair", "Stark Ltd", "referral", "UCHLOE", 12, [], "open"),
    ("Lukas Weber", "Wonka AG", "event", "UANNA", 14, [("event", 14, "met at SaaStr")], "open"),
    (
        "Emma Brown",
        "Soylent",
        "cold",
        "UBEN",
        25,
        [("email", 20, "first email"), ("email", 10, "follow-up")],
        "open",
    ),
    ("Kenji Sato", "Tyrell", "inbound", "UCHLOE", 45, [("quote", 12, "asked for a quote")], "open"),
    ("Nora Jensen", "Vandelay", "client", "UANNA", 60, [("call", 10, "upsell idea")], "open"),
    (
        "Diego Ruiz",
        "Massive Dynamic",
        "remarketing",
        "UBEN",
        9,
        [("webinar", 8, "joined the webinar")],
        "open",
    ),
    ("Ava Smith", "Cyberdyne", "cold", "UCHLOE", 50, [], "open"),
    # Most of a real week is effort: emails and calls nobody answered.
    (
        "Mia Rossi",
        "Pied Piper",
        "cold",
        "UANNA",
        20,
        [("email", 15, ""), ("voicemail", 8, "")],
        "open",
    ),
    ("Noah Levi", "Hooli", "cold", "UBEN", 18, [("voicemail", 10, ""), ("email", 3, "")], "open"),
    ("Zoe Martin", "Gringotts", "event", "UCHLOE", 22, [("email", 20, "after the fair")], "open"),
    ("Ivan Petrov", "Dunder", "cold", "UANNA", 9, [("voicemail", 2, "left a message")], "open"),
    ("Lea Dubois", "Monarch", "remarketing", "UBEN", 16, [("email", 6, "")], "open"),
    ("Sam Okafor", "Nakatomi", "referral", "UCHLOE", 11, [("call", 5, "intro; not yet")], "open"),
    ("Ines Silva", "Virtucon", "cold", "UANNA", 30, [("reply", 7, "maybe next quarter")], "open"),
    (
        "Ray Chen",
        "Prestige",
        "client",
        "UBEN",
        35,
        [("declined", 6, "no budget this year")],
        "open",
    ),
    (
        "Felix Wagner",
        "Oscorp",
        "referral",
        "UANNA",
        70,
        [("demo", 40, ""), ("quote", 35, "")],
        "won",
    ),
    ("Grace Kim", "Aperture", "inbound", "UBEN", 30, [("call", 25, "budget frozen")], "lost"),
]


def which_digest(morning: datetime, now: datetime, tz: str) -> str:
    """What the digest shown is: tomorrow's, or (on a Friday) Monday's, and why not tomorrow's."""
    day = morning.astimezone(zone(tz)).date()
    tomorrow = now.astimezone(zone(tz)).date() + timedelta(days=1)
    if day == tomorrow:
        return "Tomorrow morning, hotleads would post this digest:"
    return (
        f"No digest tomorrow ({tomorrow:%A}). {day:%A}'s digest, as hotleads would post it "
        f"on {day:%A} morning:"
    )


def next_morning(settings: WorkspaceSettings, now: datetime) -> datetime:
    """The next digest day's send time after ``now``, in UTC."""
    local = now.astimezone(zone(settings.tz))
    day = local.date() + timedelta(days=1)
    while WEEKDAYS[day.weekday()] not in settings.digest_days:
        day += timedelta(days=1)
    at = datetime.combine(day, settings.send_at, tzinfo=zone(settings.tz))
    return at.astimezone(UTC)


class SampleTeam:
    """The demo's leads by key, written through the app's storage code as the replay calls."""

    def __init__(self) -> None:
        self.leads: dict[str, Lead] = {}

    def create(self, key: str, name: str, company: str, source: str, owner: str) -> Step:
        async def step(conn: Connection, at: datetime) -> None:
            self.leads[key] = await leads.create(
                conn,
                team_id=TEAM,
                name=name,
                company=company,
                source=source,
                owner=owner,
                created_by=owner,
                now=at,
                email=f"{name.split()[0].lower()}@{company.split()[0].lower()}.example",
            )

        return step

    def touch(self, key: str, kind: str, owner: str, note: str = "") -> Step:
        async def step(conn: Connection, at: datetime) -> None:
            lead = self.leads[key]
            self.leads[key] = await leads.add_touch(
                conn, lead, NewTouch(kind=kind, at=at, logged_by=owner, note=note), at
            )

        return step

    def close(self, key: str, status: str) -> Step:
        async def step(conn: Connection, at: datetime) -> None:
            lead = self.leads[key]
            if lead.status == "open":
                self.leads[key] = await leads.set_status(conn, lead, status, at)  # type: ignore[arg-type]

        return step


async def fill(db: Database, now: datetime) -> WorkspaceSettings:
    """The sample team's leads, and its last eight weeks replayed day by day (its history)."""
    settings = WorkspaceSettings(TEAM, "CSALES", "09:00", "Europe/Berlin", 7)
    async with db.transaction() as conn:
        await deliveries.save_settings(conn, settings, "UANNA", now)
    team, replay = SampleTeam(), Replay(settings)
    start = generate(replay, now, list(REPS), team)
    for name, company, source, owner, age, touches, status in LEADS:
        replay.add(now - timedelta(days=age), team.create(name, name, company, source, owner))
        for kind, days, note in touches:
            replay.add(now - timedelta(days=days), team.touch(name, kind, owner, note))
        if status != "open":
            replay.add(now - timedelta(days=2), team.close(name, status))
    await replay.run(db, start, now)
    return settings


def _name(lead: Lead) -> str:
    return f"{lead.name} ({lead.company}) #{lead.number}"


def _days_ago(moment: datetime, now: datetime) -> str:
    days = (now - moment).days
    return "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"


def _last_touch(lead: Lead, now: datetime) -> str:
    if lead.last_touch_at is None:
        return f"no touches yet (added {_days_ago(lead.created_at, now)})"
    return f"last touch {_days_ago(lead.last_touch_at, now)}"


async def digest_text(reader: Connection, now: datetime, settings: WorkspaceSettings) -> str:
    digest = await pipeline.digest(reader, TEAM, now, None, hot_shown=30, changes_shown=10)
    local = now.astimezone(zone(settings.tz))
    lines = [
        f"#sales · {local:%A %d %B, %H:%M} ({settings.tz})",
        f"HOT LEADS — {digest.counts['hot']} hot · {digest.counts['warm']} warm · "
        f"{digest.counts['cold']} cold · {plural(sum(digest.counts.values()), 'open lead')}",
    ]
    for i, s in enumerate(digest.hot.shown, start=1):
        why = s.temperature.strongest
        lines.append(
            f"  {i}. [{s.temperature.score}] {_name(s.lead)} · @{REPS[s.lead.owner][0]} · "
            f"{why.label if why else ''} · {_last_touch(s.lead, now)}"
        )
    if not digest.hot.shown:
        lines.append("  No hot leads today.")
    for s in digest.cooling_soon.shown:
        lines.append(
            f"  Cooling soon: {_name(s.lead)} drops to warm by {s.lead.hot_until:%a %H:%M} UTC"
        )
    return "\n".join(lines)


async def reminders_text(
    reader: Connection, settings: WorkspaceSettings, morning: datetime
) -> list[str]:
    blocks = []
    for rep, (name, tz) in REPS.items():
        local = datetime.combine(
            morning.astimezone(zone(settings.tz)).date(), settings.send_at, tzinfo=zone(tz)
        )
        mine = await pipeline.gone_quiet(reader, TEAM, local, settings.quiet_days, rep)
        quiet = due_reminders(mine, local, settings.quiet_days, {})
        hot = await pipeline.maybe_waiting(reader, TEAM, local, settings.respond_hours, rep)
        asked = waiting(hot, local, settings.respond_hours)
        if not quiet and not asked:
            blocks.append(f"DM to {name} ({tz}): nothing waiting or gone quiet, no message.")
            continue
        lines = [f"DM to {name} · {local:%A %H:%M} {tz}"]
        if asked:
            lines.append(f"  {len(asked)} waiting for an answer to a buying signal:")
        for lead, since in asked:
            lines.append(
                f"  - {_name(lead)}, waiting {duration(local - since)}"
                "   [Log a touch] [Snooze] [Mark lost]"
            )
        if quiet:
            lines.append(f"  {plural(len(quiet), 'warm lead')} gone quiet:")
        for lead in quiet:
            lines.append(
                f"  - {_name(lead)}, {_last_touch(lead, local)}"
                "   [Log a touch] [Snooze] [Mark lost]"
            )
        blocks.append("\n".join(lines))
    return blocks


async def show(
    now: datetime, where: Path | Address | None = None, picture: str | None = None
) -> int:
    """Print the sample team's next morning and write its weekly picture (to ``picture``,
    or a file in the temp folder); keep its database at ``where`` if given."""
    path = Path(picture) if picture else Path(tempfile.gettempdir()) / "hotleads-demo-weekly.png"
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(where or Path(folder) / "demo.db")
        try:
            workspace = await fill(db, now)
            morning = next_morning(workspace, now)
            digest = await digest_text(db.reader, morning, workspace)
            reminders = await reminders_text(db.reader, workspace, morning)
            weekly = await snapshots.weekly(db.reader, TEAM, summary.today(workspace, now))
            count = await leads.count(db.reader, TEAM)
        finally:
            await db.close()
    await admin.write_picture(weekly, workspace.tz, path)
    print(
        "A sample team: Anna (Berlin), Ben (New York) and Chloé (Singapore), "
        f"{plural(count, 'lead')} over the last few months.\n"
    )
    print(which_digest(morning, now, workspace.tz) + "\n")
    print(digest)
    print("\n…and send each rep their daily message:\n")
    print("\n\n".join(reminders))
    print(
        f"\nOn {summary.DAY_NAMES[workspace.weekly]}s the manager gets a weekly summary in "
        "#sales; today it would say:\n"
    )
    for line in weekly.lines(name_of=lambda owner: f"@{REPS[owner][0]}"):
        print(f"  {line}")
    print(f"\n…with this picture: {path}")
    return 0
