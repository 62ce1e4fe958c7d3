"""After ``make demo``, the README's commands work as written in a fresh shell.

A fresh shell has no SIGAP_* variable, no PREFECT_API_URL: only HOME and PATH
(``env -i``). The demo's data dir is the default one (``~/.local/share/sigap``), whose
``lab/`` holds the session lab (its office and inventory, as ``sigap lab up`` wrote
them), and ``prefect-api.url`` names the demo's Prefect server (as scripts/demo.sh
writes it): here the session's real Prefect server.

The commands run through ``sigap.cli:main``, the console script's entry point, with
this checkout's code (``python -c``, from the repository's root, instead of the
virtualenv's ``sigap`` script, which runs the checkout it was installed from).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowFilter, FlowFilterName

from lab.envfile import env_file, parse_env_text
from lab.state import LabState
from sigap.prefect_server import SERVER_FILE

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


@pytest.fixture
def fresh_home(lab: LabState, tmp_path: Path) -> Path:
    """A home whose default SIGAP data dir holds the session lab, as after ``make demo``."""
    home = tmp_path / "home"
    data_dir = home / ".local" / "share" / "sigap"
    data_dir.mkdir(parents=True)
    (data_dir / "lab").symlink_to(lab.lab_dir)
    return home


def sigap(home: Path, *args: str, extra: dict[str, str] | None = None) -> tuple[int, str]:
    """Run ``sigap ARGS`` as ``env -i HOME=home PATH=<venv bin>:/usr/bin:/bin`` would."""
    env = {"HOME": str(home), "PATH": f"{VENV_BIN}:/usr/bin:/bin", **(extra or {})}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from sigap.cli import main; sys.argv[0] = 'sigap'; main()",
            *args,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done.returncode, done.stdout + done.stderr


def test_readme_commands_find_the_demo_office_and_inventory(fresh_home: Path) -> None:
    lab_dir = fresh_home / ".local/share/sigap/lab"
    code, out = sigap(fresh_home, "init")
    assert code == 0, out
    code, out = sigap(fresh_home, "office", "check")
    assert code == 0, out
    assert f"OK: {lab_dir}/office.yaml: Laboratorium SIGAP" in out
    code, out = sigap(fresh_home, "inventory", "check")
    assert code == 0, out
    assert out.startswith("OK: 5 hosts") and "linux01" in out, out  # the session lab's five
    code, out = sigap(fresh_home, "sop", "list")
    assert code == 0, out
    assert "Pemeliharaan" in out and "D6" in out  # the demo office runs every SOP
    code, out = sigap(fresh_home, "people", "list")
    assert code == 0, out
    assert "rahmat" in out and "scrypt" not in out
    code, out = sigap(fresh_home, "approvals", "list")
    assert code == 0, out
    assert "Tidak ada langkah yang menunggu keputusan" in out


def _collect_runs() -> int:
    with get_client(sync_client=True) as client:
        flows = FlowFilter(name=FlowFilterName(any_=["collect-devices"]))
        return len(client.read_flow_runs(flow_filter=flows))


def test_collect_uses_the_demo_prefect_server_not_a_temporary_one(
    prefect_api, fresh_home: Path
) -> None:
    from prefect.settings import PREFECT_API_URL

    data_dir = fresh_home / ".local/share/sigap"
    (data_dir / SERVER_FILE).write_text(f"{PREFECT_API_URL.value()}\n")
    # the README: `source <data dir>/lab/lab.env` before collecting from the lab by hand
    password = parse_env_text(env_file(data_dir / "lab").read_text())
    assert sigap(fresh_home, "init")[0] == 0
    before = _collect_runs()
    code, out = sigap(fresh_home, "collect", "-f", "name=linux01", "--json", extra=password)
    assert code == 0, out
    assert "temporary server" not in out.lower()
    assert '"ok": 1' in out
    assert _collect_runs() == before + 1  # the run is kept on the demo's server
