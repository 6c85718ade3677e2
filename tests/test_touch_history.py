"""Touches kept, edited, deleted and restored in storage; the lead always as if freshly scored."""

import asyncio
import tempfile
from datetime import timedelta
from pathlib import Path

from conftest import STORED_NOW, add_lead
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.lead import Lead, NewTouch
from bot.domain.temperature import KINDS, cutoffs, signals_from, temperature
from storage import leads
from storage.db import Database

KIND_NAMES = sorted(KINDS)
hours = st.integers(min_value=-24 * 60, max_value=0)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("log"), st.sampled_from(KIND_NAMES), hours),
        st.tuples(st.just("edit"), st.sampled_from(KIND_NAMES), hours),
        st.tuples(st.just("delete"), st.integers(0, 20)),
        st.tuples(st.just("restore"), st.integers(0, 20)),
    ),
    max_size=12,
)


async def fresh_equals_stored(db: Database, lead: Lead, now) -> None:
    lead = await leads.get(db.reader, lead.team_id, lead.number)
    page, _ = await leads.touch_page(db.reader, lead, limit=100)
    kept = sorted((t for t in page if t.deleted_at is None), key=lambda t: (t.at, t.id))
    signals = signals_from((t.kind, t.at) for t in kept)
    assert lead.signals == signals
    assert lead.score == temperature(lead.source, lead.created_at, signals, now).score
    until = cutoffs(lead.source, lead.created_at, signals)
    assert (lead.hot_until, lead.warm_until) == (until.hot_until, until.warm_until)
    assert lead.touch_count == len(kept)
    assert lead.last_touch_at == max((t.at for t in kept), default=None)


async def play(ops) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "h.db")
        try:
            lead = await add_lead(db)
            now = STORED_NOW
            ids: list[int] = []
            for op in ops:
                now += timedelta(minutes=5)
                async with db.transaction() as conn:
                    lead = await leads.get(conn, lead.team_id, lead.number)
                    if op[0] == "log":
                        at = now + timedelta(hours=op[2])
                        lead = await leads.add_touch(
                            conn,
                            lead,
                            NewTouch(kind=op[1], at=at, logged_by="U1", how="command"),
                            now,
                        )
                        page, _ = await leads.touch_page(conn, lead, limit=1000)
                        ids = sorted(t.id for t in page)
                    elif ids and op[0] == "edit":
                        touch = ids[op[2] % len(ids)]
                        at = now + timedelta(hours=op[2])
                        await leads.change_touch(
                            conn, lead, touch, kind=op[1], at=at, note="edited", now=now
                        )
                    elif ids and op[0] == "delete":
                        await leads.delete_touch(
                            conn, lead, ids[op[1] % len(ids)], by="U1", now=now
                        )
                    elif ids and op[0] == "restore":
                        await leads.restore_touch(conn, lead, ids[op[1] % len(ids)], now=now)
                await fresh_equals_stored(db, lead, now)
        finally:
            await db.close()


@settings(max_examples=30, deadline=None)
@given(operations)
def test_after_any_log_edit_delete_restore_the_lead_equals_a_fresh_computation(ops):
    asyncio.run(play(ops))


async def test_deleted_touches_are_kept_for_the_record_and_restorable(db):
    lead = await add_lead(db)
    async with db.transaction() as conn:
        lead = await leads.add_touch(
            conn,
            lead,
            NewTouch(kind="demo", at=STORED_NOW, logged_by="U1", how="modal"),
            STORED_NOW,
        )
        (touch,) = await leads.recent_touches(conn, lead)
        lead = await leads.delete_touch(conn, lead, touch.id, by="U2", now=STORED_NOW)
    assert lead.touch_count == 0 and lead.signals == {} and lead.last_touch_at is None
    assert await leads.recent_touches(db.reader, lead) == []
    (kept,), total = await leads.touch_page(db.reader, lead, limit=10)
    assert (total, kept.deleted_by, kept.deleted_at, kept.how) == (1, "U2", STORED_NOW, "modal")
    async with db.transaction() as conn:
        lead = await leads.restore_touch(conn, lead, touch.id, now=STORED_NOW)
    assert lead.touch_count == 1 and "demo" in lead.signals


async def test_last_touch_by_a_rep_within_a_window(db):
    lead = await add_lead(db)
    async with db.transaction() as conn:
        for user, minutes in (("U1", 0), ("U2", 10), ("U1", 20)):
            at = STORED_NOW + timedelta(minutes=minutes)
            lead = await leads.add_touch(
                conn, lead, NewTouch(kind="call", at=at, logged_by=user), at
            )
    later = STORED_NOW + timedelta(hours=1)
    mine = await leads.last_touch_by(db.reader, "T1", "U1", later - timedelta(hours=24))
    assert mine.logged_at == STORED_NOW + timedelta(minutes=20)
    assert await leads.last_touch_by(db.reader, "T1", "U1", later) is None
    assert await leads.last_touch_by(db.reader, "T2", "U1", STORED_NOW) is None
