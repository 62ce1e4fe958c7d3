"""The mail server SIGAP sends its notifications through, read from the environment.

| variable | default |
|---|---|
| ``SIGAP_SMTP_HOST`` | unset: e-mail notifications are off |
| ``SIGAP_SMTP_PORT`` | ``25`` |
| ``SIGAP_SMTP_FROM`` | ``sigap@localhost`` |
| ``SIGAP_SMTP_STARTTLS`` | ``false`` (``true``/``1``/``yes``/``on``: STARTTLS before login) |
| ``SIGAP_SMTP_USER`` | unset: no login |
| ``SIGAP_SMTP_PASSWORD`` | a reference, ``env:VAR`` or ``secret:<block>``, never the password |
| ``SIGAP_SMTP_TIMEOUT`` | ``30`` seconds |

The password is a reference, resolved only when a message is sent
(:func:`tasks.notify.send_email`); it is never kept in :class:`SmtpSettings`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from inventory.secretref import parse_secret_ref

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


@dataclass(frozen=True)
class SmtpSettings:
    """How SIGAP reaches its mail server.

    Attributes:
        host: SMTP server name or address.
        port: SMTP port (25, or 587 with STARTTLS).
        sender: The ``From`` address.
        starttls: Upgrade the connection with STARTTLS (certificate verified).
        username: Login name; ``None``: no login.
        password_ref: Reference to the password (``env:VAR`` / ``secret:BLOCK``).
        timeout: Seconds to wait for the server at each step.
    """

    host: str
    port: int = 25
    sender: str = "sigap@localhost"
    starttls: bool = False
    username: str | None = None
    password_ref: str | None = None
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.password_ref is not None and isinstance(parse_secret_ref(self.password_ref), str):
            raise ValueError(
                "password_ref must be a reference, `env:VARIABLE` or "
                "`secret:<prefect-secret-block>`, never the password itself"
            )
        if self.password_ref is not None and self.username is None:
            raise ValueError("password_ref is set but username is not")

    @property
    def server(self) -> str:
        """``host:port``, for messages."""
        return f"{self.host}:{self.port}"


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(f"{name}: must be true or false, not {env[name]!r}")


def _number(env: Mapping[str, str], name: str, default: float, *, whole: bool) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        value = 0
    if value <= 0 or (whole and value > 65535):
        kind = "a port number (1-65535)" if whole else "a number of seconds above 0"
        raise ValueError(f"{name}: must be {kind}, not {raw!r}")
    return value


def smtp_settings_from_env(env: Mapping[str, str] | None = None) -> SmtpSettings | None:
    """Read the SMTP settings from ``SIGAP_SMTP_*`` variables.

    Args:
        env: The environment (default: ``os.environ``).

    Returns:
        The settings, or ``None`` when ``SIGAP_SMTP_HOST`` is unset (notifications off).

    Raises:
        ValueError: A variable has a bad value; a password written instead of a
            reference is refused without being repeated.

    Examples:
        >>> smtp_settings_from_env({}) is None
        True
        >>> s = smtp_settings_from_env({"SIGAP_SMTP_HOST": "mail.example.go.id",
        ...     "SIGAP_SMTP_PORT": "587", "SIGAP_SMTP_STARTTLS": "yes",
        ...     "SIGAP_SMTP_USER": "sigap", "SIGAP_SMTP_PASSWORD": "env:SMTP_PW"})
        >>> s.server, s.sender, s.starttls, s.password_ref
        ('mail.example.go.id:587', 'sigap@localhost', True, 'env:SMTP_PW')
        >>> smtp_settings_from_env({"SIGAP_SMTP_HOST": "mail", "SIGAP_SMTP_USER": "sigap",
        ...     "SIGAP_SMTP_PASSWORD": "hunter2"})
        Traceback (most recent call last):
        ...
        ValueError: SIGAP_SMTP_PASSWORD: must be a reference, `env:VARIABLE` or ...
    """
    env = os.environ if env is None else env
    host = env.get("SIGAP_SMTP_HOST", "").strip()
    if not host:
        return None
    user = env.get("SIGAP_SMTP_USER", "").strip() or None
    password_ref = env.get("SIGAP_SMTP_PASSWORD", "").strip() or None
    if password_ref is not None and isinstance(parse_secret_ref(password_ref), str):
        raise ValueError(
            "SIGAP_SMTP_PASSWORD: must be a reference, `env:VARIABLE` or "
            "`secret:<prefect-secret-block>`, never the password itself"
        )
    if password_ref is not None and user is None:
        raise ValueError("SIGAP_SMTP_PASSWORD is set but SIGAP_SMTP_USER is not")
    if user is not None and password_ref is None:
        raise ValueError(
            "SIGAP_SMTP_USER is set but SIGAP_SMTP_PASSWORD is not: give a reference "
            "such as env:SIGAP_SMTP_SECRET"
        )
    return SmtpSettings(
        host=host,
        port=int(_number(env, "SIGAP_SMTP_PORT", 25, whole=True)),
        sender=env.get("SIGAP_SMTP_FROM", "").strip() or "sigap@localhost",
        starttls=_flag(env, "SIGAP_SMTP_STARTTLS"),
        username=user,
        password_ref=password_ref,
        timeout=_number(env, "SIGAP_SMTP_TIMEOUT", 30.0, whole=False),
    )
