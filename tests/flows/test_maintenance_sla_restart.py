"""SOP A's waiting steps over time: an SLA breach with a controlled clock, and a restart.

Real parts: the session lab, a real Prefect API, a real SMTP server (aiosmtpd) on
127.0.0.1. The clock is SIGAP's controlled clock (``tasks.clock``): the test moves
time forward instead of waiting a day.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from prefect.exceptions import FlowPauseTimeout
from sqlalchemy import select

from flows.maintenance import network_maintenance
from records.db import make_engine, session_scope
from records.models import CollectionRun, SlaBreach, SopRun
from tasks.clock import ControlledClock, use_clock
from tests.flows.conftest import wait_for
from tests.flows.test_maintenance import _answer, _count, _start, _waiting
from tests.smtpserver import SmtpServer, start_smtp


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch):
    for server in start_smtp():
        monkeypatch.setenv("SIGAP_SMTP_HOST", server.host)
        monkeypatch.setenv("SIGAP_SMTP_PORT", str(server.port))
        monkeypatch.setenv("SIGAP_SMTP_FROM", "sigap@kanwil.example.go.id")
        yield server


def test_breached_review_notifies_and_escalates_but_never_approves(
    prefect_api, lab, office_file: Path, db_url: str, flow_thread, smtp: SmtpServer
) -> None:
    clock = ControlledClock()
    with use_clock(clock):
        run = _start(flow_thread, lab, office_file, db_url, "2026-09")
        wait_for(lambda: _waiting(db_url), 90, "the pause at step 5")
        assert smtp.messages == []  # within its time standard (1 Hari): nothing sent
        clock.advance(days=1, hours=1)
        wait_for(lambda: smtp.messages, 30, "the breach e-mail")
        message = smtp.messages[0]
        recipients = set(message.rcpt_tos)
        # the Kasubag holders, and the Kabag the office escalates to
        assert "rahmat.hidayat@example.go.id" in recipients
        assert "yusuf.tomagola@example.go.id" in recipients
        assert "fatimah.abdullah@example.go.id" not in recipients
        body = message.message.get_content()
        assert "SOP A" in message.message["Subject"] or "SOP A" in body
        # the run still waits: nothing approved by itself
        assert _waiting(db_url) is not None
        clock.advance(hours=5)
        _answer(db_url, 5, decision="tolak", approver="rahmat", code="demo-rahmat")
        result = run.join(60)
    assert result["status"] == "rejected"
    assert len(smtp.messages) == 1  # one breach, one notification
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        breaches = session.scalars(select(SlaBreach)).all()
        assert [(b.step_number, b.role_key, b.escalated_role) for b in breaches] == [
            (5, "kasubag", "kabag")
        ]
        step5 = [s for s in session.scalars(select(SopRun)).one().step_logs if s.step_number == 5]
        assert [s.sla_status for s in step5] == ["breached"]
        assert step5[0].actor == "rahmat"
    engine.dispose()


def test_a_run_that_timed_out_continues_in_the_next_run_without_collecting_again(
    prefect_api, lab, office_file: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGAP_APPROVAL_TIMEOUT", "3")
    params = dict(
        month="2026-08",
        inventory_dir=str(lab.inventory_dir),
        office_file=str(office_file),
        database_url=db_url,
    )
    with pytest.raises(FlowPauseTimeout):
        network_maintenance(**params)
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        sop_run = session.scalars(select(SopRun)).one()
        assert sop_run.status == "failed"
        assert [(s.step_number, s.status) for s in sop_run.step_logs][-1] == (5, "waiting")
    assert _count(db_url, CollectionRun) == 1

    # the next run of the same month (e.g. after a worker restart) picks up at step 5
    monkeypatch.setenv("SIGAP_APPROVAL_TIMEOUT", "600")
    from tests.flows.conftest import FlowThread

    run = FlowThread(network_maintenance, **params)
    _answer(db_url, 5, decision="tolak", approver="rahmat", code="demo-rahmat")
    assert run.join(60)["status"] == "rejected"
    assert _count(db_url, CollectionRun) == 1
    with session_scope(engine) as session:
        sop_run = session.scalars(select(SopRun)).one()
        # the same waiting step was continued, not a second one opened
        assert [s.step_number for s in sop_run.step_logs] == [1, 2, 3, 4, 5]
        assert sop_run.status == "cancelled"
    engine.dispose()
