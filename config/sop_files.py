"""Read SOP definitions from their YAML files (the checks are :func:`sop.catalog.parse_sop`'s).

SIGAP ships the five SOPs of ``SOPS.md`` as package data in ``sop/definitions/``
(:data:`DEFINITIONS_DIR`); an office may keep its own copy elsewhere and point its
office configuration at it (``sop_dir``).
"""

from __future__ import annotations

from pathlib import Path

import sop
from sop.catalog import parse_sop
from sop.model import SopDefinition
from sop.problems import ConfigError, Problem
from sop.yamlsource import parse_yaml

DEFINITIONS_DIR = Path(sop.__file__).resolve().parent / "definitions"
"""The SOP definitions packaged with SIGAP."""


def load_sops(directory: Path | None = None) -> dict[str, SopDefinition]:
    """Load every SOP definition (``*.yaml``/``*.yml``) of a directory.

    Args:
        directory: Where the definitions are; default: the packaged ones
            (:data:`DEFINITIONS_DIR`). An office may point to its own copy.

    Returns:
        Code -> definition, sorted by code.

    Raises:
        ConfigError: Every problem of every file (and codes defined twice),
            or the directory is missing or holds no definitions.

    Examples:
        >>> sops = load_sops()
        >>> list(sops)
        ['A', 'B', 'C', 'D1', 'D2', 'D3', 'D4', 'D5', 'D6', 'E']
        >>> sum(len(s.steps) for s in sops.values())
        60
    """
    directory = DEFINITIONS_DIR if directory is None else Path(directory)
    if not directory.is_dir():
        raise ConfigError([Problem(str(directory), None, "", "SOP directory not found")])
    files = sorted(p for p in directory.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())
    if not files:
        raise ConfigError(
            [Problem(str(directory), None, "", "no SOP definitions (*.yaml) in this directory")]
        )
    problems: list[Problem] = []
    sops: dict[str, SopDefinition] = {}
    for path in files:
        try:
            sop = parse_sop(path.read_text(encoding="utf-8"), str(path))
        except ConfigError as err:
            problems.extend(err.problems)
            continue
        except (OSError, UnicodeDecodeError) as err:
            problems.append(Problem(str(path), None, "", f"cannot read file: {err}"))
            continue
        if sop.code in sops:
            _, lm = parse_yaml(path.read_text(encoding="utf-8"), str(path))
            message = f"code '{sop.code}' is also defined in {sops[sop.code].file}"
            problems.append(lm.problem(("code",), message))
            continue
        sops[sop.code] = sop
    if problems:
        raise ConfigError(problems)
    return dict(sorted(sops.items()))
