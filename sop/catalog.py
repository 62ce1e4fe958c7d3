"""Validate SOP definitions given as YAML text (the files are read by :mod:`config.sop_files`).

One YAML file holds one SOP (one procedure). SIGAP ships the five SOPs of
``SOPS.md`` in ``sop/definitions/``; an office may keep its own copy elsewhere
and point its office configuration at it. Everything wrong in a file (or a
whole directory) is reported at once as a :class:`~sop.problems.ConfigError`
whose problems name file, line and field; list items are shown 1-based, so
``steps[3].role`` is the role of the third step in the list.

The format is described in ``docs/sops.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sop.durations import ACCEPTED_FORMS, Duration, parse_duration
from sop.model import (
    DECISION_VALUES,
    END,
    Decision,
    Outcome,
    SopDefinition,
    SopSource,
    Step,
    Target,
)
from sop.problems import ConfigError, Problem, did_you_mean
from sop.roles import ROLE_KEYS, is_role_key
from sop.yamlsource import LineMap, parse_yaml

_TOP = ({"code", "title", "source", "steps"}, {
    "legal_basis", "qualifications", "related_sops", "equipment", "warning", "records"
})  # fmt: skip
_TITLE = ({"id"}, {"en"})
_SOURCE = ({"office", "sop_number", "year"}, {"unit", "seed", "effective", "approved_by"})
_STEP = (
    {"number", "role", "activity", "inputs", "time", "output"},
    {"decision", "note", "answers"},
)
_ACTIVITY = ({"id"}, {"en"})
_DECISION = ({"ya", "tidak"}, set[str]())
_ANSWERS = (set(DECISION_VALUES), set[str]())
_OUTCOME_WORDS = {"ya", "tidak"}
_END_WORDS = {"end", "selesai"}
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

PathT = tuple[str | int, ...]


def _field(path: PathT) -> str:
    """Show a key path to the user, list items 1-based.

    Examples:
        >>> _field(("steps", 2, "decision", "ya"))
        'steps[3].decision.ya'
    """
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class _Checker:
    """Collects problems for one file while its data is read."""

    def __init__(self, lm: LineMap) -> None:
        self.lm = lm
        self.problems: list[Problem] = []

    def add(self, path: PathT, message: str) -> None:
        self.problems.append(self.lm.problem(path, message, _field(path)))

    def mapping(
        self, value: Any, path: PathT, keys: tuple[set[str], set[str]]
    ) -> dict[str, Any] | None:
        """Check ``value`` is a mapping with exactly the allowed keys."""
        required, optional = keys
        if not isinstance(value, dict):
            self.add(path, f"expected a mapping with keys {sorted(required | optional)}")
            return None
        allowed = required | optional
        for key in value:
            if key not in allowed:
                hint = did_you_mean(str(key), allowed)
                self.add(
                    (*path, str(key)),
                    f"unknown key '{key}'{hint}; allowed: {', '.join(sorted(allowed))}",
                )
        for key in sorted(required - set(value)):
            self.problems.append(
                Problem(
                    self.lm.file,
                    self.lm.line(*path),
                    _field((*path, key)),
                    f"missing required field '{key}'",
                )
            )
        return value

    def text(self, value: Any, path: PathT, *, nullable: bool = False) -> str | None:
        """Check ``value`` is a non-empty string (or ``None`` if allowed)."""
        if value is None and nullable:
            return None
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
        self.add(path, "expected a non-empty text" + (" or null" if nullable else ""))
        return None

    def texts(self, value: Any, path: PathT) -> tuple[str, ...]:
        """Check ``value`` is a list of non-empty strings."""
        if value is None:
            return ()
        if not isinstance(value, list):
            self.add(path, "expected a list of texts")
            return ()
        out = [self.text(v, (*path, i)) for i, v in enumerate(value)]
        return tuple(v for v in out if v is not None)

    def roles(self, value: Any, path: PathT) -> tuple[str, ...]:
        """Check ``value`` is a role key or a non-empty list of role keys."""
        items = value if isinstance(value, list) else [value]
        if not items:
            self.add(path, "expected a role key or a list of role keys")
            return ()
        out: list[str] = []
        for i, key in enumerate(items):
            where = (*path, i) if isinstance(value, list) else path
            if not isinstance(key, str) or not is_role_key(key):
                hint = did_you_mean(str(key), ROLE_KEYS)
                self.add(
                    where,
                    f"unknown role key '{key}'{hint}; known: {', '.join(sorted(ROLE_KEYS))}",
                )
            elif key in out:
                self.add(where, f"role '{key}' listed twice")
            else:
                out.append(key)
        return tuple(out)

    def duration(self, value: Any, path: PathT) -> Duration | None:
        """Parse a time standard; ``None`` means the SOP gives none."""
        if value is None:
            return None
        try:
            return parse_duration(value if isinstance(value, str) else str(value))
        except ValueError:
            self.add(path, f"cannot read time standard {value!r}: expected {ACCEPTED_FORMS}")
            return None

    def target(self, value: Any, path: PathT) -> Target | None:
        """Read a branch target: a step number or end/selesai."""
        if isinstance(value, bool):
            pass
        elif isinstance(value, int):
            return value
        elif isinstance(value, str) and value.strip().lower() in _END_WORDS:
            return END
        self.add(path, f"branch target {value!r} must be a step number or 'end'/'selesai'")
        return None

    def outcome(self, value: Any, path: PathT, *, decision: bool) -> Outcome | None:
        """Read what a decision does: ya, tidak (decision steps only), end/selesai, a step."""
        if isinstance(value, str) and value.strip().lower() in _OUTCOME_WORDS:
            word = value.strip().lower()
            if word == "tidak" and not decision:
                self.add(path, "'tidak' needs a Ya/Tidak decision at this step (decision: ...)")
                return None
            return word
        if isinstance(value, bool) or not isinstance(value, int | str):
            self.add(path, f"outcome {value!r} must be ya, tidak, end/selesai or a step number")
            return None
        if isinstance(value, str) and value.strip().lower() not in _END_WORDS:
            self.add(path, f"outcome {value!r} must be ya, tidak, end/selesai or a step number")
            return None
        return self.target(value, path)


def _step(c: _Checker, raw: Any, path: PathT) -> Step | None:
    before = len(c.problems)
    data = c.mapping(raw, path, _STEP)
    if data is None:
        return None
    number = data.get("number")
    if "number" in data and (isinstance(number, bool) or not isinstance(number, int)):
        c.add((*path, "number"), f"step number must be a whole number, got {number!r}")
        number = None
    roles = c.roles(data["role"], (*path, "role")) if "role" in data else ()
    act_id: str | None = None
    act_en: str | None = None
    if isinstance(data.get("activity"), str):
        act_id = c.text(data["activity"], (*path, "activity"))
    elif "activity" in data:
        activity = c.mapping(data["activity"], (*path, "activity"), _ACTIVITY)
        if activity is not None:
            if "id" in activity:
                act_id = c.text(activity["id"], (*path, "activity", "id"))
            act_en = c.text(activity.get("en"), (*path, "activity", "en"), nullable=True)
    inputs = c.texts(data.get("inputs"), (*path, "inputs"))
    duration = c.duration(data.get("time"), (*path, "time"))
    output = c.text(data.get("output"), (*path, "output"), nullable=True)
    note = c.text(data.get("note"), (*path, "note"), nullable=True)
    decision = None
    if data.get("decision") is not None:
        dpath = (*path, "decision")
        branches = c.mapping(data["decision"], dpath, _DECISION)
        if branches is not None and {"ya", "tidak"} <= set(branches):
            yes = c.target(branches["ya"], (*dpath, "ya"))
            no = c.target(branches["tidak"], (*dpath, "tidak"))
            if yes is not None and no is not None:
                decision = Decision(yes=yes, no=no)
    answers: list[tuple[str, Outcome]] = []
    if data.get("answers") is not None:
        apath = (*path, "answers")
        given = c.mapping(data["answers"], apath, _ANSWERS)
        for value in DECISION_VALUES:
            if given is not None and value in given:
                outcome = c.outcome(
                    given[value], (*apath, value), decision=data.get("decision") is not None
                )
                if outcome is not None:
                    answers.append((value, outcome))
    if number is None or not roles or act_id is None or len(c.problems) > before:
        return None
    time = data.get("time")
    return Step(
        number=number,
        roles=roles,
        activity_id=act_id,
        activity_en=act_en,
        inputs=inputs,
        time=None if time is None else str(time),
        duration=duration,
        output=output,
        decision=decision,
        note=note,
        answers=tuple(answers),
    )


def _check_numbers(c: _Checker, steps: list[Any]) -> set[int] | None:
    """Report duplicate and out-of-order step numbers.

    Returns:
        The step numbers, or ``None`` if some step has none (branches cannot be checked).
    """
    seen: dict[int, int] = {}
    complete = True
    for pos, raw in enumerate(steps):
        number = raw.get("number") if isinstance(raw, dict) else None
        if isinstance(number, bool) or not isinstance(number, int):
            complete = False
            continue
        path: PathT = ("steps", pos, "number")
        if number in seen:
            c.add(path, f"duplicate step number {number} (also at line {seen[number]})")
            continue
        seen[number] = c.lm.line(*path) or 0
        if number != pos + 1:
            c.add(
                path,
                f"step number {number} at position {pos + 1}: "
                f"steps must be numbered 1..{len(steps)} in order",
            )
    return set(seen) if complete else None


def _check_branches(c: _Checker, steps: list[Any], numbers: set[int] | None) -> None:
    """Report branches to missing steps (only if every step has a number)."""
    if numbers is None:
        return
    for pos, raw in enumerate(steps):
        decision = raw.get("decision") if isinstance(raw, dict) else None
        if not isinstance(decision, dict):
            continue
        for key in ("ya", "tidak"):
            target = decision.get(key)
            if isinstance(target, bool) or not isinstance(target, int):
                continue
            path: PathT = ("steps", pos, "decision", key)
            if target not in numbers:
                c.add(path, f"branch to step {target}, which does not exist")
            elif target == raw.get("number"):
                c.add(path, f"step {target} branches to itself")
    for pos, raw in enumerate(steps):
        answers = raw.get("answers") if isinstance(raw, dict) else None
        if not isinstance(answers, dict):
            continue
        for key, target in answers.items():
            if isinstance(target, bool) or not isinstance(target, int):
                continue
            path = ("steps", pos, "answers", key)
            if target not in numbers:
                c.add(path, f"{key} goes to step {target}, which does not exist")
            elif target == raw.get("number"):
                c.add(path, f"{key} goes back to its own step {target}")


def parse_sop(text: str, file: str) -> SopDefinition:
    r"""Read one SOP definition from YAML text.

    Args:
        text: The YAML document.
        file: Name used in problems (usually its path).

    Returns:
        The definition.

    Raises:
        ConfigError: Every problem found, each naming file, line and field.

    Examples:
        >>> sop = parse_sop('''
        ... code: X
        ... title: {id: Contoh}
        ... source: {office: Dinas Kominfo, sop_number: "1/2024", year: 2024}
        ... steps:
        ...   - {number: 1, role: staff, activity: Memantau, inputs: [], time: 30 Menit,
        ...      output: null}
        ... ''', "x.yaml")
        >>> sop.code, sop.steps[0].duration.label("en")
        ('X', '30 minutes')
        >>> parse_sop("code: X\ntitle: {id: Contoh}\nsteps: []\nsoruce: {}\n", "x.yaml")
        Traceback (most recent call last):
        ...
        sop.problems.ConfigError: x.yaml:1: source: missing required field 'source'
        x.yaml:3: steps: expected a non-empty list of steps
        x.yaml:4: soruce: unknown key 'soruce' (did you mean 'source'?); allowed: ...
    """
    data, lm = parse_yaml(text, file)
    c = _Checker(lm)
    if data is None:
        raise ConfigError([Problem(file, None, "", "file is empty; expected an SOP definition")])
    top = c.mapping(data, (), _TOP)
    if top is None:
        raise ConfigError(c.problems)
    code = c.text(top.get("code"), ("code",)) if "code" in top else None
    if code is not None and not _CODE.match(code):
        c.add(("code",), f"code {code!r} must be letters, digits, '.', '_' or '-', e.g. 'D4'")
    title_id = title_en = None
    if "title" in top:
        title = c.mapping(top["title"], ("title",), _TITLE)
        if title is not None:
            title_id = c.text(title.get("id"), ("title", "id")) if "id" in title else None
            title_en = c.text(title.get("en"), ("title", "en"), nullable=True)
    source = _source(c, top["source"]) if "source" in top else None
    lists = {k: c.texts(top.get(k), (k,)) for k in _TOP[1] - {"warning", "records"}}
    warning = c.text(top.get("warning"), ("warning",), nullable=True)
    records = c.text(top.get("records"), ("records",), nullable=True)
    raw_steps = top.get("steps")
    steps: list[Step] = []
    if "steps" in top:
        if not isinstance(raw_steps, list) or not raw_steps:
            c.add(("steps",), "expected a non-empty list of steps")
        else:
            numbers = _check_numbers(c, raw_steps)
            _check_branches(c, raw_steps, numbers)
            for pos, raw in enumerate(raw_steps):
                step = _step(c, raw, ("steps", pos))
                if step is not None:
                    steps.append(step)
    if c.problems or code is None or title_id is None or source is None:
        raise ConfigError(c.problems)
    return SopDefinition(
        code=code,
        title_id=title_id,
        title_en=title_en,
        source=source,
        steps=tuple(steps),
        file=file,
        legal_basis=lists["legal_basis"],
        qualifications=lists["qualifications"],
        related_sops=lists["related_sops"],
        equipment=lists["equipment"],
        warning=warning,
        records=records,
    )


def _source(c: _Checker, raw: Any) -> SopSource | None:
    data = c.mapping(raw, ("source",), _SOURCE)
    if data is None:
        return None
    year = data.get("year")
    if "year" in data and (isinstance(year, bool) or not isinstance(year, int)):
        c.add(("source", "year"), f"year must be a whole number, e.g. 2024, got {year!r}")
    texts = {k: c.text(data.get(k), ("source", k), nullable=True) for k in _SOURCE[1]}
    office = c.text(data.get("office"), ("source", "office")) if "office" in data else None
    number = (
        c.text(data.get("sop_number"), ("source", "sop_number")) if "sop_number" in data else None
    )
    if office is None or number is None or not isinstance(year, int) or isinstance(year, bool):
        return None
    return SopSource(office=office, sop_number=number, year=year, **texts)


def find_sop(sops: Mapping[str, SopDefinition], code: str) -> SopDefinition:
    """Look an SOP up by code, ignoring letter case.

    Args:
        sops: The catalog, as returned by :func:`config.sop_files.load_sops`.
        code: The code the user typed, e.g. ``d4``.

    Returns:
        The definition.

    Raises:
        KeyError: No such code; the message lists the known codes.

    Examples:
        >>> from config.sop_files import load_sops
        >>> find_sop(load_sops(), "d4").title("en")
        'Repair and maintenance of electronic-system assets'
        >>> find_sop(load_sops(), "Z")
        Traceback (most recent call last):
        ...
        KeyError: "unknown SOP code 'Z'; known: A, B, C, D1, D2, D3, D4, D5, D6, E"
    """
    for key, sop in sops.items():
        if key.lower() == code.strip().lower():
            return sop
    raise KeyError(f"unknown SOP code {code!r}; known: {', '.join(sops)}")
