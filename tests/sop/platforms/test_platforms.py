"""The platform registry: every platform is complete and reachable by name."""

from __future__ import annotations

import pytest

from sop.platforms import PLATFORMS, get_platform


def test_unknown_platform_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="known: cisco_ios, frr, linux, mikrotik_routeros"):
        get_platform("cisco_nxos")


@pytest.mark.parametrize("name", sorted(PLATFORMS))
def test_platform_is_consistent(name: str) -> None:
    platform = get_platform(name)
    assert platform.name == name
    assert (platform.napalm_driver is not None) == (platform.transport == "napalm")
    if platform.transport == "netmiko":
        assert platform.getters == ()
    assert platform.commands or platform.getters
    assert len(set(platform.commands)) == len(platform.commands)
