"""Files ``lab up`` writes for the rest of SIGAP: the inventory and the office config.

:func:`inventory_documents` is pure (devices in, YAML-ready data out); the
writers around it only put text into files.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import yaml

from lab.plan import LAB_LOCATION, LINUX_USER, PASSWORD_ENV, ROUTER_USER, LabDevice

GENERATED = "# Written by `sigap lab up` for the local lab; rewritten on every start.\n"
#: The lab's demo office: every role of SOPs A-E held, documented demo codes (docs/lab.md).
DEMO_OFFICE = Path(__file__).resolve().parent / "demo-office.yaml"
#: The example office earlier versions of the lab copied; an unedited copy is replaced.
OLD_EXAMPLE_OFFICE = (
    Path(__file__).resolve().parents[1] / "examples" / "offices" / "kanwil-kemenkumham-malut.yaml"
)
#: SHA-256 of the versions of that example earlier labs copied (before its managers got TOTP).
OLD_EXAMPLE_SHA256 = frozenset(
    {
        "bafdf2265dc85fb2a2fb9a0ca056c20f2511270204b4cc47b3db863236771ec2",
        "c2660c4017301efa5c527db97b441e5d5daa4e3b6208f9926daf28b1fff56778",
    }
)
MINIMAL_OFFICE_MARK = "# SIGAP lab: minimal office configuration"

GROUPS: dict[str, dict[str, Any]] = {
    "linux-servers": {"data": {"device_class": "server"}},
    "switches": {"data": {"device_class": "switch"}},
    "routers": {"username": ROUTER_USER, "data": {"device_class": "router"}},
    "site-lab": {"data": {"site": "lab"}},
}


def inventory_documents(devices: list[LabDevice]) -> dict[str, dict[str, Any]]:
    """Return the Nornir-style inventory of a lab, by file name.

    Args:
        devices: The lab's devices.

    Returns:
        ``{"hosts.yaml": ..., "groups.yaml": ..., "defaults.yaml": ...}``.

    Examples:
        >>> from lab.plan import plan_devices
        >>> docs = inventory_documents(plan_devices(1, 0, True))
        >>> docs["hosts.yaml"]["r01"]["platform"], docs["hosts.yaml"]["r01"]["groups"]
        ('frr', ['routers', 'site-lab'])
        >>> docs["hosts.yaml"]["linux01"]["data"]["asset_tag"]
        'LAB-0001'
        >>> docs["defaults.yaml"]["password"]
        'env:SIGAP_LAB_PASSWORD'
    """
    hosts: dict[str, Any] = {}
    used_groups: list[str] = []
    for device in devices:
        hosts[device.name] = {
            "hostname": device.address,
            "port": device.port,
            "platform": device.platform,
            "groups": [device.group, "site-lab"],
            "data": {
                "site": "lab",
                "role": device.role,
                "asset_tag": device.asset_tag,
                "criticality": "medium",
                "location": LAB_LOCATION,
            },
        }
        if device.group not in used_groups:
            used_groups.append(device.group)
    groups = {name: GROUPS[name] for name in [*used_groups, "site-lab"]}
    defaults = {"username": LINUX_USER, "password": f"env:{PASSWORD_ENV}"}
    return {"hosts.yaml": hosts, "groups.yaml": groups, "defaults.yaml": defaults}


def write_inventory(inventory_dir: Path, devices: list[LabDevice]) -> None:
    """Write ``hosts.yaml``, ``groups.yaml`` and ``defaults.yaml``.

    Args:
        inventory_dir: Target directory (created if missing).
        devices: The lab's devices.
    """
    inventory_dir.mkdir(parents=True, exist_ok=True)
    for name, document in inventory_documents(devices).items():
        text = yaml.safe_dump(
            document, sort_keys=False, default_flow_style=False, allow_unicode=True
        )
        (inventory_dir / name).write_text(GENERATED + text)


def minimal_office_text() -> str:
    """Return the office config used when the example office file is not there.

    Returns:
        YAML text.

    Examples:
        >>> data = yaml.safe_load(minimal_office_text())
        >>> data["office"]["city"], data["sops"], data["people"]
        ('Ternate', ['A', 'B'], [])
    """
    document = {
        "office": {
            "name": "Lab SIGAP",
            "short_name": "Lab",
            "letterhead": ["LABORATORIUM SIGAP", "Ruang Server Lab", "Ternate"],
            "city": "Ternate",
            "timezone": "Asia/Jayapura",
        },
        "sops": ["A", "B"],
        "roles": {},
        "people": [],
    }
    return MINIMAL_OFFICE_MARK + "\n" + yaml.safe_dump(document, sort_keys=False)


def write_office(target: Path, example: Path = DEMO_OFFICE) -> Path:
    """Give the lab an office config, without overwriting one a person edited.

    The demo office is copied when it exists; otherwise a minimal one is written.
    An existing file is only replaced when it is the lab's own minimal file, or a
    unchanged copy of the Maluku Utara example office that earlier versions of the lab
    wrote (its people lack SOP C-E's roles).

    Args:
        target: ``<lab>/office.yaml``.
        example: The office file to copy (default: ``lab/demo-office.yaml``).

    Returns:
        ``target``.
    """
    current = target.read_text() if target.exists() else None
    old_example = OLD_EXAMPLE_OFFICE.read_text() if OLD_EXAMPLE_OFFICE.exists() else None
    if (
        current is not None
        and not current.startswith(MINIMAL_OFFICE_MARK)
        and current != old_example
        and hashlib.sha256(current.encode()).hexdigest() not in OLD_EXAMPLE_SHA256
    ):
        return target
    if example.exists():
        shutil.copyfile(example, target)
    elif current is None:
        target.write_text(minimal_office_text())
    return target
