"""Collect one device: facts, health and configs, for every flow that collects.

It runs in the flow's session slots and in the session worker processes
(:mod:`tasks.session_workers`), which is why it does not import Prefect (the
Prefect tasks around it are ``flows.collect.collect_lane`` and
``flows.collect.collect_device_task``).

One call, one device, one outcome. Nothing it meets stops the caller: every
failure becomes an outcome with an error text (secrets scrubbed). The raw
configuration never leaves this module: only the sanitised backup does.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime

import paramiko

from sop.configs import Backup, SanitizePattern
from sop.device import Facts, Health
from sop.platforms import get_platform
from sop.platforms.base import Captures
from tasks.credentials import CredentialError, resolve_secret
from tasks.hostkeys import HostKey, fetch_host_key
from tasks.outcomes import RETRYABLE, classify, find_in_chain, scrub
from tasks.parsing import Parsed, submit_parse
from tasks.session import Target, Watchdog, capture, open_socket


@dataclass(frozen=True)
class CollectRequest:
    """Everything needed to collect one device (references, never secrets).

    Attributes:
        target: Address and login name.
        platform: Inventory platform key.
        password_ref: ``env:VAR`` or ``secret:BLOCK`` for the login password.
        enable_ref: Reference for the enable secret; ``None`` = the login password.
        pinned_key: The host key pinned in the records; ``None`` on first contact.
        time_limit: Seconds for the whole device, retries included.
        retries: New attempts after an ``unreachable`` outcome.
        backoff: Seconds before the first retry; doubled for each next one.
        site: The device's site, for per-site session limits.
        site_limit: At most this many sessions at once to the site; ``None`` = no limit.
        sanitize: The office's extra sanitising patterns.
        parse_workers: Size of the parser process pool (``SIGAP_PARSE_WORKERS``; 0 = parse
            in the session thread), see :mod:`tasks.parsing`.
    """

    target: Target
    platform: str
    password_ref: str
    enable_ref: str | None = None
    pinned_key: HostKey | None = None
    time_limit: float = 60.0
    retries: int = 2
    backoff: float = 1.0
    site: str | None = None
    site_limit: int | None = None
    sanitize: tuple[SanitizePattern, ...] = ()
    parse_workers: int = 0


@dataclass(frozen=True)
class DeviceResult:
    """What collecting one device gave.

    Attributes:
        name: Inventory name.
        outcome: One of :data:`sop.device.OUTCOMES`.
        error: What went wrong (no secrets), ``None`` when ``ok``.
        started_at: When collection started (UTC).
        duration: Seconds spent, retries included.
        attempts: Sessions tried.
        facts: Parsed facts, when the device answered and parsed.
        health: Parsed health, likewise.
        backup: Sanitised configs, likewise.
        seen_key: Host key the device presented, if the handshake got that far.
        first_contact: Whether ``seen_key`` was pinned just now (no pin before).
        missing: Why the running or startup config is missing, where the platform said.
    """

    name: str
    outcome: str
    error: str | None
    started_at: datetime
    duration: float
    attempts: int
    facts: Facts | None = None
    health: Health | None = None
    backup: Backup | None = None
    seen_key: HostKey | None = None
    first_contact: bool = False
    missing: dict[str, str] = field(default_factory=dict)


_site_locks: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_site_locks_guard = threading.Lock()


def site_slot(site: str | None, limit: int | None) -> contextlib.AbstractContextManager[object]:
    """A slot in the per-site session limit (process-wide), or a no-op.

    Args:
        site: The device's site.
        limit: Sessions at once to that site; ``None`` = no limit.

    Returns:
        A context manager that holds the slot while it is open.
    """
    if site is None or limit is None:
        return contextlib.nullcontext()
    with _site_locks_guard:
        lock = _site_locks.setdefault((site, limit), threading.BoundedSemaphore(limit))
    return lock


def collect_device(request: CollectRequest) -> DeviceResult:
    """Collect facts, health and configs from one device; never raises for device faults.

    Args:
        request: What to collect and how.

    Returns:
        The device's result with exactly one outcome.
    """
    return start_collection(request).result()


def start_collection(request: CollectRequest, *, parse_here: bool = False) -> Future[DeviceResult]:
    """Run one device's SSH session now; its answers are read in the parser pool.

    Returns when the session has ended, so the caller's session slot is free for
    the next device while this one's answers are parsed and sanitised
    (:func:`tasks.parsing.submit_parse`). Never raises for device faults.

    Args:
        request: What to collect and how.
        parse_here: Read the answers in this thread, not in the parser pool.

    Returns:
        A future of the device's result with exactly one outcome; it never holds
        an exception (a parser failure is the ``parse_error`` outcome).
    """
    with site_slot(request.site, request.site_limit):
        # the time limit starts when the site has a free session, not while waiting
        watchdog = Watchdog(deadline=time.monotonic() + request.time_limit)
        return _collect(request, watchdog, datetime.now(UTC), parse_here)


def internal_error(request: CollectRequest, why: str) -> DeviceResult:
    """The outcome of a device whose collection hit a fault in SIGAP itself.

    Args:
        request: The device's request.
        why: What went wrong (a bug's exception, a session worker that died).

    Returns:
        A ``parse_error`` result whose error says it is internal.
    """
    return DeviceResult(
        request.target.name,
        "parse_error",
        f"internal error: {why}"[:2000],
        datetime.now(UTC),
        0.0,
        0,
    )


def _ready(result: DeviceResult) -> Future[DeviceResult]:
    future: Future[DeviceResult] = Future()
    future.set_result(result)
    return future


def _collect(
    request: CollectRequest, watchdog: Watchdog, started_at: datetime, parse_here: bool = False
) -> Future[DeviceResult]:
    name = request.target.name
    begin = time.monotonic()
    secrets: list[str] = []

    def done(outcome: str, error: str | None, attempts: int, **extra: object) -> DeviceResult:
        text = None if error is None else scrub(error, secrets)[:2000]
        return DeviceResult(
            name, outcome, text, started_at, time.monotonic() - begin, attempts, **extra
        )

    try:
        platform = get_platform(request.platform)
        password = resolve_secret(request.password_ref)
        secrets.append(password)
        enable = resolve_secret(request.enable_ref) if request.enable_ref else password
        secrets.append(enable)
    except (CredentialError, KeyError) as exc:
        return _ready(done("auth_failed", f"cannot log in: {exc}", 0))

    pinned = request.pinned_key
    first_contact = False
    attempt = 0
    captures: Captures | None = None
    while True:
        attempt += 1
        try:
            if pinned is None:
                sock = open_socket(request.target, min(5.0, watchdog.remaining()))
                pinned = fetch_host_key(sock, min(10.0, max(1.0, watchdog.remaining())))
                first_contact = True
            captures = capture(request.target, platform, password, enable, pinned, watchdog)
            break
        except Exception as exc:  # every device fault becomes an outcome
            changed = find_in_chain(exc, paramiko.BadHostKeyException)
            if changed is not None:
                seen = HostKey.from_paramiko(changed.key)
                message = (
                    f"host key changed: pinned {pinned.fingerprint if pinned else '?'}, "
                    f"device offered {seen.key_type} {seen.fingerprint}; session refused "
                    f"before login. Check the device, then run `sigap hosts trust {name}`"
                )
                return _ready(done("host_key_changed", message, attempt, seen_key=seen))
            outcome = classify(exc, deadline_passed=watchdog.fired or watchdog.remaining() <= 0)
            error = f"{type(exc).__name__}: {exc}".strip()
            if outcome == "timeout":
                error = f"no answer within the {request.time_limit:g} s limit ({error})"
            wait = request.backoff * (2 ** (attempt - 1))
            if (
                outcome in RETRYABLE
                and attempt <= request.retries
                and watchdog.remaining() > wait + 1.0
            ):
                time.sleep(wait)
                continue
            return _ready(
                done(
                    outcome,
                    error,
                    attempt,
                    seen_key=pinned if first_contact else None,
                    first_contact=first_contact,
                )
            )

    key_info = {"seen_key": pinned, "first_contact": first_contact}
    result: Future[DeviceResult] = Future()

    def parsed(future: Future[Parsed]) -> None:
        try:
            result.set_result(_parsed_result(future.result(), attempt, done, key_info))
        except Exception as exc:  # a parser bug or garbage output: parse_error, others go on
            result.set_result(
                done("parse_error", f"{type(exc).__name__}: {exc}", attempt, **key_info)
            )

    submit_parse(
        platform.name,
        captures,
        request.sanitize,
        workers=request.parse_workers,
        here=parse_here,
    ).add_done_callback(parsed)
    return result


def _parsed_result(
    parsed: Parsed,
    attempt: int,
    done: Callable[..., DeviceResult],
    key_info: dict[str, object],
) -> DeviceResult:
    """The device's result once its answers are read (``truncated`` or ``ok``)."""
    outcome, error = "ok", None
    if parsed.backup.truncated:
        outcome = "truncated"
        error = "running configuration is incomplete (no end marker); not stored as a new version"
    return done(
        outcome,
        error,
        attempt,
        facts=parsed.facts,
        health=parsed.health,
        backup=parsed.backup,
        missing=parsed.config_missing,
        **key_info,
    )
