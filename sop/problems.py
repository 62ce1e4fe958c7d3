"""Problems found in a user's file, each naming the file, line and field.

Every loader in SIGAP (inventory, office configuration, SOP definitions,
spreadsheet imports) reports what is wrong as a list of :class:`Problem` and
raises :class:`ConfigError` carrying all of them, so a user sees every mistake
in one go and nothing is changed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in an input file.

    Attributes:
        file: Path or name of the file, as the user would recognise it.
        line: 1-based line (or spreadsheet row) number, ``None`` if unknown.
        field: Dotted path of the field, e.g. ``hosts.sw1.platform``; empty if none.
        message: What is wrong and, where possible, how to fix it.

    Examples:
        >>> str(Problem("hosts.yaml", 12, "sw1.platform", "unknown platform 'cisco_iso'"))
        "hosts.yaml:12: sw1.platform: unknown platform 'cisco_iso'"
        >>> str(Problem("office.yaml", None, "", "file is empty"))
        'office.yaml: file is empty'
    """

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


class ConfigError(Exception):
    """Raised when an input file is invalid; carries every problem found.

    Examples:
        >>> a, b = Problem("a.yaml", 3, "x", "bad"), Problem("a.yaml", 1, "y", "worse")
        >>> err = ConfigError([a, b])
        >>> print(err)
        a.yaml:1: y: worse
        a.yaml:3: x: bad
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(
            problems, key=lambda p: (p.file, p.line or 0, p.field, p.message)
        )
        super().__init__("\n".join(str(p) for p in self.problems))


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    """A hint naming the closest valid choice, for error messages.

    Args:
        word: What the user wrote.
        choices: The valid values.
        cutoff: How close a choice must be (0-1).

    Returns:
        ``" (did you mean 'x'?)"``, or an empty string when nothing is close.

    Examples:
        >>> did_you_mean("kasubg", ["kasubag", "kabag"])
        " (did you mean 'kasubag'?)"
        >>> did_you_mean("zzz", ["kasubag"])
        ''
    """
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return f" (did you mean {close[0]!r}?)" if close else ""
