"""Pure parts of the lab: device plan, inventory documents, configs, lab.env."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import yaml

from lab.envfile import ensure_password, lab_password, parse_env_text
from lab.frrconf import NB01, R01, daemon_configs
from lab.labfiles import (
    DEMO_OFFICE,
    OLD_EXAMPLE_OFFICE,
    inventory_documents,
    minimal_office_text,
    write_office,
)
from lab.plan import AddressPlan, LabError, plan_devices
from lab.sshd import sshd_config_text


def test_default_lab_addresses_and_names() -> None:
    devices = plan_devices(3, 5, True)
    assert [d.name for d in devices] == [
        *(f"linux{i:02d}" for i in range(1, 4)),
        *(f"sw{i:02d}" for i in range(1, 6)),
        "r01",
    ]
    assert devices[0].address == "127.0.1.1" and devices[2].address == "127.0.1.3"
    assert devices[3].address == "127.0.2.1" and devices[7].address == "127.0.2.5"
    assert devices[8].address == "127.0.3.1"
    assert {d.port for d in devices} == {2200}
    assert [d.username for d in devices].count("sigaprtr") == 1


@pytest.mark.parametrize(
    ("linux", "switches", "router", "message"),
    [
        (-1, 0, True, "--linux must be between 0 and 254"),
        (0, 255, True, "--switches must be between 0 and 254"),
        (0, 0, False, "an empty lab"),
    ],
)
def test_bad_sizes_are_refused(linux: int, switches: int, router: bool, message: str) -> None:
    with pytest.raises(LabError, match=message):
        plan_devices(linux, switches, router)


def test_other_address_blocks() -> None:
    plan = AddressPlan(linux="127.0.40", switches="127.0.41", routers="127.0.42", port=2300)
    devices = plan_devices(1, 1, True, plan)
    assert [(d.address, d.port) for d in devices] == [
        ("127.0.40.1", 2300),
        ("127.0.41.1", 2300),
        ("127.0.42.1", 2300),
    ]


def test_inventory_documents_follow_the_lab_conventions() -> None:
    docs = inventory_documents(plan_devices(1, 1, True))
    hosts, groups, defaults = docs["hosts.yaml"], docs["groups.yaml"], docs["defaults.yaml"]
    assert hosts["sw01"] == {
        "hostname": "127.0.2.1",
        "port": 2200,
        "platform": "cisco_ios",
        "groups": ["switches", "site-lab"],
        "data": {
            "site": "lab",
            "role": "access-switch",
            "asset_tag": "LAB-0002",
            "criticality": "medium",
            "location": "Ruang Server Lab",
        },
    }
    assert groups["routers"]["username"] == "sigaprtr"
    assert defaults == {"username": "sigaplab", "password": "env:SIGAP_LAB_PASSWORD"}
    assert "switches" not in inventory_documents(plan_devices(1, 0, False))["groups.yaml"]


def test_sshd_config_keeps_listen_address_out_and_pam_off() -> None:
    text = sshd_config_text(Path("/lab/linux01"), "sigaplab")
    assert "ListenAddress" not in text
    assert "UsePAM no" in text and "PasswordAuthentication yes" in text
    assert "AllowUsers sigaplab" in text and "PidFile /lab/linux01/sshd.pid" in text


def test_frr_configs_form_one_ospf_area() -> None:
    r01, nb01 = daemon_configs(R01, with_static=True), daemon_configs(NB01, with_static=False)
    assert "staticd" in r01 and "staticd" not in nb01
    assert "network 10.0.12.0/30 area 0" in r01["ospfd"]
    assert "network 10.0.12.0/30 area 0" in nb01["ospfd"]
    assert "ip address 10.0.12.1/30" in r01["zebra"] and "ip address 10.0.12.2/30" in nb01["zebra"]


def test_lab_env_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    lab_dir = tmp_path / "lab"
    first = ensure_password(lab_dir)
    assert ensure_password(lab_dir) == first == lab_password(lab_dir)
    env_file = lab_dir / "lab.env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert parse_env_text(env_file.read_text()) == {"SIGAP_LAB_PASSWORD": first}
    assert len(first) >= 20


def test_missing_or_empty_lab_env_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LabError, match=r"lab\.env: no lab password yet; run `sigap lab up`"):
        lab_password(tmp_path)
    (tmp_path / "lab.env").write_text("# nothing\n")
    with pytest.raises(LabError, match=r"lab\.env: line `SIGAP_LAB_PASSWORD=...` is missing"):
        lab_password(tmp_path)


def test_office_copied_from_example_or_minimal(tmp_path: Path) -> None:
    target = tmp_path / "office.yaml"
    write_office(target, example=tmp_path / "missing.yaml")
    assert yaml.safe_load(target.read_text())["office"]["timezone"] == "Asia/Jayapura"
    assert target.read_text() == minimal_office_text()
    example = tmp_path / "example.yaml"
    example.write_text("office:\n  name: Kanwil\n")
    write_office(target, example=example)  # the lab's own minimal file is replaced
    assert target.read_text() == example.read_text()
    target.write_text("office:\n  name: Edited by hand\n")
    write_office(target, example=example)  # a person's edits are kept
    assert "Edited by hand" in target.read_text()


def test_an_unchanged_old_example_copy_is_replaced_an_edited_one_kept(tmp_path: Path) -> None:
    """Earlier labs copied the Maluku Utara example; an unchanged copy becomes the demo
    office, a copy someone edited (even below its header) stays as it is."""
    target = tmp_path / "office.yaml"
    target.write_text(OLD_EXAMPLE_OFFICE.read_text())
    write_office(target)
    assert target.read_text() == DEMO_OFFICE.read_text()
    edited = OLD_EXAMPLE_OFFICE.read_text() + "\n# pak Budi: tambah NIP\n"
    target.write_text(edited)
    write_office(target)
    assert target.read_text() == edited
