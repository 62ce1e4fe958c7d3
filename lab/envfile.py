"""The lab password: one per machine, copied into ``<lab>/lab.env`` (mode 0600).

The lab's system users exist once per machine, so all labs on it share their
password (kept in ``/var/lib/sigap-lab/password``, mode 0600). The password is
never printed or logged: commands only point at ``lab.env``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from lab.plan import PASSWORD_ENV, LabError

ENV_FILE = "lab.env"


def env_file(lab_dir: Path) -> Path:
    """Return the path of the lab's environment file.

    Args:
        lab_dir: The lab directory.

    Returns:
        ``<lab_dir>/lab.env``.

    Examples:
        >>> str(env_file(Path("/srv/sigap/lab")))
        '/srv/sigap/lab/lab.env'
    """
    return lab_dir / ENV_FILE


def parse_env_text(text: str) -> dict[str, str]:
    r"""Parse ``NAME=value`` lines (``#`` comments and an ``export`` prefix allowed).

    Args:
        text: The file's text.

    Returns:
        The variables.

    Examples:
        >>> parse_env_text("# lab\nexport A=1\nB='two'\n")
        {'A': '1', 'B': 'two'}
    """
    found: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        found[name.strip()] = value
    return found


def new_password() -> str:
    """Return a fresh random lab password (URL-safe characters, no ``:``).

    Returns:
        A 24-character password.

    Examples:
        >>> len(new_password()), ":" in new_password()
        (24, False)
    """
    return secrets.token_urlsafe(18)


def machine_password_file() -> Path:
    """Where the machine's lab password is kept (``SIGAP_LAB_PASSWORD_FILE`` overrides).

    The lab's system users (``sigaplab``, ``sigaprtr``) exist once per machine,
    so every lab on the machine shares their password: a test run or a benchmark
    then never breaks the logins of a lab a person has running.
    """
    return Path(os.environ.get("SIGAP_LAB_PASSWORD_FILE", "/var/lib/sigap-lab/password"))


def machine_password() -> str:
    """Return the machine's lab password, creating it (mode 0600) the first time.

    Returns:
        The password.
    """
    path = machine_password_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another lab created it just now
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(new_password() + "\n")
    password = path.read_text().strip()
    if not password:
        raise LabError(f"{path}: empty lab password file; delete it and run `sigap lab up`")
    return password


def ensure_password(lab_dir: Path) -> str:
    """Return the lab password and keep ``<lab_dir>/lab.env`` (mode 0600) in step with it.

    Args:
        lab_dir: The lab directory (created if missing).

    Returns:
        The password (the machine's, see :func:`machine_password`).
    """
    password = machine_password()
    path = env_file(lab_dir)
    if path.exists() and parse_env_text(path.read_text()).get(PASSWORD_ENV) == password:
        return password
    lab_dir.mkdir(parents=True, exist_ok=True)
    text = (
        "# SIGAP lab password: `source` this file before using the lab inventory.\n"
        f"export {PASSWORD_ENV}={password}\n"
    )
    fresh = path.with_name(path.name + ".new")
    fresh.unlink(missing_ok=True)
    fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    fresh.replace(path)
    return password


def lab_password(lab_dir: Path) -> str:
    """Return the lab password stored in ``<lab_dir>/lab.env``.

    Args:
        lab_dir: The lab directory.

    Returns:
        The password.

    Raises:
        LabError: If the file is missing or has no password line.
    """
    path = env_file(lab_dir)
    try:
        values = parse_env_text(path.read_text())
    except FileNotFoundError:
        raise LabError(f"{path}: no lab password yet; run `sigap lab up` first") from None
    password = values.get(PASSWORD_ENV, "")
    if not password:
        raise LabError(f"{path}: line `{PASSWORD_ENV}=...` is missing or empty")
    return password
