"""The migrations build exactly the models' schema, on both databases."""

from __future__ import annotations

import inspect as pyinspect

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from records.approvals import record_refused_approval
from records.db import current_revision, downgrade, head_revision, init_database, upgrade
from records.models import Base

TABLES = {
    "devices",
    "collection_runs",
    "device_snapshots",
    "checklist_results",
    "sop_runs",
    "step_logs",
    "sla_breaches",
    "notifications",
    "approvals",
    "refused_approvals",
    "security_findings",
    "assets",
    "asset_events",
    "incidents",
    "monitoring_runs",
    "monitoring_hosts",
    "monitoring_findings",
    "evidence_files",
    "visits",
    "used_totp_steps",
}
# sop_code is "A".."E"/"D4"; config_hash is the sha256 of the sanitised config.
NOT_SECRETS = {"sop_runs.sop_code", "device_snapshots.config_hash", "incidents.sop_code"}
SECRET_WORDS = ("code", "secret", "password", "otp", "token", "pin", "hash", "totp")


def test_init_creates_schema_then_is_idempotent(empty_db_url: str) -> None:
    assert current_revision(empty_db_url) is None
    first = init_database(empty_db_url)
    assert (first.before, first.after, first.changed) == (None, head_revision(), True)
    second = init_database(empty_db_url)
    assert (second.before, second.after, second.changed) == (head_revision(),) * 2 + (False,)
    assert current_revision(empty_db_url) == head_revision()


def test_migrated_schema_matches_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
        tables = set(inspect(connection).get_table_names())
    assert diff == []
    assert tables == TABLES | {"alembic_version"}


def test_downgrade_to_base_and_back(db_url: str, engine: Engine) -> None:
    downgrade(db_url, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    assert current_revision(db_url) is None
    assert init_database(db_url).after == head_revision()


def test_refused_approvals_cannot_hold_a_code(engine: Engine) -> None:
    columns = {c["name"] for c in inspect(engine).get_columns("refused_approvals")}
    assert columns == {
        "id",
        "sop_run_id",
        "step_number",
        "attempted_username",
        "reason",
        "refused_at",
    }
    params = set(pyinspect.signature(record_refused_approval).parameters)
    for name in columns | params:
        assert not set(name.split("_")) & set(SECRET_WORDS), name


def test_no_table_has_a_secret_column(engine: Engine) -> None:
    inspector = inspect(engine)
    for table in TABLES:
        for column in inspector.get_columns(table):
            name = column["name"]
            if f"{table}.{name}" in NOT_SECRETS:
                continue
            assert not set(name.split("_")) & set(SECRET_WORDS), f"{table}.{name}"


def test_0009_masks_the_id_numbers_stored_whole_before(db_url: str, engine: Engine) -> None:
    downgrade(db_url, "0008")
    columns = (
        "number, office, visitor_name, organisation, id_type, id_number, purpose, "
        "planned_start, planned_end, escort, registered_by, devices_in, status, "
        "id_deposited, devices_out, explanations, badge_returned, created_at"
    )
    with engine.begin() as connection:
        for number, id_number in (
            ("KRS-2026-0001", "8271 0345 0690 0001"),
            ("KRS-2026-0002", "B12"),
        ):
            connection.execute(
                text(
                    f"INSERT INTO visits ({columns}) VALUES (:number, 'Kanwil', 'Andi', 'PT', "
                    "'KTP', :id_number, 'disk', :t, :t, 'nurul', 'sahrul', '[]', 'archived', "
                    "false, '[]', '{}', true, :t)"
                ),
                {"number": number, "id_number": id_number, "t": "2026-12-01 09:00:00+00:00"},
            )
    upgrade(db_url, "0009")
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT id_number FROM visits ORDER BY number")).all()
    assert [s for (s,) in stored] == ["************0001", "***"]
    downgrade(db_url, "0008")  # nothing to undo: the numbers stay masked
    with engine.connect() as connection:
        again = connection.execute(text("SELECT id_number FROM visits ORDER BY number")).all()
    assert again == stored
