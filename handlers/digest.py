"""The morning digest: what it shows, its Block Kit within Slack's limits, ``/lead digest`` preview.

``delivery`` decides when it is sent; this module decides what it says.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from bot.domain import grammar
from bot.domain.dates import zone
from bot.domain.digest import Digest
from bot.domain.ranking import Ranked, Scored
from handlers.blocks import (
    BAND_EMOJI,
    Reply,
    band,
    context,
    divider,
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
from storage import deliveries, pipeline

if TYPE_CHECKING:
    from handlers.lead_command import Invocation

HOT_SHOWN = 30
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
    blocks.append(
        context("`/lead show #N` explains any score · `/lead list hot team` lists them all")
    )
    text = f"{title}: {digest.counts.get('hot', 0)} hot, {digest.counts.get('warm', 0)} warm"
    return Reply(text, blocks)


async def digest_for(services: Services, team_id: str, now: datetime) -> Digest:
    """The digest at ``now``, with what changed since the last one sent."""
    previous = await deliveries.last_sent_digest(services.db.reader, team_id)
    return await pipeline.digest(
        services.db.reader,
        team_id,
        now,
        set(previous.detail.get("hot", [])) if previous else None,
        hot_shown=HOT_SHOWN,
        changes_shown=CHANGES_SHOWN,
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
