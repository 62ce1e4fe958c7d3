"""Office configuration: the examples load, bad files are refused with file:line:field."""

from datetime import date
from pathlib import Path

import pytest

from config.office_file import load_office
from sop.codes import hash_code, verify_code
from sop.office import TIMEZONES, nip_problem, parse_office, set_code_hash
from sop.problems import ConfigError
from sop.roles import ROLE_KEYS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "offices"
HASH = hash_code("demo-rahmat")

BASE = f"""\
office:
  name: Kantor Wilayah Kementerian Hukum dan HAM Maluku Utara
  short_name: Kanwil Kemenkumham Malut
  letterhead: ["KEMENTERIAN HUKUM DAN HAK ASASI MANUSIA", "KANTOR WILAYAH MALUKU UTARA"]
  city: Ternate
  timezone: Asia/Jayapura
sops: [A, B]
roles:
  kasubag: Kepala Subbagian Humas, RB dan TI
  it_officer: Petugas IT Server
people:
  - username: rahmat
    name: Rahmat Hidayat, S.Kom.
    nip: "198503122010121002"
    roles: [kasubag]
    email: rahmat@example.go.id
    approval:
      code_hash: "{HASH}"
  - username: sahrul
    name: Sahrul Umasangaji
    nip: "199207082019031003"
    roles: [it_officer, kabag, kadivmin]
    approval:
      totp: env:SIGAP_TOTP_SAHRUL
sla:
  breach_factor: 1.5
  lockout: {{max_attempts: 3, minutes: 30}}
"""


def test_base_is_valid_and_model_answers():
    office = parse_office(BASE, "office.yaml")
    assert office.short_name == "Kanwil Kemenkumham Malut"
    assert office.timezone.key == "Asia/Jayapura" and office.timezone_abbrev == "WIT"
    assert office.sops == ("A", "B")
    assert set(office.role_titles) == set(ROLE_KEYS)
    assert office.role_titles["kasubag"] == "Kepala Subbagian Humas, RB dan TI"
    assert office.role_titles["kadis"] == ROLE_KEYS["kadis"]  # not renamed: default title
    assert office.person("rahmat").nip == "198503122010121002"
    assert office.person("nobody") is None
    assert [p.username for p in office.holders("it_officer")] == ["sahrul"]
    assert office.has_role("sahrul", "kabag") and not office.has_role("rahmat", "kabag")
    assert not office.has_role("nobody", "kasubag")
    assert office.person("rahmat").approval.kind == "code"
    assert office.person("sahrul").approval.totp == "env:SIGAP_TOTP_SAHRUL"
    assert (office.sla.breach_factor, office.sla.lockout_max_attempts) == (1.5, 3)
    assert office.sla.lockout_minutes == 30
    assert office.warnings == ()  # visitor (SOP B) is an outsider: no warning


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_loads_cleanly(path):
    office = load_office(path)
    assert office.people, "an example without people shows nothing"
    assert office.warnings == (), [str(w) for w in office.warnings]
    assert office.timezone_name in TIMEZONES
    for p in office.people:
        assert p.email is None or p.email.endswith(("example.go.id", "example.co.id"))


def test_the_four_seed_offices_are_there():
    runs = {p.name: load_office(p).sops for p in EXAMPLES.glob("*.yaml")}
    assert runs == {
        "kanwil-kemenkumham-malut.yaml": ("A", "B"),
        "bpsdm-kemenkumham.yaml": ("C",),
        "kominfo-tanah-bumbu.yaml": ("D1", "D2", "D3", "D4", "D5", "D6"),
        "kominfosanti-buleleng.yaml": ("E",),
    }


def test_kanwil_demo_codes_are_the_documented_ones():
    office = load_office(EXAMPLES / "kanwil-kemenkumham-malut.yaml")
    for p in office.people:
        if "it_officer" in p.roles:
            assert verify_code(f"demo-{p.username}", p.approval.code_hash), p.username
    docs = (EXAMPLES.parents[1] / "docs" / "office.md").read_text()
    assert "demo-<username>" in docs


APPROVING_ROLES = {
    "kanwil-kemenkumham-malut.yaml": ("kadivmin", "kabag", "kasubag"),
    "bpsdm-kemenkumham.yaml": ("team_lead",),
    "kominfo-tanah-bumbu.yaml": ("kasi", "kabid", "kadis"),
    "kominfosanti-buleleng.yaml": ("kasi", "kabid"),
}
"""The managers' roles in each example office (they decide the SOPs' decision steps)."""


@pytest.mark.parametrize("name", sorted(APPROVING_ROLES))
def test_example_managers_approve_with_totp_by_reference(name):
    office = load_office(EXAMPLES / name)
    managers = [p for p in office.people if set(p.roles) & set(APPROVING_ROLES[name])]
    assert managers
    for p in managers:
        assert p.approval is not None and p.approval.kind == "totp", p.username
        assert p.approval.totp == f"env:SIGAP_TOTP_{p.username.upper()}"


def test_the_demo_office_keeps_the_documented_demo_codes():
    """The README's walkthrough approves with `demo-<username>` on the lab's office."""
    demo = load_office(EXAMPLES.parents[1] / "lab" / "demo-office.yaml")
    for p in demo.people:
        if p.roles == ("visitor",):
            assert p.approval is None  # a visitor never approves
            continue
        assert verify_code(f"demo-{p.username}", p.approval.code_hash), p.username


def test_sop_dir_resolves_relative_to_the_file(tmp_path):
    (tmp_path / "my-sops").mkdir()
    path = tmp_path / "office.yaml"
    path.write_text(BASE.replace("sops: [A, B]", "sops: [A, B]\nsop_dir: my-sops"))
    assert load_office(path).sop_dir == tmp_path / "my-sops"
    path.write_text(BASE.replace("sops: [A, B]", "sops: [A, B]\nsop_dir: missing"))
    with pytest.raises(ConfigError) as err:
        load_office(path)
    assert f"{path}:8: sop_dir: directory not found" in str(err.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_office(tmp_path / "nope.yaml")
    assert str(tmp_path / "nope.yaml") in str(err.value)
    assert "not found" in str(err.value)


def test_roles_nobody_holds_are_warnings_not_errors():
    text = BASE.replace("roles: [it_officer, kabag, kadivmin]", "roles: [it_officer]")
    office = parse_office(text, "office.yaml")
    assert [str(w) for w in office.warnings] == [
        "office.yaml:7: sops: role kadivmin (Kepala Divisi Administrasi) is used by SOP A "
        "but no person holds it",
        "office.yaml:7: sops: role kabag (Kepala Bagian) is used by SOP A but no person holds it",
    ]


# (case id, line to replace, replacement, expected field, expected message part, line)
# line None: the line where the replacement text starts.
BAD = [
    ("unknown top key", "sla:", "slaa:", "slaa", "did you mean 'sla'", None),
    (
        "unknown office key",
        "  city: Ternate",
        "  kota: Ternate",
        "office.kota",
        "unknown key",
        None,
    ),
    (
        "missing name",
        "  name: Kantor Wilayah Kementerian Hukum dan HAM Maluku Utara",
        "",
        "office.name",
        "non-empty",
        1,
    ),
    ("missing timezone", "  timezone: Asia/Jayapura", "", "office.timezone", "missing", 1),
    (
        "timezone not Indonesian",
        "  timezone: Asia/Jayapura",
        "  timezone: Asia/Singapore",
        "office.timezone",
        "Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT)",
        None,
    ),
    ("unknown SOP code", "sops: [A, B]", "sops: [A, F]", "sops", "unknown SOP code 'F'", None),
    ("SOP D alone", "sops: [A, B]", "sops: [A, D]", "sops", "list D1, D2", None),
    (
        "unknown role key",
        "  it_officer: Petugas IT Server",
        "  it_oficer: Petugas IT Server",
        "roles.it_oficer",
        "did you mean 'it_officer'",
        None,
    ),
    (
        "person with unknown role",
        "    roles: [kasubag]",
        "    roles: [kasubg]",
        "people.rahmat.roles",
        "unknown role key 'kasubg' (did you mean 'kasubag'?)",
        None,
    ),
    (
        "duplicate username",
        "  - username: sahrul",
        "  - username: rahmat",
        "people.rahmat.username",
        "duplicate username (first used on line 12)",
        19,
    ),
    (
        "NIP too short",
        '    nip: "198503122010121002"',
        '    nip: "19850312201012"',
        "people.rahmat.nip",
        "18 digits",
        None,
    ),
    (
        "NIP birth date",
        '    nip: "198503122010121002"',
        '    nip: "198502302010121002"',
        "people.rahmat.nip",
        "19850230 is not a date",
        None,
    ),
    (
        "NIP recruitment month",
        '    nip: "198503122010121002"',
        '    nip: "198503122010131002"',
        "people.rahmat.nip",
        "recruitment month 13",
        None,
    ),
    (
        "NIP recruited as a child",
        '    nip: "198503122010121002"',
        '    nip: "198503121995121002"',
        "people.rahmat.nip",
        "before the holder turned 18",
        None,
    ),
    (
        "bad email",
        "    email: rahmat@example.go.id",
        "    email: rahmat.example.go.id",
        "people.rahmat.email",
        "not an e-mail address",
        None,
    ),
    (
        "plain code key",
        f'      code_hash: "{HASH}"',
        "      code: 482913",
        "people.rahmat.approval.code",
        "run `sigap people set-code rahmat`",
        None,
    ),
    (
        "plain code in code_hash",
        f'      code_hash: "{HASH}"',
        '      code_hash: "482913"',
        "people.rahmat.approval.code_hash",
        "run `sigap people set-code rahmat`",
        None,
    ),
    (
        "totp secret inline",
        "      totp: env:SIGAP_TOTP_SAHRUL",
        "      totp: JBSWY3DPEHPK3PXPJBSWY3DP",
        "people.sahrul.approval.totp",
        "never the secret itself",
        None,
    ),
    (
        "both hash and totp",
        "      totp: env:SIGAP_TOTP_SAHRUL",
        f'      totp: env:SIGAP_TOTP_SAHRUL\n      code_hash: "{HASH}"',
        "people.sahrul.approval",
        "either code_hash or totp, not both",
        23,
    ),
    (
        "unknown person key",
        "    email: rahmat@example.go.id",
        "    mail: rahmat@example.go.id",
        "people.rahmat.mail",
        "did you mean 'email'",
        None,
    ),
    (
        "bad breach factor",
        "  breach_factor: 1.5",
        "  breach_factor: -1",
        "sla.breach_factor",
        "above 0",
        None,
    ),
    (
        "bad lockout",
        "  lockout: {max_attempts: 3, minutes: 30}",
        "  lockout: {max_attempts: 0, minutes: 30}",
        "sla.lockout.max_attempts",
        "at least 1",
        None,
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "field", "message", "line"), [c[1:] for c in BAD], ids=[c[0] for c in BAD]
)
def test_bad_office_files_name_file_line_field(old, new, field, message, line):
    assert old in BASE
    text = BASE.replace(old, new) if new else BASE.replace(old + "\n", "")
    if line is None:
        line = text.splitlines().index(new.splitlines()[0]) + 1
    with pytest.raises(ConfigError) as err:
        parse_office(text, "config/office.yaml")
    shown = [str(p) for p in err.value.problems]
    wanted = f"config/office.yaml:{line}: {field}: "
    assert any(s.startswith(wanted) and message in s for s in shown), shown


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (f'code_hash: "{HASH}"', "code: 482913"),
        (f'code_hash: "{HASH}"', 'code_hash: "482913"'),
        (f'code_hash: "{HASH}"', "pin: 482913"),
        ("totp: env:SIGAP_TOTP_SAHRUL", "totp: JBSWY3DPEHPK3PXP482913"),
    ],
    ids=["code", "code_hash", "pin", "totp"],
)
def test_secrets_written_in_the_file_are_never_repeated(old, new):
    with pytest.raises(ConfigError) as err:
        parse_office(BASE.replace(old, new), "office.yaml")
    assert len(err.value.problems) == 1
    assert "482913" not in str(err.value)


def test_every_problem_is_reported_at_once():
    text = BASE.replace("Asia/Jayapura", "Asia/Tokyo").replace("[A, B]", "[A, X]")
    text = text.replace("rahmat@example.go.id", "nope")
    with pytest.raises(ConfigError) as err:
        parse_office(text, "office.yaml")
    assert [(p.line, p.field) for p in err.value.problems] == [
        (6, "office.timezone"),
        (7, "sops"),
        (16, "people.rahmat.email"),
    ]


def test_syntax_error_and_empty_file():
    with pytest.raises(ConfigError, match=r"office\.yaml:3: YAML syntax error"):
        parse_office("office:\n  name: [x\n", "office.yaml")
    with pytest.raises(ConfigError, match=r"office\.yaml: file is empty"):
        parse_office("", "office.yaml")


def test_nip_without_civil_service_is_optional():
    text = BASE.replace('    nip: "199207082019031003"\n', "")
    assert parse_office(text, "office.yaml").person("sahrul").nip is None


def test_nip_plausibility():
    today = date(2024, 9, 1)
    assert nip_problem("198503122010121002", today) is None
    assert "future" in nip_problem("199503122025011002", today)
    assert "gender" in nip_problem("198503122010123002", today)
    assert "000" in nip_problem("198503122010121000", today)
    assert "birth year" in nip_problem("183003122010121001", today)


def test_set_code_hash_keeps_comments_order_and_quotes():
    text = (
        "# Kanwil Malut\n"
        "office: {name: Kanwil, timezone: Asia/Jayapura}  # WIT\n"
        "sops: [A]\n"
        "people:\n"
        "  - username: rahmat  # Kasubag\n"
        "    name: Rahmat Hidayat\n"
        '    nip: "198503122010121002"\n'
        "    roles: [kasubag]\n"
        "  # the IT officer\n"
        "  - username: sahrul\n"
        "    name: Sahrul\n"
        "    roles: [it_officer]\n"
    )
    new_hash = hash_code("kopi-ternate-7")
    out = set_code_hash(text, "rahmat", new_hash)
    lines = text.splitlines()
    added = ["    approval:", f'      code_hash: "{new_hash}"']
    assert out.splitlines() == [*lines[:8], *added, *lines[8:]]
    office = parse_office(out, "office.yaml")
    assert verify_code("kopi-ternate-7", office.person("rahmat").approval.code_hash)


def test_set_code_hash_replaces_a_plain_code_in_place():
    text = BASE.replace(f'      code_hash: "{HASH}"', "      code: 482913  # temporary")
    new_hash = hash_code("kopi-ternate-7")
    out = set_code_hash(text, "rahmat", new_hash)
    assert "482913" not in out
    assert out == BASE.replace(HASH, new_hash)


def test_set_code_hash_refuses_totp_users_unknown_people_and_plain_values():
    with pytest.raises(
        ConfigError, match=r"office\.yaml:24: people\.sahrul\.approval\.totp: .*TOTP"
    ):
        set_code_hash(BASE, "sahrul", HASH)
    with pytest.raises(ConfigError, match="no person with username 'budi'"):
        set_code_hash(BASE, "budi", HASH)
    with pytest.raises(ValueError, match="must be a hash"):
        set_code_hash(BASE, "rahmat", "482913")


# --- sla.escalate_to: who else is told when a step of a role is breached ---

ESCALATION = BASE.replace(
    "  lockout: {max_attempts: 3, minutes: 30}\n",
    "  lockout: {max_attempts: 3, minutes: 30}\n"
    "  escalate_to:\n"
    "    kasubag: kabag\n"
    "    it_officer: kasubag\n",
)


def test_escalate_to_defaults_to_nothing():
    assert parse_office(BASE, "office.yaml").sla.escalate_to == {}


def test_escalate_to_is_read_and_a_holder_without_email_is_a_warning():
    office = parse_office(ESCALATION, "office.yaml")
    assert office.sla.escalate_to == {"kasubag": "kabag", "it_officer": "kasubag"}
    # sahrul holds it_officer and kabag (both in the escalation) but has no email.
    assert [str(w) for w in office.warnings] == [
        "office.yaml:19: people.sahrul.email: no email: SLA breach notifications and "
        "escalations for role it_officer, kabag cannot reach this person"
    ]


def test_example_offices_escalate_one_level_up():
    malut = load_office(EXAMPLES / "kanwil-kemenkumham-malut.yaml")
    assert malut.sla.escalate_to == {
        "it_officer": "kasubag",
        "kasubag": "kabag",
        "kabag": "kadivmin",
    }
    buleleng = load_office(EXAMPLES / "kominfosanti-buleleng.yaml")
    assert buleleng.sla.escalate_to == {"staff": "kasi", "kasi": "kabid"}
    tanah_bumbu = load_office(EXAMPLES / "kominfo-tanah-bumbu.yaml")
    assert tanah_bumbu.sla.escalate_to["kasi"] == "kabid"


# (case id, line to replace, replacement, expected field, expected message part)
BAD_ESCALATION = [
    (
        "unknown role key",
        "    kasubag: kabag",
        "    kasubg: kabag",
        "sla.escalate_to.kasubg",
        "unknown role key (did you mean 'kasubag'?)",
    ),
    (
        "unknown target role",
        "    kasubag: kabag",
        "    kasubag: kabg",
        "sla.escalate_to.kasubag",
        "unknown role key 'kabg' to escalate to (did you mean 'kabag'?)",
    ),
    (
        "escalates to itself",
        "    kasubag: kabag",
        "    kasubag: kasubag",
        "sla.escalate_to.kasubag",
        "cannot escalate to itself",
    ),
    (
        "escalates to an outsider",
        "    kasubag: kabag",
        "    kasubag: visitor",
        "sla.escalate_to.kasubag",
        "outsiders (provider, visitor) do not receive escalations",
    ),
    (
        "target is a list",
        "    kasubag: kabag",
        "    kasubag: [kabag, kadivmin]",
        "sla.escalate_to.kasubag",
        "unknown role key ['kabag', 'kadivmin'] to escalate to",
    ),
    (
        "not a mapping",
        "  escalate_to:\n    kasubag: kabag\n    it_officer: kasubag",
        "  escalate_to: [kabag]",
        "sla.escalate_to",
        "must be a mapping of role key -> the role key to escalate to",
    ),
    (
        "misspelt section",
        "  escalate_to:",
        "  escalate:",
        "sla.escalate",
        "did you mean 'escalate_to'",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [c[1:] for c in BAD_ESCALATION],
    ids=[c[0] for c in BAD_ESCALATION],
)
def test_bad_escalation_names_file_line_field(old, new, field, message):
    assert old in ESCALATION
    text = ESCALATION.replace(old, new)
    line = text.splitlines().index(new.splitlines()[0]) + 1
    with pytest.raises(ConfigError) as err:
        parse_office(text, "config/office.yaml")
    shown = [str(p) for p in err.value.problems]
    wanted = f"config/office.yaml:{line}: {field}: "
    assert any(s.startswith(wanted) and message in s for s in shown), shown


def test_every_escalation_problem_is_reported_at_once():
    text = ESCALATION.replace("    kasubag: kabag", "    kasubg: kabag").replace(
        "    it_officer: kasubag", "    it_officer: it_officer"
    )
    with pytest.raises(ConfigError) as err:
        parse_office(text, "office.yaml")
    assert [(p.line, p.field) for p in err.value.problems] == [
        (29, "sla.escalate_to.kasubg"),
        (30, "sla.escalate_to.it_officer"),
    ]


def test_escalations_that_cannot_work_are_warnings():
    text = ESCALATION.replace("    kasubag: kabag", "    kasubag: kadis").replace(
        "    it_officer: kasubag", "    kasi: kabid"
    )
    office = parse_office(text, "office.yaml")
    assert office.sla.escalate_to == {"kasubag": "kadis", "kasi": "kabid"}
    assert [str(w) for w in office.warnings] == [
        "office.yaml:29: sla.escalate_to.kasubag: role kadis (Kepala Dinas) receives "
        "escalations but no person holds it",
        "office.yaml:30: sla.escalate_to.kasi: role kasi (Kepala Seksi) is not used by "
        "SOP A, B: this escalation never applies",
        "office.yaml:30: sla.escalate_to.kasi: role kabid (Kepala Bidang) receives "
        "escalations but no person holds it",
    ]


SIGNING = (
    BASE.replace(
        f"""      code_hash: "{HASH}"
""",
        f"""      code_hash: "{HASH}"
    certificate:
      pkcs12: keys/rahmat.p12
      passphrase: env:SIGAP_P12_RAHMAT
""",
    )
    + """signing:
  trust_roots: [keys/root-ca.pem]
  verify_url: https://sigap.example.go.id/verifikasi
"""
)


def test_certificate_and_signing_are_read_relative_to_the_file():
    office = parse_office(SIGNING, "config/office.yaml")
    cert = office.person("rahmat").certificate
    assert cert.pkcs12 == Path("config/keys/rahmat.p12")
    assert cert.passphrase == "env:SIGAP_P12_RAHMAT"
    assert office.person("sahrul").certificate is None
    assert office.signing.trust_roots == (Path("config/keys/root-ca.pem"),)
    assert office.signing.verify_url == "https://sigap.example.go.id/verifikasi"
    assert parse_office(BASE, "office.yaml").signing is None


BAD_SIGNING = [
    (
        "plain-passphrase",
        "      passphrase: env:SIGAP_P12_RAHMAT",
        "      passphrase: Rahasia-123",
        "people.rahmat.certificate.passphrase",
        "never the passphrase itself",
    ),
    (
        "no-file",
        "      pkcs12: keys/rahmat.p12",
        "      pkcs12: ''",
        "people.rahmat.certificate.pkcs12",
        "must be a non-empty text",
    ),
    (
        "unknown-key",
        "      pkcs12: keys/rahmat.p12",
        "      pkcs: keys/rahmat.p12",
        "people.rahmat.certificate.pkcs",
        "did you mean 'pkcs12'",
    ),
    (
        "bad-url",
        "  verify_url: https://sigap.example.go.id/verifikasi",
        "  verify_url: sigap.example.go.id",
        "signing.verify_url",
        "must be an http(s) URL",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [c[1:] for c in BAD_SIGNING],
    ids=[c[0] for c in BAD_SIGNING],
)
def test_bad_certificate_or_signing_names_file_line_field(old, new, field, message):
    assert old in SIGNING
    text = SIGNING.replace(old, new)
    line = text.splitlines().index(new) + 1
    with pytest.raises(ConfigError) as err:
        parse_office(text, "config/office.yaml")
    shown = [str(p) for p in err.value.problems]
    assert any(
        s.startswith(f"config/office.yaml:{line}: {field}: ") and message in s for s in shown
    )
    assert all("Rahasia-123" not in s for s in shown)
