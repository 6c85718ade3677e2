"""Reading dates the rep types, and storing moments: tables of cases and a few properties."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.dates import DateError, check_plausible, latest_plan, parse_future, parse_past
from bot.domain.lead_csv import BadRow, parse_row
from storage.times import from_db, to_db

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ZONES = (None, "Asia/Tokyo", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago")


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        # A date with no time is that day at noon on the rep's wall clock.
        ("2025-03-14", None, datetime(2025, 3, 14, 12, tzinfo=UTC)),
        ("1990-01-01", None, datetime(1990, 1, 1, 12, tzinfo=UTC)),
        ("1990-01-01", "Asia/Tokyo", datetime(1990, 1, 1, 3, tzinfo=UTC)),
        ("yesterday 3pm", "America/New_York", datetime(2026, 11, 22, 20, tzinfo=UTC)),
    ],
)
def test_touch_dates_a_team_can_mean_are_read(text, tz, expected):
    assert parse_past(text, tz, NOW) == expected


@pytest.mark.parametrize(
    ("text", "tz", "says"),
    [
        (
            "0225-03-14",
            None,
            "I read “0225-03-14” as 14 Mar 0225 — that's before 1990; did you mean 2025?",
        ),
        ("1925-03-14", None, "as 14 Mar 1925 — that's before 1990; did you mean 2025?"),
        ("1989-12-31", "Asia/Tokyo", "as 31 Dec 1989 — that's before 1990"),
        ("0001-01-01", "Asia/Tokyo", "as 1 Jan 0001 — that's before 1990"),
        ("0001-01-01", "Pacific/Pago_Pago", "as 1 Jan 0001 — that's before 1990"),
        ("1 Jan 0001", None, "as 1 Jan 0001 — that's before 1990"),
        ("0999-06-01", None, "as 1 Jun 0999 — that's before 1990"),
        ("9999-12-31 23:00", "America/New_York", "is in the future"),
        ("9999-12-31", "Asia/Tokyo", "is in the future"),
        ("next friday", None, "is in the future"),
        ("tomorrow-ish", None, "couldn't read"),
    ],
)
def test_touch_dates_no_team_means_are_refused(text, tz, says):
    with pytest.raises(DateError) as refused:
        parse_past(text, tz, NOW)
    assert says in str(refused.value)


def test_no_guess_when_the_guess_is_no_better():
    with pytest.raises(DateError) as refused:
        parse_past("0227-03-14", None, NOW)  # 2027 would be in the future
    assert str(refused.value).endswith("before 1990.")


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("in 30 days", None, NOW + timedelta(days=30)),
        ("2036-11-23 10:00", None, datetime(2036, 11, 23, 10, tzinfo=UTC)),
        ("2036-11-23", "Asia/Tokyo", datetime(2036, 11, 22, 15, tzinfo=UTC)),
    ],
)
def test_snoozes_up_to_ten_years_ahead_are_read(text, tz, expected):
    assert parse_future(text, tz, NOW) == expected


@pytest.mark.parametrize(
    ("text", "tz", "says"),
    [
        ("9999-12-31 23:00", None, "as 31 Dec 9999 — that's more than 10 years ahead"),
        (
            "9999-12-31 23:00",
            "America/New_York",
            "as 31 Dec 9999 — that's more than 10 years ahead",
        ),
        (
            "9999-12-31 23:59",
            "Pacific/Pago_Pago",
            "as 31 Dec 9999 — that's more than 10 years ahead",
        ),
        ("2036-11-24", None, "as 24 Nov 2036 — that's more than 10 years ahead"),
        ("0001-01-01", "Asia/Tokyo", "as 1 Jan 0001 — that's before 1990"),
        ("0225-03-14", None, "as 14 Mar 0225 — that's before 1990."),
        ("0227-03-14", None, "before 1990; did you mean 2027?"),
        ("last week", None, "already past"),
    ],
)
def test_snoozes_no_team_means_are_refused(text, tz, says):
    with pytest.raises(DateError) as refused:
        parse_future(text, tz, NOW)
    assert says in str(refused.value)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (NOW, datetime(2036, 11, 23, 10, tzinfo=UTC)),
        (datetime(2028, 2, 29, tzinfo=UTC), datetime(2038, 2, 28, tzinfo=UTC)),
        (datetime(9995, 1, 1, tzinfo=UTC), datetime.max.replace(tzinfo=UTC)),
    ],
)
def test_latest_plan_is_ten_years_ahead_and_never_leaves_the_calendar(now, expected):
    assert latest_plan(now) == expected


@pytest.mark.parametrize(
    ("moment", "plan", "refused"),
    [
        (datetime(1990, 1, 1, tzinfo=UTC), False, False),
        (datetime(1, 1, 1, tzinfo=UTC), False, True),
        (datetime(2036, 11, 23, 10, tzinfo=UTC), True, False),
        (datetime(2036, 11, 23, 10, 1, tzinfo=UTC), True, True),
        (datetime(2030, 1, 1, tzinfo=UTC), False, False),  # the near future: the caller's to refuse
        (datetime(9999, 12, 31, tzinfo=UTC), False, True),  # far out: refused before arithmetic
    ],
)
def test_check_plausible(moment, plan, refused):
    if refused:
        with pytest.raises(DateError):
            check_plausible(moment, NOW, "x", plan=plan)
    else:
        check_plausible(moment, NOW, "x", plan=plan)


@settings(max_examples=40, deadline=None)
@given(
    day=st.dates(),
    hour=st.integers(0, 23),
    tz=st.sampled_from(ZONES),
    future=st.booleans(),
)
def test_any_calendar_date_in_any_zone_is_read_or_refused_never_raises(day, hour, tz, future):
    text = f"{day.isoformat()} {hour:02d}:00"
    try:
        read = (parse_future if future else parse_past)(text, tz, NOW)
    except DateError:
        return
    assert read.tzinfo is not None and read.year >= 1989
    assert read <= latest_plan(NOW) if future else read <= NOW


@pytest.mark.parametrize(
    ("moment", "stored"),
    [
        (datetime(225, 3, 14, 4, 56, tzinfo=UTC), "0225-03-14T04:56:00Z"),
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00Z"),
        (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "9999-12-31T23:59:59Z"),
        (datetime(2026, 11, 23, 19, 0, tzinfo=UTC).astimezone(), "2026-11-23T19:00:00Z"),
    ],
)
def test_stored_moments_are_fixed_width_utc(moment, stored):
    assert to_db(moment) == stored
    assert from_db(stored) == moment.replace(microsecond=0)


@pytest.mark.parametrize(
    ("broken", "moment"),
    [
        ("225-03-14T04:56:00Z", datetime(225, 3, 14, 4, 56, tzinfo=UTC)),
        ("1-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=UTC)),
        ("25-12-31T23:00:00Z", datetime(25, 12, 31, 23, tzinfo=UTC)),
    ],
)
def test_years_stored_without_leading_zeros_still_read(broken, moment):
    assert from_db(broken) == moment


@settings(max_examples=100, deadline=None)
@given(st.datetimes(timezones=st.just(UTC)), st.datetimes(timezones=st.just(UTC)))
def test_text_order_is_time_order_for_any_year(a, b):
    assert len(to_db(a)) == len(to_db(b)) == 20
    assert (to_db(a) < to_db(b)) == (a.replace(microsecond=0) < b.replace(microsecond=0))
    assert from_db(to_db(a)) == a.replace(microsecond=0)


@pytest.mark.parametrize(
    ("column", "value", "says"),
    [
        (
            "created_at",
            "0225-03-14T04:56:00Z",
            "created_at: I read “0225-03-14T04:56:00Z” as 14 Mar 0225",
        ),
        ("last_touch_at", "0001-01-01T00:00:00+09:00", "before 1990"),
        ("snoozed_until", "9999-12-31T23:00:00-05:00", "more than 10 years ahead"),
        ("snoozed_until", "1989-12-31T23:00:00Z", "before 1990"),
        ("last_touch_at", "2026-12-01T00:00:00Z", "in the future"),
    ],
)
def test_imported_rows_with_dates_no_team_means_are_refused(column, value, says):
    with pytest.raises(BadRow) as refused:
        parse_row({"name": "Jane", "owner": "U1", column: value}, 2, None, NOW)
    assert says in str(refused.value)


def test_imported_rows_keep_past_snoozes_and_old_enough_touches():
    row = {"name": "Jane", "owner": "U1", "snoozed_until": "2020-01-01T00:00:00Z"}
    row["last_touch_at"] = "1990-01-01T00:00:00Z"
    imported = parse_row(row, 2, None, NOW)
    assert imported.snoozed_until == datetime(2020, 1, 1, tzinfo=UTC)
    assert imported.last_touch_at == datetime(1990, 1, 1, tzinfo=UTC)
