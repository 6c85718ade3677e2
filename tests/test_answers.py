"""Waiting for an answer, as a table: which touches after a buying signal end the wait."""

from datetime import UTC, datetime, timedelta

import pytest
from conftest import plain_lead

from bot.domain.answers import speed, waiting, waiting_since
from bot.domain.lead import Lead
from bot.domain.temperature import FRESH, signals_from
from bot.domain.vocabulary import ANSWERS, BUYING, KINDS

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
RESPOND = 4


def lead(touches, status="open", number=1) -> Lead:
    """A lead with these (kind, hours ago) touches."""
    return plain_lead(
        number,
        NOW - 60 * 24 * H,
        status=status,
        signals=signals_from([(kind, NOW - hours * H) for kind, hours in touches]),
    )


NOT_ANSWERS = [k for k in KINDS if k not in ANSWERS and k not in BUYING and k != "declined"]


@pytest.mark.parametrize(
    ("touches", "status", "waits_since_hours"),
    [
        ([("quote", 5)], "open", 5),
        ([("quote", 3)], "open", None),  # under respond hours
        ([("quote", RESPOND)], "open", RESPOND),  # exactly respond hours
        ([("quote", 5)], "won", None),
        ([("quote", 5)], "lost", None),
        ([("quote", 5), ("declined", 1)], "open", None),
        ([("declined", 9), ("trial", 5)], "open", 5),  # asked again after saying no
        ([("demo", 5)], "open", None),  # a demo answers itself
        ([("trial", 30), ("quote", 6)], "open", 6),  # the latest signal counts
        ([("email", 7), ("quote", 6)], "open", 6),  # an answer before it does not count
        ([("quote", FRESH / H + 1)], "open", None),  # no longer fresh
        ([], "open", None),
        ([("call", 5)], "open", None),
        *[([("download", 10), (kind, 2)], "open", None) for kind in ANSWERS],
        *[([("inbound", 10), (kind, 2)], "open", 10) for kind in NOT_ANSWERS],
    ],
)
def test_waiting_since(touches, status, waits_since_hours):
    found = waiting_since(lead(touches, status), NOW, RESPOND)
    expected = None if waits_since_hours is None else NOW - waits_since_hours * H
    assert found == expected


def test_waiting_lists_only_waiting_leads_longest_wait_first():
    leads = [
        lead([("quote", 5)], number=1),
        lead([("quote", 50)], number=2),
        lead([("quote", 50), ("call", 1)], number=3),
        lead([("trial", 20)], number=4),
    ]
    assert [(x.number, NOW - since) for x, since in waiting(leads, NOW, RESPOND)] == [
        (2, 50 * H),
        (4, 20 * H),
        (1, 5 * H),
    ]


@pytest.mark.parametrize(
    ("answers", "median", "slowest", "unanswered"),
    [
        ([(0, 30), (0, 90)], 60, 90, 0),
        ([(0, 10), (0, 20), (0, None), (0, 300)], 20, 300, 1),
        ([(0, None)], None, None, 1),
    ],
)
def test_speed_is_median_and_slowest_answer(answers, median, slowest, unanswered):
    minute = timedelta(minutes=1)
    pairs = [(NOW + a * minute, None if b is None else NOW + b * minute) for a, b in answers]
    found = speed(pairs)
    assert found.signals == len(pairs) and found.unanswered == unanswered
    assert found.median == (None if median is None else median * minute)
    assert found.slowest == (None if slowest is None else slowest * minute)
