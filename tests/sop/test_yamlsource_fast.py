"""parse_yaml's fast reader (libyaml) gives what the round-trip reader gives, or steps aside."""

from __future__ import annotations

from pathlib import Path

import pytest

from sop.problems import ConfigError
from sop.yamlsource import _parse_fast, _Unsure, parse_yaml, parse_yaml_round_trip

ROOT = Path(__file__).resolve().parents[2]
REPO_YAML = sorted(
    p
    for p in ROOT.rglob("*.y*ml")
    if not {".venv", ".git", "node_modules"} & set(p.relative_to(ROOT).parts)
)

PLAIN = """\
# hosts
sw01:
  hostname: 10.0.0.1
  port: 22
  groups:
    - switches
    - site-pusat
  data:
    asset_tag: "0042"
    rack: 3
    ratio: 0.5
    spare: null
    monitored: true
    legacy: yes
    notes: |
      line one
      line two
    ports: [1, 2, 3]
    peers:
      - name: a
        port: 1
      - {name: b, port: 2}
'sw 02':
  hostname: 10.0.0.2
"""

# each is read differently by YAML's readers or needs a line the fast reader
# cannot give: the fast reader must leave it to the round-trip reader
UNSURE = {
    "timestamp": "a:\n  bought: 2024-01-31\n",
    "merge key": "base: &b\n  port: 22\nsw1:\n  <<: *b\n  hostname: x\n",
    "explicit tag": "a: !secret abc\n",
    "set": "a: !!set {x, y}\n",
    "complex key": "? [a, b]\n: 1\n",
    "duplicate key": "sw1:\n  port: 22\n  port: 23\n",
    "syntax error": "a: [1,\n",
    "two documents": "a: 1\n---\nb: 2\n",
}


def _same(text: str) -> None:
    fast_data, fast_lines = parse_yaml(text, "f.yaml")
    slow_data, slow_lines = parse_yaml_round_trip(text, "f.yaml")
    assert fast_data == slow_data
    # the same kinds of values (the round-trip reader's floats are a float subclass)
    for fast, slow in zip(_leaves(fast_data), _leaves(slow_data), strict=True):
        assert type(fast) in (bool, int, float, str, type(None))
        assert isinstance(slow, type(fast))
    assert fast_lines.lines == slow_lines.lines


def _leaves(data: object) -> list[object]:
    if isinstance(data, dict):
        return [leaf for value in data.values() for leaf in _leaves(value)]
    if isinstance(data, list):
        return [leaf for value in data for leaf in _leaves(value)]
    return [data]


def test_plain_document_is_read_fast_with_the_same_data_and_lines() -> None:
    data, lines = _parse_fast(PLAIN, "hosts.yaml")  # no fallback for plain YAML
    assert data["sw01"]["data"]["asset_tag"] == "0042"
    assert data["sw01"]["data"]["legacy"] == "yes"  # YAML 1.2, as the round-trip reader
    assert lines.line("sw01", "data", "peers", 1, "port") == 22
    assert lines.line("sw 02", "hostname") == 24
    _same(PLAIN)


@pytest.mark.parametrize("text", list(UNSURE.values()), ids=list(UNSURE))
def test_fast_reader_steps_aside_where_it_could_differ(text: str) -> None:
    with pytest.raises(_Unsure):
        _parse_fast(text, "f.yaml")


def test_errors_still_name_the_line_and_only_the_key() -> None:
    with pytest.raises(ConfigError) as exc:
        parse_yaml("sw1:\n  password: s3cret\n  password: other\n", "hosts.yaml")
    text = str(exc.value)
    assert "hosts.yaml:3" in text and "duplicate key 'password'" in text
    assert "s3cret" not in text and "other" not in text


def test_empty_document() -> None:
    assert parse_yaml("", "f.yaml")[0] is None
    assert parse_yaml("# only a comment\n", "f.yaml")[1].line("x") == 1


@pytest.mark.parametrize("path", REPO_YAML, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_of_the_repository_reads_as_before(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        slow = parse_yaml_round_trip(text, str(path))
    except ConfigError as exc:
        with pytest.raises(ConfigError) as fast_exc:
            parse_yaml(text, str(path))
        assert fast_exc.value.problems == exc.problems
        return
    fast = parse_yaml(text, str(path))
    assert fast[0] == slow[0]
    assert fast[1].lines == slow[1].lines
