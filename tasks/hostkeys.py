"""SSH host keys: fetch a device's key before logging in, and pin it.

SIGAP never uses Netmiko's default of accepting any host key. On first contact
the key is fetched with a bare SSH handshake (no authentication) and pinned in
the records; every later session loads the pinned key into Paramiko, which
refuses a different key *before* the password is sent
(``paramiko.BadHostKeyException``). :func:`pin_key` and :func:`pinned_key` are the one
way between a :class:`HostKey` and the device's record.
"""

from __future__ import annotations

import base64
import hashlib
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import paramiko

if TYPE_CHECKING:  # the session workers import this module without the records
    from sqlalchemy.orm import Session

    from records.models import Device


@dataclass(frozen=True)
class HostKey:
    """A public SSH host key.

    Attributes:
        key_type: Algorithm name, e.g. ``ssh-ed25519``.
        public_key: Base64 body of the key, as in ``known_hosts``.
    """

    key_type: str
    public_key: str

    @property
    def fingerprint(self) -> str:
        """OpenSSH-style SHA256 fingerprint (``SHA256:...``, no padding).

        Examples:
            >>> HostKey("ssh-ed25519", base64.b64encode(b"k").decode()).fingerprint
            'SHA256:glTDKakoUPbVOd03b0gW7idkUX2l4CNVFK9DMWRIDXo'
        """
        digest = hashlib.sha256(base64.b64decode(self.public_key)).digest()
        return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")

    @classmethod
    def from_paramiko(cls, key: paramiko.PKey) -> HostKey:
        """Build from a Paramiko key object."""
        return cls(key.get_name(), key.get_base64())


def known_hosts_name(hostname: str, port: int) -> str:
    """The ``known_hosts`` name Paramiko looks up for ``hostname:port``.

    Examples:
        >>> known_hosts_name("10.0.0.1", 22), known_hosts_name("127.0.1.1", 2200)
        ('10.0.0.1', '[127.0.1.1]:2200')
    """
    return hostname if port == 22 else f"[{hostname}]:{port}"


def write_known_hosts(
    hostname: str, port: int, key: HostKey, directory: Path | None = None
) -> Path:
    """Write a one-line ``known_hosts`` file holding the pinned key.

    Args:
        hostname: The address SIGAP connects to.
        port: The SSH port.
        key: The pinned key.
        directory: Where to create the file (default: the system temp dir).

    Returns:
        Path of the file; the caller deletes it.
    """
    with tempfile.NamedTemporaryFile(
        "w", prefix="sigap-known-hosts-", dir=directory, delete=False, encoding="ascii"
    ) as handle:
        handle.write(f"{known_hosts_name(hostname, port)} {key.key_type} {key.public_key}\n")
    return Path(handle.name)


def fetch_host_key(sock: socket.socket, timeout: float) -> HostKey:
    """Do an SSH key exchange over ``sock`` and return the server's host key.

    No authentication is attempted, so no credential leaves SIGAP.

    Args:
        sock: A connected TCP socket to the device (closed by this function).
        timeout: Seconds allowed for the banner and key exchange.

    Returns:
        The server's host key.

    Raises:
        paramiko.SSHException: The peer does not speak SSH or the exchange failed.
    """
    transport = paramiko.Transport(sock)
    transport.banner_timeout = timeout
    try:
        transport.start_client(timeout=timeout)
        return HostKey.from_paramiko(transport.get_remote_server_key())
    finally:
        transport.close()
        sock.close()


def pinned_key(device: Device) -> HostKey | None:
    """The host key pinned in a device's record, if one is (pure).

    Args:
        device: The device's record.

    Returns:
        The pinned key, or ``None`` before the first contact.
    """
    if device.ssh_host_key and device.ssh_host_key_type:
        return HostKey(device.ssh_host_key_type, device.ssh_host_key)
    return None


def pin_key(session: Session, device: Device, key: HostKey) -> Device:
    """Pin ``key`` in the device's record as the one SIGAP trusts from now on.

    Args:
        session: Open session.
        device: The device's record.
        key: The key to trust.

    Returns:
        The device.
    """
    from records.devices import pin_host_key  # only the records side pins (see above)

    return pin_host_key(
        session,
        device,
        key_type=key.key_type,
        fingerprint=key.fingerprint,
        public_key=key.public_key,
    )
