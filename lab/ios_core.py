"""A Cisco IOS 15 access switch for the local lab, built on fake-switches.

fake-switches 1.5.0 gives the SSH server, the prompt handling and config mode
(``interface``, ``description``, ``switchport``, ``shutdown``, ``vlan``). This
module subclasses its Cisco core so that the switch answers what SIGAP, Netmiko,
ntc-templates (TextFSM) and NAPALM's ``ios`` driver send, in real IOS format.

Commands (any unambiguous abbreviation works, e.g. ``sh ip int br``):

* user mode ``>``: ``enable`` (password = the login password), ``terminal ...``,
  ``exit``/``logout``, and the show commands below except the two configs.
* ``show version | interfaces [IF|status|description|counters|summary] |
  ip interface [brief] | ipv6 interface | inventory | processes cpu [sorted] |
  memory statistics | environment [all|temperature [status]|fan|power] | hosts |
  clock | running-config [all] | startup-config | lldp neighbors [detail] |
  cdp neighbors [detail] | ntp associations | ntp status | vlan [brief] |
  etherchannel summary``; output filters ``| include RE``, ``| exclude RE``,
  ``| begin RE``, ``| section RE``.
* privileged mode ``#``: ``configure terminal``, ``write [memory]``,
  ``copy running-config startup-config`` (startup then equals running),
  ``disable``, ``exit``.
* config mode: fake-switches' commands plus ``end``; any other line is accepted
  and kept in the running config, under the interface when typed in interface
  mode (``no LINE`` removes it); a global command leaves interface mode.
* anything else: ``% Invalid input detected at '^' marker.`` under a caret.

Per device (see :mod:`lab.ios_device`): serial, model, MAC, port layout and
descriptions, CPU/memory/temperature are stable per hostname; uptime and
interface counters grow with real time.

Fault knobs (in the spec, see :mod:`lab.switch_spec`):

* ``hang_after_login: true`` - login, the prompt, ``terminal ...`` and
  ``enable`` work; every other command is swallowed (no output, no prompt).
* ``truncate_config: true`` - ``show running-config`` stops two thirds through,
  without the final ``end`` (the size header still tells the full size).
* ``cpu_percent: N`` - CPU one-minute and five-minute load N %.
* ``temperature_status: ok|critical`` - critical: 61 C inlet / 128 C hotspot,
  above the red thresholds, state RED.
* ``interface_errors: {"Gi0/1": N}`` - N input errors and N CRC on that port.

Limits: no ``do``, no ``show logging``/``show mac address-table``, no
``configure replace``/archive (NAPALM's config-replace), config lines are kept
as typed (not checked, not abbreviated), one enable level only, one SSH host
key shared by every device.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from fake_switches.cisco.cisco_core import BaseCiscoSwitchCore
from fake_switches.cisco.command_processor.config import ConfigCommandProcessor
from fake_switches.cisco.command_processor.config_interface import (
    ConfigInterfaceCommandProcessor,
)
from fake_switches.cisco.command_processor.config_vlan import ConfigVlanCommandProcessor
from fake_switches.cisco.command_processor.config_vrf import ConfigVRFCommandProcessor
from fake_switches.cisco.command_processor.default import DefaultCommandProcessor
from fake_switches.cisco.command_processor.enabled import (
    EnabledCommandProcessor,
    build_running_interface,
)
from fake_switches.command_processing.piping_processor_base import PipingProcessorBase
from fake_switches.command_processing.shell_session import ShellSession, TerminalExitSignal
from fake_switches.switch_configuration import Port, SwitchConfiguration, VlanPort
from fake_switches.terminal import LoggingTerminalController
from netaddr import IPNetwork

from lab import ios_output as out
from lab.ios_device import IosDevice, PortView
from lab.ios_models import expand_interface_name
from lab.switch_spec import SwitchSpec

log = logging.getLogger("lab.ios")

_VLANS = ((10, "DATA"), (20, "CCTV"), (99, "MGMT"))
_BANNER = "\nAkses terbatas: hanya untuk petugas TI yang berwenang.\n\n"


# --------------------------------------------------------------------------- output filters
class _LineFilter:
    """An IOS output filter applied line by line (``| include`` and friends)."""

    def __init__(self, pattern: str, keep: Callable[[str, re.Pattern[str]], bool]) -> None:
        try:
            self.regex = re.compile(pattern)
        except re.error:
            self.regex = re.compile(re.escape(pattern))
        self.keep = keep

    def pipe(self, data: str) -> str | bool:
        kept = [
            line
            for line in data.splitlines(keepends=True)
            if self.keep(line.rstrip("\n"), self.regex)
        ]
        return "".join(kept) if kept else False


class _BeginFilter:
    def __init__(self, pattern: str) -> None:
        self.inner = _LineFilter(pattern, lambda _line, _regex: True)
        self.started = False

    def pipe(self, data: str) -> str | bool:
        kept = []
        for line in data.splitlines(keepends=True):
            self.started = self.started or bool(self.inner.regex.search(line))
            if self.started:
                kept.append(line)
        return "".join(kept) if kept else False


class _SectionFilter:
    def __init__(self, pattern: str) -> None:
        self.inner = _LineFilter(pattern, lambda _line, _regex: True)
        self.inside = False

    def pipe(self, data: str) -> str | bool:
        kept = []
        for line in data.splitlines(keepends=True):
            if not line.startswith(" "):
                self.inside = bool(self.inner.regex.search(line))
            if self.inside:
                kept.append(line)
        return "".join(kept) if kept else False


class IosPiping(PipingProcessorBase):
    """``| include``, ``| exclude``, ``| begin`` and ``| section`` with IOS regexes."""

    def do_include(self, *args: str) -> _LineFilter:
        """``| include RE``: keep the lines matching RE."""
        return _LineFilter(" ".join(args), lambda line, regex: bool(regex.search(line)))

    def do_exclude(self, *args: str) -> _LineFilter:
        """``| exclude RE``: drop the lines matching RE."""
        return _LineFilter(" ".join(args), lambda line, regex: not regex.search(line))

    def do_begin(self, *args: str) -> _BeginFilter:
        """``| begin RE``: from the first line matching RE."""
        return _BeginFilter(" ".join(args))

    def do_section(self, *args: str) -> _SectionFilter:
        """``| section RE``: top-level lines matching RE with their indented lines."""
        return _SectionFilter(" ".join(args))


# --------------------------------------------------------------------------- helpers
def invalid_input(prompt: str, line: str, token: int) -> str:
    """IOS's error for a wrong word, with the caret under that word.

    Args:
        prompt: The prompt the command was typed after.
        line: The command as typed.
        token: Index of the first wrong word.

    Examples:
        >>> print(invalid_input("sw01#", "show foo", 1))
                      ^
        % Invalid input detected at '^' marker.
        <BLANKLINE>
    """
    words = list(re.finditer(r"\S+", line))
    column = words[token].start() if token < len(words) else len(line.rstrip()) + 1
    return " " * (len(prompt) + column) + "^\n% Invalid input detected at '^' marker.\n\n"


def port_views(device: IosDevice, config: SwitchConfiguration) -> list[PortView]:
    """Current state of every interface: SVIs first, then the physical ports."""
    connected = {plan.name for plan in device.port_plans() if plan.connected}
    views = []
    for port in config.get_vlan_ports():
        ip = f"{port.ips[0].ip}/{port.ips[0].prefixlen}" if port.ips else ""
        admin_up = not port.shutdown
        views.append(
            PortView(port.name, port.description or "", admin_up, admin_up, "routed", 1, ip)
        )
    for port in config.get_physical_ports():
        admin_up = not port.shutdown
        views.append(
            PortView(
                name=port.name,
                description=port.description or "",
                admin_up=admin_up,
                oper_up=admin_up and port.name in connected,
                mode=port.mode or "access",
                vlan=port.access_vlan or 1,
            )
        )
    return views


def config_body(device: IosDevice, config: SwitchConfiguration) -> list[str]:
    """The running configuration body (``version`` .. ``end``) right now."""
    vlans = [(v.number, v.name or "") for v in sorted(config.vlans, key=lambda v: v.number)]
    blocks = []
    for port in config.get_physical_ports():
        block = build_running_interface(port)
        block += [f" {line}" for line in port.vendor_specific.get("extra", [])]
        if port.mode == "access" and " spanning-tree portfast" not in block:
            block.append(" spanning-tree portfast")
        blocks.append(block)
    for svi in config.get_vlan_ports():
        block = [f"interface {svi.name}"]
        if svi.description:
            block.append(f" description {svi.description}")
        if svi.ips:
            block += [f" ip address {ip.ip} {ip.netmask}" for ip in svi.ips]
        else:
            block.append(" no ip address")
        if svi.shutdown:
            block.append(" shutdown")
        blocks.append(block)
    return out.running_config_body(device, [v for v in vlans if v[0] != 1], blocks, device.now())


def _matches(words: list[str], keywords: tuple[str, ...]) -> bool:
    return len(words) >= len(keywords) and all(
        kw.startswith(w.lower()) for w, kw in zip(words, keywords, strict=False)
    )


# --------------------------------------------------------------------------- show commands
#: (keywords, handler method, needs privileged mode)
_SHOW: tuple[tuple[tuple[str, ...], str, bool], ...] = (
    (("version",), "_show_version", False),
    (("running-config",), "_show_running", True),
    (("startup-config",), "_show_startup", True),
    (("configuration",), "_show_startup", True),
    (("interfaces",), "_show_interfaces", False),
    (("ip", "interface", "brief"), "_show_ip_brief", False),
    (("ip", "interface"), "_show_ip_interface", False),
    (("ipv6", "interface"), "_show_nothing", False),
    (("inventory",), "_show_inventory", False),
    (("processes", "cpu"), "_show_cpu", False),
    (("memory", "statistics"), "_show_memory", False),
    (("environment",), "_show_environment", False),
    (("hosts",), "_show_hosts", False),
    (("clock",), "_show_clock", False),
    (("lldp", "neighbors"), "_show_lldp", False),
    (("cdp", "neighbors"), "_show_cdp", False),
    (("ntp", "associations"), "_show_ntp_associations", False),
    (("ntp", "status"), "_show_ntp_status", False),
    (("vlan",), "_show_stock", False),
    (("etherchannel", "summary"), "_show_stock", False),
)


class ShowCommands:
    """``show`` for both user and privileged mode (mixed into the processors)."""

    device: IosDevice
    switch_configuration: SwitchConfiguration
    privileged = False
    write: Callable[[str], None]
    get_prompt: Callable[[], str]

    def _lines(self, lines: list[str]) -> None:
        self.write("".join(f"{line}\n" for line in lines))

    def _invalid(self, words: list[str], token: int) -> None:
        line = " ".join(["show", *words])
        self.write(invalid_input(self.get_prompt(), line, token + 1))

    def do_show(self, *args: str) -> None:
        """Dispatch ``show ...`` to the handler of the longest matching keywords."""
        words = list(args)
        if not words:
            self.write("% Incomplete command.\n\n")
            return
        candidates = [
            entry
            for entry in _SHOW
            if _matches(words, entry[0]) and (self.privileged or not entry[2])
        ]
        if not candidates:
            first = [e for e in _SHOW if e[0][0].startswith(words[0].lower())]
            depth = 1 if first and len(words) > 1 else 0
            if len(words) <= 1 and first:
                self.write("% Incomplete command.\n\n")
                return
            self._invalid(words, depth if first else 0)
            return
        keys = {entry[0][0] for entry in candidates}
        if len(keys) > 1 and words[0].lower() not in keys:
            self.write(f'% Ambiguous command:  "show {" ".join(words)}"\n')
            return
        keywords, handler, _ = max(candidates, key=lambda e: len(e[0]))
        getattr(self, handler)(words, len(keywords))

    def _no_args(self, words: list[str], used: int) -> bool:
        if len(words) > used:
            self._invalid(words, used)
            return False
        return True

    def _views(self) -> list[PortView]:
        return port_views(self.device, self.switch_configuration)

    @property
    def _uplink_sfp(self) -> str:
        return self.device.model.uplink_names[0]

    def _show_version(self, words: list[str], used: int) -> None:
        if self._no_args(words, used):
            self._lines(out.show_version(self.device, self._views(), self.device.now()))

    def _show_running(self, words: list[str], used: int) -> None:
        if len(words) > used and not "all".startswith(words[used].lower()):
            self._invalid(words, used)
            return
        body = config_body(self.device, self.switch_configuration)
        self._lines(out.show_running_config(self.device, body, self.device.spec.truncate_config))

    def _show_startup(self, words: list[str], used: int) -> None:
        if self._no_args(words, used):
            body = self.device.startup_config or []
            self._lines(out.show_startup_config(self.device, body))

    def _show_interfaces(self, words: list[str], used: int) -> None:
        views, now, rest = self._views(), self.device.now(), words[used:]
        sub = rest[0].lower() if rest else ""
        uplinks = self.device.model.uplink_names
        if not rest:
            self._lines(out.show_interfaces(self.device, views, now, self._uplink_sfp))
        elif len(rest) == 1 and sub and "status".startswith(sub):
            self._lines(out.show_interfaces_status(views, self._uplink_sfp, uplinks))
        elif len(rest) == 1 and len(sub) > 1 and "description".startswith(sub):
            self._lines(out.show_interfaces_description(views))
        elif len(rest) == 1 and len(sub) > 1 and "counters".startswith(sub):
            self._lines(out.show_interfaces_counters(self.device, views, now))
        elif len(rest) == 1 and len(sub) > 1 and "summary".startswith(sub):
            self._lines(out.show_interface_summary(self.device, views, now))
        else:
            name = expand_interface_name("".join(rest))
            chosen = [v for v in views if v.name.lower() == name.lower()]
            if not chosen:
                self._invalid(words, used)
                return
            self._lines(out.show_interfaces(self.device, chosen, now, self._uplink_sfp))

    def _show_ip_brief(self, words: list[str], used: int) -> None:
        if self._no_args(words, used):
            self._lines(out.show_ip_interface_brief(self._views()))

    def _show_ip_interface(self, words: list[str], used: int) -> None:
        if self._no_args(words, used):
            self._lines(out.show_ip_interface(self._views()))

    def _show_nothing(self, words: list[str], used: int) -> None:
        self._no_args(words, used)

    def _show_inventory(self, words: list[str], used: int) -> None:
        if self._no_args(words, used):
            self._lines(out.show_inventory(self.device, self._uplink_sfp))

    def _show_cpu(self, words: list[str], used: int) -> None:
        if len(words) > used and not "sorted".startswith(words[used].lower()):
            self._invalid(words, used)
            return
        self._lines(out.show_processes_cpu(self.device, self.device.now()))

    def _show_memory(self, words: list[str], used: int) -> None:
        if self._no_args(words, used):
            self._lines(out.show_memory_statistics(self.device))

    def _show_environment(self, words: list[str], used: int) -> None:
        rest = [w.lower() for w in words[used:]]
        if not rest or ("all".startswith(rest[0]) and len(rest) == 1):
            self._lines(out.show_env_all(self.device))
        elif "temperature".startswith(rest[0]) and (
            len(rest) == 1 or (len(rest) == 2 and "status".startswith(rest[1]))
        ):
            self._lines(out.show_env_temperature(self.device))
        elif "fan".startswith(rest[0]) and len(rest) == 1:
            self._lines(out.show_env_fan())
        elif "power".startswith(rest[0]) and (
            len(rest) == 1 or (len(rest) == 2 and "all".startswith(rest[1]))
        ):
            self._lines(out.show_env_power(self.device))
        else:
            self._invalid(words, used + (2 if len(rest) > 1 else 0))

    def _show_hosts(self, words: list[str], used: int) -> None:
        if self._no_args(words, used):
            self._lines(out.show_hosts(self.device))

    def _show_clock(self, words: list[str], used: int) -> None:
        if self._no_args(words, used):
            self._lines(out.show_clock(self.device.now()))

    def _show_lldp(self, words: list[str], used: int) -> None:
        if len(words) <= used or "detail".startswith(words[used].lower()):
            self._lines(out.show_lldp_neighbors())
        else:
            self._invalid(words, used)

    def _show_cdp(self, words: list[str], used: int) -> None:
        if len(words) <= used or "detail".startswith(words[used].lower()):
            self._lines(out.show_cdp_neighbors())
        else:
            self._invalid(words, used)

    def _show_ntp_associations(self, words: list[str], used: int) -> None:
        if self._no_args(words, used):
            self._lines(out.show_ntp_associations(self.device, self.device.now()))

    def _show_ntp_status(self, words: list[str], used: int) -> None:
        if self._no_args(words, used):
            self._lines(out.show_ntp_status())

    def _show_stock(self, words: list[str], used: int) -> None:
        keyword = "vlan" if "vlan".startswith(words[0].lower()) else "etherchannel"
        EnabledCommandProcessor.do_show(self, keyword, *words[1:])  # type: ignore[arg-type]


# --------------------------------------------------------------------------- processors
class IosEnabledProcessor(ShowCommands, EnabledCommandProcessor):
    """Privileged EXEC mode (``#``)."""

    privileged = True

    def __init__(self, device: IosDevice, config: ConfigCommandProcessor) -> None:
        super().__init__(config)
        self.device = device
        self.disabled = False

    def do_configure(self, *args: str) -> None:
        """``configure terminal``."""
        if len(args) != 1 or not "terminal".startswith(args[0].lower()):
            self.write(invalid_input(self.get_prompt(), " ".join(["configure", *args]), 1))
            return
        self.write_line("Enter configuration commands, one per line.  End with CNTL/Z.")
        self.move_to(self.config_processor)

    def do_write(self, *args: str) -> None:
        """``write [memory]``: save the running configuration."""
        if len(args) > 1 or (args and not "memory".startswith(args[0].lower())):
            self.write(invalid_input(self.get_prompt(), " ".join(["write", *args]), 1))
            return
        self._save()

    def _save(self) -> None:
        self.write_line("Building configuration...")
        self.device.save(
            config_body(self.device, self.switch_configuration), self.device.spec.username
        )
        self.write_line("[OK]")

    def do_copy(self, *args: str) -> None:
        """``copy running-config startup-config`` (asks for the file name)."""
        words = [a.lower() for a in args]
        if len(words) != 2 or not (
            "running-config".startswith(words[0]) and "startup-config".startswith(words[1])
        ):
            self.write(invalid_input(self.get_prompt(), " ".join(["copy", *args]), 1))
            return
        self.write("Destination filename [startup-config]? ")
        self.continue_to(self._continue_copy)

    def _continue_copy(self, line: str) -> None:
        if line.strip() not in ("", "startup-config"):
            self.write_line("%Error opening flash:" + line.strip() + " (Permission denied)")
            return
        self._save()

    def do_terminal(self, *args: str) -> None:
        """``terminal length|width|monitor ...``: accepted, no effect."""

    def do_disable(self, *args: str) -> None:
        """``disable``: back to user mode."""
        self.disabled = True
        self.is_done = True

    def do_logout(self) -> None:
        """``logout``: end the session."""
        self.is_done = True


class IosUserProcessor(ShowCommands, DefaultCommandProcessor):
    """User EXEC mode (``>``), the first mode after login."""

    def __init__(self, device: IosDevice, enabled: IosEnabledProcessor) -> None:
        super().__init__(enabled)
        self.device = device

    def delegate_to_sub_processor(self, line: str) -> bool:
        """Pass the line to privileged mode; ``disable`` comes back here."""
        processed = bool(self.sub_processor.process_command(line))
        if self.sub_processor.is_done:
            if getattr(self.sub_processor, "disabled", False):
                self.sub_processor = None
                self.show_prompt()
            else:
                self.is_done = True
        return processed

    def continue_enabling(self, line: str) -> None:
        """Check the enable password (the empty password is refused)."""
        self.replace_input = False
        if line and line in self.switch_configuration.privileged_passwords:
            self.enabled_processor.disabled = False
            self.move_to(self.enabled_processor)
        else:
            self.write_line("% Access denied")
            self.write_line("")

    def do_terminal(self, *args: str) -> None:
        """``terminal ...``: accepted, no effect."""

    def do_exit(self) -> None:
        """``exit``: end the session."""
        self.is_done = True

    def do_logout(self) -> None:
        """``logout``: end the session."""
        self.is_done = True


class IosConfigProcessor(ConfigCommandProcessor):
    """Global configuration mode: fake-switches' commands, ``end``, other lines kept."""

    def __init__(self, device: IosDevice, **processors: Any) -> None:
        super().__init__(**processors)
        self.device = device

    def process_command(self, line: str) -> bool:
        """Run a config line and note the change time."""
        word = line.split()[0].lower() if line.split() else ""
        if word and word not in ("end", "exit") and not word.startswith("!"):
            self.device.record_change(self.device.spec.username)
        return bool(super().process_command(line))

    def parse_and_execute_command(self, line: str) -> bool:
        """Known commands run; other lines are kept in the running config.

        In interface mode a line that is not a global command is kept under
        the interface; a global command leaves interface mode, as in IOS.
        """
        if not line.strip():
            return True
        func, args = self.get_command_func(line)
        if func:
            func(*args)
            return True
        words = line.split()
        if words[0].lower() in ("show", "do"):
            return False
        text = " ".join(words)
        port = getattr(self.sub_processor, "port", None)
        if self.sub_processor is not None and port is not None and not _is_global(words):
            _keep_line(port.vendor_specific.setdefault("extra", []), text)
            self.sub_processor.show_prompt()
            return True
        self.sub_processor = None
        _keep_line(self.device.extra_config, text)
        return True

    def do_end(self) -> None:
        """``end``: back to privileged mode from any config level."""
        self.is_done = True


_GLOBAL_WORDS = frozenset(
    {
        "hostname",
        "snmp-server",
        "ntp",
        "username",
        "enable",
        "aaa",
        "access-list",
        "vtp",
        "clock",
        "service",
        "boot",
        "banner",
        "line",
        "router",
        "crypto",
        "archive",
        "lldp",
    }
)


def _is_global(words: list[str]) -> bool:
    """Whether a config line typed in interface mode is a global command.

    Examples:
        >>> _is_global(["logging", "trap", "warnings"])
        True
        >>> _is_global(["logging", "event", "link-status"])
        False
        >>> _is_global(["spanning-tree", "portfast"])
        False
    """
    first = words[0].lower()
    if first == "logging":
        return len(words) < 2 or words[1].lower() != "event"
    return first in _GLOBAL_WORDS


def _keep_line(lines: list[str], text: str) -> None:
    """Add a config line to ``lines`` (``no LINE`` removes it)."""
    if text.startswith("no "):
        if text[3:] in lines:
            lines.remove(text[3:])
    elif text not in lines:
        lines.append(text)


class IosShellSession(ShellSession):
    """One SSH session: unknown commands, fault knobs, no crash on odd input."""

    def __init__(self, command_processor: IosUserProcessor, device: IosDevice) -> None:
        self.device = device
        command_processor.terminal_controller.write(_BANNER)
        super().__init__(command_processor)

    def _active(self) -> Any:
        processor = self.command_processor
        while processor.sub_processor is not None:
            processor = processor.sub_processor
        return processor

    def _swallow(self, line: str) -> bool:
        """With ``hang_after_login``, whether to drop this line silently."""
        if not self.device.spec.hang_after_login or not line.strip():
            return False
        active = self._active()
        if active.continuing_to is not None or self.command_processor.continuing_to is not None:
            return False
        word = line.split()[0].lower()
        return not (len(word) > 1 and ("terminal".startswith(word) or "enable".startswith(word)))

    def receive(self, line: str) -> bool:
        """Handle one line typed by the client; False ends the session."""
        if self._swallow(line):
            return True
        try:
            processed = self.command_processor.process_command(line)
        except TerminalExitSignal:
            return False
        except Exception:
            log.exception("%s: command failed", self.device.hostname)
            self.command_processor.finish_piping()
            processed = False
        if not processed:
            self.handle_unknown_command(line)
            self.command_processor.show_prompt()
        return not self.command_processor.is_done

    def handle_unknown_command(self, line: str) -> None:
        """Answer like IOS to a command it does not know."""
        self.command_processor.finish_piping()
        prompt = self._active().get_prompt()
        self.command_processor.terminal_controller.write(invalid_input(prompt, line, 0))


class IosSwitchCore(BaseCiscoSwitchCore):
    """The fake-switches core of one simulated IOS switch."""

    def __init__(self, switch_configuration: SwitchConfiguration, device: IosDevice) -> None:
        self.device = device
        super().__init__(switch_configuration)

    def new_command_processor(self) -> IosEnabledProcessor:
        """A fresh privileged-mode processor chain for a new session."""
        return IosEnabledProcessor(
            self.device,
            config=IosConfigProcessor(
                self.device,
                config_vlan=ConfigVlanCommandProcessor(),
                config_vrf=ConfigVRFCommandProcessor(),
                config_interface=ConfigInterfaceCommandProcessor(),
            ),
        )

    def launch(self, protocol: str, terminal_controller: Any) -> IosShellSession:
        """Start a session (called by the SSH transport at login)."""
        self.last_connection_id += 1
        name = self.switch_configuration.name
        self.logger = logging.getLogger(f"fake_switches.cisco.{name}.{self.last_connection_id}")
        log.info("%s: session %d opened", name, self.last_connection_id)
        processor = IosUserProcessor(self.device, self.new_command_processor())
        processor.init(
            self.switch_configuration,
            LoggingTerminalController(self.logger, terminal_controller),
            self.logger,
            IosPiping(self.logger),
        )
        return IosShellSession(processor, self.device)


def build_core(
    spec: SwitchSpec, started: float, clock: Callable[[], float] | None = None
) -> IosSwitchCore:
    """A ready switch core for ``spec``: ports, VLANs, SVI, startup config saved.

    Args:
        spec: The validated device spec.
        started: Epoch seconds the simulator started.
        clock: Current-time function (defaults to :func:`time.time`).

    Returns:
        The core, to hand to fake-switches' ``SwitchSshService``.
    """
    device = IosDevice(spec, started) if clock is None else IosDevice(spec, started, clock)
    config = SwitchConfiguration(
        "127.0.0.1",
        name=spec.hostname,
        privileged_passwords=[spec.password],
        ports=[Port(name) for name in device.model.port_names],
    )
    core = IosSwitchCore(config, device)
    for number, name in _VLANS:
        config.add_vlan(config.new("Vlan", number, name))
    for plan in device.port_plans():
        port = config.get_port(plan.name)
        port.description = plan.description or None
        port.mode = plan.mode
        port.access_vlan = plan.access_vlan if plan.mode == "access" else None
        port.shutdown = True if plan.shutdown else None
    svi = config.new("VlanPort", 1, "Vlan1")
    svi.ips = [IPNetwork(f"{device.mgmt_ip}/24")]
    config.add_port(svi)
    assert isinstance(svi, VlanPort)
    device.startup_config = config_body(device, config)
    return core
