# ruff: noqa: ASYNC221 -- a sequential script: blocking is fine
"""The weekly picture at scale: keeping a day of history, and drawing the pictures.

For each size, on a SQLite database from ``bench.generate`` (N leads, ~10 x N
touches over two years, ~250 buying signals a day at 100,000 leads):

- a day of history: ``storage.snapshots.measure`` for each of the last 56 days
  (median and slowest), the bytes a kept row takes, and catching up all 56 at once;
- the pictures, in a fresh process per size: the weekly picture and the win-rate
  picture drawn ``--runs`` times (median), the first drawing (fonts loaded), and the
  memory the drawing adds: peak RSS over RSS before matplotlib was imported, in a
  process that has loaded the server's modules (``bot.app``), as the server has. The
  baseline, drawn in the same process: an empty 1200 x 600 matplotlib figure saved
  as PNG, the least any picture costs.

    .venv/bin/python -m bench.pictures                       # 1,000 and 100,000 leads
    .venv/bin/python -m bench.pictures --sizes 1000 --runs 5
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.common import NOW, ROOT, TEAM, machine, median, rss_mb
from bench.generate import generate
from bot.domain import weekly as summary
from bot.domain.report import BandRate
from storage import deliveries, snapshots
from storage.db import Database

DAYS = 56


async def history(path: Path) -> dict[str, float]:
    """Measure each of the last 56 days, keep them, then catch all of them up at once."""
    db = await Database.open(path)
    try:
        settings = await deliveries.get_settings(db.reader, TEAM)
        today = summary.today(settings, NOW)
        days = [today - timedelta(days=n) for n in range(DAYS, 0, -1)]
        seconds, rows = [], []
        for day in days:
            started = time.perf_counter()
            rows.append(await snapshots.measure(db.reader, settings, day, NOW, count_open=True))
            seconds.append(time.perf_counter() - started)
        async with db.transaction() as conn:
            for row in rows:
                await snapshots.keep(conn, row)
        sizes = await db.reader.fetchall(
            "SELECT length(answers) + length(new_leads) + 80 FROM snapshots WHERE team_id = ?",
            (TEAM,),
        )
        async with db.transaction() as conn:
            await conn.execute("DELETE FROM snapshots WHERE team_id = ?", (TEAM,))
            await snapshots.keep(conn, rows[0])  # kept 56 days ago; the app was down since
        started = time.perf_counter()
        kept = await snapshots.keep_due(db, settings, NOW)
        catch_up = time.perf_counter() - started
        signals = median([float(row.signals) for row in rows])
    finally:
        await db.close()
    return {
        "day median": median(seconds),
        "day max": max(seconds),
        "row bytes": median([float(size[0]) for size in sizes]),
        "signals a day": signals,
        "catch-up": catch_up,
        "caught up days": float(kept),
    }


def child(path: str, runs: int) -> None:
    """In a fresh process: read the weekly summary, then draw, timing and watching memory."""

    async def read() -> summary.Weekly:
        db = await Database.open(Path(path))
        try:
            settings = await deliveries.get_settings(db.reader, TEAM)
            return await snapshots.weekly(db.reader, TEAM, summary.today(settings, NOW))
        finally:
            await db.close()

    weekly = asyncio.run(read())
    import bot.app  # noqa: F401 -- the server's own modules are loaded before any drawing

    rates = [BandRate("hot", 40, 90), BandRate("warm", 25, 160), BandRate("cold", 9, 300)]
    before, _ = rss_mb(os.getpid())
    started = time.perf_counter()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from handlers import pictures

    imported = time.perf_counter() - started
    started = time.perf_counter()
    pictures.weekly_png(weekly, "UTC")
    first = time.perf_counter() - started

    def timed(draw) -> float:
        found = []
        for _ in range(runs):
            started = time.perf_counter()
            draw()
            found.append(time.perf_counter() - started)
        return median(found)

    def blank() -> bytes:
        out = io.BytesIO()
        FigureCanvasAgg(Figure(figsize=(8, 4), dpi=150)).print_png(out)
        return out.getvalue()

    figures = {
        "weekly": timed(lambda: pictures.weekly_png(weekly, "UTC")),
        "win rates": timed(lambda: pictures.win_rates_png(rates, 90)),
    }
    after, peak = rss_mb(os.getpid())
    figures["baseline"] = timed(blank)
    print(
        json.dumps(
            {
                **figures,
                "import": imported,
                "first": first,
                "rss before": before,
                "rss after": after,
                "peak": peak,
                "weeks": len(weekly.weeks),
                "png bytes": len(pictures.weekly_png(weekly, "UTC")),
            }
        )
    )


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


async def main_async(sizes: list[int], runs: int) -> None:
    results, load = {}, os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="hotleads-pictures-") as tmp:
        for size in sizes:
            path = Path(tmp) / f"{size}.db"
            await generate(path, size)
            kept = await history(path)
            drawn = subprocess.run(
                [sys.executable, "-m", "bench.pictures", "--child", str(path), "--runs", str(runs)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            results[size] = {**kept, **json.loads(drawn.stdout)}
            print(f"done {size}", file=sys.stderr, flush=True)
    print(machine())
    print(f"load average before the run: {load:.2f}; medians of {runs} runs\n")
    print("| measure | target | " + " | ".join(f"{s:,} leads" for s in sizes) + " |")
    print("|" + "---|" * (2 + len(sizes)))
    rows = [
        ("weekly picture, drawn", "< 1 s", lambda r: _ms(r["weekly"])),
        ("win-rate picture, drawn", "< 1 s", lambda r: _ms(r["win rates"])),
        ("baseline: empty 1200x600 figure", "-", lambda r: _ms(r["baseline"])),
        ("first drawing (fonts loaded)", "-", lambda r: _ms(r["first"])),
        ("importing matplotlib (once)", "-", lambda r: _ms(r["import"])),
        (
            "memory the drawing adds (peak - before)",
            "< 100 MB",
            lambda r: f"{r['peak'] - r['rss before']:.0f} MB",
        ),
        ("weekly PNG", "-", lambda r: f"{r['png bytes'] / 1024:.0f} KB, {r['weeks']} weeks"),
        (
            "one day measured (median / slowest)",
            "-",
            lambda r: f"{_ms(r['day median'])} / {_ms(r['day max'])}",
        ),
        ("buying signals a day (median)", "-", lambda r: f"{r['signals a day']:.0f}"),
        ("a kept row (median)", "-", lambda r: f"{r['row bytes'] / 1024:.1f} KB"),
        (
            "catching up missed days",
            "-",
            lambda r: f"{r['catch-up']:.2f} s for {r['caught up days']:.0f} days",
        ),
    ]
    for name, target, cell in rows:
        print(f"| {name} | {target} | " + " | ".join(cell(results[s]) for s in sizes) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.runs)
        return
    asyncio.run(main_async(args.sizes, args.runs))


if __name__ == "__main__":
    main()
