"""Whose Home tab a change makes out of date: the rep who made it, and each owner."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.changes import Change, changed, homes
from bot.domain.lead import Lead

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def lead(owner: str, lead_id: int = 1) -> Lead:
    return Lead(
        id=lead_id,
        team_id="T1",
        number=lead_id,
        name="Ana",
        company="",
        email="",
        phone="",
        source="cold",
        owner=owner,
        status="open",
        lost_reason="",
        created_by="U1",
        created_at=NOW,
        updated_at=NOW,
        last_touch_at=None,
        snoozed_until=None,
        score=0,
        scored_at=NOW,
        hot_until=NOW,
        warm_until=NOW,
    )


@pytest.mark.parametrize(
    ("after", "before", "owners"),
    [
        (lead("U1"), None, {"U1"}),
        (lead("U2"), lead("U1"), {"U1", "U2"}),
        (lead("U2"), lead("U2"), {"U2"}),
        (lead(""), None, set()),  # nobody owns it yet (a hook's lead)
        (lead("U2"), lead(""), {"U2"}),  # claimed
    ],
)
def test_a_change_names_the_owners_before_and_after(after, before, owners):
    assert changed(after, before) == Change(1, frozenset(owners))


@pytest.mark.parametrize(
    ("changes", "actor", "reps"),
    [
        ([], "U1", []),  # nothing changed: no Home is drawn
        ([Change(1, frozenset({"U1"}))], "U1", ["U1"]),
        ([Change(1, frozenset())], "U1", ["U1"]),
        ([Change(1, frozenset({"U2", "U3"}))], "U1", ["U1", "U2", "U3"]),
        (
            [Change(1, frozenset({"U2"})), Change(2, frozenset({"U2", "U1"}))],
            "U3",
            ["U3", "U2", "U1"],
        ),
    ],
)
def test_homes_out_of_date_are_the_actors_then_each_owners_once(changes, actor, reps):
    assert homes(changes, actor) == reps
