"""Helper processes that end with the process that started them.

SIGAP's flows start helper processes: session workers
(:mod:`tasks.session_workers`) and the parse pool (:mod:`tasks.parsing`). When
the flow's process is killed (``kill -9``, the OOM killer, a runner that kills
it), nothing runs in it any more to stop them; a helper must notice itself.
:func:`exit_with_parent` is called first thing in each helper: a watchdog thread
checks every :data:`WATCH_INTERVAL` seconds whether the parent is still there
(``os.getppid()`` changes when it dies: the helper is re-parented) and ends the
helper at once. On Linux the kernel can also do it (``PR_SET_PDEATHSIG``), but
that signal follows the parent *thread* that started the helper, so it is only
asked for where that thread lives as long as the helper is needed.

Everything here is POSIX; the kernel signal is Linux only.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time

WATCH_INTERVAL = 0.5
"""Seconds between two checks of the parent."""

_PR_SET_PDEATHSIG = 1


def kernel_death_signal(sig: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``sig`` to this process when the thread that started it ends.

    Args:
        sig: The signal.

    Returns:
        Whether the kernel took the request (False on other systems).
    """
    if not sys.platform.startswith("linux"):
        return False
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0)
    return False


def _watch(parent_pid: int, interval: float) -> None:
    while True:
        if os.getppid() != parent_pid:
            os._exit(0)  # no cleanup to wait for: the process that needed us is gone
        time.sleep(interval)


def exit_with_parent(
    parent_pid: int, *, kernel_signal: bool = False, interval: float = WATCH_INTERVAL
) -> None:
    """End this process as soon as ``parent_pid`` is no longer its parent.

    Ends it at once if the parent is already gone (it died while this one started).

    Args:
        parent_pid: The process that started this one.
        kernel_signal: Also ask Linux for ``SIGKILL`` when the starting thread ends
            (only where that thread outlives the need for this process).
        interval: Seconds between two checks.
    """
    if kernel_signal:
        kernel_death_signal()
    if os.getppid() != parent_pid:
        os._exit(0)
    threading.Thread(
        target=_watch, args=(parent_pid, interval), name="sigap-parent-watch", daemon=True
    ).start()
