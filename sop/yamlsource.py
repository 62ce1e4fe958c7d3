"""YAML parsing that remembers where every key came from.

SIGAP's users edit YAML by hand; when something is wrong the error must name the
file and line. :func:`parse_yaml` returns plain Python data plus a
:class:`LineMap` from key paths to 1-based line numbers.

Hostile or broken files are refused before they are read into memory, each with
one problem naming the file and line: control characters (NUL, escape ...),
nesting deeper than :data:`MAX_YAML_DEPTH` (libyaml's composer would crash the
process), and aliases that expand past :data:`MAX_YAML_NODES` values (the
"billion laughs"). Callers check the file's size against :data:`MAX_YAML_BYTES`
(:func:`size_problem`) before reading it.
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

MAX_YAML_BYTES = 5 * 1024 * 1024
"""Largest YAML file SIGAP reads (5 MiB; a 20,000-host ``hosts.yaml`` is about 3 MB)."""

MAX_YAML_DEPTH = 64
"""Deepest nesting of mappings and lists accepted."""

MAX_YAML_NODES = 1_000_000
"""Most values a document may hold once its aliases are expanded."""

#: Control characters refused anywhere in a YAML file or in one of its strings
#: (tab, newline and carriage return are allowed).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def size_problem(size: int, file: str, limit: int = MAX_YAML_BYTES) -> Problem | None:
    """Return the problem of a file too large to read, or ``None``.

    Args:
        size: The file's size in bytes.
        file: Its name, for the problem.
        limit: Largest size accepted.

    Returns:
        The problem, or ``None`` when the size is within the limit.

    Examples:
        >>> print(size_problem(52_428_800, "hosts.yaml"))
        hosts.yaml: file is 50.0 MB, larger than the limit of 5.0 MB (MAX_YAML_BYTES): split it or remove what is not needed
        >>> size_problem(1000, "hosts.yaml") is None
        True
    """  # noqa: E501
    if size <= limit:
        return None
    return Problem(
        file,
        None,
        "",
        f"file is {size / 1048576:.1f} MB, larger than the limit of {limit / 1048576:.1f} MB "
        "(MAX_YAML_BYTES): split it or remove what is not needed",
    )


def _control_problem(text: str, file: str) -> Problem | None:
    r"""The first control character of ``text`` as a problem naming its line.

    Examples:
        >>> print(_control_problem("a: 1\nb: x\x00y\n", "h.yaml"))
        h.yaml:2: control character U+0000 is not allowed (save the file as plain UTF-8 text)
    """
    found = CONTROL_CHARACTERS.search(text)
    if found is None:
        return None
    line = text.count("\n", 0, found.start()) + 1
    return Problem(
        file,
        line,
        "",
        f"control character U+{ord(found.group()):04X} is not allowed "
        "(save the file as plain UTF-8 text)",
    )


def _check_shape(text: str, file: str) -> None:
    """Refuse nesting deeper than MAX_YAML_DEPTH and aliases past MAX_YAML_NODES.

    Reads libyaml's event stream (iterative, about a tenth of the time a full
    parse takes) and counts every value an alias would repeat. A syntax error
    ends the check: the reader proper reports it with its line.
    """
    yaml = YAML(typ="safe", pure=False)
    sizes: dict[str, int] = {}
    frames: list[list[Any]] = [[None, 0]]  # [anchor, values] of each open collection
    try:
        for event in yaml.parse(text):
            kind = type(event).__name__
            if kind in ("MappingStartEvent", "SequenceStartEvent"):
                frames.append([event.anchor, 1])
                if len(frames) - 1 > MAX_YAML_DEPTH:
                    raise ConfigError(
                        [
                            Problem(
                                file,
                                event.start_mark.line + 1,
                                "",
                                f"nested more than {MAX_YAML_DEPTH} levels deep (MAX_YAML_DEPTH)",
                            )
                        ]
                    )
                continue
            if kind in ("MappingEndEvent", "SequenceEndEvent"):
                anchor, count = frames.pop()
                if anchor is not None:
                    sizes[anchor] = count
            elif kind == "ScalarEvent":
                count = 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            elif kind == "AliasEvent":
                count = sizes.get(event.anchor, 1)
            else:
                continue
            frames[-1][1] += count
            if frames[0][1] + sum(f[1] for f in frames[1:]) > MAX_YAML_NODES:
                raise ConfigError(
                    [
                        Problem(
                            file,
                            event.start_mark.line + 1,
                            "",
                            f"more than {MAX_YAML_NODES:,} values once its aliases (*name) "
                            "are expanded (MAX_YAML_NODES)",
                        )
                    ]
                )
    except ConfigError:
        raise
    except Exception:  # syntax errors: the reader proper names them with their line
        return


def _string_problem(data: Any, lines: LineMap) -> Problem | None:
    """The first string (key or value) holding a control character, with its line."""
    stack: list[tuple[Path_, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if CONTROL_CHARACTERS.search(value):
                found = CONTROL_CHARACTERS.search(value)
                assert found is not None
                return lines.problem(
                    path,
                    f"control character U+{ord(found.group()):04X} is not allowed in a value",
                )
        elif isinstance(value, dict):
            for key, sub in value.items():
                if isinstance(key, str) and CONTROL_CHARACTERS.search(key):
                    return lines.problem((*path, key), "control character in a key")
                stack.append(((*path, key), sub))
        elif isinstance(value, list):
            stack.extend(((*path, i), sub) for i, sub in enumerate(value))
    return None


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
    if (problem := _control_problem(text, file)) is not None:
        raise ConfigError([problem])
    _check_shape(text, file)
    try:
        data, lines = _parse_fast(text, file)
    except _Unsure:
        data, lines = parse_yaml_round_trip(text, file)
    if (problem := _string_problem(data, lines)) is not None:
        raise ConfigError([problem])
    return data, lines


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
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError([Problem(file, None, "", f"YAML error: {first}")]) from None
    lines: dict[Path_, int] = {(): 1}
    try:
        return _plain(node, (), lines), LineMap(file, lines)
    except RecursionError:  # an alias inside its own anchor (&a [*a])
        raise ConfigError(
            [Problem(file, None, "", "an alias (*name) refers to the value it is part of")]
        ) from None
