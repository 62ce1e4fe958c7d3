"""SLA arithmetic: calendar time, calendar months, waits, breach factor."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from sop.durations import parse_duration
from sop.sla import SlaStatus, add_months, due_time, elapsed, evaluate, merge_waits

WIT = ZoneInfo("Asia/Jayapura")  # Maluku Utara, UTC+9
WITA = ZoneInfo("Asia/Makassar")  # Buleleng, UTC+8


def at(day: int, hour: int = 8, minute: int = 0, month: int = 5, year: int = 2024, tz=WIT):
    return datetime(year, month, day, hour, minute, tzinfo=tz)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (datetime(2023, 1, 31, 9, tzinfo=WIT), datetime(2023, 2, 28, 9, tzinfo=WIT)),
        (datetime(2024, 1, 31, 9, tzinfo=WIT), datetime(2024, 2, 29, 9, tzinfo=WIT)),
        (datetime(2024, 3, 31, 9, tzinfo=WIT), datetime(2024, 4, 30, 9, tzinfo=WIT)),
        (datetime(2024, 12, 15, 9, tzinfo=WIT), datetime(2025, 1, 15, 9, tzinfo=WIT)),
    ],
)
def test_one_bulan_is_a_calendar_month_clamped_to_month_end(start, due):
    assert due_time(start, parse_duration("1 Bulan")) == due


def test_minutes_hours_days_are_exact():
    assert due_time(at(6), parse_duration("10 Menit")) == at(6, 8, 10)
    assert due_time(at(6), parse_duration("1 Hari")) == at(7)
    assert due_time(at(31, 20), parse_duration("3 Hari")) == at(3, 20, month=6)
    assert add_months(at(31, month=1), 13) == at(28, month=2, year=2025)


def test_due_is_exact_even_across_a_daylight_saving_change():
    # Indonesia has no DST, but an office abroad might: 1 day is 24 hours.
    ams = ZoneInfo("Europe/Amsterdam")
    start = datetime(2024, 3, 30, 12, tzinfo=ams)  # DST starts on 31 March
    due = due_time(start, parse_duration("1 Hari"))
    assert due == datetime(2024, 3, 31, 13, tzinfo=ams)
    assert elapsed(start, due) == timedelta(hours=24)


def test_result_is_in_the_start_timezone_and_other_zones_compare_exactly():
    start = at(6, 9, tz=WITA)
    end = datetime(2024, 5, 6, 10, 30, tzinfo=WIT)  # 09:30 WITA
    r = evaluate(start, end, parse_duration("30 menit"))
    assert r.status is SlaStatus.MET and r.elapsed == timedelta(minutes=30)
    assert r.due.tzinfo is WITA and r.due.hour == 9 and r.due.minute == 30


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        evaluate(datetime(2024, 5, 6, 8), at(6), parse_duration("1 jam"))
    with pytest.raises(ValueError, match="timezone-aware"):
        due_time(datetime(2024, 5, 6, 8), parse_duration("1 jam"))


def test_met_and_breached_at_the_boundary():
    one_hour = parse_duration("1 Jam")
    assert evaluate(at(6), at(6, 9), one_hour).status is SlaStatus.MET
    late = evaluate(at(6), at(6, 9, 1), one_hour)
    assert late.status is SlaStatus.BREACHED and late.overrun == timedelta(minutes=1)


def test_waits_are_subtracted_and_move_the_due_time():
    # Step C5 (1 jam): 40 minutes waiting on the ISP, done 1h30 after start.
    r = evaluate(at(6), at(6, 9, 30), parse_duration("1 jam"), [(at(6, 8, 20), at(6, 9))])
    assert r.status is SlaStatus.MET
    assert (r.wall, r.waiting, r.elapsed) == (
        timedelta(minutes=90), timedelta(minutes=40), timedelta(minutes=50)
    )  # fmt: skip
    assert r.due == at(6, 9, 40)
    assert r.remaining == timedelta(minutes=10)


def test_overlapping_waits_are_merged_and_clipped_to_the_step():
    waits = [
        (at(6, 7), at(6, 8, 30)),  # starts before the step: clipped to 08:00
        (at(6, 8, 15), at(6, 9)),  # overlaps the first
        (at(6, 10), at(6, 10, 30)),
        (at(6, 11), at(6, 13)),  # ends after the step: clipped to 12:00
    ]
    merged = merge_waits(at(6), at(6, 12), waits)
    assert merged == [(at(6), at(6, 9)), (at(6, 10), at(6, 10, 30)), (at(6, 11), at(6, 12))]
    assert elapsed(at(6), at(6, 12), waits) == timedelta(hours=1, minutes=30)


def test_a_wait_still_open_counts_until_now():
    r = evaluate(at(6), at(6, 9), parse_duration("30 menit"), [(at(6, 8, 10), None)], running=True)
    assert r.waiting == timedelta(minutes=50) and r.elapsed == timedelta(minutes=10)
    assert r.status is SlaStatus.RUNNING


def test_a_wait_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="before it starts"):
        elapsed(at(6), at(6, 12), [(at(6, 10), at(6, 9))])


def test_end_before_start_is_refused():
    with pytest.raises(ValueError, match="before start"):
        evaluate(at(6, 9), at(6, 8), parse_duration("1 jam"))


def test_breach_factor_scales_the_standard():
    ten = parse_duration("10 Menit")
    assert evaluate(at(6), at(6, 8, 14), ten).status is SlaStatus.BREACHED
    lenient = evaluate(at(6), at(6, 8, 14), ten, factor=1.5)
    assert lenient.status is SlaStatus.MET and lenient.due == at(6, 8, 15)
    # for months, the factor scales the calendar length from the start (29 days in Feb 2024)
    month = due_time(at(1, month=2), parse_duration("1 Bulan"), factor=2)
    assert month == at(1, month=2) + timedelta(days=58)
    for bad in (0, -1, float("nan")):
        with pytest.raises(ValueError, match="breach factor"):
            evaluate(at(6), at(6, 9), ten, factor=bad)


def test_running_step_is_breached_once_now_passes_the_due_time():
    half_hour = parse_duration("30 menit")
    assert evaluate(at(6), at(6, 8, 29), half_hour, running=True).status is SlaStatus.RUNNING
    r = evaluate(at(6), at(6, 8, 45), half_hour, running=True)
    assert r.status is SlaStatus.BREACHED and r.overrun == timedelta(minutes=15)


def test_no_standard_is_never_breached():
    r = evaluate(at(6), at(20, 8), None, [(at(7), at(8))])
    assert r.status is SlaStatus.NO_STANDARD and not r.breached
    assert r.due is None and r.overrun == timedelta(0) and r.remaining is None
    assert r.waiting == timedelta(days=1) and r.elapsed == timedelta(days=13)


def test_fixed_offset_timezones_work_too():
    wib = timezone(timedelta(hours=7))
    start = datetime(2024, 1, 31, 23, 30, tzinfo=wib)
    assert due_time(start, parse_duration("1 bulan")) == datetime(2024, 2, 29, 23, 30, tzinfo=wib)
