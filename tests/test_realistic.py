"""On a realistic team, hot is rare and always earned by a buying signal.

Checked on the demo's team and on the generator's ``realistic`` profile; "buying
signal" is read from the vocabulary, so a new buying kind is covered without editing this.
"""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import TEAM, every_lead, lead_no, reply_text

from bench.common import NOW as BENCH_NOW
from bench.common import TEAM as BENCH_TEAM
from bench.generate import TYPED, generate, realistic_weights
from bot import demo
from bot.domain.dates import day_first
from bot.domain.vocabulary import BUYING, KIND_GROUPS, KIND_WORDS, WEEKDAYS
from handlers.card import card_reply
from storage import leads
from storage.db import Database

BUYING_REASONS = [f"• {KIND_WORDS[kind].label}" for kind in sorted(BUYING)]  # type: ignore[index]


def check_team(open_leads, now):
    hot = [lead for lead in open_leads if lead.temperature(now).band == "hot"]
    assert hot, "a team with no hot lead at all proves nothing"
    assert len(hot) * 5 <= len(open_leads), f"{len(hot)} hot of {len(open_leads)} open"
    for lead in hot:
        card = reply_text({"blocks": card_reply(lead, [], now).blocks})
        assert any(reason in card for reason in BUYING_REASONS), card


async def test_the_demo_team_is_realistic(tmp_path):
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    db = await Database.open(tmp_path / "demo.db")
    try:
        await demo.fill(db, now)
        found = await every_lead(db, demo.TEAM)
    finally:
        await db.close()
    check_team([lead for lead in found if lead.status == "open"], now)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_realistic_profile_is_realistic(tmp_path, seed):
    path = tmp_path / f"team{seed}.db"
    await generate(path, 360, seed=seed, profile="realistic")
    db = await Database.open(path)
    try:
        found = await every_lead(db, BENCH_TEAM)
    finally:
        await db.close()
    check_team([lead for lead in found if lead.status == "open"], BENCH_NOW)


def test_the_realistic_profile_is_mostly_effort_and_few_buying_signals():
    weights = realistic_weights()
    share = {g: sum(weights[k] for k in kinds) for g, kinds in KIND_GROUPS.items()}
    assert share["effort"] > share["engagement"] > share["buying"]
    assert share["effort"] > sum(weights.values()) / 2


# ------------------------------------------------------------ a week typed as reps type


REPS = {
    # who: (time zone, Slack locale)
    "U1": ("America/New_York", "en-US"),
    "U2": ("Europe/London", "en-GB"),
    "U3": ("Europe/Berlin", "de-DE"),
}
PEOPLE = (
    # (name as added, what reps type for it)
    ("Renée O'Brien", ("renee", "renée", "Renee")),
    ("Inês Costa", ("ines", "ines costa")),
    ("Dan Murphy", ("dan murphy", "Dan Murphy")),
    ("Sofia Marin", ("sofia", "sofia marin")),
    ("Jonas Müller", ("muller", "jonas muller")),
    ("Bob Stone", ("bob", "bob stone")),
    ("Pete Sampras", ("pete",)),
)
MONDAY = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)


def _typed_moment(
    rng: random.Random, local_now: datetime, day_first: bool
) -> tuple[str, datetime | None]:
    """A moment as a busy rep types it at the end of a note, and the moment they mean."""
    back = timedelta(days=rng.randint(2, 9))
    day = (local_now - back).replace(hour=rng.randint(9, 17), minute=rng.choice((0, 15, 30)))
    hour12, half = day.hour % 12 or 12, "am" if day.hour < 12 else "pm"
    clock = f"{hour12}{half}" if day.minute == 0 else f"{hour12}:{day.minute:02d}{half}"
    numeric = f"{day.day}/{day.month}" if day_first else f"{day.month}/{day.day}"
    yesterday = (local_now - timedelta(days=1)).replace(hour=15, minute=0)
    weekday = rng.randrange(7)
    last = local_now - timedelta(days=(local_now.weekday() - weekday) % 7 or 7)
    forms = [
        (f"{day.day} {day:%b}".lower() + f" {clock}", day),
        (f"{day:%b} {day.day} {clock}".lower(), day),
        (f"{numeric} {clock}", day),
        (f"{day.day}.{day.month}. {day:%H:%M}", day),
        (f"{day:%Y-%m-%d %H:%M}", day),
        ("yesterday at 3", yesterday),
        (f"last {WEEKDAYS[weekday][:3]} 10am", last.replace(hour=10, minute=0)),
        ("", None),
    ]
    return rng.choice(forms)


@pytest.mark.parametrize("seed", [22, 7])
async def test_a_typed_week_is_read_as_the_reps_meant_it(hotleads, seed):
    """Three reps in three zones and locales type ~150 commands the way busy reps do: dates at
    the end of notes, names without accents or quotes, aliases and punctuation, plans and a win
    with words. Every touch lands on the lead, kind and moment the rep meant."""
    for user, (tz, locale) in REPS.items():
        hotleads.slack.users[user] = {"id": user, "tz": tz, "is_admin": False, "locale": locale}
    hotleads.clock.moment = MONDAY - timedelta(days=21)
    numbers = {}
    for name, _ in PEOPLE:
        reply = reply_text(await hotleads.command(f'add "{name}" source:inbound'))
        numbers[name] = int(reply.split("#")[1].split()[0].rstrip(".:,*"))
    for user in REPS:
        await hotleads.command("help", user_id=user)
        await hotleads.user_cached(user)
    rng = random.Random(seed)
    typed = 0
    open_people = list(PEOPLE)
    for day in range(5):
        for _ in range(30):
            hotleads.clock.moment = MONDAY + timedelta(days=day, minutes=rng.randint(0, 300))
            user = rng.choice(list(REPS))
            tz, locale = REPS[user]
            local_now = hotleads.clock.now().astimezone(ZoneInfo(tz))
            name, refs = rng.choice(open_people)
            kind = rng.choice(sorted(TYPED))
            words = rng.choice(TYPED[kind])
            phrase, meant = _typed_moment(rng, local_now, day_first(locale))
            tail = f", {phrase}" if phrase else ""
            if not phrase and "," not in words and local_now.hour >= 10 and rng.random() < 0.3:
                phrase, meant = "this morning", local_now.replace(hour=9, minute=0)
                words = f"{words} this morning, verbal yes pending PO"
            text = f"log {rng.choice(refs)} {words}{tail}"
            reply = reply_text(await hotleads.command(text, user_id=user))
            label = KIND_WORDS[kind].label.lower()  # type: ignore[index]
            assert f":memo: Logged *{label}* for" in reply and f"#{numbers[name]}" in reply, text
            lead = await lead_no(hotleads, numbers[name])
            page, _ = await leads.touch_page(hotleads.db.reader, lead, limit=1000)
            touch = max(page, key=lambda t: t.id)
            at = touch.at.astimezone(ZoneInfo(tz))
            expected = (meant or local_now).replace(second=0, microsecond=0)
            assert (touch.kind, at.replace(second=0, microsecond=0)) == (kind, expected), text
            assert not tail or phrase not in touch.note, text  # a trailing moment is taken off
            typed += 1
        if day == 1:
            step = reply_text(await hotleads.command("next sofia send the proposal due:next wed"))
            assert "due Wed" in step and "(I read “next wed”)" in step
            snoozed = reply_text(await hotleads.command("snooze bob next wed", user_id="U2"))
            assert "(I read “next wed”)" in snoozed
        if day == 3:
            won = reply_text(await hotleads.command("won pete signed! 3 crews 🎉"))
            assert "is won (signed! 3 crews 🎉)" in won
            open_people = [person for person in open_people if person[0] != "Pete Sampras"]
    assert typed == 150
    found = await every_lead(hotleads.db, TEAM)
    now = hotleads.clock.now()
    for lead in found:
        if lead.status == "open" and lead.temperature(now).band == "hot":
            card = reply_text({"blocks": card_reply(lead, [], now).blocks})
            assert any(reason in card for reason in BUYING_REASONS), card
    pete = next(lead for lead in found if lead.name == "Pete Sampras")
    assert (pete.status, pete.lost_reason) == ("won", "signed! 3 crews 🎉")
