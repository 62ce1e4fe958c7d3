"""`sigap people` commands: list the office's people and set their approval codes.

Approval codes are typed without echo, checked against the code policy and
stored only as an scrypt hash; they are never printed, logged or written.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

import typer
from rich.console import Console

from sigap.commands.office_cmd import echo_problems, load_or_exit, office_path, people_table
from sop.codes import code_policy_problems, hash_code
from sop.office import parse_office, set_code_hash
from sop.problems import ConfigError, Problem

app = typer.Typer(
    help="People of the office: list them, set their personal approval codes.",
    no_args_is_help=True,
)

OFFICE_OPT = typer.Option(
    None,
    "--office",
    help="Office YAML file (default: $SIGAP_OFFICE or <data dir>/office.yaml).",
    show_default=False,
)

# A well-formed hash of nothing in particular, used to try the edit before prompting.
_PLACEHOLDER_HASH = "scrypt$16384$8$1$" + "A" * 22 + "==$" + "A" * 43 + "="


def blocking_problems(text: str, file: str, username: str) -> list[Problem]:
    """Problems that stop ``set-code`` for ``username`` (empty list: go ahead).

    The person's own approval entry may be wrong (a plain ``code:`` is exactly
    what set-code repairs); anything else wrong in the file must be fixed first.

    Args:
        text: The office YAML text.
        file: Its path, for problems.
        username: Whose code will be set.

    Returns:
        The problems, each naming file, line and field.
    """
    own = f"people.{username}.approval"
    try:
        parse_office(text, file)
    except ConfigError as exc:
        others = [p for p in exc.problems if not p.field.startswith(own)]
        if others:
            return others
    try:
        parse_office(set_code_hash(text, username, _PLACEHOLDER_HASH, file=file), file)
    except ConfigError as exc:
        return exc.problems
    return []


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path``'s content with ``text`` via a temporary file and a rename.

    The file keeps its permissions; readers never see a half-written file.

    Args:
        path: The file to replace (a symlink is followed).
        text: The new content.
    """
    target = path.resolve()
    mode = stat.S_IMODE(target.stat().st_mode)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@app.command("set-code")
def set_code(
    username: str = typer.Argument(..., help="Username of the person, as in the office file."),
    office: Path | None = OFFICE_OPT,
) -> None:
    """Set USERNAME's personal approval code (asked twice, not echoed; stored as a hash)."""
    path = office_path(office)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        echo_problems([Problem(str(path), None, "", "office file not found")])
        raise typer.Exit(1) from None
    problems = blocking_problems(text, str(path), username)
    if problems:
        echo_problems(problems)
        raise typer.Exit(1)
    code = typer.prompt(
        f"New approval code for {username}", hide_input=True, confirmation_prompt=True
    )
    refused = code_policy_problems(code, username)
    if refused:
        for message in refused:
            typer.echo(f"refused: {message}", err=True)
        typer.echo(f"{path}: nothing was changed.", err=True)
        raise typer.Exit(1)
    new_text = set_code_hash(text, username, hash_code(code), file=str(path))
    del code
    parse_office(new_text, str(path))  # the file must still be valid before it is written
    write_atomically(path, new_text)
    typer.echo(f"Approval code set for {username} in {path} (stored as a scrypt hash).")


@app.command("list")
def list_people(office: Path | None = OFFICE_OPT) -> None:
    """List people: username, name, NIP, roles (office titles), approval (never the hash)."""
    path = office_path(office)
    loaded = load_or_exit(path)
    Console().print(people_table(loaded))
    for warning in loaded.warnings:
        typer.echo(f"warning: {warning}", err=True)
