"""Every `sigap` command and sub-command answers --help with a description."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.main import get_command
from typer.testing import CliRunner

from sigap.cli import app


def _all_command_paths() -> list[list[str]]:
    root = get_command(app)
    paths: list[list[str]] = []

    def walk(cmd, prefix: list[str]) -> None:
        paths.append(prefix)
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, [*prefix, name])

    walk(root, [])
    return paths


def test_every_command_has_help() -> None:
    runner = CliRunner()
    paths = _all_command_paths()
    expected_groups = {"inventory", "sop", "office", "people", "lab", "init"}
    assert expected_groups <= {p[0] for p in paths if p}
    for path in paths:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output
        cmd = get_command(app)
        for name in path:
            cmd = cmd.commands[name]  # type: ignore[attr-defined]
        assert (cmd.help or "").strip(), f"`sigap {' '.join(path)}` has no help text"


def test_console_script_is_installed() -> None:
    """`pip install -e .` put a `sigap` executable next to the interpreter."""
    exe = Path(sys.executable).with_name("sigap")
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "inventory" in out.stdout and "lab" in out.stdout
