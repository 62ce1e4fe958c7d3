"""The pure rules of SOP A's per-site collection (sop/sites.py): queues, plans, reasons."""

from __future__ import annotations

import pytest

from sop.review import counted_rounds
from sop.sites import (
    NO_SITE_QUEUE,
    plan_sites,
    site_queue,
    still_unanswered,
    unanswered_reason,
)


def test_every_host_is_in_exactly_one_site_plan_in_inventory_order() -> None:
    hosts = [("a1", "utara"), ("x", None), ("b1", "selatan"), ("a2", "utara"), ("y", " ")]
    plans = plan_sites(hosts)
    assert [(p.queue, p.site, p.hosts) for p in plans] == [
        ("utara", "utara", ("a1", "a2")),
        (NO_SITE_QUEUE, None, ("x", "y")),
        ("selatan", "selatan", ("b1",)),
    ]
    assert sorted(h for p in plans for h in p.hosts) == sorted(name for name, _ in hosts)
    assert plans[1].label == "tanpa-situs"


def test_site_queue_is_the_site_name() -> None:
    assert site_queue(" kanwil-ternate ") == "kanwil-ternate"
    assert site_queue(None) == site_queue("") == "tanpa-situs"


@pytest.mark.parametrize(
    ("state", "message", "expected"),
    [
        ("COMPLETED", None, None),
        ("SCHEDULED", None, "situs c: worker tidak menjawab dalam 45 detik"),
        ("PENDING", None, "situs c: worker tidak menjawab dalam 45 detik"),
        ("RUNNING", None, "situs c: pengumpulan belum selesai dalam 45 detik, dihentikan"),
        ("FAILED", "ConfigError: hosts.yaml:3", "situs c: pengumpulan berakhir Failed "
         "(ConfigError: hosts.yaml:3)"),
        ("CRASHED", None, "situs c: pengumpulan berakhir Crashed"),
        ("CANCELLED", "by a person", "situs c: pengumpulan berakhir Cancelled (by a person)"),
        (None, "ObjectNotFound", "situs c: run pengumpulan tidak dapat dibuat (ObjectNotFound)"),
    ],
)  # fmt: skip
def test_only_a_completed_run_counts_as_answered(
    state: str | None, message: str | None, expected: str | None
) -> None:
    assert unanswered_reason("c", state, waited=45, message=message) == expected


def test_a_long_message_is_one_short_line() -> None:
    reason = unanswered_reason("c", "FAILED", waited=1, message="x\n" * 500)
    assert reason is not None and "\n" not in reason and len(reason) < 400


def test_the_report_keeps_a_silent_site_while_its_devices_still_have_that_record() -> None:
    first = {
        "collection_run_ids": [10, 11],
        "unanswered_sites": [{"site": "timur", "reason": "r1", "hosts": ["t1", "t2"]}],
    }
    again = {"collection_run_ids": [12], "unanswered_sites": []}  # t1 collected again
    rounds = [("completed", first), ("completed", again)]
    found = still_unanswered(rounds, {"t1": 12, "t2": 11, "u1": 10})
    assert [(s.site, s.reason, s.hosts) for s in found] == [("timur", "r1", ("t2",))]
    # an unfinished round does not count
    assert still_unanswered([("interrupted", first)], {"t1": 11, "t2": 11}) == []


def test_counted_rounds_read_the_sites_collections_and_old_records() -> None:
    rounds = [
        ("completed", {"collection_run_id": 1}),
        ("completed", {"collection_run_ids": [2, 3]}),
        ("interrupted", {"collection_run_ids": [4]}),
    ]
    assert counted_rounds(rounds) == (1, 2, 3)
