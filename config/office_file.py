"""Read the office configuration file (the checks are :func:`sop.office.parse_office`'s)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sop.office import MAX_OFFICE_BYTES, Office, parse_office
from sop.problems import ConfigError, Problem
from sop.yamlsource import LineMap, parse_yaml, size_problem


def load_office(path: Path, *, today: date | None = None) -> Office:
    """Read and validate the office configuration file at ``path``.

    Args:
        path: The office YAML file.
        today: Reference date for NIP plausibility checks (default today).

    Returns:
        The office.

    Raises:
        ConfigError: The file is missing or unreadable, or invalid; every problem
            names the file, line and field.
    """
    try:
        too_large = size_problem(path.stat().st_size, str(path), MAX_OFFICE_BYTES)
        if too_large is not None:  # refused before a byte is read
            raise ConfigError([too_large])
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            [Problem(str(path), None, "", "office file not found (set SIGAP_OFFICE or --office)")]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([Problem(str(path), None, "", f"cannot read: {exc}")]) from None
    office = parse_office(text, str(path), today=today)
    if office.sop_dir is not None and not office.sop_dir.is_dir():
        _, lm = parse_yaml(text, str(path))
        raise ConfigError([lm.problem(("sop_dir",), f"directory not found: {office.sop_dir}")])
    if any(not p.is_file() for p in _signing_files(office)):
        _, lm = parse_yaml(text, str(path))
        raise ConfigError(_missing_signing_files(office, lm))
    return office


def _signing_files(office: Office) -> list[Path]:
    """The certificate (PKCS#12) and trust-root files the office names."""
    certs = [p.certificate.pkcs12 for p in office.people if p.certificate is not None]
    return certs + list(office.signing.trust_roots if office.signing is not None else ())


def _missing_signing_files(office: Office, lm: LineMap) -> list[Problem]:
    """Problems naming the certificate and trust-root files the office names that are not there."""
    problems = []
    for i, person in enumerate(office.people):
        cert = person.certificate
        if cert is not None and not cert.pkcs12.is_file():
            problems.append(
                Problem(
                    office.file,
                    lm.line("people", i, "certificate", "pkcs12") or cert.line,
                    f"people.{person.username}.certificate.pkcs12",
                    f"file not found: {cert.pkcs12}",
                )
            )
    roots = office.signing.trust_roots if office.signing is not None else ()
    for i, root in enumerate(roots):
        if not root.is_file():
            problems.append(
                lm.problem(
                    ("signing", "trust_roots", i),
                    f"file not found: {root}",
                    f"signing.trust_roots[{i}]",
                )
            )
    return problems
