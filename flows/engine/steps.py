"""A job class whose methods are an SOP's steps: its handler map from one tuple.

A flow's job class (SOP B's visit, C's incident, D1-D6's procedures, E's repair)
has one method per SOP step, named for what the step does, and lists them in SOP
order as :attr:`StepMethods.STEPS` at the end of its body; :meth:`StepMethods.handlers`
is the engine's map from step number to bound method::

    class VisitRun(StepMethods):
        def register(self, procedure, step): ...
        def forward(self, procedure, step): ...

        STEPS = (register, forward)

    Procedure(..., handlers=VisitRun(...).handlers())
"""

from __future__ import annotations

from collections.abc import Callable
from types import MethodType
from typing import ClassVar

from flows.engine.procedure import StepHandler, StepResult


class StepMethods:
    """Base of a job class whose step methods the engine calls, step 1 first."""

    STEPS: ClassVar[tuple[Callable[..., StepResult], ...]] = ()
    """The step methods in SOP order (step 1 first), as the class body names them."""

    def handlers(self) -> dict[int, StepHandler]:
        """The engine's handler map: ``{1: self.<step 1 method>, 2: ...}``.

        Examples:
            >>> class Two(StepMethods):
            ...     def first(self, proc, step): ...
            ...     def second(self, proc, step): ...
            ...     STEPS = (first, second)
            >>> {n: h.__name__ for n, h in Two().handlers().items()}
            {1: 'first', 2: 'second'}
        """
        return {number: MethodType(method, self) for number, method in enumerate(self.STEPS, 1)}
