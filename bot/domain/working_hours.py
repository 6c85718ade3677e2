"""Working time: the clock the relay counts on, stopped at night and on days off.

A form filled at 22:00 is told at once, but "15 minutes unanswered" means 15
minutes someone could have answered: the relay counts from the next opening.
Pure: every moment is passed in; arithmetic is done in UTC, so a day that is
23 or 25 hours long (daylight saving) counts the hours it really has.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.domain.dates import zone
from bot.domain.vocabulary import WEEKDAYS, Weekday

DEFAULT_HOURS = "09:00-18:00"
_HOURS = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)")


def read_hours(text: str) -> tuple[time, time] | None:
    """``09:00-18:00`` as its opening and closing times; ``None`` when it isn't one.

    ``24:00`` closes at midnight (``time.max``); the day must open before it closes.
    """
    match = _HOURS.fullmatch(text)
    if not match:
        return None
    opens = time(int(match.group(1)), int(match.group(2)))
    closing = int(match.group(3)) * 60 + int(match.group(4))
    if closing > 24 * 60 or closing <= opens.hour * 60 + opens.minute:
        return None
    closes = time.max if closing == 24 * 60 else time(closing // 60, closing % 60)
    return opens, closes


@dataclass(frozen=True)
class WorkingHours:
    """The hours of the working days, in one zone. No days at all means every day."""

    opens: time
    closes: time
    days: tuple[Weekday, ...]
    tz: str

    @classmethod
    def of(cls, hours: str, days: tuple[Weekday, ...], tz: str) -> WorkingHours:
        opens, closes = read_hours(hours) or read_hours(DEFAULT_HOURS) or (time(9), time(18))
        return cls(opens, closes, days or WEEKDAYS, tz)

    def counted(
        self, answers: list[tuple[datetime, datetime | None]]
    ) -> list[tuple[datetime, datetime | None]]:
        """(signal, answer) pairs with each answer moved to where working time puts it:
        a signal at 22:00 answered at 09:05 was answered 5 minutes in."""
        return [
            (asked, None if done is None else asked + self.between(asked, done))
            for asked, done in answers
        ]

    def _stretches(self, since: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Each working day's opening and closing in UTC, from ``since``'s local day on."""
        local = zone(self.tz)
        first = since.astimezone(local).date()
        for offset in range(8 * 366):  # a week always has a working day: this never runs out
            day = first + timedelta(days=offset)
            if WEEKDAYS[day.weekday()] in self.days:
                closes = (
                    self._at(day + timedelta(days=1), time())
                    if self.closes == time.max
                    else self._at(day, self.closes)
                )
                yield self._at(day, self.opens), closes
        raise AssertionError("no working day in eight years")

    def _at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, zone(self.tz)).astimezone(UTC)

    def after(self, start: datetime, span: timedelta) -> datetime:
        """The moment ``span`` of working time has passed since ``start``.

        ``span`` zero is the next working moment: ``start`` itself inside the hours.
        """
        left = span
        for opens, closes in self._stretches(start):
            begin = max(opens, start.astimezone(UTC))
            if begin >= closes:
                continue
            if begin + left <= closes:
                return begin + left
            left -= closes - begin
        raise AssertionError("unreachable")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """How much working time lies between two moments (zero when ``end`` is first)."""
        total = timedelta()
        end = end.astimezone(UTC)
        for opens, closes in self._stretches(start):
            if opens >= end:
                break
            begin, finish = max(opens, start.astimezone(UTC)), min(closes, end)
            if finish > begin:
                total += finish - begin
        return total
