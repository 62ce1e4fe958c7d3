"""System users the lab logs in as: ``sigaplab`` (bash) and ``sigaprtr`` (vtysh).

Both get the lab password through ``chpasswd`` on standard input, so it never
appears on a command line. There is one system password per user: the lab that
ran ``lab up`` last sets it (``lab up`` on a running lab sets it again).
"""

from __future__ import annotations

import grp
import pwd
import subprocess
from collections.abc import Sequence

from lab.plan import LabError


def user_exists(name: str) -> bool:
    """Say whether a system user exists.

    Args:
        name: User name.

    Returns:
        ``True`` if ``getpwnam`` finds it.
    """
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def group_exists(name: str) -> bool:
    """Say whether a system group exists.

    Args:
        name: Group name.

    Returns:
        ``True`` if ``getgrnam`` finds it.
    """
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


def _run(argv: Sequence[str], stdin: str | None = None) -> None:
    done = subprocess.run(list(argv), input=stdin, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        # chpasswd's messages never contain the password it was given.
        raise LabError(f"{argv[0]} failed ({done.returncode}): {done.stderr.strip()}")


def ensure_user(name: str, shell: str, groups: Sequence[str] = ()) -> None:
    """Create a system user with a home directory, or fix its shell and groups.

    Args:
        name: User name.
        shell: Login shell.
        groups: Supplementary groups it must belong to.

    Raises:
        LabError: If ``useradd``/``usermod`` fails (e.g. not running as root).
    """
    extra = ["--groups", ",".join(groups)] if groups else []
    if not user_exists(name):
        home = f"/var/lib/{name}"
        _run(
            [
                "useradd",
                "--system",
                "--create-home",
                "--home-dir",
                home,
                "--shell",
                shell,
                *extra,
                name,
            ]
        )
        return
    entry = pwd.getpwnam(name)
    member = {g.gr_name for g in grp.getgrall() if name in g.gr_mem}
    if entry.pw_shell != shell or not set(groups) <= member:
        _run(["usermod", "--shell", shell, *(["--append", *extra] if groups else []), name])


def set_passwords(users: Sequence[str], password: str) -> None:
    """Set the same password for several users (through ``chpasswd``'s standard input).

    Args:
        users: User names.
        password: The password (must not contain ``:`` or a newline).

    Raises:
        LabError: If the password has forbidden characters or ``chpasswd`` fails.
    """
    if ":" in password or "\n" in password:
        raise LabError("the lab password must not contain ':' or a line break")
    _run(["chpasswd"], stdin="".join(f"{user}:{password}\n" for user in users))
