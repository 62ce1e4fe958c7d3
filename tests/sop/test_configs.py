"""Config backups (sop.configs): secrets removed, truncation, volatile lines, diffs, unsaved."""

from __future__ import annotations

from pathlib import Path

import pytest

from records.snapshots import config_hash as stored_hash
from sop.configs import (
    REMOVED,
    SanitizePattern,
    config_diff,
    config_hash,
    is_truncated,
    normalise,
    parse_patterns,
    prepare_backup,
    sanitize,
    strip_volatile,
    unsaved_changes,
)
from sop.problems import ConfigError
from sop.yamlsource import LineMap, parse_yaml

CONFIGS = Path(__file__).parent / "configs"


def read(name: str) -> str:
    return (CONFIGS / name).read_text()


# file, platform, every secret in it, lines that must survive unchanged
CASES = {
    "cisco_ios": (
        "cisco_ios_running.txt",
        [
            "$1$mERr$hx5rVt7rPNoS4wqbXKX7m0",  # enable secret 5
            "$9$nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM",  # username secret 9
            "0822455D0A165445415F59",  # username password 7
            "$1$Yk3q$7y5RfjZ2bLdrhF1cUJmK81",
            "104D000A0618",  # key chain key-string 7
            "0508571C22431F5B4A",  # HSRP key-string
            "070C285F4D06",  # ospf authentication-key
            "1511021F0725",  # ospf message-digest-key
            "02050D480809",  # bgp neighbor password 7
            "Publ1cKanwil",  # snmp-server community
            "Priv4teKanwil",
            "AuthPassKanwil1",  # snmp v3 auth
            "PrivPassKanwil1",  # snmp v3 priv
            "TrapKanwil2024",  # community in snmp-server host
            "00071A150754",  # tacacs-server host ... key 7
            "121A0C041104",  # tacacs-server key 7
            "RadiusRahasia99",  # radius-server host ... key
            "NtpKunci01",  # ntp authentication-key
            "045802150C2E",  # line con password 7
            "13061E010803",  # line vty password 7
            "PlainVtyPass",  # line vty password (clear)
        ],
        [
            "service password-encryption",
            "hostname SW-KANWIL-CORE01",
            "enable secret 5 <removed>",
            "username admin privilege 15 secret 9 <removed>",
            "snmp-server community <removed> RO 10",
            "snmp-server location Gedung A Lantai 2",
            "ntp authentication-key 1 md5 <removed> 7",
            " key 1",
            "end",
        ],
    ),
    "cisco_xe": (
        "cisco_xe_router.txt",
        [
            "$9$2MJBozw/9R3UsU$Exdb2JuIz.9y3AJvy6uaXqzt8Q0o9Dn9g/wEJtxn1.M",
            "110A1016141D",  # enable password level 7
            "104D580A061843595F",  # server-private key 7
            "01100F175804575D72",  # server-key
            "$9$hvFKQ7ZiCSa6u.$2XWeuMvsEKyNlL1tzXqSjWEVVuCvlTOn9uxqZVb1Jko",
            "IkeKunciPusat01",  # keyring pre-shared-key address ... key
            "IsakmpRahasia02",  # crypto isakmp key 6
            "Ikev2Local03",
            "Ikev2Remote04",
            "Ikev2Both05",
            "0822455D0A16544541",  # tacacs server block key 7
            "RadiusBlokRahasia06",  # radius server block key
            "R0Community",
            "InformKanwil07",
            "0822455D0A16",  # vty password 7
        ],
        [
            "enable algorithm-type scrypt secret 9 <removed>",
            "enable password level 7 7 <removed>",
            " pre-shared-key address 203.0.113.10 key <removed>",
            "crypto isakmp key 6 <removed> address 203.0.113.20",
            "  pre-shared-key local <removed>",
            "tacacs server TAC1",
            " address ipv4 10.10.1.30",
            " key 7 <removed>",
            " key <removed>",
            " authentication pre-share",
        ],
    ),
    "frr": (
        "frr_running.txt",
        [
            "ZebraPass01",  # password
            "ZebraEnable02",  # enable password
            "OspfMd5Key03",
            "OspfSimple04",
            "BgpPeerPass05",
            "IsisArea06",
            "IsisDomain07",
            "RipKey08",
        ],
        [
            "password <removed>",
            "enable password <removed>",
            " neighbor 10.20.0.2 password <removed>",
            " domain-password clear <removed>",
            " area-password md5 <removed>",
            "service integrated-vtysh-config",
        ],
    ),
    "mikrotik_routeros": (
        "mikrotik_export.rsc",
        [
            "WifiKantorRahasia01",  # wpa2-pre-shared-key=
            "L2tpIpsec02",  # ipsec-secret=
            "IpsecPusat03",  # ipsec identity secret=
            "PppBudi04",  # ppp secret password=
            "Ppp Siti 05",  # quoted password with a blank
            "pKepala06",  # password split over a wrapped line (Pp\ + pKepala06)
            "RadiusMt07",
            "SnmpMtCommunity08",  # /snmp community name=
            "SnmpAuth09",
            "SnmpPriv10",
            "WGprivKeyAbc11=",  # wireguard private-key
        ],
        [
            "add name=budi password=<removed> profile=default-encryption service=l2tp",
            "set [ find default=yes ] name=<removed>",
            '    public-key="WGpubKeyPeerXyz="'.strip(),
            "set name=MT-KANWIL-01",
            "add address=10.30.0.1/24 interface=bridge-lan network=10.30.0.0",
        ],
    ),
}


@pytest.mark.parametrize("platform", sorted(CASES))
def test_every_secret_is_removed(platform: str) -> None:
    name, secrets, kept = CASES[platform]
    raw = read(name)
    for secret in secrets:  # the fixture really holds them
        assert secret in raw.replace("\\\n    ", ""), secret
    clean = sanitize(raw, platform)
    leaked = [secret for secret in secrets if secret in clean]
    assert leaked == []
    assert clean.count(REMOVED) >= len(secrets)
    for line in kept:
        assert line in clean, line
    assert sanitize(clean, platform) == clean  # running it again changes nothing

    backup = prepare_backup(raw, raw, platform)
    assert backup.running is not None
    for text in (backup.running, backup.startup or ""):
        assert [s for s in secrets if s in text] == []


def test_netmiko_transport_names_are_sanitised_too() -> None:
    clean = sanitize("enable secret 5 $1$abc$def\nend\n", "cisco_ios_telnet")
    assert clean == "enable secret 5 <removed>\nend\n"


def test_non_secret_lines_are_untouched() -> None:
    text = (
        "service password-encryption\n"
        "password encryption aes\n"
        "username guest nopassword\n"
        "security passwords min-length 10\n"
        "aaa authentication login default local\n"
        "key chain K1\n"
        " key 1\n"
        "end\n"
    )
    assert sanitize(text, "cisco_ios") == text


def test_office_patterns_are_applied_and_validated() -> None:
    data, lines = parse_yaml(
        "config_backup:\n"
        "  sanitize:\n"
        '    "^(snmp-server location) .*$": "\\\\1 <removed>"\n'
        '    "^(banner motd) .*$": "\\\\1 <removed>"\n',
        "office.yaml",
    )
    patterns = parse_patterns(
        data["config_backup"]["sanitize"], lines, ("config_backup", "sanitize")
    )
    clean = sanitize(
        "snmp-server location Ruang Server Lt 3\nbanner motd ^CPIN brankas 4711^C\nend\n",
        "cisco_ios",
        patterns,
    )
    assert clean == "snmp-server location <removed>\nbanner motd <removed>\nend\n"

    bad, lines = parse_yaml(
        "config_backup:\n"
        "  sanitize:\n"
        '    "snmp-server community (\\\\S+": "<removed>"\n'  # unclosed group
        '    ".*": "x"\n'  # matches empty text
        '    "(community) \\\\S+": "\\\\2"\n'  # no group 2
        '    "ok \\\\S+": 5\n',  # replacement not text
        "office.yaml",
    )
    with pytest.raises(ConfigError) as caught:
        parse_patterns(bad["config_backup"]["sanitize"], lines, ("config_backup", "sanitize"))
    problems = caught.value.problems
    assert [(p.file, p.line) for p in problems] == [
        ("office.yaml", 3),
        ("office.yaml", 4),
        ("office.yaml", 5),
        ("office.yaml", 6),
    ]
    assert "invalid regex" in problems[0].message
    assert "missing )" in problems[0].message
    assert problems[0].field == "config_backup.sanitize.snmp-server community (\\S+"
    assert "matches empty text" in problems[1].message
    assert "group 2" in problems[2].message
    assert "must both be text" in problems[3].message

    with pytest.raises(ConfigError, match="must be a mapping"):
        parse_patterns(["x"], LineMap("office.yaml"), ("sanitize",))
    with pytest.raises(ValueError, match="invalid regex"):
        SanitizePattern("key [", "x")


def test_truncation_per_platform() -> None:
    ios = read("cisco_ios_running.txt")
    assert not is_truncated(ios, "cisco_ios")
    cut = ios[: ios.index("line vty 0 4")]
    assert is_truncated(cut, "cisco_ios")
    assert is_truncated(cut, "cisco_xe")
    assert not is_truncated(read("frr_running.txt"), "frr")
    assert is_truncated(read("frr_running.txt").replace("\nend\n", "\n"), "frr")

    export = read("mikrotik_export.rsc")
    assert not is_truncated(export, "mikrotik_routeros")
    assert is_truncated(export[: export.index("pKepala06")], "mikrotik_routeros")  # mid-wrap
    assert is_truncated(export[: export.index('"akun') + 10], "mikrotik_routeros")  # open quote
    assert is_truncated(export.split("\n", 1)[1], "mikrotik_routeros")  # header missing

    for platform in ("cisco_ios", "frr", "mikrotik_routeros", "linux", "cisco_nxos"):
        assert is_truncated("", platform)
        assert is_truncated("\n  \n", platform)


def test_truncated_running_config_is_never_returned() -> None:
    ios = read("cisco_ios_running.txt")
    backup = prepare_backup(ios[: ios.index("router bgp")], ios, "cisco_ios")
    assert backup.truncated
    assert (backup.running, backup.hash, backup.unsaved) == (None, None, None)

    backup = prepare_backup(ios, ios[: ios.index("router bgp")], "cisco_ios")
    assert not backup.truncated and backup.startup_truncated
    assert backup.running is not None and backup.startup is None and backup.unsaved is None


def _ios_variant(text: str, when: str, size: int, clock: int) -> str:
    out = []
    for line in text.splitlines():
        if line.startswith("! Last configuration change at"):
            line = f"! Last configuration change at {when} by siti"
        elif line.startswith("! NVRAM config last updated"):
            line = f"! NVRAM config last updated at {when} by siti"
        elif line.startswith("Current configuration :"):
            line = f"Current configuration : {size} bytes"
        elif line.startswith("ntp clock-period"):
            line = f"ntp clock-period {clock}"
        out.append(line)
    return "\r\n".join(out) + "\r\n"  # and Windows line ends from a different collector


def test_volatile_lines_do_not_make_a_diff() -> None:
    ios = read("cisco_ios_running.txt")
    later = _ios_variant(ios, "16:40:03 WIB Fri Feb 2 2024", 4301, 36028811)
    assert later != ios
    assert config_diff(ios, later) == ""
    assert config_hash(ios) == config_hash(later)
    first, second = prepare_backup(ios, None, "cisco_ios"), prepare_backup(later, None, "cisco_ios")
    assert first.hash == second.hash and first.running == second.running
    assert "Current configuration" not in first.running
    assert "ntp clock-period" not in first.running
    assert "Last configuration change" not in first.running

    export = read("mikrotik_export.rsc")
    relabelled = export.replace(
        "# jan/08/2024 10:00:00 by RouterOS 6.49.10", "# feb/02/2024 23:59:59 by RouterOS 6.49.10"
    )
    a = prepare_backup(export, None, "mikrotik_routeros")
    b = prepare_backup(relabelled, None, "mikrotik_routeros")
    assert a.hash == b.hash
    assert "# software id = 9XKL-Q2HT" in (a.running or "")  # stable comments stay

    frr = read("frr_running.txt")
    assert strip_volatile(frr, "frr").startswith("\n!\nfrr version 8.4.4")


def test_real_change_shows_in_the_diff() -> None:
    ios = read("cisco_ios_running.txt")
    changed = ios.replace("vlan 20\n name SERVER", "vlan 20\n name DMZ")
    changed = changed.replace("interface Vlan20\n", "interface Vlan30\n")
    old = prepare_backup(ios, None, "cisco_ios")
    new = prepare_backup(
        _ios_variant(changed, "11:00:00 WIB Tue Jan 9 2024", 4300, 1), None, "cisco_ios"
    )
    assert old.hash != new.hash
    diff = config_diff(old.running or "", new.running or "", "sw1 v1", "sw1 v2")
    lines = diff.splitlines()
    assert lines[:2] == ["--- sw1 v1", "+++ sw1 v2"]
    changes = sorted(line for line in lines[2:] if line[:1] in "+-")
    assert changes == [
        "+ name DMZ",
        "+interface Vlan30",
        "- name SERVER",
        "-interface Vlan20",
    ]
    assert "Last configuration change" not in diff


def test_stored_hash_matches_the_backup_hash() -> None:
    for platform, (name, _, _) in CASES.items():
        backup = prepare_backup(read(name), None, platform)
        assert backup.running is not None
        assert backup.running == normalise(backup.running)
        assert stored_hash(backup.running) == backup.hash == config_hash(backup.running)


def test_unsaved_changes() -> None:
    running = read("cisco_ios_running.txt")
    startup_same = running.replace(
        "Building configuration...\n\nCurrent configuration : 4217 bytes\n",
        "Using 4217 out of 262144 bytes\n",
    ).replace("!\nversion 15.2", "!\n!\nversion 15.2")
    assert unsaved_changes(running, startup_same, "cisco_ios") is False
    assert prepare_backup(running, startup_same, "cisco_ios").unsaved is False

    assert unsaved_changes(running, read("cisco_ios_startup.txt"), "cisco_ios") is True
    edited = startup_same.replace("hostname SW-KANWIL-CORE01", "hostname SW-LAMA")
    assert prepare_backup(running, edited, "cisco_ios").unsaved is True

    assert unsaved_changes(running, None, "cisco_ios") is None
    export = read("mikrotik_export.rsc")
    assert unsaved_changes(export, export, "mikrotik_routeros") is None
    assert prepare_backup(export, None, "mikrotik_routeros").unsaved is None
