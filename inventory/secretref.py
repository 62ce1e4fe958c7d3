"""Credential references: ``env:VAR_NAME`` or ``secret:<prefect-secret-block>``.

Inventories never hold passwords. A ``password`` field names where the password
lives; :mod:`tasks.credentials` resolves the reference when a flow connects.
Messages here never repeat the value the user wrote, since it may be a password.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
BLOCK_NAME = re.compile(r"^[a-z0-9-]+$")


@dataclass(frozen=True)
class SecretRef:
    """A parsed credential reference.

    Attributes:
        kind: ``"env"`` or ``"secret"``.
        name: Environment variable name or Prefect Secret block name.
    """

    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"


def literal_password_message(env_hint: str, key: str = "password") -> str:
    """Return the message refusing a literal password, with the way to fix it.

    Args:
        env_hint: Suggested environment variable name, e.g. ``SIGAP_SW1_PASSWORD``.
        key: The field holding the literal (``password``, ``secret``...).

    Returns:
        The message (it never contains the password).

    Examples:
        >>> print(literal_password_message("SIGAP_SW1_PASSWORD"))
        literal passwords are not allowed: export the password as an environment variable
        and write `password: env:SIGAP_SW1_PASSWORD`, or store it in a Prefect Secret block
        and write `password: secret:NAME`
    """
    return (
        "literal passwords are not allowed: export the password as an environment variable "
        f"and write `{key}: env:{env_hint}`, or store it in a Prefect Secret block and "
        f"write `{key}: secret:NAME`"
    )


def env_hint(owner: str, key: str = "password") -> str:
    """Return a suggested environment variable name for an entry's password.

    Args:
        owner: Host or group name (empty for defaults).
        key: The field (``password``, ``secret``...).

    Returns:
        ``SIGAP_<OWNER>_<KEY>`` in upper case, or ``SIGAP_DEVICE_<KEY>``.

    Examples:
        >>> env_hint("sw-lt2.01"), env_hint(""), env_hint("sw1", "secret")
        ('SIGAP_SW_LT2_01_PASSWORD', 'SIGAP_DEVICE_PASSWORD', 'SIGAP_SW1_SECRET')
    """
    slug = re.sub(r"[^A-Za-z0-9]+", "_", owner).strip("_").upper() or "DEVICE"
    what = re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_").upper() or "PASSWORD"
    return f"SIGAP_{slug}_{what}"


def parse_secret_ref(value: Any, owner: str = "", key: str = "password") -> SecretRef | str:
    """Parse a ``password`` value into a :class:`SecretRef`, or return an error message.

    Args:
        value: What the user wrote as ``password``.
        owner: Host or group name, used to suggest an environment variable name.
        key: The field name, used in the suggestion.

    Returns:
        The reference, or a message (``str``) saying what is wrong. The message
        never contains ``value``.

    Examples:
        >>> parse_secret_ref("env:SIGAP_LAB_PASSWORD")
        SecretRef(kind='env', name='SIGAP_LAB_PASSWORD')
        >>> parse_secret_ref("secret:core-switch-pass")
        SecretRef(kind='secret', name='core-switch-pass')
        >>> parse_secret_ref("hunter2", "sw1")
        'literal passwords are not allowed: ... `password: env:SIGAP_SW1_PASSWORD`, ...'
        >>> parse_secret_ref("env:1BAD")
        'env: reference needs a variable name matching [A-Za-z_][A-Za-z0-9_]*'
    """
    if isinstance(value, str):
        kind, sep, name = value.partition(":")
        kind = kind.strip().lower()
        name = name.strip()
        if sep and kind == "env":
            if ENV_NAME.match(name):
                return SecretRef("env", name)
            return "env: reference needs a variable name matching [A-Za-z_][A-Za-z0-9_]*"
        if sep and kind == "secret":
            if BLOCK_NAME.match(name):
                return SecretRef("secret", name)
            return (
                "secret: reference needs a Prefect Secret block name "
                "(lowercase letters, digits and dashes)"
            )
    return literal_password_message(env_hint(owner, key), key)
