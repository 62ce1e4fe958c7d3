"""SOP A's collection split by site (pure): queues, devices per site, unanswered sites.

When every site (regional office) has a Prefect worker of its own, SOP A step 4
starts one collection per site on that site's work queue (:mod:`flows.sites`).
This module holds the rules: the queue of a site (:func:`site_queue`), the devices
per queue in inventory order (:func:`plan_sites`), and the Indonesian reason a site
gets when its run did not come back (:func:`unanswered_reason`); the devices of such
a site are recorded ``unreachable`` with that reason, so every device has an outcome.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sop.review import ROUND_DONE, ROUNDS_KEY

NO_SITE_QUEUE = "tanpa-situs"
"""The queue of the hosts whose inventory entry names no site."""

ANSWERED_STATE = "COMPLETED"
"""The Prefect state type of a site's run that came back."""

UNANSWERED_OUTCOME = "unreachable"
"""The outcome of the devices of a site whose run did not come back."""


@dataclass(frozen=True)
class SitePlan:
    """The devices one site's worker collects.

    Attributes:
        site: The inventory site, ``None`` for hosts without one.
        queue: The work queue its run goes to (:func:`site_queue`).
        hosts: Host names, in inventory order.
    """

    site: str | None
    queue: str
    hosts: tuple[str, ...]

    @property
    def label(self) -> str:
        """The site as people read it (the queue's name for hosts without a site).

        Examples:
            >>> SitePlan(None, "tanpa-situs", ("a",)).label
            'tanpa-situs'
        """
        return self.site or self.queue


@dataclass(frozen=True)
class UnansweredSite:
    """A site whose collection did not come back, and why (Indonesian).

    Attributes:
        site: The site (queue name for hosts without a site).
        reason: Why, e.g. ``situs pusat: worker tidak menjawab dalam 900 detik``.
        hosts: Its devices, recorded ``unreachable`` with the reason.
    """

    site: str
    reason: str
    hosts: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        """Plain data, for a step's outputs.

        Examples:
            >>> UnansweredSite("a", "r", ("h",)).as_dict()
            {'site': 'a', 'reason': 'r', 'hosts': ['h']}
        """
        return {"site": self.site, "reason": self.reason, "hosts": list(self.hosts)}


def site_queue(site: str | None) -> str:
    """The work queue of a site: its name; hosts without a site go to ``tanpa-situs``.

    Examples:
        >>> site_queue("kanwil-ternate"), site_queue(None), site_queue("  ")
        ('kanwil-ternate', 'tanpa-situs', 'tanpa-situs')
    """
    name = (site or "").strip()
    return name or NO_SITE_QUEUE


def plan_sites(hosts: Iterable[tuple[str, str | None]]) -> list[SitePlan]:
    """Group hosts by site: one plan per queue, in order of first appearance.

    Args:
        hosts: ``(host name, site)`` in inventory order.

    Returns:
        The plans; each host is in exactly one.

    Examples:
        >>> for p in plan_sites([("sw1", "b"), ("sw2", "a"), ("sw3", "b"), ("x", None)]):
        ...     print(p.queue, p.hosts)
        b ('sw1', 'sw3')
        a ('sw2',)
        tanpa-situs ('x',)
        >>> plan_sites([])
        []
    """
    by_queue: dict[str, tuple[str | None, list[str]]] = {}
    for name, site in hosts:
        queue = site_queue(site)
        entry = by_queue.setdefault(queue, (site.strip() if site and site.strip() else None, []))
        entry[1].append(name)
    return [SitePlan(site, queue, tuple(names)) for queue, (site, names) in by_queue.items()]


def unanswered_reason(
    site: str, state: str | None, *, waited: float, message: str | None = None
) -> str | None:
    """Why a site's collection counts as not answered, or None when it came back.

    Args:
        site: The site (its label).
        state: The Prefect state type of its run when the wait ended (``COMPLETED``,
            ``FAILED``, ``SCHEDULED`` ...), ``None`` when no run could be created.
        waited: Seconds SOP A waited (``SIGAP_SITE_WAIT``).
        message: The state's message (or why the run could not be created).

    Returns:
        An Indonesian reason, or None for a run that completed.

    Examples:
        >>> unanswered_reason("pusat", "COMPLETED", waited=900)
        >>> unanswered_reason("pusat", "SCHEDULED", waited=900)
        'situs pusat: worker tidak menjawab dalam 900 detik'
        >>> unanswered_reason("pusat", "RUNNING", waited=30)
        'situs pusat: pengumpulan belum selesai dalam 30 detik, dihentikan'
        >>> unanswered_reason("b", "CRASHED", waited=9, message="Flow run process exited")
        'situs b: pengumpulan berakhir Crashed (Flow run process exited)'
        >>> unanswered_reason("b", None, waited=9, message="deployment tidak ada")
        'situs b: run pengumpulan tidak dapat dibuat (deployment tidak ada)'
    """
    if state == ANSWERED_STATE:
        return None
    seconds = f"{waited:g}"
    if state is None:
        return f"situs {site}: run pengumpulan tidak dapat dibuat ({_short(message)})"
    if state in ("SCHEDULED", "PENDING", "PAUSED"):
        return f"situs {site}: worker tidak menjawab dalam {seconds} detik"
    if state in ("RUNNING", "CANCELLING"):
        return f"situs {site}: pengumpulan belum selesai dalam {seconds} detik, dihentikan"
    detail = f" ({_short(message)})" if message else ""
    return f"situs {site}: pengumpulan berakhir {state.title()}{detail}"


def _short(text: str | None, limit: int = 300) -> str:
    r"""One line of at most ``limit`` characters.

    Examples:
        >>> _short("a\n b" + "x" * 400)[:6], len(_short("x" * 400))
        ('a bxxx', 300)
    """
    return " ".join((text or "tanpa keterangan").split())[:limit]


def missing_reason(site: str) -> str:
    """The reason of a device a site's finished collection did not record.

    Examples:
        >>> missing_reason("pusat")
        'situs pusat: perangkat tidak ada dalam hasil pengumpulan situs'
    """
    return f"situs {site}: perangkat tidak ada dalam hasil pengumpulan situs"


def still_unanswered(
    rounds: Iterable[tuple[str, dict[str, object]]], final_runs: dict[str, int]
) -> list[UnansweredSite]:
    """The sites the month's report lists as not answered.

    A site that did not answer in a round of step 4 is listed while some of its
    devices still have that round's ``unreachable`` record as their result of the
    month (a later round that collected them again replaces it).

    Args:
        rounds: ``(status, outputs)`` of the step-4 logs, oldest first; only
            ``completed`` ones count.
        final_runs: Device name -> the collection run of its result of the month.

    Returns:
        The sites with the devices still affected, oldest round first.

    Examples:
        >>> rounds = [("completed", {"collection_run_ids": [1, 2], "unanswered_sites": [
        ...     {"site": "c", "reason": "r", "hosts": ["x", "y"]}]})]
        >>> still_unanswered(rounds, {"x": 2, "y": 2, "a": 1})
        [UnansweredSite(site='c', reason='r', hosts=('x', 'y'))]
        >>> still_unanswered(rounds, {"x": 5, "y": 2})[0].hosts
        ('y',)
        >>> still_unanswered(rounds, {"x": 5, "y": 5})
        []
    """
    found: list[UnansweredSite] = []
    for status, outputs in rounds:
        ids = outputs.get(ROUNDS_KEY)
        sites = outputs.get("unanswered_sites")
        if status != ROUND_DONE or not isinstance(ids, list) or not isinstance(sites, list):
            continue
        for entry in sites:
            if not isinstance(entry, dict):
                continue
            hosts = tuple(str(h) for h in entry.get("hosts") or () if final_runs.get(str(h)) in ids)
            if hosts:
                found.append(
                    UnansweredSite(str(entry.get("site")), str(entry.get("reason")), hosts)
                )
    return found
