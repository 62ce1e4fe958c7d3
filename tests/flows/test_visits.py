"""SOP B end to end over a real Prefect API: request, Kasub decision, entry, exit, archive.

The request is registered in the records first (as ``sigap visit open`` does); the
flow takes the visit number only. The office is the Maluku Utara example (sahrul is
IT officer and Kasub, so the separation of duties can be tried); codes are the demo
codes ``demo-<username>``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterKey,
    LogFilter,
    LogFilterFlowRunId,
)
from sqlalchemy import func, select

from flows.visits import VisitNotStartable, akses_ruang_server
from records.db import make_engine, session_scope
from records.models import Notification, SopRun, StepLog
from records.visit_models import Visit
from sop.approval import Refusal
from tasks import clock
from tests.flows.conftest import wait_for
from tests.flows.visits_helpers import (
    ID_NUMBER,
    MASKED,
    VISITOR,
    answer,
    flow_args,
    refusals,
    register,
    steps,
    stored_text,
    visit,
    waiting,
)


def _count(db_url: str, model: type) -> int:
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        n = session.scalar(select(func.count()).select_from(model))
    engine.dispose()
    return int(n or 0)


def test_a_visit_from_request_to_archive(
    prefect_api, office_file: Path, db_url: str, flow_thread, tmp_path: Path
) -> None:
    number = register(office_file, db_url)
    assert visit(db_url)["status"] == "requested"
    run = flow_thread(akses_ruang_server, **flow_args(office_file, db_url, number))
    # the officer who registered the visit (also a Kasub here) may not approve it
    answer(db_url, 3, approver="sahrul", code="demo-sahrul", decision="setuju")
    assert refusals(db_url)[-1][:2] == (3, "sahrul")
    assert refusals(db_url)[-1][2].startswith(Refusal.SAME_PERSON.value)
    assert waiting(db_url)[1] == 3  # still waiting for a Kasub
    answer(db_url, 3, approver="rahmat", code="demo-rahmat", decision="setuju")

    wait_for(lambda: waiting(db_url) and waiting(db_url)[1] == 5, 60, "the exit step")
    inside = visit(db_url)
    assert inside["status"] == "in_progress"
    assert inside["badge_number"] == "RS-01" and inside["id_deposited"] is True
    assert inside["escort"] == "nurul" and inside["entered_at"] is not None
    assert inside["decided_by"] == "rahmat"

    answer(
        db_url,
        5,
        approver="nurul",
        code="demo-nurul",
        devices=[{"name": "Hard disk", "serial": "hd-778"}, {"name": "Laptop", "serial": "LT-001"}],
    )
    result = run.join(60)

    assert result["status"] == "archived" and result["visit"] == number
    done = visit(db_url)
    assert done["status"] == "archived" and done["badge_returned"] is True
    assert done["exited_at"] is not None and done["closed_by"] == "nurul"
    assert done["explanations"] == {} and done["overstay_at"] is None
    assert done["id_number"] == MASKED  # stored masked ...
    logged = steps(db_url)
    assert [(n, s) for n, s, *_ in logged] == [(n, "completed") for n in range(1, 7)]
    assert logged[0][2] == "sahrul" and logged[2][2] == "rahmat" and logged[4][2] == "nurul"
    assert logged[4][3]["flagged"] == []
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        run_row = session.scalars(select(SopRun)).one()
        stored = str(run_row.parameters) + " ".join(
            str(s.outputs) + str(s.inputs) for s in session.scalars(select(StepLog))
        )
        assert run_row.status == "completed"
    engine.dispose()
    # ... and shown masked in the run's records
    assert ID_NUMBER not in stored and MASKED in stored
    assert "demo-" not in stored

    # the archived form (step 6), as a PDF and a Prefect artifact
    number = result["visit"]
    pdf = tmp_path / "reports" / "kunjungan" / f"formulir-kunjungan-{number}.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "FORMULIR KUNJUNGAN RUANG SERVER" in text and number in text
    assert "************0001" in text and ID_NUMBER not in text
    assert "RS-01" in text and "HD-778" in text
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(like_=number.lower()))
        )
    assert artifacts and all(ID_NUMBER not in str(a.data) for a in artifacts)


def test_the_kasub_refuses_and_the_visitor_may_not_enter(
    prefect_api, office_file: Path, db_url: str, flow_thread
) -> None:
    number = register(office_file, db_url)
    run = flow_thread(akses_ruang_server, **flow_args(office_file, db_url, number))
    answer(db_url, 3, approver="nurul", code="demo-nurul", decision="setuju")  # not a Kasub
    assert refusals(db_url)[-1][2].startswith(Refusal.WRONG_ROLE.value)
    answer(db_url, 3, approver="rahmat", code="demo-rahmat", decision="tolak", note="Tanpa surat")
    result = run.join(60)

    assert result["status"] == "refused"
    refused = visit(db_url)
    assert refused["badge_number"] is None and refused["entered_at"] is None
    assert refused["decision_note"] == "Tanpa surat"
    assert [n for n, *_ in steps(db_url)] == [1, 2, 3]

    # a visit runs once: the refused visit cannot be started again, nothing changes
    with pytest.raises(VisitNotStartable) as caught:
        akses_ruang_server(**flow_args(office_file, db_url, number.lower()))
    assert str(caught.value).startswith(f"kunjungan {number} sudah berstatus ditolak")
    assert "requested" not in str(caught.value)
    assert visit(db_url) == refused and [n for n, *_ in steps(db_url)] == [1, 2, 3]
    assert _count(db_url, SopRun) == 1


def test_mismatched_devices_are_refused_until_each_serial_is_explained(
    prefect_api, office_file: Path, db_url: str, flow_thread
) -> None:
    number = register(office_file, db_url)
    run = flow_thread(akses_ruang_server, **flow_args(office_file, db_url, number))
    answer(db_url, 3, approver="rahmat", code="demo-rahmat", decision="setuju")
    wait_for(lambda: waiting(db_url) and waiting(db_url)[1] == 5, 60, "the exit step")
    # the old disk leaves instead of the new one: one extra, one missing
    out = [{"name": "Laptop", "serial": "LT-001"}, {"name": "Hard disk lama", "serial": "HD-OLD-9"}]
    answer(db_url, 5, approver="nurul", code="demo-nurul", devices=out)
    reason = refusals(db_url)[-1][2]
    assert "HD-OLD-9 (keluar tetapi tidak tercatat masuk)" in reason
    assert "HD-778 (masuk tetapi tidak keluar)" in reason
    # one explanation is not enough
    answer(
        db_url,
        5,
        approver="nurul",
        code="demo-nurul",
        devices=out,
        explanations=[{"serial": "HD-778", "text": "dipasang di server aplikasi (tiket INC-12)"}],
    )
    reason = refusals(db_url)[-1][2]
    assert "HD-OLD-9" in reason and "HD-778" not in reason
    assert run.alive and visit(db_url)["status"] == "in_progress"
    answer(
        db_url,
        5,
        approver="nurul",
        code="demo-nurul",
        devices=out,
        explanations=[
            {"serial": "HD-778", "text": "dipasang di server aplikasi (tiket INC-12)"},
            {"serial": "HD-OLD-9", "text": "disk rusak dibawa vendor untuk RMA, BA no. 3"},
        ],
    )
    run.join(60)

    done = visit(db_url)
    assert done["status"] == "archived"
    assert set(done["explanations"]) == {"HD-778", "HD-OLD-9"}
    assert {d["serial"] for d in done["devices_out"]} == {"LT-001", "HD-OLD-9"}
    assert steps(db_url)[4][3]["flagged"] == ["HD-OLD-9", "HD-778"]


def test_the_flow_run_holds_no_personal_data_and_the_records_no_whole_id(
    prefect_api, office_file: Path, db_url: str, flow_thread
) -> None:
    number = register(office_file, db_url)
    run = flow_thread(akses_ruang_server, **flow_args(office_file, db_url, number))
    flow_run_id = answer(db_url, 3, approver="rahmat", code="demo-rahmat", decision="setuju")
    answer(
        db_url,
        5,
        approver="nurul",
        code="demo-nurul",
        devices=[{"name": "Laptop", "serial": "LT-001"}, {"name": "Hard disk", "serial": "HD-778"}],
    )
    assert run.join(60)["status"] == "archived"

    # the Parameters tab of the run in the Prefect UI: the number and where things are
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(UUID(flow_run_id))
        parameters = flow_run.parameters
        logs = client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[UUID(flow_run_id)]))
        )
    assert parameters == flow_args(office_file, db_url, number)
    assert flow_run.name == f"SOP B {number} {VISITOR.split()[0]}"  # its name in the Runs list
    shown = json.dumps(parameters)
    for personal in (ID_NUMBER, ID_NUMBER[:-4], VISITOR, "Andi", "PT Data Prima"):
        assert personal not in shown, personal
    logged = "\n".join(log.message for log in logs)
    assert number in logged and ID_NUMBER[:-4] not in logged

    # every text column of every table of the records: the ID number only masked
    everything = stored_text(db_url)
    assert MASKED in everything and VISITOR in everything  # the visit is in what was read
    assert ID_NUMBER not in everything and ID_NUMBER[:-4] not in everything


def test_an_unknown_number_is_refused_and_nothing_is_written(
    prefect_api, office_file: Path, db_url: str
) -> None:
    with pytest.raises(VisitNotStartable) as caught:
        akses_ruang_server(**flow_args(office_file, db_url, "KRS-2026-0999"))
    assert "kunjungan 'KRS-2026-0999' tidak ada" in str(caught.value)
    assert "sigap visit open" in str(caught.value)
    assert _count(db_url, Visit) == 0 and _count(db_url, SopRun) == 0


def test_an_overstay_is_notified_once_and_recorded(
    prefect_api, office_file: Path, db_url: str, flow_thread, smtp_server, monkeypatch
) -> None:
    monkeypatch.setenv("SIGAP_SMTP_HOST", smtp_server.host)
    monkeypatch.setenv("SIGAP_SMTP_PORT", str(smtp_server.port))
    controlled = clock.ControlledClock()
    with clock.use_clock(controlled):
        number = register(office_file, db_url)
        run = flow_thread(akses_ruang_server, **flow_args(office_file, db_url, number))
        answer(db_url, 3, approver="rahmat", code="demo-rahmat", decision="setuju")
        wait_for(lambda: waiting(db_url) and waiting(db_url)[1] == 5, 60, "the exit step")
        assert smtp_server.messages == []
        controlled.advance(hours=3)  # past the planned end (2 hours)
        wait_for(lambda: smtp_server.messages, 30, "the overstay e-mail")
        controlled.advance(hours=1)
        import time

        time.sleep(3)  # three more watch intervals: no second e-mail
        answer(
            db_url,
            5,
            approver="nurul",
            code="demo-nurul",
            devices=[
                {"name": "Laptop", "serial": "LT-001"},
                {"name": "Hard disk", "serial": "HD-778"},
            ],
        )
        run.join(60)

    [mail] = smtp_server.messages
    assert "melewati waktu rencana" in mail.message["Subject"]
    body = mail.message.get_content()
    assert MASKED in body and ID_NUMBER not in body
    assert set(mail.rcpt_tos) == {
        "sahrul.umasangaji@example.go.id",
        "nurul.fajriani@example.go.id",
        "rahmat.hidayat@example.go.id",
    }
    done = visit(db_url)
    assert done["overstay_at"] is not None and done["overstay_error"] is None
    assert sorted(done["overstay_notified"]) == sorted(mail.rcpt_tos)
    assert steps(db_url)[4][3]["overstay"] is True
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        kinds = list(session.scalars(select(Notification.kind)))
    engine.dispose()
    assert kinds == ["visit_overstay"]
