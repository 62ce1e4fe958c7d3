"""Where SIGAP keeps its files and database, read from the environment.

| variable | default |
|---|---|
| ``SIGAP_DATA_DIR`` | ``$XDG_DATA_HOME/sigap`` or ``~/.local/share/sigap`` |
| ``SIGAP_DATABASE_URL`` | ``sqlite:///<data dir>/sigap.db`` |
| ``SIGAP_INVENTORY`` | ``<data dir>/inventory`` |
| ``SIGAP_OFFICE`` | ``<data dir>/office.yaml`` |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Resolved locations.

    Attributes:
        data_dir: Directory for the SQLite database, config history and lab state.
        database_url: SQLAlchemy URL of the records database.
        inventory_dir: Default inventory directory for commands that take one.
        office_file: Default office configuration file.
    """

    data_dir: Path
    database_url: str
    inventory_dir: Path
    office_file: Path


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
    return Settings(
        data_dir=data_dir,
        database_url=env.get("SIGAP_DATABASE_URL") or f"sqlite:///{data_dir}/sigap.db",
        inventory_dir=Path(env.get("SIGAP_INVENTORY") or data_dir / "inventory"),
        office_file=Path(env.get("SIGAP_OFFICE") or data_dir / "office.yaml"),
    )
