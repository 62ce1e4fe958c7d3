"""``sigap asset plan|relocate|handover|repair|dispose|evaluate`` as a user types them."""

from __future__ import annotations

from sqlalchemy import func, select
from typer.testing import CliRunner

from records.db import session_scope
from records.models import SopRun
from sigap.cli import app
from tests.flows.assets.conftest import (  # noqa: F401
    ASSET,
    _fast_flow_settings,
    add,
    answer,
    asset,
    db_url,
    engine,
    flow_thread,
    office,
)

TAG = ASSET["tag"]


def _runs(engine) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(SopRun)) or 0)


def test_refused_starts_say_why_and_record_nothing(office: str, db_url: str, engine) -> None:
    add(engine, custodian="lina")
    runner = CliRunner()
    common = ["--office", office, "--database-url", db_url]
    result = runner.invoke(app, ["asset", "dispose", TAG, "--reason", "rusak", *common])
    assert result.exit_code == 1
    assert "D5 Penghapusan ditolak: aset masih dipegang oleh lina" in result.output
    result = runner.invoke(
        app,
        [
            "asset",
            "plan",
            "--item",
            "AP;hardware;2;4500000",
            "--item",
            "Meja;mebel;1;1",
            "--reason",
            "x",
            *common,
        ],
    )
    assert result.exit_code == 1 and "--item 2: category: 'mebel'" in result.output
    result = runner.invoke(app, ["asset", "evaluate", "--period", "2026-13", *common])
    assert result.exit_code == 1 and "period: '2026-13'" in result.output
    assert _runs(engine) == 0


def test_handover_here_waits_for_the_user_and_prints_the_documents(
    prefect_api, office: str, db_url: str, engine, flow_thread
) -> None:
    add(engine)
    runner = CliRunner()
    run = flow_thread(
        runner.invoke,
        app=app,
        args=[
            "asset",
            "handover",
            TAG,
            "--to",
            "lina",
            "--purpose",
            "Jaringan Sekretariat",
            "--as",
            "rusmini",
            "--reference",
            "serah-1",
            "--here",
            "--office",
            office,
            "--database-url",
            db_url,
        ],
    )
    answer(engine, 2, "lina", received=True, configuration="VLAN 20")
    result = run.join(60)
    assert result.exit_code == 0, result.output
    assert "SOP D3 D3/Diskominfo SP Tanah Bumbu/serah-1: selesai" in result.output
    assert "bast.pdf" in result.output and "laporan-instalasi.pdf" in result.output
    assert asset(engine)["custodian"] == "lina"
