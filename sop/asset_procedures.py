"""The asset procedures of SOP D (D1-D6), pure: plans, run keys, periods, letter numbers.

The flows (:mod:`flows.assets`) take
their parameters through these checks before anything is recorded, so bad input
is refused with a message that names the field and changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sop.assets import parse_category, parse_rupiah
from sop.dates import MONTHS
from sop.form_schema import tidy_part_schema
from sop.form_text import MAX_RUPIAH

_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


class PlanItem(BaseModel):
    """One line of a D1 needs plan (Rencana Kebutuhan)."""

    model_config = ConfigDict(title="Barang", json_schema_extra=tidy_part_schema)

    name: str = Field(min_length=1, max_length=200, description="Nama barang (item name)")
    category: str = Field(description="Kategori: hardware, software atau data")
    quantity: int = Field(ge=1, le=10000, description="Jumlah (quantity)")
    unit_cost: int = Field(
        ge=0, le=MAX_RUPIAH, description="Perkiraan harga satuan, Rupiah (unit cost)"
    )

    @field_validator("name")
    @classmethod
    def _strip_name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("nama barang kosong (empty name)")
        return value

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        return parse_category(value)

    @property
    def total(self) -> int:
        """Estimated cost of the line (quantity x unit cost)."""
        return self.quantity * self.unit_cost


def check_plan_items(items: list[Any]) -> list[PlanItem]:
    """Validate the items of a needs plan.

    Args:
        items: Items as dicts (flow parameters) or :class:`PlanItem`.

    Returns:
        The validated items.

    Raises:
        ValueError: No item, or an item is wrong; the message names the item and field.

    Examples:
        >>> check_plan_items([{"name": "Switch", "category": "hardware", "quantity": 2,
        ...                    "unit_cost": 1500000}])[0].total
        3000000
        >>> check_plan_items([{"name": "Switch", "category": "meja", "quantity": 0,
        ...                    "unit_cost": 1}])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: item 1, category: 'meja' ...; item 1, quantity: Input should be greater than or equal to 1
    """  # noqa: E501
    if not items:
        raise ValueError("items: rencana kebutuhan tanpa barang (the plan has no item)")
    checked: list[PlanItem] = []
    problems: list[str] = []
    for index, raw in enumerate(items, start=1):
        try:
            checked.append(raw if isinstance(raw, PlanItem) else PlanItem.model_validate(raw))
        except ValidationError as exc:
            for error in exc.errors():
                field = ".".join(str(p) for p in error["loc"]) or "item"
                message = str(error["msg"]).removeprefix("Value error, ").removeprefix(f"{field}: ")
                problems.append(f"item {index}, {field}: {message}")
    if problems:
        raise ValueError("; ".join(problems))
    return checked


def parse_item_spec(spec: str, position: int = 1) -> PlanItem:
    """Read one ``--item`` of the CLI: ``NAME;CATEGORY;QUANTITY;UNIT_COST``.

    Args:
        spec: The option's text.
        position: Which ``--item`` it is (for the message).

    Returns:
        The item.

    Raises:
        ValueError: Not four parts, or a part is wrong.

    Examples:
        >>> parse_item_spec("Switch 24 port;hardware;2;15000000").total
        30000000
        >>> parse_item_spec("Switch;hardware;dua;1")
        Traceback (most recent call last):
        ...
        ValueError: --item 1: quantity 'dua' is not a whole number
    """
    parts = [part.strip() for part in spec.split(";")]
    if len(parts) != 4:
        raise ValueError(
            f"--item {position}: expected NAME;CATEGORY;QUANTITY;UNIT_COST, got {spec!r}"
        )
    name, category, quantity, cost = parts
    try:
        qty = int(quantity)
    except ValueError:
        raise ValueError(
            f"--item {position}: quantity {quantity!r} is not a whole number"
        ) from None
    try:
        unit_cost = parse_rupiah(cost)
    except ValueError as exc:
        raise ValueError(f"--item {position}: unit cost {exc}") from None
    try:
        return check_plan_items(
            [{"name": name, "category": category, "quantity": qty, "unit_cost": unit_cost}]
        )[0]
    except ValueError as exc:
        raise ValueError(f"--item {position}: {str(exc).removeprefix('item 1, ')}") from None


def plan_units(items: list[PlanItem]) -> list[PlanItem]:
    """One entry per unit to procure, in plan order (each with quantity 1).

    Examples:
        >>> units = plan_units([PlanItem(name="AP", category="hardware", quantity=2,
        ...                              unit_cost=10)])
        >>> [(u.name, u.quantity) for u in units]
        [('AP', 1), ('AP', 1)]
    """
    return [item.model_copy(update={"quantity": 1}) for item in items for _ in range(item.quantity)]


def split_list(text: str) -> list[str]:
    r"""A comma- or newline-separated list from a form field, blanks dropped.

    Examples:
        >>> split_list(" SW-01, SW-02\nSW-03,, ")
        ['SW-01', 'SW-02', 'SW-03']
    """
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def match_procured(
    units: list[PlanItem], tags: list[str], serials: list[str]
) -> list[tuple[PlanItem, str, str | None]]:
    """Pair the planned units with the tags (and serials) the asset manager gives.

    Args:
        units: Planned units (:func:`plan_units`).
        tags: One new asset tag per unit, in plan order.
        serials: Serial numbers in the same order, or none at all.

    Returns:
        ``(unit, tag, serial)`` per unit.

    Raises:
        ValueError: Counts differ or a tag repeats.

    Examples:
        >>> units = plan_units([PlanItem(name="AP", category="hardware", quantity=2,
        ...                              unit_cost=10)])
        >>> [(t, s) for _, t, s in match_procured(units, ["AP-1", "AP-2"], [])]
        [('AP-1', None), ('AP-2', None)]
        >>> match_procured(units, ["AP-1"], [])
        Traceback (most recent call last):
        ...
        ValueError: tags: 1 tag given for 2 planned units
    """
    if len(tags) != len(units):
        raise ValueError(f"tags: {len(tags)} tag given for {len(units)} planned units")
    repeated = sorted({tag for tag in tags if tags.count(tag) > 1})
    if repeated:
        raise ValueError(f"tags: repeated {', '.join(repeated)}")
    if serials and len(serials) != len(units):
        raise ValueError(f"serials: {len(serials)} serials given for {len(units)} planned units")
    return [
        (unit, tag, serials[i] if serials else None)
        for i, (unit, tag) in enumerate(zip(units, tags, strict=True))
    ]


def run_key(code: str, office: str, reference: str) -> str:
    """The run key of one asset procedure run.

    Examples:
        >>> run_key("D2", "Diskominfo SP Tanah Bumbu", "SW-01 2026-12-01")
        'D2/Diskominfo SP Tanah Bumbu/SW-01 2026-12-01'
    """
    if not reference.strip():
        raise ValueError("reference: empty")
    return f"{code}/{office}/{reference.strip()}"


def letter_number(prefix: str, serial: int, at: datetime | date) -> str:
    """An official letter number: ``PREFIX/NNN/ROMAN-MONTH/YEAR``.

    Examples:
        >>> letter_number("ND", 7, date(2026, 12, 1))
        'ND/007/XII/2026'
    """
    return f"{prefix}/{serial:03d}/{_ROMAN[at.month - 1]}/{at.year}"


def parse_period(text: str) -> tuple[date, date]:
    """An evaluation period: ``YYYY`` (a year) or ``YYYY-MM-DD..YYYY-MM-DD`` (end exclusive).

    Args:
        text: The period.

    Returns:
        ``(start, end)`` with ``end`` exclusive.

    Raises:
        ValueError: Not one of the two forms, or end not after start.

    Examples:
        >>> parse_period("2026")
        (datetime.date(2026, 1, 1), datetime.date(2027, 1, 1))
        >>> parse_period("2026-01-01..2026-07-01")
        (datetime.date(2026, 1, 1), datetime.date(2026, 7, 1))
        >>> parse_period("2026-07-01..2026-01-01")
        Traceback (most recent call last):
        ...
        ValueError: period: end 2026-01-01 is not after start 2026-07-01
    """
    value = text.strip()
    if value.isdigit() and len(value) == 4:
        year = int(value)
        return date(year, 1, 1), date(year + 1, 1, 1)
    if ".." in value:
        first, _, last = value.partition("..")
        try:
            start, end = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
        except ValueError:
            raise ValueError(f"period: {text!r} has a date that is not YYYY-MM-DD") from None
        if end <= start:
            raise ValueError(f"period: end {end} is not after start {start}")
        return start, end
    raise ValueError(f"period: {text!r} is neither YYYY nor YYYY-MM-DD..YYYY-MM-DD")


def period_label(start: date, end: date) -> str:
    """The period as people write it (months named in Indonesian, never ``2026-01``).

    Args:
        start: First day.
        end: The day after the last one (exclusive).

    Returns:
        ``Tahun 2026``, ``Desember 2026`` (one whole month) or ``1 Januari 2026 s.d.
        30 Juni 2026``.

    Examples:
        >>> period_label(date(2026, 1, 1), date(2027, 1, 1))
        'Tahun 2026'
        >>> period_label(date(2026, 12, 1), date(2027, 1, 1))
        'Desember 2026'
        >>> period_label(date(2026, 1, 1), date(2026, 7, 1))
        '1 Januari 2026 s.d. 30 Juni 2026'
    """
    months = MONTHS["id"]
    if start.month == 1 and start.day == 1 and end == date(start.year + 1, 1, 1):
        return f"Tahun {start.year}"
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    if start.day == 1 and end == following:
        return f"{months[start.month - 1]} {start.year}"
    last = date.fromordinal(end.toordinal() - 1)

    def day(d: date) -> str:
        return f"{d.day} {months[d.month - 1]} {d.year}"

    return f"{day(start)} s.d. {day(last)}"
