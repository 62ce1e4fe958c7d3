"""Spreadsheet columns: which header means which inventory field.

Headers are matched case-insensitively, ignoring spaces, underscores, hyphens,
dots and slashes, so ``Alamat IP``, ``alamat_ip`` and ``ALAMAT-IP`` are the same.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from sop.problems import Problem

#: Inventory field -> accepted headers (English and Indonesian).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "nama", "hostname", "hostname perangkat", "nama perangkat", "device"),
    "address": ("address", "ip", "ip address", "alamat ip", "alamat", "management ip", "ip mgmt"),
    "port": ("port", "ssh port", "port ssh"),
    "platform": ("platform", "jenis", "jenis perangkat", "device type", "tipe"),
    "site": ("site", "lokasi kantor", "kantor", "unit kerja"),
    "location": ("location", "lokasi", "ruang", "ruangan"),
    "role": ("role", "peran", "fungsi"),
    "asset_tag": ("asset tag", "kode aset", "no aset", "nomor aset"),
    "criticality": ("criticality", "kritikalitas", "tingkat kritis"),
    "username": ("username", "user", "nama pengguna"),
    "password_ref": ("password ref", "password", "referensi password", "kata sandi"),
    "groups": ("groups", "group", "grup", "kelompok"),
}

REQUIRED_COLUMNS: tuple[str, ...] = ("name", "address", "platform")

#: Indonesian criticality words accepted in the spreadsheet.
CRITICALITY_ALIASES: dict[str, str] = {
    "rendah": "low",
    "sedang": "medium",
    "tinggi": "high",
    "kritis": "critical",
    "sangat tinggi": "critical",
}


def normalize_header(header: str) -> str:
    """Return a header in the form used for matching.

    Args:
        header: The header cell as written.

    Returns:
        Lower case, separators folded to single spaces.

    Examples:
        >>> normalize_header("  Alamat_IP "), normalize_header("No. Aset")
        ('alamat ip', 'no aset')
    """
    return " ".join(re.sub(r"[\s_\-./]+", " ", header.strip().lower()).split())


def header_lookup(aliases: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Return normalised header -> field for a table of aliases.

    Args:
        aliases: Field -> accepted headers (e.g. :data:`COLUMN_ALIASES`).

    Returns:
        The lookup used by :func:`field_for_header` and :func:`map_headers`.

    Examples:
        >>> header_lookup({"serial": ("Nomor Seri", "SN")})
        {'nomor seri': 'serial', 'sn': 'serial'}
    """
    return {normalize_header(a): field for field, names in aliases.items() for a in names}


_LOOKUP = header_lookup(COLUMN_ALIASES)


def field_for_header(header: str, lookup: Mapping[str, str] | None = None) -> str | None:
    """Return the inventory field a header means, or ``None`` for an extra column.

    Args:
        header: The header cell as written.
        lookup: From :func:`header_lookup`; default the inventory's columns.

    Returns:
        The field name (a key of :data:`COLUMN_ALIASES`) or ``None``.

    Examples:
        >>> [field_for_header(h) for h in ("Alamat IP", "Lokasi Kantor", "Ruang", "No Aset")]
        ['address', 'site', 'location', 'asset_tag']
        >>> field_for_header("Nomor Seri") is None
        True
    """
    return (_LOOKUP if lookup is None else lookup).get(normalize_header(header))


def data_key(header: str) -> str:
    """Return the ``data:`` key an extra column is stored under.

    Args:
        header: The header cell as written.

    Returns:
        A snake_case key.

    Examples:
        >>> data_key("Nomor Seri"), data_key("Tahun Pengadaan (APBN)")
        ('nomor_seri', 'tahun_pengadaan_apbn')
    """
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


def cell_text(value: Any) -> str:
    """Return a cell as text: numbers without a spurious ``.0``, stripped.

    Args:
        value: A cell value from csv (``str``) or openpyxl (``str``, ``int``, ``float``...).

    Returns:
        The text; ``""`` for an empty cell.

    Examples:
        >>> cell_text(22.0), cell_text(" sw1 "), cell_text(None)
        ('22', 'sw1', '')
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def split_groups(text: str) -> list[str]:
    """Split a groups cell on commas, semicolons or whitespace.

    Args:
        text: The cell text.

    Returns:
        Group names, in order, without repeats.

    Examples:
        >>> split_groups("switches; core, switches")
        ['switches', 'core']
    """
    out: list[str] = []
    for part in re.split(r"[,;\s]+", text):
        if part and part not in out:
            out.append(part)
    return out


def map_headers(
    headers: Sequence[str], aliases: Mapping[str, Sequence[str]] | None = None
) -> tuple[dict[int, str], dict[str, list[int]]]:
    """Assign each column to a field.

    Args:
        headers: The header row as written.
        aliases: Field -> accepted headers; default the inventory's :data:`COLUMN_ALIASES`.

    Returns:
        ``(fields, by_field)``: column index -> field (or ``"data:<key>"`` for
        extra columns), and field -> column indexes (to find duplicates).

    Examples:
        >>> fields, by_field = map_headers(["Nama", "IP", "Jenis", "Nomor Seri", ""])
        >>> fields
        {0: 'name', 1: 'address', 2: 'platform', 3: 'data:nomor_seri'}
    """
    lookup = None if aliases is None else header_lookup(aliases)
    fields: dict[int, str] = {}
    by_field: dict[str, list[int]] = {}
    for i, header in enumerate(headers):
        if not header.strip():
            continue
        name = field_for_header(header, lookup) or f"data:{data_key(header)}"
        fields[i] = name
        by_field.setdefault(name, []).append(i)
    return fields, by_field


def header_problems(
    headers: Sequence[str],
    by_field: Mapping[str, list[int]],
    file: str,
    required: Sequence[str] = REQUIRED_COLUMNS,
    aliases: Mapping[str, Sequence[str]] = COLUMN_ALIASES,
) -> list[Problem]:
    """Return the header row's problems: two columns for one field, a required column missing.

    Args:
        headers: The header row as written.
        by_field: Field -> column indexes, from :func:`map_headers`.
        file: Spreadsheet name used in problems.
        required: Fields that must have a column.
        aliases: Field -> accepted headers, named in the message for a missing column.

    Returns:
        The problems, on row 1.

    Examples:
        >>> _, by_field = map_headers(["Nama", "Hostname", "IP"])
        >>> for p in header_problems(["Nama", "Hostname", "IP"], by_field, "a.csv"):
        ...     print(p)
        a.csv:1: Hostname: columns 'Nama' and 'Hostname' both mean name
        a.csv:1: platform: missing column; name it one of: platform, jenis, jenis perangkat, device type, tipe
    """  # noqa: E501
    problems: list[Problem] = []
    for name, indexes in by_field.items():
        if len(indexes) > 1:
            both = " and ".join(repr(headers[i]) for i in indexes)
            problems.append(
                Problem(file, 1, headers[indexes[1]], f"columns {both} both mean {name}")
            )
    for name in required:
        if name not in by_field:
            names = ", ".join(aliases[name])
            problems.append(Problem(file, 1, name, f"missing column; name it one of: {names}"))
    return problems
