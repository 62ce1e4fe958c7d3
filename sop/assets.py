"""The IT asset register's rules (SOP D): categories, statuses and lifecycle transitions.

Pure: no database, no Prefect. The D1-D6 flows call :func:`check_transition`
before a procedure starts on an asset, :func:`status_during` while it runs and
:func:`status_after` when it completes.

Lifecycle (decided for SIGAP; see docs/assets.md):

| procedure | may run when the status is | status while running | status at the end |
|---|---|---|---|
| D1 plan and budget | planned | planned | procured |
| D2 relocate | procured, in_service, relocated | unchanged | relocated |
| D3 hand over | procured, in_service, relocated | unchanged | in_service |
| D4 repair | procured, in_service, relocated | under_repair | in_service |
| D5 dispose | procured, in_service, relocated, and no custodian | unchanged | disposed |
| D6 evaluate | any (a period, not one asset) | unchanged | unchanged |

D2 ends in ``relocated``: the asset stands at its new location (the ``location``
field) until a handover (D3) puts it back in service with a custodian.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from sop.problems import did_you_mean

CATEGORIES: tuple[str, ...] = ("hardware", "software", "data")
"""Asset categories."""

STATUSES: tuple[str, ...] = (
    "planned",
    "procured",
    "in_service",
    "under_repair",
    "relocated",
    "disposed",
)
"""Asset statuses, in lifecycle order."""

CATEGORY_LABELS: dict[str, str] = {
    "hardware": "Perangkat keras",
    "software": "Perangkat lunak",
    "data": "Data",
}
"""Indonesian label of each category."""

STATUS_LABELS: dict[str, str] = {
    "planned": "Direncanakan",
    "procured": "Diadakan",
    "in_service": "Digunakan",
    "under_repair": "Dalam perbaikan",
    "relocated": "Dipindahkan",
    "disposed": "Dihapuskan",
}
"""Indonesian label of each status."""

PROCEDURES: dict[str, str] = {
    "D1": "Perencanaan dan penganggaran",
    "D2": "Pemindahan",
    "D3": "Serah terima",
    "D4": "Perbaikan dan pemeliharaan",
    "D5": "Penghapusan",
    "D6": "Evaluasi",
}
"""SOP D procedures and their Indonesian names."""

_ALLOWED: dict[str, tuple[str, ...]] = {
    "D1": ("planned",),
    "D2": ("procured", "in_service", "relocated"),
    "D3": ("procured", "in_service", "relocated"),
    "D4": ("procured", "in_service", "relocated"),
    "D5": ("procured", "in_service", "relocated"),
    "D6": STATUSES,
}

_AFTER: dict[str, str] = {
    "D1": "procured",
    "D2": "relocated",
    "D3": "in_service",
    "D4": "in_service",
    "D5": "disposed",
}

_DURING: dict[str, str] = {"D4": "under_repair"}


class AssetTransitionError(ValueError):
    """A procedure may not run on an asset in its current state."""


def _word(text: str) -> str:
    return " ".join(re.sub(r"[\s_\-]+", " ", text.strip().lower()).split())


_CATEGORY_WORDS: dict[str, str] = {
    **{_word(k): k for k in CATEGORIES},
    **{_word(v): k for k, v in CATEGORY_LABELS.items()},
    "hw": "hardware",
    "sw": "software",
}
_STATUS_WORDS: dict[str, str] = {
    **{_word(k): k for k in STATUSES},
    **{_word(v): k for k, v in STATUS_LABELS.items()},
    "aktif": "in_service",
    "rusak": "under_repair",
    "diperbaiki": "under_repair",
    "dihapus": "disposed",
}


def _pick(field: str, text: str, words: dict[str, str], allowed: tuple[str, ...]) -> str:
    key = words.get(_word(text))
    if key is None:
        labels = {**CATEGORY_LABELS, **STATUS_LABELS}
        choices = ", ".join(f"{a} ({labels[a]})" for a in allowed)
        hint = did_you_mean(_word(text), words)
        word = "kategori" if field == "category" else "status"
        raise ValueError(
            f"{field}: {text!r} bukan {word} yang dikenal / is not one of {choices}{hint}"
        )
    return key


def parse_category(text: str) -> str:
    """Return the category key for an English key or an Indonesian label.

    Args:
        text: E.g. ``hardware``, ``Perangkat Keras``, ``HW``.

    Returns:
        One of :data:`CATEGORIES`.

    Raises:
        ValueError: Naming the field and every allowed value.

    Examples:
        >>> parse_category("Perangkat Lunak"), parse_category("DATA")
        ('software', 'data')
        >>> parse_category("mebel")
        Traceback (most recent call last):
        ...
        ValueError: category: 'mebel' bukan kategori yang dikenal / is not one of hardware (Perangkat keras), software (Perangkat lunak), data (Data)
    """  # noqa: E501
    return _pick("category", text, _CATEGORY_WORDS, CATEGORIES)


def parse_status(text: str) -> str:
    """Return the status key for an English key or an Indonesian label.

    Args:
        text: E.g. ``in_service``, ``in service``, ``Digunakan``, ``rusak``.

    Returns:
        One of :data:`STATUSES`.

    Raises:
        ValueError: Naming the field and every allowed value.

    Examples:
        >>> parse_status("In Service"), parse_status("dalam perbaikan"), parse_status("Aktif")
        ('in_service', 'under_repair', 'in_service')
        >>> parse_status("dispose")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: status: 'dispose' bukan status yang dikenal / is not one of planned (Direncanakan), ... (did you mean 'disposed'?)
    """  # noqa: E501
    return _pick("status", text, _STATUS_WORDS, STATUSES)


def _check_procedure(procedure: str) -> None:
    if procedure not in PROCEDURES:
        raise AssetTransitionError(
            f"prosedur {procedure!r} tidak dikenal / unknown procedure: "
            f"use one of {', '.join(PROCEDURES)}"
        )


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise ValueError(f"status: {status!r} is not one of {', '.join(STATUSES)}")


def check_transition(asset_status: str, custodian: str | None, procedure: str) -> None:
    """Refuse a procedure that may not run on an asset in its current state.

    Args:
        asset_status: The asset's status (one of :data:`STATUSES`).
        custodian: Who holds the asset, ``None`` or empty if nobody.
        procedure: ``D1`` ... ``D6``.

    Raises:
        AssetTransitionError: With an Indonesian and English message saying why.
        ValueError: If ``asset_status`` is not a known status.

    Examples:
        >>> check_transition("in_service", None, "D5")
        >>> check_transition("in_service", "budi", "D5")
        Traceback (most recent call last):
        ...
        sop.assets.AssetTransitionError: D5 Penghapusan ditolak: aset masih dipegang oleh budi; kembalikan dulu (serah terima) / D5 refused: the asset is still assigned to budi; hand it back first
        >>> check_transition("disposed", None, "D2")
        Traceback (most recent call last):
        ...
        sop.assets.AssetTransitionError: D2 Pemindahan ditolak: status aset Dihapuskan (disposed); boleh bila status: procured, in_service, relocated / D2 refused: the asset is disposed; allowed when it is procured, in_service, relocated
    """  # noqa: E501
    _check_procedure(procedure)
    _check_status(asset_status)
    name = f"{procedure} {PROCEDURES[procedure]}"
    allowed = _ALLOWED[procedure]
    if asset_status not in allowed:
        listed = ", ".join(allowed)
        raise AssetTransitionError(
            f"{name} ditolak: status aset {STATUS_LABELS[asset_status]} ({asset_status}); "
            f"boleh bila status: {listed} / {procedure} refused: the asset is {asset_status}; "
            f"allowed when it is {listed}"
        )
    if procedure == "D5" and custodian:
        raise AssetTransitionError(
            f"{name} ditolak: aset masih dipegang oleh {custodian}; kembalikan dulu "
            f"(serah terima) / {procedure} refused: the asset is still assigned to "
            f"{custodian}; hand it back first"
        )


def status_during(procedure: str, current: str) -> str:
    """Return the asset's status while a procedure runs.

    Args:
        procedure: ``D1`` ... ``D6``.
        current: The status when the procedure started.

    Returns:
        ``under_repair`` for D4, else ``current``.

    Examples:
        >>> status_during("D4", "in_service"), status_during("D2", "in_service")
        ('under_repair', 'in_service')
    """
    _check_procedure(procedure)
    _check_status(current)
    return _DURING.get(procedure, current)


def status_after(procedure: str, current: str) -> str:
    """Return the asset's status when a procedure completes.

    Args:
        procedure: ``D1`` ... ``D6``.
        current: The status before (D6 keeps it).

    Returns:
        The new status (see the module's table).

    Examples:
        >>> [status_after(p, "in_service") for p in ("D2", "D3", "D4", "D5", "D6")]
        ['relocated', 'in_service', 'in_service', 'disposed', 'in_service']
        >>> status_after("D1", "planned")
        'procured'
    """
    _check_procedure(procedure)
    _check_status(current)
    return _AFTER.get(procedure, current)


_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def parse_date(value: str | date | datetime) -> date:
    """Parse a date written DD/MM/YYYY (also with ``-`` or ``.``) or ISO YYYY-MM-DD.

    Args:
        value: The text, or a date/datetime a spreadsheet already holds.

    Returns:
        The date.

    Raises:
        ValueError: If the text is neither form or not a real date.

    Examples:
        >>> parse_date("07/03/2024"), parse_date("2024-03-07"), parse_date("7.3.2024")
        (datetime.date(2024, 3, 7), datetime.date(2024, 3, 7), datetime.date(2024, 3, 7))
        >>> parse_date("31/02/2024")
        Traceback (most recent call last):
        ...
        ValueError: '31/02/2024' bukan tanggal yang benar / is not a real date (day is out of range for month)
        >>> parse_date("Maret 2024")
        Traceback (most recent call last):
        ...
        ValueError: 'Maret 2024' bukan tanggal: tulis DD/MM/YYYY atau YYYY-MM-DD / is not a date: write DD/MM/YYYY or YYYY-MM-DD
    """  # noqa: E501
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(
            f"{value!r} bukan tanggal: sel angka/waktu, format kolom sebagai tanggal / is not "
            "a date: a number or time cell; format the column as a date (DD/MM/YYYY)"
        )
    text = value.strip()
    text = text.split(" ")[0] if re.match(r"^\d{4}-\d{1,2}-\d{1,2} ", text) else text
    try:
        if _ISO.match(text):
            year, month, day = (int(p) for p in text.split("-"))
            return date(year, month, day)
        if found := _DMY.match(text):
            day, month, year = (int(p) for p in found.groups())
            return date(year, month, day)
    except ValueError as exc:
        raise ValueError(
            f"{value!r} bukan tanggal yang benar / is not a real date ({exc})"
        ) from None
    raise ValueError(
        f"{value!r} bukan tanggal: tulis DD/MM/YYYY atau YYYY-MM-DD / "
        "is not a date: write DD/MM/YYYY or YYYY-MM-DD"
    )


def parse_rupiah(value: str | int | float) -> int:
    """Parse a rupiah amount: ``Rp 12.500.000``, ``12500000``, ``Rp12.500.000,00``.

    Dots (and spaces) group thousands, a comma starts the cents (which must be zero).

    Args:
        value: The text, or a number a spreadsheet already holds.

    Returns:
        Whole rupiah.

    Raises:
        ValueError: If the text is not an amount, is negative or has cents.

    Examples:
        >>> parse_rupiah("Rp 12.500.000"), parse_rupiah("Rp12.500.000,00"), parse_rupiah(7500000.0)
        (12500000, 12500000, 7500000)
        >>> parse_rupiah("12,5 juta")
        Traceback (most recent call last):
        ...
        ValueError: '12,5 juta' bukan nilai rupiah, tulis mis. Rp 12.500.000 / is not a rupiah amount
    """  # noqa: E501
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(
            "sel tanggal/benar-salah, bukan nilai rupiah / a date or TRUE/FALSE cell where a "
            "rupiah amount is expected"
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value!r} bukan nilai rupiah / is not a rupiah amount")
    if isinstance(value, int | float):
        if value > MAX_RUPIAH:
            raise ValueError(_too_large(value))
        if value < 0 or float(value) != int(value):
            raise ValueError(
                f"{value!r} harus rupiah bulat, 0 atau lebih / is not a whole, positive rupiah "
                "amount"
            )
        return int(value)
    text = re.sub(r"^rp\.?", "", value.strip().lower()).strip()
    found = re.fullmatch(r"(\d{1,3}(?:[. ]\d{3})+|\d+)(?:,(\d{1,2}))?", text)
    if not found:
        raise ValueError(
            f"{value!r} bukan nilai rupiah, tulis mis. Rp 12.500.000 / is not a rupiah amount"
        )
    if found.group(2) and int(found.group(2)) != 0:
        raise ValueError(f"{value!r}: tanpa sen / give whole rupiah (no sen)")
    amount = int(re.sub(r"[. ]", "", found.group(1)))
    if amount > MAX_RUPIAH:
        raise ValueError(_too_large(value))
    return amount


MAX_RUPIAH = 10**15
"""Largest acquisition value accepted (Rp 1.000.000.000.000.000; the column holds 9.2e18)."""


def _too_large(value: object) -> str:
    return f"{value!r} terlalu besar / is larger than Rp 1.000.000.000.000.000"


def format_rupiah(value: int | None) -> str:
    """Write a rupiah amount the Indonesian way.

    Args:
        value: Whole rupiah or None.

    Returns:
        ``Rp 12.500.000``, or ``""`` for None.

    Examples:
        >>> format_rupiah(12500000), format_rupiah(0), format_rupiah(None)
        ('Rp 12.500.000', 'Rp 0', '')
    """
    if value is None:
        return ""
    return "Rp " + f"{value:,}".replace(",", ".")
