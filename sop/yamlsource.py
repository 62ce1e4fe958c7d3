"""YAML parsing that remembers where every key came from.

SIGAP's users edit YAML by hand; when something is wrong the error must name the
file and line. :func:`parse_yaml` returns plain Python data plus a
:class:`LineMap` from key paths to 1-based line numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sop.problems import ConfigError, Problem

Path_ = tuple[str | int, ...]


@dataclass
class LineMap:
    """Where each key path of a parsed YAML document stands in its file.

    Attributes:
        file: The file name used in problems.
        lines: Key path (tuple of keys/indexes) to its 1-based line number.
    """

    file: str
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, *path: str | int) -> int | None:
        r"""Return the line of ``path``, or of its nearest ancestor that has one.

        Args:
            *path: Keys and list indexes from the document root.

        Returns:
            The 1-based line number, or ``None`` for an empty document.

        Examples:
            >>> _, lm = parse_yaml("a:\n  b: 1\n  c:\n    - x\n", "f.yaml")
            >>> lm.line("a", "c", 0), lm.line("a", "missing")
            (4, 1)
        """
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), None)

    def problem(self, path: Path_, message: str, field_name: str | None = None) -> Problem:
        """Build a :class:`Problem` for the key at ``path``.

        Args:
            path: Key path of the offending field.
            message: What is wrong.
            field_name: Field shown to the user; defaults to the dotted path.

        Returns:
            The problem, with file and line filled in.
        """
        shown = field_name if field_name is not None else ".".join(str(p) for p in path)
        return Problem(self.file, self.line(*path), shown, message)


def _plain(node: Any, path: Path_, lines: dict[Path_, int]) -> Any:
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for key, value in node.items():
            kpath = (*path, key)
            try:
                lines[kpath] = node.lc.key(key)[0] + 1
            except (KeyError, TypeError):  # pragma: no cover - merged keys
                lines[kpath] = lines.get(path, 1)
            out[key] = _plain(value, kpath, lines)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, value in enumerate(node):
            ipath = (*path, i)
            try:
                lines[ipath] = node.lc.item(i)[0] + 1
            except (KeyError, TypeError):  # pragma: no cover
                lines[ipath] = lines.get(path, 1)
            items.append(_plain(value, ipath, lines))
        return items
    if isinstance(node, str):
        return str(node)
    return node


_DUPLICATE = re.compile(r'found duplicate key "(?P<key>[^"]*)" with value .*', re.DOTALL)


def _syntax_problem(file: str, line: int | None, message: str) -> Problem:
    """Build the problem for a YAML error, without the values ruamel quotes.

    A duplicate-key message from ruamel quotes both values, which may be
    passwords; SIGAP names only the key.

    Examples:
        >>> print(_syntax_problem("h.yaml", 5, 'found duplicate key "password" with value "s3"'))
        h.yaml:5: password: duplicate key 'password': a key may appear only once per mapping
    """
    m = _DUPLICATE.match(message)
    if m is None:
        return Problem(file, line, "", f"YAML syntax error: {message}")
    key = m.group("key")
    return Problem(
        file, line, key, f"duplicate key {key!r}: a key may appear only once per mapping"
    )


class _Unsure(Exception):
    """The fast reader leaves this document to the round-trip reader."""


_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null")
)


def _from_node(node: Node, path: Path_, lines: dict[Path_, int], construct: Any) -> Any:
    """Plain data and key lines from a composed node, as :func:`_plain` gives them."""
    if isinstance(node, MappingNode) and node.tag == "tag:yaml.org,2002:map":
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise _Unsure  # merge keys, complex keys: the round-trip reader's job
            key = _from_node(key_node, path, {}, construct)
            if key in out:
                raise _Unsure  # duplicate: the round-trip reader names it with its line
            kpath = (*path, key)
            lines[kpath] = key_node.start_mark.line + 1
            out[key] = _from_node(value_node, kpath, lines, construct)
        return out
    if isinstance(node, SequenceNode) and node.tag == "tag:yaml.org,2002:seq":
        items = []
        for i, item in enumerate(node.value):
            ipath = (*path, i)
            lines[ipath] = item.start_mark.line + 1
            items.append(_from_node(item, ipath, lines, construct))
        return items
    if isinstance(node, ScalarNode) and node.tag in _PLAIN_TAGS:
        return construct(node)
    raise _Unsure  # timestamps, explicit tags, sets ...


def _parse_fast(text: str, file: str) -> tuple[Any, LineMap]:
    """Read a plain YAML document with libyaml (ruamel's C reader), keeping key lines.

    About ten times faster than the round-trip reader on a 200-host
    ``hosts.yaml``. Anything it is not sure to read exactly as the round-trip
    reader does (a syntax error, a duplicate key, merge keys, tags, timestamps)
    raises :class:`_Unsure`, and the round-trip reader then reads the text.
    """
    yaml = YAML(typ="safe", pure=False)
    try:
        root = yaml.compose(text)
        lines: dict[Path_, int] = {(): 1}
        data = (
            None if root is None else _from_node(root, (), lines, yaml.constructor.construct_object)
        )
    except Exception as exc:  # every doubt, including syntax errors, goes the careful way
        raise _Unsure from exc
    return data, LineMap(file, lines)


def parse_yaml(text: str, file: str) -> tuple[Any, LineMap]:
    r"""Parse YAML text into plain data and a line map.

    Duplicate keys are reported as errors (YAML forbids them; silently keeping
    the last one would hide a mistake such as a host defined twice).

    Args:
        text: The YAML document.
        file: Name used in problems (usually the path the text came from).

    Returns:
        ``(data, linemap)``; ``data`` is ``None`` for an empty document.

    Raises:
        ConfigError: The text is not valid YAML; the problem names the line.

    Examples:
        >>> data, lm = parse_yaml("sw1:\n  port: 22\n", "hosts.yaml")
        >>> data, lm.line("sw1", "port")
        ({'sw1': {'port': 22}}, 2)
        >>> parse_yaml("a: [1,\n", "bad.yaml")
        Traceback (most recent call last):
        ...
        sop.problems.ConfigError: bad.yaml:2: YAML syntax error: ...
    """
    try:
        return _parse_fast(text, file)
    except _Unsure:
        return parse_yaml_round_trip(text, file)


def parse_yaml_round_trip(text: str, file: str) -> tuple[Any, LineMap]:
    """:func:`parse_yaml` with ruamel's round-trip reader only (slower; same result).

    Args:
        text: The YAML document.
        file: Name used in problems.

    Returns:
        ``(data, linemap)``, as :func:`parse_yaml`.

    Raises:
        ConfigError: The text is not valid YAML; the problem names the line.
    """
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        node = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "invalid YAML"
        raise ConfigError([_syntax_problem(file, line, what)]) from None
    except Exception as exc:  # ruamel raises a few unmarked errors (e.g. duplicate keys)
        raise ConfigError([Problem(file, None, "", f"YAML error: {exc}")]) from None
    lines: dict[Path_, int] = {(): 1}
    return _plain(node, (), lines), LineMap(file, lines)
