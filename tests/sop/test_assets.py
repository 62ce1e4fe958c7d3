"""SOP D lifecycle rules and the value parsers, as the D1-D6 flows and the import use them."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sop.assets import (
    PROCEDURES,
    STATUSES,
    AssetTransitionError,
    check_transition,
    parse_category,
    parse_date,
    parse_rupiah,
    parse_status,
    status_after,
    status_during,
)

ALLOWED = {
    "D1": {"planned"},
    "D2": {"procured", "in_service", "relocated"},
    "D3": {"procured", "in_service", "relocated"},
    "D4": {"procured", "in_service", "relocated"},
    "D5": {"procured", "in_service", "relocated"},
    "D6": set(STATUSES),
}


@pytest.mark.parametrize("procedure", list(PROCEDURES))
@pytest.mark.parametrize("status", STATUSES)
def test_every_procedure_against_every_status(procedure: str, status: str) -> None:
    if status in ALLOWED[procedure]:
        check_transition(status, None, procedure)
    else:
        with pytest.raises(AssetTransitionError) as error:
            check_transition(status, None, procedure)
        message = str(error.value)
        assert f"{procedure} refused: the asset is {status}" in message
        assert "ditolak" in message


def test_disposal_refused_while_assigned_or_under_repair() -> None:
    with pytest.raises(AssetTransitionError, match="still assigned to siti"):
        check_transition("in_service", "siti", "D5")
    with pytest.raises(AssetTransitionError, match="the asset is under_repair"):
        check_transition("under_repair", None, "D5")
    check_transition("in_service", "", "D5")  # an empty custodian is nobody
    check_transition("in_service", "siti", "D2")  # relocating with its holder is fine


def test_disposed_asset_takes_no_more_procedures_but_evaluation() -> None:
    for procedure in ("D2", "D3", "D4", "D5"):
        with pytest.raises(AssetTransitionError, match="the asset is disposed"):
            check_transition("disposed", None, procedure)
    check_transition("disposed", None, "D6")


def test_unknown_procedure_and_status_are_named() -> None:
    with pytest.raises(AssetTransitionError, match="unknown procedure: use one of D1, D2"):
        check_transition("in_service", None, "D7")
    with pytest.raises(ValueError, match="status: 'broken' is not one of planned"):
        check_transition("broken", None, "D2")
    with pytest.raises(ValueError, match="status: 'x'"):
        status_after("D2", "x")


def test_status_during_and_after() -> None:
    assert status_during("D4", "relocated") == "under_repair"
    assert status_after("D4", "under_repair") == "in_service"
    assert status_after("D1", "planned") == "procured"
    assert status_after("D5", "relocated") == "disposed"
    assert status_after("D6", "under_repair") == "under_repair"
    assert status_during("D5", "in_service") == "in_service"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07/03/2024", date(2024, 3, 7)),
        ("7-3-2024", date(2024, 3, 7)),
        ("2024-03-07", date(2024, 3, 7)),
        ("2024-03-07 00:00:00", date(2024, 3, 7)),
        (datetime(2024, 3, 7, 10, 0), date(2024, 3, 7)),
        (" 29/02/2024 ", date(2024, 2, 29)),
    ],
)
def test_dates(text: str | datetime, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["29/02/2023", "2024/03/07", "03/2024", "13/13/2024", ""])
def test_bad_dates(text: str) -> None:
    with pytest.raises(ValueError, match="not a"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rp 12.500.000", 12_500_000),
        ("Rp. 12.500.000", 12_500_000),
        ("rp12.500.000,00", 12_500_000),
        ("12 500 000", 12_500_000),
        ("750000", 750_000),
        (4_750_000_000, 4_750_000_000),
        (0, 0),
    ],
)
def test_rupiah(text: str | int, expected: int) -> None:
    assert parse_rupiah(text) == expected


@pytest.mark.parametrize("text", ["Rp 12.500.000,50", "12.50", "-5", "Rp", "12,5 juta", -1, 1.5])
def test_bad_rupiah(text: str | float) -> None:
    with pytest.raises(ValueError):
        parse_rupiah(text)


def test_labels_and_keys_both_accepted() -> None:
    assert parse_category("perangkat  keras") == "hardware"
    assert parse_status("under-repair") == "under_repair"
    assert parse_status("Dihapuskan") == "disposed"
    with pytest.raises(ValueError, match="did you mean 'relocated'"):
        parse_status("relocate")
