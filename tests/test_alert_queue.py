"""The alert queue: answers first, bounded, and one failing alert stops none after it."""

from __future__ import annotations

import asyncio

import pytest

from handlers import alert_queue
from handlers.alert_queue import Alert, AlertQueue


def _recording(sent: list[str], name: str) -> Alert:
    async def alert() -> None:
        sent.append(name)

    return alert


async def test_an_alert_waits_for_the_answer_in_the_works() -> None:
    queue, sent = AlertQueue(), list[str]()
    with queue.answering():
        assert queue.put(_recording(sent, "a"))
        await asyncio.sleep(0.05)
        assert sent == []  # the answer is still being worked out
    await asyncio.wait_for(queue.drain(), 1)
    assert sent == ["a"]


async def test_an_alert_goes_anyway_when_answers_never_stop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(alert_queue, "PATIENCE", 0.05)
    queue, sent = AlertQueue(), list[str]()
    with queue.answering():
        queue.put(_recording(sent, "a"))
        await asyncio.wait_for(queue.drain(), 1)
    assert sent == ["a"]


async def test_a_full_queue_leaves_the_alert_to_run_due() -> None:
    queue, sent = AlertQueue(waiting=2), list[str]()
    with queue.answering():
        assert queue.put(_recording(sent, "a"))
        assert queue.put(_recording(sent, "b"))
        assert not queue.put(_recording(sent, "c"))
    await asyncio.wait_for(queue.drain(), 1)
    assert sent == ["a", "b"]


async def test_a_failing_alert_stops_none_after_it() -> None:
    queue, sent = AlertQueue(), list[str]()

    async def failing() -> None:
        raise RuntimeError("Slack is down")

    queue.put(failing)
    queue.put(_recording(sent, "b"))
    await asyncio.wait_for(queue.drain(), 1)
    assert sent == ["b"]
