"""Reconciliation of the register with the collection: the rules, then over the real lab."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from flows.collect import collect_flow
from lab.manager import LabState
from records.asset_models import Asset, AssetEvent
from records.assets import add_asset, registered_items, seen_devices
from records.db import init_database, make_engine, session_scope
from records.models import Device, DeviceSnapshot
from sigap.cli import app
from sop.asset_reconcile import RegisteredItem, SeenDevice, reconcile

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def _item(tag: str, host: str | None, **extra: str) -> RegisteredItem:
    return RegisteredItem(
        tag=tag,
        name=f"aset {tag}",
        status=extra.pop("status", "in_service"),
        inventory_host=host,
        **extra,
    )


def test_not_seen_window_is_calendar_months() -> None:
    devices = [
        SeenDevice("old", datetime(2026, 8, 31, tzinfo=UTC)),
        SeenDevice("edge", datetime(2026, 9, 1, 2, 0, tzinfo=UTC)),
    ]
    items = [_item("A", "old"), _item("B", "edge"), _item("C", "never")]
    result = reconcile(items, devices, as_of=NOW, months=3)
    assert [(f.tag, f.last_seen) for f in result.not_seen] == [
        ("C", None),
        ("A", datetime(2026, 8, 31, tzinfo=UTC)),
    ]
    assert "belum pernah terlihat" in result.not_seen[0].note
    assert "terakhir terlihat 31/08/2026" in result.not_seen[1].note
    assert reconcile(items, devices, as_of=NOW, months=4).not_seen[0].tag == "C"


def test_planned_and_disposed_assets_are_not_expected_on_the_network() -> None:
    items = [_item("P", "sw-new", status="planned"), _item("D", "sw-old", status="disposed")]
    result = reconcile(items, [], as_of=NOW)
    assert result.findings == []
    assert result.assets_checked == 0


def test_disposed_asset_still_answering_is_a_mismatch() -> None:
    items = [_item("D", "sw-old", status="disposed")]
    result = reconcile(items, [SeenDevice("sw-old", NOW - timedelta(days=2))], as_of=NOW)
    [finding] = result.findings
    assert (finding.kind, finding.field, finding.register) == ("mismatch", "status", "disposed")
    assert result.unregistered == []  # it is registered, just disposed


def test_mismatches_ignore_case_spaces_and_missing_values() -> None:
    items = [
        _item("A", "sw1", serial="foc123 ", model="C9300-24T", os_version="17.9.4a"),
        _item("B", "SW2", serial="X1", model="ISR4331"),
    ]
    devices = [
        SeenDevice("sw1", NOW, serial="FOC123", model="C9300-48P", os_version=None),
        SeenDevice("sw2", NOW, serial="X1", model="isr4331", os_version="17.3"),
    ]
    result = reconcile(items, devices, as_of=NOW)
    assert [(f.tag, f.field, f.register, f.network) for f in result.mismatches] == [
        ("A", "model", "C9300-24T", "C9300-48P")
    ]
    assert result.unregistered == [] and result.not_seen == []


def test_unregistered_device_with_a_registered_serial_suggests_the_link() -> None:
    items = [_item("LPT-1", None, serial="ABC"), _item("SRV-1", None, serial="SRV9")]
    devices = [SeenDevice("srv-app", NOW, vendor="Dell", serial="srv9"), SeenDevice("x", None)]
    result = reconcile(items, devices, as_of=NOW)
    [finding] = result.unregistered
    assert (finding.host, finding.tag) == ("srv-app", "SRV-1")
    assert "isi host inventaris srv-app" in finding.note
    assert result.devices_seen == 1  # "x" never answered


def test_inventory_asset_tag_links_a_device_to_its_asset() -> None:
    items = [_item("KP-NET-0001", None, serial="S1"), _item("KP-NET-0009", None)]
    devices = [
        SeenDevice("core-sw1", NOW, serial="S2", asset_tag="kp-net-0001"),
        SeenDevice("gone-sw", None, asset_tag="KP-NET-0009"),
    ]
    result = reconcile(items, devices, as_of=NOW)
    assert result.unregistered == []
    assert [(f.tag, f.host) for f in result.not_seen] == [("KP-NET-0009", "gone-sw")]
    assert [(f.tag, f.host, f.field) for f in result.mismatches] == [
        ("KP-NET-0001", "core-sw1", "serial")
    ]


def test_months_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="months: -1"):
        reconcile([], [], as_of=NOW, months=-1)


# --- over the session lab: collect it for real, then reconcile -------------------------


@pytest.fixture(scope="module")
def collected(
    lab: LabState, prefect_api: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A SQLite records database holding one real collection of the session lab."""
    directory = tmp_path_factory.mktemp("reconcile")
    url = f"sqlite:///{directory / 'sigap.db'}"
    init_database(url)
    report = collect_flow()(inventory_dir=str(lab.inventory_dir), database_url=url)
    assert report["counts"].get("ok") == 5, report["counts"]
    yield url


def _empty_register(session: Session) -> None:
    session.execute(delete(AssetEvent))
    session.execute(delete(Asset))


def _facts(url: str) -> dict[str, dict[str, str]]:
    engine = make_engine(url)
    with session_scope(engine) as session:
        snaps = session.scalars(select(DeviceSnapshot).where(DeviceSnapshot.outcome == "ok"))
        facts = {s.device.name: dict(s.facts) for s in snaps}
    engine.dispose()
    return facts


def test_reconcile_over_the_lab(collected: str) -> None:
    facts = _facts(collected)
    assert facts["sw01"]["serial"] and facts["linux01"]["os_version"]
    engine = make_engine(collected)
    with session_scope(engine) as session:
        _empty_register(session)
        common = {"category": "hardware", "status": "in_service", "acquired_on": date(2024, 1, 2)}
        # registered with the serial and model the device reports: no finding
        add_asset(
            session,
            tag="LAB-SW01",
            name="Switch 1",
            inventory_host="sw01",
            serial=facts["sw01"]["serial"],
            model=facts["sw01"]["model"],
            **common,
        )
        # registered with another serial: a serial mismatch
        add_asset(
            session,
            tag="LAB-SW02",
            name="Switch 2",
            inventory_host="sw02",
            serial="WRONG-SERIAL-1",
            **common,
        )
        # linked through the asset tag the lab inventory gives linux01
        linux01 = session.scalars(select(Device).where(Device.name == "linux01")).one()
        assert linux01.asset_tag
        add_asset(session, tag=linux01.asset_tag, name="Server 1", **common)
        add_asset(session, tag="LAB-R1", name="Router", inventory_host="r01", **common)
        # a register item the collection never saw
        add_asset(session, tag="LAB-OLD", name="Switch lama", inventory_host="sw-gudang", **common)
        # linux02 is left out of the register: seen on the network, not registered
    engine.dispose()

    result = CliRunner().invoke(app, ["asset", "reconcile", "--json", "--database-url", collected])
    assert result.exit_code == 3, result.output  # findings
    data = json.loads(result.output)
    assert [(f["host"], f["tag"]) for f in data["unregistered"]] == [("linux02", None)]
    # the stored finding states the fact; the terminal adds the command that fixes it
    assert data["unregistered"][0]["note"] == "daftarkan perangkat ini di register aset"
    assert [(f["host"], f["tag"], f["last_seen"]) for f in data["not_seen"]] == [
        ("sw-gudang", "LAB-OLD", None)
    ]
    assert [(f["tag"], f["field"], f["register"], f["network"]) for f in data["mismatches"]] == [
        ("LAB-SW02", "serial", "WRONG-SERIAL-1", facts["sw02"]["serial"])
    ]
    assert data["assets_checked"] == 5 and data["devices_seen"] == 5

    table = CliRunner().invoke(app, ["asset", "reconcile", "--database-url", collected])
    assert "linux02" in table.output and "WRONG-SERIAL-1" in table.output
    assert "belum pernah terlihat" in table.output
    assert "(sigap asset import)" in " ".join(table.output.split())


def test_register_in_sync_with_the_lab_exits_0(collected: str) -> None:
    facts = _facts(collected)
    engine = make_engine(collected)
    with session_scope(engine) as session:
        _empty_register(session)
        for host, data in facts.items():
            add_asset(
                session,
                tag=f"T-{host}",
                name=host,
                category="hardware",
                status="in_service",
                inventory_host=host,
                serial=data.get("serial"),
                os_version=data.get("os_version"),
            )
        assert len(registered_items(session)) == 5
        assert {d.name for d in seen_devices(session) if d.last_seen} == set(facts)
    engine.dispose()
    args = ["asset", "reconcile", "--months", "1", "--database-url", collected]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "5 aset jaringan terdaftar, 5 perangkat terlihat dalam 1 bulan" in result.output


def test_sop_a_report_has_the_asset_reconciliation_section(collected: str, tmp_path: Path) -> None:
    from records.types import utcnow
    from reports.maintenance import write_maintenance_report
    from tests.reports.builders import office as example_office

    facts = _facts(collected)
    engine = make_engine(collected)
    with session_scope(engine) as session:
        _empty_register(session)
        add_asset(
            session,
            tag="LAB-SW02",
            name="Switch 2",
            category="hardware",
            status="in_service",
            inventory_host="sw02",
            serial="WRONG-SERIAL-1",
        )
        add_asset(
            session,
            tag="LAB-OLD",
            name="Switch lama",
            category="hardware",
            status="in_service",
            inventory_host="sw-gudang",
        )
    now = utcnow()
    files = write_maintenance_report(
        engine, example_office(), f"{now:%Y-%m}", tmp_path, formats=("xlsx", "html"), now=now
    )
    engine.dispose()

    book = load_workbook(files.paths["xlsx"])
    assert book.sheetnames[-1] == "Rekonsiliasi Aset"
    rows = [[c.value for c in row] for row in book["Rekonsiliasi Aset"].iter_rows()]
    assert rows[0] == [
        "Temuan",
        "Perangkat",
        "Kode Aset",
        "Data",
        "Di Register",
        "Di Jaringan",
        "Terakhir Terlihat",
        "Catatan",
    ]
    found = {(r[0], r[1], r[2], r[3]) for r in rows[1:]}
    unregistered = "Perangkat di jaringan tidak ada di register"
    assert found == {
        (unregistered, "linux01", None, None),
        (unregistered, "linux02", None, None),
        (unregistered, "r01", None, None),
        (unregistered, "sw01", None, None),
        ("Aset terdaftar tidak terlihat", "sw-gudang", "LAB-OLD", None),
        ("Data berbeda", "sw02", "LAB-SW02", "Nomor seri"),
    }
    mismatch = next(r for r in rows if r[2] == "LAB-SW02")
    assert mismatch[4:6] == ["WRONG-SERIAL-1", facts["sw02"]["serial"]]
    html = files.paths["html"].read_text(encoding="utf-8")
    assert "Rekonsiliasi Aset" in html and "WRONG-SERIAL-1" in html
    # SOP A's own sections are all still there, in their order, before the new one
    assert book.sheetnames[:8] == [
        "Ringkasan",
        "Perangkat",
        "Checklist Kinerja",
        "Perubahan Konfigurasi",
        "Langkah SOP",
        "Persetujuan",
        "Percobaan Ditolak",
        "Tren 12 Bulan",
    ]
