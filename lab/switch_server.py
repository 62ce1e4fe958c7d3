"""Run many simulated Cisco IOS switches in one process, one SSH port each.

Usage::

    SIGAP_LAB_PASSWORD=... python -m lab.switch_server --spec switches.json

The spec format is described in :mod:`lab.switch_spec`; the switches in
:mod:`lab.ios_core`. All devices share one Twisted reactor. Once every device
listens, the process prints exactly one line ``READY <n>`` to stdout. Logs go
to stderr and never contain a password. SIGTERM or SIGINT stop it with exit
code 0; a bad spec or an address:port that cannot be bound exits with code 2
and a message naming the device.

Other code starts it with :func:`start_switches` and stops it with
:func:`stop_switches`.
"""

from __future__ import annotations

import argparse
import logging
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from sop.problems import ConfigError

log = logging.getLogger("lab.switch_server")

EXIT_BAD_SETUP = 2


class SwitchServerError(RuntimeError):
    """The switch server did not become ready."""


def serve(spec_path: str, environ: Mapping[str, str]) -> int:
    """Listen for every device of the spec and run until SIGTERM/SIGINT.

    Args:
        spec_path: The JSON spec file.
        environ: Environment holding the passwords.

    Returns:
        The process exit code.
    """
    from fake_switches.transports.ssh_service import SwitchSshService
    from twisted.internet import reactor
    from twisted.internet.error import CannotListenError

    from lab.ios_core import build_core
    from lab.switch_spec import load_spec

    try:
        specs = load_spec(spec_path, environ)
    except ConfigError as exc:
        print(f"switch_server: invalid spec:\n{exc}", file=sys.stderr, flush=True)
        return EXIT_BAD_SETUP
    started = time.time()
    for spec in specs:
        core = build_core(spec, started)
        service = SwitchSshService(
            ip=spec.address,
            port=spec.port,
            switch_core=core,
            users={spec.username: spec.password.encode()},
        )
        try:
            service.hook_to_reactor(reactor)
        except CannotListenError as exc:
            print(
                f"switch_server: device {spec.hostname}: cannot listen on "
                f"{spec.address}:{spec.port}: {exc.socketError}",
                file=sys.stderr,
                flush=True,
            )
            return EXIT_BAD_SETUP
        log.info("%s (%s) listening on %s:%d", spec.hostname, spec.model, spec.address, spec.port)

    def ready() -> None:
        print(f"READY {len(specs)}", flush=True)
        log.info("%d switches ready in %.2f s", len(specs), time.time() - started)

    reactor.callWhenRunning(ready)  # type: ignore[attr-defined]
    reactor.run()  # type: ignore[attr-defined]  # installs SIGTERM/SIGINT handlers
    log.info("stopped")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point.

    Args:
        argv: Arguments (defaults to ``sys.argv[1:]``).

    Returns:
        The process exit code.
    """
    parser = argparse.ArgumentParser(
        prog="python -m lab.switch_server",
        description="Run simulated Cisco IOS switches (SSH) from a JSON spec.",
    )
    parser.add_argument("--spec", required=True, help="JSON spec file of the switches")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # fake-switches logs every received line and every reply at DEBUG/INFO,
    # which would include the enable password: keep it quiet, always.
    logging.getLogger("fake_switches").setLevel(logging.WARNING)
    logging.getLogger("fake_switches").propagate = False
    for handler in logging.getLogger().handlers:  # its transport also logs on the root logger
        handler.addFilter(lambda record: record.name != "root")
    return serve(args.spec, os.environ)


def start_switches(
    spec_path: str | Path,
    env: Mapping[str, str],
    timeout: float = 60.0,
    log_path: str | Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start the switch server in its own session and wait until it is ready.

    Args:
        spec_path: The JSON spec file.
        env: Variables added to this process's environment for the server
            (at least the ones the spec's ``password_env`` names).
        timeout: Seconds to wait for ``READY``.
        log_path: File for the server's stderr; a temporary file when omitted
            (the path is kept as ``proc.log_path``).

    Returns:
        The running process; stop it with :func:`stop_switches`.

    Raises:
        SwitchServerError: The server exited or was not ready in time; the
            message holds its exit code and the tail of its stderr.
    """
    if log_path is None:
        handle, name = tempfile.mkstemp(prefix="sigap-switches-", suffix=".log")
        os.close(handle)
        log_path = name
    log_file = Path(log_path)
    child_env = {**os.environ, **env}
    with log_file.open("ab") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "lab.switch_server", "--spec", str(spec_path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=err,
            env=child_env,
            start_new_session=True,
        )
    proc.log_path = log_file  # type: ignore[attr-defined]
    assert proc.stdout is not None
    line = _read_line(proc.stdout, timeout)
    if line.startswith("READY "):
        return proc
    if proc.poll() is None:
        stop_switches(proc)
        reason = f"not ready after {timeout:.0f} s"
    else:
        reason = f"exited with code {proc.returncode}"
        proc.stdout.close()
    tail = "\n".join(log_file.read_text(errors="replace").splitlines()[-20:])
    raise SwitchServerError(f"switch server {reason}; stderr tail:\n{tail}")


def _read_line(stream: IO[bytes], timeout: float) -> str:
    """One line from a pipe, or ``""`` on EOF or timeout."""
    deadline = time.monotonic() + timeout
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while b"\n" not in buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                return ""
            chunk = os.read(stream.fileno(), 4096)
            if not chunk:
                return ""
            buffer += chunk
    return buffer.split(b"\n", 1)[0].decode(errors="replace")


def stop_switches(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> int:
    """Stop a server started by :func:`start_switches` (SIGTERM, then SIGKILL).

    Args:
        proc: The process.
        timeout: Seconds to wait after SIGTERM.

    Returns:
        Its exit code.
    """
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout)
    if proc.stdout is not None:
        proc.stdout.close()
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
