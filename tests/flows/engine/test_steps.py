"""A job class's step methods as the engine's handler map (flows/engine/steps.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.engine import StepMethods, StepResult


@dataclass
class _Job(StepMethods):
    """Three steps that say who they are and what the job holds."""

    holds: str

    def first(self, proc: Any, step: Any) -> StepResult:
        return StepResult(outputs={"step": "first", "holds": self.holds})

    def second(self, proc: Any, step: Any) -> StepResult:
        return StepResult(outputs={"step": "second", "holds": self.holds})

    def _helper(self) -> None:  # not a step: not in STEPS
        raise AssertionError("never a handler")

    def third(self, proc: Any, step: Any) -> StepResult:
        return StepResult(outputs={"step": "third", "holds": self.holds})

    STEPS = (first, second, third)


def test_the_handlers_are_the_steps_in_order_bound_to_the_job() -> None:
    handlers = _Job("x").handlers()
    assert sorted(handlers) == [1, 2, 3]
    assert [handlers[n](None, None).outputs for n in (1, 2, 3)] == [
        {"step": "first", "holds": "x"},
        {"step": "second", "holds": "x"},
        {"step": "third", "holds": "x"},
    ]


def test_each_job_has_its_own_bound_handlers() -> None:
    a, b = _Job("a").handlers(), _Job("b").handlers()
    assert a[2](None, None).outputs["holds"] == "a"
    assert b[2](None, None).outputs["holds"] == "b"


def test_a_job_with_no_steps_has_no_handlers() -> None:
    assert StepMethods().handlers() == {}


def test_the_sop_jobs_list_one_method_per_step_of_their_definition() -> None:
    from config.sop_files import load_sops
    from flows.assets.disposal import DisposalJob
    from flows.assets.evaluation import EvaluationJob
    from flows.assets.handover import HandoverJob
    from flows.assets.planning import PlanningJob
    from flows.assets.relocation import RelocationJob
    from flows.assets.repair import RepairJob
    from flows.incident import IncidentJob
    from flows.server_repair import ServerRepair
    from flows.visits import VisitRun

    sops = load_sops()
    jobs = {
        "B": VisitRun,
        "C": IncidentJob,
        "D1": PlanningJob,
        "D2": RelocationJob,
        "D3": HandoverJob,
        "D4": RepairJob,
        "D5": DisposalJob,
        "D6": EvaluationJob,
        "E": ServerRepair,
    }
    for code, job in jobs.items():
        assert len(job.STEPS) == len(sops[code].steps), code
        assert [s.number for s in sops[code].steps] == list(range(1, len(job.STEPS) + 1)), code
