"""Store evidence files: check every file first, then store all of them or none.

Files are kept by content under ``<data dir>/evidence/<sha256>`` (the same photo
attached twice is stored once) and recorded with their name, type, size and
SHA-256 (:mod:`records.evidence`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import Engine

from records.db import session_scope
from records.evidence import add_evidence
from records.incidents import get_incident
from sop.evidence import Evidence, EvidenceError, check_evidence
from tasks import clock


def _shown(path: Path) -> str:
    """The path as printed: quoted when it holds a control character (one line)."""
    text = str(path)
    return repr(text) if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text) else text


def read_evidence(paths: Sequence[Path], max_bytes: int) -> list[tuple[Evidence, bytes]]:
    """Read and check files; every problem of every file is reported together.

    Args:
        paths: The files.
        max_bytes: Largest size accepted.

    Returns:
        Each accepted file with its bytes.

    Raises:
        EvidenceError: Naming each refused file and why (nothing is stored then).
    """
    accepted: list[tuple[Evidence, bytes]] = []
    problems: list[str] = []
    for path in paths:
        shown = _shown(path)
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise EvidenceError(
                    f"{path.name}: {size} bytes is larger than the limit of {max_bytes} bytes"
                )
            content = path.read_bytes()
            accepted.append((check_evidence(path.name, content, max_bytes=max_bytes), content))
        except EvidenceError as exc:
            problems.append(f"{shown}: {str(exc).split(': ', 1)[1]}")
        except OSError as exc:
            problems.append(f"{shown}: cannot be read ({exc.strerror or exc})")
    if problems:
        raise EvidenceError("; ".join(problems))
    return accepted


def store_evidence(
    engine: Engine,
    incident_ref: str,
    paths: Sequence[Path],
    *,
    data_dir: Path,
    max_bytes: int,
    attached_by: str,
) -> list[tuple[Evidence, bool]]:
    """Attach files to an incident as evidence (all or none).

    Args:
        engine: Records database.
        incident_ref: Incident number or id.
        paths: The files.
        data_dir: SIGAP's data directory (files go to ``evidence/<sha256>``).
        max_bytes: Largest size accepted.
        attached_by: Who attaches them.

    Returns:
        Each file with whether it was new to this incident.

    Raises:
        EvidenceError: A file was refused (nothing stored).
        LookupError: No such incident.
    """
    if not paths:
        raise EvidenceError("no file given")
    accepted = read_evidence(paths, max_bytes)
    store = data_dir / "evidence"
    store.mkdir(parents=True, exist_ok=True)
    out: list[tuple[Evidence, bool]] = []
    with session_scope(engine) as session:
        incident = get_incident(session, incident_ref)
        for evidence, content in accepted:
            target = store / evidence.sha256
            if not target.exists():
                partial = target.with_suffix(".part")
                partial.write_bytes(content)
                os.replace(partial, target)
            _, created = add_evidence(
                session, incident.id, evidence, attached_by=attached_by, attached_at=clock.now()
            )
            out.append((evidence, created))
    return out
