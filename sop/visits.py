"""SOP B, server-room visits, pure: the request, ID masking, device reconciliation, overstay.

A visitor brings devices in (name + serial) and takes devices out at the exit.
:func:`reconcile` compares the two lists by serial: a serial that leaves but did
not come in (``extra``) or came in but does not leave (``missing``) is flagged,
and the exit is refused until each flagged serial has an explanation
(:func:`unexplained`). ID numbers are personal data: every listing shows them
through :func:`mask_id_number`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sop.form_schema import tidy_part_schema
from sop.form_text import LongText, NameText, ShortText, Username, one_line

ID_TYPES: dict[str, str] = {
    "KTP": "Kartu Tanda Penduduk",
    "SIM": "Surat Izin Mengemudi",
    "paspor": "Paspor",
    "kartu_pegawai": "Kartu pegawai / kartu identitas instansi",
    "KITAS": "Kartu Izin Tinggal Terbatas",
}
"""The personal IDs a visitor may deposit (key -> Indonesian name)."""

VISIT_STATUSES: tuple[str, ...] = (
    "requested",
    "approved",
    "refused",
    "in_progress",
    "closed",
    "archived",
)
"""Where a visit stands: asked, allowed in or not, inside, left, form archived."""

OPEN_STATUSES: tuple[str, ...] = ("requested", "approved", "in_progress")
"""A visit in one of these has not ended."""

BADGE_PREFIX = "RS"
"""Server-room badges are numbered ``RS-01``, ``RS-02``, ..."""


def mask_id_number(number: str, shown: int = 4) -> str:
    """An ID number with all but its last ``shown`` characters hidden.

    Short numbers (``shown`` characters or fewer) are hidden completely, so a
    masked value never gives away a whole number.

    Args:
        number: The ID number as typed.
        shown: How many trailing characters stay visible.

    Returns:
        ``*`` for every hidden character, then the visible tail.

    Examples:
        >>> mask_id_number("8271034506900001")
        '************0001'
        >>> mask_id_number(" B 1234567 ")
        '****4567'
        >>> mask_id_number("1234")
        '****'
        >>> mask_id_number("")
        ''
    """
    text = "".join(number.split())
    if len(text) <= shown:
        return "*" * len(text)
    return "*" * (len(text) - shown) + text[-shown:]


def masked_id(id_type: str, number: str) -> str:
    """A visitor's ID as shown to people: its type and the masked number.

    Examples:
        >>> masked_id("KTP", "8271034506900001")
        'KTP ************0001'
    """
    return f"{id_type} {mask_id_number(number)}"


@dataclass(frozen=True)
class Device:
    """A device carried through the server-room door.

    Attributes:
        name: What it is (``Laptop``, ``Hard disk eksternal``).
        serial: Its serial number.
    """

    name: str
    serial: str

    def as_dict(self) -> dict[str, str]:
        """Plain data for the records and forms."""
        return {"name": self.name, "serial": self.serial}


def parse_device(text: str) -> Device:
    """A device from ``NAME:SERIAL`` as typed on the command line.

    Args:
        text: ``Laptop:SN123`` (the serial is after the last colon).

    Returns:
        The device.

    Raises:
        ValueError: No colon, an empty name or an empty serial.

    Examples:
        >>> parse_device("Laptop Dell:SN-123")
        Device(name='Laptop Dell', serial='SN-123')
        >>> parse_device("Laptop")
        Traceback (most recent call last):
        ...
        ValueError: 'Laptop': expected NAME:SERIAL, e.g. Laptop:SN123
    """
    name, sep, serial = text.rpartition(":")
    if not sep or not name.strip() or not serial.strip():
        raise ValueError(f"{text!r}: expected NAME:SERIAL, e.g. Laptop:SN123")
    return Device(name.strip(), serial.strip())


def devices_from(data: Iterable[Mapping[str, object]]) -> list[Device]:
    """Devices from their plain-data form (records, form answers).

    Examples:
        >>> devices_from([{"name": "Laptop", "serial": "SN1"}])
        [Device(name='Laptop', serial='SN1')]
    """
    return [Device(str(d["name"]).strip(), str(d["serial"]).strip()) for d in data]


class DeviceItem(BaseModel):
    """One device in a form: name and serial number, both required."""

    model_config = ConfigDict(title="Perangkat", json_schema_extra=tidy_part_schema)

    name: NameText = Field(description="Nama perangkat (device name), mis. Laptop")
    serial: ShortText = Field(description="Nomor seri (serial number)")

    @field_validator("name", "serial")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("tidak boleh kosong (must not be empty)")
        return value.strip()


class VisitRequest(BaseModel):
    """The server-room access form (SOP B step 1), validated.

    Examples:
        >>> from datetime import UTC
        >>> start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        >>> VisitRequest.parse(dict(visitor_name="Andi", organisation="PT Data",
        ...     id_type="KTP", id_number="8271", purpose="Ganti disk", planned_start=start,
        ...     planned_end=start, escort="sahrul", registered_by="sahrul"))
        Traceback (most recent call last):
        ...
        ValueError: planned_end: harus setelah planned_start (must be after the planned start)
        >>> VisitRequest.parse(dict(visitor_name="Andi", organisation="X",  # doctest: +ELLIPSIS
        ...     id_type="NPWP", id_number="8271", purpose="Ganti disk", planned_start=start,
        ...     planned_end=start, escort="", registered_by="sahrul"))
        Traceback (most recent call last):
        ...
        ValueError: id_type: 'NPWP' bukan jenis tanda pengenal yang dikenal (unknown ID type); ...
        escort: wajib diisi (required)
    """

    visitor_name: Annotated[str, one_line(200)]
    organisation: Annotated[str, one_line(200)]
    id_type: Annotated[str, one_line(20)]
    id_number: Annotated[str, one_line(64)]
    purpose: LongText
    planned_start: datetime
    planned_end: datetime
    escort: Username
    registered_by: Username
    devices: list[DeviceItem] = Field(default_factory=list)

    @field_validator(
        "visitor_name", "organisation", "id_number", "purpose", "escort", "registered_by"
    )
    @classmethod
    def _required(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("wajib diisi (required)")
        return value.strip()

    @field_validator("id_type")
    @classmethod
    def _known_id_type(cls, value: str) -> str:
        for key in ID_TYPES:
            if key.lower() == value.strip().lower():
                return key
        raise ValueError(
            f"{value!r} bukan jenis tanda pengenal yang dikenal (unknown ID type); "
            f"pilih: {', '.join(ID_TYPES)}"
        )

    @field_validator("planned_start", "planned_end")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("beri zona waktu (give a time zone), mis. 2026-12-01T09:00+09:00")
        return value

    @model_validator(mode="after")
    def _order(self) -> VisitRequest:
        if self.planned_end <= self.planned_start:
            raise ValueError(
                "planned_end: harus setelah planned_start (must be after the planned start)"
            )
        serials = [d.serial for d in self.devices]
        twice = sorted({s for s in serials if serials.count(s) > 1})
        if twice:
            raise ValueError(f"devices: nomor seri ganda (duplicate serial) {', '.join(twice)}")
        return self

    @classmethod
    def parse(cls, data: Mapping[str, object]) -> VisitRequest:
        """Validate a request; the error names each wrong field (never the ID number).

        Raises:
            ValueError: ``field: problem`` for every problem, one per line.
        """
        try:
            return cls.model_validate(dict(data))
        except ValidationError as exc:
            raise ValueError(request_errors(exc)) from None

    def masked(self) -> dict[str, object]:
        """The request as plain data with the ID number masked (for logs and run records)."""
        data = self.model_dump(mode="json")
        data["id_number"] = mask_id_number(self.id_number)
        return data


def request_errors(exc: ValidationError) -> str:
    """One line per problem, ``field: message``, without the values typed (pure)."""
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        where = ".".join(str(p) for p in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        if not where and ": " in message:
            where, message = message.split(": ", 1)
        lines.append(f"{where or 'formulir'}: {message}")
    return "\n".join(lines)


@dataclass(frozen=True)
class Reconciliation:
    """Devices in versus devices out, by serial.

    Attributes:
        extra: Devices that leave but did not come in.
        missing: Devices that came in but do not leave.
    """

    extra: tuple[Device, ...]
    missing: tuple[Device, ...]

    @property
    def flagged(self) -> tuple[str, ...]:
        """Every flagged serial, extra ones first."""
        return tuple(d.serial for d in (*self.extra, *self.missing))

    @property
    def matches(self) -> bool:
        """True when what left is what came in."""
        return not self.extra and not self.missing


def _key(serial: str) -> str:
    return "".join(serial.split()).upper()


def reconcile(devices_in: Sequence[Device], devices_out: Sequence[Device]) -> Reconciliation:
    """Compare the devices that came in with the devices that leave, by serial.

    Serials compare without spaces and case (``sn 12`` is ``SN12``).

    Args:
        devices_in: Recorded at the request.
        devices_out: Declared at the exit.

    Returns:
        The extra and missing devices.

    Examples:
        >>> inn = [Device("Laptop", "SN1"), Device("Disk", "SN2")]
        >>> r = reconcile(inn, [Device("Laptop", "sn1"), Device("Switch", "SW9")])
        >>> r.flagged, r.matches
        (('SW9', 'SN2'), False)
        >>> reconcile(inn, list(reversed(inn))).matches
        True
    """
    keys_in = {_key(d.serial) for d in devices_in}
    keys_out = {_key(d.serial) for d in devices_out}
    return Reconciliation(
        extra=tuple(d for d in devices_out if _key(d.serial) not in keys_in),
        missing=tuple(d for d in devices_in if _key(d.serial) not in keys_out),
    )


def unexplained(result: Reconciliation, explanations: Mapping[str, str]) -> tuple[str, ...]:
    """The flagged serials that have no explanation yet.

    Args:
        result: The reconciliation.
        explanations: Serial -> explanation (blank ones do not count).

    Returns:
        Serials still to explain.

    Examples:
        >>> r = reconcile([Device("Disk", "SN2")], [Device("Switch", "SW9")])
        >>> unexplained(r, {"sw9": "switch lama dibawa untuk RMA"})
        ('SN2',)
    """
    given = {_key(s) for s, text in explanations.items() if str(text).strip()}
    return tuple(s for s in result.flagged if _key(s) not in given)


def mismatch_message(result: Reconciliation, missing_explanations: Sequence[str]) -> str:
    """Why an exit form is refused: what is flagged and still unexplained (Indonesian).

    Examples:
        >>> r = reconcile([Device("Disk", "SN2")], [Device("Switch", "SW9")])
        >>> print(mismatch_message(r, r.flagged))
        explanations: perangkat tidak cocok tanpa penjelasan: SW9 (keluar tetapi tidak tercatat masuk), SN2 (masuk tetapi tidak keluar); isi penjelasan untuk setiap nomor seri
    """  # noqa: E501
    wanted = {_key(s) for s in missing_explanations}
    parts = [
        f"{d.serial} (keluar tetapi tidak tercatat masuk)"
        for d in result.extra
        if _key(d.serial) in wanted
    ] + [
        f"{d.serial} (masuk tetapi tidak keluar)"
        for d in result.missing
        if _key(d.serial) in wanted
    ]
    return (
        "explanations: perangkat tidak cocok tanpa penjelasan: "
        + ", ".join(parts)
        + "; isi penjelasan untuk setiap nomor seri"
    )


def is_overstay(planned_end: datetime, now: datetime, exited_at: datetime | None = None) -> bool:
    """Whether a visit is past its planned end without having left.

    Examples:
        >>> from datetime import UTC, timedelta
        >>> end = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
        >>> is_overstay(end, end + timedelta(minutes=1)), is_overstay(end, end)
        (True, False)
        >>> is_overstay(end, end + timedelta(hours=1), exited_at=end)
        False
    """
    return exited_at is None and now > planned_end


def next_badge(in_use: Iterable[str], prefix: str = BADGE_PREFIX) -> str:
    """The lowest badge number not worn by a visitor now.

    Examples:
        >>> next_badge([]), next_badge(["RS-01", "RS-03"]), next_badge(["RS-01", "RS-02"])
        ('RS-01', 'RS-02', 'RS-03')
    """
    taken = set(in_use)
    n = 1
    while f"{prefix}-{n:02d}" in taken:
        n += 1
    return f"{prefix}-{n:02d}"


def visit_number(year: int, sequence: int) -> str:
    """The visit's number in the visitor log: ``KRS-<year>-<sequence>``.

    Examples:
        >>> visit_number(2026, 7)
        'KRS-2026-0007'
    """
    return f"KRS-{year}-{sequence:04d}"


def overstay_message(
    *,
    number: str,
    visitor: str,
    organisation: str,
    identity: str,
    badge: str | None,
    escort: str,
    planned_end: str,
    now: str,
    run_ref: str,
) -> tuple[str, str]:
    """Subject and body of the e-mail about a visitor still inside after the planned end.

    ``identity`` is the visitor's ID already masked (:func:`masked_id`), so the message
    never holds the whole number. Times come formatted for the office.

    Examples:
        >>> subject, body = overstay_message(number="KRS-2026-0001", visitor="Andi",
        ...     organisation="PT Data", identity=masked_id("KTP", "8271034506900001"),
        ...     badge="RS-01", escort="sahrul", planned_end="10.00 WIT", now="10.30 WIT",
        ...     run_ref="run-1")
        >>> subject
        '[SIGAP] SOP B: kunjungan KRS-2026-0001 melewati waktu rencana (Andi, PT Data)'
        >>> "************0001" in body and "8271034506900001" not in body
        True
    """
    subject = (
        f"[SIGAP] SOP B: kunjungan {number} melewati waktu rencana ({visitor}, {organisation})"
    )
    body = "\n".join(
        [
            "Pengunjung ruang server masih tercatat di dalam setelah waktu rencana selesai.",
            "(A server-room visitor is still inside after the planned end of the visit.)",
            "",
            f"Nomor kunjungan : {number}",
            f"Pengunjung      : {visitor} ({organisation})",
            f"Tanda pengenal  : {identity}",
            f"Kartu akses     : {badge or '-'}",
            f"Pendamping      : {escort}",
            f"Rencana selesai : {planned_end}",
            f"Saat ini        : {now}",
            "",
            "Pastikan pengunjung didampingi, lalu catat keluarnya: "
            f"sigap visit exit {number} --device NAMA:SERI ... --as USERNAME",
            f"Run: {run_ref}",
        ]
    )
    return subject, body


def parse_local_time(text: str, timezone: tzinfo, field: str) -> datetime:
    """A time typed by a person: ISO 8601; without a zone it is the office's local time.

    Args:
        text: ``2026-12-01 09:00``, ``2026-12-01T09:00+09:00`` ...
        timezone: The office's timezone (for times typed without one).
        field: The option or field named in an error.

    Returns:
        An aware datetime.

    Raises:
        ValueError: ``field: ...`` when the text is not a time.

    Examples:
        >>> from zoneinfo import ZoneInfo
        >>> parse_local_time("2026-12-01 09:00", ZoneInfo("Asia/Jayapura"), "x").isoformat()
        '2026-12-01T09:00:00+09:00'
        >>> parse_local_time("besok", ZoneInfo("Asia/Jayapura"), "--planned-end")
        Traceback (most recent call last):
        ...
        ValueError: --planned-end: 'besok' is not a time; write YYYY-MM-DD HH:MM
    """
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{field}: {text!r} is not a time; write YYYY-MM-DD HH:MM") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone)
    return value


def period_bounds(
    day: str | None, month: str | None, timezone: tzinfo
) -> tuple[datetime, datetime, str]:
    """The period of a visitor log: one day or one month at the office, in UTC.

    Args:
        day: ``YYYY-MM-DD`` or ``None``.
        month: ``YYYY-MM`` or ``None`` (exactly one of the two).
        timezone: The office's timezone.

    Returns:
        ``(start, end, label)``; ``end`` is exclusive; the label is the period as typed.

    Raises:
        ValueError: Neither or both given, or a malformed value (the option named).

    Examples:
        >>> from zoneinfo import ZoneInfo
        >>> start, end, label = period_bounds("2026-12-01", None, ZoneInfo("Asia/Jayapura"))
        >>> start.isoformat(), end.isoformat(), label
        ('2026-11-30T15:00:00+00:00', '2026-12-01T15:00:00+00:00', '2026-12-01')
        >>> period_bounds(None, "2026-13", ZoneInfo("Asia/Jayapura"))
        Traceback (most recent call last):
        ...
        ValueError: --month: '2026-13' is not a month; write YYYY-MM
    """
    if (day is None) == (month is None):
        raise ValueError("give exactly one of --date YYYY-MM-DD or --month YYYY-MM")
    if day is not None:
        try:
            first = date.fromisoformat(day.strip())
        except ValueError:
            raise ValueError(f"--date: {day!r} is not a date; write YYYY-MM-DD") from None
        start = datetime.combine(first, time(), timezone)
        return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC), first.isoformat()
    assert month is not None
    try:
        first = date.fromisoformat(f"{month.strip()}-01")
    except ValueError:
        raise ValueError(f"--month: {month!r} is not a month; write YYYY-MM") from None
    start = datetime.combine(first, time(), timezone)
    nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    end = datetime.combine(nxt, time(), timezone)
    return start.astimezone(UTC), end.astimezone(UTC), first.strftime("%Y-%m")
