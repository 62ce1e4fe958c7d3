"""Records of SOP A months for the report tests, written with the records helpers.

November 2026 (the report month) for the Kanwil Malut example office (WIT, UTC+9):

* collection run #1 (step 4, first pass): sw1 ok, sw2 ok with CPU 92 % (fail),
  srv1 ok with /var 91 % full (warn), r1 unreachable;
* the Kasubag returns the work (kembalikan), step 4 runs again: collection run #2
  re-collects sw2 only, CPU now 80 % (warn): the report must use run #2 for sw2;
* sw1's running configuration changed in November (version 1 was stored in October);
* steps 1..7 (4 and 5 twice); step 1 took 25 minutes against its 10-minute standard
  (breached), everything else met; approvals 5 (kembalikan, then setuju), 6, 7;
  one refused attempt (sahrul on step 6);
* earlier months June..October 2026 have a collection run each (no SOP run) for the
  trends; August has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from config.office_file import load_office
from records.approvals import record_approval, record_refused_approval
from records.collection_runs import finish_collection_run, start_collection_run
from records.devices import upsert_device
from records.models import CollectionRun, Device
from records.snapshots import add_checklist_results, add_snapshot
from records.sop_runs import get_or_create_sop_run, set_sop_run_status
from records.steps import finish_step, start_step
from sop.checklist import run_checklist
from sop.office import Office
from sop.runkeys import maintenance_run_key
from sop.thresholds import Thresholds
from tests.factories import make_snapshot

ROOT = Path(__file__).resolve().parents[2]
OFFICE_FILE = ROOT / "examples" / "offices" / "kanwil-kemenkumham-malut.yaml"
MONTH = "2026-11"
T0 = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)  # 09:00 WIT, 2 November 2026
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)

OLD_CONFIG = "hostname sw1\ninterface Gi0/1\n description uplink\n"
NEW_CONFIG = "hostname sw1\ninterface Gi0/1\n description uplink ke core\n"

# what the November report must say
DEVICES_TOTAL = 4
DEVICES_OK = 3
DEVICES_FAILED = 1
STEP_LOGS = 9  # steps 1..7 plus 4 and 5 again
SLA_BREACHED = 1
SLA_MET = STEP_LOGS - SLA_BREACHED


def office() -> Office:
    return load_office(OFFICE_FILE)


@dataclass(frozen=True)
class Dev:
    name: str
    platform: str
    hostname: str
    serial: str
    vendor: str = "Cisco"
    model: str = "WS-C2960X-48TS-L"


SW1 = Dev("sw1", "cisco_ios", "SW-CORE-01", "FOC1111A001")
SW2 = Dev("sw2", "cisco_ios", "SW-AKSES-02", "FOC2222B002")
SRV1 = Dev("srv1", "linux", "srv-app-01", "VMW-3333", vendor="Debian", model="VMware7,1")
R1 = Dev("r1", "cisco_ios", "R-WAN-01", "FTX4444C004")


def _device(session: Session, dev: Dev) -> Device:
    return upsert_device(
        session, dev.name, address="127.0.0.1", platform=dev.platform, site="ternate"
    )


def add_device_snapshot(
    session: Session,
    run: CollectionRun,
    dev: Dev,
    at: datetime,
    *,
    outcome: str = "ok",
    cpu: float = 20.0,
    memory: tuple[int, int] = (40, 100),
    disks: dict[str, float] | None = None,
    config: str | None = None,
) -> None:
    device = _device(session, dev)
    if outcome != "ok":
        snapshot = add_snapshot(
            session, run, device, outcome=outcome, collected_at=at, error="connection refused"
        )
        results = run_checklist(
            outcome, "connection refused", None, None, Thresholds(),
            config_diff=None, unsaved=None, platform=dev.platform,
        )  # fmt: skip
        add_checklist_results(session, snapshot, results)
        return
    data = make_snapshot(cpu_percent=cpu, memory=memory, disks=disks, running=config)
    facts = data.facts.model_copy(
        update={
            "hostname": dev.hostname,
            "serial": dev.serial,
            "vendor": dev.vendor,
            "model": dev.model,
        }
    )
    data = data.model_copy(update={"facts": facts})
    snapshot = add_snapshot(
        session,
        run,
        device,
        outcome="ok",
        collected_at=at,
        facts=data.facts.model_dump(mode="json"),
        health=data.health.model_dump(mode="json"),
        config_running=config,
        config_startup=config,
    )
    results = run_checklist(
        "ok", None, data, None, Thresholds(), config_diff=None, unsaved=False,
        platform=dev.platform,
    )  # fmt: skip
    add_checklist_results(session, snapshot, results)


def collection_month(
    session: Session, at: datetime, cpu: float, *, failed: bool = False, trigger: str = "schedule"
) -> CollectionRun:
    """A plain collection run of all four devices (for trend months)."""
    run = start_collection_run(session, trigger=trigger, started_at=at)
    add_device_snapshot(session, run, SW1, at, cpu=cpu, memory=(30, 100), config=OLD_CONFIG)
    add_device_snapshot(session, run, SW2, at, cpu=cpu + 10, memory=(50, 100))
    add_device_snapshot(session, run, SRV1, at, cpu=cpu / 2, memory=(70, 100), disks={"/": 60.0})
    add_device_snapshot(session, run, R1, at, outcome="unreachable" if failed else "ok", cpu=cpu)
    finish_collection_run(session, run, finished_at=at + timedelta(minutes=5))
    return run


TREND_CPU = {"2026-06": 10.0, "2026-07": 20.0, "2026-09": 30.0, "2026-10": 40.0}
"""CPU of sw1 in the trend months (sw2 +10, srv1 /2); October also has r1 unreachable."""


def seed_trend_months(session: Session) -> None:
    for month, cpu in TREND_CPU.items():
        year, mon = (int(p) for p in month.split("-"))
        at = datetime(year, mon, 10, 1, 0, tzinfo=UTC)
        collection_month(session, at, cpu, failed=month == "2026-10")


def seed_november(session: Session, office: Office) -> None:
    """The SOP A run of November 2026 (see the module's docstring)."""
    key = maintenance_run_key(office.short_name, MONTH)
    sop_run = get_or_create_sop_run(
        session,
        key,
        sop_code="A",
        title="Pemeliharaan Infrastruktur Sistem Jaringan November 2026",
        office=office.short_name,
        parameters={"month": MONTH, "sites": ["ternate"], "groups": []},
        started_at=T0,
    )

    def step(number: int, role: str, actor: str, start: datetime, minutes: float, **kw):
        log = start_step(session, sop_run, number, role, actor=actor, started_at=start)
        finish_step(session, log, finished_at=start + timedelta(minutes=minutes), **kw)
        return start + timedelta(minutes=minutes)

    t = step(1, "kadivmin", "fatimah", T0, 25)  # standard 10 Menit: breached (computed)
    t = step(2, "kabag", "yusuf", t, 5, sla_status="met")
    t = step(3, "kasubag", "rahmat", t, 5)
    # step 4, first pass
    run1 = start_collection_run(session, trigger="sop:A", actor="sahrul", started_at=t)
    c1 = t + timedelta(minutes=1)
    add_device_snapshot(session, run1, SW1, c1, cpu=35.0, config=NEW_CONFIG)
    add_device_snapshot(session, run1, SW2, c1, cpu=92.0, memory=(60, 100))
    add_device_snapshot(session, run1, SRV1, c1, cpu=15.0, memory=(75, 100), disks={"/var": 91.0})
    add_device_snapshot(session, run1, R1, c1, outcome="unreachable")
    finish_collection_run(session, run1, finished_at=c1 + timedelta(minutes=2))
    t = step(
        4, "it_officer", "sahrul", t, 60,
        outputs={"collection_run_id": run1.id, "devices": ["sw1", "sw2", "srv1", "r1"],
                 "degraded": ["sw2", "srv1", "r1"]},
    )  # fmt: skip
    t = step(5, "kasubag", "rahmat", t, 30)
    record_approval(
        session, sop_run, 5, approver="rahmat", role_key="kasubag", decision="kembalikan",
        note="CPU sw2 terlalu tinggi, periksa ulang", decided_at=t,
    )  # fmt: skip
    # step 4 again: only sw2 re-collected
    run2 = start_collection_run(session, trigger="sop:A", actor="sahrul", started_at=t)
    add_device_snapshot(session, run2, SW2, t + timedelta(minutes=1), cpu=80.0, memory=(55, 100))
    finish_collection_run(session, run2, finished_at=t + timedelta(minutes=3))
    t = step(
        4, "it_officer", "sahrul", t, 120,
        outputs={"collection_run_id": run2.id, "devices": ["sw2"], "degraded": ["sw2"]},
    )  # fmt: skip
    t = step(5, "kasubag", "rahmat", t, 60)
    record_approval(
        session, sop_run, 5, approver="rahmat", role_key="kasubag", decision="setuju",
        note="Hasil sudah sesuai", decided_at=t,
    )  # fmt: skip
    record_refused_approval(
        session, sop_run, 6, attempted_username="sahrul",
        reason="sahrul tidak memegang peran kabag", refused_at=t + timedelta(minutes=5),
    )  # fmt: skip
    t = step(6, "kabag", "yusuf", t, 20)
    record_approval(session, sop_run, 6, approver="yusuf", role_key="kabag", decision="setuju",
                    decided_at=t)  # fmt: skip
    t = step(7, "kadivmin", "fatimah", t, 8)
    record_approval(session, sop_run, 7, approver="fatimah", role_key="kadivmin",
                    decision="setuju", note="Disetujui", decided_at=t)  # fmt: skip
    set_sop_run_status(session, sop_run, "completed", finished_at=t)


def seed_all(engine: Engine, office: Office) -> None:
    with Session(engine) as session:
        seed_trend_months(session)
        seed_november(session, office)
        session.commit()
