"""A self-made certificate authority for the signing tests (made with `cryptography`).

A root CA and person certificates (CN = the person's name), written as PEM (the root)
and PKCS#12 files with a passphrase, as an office would get them from its CA.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "SIGAP Uji"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


@dataclass
class SelfMadeCA:
    """A root CA that issues person certificates."""

    name: str
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    @classmethod
    def create(cls, name: str = "SIGAP Uji Root CA") -> SelfMadeCA:
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(name))
            .issuer_name(_name(name))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256())
        )
        return cls(name, key, cert)

    def write_root(self, path: Path) -> Path:
        path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        return path

    def issue_pkcs12(self, cn: str, path: Path, passphrase: str) -> Path:
        """A person's certificate and key as a PKCS#12 file (with the root in its chain)."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(cn))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1))
            .not_valid_after(now + timedelta(days=90))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), False
            )
            .sign(self.key, hashes.SHA256())
        )
        data = pkcs12.serialize_key_and_certificates(
            cn.encode(), key, cert, [self.cert],
            serialization.BestAvailableEncryption(passphrase.encode()),
        )  # fmt: skip
        path.write_bytes(data)
        return path


SIGNERS = {
    # username: (name on the certificate = name in the office file, passphrase variable)
    "rahmat": ("Rahmat Hidayat, S.Kom.", "SIGAP_TEST_P12_RAHMAT"),
    "yusuf": ("Yusuf Tomagola, S.H., M.H.", "SIGAP_TEST_P12_YUSUF"),
}
PASSPHRASES = {"rahmat": "Gunung-Gamalama-1715", "yusuf": "Danau-Tolire-Besar-88"}


def signing_office_file(directory: Path, ca: SelfMadeCA, source: Path) -> Path:
    """Copy an office file into ``directory`` with certificates for rahmat and yusuf.

    Their PKCS#12 files (issued by ``ca``) and the root (``root.pem``) are written
    beside it; the passphrases are read from the variables of :data:`SIGNERS`
    (set them with :data:`PASSPHRASES`). Fatimah has no certificate.
    """
    people = {u: (variable, PASSPHRASES[u]) for u, (_, variable) in SIGNERS.items()}
    path, names = office_with_certificates(directory, ca, source, people)
    assert names == {u: name for u, (name, _) in SIGNERS.items()}
    return path


def office_with_certificates(
    directory: Path, ca: SelfMadeCA, source: Path, people: dict[str, tuple[str, str]]
) -> tuple[Path, dict[str, str]]:
    """Copy an office file into ``directory`` (as ``office.yaml``) with certificates for ``people``.

    Args:
        directory: Where the office file, the PKCS#12 files and ``root.pem`` go.
        ca: The CA that issues the certificates (CN = the person's name in the office file).
        source: The office file to copy.
        people: username -> (passphrase variable, passphrase); the office file refers to
            the passphrase as ``env:<variable>`` (the test sets the variable).

    Returns:
        The office file and username -> the name on their certificate.
    """
    from ruamel.yaml import YAML

    yaml = YAML()
    data = yaml.load(source.read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    for person in data["people"]:
        username = person["username"]
        if username in people:
            variable, passphrase = people[username]
            p12 = ca.issue_pkcs12(person["name"], directory / f"{username}.p12", passphrase)
            person["certificate"] = {"pkcs12": p12.name, "passphrase": f"env:{variable}"}
            names[username] = str(person["name"])
    assert set(names) == set(people), f"not in {source}: {set(people) - set(names)}"
    ca.write_root(directory / "root.pem")
    data["signing"] = {"trust_roots": ["root.pem"]}
    path = directory / "office.yaml"
    with path.open("w", encoding="utf-8") as f:
        yaml.dump(data, f)
    return path, names


def page_words(pdf: Path) -> list[list[tuple[str, float, float, float, float]]]:
    """Every page's words with their boxes (points, y down from the top), via pdftotext."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        words = re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            page,
        )
        pages.append([(w, float(a), float(b), float(c), float(d)) for a, b, c, d, w in words])
    return pages


def signature_widgets(pdf: Path) -> dict[str, tuple[int, list[float]]]:
    """Signature field name -> (page index, /Rect in points from the bottom left) in the PDF."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    with pdf.open("rb") as f:
        reader = PdfFileReader(f)
        refs: list = []

        def walk(node) -> None:  # the page tree's leaves, in order
            node = node.get_object()
            if node["/Type"] == "/Pages":
                for kid in node["/Kids"]:
                    walk(kid)
            else:
                refs.append(node)

        walk(reader.root["/Pages"])
        out = {}
        for sig in reader.embedded_signatures:
            page = sig.sig_field["/P"].get_object()
            index = next(i for i, p in enumerate(refs) if p is page or p == page)
            out[sig.field_name] = (index, [float(v) for v in sig.sig_field["/Rect"]])
        return out


A4_HEIGHT = 841.89
"""An A4 page's height in points (portrait)."""


def assert_signed_above_names(pdf: Path, names: dict[str, str], file_name: str) -> None:
    """Each ``ttd-<username>`` signature sits in that person's block, as a reader sees it.

    The person's printed name stands right under the signature's rectangle (within
    20 pt, inside its width), the QR stamp inside the rectangle names the same person
    and holds ``sigap verify <file_name>``, and no one else's name is inside it.

    Args:
        pdf: The signed PDF.
        names: username -> their name as printed (and on their certificate).
        file_name: The PDF's file name as the QR code names it.
    """
    widgets = signature_widgets(pdf)
    assert set(widgets) == {f"ttd-{u}" for u in names}, widgets
    pages = page_words(pdf)
    for username, name in names.items():
        index, (x1, y1, x2, y2) = widgets[f"ttd-{username}"]
        top, bottom = A4_HEIGHT - y2, A4_HEIGHT - y1  # as pdftotext counts: y down from the top
        words = pages[index]
        first = name.split()[0]
        under = [w for w in words if w[0] == first and 0 <= w[2] - bottom < 20 and x1 <= w[1] < x2]
        assert under, f"{name}'s name is not right under their signature {widgets}"
        inside = [
            w[0] for w in words if x1 <= w[1] and w[3] <= x2 and top <= w[2] and w[4] <= bottom
        ]
        text = " ".join(inside)
        assert text.startswith("Ditandatangani secara elektronik oleh " + first), text
        assert f"sigap verify {file_name}" in text, text
        for other in set(names.values()) - {name}:
            assert other not in text, f"{other} inside {name}'s signature"


def flip_a_letter(src: Path, dst: Path) -> Path:
    """Copy a PDF with one letter of its title changed (inside every signed byte range)."""
    data = bytearray(src.read_bytes())
    at = data.index(b"/Title (") + len(b"/Title (") + 2
    data[at] = ord("X") if data[at] != ord("X") else ord("Y")
    dst.write_bytes(bytes(data))
    return dst
