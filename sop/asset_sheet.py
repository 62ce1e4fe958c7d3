"""The asset register as a spreadsheet: columns, row validation, export rows.

Pure: rows in, validated asset fields out (or every problem, each naming the row
and the column as written in the file). The header matching and cell reading are
the inventory import's own (:mod:`sop.columns`); reading the file and
writing the register happen in :mod:`tasks.asset_files`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from sop.assets import (
    CATEGORY_LABELS,
    STATUS_LABELS,
    format_rupiah,
    parse_category,
    parse_date,
    parse_rupiah,
    parse_status,
)
from sop.cells import MAX_CELL_CHARS, escape_formula, text_cell
from sop.columns import cell_text, header_problems, map_headers
from sop.names import name_problem
from sop.problems import ConfigError, Problem

#: A data row: its spreadsheet row number (header = row 1) and its cells.
Row = tuple[int, list[Any]]

ASSET_COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "tag": ("tag", "asset tag", "kode aset", "no aset", "nomor aset", "kode barang", "kode"),
    "category": ("category", "kategori", "jenis aset", "golongan"),
    "name": ("name", "nama", "nama aset", "nama barang", "uraian"),
    "vendor": ("vendor", "merek", "merk", "pabrikan", "brand", "manufacturer"),
    "model": ("model", "tipe", "type"),
    "serial": ("serial", "serial number", "nomor seri", "no seri", "sn"),
    "location": ("location", "lokasi", "ruang", "ruangan"),
    "custodian": ("custodian", "pemegang", "pengguna", "penanggung jawab", "pic"),
    "status": ("status", "status aset"),
    "acquired_on": (
        "acquired on",
        "acquisition date",
        "tanggal perolehan",
        "tgl perolehan",
        "tanggal pengadaan",
    ),
    "value": ("value", "acquisition value", "nilai", "nilai perolehan", "harga"),
    "warranty_end": ("warranty end", "warranty", "akhir garansi", "garansi sampai", "garansi"),
    "inventory_host": ("inventory host", "host", "hostname", "nama host", "host inventaris"),
    "os_version": ("os version", "os", "versi os", "versi sistem operasi", "firmware"),
    "notes": ("notes", "catatan", "keterangan"),
}
"""Asset field -> accepted headers (English and Indonesian), matched like the inventory's."""

REQUIRED_COLUMNS: tuple[str, ...] = ("tag", "category", "name")
"""Columns every asset spreadsheet must have."""

DEFAULT_STATUS = "in_service"
"""Status of a row whose status cell is empty (an existing register lists assets in use)."""

EXPORT_HEADERS: dict[str, dict[str, str]] = {
    "id": {
        "tag": "Kode aset",
        "category": "Kategori",
        "name": "Nama aset",
        "vendor": "Merek",
        "model": "Model",
        "serial": "Nomor seri",
        "location": "Lokasi",
        "custodian": "Pemegang",
        "status": "Status",
        "acquired_on": "Tanggal perolehan",
        "value": "Nilai perolehan",
        "warranty_end": "Akhir garansi",
        "inventory_host": "Host inventaris",
        "os_version": "Versi OS",
        "notes": "Keterangan",
    },
    "en": {
        "tag": "Tag",
        "category": "Category",
        "name": "Name",
        "vendor": "Vendor",
        "model": "Model",
        "serial": "Serial",
        "location": "Location",
        "custodian": "Custodian",
        "status": "Status",
        "acquired_on": "Acquired on",
        "value": "Value",
        "warranty_end": "Warranty end",
        "inventory_host": "Inventory host",
        "os_version": "OS version",
        "notes": "Notes",
    },
}
"""Headers written by the export, per language (each is also an accepted import header)."""


def _blank_to_none(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value.strip() if isinstance(value, str) else value


def _text(value: Any) -> Any:
    value = _blank_to_none(value)
    return None if value is None else text_cell(value)


def _tag(value: Any) -> Any:
    """An asset tag: text, without path separators (tags name document files)."""
    value = _text(value)
    if value is not None and ("/" in value or "\\" in value or ".." in value):
        raise ValueError(
            f"kode aset {value!r} tidak boleh berisi '/', '\\' atau '..'; pakai '-' "
            "(mis. BMN-2024-001) / a tag may not hold a slash, a backslash or '..'; use '-'"
        )
    return value


def _host(value: Any) -> Any:
    """An inventory host name, checked like the inventory's own host names."""
    value = _text(value)
    if value is not None and (why := name_problem(value)) is not None:
        raise ValueError(why)
    return value


def _date(value: Any) -> date | None:
    value = _blank_to_none(value)
    return None if value is None else parse_date(value)


def _rupiah(value: Any) -> int | None:
    value = _blank_to_none(value)
    return None if value is None else parse_rupiah(value)


def _category(value: Any) -> Any:
    value = _text(value)
    return None if value is None else parse_category(value)


def _status(value: Any) -> str:
    value = _text(value)
    return DEFAULT_STATUS if value is None else parse_status(value)


Text100 = Annotated[Annotated[str, Field(max_length=100)] | None, BeforeValidator(_text)]
Text255 = Annotated[Annotated[str, Field(max_length=255)] | None, BeforeValidator(_text)]
Host = Annotated[
    Annotated[str, Field(max_length=255, pattern=r"^\S+$")] | None, BeforeValidator(_host)
]


class AssetRow(BaseModel):
    """One asset as validated from a spreadsheet row."""

    model_config = ConfigDict(extra="forbid")

    tag: Annotated[str, BeforeValidator(_tag), Field(min_length=1, max_length=100)]
    category: Annotated[str, BeforeValidator(_category)]
    name: Annotated[str, BeforeValidator(_text), Field(min_length=1, max_length=255)]
    vendor: Text100 = None
    model: Text100 = None
    serial: Text100 = None
    location: Text255 = None
    custodian: Text100 = None
    status: Annotated[str, BeforeValidator(_status)] = DEFAULT_STATUS
    acquired_on: Annotated[date | None, BeforeValidator(_date)] = None
    value: Annotated[int | None, BeforeValidator(_rupiah)] = None
    warranty_end: Annotated[date | None, BeforeValidator(_date)] = None
    inventory_host: Host = None
    os_version: Text100 = None
    notes: Annotated[
        Annotated[str, Field(max_length=MAX_CELL_CHARS)] | None, BeforeValidator(_text)
    ] = None

    @model_validator(mode="after")
    def _warranty_after_acquisition(self) -> AssetRow:
        if self.acquired_on and self.warranty_end and self.warranty_end < self.acquired_on:
            raise ValueError(
                f"warranty_end: akhir garansi {self.warranty_end:%d/%m/%Y} sebelum tanggal "
                f"perolehan {self.acquired_on:%d/%m/%Y} / warranty ends before the "
                "acquisition date"
            )
        return self


_MESSAGES = {
    "missing": "kosong: wajib diisi / empty: required",
    "string_too_short": "kosong: wajib diisi / empty: required",
    "string_pattern_mismatch": "satu nama host inventaris tanpa spasi / one inventory host "
    "name, without spaces",
}


def _message(error: Mapping[str, Any]) -> str:
    if error["type"] == "string_type" and error.get("input") is None:
        return _MESSAGES["missing"]
    if error["type"] == "string_too_long":
        limit = error.get("ctx", {}).get("max_length")
        return f"terlalu panjang, paling banyak {limit} karakter / at most {limit} characters"
    if error["type"] in _MESSAGES:
        return _MESSAGES[error["type"]]
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


@dataclass(frozen=True)
class AssetSheet:
    """A validated asset spreadsheet.

    Attributes:
        assets: One dict of asset fields per data row, in row order.
        ignored_columns: Headers that name no asset field (their cells are not imported).
    """

    assets: list[dict[str, Any]]
    ignored_columns: list[str]


def rows_to_assets(
    headers: Sequence[str],
    rows: Sequence[Row],
    file: str,
    registered_tags: Collection[str] = (),
) -> AssetSheet:
    """Validate an asset spreadsheet: every row, every column, all problems at once.

    Args:
        headers: The header row as written.
        rows: Data rows with their spreadsheet row numbers.
        file: Spreadsheet name used in problems.
        registered_tags: Tags already in the register (a row repeating one is refused).

    Returns:
        The assets' fields and the ignored columns.

    Raises:
        ConfigError: Every problem, each naming the row number and the column as written.

    Examples:
        >>> sheet = rows_to_assets(["Kode Aset", "Kategori", "Nama", "Nilai", "Tgl Perolehan"],
        ...     [(2, ["BMN-1", "Perangkat keras", "Switch", "Rp 12.500.000", "07/03/2024"])], "a.csv")
        >>> a = sheet.assets[0]
        >>> a["tag"], a["category"], a["value"], a["acquired_on"], a["status"]
        ('BMN-1', 'hardware', 12500000, datetime.date(2024, 3, 7), 'in_service')
        >>> rows_to_assets(["Kode Aset", "Kategori", "Nama"],
        ...     [(2, ["BMN-1", "mebel", ""]), (3, ["BMN-1", "data", "DB"])], "a.csv", {"X"})
        Traceback (most recent call last):
        ...
        sop.problems.ConfigError: a.csv:2: Kategori: 'mebel' bukan kategori yang dikenal / is not one of hardware (Perangkat keras), software (Perangkat lunak), data (Data)
        a.csv:2: Nama: kosong: wajib diisi / empty: required
        a.csv:3: Kode Aset: kode aset 'BMN-1' sudah dipakai di baris 2 / tag already used in row 2
    """  # noqa: E501
    columns, by_field = map_headers(headers, ASSET_COLUMN_ALIASES)
    problems = header_problems(headers, by_field, file, REQUIRED_COLUMNS, ASSET_COLUMN_ALIASES)
    if problems:
        raise ConfigError(problems)
    ignored = [headers[i] for i, field in columns.items() if field.startswith("data:")]
    column_of = {field: headers[indexes[0]] for field, indexes in by_field.items()}
    tag_rows: dict[str, int] = {}
    assets: list[dict[str, Any]] = []
    for number, cells in rows:
        values = {
            field: cells[i] if i < len(cells) else None
            for i, field in columns.items()
            if not field.startswith("data:")
        }

        def bad(field: str, message: str, row: int = number) -> None:
            message = message.removeprefix(f"{field}: ")
            problems.append(Problem(file, row, column_of.get(field, field), message))

        try:
            asset = AssetRow.model_validate(values).model_dump()
        except ValidationError as exc:
            for error in exc.errors():
                loc = error["loc"]
                field = str(loc[0]) if loc else "warranty_end"
                bad(field, _message(error))
            asset = None
        try:
            tag = _text(values.get("tag"))
        except ValueError:  # a date cell: reported by the validation above
            tag = None
        if tag:
            if tag in tag_rows:
                bad(
                    "tag",
                    f"kode aset {tag!r} sudah dipakai di baris {tag_rows[tag]} / "
                    f"tag already used in row {tag_rows[tag]}",
                )
            elif tag in registered_tags:
                bad("tag", f"kode aset {tag!r} sudah ada di register / tag already registered")
            else:
                tag_rows[tag] = number
        if asset is not None:
            assets.append(asset)
    if not rows:
        problems.append(Problem(file, 2, "", "tidak ada aset: hanya baris judul / no assets"))
    if problems:
        raise ConfigError(problems)
    return AssetSheet(assets=assets, ignored_columns=ignored)


def tag_cells(headers: Sequence[str], rows: Sequence[Row]) -> list[str]:
    """Return the tags written in the tag column (to look them up in the register).

    Args:
        headers: The header row as written.
        rows: Data rows.

    Returns:
        The non-empty tag cells, as text; ``[]`` without a tag column.

    Examples:
        >>> tag_cells(["Nama", "Kode Aset"], [(2, ["Switch", "B-1"]), (3, ["Router"])])
        ['B-1']
    """
    _, by_field = map_headers(headers, ASSET_COLUMN_ALIASES)
    if "tag" not in by_field:
        return []
    index = by_field["tag"][0]
    return [cell_text(cells[index]) for _, cells in rows if index < len(cells) and cells[index]]


def describe(problem: Problem) -> str:
    """Write a spreadsheet problem the way an Indonesian user reads it.

    Args:
        problem: A problem from :func:`rows_to_assets`.

    Returns:
        ``file: baris N, kolom "X": message``.

    Examples:
        >>> describe(Problem("aset.xlsx", 7, "serial", "too long"))
        'aset.xlsx: baris 7, kolom "serial": too long'
        >>> describe(Problem("aset.xlsx", None, "", "file not found"))
        'aset.xlsx: file not found'
    """
    where = problem.file
    if problem.line is not None:
        where += f": baris {problem.line}"
    if problem.field:
        where += f", kolom {problem.field!r}".replace("'", '"')
    return f"{where}: {problem.message}"


def export_rows(
    assets: Iterable[Mapping[str, Any]], lang: str = "id", typed: bool = False
) -> tuple[list[str], list[list[Any]]]:
    """Return the header and rows of an asset export, readable back by :func:`rows_to_assets`.

    Args:
        assets: Assets as field mappings (e.g. from :func:`asset_fields`).
        lang: ``id`` (Indonesian headers and labels) or ``en`` (English headers, keys).
        typed: Keep dates and values as ``date``/``int`` (for XLSX cells); else text
            (DD/MM/YYYY and ``Rp 12.500.000`` in Indonesian, ISO and plain numbers in English).

    Returns:
        ``(headers, rows)``; text that a spreadsheet would run as a formula starts
        with ``'`` (:func:`sop.cells.escape_formula`), however it got into the
        register.

    Raises:
        ValueError: If ``lang`` is neither ``id`` nor ``en``.

    Examples:
        >>> headers, rows = export_rows([{"tag": "B-1", "category": "hardware", "name": "Switch",
        ...     "status": "in_service", "value": 12500000, "acquired_on": date(2024, 3, 7)}])
        >>> headers[:3], rows[0][:3], rows[0][8:11]
        (['Kode aset', 'Kategori', 'Nama aset'], ['B-1', 'Perangkat keras', 'Switch'], ['Digunakan', '07/03/2024', 'Rp 12.500.000'])
    """  # noqa: E501
    if lang not in EXPORT_HEADERS:
        raise ValueError(f"lang: {lang!r} is not one of {', '.join(EXPORT_HEADERS)}")
    names = EXPORT_HEADERS[lang]
    out: list[list[Any]] = []
    for asset in assets:
        row: list[Any] = []
        for field in names:
            value = asset.get(field)
            if value is None:
                row.append(None if typed else "")
            elif field == "category" and lang == "id":
                row.append(CATEGORY_LABELS[value])
            elif field == "status" and lang == "id":
                row.append(STATUS_LABELS[value])
            elif typed:
                row.append(value)
            elif isinstance(value, date | datetime):
                row.append(value.strftime("%d/%m/%Y") if lang == "id" else value.isoformat())
            elif field == "value":
                row.append(format_rupiah(value) if lang == "id" else str(value))
            else:
                row.append(value)
        out.append([escape_formula(cell) for cell in row])
    return list(names.values()), out
