"""Property 7 of issue 12: on a realistic team, hot is rare and always earned by a buying signal.

Checked on the demo's team and on the generator's ``realistic`` profile; "buying
signal" is read from the vocabulary, so a new buying kind is covered without editing this.
"""

from datetime import UTC, datetime

import pytest
from conftest import every_lead, reply_text

from bench.common import NOW as BENCH_NOW
from bench.common import TEAM as BENCH_TEAM
from bench.generate import generate, realistic_weights
from bot import demo
from bot.domain.vocabulary import BUYING, KIND_GROUPS, KIND_WORDS
from handlers.card import card_reply
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
