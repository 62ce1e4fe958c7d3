"""Valid inventories: inheritance, data merge, filters, platforms and the lab's shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from inventory import ConfigError, load_inventory
from inventory.platforms import COMMON_PLATFORMS

from .conftest import EXAMPLE

HOSTS = """\
core1:
  hostname: 10.0.0.1
  groups: [core, site-pusat]
  data:
    role: core switch
srv1:
  hostname: srv1.pusat.example.go.id
  platform: linux
  port: 2222
  groups: [site-pusat]
  username: root-ish
lonely:
  hostname: 10.0.0.9
"""
GROUPS = """\
core:
  groups: [switches]
  port: 8022
  data:
    criticality: critical
switches:
  groups: [network]
  platform: cisco_ios
  username: switch-admin
  data:
    role: access switch
    criticality: medium
network:
  platform: arista_eos
  password: secret:network-pass
  data:
    site: network-site
site-pusat:
  platform: linux
  username: site-admin
  data:
    site: pusat
    maintenance_window: "Sabtu 22:00"
"""
DEFAULTS = """\
username: netadmin
password: env:SIGAP_DEVICE_PASSWORD
platform: huawei
data:
  criticality: low
  location: unknown
"""


@pytest.fixture
def inv(make_inventory):
    return load_inventory(make_inventory(hosts=HOSTS, groups=GROUPS, defaults=DEFAULTS))


def test_first_group_wins_and_parents_come_after_their_child(inv) -> None:
    core1 = inv.hosts["core1"]
    # core (own) -> switches (parent) -> network (grandparent) -> site-pusat -> defaults
    assert core1.all_groups == ("core", "switches", "network", "site-pusat")
    assert core1.groups == ("core", "site-pusat")
    assert core1.port == 8022  # from core
    assert core1.platform == "cisco_ios"  # switches beats network, site-pusat and defaults
    assert core1.username == "switch-admin"  # switches beats site-pusat and defaults
    assert core1.password_ref == "secret:network-pass"  # only network sets it
    assert core1.napalm_driver == "ios"


def test_host_value_beats_groups_and_defaults(inv) -> None:
    srv1 = inv.hosts["srv1"]
    assert (srv1.username, srv1.port, srv1.platform) == ("root-ish", 2222, "linux")
    assert srv1.password_ref == "env:SIGAP_DEVICE_PASSWORD"
    assert srv1.napalm_driver is None
    assert srv1.address == "srv1.pusat.example.go.id:2222"


def test_host_without_groups_takes_defaults(inv) -> None:
    lonely = inv.hosts["lonely"]
    assert (lonely.port, lonely.platform, lonely.username) == (22, "huawei", "netadmin")
    assert lonely.napalm_driver == "huawei_vrp"
    assert lonely.all_groups == ()
    assert lonely.data.criticality == "low"


def test_data_merges_key_by_key(inv) -> None:
    data = inv.hosts["core1"].data
    assert data.role == "core switch"  # host
    assert data.criticality == "critical"  # core beats switches and defaults
    # network (reached through core -> switches) comes before site-pusat: nornir order
    assert data.site == "network-site"
    assert data.location == "unknown"  # defaults
    assert data.extras == {"maintenance_window": "Sabtu 22:00"}  # kept, not a known field
    assert inv.hosts["srv1"].data.site == "pusat"


def test_filter_by_site_group_platform_and_extra_data(inv) -> None:
    assert set(inv.filter(site="pusat").hosts) == {"srv1"}
    assert set(inv.filter(group="network").hosts) == {"core1"}  # via core -> switches
    assert set(inv.filter(group="site-pusat").hosts) == {"core1", "srv1"}
    assert set(inv.filter(platform=["linux", "huawei"]).hosts) == {"srv1", "lonely"}
    assert set(inv.filter(maintenance_window="Sabtu 22:00").hosts) == {"core1", "srv1"}
    assert set(inv.filter(group="site-pusat", platform="linux").hosts) == {"srv1"}
    assert inv.filter(site="nowhere").hosts == {}
    assert set(inv.filter(port=2222).hosts) == {"srv1"}


def test_groups_and_defaults_are_kept_as_written(inv) -> None:
    assert list(inv.groups) == ["core", "switches", "network", "site-pusat"]
    assert inv.groups["core"].groups == ("switches",)
    assert inv.groups["core"].port == 8022
    assert inv.defaults.password_ref == "env:SIGAP_DEVICE_PASSWORD"


@pytest.mark.parametrize(
    ("platform", "driver"),
    [
        ("cisco_ios", "ios"),
        ("cisco_xe", "ios"),
        ("cisco_nxos", "nxos"),
        ("cisco_xr", "iosxr"),
        ("arista_eos", "eos"),
        ("juniper_junos", "junos"),
        ("huawei", "huawei_vrp"),
        ("mikrotik_routeros", "ros"),
        ("linux", None),
        ("frr", None),
    ],
)
def test_napalm_driver_of_each_common_platform(make_inventory, platform, driver) -> None:
    hosts = f"d1:\n  hostname: 10.0.0.1\n  platform: {platform}\n"
    inv = load_inventory(make_inventory(hosts=hosts, defaults="username: u\npassword: env:P\n"))
    assert inv.hosts["d1"].napalm_driver == driver


def test_every_common_platform_is_listed() -> None:
    assert len(COMMON_PLATFORMS) == 10


def test_connection_options_can_choose_the_drivers(make_inventory) -> None:
    hosts = (
        "nx1:\n  hostname: 10.0.0.1\n  platform: cisco_nxos\n  connection_options:\n"
        "    napalm:\n      platform: nxos_ssh\n    netmiko:\n      platform: cisco_nxos_ssh\n"
        "      extras:\n        secret: env:NX_ENABLE\n"
    )
    inv = load_inventory(make_inventory(hosts=hosts, defaults="username: u\npassword: env:P\n"))
    host = inv.hosts["nx1"]
    assert (host.napalm_driver, host.netmiko_device_type) == ("nxos_ssh", "cisco_nxos_ssh")
    assert host.connection_options["netmiko"]["extras"] == {"secret": "env:NX_ENABLE"}


def test_frr_is_driven_through_vtysh_as_cisco_ios(make_inventory) -> None:
    hosts = "r01:\n  hostname: 127.0.3.1\n  port: 2200\n  platform: frr\n"
    inv = load_inventory(make_inventory(hosts=hosts, defaults="username: u\npassword: env:P\n"))
    assert inv.hosts["r01"].netmiko_device_type == "cisco_ios"


def test_empty_groups_and_defaults_files_and_ipv6(make_inventory) -> None:
    hosts = "sw1:\n  hostname: fe80::1\n  platform: cisco_ios\n  username: u\n  password: env:P\n"
    inv = load_inventory(make_inventory(hosts=hosts, groups="# none yet\n", defaults=""))
    assert inv.hosts["sw1"].address == "[fe80::1]:22"
    assert inv.groups == {}


def test_same_address_on_other_port_and_host_named_like_a_group(make_inventory) -> None:
    hosts = (
        "switches:\n  hostname: 127.0.1.5\n  port: 2200\n  groups: [switches]\n"
        "sw2:\n  hostname: 127.0.1.5\n  port: 2201\n  groups: [switches]\n"
    )
    groups = "switches:\n  platform: cisco_ios\n"
    inv = load_inventory(
        make_inventory(hosts=hosts, groups=groups, defaults="username: u\npassword: env:P\n")
    )
    assert set(inv.hosts) == {"switches", "sw2"}


def test_duplicate_address_ignores_case_and_ipv6_spelling(make_inventory) -> None:
    hosts = (
        "a:\n  hostname: SW1.example.go.id\nb:\n  hostname: sw1.example.go.id.\n"
        "c:\n  hostname: fe80::1\nd:\n  hostname: 'fe80:0::1'\n"
    )
    defaults = "username: u\npassword: env:P\nplatform: cisco_ios\n"
    with pytest.raises(ConfigError) as info:
        load_inventory(make_inventory(hosts=hosts, defaults=defaults))
    messages = [(p.field, p.message) for p in info.value.problems]
    assert len(messages) == 2
    assert "also used by host 'a'" in messages[0][1] and messages[0][0] == "b.hostname"
    assert "also used by host 'c'" in messages[1][1] and messages[1][0] == "d.hostname"


def test_missing_directory() -> None:
    with pytest.raises(ConfigError, match="inventory directory not found"):
        load_inventory(Path("/nonexistent/sigap-inventory"))


def test_example_inventory_loads() -> None:
    inv = load_inventory(EXAMPLE)
    assert len(inv.hosts) == 5
    assert inv.hosts["app-srv1"].password_ref == "env:SIGAP_SERVER_PASSWORD"
    assert inv.hosts["cabang-rtr1"].data.site == "Kantor Cabang Bekasi"


LAB_HOSTS = """\
linux01:
  hostname: 127.0.1.1
  port: 2200
  platform: linux
  groups: [linux-servers, site-lab]
  data: {site: lab, role: server, asset_tag: LAB-0001, criticality: medium, location: Lab}
sw01:
  hostname: 127.0.2.1
  port: 2200
  platform: cisco_ios
  groups: [switches, site-lab]
  data: {site: lab, role: access-switch, asset_tag: LAB-0002, criticality: medium}
r01:
  hostname: 127.0.3.1
  port: 2200
  platform: frr
  groups: [routers, site-lab]
"""
LAB_GROUPS = """\
linux-servers:
  data: {device_class: server}
switches:
  data: {device_class: switch}
routers:
  username: sigaprtr
  data: {device_class: router}
site-lab:
  data: {site: lab}
"""


def test_lab_shaped_inventory_validates(make_inventory) -> None:
    directory = make_inventory(
        hosts=LAB_HOSTS,
        groups=LAB_GROUPS,
        defaults="username: sigaplab\npassword: env:SIGAP_LAB_PASSWORD\n",
    )
    inv = load_inventory(directory)
    assert [h.platform for h in inv] == ["linux", "cisco_ios", "frr"]
    assert inv.hosts["r01"].username == "sigaprtr"
    assert inv.hosts["r01"].data.site == "lab"
    assert inv.hosts["sw01"].data.extras == {"device_class": "switch"}
    assert {h.password_ref for h in inv} == {"env:SIGAP_LAB_PASSWORD"}


def test_inventory_written_by_the_lab_validates(tmp_path) -> None:
    """Integration with lab/: what `sigap lab up` writes must load here."""
    from lab.labfiles import write_inventory
    from lab.plan import plan_devices

    write_inventory(tmp_path / "inv", plan_devices(3, 2, True))
    inv = load_inventory(tmp_path / "inv")
    assert len(inv.hosts) == 6
    assert {h.platform for h in inv} == {"linux", "cisco_ios", "frr"}
    assert set(inv.filter(group="site-lab").hosts) == set(inv.hosts)
