"""The sla_breaches and notifications tables, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from records.db import downgrade, head_revision, init_database
from records.models import Base, Notification, SlaBreach, SopRun, StepLog
from records.sla_breaches import (
    get_breach,
    list_breaches,
    list_notifications,
    record_breach,
    record_notification,
    set_breach_notified,
)
from records.sop_runs import get_or_create_sop_run
from records.steps import start_step

SECRET_WORDS = ("code", "secret", "password", "otp", "token", "pin", "hash", "totp")
T0 = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)


@pytest.fixture
def session(engine: Engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session


def _run_and_step(session: Session, key: str = "A:kanwil-malut:2026-11") -> tuple[SopRun, StepLog]:
    run = get_or_create_sop_run(session, key, sop_code="A", title="Uji", office="kanwil-malut")
    step = start_step(session, run, 5, "kasubag", started_at=T0, status="waiting")
    return run, step


def test_migration_0003_adds_the_breach_tables_and_schema_matches_models(
    engine: Engine, db_url: str
):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        tables = set(inspect(connection).get_table_names())
    assert {"sla_breaches", "notifications"} <= tables
    downgrade(db_url, "0002")
    assert not {"sla_breaches", "notifications"} & set(inspect(engine).get_table_names())
    assert init_database(db_url).after == head_revision()


def test_new_tables_have_no_secret_column(engine: Engine):
    inspector = inspect(engine)
    for table in ("sla_breaches", "notifications"):
        for column in inspector.get_columns(table):
            assert not set(column["name"].split("_")) & set(SECRET_WORDS), column["name"]


def test_record_breach_once_per_step_log_and_marks_the_step(session: Session):
    run, step = _run_and_step(session)
    due = T0 + timedelta(days=1)
    breach = record_breach(
        session,
        step,
        due_at=due,
        detected_at=due + timedelta(hours=2),
        escalated_role="kabag",
        notified=["rahmat@example.go.id"],
        notify_error=None,
    )
    assert breach is not None and breach.id
    assert (breach.sop_run_id, breach.step_number, breach.role_key) == (run.id, 5, "kasubag")
    assert step.sla_status == "breached"
    again = record_breach(session, step, due_at=due, notify_error="second try")
    assert again is None
    session.commit()
    [stored] = list_breaches(session)
    assert stored.notify_error is None and stored.notified == ["rahmat@example.go.id"]
    assert stored.due_at == due and stored.due_at.tzinfo is not None
    assert get_breach(session, step) is stored and get_breach(session, step.id) is stored
    set_breach_notified(session, stored, notified=[], notify_error="server down")
    session.commit()
    assert get_breach(session, step).notify_error == "server down"


def test_unique_per_step_log_is_enforced_by_the_database(session: Session):
    _, step = _run_and_step(session)
    record_breach(session, step, due_at=T0)
    session.commit()
    session.add(
        SlaBreach(
            sop_run_id=step.sop_run_id,
            step_log_id=step.id,
            step_number=5,
            role_key="kasubag",
            due_at=T0,
        )
    )
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_list_breaches_per_run(session: Session):
    run_a, step_a = _run_and_step(session, "A:x:1")
    _, step_b = _run_and_step(session, "A:x:2")
    record_breach(session, step_b, due_at=T0, detected_at=T0 + timedelta(hours=1))
    record_breach(session, step_a, due_at=T0, detected_at=T0 + timedelta(hours=2))
    session.commit()
    assert [b.step_log_id for b in list_breaches(session)] == [step_b.id, step_a.id]
    assert [b.step_log_id for b in list_breaches(session, run_a)] == [step_a.id]


def test_deleting_a_run_deletes_breaches_and_keeps_notifications(session: Session):
    run, step = _run_and_step(session)
    record_breach(session, step, due_at=T0)
    note = record_notification(
        session,
        kind="sla_breach",
        recipients=["a@example.go.id"],
        subject="s",
        ok=False,
        error="server down",
        sop_run=run,
    )
    other = record_notification(
        session, kind="sla_breach", recipients=[], subject="t", ok=True, sop_run=run.id
    )
    session.commit()
    assert [n.id for n in list_notifications(session, run)] == [note.id, other.id]
    assert list_notifications(session, kind="other") == []
    session.delete(run)
    session.commit()
    session.expire_all()
    assert session.scalars(select(SlaBreach)).all() == []
    kept = session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [(n.sop_run_id, n.ok, n.error) for n in kept] == [
        (None, False, "server down"),
        (None, True, None),
    ]


def test_bad_arguments(session: Session):
    _, step = _run_and_step(session)
    with pytest.raises(ValueError, match="naive"):
        record_breach(session, step, due_at=datetime(2026, 11, 2))
    with pytest.raises(ValueError, match="kind"):
        record_notification(session, kind="", recipients=[], subject="s", ok=True)
