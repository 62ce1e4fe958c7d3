"""handle_breach end to end: records database (SQLite and PostgreSQL) + a real SMTP server."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from config.office_file import load_office
from config.smtp import SmtpSettings
from records.db import session_scope
from records.models import StepLog
from records.sla_breaches import list_breaches, list_notifications
from records.sop_runs import get_or_create_sop_run
from records.steps import finish_step, start_step
from sop.durations import Duration, Unit
from tasks.notify import SMTP_OFF
from tasks.sla_watch import BreachResult, handle_breach
from tests.smtpserver import SMTP_USER, free_port

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "offices"
WIT = ZoneInfo("Asia/Jayapura")
DAY = Duration(1, Unit.DAY)  # SOP A step 5 (Kasubag checks the report): 1 Hari
STARTED = datetime(2026, 11, 2, 9, 0, tzinfo=WIT)
DUE = datetime(2026, 11, 3, 9, 0, tzinfo=WIT)
LATE = datetime(2026, 11, 3, 11, 30, tzinfo=WIT)
RUN_KEY = "A:kanwil-malut:2026-11"
TITLE = "SOP Pemeliharaan Infrastruktur Sistem Jaringan"
RAHMAT = "rahmat.hidayat@example.go.id"  # kasubag
YUSUF = "yusuf.tomagola@example.go.id"  # kabag: sla.escalate_to kasubag -> kabag


@pytest.fixture(scope="module")
def office():
    return load_office(EXAMPLES / "kanwil-kemenkumham-malut.yaml")


@pytest.fixture
def step_ids(engine: Engine) -> tuple[int, int]:
    """An SOP A run whose step 5 (kasubag) has been waiting since STARTED."""
    with session_scope(engine) as session:
        run = get_or_create_sop_run(
            session, RUN_KEY, sop_code="A", title=TITLE, office="kanwil-malut"
        )
        step = start_step(
            session, run, 5, "kasubag", started_at=STARTED, due_at=DUE, status="waiting"
        )
        return run.id, step.id


def _handle(engine, office, ids, *, now=LATE, smtp=None, standard=DAY, lang="id"):
    run_id, step_id = ids
    return handle_breach(
        engine,
        office,
        sop_run_id=run_id,
        step_log_id=step_id,
        standard=standard,
        sop_code="A",
        sop_title=TITLE,
        now=now,
        run_ref=RUN_KEY,
        smtp=smtp,
        lang=lang,
    )


def _smtp(server) -> SmtpSettings:
    return SmtpSettings(host=server.host, port=server.port, sender="sigap@example.go.id", timeout=5)


def test_breached_step_mails_holder_and_escalation_once(engine, office, step_ids, smtp_server):
    result = _handle(engine, office, step_ids, smtp=_smtp(smtp_server))
    assert isinstance(result, BreachResult)
    assert (result.step_number, result.role_key, result.escalated_role) == (5, "kasubag", "kabag")
    assert result.due_at == DUE and result.due_at.utcoffset() == timedelta(hours=9)
    assert result.recipients == (RAHMAT, YUSUF)
    assert result.notify_error is None and result.notified

    [mail] = smtp_server.messages
    assert mail.rcpt_tos == [RAHMAT, YUSUF]
    assert mail.message["To"] == f"{RAHMAT}, {YUSUF}"
    assert mail.message["Subject"] == (
        "[SIGAP] Batas waktu terlampaui: SOP A langkah 5 (A:kanwil-malut:2026-11)"
    )
    body = mail.message.get_content()
    assert "Batas waktu : Selasa, 3 November 2026 pukul 09.00 WIT" in body
    assert "Terdeteksi  : Selasa, 3 November 2026 pukul 11.30 WIT" in body
    assert "Terlambat   : 2 jam 30 menit" in body
    assert "Eskalasi    : Kepala Bagian Program dan Hubungan Masyarakat (kabag)" in body
    assert "Tidak ada yang disetujui secara otomatis." in body

    with session_scope(engine) as session:
        [breach] = list_breaches(session)
        assert breach.id == result.breach_id
        assert (breach.sop_run_id, breach.step_log_id) == step_ids
        assert (breach.step_number, breach.role_key, breach.escalated_role) == (
            5,
            "kasubag",
            "kabag",
        )
        assert breach.due_at == DUE and breach.detected_at == LATE
        assert breach.notified == [RAHMAT, YUSUF] and breach.notify_error is None
        step = session.get(StepLog, step_ids[1])
        assert step.sla_status == "breached"
        assert step.status == "waiting" and step.finished_at is None  # never approved
        [note] = list_notifications(session)
        assert (note.kind, note.sop_run_id, note.ok, note.error) == (
            "sla_breach",
            step_ids[0],
            True,
            None,
        )
        assert note.recipients == [RAHMAT, YUSUF] and note.subject == mail.message["Subject"]

    # The watcher keeps calling: nothing more is sent or recorded.
    for later in (LATE, LATE + timedelta(hours=5)):
        assert _handle(engine, office, step_ids, smtp=_smtp(smtp_server), now=later) is None
    assert len(smtp_server.messages) == 1
    with session_scope(engine) as session:
        assert len(list_breaches(session)) == 1 and len(list_notifications(session)) == 1


def test_not_yet_due_sends_nothing(engine, office, step_ids, smtp_server):
    for now in (STARTED + timedelta(hours=3), DUE):
        assert _handle(engine, office, step_ids, smtp=_smtp(smtp_server), now=now) is None
    assert smtp_server.messages == []
    with session_scope(engine) as session:
        assert list_breaches(session) == []
        assert session.get(StepLog, step_ids[1]).sla_status is None


def test_breach_factor_gives_more_time(engine, step_ids, smtp_server):
    office = load_office(EXAMPLES / "kanwil-kemenkumham-malut.yaml")
    relaxed = replace(office, sla=replace(office.sla, breach_factor=1.5, escalate_to={}))
    assert _handle(engine, relaxed, step_ids, smtp=_smtp(smtp_server)) is None
    later = DUE + timedelta(hours=12, minutes=1)
    result = _handle(engine, relaxed, step_ids, smtp=_smtp(smtp_server), now=later)
    assert result.due_at == DUE + timedelta(hours=12)
    assert result.escalated_role is None and result.recipients == (RAHMAT,)
    assert [m.rcpt_tos for m in smtp_server.messages] == [[RAHMAT]]


def test_finished_step_and_step_without_standard_send_nothing(
    engine, office, step_ids, smtp_server
):
    assert _handle(engine, office, step_ids, smtp=_smtp(smtp_server), standard=None) is None
    with session_scope(engine) as session:
        finish_step(session, session.get(StepLog, step_ids[1]), finished_at=LATE, sla_status="met")
    assert _handle(engine, office, step_ids, smtp=_smtp(smtp_server)) is None
    assert smtp_server.messages == []
    with session_scope(engine) as session:
        assert list_breaches(session) == []


def test_smtp_down_records_the_breach_with_the_error(engine, office, step_ids, caplog):
    port = free_port()
    smtp = SmtpSettings(host="127.0.0.1", port=port, timeout=2)
    with caplog.at_level(logging.WARNING):
        result = _handle(engine, office, step_ids, smtp=smtp)
    assert result is not None and not result.notified
    assert result.notify_error.startswith(f"cannot send e-mail via 127.0.0.1:{port}")
    with session_scope(engine) as session:
        [breach] = list_breaches(session)
        assert breach.notify_error == result.notify_error and breach.notified == []
        [note] = list_notifications(session)
        assert (note.ok, note.error, note.recipients) == (
            False,
            result.notify_error,
            [RAHMAT, YUSUF],
        )
        assert session.get(StepLog, step_ids[1]).sla_status == "breached"
    assert "SLA breach" in caplog.text
    # Already recorded: a later call does not retry the mail (the record says why it failed).
    assert _handle(engine, office, step_ids, smtp=smtp) is None


def test_login_failure_never_stores_or_logs_the_password(
    engine, office, step_ids, smtp_auth_server, monkeypatch, caplog
):
    monkeypatch.setenv("SIGAP_TEST_SMTP_PW", "sandi-yang-salah-42")
    smtp = SmtpSettings(
        host=smtp_auth_server.host,
        port=smtp_auth_server.port,
        username=SMTP_USER,
        password_ref="env:SIGAP_TEST_SMTP_PW",
    )
    with caplog.at_level(logging.DEBUG):
        result = _handle(engine, office, step_ids, smtp=smtp)
    assert "refused the login" in result.notify_error
    assert "sandi-yang-salah-42" not in caplog.text
    with session_scope(engine) as session:
        [breach] = list_breaches(session)
        [note] = list_notifications(session)
        stored = f"{breach.notify_error} {note.error} {note.subject} {note.recipients}"
    assert "sandi-yang-salah-42" not in stored and "env:SIGAP_TEST_SMTP_PW" in stored


def test_notifications_off_still_records_the_breach(engine, office, step_ids):
    result = _handle(engine, office, step_ids, smtp=None)
    assert result.notify_error == SMTP_OFF
    assert result.recipients == (RAHMAT, YUSUF)
    with session_scope(engine) as session:
        [breach] = list_breaches(session)
        assert breach.notify_error == SMTP_OFF
        assert list_notifications(session) == []  # nothing was attempted


def test_english_mail(engine, office, step_ids, smtp_server):
    _handle(engine, office, step_ids, smtp=_smtp(smtp_server), lang="en")
    [mail] = smtp_server.messages
    assert mail.message["Subject"].startswith("[SIGAP] Time standard exceeded: SOP A step 5")
    assert "Nothing was approved automatically." in mail.message.get_content()


def test_caller_mistakes_are_errors(engine, office, step_ids):
    run_id, step_id = step_ids
    with pytest.raises(LookupError):
        _handle(engine, office, (run_id, step_id + 1000))
    with pytest.raises(ValueError, match="belongs to SOP run"):
        _handle(engine, office, (run_id + 1000, step_id))
    with pytest.raises(ValueError, match="timezone-aware"):
        _handle(engine, office, step_ids, now=datetime(2026, 11, 4))
    with pytest.raises(ValueError, match="lang"):
        _handle(engine, office, step_ids, lang="fr")
    with session_scope(engine) as session:
        assert list_breaches(session) == []  # nothing recorded by a refused call
    assert datetime.now(UTC)  # the tests never read the clock for decisions
