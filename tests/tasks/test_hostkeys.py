"""A host key between SSH and the device's record (tasks/hostkeys.py)."""

from __future__ import annotations

from pathlib import Path

import paramiko

from records.db import init_database, make_engine, session_scope
from records.devices import get_device, upsert_device
from tasks.hostkeys import HostKey, pin_key, pinned_key


def _key() -> HostKey:
    return HostKey.from_paramiko(paramiko.RSAKey.generate(1024))


def test_a_pinned_key_is_read_back_as_the_same_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    init_database(url)
    engine = make_engine(url)
    key, other = _key(), _key()
    with session_scope(engine) as session:
        device = upsert_device(session, "sw01", address="127.0.0.1", platform="linux")
        assert pinned_key(device) is None  # before the first contact
        pin_key(session, device, key)
    with session_scope(engine) as session:
        device = get_device(session, "sw01")
        assert device is not None
        assert pinned_key(device) == key
        assert device.ssh_host_key_fingerprint == key.fingerprint
        assert device.ssh_host_key_type == "ssh-rsa"
        pin_key(session, device, other)  # `sigap hosts trust`: re-pinned
    with session_scope(engine) as session:
        device = get_device(session, "sw01")
        assert device is not None
        assert pinned_key(device) == other != key
    engine.dispose()
