"""Natural-language dates ("yesterday 3pm", "in 30 days") in the rep's own time zone.

Only dates a sales team can mean get through: nothing before 1990 (``0225``
is a typo for ``2025``), no plan more than ten years ahead. Inside those
bounds no time zone shift or date arithmetic can leave Python's calendar
(year 1 to 9999), so nothing downstream overflows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dateparser

from bot.domain.slack_user import SlackUser
from bot.domain.text import truncate

CLOCK_SKEW = timedelta(minutes=5)
"""A touch this little in the future is taken as now: clocks and typing disagree."""
EARLIEST_YEAR = 1990
"""Nothing a sales team logs or plans is dated, on its own wall clock, before this year."""
YEARS_AHEAD = 10
"""How far ahead a plan (a snooze) may reach."""
WORKING_HOURS = (7, 20)
"""A plan at ``3`` is 15:00, not 03:00: of the hours a bare number may mean, these come first."""


class DateError(ValueError):
    """Text that is not a usable date; the message is shown to the user."""


def zone(name: str | None) -> ZoneInfo:
    """The named IANA zone, or UTC when the name is empty or unknown."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def latest_plan(now: datetime) -> datetime:
    """``YEARS_AHEAD`` years after ``now`` (28 Feb for 29 Feb), never past year 9999."""
    year = now.year + YEARS_AHEAD
    if year > datetime.max.year:
        return datetime.max.replace(tzinfo=UTC)
    try:
        return now.replace(year=year)
    except ValueError:
        return now.replace(year=year, day=28)


def check_plausible(moment: datetime, now: datetime, shown: str, *, plan: bool = False) -> None:
    """Refuse a moment no sales team means: before 1990, or past ten years ahead.

    A ``plan`` (a snooze, a due day) may be ahead; anything else more than ten
    years ahead is called the future here, and callers refuse the nearer future
    in their own words. The year is checked before any arithmetic, so a moment at
    the calendar's edge (year 1, year 9999 in any zone) is refused, never
    overflowed. ``shown`` is what the user wrote, quoted back in the message.
    """
    if moment.year < EARLIEST_YEAR:
        guess = _this_century(moment)
        fits = guess is not None and (now < guess <= latest_plan(now) if plan else guess <= now)
        hint = f"; did you mean {guess.year}?" if fits and guess else "."
        raise DateError(f"I read “{shown}” as {_day(moment)} — that's before {EARLIEST_YEAR}{hint}")
    if moment.year > now.year + YEARS_AHEAD or moment > latest_plan(now):
        ahead = f"more than {YEARS_AHEAD} years ahead" if plan else "in the future"
        raise DateError(f"I read “{shown}” as {_day(moment)} — that's {ahead}.")


def from_iso(text: str, now: datetime, *, plan: bool = False) -> datetime:
    """A moment a machine wrote (ISO 8601, UTC when it names no zone), plausible, in UTC.

    The one reading of times from hooks, CSV files and the command line: anything
    unreadable or implausible raises ``DateError`` before any arithmetic is done.
    """
    shown = truncate(text.strip(), 40)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise DateError(f"“{shown}” is not an ISO 8601 time, like 2026-11-23T10:00:00Z.") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    check_plausible(moment, now, shown, plan=plan)
    return moment.astimezone(UTC)


def parse_past(text: str, tz: str | None, now: datetime, *, day_first: bool = False) -> datetime:
    """When a touch happened: must not be in the future, nor before 1990.

    A time of day means the latest such moment that is not in the future: at 15:46,
    ``3pm`` is today 15:00 and ``4pm`` yesterday 16:00; ``yesterday at 3`` is 15:00.
    A calendar date with no time is that day at noon, or now when it is today
    (``read_past`` says which); ``day_first`` orders ``3/4`` as the rep's locale does.
    """
    return read_past(text, tz, now, day_first=day_first).at


@dataclass(frozen=True)
class Reading:
    """A moment read from text, and the time of day assumed when the text gave none."""

    at: datetime
    assumed: Literal["noon", "now"] | None = None


def read_past(text: str, tz: str | None, now: datetime, *, day_first: bool = False) -> Reading:
    """``parse_past``, saying what time of day was assumed for a date typed without one."""
    local_now = now.astimezone(zone(tz))
    calendar = _calendar_moment(text, local_now, day_first=day_first)
    if calendar is not None:
        check_plausible(calendar.at, now, text)
        if calendar.at > now + CLOCK_SKEW:
            raise DateError(
                f"“{text}” is in the future. Log touches that happened; "
                "to be reminded later, use `/lead snooze`."
            )
        return Reading(min(calendar.at.astimezone(UTC), now), calendar.assumed)
    parsed = _past_moment(text, local_now) or _parse(text, tz, now, "past")
    if parsed is None:
        raise DateError(
            f"I couldn't read “{text}” as a date. Try `yesterday 3pm`, `last friday` "
            "or `10 days ago`."
        )
    if parsed > now + CLOCK_SKEW:
        raise DateError(
            f"“{text}” is in the future. Log touches that happened; "
            "to be reminded later, use `/lead snooze`."
        )
    check_plausible(parsed, now, text)
    return Reading(min(parsed.astimezone(UTC), now))


def parse_future(text: str, tz: str | None, now: datetime, *, day_first: bool = False) -> datetime:
    """Until when something waits (a snooze): in the future, at most ten years ahead.

    A calendar date is read whole, as ``parse_past`` reads one (``3/4`` in the rep's
    order); with no year it is the next such day, and with no time its start.
    """
    calendar = _calendar_moment(text, now.astimezone(zone(tz)), day_first=day_first, ahead=True)
    parsed = calendar.at if calendar else _parse(text, tz, now, "future")
    if parsed is None:
        raise DateError(
            f"I couldn't read “{text}” as a date. Try `in 30 days`, `next monday` or `2026-01-15`."
        )
    check_plausible(parsed, now, text, plan=True)
    if parsed <= now:
        raise DateError(f"“{text}” is already past. Pick a date ahead, like `in 2 weeks`.")
    return parsed.astimezone(UTC)


def parse_due(text: str, tz: str | None, now: datetime, *, day_first: bool = False) -> date:
    """The day a next step is due, on the rep's calendar: today or later, at most ten years ahead."""
    calendar = _calendar_moment(text, now.astimezone(zone(tz)), day_first=day_first, ahead=True)
    parsed = calendar.at if calendar else _parse(text, tz, now, "future")
    if parsed is None:
        raise DateError(
            f"I couldn't read “{text}” as a date. Try `friday`, `in 2 weeks` or `2026-01-15`."
        )
    check_plausible(parsed, now, text, plan=True)
    today = now.astimezone(zone(tz)).date()
    if parsed.date() < today:
        raise DateError(f"“{text}” is already past. Pick a day ahead, like `due:friday`.")
    return parsed.date()


@dataclass(frozen=True)
class Reader:
    """How one person writes moments: their wall clock and the order of ``3/4``.

    The one reader behind ``/lead log``, ``when:``, ``due:``, ``snooze``, ``away``, the Log
    and Edit modals and Workflow Builder steps, so a rep's ``3/4`` means one day everywhere.
    """

    tz: str | None
    day_first: bool = False

    @classmethod
    def of(cls, tz: str | None, locale: str | None) -> Reader:
        """The reader for a person in zone ``tz`` whose Slack locale is ``locale``."""
        return cls(tz, day_first(locale))

    @classmethod
    def of_person(cls, person: SlackUser | None, tz: str | None = None) -> Reader:
        """The reader for a Slack user as last seen; ``tz`` when we don't know theirs."""
        if person is None:
            return cls(tz)
        return cls.of(person.tz or tz, person.locale)

    def past(self, text: str, now: datetime) -> Reading:
        """When a touch happened (``read_past``)."""
        return read_past(text, self.tz, now, day_first=self.day_first)

    def future(self, text: str, now: datetime) -> datetime:
        """Until when something waits (``parse_future``)."""
        return parse_future(text, self.tz, now, day_first=self.day_first)

    def due(self, text: str, now: datetime) -> date:
        """The day something is due (``parse_due``)."""
        return parse_due(text, self.tz, now, day_first=self.day_first)

    def in_note(self, note: str, now: datetime, *, when_given: bool = False) -> InNote:
        """The moment a note gives (``when_in_note``)."""
        return when_in_note(note, self.tz, now, day_first=self.day_first, when_given=when_given)


def read_cell(text: str, now: datetime, *, day_first: bool, plan: bool = False) -> datetime:
    """A date in a file (CSV import), in UTC: ISO 8601, or a whole date as reps write one.

    ``2025-11-25``, ``2025-11-25T14:00:00Z``, ``25 Nov 2025``, ``Nov 25, 2025 2pm``,
    ``25.11.2025`` (dots: day first). Slashes follow ``day_first`` for the whole file and
    are never turned around: ``13/11/2025`` in a month-first file is refused, since a file
    that writes it means its ``3/4`` as 3 April too. Times without a zone are UTC. A date
    with no time is noon (now if today; the start of the day for a ``plan``); with no year,
    the latest such day (the next, for a plan).
    """
    shown = truncate(" ".join(text.split()), 40)
    if _ISO_TIME.match(text.strip()):
        return from_iso(text, now, plan=plan)
    calendar = _calendar_moment(
        shown, now.astimezone(UTC), day_first=day_first, ahead=plan, strict=True
    )
    if calendar is None:
        slashes = "31/12/2025 (day first)" if day_first else "12/31/2025 (month first)"
        raise DateError(
            f"I couldn't read “{shown}” as a date. Write 2025-12-31, 31 Dec 2025 "
            f"or, in this file, {slashes}."
        )
    check_plausible(calendar.at, now, shown, plan=plan)
    return calendar.at.astimezone(UTC)


_ISO_TIME = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[T ][0-9]")
"""An ISO 8601 time of day (a machine's export): ``from_iso`` reads it, or says why not."""


def _parse(text: str, tz: str | None, now: datetime, prefer: str) -> datetime | None:
    """The moment as read on the rep's wall clock, time zone aware, not yet checked."""
    text = _WEEKDAY_WORD.sub(lambda m: _WEEKDAY_NAMES[_WEEKDAY[m.group().lower()]][0], text)
    try:
        return _dateparser(text, now.astimezone(zone(tz)), prefer)
    except OverflowError:
        # The reading is within a day of year 1 or 9999, where the zone's offset
        # leaves the calendar: read it as UTC only to say how it was read.
        try:
            return _dateparser(text, now.astimezone(zone(None)), prefer)
        except OverflowError:
            return None


def _dateparser(text: str, local_now: datetime, prefer: str) -> datetime | None:
    read: datetime | None = dateparser.parse(
        text,
        languages=["en"],
        settings={
            "TIMEZONE": local_now.tzinfo.key,  # type: ignore[union-attr]
            "RETURN_AS_TIMEZONE_AWARE": True,
            "RELATIVE_BASE": local_now.replace(tzinfo=None),
            "PREFER_DATES_FROM": prefer,
        },
    )
    return read


def _day(moment: datetime) -> str:
    """``14 Mar 0225``: four-digit years, whatever strftime does with small ones."""
    return f"{moment.day} {moment:%b} {moment.year:04d}"


def _this_century(moment: datetime) -> datetime | None:
    """The same day in 20YY, for years typed with a digit lost or swapped (0225, 1925)."""
    try:
        return moment.replace(year=2000 + moment.year % 100)
    except ValueError:
        return None


# Moments a rep types after a touch ----------------------------------------------------

_HOURS = r"(?:[01]?[0-9]|2[0-3])"
_CLOCK = (
    rf"(?P<noon>noon|midday|midnight)|(?P<hour>{_HOURS})(?::(?P<minute>[0-5][0-9]))?"
    r"\s*(?P<half>am|pm|a\.m\.|p\.m\.)?"
)
_WEEKDAY_NAMES = (
    ("monday", "mon"),
    ("tuesday", "tue", "tues"),
    ("wednesday", "wed", "weds"),
    ("thursday", "thu", "thur", "thurs"),
    ("friday", "fri"),
    ("saturday", "sat"),
    ("sunday", "sun"),
)
_WEEKDAY = {name: day for day, names in enumerate(_WEEKDAY_NAMES) for name in names}


def weekday_number(name: str) -> int | None:
    """Monday 0 … Sunday 6 for a weekday however spelled (``wed``, ``weds``, ``Thurs``)."""
    return _WEEKDAY.get(name.strip().lower())


_WEEKDAY_WORD = re.compile(rf"\b(?:{'|'.join(sorted(_WEEKDAY, key=len, reverse=True))})\b", re.I)
"""A weekday however it is spelled: dateparser reads ``next wednesday`` but not ``next wed``."""
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_UNITS = {
    "min": "minutes",
    "mins": "minutes",
    "minute": "minutes",
    "minutes": "minutes",
    "hr": "hours",
    "hrs": "hours",
    "hour": "hours",
    "hours": "hours",
    "day": "days",
    "days": "days",
    "week": "weeks",
    "weeks": "weeks",
    "month": "",
    "months": "",
}
_TIME_OF_DAY = re.compile(_CLOCK, re.IGNORECASE)


def time_of_day(text: str, *, bare_hour: bool = False) -> str | None:
    """A time of day as people write it (``9am``, ``9:30``, ``17:30``, ``noon``) as ``HH:MM``.

    The clock ``when:`` reads, for settings (``time:``, ``hours:``); a bare ``9`` only with
    ``bare_hour``, where a range (``9-18``) says it is a time.
    """
    match = _TIME_OF_DAY.fullmatch(text.strip())
    if not match:
        return None
    if match.group("noon"):
        return "00:00" if match.group("noon").lower() == "midnight" else "12:00"
    hour, minute = int(match.group("hour")), match.group("minute")
    half = (match.group("half") or "").replace(".", "").lower()
    if (half and not 1 <= hour <= 12) or not (half or minute or bare_hour):
        return None
    if half:
        hour = hour % 12 + (12 if half == "pm" else 0)
    return f"{hour:02d}:{minute or '00'}"


_PARTS_OF_DAY = {"morning": 9, "afternoon": 14, "evening": 18}
_DAY = (
    r"(?P<day>today|earlier today|yesterday(?: (?:morning|afternoon|evening))?|"
    r"the day before yesterday|day before yesterday|"
    r"this (?:morning|afternoon|evening)|tonight|last night|"
    rf"(?:(?:last|on|this past) )?(?:{'|'.join(sorted(_WEEKDAY, key=len, reverse=True))})|"
    rf"(?:[0-9]{{1,3}}|{'|'.join(_COUNTS)}) (?:{'|'.join(_UNITS)}) ago)"
)
_PAST_PHRASES = (
    re.compile(rf"{_DAY}(?:,? (?:at )?(?:{_CLOCK}))?", re.IGNORECASE),
    re.compile(rf"(?P<at>at )?(?:{_CLOCK})(?: {_DAY})?", re.IGNORECASE),
)
_NOT_PAST_BEFORE = frozenset({"next", "coming", "until", "till", "by", "before", "from", "every"})
MAX_PHRASE_WORDS = 6


_MONTH_NAMES = (
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may",),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sep", "sept"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
)
_MONTH = {name: month for month, names in enumerate(_MONTH_NAMES, 1) for name in names}
_MONTHS = "|".join(sorted(_MONTH, key=len, reverse=True))
_TH = r"(?:st|nd|rd|th)?"
_DATES = (
    rf"(?P<d>[0-9]{{1,2}}){_TH}\.? (?:of )?(?P<mon>{_MONTHS})\.?(?:,? (?P<y>[0-9]{{4}}))?",
    rf"(?P<mon>{_MONTHS})\.? (?P<d>[0-9]{{1,2}}){_TH}(?:,? (?P<y>[0-9]{{4}}))?",
    r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})",
    r"(?P<a>[0-9]{1,2})/(?P<b>[0-9]{1,2})(?:/(?P<y>[0-9]{4}|[0-9]{2}))?",
    r"(?P<d>[0-9]{1,2})\.(?P<m>[0-9]{1,2})\.(?P<y>[0-9]{4}|[0-9]{2})?",
)
_CALENDAR = tuple(
    re.compile(pattern, re.IGNORECASE)
    for date_pattern in _DATES
    for pattern in (
        rf"(?P<on>on )?{date_pattern}(?:,? (?:at |@ ?)?(?:{_CLOCK}))?",
        rf"(?:at |@ ?)?(?:{_CLOCK}),? (?P<on>on )?{date_pattern}",
    )
)
"""A calendar date, an optional time before or after it: ``25 nov 11am``, ``11/25 4pm``."""


@dataclass(frozen=True)
class _Calendar:
    at: datetime
    assumed: Literal["noon", "now"] | None
    bare_number: bool
    """Digits only, no time, no year, no ``on``: ``3/4`` at the end of a note may be a ratio."""


def day_first(locale: str | None) -> bool:
    """Whether the rep's Slack locale writes ``3/4`` as 3 April: all but the US and Japan do."""
    return bool(locale) and not str(locale).lower().startswith(("en-us", "ja", "zh", "ko"))


def _calendar_moment(
    text: str, local_now: datetime, *, day_first: bool, ahead: bool = False, strict: bool = False
) -> _Calendar | None:
    """A calendar date (and time) read exactly, in the past: no year means the latest such day.

    ``ahead`` reads a plan: no year means the next such day, no time its start. ``strict``
    never turns a slash date around (``13/11`` month first is no date). Years outside
    what a team can mean are left to dateparser, which refuses them in words.
    """
    text = " ".join(text.split())
    match = next((m for m in (p.fullmatch(text) for p in _CALENDAR) if m), None)
    if match is None:
        return None
    fields = match.groupdict()
    if fields.get("mon"):
        month, day = _MONTH[fields["mon"].lower()], int(fields["d"])
    elif fields.get("a"):
        first, second = int(fields["a"]), int(fields["b"])
        turned = day_first if strict else (day_first or first > 12) and second <= 12
        month, day = (second, first) if turned else (first, second)
    else:
        month, day = int(fields["m"]), int(fields["d"])
    year_text = fields.get("y")
    today = local_now.date()
    year = (
        (2000 + int(year_text) if len(year_text) == 2 else int(year_text))
        if year_text
        else today.year
    )
    if not EARLIEST_YEAR <= year <= today.year + YEARS_AHEAD:
        return None
    try:
        on = date(year, month, day)
        if not year_text and not ahead and on > today:
            on = date(year - 1, month, day)
        if not year_text and ahead and on < today:
            on = date(year + 1, month, day)
    except ValueError:
        return None
    bare = not fields.get("mon") and not year_text and not fields.get("on")
    clock = _clock(match, twenty_four=bool(fields.get("m")))
    if clock is None and (match.group("hour") or match.group("noon")):
        return None  # 13pm
    if clock is None and ahead:
        return _Calendar(_on(on, 0, 0, local_now), None, bare)
    if clock is None:
        if on == today:
            return _Calendar(_on(on, local_now.hour, local_now.minute, local_now), "now", bare)
        return _Calendar(_on(on, 12, 0, local_now), "noon", bare)
    moments = [_on(on, hour, clock[1], local_now) for hour in clock[0]]
    if ahead:
        coming = [moment for moment in moments if moment > local_now]
        working = [
            moment for moment in coming if WORKING_HOURS[0] <= moment.hour < WORKING_HOURS[1]
        ]
        return _Calendar(min(working or coming or moments[-1:]), None, False)
    past = [moment for moment in moments if moment <= local_now]
    return _Calendar(max(past) if past else moments[0], None, False)


@dataclass(frozen=True)
class Trailing:
    """A note with the past moment typed at its end taken off: ``phrase`` is that moment."""

    note: str
    phrase: str | None
    at: datetime | None
    assumed: Literal["noon", "now"] | None = None
    """A date typed without a time: the time of day taken for it."""
    ahead: str | None = None
    """A date and time at the end that is still ahead: left in the note, never cut short."""


def past_at_end(note: str, tz: str | None, now: datetime, *, day_first: bool = False) -> Trailing:
    """``spoke to them yesterday 3pm`` is the note ``spoke to them`` at yesterday 15:00.

    Only a phrase that reads as a past moment counts ("2 days ago", "monday 10am",
    "25 nov 11am", "11/25 4pm"), read whole: the longest such phrase wins. Anything
    that reads as the future ("next monday", "tomorrow") stays in the note, and so
    do bare numbers that may not be dates ("3/4" with no time, year or "on").
    """
    words = note.split()
    local_now = now.astimezone(zone(tz))
    for count in range(min(MAX_PHRASE_WORDS, len(words)), 0, -1):
        phrase = " ".join(words[-count:]).rstrip(".")
        calendar = _calendar_moment(phrase, local_now, day_first=day_first)
        if calendar is not None and calendar.bare_number:
            calendar = None
        if calendar is None and not _past_phrase(phrase):
            continue
        before = words[-count - 1].lower() if count < len(words) else ""
        if before in _NOT_PAST_BEFORE:
            break
        moment = calendar.at if calendar else _past_moment(phrase, local_now)
        if calendar and moment and moment > now + CLOCK_SKEW:
            return Trailing(note, None, None, ahead=phrase)  # not "3pm" of "1 dec 3pm"
        if moment is None and phrase.lower().endswith("ago"):  # months: dateparser's calendar
            moment = _dateparser(phrase, local_now, "past")
        if moment is None or moment > now + CLOCK_SKEW or moment.year < EARLIEST_YEAR:
            continue
        rest = " ".join(words[:-count]).rstrip(" ,;:\u2013\u2014-")
        at = min(moment.astimezone(UTC), now)
        return Trailing(rest, phrase, at, calendar.assumed if calendar else None)
    return Trailing(note, None, None)


_INSIDE = re.compile(
    r"(?<![\w'\u2019])(?:this (?:morning|afternoon|evening)|earlier today|"
    r"(?:the )?day before yesterday|yesterday(?: (?:morning|afternoon|evening))?|last night|"
    rf"(?:on|last) (?:{'|'.join(sorted(_WEEKDAY, key=len, reverse=True))})|"
    rf"(?:[0-9]{{1,2}}|{'|'.join(_COUNTS)}) (?:days?|weeks?) ago)(?![\w'\u2019])",
    re.IGNORECASE,
)
"""Moments a rep writes inside a note, clear enough to be used without a time."""


@dataclass(frozen=True)
class InNote:
    """When a touch happened as its note says: the moment used, and those left in the note."""

    note: str
    phrase: str | None
    at: datetime | None
    assumed: Literal["noon", "now"] | None = None
    left: tuple[str, ...] = ()
    """Moment phrases in the note that were not used, for the reply to say so."""


def when_in_note(
    note: str, tz: str | None, now: datetime, *, day_first: bool = False, when_given: bool = False
) -> InNote:
    """The moment a note gives: a phrase at its end, else the only moment inside it.

    ``call this morning, verbal yes`` is this morning, the note ``verbal yes``: a moment
    that opens the note is taken off, one in the middle stays. Two moments inside, or
    one inside beside a trailing one or ``when:`` (``when_given``), are not guessed
    between: the others are ``left``, and the reply says they were.
    """
    trailing = Trailing(note, None, None)
    if not when_given:
        trailing = past_at_end(note, tz, now, day_first=day_first)
    local_now = now.astimezone(zone(tz))
    inside = [
        match
        for match in _INSIDE.finditer(trailing.note)
        if _before(trailing.note, match.start()) not in _NOT_PAST_BEFORE
        and (moment := _past_moment(match.group(), local_now)) is not None
        and moment <= local_now + CLOCK_SKEW
    ]
    phrases = tuple(match.group() for match in inside) + (
        (trailing.ahead,) if trailing.ahead else ()
    )
    if when_given or trailing.at is not None or len(phrases) != 1 or trailing.ahead:
        return InNote(trailing.note, trailing.phrase, trailing.at, trailing.assumed, phrases)
    match = inside[0]
    moment = _past_moment(match.group(), local_now)
    assert moment is not None
    rest = trailing.note
    if not rest[: match.start()].strip():
        rest = rest[match.end() :].lstrip(" ,;:\u2013\u2014-")
    return InNote(rest, match.group(), min(moment.astimezone(UTC), now))


def _before(text: str, at: int) -> str:
    """The word just before position ``at``, lower case: ``next`` in ``next monday``."""
    words = text[:at].split()
    return words[-1].lower().strip(",;:") if words else ""


def _past_moment(text: str, local_now: datetime) -> datetime | None:
    """Phrases of the past moment vocabulary, read exactly; ``None`` leaves it to dateparser."""
    match = _past_phrase(" ".join(text.split()))
    if not match:
        return None
    day_text = (match.group("day") or "").lower()
    clock = _clock(match)
    if (
        day_text == ""
        and match.group("hour")
        and not (match.group("minute") or match.group("half") or match.groupdict().get("at"))
    ):
        return None  # a bare number is not a time
    words = day_text.split()
    if words and words[-1] == "ago":
        if not _UNITS[words[1]]:
            return None  # months: dateparser knows the calendar
        count = _COUNTS.get(words[0]) or int(words[0])
        back = local_now - timedelta(**{_UNITS[words[1]]: count})
        if clock is None:
            return back
        days = [back.date()]
    else:
        days = _candidate_days(day_text, local_now)
    if clock is None:
        return _without_clock(day_text, days[0], local_now)
    for day in days:
        moments = [_on(day, hour, clock[1], local_now) for hour in clock[0]]
        past = [moment for moment in moments if moment <= local_now]
        if past:
            return max(past)
    return _on(days[0], clock[0][0], clock[1], local_now)


def _past_phrase(text: str) -> re.Match[str] | None:
    return next((m for m in (p.fullmatch(text) for p in _PAST_PHRASES) if m), None)


def _clock(match: re.Match[str], *, twenty_four: bool = False) -> tuple[list[int], int] | None:
    """The hours a time may mean (``3`` may be 3:00 or 15:00) and its minute.

    ``09:00`` (a leading zero) is a 24-hour clock, and so is any ``H:MM`` after a date
    written the ISO or European way (``twenty_four``: ``2025-11-25 9:00``, ``25.11. 9:00``).
    """
    if match.group("noon"):
        return ([0] if match.group("noon").lower() == "midnight" else [12]), 0
    if match.group("hour") is None:
        return None
    hour, minute = int(match.group("hour")), int(match.group("minute") or 0)
    half = (match.group("half") or "").replace(".", "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        return [hour % 12 + (12 if half == "pm" else 0)], minute
    padded = match.group("hour").startswith("0")
    if 1 <= hour <= 11 and not padded and not (twenty_four and match.group("minute")):
        return [hour, hour + 12], minute
    return [hour], minute


def _candidate_days(day_text: str, local_now: datetime) -> list[date]:
    """The days a day phrase may mean, latest first; an empty phrase is today or yesterday."""
    today = local_now.date()
    words = day_text.split()
    if not words:
        return [today, today - timedelta(days=1)]
    if day_text in ("today", "earlier today", "tonight") or (
        words[0] == "this" and words[-1] in _PARTS_OF_DAY
    ):
        return [today]
    if day_text == "last night" or words[0] == "yesterday":
        return [today - timedelta(days=1)]
    if day_text.endswith("day before yesterday"):
        return [today - timedelta(days=2)]
    weekday = _WEEKDAY[words[-1]]
    back = (today.weekday() - weekday) % 7
    if words[0] == "last" and back == 0:
        back = 7
    return [today - timedelta(days=back), today - timedelta(days=back + 7)]


def _without_clock(day_text: str, day: date, local_now: datetime) -> datetime:
    words = day_text.split()
    if words[-1] in _PARTS_OF_DAY:
        return min(_on(day, _PARTS_OF_DAY[words[-1]], 0, local_now), local_now)
    if day_text in ("tonight", "last night"):
        return min(_on(day, 20, 0, local_now), local_now)
    return _on(day, local_now.hour, local_now.minute, local_now)


def _on(day: date, hour: int, minute: int, local_now: datetime) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=local_now.tzinfo)


def spoken(moment: datetime, tz: str | None, now: datetime) -> str:
    """``Mon 30 Nov, 15:00`` on the rep's wall clock; the year only when it isn't this one."""
    local = moment.astimezone(zone(tz))
    year = "" if local.year == now.astimezone(zone(tz)).year else f" {local.year:04d}"
    return f"{local:%a} {local.day} {local:%b}{year}, {local:%H:%M}"
