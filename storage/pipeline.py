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

from bot.domain.digest import COOLING_WINDOW, WARMEST_SHOWN, Digest
from bot.domain.lead import Lead
from bot.domain.ranking import Ranked, Scored, Top
from bot.domain.temperature import FRESH
from bot.domain.vocabulary import BUYING, TWO_WAY
from storage import leads
from storage.engine import Connection, Dialect, Row
from storage.leads import LEAD_COLUMNS, lead_from_row, signals_for
from storage.times import to_db

BANDS = {
    "hot": "l.hot_until > :now",
    "warm": "l.warm_until > :now AND l.hot_until <= :now",
    "cold": "l.warm_until <= :now",
    "all": "TRUE",
}
_TWO_WAY_KINDS = ", ".join(f"'{kind}'" for kind in sorted(TWO_WAY))
LAST_CONTACT = (
    "COALESCE((SELECT max(s.last_at) FROM lead_signals s WHERE s.lead_id = l.id"
    f" AND s.kind IN ({_TWO_WAY_KINDS})), l.created_at)"
)
"""The last two-way touch (``Lead.last_contact_at``, which has the last word), else creation."""
PAGE = 50
"""Candidates read at a time; the hottest few are usually all in the first page."""


def _where(
    dialect: Dialect,
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
        clauses.append(f"l.id IN ({dialect.id_list(':ids')})")
        params["ids"] = json.dumps(sorted(ids))
    return " AND ".join(clauses), params


async def _count(conn: Connection, where: str, params: dict[str, object]) -> int:
    row = await conn.fetchone(f"SELECT count(*) FROM leads l WHERE {where}", params)
    assert row is not None
    return int(row[0])


async def _loaded(conn: Connection, rows: list[Row]) -> list[Lead]:
    signals = await signals_for(conn, [row["id"] for row in rows])
    return [lead_from_row(row, signals[row["id"]]) for row in rows]


async def band_counts(
    conn: Connection, team_id: str, now: datetime, owner: str | None = None
) -> Counter[str]:
    """How many open leads are hot, warm and cold right now."""
    counts: Counter[str] = Counter()
    for band in ("all", "hot", "cold"):
        counts[band] = await _count(conn, *_where(conn.dialect, team_id, now, band, owner))
    counts["warm"] = counts.pop("all") - counts["hot"] - counts["cold"]
    return counts


async def ranked(
    conn: Connection,
    team_id: str,
    now: datetime,
    limit: int,
    *,
    band: str = "all",
    owner: str | None = None,
    ids: Collection[int] | None = None,
) -> Ranked:
    """The ``limit`` hottest open leads in ``band`` (of ``owner``, among ``ids``), and how many."""
    where, params = _where(conn.dialect, team_id, now, band, owner, ids)
    top = Top(limit, now, None if band == "all" else band)
    # Only ids in order first, a page at a time from where the last one ended (keyset):
    # cheap from the index on either engine, and most leads are never loaded.
    after, last = "", dict[str, object]()
    while True:
        page = await conn.fetchall(
            f"SELECT l.id, l.score, l.number FROM leads l WHERE {where}{after}"
            " ORDER BY l.score DESC, l.number LIMIT :page",
            {**params, **last, "page": PAGE},
        )
        stop = next((i for i, row in enumerate(page) if top.full_above(row[1], row[2])), None)
        for lead in await leads.by_ids(conn, team_id, [row[0] for row in page[:stop]]):
            top.offer(lead)
        if stop is not None or len(page) < PAGE:
            break
        after = (
            " AND (l.score < :last_score OR (l.score = :last_score AND l.number > :last_number))"
        )
        last = {"last_score": page[-1][1], "last_number": page[-1][2]}
    return Ranked(top.best(), await _count(conn, where, params))


async def hot_ids(
    conn: Connection, team_id: str, now: datetime, owner: str | None = None
) -> list[int]:
    where, params = _where(conn.dialect, team_id, now, "hot", owner)
    rows = await conn.fetchall(f"SELECT l.id FROM leads l WHERE {where} ORDER BY l.id", params)
    return [row[0] for row in rows]


async def cooling(
    conn: Connection,
    team_id: str,
    now: datetime,
    limit: int,
    *,
    within: timedelta = COOLING_WINDOW,
    owner: str | None = None,
) -> Ranked:
    """Hot leads that drop to warm within ``within`` unless touched, soonest first."""
    where, params = _where(conn.dialect, team_id, now, "hot", owner)
    where += " AND l.hot_until <= :until"
    params["until"] = to_db(now + within)
    found = await _loaded(
        conn,
        await conn.fetchall(
            f"SELECT {LEAD_COLUMNS} FROM leads l WHERE {where}"
            " ORDER BY l.hot_until, l.number LIMIT :limit",
            {**params, "limit": limit},
        ),
    )
    return Ranked(
        [Scored(lead, lead.temperature(now)) for lead in found],
        await _count(conn, where, params),
    )


async def gone_quiet(
    conn: Connection,
    team_id: str,
    now: datetime,
    quiet_days: int,
    owner: str | None = None,
    *,
    unreminded: bool = False,
) -> list[Lead]:
    """Warm and hot leads, not snoozed, with nothing two-way for ``quiet_days``.

    With ``unreminded``, only those not reminded in this quiet period (see
    ``bot.domain.reminders.due_reminders``, which has the last word): the minute loop
    then reads the few leads it may send, not every quiet one, every minute.
    """
    where, params = _where(conn.dialect, team_id, now, "all", owner)
    where += (
        " AND l.warm_until > :now AND (l.snoozed_until IS NULL OR l.snoozed_until <= :now)"
        f" AND {LAST_CONTACT} <= :quiet_since"
    )
    params["quiet_since"] = to_db(now - timedelta(days=quiet_days))
    if unreminded:
        where += (
            " AND NOT EXISTS (SELECT 1 FROM lead_reminders r WHERE r.lead_id = l.id"
            f" AND r.reminded_at >= {LAST_CONTACT}"
            " AND r.reminded_at > :quiet_since"
            " AND (l.snoozed_until IS NULL OR r.reminded_at >= l.snoozed_until))"
        )
    return await _loaded(
        conn,
        await conn.fetchall(
            f"SELECT {LEAD_COLUMNS} FROM leads l WHERE {where} ORDER BY l.id", params
        ),
    )


@dataclass(frozen=True)
class Rep:
    owner: str
    open: int
    hot: int


async def reps(conn: Connection, team_id: str, now: datetime) -> list[Rep]:
    """Every rep with open leads, the one with the highest stored score first."""
    where, params = _where(conn.dialect, team_id, now)
    rows = await conn.fetchall(
        f"SELECT l.owner, count(*), count(*) FILTER (WHERE {BANDS['hot']}) FROM leads l"
        f" WHERE {where} GROUP BY l.owner ORDER BY max(l.score) DESC, l.owner",
        params,
    )
    return [Rep(owner, total, hot) for owner, total, hot in rows]


async def digest(
    conn: Connection,
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


async def maybe_waiting(
    conn: Connection, team_id: str, now: datetime, respond_hours: int, owner: str | None = None
) -> list[Lead]:
    """The hot open leads (of ``owner``) that may be waiting for our answer: a buying signal
    still fresh and at least ``respond_hours`` old. ``answers.waiting`` has the last word;
    this spares it the thousands of hot leads a big pipeline has that can't be waiting."""
    where, params = _where(conn.dialect, team_id, now, "hot", owner)
    kinds = sorted(BUYING)
    params |= {f"kind{n}": kind for n, kind in enumerate(kinds)}
    params["fresh_after"] = to_db(now - FRESH)
    params["asked_by"] = to_db(now - timedelta(hours=respond_hours))
    rows = await conn.fetchall(
        f"SELECT {LEAD_COLUMNS} FROM leads l WHERE {where} AND EXISTS (SELECT 1 FROM"
        " lead_signals s WHERE s.lead_id = l.id"
        f" AND s.kind IN ({', '.join(f':kind{n}' for n in range(len(kinds)))})"
        " AND s.last_at > :fresh_after AND s.last_at <= :asked_by) ORDER BY l.id",
        params,
    )
    return await _loaded(conn, rows)


async def hot_owners(conn: Connection, team_id: str, now: datetime) -> list[str]:
    """The reps who own a hot lead: who may have a lead waiting for an answer."""
    where, params = _where(conn.dialect, team_id, now, "hot")
    rows = await conn.fetchall(
        f"SELECT DISTINCT l.owner FROM leads l WHERE {where} AND l.owner != ''", params
    )
    return [row[0] for row in rows]
