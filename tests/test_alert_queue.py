"""The alert queue: answers first, bounded, one failing alert stops none after it, and a
lifecycle: it runs from the app's startup to its shutdown and never outlives it."""

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
    async with queue.running():
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
    async with queue.running():
        with queue.answering():
            queue.put(_recording(sent, "a"))
            await asyncio.wait_for(queue.drain(), 1)
    assert sent == ["a"]


async def test_a_full_queue_leaves_the_alert_to_run_due() -> None:
    queue, sent = AlertQueue(waiting=2), list[str]()
    async with queue.running():
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

    async with queue.running():
        queue.put(failing)
        queue.put(_recording(sent, "b"))
        await asyncio.wait_for(queue.drain(), 1)
    assert sent == ["b"]


def _workers() -> set[asyncio.Task]:
    return {t for t in asyncio.all_tasks() if t.get_name() == "alert queue"}


async def test_stopping_sends_the_alert_under_way_and_leaves_the_waiting_ones_to_run_due() -> None:
    queue, sent, started = AlertQueue(), list[str](), asyncio.Event()

    async def slow() -> None:
        started.set()
        await asyncio.sleep(0.2)
        sent.append("slow")

    async with queue.running():
        queue.put(slow)
        queue.put(_recording(sent, "waiting"))
        await asyncio.wait_for(started.wait(), 1)
    assert sent == ["slow"]  # finished, not cut off; "waiting" was never claimed
    assert not queue.put(_recording(sent, "late"))  # stopped: run-due sends it
    assert _workers() == set()


async def test_an_alert_that_overstays_is_cut_off_and_the_worker_is_gone() -> None:
    queue, started = AlertQueue(), asyncio.Event()

    async def stuck() -> None:
        started.set()
        await asyncio.sleep(60)

    async with asyncio.timeout(2):
        async with queue.running(finishing=0.1):
            queue.put(stuck)
            await started.wait()
    assert _workers() == set()


async def test_stopping_while_it_waits_for_a_quiet_moment_cancels_at_once() -> None:
    queue, sent = AlertQueue(), list[str]()
    async with asyncio.timeout(1):
        with queue.answering():  # the worker holds the alert, waiting for the answer
            async with queue.running():
                queue.put(_recording(sent, "a"))
                await asyncio.sleep(0.05)
    assert sent == [] and _workers() == set()


async def test_the_worker_never_swallows_a_cancellation() -> None:
    """Stopped in the very tick the answer ends (Python 3.11's ``wait_for`` dropped the
    cancellation there, and the worker lived on), the worker ends cancelled each time."""
    for ticks in range(4):
        queue = AlertQueue()
        stopping = queue.running()
        await stopping.__aenter__()
        (worker,) = _workers()
        with queue.answering():
            queue.put(_recording([], "a"))
            for _ in range(ticks):
                await asyncio.sleep(0)
        # leaving answering() wakes the worker; the stop comes before it runs
        async with asyncio.timeout(1):
            await stopping.__aexit__(None, None, None)
        assert worker.cancelled(), f"after {ticks} ticks"
