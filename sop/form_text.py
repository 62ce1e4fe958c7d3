r"""What text a person may put into an SOP form, pure: length limits and refused characters.

Every answer to a paused SOP run (the Prefect UI's form, ``sigap approve``/``sigap
answer``, or a value written straight to the run's input endpoint) is checked here
before SIGAP reads it. The limits are those of the records database's columns, so
nothing reaches PostgreSQL or SQLite that its columns cannot hold:

- :data:`USERNAME_MAX` characters for a username (``approver``; the ``String(100)``
  actor columns), :data:`CODE_MAX` for an approval code;
- :data:`SHORT_MAX` for one-line values that land in ``String(100)`` columns (a
  provider's ticket, a vendor, a serial number), :data:`NAME_MAX` for names and places
  (``String(255)``);
- :data:`TEXT_MAX` for every other text (notes, plans, analyses), one line or many.

Refused anywhere: NUL and the other control characters (PostgreSQL's ``text`` and
``jsonb`` cannot hold NUL; a control character in a signed document is never meant),
except tab and line ends in multi-line text. Messages are Indonesian and never repeat
the value (it may be a code typed into the wrong field).

The checks are plain functions (:func:`text_problem`) and pydantic types built on them
(:data:`Username`, :data:`ShortText`, :data:`NameText`, :data:`LongText`); a form's
fields use the types, and :func:`walk_problem` checks whatever else came in.

Examples:
    >>> text_problem("Budi", USERNAME_MAX, multiline=False) is None
    True
    >>> text_problem("x" * 101, USERNAME_MAX, multiline=False)
    'terlalu panjang: 101 karakter, paling banyak 100'
    >>> text_problem("baris 1\nbaris 2", TEXT_MAX, multiline=False)
    'tidak boleh berisi karakter kendali (U+000A)'
    >>> text_problem("catatan\x00", TEXT_MAX, multiline=True)
    'tidak boleh berisi karakter kendali (U+0000)'
    >>> text_problem("baris 1\r\nbaris 2\tx", TEXT_MAX, multiline=True) is None
    True
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any

from pydantic import AfterValidator

USERNAME_MAX = 100
"""Longest username (the records' actor and approver columns hold 100)."""

CODE_MAX = 200
"""Longest approval code or TOTP value accepted (never stored)."""

SHORT_MAX = 100
"""Longest one-line value that lands in a ``String(100)`` column (ticket, vendor, serial)."""

NAME_MAX = 255
"""Longest name or place (``String(255)`` columns)."""

TEXT_MAX = 4000
"""Longest free text (a note, a plan, an analysis)."""

MAX_RUPIAH = 10**15
"""Largest amount of money a form accepts (a quadrillion Rupiah; BIGINT holds 9.2e18)."""

ANY_TEXT_MAX = TEXT_MAX
"""Longest text anywhere in an answer, whatever the field (see :func:`walk_problem`)."""

_MULTILINE_ALLOWED = frozenset("\t\n\r")


def _bad_character(value: str, multiline: bool) -> str | None:
    """The first character a form value may not hold, or ``None``."""
    for char in value:
        if multiline and char in _MULTILINE_ALLOWED:
            continue
        category = unicodedata.category(char)
        # Cc: C0/C1 controls (NUL among them); Cs: lone surrogates, which no database
        # encoding can store; line/paragraph separators break one-line values
        if category in ("Cc", "Cs") or (not multiline and category in ("Zl", "Zp")):
            return char
    return None


def text_problem(value: str, limit: int, *, multiline: bool) -> str | None:
    """What is wrong with one text value of a form, or ``None`` (pure).

    Args:
        value: The value as typed.
        limit: Longest length allowed, in characters.
        multiline: Whether tab and line ends are allowed.

    Returns:
        An Indonesian message that does not repeat the value, or ``None``.

    Examples:
        >>> text_problem("", 10, multiline=False) is None
        True
        >>> text_problem("\u2028", 10, multiline=False)
        'tidak boleh berisi karakter kendali (U+2028)'
    """
    if len(value) > limit:
        return f"terlalu panjang: {len(value)} karakter, paling banyak {limit}"
    char = _bad_character(value, multiline)
    if char is not None:
        return f"tidak boleh berisi karakter kendali (U+{ord(char):04X})"
    return None


def _checker(limit: int, multiline: bool) -> Callable[[str], str]:
    def check(value: str) -> str:
        problem = text_problem(value, limit, multiline=multiline)
        if problem is not None:
            raise ValueError(problem)
        return value

    return check


def one_line(limit: int) -> AfterValidator:
    """A pydantic validator for one-line text of at most ``limit`` characters.

    Args:
        limit: Longest length, e.g. the column's.

    Returns:
        Use as ``Annotated[str, one_line(64)]``.

    Examples:
        >>> from pydantic import TypeAdapter
        >>> TypeAdapter(Annotated[str, one_line(3)]).validate_python("abcd")
        Traceback (most recent call last):
        ...
        pydantic_core._pydantic_core.ValidationError: 1 validation error for ...
    """
    return AfterValidator(_checker(limit, multiline=False))


Username = Annotated[str, AfterValidator(_checker(USERNAME_MAX, multiline=False))]
"""A username typed into a form."""

CodeText = Annotated[str, AfterValidator(_checker(CODE_MAX, multiline=False))]
"""An approval code or TOTP value as typed (checked before it becomes a ``SecretStr``)."""

ShortText = Annotated[str, AfterValidator(_checker(SHORT_MAX, multiline=False))]
"""A one-line value for a ``String(100)`` column."""

NameText = Annotated[str, AfterValidator(_checker(NAME_MAX, multiline=False))]
"""A one-line name or place for a ``String(255)`` column."""

LongText = Annotated[str, AfterValidator(_checker(TEXT_MAX, multiline=True))]
"""Free text, possibly over several lines."""


def walk_problem(data: object, path: str = "", depth: int = 0) -> str | None:
    r"""The first text anywhere in raw form data that no field may hold, or ``None`` (pure).

    Checks every text (keys included) in nested mappings and lists against
    :data:`ANY_TEXT_MAX` and refuses NUL and lone surrogates everywhere: the fields' own
    types check the rest. Data nested deeper than 20 levels is refused.

    Args:
        data: The answer as it came in (JSON data).
        path: Where ``data`` sits, for the message.
        depth: How deep ``data`` sits.

    Returns:
        ``field: problem``, or ``None``.

    Examples:
        >>> walk_problem({"note": "ok", "devices": [{"serial": "A\x00"}]})
        'devices.0.serial: tidak boleh berisi karakter kendali (U+0000)'
        >>> walk_problem({"x" * 5000: 1})
        'jawaban: nama isian tidak sah (terlalu panjang atau karakter kendali)'
        >>> walk_problem({"a": [1, 2.5, None, True]}) is None
        True
    """
    where = path or "jawaban"
    if depth > 20:
        return f"{where}: isian bersarang terlalu dalam"
    if isinstance(data, str):
        if len(data) > ANY_TEXT_MAX:
            return f"{where}: terlalu panjang: {len(data)} karakter, paling banyak {ANY_TEXT_MAX}"
        bad = next((c for c in data if c == "\x00" or unicodedata.category(c) == "Cs"), None)
        if bad is not None:
            return f"{where}: tidak boleh berisi karakter kendali (U+{ord(bad):04X})"
        return None
    if isinstance(data, Mapping):
        for key, value in data.items():
            if not isinstance(key, str) or len(key) > 100 or walk_problem(key, "", depth + 1):
                return "jawaban: nama isian tidak sah (terlalu panjang atau karakter kendali)"
            problem = walk_problem(value, f"{path}.{key}" if path else key, depth + 1)
            if problem is not None:
                return problem
        return None
    if isinstance(data, list | tuple):
        if len(data) > 1000:
            return f"{where}: terlalu banyak isian ({len(data)}), paling banyak 1000"
        for index, value in enumerate(data):
            problem = walk_problem(value, f"{path}.{index}" if path else str(index), depth + 1)
            if problem is not None:
                return problem
    return None


_ERROR_TEXT: dict[str, str] = {
    "missing": "wajib diisi",
    "string_type": "harus berupa teks",
    "literal_error": "bukan pilihan yang sah",
    "enum": "bukan pilihan yang sah",
    "int_type": "harus berupa bilangan bulat",
    "int_parsing": "harus berupa bilangan bulat",
    "int_from_float": "harus berupa bilangan bulat",
    "bool_type": "harus ya atau tidak",
    "bool_parsing": "harus ya atau tidak",
    "list_type": "harus berupa daftar",
    "dict_type": "harus berupa pasangan isian",
    "model_type": "harus berupa isian bertingkat",
    "model_attributes_type": "harus berupa isian bertingkat",
    "datetime_type": "bukan tanggal dan jam yang sah",
    "datetime_parsing": "bukan tanggal dan jam yang sah",
    "datetime_from_date_parsing": "bukan tanggal dan jam yang sah",
    "timezone_aware": "harus dengan zona waktu",
    "date_type": "bukan tanggal yang sah",
    "date_parsing": "bukan tanggal yang sah",
    "date_from_datetime_parsing": "bukan tanggal yang sah",
    "greater_than_equal": "terlalu kecil",
    "less_than_equal": "terlalu besar",
    "too_long": "terlalu panjang",
    "string_too_long": "terlalu panjang",
    "extra_forbidden": "bukan isian formulir ini",
}


def describe_errors(errors: Sequence[Mapping[str, Any]], limit: int = 3) -> str:
    """Say in Indonesian which fields of an answer were refused, never their values (pure).

    Args:
        errors: pydantic's ``ValidationError.errors(include_input=False)``.
        limit: How many fields to name.

    Returns:
        ``field: problem; field: problem`` (at most ``limit``, then a count).

    Examples:
        >>> describe_errors([{"type": "missing", "loc": ("approver",), "msg": "Field required"},
        ...                  {"type": "value_error", "loc": ("note",),
        ...                   "msg": "Value error, terlalu panjang: 5000 karakter, "
        ...                          "paling banyak 4000"}])
        'approver: wajib diisi; note: terlalu panjang: 5000 karakter, paling banyak 4000'
        >>> describe_errors([{"type": "x", "loc": (), "msg": "?"}] * 5, limit=2)
        'jawaban: tidak sah; jawaban: tidak sah; dan 3 lagi'
    """
    parts: list[str] = []
    for error in errors[:limit]:
        where = ".".join(str(part) for part in error.get("loc") or ()) or "jawaban"
        kind = str(error.get("type") or "")
        if kind in ("value_error", "assertion_error"):
            text = str(error.get("msg") or "").removeprefix("Value error, ")
            text = text.removeprefix("Assertion failed, ")
        else:
            text = _ERROR_TEXT.get(kind, "tidak sah")
        parts.append(f"{where[:100]}: {text[:200]}")
    if len(errors) > limit:
        parts.append(f"dan {len(errors) - limit} lagi")
    return "; ".join(parts)


def clean_username(value: object) -> str:
    r"""A typed username made safe to record as who tried (pure).

    Control characters are dropped, blanks trimmed, the text cut to
    :data:`USERNAME_MAX`; anything that is not text becomes ``?``.

    Args:
        value: What was typed into the username field (any JSON value).

    Returns:
        Text a ``String(100)`` column holds.

    Examples:
        >>> clean_username(" budi\x00 "), clean_username(42), clean_username("x" * 300)[-3:]
        ('budi', '?', 'xxx')
        >>> len(clean_username("x" * 300))
        100
    """
    if not isinstance(value, str):
        return "?"
    kept = "".join(c for c in value if unicodedata.category(c) not in ("Cc", "Cs", "Zl", "Zp"))
    return kept.strip()[:USERNAME_MAX].strip() or "?"
