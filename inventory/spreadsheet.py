"""Read an office's device list or asset register from CSV or XLSX: header row and data rows.

A hostile or broken file is refused before it is read into memory, within
seconds, and nothing is imported:

| limit | value |
|---|---|
| :data:`MAX_SPREADSHEET_BYTES` | 20 MiB on disk (CSV or XLSX) |
| :data:`MAX_XLSX_UNCOMPRESSED` | 50 MiB: the XLSX's members once unzipped, from its table of contents |
| :data:`MAX_XLSX_MEMBERS` | 1,000 files inside the XLSX |
| :data:`MAX_XLSX_RATIO` | 200: a member over 1 MiB that unzips to more than 200 times its size |
| :data:`MAX_ROWS` | 20,000 data rows |
| :data:`MAX_COLUMNS` | 100 columns |
| :data:`sop.cells.MAX_CELL_CHARS` | 1,000 characters in one cell |

Every cell is checked by :func:`sop.cells.cell_problem` (length, control
characters, formulas); each problem names the row and the column header.
"""  # noqa: E501

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

from sop.cells import cell_problem
from sop.problems import ConfigError, Problem

#: A data row: its spreadsheet row number (header = row 1) and its cells.
Row = tuple[int, list[Any]]

MAX_SPREADSHEET_BYTES = 20 * 1024 * 1024
"""Largest CSV or XLSX file read (checked before reading)."""

MAX_XLSX_UNCOMPRESSED = 50 * 1024 * 1024
"""Largest total size of an XLSX's members once unzipped (a zip bomb is refused)."""

MAX_XLSX_MEMBERS = 1000
"""Most files inside one XLSX."""

MAX_XLSX_RATIO = 200
"""Largest unzipped/zipped ratio of an XLSX member over 1 MiB."""

MAX_ROWS = 20_000
"""Most data rows (after the header) in one spreadsheet."""

MAX_COLUMNS = 100
"""Most columns in one spreadsheet."""

MAX_PROBLEMS_SHOWN = 50
"""Cell problems listed before the rest are counted in one line."""


def _refuse(path: Path, message: str, line: int | None = None) -> ConfigError:
    return ConfigError([Problem(str(path), line, "", message)])


def check_xlsx_members(path: Path, members: list[zipfile.ZipInfo]) -> None:
    """Refuse an XLSX whose table of contents promises too much (pure, on the zip's infolist).

    Args:
        path: The file, for the problem.
        members: ``ZipFile.infolist()``.

    Raises:
        ConfigError: Too many members, too large once unzipped, or compressed too well.

    Examples:
        >>> big = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        >>> big.file_size, big.compress_size = 200 * 1024 * 1024, 200 * 1024
        >>> check_xlsx_members(Path("bom.xlsx"), [big])
        Traceback (most recent call last):
        ...
        sop.problems.ConfigError: bom.xlsx: unzips to 200.0 MB, more than the limit of 50.0 MB (MAX_XLSX_UNCOMPRESSED): not a spreadsheet SIGAP reads
    """  # noqa: E501
    if len(members) > MAX_XLSX_MEMBERS:
        raise _refuse(
            path, f"holds {len(members)} files, more than {MAX_XLSX_MEMBERS} (MAX_XLSX_MEMBERS)"
        )
    total = sum(m.file_size for m in members)
    if total > MAX_XLSX_UNCOMPRESSED:
        raise _refuse(
            path,
            f"unzips to {total / 1048576:.1f} MB, more than the limit of "
            f"{MAX_XLSX_UNCOMPRESSED / 1048576:.1f} MB (MAX_XLSX_UNCOMPRESSED): "
            "not a spreadsheet SIGAP reads",
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > MAX_XLSX_RATIO:
            raise _refuse(
                path,
                f"{member.filename} unzips to {ratio:.0f} times its size, more than "
                f"{MAX_XLSX_RATIO} (MAX_XLSX_RATIO): not a spreadsheet SIGAP reads",
            )


def cell_problems(path: Path, headers: list[Any], rows: list[Row]) -> list[Problem]:
    """Every refused cell of the header and data rows, each with its row and column.

    Args:
        path: The file, for the problems.
        headers: The header row's cells.
        rows: The data rows.

    Returns:
        The problems (at most :data:`MAX_PROBLEMS_SHOWN`, then one counting the rest).

    Examples:
        >>> for p in cell_problems(Path("a.csv"), ["Nama", "Catatan"], [(2, ["sw1", "=1+1"])]):
        ...     print(p)
        a.csv:2: Catatan: diawali '=': rumus spreadsheet tidak diimpor / starts with '=': spreadsheet formulas are not imported; remove the first character
    """  # noqa: E501
    problems: list[Problem] = []
    total = 0
    names = [str(h).strip() if h is not None else "" for h in headers]
    for number, cells in [(1, headers), *rows]:
        for i, cell in enumerate(cells):
            why = cell_problem(cell)
            if why is None:
                continue
            total += 1
            if len(problems) < MAX_PROBLEMS_SHOWN:
                column = names[i] if i < len(names) and names[i] and number != 1 else ""
                column = column or f"kolom {_letter(i)}"
                problems.append(Problem(str(path), number, column, why))
    if total > len(problems):
        problems.append(
            Problem(str(path), None, "", f"... and {total - len(problems)} more refused cells")
        )
    return problems


def _letter(index: int) -> str:
    """Spreadsheet column letters of a 0-based index (``0`` -> ``A``, ``26`` -> ``AA``)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


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
    size = path.stat().st_size
    if size > MAX_SPREADSHEET_BYTES:
        raise _refuse(
            path,
            f"file is {size / 1048576:.1f} MB, larger than the limit of "
            f"{MAX_SPREADSHEET_BYTES / 1048576:.1f} MB (MAX_SPREADSHEET_BYTES)",
        )
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
    if len(numbered) - 1 > MAX_ROWS:
        raise _refuse(path, f"more than {MAX_ROWS:,} data rows (MAX_ROWS): split the file")
    problems = cell_problems(path, numbered[0][1], numbered[1:])
    if problems:
        raise ConfigError(problems)
    headers = [str(c).strip() if c is not None else "" for c in numbered[0][1]]
    return headers, numbered[1:]


def _filled(cell: Any) -> bool:
    return cell is not None and str(cell).strip() != ""


def _check_width(path: Path, number: int, row: list[Any]) -> None:
    if len(row) > MAX_COLUMNS and any(_filled(c) for c in row[MAX_COLUMNS:]):
        raise _refuse(path, f"more than {MAX_COLUMNS} columns (MAX_COLUMNS)", number)


def _read_csv(path: Path) -> list[list[Any]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            [Problem(str(path), None, "", f"cannot read file (save it as UTF-8 CSV): {exc}")]
        ) from None
    first_line = text.splitlines()[0] if text else ""
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table: list[list[Any]] = []
    try:
        for row in reader:
            _check_width(path, reader.line_num, row)
            table.append(row)
            if len(table) > MAX_ROWS + 1 and _filled_rows(table) > MAX_ROWS + 1:
                raise _refuse(path, f"more than {MAX_ROWS:,} data rows (MAX_ROWS): split the file")
    except csv.Error as exc:
        raise _refuse(path, f"not a readable CSV file: {exc}", reader.line_num) from None
    return table


def _filled_rows(table: list[list[Any]]) -> int:
    return sum(1 for row in table if any(_filled(c) for c in row))


def _read_xlsx(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            check_xlsx_members(path, archive.infolist())
        workbook = load_workbook(path, read_only=True, data_only=True)
    except ConfigError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _refuse(path, f"cannot read spreadsheet: {first}") from None
    try:
        if not workbook.worksheets:
            raise _refuse(path, "the workbook has no sheet")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # a declared A1:XFD1048576 does not pad every row
        table: list[list[Any]] = []
        filled = 0
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(row)
            _check_width(path, number, cells)
            table.append(cells[: MAX_COLUMNS + 1])
            filled += any(_filled(c) for c in cells)
            if filled > MAX_ROWS + 1:
                raise _refuse(path, f"more than {MAX_ROWS:,} data rows (MAX_ROWS): split the file")
        return table
    except ConfigError:
        raise
    except Exception as exc:  # a damaged sheet XML, a bad cell type ...
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _refuse(path, f"cannot read spreadsheet: {first}") from None
    finally:
        workbook.close()
