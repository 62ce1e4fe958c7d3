"""The parser pool of :mod:`tasks.parsing`: who reads a device's answers, and where."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from sop.platforms import Captures, get_platform
from tasks import parsing
from tests.sop.platforms.casefiles import FIXTURES, load_captures


@pytest.fixture
def bare_captures() -> Captures:
    """A lab switch's recorded answers, without templates (as a session gives them)."""
    captures = load_captures(get_platform("cisco_ios"), FIXTURES / "cisco_ios" / "lab_sw01")
    return Captures(getters=captures.getters, commands=captures.commands)


@pytest.fixture
def started_pool() -> Iterator[None]:
    """The process-wide pool, started as an earlier collection in the process would."""
    parsing.warm_up(1)
    yield
    parsing.shutdown()


def test_no_workers_parses_in_the_callers_thread_even_with_a_pool(
    started_pool: None, bare_captures: Captures
) -> None:
    """SIGAP_PARSE_WORKERS=0 holds although another collection started the pool: the
    answers are read before submit_parse returns, so inside the caller's session slot."""
    threads: list[str] = []
    future = parsing.submit_parse("cisco_ios", bare_captures, (), workers=0)
    assert future.done()
    future.add_done_callback(lambda _: threads.append(threading.current_thread().name))
    assert threads == [threading.current_thread().name]
    assert future.result().facts.hostname == "sw01"


def test_workers_parse_in_the_pool(started_pool: None, bare_captures: Captures) -> None:
    future = parsing.submit_parse("cisco_ios", bare_captures, (), workers=1)
    assert future.result(timeout=60).facts.hostname == "sw01"
    assert parsing._pool is not None
