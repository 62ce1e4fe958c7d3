"""Judge and store a collection: snapshots, checklist results, host keys, findings.

The judging itself is pure (:mod:`sop.checklist`, :mod:`sop.configs`); this
module only reads the previous snapshot from the records, asks the pure core,
and writes what it says.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from inventory import Host
from records.collection_runs import finish_collection_run, start_collection_run
from records.db import session_scope
from records.devices import DeviceListing, get_devices, upsert_listing
from records.findings import add_finding, open_findings
from records.models import CollectionRun, Device, DeviceSnapshot
from records.snapshots import insert_checklist_results, insert_snapshot, latest_snapshots
from sop.checklist import evaluate_checklist, summarise
from sop.configs import config_diff
from sop.device import Configs, DeviceData, Facts, Health
from sop.thresholds import Thresholds
from tasks.collect import DeviceResult
from tasks.hostkeys import HostKey, pin_key, pinned_key


@dataclass(frozen=True)
class DeviceReport:
    """One device's line in a collection report (JSON-able through :meth:`as_dict`)."""

    name: str
    platform: str
    site: str | None
    outcome: str
    error: str | None
    duration: float
    checklist: dict[str, Any]
    config_changed: bool
    unsaved: bool | None

    def as_dict(self) -> dict[str, Any]:
        """Return the report line as plain data."""
        return {
            "name": self.name,
            "platform": self.platform,
            "site": self.site,
            "outcome": self.outcome,
            "error": self.error,
            "duration": round(self.duration, 3),
            "checklist": self.checklist,
            "config_changed": self.config_changed,
            "unsaved": self.unsaved,
        }


@dataclass(frozen=True)
class CollectionReport:
    """What one collection run found, device by device."""

    run_id: int
    devices: list[DeviceReport] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Devices per outcome.

        Examples:
            >>> r = CollectionReport(1, [DeviceReport("a", "linux", None, "ok", None, 1.0,
            ...     {}, False, None)])
            >>> r.counts()
            {'ok': 1}
        """
        out: dict[str, int] = {}
        for device in self.devices:
            out[device.outcome] = out.get(device.outcome, 0) + 1
        return out

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain data (for ``--json`` and artifacts)."""
        return {
            "run_id": self.run_id,
            "counts": self.counts(),
            "devices": [d.as_dict() for d in self.devices],
        }


def pinned_keys(engine: Engine, names: Sequence[str]) -> dict[str, HostKey]:
    """Read the pinned host keys of the named devices.

    Args:
        engine: Records database.
        names: Inventory names.

    Returns:
        Name -> pinned key, for devices that have one.
    """
    keys: dict[str, HostKey] = {}
    with session_scope(engine) as session:
        for name, device in get_devices(session, names).items():
            key = pinned_key(device)
            if key is not None:
                keys[name] = key
    return keys


def _previous(snap: DeviceSnapshot | None) -> tuple[DeviceData | None, str | None]:
    """The last good snapshot's data and stored running config."""
    if snap is None:
        return None, None
    try:
        data = DeviceData(
            facts=Facts.model_validate(snap.facts),
            health=Health.model_validate(snap.health),
            config=Configs(
                running=snap.config_running,
                startup=snap.config_startup,
                missing={"running": "not stored", "startup": "not stored"},
            ),
        )
    except ValueError:  # stored before the contract changed: judge as a first run
        return None, snap.config_running
    return data, snap.config_running


def _store_one(
    session: Session,
    run: CollectionRun,
    host: Host,
    result: DeviceResult,
    thresholds: Thresholds,
    known: dict[str, Device],
    last_good: Mapping[int, DeviceSnapshot],
) -> DeviceReport:
    """Judge and store one device: its record, snapshot and checklist results."""
    data = host.data
    stored = known.get(host.name)
    previous, previous_config = _previous(last_good.get(stored.id) if stored else None)
    device = upsert_listing(session, device_listing(host), known=known, flush=False)
    known[host.name] = device
    if device.id is None:  # first run of this device: its id is needed below
        session.flush()
    backup = result.backup
    current: DeviceData | None = None
    diff: str | None = None
    if result.facts is not None and result.health is not None:
        running = backup.running if backup else None
        startup = backup.startup if backup else None
        current = DeviceData(
            facts=result.facts,
            health=result.health,
            config=Configs(
                running=running,
                startup=startup,
                missing={
                    name: result.missing.get(name, "not available")
                    for name, text in (("running", running), ("startup", startup))
                    if text is None
                },
            ),
        )
        # the stored text is the normalised backup, so equal text means no change
        if running is not None and previous_config not in (None, running):
            diff = config_diff(previous_config, running, "sebelumnya", "sekarang") or None
    stored_config = result.outcome == "ok" and backup is not None
    snapshot_id = insert_snapshot(
        session,
        run_id=run.id,
        device_id=device.id,
        outcome=result.outcome,
        collected_at=result.started_at,
        error=result.error,
        facts=result.facts.model_dump(mode="json") if result.facts else None,
        health=result.health.model_dump(mode="json") if result.health else None,
        config_running=backup.running if stored_config and backup else None,
        config_startup=backup.startup if stored_config and backup else None,
        duration_seconds=result.duration,
    )
    checklist = evaluate_checklist(
        result.outcome,
        result.error,
        current if result.outcome == "ok" else None,
        previous,
        thresholds,
        config_diff=diff,
        unsaved=backup.unsaved if backup else None,
        platform=host.platform,
    )
    insert_checklist_results(session, snapshot_id, checklist.results)
    host_key_bookkeeping(session, device, result)
    return DeviceReport(
        name=host.name,
        platform=host.platform,
        site=data.site,
        outcome=result.outcome,
        error=result.error,
        duration=result.duration,
        checklist=summarise(checklist.results, checklist.not_checked),
        config_changed=diff is not None,
        unsaved=backup.unsaved if backup else None,
    )


KEPT_DATA = ("site", "role", "asset_tag", "criticality", "location")
"""The inventory ``data:`` fields a device's record keeps, under the same names."""


def device_listing(host: Host) -> DeviceListing:
    """The device's record fields as the inventory lists them (pure).

    Args:
        host: The inventory host.

    Returns:
        Its listing, for :func:`records.devices.upsert_listing` and
        :func:`records.devices.record_devices`.
    """
    kept = {name: getattr(host.data, name) for name in KEPT_DATA}
    return DeviceListing(
        host.name, address=host.hostname, port=host.port, platform=host.platform, **kept
    )


def host_key_bookkeeping(session: Session, device: Device, result: DeviceResult) -> None:
    """Pin a device's first host key, or record a changed key as a security finding.

    Args:
        session: Open session.
        device: The device's record.
        result: What its collection saw (``seen_key``, outcome).
    """
    key = result.seen_key
    if key is None:
        return
    if result.outcome == "host_key_changed":
        offered = key.fingerprint
        already = [
            f
            for f in open_findings(session, device, kind="host_key_changed")
            if f.detail.get("offered_fingerprint") == offered
        ]
        if not already:
            add_finding(
                session,
                device,
                kind="host_key_changed",
                detail={
                    "pinned_type": device.ssh_host_key_type,
                    "pinned_fingerprint": device.ssh_host_key_fingerprint,
                    "offered_type": key.key_type,
                    "offered_fingerprint": offered,
                    "offered_key": key.public_key,
                },
            )
    elif result.first_contact and device.ssh_host_key is None:
        pin_key(session, device, key)


COMMIT_INTERVAL = 1.0
"""Seconds between commits while a collection is being stored."""


class CollectionRecorder:
    """Stores a collection run device by device, as the results come in.

    Storing while the other devices are still being collected overlaps the
    database work with the SSH sessions, and a run that is interrupted keeps
    the devices stored up to its last commit (at most ``COMMIT_INTERVAL`` s
    earlier; the run is then marked ``failed``).

    The devices that arrive within ``COMMIT_INTERVAL`` are written together, in
    one flush and one commit. Should that batch fail, it is rolled back and
    written again device by device, each in its own savepoint, so every device
    is still stored whole or not at all and the others are kept.

    Use as a context manager::

        with CollectionRecorder(engine, thresholds, trigger="manual", ...) as rec:
            for host, result in ...:
                rec.add(host, result)
        report = rec.report
    """

    def __init__(
        self,
        engine: Engine,
        thresholds: Mapping[str, Thresholds],
        *,
        trigger: str,
        actor: str | None,
        selection: dict[str, Any],
    ) -> None:
        """Prepare a recorder; the run is opened on ``__enter__``.

        Args:
            engine: Records database.
            thresholds: Host name -> its checklist thresholds.
            trigger: What started the run (``manual``, ``schedule``, ``sop:A`` ...).
            actor: Username of the person who started it, if any.
            selection: The inventory selection, stored with the run.
        """
        self._engine = engine
        self._thresholds = thresholds
        self._run_args = {"trigger": trigger, "actor": actor, "selection": selection}
        self._session: Session | None = None
        self._run: CollectionRun | None = None
        self._lines: list[DeviceReport] = []
        self._known: dict[str, Device] | None = None
        self._last_good: dict[int, DeviceSnapshot] = {}
        self._batch: list[tuple[Host, DeviceResult]] = []
        self._committed = 0.0
        self.report: CollectionReport | None = None

    def __enter__(self) -> CollectionRecorder:
        self._session = Session(self._engine, expire_on_commit=False)
        self._run = start_collection_run(self._session, **self._run_args)
        self._session.commit()
        self._committed = time.monotonic()
        return self

    def _load(self) -> None:
        """Every device's record and last good snapshot, in a few queries (not per device)."""
        assert self._session is not None
        self._known = get_devices(self._session, self._thresholds)
        self._last_good = latest_snapshots(self._session, self._known.values(), outcome="ok")

    def _store(self, host: Host, result: DeviceResult) -> DeviceReport:
        assert self._session is not None and self._run is not None and self._known is not None
        return _store_one(
            self._session,
            self._run,
            host,
            result,
            self._thresholds[host.name],
            self._known,
            self._last_good,
        )

    def add(self, host: Host, result: DeviceResult) -> DeviceReport:
        """Judge and store one device's result (committed within ``COMMIT_INTERVAL``).

        Args:
            host: The inventory host.
            result: Its collection result.

        Returns:
            The device's report line.

        Raises:
            RuntimeError: Storing this device failed (named in the message; the
                devices before it are kept, its own rows are not).
        """
        assert self._session is not None and self._run is not None, "use `with`"
        if self._known is None:
            self._load()
        try:
            line = self._store(host, result)
        except Exception as exc:
            self._one_by_one()  # keep the batch so far, without this device's rows
            raise RuntimeError(
                f"could not store the collection of {host.name}: {type(exc).__name__}: {exc}"
            ) from exc
        self._batch.append((host, result))
        now = time.monotonic()
        if now - self._committed >= COMMIT_INTERVAL:
            self._commit()
            self._committed = now
        self._lines.append(line)
        return line

    def _commit(self) -> None:
        """Write the batch in one flush and commit; device by device if that fails."""
        assert self._session is not None
        try:
            self._session.commit()
        except Exception:
            self._one_by_one()
        self._batch.clear()

    def _one_by_one(self) -> None:
        """Roll the batch back and store its devices again, each whole or not at all.

        Raises:
            RuntimeError: Devices of the batch could not be stored (named in the
                message); the others of the batch are stored.
        """
        assert self._session is not None
        self._session.rollback()
        self._load()  # devices created in the rolled-back batch are gone again
        failed: list[tuple[str, Exception]] = []
        for host, result in self._batch:
            try:
                with self._session.begin_nested():
                    self._store(host, result)
            except Exception as exc:  # this device is not stored; the others are
                failed.append((host.name, exc))
        self._batch.clear()
        self._session.commit()
        if failed:
            names = ", ".join(name for name, _ in failed)
            first = failed[0][1]
            raise RuntimeError(
                f"could not store the collection of {names}: {type(first).__name__}: {first}"
            ) from first

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        assert self._session is not None and self._run is not None
        failed = exc_type is not None
        try:
            try:
                self._commit()  # the last batch
            except Exception:
                failed = True
                raise
            finally:
                # devices stored so far are kept, also when the run was interrupted
                finish_collection_run(
                    self._session, self._run, status="failed" if failed else "completed"
                )
                self._session.commit()
            self.report = CollectionReport(self._run.id, self._lines)
        except Exception:
            self._session.rollback()
            raise
        finally:
            self._session.close()
