import asyncio

import pytest

from handlers.coalesce import Coalescer


async def test_asks_during_a_run_share_one_rerun_of_the_last_job():
    coalescer, ran, gate = Coalescer(), [], asyncio.Event()

    def job(name, wait=False):
        async def run():
            ran.append(name)
            if wait:
                await gate.wait()

        return run

    first = asyncio.create_task(coalescer.run("rep", job("first", wait=True)))
    await asyncio.sleep(0)
    await asyncio.gather(*(coalescer.run("rep", job(f"ask {n}")) for n in range(5)))
    await coalescer.run("other rep", job("other"))
    assert ran == ["first", "other"]
    gate.set()
    await first
    assert ran == ["first", "other", "ask 4"]
    await coalescer.run("rep", job("later"))
    assert ran[-1] == "later"


async def test_a_failing_job_does_not_wedge_its_key():
    coalescer = Coalescer()

    async def boom():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await coalescer.run("rep", boom)
    done = []

    async def fine():
        done.append(True)

    await coalescer.run("rep", fine)
    assert done == [True]
