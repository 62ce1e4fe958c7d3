"""Small pure helpers shared by the platform parsers.

A platform reads each capture through :func:`command_text` (or
:func:`getter_result`): the answer is either the value or a :class:`Missing`
saying why it is not there (not captured, the device refused the command, the
command does not exist there). :class:`Fields` then collects the values of one
contract model and fills ``missing`` for every ``None``, so no parser writes
that bookkeeping by hand. Output that is there but cannot be read raises
:class:`~sop.platforms.base.ParseError` instead.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sop.device import Explained
from sop.platforms.base import Captures, ParseError

T = TypeVar("T", bound=Explained)

#: Lines a device prints instead of an answer. Checked against the first
#: non-empty lines of an output, so a config that merely mentions the words is
#: never taken for an error.
_FAILURE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"^(?:\S+: )+(?:.*: )?[Pp]ermission denied\b",
        r"^(?:\S+: )+(?:.*: )?No such file or directory\b",
        r"^(?:\S+: )+(?:.*: )?(?:command )?not found\b",
        r"^(?:\S+: )+(?:.*: )?Operation not permitted\b",
        r"^System has not been booted with systemd\b",
        r"^Failed to connect to bus\b",
        r"^% ?Invalid input detected\b",
        r"^% ?Incomplete command\b",
        r"^% ?Unknown command\b",
        r"^% ?Ambiguous command\b",
        r"^% ?Authorization failed\b",
        r"^bad command name\b",
        r"^syntax error\b",
        r"^expected end of command\b",
        r"^no such item\b",
        r"^input does not match any value\b",
    )
)

#: How many leading non-empty lines are checked for an error message.
_FAILURE_LINES = 3

#: Terminal colour and cursor codes: tools such as systemctl colour their
#: messages when they run on the pseudo-terminal of an interactive SSH session.
_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclass(frozen=True)
class Missing:
    """Why a value is not available.

    Attributes:
        reason: A sentence for the reader of the report.
    """

    reason: str


def failure_message(text: str) -> str | None:
    r"""Return the device's error message if ``text`` is one, else ``None``.

    Args:
        text: Raw output of one command (stdout and stderr together, as an
            interactive session returns them).

    Returns:
        The first line that matches a known error form, or ``None``.

    Examples:
        >>> failure_message("cat: /sys/class/dmi/id/product_serial: Permission denied")
        'cat: /sys/class/dmi/id/product_serial: Permission denied'
        >>> failure_message("bash: timedatectl: command not found")
        'bash: timedatectl: command not found'
        >>> failure_message("% Invalid input detected at '^' marker.")
        "% Invalid input detected at '^' marker."
        >>> failure_message("hostname sw01\nbanner motd ^C Permission denied ^C") is None
        True
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines[:_FAILURE_LINES]:
        if any(p.search(line) for p in _FAILURE_PATTERNS):
            return line
    return None


def strip_ansi(text: str) -> str:
    r"""Remove terminal colour/cursor escape codes from ``text``.

    Args:
        text: Output as read from a pseudo-terminal.

    Returns:
        The text without escape codes.

    Examples:
        >>> strip_ansi("\x1b[0;1;31mFailed to connect to bus\x1b[0m")
        'Failed to connect to bus'
    """
    return _ANSI_RE.sub("", text)


def command_text(captures: Captures, command: str) -> str | Missing:
    r"""Return a command's output without terminal escape codes, or why it cannot be used.

    Args:
        captures: What the I/O layer received.
        command: The command as listed by the platform.

    Returns:
        The text, or :class:`Missing` when the command was not captured or the
        device answered with an error message.

    Examples:
        >>> command_text(Captures(commands={"uname -r": "6.1.0-18-amd64\n"}), "uname -r")
        '6.1.0-18-amd64\n'
        >>> command_text(Captures(), "uname -r").reason
        '`uname -r` was not captured'
        >>> command_text(Captures(commands={"x": "sh: 1: x: not found"}), "x").reason
        '`x` failed on the device: sh: 1: x: not found'
    """
    text = captures.commands.get(command)
    if text is None:
        return Missing(f"`{command}` was not captured")
    if not isinstance(text, str):
        raise ParseError(f"`{command}`: expected text, got {type(text).__name__}")
    text = strip_ansi(text)
    message = failure_message(text)
    if message is not None:
        return Missing(f"`{command}` failed on the device: {message}")
    return text


def getter_result(captures: Captures, getter: str) -> Mapping[str, Any] | Missing:
    """Return a NAPALM getter's result, or why it is not there.

    Args:
        captures: What the I/O layer received.
        getter: The getter name, e.g. ``get_facts``.

    Returns:
        The result mapping, or :class:`Missing` when the getter was not captured.

    Raises:
        ParseError: If the result is not a mapping.

    Examples:
        >>> getter_result(Captures(), "get_facts").reason
        'NAPALM get_facts was not captured'
    """
    result = captures.getters.get(getter)
    if result is None:
        return Missing(f"NAPALM {getter} was not captured")
    if not isinstance(result, Mapping):
        raise ParseError(f"NAPALM {getter}: expected a mapping, got {type(result).__name__}")
    return result


_VARIABLE = re.compile(r"\$\{(\w+)\}")


@functools.cache
def _reduced_template(template: str, fields: tuple[str, ...]) -> str:
    r"""An ntc-templates template cut to the rules that fill ``fields``, cut once per text.

    Kept: every state, the rules that set one of ``fields`` or record, end or
    change state, and the ``Value`` lines those rules use (with their options).
    TextFSM tries each rule on each line, so a template cut from 26 rules to 5
    reads a ``show interfaces`` several times faster, with the same records for
    those fields (checked against the full template on recorded outputs).

    Examples:
        >>> print(_reduced_template(
        ...     "Value A (\\d+)\nValue B (\\d+)\n\nStart\n  ^a ${A}\n  ^b ${B}\n  ^$$ -> Record\n",
        ...     ("a",)), end="")
        Value A (\d+)
        <BLANKLINE>
        <BLANKLINE>
        Start
          ^a ${A}
          ^$$ -> Record
    """
    lines = template.splitlines()
    values = {
        line.split("(", 1)[0].split()[-1]: line for line in lines if line.startswith("Value ")
    }
    states = {
        line.strip()
        for line in lines
        if line and not line[0].isspace() and not line.startswith(("Value ", "#"))
    }
    wanted = {name.upper() for name in fields}
    kept: list[str] = []
    used: set[str] = set()
    for line in lines:
        if line.startswith("Value "):
            continue
        rule = line.strip()
        if rule.startswith("^"):
            _, arrow, action = rule.partition(" -> ")
            names = set(_VARIABLE.findall(rule))
            words = set(re.split(r"[\s.]+", action)) if arrow else set()
            if not (names & wanted or words & ({"Record", "Error"} | states)):
                continue
            used |= names
        kept.append(line)
    head = [values[name] for name in values if name in used or name in wanted]
    return "\n".join([*head, "", *kept]) + "\n"


def run_textfsm(
    platform: str,
    command: str,
    text: str,
    fields: tuple[str, ...] = (),
    *,
    template: str | None,
) -> list[dict[str, Any]]:
    r"""Parse a command's output with its ntc-templates TextFSM template.

    Args:
        platform: ntc-templates platform (``cisco_ios``, ``mikrotik_routeros``),
            for the error messages.
        command: The command.
        text: Its raw output.
        fields: Only these fields are needed: the template is cut down to the
            rules that fill them (:func:`_reduced_template`); default: all.
        template: The template text (``captures.templates.get(command)``);
            ``None`` when ntc-templates has none.

    Returns:
        One dict per record, keys in lower case.

    Raises:
        ParseError: If there is no template or the template rejects the text.

    Examples:
        >>> identity = "Value NAME (\\S+)\n\nStart\n  ^\\s*name:\\s+${NAME}\\s*$$ -> Record\n"
        >>> run_textfsm("mikrotik_routeros", "/system identity print", "  name: gw-kantor",
        ...             template=identity)
        [{'name': 'gw-kantor'}]
        >>> run_textfsm("mikrotik_routeros", "/system identity print", "", template=None)
        Traceback (most recent call last):
        ...
        sop.platforms.base.ParseError: `/system identity print`: ntc-templates has no template ...
    """
    import textfsm

    if template is None:
        raise ParseError(f"`{command}`: ntc-templates has no template for {platform}")
    try:
        used = _reduced_template(template, fields) if fields else template
        fsm = textfsm.TextFSM(io.StringIO(used))
        records = fsm.ParseText(text)
    except textfsm.TextFSMError as exc:
        raise ParseError(f"`{command}`: output not readable ({exc})") from exc
    header = [key.lower() for key in fsm.header]
    return [dict(zip(header, record, strict=True)) for record in records]


def as_int(value: object, what: str) -> int:
    """Convert a parsed number to ``int``.

    Args:
        value: A number or numeric text.
        what: What it is, for the error message.

    Returns:
        The integer.

    Raises:
        ParseError: If it is not a number.

    Examples:
        >>> as_int("42", "uptime")
        42
        >>> as_int(3.9, "uptime")
        3
    """
    if isinstance(value, bool):
        raise ParseError(f"{what}: expected a number, got {value!r}")
    try:
        # float() itself judges any object (TypeError is caught below); typeshed wants str/number
        return int(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ParseError(f"{what}: expected a number, got {value!r}") from exc


def as_float(value: object, what: str) -> float:
    """Convert a parsed number to ``float``.

    Args:
        value: A number or numeric text.
        what: What it is, for the error message.

    Returns:
        The float.

    Raises:
        ParseError: If it is not a number.

    Examples:
        >>> as_float("1.5", "load")
        1.5
    """
    if isinstance(value, bool):
        raise ParseError(f"{what}: expected a number, got {value!r}")
    try:
        # float() itself judges any object (TypeError is caught below); typeshed wants str/number
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ParseError(f"{what}: expected a number, got {value!r}") from exc


@dataclass
class Fields:
    """Values of one contract model being filled, with the reason of each ``None``.

    Examples:
        >>> f = Fields()
        >>> f.put("serial", Missing("not shown"))
        >>> f.put("hostname", "sw01")
        >>> f.values, f.missing
        ({'serial': None, 'hostname': 'sw01'}, {'serial': 'not shown'})
    """

    values: dict[str, Any] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)

    def put(self, name: str, value: object, reason: str = "") -> None:
        """Set one field.

        Args:
            name: Field name.
            value: The value, or a :class:`Missing`; ``None`` needs ``reason``.
            reason: Why the value is ``None`` (only when ``value`` is ``None``).
        """
        if isinstance(value, Missing):
            self.values[name] = None
            self.missing[name] = value.reason
            return
        self.values[name] = value
        if value is None:
            self.missing[name] = reason or "not reported by the device"

    def build(self, model: type[T]) -> T:
        """Build the contract model from the collected fields.

        Args:
            model: A model class derived from :class:`sop.device.Explained`.

        Returns:
            The model instance.
        """
        return model(**self.values, missing=dict(self.missing))
