"""What a spreadsheet cell may hold, and how text is made safe to write back (pure).

Every cell of an imported CSV/XLSX (inventory or asset register) is checked by
:func:`cell_problem` before any row is interpreted: text longer than
:data:`MAX_CELL_CHARS`, control characters (NUL, escape ...) and text that a
spreadsheet would run as a formula (OWASP "CSV injection": a first character
``=``, ``+``, ``-``, ``@``, tab or carriage return) are refused. Exports pass
every text cell through :func:`escape_formula`, whatever way the text got in.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from typing import Any

MAX_CELL_CHARS = 1000
"""Longest text accepted in one cell (the records' longest text columns hold 255)."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)*$")


def _harmless(text: str) -> bool:
    """A plain number (``-5``, ``+62``) or only dashes (``-``, ``--``: "none")."""
    return bool(_NUMBER.match(text)) or set(text) == {"-"}


def formula_like(text: str) -> bool:
    r"""Whether a spreadsheet would read ``text`` as a formula.

    Args:
        text: A cell's text.

    Returns:
        True when it starts with one of :data:`FORMULA_PREFIXES` and is not a plain
        number or a lone dash.

    Examples:
        >>> [formula_like(t) for t in ("=1+1", "@SUM(A1)", "+cmd", "-2+3", "\tx")]
        [True, True, True, True, True]
        >>> [formula_like(t) for t in ("-", "-5", "+62", "Switch - lantai 2", "")]
        [False, False, False, False, False]
    """
    return text.startswith(FORMULA_PREFIXES) and not _harmless(text)


def cell_problem(value: Any) -> str | None:
    r"""Say why a cell cannot be imported, or return ``None``.

    Args:
        value: The cell as read (``str`` from CSV; ``str``, numbers, dates... from XLSX).

    Returns:
        The reason, or ``None`` for an acceptable cell.

    Examples:
        >>> cell_problem("Switch lantai 2") is None, cell_problem(12.5) is None
        (True, True)
        >>> cell_problem("x" * 5000)
        'teks 5000 karakter, paling banyak 1000 / text of 5000 characters, at most 1000'
        >>> cell_problem("a\x00b")
        'karakter kontrol U+0000 tidak diterima / control character U+0000 is not accepted'
        >>> cell_problem('=HYPERLINK("http://x")')
        "diawali '=': rumus spreadsheet tidak diimpor / starts with '=': spreadsheet formulas are not imported; remove the first character"
        >>> cell_problem(float("nan"))
        'bukan angka / not a number'
    """  # noqa: E501
    if isinstance(value, float) and not math.isfinite(value):
        return "bukan angka / not a number"
    if not isinstance(value, str):
        return None
    if len(value) > MAX_CELL_CHARS:
        return (
            f"teks {len(value)} karakter, paling banyak {MAX_CELL_CHARS} / "
            f"text of {len(value)} characters, at most {MAX_CELL_CHARS}"
        )
    if found := _CONTROL.search(value):
        code = f"U+{ord(found.group()):04X}"
        return f"karakter kontrol {code} tidak diterima / control character {code} is not accepted"
    if formula_like(value):
        first = repr(value[0])
        return (
            f"diawali {first}: rumus spreadsheet tidak diimpor / starts with {first}: "
            "spreadsheet formulas are not imported; remove the first character"
        )
    return None


def text_cell(value: Any) -> str:
    """A cell that must hold text, as text; numbers are turned into text.

    Args:
        value: The cell as read.

    Returns:
        The text, stripped (``""`` for an empty cell); ``22.0`` gives ``"22"``.

    Raises:
        ValueError: A date, time or true/false cell where text is expected.

    Examples:
        >>> text_cell(12345), text_cell(22.0), text_cell(" sw1 "), text_cell(None)
        ('12345', '22', 'sw1', '')
        >>> text_cell(date(2024, 3, 7))
        Traceback (most recent call last):
        ...
        ValueError: sel tanggal, bukan teks / a date cell where text is expected: format the column as Text and type the value again
    """  # noqa: E501
    if isinstance(value, bool):
        raise ValueError(
            "sel benar/salah, bukan teks / a TRUE/FALSE cell where text is expected: "
            "type the value as text"
        )
    if isinstance(value, datetime | date | time | timedelta):
        raise ValueError(
            "sel tanggal, bukan teks / a date cell where text is expected: format the "
            "column as Text and type the value again"
        )
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def escape_formula(value: Any) -> Any:
    r"""Make a text cell safe to open in a spreadsheet; other values are returned as they are.

    Text that a spreadsheet would run as a formula gets a leading ``'`` (OWASP's
    advice for CSV injection); control characters, which XLSX cannot hold, become
    U+FFFD.

    Args:
        value: A cell about to be written.

    Returns:
        The value to write.

    Examples:
        >>> escape_formula("=cmd|' /C calc'!A0"), escape_formula("-"), escape_formula(5)
        ("'=cmd|' /C calc'!A0", '-', 5)
        >>> escape_formula("a\x00b") == "a\ufffdb"
        True
    """
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("\ufffd", value)
    return "'" + value if formula_like(value) else value
