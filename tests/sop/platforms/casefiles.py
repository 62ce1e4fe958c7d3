"""Load the recorded platform fixtures (NAPALM ``mocked_data`` style).

Layout, one directory per case::

    tests/sop/platforms/fixtures/<platform>/<case>/
        getters/<getter>.json      NAPALM getter results (napalm platforms)
        commands/<slug>.txt        raw output of one of the platform's commands
        expected.json              values the parse must give (a subset)
        SOURCE.md                  where the captures come from

The captures carry the platform's ntc-templates templates, as
:func:`tasks.parsing.parse_and_backup` gives them to the parser.

``<slug>`` is the command with every run of non-alphanumerics replaced by ``_``
(``cat /proc/meminfo`` -> ``cat_proc_meminfo``); a slug longer than 120 characters
is cut to its first 100 and a hash of the whole command. A file that matches no getter
or command of the platform is an error, so a typo cannot silently drop a capture.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sop.platforms import PLATFORMS, Captures, Platform
from tasks.textfsm_templates import templates_for

FIXTURES = Path(__file__).parent / "fixtures"


def slug(command: str) -> str:
    text = re.sub(r"[^A-Za-z0-9]+", "_", command).strip("_")
    if len(text) <= 120:
        return text
    return f"{text[:100]}_{hashlib.sha256(command.encode()).hexdigest()[:12]}"


@dataclass(frozen=True)
class Case:
    platform: Platform
    name: str
    path: Path
    captures: Captures
    expected: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.platform.name}/{self.name}"


def load_captures(platform: Platform, case_dir: Path) -> Captures:
    getters: dict[str, Any] = {}
    for file in sorted((case_dir / "getters").glob("*.json")):
        if file.stem not in platform.getters:
            raise ValueError(f"{file}: {file.stem} is not a getter of {platform.name}")
        getters[file.stem] = json.loads(file.read_text(encoding="utf-8"))
    by_slug = {slug(command): command for command in platform.commands}
    if len(by_slug) != len(platform.commands):
        raise ValueError(f"{platform.name}: two commands share a fixture file name")
    commands: dict[str, str] = {}
    for file in sorted((case_dir / "commands").glob("*.txt")):
        if file.stem not in by_slug:
            raise ValueError(f"{file}: matches no command of {platform.name}")
        commands[by_slug[file.stem]] = file.read_text(encoding="utf-8")
    return Captures(getters=getters, commands=commands, templates=templates_for(platform))


def load_case(platform: Platform, case_dir: Path) -> Case:
    expected_file = case_dir / "expected.json"
    if not expected_file.is_file():
        raise ValueError(f"{case_dir}: no expected.json")
    return Case(
        platform=platform,
        name=case_dir.name,
        path=case_dir,
        captures=load_captures(platform, case_dir),
        expected=json.loads(expected_file.read_text(encoding="utf-8")),
    )


def all_cases() -> list[Case]:
    cases: list[Case] = []
    for name in sorted(PLATFORMS):
        platform_dir = FIXTURES / name
        if platform_dir.is_dir():
            for case_dir in sorted(p for p in platform_dir.iterdir() if p.is_dir()):
                cases.append(load_case(PLATFORMS[name], case_dir))
    return cases
