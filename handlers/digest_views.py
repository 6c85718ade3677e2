"""Block Kit for the morning digest, kept inside Slack's message limits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.digest import Digest, Scored
from handlers.format import BAND_EMOJI, ago, band, lead_label, local_date, mention
from handlers.lead_views import why
from handlers.replies import Reply, context, divider, header, section, sections

HOT_SHOWN = 30
CHANGES_SHOWN = 10
NAME_LIMIT = 60


def digest_counts(digest: Digest) -> str:
    return " · ".join(
        f"{BAND_EMOJI[b]} {digest.counts.get(b, 0)} {b}" for b in ("hot", "warm", "cold")
    )


def _hot_line(position: int, s: Scored, now: datetime) -> str:
    return (
        f"*{position}.* {band(s.temperature)} {lead_label(s.lead, NAME_LIMIT)} · "
        f"{mention(s.lead.owner)}\n      {why(s.temperature, now)} · "
        f"last touch {ago(s.lead.last_activity_at, now)}"
    )


def _names(scored: list[Scored], limit: int = CHANGES_SHOWN) -> str:
    names = ", ".join(lead_label(s.lead, 40) for s in scored[:limit])
    more = len(scored) - limit
    return names + (f" and {more} more" if more > 0 else "")


def digest_blocks(digest: Digest, day: date, now: datetime) -> Reply:
    """The channel message; the top hot leads, the rest counted."""
    title = f"Hot leads for {day.strftime('%A %-d %B')}"
    blocks: list[dict[str, Any]] = [
        header(f"🔥 {title}"),
        context(f"Open leads: {digest_counts(digest)}"),
    ]
    if digest.hot:
        shown = digest.hot[:HOT_SHOWN]
        blocks += sections([_hot_line(i, s, now) for i, s in enumerate(shown, start=1)])
        rest = len(digest.hot) - len(shown)
        if rest > 0:
            blocks.append(context(f"…and {rest} more — `/lead list hot team`"))
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
    if digest.newly_hot:
        changes.append(f":new: *Newly hot:* {_names(digest.newly_hot)}")
    if digest.cooled:
        changes.append(f":arrow_down: *Cooled off:* {_names(digest.cooled)}")
    if digest.cooling_soon:
        soon = [
            f"{lead_label(s.lead, 40)} at {local_date(s.cools_at)}"
            for s in digest.cooling_soon[:CHANGES_SHOWN]
            if s.cools_at
        ]
        more = len(digest.cooling_soon) - len(soon)
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
