"""Bring the local lab up, report on it, and take it down again.

Python API used by ``sigap lab``, the tests and the demo::

    state = lab_up(lab_dir, linux=3, switches=5, router=True)
    for row in lab_status(lab_dir): ...
    lab_down(lab_dir)
    password = lab_password(lab_dir)

Everything lives under ``lab_dir`` (normally ``<data dir>/lab``), except the
router's runtime files in ``/run/sigaplab/<id>/`` and its network namespaces.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lab.envfile import ensure_password, env_file
from lab.envfile import lab_password as _stored_password
from lab.labfiles import write_inventory, write_office
from lab.linux import prepare_linux_user, start_linux_host
from lab.plan import (
    PASSWORD_ENV,
    AddressPlan,
    LabDevice,
    LabError,
    plan_devices,
)
from lab.procs import (
    ProcessRecord,
    address_taken,
    cmdline,
    is_alive,
    processes_referencing,
    record_for,
    ssh_banner,
    stop_processes,
)
from lab.router import (
    RouterLayout,
    lab_namespaces,
    prepare_router_user,
    remove_router_runtime,
    start_router,
)
from lab.sshd import last_log_lines
from lab.state import LabState, load_state, remove_state, save_state
from lab.users import set_passwords

log = logging.getLogger(__name__)

#: Seconds ``lab_up`` waits for every device to show its SSH banner.
READY_TIMEOUT = 30.0
#: Programs the lab runs; only these are stopped when found through ``/proc``.
LAB_PROGRAMS = frozenset(
    {"sshd", "zebra", "staticd", "ospfd", "vtysh", "sigap-lab-vtysh", "ip", "watchfrr"}
)

__all__ = [
    "AddressPlan",
    "DeviceStatus",
    "LabError",
    "LabState",
    "lab_down",
    "lab_password",
    "lab_status",
    "lab_up",
]


@dataclass(frozen=True)
class DeviceStatus:
    """One row of ``sigap lab status``.

    Attributes:
        name: Device name.
        platform: Inventory platform.
        address: Listen address.
        port: Listen port.
        pid: Pid of the process serving it (``None`` if none is recorded).
        up: Whether an SSH banner answers at ``address:port``.
    """

    name: str
    platform: str
    address: str
    port: int
    pid: int | None
    up: bool


def lab_password(lab_dir: Path) -> str:
    """Return the lab password kept in ``<lab_dir>/lab.env``.

    Args:
        lab_dir: The lab directory.

    Returns:
        The password.

    Raises:
        LabError: If the lab has never been brought up.
    """
    return _stored_password(Path(lab_dir).absolute())


@contextlib.contextmanager
def _locked(lab_dir: Path) -> Iterator[None]:
    """Hold ``<lab>/.lock`` so two ``lab up``/``lab down`` never interleave."""
    lab_dir.mkdir(parents=True, exist_ok=True)
    with (lab_dir / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _require_root() -> None:
    if os.geteuid() != 0:
        raise LabError(
            "the lab needs root (it creates system users, network namespaces and sshd "
            "servers): run `sudo sigap lab up`"
        )


def _switch_starter() -> Callable[..., subprocess.Popen[bytes]]:
    try:
        from lab.switch_server import start_switches
    except ImportError as exc:
        raise LabError(
            f"simulated switches are not available ({exc}); run with `--switches 0`"
        ) from None
    return start_switches


def _check_free(device: LabDevice) -> None:
    reason = address_taken(device.address, device.port)
    if reason:
        raise LabError(f"{device.name}: cannot listen on {device.address}:{device.port}: {reason}")


def _all_alive(state: LabState) -> bool:
    records = state.all_processes()
    return bool(records) and all(is_alive(r) for r in records)


def _start_switches(lab_dir: Path, devices: list[LabDevice], password: str) -> ProcessRecord:
    start_switches = _switch_starter()
    switch_dir = lab_dir / "switches"
    switch_dir.mkdir(exist_ok=True)
    spec = switch_dir / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "devices": [
                    {
                        "hostname": d.name,
                        "address": d.address,
                        "port": d.port,
                        "username": d.username,
                        "password_env": PASSWORD_ENV,
                    }
                    for d in devices
                ]
            },
            indent=2,
        )
        + "\n"
    )
    env = {PASSWORD_ENV: password}
    try:
        proc = start_switches(spec, env, log_path=switch_dir / "switches.log")
    except LabError:
        raise
    except Exception as exc:
        names = ", ".join(d.name for d in devices)
        raise LabError(f"{names}: the switch simulator did not start: {exc}") from None
    return record_for("switches", proc.pid)


def _wait_ready(state: LabState, timeout: float = READY_TIMEOUT) -> None:
    pending = list(state.devices)
    deadline = time.monotonic() + timeout
    while pending:
        for device in list(pending):
            dead = [r for r in state.processes.get(device.name, []) if not is_alive(r)]
            if dead:
                log_file = (
                    state.lab_dir / "switches" / "switches.log"
                    if device.kind == "switch"
                    else state.lab_dir / device.name / "sshd.log"
                )
                detail = last_log_lines(log_file)
                raise LabError(
                    f"{device.name}: {dead[0].label} exited during start"
                    + (f": {detail}" if detail else "")
                )
            if ssh_banner(device.address, device.port, timeout=0.5):
                pending.remove(device)
        if pending and time.monotonic() > deadline:
            names = ", ".join(f"{d.name} ({d.address}:{d.port})" for d in pending)
            raise LabError(f"no SSH banner after {timeout:.0f} s from: {names}")
        if pending:
            time.sleep(0.05)


def lab_up(
    lab_dir: Path,
    linux: int = 3,
    switches: int = 5,
    router: bool = True,
    addresses: AddressPlan | None = None,
) -> LabState:
    """Start the lab and wait until every device answers with an SSH banner.

    Idempotent: on a lab that is already running nothing is started (the system
    users' password is set again, in case another lab changed it) and the
    returned state has ``already_up`` set. If anything fails, everything started
    so far is stopped again before the error is raised.

    Args:
        lab_dir: The lab directory (created if missing).
        linux: Number of Linux servers.
        switches: Number of simulated Cisco switches.
        router: Whether to start the FRR router ``r01``.
        addresses: Address blocks (default ``127.0.1/2/3.x``, port 2200).

    Returns:
        The running lab's state.

    Raises:
        LabError: With a message naming the device and the cause.
    """
    lab_dir = Path(lab_dir).absolute()
    _require_root()
    devices = plan_devices(linux, switches, router, addresses)
    with _locked(lab_dir):
        return _lab_up_locked(lab_dir, devices)


def _lab_up_locked(lab_dir: Path, devices: list[LabDevice]) -> LabState:
    existing = load_state(lab_dir)
    if existing is not None and _all_alive(existing):
        users = {d.username for d in existing.devices if d.kind != "switch"}
        set_passwords(sorted(users), ensure_password(lab_dir))
        existing.already_up = True
        return existing
    if existing is not None:
        log.warning("%s: the lab was partly running; stopping the rest first", lab_dir)
    _teardown(lab_dir, existing)

    lab_dir.mkdir(parents=True, exist_ok=True)
    lab_dir.chmod(0o755)
    password = ensure_password(lab_dir)
    kinds = {d.kind for d in devices}
    if "linux" in kinds:
        prepare_linux_user()
    if "router" in kinds:
        prepare_router_user()
    if "switch" in kinds:
        _switch_starter()
    users = sorted({d.username for d in devices if d.kind != "switch"})
    if users:
        set_passwords(users, password)

    state = LabState(lab_dir=lab_dir, devices=devices)
    write_inventory(state.inventory_dir, devices)
    write_office(lab_dir / "office.yaml")
    began = time.monotonic()
    try:
        _start_all(state, password)
        _wait_ready(state)
    except BaseException:
        _teardown(lab_dir, state)
        raise
    state.startup_seconds = round(time.monotonic() - began, 2)
    state.started_at = time.time()
    save_state(state)
    log.info("lab up: %d devices in %.1f s", len(devices), state.startup_seconds)
    return state


def _start_all(state: LabState, password: str) -> None:
    lab_dir = state.lab_dir
    for device in (d for d in state.devices if d.kind == "linux"):
        _check_free(device)
        _, record = start_linux_host(lab_dir, device)
        state.processes[device.name] = [record]
        save_state(state)
    switch_devices = [d for d in state.devices if d.kind == "switch"]
    for device in switch_devices:
        _check_free(device)
    if switch_devices:
        record = _start_switches(lab_dir, switch_devices, password)
        for device in switch_devices:
            state.processes[device.name] = [record]
        save_state(state)
    for device in (d for d in state.devices if d.kind == "router"):
        _check_free(device)
        layout = RouterLayout.for_lab(lab_dir, device.name)
        state.namespaces = [layout.namespace, layout.peer_namespace]
        state.runtime_dirs = [str(layout.runtime_dir)]
        save_state(state)
        started = start_router(layout, device)
        state.processes[device.name] = [record for _, record in started]
        save_state(state)


def lab_status(lab_dir: Path) -> list[DeviceStatus]:
    """Return every device of a running lab with an SSH banner check.

    Args:
        lab_dir: The lab directory.

    Returns:
        One row per device; empty if the lab is down.
    """
    state = load_state(Path(lab_dir).absolute())
    if state is None:
        return []
    rows = []
    for device in state.devices:
        records = state.processes.get(device.name, [])
        main = records[-1] if device.kind == "router" and records else None
        main = main or (records[0] if records else None)
        pid = main.pid if main is not None and is_alive(main) else None
        up = ssh_banner(device.address, device.port) is not None
        rows.append(
            DeviceStatus(device.name, device.platform, device.address, device.port, pid, up)
        )
    return rows


def _lab_processes(paths: list[Path]) -> list[int]:
    found = []
    for pid in processes_referencing(paths):
        line = cmdline(pid)
        program = os.path.basename(line.split(" ", 1)[0])
        if program.startswith("sshd:"):
            program = "sshd"
        if program in LAB_PROGRAMS or "lab.switch_server" in line:
            found.append(pid)
    return found


def _teardown(lab_dir: Path, state: LabState | None) -> list[int]:
    layout = RouterLayout.for_lab(lab_dir)
    paths = [lab_dir, layout.runtime_dir]
    records = state.all_processes() if state is not None else []
    leftovers = stop_processes(records, _lab_processes(paths))
    namespaces = set(lab_namespaces(lab_dir)) | set(state.namespaces if state else [])
    for name in namespaces:
        subprocess.run(["ip", "netns", "delete", name], capture_output=True, check=False)
    remove_router_runtime(layout)
    with contextlib.suppress(OSError):
        remove_state(lab_dir)
    return leftovers


def lab_down(lab_dir: Path) -> int:
    """Stop every lab process, delete the router's namespaces and the state file.

    ``lab.env``, the inventory, the office config and the devices' files stay.
    Idempotent: on a lab that is down it only cleans up strays.

    Args:
        lab_dir: The lab directory.

    Returns:
        How many recorded processes were running before the stop.

    Raises:
        LabError: If a process survived SIGKILL or a namespace could not be deleted.
    """
    lab_dir = Path(lab_dir).absolute()
    _require_root()
    with _locked(lab_dir):
        return _lab_down_locked(lab_dir)


def _lab_down_locked(lab_dir: Path) -> int:
    state = load_state(lab_dir)
    running = [r for r in state.all_processes() if is_alive(r)] if state else []
    leftovers = _teardown(lab_dir, state)
    remaining = set(leftovers) | set(
        _lab_processes([lab_dir, RouterLayout.for_lab(lab_dir).runtime_dir])
    )
    if remaining:
        raise LabError(f"{lab_dir}: processes still running after SIGKILL: {sorted(remaining)}")
    if lab_namespaces(lab_dir):
        raise LabError(f"{lab_dir}: could not delete namespaces {lab_namespaces(lab_dir)}")
    return len(running)


def lab_env_hint(lab_dir: Path) -> str:
    """Return how to load the lab password into a shell (never the password itself).

    Args:
        lab_dir: The lab directory.

    Returns:
        A short instruction naming ``lab.env``.

    Examples:
        >>> print(lab_env_hint(Path("/srv/sigap/lab")))
        The lab password is in /srv/sigap/lab/lab.env (mode 0600). Load it with:
          source /srv/sigap/lab/lab.env
    """
    path = env_file(Path(lab_dir).absolute())
    return f"The lab password is in {path} (mode 0600). Load it with:\n  source {path}"
