"""Read the office configuration file (the checks are :func:`sop.office.parse_office`'s)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sop.office import MAX_OFFICE_BYTES, Office, parse_office
from sop.problems import ConfigError, Problem
from sop.yamlsource import parse_yaml, size_problem


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
    return office
