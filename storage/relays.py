"""The speed-to-lead relay's rows: relays, who each lead was offered to, its messages.

Everything that must happen once is one statement only one caller wins: starting
a lead's relay (one open per lead), taking offer turn N, ending it. Every read and
write is scoped to a workspace: ``team_id`` is in each query.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from bot.domain.relay import Ending, Offer, Relay, Touched
from bot.domain.vocabulary import ANSWERS
from storage import due
from storage.engine import Connection, Row
from storage.times import from_db, required_from_db, to_db

_COLUMNS = (
    "id, team_id, lead_id, signal_id, signal_at, started_at, owner, snoozed_until,"
    " ended_at, ended_how, ended_by"
)


def _relay(row: Row, offers: tuple[Offer, ...] = ()) -> Relay:
    ended_at = from_db(row["ended_at"])
    return Relay(
        id=row["id"],
        team_id=row["team_id"],
        lead_id=row["lead_id"],
        signal_id=row["signal_id"],
        signal_at=required_from_db(row["signal_at"]),
        started_at=required_from_db(row["started_at"]),
        owner=row["owner"],
        snoozed_until=from_db(row["snoozed_until"]),
        offers=offers,
        ended=Ending(row["ended_how"], row["ended_by"], ended_at) if ended_at else None,
    )


async def start(
    conn: Connection,
    team_id: str,
    lead_id: int,
    *,
    owner: str,
    signal_id: int | None,
    signal_at: datetime,
    snoozed_until: datetime | None,
    now: datetime,
) -> int | None:
    """Start the lead's relay; ``None`` when one is running already (it keeps its clock)."""
    snoozed = to_db(snoozed_until) if snoozed_until else None
    row = await conn.fetchone(
        "INSERT INTO relays (team_id, lead_id, signal_id, signal_at, started_at, owner,"
        " snoozed_until) VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (lead_id) WHERE ended_at IS NULL DO NOTHING RETURNING id",
        (team_id, lead_id, signal_id, to_db(signal_at), to_db(now), owner, snoozed),
    )
    if row is None:
        return None
    await due.sooner(conn, team_id, now)  # the runners look at it from now on
    return int(row[0])


async def running(conn: Connection, team_id: str) -> list[Relay]:
    """The workspace's relays still running, oldest first, with their offers."""
    rows = await conn.fetchall(
        f"SELECT {_COLUMNS} FROM relays WHERE team_id = ? AND ended_at IS NULL"
        " ORDER BY started_at, id",
        (team_id,),
    )
    offers: dict[int, list[Offer]] = defaultdict(list)
    for relay_id, number, rep, at in await conn.fetchall(
        "SELECT o.relay_id, o.number, o.rep, o.offered_at FROM relay_offers o"
        " JOIN relays r ON r.id = o.relay_id WHERE r.team_id = ? AND r.ended_at IS NULL"
        " ORDER BY o.relay_id, o.number",
        (team_id,),
    ):
        offers[relay_id].append(Offer(number, rep, required_from_db(at)))
    return [_relay(row, tuple(offers[row["id"]])) for row in rows]


async def of_lead(conn: Connection, team_id: str, lead_id: int) -> Relay | None:
    """The lead's latest relay, running or ended, with its offers."""
    row = await conn.fetchone(
        f"SELECT {_COLUMNS} FROM relays WHERE team_id = ? AND lead_id = ?"
        " ORDER BY started_at DESC, id DESC LIMIT 1",
        (team_id, lead_id),
    )
    return await _with_offers(conn, row)


async def get(conn: Connection, team_id: str, relay_id: int) -> Relay | None:
    row = await conn.fetchone(
        f"SELECT {_COLUMNS} FROM relays WHERE team_id = ? AND id = ?", (team_id, relay_id)
    )
    return await _with_offers(conn, row)


async def _with_offers(conn: Connection, row: Row | None) -> Relay | None:
    if row is None:
        return None
    offers = await conn.fetchall(
        "SELECT number, rep, offered_at FROM relay_offers WHERE relay_id = ? ORDER BY number",
        (row["id"],),
    )
    return _relay(row, tuple(Offer(n, rep, required_from_db(at)) for n, rep, at in offers))


async def offer(
    conn: Connection, team_id: str, relay_id: int, number: int, rep: str, now: datetime
) -> bool:
    """Take offer turn ``number`` for ``rep``; False when another runner took it, or it ended."""
    row = await conn.fetchone(
        "INSERT INTO relay_offers (relay_id, number, rep, offered_at)"
        " SELECT id, ?, ?, ? FROM relays WHERE id = ? AND team_id = ? AND ended_at IS NULL"
        " ON CONFLICT (relay_id, number) DO NOTHING RETURNING number",
        (number, rep, to_db(now), relay_id, team_id),
    )
    return row is not None


async def end(conn: Connection, team_id: str, relay_id: int, ending: Ending) -> bool:
    """End a running relay; only the first caller wins (a claim racing an answer, say)."""
    changed = await conn.execute(
        "UPDATE relays SET ended_at = ?, ended_how = ?, ended_by = ?"
        " WHERE id = ? AND team_id = ? AND ended_at IS NULL",
        (to_db(ending.at), ending.how, ending.by, relay_id, team_id),
    )
    return changed == 1


async def touched_since(
    conn: Connection, team_id: str, lead_ids: list[int], since: dict[int, datetime]
) -> dict[int, Touched]:
    """Each lead's first answer or "said no" at or after its ``since``, not deleted."""
    if not lead_ids:
        return {}
    kinds = [*sorted(ANSWERS), "declined"]
    found: dict[int, Touched] = {}
    rows = await conn.fetchall(
        "SELECT i.lead_id, i.kind, i.logged_by, i.at FROM interactions i"
        " JOIN leads l ON l.id = i.lead_id"
        f" WHERE l.team_id = ? AND i.lead_id IN ({','.join('?' * len(lead_ids))})"
        f" AND i.kind IN ({','.join('?' * len(kinds))}) AND i.deleted_at IS NULL"
        " ORDER BY i.at, i.id",
        (team_id, *lead_ids, *kinds),
    )
    for lead_id, kind, by, at in rows:
        when = required_from_db(at)
        if lead_id not in found and when >= since[lead_id]:
            found[lead_id] = Touched(kind, by, when)
    return found


async def unsent_offers(conn: Connection, team_id: str) -> list[tuple[int, Offer]]:
    """Offers taken whose message is not out yet (a runner died, or Slack failed)."""
    rows = await conn.fetchall(
        "SELECT o.relay_id, o.number, o.rep, o.offered_at FROM relay_offers o"
        " JOIN relays r ON r.id = o.relay_id WHERE r.team_id = ? AND r.ended_at IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.team_id = r.team_id"
        " AND d.kind = 'offer' AND d.recipient = "
        "CAST(o.relay_id AS TEXT) || ':' || CAST(o.number AS TEXT)"
        " AND d.status IN ('sent', 'refused')) ORDER BY o.relay_id, o.number",
        (team_id,),
    )
    return [(relay_id, Offer(n, rep, required_from_db(at))) for relay_id, n, rep, at in rows]


async def messages(conn: Connection, team_id: str, relay: Relay) -> list[tuple[str, str, str]]:
    """Every message the relay sent (its alert, offers, escalation): kind, channel, ts."""
    rows = await conn.fetchall(
        "SELECT kind, channel, ts FROM deliveries WHERE team_id = ? AND status = 'sent'"
        " AND ts IS NOT NULL AND ((kind = 'alert' AND recipient = ?)"
        " OR (kind = 'offer' AND recipient LIKE ?) OR (kind = 'escalation' AND recipient = ?))"
        " ORDER BY sent_at, kind",
        (team_id, str(relay.signal_id), f"{relay.id}:%", str(relay.id)),
    )
    return [(kind, channel, ts) for kind, channel, ts in rows]
