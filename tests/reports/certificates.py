"""A self-made certificate authority for the signing tests (made with `cryptography`).

A root CA and person certificates (CN = the person's name), written as PEM (the root)
and PKCS#12 files with a passphrase, as an office would get them from its CA.
"""

from __future__ import annotations

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
    from ruamel.yaml import YAML

    yaml = YAML()
    data = yaml.load(source.read_text(encoding="utf-8"))
    for person in data["people"]:
        if person["username"] in SIGNERS:
            name, variable = SIGNERS[person["username"]]
            assert person["name"] == name
            p12 = ca.issue_pkcs12(
                name, directory / f"{person['username']}.p12", PASSPHRASES[person["username"]]
            )
            person["certificate"] = {"pkcs12": p12.name, "passphrase": f"env:{variable}"}
    ca.write_root(directory / "root.pem")
    data["signing"] = {"trust_roots": ["root.pem"]}
    path = directory / "office.yaml"
    with path.open("w", encoding="utf-8") as f:
        yaml.dump(data, f)
    return path
