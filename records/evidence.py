"""Read and write the evidence files attached to incidents (SOP E step 7)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from records._checks import when
from records.db import session_scope
from records.incidents import get_incident
from records.monitoring_models import EvidenceFile
from sop.evidence import Evidence


class EvidenceEntry(NamedTuple):
    """One evidence file of an incident, as plain data.

    Attributes:
        filename: The file's name as attached.
        content_type: ``image/png``, ``image/jpeg`` or ``application/pdf``.
        sha256: Its content's SHA-256 hex digest.
    """

    filename: str
    content_type: str
    sha256: str


def add_evidence(
    session: Session,
    incident_id: int,
    evidence: Evidence,
    *,
    attached_by: str,
    attached_at: datetime,
) -> tuple[EvidenceFile, bool]:
    """Record one evidence file of an incident, once per content.

    Args:
        session: Open session.
        incident_id: The incident.
        evidence: The accepted file.
        attached_by: Who attached it.
        attached_at: When (aware).

    Returns:
        ``(row, created)``: ``created`` is False when the same content was already attached.
    """
    existing = session.scalars(
        select(EvidenceFile).where(
            EvidenceFile.incident_id == incident_id, EvidenceFile.sha256 == evidence.sha256
        )
    ).first()
    if existing is not None:
        return existing, False
    row = EvidenceFile(
        incident_id=incident_id,
        sha256=evidence.sha256,
        filename=evidence.filename[:255],
        content_type=evidence.content_type,
        size_bytes=evidence.size_bytes,
        attached_by=attached_by,
        attached_at=when(attached_at),
    )
    session.add(row)
    session.flush()
    return row, True


def list_evidence(session: Session, incident_id: int) -> list[EvidenceFile]:
    """The evidence files of an incident, oldest first."""
    return list(
        session.scalars(
            select(EvidenceFile)
            .where(EvidenceFile.incident_id == incident_id)
            .order_by(EvidenceFile.id)
        )
    )


def incident_evidence(engine: Engine, ref: str | int) -> list[EvidenceEntry]:
    """The evidence files of an incident, oldest first (one transaction).

    Args:
        engine: Records database.
        ref: The incident's number or id.

    Returns:
        Its files.

    Raises:
        LookupError: No such incident.
    """
    with session_scope(engine) as session:
        incident = get_incident(session, ref)
        return [
            EvidenceEntry(e.filename, e.content_type, e.sha256)
            for e in list_evidence(session, incident.id)
        ]
