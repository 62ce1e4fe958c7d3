"""SOP B end to end over a real Prefect API: request, Kasub decision, entry, exit, archive.

The office is the Maluku Utara example (sahrul is IT officer and Kasub, so the
separation of duties can be tried); codes are the demo codes ``demo-<username>``.
"""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from sqlalchemy import func, select

from flows.visits import akses_ruang_server
from records.db import make_engine, session_scope
from records.models import Notification, SopRun, StepLog
from records.visit_models import Visit
from sop.approval import Refusal
from tasks import clock
from tests.flows.conftest import wait_for
from tests.flows.visits_helpers import ID_NUMBER, answer, refusals, request, steps, visit, waiting


def test_a_visit_from_request_to_archive(
    prefect_api, office_file: Path, db_url: str, flow_thread, tmp_path: Path
) -> None:
    run = flow_thread(akses_ruang_server, **request(str(office_file), db_url))
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

    assert result["status"] == "archived" and result["visit"].startswith("KRS-")
    done = visit(db_url)
    assert done["status"] == "archived" and done["badge_returned"] is True
    assert done["exited_at"] is not None and done["closed_by"] == "nurul"
    assert done["explanations"] == {} and done["overstay_at"] is None
    assert done["id_number"] == ID_NUMBER  # stored ...
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
    # ... but never in the run's records
    assert ID_NUMBER not in stored and "************0001" in stored
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
    run = flow_thread(akses_ruang_server, **request(str(office_file), db_url))
    answer(db_url, 3, approver="nurul", code="demo-nurul", decision="setuju")  # not a Kasub
    assert refusals(db_url)[-1][2].startswith(Refusal.WRONG_ROLE.value)
    answer(db_url, 3, approver="rahmat", code="demo-rahmat", decision="tolak", note="Tanpa surat")
    result = run.join(60)

    assert result["status"] == "refused"
    refused = visit(db_url)
    assert refused["badge_number"] is None and refused["entered_at"] is None
    assert refused["decision_note"] == "Tanpa surat"
    assert [n for n, *_ in steps(db_url)] == [1, 2, 3]


def test_mismatched_devices_are_refused_until_each_serial_is_explained(
    prefect_api, office_file: Path, db_url: str, flow_thread
) -> None:
    run = flow_thread(akses_ruang_server, **request(str(office_file), db_url))
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
        explanations={"HD-778": "dipasang di server aplikasi (tiket INC-12)"},
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
        explanations={
            "HD-778": "dipasang di server aplikasi (tiket INC-12)",
            "HD-OLD-9": "disk rusak dibawa vendor untuk RMA, BA serah terima no. 3",
        },
    )
    run.join(60)

    done = visit(db_url)
    assert done["status"] == "archived"
    assert set(done["explanations"]) == {"HD-778", "HD-OLD-9"}
    assert {d["serial"] for d in done["devices_out"]} == {"LT-001", "HD-OLD-9"}
    assert steps(db_url)[4][3]["flagged"] == ["HD-OLD-9", "HD-778"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"planned_end": "start"}, "planned_end", "harus setelah planned_start"),
        ({"id_type": "NPWP"}, "id_type", "bukan jenis tanda pengenal"),
        ({"devices": [{"name": "Laptop", "serial": " "}]}, "devices.0.serial", "tidak boleh"),
    ],
)
def test_a_bad_request_names_the_field_and_writes_nothing(
    prefect_api, office_file: Path, db_url: str, change: dict, field: str, message: str
) -> None:
    params = request(str(office_file), db_url)
    if change.get("planned_end") == "start":
        change = {"planned_end": params["planned_start"] - timedelta(minutes=1)}
    params.update(change)
    with pytest.raises(Exception) as caught:
        akses_ruang_server(**params)
    text = str(caught.value)
    assert field in text and message in text
    assert ID_NUMBER not in text
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Visit)) == 0
        assert session.scalar(select(func.count()).select_from(SopRun)) == 0
    engine.dispose()


def test_an_overstay_is_notified_once_and_recorded(
    prefect_api, office_file: Path, db_url: str, flow_thread, smtp_server, monkeypatch
) -> None:
    monkeypatch.setenv("SIGAP_SMTP_HOST", smtp_server.host)
    monkeypatch.setenv("SIGAP_SMTP_PORT", str(smtp_server.port))
    controlled = clock.ControlledClock()
    with clock.use_clock(controlled):
        run = flow_thread(akses_ruang_server, **request(str(office_file), db_url))
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
    assert "************0001" in body and ID_NUMBER not in body
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
