"""What a platform module provides: what to ask the device, and how to read the answers.

The I/O layer (``tasks/``) opens the session with the platform's transport,
calls the NAPALM getters and sends the CLI commands the platform lists, and
hands the raw answers back as :class:`Captures`. The platform's ``parse``
turns those captures into the one device contract (:mod:`sop.device`). Parsing
is pure, so every platform is tested on recorded captures (fixtures) the same
way, like NAPALM's shared getter tests. Even the ntc-templates TextFSM templates
are data the parser receives (:attr:`Captures.templates`): the I/O layer reads
them from the ntc-templates package (:mod:`tasks.textfsm_templates`).

Adding a platform means adding one module under ``sop/platforms/`` that defines
a :class:`Platform` and registering it in ``sop/platforms/__init__.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sop.device import DeviceData


class ParseError(ValueError):
    """A capture could not be read; the device's outcome becomes ``parse_error``."""


@dataclass(frozen=True)
class Captures:
    """Raw answers of one device, as the I/O layer received them, and the templates to read them.

    Attributes:
        getters: NAPALM getter name -> its return value (e.g. ``get_facts``).
        commands: CLI command -> its raw text output.
        templates: CLI command -> the text of its ntc-templates TextFSM template,
            for the platform's :attr:`Platform.textfsm_commands` (added by the I/O
            layer just before parsing, :func:`tasks.textfsm_templates.with_templates`).
    """

    getters: Mapping[str, Any] = field(default_factory=dict)
    commands: Mapping[str, str] = field(default_factory=dict)
    templates: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Platform:
    """One platform: how to talk to it and how to read what it says.

    Attributes:
        name: The inventory platform key (a Netmiko device type, or ``frr``).
        transport: ``napalm`` (NAPALM driver, getters plus ``cli()``) or ``netmiko``.
        netmiko_device_type: Netmiko device type used for the session (also for
            NAPALM drivers that ride on Netmiko).
        napalm_driver: NAPALM driver name when ``transport`` is ``napalm``.
        getters: NAPALM getters to call, in order (``get_config`` included when
            the configs come from NAPALM).
        commands: CLI commands whose raw output to capture, in order.
        parse: Captures -> device contract; raises :class:`ParseError`.
        textfsm_commands: The ``commands`` that ``parse`` reads with their
            ntc-templates TextFSM template (``name`` is the ntc-templates platform);
            their template texts come in :attr:`Captures.templates`.

    Whether a configuration was cut off is :func:`sop.configs.is_truncated`'s
    business (one place for every platform), not the platform module's.
    """

    name: str
    transport: Literal["napalm", "netmiko"]
    netmiko_device_type: str
    napalm_driver: str | None
    getters: tuple[str, ...]
    commands: tuple[str, ...]
    parse: Callable[[Captures], DeviceData]
    textfsm_commands: tuple[str, ...] = ()
