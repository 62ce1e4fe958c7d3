"""Lab Linux servers: one Debian OpenSSH server per host, logging in as ``sigaplab``.

The hosts share this machine's filesystem and kernel, so ``uptime``, ``df -P``,
``free -b`` and ``cat /proc/loadavg`` give real answers; each host differs only by
its address, host key and name.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from lab.plan import LINUX_USER, LabDevice
from lab.procs import ProcessRecord
from lab.sshd import check_sshd, prepare_server, start_sshd
from lab.users import ensure_user

LOGIN_SHELL = "/bin/bash"


def prepare_linux_user() -> None:
    """Make sure the ``sigaplab`` user exists with a normal shell.

    Raises:
        lab.plan.LabError: If sshd is missing or the user cannot be created.
    """
    check_sshd()
    ensure_user(LINUX_USER, LOGIN_SHELL)


def start_linux_host(
    lab_dir: Path, device: LabDevice
) -> tuple[subprocess.Popen[bytes], ProcessRecord]:
    """Write a Linux host's sshd files under ``<lab>/<name>/`` and start its sshd.

    Args:
        lab_dir: The lab directory.
        device: The host (kind ``linux``).

    Returns:
        The sshd process and its record.
    """
    server_dir = lab_dir / device.name
    prepare_server(server_dir, LINUX_USER)
    return start_sshd(device.name, server_dir, device.address, device.port)
