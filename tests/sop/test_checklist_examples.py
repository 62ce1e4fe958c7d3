"""SOP A checklist rules on the small device contracts of ``tests.factories.make_snapshot``.

These were the docstring examples of :mod:`sop.checklist`; the factory is test data,
so they live here.
"""

from __future__ import annotations

from sop.checklist import (
    check_config_changed,
    check_cpu,
    check_disks,
    check_fans,
    check_interface_errors,
    check_memory,
    check_os_version,
    check_power,
    check_rebooted,
    check_temperature,
    check_unsaved,
    evaluate_checklist,
    run_checklist,
    was_rebooted,
)
from sop.thresholds import Thresholds
from tests.factories import make_snapshot


def test_run_checklist_gives_the_items_in_checklist_order() -> None:
    snap = make_snapshot(cpu_percent=92.0)
    results = run_checklist(
        "ok", None, snap, None, Thresholds(), config_diff=None, unsaved=False, platform="cisco_ios"
    )
    assert [r.key for r in results] == [
        "reachable",
        "cpu",
        "memory",
        "env:temperature",
        "env:fans",
        "env:power",
        "unsaved_config",
    ]
    assert check_cpu(snap, None, Thresholds())[0].text == "CPU 92 % > ambang 85 %"


def test_check_cpu_levels_and_warning_text() -> None:
    t = Thresholds()
    statuses = [check_cpu(make_snapshot(cpu_percent=v), None, t)[0].status for v in (75, 85, 85.1)]
    assert statuses == ["pass", "warn", "fail"]
    text = check_cpu(make_snapshot(cpu_percent=80), None, t)[0].text
    assert text == "CPU 80 % > batas peringatan 75 % (ambang 85 %)"


def test_check_memory_over_the_limit_fails() -> None:
    r = check_memory(make_snapshot(memory=(91, 100)), None, Thresholds())[0]
    assert (r.status, r.text) == ("fail", "Memori 91 % > ambang 90 %")


def test_check_disks_one_result_per_mount() -> None:
    snap = make_snapshot(disks={"/": 50, "/var": 95})
    assert [(r.key, r.label, r.status) for r in check_disks(snap, None, Thresholds())] == [
        ("disk:/", "Kapasitas disk /", "pass"),
        ("disk:/var", "Kapasitas disk /var", "fail"),
    ]


def test_check_temperature_names_the_bad_sensor() -> None:
    snap = make_snapshot(temperature=[("Inlet", "ok", 31.0), ("CPU", "not_ok", 92.5)])
    assert check_temperature(snap, None, Thresholds())[0].text == (
        "Sensor suhu tidak normal: CPU 92,5 °C"
    )


def test_check_fans_an_absent_fan_passes() -> None:
    snap = make_snapshot(fans=[("Fan1", "ok", None), ("Fan2", "absent", None)])
    r = check_fans(snap, None, Thresholds())[0]
    assert (r.status, r.text) == ("pass", "Kipas: 1 normal; tidak terpasang: Fan2")


def test_check_power_a_bad_supply_fails() -> None:
    snap = make_snapshot(power=[("PSU1", "ok", 120.0), ("PSU2", "not_ok", 0.0)])
    r = check_power(snap, None, Thresholds())[0]
    assert (r.status, r.text) == ("fail", "Catu daya tidak normal: PSU2 0 W")


def test_was_rebooted_when_the_uptime_went_down() -> None:
    assert was_rebooted(make_snapshot(uptime=60), make_snapshot(uptime=86400)) is True
    assert was_rebooted(make_snapshot(uptime=60), None) is None


def test_check_rebooted_warns_and_needs_a_previous_run() -> None:
    r = check_rebooted(make_snapshot(uptime=3600), make_snapshot(uptime=90000), Thresholds())[0]
    assert (r.status, r.text) == (
        "warn",
        "Uptime turun dari 1 hari 1 jam ke 1 jam 0 menit: dinyalakan ulang",
    )
    assert check_rebooted(make_snapshot(uptime=3600), None, Thresholds()) == []


def test_check_interface_errors_sums_the_increases_per_interface() -> None:
    before = make_snapshot(uptime=1000, interfaces={"Gi0/1": (0, 0, 0), "Gi0/2": (5, 0, 0)})
    now = make_snapshot(uptime=2000, interfaces={"Gi0/1": (0, 0, 0), "Gi0/2": (9, 0, 2)})
    r = check_interface_errors(now, before, Thresholds())[0]
    assert (r.key, r.status, r.text) == (
        "iface_errors:Gi0/2",
        "warn",
        "Error antarmuka Gi0/2 naik 6: input_errors +4, crc_errors +2",
    )
    cleared = make_snapshot(uptime=2000, interfaces={"Gi0/2": (0, 0, 0)})
    results = check_interface_errors(cleared, before, Thresholds())
    assert [(r.key, r.status) for r in results] == [("iface_errors", "pass")]


def test_check_config_changed_warns_with_the_diff() -> None:
    diff = "--- a\n+++ b\n@@ -1 +1 @@\n-hostname sw1\n+hostname sw01\n"
    r = check_config_changed(make_snapshot(), make_snapshot(), diff)[0]
    assert (r.status, r.text, r.data["diff"] == diff) == (
        "warn",
        "Konfigurasi berubah sejak pengambilan sebelumnya: +1/-1 baris",
        True,
    )
    assert check_config_changed(make_snapshot(), make_snapshot(), None)[0].status == "pass"


def test_check_unsaved_warns_and_unknown_gives_nothing() -> None:
    assert check_unsaved(make_snapshot(), True)[0].status == "warn"
    assert check_unsaved(make_snapshot(), None) == []


def test_check_os_version_lists_the_approved_versions() -> None:
    t = Thresholds(approved_os_versions={"cisco_ios": ("15.2(7)E",)})
    assert check_os_version(make_snapshot(os_version="15.2(4)E1"), t, "cisco_ios")[0].text == (
        "Versi 15.2(4)E1 tidak ada dalam daftar disetujui untuk cisco_ios: 15.2(7)E"
    )


def test_evaluate_checklist_notes_what_lacks_data() -> None:
    c = evaluate_checklist(
        "ok",
        None,
        make_snapshot(cpu_percent=None),
        None,
        Thresholds(),
        config_diff=None,
        unsaved=None,
        platform="cisco_ios",
    )
    assert [(n.key, n.reason) for n in c.not_checked][:2] == [
        ("cpu", "no CPU figure on this platform"),
        ("iface_errors", "belum ada pengambilan sebelumnya untuk dibandingkan"),
    ]


def test_make_snapshot_explains_what_it_leaves_out() -> None:
    assert make_snapshot(cpu_percent=None, interfaces=None).health.missing == {
        "cpu_percent": "no CPU figure on this platform",
        "interfaces": "no interfaces on this platform",
        "server": "not a server",
    }
