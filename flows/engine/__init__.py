"""The one step engine every SOP runs on (A, B, C, D1-D6, E).

:class:`Procedure` performs an SOP definition's steps from where the run's
records stand (:mod:`records.journal`), pauses for people
(:mod:`flows.approvals`) and branches as the SOP definition says, decisions
included (``answers:`` of a step, :func:`sop.procedure.decision_branch`).
A job class lists its step methods once (:class:`StepMethods`) for the handler map.
"""

from flows.engine.procedure import Procedure, ProcedureResult, StepHandler, StepResult
from flows.engine.steps import StepMethods

__all__ = ["Procedure", "ProcedureResult", "StepHandler", "StepMethods", "StepResult"]
