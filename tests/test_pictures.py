"""The pictures: valid PNGs of the promised size, drawn from their data object and nothing
else, matplotlib loaded only when one is drawn, and the command line writing them."""

import io
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from test_cli import db_env, hotleads

from bot.domain.report import BandRate
from bot.domain.schedule import WorkspaceSettings
from bot.domain.snapshots import Snapshot
from bot.domain.weekly import weekly
from handlers import pictures
from storage import deliveries, snapshots
from storage.db import Database

ROOT = Path(__file__).parent.parent
SUNDAY = date(2026, 11, 22)


def day(n: int, **counts: int) -> Snapshot:
    """The row ``n`` days before Sunday 22 November."""
    when = SUNDAY - timedelta(days=n)
    return Snapshot(
        team_id="T1",
        day=when,
        taken_at=datetime(2026, 11, 23, 8, tzinfo=UTC),
        open={"hot": counts.get("hot", 0), "warm": counts.get("warm", 0), "cold": 50},
        new_leads={},
        won=counts.get("won", 0),
        lost=counts.get("lost", 0),
        answers={"U1": (counts.get("minutes", 30),)} if "minutes" in counts else {},
        answered_same_day=0,
    )


EIGHT_WEEKS = weekly(
    [day(7 * n, hot=10 + n, warm=20 - n, won=n % 3, lost=1, minutes=20 + 30 * n) for n in range(8)],
    SUNDAY,
)
THREE_DAYS = weekly([day(n, hot=4, warm=9) for n in range(3)], SUNDAY)
NOTHING = weekly([], SUNDAY)
RATES = [BandRate("hot", 6, 10), BandRate("warm", 3, 12), BandRate("cold", 1, 20)]


def size_of(png: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(png)) as image:
        image.verify()  # the whole file decodes
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        return image.size


@pytest.mark.parametrize("summary", [EIGHT_WEEKS, THREE_DAYS, NOTHING], ids=["8w", "3d", "none"])
def test_the_weekly_picture_is_a_png_of_at_least_1200_by_600(summary):
    width, height = size_of(pictures.weekly_png(summary, "Europe/Berlin"))
    assert width >= 1200 and height >= 600


@pytest.mark.parametrize("rates", [RATES, [BandRate("none", 1, 2)], []], ids=["3", "1", "0"])
def test_the_win_rate_picture_is_a_png_of_at_least_1200_by_600(rates):
    width, height = size_of(pictures.win_rates_png(rates, 90))
    assert width >= 1200 and height >= 600


def _bars(axes) -> list[tuple[float, float, float]]:
    """(x centre, bottom, height) of every bar drawn, left to right."""
    return sorted((p.get_x() + p.get_width() / 2, p.get_y(), p.get_height()) for p in axes.patches)


def _texts(axes) -> list[str]:
    return [t.get_text() for t in axes.texts]


def test_the_weekly_picture_draws_the_weeks_numbers():
    figure = pictures.weekly_figure(EIGHT_WEEKS, "Europe/Berlin")
    opened, closed, answers = figure.axes
    weeks = EIGHT_WEEKS.weeks
    stacks: dict[float, list[float]] = {}
    for x, bottom, height in _bars(opened):
        stacks.setdefault(round(x), []).append(height)
        assert bottom >= 0
    assert [sorted(stacks[x]) for x in sorted(stacks)] == [
        sorted(w.open[b] for b in ("hot", "warm", "cold")) for w in weeks if w.open
    ]
    hot_labels = [t for t in _texts(opened)]
    for week in weeks:
        assert week.open is not None
        assert str(week.open["hot"]) in hot_labels
        assert str(sum(week.open.values())) in hot_labels  # the total above each bar
    heights = [h for _, _, h in _bars(closed)]
    assert heights == [n for w in weeks for n in (w.won, w.lost)]
    medians = [h for _, _, h in _bars(answers)]
    unit = 60 if max(w.speed.median or 0 for w in weeks) > pictures.SLOW_MINUTES else 1
    assert medians == pytest.approx([(w.speed.median or 0) / unit for w in weeks])
    labels = [t.get_text() for t in answers.get_xticklabels()]
    assert labels == [w.label() for w in weeks]
    assert "Europe/Berlin" in answers.get_xlabel()


def test_a_short_history_leaves_the_empty_weeks_empty_and_says_so():
    figure = pictures.weekly_figure(THREE_DAYS, "UTC")
    opened = figure.axes[0]
    assert len({round(x) for x, _, _ in _bars(opened)}) == 1  # one week with history
    assert [t.get_text() for t in figure.axes[2].get_xticklabels()][-1] == "16 Nov"
    assert any("Only 3 days of history so far" in t.get_text() for t in figure.texts)


def test_the_win_rate_picture_draws_the_rates_with_their_counts():
    figure = pictures.win_rates_figure(RATES, 90)
    (axes,) = figure.axes
    assert [h for _, _, h in _bars(axes)] == pytest.approx([60, 25, 5])
    assert [t.get_text() for t in axes.get_xticklabels()] == ["hot", "warm", "cold"]
    labels = [t.get_text() for t in axes.texts]
    assert labels == ["60%\n6 of 10 won", "25%\n3 of 12 won", "5%\n1 of 20 won"]


def test_starting_the_app_and_its_command_line_never_load_matplotlib():
    script = (
        "import sys, bot.app, bot.serve, bot.cli, bot.admin, bot.demo, handlers, handlers.weekly,"
        " handlers.report, handlers.delivery;"
        "from handlers import register_all;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'PIL', 'numpy')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


async def test_report_picture_writes_the_workspaces_weekly_picture_to_a_file(tmp_path):
    path = tmp_path / "h.db"
    db = await Database.open(path)
    try:
        settings = WorkspaceSettings("T1", "CSALES", "09:00", "Europe/Berlin")
        async with db.transaction() as conn:
            await deliveries.save_settings(conn, settings, "U1", datetime.now(UTC))
        await snapshots.keep_due(db, settings, datetime.now(UTC) - timedelta(days=1))
    finally:
        await db.close()
    code, out, err = await hotleads(
        "report", "--picture", str(tmp_path / "weekly.png"), env=db_env(path)
    )
    assert code == 0, err
    assert f"wrote {tmp_path / 'weekly.png'}" in out and "hot now" in out
    width, height = size_of((tmp_path / "weekly.png").read_bytes())
    assert width >= 1200 and height >= 600
    code, _, err = await hotleads(
        "report", "--picture", "x.png", "--team", "T1", "--team", "T2", env=db_env(path)
    )
    assert code == 2 and "one --team" in err


async def test_demo_writes_its_weekly_picture_and_prints_where(tmp_path):
    code, out, err = await hotleads("demo", "--picture", str(tmp_path / "w.png"), cwd=tmp_path)
    assert code == 0, err
    assert f"with this picture: {tmp_path / 'w.png'}" in out
    assert "hot now" in out
    width, height = size_of((tmp_path / "w.png").read_bytes())
    assert width >= 1200 and height >= 600
