"""Lab Linux servers: one Debian OpenSSH server per host, logging in as ``sigaplab``.

The hosts share this machine's kernel and most of its filesystem, so ``uptime``,
``df -P``, ``free -b`` and ``cat /proc/loadavg`` give real answers. Each host's
sshd runs in its own mount namespace (``unshare --mount``) where three
directories are the host's own (:data:`PRIVATE_DIRS`, under ``<lab>/<name>/fs/``):
``/etc/ssh`` (its ``sshd_config``, the one that sshd runs with), ``/var/log``
(sshd logs to ``/var/log/auth.log``) and ``/srv`` (where a test mounts a small
filesystem). A session on the host sees exactly these, so SIGAP's commands are
the ones it runs on a real Debian server (``cat /etc/ssh/sshd_config``, ``grep
/var/log/auth.log``, ``df``); a fault injected on one host stays on that host.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

from lab.plan import LINUX_USER, LabDevice
from lab.procs import ProcessRecord, start_process
from lab.sshd import SSHD, check_sshd, prepare_server
from lab.users import ensure_user

LOGIN_SHELL = "/bin/bash"
UNSHARE = "/usr/bin/unshare"

#: Directory under ``<lab>/<name>/fs/`` -> where the host's sessions see it.
PRIVATE_DIRS: dict[str, str] = {"etc/ssh": "/etc/ssh", "var/log": "/var/log", "srv": "/srv"}


def host_fs(lab_dir: Path, name: str) -> Path:
    """The directory holding a lab host's own ``etc/ssh``, ``var/log`` and ``srv``.

    Examples:
        >>> host_fs(Path("/lab"), "linux01")
        PosixPath('/lab/linux01/fs')
    """
    return lab_dir / name / "fs"


def prepare_linux_user() -> None:
    """Make sure the ``sigaplab`` user exists with a normal shell.

    Raises:
        lab.plan.LabError: If sshd is missing or the user cannot be created.
    """
    check_sshd()
    ensure_user(LINUX_USER, LOGIN_SHELL)


def start_linux_host(
    lab_dir: Path, device: LabDevice, netns: str | None = None
) -> tuple[subprocess.Popen[bytes], ProcessRecord]:
    """Write a Linux host's files under ``<lab>/<name>/`` and start its sshd in its namespace.

    Args:
        lab_dir: The lab directory.
        device: The host (kind ``linux``).
        netns: A network namespace to run it in (``ip netns exec``), so that only
            that namespace reaches it (the per-site tests); default: this machine's.

    Returns:
        The sshd process and its record (``unshare`` and ``sh`` exec into sshd:
        one process id).
    """
    server_dir = lab_dir / device.name
    config = prepare_server(server_dir, LINUX_USER)
    fs = host_fs(lab_dir, device.name)
    for sub in PRIVATE_DIRS:
        (fs / sub).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(config, fs / "etc/ssh/sshd_config")
    auth_log = fs / "var/log/auth.log"
    auth_log.touch()
    auth_log.chmod(0o644)  # Debian: group adm; here the lab login reads it
    link = server_dir / "sshd.log"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(auth_log)
    mounts = " && ".join(
        f"mount --bind {shlex.quote(str(fs / sub))} {target}"
        for sub, target in PRIVATE_DIRS.items()
    )
    sshd = (
        f"exec {SSHD} -D -f /etc/ssh/sshd_config -E /var/log/auth.log "
        f"-o ListenAddress={device.address} -p {device.port}"
    )
    argv = [UNSHARE, "--mount", "--propagation", "private", "sh", "-c", f"{mounts} && {sshd}"]
    if netns is not None:
        argv = ["ip", "netns", "exec", netns, *argv]
    return start_process(f"{device.name} sshd", argv, server_dir / "sshd.out")
