"""Reading time standards as the SOPs write them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sop.durations import Duration, Unit, format_total, parse_duration


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("10 Menit", 10, Unit.MINUTE),
        ("30 menit", 30, Unit.MINUTE),
        ("15 min", 15, Unit.MINUTE),
        ("5 minutes", 5, Unit.MINUTE),
        ("1 Jam", 1, Unit.HOUR),
        ("2 HOURS", 2, Unit.HOUR),
        ("1 hari", 1, Unit.DAY),
        ("3 Hari", 3, Unit.DAY),
        ("1 day", 1, Unit.DAY),
        ("2 Minggu", 2, Unit.WEEK),
        ("1 week", 1, Unit.WEEK),
        ("1 Bulan", 1, Unit.MONTH),
        ("6 months", 6, Unit.MONTH),
        ("  45menit ", 45, Unit.MINUTE),
    ],
)
def test_indonesian_and_english_units_any_case(text: str, amount: int, unit: Unit):
    assert parse_duration(text) == Duration(amount, unit)


@pytest.mark.parametrize(
    "text", ["", "menit", "10", "sepuluh menit", "10 detik", "1,5 jam", "-1 jam"]
)
def test_unreadable_time_standards_are_refused_with_the_accepted_forms(text: str):
    with pytest.raises(ValueError, match=r"e\.g\. '10 Menit'.*bulan/month\(s\)"):
        parse_duration(text)


def test_zero_is_not_a_time_standard():
    with pytest.raises(ValueError, match="at least 1"):
        parse_duration("0 menit")


def test_exact_lengths_and_labels():
    assert parse_duration("1 Hari").as_timedelta() == timedelta(hours=24)
    assert parse_duration("2 minggu").as_timedelta() == timedelta(days=14)
    assert parse_duration("1 jam").label("en") == "1 hour"
    assert parse_duration("3 days").label() == "3 Hari"
    with pytest.raises(ValueError, match="no fixed length"):
        parse_duration("1 bulan").as_timedelta()


def test_totals_keep_months_apart():
    ds = [parse_duration(t) for t in ("1 Bulan", "2 Bulan", "23 jam", "90 menit", "1 minggu")]
    assert format_total(ds) == "3 Bulan 8 Hari 30 Menit"
    assert format_total([]) == "-"
