"""One OpenSSH server per lab device: its config, host key and process.

Each server has its own directory with ``sshd_config``, an ed25519 host key, a pid
file and a log file. The listen address is given on the command line
(``-o ListenAddress=...``), never in the config file, so one config shape serves
every device.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from lab.plan import LabError
from lab.procs import ProcessRecord, start_process

SSHD = "/usr/sbin/sshd"
SSH_KEYGEN = "/usr/bin/ssh-keygen"
#: sshd refuses to start without its privilege separation directory.
PRIVSEP_DIR = Path("/run/sshd")


def sshd_config_text(
    server_dir: Path, allow_user: str, set_env: Sequence[str] = (), banner: str = ""
) -> str:
    """Return the ``sshd_config`` of a lab device.

    Args:
        server_dir: Directory holding the host key and pid file.
        allow_user: The only user allowed to log in.
        set_env: ``NAME=value`` pairs given to every session (``SetEnv``).
        banner: Extra comment line at the top.

    Returns:
        The config text.

    Examples:
        >>> text = sshd_config_text(Path("/lab/linux01"), "sigaplab")
        >>> "UsePAM no" in text, "AllowUsers sigaplab" in text, "ListenAddress" in text
        (True, True, False)
        >>> "SetEnv A=1" in sshd_config_text(Path("/x"), "u", set_env=["A=1"])
        True
    """
    lines = [
        "# SIGAP lab device; written by `sigap lab up`, rewritten on every start.",
        *([f"# {banner}"] if banner else []),
        f"HostKey {server_dir / 'ssh_host_ed25519_key'}",
        f"PidFile {server_dir / 'sshd.pid'}",
        "UsePAM no",
        "PasswordAuthentication yes",
        "KbdInteractiveAuthentication no",
        "PubkeyAuthentication no",
        "AuthorizedKeysFile none",
        "PermitRootLogin no",
        "PermitEmptyPasswords no",
        f"AllowUsers {allow_user}",
        "X11Forwarding no",
        "AllowTcpForwarding no",
        "AllowAgentForwarding no",
        "PermitTunnel no",
        "PrintMotd no",
        "PrintLastLog no",
        "UseDNS no",
        "MaxStartups 100:30:200",
        "LoginGraceTime 30",
        "LogLevel INFO",
        "Subsystem sftp internal-sftp",
    ]
    lines += [f"SetEnv {pair}" for pair in set_env]
    return "\n".join(lines) + "\n"


def check_sshd() -> None:
    """Fail clearly if the OpenSSH server is not installed.

    Raises:
        LabError: If ``sshd`` or ``ssh-keygen`` is missing.
    """
    for tool in (SSHD, SSH_KEYGEN):
        if not Path(tool).exists():
            raise LabError(
                f"{tool} not found: install the OpenSSH server (apt-get install openssh-server)"
            )


def prepare_server(server_dir: Path, allow_user: str, set_env: Sequence[str] = ()) -> Path:
    """Write a device's sshd config and create its host key if it has none.

    Args:
        server_dir: The device's directory (created if missing).
        allow_user: The only user allowed to log in.
        set_env: ``NAME=value`` pairs for every session.

    Returns:
        The config file's path.

    Raises:
        LabError: If the host key cannot be generated.
    """
    server_dir.mkdir(parents=True, exist_ok=True)
    PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
    key = server_dir / "ssh_host_ed25519_key"
    if not key.exists():
        key.with_suffix(".pub").unlink(missing_ok=True)
        done = subprocess.run(
            [SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", server_dir.name, "-f", str(key)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise LabError(f"{server_dir.name}: ssh-keygen failed: {done.stderr.strip()}")
    config = server_dir / "sshd_config"
    config.write_text(sshd_config_text(server_dir, allow_user, set_env))
    return config


def start_sshd(
    label: str, server_dir: Path, address: str, port: int
) -> tuple[subprocess.Popen[bytes], ProcessRecord]:
    """Start the device's sshd in the foreground, logging to ``<server_dir>/sshd.log``.

    Args:
        label: Device name, for messages.
        server_dir: The device's directory (see :func:`prepare_server`).
        address: Listen address.
        port: Listen port.

    Returns:
        The process and its record.
    """
    argv = [
        SSHD,
        "-D",
        "-f",
        str(server_dir / "sshd_config"),
        "-E",
        str(server_dir / "sshd.log"),
        "-o",
        f"ListenAddress={address}",
        "-p",
        str(port),
    ]
    return start_process(f"{label} sshd", argv, server_dir / "sshd.out")


def last_log_lines(path: Path, count: int = 3) -> str:
    """Return the last lines of a log file joined by `` | `` ("" if there is none).

    Args:
        path: Log file.
        count: How many lines.

    Returns:
        The lines.
    """
    try:
        lines = [line.strip() for line in path.read_text(errors="replace").splitlines()]
    except OSError:
        return ""
    kept = [line for line in lines if line]
    return " | ".join(kept[-count:])
