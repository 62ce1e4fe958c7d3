"""The ``sigap`` command line: one typer app, one sub-app per concern.

Every command started from the root app is guarded the same way (:class:`SigapGroup`):

- the settings (``SIGAP_*``) are read first; a bad value is one line, exit 2;
- a command that takes ``--database-url`` checks the records database before it
  starts (:func:`sigap.commands.errors.require_database`): missing, empty, at an
  older or unknown schema, or unreachable is one line saying what to run
  (`sigap init`), exit 2, and nothing is created. Exceptions: ``init`` and
  ``db-status`` (they look themselves), and ``run maintenance`` / ``run
  monitoring`` without ``--here`` (the deployment's process uses the database);
- a command run ``--here`` (the flow in this process) loads its office file and
  inventory first;
- a :class:`~sop.problems.ConfigError` (a bad inventory, office or spreadsheet
  file) that a command does not report itself is printed as its problems, each
  naming file, line and field, exit 1.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from sigap.commands import (
    approvals_cmd,
    asset_cmd,
    asset_procedures_cmd,
    collect_cmd,
    config_cmd,
    db_cmd,
    hosts_cmd,
    incident_cmd,
    inventory_cmd,
    lab_cmd,
    office_cmd,
    people_cmd,
    report_cmd,
    run_cmd,
    serve_cmd,
    server_cmd,
    sites_cmd,
    sop_cmd,
    verify_cmd,
    visit_cmd,
)

NO_DATABASE_CHECK = frozenset({"init", "db-status"})
"""Commands that look at the database's state themselves."""

DEPLOYMENT_ONLY = frozenset({"run maintenance", "run monitoring"})
"""Commands that use the records database in this process only with ``--here``."""


def _leaves(group: TyperGroup, prefix: str = "") -> Iterator[tuple[str, TyperCommand]]:
    """Every command under ``group`` with its path (``asset import``)."""
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if isinstance(command, TyperGroup):
            yield from _leaves(command, f"{path} ")
        else:
            yield path, command


def _needs_database(path: str, command: TyperCommand, values: dict[str, Any]) -> bool:
    """Whether the command at ``path`` reads or writes the records database here."""
    if path in NO_DATABASE_CHECK or not any(p.name == "database_url" for p in command.params):
        return False
    return path not in DEPLOYMENT_ONLY or bool(values.get("here"))


def _check_flow_files(values: dict[str, Any]) -> None:
    """Load the office file and inventory a flow run ``--here`` reads, before it starts.

    A bad file is then reported as its problems, instead of failing the flow run
    (whose log would show a traceback).

    Raises:
        ConfigError: Every problem of the files.
    """
    from config.office_file import load_office
    from config.settings import load_settings
    from inventory import load_inventory

    settings = load_settings()
    load_office(values.get("office") or settings.office_file)
    if "inventory" in values:
        load_inventory(values.get("inventory") or settings.inventory_dir)


def _guard(path: str, command: TyperCommand) -> None:
    """Wrap the command's callback in the checks every command shares."""
    from config.settings import load_settings
    from sigap.commands.errors import config_failure, exit_with, require_database
    from sop.problems import ConfigError

    callback = command.callback
    if callback is None or getattr(callback, "__sigap_guarded__", False):
        return

    def guarded(**values: Any) -> Any:
        try:
            load_settings()
        except ValueError as error:
            raise exit_with(str(error), 2) from None
        try:
            if _needs_database(path, command, values):
                require_database(values.get("database_url"))
            if values.get("here"):
                _check_flow_files(values)
            return callback(**values)
        except ConfigError as error:
            raise config_failure(error) from None

    wrapped = functools.update_wrapper(guarded, callback)
    wrapped.__sigap_guarded__ = True  # type: ignore[attr-defined]
    command.callback = wrapped


class SigapGroup(TyperGroup):
    """The root command group: guards every command under it (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for path, command in _leaves(self):
            _guard(path, command)


app = typer.Typer(
    name="sigap",
    cls=SigapGroup,
    help="SIGAP: jalankan SOP pemeliharaan TI (run IT maintenance SOPs) as Prefect flows.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(inventory_cmd.app, name="inventory")
app.add_typer(sop_cmd.app, name="sop")
app.add_typer(office_cmd.app, name="office")
app.add_typer(people_cmd.app, name="people")
app.add_typer(lab_cmd.app, name="lab")
app.add_typer(hosts_cmd.app, name="hosts")
app.add_typer(sites_cmd.app, name="sites")
app.add_typer(config_cmd.app, name="config")
app.command("collect")(collect_cmd.collect)
app.add_typer(run_cmd.app, name="run")
app.add_typer(report_cmd.app, name="report")
app.command("serve")(serve_cmd.serve)
app.command("verify")(verify_cmd.verify)
app.add_typer(asset_cmd.app, name="asset")
app.add_typer(visit_cmd.app, name="visit")
app.add_typer(incident_cmd.app, name="incident")
report_cmd.app.command("kunjungan")(visit_cmd.report_kunjungan)
report_cmd.app.command("kerusakan")(server_cmd.report_kerusakan)
incident_cmd.app.command("attach")(server_cmd.attach)
run_cmd.app.command("monitoring")(server_cmd.run_monitoring)
approvals_cmd.register(app)
asset_procedures_cmd.register(asset_cmd.app)
db_cmd.register(app)


def main() -> None:
    """Entry point of the ``sigap`` console script.

    Before any command (and before Prefect is imported) the Prefect defaults of
    :func:`sigap.prefect_server.apply_prefect_defaults` are set: analytics off, and
    the demo's Prefect server when it is running and ``PREFECT_API_URL`` is not set.
    """
    import os

    from config.settings import load_settings
    from sigap.prefect_server import apply_prefect_defaults

    try:
        data_dir = load_settings().data_dir
    except ValueError:  # a bad SIGAP_* value: the command itself reports it
        data_dir = None
    apply_prefect_defaults(os.environ, data_dir)
    app()
