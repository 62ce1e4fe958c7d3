"""What every SOP flow loads before its first step: settings, office, SOP definitions, records.

A flow opens its context once and works inside it; the records engine is made
the first time it is used and disposed when the block ends::

    with load_context(office_file, database_url) as context:
        sop = context.sop("D3")
        ...  # context.engine, context.office, context.settings
        context.procedure("D3", run_key=..., title=..., parameters=..., handlers=...).run()
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy.engine import Engine

from config.office_file import load_office
from config.settings import Settings, load_settings
from config.sop_files import load_sops
from flows.engine import Procedure, StepHandler
from records.db import make_engine
from sop.model import SopDefinition
from sop.office import Office


@dataclass
class FlowContext:
    """The office, its SOPs, the settings and the records database of one flow run.

    Use it as a context manager: the engine (made on first use) is disposed at the end.

    Attributes:
        settings: SIGAP settings.
        office: The office configuration.
        sops: Code -> SOP definition (the office's own ``sop_dir`` or the built-ins).
        database_url: The records database URL (the argument, or the settings' default).
    """

    settings: Settings
    office: Office
    sops: Mapping[str, SopDefinition]
    database_url: str
    _engine: Engine | None = field(default=None, init=False, repr=False)

    @property
    def engine(self) -> Engine:
        """The records engine, made on first use."""
        if self._engine is None:
            self._engine = make_engine(self.database_url)
        return self._engine

    def sop(self, code: str) -> SopDefinition:
        """The definition of SOP ``code``.

        Raises:
            KeyError: The office's SOPs have no such code.
        """
        return self.sops[code]

    def procedure(
        self,
        code: str,
        *,
        run_key: str,
        title: str,
        parameters: Mapping[str, Any],
        handlers: Mapping[int, StepHandler],
        actor: str | None = None,
        subject: str | None = None,
    ) -> Procedure:
        """A run of SOP ``code`` on this context's records, office and settings.

        Args:
            code: The SOP's code (:meth:`sop`).
            run_key: The run's key; a run recorded under it continues.
            title: The run's human title.
            parameters: The flow's arguments as JSON data (stored with the run).
            handlers: One handler per step number (:meth:`flows.engine.StepMethods.handlers`).
            actor: Who performs the automatic steps (default: each step role's first holder).
            subject: Who the run is about, for its name in the Prefect UI.

        Returns:
            The procedure, not started yet (:meth:`flows.engine.Procedure.run`).

        Raises:
            KeyError: The office's SOPs have no such code.
            ValueError: A step of the SOP has no handler.
        """
        return Procedure(
            engine=self.engine,
            office=self.office,
            settings=self.settings,
            sop=self.sop(code),
            run_key=run_key,
            title=title,
            parameters=dict(parameters),
            handlers=handlers,
            actor=actor,
            subject=subject,
        )

    def close(self) -> None:
        """Dispose of the records engine, if one was made."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> FlowContext:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def load_context(
    office_file: str | Path | None,
    database_url: str | None,
    *,
    settings: Settings | None = None,
) -> FlowContext:
    """Load what a flow needs: settings, office, SOP definitions; the engine comes on first use.

    Args:
        office_file: Office configuration file (default: the settings' ``SIGAP_OFFICE``).
        database_url: Records database (default: the settings' ``SIGAP_DATABASE_URL``).
        settings: Settings already loaded (default: :func:`config.settings.load_settings`).

    Returns:
        The flow's context; use it in a ``with`` block so the engine is disposed.

    Raises:
        sop.problems.ConfigError: The office file or its SOP definitions are missing or
            invalid.
    """
    settings = settings or load_settings()
    office = load_office(Path(office_file) if office_file else settings.office_file)
    return FlowContext(
        settings=settings,
        office=office,
        sops=load_sops(office.sop_dir),
        database_url=database_url or settings.database_url,
    )
