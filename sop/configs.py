r"""Config backups: remove secrets, detect truncation, drop volatile lines, hash and diff.

:func:`prepare_backup` is the one function the collection calls on the configuration
texts of a device before anything is stored or shown. It

1. removes secrets with :func:`sanitize`: the office's own patterns, then SIGAP's
   rules (:mod:`sop.secret_rules`: :data:`DEFAULT_RULES` run by netutils'
   ``sanitize_config``, the section rules, and the fail-closed net that masks any
   value still following a secret keyword, see :func:`fail_closed`);
2. checks the running config for truncation (:func:`is_truncated`);
3. drops lines that change without a configuration change (:func:`strip_volatile`)
   and normalises whitespace (:func:`normalise`), so the stored text, its hash and its
   diffs only move when the configuration moves;
4. compares running and startup (:func:`unsaved_changes`).

netutils' ``sanitize_config`` takes no platform: it is a regex engine over a list of
``{"regex", "replace"}`` filters, and the filters netutils ships are two examples
(private, "subject to change"). SIGAP therefore brings its own rules. The Netmiko
platform name is mapped to netutils' ``network_os`` with ``netutils.lib_mapper`` (it
is the same name for the platforms SIGAP supports; ``frr`` is SIGAP's own) to choose
the truncation marker, whether there is a startup config, and the RouterOS handling
(long ``/export`` lines wrapped with a trailing ``\`` are joined first, so a secret
split over two lines is still found).

Every default rule is applied to every platform: each is anchored on a keyword that
only means "secret" in its place, so a rule written for one platform's syntax cannot
damage another platform's configuration. What no rule knows is masked anyway when it
follows a secret keyword ("fail closed", :mod:`sop.secret_rules`): removing too much
is safer than leaking.

Examples:
    >>> raw = '''Building configuration...
    ...
    ... Current configuration : 120 bytes
    ... ! Last configuration change at 10:00:01 WIB Mon Jan 8 2024 by admin
    ... hostname sw1
    ... enable secret 9 $9$Jd8sdf8sdf8sdf$kjh4kj5h4kj5h4kj5
    ... end
    ... '''
    >>> backup = prepare_backup(raw, None, "cisco_ios")
    >>> print(backup.running, end="")
    hostname sw1
    enable secret 9 <removed>
    end
    >>> backup.truncated, backup.unsaved, backup.hash == config_hash(backup.running)
    (False, None, True)
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from netutils.config.clean import sanitize_config
from netutils.lib_mapper import NETMIKO_LIB_MAPPER

from sop.problems import ConfigError, Problem
from sop.secret_rules import (
    DEFAULT_RULES,
    HARMLESS_FORMS,
    REMOVED,
    SanitizePattern,
    fail_closed,
    remove_secrets,
)
from sop.yamlsource import LineMap

__all__ = [
    "DEFAULT_RULES",
    "HARMLESS_FORMS",
    "REMOVED",
    "Backup",
    "SanitizePattern",
    "changed_lines",
    "config_diff",
    "config_hash",
    "fail_closed",
    "is_truncated",
    "line_count",
    "network_os",
    "normalise",
    "parse_patterns",
    "prepare_backup",
    "sanitize",
    "strip_volatile",
    "unsaved_changes",
]

_TRANSPORT_SUFFIXES = ("_ssh", "_telnet", "_serial")

END_MARKER_OS: frozenset[str] = frozenset(
    {"cisco_ios", "cisco_xe", "cisco_xr", "arista_eos", "frr", "cisco_asa"}
)
"""Platforms whose ``show running-config`` ends with an ``end`` line (``: end`` on ASA)."""

ROUTEROS_OS: frozenset[str] = frozenset({"mikrotik_routeros", "mikrotik_switchos"})
"""MikroTik platforms (configuration is the ``/export`` script)."""

NO_STARTUP_OS: frozenset[str] = ROUTEROS_OS | {"linux", "juniper_junos"}
"""Platforms without a separate startup configuration to compare with."""


def network_os(platform: str) -> str:
    """Map a SIGAP/Netmiko platform name to netutils' ``network_os`` name.

    Args:
        platform: Inventory platform (Netmiko device type, or ``frr``).

    Returns:
        The netutils name; SIGAP's own ``frr`` and names netutils does not know are
        returned as given (transport suffixes such as ``_telnet`` removed).

    Examples:
        >>> network_os("cisco_ios_telnet"), network_os("f5_ltm"), network_os("frr")
        ('cisco_ios', 'bigip_f5', 'frr')
    """
    name = platform.strip().lower()
    for suffix in _TRANSPORT_SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in NETMIKO_LIB_MAPPER:
            name = name[: -len(suffix)]
    return NETMIKO_LIB_MAPPER.get(name, name)


def parse_patterns(
    data: object, lines: LineMap, path: tuple[str | int, ...] = ()
) -> tuple[SanitizePattern, ...]:
    r"""Validate an office's sanitising patterns (a mapping regex -> replacement).

    Every bad entry is reported, with file, line and field, in one :class:`ConfigError`.

    Args:
        data: The parsed YAML value, e.g. ``{'snmp-server community \\S+': '...'}``.
        lines: Line map of the file the data came from.
        path: Key path of ``data`` in that file (for lines and field names).

    Returns:
        The patterns, in file order.

    Raises:
        ConfigError: If ``data`` is not a mapping of text to text or a regex is bad.

    Examples:
        >>> from sop.yamlsource import parse_yaml
        >>> text = 'sanitize:\n  "community \\\\S+": "community <removed>"\n'
        >>> data, lm = parse_yaml(text, "office.yaml")
        >>> parse_patterns(data["sanitize"], lm, ("sanitize",))[0].regex
        'community \\S+'
        >>> data, lm = parse_yaml('sanitize:\n  "key (\\\\S+": x\n', "office.yaml")
        >>> parse_patterns(data["sanitize"], lm, ("sanitize",))
        Traceback (most recent call last):
        ...
        sop.problems.ConfigError: office.yaml:2: sanitize.key (\S+: invalid regex 'key (\\S+': ...
    """
    if data is None:
        return ()
    if not isinstance(data, Mapping):
        raise ConfigError([lines.problem(path, "must be a mapping of regex -> replacement text")])
    patterns: list[SanitizePattern] = []
    problems: list[Problem] = []
    for regex, replace in data.items():
        where = (*path, regex)
        if not isinstance(regex, str) or not isinstance(replace, str):
            problems.append(lines.problem(where, "regex and replacement must both be text"))
            continue
        try:
            patterns.append(SanitizePattern(regex, replace))
        except ValueError as error:
            problems.append(lines.problem(where, str(error)))
    if problems:
        raise ConfigError(problems)
    return tuple(patterns)


_CONTINUATION = re.compile(r"\\\n {4}")


def _unify(text: str, platform: str) -> str:
    """Unify line ends; join RouterOS continuation lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if network_os(platform) in ROUTEROS_OS:
        text = _CONTINUATION.sub("", text)
    return text


def sanitize(text: str, platform: str, extra_patterns: Iterable[SanitizePattern] = ()) -> str:
    r"""Remove secrets from a configuration text.

    The office's patterns run first (they see the text as the device printed it,
    line ends unified and RouterOS continuation lines joined), then
    :func:`sop.secret_rules.remove_secrets`: :data:`DEFAULT_RULES` through netutils'
    ``sanitize_config``, the section rules, and :func:`fail_closed`.

    Args:
        text: Configuration as the device printed it.
        platform: Inventory platform (Netmiko device type, or ``frr``).
        extra_patterns: The office's patterns (see :func:`parse_patterns`).

    Returns:
        The text with every secret replaced by ``<removed>``.

    Examples:
        >>> print(sanitize("username admin privilege 15 secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0\n"
        ...                "snmp-server community Rahasia123 RO 10\n", "cisco_ios"), end="")
        username admin privilege 15 secret 5 <removed>
        snmp-server community <removed> RO 10
        >>> sanitize('/ppp secret\nadd name=budi password="kata sandi"', "mikrotik_routeros")
        '/ppp secret\nadd name=budi password=<removed>'
        >>> office = [SanitizePattern(r"^(banner motd) .*$", r"\1 <removed>")]
        >>> sanitize("banner motd ^CPIN 4711^C", "cisco_ios", office)
        'banner motd <removed>'
    """
    text = _unify(text, platform)
    office = [pattern.as_filter() for pattern in extra_patterns]
    if office:
        text = sanitize_config(text, office)
    return remove_secrets(text)


def is_truncated(text: str | None, platform: str) -> bool:
    r"""Tell whether a running-config text was cut off.

    - Empty (or only blank) text is truncated on every platform.
    - IOS, IOS-XE, IOS-XR, EOS and FRR (:data:`END_MARKER_OS`): the last non-empty
      line must be ``end`` (ASA: ``: end``).
    - MikroTik ``/export`` has no end marker. It is truncated when the ``# ... by
      RouterOS`` header is missing, when the last line ends with the continuation
      ``\`` (cut inside a wrapped line), or when the last line has an unclosed
      quote. A cut exactly at a line end cannot be seen in the text.
    - Other platforms: only empty text counts as truncated.

    Args:
        text: Running configuration as printed (or sanitised).
        platform: Inventory platform.

    Returns:
        True if the text is incomplete.

    Examples:
        >>> is_truncated("hostname sw1\nend\n\n", "cisco_ios")
        False
        >>> is_truncated("hostname sw1\ninterface Gi0/1\n", "cisco_ios")
        True
        >>> is_truncated("", "linux"), is_truncated("anything", "linux")
        (True, False)
        >>> is_truncated("# 2024-01-08 10:00:00 by RouterOS 7.12\n/system identity\nset name=r1\n",
        ...              "mikrotik_routeros")
        False
        >>> is_truncated("# 2024-01-08 10:00:00 by RouterOS 7.12\n/ip address\nadd address=\\\n",
        ...              "mikrotik_routeros")
        True
    """
    if text is None:
        return True
    lines = [line.rstrip() for line in text.replace("\r", "\n").split("\n") if line.strip()]
    if not lines:
        return True
    os_name = network_os(platform)
    last = lines[-1].strip()
    if os_name in END_MARKER_OS:
        return last not in ("end", ": end")
    if os_name in ROUTEROS_OS:
        has_header = any(line.startswith("#") and "by RouterOS" in line for line in lines[:3])
        unclosed = len(re.findall(r'(?<!\\)"', lines[-1])) % 2 == 1
        return not has_header or lines[-1].endswith("\\") or unclosed
    return False


VOLATILE_LINES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(regex)
    for regex in (
        r"^Building configuration\.\.\.\s*$",
        r"^Current configuration\s*:.*$",
        r"^Using \d+ out of \d+ bytes.*$",
        r"^!+\s*Last configuration change at\b.*$",
        r"^!+\s*NVRAM config last updated at\b.*$",
        r"^!+\s*No configuration change since last restart\s*$",
        r"^!+\s*Running configuration last done at\b.*$",
        r"^!+\s*Time:.*$",
        r"^!+.*\b[Uu]ptime\b.*$",
        r"^ntp clock-period\s+\d+\s*$",
        r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
        r" +\d+ \d\d:\d\d:\d\d(?:\.\d+)? \S+\s*$",
        r"^#.*\bby RouterOS\b.*$",
    )
)
"""Lines that change without a configuration change (timestamps, counters, sizes)."""

_ANY_VOLATILE = re.compile("|".join(f"(?:{p.pattern})" for p in VOLATILE_LINES))
"""All of :data:`VOLATILE_LINES` in one pattern: one match per line instead of twelve."""


def strip_volatile(text: str, platform: str | None = None) -> str:
    r"""Drop the lines that change while the configuration does not.

    IOS ``Building configuration...``, ``Current configuration : N bytes``,
    ``! Last configuration change at ...``, ``! NVRAM config last updated at ...``,
    ``ntp clock-period N``, startup's ``Using N out of M bytes``, NX-OS ``!Time:``
    and ``!Running configuration last done at``, comment lines about uptime, IOS-XR's
    leading timestamp, and the RouterOS ``# <date> by RouterOS <version>`` header.
    The patterns are the same for every platform; RouterOS continuation lines are
    joined when ``platform`` is MikroTik.

    Args:
        text: Configuration text.
        platform: Inventory platform, or None when unknown.

    Returns:
        The text without those lines (line ends become ``\n``).

    Examples:
        >>> strip_volatile("! Last configuration change at 09:12:01 UTC Mon Jan 8 2024\n"
        ...                "ntp clock-period 36028797\nhostname sw1\n")
        'hostname sw1\n'
    """
    text = _unify(text, platform or "")
    volatile = _ANY_VOLATILE.match
    kept = [line for line in text.split("\n") if not volatile(line)]
    return "\n".join(kept)


def normalise(text: str, platform: str | None = None) -> str:
    r"""Return the canonical form of a configuration text, used for hashes and diffs.

    Volatile lines dropped, line ends ``\n``, trailing blanks removed, leading and
    trailing empty lines removed, exactly one final newline (empty text stays empty).
    Normalising twice changes nothing.

    Args:
        text: Configuration text.
        platform: Inventory platform, or None.

    Returns:
        The normalised text.

    Examples:
        >>> normalise("Building configuration...\r\n\r\nhostname sw1   \r\nend\r\n\r\n")
        'hostname sw1\nend\n'
    """
    lines = [line.rstrip() for line in strip_volatile(text, platform).split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def config_hash(text: str) -> str:
    r"""Return the SHA-256 hex digest of the normalised text.

    For a text from :func:`prepare_backup` (already sanitised and normalised) this
    equals ``records.snapshots.config_hash`` of the stored text.

    Args:
        text: Sanitised configuration text.

    Returns:
        64 hex characters.

    Examples:
        >>> config_hash("hostname sw1\n") == config_hash("! Time: Mon Jan 8\r\nhostname sw1  ")
        True
        >>> config_hash("hostname sw1\n")[:16]
        '44b8b61ad7ca4a01'
    """
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def config_diff(old: str, new: str, old_label: str = "old", new_label: str = "new") -> str:
    r"""Return the unified diff of two normalised configuration texts.

    Args:
        old: The earlier configuration.
        new: The later configuration.
        old_label: Name shown on the ``---`` line.
        new_label: Name shown on the ``+++`` line.

    Returns:
        The diff, ending in a newline; empty when the normalised texts are equal.

    Examples:
        >>> print(config_diff("hostname sw1\nend\n", "hostname sw2\nend\n", "v1", "v2"), end="")
        --- v1
        +++ v2
        @@ -1,2 +1,2 @@
        -hostname sw1
        +hostname sw2
         end
        >>> config_diff("! Time: Mon\nhostname sw1\n", "hostname sw1\n")
        ''
    """
    lines = difflib.unified_diff(
        normalise(old).splitlines(),
        normalise(new).splitlines(),
        fromfile=old_label,
        tofile=new_label,
        lineterm="",
    )
    text = "\n".join(lines)
    return text + "\n" if text else ""


def changed_lines(old: str, new: str) -> int:
    r"""Count the lines removed plus the lines added between two configurations.

    Args:
        old: The earlier configuration.
        new: The later configuration.

    Returns:
        Removed + added lines of the normalised texts (a changed line counts twice).

    Examples:
        >>> changed_lines("hostname sw1\nend\n", "hostname sw2\nvlan 10\nend\n")
        3
    """
    diff = difflib.unified_diff(normalise(old).splitlines(), normalise(new).splitlines(), n=0)
    return sum(1 for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---")))


def line_count(text: str) -> int:
    r"""Count the lines of the normalised text.

    Args:
        text: Configuration text.

    Returns:
        Number of lines.

    Examples:
        >>> line_count("Building configuration...\nhostname sw1\nend\n")
        2
    """
    return len(normalise(text).splitlines())


def _without_separators(text: str, platform: str, *, normalised: bool = False) -> list[str]:
    lines = (text if normalised else normalise(text, platform)).splitlines()
    return [line for line in lines if line.strip() not in ("", "!")]


def unsaved_changes(running: str, startup: str | None, platform: str) -> bool | None:
    r"""Tell whether the running configuration differs from the startup configuration.

    Both are normalised; blank lines and bare ``!`` separators are ignored (IOS prints
    a different number of them in the two).

    Args:
        running: Running configuration.
        startup: Startup configuration, or None if it was not collected.
        platform: Inventory platform.

    Returns:
        True if they differ, False if equal, None when the platform has no startup
        configuration (:data:`NO_STARTUP_OS`) or it was not collected.

    Examples:
        >>> running = "Building configuration...\n!\nhostname sw1\nend\n"
        >>> startup = "Using 1200 out of 262144 bytes\n!\n!\nhostname sw1\nend\n"
        >>> unsaved_changes(running, startup, "cisco_ios")
        False
        >>> unsaved_changes("hostname sw2\nend\n", "hostname sw1\nend\n", "cisco_ios")
        True
        >>> unsaved_changes("/system identity\n", "x", "mikrotik_routeros") is None
        True
    """
    return _unsaved(running, startup, platform, normalised=False)


def _unsaved(running: str, startup: str | None, platform: str, *, normalised: bool) -> bool | None:
    """:func:`unsaved_changes`; ``normalised`` texts are compared without normalising again."""
    if startup is None or network_os(platform) in NO_STARTUP_OS:
        return None
    before = _without_separators(running, platform, normalised=normalised)
    return before != _without_separators(startup, platform, normalised=normalised)


@dataclass(frozen=True)
class Backup:
    """What may be stored and shown of one device's configuration.

    Attributes:
        running: Sanitised, normalised running config; None if missing or truncated.
        startup: Sanitised, normalised startup config; None if missing or truncated.
        hash: :func:`config_hash` of ``running`` (None when ``running`` is None).
        truncated: The running config was cut off: store outcome ``truncated`` and
            no configuration text.
        startup_truncated: The startup config was cut off (it is dropped).
        unsaved: Running differs from startup; None when unknown.
    """

    running: str | None
    startup: str | None
    hash: str | None
    truncated: bool
    startup_truncated: bool
    unsaved: bool | None


def prepare_backup(
    running: str | None,
    startup: str | None,
    platform: str,
    patterns: Iterable[SanitizePattern] = (),
) -> Backup:
    r"""Sanitise, check and normalise a device's configs: call before storing or showing.

    Args:
        running: Running configuration as printed, or None if the platform has none.
        startup: Startup configuration as printed, or None.
        platform: Inventory platform.
        patterns: The office's sanitising patterns.

    Returns:
        The :class:`Backup`. A truncated text is never returned.

    Examples:
        >>> b = prepare_backup("hostname sw1\ninterface Gi0/1\n", None, "cisco_ios")
        >>> b.truncated, b.running, b.hash
        (True, None, None)
        >>> b = prepare_backup("hostname sw1\nend\n", "hostname sw1\nend\n", "cisco_ios")
        >>> b.unsaved, b.startup
        (False, 'hostname sw1\nend\n')
    """
    patterns = tuple(patterns)
    truncated = running is not None and is_truncated(running, platform)
    startup_truncated = startup is not None and is_truncated(startup, platform)

    def clean(text: str | None, cut: bool) -> str | None:
        if text is None or cut:
            return None
        return normalise(sanitize(text, platform, patterns), platform)

    clean_running = clean(running, truncated)
    clean_startup = clean(startup, startup_truncated)
    unsaved = (
        None
        if clean_running is None
        else _unsaved(clean_running, clean_startup, platform, normalised=True)
    )
    return Backup(
        running=clean_running,
        startup=clean_startup,
        hash=None if clean_running is None else config_hash(clean_running),
        truncated=truncated,
        startup_truncated=startup_truncated,
        unsaved=unsaved,
    )
