"""Where SIGAP keeps its files and database, read from the environment.

| variable | default |
|---|---|
| ``SIGAP_DATA_DIR`` | ``$XDG_DATA_HOME/sigap`` or ``~/.local/share/sigap`` |
| ``SIGAP_DATABASE_URL`` | ``sqlite:///<data dir>/sigap.db`` |
| ``SIGAP_INVENTORY`` | ``<data dir>/inventory``, else the lab's ``<data dir>/lab/inventory`` |
| ``SIGAP_OFFICE`` | ``<data dir>/office.yaml``, else the lab's ``<data dir>/lab/office.yaml`` |
| ``SIGAP_MAX_SESSIONS`` | ``20`` SSH sessions at once |
| ``SIGAP_SITE_SESSIONS`` | no per-site limit (e.g. ``4``: at most 4 sessions per site) |
| ``SIGAP_DEVICE_TIME_LIMIT`` | ``60`` seconds per device, retries included |
| ``SIGAP_TASK_RUNNER`` | ``thread`` (or ``dask``: prefect-dask's DaskTaskRunner) |
| ``SIGAP_DASK_ADDRESS`` | none: a local Dask cluster (with ``SIGAP_TASK_RUNNER=dask``) |
| ``SIGAP_DASK_WORKERS`` | ``1`` worker processes of the local Dask cluster |
| ``SIGAP_PARSE_WORKERS`` | CPUs (at most 4) parser processes; ``0``: parse in the session thread |
| ``SIGAP_REPORT_DIR`` | ``<data dir>/reports`` |
| ``SIGAP_REPORTS_URL`` | none; URL of the served report dir, e.g. ``http://127.0.0.1:4201/`` |
| ``SIGAP_APPROVAL_POLL`` | ``10`` seconds between checks of a paused run for an answer |
| ``SIGAP_APPROVAL_TIMEOUT`` | ``2592000`` seconds (30 days) a run waits for one answer |
| ``SIGAP_SLA_WATCH`` | ``60`` seconds between SLA checks of a waiting step |
| ``SIGAP_MONITOR_INTERVAL`` | ``15`` minutes between runs of the server monitoring (SOP E) |
| ``SIGAP_EVIDENCE_MAX_MB`` | ``20`` megabytes at most per evidence file (SOP E step 7) |
| ``SIGAP_ASSET_UNSEEN_MONTHS`` | ``3`` months before a registered network asset is "not seen" |
| ``SIGAP_SITE_POOL`` | none: SOP A collects itself; a work pool: one run per site queue |
| ``SIGAP_SITE_WAIT`` | ``900`` seconds SOP A waits for the sites' collections |
| ``SIGAP_SITE_POLL`` | ``5`` seconds between checks of the sites' collections |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Settings:
    """Resolved locations.

    Attributes:
        data_dir: Directory for the SQLite database, config history and lab state.
        database_url: SQLAlchemy URL of the records database.
        inventory_dir: Default inventory directory for commands that take one.
        office_file: Default office configuration file.
        max_sessions: SSH sessions at once.
        site_sessions: SSH sessions at once per site, ``None`` = no limit.
        device_time_limit: Seconds per device, retries included.
        task_runner: ``thread`` or ``dask``.
        dask_address: Address of a Dask scheduler, ``None`` = a local cluster.
        dask_workers: Worker processes of the local Dask cluster.
        parse_workers: Parser processes (``0`` = parse in the session thread).
        session_processes: Worker processes that run the SSH sessions of a
            collection with more devices than ``max_sessions`` (``0`` = all in the
            flow's own process); each has its own interpreter lock and reads its
            devices' answers itself.
        report_dir: Where report files are written.
        reports_url: The base URL at which ``report_dir`` is served over HTTP (``sigap
            report serve``), so Prefect artifacts link to files the UI can open; None:
            artifacts carry the file's path as text (never a ``file://`` link).
        approval_poll: Seconds between checks of a paused run for an answer.
        approval_timeout: Seconds a run waits for one answer before it fails.
        sla_watch: Seconds between SLA checks of a waiting step.
        monitor_interval: Minutes between runs of ``pemantauan-server``.
        evidence_max_mb: Largest evidence file accepted, in megabytes.
        asset_unseen_months: Months without a sighting before a registered network
            asset is reported by the asset reconciliation.
        site_pool: Work pool whose per-site queues collect SOP A's devices, one
            collection per site (:mod:`flows.sites`); ``None`` = one collection in
            the SOP A run's own process.
        site_wait: Seconds SOP A waits for the sites' collections before a site
            that has not finished is ``unreachable``.
        site_poll: Seconds between checks of the sites' collections.
    """

    data_dir: Path
    database_url: str
    inventory_dir: Path
    office_file: Path
    max_sessions: int = 20
    site_sessions: int | None = None
    device_time_limit: float = 60.0
    task_runner: str = "thread"
    dask_address: str | None = None
    dask_workers: int = 1
    parse_workers: int = 1
    session_processes: int = 0
    report_dir: Path | None = None
    reports_url: str | None = None
    approval_poll: int = 10
    approval_timeout: int = 30 * 24 * 3600
    sla_watch: int = 60
    monitor_interval: int = 15
    evidence_max_mb: int = 20
    asset_unseen_months: int = 3
    site_pool: str | None = None
    site_wait: int = 900
    site_poll: int = 5

    @property
    def reports_dir(self) -> Path:
        """Where report files go: ``report_dir``, or ``<data dir>/reports``.

        Examples:
            >>> str(Settings(Path("/srv"), "sqlite://", Path("i"), Path("o")).reports_dir)
            '/srv/reports'
        """
        return self.report_dir or self.data_dir / "reports"


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read settings from ``env`` (default: the process environment).

    Args:
        env: Mapping of environment variables.

    Returns:
        The settings, with defaults filled in.

    Examples:
        >>> s = load_settings({"SIGAP_DATA_DIR": "/srv/sigap"})
        >>> s.database_url, str(s.office_file)
        ('sqlite:////srv/sigap/sigap.db', '/srv/sigap/office.yaml')
    """
    env = dict(os.environ) if env is None else env
    if env.get("SIGAP_DATA_DIR"):
        data_dir = Path(env["SIGAP_DATA_DIR"])
    else:
        base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        data_dir = Path(base) / "sigap"
    runner = env.get("SIGAP_TASK_RUNNER") or "thread"
    if runner not in ("thread", "dask"):
        raise ValueError(f"SIGAP_TASK_RUNNER: must be 'thread' or 'dask', not {runner!r}")
    return Settings(
        data_dir=data_dir,
        database_url=env.get("SIGAP_DATABASE_URL") or f"sqlite:///{data_dir}/sigap.db",
        inventory_dir=Path(env.get("SIGAP_INVENTORY") or _or_lab(data_dir, "inventory")),
        office_file=Path(env.get("SIGAP_OFFICE") or _or_lab(data_dir, "office.yaml")),
        max_sessions=_positive_int(env, "SIGAP_MAX_SESSIONS", 20),
        site_sessions=_positive_int(env, "SIGAP_SITE_SESSIONS", None),
        device_time_limit=float(_positive_int(env, "SIGAP_DEVICE_TIME_LIMIT", 60)),
        task_runner=runner,
        dask_address=env.get("SIGAP_DASK_ADDRESS") or None,
        dask_workers=_positive_int(env, "SIGAP_DASK_WORKERS", 1),
        parse_workers=_count(env, "SIGAP_PARSE_WORKERS", max(1, min(4, os.cpu_count() or 1))),
        session_processes=_count(env, "SIGAP_SESSION_PROCESSES", min(4, os.cpu_count() or 1)),
        report_dir=Path(env.get("SIGAP_REPORT_DIR") or data_dir / "reports"),
        reports_url=_http_url(env, "SIGAP_REPORTS_URL"),
        approval_poll=_positive_int(env, "SIGAP_APPROVAL_POLL", 10),
        approval_timeout=_positive_int(env, "SIGAP_APPROVAL_TIMEOUT", 30 * 24 * 3600),
        sla_watch=_positive_int(env, "SIGAP_SLA_WATCH", 60),
        monitor_interval=_positive_int(env, "SIGAP_MONITOR_INTERVAL", 15),
        evidence_max_mb=_positive_int(env, "SIGAP_EVIDENCE_MAX_MB", 20),
        asset_unseen_months=_positive_int(env, "SIGAP_ASSET_UNSEEN_MONTHS", 3),
        site_pool=(env.get("SIGAP_SITE_POOL") or "").strip() or None,
        site_wait=_positive_int(env, "SIGAP_SITE_WAIT", 900),
        site_poll=_positive_int(env, "SIGAP_SITE_POLL", 5),
    )


def _http_url(env: dict[str, str], name: str) -> str | None:
    """Read an ``http://`` or ``https://`` base URL from ``env[name]``, ending in ``/``.

    Examples:
        >>> _http_url({"U": "http://127.0.0.1:4201"}, "U"), _http_url({}, "U")
        ('http://127.0.0.1:4201/', None)
        >>> _http_url({"U": "file:///srv"}, "U")
        Traceback (most recent call last):
        ...
        ValueError: U: must be an http:// or https:// URL, not 'file:///srv'
    """
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    if not raw.startswith(("http://", "https://")) or len(raw.split("//", 1)[1]) == 0:
        raise ValueError(f"{name}: must be an http:// or https:// URL, not {raw!r}")
    return raw if raw.endswith("/") else raw + "/"


def _or_lab(data_dir: Path, name: str) -> Path:
    """``<data dir>/<name>``, or the lab's ``<data dir>/lab/<name>`` when only that exists.

    So that after ``make demo`` a fresh shell finds the demo's office and inventory.
    """
    own, lab = data_dir / name, data_dir / "lab" / name
    return lab if not own.exists() and lab.exists() else own


def _count(env: dict[str, str], name: str, default: int) -> int:
    """Read a whole number of at least 0 from ``env[name]``.

    Examples:
        >>> _count({"N": "0"}, "N", 2), _count({}, "N", 2)
        (0, 2)
        >>> _count({"N": "-1"}, "N", 2)
        Traceback (most recent call last):
        ...
        ValueError: N: must be a whole number of at least 0, not '-1'
    """
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not raw.strip().isdigit():
        raise ValueError(f"{name}: must be a whole number of at least 0, not {raw!r}")
    return int(raw)


def _positive_int(env: dict[str, str], name: str, default: int | None) -> Any:
    """Read a positive whole number from ``env[name]``.

    Examples:
        >>> _positive_int({"N": "4"}, "N", None), _positive_int({}, "N", 20)
        (4, 20)
        >>> _positive_int({"N": "0"}, "N", 20)
        Traceback (most recent call last):
        ...
        ValueError: N: must be a whole number of at least 1, not '0'
    """
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{name}: must be a whole number of at least 1, not {raw!r}")
    return value
