"""Finding the one lead a rep means by ``#12`` or a piece of its name."""

from __future__ import annotations

from bot.grammar import LeadRef
from bot.runtime import Services
from handlers.format import escape, lead_label, mention
from handlers.replies import Refusal, section
from storage import leads
from storage.leads import Lead

MAX_MATCHES_SHOWN = 10


async def find_lead(services: Services, team_id: str, ref: LeadRef) -> Lead:
    """The lead meant, or a Refusal listing the candidates (nothing is changed)."""
    conn = services.db.reader
    if ref.number is not None:
        lead = await leads.get(conn, team_id, ref.number)
        if lead is None:
            raise Refusal(f"There is no lead #{ref.number}. `/lead list team` shows them all.")
        return lead
    text = ref.text or ""
    matches = await leads.search(conn, team_id, text, limit=MAX_MATCHES_SHOWN + 1)
    if not matches:
        raise Refusal(
            f"No lead matches “{escape(text)}”. `/lead list all team` shows them all, "
            "`/lead add` creates one."
        )
    exact = [m for m in matches if text.lower() in (m.name.lower(), m.company.lower())]
    if len(matches) == 1:
        return matches[0]
    if len(exact) == 1:
        return exact[0]
    raise ambiguous(text, matches)


def ambiguous(text: str, matches: list[Lead]) -> Refusal:
    lines = [
        f"• {lead_label(m)} · {mention(m.owner)}" + ("" if m.status == "open" else f" · {m.status}")
        for m in matches[:MAX_MATCHES_SHOWN]
    ]
    if len(matches) > MAX_MATCHES_SHOWN:
        lines.append("…and more: type more of the name.")
    message = (
        f"“{escape(text)}” matches more than one lead, so I did nothing. "
        "Say which one by number, e.g. `#"
        f"{matches[0].number}`:"
    )
    return Refusal(message, [section(message), section("\n".join(lines))])
