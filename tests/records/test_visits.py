"""Registering a visit request (SOP B step 1) in the records, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from config.office_file import load_office
from records.db import session_scope
from records.visit_models import Visit
from records.visits import VisitStore
from sop.office import Office

OFFICE_FILE = Path(__file__).resolve().parents[2] / "examples/offices/kanwil-kemenkumham-malut.yaml"
ID_NUMBER = "8271034506900001"
START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def office() -> Office:
    return load_office(OFFICE_FILE)


def _form(**changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "visitor_name": "Andi Wijaya",
        "organisation": "PT Data Prima",
        "id_type": "ktp",
        "id_number": f" {ID_NUMBER} ",
        "purpose": "Penggantian hard disk",
        "planned_start": START,
        "planned_end": START + timedelta(hours=2),
        "escort": "nurul",
        "registered_by": "sahrul",
        "devices": [{"name": "Laptop", "serial": "LT-001"}],
    }
    form.update(changes)
    return form


def _visits(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Visit)) or 0)


def test_a_request_is_numbered_requested_and_its_id_stored_masked(
    engine: Engine, office: Office
) -> None:
    store = VisitStore(engine)
    first = store.register(_form(), office=office, created_at=START)
    second = store.register(_form(visitor_name="Budi"), office=office, created_at=START)
    assert (first.number, second.number) == ("KRS-2026-0001", "KRS-2026-0002")
    assert first.status == "requested" and first.id_type == "KTP"
    assert first.id_number == "************0001"
    assert first.devices_in == [{"name": "Laptop", "serial": "LT-001"}]
    with session_scope(engine) as session:
        stored = list(session.scalars(select(Visit.id_number)))
    assert stored == ["************0001"] * 2
    found = store.by_number(" krs-2026-0002 ")
    assert found is not None and found.visitor_name == "Budi"
    assert store.by_number("KRS-2026-0003") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"planned_end": START}, "planned_end: harus setelah planned_start"),
        ({"id_type": "NPWP"}, "id_type: 'NPWP' bukan jenis tanda pengenal"),
        ({"devices": [{"name": "Laptop", "serial": " "}]}, "devices.0.serial: tidak boleh"),
        ({"id_number": "  "}, "id_number: wajib diisi"),
        ({"registered_by": "rahmat"}, "registered_by: 'rahmat' bukan Petugas IT"),
    ],
)
def test_a_bad_request_names_the_field_and_writes_nothing(
    engine: Engine, office: Office, change: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        VisitStore(engine).register(_form(**change), office=office)
    assert message in str(caught.value)
    assert ID_NUMBER not in str(caught.value)
    assert _visits(engine) == 0
