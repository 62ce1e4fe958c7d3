"""Read an office's device list from CSV or XLSX into a header row and data rows."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

from sop.problems import ConfigError, Problem

#: A data row: its spreadsheet row number (header = row 1) and its cells.
Row = tuple[int, list[Any]]


def read_table(path: Path) -> tuple[list[str], list[Row]]:
    """Read the first sheet of an XLSX file, or a CSV file.

    CSV files may be separated by commas, semicolons (Excel in Indonesian
    locale) or tabs, and may start with a UTF-8 byte-order mark. Rows with
    no value at all are skipped.

    Args:
        path: A ``.csv``, ``.xlsx`` or ``.xlsm`` file.

    Returns:
        ``(headers, rows)``; the header is row 1.

    Raises:
        ConfigError: The file is missing, unreadable, of another type, or empty.
    """
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ConfigError([Problem(str(path), None, "", "file not found")])
    if suffix == ".csv":
        table = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        table = _read_xlsx(path)
    else:
        raise ConfigError(
            [Problem(str(path), None, "", "unsupported file type: use .csv or .xlsx")]
        )
    numbered = [(i, row) for i, row in enumerate(table, start=1) if any(_filled(c) for c in row)]
    if not numbered or numbered[0][0] != 1:
        raise ConfigError(
            [Problem(str(path), 1, "", "row 1 must be the header row (column names)")]
        )
    headers = [str(c).strip() if c is not None else "" for c in numbered[0][1]]
    return headers, numbered[1:]


def _filled(cell: Any) -> bool:
    return cell is not None and str(cell).strip() != ""


def _read_csv(path: Path) -> list[list[Any]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            [Problem(str(path), None, "", f"cannot read file (save it as UTF-8 CSV): {exc}")]
        ) from None
    first_line = text.splitlines()[0] if text else ""
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _read_xlsx(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ConfigError(
            [Problem(str(path), None, "", f"cannot read spreadsheet: {exc}")]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
