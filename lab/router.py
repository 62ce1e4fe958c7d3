"""The lab router ``r01``: FRRouting daemons in a network namespace, reached over SSH.

* Two namespaces per lab: ``sigaplab-r01-<id>`` (the router) and
  ``sigaplab-nb01-<id>`` (its OSPF neighbour), joined by a veth link; ``<id>``
  comes from the lab directory (:func:`lab.plan.lab_id`) so labs never clash.
* zebra, staticd and ospfd (zebra and ospfd for the neighbour) run inside the
  namespaces with explicit ``-f``/``-i``/``-z``/``--vty_socket`` paths. FRR drops to
  the ``frr`` user and reads its config as that user, so the daemon-facing files
  live in ``/run/sigaplab/<id>/<router>/`` (a data dir under ``/root`` is not
  readable by ``frr``); the generated configs and daemon logs are also kept in
  ``<lab>/r01/``.
* An sshd on the router's loopback address (in the root namespace) lets only
  ``sigaprtr`` log in. That user's login shell, :data:`SHELL_WRAPPER`, runs
  ``vtysh`` against the directory the sshd passes in ``SIGAP_LAB_FRR_DIR``: the
  prompt is ``r01#`` and Netmiko's ``cisco_ios`` driver works.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lab.frrconf import NB01, R01, RouterSpec, daemon_configs, vtysh_conf
from lab.plan import ROUTER_USER, LabDevice, LabError, lab_id
from lab.procs import ProcessRecord, start_process
from lab.sshd import check_sshd, last_log_lines, prepare_server, start_sshd
from lab.users import ensure_user, group_exists

FRR_BIN = Path("/usr/lib/frr")
VTYSH = Path("/usr/bin/vtysh")
FRR_USER = "frr"
VTY_GROUP = "frrvty"
RUNTIME_ROOT = Path("/run/sigaplab")
#: Login shell of ``sigaprtr``; shared by all labs (the sshd says which router).
SHELL_WRAPPER = Path("/usr/local/sbin/sigap-lab-vtysh")
#: Seconds to wait for a daemon's sockets.
DAEMON_TIMEOUT = 10.0

SHELL_WRAPPER_TEXT = f"""#!/bin/sh
# SIGAP lab router login shell (written by `sigap lab up`): runs vtysh against the
# FRR daemons of the router whose sshd set SIGAP_LAB_FRR_DIR.
d="${{SIGAP_LAB_FRR_DIR:-}}"
case "$d" in
  {RUNTIME_ROOT}/*) ;;
  *) echo "sigap lab: this account only works through a lab router's sshd" >&2; exit 1 ;;
esac
if [ ! -d "$d/run" ]; then echo "sigap lab: router is not running" >&2; exit 1; fi
if [ "$1" = "-c" ]; then
  exec {VTYSH} --vty_socket "$d/run" --config_dir "$d/etc" -c "$2"
fi
exec {VTYSH} --vty_socket "$d/run" --config_dir "$d/etc"
"""


@dataclass(frozen=True)
class RouterLayout:
    """Names and paths of the lab router.

    Attributes:
        name: Router name (``r01``).
        lab_dir: The lab directory.
        namespace: Router namespace.
        peer_namespace: Namespace of the OSPF neighbour.
        runtime_dir: ``/run/sigaplab/<id>`` (daemon configs, sockets, pid files).
    """

    name: str
    lab_dir: Path
    namespace: str
    peer_namespace: str
    runtime_dir: Path

    @classmethod
    def for_lab(cls, lab_dir: Path, name: str = "r01") -> RouterLayout:
        """Return the layout of a lab's router.

        Args:
            lab_dir: The lab directory.
            name: Router name.

        Returns:
            The layout.

        Examples:
            >>> layout = RouterLayout.for_lab(Path("/srv/sigap/lab"))
            >>> layout.namespace, layout.peer_namespace, str(layout.runtime_dir)
            ('sigaplab-r01-f39e7860', 'sigaplab-nb01-f39e7860', '/run/sigaplab/f39e7860')
        """
        ident = lab_id(lab_dir)
        return cls(
            name=name,
            lab_dir=lab_dir,
            namespace=f"sigaplab-{name}-{ident}",
            peer_namespace=f"sigaplab-nb01-{ident}",
            runtime_dir=RUNTIME_ROOT / ident,
        )

    @property
    def device_dir(self) -> Path:
        """``<lab>/r01``: sshd files, generated FRR configs, daemon logs."""
        return self.lab_dir / self.name

    def frr_dir(self, hostname: str) -> Path:
        """Return the runtime directory of one FRR instance.

        Args:
            hostname: ``r01`` or ``nb01``.

        Returns:
            ``/run/sigaplab/<id>/<hostname>``.
        """
        return self.runtime_dir / hostname


def check_frr() -> None:
    """Fail clearly if FRRouting is not installed.

    Raises:
        LabError: Naming what is missing and how to install it.
    """
    missing = [str(p) for p in (FRR_BIN / "zebra", FRR_BIN / "staticd", FRR_BIN / "ospfd", VTYSH)]
    missing = [p for p in missing if not Path(p).exists()]
    if not group_exists(VTY_GROUP):
        missing.append(f"group {VTY_GROUP}")
    if missing:
        raise LabError(
            "r01: FRRouting is not installed (missing " + ", ".join(missing) + "); "
            "install it with `apt-get install frr` or run `sigap lab up --no-router`"
        )
    if shutil.which("ip") is None:
        raise LabError("r01: the `ip` command (iproute2) is missing: apt-get install iproute2")


def prepare_router_user() -> None:
    """Install the vtysh login shell and make sure ``sigaprtr`` exists and uses it.

    Raises:
        LabError: If FRR or sshd is missing or the user cannot be created.
    """
    check_frr()
    check_sshd()
    SHELL_WRAPPER.parent.mkdir(parents=True, exist_ok=True)
    if not SHELL_WRAPPER.exists() or SHELL_WRAPPER.read_text() != SHELL_WRAPPER_TEXT:
        tmp = SHELL_WRAPPER.with_suffix(".tmp")
        tmp.write_text(SHELL_WRAPPER_TEXT)
        tmp.chmod(0o755)
        os.replace(tmp, SHELL_WRAPPER)
    ensure_user(ROUTER_USER, str(SHELL_WRAPPER), groups=[VTY_GROUP])


def _ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise LabError(f"r01: `ip {' '.join(args)}` failed: {done.stderr.strip()}")


def namespace_exists(name: str) -> bool:
    """Say whether a named network namespace exists.

    Args:
        name: Namespace name.

    Returns:
        ``True`` if ``/run/netns/<name>`` exists.
    """
    return Path("/run/netns", name).exists()


def delete_namespace(name: str) -> None:
    """Delete a network namespace if it exists (its interfaces go with it).

    Args:
        name: Namespace name.
    """
    if namespace_exists(name):
        subprocess.run(["ip", "netns", "delete", name], capture_output=True, check=False)


def lab_namespaces(lab_dir: Path) -> list[str]:
    """Return the existing namespaces that belong to a lab (by its id).

    Args:
        lab_dir: The lab directory.

    Returns:
        Namespace names.
    """
    suffix = f"-{lab_id(lab_dir)}"
    netns = Path("/run/netns")
    if not netns.is_dir():
        return []
    return sorted(
        p.name
        for p in netns.iterdir()
        if p.name.startswith("sigaplab-") and p.name.endswith(suffix)
    )


def create_namespaces(layout: RouterLayout) -> None:
    """Create both namespaces with their interfaces (addresses come from zebra).

    Args:
        layout: The router's layout.

    Raises:
        LabError: If an ``ip`` command fails.
    """
    for ns in (layout.namespace, layout.peer_namespace):
        delete_namespace(ns)
        _ip("netns", "add", ns)
        _ip("-n", ns, "link", "set", "lo", "up")
        # A veth pair whose far end stays in the namespace: a LAN port with carrier.
        _ip("-n", ns, "link", "add", "lan0", "type", "veth", "peer", "name", "lan0-hosts")
        _ip("-n", ns, "link", "set", "lan0", "up")
        _ip("-n", ns, "link", "set", "lan0-hosts", "up")
    _ip("-n", layout.namespace, "link", "add", "wan0", "type", "veth", "peer", "name", "wan0",
        "netns", layout.peer_namespace)  # fmt: skip
    _ip("-n", layout.namespace, "link", "set", "wan0", "up")
    _ip("-n", layout.peer_namespace, "link", "set", "wan0", "up")


def _chown(path: Path, user: str, group: str, mode: int) -> None:
    os.chown(path, pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid)
    path.chmod(mode)


def write_frr_files(layout: RouterLayout, spec: RouterSpec, with_static: bool) -> Path:
    """Write one FRR instance's configs to its runtime dir (and a copy under the lab dir).

    Args:
        layout: The router's layout.
        spec: The instance.
        with_static: Whether it runs ``staticd``.

    Returns:
        The instance's runtime directory.
    """
    base = layout.frr_dir(spec.hostname)
    if base.exists():
        shutil.rmtree(base)
    for directory in (RUNTIME_ROOT, layout.runtime_dir):
        directory.mkdir(mode=0o755, exist_ok=True)
        directory.chmod(0o755)
    keep = layout.device_dir / ("frr" if spec is R01 else f"frr-{spec.hostname}")
    keep.mkdir(parents=True, exist_ok=True)
    for sub in ("", "etc", "run"):
        (base / sub).mkdir(exist_ok=True)
        _chown(base / sub, FRR_USER, VTY_GROUP, 0o770)
    files = {f"{daemon}.conf": text for daemon, text in daemon_configs(spec, with_static).items()}
    files["vtysh.conf"] = vtysh_conf(spec)
    for name, text in files.items():
        (keep / name).write_text(text)
        target = base / "etc" / name
        target.write_text(text)
        _chown(target, FRR_USER, VTY_GROUP, 0o660)
    return base


def _wait_for(
    paths: Sequence[Path], what: str, procs: Sequence[subprocess.Popen[bytes]], log: Path
) -> None:
    deadline = time.monotonic() + DAEMON_TIMEOUT
    while not all(p.exists() for p in paths):
        for proc in procs:
            if proc.poll() is not None:
                raise LabError(f"{what} exited at start: {last_log_lines(log)}")
        if time.monotonic() > deadline:
            raise LabError(f"{what} did not create {', '.join(map(str, paths))} in time")
        time.sleep(0.02)


def start_frr(
    layout: RouterLayout, spec: RouterSpec, namespace: str, with_static: bool
) -> list[tuple[subprocess.Popen[bytes], ProcessRecord]]:
    """Start one FRR instance's daemons inside a namespace and wait for their sockets.

    Args:
        layout: The router's layout.
        spec: The instance.
        namespace: Namespace to run in.
        with_static: Whether to run ``staticd``.

    Returns:
        The daemons' processes and records (zebra first).

    Raises:
        LabError: If a daemon exits or does not come up in time.
    """
    base = write_frr_files(layout, spec, with_static)
    logs = layout.device_dir / "logs"
    logs.mkdir(exist_ok=True)
    run = base / "run"
    zsock = run / "zserv.api"

    def launch(daemon: str) -> tuple[subprocess.Popen[bytes], ProcessRecord]:
        argv = [
            "ip", "netns", "exec", namespace, str(FRR_BIN / daemon),
            "-f", str(base / "etc" / f"{daemon}.conf"),
            "-i", str(run / f"{daemon}.pid"),
            "-z", str(zsock),
            "--vty_socket", str(run),
            "-P", "0",
            "--log", f"file:{logs / f'{spec.hostname}-{daemon}.log'}",
        ]  # fmt: skip
        return start_process(
            f"{spec.hostname} {daemon}", argv, logs / f"{spec.hostname}-{daemon}.out"
        )

    started = [launch("zebra")]
    zlog = logs / f"{spec.hostname}-zebra.out"
    _wait_for([zsock, run / "zebra.vty"], f"{spec.hostname} zebra", [started[0][0]], zlog)
    daemons = ["staticd", "ospfd"] if with_static else ["ospfd"]
    started += [launch(d) for d in daemons]
    for (proc, _), daemon in zip(started[1:], daemons, strict=True):
        log = logs / f"{spec.hostname}-{daemon}.out"
        _wait_for([run / f"{daemon}.vty"], f"{spec.hostname} {daemon}", [proc], log)
    return started


def start_router(
    layout: RouterLayout, device: LabDevice
) -> list[tuple[subprocess.Popen[bytes], ProcessRecord]]:
    """Create the namespaces, start both FRR instances and the router's sshd.

    Args:
        layout: The router's layout.
        device: The router device (address and port of its sshd).

    Returns:
        Every process started, the sshd last.

    Raises:
        LabError: If any part fails (the caller stops what was started).
    """
    started: list[tuple[subprocess.Popen[bytes], ProcessRecord]] = []
    create_namespaces(layout)
    started += start_frr(layout, R01, layout.namespace, with_static=True)
    started += start_frr(layout, NB01, layout.peer_namespace, with_static=False)
    set_env = [f"SIGAP_LAB_FRR_DIR={layout.frr_dir(R01.hostname)}"]
    prepare_server(layout.device_dir, ROUTER_USER, set_env=set_env)
    started.append(start_sshd(device.name, layout.device_dir, device.address, device.port))
    return started


def remove_router_runtime(layout: RouterLayout) -> None:
    """Delete the router's namespaces and runtime directory.

    Args:
        layout: The router's layout.
    """
    for ns in (layout.namespace, layout.peer_namespace):
        delete_namespace(ns)
    shutil.rmtree(layout.runtime_dir, ignore_errors=True)
