"""storage.leads: numbers, search, duplicates, and touches folded into signals."""

from datetime import datetime, timedelta

from conftest import STORED_NOW as NOW
from conftest import add_lead

from bot.domain.lead import NewTouch
from bot.domain.temperature import signals_from, temperature
from storage import leads


async def test_lead_numbers_count_per_workspace(db):
    a1 = await add_lead(db, team="TA", name="A one")
    a2 = await add_lead(db, team="TA", name="A two")
    b1 = await add_lead(db, team="TB", name="B one")
    assert (a1.number, a2.number, b1.number) == (1, 2, 1)
    assert (await leads.get(db.reader, "TB", 2)) is None
    assert (await leads.get(db.reader, "TA", 2)).name == "A two"


async def test_search_stays_inside_the_workspace_and_escapes_wildcards(db):
    await add_lead(db, team="TA", name="Percy", company="100% Juice")
    await add_lead(db, team="TB", name="Percy", company="Other")
    await add_lead(db, team="TA", name="Underscore_Man", company="")
    found = await leads.search(db.reader, "TA", "percy")
    assert [(lead.team_id, lead.company) for lead in found] == [("TA", "100% Juice")]
    assert [lead.name for lead in await leads.search(db.reader, "TA", "%")] == ["Percy"]
    assert [lead.name for lead in await leads.search(db.reader, "TA", "e_m")] == ["Underscore_Man"]


async def test_duplicates_by_email_or_name_and_company(db):
    await add_lead(db, name="Jane Doe", company="Acme", email="jane@acme.com")
    assert await leads.find_duplicate(db.reader, "T1", "Other", "", "JANE@acme.com")
    assert await leads.find_duplicate(db.reader, "T1", "jane doe", "ACME", "")
    assert await leads.find_duplicate(db.reader, "T1", "Jane Doe", "Globex", "") is None
    assert await leads.find_duplicate(db.reader, "T2", "Jane Doe", "Acme", "") is None


async def test_touches_keep_signals_that_match_a_full_recount(db):
    lead = await add_lead(db, source="cold", at=NOW - timedelta(days=30))
    history = [("call", 20), ("quote", 5), ("call", 3), ("quote", 9)]
    for kind, days in history:
        async with db.transaction() as conn:
            lead = await leads.add_touch(
                conn, lead, NewTouch(kind=kind, at=NOW - timedelta(days=days), logged_by="U1"), NOW
            )
    stored = await leads.get(db.reader, "T1", lead.number)
    # From the raw interactions, oldest first: not the order (or the code path) they were logged in.
    rows = await db.reader.fetchall(
        "SELECT kind, at FROM interactions WHERE lead_id = ? ORDER BY at", (lead.id,)
    )
    raw = [(kind, datetime.fromisoformat(at)) for kind, at in rows]
    assert sorted(raw, key=lambda touch: touch[1]) == raw and len(raw) == len(history)
    recount = signals_from(raw)
    expected = temperature("cold", stored.created_at, recount, NOW)
    assert stored.temperature(NOW) == expected
    assert stored.score == expected.score
    assert stored.touch_count == 4
    assert stored.last_touch_at == NOW - timedelta(days=3)
    touches = await leads.recent_touches(db.reader, lead, limit=2)
    assert [(t.kind, t.at) for t in touches] == [
        ("call", NOW - timedelta(days=3)),
        ("quote", NOW - timedelta(days=5)),
    ]
