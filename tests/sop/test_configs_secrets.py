"""No secret in stored configs: the rules per platform, fail closed, real public configs.

Fixtures: ``fixtures/secrets/<platform>/`` (every secret value contains ``S3cr3t``),
``fixtures/secrets/public/`` and the real configs already kept beside the platform
fixtures (NAPALM, a public RouterOS export, FRR recorded from a real daemon).
"""

from __future__ import annotations

import json
import random
import re
import string
from pathlib import Path

import pytest

from lab.frrconf import R01, ospfd_conf, router_secrets
from sop.configs import REMOVED, normalise, prepare_backup, sanitize
from sop.secret_rules import HARMLESS_FORMS, fail_closed, is_secret_word

FIXTURES = Path(__file__).parent / "platforms" / "fixtures"
SECRETS = FIXTURES / "secrets"
SENTINEL = "S3cr3t"
PLATFORMS = ("cisco_ios", "mikrotik_routeros", "frr", "linux")

# secrets that cannot carry the sentinel (hex keys), per fixture
EXTRA_SECRETS = {
    "cisco_ios/campus_core.txt": [
        "0123456789ABCDEF0123456789ABCDEF53CE7126",
        "0123456789ABCDEF0123456789ABC001",
        "0123456789ABCDEF0123456789ABCDEF01234002",
        "4242",  # tunnel key
    ],
}

# lines that must come out exactly so (the keyword kept, only the value masked)
EXPECTED_LINES = {
    "cisco_ios/campus_core.txt": [
        " standby 10 authentication md5 key-string 7 <removed> timeout 30",
        " standby 11 authentication text <removed>",
        " standby 12 authentication <removed>",
        " standby 13 authentication md5 key-chain HSRP-KC",
        " vrrp 20 authentication text <removed>",
        " glbp 30 authentication text <removed>",
        " isis password <removed> level-2",
        " ipv6 ospf encryption ipsec spi 1001 esp aes-cbc 128 <removed> sha1 <removed>",
        " ip nhrp authentication <removed>",
        " tunnel key <removed>",
        " ppp pap sent-username kanwil-pppoe password 7 <removed>",
        "   authentication mode hmac-sha-256 7 <removed>",
        " domain-password <removed> authenticate snp validate",
        "ip msdp password peer 10.255.1.2 7 <removed>",
        " path scp://backup:<removed>@10.10.1.40/configs/$h",
        "snmp-server user monitor NMS v3 auth sha <removed> priv aes 128 <removed> access 10",
        "snmp-server host 10.10.1.51 informs version 2c <removed>",
        "crypto isakmp key <removed> hostname peer2.example.net",
        " pre-shared-key address 203.0.113.10 key <removed>",
        " key <removed>",  # radius server block
        " pac key 7 <removed>",
        "key config-key password-encryption <removed>",
        "ntp authentication-key 1 md5 <removed> 7",
        # harmless forms with a secret keyword, untouched
        "service password-encryption",
        "no service password-recovery",
        "password encryption aes",
        "key chain MKA-KC macsec",
        " key 01",
        "crypto key generate rsa modulus 2048",
        " neighbor 10.0.0.2 send-community both",
        " set community 65010:100 additive",
        " match community 10",
        "dot1x credentials SUPPLICANT",
        "ntp trusted-key 1",
        "ntp server 10.10.1.123 key 1",
        "username guest nopassword",
        "   key-hash ssh-rsa 8FB4F858DD7E5AFB372780EC653DB371",
    ],
    "mikrotik_routeros/branch_v7.rsc": [
        "add connect-to=203.0.113.5 ipsec-secret=<removed> name=l2tp-pusat password=<removed> "
        "use-ipsec=yes user=cabang1",
        "add mode=static-keys-required name=legacy static-algo-0=104bit-wep static-key-0=<removed>"
        " static-transmit-key=key-0",
        "add area=backbone auth=md5 auth-id=1 auth-key=<removed> interfaces=ether2",
        "add key=<removed> key-id=1",
        "set enabled=yes trap-community=<removed> trap-version=2",
        "add auth-method=pre-shared-key peer=pusat secret=<removed>",
        "/ppp secret",
        "add authentication=ah interface=bridge-lan name=vrrp1 password=<removed> version=2",
        "set name=MT-CABANG-01",
    ],
    "frr/edge_router.txt": [
        "password <removed>",
        "enable password <removed>",
        " isis password clear <removed>",
        " isis password md5 <removed>",
        " ip rip authentication string <removed>",
        " ipv6 ospf6 authentication key-id 1 hash-algo hmac-sha-256 key <removed>",
        " area-password md5 <removed> authenticate snp validate",
        " ip rip authentication key-chain RIP-KC",
        "  neighbor 203.0.113.1 send-community extended",
        "service password-encryption",
    ],
    "linux/ipsec.secrets": [
        "203.0.113.2 203.0.113.10 : PSK <removed>",
        "# /etc/ipsec.secrets - strongSwan IPsec secrets file",
        ": RSA server01.key",
    ],
    "linux/shadow": ["root:<removed>:19700:0:99999:7:::", "daemon:*:19700:0:99999:7:::"],
    "linux/hostapd.conf": ["wpa_key_mgmt=WPA-PSK", "wpa_psk_file=/etc/hostapd.psk"],
    "linux/service.env": ["HTTP_PROXY=http://proxyuser:<removed>@10.10.1.8:3128"],
}

FIXTURE_FILES = sorted(
    f"{platform}/{path.name}" for platform in PLATFORMS for path in (SECRETS / platform).iterdir()
)


def _joined(raw: str, platform: str) -> list[str]:
    """The raw text's lines as the backup sees them (volatile lines out, wraps joined)."""
    return normalise(raw, platform).splitlines()


def _masked_form(clean_line: str) -> re.Pattern[str]:
    """A clean line as a pattern: its text literally, each <removed> some value."""
    parts = [re.escape(part) for part in clean_line.split(REMOVED)]
    return re.compile("(.+?)".join(parts))


def test_every_platform_has_secret_fixtures() -> None:
    for platform in PLATFORMS:
        assert any((SECRETS / platform).iterdir()), platform
    assert set(EXPECTED_LINES) <= set(FIXTURE_FILES)


@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_fixture_secrets_are_removed_and_nothing_else_changes(name: str) -> None:
    platform = name.split("/")[0]
    raw = (SECRETS / name).read_text()
    backup = prepare_backup(raw, None, platform)
    assert not backup.truncated and backup.running is not None
    clean = backup.running
    secrets = EXTRA_SECRETS.get(name, [])
    assert raw.count(SENTINEL) >= 2
    assert all(secret in raw for secret in secrets)

    # no secret survives
    assert SENTINEL not in clean
    leaked = [s for s in secrets if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", clean)]
    assert leaked == []

    # nothing else changed: same lines, in order; a line without a secret is
    # unchanged, a line with one differs only where <removed> now stands
    before, after = _joined(raw, platform), clean.splitlines()
    assert len(before) == len(after)
    for old, new in zip(before, after, strict=True):
        if SENTINEL in old or any(s in old for s in secrets):
            assert REMOVED in new, (old, new)
            assert _masked_form(new).fullmatch(old), (old, new)
        else:
            assert new == old, "over-masked"
    for line in EXPECTED_LINES.get(name, []):
        assert line in after, line

    # deterministic and idempotent: hashes and diffs stay stable
    again = prepare_backup(raw, None, platform)
    assert again.running == clean and again.hash == backup.hash
    assert sanitize(clean, platform) == clean


@pytest.mark.parametrize("platform", PLATFORMS)
def test_rules_do_not_depend_on_the_platform_name(platform: str) -> None:
    """Every rule runs for every platform: a secret in another platform's syntax goes too."""
    for name in FIXTURE_FILES:
        # RouterOS wraps long lines with a trailing backslash; only its parser joins them
        raw = (SECRETS / name).read_text().replace("\\\n    ", "")
        assert SENTINEL not in sanitize(raw, platform), name


# ---------------------------------------------------------------- real public configs


def test_napalm_csr1000v_config_loses_its_two_passwords_only() -> None:
    data = json.loads((FIXTURES / "cisco_ios/napalm_csr1000v/getters/get_config.json").read_text())
    raw = data["running"]
    assert "enable password cisco" in raw
    assert "username cisco privilege 15 password 0 cisco" in raw
    backup = prepare_backup(raw, None, "cisco_ios")
    clean = backup.running or ""
    assert "enable password <removed>" in clean
    assert "username cisco privilege 15 password 0 <removed>" in clean
    changed = [
        (a, b) for a, b in zip(_joined(raw, "cisco_ios"), clean.splitlines(), strict=True) if a != b
    ]
    assert len(changed) == 2, changed
    assert "hostname CSR1" in clean and " ip address 192.168.35.121 255.255.255.0" in clean


def test_lab_switch_recorded_config_loses_every_lab_secret() -> None:
    data = json.loads((FIXTURES / "cisco_ios/lab_sw01/getters/get_config.json").read_text())
    raw = data["running"]
    clean = prepare_backup(raw, None, "cisco_ios").running or ""
    for pattern in (r"\$1\$\S+", r"pemda-r[ow]-\d+"):
        assert re.search(pattern, raw)
        assert not re.search(pattern, clean), pattern
    assert re.search(r"^ password 7 <removed>$", clean, re.M)
    assert "snmp-server community <removed> RO 10" in clean


@pytest.mark.parametrize(
    "path",
    [
        "mikrotik_routeros/public_hex_poe_lite/commands/export.txt",
        "frr/r_fixture_8_4/commands/show_running_config.txt",
        "frr/lab_r01/commands/show_running_config.txt",
    ],
)
def test_real_configs_without_secrets_come_out_unchanged(path: str) -> None:
    platform = path.split("/")[0]
    raw = (FIXTURES / path).read_text()
    clean = normalise(sanitize(raw, platform), platform)
    assert clean == normalise(raw, platform)
    assert REMOVED not in clean


def test_ntc_templates_routeros_wifi_and_wireguard_keys() -> None:
    psk = (SECRETS / "public/ntc_wireless_security_profiles_terse.txt").read_text()
    clean = sanitize(psk, "mikrotik_routeros")
    assert "ExamplePsk123!" not in clean
    assert "wpa2-pre-shared-key=<removed> " in clean
    # empty keys stay empty, names of key slots and algorithms stay
    for kept in ("wpa-pre-shared-key= ", "static-key-0= ", "mschapv2-password= ",
                 "static-transmit-key=key-0", "management-protection-key=",
                 "authentication-types=wpa2-psk", "group-key-update=5m"):  # fmt: skip
        assert kept in clean, kept
    assert clean.count(REMOVED) == 1

    wg = (SECRETS / "public/ntc_wireguard_terse.txt").read_text()
    clean = sanitize(wg, "mikrotik_routeros")
    assert "+NLZfYaDm6qMfroVg6wf0pZ" not in clean and "YEvXxfzV5w8hiS4qZ4ke" not in clean
    assert clean.count("private-key=<removed>") == 2
    assert "public-key=oeyOeBGeRb8UfvpqFT8XkaG1euGU0viW7Ep4fZEQKyM=" in clean

    peers = (SECRETS / "public/ntc_wireguard_peers_terse.txt").read_text()
    assert sanitize(peers, "mikrotik_routeros") == peers


# ---------------------------------------------------------------- fail closed

KEYWORDS = (
    "password", "passwd", "secret", "key", "key-string", "auth-key", "authentication-key",
    "pre-shared-key", "private-key", "community", "psk", "PSK", "passphrase", "token",
    "credential", "credentials", "tcp-md5-key", "wpa2-pre-shared-key", "Password", "SECRET",
    "api-token", "client-secret", "smtp_password",
)  # fmt: skip
FORMS = (
    "{kw} {value}",
    "{kw} 7 {value}",
    " {kw} 0 {value} extra words",
    "some-feature {kw} {value}",
    "{kw}={value}",
    '{kw}="{value}"',
    "add name=x {kw}={value} disabled=no",
    "{kw}: {value}",
    "{kw} = {value}",
    '  {kw} "{value}"',
)
_VALUE_CHARS = string.ascii_letters + string.digits + "!#$%&()*+,-./;<>?@[]^_{|}~"


def _values(count: int) -> list[str]:
    rng = random.Random(13)  # fixed seed: the same values on every run
    return [
        "Zq" + "".join(rng.choice(_VALUE_CHARS) for _ in range(rng.randint(6, 24)))
        for _ in range(count)
    ]


CASES = [
    (kw, form, value)
    for (kw, form), value in zip(
        [(kw, form) for kw in KEYWORDS for form in FORMS],
        _values(len(KEYWORDS) * len(FORMS)),
        strict=True,
    )
]


@pytest.mark.parametrize(("keyword", "form", "value"), CASES)
def test_a_keyword_never_keeps_its_value(keyword: str, form: str, value: str) -> None:
    line = form.format(kw=keyword, value=value)
    for platform in PLATFORMS:
        clean = sanitize(line + "\n", platform)
        assert value not in clean, (line, clean)
        assert keyword in clean, (line, clean)  # the keyword stays
        assert REMOVED in clean
        assert sanitize(clean, platform) == clean


@pytest.mark.parametrize(
    "line",
    [
        "ip sla responder api-token S3cr3t-FAIL-01",
        "event manager environment _email_password S3cr3t-FAIL-02",
        " vendor-feature shared-secret S3cr3t-FAIL-03 level 2",
        " vendor-feature login-passphrase S3cr3t-FAIL-04",
        "/container config set registry-url=https://r.example password=S3cr3t-FAIL-05",
        "/foo bar add some-community=S3cr3t-FAIL-06",
        'add comment="wifi passphrase S3cr3t-FAIL-07" name=x',
        "description sandi lama: password S3cr3t-FAIL-08",
        "mystery credentials S3cr3t-FAIL-09",
    ],
)
def test_unknown_secret_forms_are_masked_not_stored(line: str) -> None:
    clean = sanitize(line + "\n", "cisco_ios")
    assert SENTINEL not in clean, clean
    assert REMOVED in clean
    assert fail_closed(clean) == clean


@pytest.mark.parametrize(
    "line",
    [
        "service password-encryption",
        "no service password-recovery",
        "password encryption aes",
        "security passwords min-length 10",
        "aaa authentication login default local",
        "key chain OSPF-KC",
        " key 1",
        "crypto key generate rsa general-keys modulus 2048",
        "crypto pki token default removal timeout 0",
        "ip ssh pubkey-chain",
        "  key-string",
        " ip authentication key-chain eigrp 100 EIGRP-KC",
        " standby 1 authentication md5 key-chain HSRP-KC",
        " ip ospf authentication message-digest",
        " authentication key-management wpa version 2",
        " neighbor 10.0.0.2 send-community both",
        " set community 65000:100 additive",
        "snmp-server community <removed> RO 10",
        "snmp-server enable traps snmp authentication linkdown linkup",
        "ntp trusted-key 1",
        "/ppp secret",
        "/ppp secret add name=budi service=l2tp",
        "add authentication=md5 name=vrrp1",
        "add auth-method=pre-shared-key peer=pusat",
        "add public-key=oeyOeBGeRb8UfvpqFT8XkaG1euGU0viW7Ep4fZEQKyM= name=p1",
        "set [ find default=yes ] static-transmit-key=key-0 mschapv2-password=",
        "PasswordAuthentication no",
        "HostKey /etc/ssh/ssh_host_ed25519_key",
        "wpa_key_mgmt=WPA-PSK",
        "include /etc/ipsec.d/*.secrets",
    ],
)
def test_known_harmless_forms_are_untouched(line: str) -> None:
    assert sanitize(line + "\n", "cisco_ios") == line + "\n"


def test_harmless_forms_and_secret_words_are_documented() -> None:
    doc = (Path(__file__).parents[2] / "docs/config-backups.md").read_text()
    assert "fail closed" in doc.lower()
    for example in ("key chain NAME", "crypto key generate", "send-community", "public-key="):
        assert example in doc, example
    assert len(HARMLESS_FORMS) >= 5
    assert is_secret_word("tcp-md5-key", pair=True) and not is_secret_word("key-chain")


def test_lab_router_ospf_key_is_in_its_config_and_removed() -> None:
    key = router_secrets(R01)["ospf_md5_key"]
    conf = ospfd_conf(R01)
    assert f"ip ospf message-digest-key 1 md5 {key}" in conf
    assert key not in sanitize(conf, "frr")
