"""``sigap verify FILE``: who signed an official PDF, when, and whether it changed since.

The QR code of every signature SIGAP puts on a PDF holds this command (or the
office's verification page). Per signature it prints the signer (the certificate's
name), the signing time (in the office's time zone with ``--office``, else UTC),
``utuh`` or ``berubah sejak ditandatangani``, and whether the certificate chains to
the office's trust roots (``signing.trust_roots``) or those given with
``--trust-root``. Exit status 0 when the file is signed and every signature is
intact and trusted, 1 otherwise, 2 when the file cannot be read.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from sigap.commands.errors import exit_with


def verify(
    file: Annotated[Path, typer.Argument(help="The signed PDF.", show_default=False)],
    office: Annotated[
        Path | None,
        typer.Option(
            "--office",
            help="Office YAML file: its trust roots and time zone (default: none, times in UTC).",
            show_default=False,
        ),
    ] = None,
    trust_root: Annotated[
        list[Path] | None,
        typer.Option(
            "--trust-root",
            help="A PEM certificate a signer's chain may end at (repeatable).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check the electronic signatures of a PDF: who signed, when, changed since, trusted."""
    from reports.signing import SigningError, report_lines, report_records, verify_pdf
    from sigap.commands.office_cmd import load_or_exit

    # pyHanko logs a traceback for every chain it cannot build: the line below says it
    logging.getLogger("pyhanko").setLevel(logging.ERROR)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.ERROR)
    roots = list(trust_root or [])
    tz, zone = ZoneInfo("UTC"), "UTC"
    if office is not None:
        loaded = load_or_exit(office)
        if loaded.signing is not None:
            roots = list(loaded.signing.trust_roots) + roots
        tz, zone = loaded.timezone, loaded.timezone_abbrev
    try:
        reports = verify_pdf(file, roots)
    except SigningError as error:
        raise exit_with(str(error), 2) from None
    ok = bool(reports) and all(r.ok for r in reports)
    if as_json:
        typer.echo(
            json.dumps(
                {"file": str(file), "valid": ok, "signatures": report_records(reports)},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        typer.echo(f"{file.name}:")
        for line in report_lines(reports, tz, zone):
            typer.echo(f"  {line}")
        if not roots and reports:
            typer.echo("  (tanpa sertifikat akar tepercaya: berikan --office atau --trust-root)")
        typer.echo("Semua tanda tangan sah." if ok else "Dokumen TIDAK terverifikasi.")
    if not ok:
        raise typer.Exit(1)
