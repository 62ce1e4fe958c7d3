"""The running lab's state in ``<lab>/state.json``: devices, processes, namespaces."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lab.plan import LabDevice, LabError
from lab.procs import ProcessRecord

STATE_FILE = "state.json"


@dataclass
class LabState:
    """What a lab has running.

    Attributes:
        lab_dir: The lab directory.
        devices: The lab's devices.
        processes: Device name -> processes serving it (switches share one).
        namespaces: Network namespaces the lab created.
        runtime_dirs: Directories outside ``lab_dir`` the lab created (the router's).
        started_at: Unix time when ``lab up`` finished.
        startup_seconds: How long ``lab up`` took until every device showed an SSH banner.
        already_up: Set by ``lab_up`` when it found the lab running and started nothing.
    """

    lab_dir: Path
    devices: list[LabDevice] = field(default_factory=list)
    processes: dict[str, list[ProcessRecord]] = field(default_factory=dict)
    namespaces: list[str] = field(default_factory=list)
    runtime_dirs: list[str] = field(default_factory=list)
    started_at: float = 0.0
    startup_seconds: float = 0.0
    already_up: bool = False

    @property
    def inventory_dir(self) -> Path:
        """The lab's Nornir-style inventory directory."""
        return self.lab_dir / "inventory"

    def device(self, name: str) -> LabDevice:
        """Return a device by name.

        Args:
            name: Device name.

        Returns:
            The device.

        Raises:
            KeyError: If the lab has no such device.
        """
        for device in self.devices:
            if device.name == name:
                return device
        raise KeyError(name)

    def all_processes(self) -> list[ProcessRecord]:
        """Return every recorded process once (switches share one process).

        Returns:
            The records, in start order.
        """
        seen: dict[tuple[int, int], ProcessRecord] = {}
        for records in self.processes.values():
            for record in records:
                seen.setdefault((record.pid, record.start_time), record)
        return list(seen.values())

    def to_dict(self) -> dict[str, Any]:
        """Return the state as a JSON-ready dictionary.

        Returns:
            The state.
        """
        return {
            "lab_dir": str(self.lab_dir),
            "devices": [d.to_dict() for d in self.devices],
            "processes": {k: [r.to_dict() for r in v] for k, v in self.processes.items()},
            "namespaces": self.namespaces,
            "runtime_dirs": self.runtime_dirs,
            "started_at": self.started_at,
            "startup_seconds": self.startup_seconds,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LabState:
        """Build a state from :meth:`to_dict`'s output.

        Args:
            data: The dictionary.

        Returns:
            The state.
        """
        return cls(
            lab_dir=Path(data["lab_dir"]),
            devices=[LabDevice(**d) for d in data.get("devices", [])],
            processes={
                k: [ProcessRecord(**r) for r in v] for k, v in data.get("processes", {}).items()
            },
            namespaces=list(data.get("namespaces", [])),
            runtime_dirs=list(data.get("runtime_dirs", [])),
            started_at=float(data.get("started_at", 0.0)),
            startup_seconds=float(data.get("startup_seconds", 0.0)),
        )


def state_file(lab_dir: Path) -> Path:
    """Return the path of the lab's state file.

    Args:
        lab_dir: The lab directory.

    Returns:
        ``<lab_dir>/state.json``.
    """
    return lab_dir / STATE_FILE


def save_state(state: LabState) -> None:
    """Write the state file atomically.

    Args:
        state: The state to write.
    """
    path = state_file(state.lab_dir)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(state.to_dict(), indent=2) + "\n")
    os.replace(tmp, path)


def load_state(lab_dir: Path) -> LabState | None:
    """Read the state file, or return ``None`` if the lab has none (it is down).

    Args:
        lab_dir: The lab directory.

    Returns:
        The state, or ``None``.

    Raises:
        LabError: If the file exists but cannot be read as a lab state.
    """
    path = state_file(lab_dir)
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    try:
        return LabState.from_dict(json.loads(text))
    except (ValueError, KeyError, TypeError) as exc:
        raise LabError(
            f"{path}: not a lab state file ({exc}); run `sigap lab down` to clean up"
        ) from None


def remove_state(lab_dir: Path) -> None:
    """Delete the state file if it exists.

    Args:
        lab_dir: The lab directory.
    """
    state_file(lab_dir).unlink(missing_ok=True)
