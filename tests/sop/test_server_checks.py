"""SOP E's server checks on the small device contracts of ``tests.factories.make_snapshot``.

These were the docstring examples of :mod:`sop.server_checks`; the factory is test
data, so they live here.
"""

from __future__ import annotations

from sop.device import ListenSocket, ServerHealth
from sop.server_checks import (
    check_failed_logins,
    check_failed_units,
    check_load,
    check_ports,
    check_security_updates,
    check_sshd,
    check_time_sync,
    judge_server,
)
from sop.thresholds import Thresholds
from tests.factories import make_snapshot


def server() -> ServerHealth:
    health = make_snapshot(disks={"/": 1}).health.server
    assert health is not None
    return health


def test_judge_server_gives_the_items_in_order() -> None:
    snap = make_snapshot(disks={"/": 40})
    checklist = judge_server(snap, None, Thresholds(), allowed_ports=None, address="10.0.0.5")
    assert [r.key for r in checklist.results] == [
        "memory",
        "disk:/",
        "time_sync",
        "failed_units",
        "sshd_root_login",
        "sshd_password_auth",
        "security_updates",
    ]


def test_check_load_over_the_limit_fails_and_no_limit_is_not_checked() -> None:
    s = server()
    assert check_load(s, Thresholds(load_limit=0.05))[0].text == "Load 5 menit 0,1 > ambang 0,1"
    assert check_load(s, Thresholds()) == []


def test_check_time_sync_an_unsynchronised_clock_warns() -> None:
    assert check_time_sync(server().model_copy(update={"time_synced": False}))[0].status == "warn"


def test_check_failed_units_names_them() -> None:
    s = server().model_copy(update={"failed_units": ["nginx.service"]})
    assert check_failed_units(s)[0].text == "Unit gagal: nginx.service"


def test_check_sshd_root_login_fails_password_login_warns() -> None:
    s = server().model_copy(
        update={"sshd": {"permitrootlogin": "yes", "passwordauthentication": "yes"}}
    )
    assert [(r.key, r.status) for r in check_sshd(s)] == [
        ("sshd_root_login", "fail"),
        ("sshd_password_auth", "warn"),
    ]


def test_check_failed_logins_counts_the_new_ones() -> None:
    s = server().model_copy(update={"failed_logins": 30})
    assert check_failed_logins(s, 4, Thresholds())[0].text == (
        "26 login SSH gagal sejak pemeriksaan sebelumnya (ambang 10)"
    )


def test_check_ports_an_exposed_port_not_allowed_fails() -> None:
    listening = [ListenSocket(address="0.0.0.0", port=22), ListenSocket(address="*", port=23)]
    s = server().model_copy(update={"listening": listening})
    assert [(r.key, r.status) for r in check_ports(s, [22], "10.0.0.5")] == [("port:23", "fail")]


def test_check_security_updates_pending_ones_warn() -> None:
    s = server().model_copy(update={"security_updates": 3})
    assert check_security_updates(s)[0].text == "3 pembaruan keamanan tertunda"
