"""SOP A checklist rules on device contracts built in memory (sop.device models, no I/O)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from records.collection_runs import start_collection_run
from records.db import make_engine
from records.devices import upsert_device
from records.snapshots import add_checklist_results, add_snapshot, latest_snapshot
from records.testing import migrated_database
from sop.checklist import (
    ITEMS,
    CheckResult,
    check_cpu,
    check_disks,
    check_interface_errors,
    check_memory,
    check_os_version,
    check_power,
    check_rebooted,
    check_temperature,
    evaluate_checklist,
    run_checklist,
    summarise,
)
from sop.device import (
    Configs,
    DeviceData,
    Facts,
    Health,
    InterfaceHealth,
)
from sop.thresholds import Thresholds, thresholds_from_data
from tests.factories import make_snapshot

T = Thresholds()
DIFF = "--- previous\n+++ current\n@@ -1,2 +1,2 @@\n hostname sw1\n-vlan 10\n+vlan 20\n"


def run(snapshot, previous=None, *, thresholds=T, diff=None, unsaved=False, platform="cisco_ios"):
    return evaluate_checklist(
        "ok",
        None,
        snapshot,
        previous,
        thresholds,
        config_diff=diff,
        unsaved=unsaved,
        platform=platform,
    )


def by_key(results) -> dict[str, CheckResult]:
    return {r.key: r for r in results}


# --- thresholds: at, just below and just above --------------------------------------


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (74.9, "pass"),
        (75.0, "pass"),
        (75.1, "warn"),
        (84.9, "warn"),
        (85.0, "warn"),
        (85.1, "fail"),
    ],
)
def test_cpu_levels(value: float, status: str) -> None:
    [result] = check_cpu(make_snapshot(cpu_percent=value), None, T)
    assert (result.key, result.label, result.status) == ("cpu", "Utilisasi CPU", status)
    assert result.data["percent"] == value


def test_cpu_evidence_text_has_the_numbers() -> None:
    [result] = check_cpu(make_snapshot(cpu_percent=92), None, T)
    assert result.text == "CPU 92 % > ambang 85 %"
    assert result.evidence == {
        "text": "CPU 92 % > ambang 85 %",
        "data": {"percent": 92, "limit": 85.0, "warn_at": 75.0},
    }


@pytest.mark.parametrize(
    ("used", "status"),
    [(800, "pass"), (801, "warn"), (900, "warn"), (901, "fail")],
)
def test_memory_levels(used: int, status: str) -> None:
    [result] = check_memory(make_snapshot(memory=(used, 1000)), None, T)
    assert (result.key, result.label, result.status) == ("memory", "Pemakaian memori", status)
    assert result.data["used_bytes"] == used


def test_disk_levels_per_mount() -> None:
    snap = make_snapshot(disks={"/": 80.0, "/home": 80.1, "/var": 90.0, "/srv": 90.1})
    results = by_key(check_disks(snap, None, T))
    assert {k: r.status for k, r in results.items()} == {
        "disk:/": "pass",
        "disk:/home": "warn",
        "disk:/var": "warn",
        "disk:/srv": "fail",
    }
    assert results["disk:/srv"].label == "Kapasitas disk /srv"
    assert results["disk:/srv"].text == "Disk /srv 90,1 % > ambang 90 %"


def test_overridden_thresholds_change_the_verdict() -> None:
    strict = thresholds_from_data({"thresholds": {"cpu_percent": 60, "disk_percent": 50}})
    assert check_cpu(make_snapshot(cpu_percent=55), None, strict)[0].status == "warn"
    assert check_cpu(make_snapshot(cpu_percent=61), None, strict)[0].status == "fail"
    assert check_cpu(make_snapshot(cpu_percent=61), None, T)[0].status == "pass"
    [disk] = check_disks(make_snapshot(disks={"/": 55}), None, strict)
    assert disk.status == "fail"
    assert disk.text == "Disk / 55 % > ambang 50 %"


# --- environment ------------------------------------------------------------------------


def test_environment_not_ok_fails_absent_does_not() -> None:
    snap = make_snapshot(
        temperature=[("Inlet", "ok", 31.0), ("Hotspot", "not_ok", 88.0)],
        fans=[("Fan1", "ok", None), ("Fan2", "absent", None)],
        power=[("PSU1", "ok", None), ("PSU2", "not_ok", None)],
    )
    results = by_key(run(snap).results)
    assert results["env:temperature"].status == "fail"
    assert results["env:temperature"].label == "Suhu perangkat"
    assert "Hotspot 88 °C" in results["env:temperature"].text
    assert results["env:fans"].status == "pass"
    assert "Fan2" in results["env:fans"].text
    assert results["env:power"].status == "fail"
    assert results["env:power"].data["not_ok"] == ["PSU2"]


def test_environment_all_ok_passes() -> None:
    snap = make_snapshot()
    assert [r.status for r in check_temperature(snap, None, T)] == ["pass"]
    assert [r.status for r in check_power(snap, None, T)] == ["pass"]


# --- interface errors -------------------------------------------------------------------


def iface(name: str, errors: int | None = 0, crc: int | None = 0, discards: int = 0):
    missing = {"input_errors": "not reported"} if errors is None else {}
    if crc is None:
        missing["crc_errors"] = "not reported"
    return InterfaceHealth(
        name=name,
        admin_up=True,
        oper_up=True,
        speed_mbps=1000,
        input_errors=errors,
        output_errors=0,
        crc_errors=crc,
        input_discards=discards,
        output_discards=0,
        missing=missing,
    )


def with_ifaces(base: DeviceData, *ifaces: InterfaceHealth) -> DeviceData:
    return base.model_copy(
        update={"health": base.health.model_copy(update={"interfaces": list(ifaces)})}
    )


def test_interface_errors_increase_warns_per_interface() -> None:
    before = with_ifaces(make_snapshot(uptime=1000), iface("Gi0/1", 5), iface("Gi0/2", 0))
    now = with_ifaces(make_snapshot(uptime=2000), iface("Gi0/1", 5), iface("Gi0/2", 3, crc=2))
    [result] = check_interface_errors(now, before, T)
    assert result.key == "iface_errors:Gi0/2"
    assert result.label == "Error antarmuka Gi0/2"
    assert result.status == "warn"
    assert result.data["increase"] == 5
    assert result.data["increases"] == {"input_errors": 3, "crc_errors": 2}


@pytest.mark.parametrize(("gain", "status"), [(2, "pass"), (3, "warn"), (10, "warn"), (11, "fail")])
def test_interface_error_tolerance_and_fail_level(gain: int, status: str) -> None:
    limits = thresholds_from_data(
        {"thresholds": {"interface_error_tolerance": 2, "interface_error_fail": 10}}
    )
    before = with_ifaces(make_snapshot(uptime=1000), iface("Gi0/1", 100))
    now = with_ifaces(make_snapshot(uptime=2000), iface("Gi0/1", 100 + gain))
    [result] = check_interface_errors(now, before, limits)
    assert result.status == status
    expected_key = "iface_errors" if status == "pass" else "iface_errors:Gi0/1"
    assert result.key == expected_key


def test_discards_count_too() -> None:
    before = with_ifaces(make_snapshot(uptime=1000), iface("Gi0/1", discards=0))
    now = with_ifaces(make_snapshot(uptime=2000), iface("Gi0/1", discards=1))
    [result] = check_interface_errors(now, before, T)
    assert (result.key, result.status) == ("iface_errors:Gi0/1", "warn")


def test_counter_reset_after_reboot_is_not_an_increase() -> None:
    before = with_ifaces(make_snapshot(uptime=900000), iface("Gi0/1", 500, crc=40))
    now = with_ifaces(make_snapshot(uptime=600), iface("Gi0/1", 0, crc=0))
    [result] = check_interface_errors(now, before, T)
    assert (result.key, result.status) == ("iface_errors", "pass")
    assert result.data["reset"] == {
        "Gi0/1": [
            "input_errors",
            "output_errors",
            "crc_errors",
            "input_discards",
            "output_discards",
        ]
    }


def test_errors_counted_since_a_reset_are_an_increase() -> None:
    # cleared counters (uptime still rising): 500 -> 4 means 4 new errors, not -496
    before = with_ifaces(make_snapshot(uptime=1000), iface("Gi0/1", 500))
    now = with_ifaces(make_snapshot(uptime=2000), iface("Gi0/1", 4))
    [result] = check_interface_errors(now, before, T)
    assert (result.key, result.status) == ("iface_errors:Gi0/1", "warn")
    assert result.data["increase"] == 4
    assert "mulai dari nol" in result.text


def test_after_reboot_errors_since_boot_are_new_even_if_higher_than_before() -> None:
    before = with_ifaces(make_snapshot(uptime=900000), iface("Gi0/1", 3))
    now = with_ifaces(make_snapshot(uptime=600), iface("Gi0/1", 5))
    [result] = check_interface_errors(now, before, T)
    assert result.data["increase"] == 5


def test_new_interface_and_missing_counters_are_not_compared() -> None:
    before = with_ifaces(make_snapshot(uptime=1000), iface("Gi0/1", 1), iface("Gi0/2", 0))
    now = with_ifaces(
        make_snapshot(uptime=2000), iface("Gi0/1", 1), iface("Gi0/3", 9), iface("Gi0/2", None, None)
    )
    [result] = check_interface_errors(now, before, T)
    assert (result.key, result.status) == ("iface_errors", "pass")
    assert set(result.data["not_compared"]) == {"Gi0/3"}
    assert result.data["interfaces_compared"] == 2


# --- reboot, config, OS -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "now", "status"), [(5000, 4999, "warn"), (5000, 5000, "pass"), (5000, 9000, "pass")]
)
def test_reboot_is_uptime_going_down(before: int, now: int, status: str) -> None:
    [result] = check_rebooted(make_snapshot(uptime=now), make_snapshot(uptime=before), T)
    assert (result.key, result.label, result.status) == (
        "rebooted",
        "Perangkat dinyalakan ulang",
        status,
    )


def test_config_change_carries_the_diff_and_unsaved_warns() -> None:
    results = by_key(run(make_snapshot(), make_snapshot(), diff=DIFF, unsaved=True).results)
    changed = results["config_changed"]
    assert changed.status == "warn"
    assert changed.label == "Perubahan konfigurasi"
    assert changed.data["diff"] == DIFF
    assert "+1/-1 baris" in changed.text
    assert results["unsaved_config"].status == "warn"
    assert results["unsaved_config"].label == "Konfigurasi belum disimpan"


def test_no_diff_with_previous_passes() -> None:
    results = by_key(run(make_snapshot(), make_snapshot(), diff=None, unsaved=False).results)
    assert results["config_changed"].status == "pass"
    assert results["unsaved_config"].status == "pass"


@pytest.mark.parametrize(
    ("version", "status"),
    [
        ("15.2(7)E4", "pass"),
        ("15.2(7)E", "pass"),
        ("15.2(4)E1", "fail"),
        ("17.9.4", "pass"),
        ("17.10.1", "fail"),
        ("17.91", "fail"),
    ],
)
def test_os_version_approved_list(version: str, status: str) -> None:
    limits = thresholds_from_data(
        {"thresholds": {"approved_os_versions": {"cisco_ios": ["15.2(7)E", "17.9"]}}}
    )
    [result] = check_os_version(make_snapshot(os_version=version), limits, "cisco_ios")
    assert (result.key, result.label, result.status) == (
        "os_version",
        "Versi sistem operasi disetujui",
        status,
    )


def test_os_version_other_platform_is_not_checked() -> None:
    limits = thresholds_from_data({"thresholds": {"approved_os_versions": {"linux": ["6.1"]}}})
    checklist = run(make_snapshot(os_version="15.0"), thresholds=limits, platform="cisco_ios")
    assert "os_version" not in by_key(checklist.results)
    notes = {n.key: n.reason for n in checklist.not_checked}
    assert notes["os_version"] == "belum ada daftar versi disetujui untuk platform cisco_ios"


# --- the runner ---------------------------------------------------------------------------


def test_first_run_fires_no_change_based_rule_but_notes_them() -> None:
    snap = with_ifaces(make_snapshot(), iface("Gi0/1", 999))
    checklist = run(snap, None, diff=DIFF)
    keys = [r.key for r in checklist.results]
    assert not [k for k in keys if k.startswith(("iface_errors", "rebooted", "config_changed"))]
    notes = {n.key: n.reason for n in checklist.not_checked}
    for key in ("iface_errors", "rebooted", "config_changed"):
        assert notes[key] == "belum ada pengambilan sebelumnya untuk dibandingkan"


def test_full_run_order_is_fixed() -> None:
    limits = thresholds_from_data({"thresholds": {"approved_os_versions": {"linux": ["6.1"]}}})
    snap = make_snapshot(os_version="6.1.0-18-amd64", disks={"/": 10, "/var": 20})
    results = run_checklist(
        "ok", None, snap, snap, limits, config_diff=None, unsaved=False, platform="linux"
    )
    assert [r.key for r in results] == [
        "reachable",
        "cpu",
        "memory",
        "disk:/",
        "disk:/var",
        "env:temperature",
        "env:fans",
        "env:power",
        "iface_errors",
        "rebooted",
        "config_changed",
        "unsaved_config",
        "os_version",
    ]
    assert {r.status for r in results} == {"pass"}
    assert [r.label for r in results][:2] == ["Perangkat dapat dijangkau", "Utilisasi CPU"]
    assert all(r.label_en for r in results)


@pytest.mark.parametrize("outcome", ["unreachable", "auth_failed", "timeout", "truncated"])
def test_failed_device_gets_exactly_one_fail(outcome: str) -> None:
    results = run_checklist(
        outcome,
        "connection refused by 10.0.0.1:22",
        None,
        make_snapshot(),
        T,
        config_diff=DIFF,
        unsaved=True,
        platform="cisco_ios",
    )
    assert len(results) == 1
    [result] = results
    assert (result.key, result.status, result.label) == (
        "reachable",
        "fail",
        "Perangkat dapat dijangkau",
    )
    assert "connection refused by 10.0.0.1:22" in result.text
    assert result.data["outcome"] == outcome


def test_unknown_outcome_and_ok_without_snapshot_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown outcome 'down'"):
        run_checklist("down", None, None, None, T, config_diff=None, unsaved=None, platform="x")
    with pytest.raises(ValueError, match="needs the device's snapshot"):
        run_checklist("ok", None, None, None, T, config_diff=None, unsaved=None, platform="x")


def test_missing_data_gives_no_verdict_but_a_note_with_the_reason() -> None:
    snap = DeviceData(
        facts=Facts(
            hostname="r1",
            vendor="MikroTik",
            model="CCR1009",
            serial=None,
            os_version="7.12",
            uptime_seconds=None,
            interfaces=["ether1"],
            missing={"serial": "no serial", "uptime_seconds": "uptime not parsed"},
        ),
        health=Health(
            cpu_percent=None,
            memory=None,
            environment=None,
            interfaces=[],
            server=None,
            missing={
                "cpu_percent": "CPU not reported by RouterOS 7.12",
                "memory": "no memory figure",
                "environment": "no health sensors on this model",
                "server": "not a server",
            },
        ),
        config=Configs(
            running="/system identity set name=r1\n",
            startup=None,
            missing={"startup": "RouterOS has no startup config"},
        ),
    )
    checklist = run(snap, make_snapshot(), unsaved=None, platform="mikrotik_routeros")
    assert [r.key for r in checklist.results] == ["reachable", "config_changed"]
    notes = {n.key: n.reason for n in checklist.not_checked}
    assert notes == {
        "cpu": "CPU not reported by RouterOS 7.12",
        "memory": "no memory figure",
        "env:temperature": "no health sensors on this model",
        "env:fans": "no health sensors on this model",
        "env:power": "no health sensors on this model",
        "iface_errors": "perangkat tidak melaporkan data ini (health.interfaces kosong)",
        "rebooted": "uptime not parsed",
        "unsaved_config": "RouterOS has no startup config",
        "os_version": "belum ada daftar versi disetujui untuk platform mikrotik_routeros",
    }
    assert all(n.label == ITEMS[n.key][0] for n in checklist.not_checked)


def test_previous_run_missing_a_field_is_noted_as_such() -> None:
    previous = make_snapshot(uptime=None)
    notes = {n.key: n.reason for n in run(make_snapshot(), previous).not_checked}
    assert notes["rebooted"] == "pengambilan sebelumnya: no uptime_seconds on this platform"


def test_server_without_disk_data_is_noted_and_switch_has_no_disk_item() -> None:
    snap = make_snapshot()
    server = run(snap, platform="linux")
    assert {n.key: n.reason for n in server.not_checked}["disk"] == "not a server"
    switch = run(snap, platform="cisco_ios")
    assert "disk" not in {n.key for n in switch.not_checked}
    assert not [r for r in switch.results if r.key.startswith("disk")]


def test_empty_environment_list_is_not_a_pass() -> None:
    snap = make_snapshot(fans=[])
    checklist = run(snap)
    assert "env:fans" not in by_key(checklist.results)
    assert {n.key for n in checklist.not_checked} >= {"env:fans"}


# --- summary and storage --------------------------------------------------------------------


def test_summarise_counts_and_orders_worst_first() -> None:
    snap = make_snapshot(
        cpu_percent=80, memory=(95, 100), power=[("PSU1", "not_ok", None)], disks={"/": 99}
    )
    checklist = run(snap, make_snapshot(uptime=10**7), diff=DIFF, unsaved=True, platform="linux")
    summary = summarise(checklist.results, checklist.not_checked, limit=4)
    assert (summary["fail"], summary["warn"]) == (3, 4)
    assert summary["total"] == summary["pass"] + 7
    assert summary["status"] == "fail"
    assert [r["key"] for r in summary["worst"]] == ["env:power", "memory", "disk:/", "cpu"]
    assert summary["worst"][1]["text"] == "Memori 95 % > ambang 90 %"
    assert summary["not_checked"] == len(summary["not_checked_items"]) == 1
    assert summary["not_checked_items"][0]["key"] == "os_version"
    json.dumps(summary)


def test_summarise_all_pass_and_empty() -> None:
    assert summarise([])["status"] == "pass"
    summary = summarise(run(make_snapshot(), make_snapshot()).results)
    assert summary["worst"] == []
    assert summary["fail"] == summary["warn"] == 0


def test_results_are_stored_by_records_as_they_are(tmp_path: Path) -> None:
    checklist = run(make_snapshot(cpu_percent=92), make_snapshot(), diff=DIFF)
    json.dumps([r.evidence for r in checklist.results])  # JSON-able
    with migrated_database("sqlite", tmp_path) as url:
        engine = make_engine(url)
        with Session(engine) as session:
            device = upsert_device(session, "sw1", address="10.0.0.1", platform="cisco_ios")
            collection = start_collection_run(session, trigger="manual")
            snapshot = add_snapshot(session, collection, device, outcome="ok")
            add_checklist_results(session, snapshot, checklist.results)
            session.commit()
        with Session(engine) as session:
            stored = latest_snapshot(session, "sw1")
            assert stored is not None
            rows = {r.item_key: r for r in stored.checklist_results}
        engine.dispose()
    assert rows["cpu"].label == "Utilisasi CPU"
    assert rows["cpu"].status == "fail"
    assert rows["cpu"].evidence["text"] == "CPU 92 % > ambang 85 %"
    assert rows["config_changed"].evidence["data"]["diff"] == DIFF
