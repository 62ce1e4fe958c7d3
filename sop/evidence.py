r"""Evidence files of SOP E step 7 (photos and scans of replaced parts): what is accepted, pure.

The type is read from the file's first bytes (its signature), never from its
name: a text file renamed ``foto.png`` is refused. Accepted: PNG, JPEG, PDF.
A file larger than the limit, empty, or of another type is refused with an
error naming it; the caller stores nothing when any file of a batch is refused.

Examples:
    >>> sniff_type(b"%PDF-1.7\n...")
    'application/pdf'
    >>> check_evidence("foto.png", b"not an image", max_bytes=1000)
    Traceback (most recent call last):
    ...
    sop.evidence.EvidenceError: foto.png: not a PNG, JPEG or PDF file (its content is not ...
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

#: File signature -> content type.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"%PDF-", "application/pdf"),
)

#: Content types accepted as evidence.
ALLOWED_TYPES: tuple[str, ...] = tuple(kind for _, kind in SIGNATURES)


class EvidenceError(ValueError):
    """A file cannot be accepted as evidence; the message names it and says why."""


@dataclass(frozen=True)
class Evidence:
    """A file accepted as evidence.

    Attributes:
        filename: Its name (without directories).
        sha256: SHA-256 of its bytes (hex).
        content_type: Type read from its bytes.
        size_bytes: Size.
    """

    filename: str
    sha256: str
    content_type: str
    size_bytes: int


def sniff_type(head: bytes) -> str | None:
    r"""The content type of a file from its first bytes, or ``None`` if not accepted.

    Examples:
        >>> sniff_type(b"\x89PNG\r\n\x1a\n...."), sniff_type(b"GIF89a")
        ('image/png', None)
    """
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


MAX_FILENAME_CHARS = 255
"""Longest evidence file name (the ``evidence.filename`` column)."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def filename_problem(filename: str) -> str | None:
    r"""Say why a file name cannot be recorded, or return ``None``.

    The name is shown in reports and Berita Acara: no control characters, no
    path separators or ``..``, at most :data:`MAX_FILENAME_CHARS` characters.

    Examples:
        >>> filename_problem("foto-ups.jpg") is None
        True
        >>> filename_problem("..\\..\\boot.ini")
        "the name may not hold a slash, a backslash or '..'"
        >>> filename_problem("a\nb.png")
        'the name holds a control character (U+000A): rename the file'
    """
    if len(filename) > MAX_FILENAME_CHARS:
        return f"the name is {len(filename)} characters long, at most {MAX_FILENAME_CHARS}"
    if found := _CONTROL.search(filename):
        return f"the name holds a control character (U+{ord(found.group()):04X}): rename the file"
    if "/" in filename or "\\" in filename or ".." in filename:
        return "the name may not hold a slash, a backslash or '..'"
    return None


def check_evidence(filename: str, content: bytes, *, max_bytes: int) -> Evidence:
    """Accept one file as evidence, or say why not.

    Args:
        filename: The file's name (for messages and the record).
        content: Its bytes.
        max_bytes: Largest size accepted.

    Returns:
        The accepted file with its SHA-256.

    Raises:
        EvidenceError: Empty, too large, or not a PNG, JPEG or PDF by content.

    Examples:
        >>> e = check_evidence("a.pdf", b"%PDF-1.4 x", max_bytes=100)
        >>> e.content_type, e.size_bytes, e.sha256[:12]
        ('application/pdf', 10, 'fc022288f3e4')
        >>> check_evidence("big.pdf", b"%PDF-" + b"0" * 200, max_bytes=100)
        Traceback (most recent call last):
        ...
        sop.evidence.EvidenceError: big.pdf: 205 bytes is larger than the limit of 100 bytes
    """
    if (why := filename_problem(filename)) is not None:
        raise EvidenceError(f"{filename!r}: {why}")
    if not content:
        raise EvidenceError(f"{filename}: the file is empty")
    if len(content) > max_bytes:
        raise EvidenceError(
            f"{filename}: {len(content)} bytes is larger than the limit of {max_bytes} bytes"
        )
    kind = sniff_type(content[:16])
    if kind is None:
        raise EvidenceError(
            f"{filename}: not a PNG, JPEG or PDF file (its content is not one of these "
            "types, whatever its name says)"
        )
    return Evidence(filename, hashlib.sha256(content).hexdigest(), kind, len(content))
