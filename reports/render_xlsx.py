"""The XLSX side of every document (openpyxl): safe cells and styled sheets.

:func:`reports.document.render_xlsx` writes each document's sheets with these: every
sheet has a bold header row, frozen panes below it and column widths fitted to the
content (long texts such as diffs wrap); a text is never a formula.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

EXCEL_CELL_LIMIT = 32_767
"""Most characters one Excel cell holds."""

MIN_WIDTH, MAX_WIDTH, WRAP_WIDTH = 8, 60, 100


def clean_cell(value: Any) -> Any:
    r"""Make a value safe for a cell: no control characters, within Excel's length limit.

    Args:
        value: The value.

    Returns:
        The value, texts cleaned and cut to :data:`EXCEL_CELL_LIMIT` characters.

    Examples:
        >>> clean_cell("a\x00b\x1bc"), clean_cell(3)
        ('abc', 3)
    """
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(value) > EXCEL_CELL_LIMIT:
        value = value[: EXCEL_CELL_LIMIT - 1] + "…"
    return value


def clean_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Apply :func:`clean_cell` to every text column of a copy of ``frame``.

    Args:
        frame: The table.

    Returns:
        The cleaned copy.
    """
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].astype(object).map(clean_cell)
    return out


def _text_width(value: Any) -> int:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0
    return max((len(line) for line in str(value).splitlines()), default=0)


def style_sheet(sheet: Worksheet, frame: pd.DataFrame) -> None:
    """Bold the header, freeze the panes below it and fit the column widths.

    Texts are stored as texts even when they start with ``=`` (never as formulas).

    Args:
        sheet: The sheet the frame was written to (header in row 1).
        frame: The frame written.
    """
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = "A2"
    for index, name in enumerate(frame.columns, start=1):
        values = frame[name].tolist()
        wraps = any(isinstance(v, str) and "\n" in v for v in values)
        widest = max([_text_width(name), *(_text_width(v) for v in values)])
        width = WRAP_WIDTH if wraps else max(MIN_WIDTH, min(MAX_WIDTH, widest + 2))
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
        long_text = wraps or widest > MAX_WIDTH
        for row in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
                if long_text:
                    cell.alignment = Alignment(vertical="top", wrap_text=True)
