"""Reads over a workspace's open leads that stay quick at 100k of them.

Each lead keeps the moments it stops being hot and warm
(``bot.domain.temperature.cutoffs``), so a band is a range on an index: counts never
load a lead, and a list reads only the few it shows (``bot.domain.ranking``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from bot.domain.digest import COOLING_WINDOW, WARMEST_SHOWN, Digest
from bot.domain.lead import Lead
from bot.domain.ranking import Ranked, Scored, Top
from storage import leads
from storage.leads import LEAD_COLUMNS, lead_from_row, signals_for
from storage.times import to_db

BANDS = {
    "hot": "l.hot_until > :now",
    "warm": "l.warm_until > :now AND l.hot_until <= :now",
    "cold": "l.warm_until <= :now",
    "all": "1",
}
PAGE = 50
"""Candidates read at a time; the hottest few are usually all in the first page."""


def _where(
    team_id: str,
    now: datetime,
    band: str = "all",
    owner: str | None = None,
    ids: Collection[int] | None = None,
) -> tuple[str, dict[str, object]]:
    clauses = ["l.team_id = :team", "l.status = 'open'", BANDS[band]]
    params: dict[str, object] = {"team": team_id, "now": to_db(now)}
    if owner:
        clauses.append("l.owner = :owner")
        params["owner"] = owner
    if ids is not None:
        clauses.append("l.id IN (SELECT value FROM json_each(:ids))")
        params["ids"] = json.dumps(sorted(ids))
    return " AND ".join(clauses), params


async def _count(conn: aiosqlite.Connection, where: str, params: dict[str, object]) -> int:
    async with conn.execute(f"SELECT count(*) FROM leads l WHERE {where}", params) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def _loaded(conn: aiosqlite.Connection, rows: list[aiosqlite.Row]) -> list[Lead]:
    signals = await signals_for(conn, [row["id"] for row in rows])
    return [lead_from_row(row, signals[row["id"]]) for row in rows]


async def band_counts(
    conn: aiosqlite.Connection, team_id: str, now: datetime, owner: str | None = None
) -> Counter[str]:
    """How many open leads are hot, warm and cold right now."""
    counts: Counter[str] = Counter()
    for band in ("all", "hot", "cold"):
        counts[band] = await _count(conn, *_where(team_id, now, band, owner))
    counts["warm"] = counts.pop("all") - counts["hot"] - counts["cold"]
    return counts


async def ranked(
    conn: aiosqlite.Connection,
    team_id: str,
    now: datetime,
    limit: int,
    *,
    band: str = "all",
    owner: str | None = None,
    ids: Collection[int] | None = None,
) -> Ranked:
    """The ``limit`` hottest open leads in ``band`` (of ``owner``, among ``ids``), and how many."""
    where, params = _where(team_id, now, band, owner, ids)
    top = Top(limit, now, None if band == "all" else band)
    # Only ids in order first: cheap from the index, and most are never loaded.
    async with conn.execute(
        f"SELECT l.id, l.score, l.number FROM leads l WHERE {where}"
        " ORDER BY l.score DESC, l.number",
        params,
    ) as cursor:
        while page := list(await cursor.fetchmany(PAGE)):
            stop = next((i for i, row in enumerate(page) if top.full_above(row[1], row[2])), None)
            for lead in await leads.by_ids(conn, [row[0] for row in page[:stop]]):
                top.offer(lead)
            if stop is not None:
                break
    return Ranked(top.best(), await _count(conn, where, params))


async def hot_ids(
    conn: aiosqlite.Connection, team_id: str, now: datetime, owner: str | None = None
) -> list[int]:
    where, params = _where(team_id, now, "hot", owner)
    async with conn.execute(f"SELECT l.id FROM leads l WHERE {where} ORDER BY l.id", params) as c:
        return [row[0] for row in await c.fetchall()]


async def cooling(
    conn: aiosqlite.Connection,
    team_id: str,
    now: datetime,
    limit: int,
    *,
    within: timedelta = COOLING_WINDOW,
    owner: str | None = None,
) -> Ranked:
    """Hot leads that drop to warm within ``within`` unless touched, soonest first."""
    where, params = _where(team_id, now, "hot", owner)
    where += " AND l.hot_until <= :until"
    params["until"] = to_db(now + within)
    async with conn.execute(
        f"SELECT {LEAD_COLUMNS} FROM leads l WHERE {where}"
        " ORDER BY l.hot_until, l.number LIMIT :limit",
        {**params, "limit": limit},
    ) as cursor:
        found = await _loaded(conn, list(await cursor.fetchall()))
    return Ranked(
        [Scored(lead, lead.temperature(now)) for lead in found],
        await _count(conn, where, params),
    )


async def quiet_warm(
    conn: aiosqlite.Connection,
    team_id: str,
    now: datetime,
    quiet_days: int,
    owner: str | None = None,
    *,
    unreminded: bool = False,
) -> list[Lead]:
    """Warm leads, not snoozed, that nobody has touched for ``quiet_days``.

    With ``unreminded``, only those not reminded in this quiet period (see
    ``bot.domain.reminders.due_reminders``, which has the last word): the minute loop
    then reads the few leads it may send, not every quiet one, every minute.
    """
    where, params = _where(team_id, now, "warm", owner)
    where += (
        " AND (l.snoozed_until IS NULL OR l.snoozed_until <= :now)"
        " AND max(l.created_at, coalesce(l.last_touch_at, l.created_at)) <= :quiet_since"
    )
    params["quiet_since"] = to_db(now - timedelta(days=quiet_days))
    if unreminded:
        where += (
            " AND NOT EXISTS (SELECT 1 FROM lead_reminders r WHERE r.lead_id = l.id"
            " AND r.reminded_at >= max(l.created_at, coalesce(l.last_touch_at, l.created_at))"
            " AND r.reminded_at > :quiet_since"
            " AND (l.snoozed_until IS NULL OR r.reminded_at >= l.snoozed_until))"
        )
    async with conn.execute(
        f"SELECT {LEAD_COLUMNS} FROM leads l WHERE {where} ORDER BY l.id", params
    ) as cursor:
        return await _loaded(conn, list(await cursor.fetchall()))


@dataclass(frozen=True)
class Rep:
    owner: str
    open: int
    hot: int


async def reps(conn: aiosqlite.Connection, team_id: str, now: datetime) -> list[Rep]:
    """Every rep with open leads, the one with the highest stored score first."""
    where, params = _where(team_id, now)
    async with conn.execute(
        f"SELECT l.owner, count(*), sum({BANDS['hot']}) FROM leads l WHERE {where}"
        " GROUP BY l.owner ORDER BY max(l.score) DESC, l.owner",
        params,
    ) as cursor:
        return [Rep(owner, total, hot) for owner, total, hot in await cursor.fetchall()]


async def digest(
    conn: aiosqlite.Connection,
    team_id: str,
    now: datetime,
    previous_hot: set[int] | None,
    *,
    hot_shown: int,
    changes_shown: int,
) -> Digest:
    """The digest at ``now``; with the previous digest's hot leads, what changed since.

    ``previous_hot`` is ``None`` when no digest went out before: then nothing
    is "newly hot", rather than every hot lead.
    """
    counts = await band_counts(conn, team_id, now)
    hot = await ranked(conn, team_id, now, hot_shown, band="hot")
    now_hot = await hot_ids(conn, team_id, now)
    nothing = Ranked([], 0)
    newly_hot = cooled = nothing
    if previous_hot is not None:
        if newly := set(now_hot) - previous_hot:
            newly_hot = await ranked(conn, team_id, now, changes_shown, band="hot", ids=newly)
        if gone := previous_hot - set(now_hot):
            cooled = await ranked(conn, team_id, now, changes_shown, ids=gone)
    return Digest(
        counts=counts,
        hot=hot,
        hot_ids=now_hot,
        newly_hot=newly_hot,
        cooled=cooled,
        cooling_soon=await cooling(conn, team_id, now, changes_shown),
        warmest=[]
        if counts["hot"]
        else (await ranked(conn, team_id, now, WARMEST_SHOWN, band="warm")).shown,
    )


async def hot_leads(
    conn: aiosqlite.Connection, team_id: str, now: datetime, owner: str | None = None
) -> list[Lead]:
    """Every hot open lead (of ``owner``): the only ones a buying signal can keep waiting."""
    where, params = _where(team_id, now, "hot", owner)
    async with conn.execute(
        f"SELECT {LEAD_COLUMNS} FROM leads l WHERE {where} ORDER BY l.id", params
    ) as cursor:
        return await _loaded(conn, list(await cursor.fetchall()))


async def hot_owners(conn: aiosqlite.Connection, team_id: str, now: datetime) -> list[str]:
    """The reps who own a hot lead: who may have a lead waiting for an answer."""
    where, params = _where(team_id, now, "hot")
    async with conn.execute(
        f"SELECT DISTINCT l.owner FROM leads l WHERE {where} AND l.owner != ''", params
    ) as cursor:
        return [row[0] for row in await cursor.fetchall()]
