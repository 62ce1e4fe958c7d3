"""The ntc-templates TextFSM templates the platform parsers need, read from the package.

A platform lists the commands it reads with ntc-templates
(:attr:`sop.platforms.base.Platform.textfsm_commands`); the parsers themselves
read no file: :func:`with_templates` puts the template texts into the
:class:`~sop.platforms.base.Captures` just before they are parsed
(:func:`tasks.parsing.parse_and_backup`, in whichever process parses: the flow's,
a parser pool process or a session worker). Each template is looked up in
ntc-templates' index and read once per process.

``ntc_templates.parse.parse_output`` rebuilds its index table and deep-copies
every result; reading the template once and running TextFSM directly
(:func:`sop.platforms._capture.run_textfsm`) is about three times faster on a
28-port ``show interfaces``.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import Any

from sop.platforms.base import Captures, ParseError, Platform


@functools.cache
def _index() -> tuple[str, Any]:
    """ntc-templates' template directory and its parsed index, loaded once per process."""
    from ntc_templates.parse import _get_template_dir
    from textfsm import clitable

    directory = _get_template_dir()
    return directory, clitable.CliTable("index", directory)


@functools.cache
def template(platform: str, command: str) -> str | None:
    r"""The ntc-templates template text for a command, looked up and read once per process.

    Args:
        platform: ntc-templates platform (``cisco_ios``, ``mikrotik_routeros``).
        command: The command as the platform sends it.

    Returns:
        The template text, or ``None`` when ntc-templates has no template for it
        (the parser then reports the :class:`~sop.platforms.base.ParseError`).

    Raises:
        ParseError: If the index gives several templates for the command
            (ntc-templates merges them by key; SIGAP needs none).

    Examples:
        >>> template("mikrotik_routeros", "/system identity print").splitlines()[0]
        'Value NAME (\\S+)'
        >>> template("mikrotik_routeros", "/no such command") is None
        True
    """
    directory, table = _index()
    row = table.index.GetRowMatch({"Command": command, "Platform": platform})
    if not row:
        return None
    names = table.index.index[row]["Template"].split(":")
    if len(names) != 1:
        raise ParseError(f"`{command}`: {len(names)} templates for {platform}; use one")
    return Path(directory, names[0]).read_text(encoding="utf-8")


def templates_for(platform: Platform) -> dict[str, str]:
    """The templates of every command the platform reads with ntc-templates.

    Args:
        platform: The platform (its ``name`` is the ntc-templates platform).

    Returns:
        Command -> template text; a command ntc-templates has no template for is left out.

    Raises:
        ParseError: If a command has several templates.

    Examples:
        >>> from sop.platforms import get_platform
        >>> sorted(templates_for(get_platform("cisco_ios")))
        ['show interfaces', 'show inventory']
        >>> templates_for(get_platform("linux"))
        {}
    """
    found = {command: template(platform.name, command) for command in platform.textfsm_commands}
    return {command: text for command, text in found.items() if text is not None}


def with_templates(platform: Platform, captures: Captures) -> Captures:
    """The captures with the platform's templates added, ready for ``platform.parse``.

    Args:
        platform: The platform that will parse them.
        captures: The device's raw answers.

    Returns:
        A copy of ``captures`` whose ``templates`` are :func:`templates_for` the platform.

    Raises:
        ParseError: If a command has several templates.
    """
    return dataclasses.replace(captures, templates=templates_for(platform))
