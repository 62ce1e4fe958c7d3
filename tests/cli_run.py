"""Run the ``sigap`` CLI in-process the way the hostile-input tests need it."""

from __future__ import annotations

from typer.testing import CliRunner

from sigap.cli import app


def run_cli(*args: str) -> tuple[int, str]:
    """Run the CLI; fail the test if the command raised or printed a traceback.

    Returns:
        The exit code and what the command printed.
    """
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args}: raised {result.exception!r}\n{result.output}")
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output
