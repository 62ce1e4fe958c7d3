r"""Secret-removing rules for device configurations, and the fail-closed net behind them.

:func:`remove_secrets` is what :func:`sop.configs.sanitize` runs after the office's own
patterns. It has three stages, all pure and deterministic (the same text always gives
the same result, so the hashes and diffs of stored configurations stay stable):

1. **Known forms** (:data:`DEFAULT_RULES`): regex -> replacement filters run by netutils'
   ``sanitize_config`` (multi-line mode). They start from netutils' own two example
   filters and add the secret-bearing commands the platforms document, for every
   platform SIGAP collects (Cisco IOS/IOS-XE, MikroTik RouterOS ``/export``, FRR,
   and files of Linux servers): user and enable passwords in every form, first-hop
   redundancy keys (HSRP, VRRP, GLBP), routing-protocol keys (OSPF, OSPFv3 IPsec,
   EIGRP, BGP, IS-IS, RIP, LDP, MSDP, key chains), NHRP and GRE tunnel keys, IKE/IPsec
   pre-shared keys, PPP/L2TP/VPDN passwords, Wi-Fi keys, SNMP communities and users,
   RADIUS/TACACS+ keys, NTP keys, credentials inside URLs, ``crypt(3)`` password
   hashes, and ``name=value`` / ``name: value`` secrets. Each rule keeps the keyword and
   replaces only the value with ``<removed>``.
2. **Section rules** (:func:`sanitize_sections`): forms whose meaning depends on the
   block they are in (``key`` inside ``tacacs server``/``radius server`` blocks, the
   community ``name=`` under RouterOS ``/snmp community``).
3. **Fail closed** (:func:`fail_closed`): after the rules ran, every line is read again.
   A line that still holds a secret keyword (:func:`is_secret_word`: ``password``,
   ``passwd``, ``passphrase``, ``secret``, ``psk``, ``token``, ``credential(s)``, a
   word ending in ``key`` such as ``key``, ``auth-key`` or ``pre-shared-key``,
   ``key-string``, and ``community``) followed by a value that is not ``<removed>`` has
   that value masked, unless the line is one of the known harmless forms
   (:data:`HARMLESS_FORMS`). Masking keeps the keyword and replaces the words after it,
   up to the next secret keyword, with one ``<removed>``; a ``name=value`` pair keeps its
   name. So a secret in a form no rule knows is never stored: too much is masked
   rather than too little.

Known harmless forms (a keyword, but no secret after it):

- a keyword with nothing after it (``service password-encryption``,
  ``no service password-recovery``, ``/ppp secret``, ``key-string`` opening an SSH
  public key);
- ``password encryption aes``; ``key chain NAME``; ``key N`` (a key chain's key id);
  ``crypto key generate|zeroize|pubkey-chain|storage ...``; ``crypto pki token ...``;
  ``ntp trusted-key N``, ``ntp server|peer ... key N`` (key ids);
  ``dot1x credentials NAME``; ``set|match community ...`` (BGP communities, not SNMP);
  ``pre-shared-key address|hostname PEER [MASK] key <removed>``;
- RouterOS: the menu path of a line (``/ppp secret add ...``), ``public-key=``,
  ``static-transmit-key=key-N``, empty values (``mschapv2-password=``); names that are
  not a secret keyword at their end (``authentication=md5``, ``auth-method=``,
  ``key-size=``, ``wpa_psk_file=``, ``key_mgmt=``) are not secrets at all;
- words that only contain a keyword (``PasswordAuthentication``, ``HostKey``,
  ``send-community``, ``key-chain``, ``keyring``, ``pubkey-chain``, ``/etc/ipsec.secrets``).

Examples:
    >>> print(remove_secrets(
    ...     "interface Vlan10\n"
    ...     " standby 1 authentication text Hsrp-1\n"
    ...     " vrrp 2 authentication md5 key-string 7 0822455D0A16\n"
    ...     " ip ospf message-digest-key 1 md5 7 1511021F0725\n"
    ...     "router bgp 65000\n"
    ...     " neighbor 10.0.0.2 password 7 02050D480809\n"
    ...     " neighbor 10.0.0.2 send-community both\n"
    ...     "foo-daemon api token Tok3n-9 verbose\n"), end="")
    interface Vlan10
     standby 1 authentication text <removed>
     vrrp 2 authentication md5 key-string 7 <removed>
     ip ospf message-digest-key 1 md5 7 <removed>
    router bgp 65000
     neighbor 10.0.0.2 password 7 <removed>
     neighbor 10.0.0.2 send-community both
    foo-daemon api token <removed>
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from netutils.config.clean import sanitize_config

REMOVED = "<removed>"
"""What a secret is replaced with."""

_BACKREF = re.compile(r"\\(?:(\d+)|g<([^>]*)>)")


@dataclass(frozen=True)
class SanitizePattern:
    r"""One secret-removing rule: every match of ``regex`` becomes ``replace``.

    The regex runs in multi-line mode (``^``/``$`` match at each line); ``replace`` may
    use ``\1`` or ``\g<name>`` for groups. Both are checked when the pattern is built.

    Attributes:
        regex: Python regular expression.
        replace: Replacement text.

    Examples:
        >>> SanitizePattern(r"^(snmp-server community) \S+", r"\1 <removed>").replace
        '\\1 <removed>'
        >>> SanitizePattern(r"community (\S+", "x")
        Traceback (most recent call last):
        ...
        ValueError: invalid regex 'community (\\S+': missing ), unterminated subpattern ...
        >>> SanitizePattern(r"(community) \S+", r"\2 <removed>")
        Traceback (most recent call last):
        ...
        ValueError: replacement '\\2 <removed>' refers to group 2, but the regex has 1 group
    """

    regex: str
    replace: str

    def __post_init__(self) -> None:
        if not isinstance(self.regex, str) or not isinstance(self.replace, str):
            raise ValueError("regex and replacement must both be text")
        try:
            compiled = re.compile(self.regex, re.MULTILINE)
        except re.error as error:
            raise ValueError(f"invalid regex {self.regex!r}: {error}") from None
        if compiled.fullmatch("") is not None:
            raise ValueError(
                f"regex {self.regex!r} matches empty text; it would rewrite every line"
            )
        groups = compiled.groups
        for number, name in _BACKREF.findall(self.replace):
            if number and int(number) > groups:
                plural = "" if groups == 1 else "s"
                raise ValueError(
                    f"replacement {self.replace!r} refers to group {number}, "
                    f"but the regex has {groups} group{plural}"
                )
            if (
                name
                and not (name.isdigit() and int(name) <= groups)
                and (name not in compiled.groupindex)
            ):
                raise ValueError(
                    f"replacement {self.replace!r} refers to group {name!r}, "
                    "which the regex does not define"
                )

    def as_filter(self) -> dict[str, str]:
        """Return the pattern as a netutils ``sanitize_config`` filter."""
        return {"regex": self.regex, "replace": self.replace}


def _rule(regex: str, replace: str = rf"\1 {REMOVED}") -> SanitizePattern:
    return SanitizePattern(regex, replace)


_T = r"[ \t]"  # a blank that never crosses a line end
_VAL = r"(?![=:](?:[ \t]|$))\S+"  # a value: one word, not the "=" of "key = value"
_TYPE = rf"(?:{_T}+(?:\d|sha512|sha256|md5))?"  # optional hash type: 0, 5, 7, 9, sha512
# password types: IOS 0/5/7/8/9, IS-IS "clear|md5", IOS-XR "encrypted|clear"
_PW_TYPE = rf"(?:{_T}+(?:\d|sha512|sha256|md5|hmac-md5|clear|text|encrypted|cleartext))?"
_QUOTED_OR_WORD = r"(?:\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'|[^\s\"']+)"
# RouterOS / key=value names that hold a secret (``[\w-]*`` prefix: wpa2-pre-shared-key...)
_PAIR_NAMES = (
    r"password|passwd|secret|passphrase|pre-shared-key|preshared-key|private-key"
    r"|authentication-key|auth-key|tcp-md5-key|md5-key|protection-key|static-key-\d"
    r"|psk|community|token"
)

DEFAULT_RULES: tuple[SanitizePattern, ...] = (
    # netutils' own two example filters (netutils.constants._PROVIDED_SANITIZE_FILTERS)
    _rule(r"(username\s+\S+\spassword\s+5\s+)\S+(\s+role\s+\S+)", rf"\1{REMOVED}\2"),
    _rule(r"(username\s+\S+\s+privilege\s+15\s+password\s+0\s+)\S+", rf"\1{REMOVED}"),
    # credentials inside URLs: scp://user:PASS@host/, ftp://user:PASS@host
    _rule(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@\"']+:)[^\s@/\"']+(@)", rf"\1{REMOVED}\2"),
    # crypt(3) hashes anywhere ($1$ $5$ $6$ $y$ $8$ $9$...): shadow lines, scripts
    _rule(
        r"\$(?:1|2[abxy]?|5|6|7|8|9|y|gy|sha1|md5)\$(?:[^\s:$\"']*\$){0,3}[./A-Za-z0-9+=]{8,}",
        REMOVED,
    ),
    # NTP keys first: "ntp authentication-key 1 md5 KEY 7" (the trailing 7 is the type)
    _rule(rf"^({_T}*ntp{_T}+authentication-key{_T}+\d+{_T}+\S+){_T}+{_VAL}"),
    # IS-IS: "area-password|domain-password [clear|md5] VALUE [authenticate snp ...]"
    _rule(rf"(\b(?:area|domain)-password(?:{_T}+(?:clear|md5|hmac-md5))?){_T}+{_VAL}"),
    # MSDP: "ip msdp password peer PEER [7] VALUE"
    _rule(rf"(\bmsdp{_T}+password{_T}+peer{_T}+\S+{_TYPE}){_T}+{_VAL}"),
    # ini / YAML / shell: "password = X", "password: X" (before the generic rule below)
    _rule(
        r"(?i)(\b[\w.-]*(?:password|passwd|secret|passphrase|psk|token|key|key-string"
        r"|community|credentials?)"
        rf"(?:{_T}+=|{_T}*:)){_T}+{_QUOTED_OR_WORD}"
    ),
    # enable/username/line/neighbor/PPP/L2TP/FRR/IS-IS: "... password|secret [level N]
    # [type] VALUE"; not "password encryption aes", not the RouterOS menu "/ppp secret add"
    _rule(
        rf"(\b(?<!area-)(?<!domain-)(?:password|secret)"
        rf"(?!{_T}+(?:encryption|peer|add|set|print|export|remove|edit)\b)(?!{_T}*[=:])"
        rf"(?:{_T}+level{_T}+\d+)?{_PW_TYPE}){_T}+{_VAL}"
    ),
    # "key config-key password-encryption VALUE"
    _rule(rf"^({_T}*key{_T}+config-key{_T}+(?:password-encryption|\d+)){_T}+{_VAL}"),
    _rule(rf"(\bkey-string{_TYPE}){_T}+{_VAL}"),
    _rule(rf"(\b(?<!ntp )authentication-key{_TYPE}){_T}+{_VAL}"),
    _rule(rf"(\bmessage-digest-key{_T}+\d+{_T}+(?:md5|sha\d*){_TYPE}){_T}+{_VAL}"),
    # first-hop redundancy: HSRP "standby [N] authentication [text] X" (md5 key-string
    # is the key-string rule; "md5 key-chain NAME" names a chain), VRRP (also EOS
    # "peer"), GLBP, NX-OS "authentication text X" inside a vrrp block
    _rule(rf"(\bstandby(?:{_T}+\d+)?{_T}+authentication(?:{_T}+text)?){_T}+(?!md5\b)\S+"),
    _rule(
        rf"(\bvrrp{_T}+\d+(?:{_T}+peer)?{_T}+authentication(?:{_T}+text)?)"
        rf"{_T}+(?!(?:ietf-)?md5\b|ah\b)\S+"
    ),
    _rule(rf"(\bglbp{_T}+\d+{_T}+authentication{_T}+text){_T}+{_VAL}"),
    _rule(rf"^({_T}+authentication{_T}+text){_T}+{_VAL}"),
    # EIGRP named mode: "authentication mode hmac-sha-256 [7] KEY"
    _rule(rf"(\bauthentication{_T}+mode{_T}+hmac-sha-256{_TYPE}){_T}+{_VAL}"),
    # RIP (FRR): "ip rip authentication string KEY"
    _rule(rf"(\bauthentication{_T}+string){_T}+{_VAL}"),
    # OSPFv3 (FRR): "ipv6 ospf6 authentication key-id 1 hash-algo ALGO key KEY"
    _rule(rf"(\bkey-id{_T}+\d+{_T}+hash-algo{_T}+\S+{_T}+key){_T}+{_VAL}"),
    # OSPFv3 IPsec: "ipv6 ospf authentication|encryption ipsec spi N ... HEXKEY [... HEXKEY]"
    _rule(rf"(\bipsec{_T}+spi{_T}+\d+\b.*?{_T})(?:0x)?[0-9A-Fa-f]{{16,}}\b", rf"\1{REMOVED}"),
    _rule(rf"(\bipsec{_T}+spi{_T}+\d+\b.*?{_T})(?:0x)?[0-9A-Fa-f]{{16,}}\b", rf"\1{REMOVED}"),
    # DMVPN / GRE: "ip nhrp authentication KEY", "tunnel key N"
    _rule(rf"(\bnhrp{_T}+authentication){_T}+{_VAL}"),
    _rule(rf"^({_T}*tunnel{_T}+key){_T}+{_VAL}"),
    # Wi-Fi: "wpa-psk ascii|hex [7] KEY", WLC "set-key ascii 0 KEY", WEP "encryption
    # [vlan N] key N size 128bit [7] KEY [transmit-key]"
    _rule(rf"(\bwpa-psk{_T}+(?:ascii|hex){_TYPE}){_T}+{_VAL}"),
    _rule(rf"(\bset-key{_T}+(?:ascii|hex){_TYPE}){_T}+{_VAL}"),
    _rule(
        rf"(\bencryption(?:{_T}+vlan{_T}+\d+)?{_T}+key{_T}+\d+{_T}+size{_T}+\S+{_TYPE}){_T}+{_VAL}"
    ),
    # IKE: "pre-shared-key [local|remote] [6] KEY", "pre-shared-key address A [M] key KEY"
    _rule(rf"^({_T}*pre-shared-key\b.*?{_T}key{_TYPE}){_T}+{_VAL}"),
    _rule(rf"^({_T}*pre-shared-key(?:{_T}+(?:local|remote))?{_TYPE}){_T}+(?!address\b)\S+$"),
    _rule(rf"^({_T}*crypto{_T}+isakmp{_T}+key{_TYPE}){_T}+{_VAL}"),
    # strongSwan/Libreswan ipsec.secrets: ": PSK "KEY"", "user : XAUTH "PASS""
    _rule(rf"^([^\n#]*?:{_T}*(?:PSK|XAUTH|EAP|NTLM|PIN)){_T}+{_QUOTED_OR_WORD}"),
    # AAA servers: "tacacs-server [host H ...] key [7] KEY", server-private, server-key,
    # "pac key [7] KEY"
    _rule(rf"^({_T}*(?:tacacs-server|radius-server)\b.*?{_T}key{_TYPE}){_T}+{_VAL}"),
    _rule(rf"(\bserver-private\b.*?{_T}key{_TYPE}){_T}+{_VAL}"),
    _rule(rf"(\bserver-key{_TYPE}){_T}+{_VAL}"),
    _rule(rf"(\bpac{_T}+key{_TYPE}){_T}+{_VAL}"),
    # SNMP: community strings, v3 user auth/priv passwords
    _rule(rf"^({_T}*snmp-server{_T}+community){_T}+{_VAL}"),
    _rule(
        rf"^({_T}*snmp-server{_T}+host{_T}+\S+(?:{_T}+vrf{_T}+\S+)?(?:{_T}+(?:informs|traps))?"
        rf"(?:{_T}+version{_T}+(?:1|2c|3{_T}+(?:auth|noauth|priv)))?){_T}+(?!version\b)\S+"
    ),
    _rule(rf"^({_T}*snmp-server{_T}+user\b.*?{_T}auth{_T}+\S+){_T}+{_VAL}"),
    _rule(
        rf"^({_T}*snmp-server{_T}+user\b.*?{_T}priv"
        rf"(?:{_T}+(?:aes(?:-\d+|{_T}+\d+)?|3des|des))?){_T}+{_VAL}"
    ),
    # net-snmp snmpd.conf: rocommunity/rwcommunity, com2sec, trapsink, createUser
    _rule(rf"^({_T}*(?:ro|rw)community6?){_T}+{_VAL}"),
    _rule(rf"^({_T}*com2sec6?(?:{_T}+-Cn{_T}+\S+)?{_T}+\S+{_T}+\S+){_T}+{_VAL}"),
    _rule(rf"^({_T}*(?:trap2?sink|informsink){_T}+\S+){_T}+{_VAL}"),
    _rule(rf"^({_T}*trapcommunity){_T}+{_VAL}"),
    _rule(rf"^({_T}*createUser\b.*?{_T}(?:MD5|SHA[-\d]*)){_T}+{_QUOTED_OR_WORD}"),
    _rule(rf"^({_T}*createUser\b.*?{_T}(?:DES|AES[-\d]*)){_T}+{_QUOTED_OR_WORD}"),
    # RouterOS /export and key=value files: password=, secret=, ipsec-secret=,
    # wpa2-pre-shared-key=, tcp-md5-key=, auth-key=, trap-community=, PSK=, ...
    _rule(
        rf"(?i)(\b[\w-]*(?:{_PAIR_NAMES})=)(?:\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'|[^\s\"']+)",
        rf"\1{REMOVED}",
    ),
    # RouterOS "key=" (RIP keys, NTP keys): the whole name is "key"
    _rule(r"((?<![\w-])key=)(?:\"(?:[^\"\\\n]|\\.)*\"|[^\s\"]+)", rf"\1{REMOVED}"),
)
"""SIGAP's secret-removing rules, applied to every platform (see the module docstring).

Each is anchored on a keyword that means "secret" in its place, so a rule written for
one platform's syntax cannot damage another platform's configuration."""

_AAA_BLOCK = re.compile(r"^(?:tacacs|radius) server\b")
_AAA_KEY = re.compile(rf"^({_T}+key{_TYPE}){_T}+\S+")
_ROUTEROS_NAME = re.compile(r"(\bname=)(?:\"(?:[^\"\\\n]|\\.)*\"|[^\s\"]+)")


def sanitize_sections(text: str) -> str:
    r"""Remove secrets whose meaning depends on the section they are in.

    ``key [7] X`` inside an IOS ``tacacs server``/``radius server`` block, and the
    community ``name=`` under RouterOS ``/snmp community``.

    Args:
        text: Configuration text with ``\n`` line ends.

    Returns:
        The text with those values replaced by ``<removed>``.

    Examples:
        >>> print(sanitize_sections("radius server R1\n key 7 0822455D0A16\n"
        ...                         "/snmp community\nadd name=Komunitas1 addresses=10.0.0.0/8"))
        radius server R1
         key 7 <removed>
        /snmp community
        add name=<removed> addresses=10.0.0.0/8
    """
    out: list[str] = []
    section = ""
    block = ""
    for line in text.split("\n"):
        if line.startswith("/"):
            section = line.split(" add ")[0].split(" set ")[0].strip()
        if line and not line[0].isspace():
            block = line
        if line[:1].isspace() and _AAA_BLOCK.match(block):
            line = _AAA_KEY.sub(rf"\1 {REMOVED}", line)
        if section == "/snmp community":
            line = _ROUTEROS_NAME.sub(rf"\1{REMOVED}", line)
        out.append(line)
    return "\n".join(out)


# ---------------------------------------------------------------- fail closed

SECRET_WORDS: frozenset[str] = frozenset(
    {"password", "passwd", "passphrase", "secret", "psk", "token", "credential"}
    | {"credentials", "key", "community", "pre-shared-key", "key-string", "apikey"}
)
"""Words that mean "a secret follows" (compared with the last ``-``/``_`` part of a word)."""

_NOT_SECRET_NAMES: frozenset[str] = frozenset({"public-key", "public_key", "publickey"})

HARMLESS_FORMS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(regex, re.IGNORECASE)
    for regex in (
        r"password encryption aes",
        r"key chain \S+(?: (?:macsec|tcp))?",
        r"key [0-9a-f]+",
        r"(?:no )?crypto key (?:generate|zeroize|pubkey-chain|storage|encrypt)\b.*",
        r"(?:no )?crypto pki token\b.*",
        r"dot1x credentials \S+",
        r"ntp trusted-key \d+(?: ?- ?\d+)?",
        r"ntp (?:server|peer) .*\bkey \d+(?: .*)?",
        r"(?:set|match) (?:community|extcommunity|large-community)\b.*",
        rf"pre-shared-key (?:address|hostname) \S+(?: \S+)? key(?: \d)? {re.escape(REMOVED)}",
    )
)
"""Whole lines (stripped) that hold a secret keyword but no secret: never masked."""

_HARMLESS_PAIRS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("static-transmit-key", re.compile(r"key-\d")),
)

_TOKEN = re.compile(r"(?:[^\s\"]|\"(?:[^\"\\\n]|\\.)*(?:\"|$))+")
_PAIR = re.compile(r"^(?P<name>[A-Za-z_][\w.-]*)=(?P<value>.*)$", re.DOTALL)
_ROUTEROS_VERBS = frozenset(
    {"add", "set", "remove", "print", "export", "enable", "disable", "unset", "edit", "move"}
)
_SEPARATORS = frozenset({"=", ":", ":="})


def is_secret_word(word: str, *, pair: bool = False) -> bool:
    """Tell whether a word (or the name of a ``name=value`` pair) announces a secret.

    The word's last part (split at ``-`` and ``_``) must be one of :data:`SECRET_WORDS`
    (or a number after ``key``, as in RouterOS ``static-key-0``). ``community`` counts
    only as the whole word outside pairs (``send-community`` is BGP, not SNMP).
    Words with a ``/`` (paths) never count.

    Args:
        word: One word of a line, quotes and a trailing ``:`` allowed.
        pair: ``word`` is the name of a ``name=value`` pair.

    Returns:
        True if a secret may follow.

    Examples:
        >>> [is_secret_word(w) for w in ("password", "auth-key", "PSK", "key-chain",
        ...  "password-encryption", "send-community", "community", "public-key", "token:")]
        [True, True, True, False, False, False, True, False, True]
        >>> is_secret_word("trap-community", pair=True), is_secret_word("static-key-0", pair=True)
        (True, True)
        >>> is_secret_word("/etc/ipsec.secrets"), is_secret_word("wpa_psk_file", pair=True)
        (False, False)
    """
    name = word.strip("\"'").rstrip(":").lower()
    if not name or "/" in name or name in _NOT_SECRET_NAMES:
        return False
    if name in ("key-string", "pre-shared-key"):
        return True
    parts = re.split(r"[-_]", name)
    last = parts[-1]
    if last.isdigit() and len(parts) > 1 and parts[-2] == "key":
        return pair
    if last == "community":
        return pair or name == "community"
    return last in SECRET_WORDS


def _mask_words(text: str) -> str:
    """Fail-closed masking of the space-separated words of ``text`` (see the module)."""
    tokens = list(_TOKEN.finditer(text))
    if not tokens:
        return text
    # RouterOS: the menu path of a line and its verb are not keywords (/ppp secret add)
    start = 0
    if tokens[0].group().startswith("/"):
        for index, token in enumerate(tokens):
            word = token.group()
            if "=" in word:
                break
            start = index + 1
            if word in _ROUTEROS_VERBS:
                break
    keys = [
        i
        for i in range(start, len(tokens))
        if "=" not in tokens[i].group() and is_secret_word(tokens[i].group())
    ]
    if not keys:
        return text
    spans: list[tuple[int, int]] = []
    for n, i in enumerate(keys):
        end = keys[n + 1] if n + 1 < len(keys) else len(tokens)
        segment = [t for t in tokens[i + 1 : end] if t.group() not in _SEPARATORS]
        if not segment or any(REMOVED in t.group() for t in segment):
            continue
        spans.append((segment[0].start(), segment[-1].end()))
    if not spans or any(form.fullmatch(text.strip()) for form in HARMLESS_FORMS):
        return text
    for begin, finish in reversed(spans):
        text = text[:begin] + REMOVED + text[finish:]
    return text


def _mask_pairs(line: str) -> str:
    """Fail-closed masking of ``name=value`` pairs; quoted harmless values are read too."""
    out: list[str] = []
    position = 0
    for token in _TOKEN.finditer(line):
        match = _PAIR.match(token.group())
        if match is None:
            continue
        name, value = match.group("name"), match.group("value")
        new = value
        if is_secret_word(name, pair=True):
            harmless = any(
                name.lower() == pair_name and pattern.fullmatch(value)
                for pair_name, pattern in _HARMLESS_PAIRS
            )
            if value not in ("", '""', "''") and REMOVED not in value and not harmless:
                new = REMOVED
        elif len(value) >= 2 and value[0] == '"' and value[-1] == '"':
            new = '"' + _mask_words(value[1:-1]) + '"'
        if new != value:
            value_start = token.start() + len(name) + 1
            out.append(line[position:value_start])
            out.append(new)
            position = token.end()
    out.append(line[position:])
    return "".join(out)


def fail_closed(text: str) -> str:
    r"""Mask what still looks like a secret after the rules ran (see the module docstring).

    Args:
        text: Configuration text after :data:`DEFAULT_RULES` and the section rules.

    Returns:
        The text; lines with an unmasked secret keyword have the value masked.
        Running it again changes nothing.

    Examples:
        >>> print(fail_closed(
        ...     "service password-encryption\n"
        ...     "key chain OSPF\n"
        ...     " key 1\n"
        ...     "crypto key generate rsa modulus 2048\n"
        ...     "snmp-server community <removed> RO 10\n"
        ...     " some-feature secret-token AbC123 level 2\n"
        ...     "/ppp secret add name=budi service=l2tp foo-secret=Xyz comment=\"psk Wifi1\"\n"
        ...     "/interface wireless security-profiles add mschapv2-password= name=p1\n"
        ...     "wpa_psk_file=/etc/hostapd.psk\n"
        ...     "DB_PASSWORD=hunter2\n"), end="")
        service password-encryption
        key chain OSPF
         key 1
        crypto key generate rsa modulus 2048
        snmp-server community <removed> RO 10
         some-feature secret-token <removed>
        /ppp secret add name=budi service=l2tp foo-secret=<removed> comment="psk <removed>"
        /interface wireless security-profiles add mschapv2-password= name=p1
        wpa_psk_file=/etc/hostapd.psk
        DB_PASSWORD=<removed>
    """
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if "=" in line:
            line = _mask_pairs(line)
        lines[index] = _mask_words(line)
    return "\n".join(lines)


def remove_secrets(text: str) -> str:
    r"""Run :data:`DEFAULT_RULES`, the section rules and :func:`fail_closed` over a text.

    Args:
        text: Configuration text with ``\n`` line ends (RouterOS continuations joined).

    Returns:
        The text with every secret replaced by ``<removed>``.

    Examples:
        >>> remove_secrets("/routing bgp connection\nadd name=p1 tcp-md5-key=Bgp-Md5-1")
        '/routing bgp connection\nadd name=p1 tcp-md5-key=<removed>'
        >>> remove_secrets("root:$6$rounds=5000$abcdefgh$0123456789abcdefABCDEF:19700:0:99999:7:::")
        'root:<removed>:19700:0:99999:7:::'
    """
    cleaned = sanitize_config(text, [rule.as_filter() for rule in DEFAULT_RULES])
    return fail_closed(sanitize_sections(cleaned))
