"""Group inheritance: resolution order, cycles and merging (Nornir semantics).

A value is looked up on the host first, then on each of its groups in the order
listed, where each group is followed by its own parent groups (depth first), then
in the defaults. The first place that sets a value wins; ``data:`` and
``connection_options:`` are merged key by key the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def group_order(start: Sequence[str], parents: Mapping[str, Sequence[str]]) -> list[str]:
    """Return every group that applies, in inheritance order.

    Unknown groups are kept in place (reported elsewhere); a group reached twice
    counts at its first place; cycles do not loop.

    Args:
        start: The host's own groups, in the order written.
        parents: Each group's parent groups.

    Returns:
        The groups, most specific first.

    Examples:
        >>> parents = {"core": ["switches"], "switches": ["network"], "site-a": ["network"]}
        >>> group_order(["core", "site-a"], parents)
        ['core', 'switches', 'network', 'site-a']
    """
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        order.append(name)
        for parent in parents.get(name, ()):
            visit(parent)

    for name in start:
        visit(name)
    return order


def find_cycles(parents: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Find the cycles among groups' parents.

    Args:
        parents: Each group's parent groups.

    Returns:
        Each cycle once, as the list of groups starting and ending with the same
        group, starting at the cycle's first group in ``parents`` order.

    Examples:
        >>> find_cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["d"], "e": []})
        [['a', 'b', 'c', 'a'], ['d', 'd']]
    """
    position = {name: i for i, name in enumerate(parents)}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    seen: set[frozenset[str]] = set()
    cycles: list[list[str]] = []
    stack: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for parent in parents.get(name, ()):
            if parent not in parents:
                continue
            if state.get(parent) == 1:
                members = stack[stack.index(parent) :]
                key = frozenset(members)
                if key not in seen:
                    seen.add(key)
                    first = min(members, key=position.__getitem__)
                    i = members.index(first)
                    rotated = members[i:] + members[:i]
                    cycles.append([*rotated, first])
            elif parent not in state:
                visit(parent)
        stack.pop()
        state[name] = 2

    for name in parents:
        if name not in state:
            visit(name)
    return cycles


def first_set(key: str, chain: Sequence[Mapping[str, Any]]) -> Any:
    """Return the first value of ``key`` along the chain, or ``None``.

    Args:
        key: Field name.
        chain: Host fields, then its groups' fields in order, then the defaults.

    Returns:
        The value, or ``None`` if no entry sets it.

    Examples:
        >>> first_set("port", [{}, {"port": 2200}, {"port": 22}])
        2200
    """
    for entry in chain:
        if entry.get(key) is not None:
            return entry[key]
    return None


def merge_key_by_key(key: str, chain: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Merge a mapping field along the chain; for each sub-key the first entry wins.

    Args:
        key: ``data`` or ``connection_options``.
        chain: Host fields, then its groups' fields in order, then the defaults.

    Returns:
        The merged mapping, keys in the order first seen from the defaults up.

    Examples:
        >>> chain = [{"data": {"role": "core"}}, {"data": {"role": "x", "site": "a"}},
        ...          {"data": {"criticality": "low"}}]
        >>> merge_key_by_key("data", chain)
        {'criticality': 'low', 'role': 'core', 'site': 'a'}
    """
    maps = [m if isinstance(m := entry.get(key), Mapping) else {} for entry in chain]
    keys: list[str] = []
    for mapping in reversed(maps):
        keys.extend(k for k in mapping if k not in keys)
    return {k: v for k in keys if (v := first_set(k, maps)) is not None}
