"""The morning digest: what it shows, its Block Kit within Slack's limits, ``/lead digest`` preview.

``delivery`` decides when it is sent; this module decides what it says.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.domain import grammar
from bot.domain.answers import speed, waiting
from bot.domain.dates import zone
from bot.domain.digest import Digest
from bot.domain.grammar.digest import parse_digest
from bot.domain.ranking import Ranked, Scored
from bot.domain.text import duration
from bot.domain.working_hours import WorkingHours
from handlers import subcommands
from handlers.blocks import (
    BAND_EMOJI,
    Reply,
    band,
    context,
    divider,
    escape,
    header,
    last_touch,
    lead_label,
    local_date,
    mention,
    section,
    sections,
    why,
)
from handlers.context import Services
from handlers.invocation import Invocation
from handlers.next_steps import when
from handlers.subcommands import Answer, Subcommand
from storage import deliveries, leads, next_steps, pipeline
from storage import report as report_rows

HOT_SHOWN = 30
WAITING_SHOWN = 15
STEPS_SHOWN = 15
CHANGES_SHOWN = 10
NAME_LIMIT = 60


def band_counts(counts: Counter[str]) -> str:
    return " · ".join(f"{BAND_EMOJI[b]} {counts.get(b, 0)} {b}" for b in ("hot", "warm", "cold"))


def _hot_line(position: int, s: Scored, now: datetime) -> str:
    return (
        f"*{position}.* {band(s.temperature)} {lead_label(s.lead, NAME_LIMIT)} · "
        f"{mention(s.lead.owner)}\n      {why(s.temperature, now)} · "
        f"{last_touch(s.lead, now)}"
    )


def _names(part: Ranked) -> str:
    names = ", ".join(lead_label(s.lead, 40) for s in part.shown)
    return names + (f" and {part.more} more" if part.more > 0 else "")


def _waiting_blocks(digest: Digest, now: datetime) -> list[dict[str, Any]]:
    lines = [
        f"• {lead_label(lead, 40)} · {mention(lead.owner)} · waiting {duration(now - since)}"
        for lead, since in digest.waiting[:WAITING_SHOWN]
    ]
    if len(digest.waiting) > WAITING_SHOWN:
        lines.append(f"…and {len(digest.waiting) - WAITING_SHOWN} more")
    fast = digest.yesterday
    if fast is not None:
        said = [f"{fast.signals} buying signal{'s' if fast.signals != 1 else ''}"]
        if fast.median is not None and fast.slowest is not None:
            said.append(f"median answer {duration(fast.median)}, slowest {duration(fast.slowest)}")
        if fast.unanswered:
            said.append(f"{fast.unanswered} not answered yet")
        lines.append(f"_Yesterday's speed to lead (working time):_ {'; '.join(said)}")
    if not lines:
        return []
    title = f":rotating_light: *Waiting for an answer* ({len(digest.waiting)})"
    return [divider(), *sections([title, *lines])]


def _steps_blocks(digest: Digest, day: date) -> list[dict[str, Any]]:
    if not digest.steps_due:
        return []
    lines = [
        f"• {lead_label(lead, 40)} · {mention(lead.owner)}: {escape(step.what)} ({when(step, day)})"
        for lead, step in digest.steps_due[:STEPS_SHOWN]
    ]
    if len(digest.steps_due) > STEPS_SHOWN:
        lines.append(f"…and {len(digest.steps_due) - STEPS_SHOWN} more")
    return [divider(), *sections([":pushpin: *Next steps due*", *lines])]


def digest_blocks(digest: Digest, day: date, now: datetime) -> Reply:
    """The channel message; the top hot leads, the rest counted."""
    title = f"Hot leads for {day.strftime('%A %-d %B')}"
    blocks: list[dict[str, Any]] = [
        header(f"🔥 {title}"),
        context(f"Open leads: {band_counts(digest.counts)}"),
    ]
    if digest.hot.shown:
        shown = digest.hot.shown
        blocks += sections([_hot_line(i, s, now) for i, s in enumerate(shown, start=1)])
        if digest.hot.more > 0:
            blocks.append(context(f"…and {digest.hot.more} more — `/lead list hot team`"))
    else:
        warmest = "\n".join(
            f"• {band(s.temperature)} {lead_label(s.lead, NAME_LIMIT)} · {mention(s.lead.owner)}"
            for s in digest.warmest
        )
        blocks.append(
            section(
                "No hot leads today. "
                + (
                    f"The warmest, worth a call:\n{warmest}"
                    if warmest
                    else "Add some with `/lead add`."
                )
            )
        )
    changes = []
    if digest.newly_hot.shown:
        changes.append(f":new: *Newly hot:* {_names(digest.newly_hot)}")
    if digest.cooled.shown:
        changes.append(f":arrow_down: *Cooled off:* {_names(digest.cooled)}")
    if digest.cooling_soon.shown:
        soon = [
            f"{lead_label(s.lead, 40)} at {local_date(s.lead.hot_until)}"
            for s in digest.cooling_soon.shown
        ]
        more = digest.cooling_soon.more
        changes.append(
            ":hourglass_flowing_sand: *Cooling soon* (drops to warm unless someone touches it): "
            + "; ".join(soon)
            + (f" and {more} more" if more > 0 else "")
        )
    if changes:
        blocks += [divider(), *sections(changes)]
    blocks += _waiting_blocks(digest, now)
    blocks += _steps_blocks(digest, day)
    blocks.append(
        context("`/lead show #N` explains any score · `/lead list hot team` lists them all")
    )
    text = f"{title}: {digest.counts.get('hot', 0)} hot, {digest.counts.get('warm', 0)} warm"
    return Reply(text, blocks)


async def digest_for(services: Services, team_id: str, now: datetime) -> Digest:
    """The digest at ``now``, with what changed since the last one sent, who is waiting
    for an answer, the next steps due, and how fast yesterday's buying signals were answered.
    """
    reader = services.db.reader
    previous = await deliveries.last_sent_digest(reader, team_id)
    settings = await deliveries.get_settings(reader, team_id)
    digest = await pipeline.digest(
        reader,
        team_id,
        now,
        set(previous.detail.get("hot", [])) if previous else None,
        hot_shown=HOT_SHOWN,
        changes_shown=CHANGES_SHOWN,
    )
    local = now.astimezone(zone(settings.tz))
    today = local.date()
    due = await next_steps.team_due(reader, team_id, today)
    by_id = {
        lead.id: lead for lead in await leads.by_ids(reader, team_id, [s.lead_id for s in due])
    }
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    since = midnight - timedelta(days=1)
    asked = [
        pair
        for pair in await report_rows.answers_since(reader, [team_id], since)
        if pair[0] < midnight
    ]
    return replace(
        digest,
        waiting=waiting(
            await pipeline.maybe_waiting(reader, team_id, now, settings.respond_hours),
            now,
            settings.respond_hours,
        ),
        steps_due=[(by_id[s.lead_id], s) for s in due if s.lead_id in by_id],
        yesterday=speed(
            WorkingHours.of(settings.hours, settings.digest_days, settings.tz).counted(asked)
        )
        if asked
        else None,
    )


async def digest_preview(cmd: grammar.Digest, call: Invocation) -> Reply:
    settings = await deliveries.get_settings(call.services.db.reader, call.team_id)
    digest = await digest_for(call.services, call.team_id, call.now)
    day = call.now.astimezone(zone(settings.tz)).date()
    preview = digest_blocks(digest, day, call.now)
    where = (
        f"<#{settings.channel_id}> at {settings.digest_time} ({settings.tz})"
        if settings.channel_id
        else "no channel yet (`/lead settings channel:#sales`)"
    )
    note = context(f":eyes: Preview, only you see it. The digest goes to {where}.")
    return Reply(preview.text, [note, *preview.blocks[:48]])


SUBCOMMANDS = (Subcommand("digest", parse_digest, (Answer.of(grammar.Digest, digest_preview),)),)


def register(app: AsyncApp) -> None:
    subcommands.of(app).add(*SUBCOMMANDS)
