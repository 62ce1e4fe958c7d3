"""Report words: Indonesian by default, English on request."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from reports import labels


def test_indonesian_month_names() -> None:
    names = [labels.month_label(f"2026-{m:02d}") for m in range(1, 13)]
    assert names == [
        "Januari 2026", "Februari 2026", "Maret 2026", "April 2026", "Mei 2026", "Juni 2026",
        "Juli 2026", "Agustus 2026", "September 2026", "Oktober 2026", "November 2026",
        "Desember 2026",
    ]  # fmt: skip


def test_dates_as_on_official_documents() -> None:
    assert labels.format_date(date(2026, 12, 1)) == "1 Desember 2026"
    assert labels.format_date(date(2026, 8, 17), "en") == "17 August 2026"


def test_every_label_has_both_languages() -> None:
    for table in (labels.TEXTS, labels.SECTIONS, labels.COLUMNS, labels.SUMMARY_ITEMS):
        for key, pair in table.items():
            assert len(pair) == 2 and all(pair), key
    # section titles are sheet names: at most 31 characters, none of []:*?/\
    for pair in labels.SECTIONS.values():
        for title in pair:
            assert len(title) <= 31 and not set(title) & set("[]:*?/\\")


def test_spans_and_numbers() -> None:
    assert labels.format_span(timedelta(days=2, minutes=3)) == "2 hari 3 menit"
    assert labels.format_span(timedelta(days=1, hours=1), "en") == "1 day 1 hour"
    assert labels.format_span(None) == "-"
    assert labels.format_number(0.04) == "0"


@pytest.mark.parametrize("bad", ["", "ID", "english", "fr"])
def test_unknown_language(bad: str) -> None:
    with pytest.raises(ValueError, match=r"^lang: "):
        labels.month_label("2026-11", bad)


def test_periods_are_named_never_iso() -> None:
    assert labels.period_label("2026-12") == "Desember 2026"
    assert labels.period_label("2026-12", "en") == "December 2026"
    assert labels.period_label("2026-08-17") == "17 Agustus 2026"
    assert labels.period_label("2026-08-17", "en") == "17 August 2026"
    # a period already written in words, or not a real month, is left as it is
    assert labels.period_label("Tahun 2026") == "Tahun 2026"
    assert labels.period_label("2026-13") == "2026-13"
    with pytest.raises(ValueError, match=r"^lang: "):
        labels.period_label("2026-12", "fr")
