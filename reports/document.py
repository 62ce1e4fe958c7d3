"""Official documents (Berita Acara, Nota Dinas, Surat Penugasan, BAST...) as PDF, HTML and XLSX.

One renderer for every Indonesian official document SIGAP prints. A flow fills an
:class:`OfficialDocument` (title, number, date, paragraphs, a label: value block,
tables, signature blocks) and calls :func:`write_document` and, inside a flow run,
:func:`publish_document`::

    doc = OfficialDocument(
        office=office,
        title="BERITA ACARA PEMELIHARAAN JARINGAN",
        number="BA/001/XII/2026",
        date=finished_at,
        paragraphs=["Pada hari ini ..."],
        fields=[("Perangkat", "sw01"), ("Jenis gangguan", "link down")],
        tables=[DocTable(key="steps", title="Langkah", frame=frame)],
        signatures=[signature_for(office, "team_lead", label="Mengetahui,")],
    )
    paths = write_document(doc, out_dir, "ba-inc-2026-0001")
    publish_document(doc, paths, key="ba-inc-2026-0001")

The layout is that of an Indonesian official letter: the office's letterhead (kop
surat) centred over a double rule, the title underlined and centred with
``Nomor: ...`` below, the paragraphs, the fields as an aligned ``label : value``
block, the tables (header repeated on every PDF page), closing paragraphs, then
``<city>, <date>`` and the signature blocks two per row (label, role title, space
for the wet signature, name underlined, ``NIP. ...``).

It reuses the monthly report's pieces: the stylesheets and Jinja2 environment of
:mod:`reports.render_html` (values are escaped), WeasyPrint through
:func:`reports.render_pdf.html_to_pdf`, the XLSX styling of
:mod:`reports.render_xlsx`, the words and dates of :mod:`reports.labels` and the
artifact helpers of :mod:`reports.artifacts`.

Values are shown as follows, in fields and table cells alike: ``None`` and NaN as
``-``; aware datetimes in the office's time zone (``2 November 2026 09:05 WIT``);
dates as ``1 Desember 2026``; durations as ``1 jam 5 menit``; floats with a decimal
comma in Indonesian; booleans as ``Ya``/``Tidak``. A naive datetime is refused
(:class:`ValueError` naming the field or table and column).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
from openpyxl.drawing.image import Image
from openpyxl.utils import get_column_letter

from reports import labels
from reports.artifacts import (
    ArtifactTable,
    ServedReports,
    artifact_key,
    markdown_cell,
    publish_artifacts,
    table_records,
)
from reports.data import ApprovalRecord
from reports.render_html import TEMPLATES_DIR, Cell, data_uri, format_cell, template_environment
from reports.render_pdf import html_to_pdf
from reports.render_xlsx import clean_frame, style_sheet
from sop.office import Office, role_title
from sop.problems import did_you_mean

FORMATS: tuple[str, ...] = ("pdf", "html", "xlsx")
"""The formats a document is rendered in."""

STYLESHEETS: tuple[str, ...] = ("screen.css",)
"""The stylesheets of every document's page (in ``reports/templates/``)."""

PRINT_STYLESHEETS: tuple[str, ...] = ("screen.css", "print.css")
"""The stylesheets of the page printed as PDF."""

MARKDOWN_ROWS = 30
"""Rows of each table shown in the markdown artifact (the table artifact has them all)."""

IMAGE_ROWS = 22
"""XLSX rows between two images placed beside a table."""

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_BASENAME_BAD = re.compile(r"[/\\\x00]")


@dataclass(frozen=True)
class DocImage:
    """A picture shown with a table (a chart): under it in the page, beside it in the XLSX.

    Attributes:
        title: What it shows (the page's alternative text).
        png: The PNG image.
    """

    title: str
    png: bytes

    @property
    def uri(self) -> str:
        """The image as a ``data:`` URI, so the HTML file stands on its own."""
        return data_uri(self.png)


@dataclass(frozen=True)
class DocTable:
    """A table of an official document.

    Attributes:
        key: Stable key (``steps``, ``parts``...): the table artifact's key suffix.
        title: Heading above the table (also its XLSX sheet name, cut to 31
            characters); may be empty.
        frame: The rows. Column names are shown as headers unless ``headers``
            renames them; columns named ``status``, ``sla``, ``decision`` or
            ``outcome`` colour their verdict words as in the monthly report.
        headers: Column name -> header shown (for frames with stable English
            keys); columns not named keep their name.
        images: Pictures (charts) shown with the table.
        as_written: The frame already holds the values as shown (words, formatted
            times): the XLSX writes them as they are and leaves missing values empty
            (instead of ``-``).
        publish: Whether :func:`publish_document` makes a table artifact of it: None
            (default) when it has rows, True always, False never.
    """

    key: str
    title: str
    frame: pd.DataFrame
    headers: Mapping[str, str] | None = None
    images: Sequence[DocImage] = ()
    as_written: bool = False
    publish: bool | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.frame, pd.DataFrame):
            raise TypeError(
                f"DocTable {self.key!r}: frame must be a pandas DataFrame, "
                f"not {type(self.frame).__name__}"
            )
        if not str(self.key).strip():
            raise ValueError(f"DocTable {self.title!r}: key must not be empty")

    def shown_headers(self) -> list[str]:
        """Return the headers as shown.

        Returns:
            One header per column.
        """
        names = self.headers or {}
        return [str(names.get(str(c), c)) for c in self.frame.columns]


@dataclass(frozen=True)
class Signature:
    """One signature block, of any document (monthly report, Berita Acara, BAST...).

    Attributes:
        label: Caption above the role, e.g. ``Yang menyerahkan,`` or ``Menyetujui,``.
        role_title: The office's title for the signer's role (required).
        name: The signer's full name; None leaves a dotted line for a wet signature.
        nip: Their NIP, printed ``NIP. ...``; None prints no NIP line (a dotted one
            when the name is blank too).
        remark: A small line under the role, e.g. the recorded decision and its time.
        role_key: The signer's role key in the office, if known (e.g. ``kasubag``).
        decision: The signer's recorded decision (``setuju``, ``tolak``,
            ``kembalikan``, or ``konfirmasi`` for a signed form answer), if the
            block stands for one: only a block with one is signed electronically.
        decided_at: When that decision was recorded (aware).
    """

    label: str = ""
    role_title: str = ""
    name: str | None = None
    nip: str | None = None
    remark: str | None = None
    role_key: str | None = None
    decision: str | None = None
    decided_at: datetime | None = None

    def __post_init__(self) -> None:
        if not str(self.role_title).strip():
            raise ValueError(f"Signature {self.label!r}: role_title is required")


def decision_remark(decision: str, decided_at: datetime, office: Office, lang: str = "id") -> str:
    """The line under a signer's role that records their decision: ``Setuju, <time>``.

    Args:
        decision: ``setuju``, ``tolak`` or ``kembalikan``.
        decided_at: When (aware).
        office: The office (its time zone).
        lang: ``id`` or ``en``.

    Returns:
        The line.

    Examples:
        >>> from datetime import UTC
        >>> from sop.office import parse_office
        >>> kanwil = parse_office("{office: {name: K, timezone: Asia/Jayapura}, sops: [A]}", "f")
        >>> decision_remark("setuju", datetime(2026, 12, 1, 1, 5, tzinfo=UTC), kanwil)
        'Setuju, 1 Desember 2026 10:05 WIT'
    """
    word = labels.word(labels.ACTS, decision, lang).capitalize()
    return f"{word}, {format_value(decided_at, office, lang, where='decided_at')}"


class Decided(Protocol):
    """A person's recorded decision on a step: the one model every signature block reads.

    :class:`reports.data.ApprovalRecord` (the monthly report's, read from the records) and
    :class:`records.journal.DecisionEntry` (a running flow's, ``Procedure.decisions()``)
    are both one; a signed form answer is one through :func:`confirmation`.
    """

    @property
    def step_number(self) -> int:
        """The step decided on."""

    @property
    def approver(self) -> str:
        """Username of who decided."""

    @property
    def decision(self) -> str:
        """``setuju``, ``tolak``, ``kembalikan`` or ``konfirmasi``."""

    @property
    def decided_at(self) -> datetime:
        """When (aware)."""


def confirmation(
    step_number: int, approver: str, role_key: str, decided_at: datetime
) -> ApprovalRecord:
    """A signed form answer as a recorded decision (``konfirmasi``) for a signature block.

    Only for a step whose answer the person gave with their code (a Nota Dinas, a
    fix or receipt report): an automatic step's actor has confirmed nothing.

    Args:
        step_number: The step answered.
        approver: Who answered.
        role_key: The role they answered in.
        decided_at: When the answer was accepted (aware).

    Returns:
        The record.
    """
    return ApprovalRecord(step_number, approver, role_key, labels.CONFIRMED, None, decided_at)


def step_confirmation(
    steps: Sequence[Mapping[str, Any]], step_number: int
) -> ApprovalRecord | None:
    """The latest completed answer of a form step in a run's step logs, as a confirmation.

    Args:
        steps: Step logs as plain data (``step``, ``role``, ``actor``, ``status``,
            ``finished_at``; :func:`records.incidents.incident_history`).
        step_number: The form step (answered with a code; see :func:`confirmation`).

    Returns:
        The confirmation, or None when the step has no completed answer.
    """
    done = [
        s
        for s in steps
        if int(s["step"]) == step_number
        and s.get("status") == "completed"
        and s.get("actor")
        and s.get("finished_at") is not None
    ]
    if not done:
        return None
    last = done[-1]
    return confirmation(step_number, str(last["actor"]), str(last["role"]), last["finished_at"])


def latest_decision(
    decisions: Iterable[Decided], step_numbers: Iterable[int], approver: str | None = None
) -> Decided | None:
    """The latest recorded decision on any of the steps (by ``approver``, if given).

    Args:
        decisions: The run's decisions, in any order.
        step_numbers: The steps a signature block stands for.
        approver: Only this person's decisions.

    Returns:
        The decision, or None when nobody (or not ``approver``) decided those steps.
    """
    wanted = set(step_numbers)
    latest: Decided | None = None
    for d in decisions:  # the later of two at the same time: the one recorded last
        later = latest is None or d.decided_at >= latest.decided_at
        if d.step_number in wanted and approver in (None, d.approver) and later:
            latest = d
    return latest


def decided_signature(
    office: Office,
    role_key: str,
    decided: Decided | None,
    label: str = "",
    *,
    username: str | None = None,
    lang: str = "id",
) -> Signature:
    """A signature block that carries its person's recorded decision, or says there is none.

    Every document's approver blocks are made here (:func:`signature_for` with the
    decision), so the signing of the PDF (:mod:`reports.signing`) treats them alike: a
    block with a decision whose person has a certificate is signed electronically; a
    block without one shows ``(belum ada keputusan)`` and stays unsigned.

    Args:
        office: The office (titles, names, NIPs).
        role_key: The block's role.
        decided: The person's decision (:func:`latest_decision`), or None.
        label: Caption above the role.
        username: Who the block names while nobody decided (None: the role's first
            holder); a decision names its approver.
        lang: ``id`` or ``en``.

    Returns:
        The block (unknown people are printed by username: records outlive office files).
    """
    if decided is None:
        pending = f"({labels.text('no_decision', lang)})"
        return signature_for(
            office, role_key, username, label, remark=pending, lang=lang, strict=False
        )
    return signature_for(
        office,
        role_key,
        decided.approver,
        label,
        decision=decided.decision,
        decided_at=decided.decided_at,
        lang=lang,
        strict=False,
    )


def signature_for(
    office: Office,
    role_key: str,
    username: str | None = None,
    label: str = "",
    *,
    remark: str | None = None,
    decision: str | None = None,
    decided_at: datetime | None = None,
    lang: str = "id",
    strict: bool = True,
) -> Signature:
    """Make the signature block of a role in the office: the one way every document does.

    Args:
        office: The office (role titles, people, NIPs).
        role_key: The signer's role key, e.g. ``team_lead``.
        username: The person who signs; None takes the role's first holder in the
            office file, or leaves the name blank when nobody holds it.
        label: Caption above the role, e.g. ``Mengetahui,``.
        remark: A small line under the role, e.g. ``Setuju, 1 Desember 2026 10:05 WIT``;
            made from ``decision`` and ``decided_at`` when those are given.
        decision: The signer's recorded decision, if any (needs ``decided_at``).
        decided_at: When it was recorded (aware).
        lang: ``id`` or ``en`` (the words of the decision remark).
        strict: Refuse a role or username the office file does not hold. With False
            (a record naming someone who has since left the office) an unknown role
            shows its key and an unknown username is printed as the name, without NIP.

    Returns:
        The block.

    Raises:
        ValueError: ``role_key`` is no role of the office, or ``username`` is not a
            person of the office (both named in the message, only when ``strict``);
            ``decision`` without ``decided_at``.
    """
    if strict and role_key not in office.role_titles:
        raise ValueError(
            f"role {role_key!r} is not a role of {office.file}"
            f"{did_you_mean(role_key, office.role_titles)}; known: {', '.join(office.role_titles)}"
        )
    name: str | None = None
    nip: str | None = None
    if username is not None:
        person = office.person(username)
        if person is None and strict:
            raise ValueError(
                f"username {username!r} is not a person in {office.file}"
                f"{did_you_mean(username, [p.username for p in office.people])}"
            )
        name, nip = (person.name, person.nip) if person is not None else (username, None)
    else:
        holders = office.holders(role_key)
        if holders:
            name, nip = holders[0].name, holders[0].nip
    if decision is not None:
        if decided_at is None:
            raise ValueError(f"signature of {role_key!r}: a decision needs its decided_at")
        remark = decision_remark(decision, decided_at, office, lang)
    return Signature(
        label=label,
        role_title=role_title(office, role_key),
        name=name,
        nip=nip,
        remark=remark,
        role_key=role_key,
        decision=decision,
        decided_at=decided_at,
    )


def letterhead_lines(office: Office) -> tuple[str, ...]:
    """The office's letterhead (kop surat) lines: its configured lines, else its name.

    Every document's letterhead is drawn from these, in ``templates/base.html.j2``.

    Args:
        office: The office.

    Returns:
        The lines, top first.
    """
    return tuple(office.letterhead) or (office.name,)


def place_date(office: Office, when: datetime, lang: str = "id") -> str:
    """``<city>, <date>`` above the signatures, in the office's time zone.

    Args:
        office: The office (its city, else its short name, and time zone).
        when: The document's date (aware).
        lang: ``id`` or ``en``.

    Returns:
        E.g. ``Ternate, 1 Desember 2026``.
    """
    city = office.city or office.short_name
    return f"{city}, {labels.format_date(when.astimezone(office.timezone), lang)}"


@dataclass(frozen=True, kw_only=True)
class OfficialDocument:
    """An official document, ready to render.

    Attributes:
        office: The office: letterhead lines, city, time zone.
        title: The title, printed in capitals, centred and underlined.
        date: When the document is dated (aware): ``<city>, 1 Desember 2026`` above
            the signatures, in the office's time zone.
        number: The letter number (nomor surat), or None.
        lang: ``id`` (default) or ``en``.
        paragraphs: Plain-text paragraphs under the title (line breaks kept).
        fields: ``(label, value)`` pairs shown as an aligned ``label : value`` block.
        tables: The tables, after the fields.
        closing: Plain-text paragraphs after the tables (e.g. ``Demikian ...``).
        signatures: The signature blocks, two per row.
        subtitle: A line under the title and number, e.g. ``Periode: November 2026``.
        landscape: Print the PDF on landscape A4 (for wide tables such as a log).
        template: The page's Jinja2 template in ``reports/templates/``; every one
            extends ``base.html.j2`` (the monthly report's adds its sections' layout).
        context: Extra values that template reads as ``doc.context``.
        caption: The document's short name (PDF footer, page title, XLSX title,
            artifact description); default ``<title> <number>``.
        cover_sheet: Whether the XLSX starts with the ``Dokumen`` sheet.
        signatures_per_row: Signature blocks side by side.
    """

    office: Office
    title: str
    date: datetime
    number: str | None = None
    lang: str = "id"
    paragraphs: Sequence[str] = ()
    fields: Sequence[tuple[str, Any]] = ()
    tables: Sequence[DocTable] = ()
    closing: Sequence[str] = ()
    signatures: Sequence[Signature] = field(default=())
    subtitle: str | None = None
    landscape: bool = False
    template: str = "document.html.j2"
    context: Mapping[str, Any] = field(default_factory=dict)
    caption: str = ""
    cover_sheet: bool = True
    signatures_per_row: int = 2

    def __post_init__(self) -> None:
        labels.check_lang(self.lang)
        if not str(self.title).strip():
            raise ValueError("title: must not be empty")
        if not isinstance(self.date, datetime) or self.date.utcoffset() is None:
            raise ValueError(f"date: {self.date!r} must be a timezone-aware datetime")
        for name in ("paragraphs", "closing"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise TypeError(f"{name}: a list of paragraphs, not one string")
            for i, text in enumerate(value):
                if not isinstance(text, str):
                    raise TypeError(f"{name}[{i}]: a paragraph is text, not {type(text).__name__}")
        for i, pair in enumerate(self.fields):
            if not (isinstance(pair, tuple | list) and len(pair) == 2 and isinstance(pair[0], str)):
                raise ValueError(f"fields[{i}]: expected a (label, value) pair, got {pair!r}")
        keys = [t.key for t in self.tables]
        for t in self.tables:
            if not isinstance(t, DocTable):
                raise TypeError(f"tables: {t!r} is not a DocTable")
            if keys.count(t.key) > 1:
                raise ValueError(f"tables: key {t.key!r} is used more than once")
        for s in self.signatures:
            if not isinstance(s, Signature):
                raise TypeError(f"signatures: {s!r} is not a Signature")
        if self.signatures_per_row < 1:
            raise ValueError("signatures_per_row: at least 1")

    @property
    def place_date(self) -> str:
        """``<city>, <date>`` in the office's time zone and the document's language."""
        return place_date(self.office, self.date, self.lang)

    @property
    def letterhead(self) -> tuple[str, ...]:
        """The letterhead lines (the office's name when it has none)."""
        return letterhead_lines(self.office)

    @property
    def short_name(self) -> str:
        """The caption, else ``<title> <number>``."""
        return self.caption or f"{self.title} {self.number or ''}".strip()


# -- values -------------------------------------------------------------------------------


def format_value(value: Any, office: Office, lang: str = "id", *, where: str = "value") -> str:
    """Write one value as an official document shows it.

    Args:
        value: The value.
        office: The office (its time zone for datetimes).
        lang: ``id`` or ``en``.
        where: What the value is, for the error message (e.g. ``fields[2] 'Mulai'``).

    Returns:
        The text.

    Raises:
        ValueError: A naive datetime (its zone is unknown).

    Examples:
        >>> from datetime import UTC
        >>> from sop.office import parse_office
        >>> kanwil = parse_office("{office: {name: K, timezone: Asia/Jayapura}, sops: [A]}", "f")
        >>> format_value(datetime(2026, 11, 2, 0, 5, tzinfo=UTC), kanwil)
        '2 November 2026 09:05 WIT'
        >>> format_value(None, kanwil), format_value(2.5, kanwil), format_value(True, kanwil)
        ('-', '2,5', 'Ya')
        >>> format_value(pd.NA, kanwil), format_value(float("nan"), kanwil)
        ('-', '-')
        >>> format_value(timedelta(minutes=75), kanwil, "en")
        '1 hour 15 minutes'
        >>> format_value(datetime(2026, 11, 2), kanwil, where="fields[0] 'Mulai'")
        Traceback (most recent call last):
        ...
        ValueError: fields[0] 'Mulai': 2026-11-02 00:00:00 has no time zone; give an aware datetime
    """
    if value is None or value is pd.NaT or value is pd.NA:
        return "-"
    if isinstance(value, float) and math.isnan(value):
        return "-"
    if isinstance(value, bool):
        return labels.text("yes" if value else "no", lang)
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ValueError(f"{where}: {value} has no time zone; give an aware datetime")
        return labels.format_datetime(value, office.timezone, office.timezone_abbrev, lang)
    if isinstance(value, date):
        return labels.format_date(value, lang)
    if isinstance(value, timedelta):
        return labels.format_span(value, lang)
    if isinstance(value, float):
        return labels.format_number(value, lang)
    return str(value)


def _is_number(value: Any) -> bool:
    """Whether a value is a real number (int or float, not bool, not NaN)."""
    value = _plain(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return not (isinstance(value, float) and math.isnan(value))


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (numpy.bool_ is no bool)."""
    if hasattr(value, "item") and not isinstance(value, str | datetime | timedelta):
        return value.item()
    return value


def _cell(column: str, value: Any, office: Office, lang: str, where: str) -> Cell:
    value = _plain(value)
    if isinstance(value, bool | datetime | date | timedelta) or value is pd.NaT or value is pd.NA:
        return Cell(format_value(value, office, lang, where=where))
    return format_cell(column, value, lang)


@dataclass(frozen=True)
class _HtmlTable:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    images: Sequence[DocImage] = ()


def _html_tables(doc: OfficialDocument) -> list[_HtmlTable]:
    out = []
    for t in doc.tables:
        columns = [str(c) for c in t.frame.columns]
        rows = [
            [
                _cell(c, v, doc.office, doc.lang, f"table {t.key!r} column {c!r}")
                for c, v in zip(columns, record, strict=True)
            ]
            for record in t.frame.itertuples(index=False, name=None)
        ]
        out.append(_HtmlTable(t.key, t.title, t.shown_headers(), rows, t.images))
    return out


def _fields(doc: OfficialDocument) -> list[tuple[str, str]]:
    return [
        (label, format_value(value, doc.office, doc.lang, where=f"fields[{i}] {label!r}"))
        for i, (label, value) in enumerate(doc.fields)
    ]


def _signature_rows(
    signatures: Sequence[Signature], per_row: int = 2
) -> list[list[Signature | None]]:
    """``per_row`` blocks per row; a lone signer stands on the right, an odd last one centred."""
    if len(signatures) == 1 and per_row > 1:
        return [[None, signatures[0]]]
    return [list(signatures[i : i + per_row]) for i in range(0, len(signatures), per_row)]


# -- renderers ----------------------------------------------------------------------------


def render_html(doc: OfficialDocument, *, for_print: bool = False) -> str:
    """Render the document as one HTML page (values escaped) with its template.

    Args:
        doc: The document.
        for_print: Lay out for the PDF (A4, page numbers, print styles).

    Returns:
        The HTML text.
    """
    sheets = PRINT_STYLESHEETS if for_print else STYLESHEETS
    css = "\n".join((TEMPLATES_DIR / name).read_text(encoding="utf-8") for name in sheets)
    words = {
        k: labels.text(k, doc.lang) for k in ("doc_number", "doc_no_data", "doc_page", "doc_of")
    }
    footer = doc.short_name
    return (
        template_environment()
        .get_template(doc.template)
        .render(
            doc=doc,
            letterhead=doc.letterhead,
            fields=_fields(doc),
            tables=_html_tables(doc),
            signature_rows=_signature_rows(doc.signatures, doc.signatures_per_row),
            place_date=doc.place_date,
            css=css,
            t=words,
            footer=footer,
            for_print=for_print,
        )
    )


def _sheet_name(title: str, taken: set[str]) -> str:
    base = _SHEET_BAD.sub(" ", title).strip()[:31] or "Tabel"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def document_frame(doc: OfficialDocument) -> pd.DataFrame:
    """The document's text as (item, value) rows: the XLSX sheet ``Dokumen``.

    Rows: office, title, number, subtitle, date, each paragraph, each field, each closing
    paragraph, each signatory (``name, NIP. ...``). A field holding a number (a count, a
    measure) keeps it as a number, so the workbook can sum it; every other value is
    written as the page shows it.

    Args:
        doc: The document.

    Returns:
        Two columns, headed ``Uraian``/``Nilai`` (``Item``/``Value`` in English).
    """
    lang = doc.lang
    rows: list[tuple[str, Any]] = [
        (labels.text("office", lang), doc.office.name),
        (labels.text("doc_title", lang), doc.title),
    ]
    if doc.number:
        rows.append((labels.text("doc_number", lang), doc.number))
    if doc.subtitle:
        rows.append((labels.text("doc_subtitle", lang), doc.subtitle))
    rows.append((labels.text("doc_date", lang), doc.place_date))
    rows += [(labels.text("doc_text", lang), p) for p in doc.paragraphs]
    rows += [
        (label, _plain(value) if _is_number(value) else shown)
        for (label, shown), (_, value) in zip(_fields(doc), doc.fields, strict=True)
    ]
    rows += [(labels.text("doc_text", lang), p) for p in doc.closing]
    for s in doc.signatures:
        who = " ".join(x for x in (s.label, s.role_title) if x)
        signer = s.name or "-"
        if s.nip:
            signer += f", NIP. {s.nip}"
        rows.append((f"{labels.text('doc_signatory', lang)}: {who}", signer))
    return pd.DataFrame(
        rows, columns=[labels.column("item", lang), labels.column("value", lang)], dtype=object
    )


def _xlsx_frame(t: DocTable, doc: OfficialDocument) -> pd.DataFrame:
    """The table's values as shown in the XLSX: numbers stay numbers, times become text."""
    out = t.frame.copy()
    for column in [] if t.as_written else out.columns:
        series = out[column]
        if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            where = f"table {t.key!r} column {column!r}"
            shown = []
            for value in map(_plain, series.astype(object)):
                keep = isinstance(value, str | int | float) and not isinstance(value, bool)
                shown.append(
                    value if keep else format_value(value, doc.office, doc.lang, where=where)
                )
            out[column] = pd.Series(shown, index=out.index, dtype=object)
    out.columns = t.shown_headers()
    return clean_frame(out)


def render_xlsx(doc: OfficialDocument) -> bytes:
    """Render the document as an XLSX workbook.

    The sheet ``Dokumen`` (``Document``) holds :func:`document_frame` (unless
    ``doc.cover_sheet`` is False); each table gets its own sheet named after its title,
    with a bold frozen header, fitted widths and texts never formulas; a table's images
    are placed beside it.

    Args:
        doc: The document.

    Returns:
        The workbook's bytes.
    """
    buffer = io.BytesIO()
    taken: set[str] = set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        sheets: list[tuple[str, pd.DataFrame, Sequence[DocImage]]] = []
        if doc.cover_sheet:
            cover = clean_frame(document_frame(doc))
            sheets.append((labels.text("doc_sheet", doc.lang), cover, ()))
        sheets += [(t.title or t.key, _xlsx_frame(t, doc), t.images) for t in doc.tables]
        for title, frame, images in sheets:
            name = _sheet_name(title, taken)
            frame.to_excel(writer, sheet_name=name, index=False, na_rep="")
            sheet = writer.sheets[name]
            style_sheet(sheet, frame)
            column = get_column_letter(len(frame.columns) + 2)
            for i, image in enumerate(images):
                sheet.add_image(Image(io.BytesIO(image.png)), f"{column}{2 + i * IMAGE_ROWS}")
        book = writer.book
        book.properties.title = doc.short_name
        book.properties.subject = doc.office.name
        book.properties.creator = "SIGAP"
    return buffer.getvalue()


def render_document(doc: OfficialDocument, fmt: str) -> bytes:
    """Render the document in one format.

    Args:
        doc: The document.
        fmt: ``pdf``, ``html`` or ``xlsx``.

    Returns:
        The file's bytes (HTML as UTF-8).

    Raises:
        ValueError: An unknown format, named.
    """
    if fmt == "pdf":
        return html_to_pdf(render_html(doc, for_print=True))
    if fmt == "html":
        return render_html(doc).encode("utf-8")
    if fmt == "xlsx":
        return render_xlsx(doc)
    raise ValueError(f"format: {fmt!r} is not a document format; choose {', '.join(FORMATS)}")


def write_document(
    doc: OfficialDocument,
    out_dir: Path | str,
    basename: str,
    formats: Sequence[str] = FORMATS,
    *,
    passphrases: Callable[[str], str] | None = None,
) -> dict[str, Path]:
    """Render the document and write ``<out_dir>/<basename>.<format>`` for each format.

    Everything is rendered in memory first: a bad format, basename or value writes
    nothing. Files of the same name are replaced. The PDF is signed by the approvers
    whose certificates the office holds (:func:`reports.signing.sign_rendered`).

    Args:
        doc: The document.
        out_dir: Directory (created if missing).
        basename: File name without extension (no path separators).
        formats: Any of ``pdf``, ``html``, ``xlsx``.
        passphrases: Reads the certificates' passphrase references (the entry's
            :func:`tasks.credentials.resolve_secret`); needed only when someone signs.

    Returns:
        Format -> written file, in the order given.

    Raises:
        ValueError: An unknown format, an empty or path-like basename.
    """
    if not basename.strip() or _BASENAME_BAD.search(basename) or basename in (".", ".."):
        raise ValueError(f"basename: {basename!r} must be a file name without a directory")
    if isinstance(formats, str):
        formats = (formats,)
    for fmt in formats:
        if fmt not in FORMATS:
            raise ValueError(
                f"format: {fmt!r} is not a document format; choose {', '.join(FORMATS)}"
            )
    rendered = {fmt: render_document(doc, fmt) for fmt in dict.fromkeys(formats)}
    if "pdf" in rendered:  # signed by the approvers the office has certificates for
        from reports.signing import sign_rendered

        rendered["pdf"] = sign_rendered(doc, rendered["pdf"], f"{basename}.pdf", passphrases)
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for fmt, data in rendered.items():
        path = directory / f"{basename}.{fmt}"
        path.write_bytes(data)
        paths[fmt] = path
    return paths


# -- Prefect artifacts --------------------------------------------------------------------


def document_markdown(doc: OfficialDocument, paths: Mapping[str, Path] | None = None) -> str:
    """A markdown view of the document for the Prefect UI: its content and its files.

    Args:
        doc: The document.
        paths: Format -> written file; named (no ``file://`` link: the links or
            paths are added by :func:`reports.artifacts.publish_artifacts`).

    Returns:
        The markdown: the document's content (title, number, office, date, the
        paragraphs, the fields, each table with its first :data:`MARKDOWN_ROWS`
        rows as shown, the closing paragraphs), the signatories and the files' names.
    """
    lang = doc.lang
    lines = [f"## {markdown_cell(doc.title)}", ""]
    if doc.number:
        lines.append(f"**{labels.text('doc_number', lang)}:** {markdown_cell(doc.number)}  ")
    if doc.subtitle:
        lines.append(f"{markdown_cell(doc.subtitle)}  ")
    lines += [f"**{markdown_cell(doc.office.name)}** · {markdown_cell(doc.place_date)}", ""]
    lines += [p for text in doc.paragraphs for p in (text.strip(), "") if text.strip()]
    fields = _fields(doc)
    if fields:
        lines += [
            f"| {labels.column('item', lang)} | {labels.column('value', lang)} |",
            "|---|---|",
        ]
        lines += [f"| {markdown_cell(k)} | {markdown_cell(v)} |" for k, v in fields]
        lines.append("")
    for t in _html_tables(doc):
        rows = labels.text("doc_rows", lang, n=len(t.rows))
        lines += [f"**{markdown_cell(t.title or t.key)}** ({rows})", ""]
        if t.rows:
            lines.append("| " + " | ".join(markdown_cell(h) for h in t.headers) + " |")
            lines.append("|" + "---|" * len(t.headers))
            lines += [
                "| " + " | ".join(markdown_cell(c.text) for c in row) + " |"
                for row in t.rows[:MARKDOWN_ROWS]
            ]
            if len(t.rows) > MARKDOWN_ROWS:
                more = labels.text("and_more", lang, n=len(t.rows) - MARKDOWN_ROWS)
                lines += ["", f"_{more}_"]
            lines.append("")
    lines += [p for text in doc.closing for p in (text.strip(), "") if text.strip()]
    for s in doc.signatures:
        who = " ".join(x for x in (s.label, s.role_title) if x)
        lines.append(f"- {markdown_cell(who)}: {markdown_cell(s.name or '-')}")
    if paths:
        shown = " · ".join(f"{fmt.upper()} `{p.name}`" for fmt, p in paths.items())
        lines += ["", f"**{labels.text('files', lang)}:** {shown}"]
    return "\n".join(lines).rstrip() + "\n"


def document_table_records(t: DocTable, doc: OfficialDocument) -> list[dict[str, Any]]:
    """A table's rows as JSON-able records with shown headers and values (for the UI).

    Args:
        t: The table.
        doc: Its document (office time zone, language).

    Returns:
        One dict per row.
    """
    return table_records(_xlsx_frame(t, doc))


def publish_document(
    doc: OfficialDocument,
    paths: Mapping[str, Path],
    key: str,
    *,
    served: ServedReports,
    markdown: str | None = None,
) -> None:
    """Create the document's Prefect artifacts (call inside a flow or task run).

    A markdown artifact ``<key>`` (:func:`document_markdown`), a table artifact
    ``<key>-<table key>`` per table to publish (:attr:`DocTable.publish`) and, when the
    report directory is served over HTTP (``SIGAP_REPORTS_URL``), a link artifact
    ``<key>-<format>`` per written file (else the files' paths as text), through
    :func:`reports.artifacts.publish_artifacts`. Keys are made valid with
    :func:`reports.artifacts.artifact_key`.

    Args:
        doc: The document.
        paths: Format -> written file (from :func:`write_document`).
        key: The artifact key, e.g. ``ba-inc-2026-0001``.
        markdown: The markdown artifact, if the document has its own summary (the
            monthly report's); default :func:`document_markdown`.
        served: Where reports are served (:func:`reports.artifacts.served_reports`
            of the flow's settings).
    """
    description = doc.short_name
    tables = [
        ArtifactTable(t.key, document_table_records(t, doc), t.title or description)
        for t in doc.tables
        if (len(t.frame) > 0 if t.publish is None else t.publish)
    ]
    publish_artifacts(
        artifact_key(key),
        markdown if markdown is not None else document_markdown(doc),
        paths,
        tables=tables,
        description=description,
        files_label=labels.text("files", doc.lang),
        served=served,
    )
