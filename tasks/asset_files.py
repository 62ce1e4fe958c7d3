"""Import the asset register from a CSV/XLSX file and export it back.

The file is read with the inventory import's reader (:func:`inventory.spreadsheet.read_table`),
validated whole by :func:`sop.asset_sheet.rows_to_assets`, and only then written:
one bad row and nothing is added.
"""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from inventory.spreadsheet import read_table
from records.asset_models import Asset
from records.assets import ASSET_FIELDS, add_asset, existing_tags
from sop.asset_sheet import EXPORT_HEADERS, export_rows, rows_to_assets, tag_cells
from sop.problems import ConfigError, Problem


@dataclass(frozen=True)
class ImportResult:
    """What an import found and did.

    Attributes:
        assets: The validated assets' fields, in row order.
        ignored_columns: Headers that name no asset field.
        written: Whether the assets were added (false for a dry run).
    """

    assets: list[dict[str, Any]]
    ignored_columns: list[str]
    written: bool


def import_asset_file(
    session: Session,
    path: Path,
    *,
    dry_run: bool = False,
    actor: str | None = None,
    at: datetime | None = None,
) -> ImportResult:
    """Validate an asset spreadsheet and add its assets to the register.

    Tags repeated in the file or already in the register are refused. The
    caller commits (or rolls back) the session.

    Args:
        session: Open session.
        path: A ``.csv`` or ``.xlsx`` file, one asset per row, header in row 1.
        dry_run: Only validate; add nothing.
        actor: Who imports (recorded on each asset's ``created`` event).
        at: When (aware); default now.

    Returns:
        The validated assets and whether they were written.

    Raises:
        ConfigError: Every problem in the file, each naming the row and column.
    """
    headers, rows = read_table(path)
    registered = existing_tags(session, tag_cells(headers, rows))
    sheet = rows_to_assets(headers, rows, path.name, registered)
    if not dry_run:
        for fields in sheet.assets:
            add_asset(session, procedure="import", actor=actor, at=at, **fields)
    return ImportResult(
        assets=sheet.assets, ignored_columns=sheet.ignored_columns, written=not dry_run
    )


def asset_fields(asset: Asset) -> dict[str, Any]:
    """Return an asset's register fields as a dict.

    Args:
        asset: The asset.

    Returns:
        Field -> value for every field of :data:`records.assets.ASSET_FIELDS`.
    """
    return {name: getattr(asset, name) for name in ASSET_FIELDS}


def export_asset_file(assets: list[Asset], path: Path, lang: str = "id") -> Path:
    """Write assets to a CSV or XLSX file that :func:`import_asset_file` reads back.

    The file is written next to its target and moved in place at the end, so a
    failed export never leaves half a file.

    Args:
        assets: The assets, in the order to write.
        path: Target ``.csv`` or ``.xlsx`` file.
        lang: ``id`` (Indonesian headers, labels, DD/MM/YYYY, Rp) or ``en``.

    Returns:
        ``path``.

    Raises:
        ConfigError: If the file type is not .csv or .xlsx.
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ConfigError(
            [Problem(str(path), None, "", "unsupported file type: use .csv or .xlsx")]
        )
    fields = [asset_fields(a) for a in assets]
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".sigap-export-", suffix=suffix, dir=path.parent)
    os.close(handle)
    staging = Path(name)
    try:
        if suffix == ".csv":
            headers, rows = export_rows(fields, lang)
            with staging.open("w", encoding="utf-8-sig", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(headers)
                writer.writerows(rows)
        else:
            _write_xlsx(staging, *export_rows(fields, lang, typed=True), lang=lang)
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)
    return path


def _write_xlsx(path: Path, headers: list[str], rows: list[list[Any]], lang: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Aset" if lang == "id" else "Assets"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    order = list(EXPORT_HEADERS[lang])
    date_columns = [order.index("acquired_on"), order.index("warranty_end")]
    value_column = order.index("value")
    for number, row in enumerate(rows, start=2):
        sheet.append(row)
        for i in date_columns:
            sheet.cell(number, i + 1).number_format = "DD/MM/YYYY"
        sheet.cell(number, value_column + 1).number_format = "#,##0"
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 50)
    sheet.freeze_panes = "A2"
    workbook.save(path)
