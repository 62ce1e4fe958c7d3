"""Electronic signatures of official PDFs (PAdES, pyHanko) and their verification.

An approver whose certificate the office configuration holds (``certificate:
{pkcs12: ..., passphrase: env:VAR}``, docs/office.md) signs the PDF of a document
on which their decision is recorded: each signature is a visible PAdES baseline B-B
signature placed in the space for the wet signature of that person's block, with a
QR code holding ``sigap verify <file>`` (or the office's ``signing.verify_url``).
Several signers sign one after the other as incremental updates, so earlier
signatures stay valid. :func:`verify_pdf` says for every signature who signed
(certificate CN), when (the signing time the signature claims), whether the file
changed since, and whether the certificate chains to the office's trust roots.

The pieces:

- :class:`Signer`: what signs one field of a PDF. :class:`Pkcs12Signer` signs with a
  PKCS#12 file here. BSrE's signing service (Balai Sertifikasi Elektronik) is meant to
  be a second implementation: its ``sign`` sends ``pdf_in`` with the field's page,
  box, reason and location to the service's sign endpoint and writes the signed PDF
  the service returns to ``pdf_out``; :func:`sign_document` and :func:`verify_pdf`
  stay as they are (the service also adds an incremental PAdES update).
- :func:`signature_places`: where each signature block's space lies on the printed
  page, from WeasyPrint's layout of the document's page (its public ``Page.anchors``).
- :func:`sign_document`: signs once per block whose signer has a :class:`Signer`.
- :func:`sign_rendered`: the pipeline's hook (:func:`reports.document.write_document`).
- :func:`verify_pdf`, :func:`report_lines`, :func:`report_records`: verification and
  its text (pure).

Without a time-stamping authority (no network here) signatures are B-B: the signing
time is the one the signer's computer claims. A passphrase is never logged or
written anywhere; errors name the office file and field.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sop.problems import ConfigError, Problem

if TYPE_CHECKING:
    from pyhanko.sign.signers import SimpleSigner

    from reports.document import OfficialDocument, Signature
    from sop.office import Certificate, Office

ANCHOR_PREFIX = "ttd-"
"""The HTML ids of the signature spaces in ``templates/base.html.j2``: ``ttd-<row>-<column>``."""

PX_TO_PT = 0.75
"""CSS pixels (WeasyPrint's layout unit, 96 per inch) to PDF points (72 per inch)."""

STAMP_TEXT = "Ditandatangani secara elektronik oleh\n%(signer)s\n%(waktu)s\n%(url)s"
"""The text beside the QR code of a signature (pyHanko interpolates the names)."""

_UTC = ZoneInfo("UTC")

INTACT_WORD = "utuh"
CHANGED_WORD = "berubah sejak ditandatangani"
TRUSTED_WORD = "tepercaya"
UNTRUSTED_WORD = "tidak tepercaya"


Passphrases = Callable[[str], str]
"""Reads a passphrase reference (``env:VAR``, ``secret:BLOCK``) and returns the passphrase.

The entry that writes documents passes one in (the flows and commands pass
:func:`tasks.credentials.resolve_secret`): ``reports/`` reads no secrets itself. An
error it raises must name the reference, never the secret.
"""


class SigningError(Exception):
    """A document could not be signed; the message names the file and field, never a secret."""


@dataclass(frozen=True)
class SignatureField:
    """Where and how one person signs a PDF.

    Attributes:
        name: The PDF field's name (unique in the document), e.g. ``ttd-rahmat``.
        page: The page, 0-based.
        box: ``(x1, y1, x2, y2)`` in PDF points from the page's bottom-left corner.
        signer_name: The signer's name as the office knows it.
        reason: Why they sign, e.g. ``Setuju``.
        location: Where, e.g. the office's city.
        verification: What the QR code holds: ``sigap verify <file>`` or a URL.
        timezone: The time zone the stamp shows the signing time in.
        zone_label: That zone's abbreviation (``WIT``).
    """

    name: str
    page: int
    box: tuple[float, float, float, float]
    signer_name: str
    reason: str
    location: str
    verification: str
    timezone: ZoneInfo = _UTC
    zone_label: str = "UTC"


class Signer(Protocol):
    """What signs one field of a PDF: the PKCS#12 signer here, BSrE's service later."""

    def sign(self, pdf_in: Path, pdf_out: Path, field: SignatureField) -> None:
        """Write ``pdf_in`` signed in ``field`` to ``pdf_out`` as an incremental update.

        Args:
            pdf_in: The PDF to sign (earlier signatures must stay valid).
            pdf_out: Where the signed PDF goes.
            field: Where and how.
        """


def load_pkcs12(path: Path, passphrase: str, where: str) -> SimpleSigner:
    """Open a PKCS#12 file as a pyHanko signer.

    Args:
        path: The ``.p12``/``.pfx`` file.
        passphrase: Its passphrase (never shown).
        where: ``<office file>: people.<user>.certificate`` for the error message.

    Returns:
        The signer (key, certificate and the chain the file holds).

    Raises:
        SigningError: The file cannot be read, or does not open with the passphrase.
    """
    from pyhanko.sign.signers import SimpleSigner

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningError(f"{where}.pkcs12: cannot read {path}: {exc.strerror}") from None
    try:
        return SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=passphrase.encode())
    except ValueError:
        raise SigningError(
            f"{where}: {path} does not open with the passphrase given "
            "(wrong passphrase, or not a PKCS#12 file)"
        ) from None


def sign_pdf(pdf_in: Path, pdf_out: Path, field: SignatureField, signer: SimpleSigner) -> None:
    """Sign ``pdf_in`` into ``pdf_out``: a visible PAdES B-B signature with a QR stamp.

    The field is added to the page at ``field.box`` in an incremental update; the
    stamp shows the signer's certificate name, the signing time in the field's time
    zone and ``field.verification`` beside the QR code holding it.

    Args:
        pdf_in: The PDF to sign.
        pdf_out: Where the signed PDF goes (not ``pdf_in``).
        field: Where and how.
        signer: The pyHanko signer (e.g. from :func:`load_pkcs12`).
    """
    from pyhanko import stamp
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    from reports.labels import format_datetime

    now = datetime.now(UTC)
    shown = format_datetime(now, field.timezone, field.zone_label)
    with pdf_in.open("rb") as source:
        writer = IncrementalPdfFileWriter(source, strict=False)
        fields.append_signature_field(
            writer,
            fields.SigFieldSpec(sig_field_name=field.name, on_page=field.page, box=field.box),
        )
        meta = signers.PdfSignatureMetadata(
            field_name=field.name,
            reason=field.reason,
            location=field.location,
            name=field.signer_name,
            subfilter=fields.SigSeedSubFilter.PADES,
        )
        style = stamp.QRStampStyle(stamp_text=STAMP_TEXT, border_width=0)
        pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style)
        with pdf_out.open("wb") as out:
            pdf_signer.sign_pdf(
                writer,
                output=out,
                appearance_text_params={"url": field.verification, "waktu": shown},
            )


class Pkcs12Signer:
    """Signs with a PKCS#12 file (certificate and private key) of the office configuration."""

    def __init__(self, path: Path, passphrase: str, where: str = "certificate") -> None:
        """Open the file now, so a wrong passphrase is reported before any signing.

        Args:
            path: The PKCS#12 file.
            passphrase: Its passphrase (kept only inside pyHanko's key object).
            where: What to name in errors (office file and field).
        """
        self.path = path
        self._signer = load_pkcs12(path, passphrase, where)

    def __repr__(self) -> str:
        return f"Pkcs12Signer({str(self.path)!r})"

    def sign(self, pdf_in: Path, pdf_out: Path, field: SignatureField) -> None:
        """Sign ``pdf_in`` in ``field`` into ``pdf_out`` (see :func:`sign_pdf`).

        Args:
            pdf_in: The PDF to sign.
            pdf_out: Where the signed PDF goes.
            field: Where and how.
        """
        sign_pdf(pdf_in, pdf_out, field, self._signer)


# -- where the signatures go --------------------------------------------------------------


@dataclass(frozen=True)
class SignaturePlace:
    """A signature block of a document and the space for its signature on the PDF.

    Attributes:
        signature: The block (who, role, recorded decision).
        page: The page, 0-based.
        box: The space for the signature, ``(x1, y1, x2, y2)`` in PDF points from
            the page's bottom-left corner.
    """

    signature: Signature
    page: int
    box: tuple[float, float, float, float]


def pdf_box(
    x: float, y: float, width: float, height: float, page_height: float
) -> tuple[float, ...]:
    """Turn a CSS box (px, y down from the page's top) into PDF points (y up from its bottom).

    Args:
        x: Left edge, CSS px.
        y: Top edge, CSS px from the top of the page.
        width: Width, CSS px.
        height: Height, CSS px.
        page_height: The page's height, CSS px.

    Returns:
        ``(x1, y1, x2, y2)`` in points.

    Examples:
        >>> pdf_box(100, 200, 40, 20, 1122.52)  # A4 is 1122.52 px = 841.89 pt high
        (75.0, 676.89, 105.0, 691.89)
    """
    return tuple(
        round(v, 2)
        for v in (
            x * PX_TO_PT,
            (page_height - y - height) * PX_TO_PT,
            (x + width) * PX_TO_PT,
            (page_height - y) * PX_TO_PT,
        )
    )


def signature_places(doc: OfficialDocument) -> list[SignaturePlace]:
    """Lay out the document's printed page and find each signature block's signature space.

    The spaces are the cells ``id="ttd-<row>-<col>"`` of ``templates/base.html.j2``;
    WeasyPrint's public ``Page.anchors`` maps each id on a page to its box. (Its
    docstring still calls the value an ``(x, y)`` point, but WeasyPrint 70, the version
    pyproject.toml requires, stores the element's border box ``(x1, y1, x2, y2)``, CSS
    px from the page's top left (``weasyprint/anchors.py``, ``gather_anchors``); a
    version that gives a point only is refused here rather than guessed at: nothing
    else public tells a box's size, and ``Page._page_box`` is private.)

    Args:
        doc: The document.

    Returns:
        One place per signature block, in the document's order.

    Raises:
        SigningError: A block's space is on no page, or WeasyPrint gives no box for it.
    """
    from weasyprint import HTML

    from reports.document import _signature_rows, render_html
    from reports.render_html import TEMPLATES_DIR

    html = render_html(doc, for_print=True)
    document = HTML(string=html, base_url=str(TEMPLATES_DIR)).render()
    found: dict[str, tuple[int, tuple[float, ...]]] = {}
    for index, page in enumerate(document.pages):
        for name, where in page.anchors.items():
            if not name.startswith(ANCHOR_PREFIX) or name in found:
                continue
            if len(where) != 4:
                raise SigningError(
                    f"{doc.short_name}: WeasyPrint gives the point {where} for {name}, "
                    "not its box (WeasyPrint 70 gives the box)"
                )
            x1, y1, x2, y2 = where
            found[name] = (index, pdf_box(x1, y1, x2 - x1, y2 - y1, page.height))
    places = []
    for r, row in enumerate(_signature_rows(doc.signatures, doc.signatures_per_row)):
        for c, signature in enumerate(row):
            if signature is None:
                continue
            name = f"{ANCHOR_PREFIX}{r}-{c}"
            if name not in found:
                raise SigningError(f"{doc.short_name}: the signature space {name} is on no page")
            page, box = found[name]
            places.append(SignaturePlace(signature, page, box))  # type: ignore[arg-type]
    return places


def verification_text(file_name: str, verify_url: str | None = None) -> str:
    """What a signature's QR code holds: the command, or the office's verification URL.

    Args:
        file_name: The signed file's name.
        verify_url: The office's ``signing.verify_url``; ``{file}`` in it is replaced by
            the URL-quoted file name, else the name is appended as the last path segment.

    Returns:
        The text.

    Examples:
        >>> verification_text("ba-inc-2026-0001.pdf")
        'sigap verify ba-inc-2026-0001.pdf'
        >>> verification_text("laporan 11.pdf", "https://sigap.example.go.id/verifikasi")
        'https://sigap.example.go.id/verifikasi/laporan%2011.pdf'
        >>> verification_text("a.pdf", "https://x.go.id/v?berkas={file}")
        'https://x.go.id/v?berkas=a.pdf'
    """
    if not verify_url:
        return f"sigap verify {file_name}"
    if "{file}" in verify_url:
        return verify_url.replace("{file}", quote(file_name))
    return f"{verify_url.rstrip('/')}/{quote(file_name)}"


def sign_document(
    pdf: Path, places: Sequence[SignaturePlace], signers: Mapping[str, Signer], office: Office
) -> list[str]:
    """Sign ``pdf`` in place once per block with a recorded decision whose person has a signer.

    The signatures are made in block order, each as an incremental update of the
    previous file, so earlier signatures stay valid; each sits in its block's space
    (:func:`field_for`; the QR code names ``pdf``'s file name). The file is replaced
    only once every signature is made.

    Args:
        pdf: The PDF file.
        places: The signature blocks and their spaces (:func:`signature_places`).
        signers: Username -> their signer (:func:`office_signers`).
        office: The office (who a block names, city, time zone, verification URL).

    Returns:
        The usernames of those who signed, in order.
    """
    signed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="sigap-sign-") as tmp:
        current = pdf
        for place in places:
            username = person_for(office, place.signature)
            if username is None or username not in signers or username in signed:
                continue
            if place.signature.decision is None:
                continue
            field = field_for(place, office, f"ttd-{username}", pdf.name)
            nxt = Path(tmp) / f"{len(signed)}.pdf"
            signers[username].sign(current, nxt, field)
            current = nxt
            signed.append(username)
        if signed:
            os.replace(current, pdf)
    return signed


# -- the pipeline's hook: the office's certificates -----------------------------------------


def person_for(office: Office, signature: Signature) -> str | None:
    """The username of the person a signature block names (same name and NIP), if one.

    Args:
        office: The office.
        signature: The block.

    Returns:
        The username, or None when no person (or more than one) matches.
    """
    if not signature.name:
        return None
    matches = [
        p.username for p in office.people if p.name == signature.name and p.nip == signature.nip
    ]
    return matches[0] if len(matches) == 1 else None


def resolve_passphrase(
    office: Office, username: str, cert: Certificate, passphrases: Passphrases
) -> str:
    """Read a certificate's passphrase from its reference (``env:VAR`` or ``secret:BLOCK``).

    Args:
        office: The office (named in the error).
        username: Whose certificate.
        cert: The certificate (its passphrase reference and line in the office file).
        passphrases: What reads a reference (the entry's, e.g.
            :func:`tasks.credentials.resolve_secret`); its errors name the reference only.

    Returns:
        The passphrase.

    Raises:
        ConfigError: It cannot be read; names the office file and the field.
    """
    try:
        return passphrases(cert.passphrase)
    except Exception as exc:  # the resolver's own error (never holds the secret)
        reason = str(exc).split(" (referenced as")[0]
        raise ConfigError(
            [
                Problem(
                    office.file,
                    cert.line,
                    f"people.{username}.certificate.passphrase",
                    f"{reason} (the passphrase of {cert.pkcs12.name}, `{cert.passphrase}`)",
                )
            ]
        ) from None


def office_signers(
    office: Office, usernames: Sequence[str], passphrases: Passphrases
) -> dict[str, Signer]:
    """Open the certificates the office holds for these people (the others are left out).

    Args:
        office: The office.
        usernames: Who should sign.
        passphrases: Reads a passphrase reference (see :func:`resolve_passphrase`).

    Returns:
        Username -> signer, in the order given.

    Raises:
        ConfigError: A passphrase cannot be read, or a PKCS#12 file does not open
            with it (office file and field named, never the passphrase).
    """
    out: dict[str, Signer] = {}
    for username in usernames:
        person = office.person(username)
        cert = person.certificate if person is not None else None
        if cert is None or username in out:
            continue
        passphrase = resolve_passphrase(office, username, cert, passphrases)
        where = f"people.{username}.certificate"
        try:
            out[username] = Pkcs12Signer(cert.pkcs12, passphrase, where)
        except SigningError as exc:
            field, _, message = str(exc).partition(": ")
            raise ConfigError([Problem(office.file, cert.line, field, message)]) from None
    return out


def field_for(place: SignaturePlace, office: Office, name: str, file_name: str) -> SignatureField:
    """The field a block's signer signs: at its space, reason their decision, location the city.

    Args:
        place: The block and its space.
        office: The office (city, time zone, verification URL).
        name: The field's name.
        file_name: The signed file's name (for the QR code).

    Returns:
        The field.
    """
    from reports import labels

    s = place.signature
    reason = labels.word(labels.ACTS, s.decision, "id").capitalize() if s.decision else ""
    signing = office.signing
    return SignatureField(
        name=name,
        page=place.page,
        box=place.box,
        signer_name=s.name or "",
        reason=reason,
        location=office.city or office.short_name,
        verification=verification_text(file_name, signing.verify_url if signing else None),
        timezone=office.timezone,
        zone_label=office.timezone_abbrev,
    )


def signers_due(doc: OfficialDocument) -> list[str]:
    """Who signs the document's PDF: a block's person with a recorded decision and a certificate.

    Args:
        doc: The document.

    Returns:
        Their usernames, in block order, each once.
    """
    due: list[str] = []
    for s in doc.signatures:
        if s.decision is None or s.decided_at is None:
            continue
        username = person_for(doc.office, s)
        person = doc.office.person(username) if username else None
        if person is not None and person.certificate is not None and username not in due:
            due.append(person.username)
    return due


def sign_rendered(
    doc: OfficialDocument, pdf: bytes, file_name: str, passphrases: Passphrases | None
) -> bytes:
    """Sign a rendered PDF by the document's signers who have certificates (the pipeline's hook).

    A document without such a signer is returned as it is, without laying it out again.

    Args:
        doc: The document the PDF was printed from.
        pdf: The PDF's bytes.
        file_name: The name it is written under (for the QR code).
        passphrases: Reads the certificates' passphrase references; given by the
            entry (flow or command) that writes the document.

    Returns:
        The signed PDF's bytes.

    Raises:
        ConfigError: A certificate cannot be opened (office file and field named).
        SigningError: Someone is due to sign but no ``passphrases`` was given (the
            caller's mistake: a document to sign is never written unsigned).
    """
    due = signers_due(doc)
    if not due:
        return pdf
    if passphrases is None:
        raise SigningError(
            f"{file_name}: {', '.join(due)} should sign it, but the caller of "
            "write_document gave no passphrases= to open their certificates"
        )
    signers = office_signers(doc.office, due, passphrases)
    places = signature_places(doc)
    with tempfile.TemporaryDirectory(prefix="sigap-pdf-") as tmp:
        path = Path(tmp) / file_name
        path.write_bytes(pdf)
        sign_document(path, places, signers, doc.office)
        return path.read_bytes()


# -- verification -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureReport:
    """What a signature of a PDF says, checked.

    Attributes:
        field: The signature field's name.
        signer: The signer's certificate subject common name (CN).
        signed_at: The signing time the signature claims (aware), if any.
        intact: The signed bytes are unchanged and nothing but allowed updates (further
            signatures, form filling) was appended after it.
        trusted: The certificate chains to one of the trust roots given.
        reason: The reason written in the signature, e.g. ``Setuju``.
        location: The location written in it.
        summary: pyHanko's one-line summary of the status (for ``--json``).
    """

    field: str
    signer: str
    signed_at: datetime | None
    intact: bool
    trusted: bool
    reason: str | None = None
    location: str | None = None
    summary: str = ""

    @property
    def ok(self) -> bool:
        """Intact and trusted."""
        return self.intact and self.trusted


def load_trust_roots(paths: Sequence[Path]) -> list[Any]:
    """Read PEM (or DER) certificates as trust roots.

    Args:
        paths: Certificate files; a PEM file may hold several.

    Returns:
        The certificates (asn1crypto).

    Raises:
        SigningError: A file cannot be read or holds no certificate.
    """
    from pyhanko.keys import load_certs_from_pemder

    roots: list[Any] = []
    for path in paths:
        try:
            certs = list(load_certs_from_pemder([str(path)]))
        except (OSError, ValueError) as exc:
            raise SigningError(f"trust root {path}: cannot read a certificate: {exc}") from None
        if not certs:
            raise SigningError(f"trust root {path}: holds no certificate")
        roots += certs
    return roots


def verify_pdf(path: Path, trust_roots: Sequence[Path] = ()) -> list[SignatureReport]:
    """Check every signature of a PDF: who, when, whether the file changed since, trusted.

    Args:
        path: The PDF.
        trust_roots: The certificates a signer's chain must end at (the office's
            ``signing.trust_roots``); none: no signature is trusted.

    Returns:
        One report per signature, in signing order (none for an unsigned file).

    Raises:
        SigningError: The file is no readable PDF, or a trust root cannot be read.
    """
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = load_trust_roots(trust_roots)
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    reports = []
    try:
        with path.open("rb") as f:
            reader = PdfFileReader(f, strict=False)
            for sig in reader.embedded_signatures:
                status = validate_pdf_signature(sig, context)
                cert = status.signing_cert
                name = cert.subject.native.get("common_name", "") if cert is not None else ""
                intact = bool(status.intact and status.valid and status.docmdp_ok is not False)
                if status.modification_level is None and status.coverage is not None:
                    intact = intact and status.coverage.name == "ENTIRE_FILE"
                reports.append(
                    SignatureReport(
                        field=sig.field_name,
                        signer=str(name),
                        signed_at=status.signer_reported_dt,
                        intact=intact,
                        trusted=bool(roots) and bool(status.trusted),
                        reason=_text(sig.sig_object.get("/Reason")),
                        location=_text(sig.sig_object.get("/Location")),
                        summary=status.summary(),
                    )
                )
    except OSError as exc:
        raise SigningError(f"{path}: cannot read: {exc.strerror}") from None
    except PdfReadError as exc:
        raise SigningError(f"{path}: not a readable PDF: {exc}") from None
    return reports


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None


def report_lines(
    reports: Sequence[SignatureReport], tz: ZoneInfo | None = None, zone_label: str = "UTC"
) -> list[str]:
    """The verification as the user reads it, one line per signature (Indonesian).

    Args:
        reports: From :func:`verify_pdf`.
        tz: The time zone times are shown in (the office's; default UTC).
        zone_label: Its abbreviation.

    Returns:
        The lines; one line saying so for an unsigned file.

    Examples:
        >>> from zoneinfo import ZoneInfo
        >>> r = SignatureReport("ttd-rahmat", "Rahmat Hidayat", datetime(2026, 12, 1, 2, 0,
        ...     tzinfo=UTC), intact=True, trusted=False, reason="Setuju")
        >>> print(report_lines([r], ZoneInfo("Asia/Jayapura"), "WIT")[0])
        1. Rahmat Hidayat: ditandatangani 1 Desember 2026 11:00 WIT (Setuju); utuh; tidak tepercaya
        >>> report_lines([])
        ['Berkas ini tidak memiliki tanda tangan elektronik.']
    """
    from reports.labels import format_datetime

    if not reports:
        return ["Berkas ini tidak memiliki tanda tangan elektronik."]
    zone = tz or _UTC
    lines = []
    for i, r in enumerate(reports, 1):
        when = format_datetime(r.signed_at, zone, zone_label) if r.signed_at else "waktu tidak ada"
        reason = f" ({r.reason})" if r.reason else ""
        lines.append(
            f"{i}. {r.signer or '-'}: ditandatangani {when}{reason}; "
            f"{INTACT_WORD if r.intact else CHANGED_WORD}; "
            f"{TRUSTED_WORD if r.trusted else UNTRUSTED_WORD}"
        )
    return lines


def report_records(reports: Sequence[SignatureReport]) -> list[dict[str, Any]]:
    """The verification as JSON-able records (``sigap verify --json``).

    Args:
        reports: From :func:`verify_pdf`.

    Returns:
        One dict per signature: field, signer, signed_at (ISO 8601, UTC), intact,
        trusted, reason, location.
    """
    return [
        {
            "field": r.field,
            "signer": r.signer,
            "signed_at": r.signed_at.astimezone(UTC).isoformat() if r.signed_at else None,
            "intact": r.intact,
            "trusted": r.trusted,
            "reason": r.reason,
            "location": r.location,
        }
        for r in reports
    ]
