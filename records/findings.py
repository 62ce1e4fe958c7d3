"""Security findings: events a human must look at, such as a changed SSH host key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from records._checks import when
from records.models import Device, SecurityFinding


def add_finding(
    session: Session,
    device: Device,
    *,
    kind: str,
    detail: dict[str, Any] | None = None,
    found_at: datetime | None = None,
) -> SecurityFinding:
    """Record a security finding on ``device``.

    Args:
        session: Open session.
        device: The device.
        kind: What was found, e.g. ``host_key_changed``.
        detail: JSON data describing it (never a secret).
        found_at: When (aware); default now.

    Returns:
        The finding, flushed.
    """
    finding = SecurityFinding(
        device=device, kind=kind, detail=dict(detail or {}), found_at=when(found_at)
    )
    session.add(finding)
    session.flush()
    return finding


def open_findings(
    session: Session, device: Device | None = None, *, kind: str | None = None
) -> list[SecurityFinding]:
    """Return unresolved findings, oldest first.

    Args:
        session: Open session.
        device: Only this device's findings, if given.
        kind: Only findings of this kind, if given.

    Returns:
        The findings.
    """
    query = select(SecurityFinding).where(SecurityFinding.resolved_at.is_(None))
    if device is not None:
        query = query.where(SecurityFinding.device_id == device.id)
    if kind is not None:
        query = query.where(SecurityFinding.kind == kind)
    return list(session.scalars(query.order_by(SecurityFinding.found_at, SecurityFinding.id)))


def resolve_findings(
    session: Session,
    device: Device,
    *,
    kind: str,
    resolved_by: str,
    resolution: str,
    resolved_at: datetime | None = None,
) -> int:
    """Mark the device's open findings of ``kind`` resolved.

    Args:
        session: Open session.
        device: The device.
        kind: Kind of finding to resolve.
        resolved_by: Username (or OS user) who resolved them.
        resolution: What was done, e.g. "host key re-pinned after checking the console".
        resolved_at: When (aware); default now.

    Returns:
        How many findings were resolved.
    """
    stamp = when(resolved_at)
    findings = open_findings(session, device, kind=kind)
    for finding in findings:
        finding.resolved_at = stamp
        finding.resolved_by = resolved_by
        finding.resolution = resolution
    session.flush()
    return len(findings)
