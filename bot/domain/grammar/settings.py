"""``/lead settings``: the daily digest and reminders, every value read and checked here."""

from __future__ import annotations

import difflib
import functools
import re
import zoneinfo
from dataclasses import dataclass, replace
from typing import Literal

from bot.domain.dates import time_of_day, weekday_number
from bot.domain.grammar.fields import EXAMPLES
from bot.domain.grammar.reader import (
    KEY,
    USER,
    GrammarError,
    Option,
    Word,
    no_more,
    plain,
    short,
    split_options,
    suggest,
    unknown,
)
from bot.domain.vocabulary import WEEKDAYS, Weekday
from bot.domain.working_hours import read_hours

MAX_QUIET = 90
MAX_RESPOND = 72
"""Hours: a buying signal unanswered for three days is far past the point."""

MAX_REPS = 50
"""People in one round robin: a small sales team, with room to spare."""

MAX_RELAY = 480
"""Minutes: a whole working day before a hot lead is offered on is the most that helps."""

_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|[^<>]*)?>")
_QUIET = re.compile(r"[0-9]{1,3}")


@dataclass(frozen=True)
class Settings:
    """The workspace settings typed, read and checked; ``None`` leaves one as it is.

    Named and typed as ``WorkspaceSettings`` holds them, so a value goes from the
    command to storage as it is (``reps=()`` clears the round robin). None given: show.
    """

    channel_id: str | None = None
    digest_time: str | None = None
    tz: str | None = None
    quiet_days: int | None = None
    respond_hours: int | None = None
    digest_days: tuple[Weekday, ...] | None = None
    reps: tuple[str, ...] | None = None
    weekly: Weekday | Literal["off"] | None = None
    relay_minutes: int | None = None
    hours: str | None = None
    manager: str | None = None

    @property
    def changes_nothing(self) -> bool:
        return self == Settings()


_SETTINGS_KEYS = frozenset(
    {"channel", "time", "tz", "quiet", "respond", "days", "reps", "weekly", "relay", "hours"}
    | {"manager"}
)


def parse_settings(words: list[Word]) -> Settings:
    rest, options = split_options(words, _SETTINGS_KEYS)
    for word in rest:
        typed = KEY.match(word.raw)
        if typed and (guess := suggest(typed.group(1), tuple(_SETTINGS_KEYS))):
            raise unknown("setting", f"{typed.group(1)}:", f"{guess}:", "settings")
    no_more(
        "settings",
        rest,
        "It takes `channel:`, `time:`, `tz:`, `quiet:`, `respond:`, `days:`, `reps:`, "
        "`weekly:`, `relay:`, `hours:` and `manager:`, like "
        "`/lead settings time:09:00 days:mon-fri`.",
    )
    change = Settings()
    for key, option in options.items():
        if not option.text:
            raise GrammarError(f"`{key}:` needs a value after it, like {EXAMPLES[key]}.")
        change = _setting(change, key, option)
    return change


def _setting(change: Settings, key: str, option: Option) -> Settings:
    """``change`` with one more ``key:value`` read into it (in the order typed: first error wins)."""
    match key:
        case "channel":
            return replace(change, channel_id=_channel(option))
        case "time":
            return replace(change, digest_time=_time(option))
        case "tz":
            return replace(change, tz=_tz(option))
        case "quiet":
            return replace(change, quiet_days=_quiet(option))
        case "respond":
            return replace(change, respond_hours=_respond(option))
        case "days":
            return replace(change, digest_days=_days(option))
        case "reps":
            return replace(change, reps=_reps(option))
        case "weekly":
            return replace(change, weekly=_weekly(option))
        case "relay":
            return replace(change, relay_minutes=_relay(option))
        case "hours":
            return replace(change, hours=_hours(option))
        case "manager":
            return replace(change, manager=_manager(option))
    raise AssertionError(f"not a setting: {key}")


def _channel(option: Option) -> str:
    match = _CHANNEL.fullmatch(option.raw.strip())
    if not match:
        raise GrammarError(
            f"“{short(option.text)}” isn't a channel I can post to. Type `#` and pick the "
            "channel from Slack's list so it becomes a link, like `channel:#sales`."
        )
    return match.group(1)


def _time(option: Option) -> str:
    clock = time_of_day(option.text.strip())
    if clock is None:
        raise GrammarError(
            f"“{short(option.text)}” isn't a time. Write it like `time:9am`, "
            "`time:9:30` or `time:17:30`."
        )
    return clock


def _relay(option: Option) -> int:
    """Minutes of working time before an unanswered hot lead is offered on; ``off`` is 0."""
    text = option.text.strip().lower()
    if text in ("off", "none", "no"):
        return 0
    minutes = re.fullmatch(r"([0-9]{1,3})\s*(m|min|mins|minutes)?", text)
    if not minutes or not 1 <= int(minutes.group(1)) <= MAX_RELAY:
        raise GrammarError(
            f"`relay:` is how many minutes of working time a hot lead may wait before it is "
            f"offered to the next rep: a whole number from 1 to {MAX_RELAY}, like `relay:15`, "
            f"or `relay:off`, not “{short(option.text)}”."
        )
    return int(minutes.group(1))


def _hours(option: Option) -> str:
    """Working hours as ``HH:MM-HH:MM``, opening before closing, from ``9-18`` or ``9am-6pm``."""
    sides = re.split(r"\s*(?:-|\u2013|to)\s*", option.text.strip().lower())
    clocks = [time_of_day(side, bare_hour=True) for side in sides] if len(sides) == 2 else []
    hours = "-".join(c for c in clocks if c) if all(clocks) and clocks else ""
    if not hours or read_hours(hours) is None:
        raise GrammarError(
            f"`hours:` is when your team works, opening before closing, like "
            f"`hours:09:00-18:00` or `hours:8am-5pm`, not “{short(option.text)}”."
        )
    return hours


def _manager(option: Option) -> str:
    """Who hears of a lead unanswered after ``respond:`` hours; ``none``: the digest channel."""
    if option.text.strip().lower() in ("none", "off"):
        return ""
    match = USER.fullmatch(option.raw.strip())
    if not match:
        raise GrammarError(
            f"“{short(option.text)}” isn't a person. Pick the manager from Slack's @-list, "
            "like `manager:@maria` (`manager:none` sends escalations to the digest channel)."
        )
    return match.group(1)


@functools.cache
def _zones() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


# What people call a zone, and the IANA zone (with daylight saving) they nearly always mean.
_ZONE_ABBREVIATIONS = {
    "est": "America/New_York",
    "edt": "America/New_York",
    "et": "America/New_York",
    "eastern": "America/New_York",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "ct": "America/Chicago",
    "central": "America/Chicago",
    "mst": "America/Denver",
    "mdt": "America/Denver",
    "mt": "America/Denver",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pt": "America/Los_Angeles",
    "pacific": "America/Los_Angeles",
    "hst": "Pacific/Honolulu",
    "gmt": "Europe/London",
    "bst": "Europe/London",
    "cet": "Europe/Berlin",
    "cest": "Europe/Berlin",
    "eet": "Europe/Athens",
    "ist": "Asia/Kolkata",
    "jst": "Asia/Tokyo",
    "aest": "Australia/Sydney",
}
_FIXED = frozenset({"est", "mst", "hst", "gmt"})
"""Abbreviations that are also IANA names, but fixed offsets without daylight saving."""


@functools.cache
def _cities() -> dict[str, str]:
    """``new york`` and ``sao paulo`` -> their zones: the last part of each name, as written."""
    cities: dict[str, str] = {}
    for name in sorted(_zones().values()):
        if "/" in name and not name.startswith("Etc/"):
            cities.setdefault(name.rsplit("/", 1)[1].replace("_", " ").lower(), name)
    return cities


def _tz(option: Option) -> str:
    typed = " ".join(option.text.split())
    word = typed.lower()
    if word in _ZONE_ABBREVIATIONS:
        meant = _ZONE_ABBREVIATIONS[word]
        why = "has no daylight saving" if word in _FIXED else "isn't a zone name"
        raise GrammarError(f"{short(typed)} {why}; did you mean `{meant}`? Write `tz:{meant}`.")
    zones = _zones()
    name = zones.get(word.replace(" ", "_"))
    if name is not None:
        return name
    city = _cities().get(word)
    if city is None and "/" in word:
        close = difflib.get_close_matches(word, sorted(zones), n=1)
        city = zones[close[0]] if close else None
    elif city is None:
        close = difflib.get_close_matches(word, list(_cities()), n=1)
        city = _cities()[close[0]] if close else None
    guess = f" Did you mean `{city}`?" if city else ""
    raise GrammarError(
        f"I don't know the time zone “{short(typed)}”.{guess} "
        "Use a name like `tz:Europe/Berlin` or `tz:America/New_York`."
    )


def _quiet(option: Option) -> int:
    text = option.text
    if not _QUIET.fullmatch(text) or not 1 <= int(text) <= MAX_QUIET:
        raise GrammarError(
            f"`quiet:` is how many days with no answer before a reminder: a whole number "
            f"from 1 to {MAX_QUIET}, like `quiet:7`, not “{short(text)}”."
        )
    return int(text)


def _respond(option: Option) -> int:
    text = option.text
    if not _QUIET.fullmatch(text) or not 1 <= int(text) <= MAX_RESPOND:
        raise GrammarError(
            f"`respond:` is how many hours a buying signal may wait for our answer: a whole "
            f"number from 1 to {MAX_RESPOND}, like `respond:4`, not “{short(text)}”."
        )
    return int(text)


def _reps(option: Option) -> tuple[str, ...]:
    """Mentions, comma-separated, as the ids the round robin stores; ``none`` clears it."""
    if option.text.lower() in ("none", "off"):
        return ()
    found: list[str] = []
    for part in option.raw.split(","):
        match = USER.fullmatch(part.strip())
        if not match:
            raise GrammarError(
                f"“{short(plain(part).strip() or option.text)}” isn't a person. List the reps "
                "who take turns with new leads as mentions picked from Slack's @-list, like "
                "`reps:@ana,@ben` (`reps:none` to stop)."
            )
        if match.group(1) not in found:
            found.append(match.group(1))
    if len(found) > MAX_REPS:
        raise GrammarError(f"At most {MAX_REPS} reps take turns; name fewer.")
    return tuple(found)


_DAY_GROUPS = {
    "weekdays": "mon-fri",
    "weekday": "mon-fri",
    "weekends": "sat-sun",
    "weekend": "sat-sun",
    "everyday": "mon-sun",
    "daily": "mon-sun",
}


def _days(option: Option) -> tuple[Weekday, ...]:
    """Any spelling of a set of days, as the ordered list the schedule stores."""
    text = "".join(option.text.lower().split())
    text = _DAY_GROUPS.get(text, text)
    chosen: set[int] = set()
    for part in text.split(","):
        first, dash, last = part.partition("-")
        start, end = _day(first, option), _day(last if dash else first, option)
        chosen.update((start + step) % 7 for step in range((end - start) % 7 + 1))
    return tuple(WEEKDAYS[i] for i in sorted(chosen))


def _weekly(option: Option) -> Weekday | Literal["off"]:
    """The day of the weekly summary, in any spelling of a weekday, or ``off``."""
    text = "".join(option.text.lower().split())
    if text in ("off", "none", "no"):
        return "off"
    day = weekday_number(text)
    if day is None:
        raise GrammarError(
            f"`weekly:` is the day the weekly summary is posted: a weekday like "
            f"`weekly:mon`, or `weekly:off` to stop it, not “{short(option.text)}”."
        )
    return WEEKDAYS[day]


def _day(name: str, option: Option) -> int:
    day = weekday_number(name)
    if day is None:
        raise GrammarError(
            f"I can't read the days “{short(option.text)}”. Use a range or a list, like "
            "`days:mon-fri`, `days:mon,wed,fri` or `days:daily`."
        )
    return day
