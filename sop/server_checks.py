"""SOP E's server checks: health and security rules of one Linux server, pure.

The same shape as SOP A's checklist (:mod:`sop.checklist`): each rule takes what
was collected (the device contract, :mod:`sop.device`) and the host's
:class:`~sop.thresholds.Thresholds` and returns
:class:`~sop.checklist.CheckResult` items; data the server could not give is
never judged (the rule returns nothing and :func:`judge_server` notes why).
Disk and memory reuse SOP A's rules; the rest are the security checks of the
monitoring (``pemantauan-server``):

* ``sshd_root_login``: ``PermitRootLogin yes`` fails (``prohibit-password`` and
  ``no`` pass);
* ``sshd_password_auth``: ``PasswordAuthentication yes`` warns;
* ``failed_logins``: new failed SSH logins since the previous check, more than
  ``failed_logins_limit`` fail, some warn;
* ``port:<n>``: a TCP port listening on every address or on the address SIGAP
  reaches the server by, not in the host's ``allowed_ports``, fails;
* ``security_updates``: pending security updates warn;
* ``load``, ``time_sync``, ``failed_units``;
* ``service:<name>``: a listed service that does not accept a TCP connection fails.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sop.checklist import (
    Checklist,
    CheckResult,
    NotChecked,
    Status,
    check_disks,
    check_memory,
    fmt_number,
)
from sop.device import DeviceData, ListenSocket, ServerHealth
from sop.thresholds import Thresholds

#: Item key -> (Indonesian label, English label).
SERVER_ITEMS: dict[str, tuple[str, str]] = {
    "load": ("Beban sistem (load average 5 menit)", "System load (5-minute load average)"),
    "time_sync": ("Sinkronisasi waktu", "Time synchronisation"),
    "failed_units": ("Layanan systemd gagal", "Failed systemd units"),
    "sshd_root_login": ("Login root SSH", "SSH root login"),
    "sshd_password_auth": ("Login SSH dengan kata sandi", "SSH password login"),
    "failed_logins": ("Percobaan login SSH gagal", "Failed SSH logins"),
    "port": ("Port TCP terbuka", "Open TCP port"),
    "ports": ("Port TCP sesuai daftar", "TCP ports as allowed"),
    "security_updates": ("Pembaruan keamanan tertunda", "Pending security updates"),
    "service": ("Layanan", "Service"),
}

#: Addresses a socket listens on when it listens on every address.
WILDCARDS: frozenset[str] = frozenset({"0.0.0.0", "::", "*"})

_FIRST = "belum ada pemeriksaan sebelumnya untuk dibandingkan"


def _item(
    key: str, status: Status, text: str, data: dict[str, object], suffix: str = ""
) -> CheckResult:
    label, label_en = SERVER_ITEMS[key]
    if suffix:
        return CheckResult(
            f"{key}:{suffix}", f"{label} {suffix}", f"{label_en} {suffix}", status, text, data
        )
    return CheckResult(key, label, label_en, status, text, data)


def _note(key: str, reason: str) -> NotChecked:
    label, label_en = SERVER_ITEMS[key]
    return NotChecked(key, label, label_en, reason)


def check_load(server: ServerHealth, thresholds: Thresholds) -> list[CheckResult]:
    """The 5-minute load average above ``load_limit`` fails, above 80 % of it warns.

    Args:
        server: The server section of the contract.
        thresholds: Limits (no ``load_limit``: not checked).

    Returns:
        One ``load`` result, or none.
    """
    limit = thresholds.load_limit
    if limit is None or server.load_5 is None:
        return []
    value = server.load_5
    status: Status = "fail" if value > limit else "warn" if value > 0.8 * limit else "pass"
    sign = ">" if status == "fail" else "<="
    text = f"Load 5 menit {fmt_number(value)} {sign} ambang {fmt_number(limit)}"
    return [_item("load", status, text, {"load_5": value, "limit": limit})]


def check_time_sync(server: ServerHealth) -> list[CheckResult]:
    """A clock that is not synchronised (NTP) warns."""
    if server.time_synced is None:
        return []
    if server.time_synced:
        return [_item("time_sync", "pass", "Waktu tersinkron (NTP)", {"synced": True})]
    return [_item("time_sync", "warn", "Waktu tidak tersinkron (NTP)", {"synced": False})]


def check_failed_units(server: ServerHealth) -> list[CheckResult]:
    """Any failed systemd unit fails."""
    units = server.failed_units
    if units is None:
        return []
    if units:
        return [_item("failed_units", "fail", "Unit gagal: " + ", ".join(units), {"units": units})]
    return [_item("failed_units", "pass", "Tidak ada unit gagal", {"units": []})]


def check_sshd(server: ServerHealth) -> list[CheckResult]:
    """``PermitRootLogin yes`` fails; ``PasswordAuthentication yes`` warns."""
    sshd = server.sshd
    if sshd is None:
        return []
    root = sshd.get("permitrootlogin", "prohibit-password")
    password = sshd.get("passwordauthentication", "yes")
    root_status: Status = "fail" if root == "yes" else "pass"
    pw_status: Status = "warn" if password == "yes" else "pass"
    return [
        _item(
            "sshd_root_login",
            root_status,
            f"PermitRootLogin {root}"
            + (" (root dapat login dengan kata sandi)" if root == "yes" else ""),
            {"permitrootlogin": root},
        ),
        _item(
            "sshd_password_auth",
            pw_status,
            f"PasswordAuthentication {password}"
            + (" (disarankan: hanya kunci SSH)" if password == "yes" else ""),
            {"passwordauthentication": password},
        ),
    ]


def new_failed_logins(current: int, previous: int | None) -> int | None:
    """Failed logins since the previous check, from the auth log's running count.

    A count that went down means the log was rotated: everything counted now is new.

    Examples:
        >>> new_failed_logins(12, 5), new_failed_logins(3, 40), new_failed_logins(3, None)
        (7, 3, None)
    """
    if previous is None:
        return None
    return current - previous if current >= previous else current


def check_failed_logins(
    server: ServerHealth, previous_count: int | None, thresholds: Thresholds
) -> list[CheckResult]:
    """New failed SSH logins since the previous check: above the limit fail, some warn.

    Args:
        server: This check's server data (``failed_logins`` is the log's count now).
        previous_count: The count at the previous check, ``None`` on the first one.
        thresholds: ``failed_logins_limit``.

    Returns:
        One ``failed_logins`` result, or none (no count, or no previous check).
    """
    if server.failed_logins is None:
        return []
    new = new_failed_logins(server.failed_logins, previous_count)
    if new is None:
        return []
    limit = thresholds.failed_logins_limit
    status: Status = "fail" if new > limit else "warn" if new > 0 else "pass"
    text = f"{new} login SSH gagal sejak pemeriksaan sebelumnya (ambang {limit})"
    return [
        _item(
            "failed_logins",
            status,
            text,
            {"new": new, "count": server.failed_logins, "limit": limit},
        )
    ]


def exposed_ports(listening: Iterable[ListenSocket], address: str) -> list[int]:
    """TCP ports reachable from outside: listening on every address or on ``address``.

    Ports on other addresses (``127.0.0.1``, another interface) are left out.

    Examples:
        >>> exposed_ports([ListenSocket(address="0.0.0.0", port=22),
        ...                ListenSocket(address="127.0.0.1", port=5432),
        ...                ListenSocket(address="10.0.0.5", port=443),
        ...                ListenSocket(address="::", port=22)], "10.0.0.5")
        [22, 443]
    """
    return sorted({s.port for s in listening if s.address in WILDCARDS or s.address == address})


def check_ports(
    server: ServerHealth, allowed: Sequence[int] | None, address: str
) -> list[CheckResult]:
    """Each exposed TCP port not in the host's ``allowed_ports`` fails.

    Args:
        server: The server data.
        allowed: The host's allowed ports; ``None``: not checked.
        address: The address SIGAP reaches the server by.

    Returns:
        One ``port:<n>`` fail per unexpected port, or one ``ports`` pass.
    """
    if allowed is None or server.listening is None:
        return []
    ports = exposed_ports(server.listening, address)
    unexpected = [p for p in ports if p not in set(allowed)]
    if not unexpected:
        text = f"Port terbuka sesuai daftar: {', '.join(map(str, ports)) or '-'}"
        return [_item("ports", "pass", text, {"ports": ports, "allowed": list(allowed)})]
    return [
        _item(
            "port",
            "fail",
            f"Port {port} terbuka, tidak ada di daftar yang diizinkan",
            {"port": port, "allowed": list(allowed)},
            suffix=str(port),
        )
        for port in unexpected
    ]


def check_security_updates(server: ServerHealth) -> list[CheckResult]:
    """Pending security updates warn."""
    count = server.security_updates
    if count is None:
        return []
    status: Status = "warn" if count > 0 else "pass"
    return [
        _item("security_updates", status, f"{count} pembaruan keamanan tertunda", {"count": count})
    ]


@dataclass(frozen=True)
class ServiceProbe:
    """The result of one TCP connection to a listed service.

    Attributes:
        name: Service name from the inventory (e.g. ``web``).
        port: TCP port.
        ok: Whether the connection was accepted.
        error: Why not.
        seconds: Time to connect.
    """

    name: str
    port: int
    ok: bool
    error: str | None = None
    seconds: float | None = None


def check_services(probes: Iterable[ServiceProbe]) -> list[CheckResult]:
    """A listed service that does not accept a TCP connection fails.

    Examples:
        >>> [(r.key, r.status, r.text) for r in check_services(
        ...     [ServiceProbe("web", 8080, False, "connection refused")])]
        [('service:web', 'fail', 'Layanan web (port 8080) tidak menjawab: connection refused')]
    """
    results = []
    for probe in probes:
        if probe.ok:
            text = f"Layanan {probe.name} (port {probe.port}) menjawab"
        else:
            text = f"Layanan {probe.name} (port {probe.port}) tidak menjawab: {probe.error}"
        results.append(
            _item(
                "service",
                "pass" if probe.ok else "fail",
                text,
                {"port": probe.port, "error": probe.error, "seconds": probe.seconds},
                suffix=probe.name,
            )
        )
    return results


def judge_server(
    snapshot: DeviceData,
    previous_failed_logins: int | None,
    thresholds: Thresholds,
    *,
    allowed_ports: Sequence[int] | None,
    address: str,
    probes: Sequence[ServiceProbe] = (),
) -> Checklist:
    """Run every server rule on one collected Linux server.

    Args:
        snapshot: This check's data.
        previous_failed_logins: The auth log's count at the previous check.
        thresholds: The host's limits.
        allowed_ports: The host's allowed TCP ports (``None``: not checked).
        address: The address SIGAP reaches the server by.
        probes: Results of the TCP probes of the host's services.

    Returns:
        Results in a fixed order, and what could not be checked with the reason.
    """
    results: list[CheckResult] = []
    notes: list[NotChecked] = []
    results += check_memory(snapshot, None, thresholds)
    server = snapshot.health.server
    if server is None:
        reason = snapshot.health.missing.get("server", "no server data")
        return Checklist(tuple(results + check_services(probes)), (_note("load", reason),))
    results += check_disks(snapshot, None, thresholds)
    rules: list[tuple[str, str | None, list[CheckResult]]] = [
        ("load", "load_5", check_load(server, thresholds)),
        ("time_sync", "time_synced", check_time_sync(server)),
        ("failed_units", "failed_units", check_failed_units(server)),
        ("sshd_root_login", "sshd", check_sshd(server)),
        (
            "failed_logins",
            "failed_logins",
            check_failed_logins(server, previous_failed_logins, thresholds),
        ),
        ("ports", "listening", check_ports(server, allowed_ports, address)),
        ("security_updates", "security_updates", check_security_updates(server)),
    ]
    for key, field_name, found in rules:
        if found:
            results += found
            continue
        known = server.missing.get(field_name or "")
        if known is None:
            known = {
                "load": "ambang load_limit belum diatur untuk host ini",
                "failed_logins": _FIRST,
                "ports": "host ini tidak punya daftar allowed_ports",
            }.get(key, "tidak ada data")
        notes.append(_note(key, known))
    results += check_services(probes)
    return Checklist(tuple(results), tuple(notes))
