"""Words of the report in Indonesian (default) and English: titles, columns, dates.

Every text a reader sees comes from here, so a report is wholly in one language.
Only what the records hold verbatim (checklist evidence, notes, reasons, the
office's role titles) stays as it was written.

Examples:
    >>> text("title"), text("title", "en")
    ('Laporan Pemeliharaan Kinerja Sistem', 'System Performance Maintenance Report')
    >>> month_label("2026-11"), month_label("2026-08", "en")
    ('November 2026', 'August 2026')
    >>> from datetime import date
    >>> format_date(date(2026, 12, 1)), format_date(date(2026, 12, 1), "en")
    ('1 Desember 2026', '1 December 2026')
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sop.dates import MONTHS
from sop.runkeys import parse_month

_MONTH_TEXT = re.compile(r"\d{4}-\d{2}")
_DAY_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")

_CLI_HINTS = (
    re.compile(r"\s*[:;,]?\s*(?:jalankan|run|dengan|with)\s+`sigap [^`]*`", re.IGNORECASE),
    re.compile(r"\s*\(`?sigap [^)]*\)"),
    re.compile(r"\s*[:;,]?\s*(?:jalankan|run|dengan|with)\s+sigap [\w .:=-]*$", re.IGNORECASE),
)

LANGS: tuple[str, ...] = ("id", "en")
"""Report languages: Indonesian (the default, for official documents) and English."""

MONTHS_SHORT: dict[str, tuple[str, ...]] = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
"""Short month names for chart axes."""

TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Laporan Pemeliharaan Kinerja Sistem", "System Performance Maintenance Report"),
    "period": ("Periode", "Period"),
    "office": ("Kantor", "Office"),
    "sop": ("SOP", "SOP"),
    "run_key": ("Kunci proses SOP", "SOP run key"),
    "data_source": ("Sumber data", "Data source"),
    "source_sop_run": (
        "Proses SOP A {run_key}, pengumpulan data #{runs}",
        "SOP A run {run_key}, collection run(s) #{runs}",
    ),
    "source_sop_run_pending": (
        "Proses SOP A {run_key} (langkah 4 belum mencatat pengumpulan), pengumpulan data #{runs}",
        "SOP A run {run_key} (step 4 recorded no collection yet), collection run #{runs}",
    ),
    "source_collection": (
        "Pengumpulan data #{runs} (tanpa proses SOP A bulan ini)",
        "Collection run #{runs} (no SOP A run this month)",
    ),
    "generated_at": ("Dibuat", "Generated"),
    "none": ("Tidak ada.", "None."),
    "reviewed_by": ("Memeriksa,", "Reviewed by,"),
    "approved_by": ("Menyetujui,", "Approved by,"),
    "nip": ("NIP.", "NIP."),
    "no_decision": ("belum ada keputusan", "no decision yet"),
    "files": ("Berkas", "Files"),
    "chart_failed": ("Perangkat gagal per bulan", "Failed devices per month"),
    "chart_usage": ("Pemakaian sumber daya per bulan (%)", "Resource use per month (%)"),
    "no_data": ("tanpa data", "no data"),
    "chart_no_data": ("Tidak ada data", "No data"),
    "and_more": ("dan {n} lainnya", "and {n} more"),
    # official documents (reports/document.py)
    "doc_number": ("Nomor", "Number"),
    "doc_date": ("Tanggal", "Date"),
    "doc_title": ("Judul", "Title"),
    "doc_subtitle": ("Keterangan", "Note"),
    "doc_text": ("Isi", "Text"),
    "doc_sheet": ("Dokumen", "Document"),
    "doc_no_data": ("tidak ada data", "no data"),
    "doc_signatory": ("Penandatangan", "Signatory"),
    "doc_page": ("Halaman", "Page"),
    "doc_of": ("dari", "of"),
    "doc_rows": ("{n} baris", "{n} rows"),
    "yes": ("Ya", "Yes"),
    "no": ("Tidak", "No"),
}
"""Free texts of the report: key -> (Indonesian, English)."""

SECTIONS: dict[str, tuple[str, str]] = {
    "summary": ("Ringkasan", "Summary"),
    "devices": ("Perangkat", "Devices"),
    "unanswered_sites": ("Situs yang tidak menjawab", "Sites that did not answer"),
    "checklist": ("Checklist Kinerja", "Performance Checklist"),
    "config_changes": ("Perubahan Konfigurasi", "Configuration Changes"),
    "steps": ("Langkah SOP", "SOP Steps"),
    "approvals": ("Persetujuan", "Approvals"),
    "refused": ("Percobaan Ditolak", "Refused Attempts"),
    "trends": ("Tren 12 Bulan", "12-Month Trends"),
    "asset_reconciliation": ("Rekonsiliasi Aset", "Asset Reconciliation"),
    "signatures": ("Pengesahan", "Signatures"),
}
"""Section titles (also XLSX sheet names, so at most 31 characters each)."""

COLUMNS: dict[str, tuple[str, str]] = {
    # summary
    "item": ("Uraian", "Item"),
    "value": ("Nilai", "Value"),
    # devices
    "device": ("Perangkat", "Device"),
    "site": ("Lokasi", "Site"),
    "hostname": ("Hostname", "Hostname"),
    "vendor": ("Vendor", "Vendor"),
    "model": ("Model", "Model"),
    "serial": ("Nomor Seri", "Serial"),
    "os_version": ("Versi OS", "OS version"),
    "uptime": ("Uptime", "Uptime"),
    "cpu_percent": ("CPU %", "CPU %"),
    "memory_percent": ("Memori %", "Memory %"),
    "disk_percent": ("Disk Terpenuh %", "Fullest disk %"),
    "outcome": ("Hasil", "Outcome"),
    "collected_at": ("Waktu Pengumpulan", "Collected at"),
    # checklist
    "label": ("Butir Checklist", "Checklist item"),
    "status": ("Status", "Status"),
    "evidence": ("Bukti", "Evidence"),
    # config changes
    "from_version": ("Dari Versi", "From version"),
    "to_version": ("Ke Versi", "To version"),
    "changed_at": ("Waktu Perubahan", "Changed at"),
    "diff": ("Perbedaan", "Diff"),
    # steps
    "step": ("Langkah", "Step"),
    "activity": ("Kegiatan", "Activity"),
    "role": ("Jabatan", "Role"),
    "actor": ("Pelaksana", "Actor"),
    "started_at": ("Mulai", "Start"),
    "finished_at": ("Selesai", "End"),
    "actual": ("Waktu Aktual", "Actual time"),
    "waiting": ("Menunggu Pihak Ketiga", "Waiting on third party"),
    "standard": ("Waktu Standar", "Time standard"),
    "sla": ("Status SLA", "SLA status"),
    # approvals
    "name": ("Nama", "Name"),
    "nip": ("NIP", "NIP"),
    "decision": ("Keputusan", "Decision"),
    "decided_at": ("Waktu", "Time"),
    "note": ("Catatan", "Note"),
    # sites that did not answer
    "device_names": ("Perangkat", "Devices"),
    # refused
    "username": ("Nama Pengguna", "Username"),
    "reason": ("Alasan", "Reason"),
    "refused_at": ("Waktu", "Time"),
    # trends
    "month": ("Bulan", "Month"),
    "devices_total": ("Jumlah Perangkat", "Devices"),
    "devices_failed": ("Perangkat Gagal", "Failed devices"),
    "cpu_mean": ("CPU Rata-rata %", "CPU mean %"),
    "cpu_max": ("CPU Maks. %", "CPU max %"),
    "memory_mean": ("Memori Rata-rata %", "Memory mean %"),
    "memory_max": ("Memori Maks. %", "Memory max %"),
    "disk_max": ("Disk Maks. %", "Disk max %"),
    # asset reconciliation
    "finding": ("Temuan", "Finding"),
    "asset_tag": ("Kode Aset", "Asset tag"),
    "field": ("Data", "Field"),
    "register_value": ("Di Register", "In the register"),
    "network_value": ("Di Jaringan", "On the network"),
    "last_seen": ("Terakhir Terlihat", "Last seen"),
}
"""Column headers: stable key -> (Indonesian, English)."""

RECONCILIATION: dict[str, tuple[str, str]] = {
    "unregistered": (
        "Perangkat di jaringan tidak ada di register",
        "Device on the network, not in the register",
    ),
    "not_seen": ("Aset terdaftar tidak terlihat", "Registered asset not seen"),
    "mismatch": ("Data berbeda", "Data differs"),
    "serial": ("Nomor seri", "Serial"),
    "model": ("Model", "Model"),
    "os_version": ("Versi OS", "OS version"),
    "status": ("Status", "Status"),
    "register_empty": (
        "Register aset belum diisi: data aset belum diimpor ke register",
        "The asset register is empty: no assets have been imported into it",
    ),
    "in_sync": (
        "Register aset sesuai dengan perangkat yang terlihat",
        "The asset register matches the devices seen",
    ),
    "note_unregistered": (
        "Daftarkan perangkat ini di register aset",
        "Register this device in the asset register",
    ),
    "note_link": (
        "Nomor seri sama dengan aset {tag}: isi host inventaris {host}",
        "Same serial as asset {tag}: set its inventory host to {host}",
    ),
    "note_not_seen": (
        "Tidak terlihat {months} bulan: periksa fisik atau perbarui register",
        "Not seen for {months} months: check it physically or update the register",
    ),
    "note_mismatch": (
        "Periksa perangkat atau perbarui register",
        "Check the device or update the register",
    ),
    "note_disposed": (
        "Aset sudah dihapuskan tetapi masih menjawab di jaringan",
        "The asset is disposed but still answers on the network",
    ),
    "never": ("Belum pernah", "Never"),
}
"""Words of the asset reconciliation section: key -> (Indonesian, English)."""

SUMMARY_ITEMS: dict[str, tuple[str, str]] = {
    "office": ("Kantor", "Office"),
    "period": ("Periode", "Period"),
    "data_source": ("Sumber data", "Data source"),
    "devices_total": ("Jumlah perangkat", "Devices"),
    "devices_ok": ("Perangkat berhasil diperiksa", "Devices checked"),
    "devices_failed": ("Perangkat gagal diperiksa", "Devices failed"),
    "by_outcome": ("Hasil pengumpulan: {outcome}", "Collection outcome: {outcome}"),
    "checks_pass": ("Butir checklist baik", "Checklist items passed"),
    "checks_warn": ("Butir checklist peringatan", "Checklist items with warnings"),
    "checks_fail": ("Butir checklist gagal", "Checklist items failed"),
    "degraded": ("Komponen menurun kinerjanya", "Degraded components"),
    "config_changes": ("Perubahan konfigurasi", "Configuration changes"),
    "sla_met": ("Langkah SOP tepat waktu", "SOP steps within standard"),
    "sla_breached": ("Langkah SOP melewati standar", "SOP steps over standard"),
    "sla_percent": ("Kepatuhan waktu standar (%)", "Time standard compliance (%)"),
}
"""Rows of the summary table."""

OUTCOMES: dict[str, tuple[str, str]] = {
    "ok": ("berhasil", "ok"),
    "unreachable": ("tidak dapat dijangkau", "unreachable"),
    "auth_failed": ("autentikasi gagal", "authentication failed"),
    "timeout": ("waktu habis", "timed out"),
    "host_key_changed": ("kunci host SSH berubah", "SSH host key changed"),
    "parse_error": ("keluaran tidak dapat dibaca", "output could not be parsed"),
    "truncated": ("keluaran terpotong", "output truncated"),
}
"""Collection outcomes of a device."""

CHECK_STATUSES: dict[str, tuple[str, str]] = {
    "pass": ("baik", "pass"),
    "warn": ("peringatan", "warning"),
    "fail": ("gagal", "fail"),
}
"""Checklist item statuses."""

DECISIONS: dict[str, tuple[str, str]] = {
    "setuju": ("setuju", "approved"),
    "tolak": ("tolak", "rejected"),
    "kembalikan": ("dikembalikan untuk perbaikan", "returned for revision"),
}
"""Approval decisions."""

CONFIRMED = "konfirmasi"
"""The decision a signature block records for a signed form answer (not an approval):
the person confirmed their part of the document with their code (a Nota Dinas written,
a handover received, a repair reported)."""

ACTS: dict[str, tuple[str, str]] = {**DECISIONS, CONFIRMED: ("dikonfirmasi", "confirmed")}
"""What a signature block's recorded decision may be: an approval decision or a confirmation."""

SLA_STATUSES: dict[str, tuple[str, str]] = {
    "met": ("tepat waktu", "met"),
    "breached": ("melewati standar", "breached"),
    "running": ("berjalan", "running"),
    "no_standard": ("tanpa standar", "no standard"),
}
"""SLA verdicts of a step (see :class:`sop.sla.SlaStatus`)."""

_UNITS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    # unit -> ((id singular, id plural), (en singular, en plural))
    "day": (("hari", "hari"), ("day", "days")),
    "hour": (("jam", "jam"), ("hour", "hours")),
    "minute": (("menit", "menit"), ("minute", "minutes")),
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a report language.

    Args:
        lang: ``"id"`` or ``"en"``.

    Returns:
        The language.

    Raises:
        ValueError: Another value, naming the field.

    Examples:
        >>> check_lang("en")
        'en'
        >>> check_lang("fr")
        Traceback (most recent call last):
        ...
        ValueError: lang: 'fr' is not a report language; choose id or en
    """
    if lang not in LANGS:
        raise ValueError(f"lang: {lang!r} is not a report language; choose id or en")
    return lang


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if check_lang(lang) == "en" else pair[0]


def reconciliation_word(key: str, lang: str = "id", **values: object) -> str:
    """Return a word of the asset reconciliation section, with ``values`` filled in.

    Args:
        key: A key of :data:`RECONCILIATION`.
        lang: ``"id"`` or ``"en"``.
        **values: Values for the text's ``{placeholders}``.

    Returns:
        The text.

    Examples:
        >>> reconciliation_word("note_not_seen", "en", months=3)
        'Not seen for 3 months: check it physically or update the register'
    """
    return _pick(RECONCILIATION[key], lang).format(**values)


def text(key: str, lang: str = "id", **values: object) -> str:
    """Return a free text of the report, with ``values`` filled in.

    Args:
        key: A key of :data:`TEXTS`.
        lang: ``"id"`` or ``"en"``.
        **values: Values for the text's ``{placeholders}``.

    Returns:
        The text.

    Examples:
        >>> text("and_more", "id", n=3)
        'dan 3 lainnya'
    """
    return _pick(TEXTS[key], lang).format(**values)


def section(key: str, lang: str = "id") -> str:
    """Return a section title.

    Args:
        key: A key of :data:`SECTIONS`.
        lang: ``"id"`` or ``"en"``.

    Returns:
        The title.

    Examples:
        >>> section("devices"), section("devices", "en")
        ('Perangkat', 'Devices')
    """
    return _pick(SECTIONS[key], lang)


def column(key: str, lang: str = "id") -> str:
    """Return a column header.

    Args:
        key: A key of :data:`COLUMNS`.
        lang: ``"id"`` or ``"en"``.

    Returns:
        The header.

    Examples:
        >>> column("serial"), column("serial", "en")
        ('Nomor Seri', 'Serial')
    """
    return _pick(COLUMNS[key], lang)


def word(table: dict[str, tuple[str, str]], key: str | None, lang: str = "id") -> str:
    """Translate a stored code (outcome, status, decision, SLA verdict).

    Args:
        table: One of :data:`OUTCOMES`, :data:`CHECK_STATUSES`, :data:`DECISIONS`,
            :data:`SLA_STATUSES`.
        key: The code as stored; unknown codes are shown as they are.
        lang: ``"id"`` or ``"en"``.

    Returns:
        The word, ``-`` for None.

    Examples:
        >>> word(DECISIONS, "kembalikan"), word(SLA_STATUSES, "breached", "en")
        ('dikembalikan untuk perbaikan', 'breached')
        >>> word(OUTCOMES, "exploded"), word(OUTCOMES, None)
        ('exploded', '-')
    """
    if key is None:
        return "-"
    pair = table.get(key)
    return key if pair is None else _pick(pair, lang)


def month_label(month: str, lang: str = "id") -> str:
    """Name a ``YYYY-MM`` month as the report does.

    Args:
        month: ``YYYY-MM``.
        lang: ``"id"`` or ``"en"``.

    Returns:
        E.g. ``November 2026``.

    Examples:
        >>> month_label("2026-02"), month_label("2026-05", "en")
        ('Februari 2026', 'May 2026')
    """
    year, mon = parse_month(month).split("-")
    return f"{MONTHS[check_lang(lang)][int(mon) - 1]} {year}"


def without_cli_hints(message: str) -> str:
    """A recorded message as an official document prints it: without ``sigap`` commands.

    Refusal reasons recorded by SIGAP before 2026-12-03 end with the command that fixes
    the matter (``jalankan `sigap people set-code ani```); records are not rewritten,
    so documents drop such hints here. Reasons recorded since state the fact only, and
    the CLI adds the command (``sigap.labels.reason_text``). A signed document states
    the fact only.

    Args:
        message: The message as recorded.

    Returns:
        The message without its command hints.

    Examples:
        >>> without_cli_hints("ani tanpa kode: jalankan `sigap people set-code ani`")
        'ani tanpa kode'
        >>> without_cli_hints("daftarkan perangkat ini di register aset (sigap asset import)")
        'daftarkan perangkat ini di register aset'
        >>> without_cli_hints("kode persetujuan salah")
        'kode persetujuan salah'
    """
    for pattern in _CLI_HINTS:
        message = pattern.sub("", message)
    return message.strip()


def period_label(period: str, lang: str = "id") -> str:
    """Name a report period as documents show it: a month or a day, never ``2026-12``.

    Args:
        period: ``YYYY-MM`` (a month) or ``YYYY-MM-DD`` (a day); any other text
            (an already written period such as ``Tahun 2026``) is returned as it is.
        lang: ``"id"`` or ``"en"``.

    Returns:
        E.g. ``Desember 2026`` or ``1 Desember 2026``.

    Examples:
        >>> period_label("2026-12"), period_label("2026-12", "en")
        ('Desember 2026', 'December 2026')
        >>> period_label("2026-12-01"), period_label("Tahun 2026")
        ('1 Desember 2026', 'Tahun 2026')
    """
    text = period.strip()
    check_lang(lang)
    if _MONTH_TEXT.fullmatch(text):
        try:
            return month_label(text, lang)
        except ValueError:
            return period
    if _DAY_TEXT.fullmatch(text):
        try:
            return format_date(date.fromisoformat(text), lang)
        except ValueError:
            return period
    return period


def month_short(month: str, lang: str = "id") -> str:
    """Name a month briefly, for chart axes.

    Args:
        month: ``YYYY-MM``.
        lang: ``"id"`` or ``"en"``.

    Returns:
        E.g. ``Agu 2026``.

    Examples:
        >>> month_short("2026-08"), month_short("2026-08", "en")
        ('Agu 2026', 'Aug 2026')
    """
    year, mon = parse_month(month).split("-")
    return f"{MONTHS_SHORT[check_lang(lang)][int(mon) - 1]} {year}"


def format_date(value: date, lang: str = "id") -> str:
    """Write a date as Indonesian official documents do.

    Args:
        value: The date (a datetime is taken as its date, in its own zone).
        lang: ``"id"`` or ``"en"``.

    Returns:
        E.g. ``1 Desember 2026``.

    Examples:
        >>> format_date(date(2026, 3, 9))
        '9 Maret 2026'
    """
    return f"{value.day} {MONTHS[check_lang(lang)][value.month - 1]} {value.year}"


def format_datetime(
    value: datetime | None, timezone: ZoneInfo, abbrev: str, lang: str = "id"
) -> str:
    """Write an aware time in the office's zone, with the zone's abbreviation.

    Args:
        value: An aware time, or None.
        timezone: The office's time zone.
        abbrev: Its abbreviation (``WIB``, ``WITA``, ``WIT``).
        lang: ``"id"`` or ``"en"``.

    Returns:
        E.g. ``2 November 2026 09:05 WIT``; ``-`` for None.

    Examples:
        >>> from datetime import UTC
        >>> at = datetime(2026, 11, 2, 0, 5, tzinfo=UTC)
        >>> format_datetime(at, ZoneInfo("Asia/Jayapura"), "WIT")
        '2 November 2026 09:05 WIT'
        >>> format_datetime(None, ZoneInfo("Asia/Jayapura"), "WIT")
        '-'
    """
    if value is None:
        return "-"
    local = value.astimezone(timezone)
    return f"{format_date(local, lang)} {local:%H:%M} {abbrev}"


def format_span(span: timedelta | None, lang: str = "id") -> str:
    """Write a length of time in days, hours and minutes (the two largest parts).

    Args:
        span: The length, or None.
        lang: ``"id"`` or ``"en"``.

    Returns:
        E.g. ``1 hari 2 jam``, ``25 minutes``; ``-`` for None.

    Examples:
        >>> format_span(timedelta(days=1, hours=2, minutes=5))
        '1 hari 2 jam'
        >>> format_span(timedelta(minutes=1, seconds=30), "en"), format_span(timedelta(0))
        ('1 minute', '0 menit')
        >>> format_span(timedelta(hours=3), "en")
        '3 hours'
    """
    if span is None:
        return "-"
    en = check_lang(lang) == "en"
    seconds = max(int(span.total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [(n, unit) for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute")) if n]
    if not parts:
        parts = [(0, "minute")]
    words = []
    for n, unit in parts[:2]:
        singular, plural = _UNITS[unit][1 if en else 0]
        words.append(f"{n} {singular if n == 1 else plural}")
    return " ".join(words)


def format_number(value: float | None, lang: str = "id") -> str:
    """Write a percentage or measurement with at most one decimal.

    Indonesian uses a decimal comma, English a decimal point.

    Args:
        value: The number, or None (NaN counts as None).
        lang: ``"id"`` or ``"en"``.

    Returns:
        The text, ``-`` for no value.

    Examples:
        >>> format_number(92.46), format_number(92.46, "en"), format_number(80.0)
        ('92,5', '92.5', '80')
        >>> format_number(float("nan"))
        '-'
    """
    if value is None or value != value:  # NaN
        return "-"
    shown = f"{value:.1f}".rstrip("0").rstrip(".")
    if shown in ("-0", ""):
        shown = "0"
    return shown if check_lang(lang) == "en" else shown.replace(".", ",")
