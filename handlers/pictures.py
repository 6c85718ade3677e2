"""The pictures: the weekly pipeline and the report's win rates, drawn headless to PNG.

matplotlib is imported here and nowhere else, and only the code that draws imports
this module, inside the function that needs it: start-up and the ack path never
load it. Each picture is a thin function of one domain object (``Weekly``, a list
of ``BandRate``): every number it shows comes from there, as do the words beside it.
Drawn wide and large-lettered, since most managers will see it on a phone.
"""

from __future__ import annotations

import gc
import io
import threading
from collections.abc import Callable, Sequence
from datetime import date

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.domain.report import BandRate
from bot.domain.weekly import Week, Weekly, short_duration

BAND_COLOURS = {"hot": "#E4572E", "warm": "#F3B53F", "cold": "#7DB3E0", "none": "#B8BEC6"}
"""The app's bands (:fire: :sunny: :snowflake: in ``handlers.blocks``) as colours."""
BAND_NAMES = {"hot": "hot", "warm": "warm", "cold": "cold", "none": "new"}
WON, LOST, SPEED = "#2E9E5B", "#A7ADB5", "#3D4B5C"
INK, MUTED, GRID = "#1F2328", "#59636E", "#E4E7EB"
DPI = 150
WEEKLY_SIZE = (8.0, 9.6)
"""Inches at ``DPI``: 1200 x 1440 pixels, tall enough for three panels on a phone."""
RATES_SIZE = (8.0, 5.6)
"""1200 x 840 pixels."""
SLOW_MINUTES = 120
"""Past this, the speed panel counts in hours."""

_drawing = threading.Lock()
"""matplotlib's shared state (fonts, caches) is not thread-safe: one picture at a time."""


def _figure(size: tuple[float, float]) -> Figure:
    return Figure(figsize=size, dpi=DPI, facecolor="white")


def _heading(figure: Figure, title: str, note: str) -> None:
    """A bold title and a muted line under it, the same distance from the top on any size."""
    height = figure.get_figheight() * DPI

    def below_top(pixels: float) -> float:
        return 1 - pixels / height

    figure.text(
        0.025, below_top(22), title, ha="left", va="top", fontsize=19, fontweight="bold", color=INK
    )
    figure.text(
        0.025, below_top(76), note, ha="left", va="top", fontsize=12, color=MUTED, style="italic"
    )


def _style(axes: Axes, title: str, *, bold: bool = True) -> None:
    """No chart junk: a title, light horizontal lines, no frame but the baseline."""
    axes.set_title(
        title,
        loc="left",
        fontsize=15 if bold else 13,
        fontweight="bold" if bold else "normal",
        color=INK if bold else MUTED,
        pad=12,
    )
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color(MUTED)
    axes.tick_params(axis="both", labelsize=12, colors=MUTED, length=0, pad=6)
    axes.grid(axis="y", color=GRID, linewidth=1)
    axes.set_axisbelow(True)


def _legend(axes: Axes, columns: int) -> None:
    axes.legend(
        loc="lower right",
        ncols=columns,
        frameon=False,
        fontsize=12,
        handlelength=1.0,
        borderaxespad=0.0,
        bbox_to_anchor=(1.0, 1.0),
    )


def _png(draw: Callable[[], Figure]) -> bytes:
    """The figure ``draw`` makes, as PNG bytes; one drawing at a time.

    A figure is a web of reference cycles around megabytes of drawing buffers:
    collected as soon as it is saved, its memory serves the next drawing instead of
    piling up until the collector's next pass (``bench.pictures``: the server grew
    by 120 MB over 20 drawings without this, 55 MB with it).
    """
    with _drawing:
        out = io.BytesIO()
        FigureCanvasAgg(draw()).print_png(out)
        gc.collect()
        return out.getvalue()


# The weekly picture -----------------------------------------------------------------------


def weekly_figure(weekly: Weekly, tz: str) -> Figure:
    """Open leads by band, wins and losses, and the median answer, per week."""
    figure = _figure(WEEKLY_SIZE)
    grid = figure.add_gridspec(
        3, 1, height_ratios=[1.45, 1, 1], top=0.865, bottom=0.075, left=0.075, right=0.985
    )
    grid.update(hspace=0.42)
    pipeline = figure.add_subplot(grid[0])
    closed = figure.add_subplot(grid[1], sharex=pipeline)
    answers = figure.add_subplot(grid[2], sharex=pipeline)
    slots = weekly.slots()
    _heading(
        figure,
        f"Pipeline, {len(slots)} weeks to {weekly.last_day:%a} {_day(weekly.last_day)}",
        weekly.note() or f"Each week starts on the day shown; dates in {tz}.",
    )
    _open_panel(pipeline, slots)
    _closed_panel(closed, slots)
    _speed_panel(answers, slots)
    answers.set_xticks(range(len(slots)), [_day(start) for start, _ in slots])
    answers.set_xlabel(f"Week starting ({tz})", fontsize=12, color=MUTED, labelpad=8)
    for axes in (pipeline, closed):
        axes.tick_params(axis="x", labelbottom=False)
    answers.set_xlim(-0.6, len(slots) - 0.4)
    return figure


def weekly_png(weekly: Weekly, tz: str) -> bytes:
    return _png(lambda: weekly_figure(weekly, tz))


def _day(day: date) -> str:
    return f"{day.day} {day:%b}"


def _open_panel(axes: Axes, slots: list[tuple[date, Week | None]]) -> None:
    _style(axes, "Open leads at the end of each week")
    counted = [(x, week.open) for x, (_, week) in enumerate(slots) if week and week.open]
    xs = [x for x, _ in counted]
    bottoms = [0] * len(counted)
    for band in ("hot", "warm", "cold"):
        heights = [opened.get(band, 0) for _, opened in counted]
        axes.bar(xs, heights, bottom=bottoms, width=0.68, color=BAND_COLOURS[band], label=band)
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    top = max([*bottoms, 1]) * 1.15
    axes.set_ylim(0, top)
    for (x, opened), total in zip(counted, bottoms, strict=True):
        axes.annotate(
            str(total),
            (x, total),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=12,
            color=INK,
        )
        _hot_label(axes, x, opened.get("hot", 0), top)
    _legend(axes, 3)


def _hot_label(axes: Axes, x: float, count: int, top: float) -> None:
    """The hot count, white inside its segment, or on a white patch above one too thin for it."""
    if count / top >= 0.07:
        axes.text(
            x,
            count / 2,
            str(count),
            ha="center",
            va="center",
            fontsize=13,
            fontweight="bold",
            color="white",
        )
    else:
        axes.text(
            x,
            count + top * 0.01,
            str(count),
            ha="center",
            va="bottom",
            fontsize=13,
            fontweight="bold",
            color=BAND_COLOURS["hot"],
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
        )


def _closed_panel(axes: Axes, slots: list[tuple[date, Week | None]]) -> None:
    _style(axes, "Won and lost")
    weeks = [(x, week) for x, (_, week) in enumerate(slots) if week is not None]
    xs = [x for x, _ in weeks]
    for shift, what, colour in ((-0.18, "won", WON), (0.18, "lost", LOST)):
        heights = [week.won if what == "won" else week.lost for _, week in weeks]
        bars = axes.bar([x + shift for x in xs], heights, width=0.34, color=colour, label=what)
        axes.bar_label(bars, labels=[str(h) for h in heights], padding=3, fontsize=12, color=INK)
    top = max([week.won for _, week in weeks] + [week.lost for _, week in weeks] + [1])
    axes.set_ylim(0, top * 1.3)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    _legend(axes, 2)


def _speed_panel(axes: Axes, slots: list[tuple[date, Week | None]]) -> None:
    weeks = [(x, week.speed) for x, (_, week) in enumerate(slots) if week is not None]
    measured = [s.median for _, s in weeks if s.median is not None]
    hours = bool(measured) and max(measured) > SLOW_MINUTES
    unit = 60 if hours else 1
    _style(axes, f"Median answer to a buying signal ({'hours' if hours else 'minutes'})")
    top = max([m / unit for m in measured] + [1]) * 1.25
    xs = [x for x, s in weeks if s.median is not None]
    heights = [s.median / unit for _, s in weeks if s.median is not None]
    bars = axes.bar(xs, heights, width=0.6, color=SPEED)
    axes.bar_label(
        bars,
        labels=[short_duration(s.median) for _, s in weeks if s.median is not None],
        padding=3,
        fontsize=12,
        color=INK,
    )
    for x, s in weeks:
        if s.median is None:  # nothing to measure, or mostly never answered: said in words
            words = "no signals" if s.signals == 0 else "mostly\nunanswered"
            axes.text(
                x,
                top * 0.04,
                words,
                ha="center",
                va="bottom",
                fontsize=10,
                color=MUTED if s.signals == 0 else BAND_COLOURS["hot"],
            )
    axes.set_ylim(0, top)


# The report's picture ---------------------------------------------------------------------


def win_rates_figure(rates: Sequence[BandRate], days: int) -> Figure:
    """Win rate by band 14 days before the close, with the counts on the bars."""
    figure = _figure(RATES_SIZE)
    axes = figure.add_axes((0.09, 0.13, 0.89, 0.68))
    closed = sum(rate.closed for rate in rates)
    _heading(
        figure,
        "Win rate by band 14 days before the close",
        f"{closed} leads won or lost in the last {days} days",
    )
    _style(axes, "")
    xs = list(range(len(rates)))
    shares = [100 * rate.won / rate.closed for rate in rates]
    bars = axes.bar(
        xs,
        shares,
        width=0.62,
        color=[BAND_COLOURS[rate.band] for rate in rates],
    )
    for bar, rate in zip(bars, rates, strict=True):
        if not rate.enough:  # too few to trust: drawn faint, and said so
            bar.set_alpha(0.45)
    axes.bar_label(
        bars,
        labels=[_rate_label(rate) for rate in rates],
        padding=4,
        fontsize=12,
        color=INK,
    )
    axes.set_xticks(xs, [BAND_NAMES[rate.band] for rate in rates], fontsize=14, color=INK)
    top = min(118, max([*shares, 50]) + 28)
    ticks = [tick for tick in (0, 25, 50, 75, 100) if tick <= top]
    axes.set_yticks(ticks, [f"{tick}%" for tick in ticks])
    axes.set_ylim(0, top)
    axes.set_xlim(-0.6, max(len(rates), 3) - 0.4)
    if not rates:
        axes.text(
            0.5,
            0.5,
            f"No leads won or lost in the last {days} days yet",
            transform=axes.transAxes,
            ha="center",
            fontsize=14,
            color=MUTED,
        )
    figure.text(
        0.025,
        0.02,
        "Band: how hot the lead was 14 days before it closed; new: added less than 14 days before.",
        fontsize=10,
        color=MUTED,
    )
    return figure


def win_rates_png(rates: Sequence[BandRate], days: int) -> bytes:
    return _png(lambda: win_rates_figure(rates, days))


def _rate_label(rate: BandRate) -> str:
    share = f"{rate.won / rate.closed:.0%}"
    counts = f"{rate.won} of {rate.closed} won"
    return f"{share}\n{counts}" if rate.enough else f"{counts}\n(too few yet)"
