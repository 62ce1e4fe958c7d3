"""Resolve credential references (``env:VAR`` / ``secret:BLOCK``) to passwords.

The inventory holds references only (see :mod:`inventory.secretref`). Flows call
:func:`resolve_secret` at connect time; the value is never logged and never
appears in an error message.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from inventory.secretref import parse_secret_ref


class CredentialError(Exception):
    """A credential reference cannot be resolved. The message names the reference only."""


def resolve_secret(ref: str, env: Mapping[str, str] | None = None) -> str:
    """Return the secret a reference points to.

    Args:
        ref: ``env:VAR_NAME`` (an environment variable) or ``secret:NAME`` (a
            Prefect Secret block, read through the configured Prefect API).
        env: Environment to read ``env:`` references from (default: ``os.environ``).

    Returns:
        The secret value.

    Raises:
        CredentialError: The reference is malformed, the variable is unset or
            empty, or the Secret block cannot be loaded.

    Examples:
        >>> resolve_secret("env:LAB_PW", env={"LAB_PW": "s3cret"})
        's3cret'
        >>> resolve_secret("env:LAB_PW", env={})
        Traceback (most recent call last):
        ...
        tasks.credentials.CredentialError: environment variable LAB_PW is not set: ...
    """
    parsed = parse_secret_ref(ref)
    if isinstance(parsed, str):
        raise CredentialError(f"invalid credential reference: {parsed}")
    if parsed.kind == "env":
        value = (os.environ if env is None else env).get(parsed.name)
        if not value:
            raise CredentialError(
                f"environment variable {parsed.name} is not set: export it before running "
                f"SIGAP (referenced as `password: env:{parsed.name}`)"
            )
        return value
    from prefect.blocks.system import Secret

    try:
        block = Secret.load(parsed.name)
    except ValueError as exc:
        raise CredentialError(
            f"Prefect Secret block {parsed.name!r} not found: create it in the Prefect UI "
            f"(Blocks > Secret) or with Secret(value=...).save({parsed.name!r}) ({exc})"
        ) from None
    value = block.get()
    if not isinstance(value, str) or not value:
        raise CredentialError(f"Prefect Secret block {parsed.name!r} does not hold a text value")
    return value
