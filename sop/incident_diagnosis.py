"""The "damage data" of a network incident (SOP C step 2), judged from collected facts. Pure.

:func:`diagnose` takes what the collection engine gathered about the affected
device now (TCP reachability, the collection outcome, parsed health, the
checklist summary) and the device's last good snapshot, and says whether the
fault is still there. The same judgement runs at step 2 and again after the fix
(step 5): a fix is only accepted when :attr:`Diagnosis.fault` is False.

A fault is: the device's SSH port does not accept a TCP connection, the SSH
login or collection fails, or an interface that was up in the last good
snapshot is down now. Interface error growth, health findings and a config
that differs from the last good one are reported (``warn``/``fail`` lines) but
do not by themselves keep an incident open.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

OUTCOME_TEXT: dict[str, str] = {
    "ok": "login SSH berhasil, data terkumpul",
    "unreachable": "perangkat tidak dapat dijangkau",
    "auth_failed": "login SSH ditolak (kredensial)",
    "timeout": "perangkat tidak menjawab dalam batas waktu",
    "host_key_changed": "kunci host SSH berubah",
    "parse_error": "keluaran perangkat tidak dapat dibaca",
    "truncated": "keluaran perangkat terpotong",
}
"""Collection outcome -> Indonesian explanation."""

_ERROR_FIELDS = ("input_errors", "output_errors", "crc_errors")


@dataclass(frozen=True)
class Check:
    """One line of the damage data.

    Attributes:
        key: ``tcp``, ``ssh``, ``interfaces``, ``interface_errors``, ``health``, ``config``.
        label: Indonesian label.
        status: ``pass``, ``warn`` or ``fail`` (``fail`` is a fault).
        text: The evidence in words.
    """

    key: str
    label: str
    status: str
    text: str


@dataclass(frozen=True)
class Diagnosis:
    """The judged damage data of one device at one moment.

    Attributes:
        device: Inventory name.
        fault: Whether the fault is still there (some check ``fail``).
        checks: The lines, in a fixed order.
        last_good_at: When the last good snapshot was collected (ISO), if any.
        collection_run_id: The collection run that gathered the data, if any.
    """

    device: str
    fault: bool
    checks: list[Check] = field(default_factory=list)
    last_good_at: str | None = None
    collection_run_id: int | None = None

    @property
    def faults(self) -> list[str]:
        """The failing lines as text."""
        return [f"{c.label}: {c.text}" for c in self.checks if c.status == "fail"]

    def summary(self) -> str:
        """One sentence for logs, forms and the documents.

        Examples:
            >>> Diagnosis("sw01", False, [Check("tcp", "TCP", "pass", "ok")]).summary()
            'sw01: tidak ada gangguan (1 pemeriksaan lolos)'
        """
        if not self.fault:
            return f"{self.device}: tidak ada gangguan ({len(self.checks)} pemeriksaan lolos)"
        return f"{self.device}: gangguan masih ada: " + "; ".join(self.faults)

    def as_dict(self) -> dict[str, Any]:
        """The diagnosis as JSON data (stored as the step's outputs)."""
        data = asdict(self)
        data["summary"] = self.summary()
        return data


def _interfaces(health: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    items = (health or {}).get("interfaces") or []
    return {str(i["name"]): i for i in items if isinstance(i, Mapping) and "name" in i}


def _errors(iface: Mapping[str, Any]) -> int:
    return sum(int(iface.get(name) or 0) for name in _ERROR_FIELDS)


def diagnose(
    device: str,
    *,
    tcp_ok: bool,
    tcp_error: str | None,
    outcome: str | None,
    error: str | None,
    health: Mapping[str, Any] | None,
    checklist: Mapping[str, Any] | None,
    config_hash: str | None,
    last_good: Mapping[str, Any] | None,
    collection_run_id: int | None = None,
) -> Diagnosis:
    """Judge the damage data of one device against its last good snapshot.

    Args:
        device: Inventory name.
        tcp_ok: Whether the SSH port accepted a TCP connection.
        tcp_error: Why not.
        outcome: Collection outcome (:data:`sop.device.OUTCOMES`), ``None`` if not tried.
        error: The collection's error text.
        health: Parsed health now (``Health`` as JSON), if collected.
        checklist: The checklist summary now (:func:`sop.checklist.summarise`).
        config_hash: Hash of the running config now, if collected.
        last_good: ``{"collected_at", "health", "config_hash"}`` of the last
            snapshot whose outcome was ``ok``, or ``None``.
        collection_run_id: The collection run, for the records.

    Returns:
        The diagnosis.

    Examples:
        >>> up = {"interfaces": [{"name": "Gi0/1", "oper_up": True, "crc_errors": 0}]}
        >>> down = {"interfaces": [{"name": "Gi0/1", "oper_up": False, "crc_errors": 0}]}
        >>> good = {"collected_at": "2026-11-30T01:00:00+00:00", "health": up,
        ...         "config_hash": "a"}
        >>> d = diagnose("sw01", tcp_ok=False, tcp_error="Connection refused",
        ...              outcome="unreachable", error="refused", health=None,
        ...              checklist=None, config_hash=None, last_good=good)
        >>> d.fault, [c.key for c in d.checks if c.status == "fail"]
        (True, ['tcp', 'ssh'])
        >>> d = diagnose("sw01", tcp_ok=True, tcp_error=None, outcome="ok", error=None,
        ...              health=down, checklist={"status": "pass", "worst": []},
        ...              config_hash="a", last_good=good)
        >>> d.fault, d.faults
        (True, ['Status antarmuka: turun sejak kondisi baik terakhir: Gi0/1'])
        >>> diagnose("sw01", tcp_ok=True, tcp_error=None, outcome="ok", error=None,
        ...          health=up, checklist={"status": "pass", "worst": []},
        ...          config_hash="a", last_good=good).fault
        False
    """
    checks: list[Check] = []
    if tcp_ok:
        checks.append(Check("tcp", "Jangkauan TCP (port SSH)", "pass", "port SSH menerima koneksi"))
    else:
        checks.append(
            Check(
                "tcp", "Jangkauan TCP (port SSH)", "fail", f"tidak terjangkau: {tcp_error or '?'}"
            )
        )
    if outcome is None:
        checks.append(Check("ssh", "Login SSH dan pengumpulan data", "fail", "tidak dicoba"))
    else:
        text = OUTCOME_TEXT.get(outcome, outcome)
        if outcome != "ok" and error:
            text = f"{text} ({error[:200]})"
        status = "pass" if outcome == "ok" else "fail"
        checks.append(Check("ssh", "Login SSH dan pengumpulan data", status, text))
    good_health = (last_good or {}).get("health")
    now_ifaces = _interfaces(health)
    before_ifaces = _interfaces(good_health)
    if outcome == "ok" and health is not None:
        went_down = sorted(
            name
            for name, iface in now_ifaces.items()
            if iface.get("oper_up") is False
            and (before_ifaces.get(name) or {}).get("oper_up") is True
        )
        up = sum(1 for i in now_ifaces.values() if i.get("oper_up"))
        if went_down:
            checks.append(
                Check(
                    "interfaces",
                    "Status antarmuka",
                    "fail",
                    "turun sejak kondisi baik terakhir: " + ", ".join(went_down),
                )
            )
        else:
            checks.append(
                Check(
                    "interfaces",
                    "Status antarmuka",
                    "pass",
                    f"{up} dari {len(now_ifaces)} antarmuka aktif; tidak ada yang baru turun",
                )
            )
        grown = sorted(
            f"{name} +{_errors(iface) - _errors(before_ifaces[name])}"
            for name, iface in now_ifaces.items()
            if name in before_ifaces and _errors(iface) > _errors(before_ifaces[name])
        )
        checks.append(
            Check(
                "interface_errors",
                "Error antarmuka",
                "warn" if grown else "pass",
                ("bertambah sejak kondisi baik terakhir: " + ", ".join(grown))
                if grown
                else "tidak bertambah sejak kondisi baik terakhir",
            )
        )
    if checklist:
        worst = checklist.get("worst") or []
        status = str(checklist.get("status") or "pass")
        text = "; ".join(f"{w.get('label')}: {w.get('text')}" for w in worst[:3]) or "normal"
        checks.append(
            Check(
                "health",
                "Kesehatan perangkat (checklist)",
                "warn" if status != "pass" else "pass",
                text,
            )
        )
    if config_hash is not None and last_good is not None:
        changed = config_hash != last_good.get("config_hash")
        checks.append(
            Check(
                "config",
                "Konfigurasi dibanding kondisi baik terakhir",
                "warn" if changed else "pass",
                "berubah" if changed else "sama",
            )
        )
    return Diagnosis(
        device=device,
        fault=any(c.status == "fail" for c in checks),
        checks=checks,
        last_good_at=(last_good or {}).get("collected_at"),
        collection_run_id=collection_run_id,
    )
