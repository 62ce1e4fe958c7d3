"""The per-site test's network: one namespace per site, its devices and its worker.

Each site is a network namespace (``ip netns add``) joined to this machine by a
veth pair (``10.231.<i>.1`` here, ``10.231.<i>.2`` in the namespace). Its lab
devices (Debian's sshd, :func:`lab.linux.start_linux_host`) listen on
``10.232.<i>.<k>`` on the namespace's own loopback: nothing outside the
namespace has a route there, so only the site's worker, started in it with
``ip netns exec``, reaches them. The worker reaches the Prefect server and the
records database over the veth pair.

PostgreSQL here listens on 127.0.0.1 only (trust auth for ``postgres``);
:class:`lab.wan_proxy.WanProxy` at 0 ms makes it reachable on the veth addresses the way
a database host is reachable over the network in production. It forwards bytes, nothing
else.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from lab.linux import prepare_linux_user, start_linux_host
from lab.plan import LAB_PORT, LINUX_USER, PASSWORD_ENV, LabDevice
from lab.procs import ProcessRecord, stop_processes
from tests.processes import processes_of

NETNS_PREFIX = "sigap-situs-"
"""Namespaces of this test (a leftover of an earlier, killed run is removed first)."""

PREFECT = Path(sys.executable).with_name("prefect")


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@dataclass
class SiteNet:
    """One site's network namespace.

    Attributes:
        site: The inventory site.
        netns: The namespace.
        host_ip: This machine's end of the veth pair (the worker's way out).
        ns_ip: The namespace's end.
        device_block: First three octets of the devices' addresses.
        devices: The site's devices, once started.
        processes: Their process records.
    """

    site: str
    netns: str
    host_ip: str
    ns_ip: str
    device_block: str
    devices: list[LabDevice] = field(default_factory=list)
    processes: list[ProcessRecord] = field(default_factory=list)

    def device_address(self, k: int) -> str:
        """The address of the site's ``k``-th device (1-based)."""
        return f"{self.device_block}.{k}"


def _remove_stale() -> None:
    netns = Path("/run/netns")
    if netns.is_dir():
        for entry in netns.iterdir():
            if entry.name.startswith(NETNS_PREFIX):
                subprocess.run(["ip", "netns", "delete", entry.name], capture_output=True)


@contextlib.contextmanager
def site_networks(sites: list[str]) -> Iterator[dict[str, SiteNet]]:
    """Create one namespace per site with its veth pair; delete them afterwards.

    Args:
        sites: Site names, in order (site ``i`` gets ``10.231.<i+1>.0/30``).

    Yields:
        Site -> its network.
    """
    _remove_stale()
    tag = secrets.token_hex(3)
    nets: dict[str, SiteNet] = {}
    try:
        for i, site in enumerate(sites, start=1):
            net = SiteNet(
                site,
                f"{NETNS_PREFIX}{tag}-{i}",
                f"10.231.{i}.1",
                f"10.231.{i}.2",
                f"10.232.{i}",
            )
            nets[site] = net
            outside, inside = f"sgs{tag}{i}h", f"sgs{tag}{i}n"
            _ip("netns", "add", net.netns)
            _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
            _ip("link", "set", inside, "netns", net.netns)
            _ip("addr", "add", f"{net.host_ip}/30", "dev", outside)
            _ip("link", "set", outside, "up")
            _ip("-n", net.netns, "addr", "add", f"{net.ns_ip}/30", "dev", inside)
            _ip("-n", net.netns, "link", "set", inside, "up")
            _ip("-n", net.netns, "link", "set", "lo", "up")
        yield nets
    finally:
        for net in nets.values():
            stop_processes(net.processes)
            # deleting the namespace deletes its end of the veth pair, and so both
            subprocess.run(["ip", "netns", "delete", net.netns], capture_output=True)


def banner_in(netns: str | None, address: str, port: int) -> str | None:
    """The SSH banner at ``address:port`` as seen from ``netns`` (None: this machine's)."""
    code = (
        "import socket,sys\n"
        "try:\n"
        f"    s = socket.create_connection(({address!r}, {port}), timeout=1)\n"
        "    print(s.recv(64).decode(errors='replace').strip())\n"
        "except OSError:\n"
        "    sys.exit(1)\n"
    )
    prefix = ["ip", "netns", "exec", netns] if netns else []
    done = subprocess.run([*prefix, sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def start_site_devices(lab_dir: Path, net: SiteNet, names: list[str]) -> None:
    """Start the site's Linux devices (sshd) in its namespace and wait for their banners.

    Args:
        lab_dir: Where their files go.
        net: The site's network.
        names: Device names; device ``k`` listens on ``<device_block>.<k>:2200``.
    """
    prepare_linux_user()
    for k, name in enumerate(names, start=1):
        address = net.device_address(k)
        _ip("-n", net.netns, "addr", "add", f"{address}/32", "dev", "lo")
        device = LabDevice(
            name, "linux", "linux", "server", "linux-servers", address, LAB_PORT, LINUX_USER,
            f"SITUS-{name.upper()}",
        )  # fmt: skip
        _, record = start_linux_host(lab_dir, device, netns=net.netns)
        net.devices.append(device)
        net.processes.append(record)
    deadline = time.monotonic() + 30
    for device in net.devices:
        while banner_in(net.netns, device.address, device.port) is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"{device.name}: no SSH banner in {net.netns}")
            time.sleep(0.2)


def write_inventory(folder: Path, hosts: dict[str, tuple[str, str, int]]) -> Path:
    """An inventory of Linux hosts: name -> (site, address, port)."""
    folder.mkdir(parents=True)
    (folder / "hosts.yaml").write_text(
        yaml.safe_dump(
            {
                name: {
                    "hostname": address,
                    "port": port,
                    "platform": "linux",
                    "data": {"site": site, "role": "server", "asset_tag": f"SITUS-{name.upper()}"},
                }
                for name, (site, address, port) in hosts.items()
            },
            sort_keys=False,
        )
    )
    (folder / "defaults.yaml").write_text(
        yaml.safe_dump({"username": LINUX_USER, "password": f"env:{PASSWORD_ENV}"})
    )
    return folder


@dataclass
class Worker:
    """A ``prefect worker start`` process run in a site's namespace."""

    site: str
    process: subprocess.Popen[bytes]
    log: Path
    mark: dict[str, str]

    def stop(self) -> None:
        """SIGTERM to it and everything it started (its flow runs), then SIGKILL."""
        pids = processes_of(self.process.pid, mark=self.mark)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(15 if sig == signal.SIGTERM else 5)
            pids = processes_of(self.process.pid, mark=self.mark)
            if not pids:
                return


def start_worker(
    net: SiteNet, pool: str, env: dict[str, str], folder: Path, mark: dict[str, str]
) -> Worker:
    """``prefect worker start --pool <pool> --work-queue <site>`` inside the site's namespace.

    Args:
        net: The site's network (its queue is the site's name).
        pool: The work pool.
        env: The worker's environment (``PREFECT_API_URL`` on the veth address ...).
        folder: Where its home and log go.
        mark: Marker variable, so that its flow run processes are found and stopped.

    Returns:
        The worker.
    """
    home = folder / f"worker-{net.site}"
    home.mkdir(parents=True, exist_ok=True)
    log = home / "worker.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            ["ip", "netns", "exec", net.netns, str(PREFECT), "worker", "start",
             "--pool", pool, "--work-queue", net.site, "--name", f"worker-{net.site}"],
            env={**env, **mark, "PREFECT_HOME": str(home / "prefect-home")},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    return Worker(net.site, process, log, mark)
