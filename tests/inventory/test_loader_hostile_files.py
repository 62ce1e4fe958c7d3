"""Hostile and broken inventory, office and device-list files: one clear line each, no crash.

Each test runs the real CLI (a subprocess where a crash of the interpreter itself
is what is guarded against) and checks the message names the file and line, that
there is no traceback and that nothing was written.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from inventory import load_inventory
from sop.yamlsource import MAX_YAML_BYTES
from tests.cli_run import run_cli as _run

SIGAP = Path(sys.executable).parent / "sigap"
HOST = "  platform: cisco_ios\n  username: admin\n  password: env:SIGAP_PW\n"


def _subprocess(*args: str, timeout: float = 60) -> tuple[int, str, float]:
    started = time.monotonic()
    done = subprocess.run(
        [str(SIGAP), *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    out = done.stdout + done.stderr
    assert "Traceback" not in out, out
    return done.returncode, out, time.monotonic() - started


def _inventory(tmp_path: Path, hosts: str | bytes, name: str = "inv") -> Path:
    directory = tmp_path / name
    directory.mkdir()
    target = directory / "hosts.yaml"
    if isinstance(hosts, bytes):
        target.write_bytes(hosts)
    else:
        target.write_text(hosts)
    return directory


def test_control_characters_raw_or_escaped_are_refused_with_their_line(tmp_path: Path) -> None:
    raw = _inventory(tmp_path, b"sw1:\n  hostname: 10.0.0.1\n  username: a\x00b\n", "raw")
    code, out = _run("inventory", "check", str(raw))
    assert code == 1
    assert f"{raw}/hosts.yaml:3: control character U+0000 is not allowed" in out
    escaped = _inventory(
        tmp_path, 'sw1:\n  hostname: 10.0.0.1\n  username: "a\\x1bb"\n  platform: linux\n'
    )
    code, out = _run("inventory", "check", str(escaped))
    assert code == 1
    assert f"{escaped}/hosts.yaml:3: sw1.username: control character U+001B" in out


def test_deep_nesting_is_refused_not_a_crash(tmp_path: Path) -> None:
    # libyaml's composer recurses in C: 100,000 levels killed the process (SIGSEGV)
    deep = _inventory(tmp_path, "sw1: " + "[" * 100_000 + "]" * 100_000 + "\n")
    code, out, _ = _subprocess("inventory", "check", str(deep))
    assert code == 1, out
    assert f"{deep}/hosts.yaml:1: nested more than 64 levels deep (MAX_YAML_DEPTH)" in out


def test_alias_bomb_is_refused_within_seconds(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        name, previous = chr(ord("a") + i), chr(ord("a") + i - 1)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    bomb = _inventory(tmp_path, "\n".join(lines) + "\n")  # 10^9 values once expanded
    code, out, elapsed = _subprocess("inventory", "check", str(bomb))
    assert code == 1, out
    assert "values once its aliases (*name) are expanded (MAX_YAML_NODES)" in out
    assert f"{bomb}/hosts.yaml:" in out
    assert elapsed < 10


def test_a_50_mb_hosts_yaml_is_refused_quickly_naming_the_limit(tmp_path: Path) -> None:
    directory = tmp_path / "big"
    directory.mkdir()
    entry = "sw{i}:\n  hostname: 10.{a}.{b}.{c}\n" + HOST + "  data: {{note: " + "x" * 400 + "}}\n"
    with (directory / "hosts.yaml").open("w") as out:
        i = 0
        while out.tell() < 50 * 1024 * 1024:
            out.write(entry.format(i=i, a=i // 65536 % 256, b=i // 256 % 256, c=i % 256))
            i += 1
    started = time.monotonic()
    code, out = _run("inventory", "check", str(directory))
    assert time.monotonic() - started < 10
    assert code == 1
    assert f"{directory}/hosts.yaml: file is 50.0 MB, larger than the limit of 5.0 MB" in out
    assert "MAX_YAML_BYTES" in out


def test_20000_hosts_load_in_bounded_time(tmp_path: Path) -> None:
    text = "".join(
        f"sw{i}:\n  hostname: 10.1.{i // 256}.{i % 256}\n{HOST}  data: {{site: Pusat}}\n"
        for i in range(20_000)
    )
    assert len(text) < MAX_YAML_BYTES
    directory = _inventory(tmp_path, text)
    started = time.monotonic()
    inventory = load_inventory(directory)
    assert len(inventory.hosts) == 20_000
    assert time.monotonic() - started < 30  # about 4 s here
    code, out = _run("inventory", "check", str(directory))
    assert code == 0
    assert out.startswith("OK: 20000 hosts, 0 groups\n")
    assert "... and 19500 more hosts: `sigap inventory show`" in out


def test_host_and_group_names_with_path_separators_are_refused(tmp_path: Path) -> None:
    directory = _inventory(tmp_path, "../../etc/cron.d:\n  hostname: 10.0.0.1\n" + HOST)
    (directory / "groups.yaml").write_text("a\\b:\n  data: {site: x}\n")
    code, out = _run("inventory", "check", str(directory))
    assert code == 1
    assert (
        f"{directory}/hosts.yaml:1: ../../etc/cron.d: host name '../../etc/cron.d' may not "
        "contain a slash, a backslash or '..'" in out
    )
    assert f"{directory}/groups.yaml:1: a\\b: group name 'a\\\\b' may not contain" in out


def test_office_file_too_large_or_with_control_characters(tmp_path: Path) -> None:
    big = tmp_path / "office.yaml"
    big.write_text("office:\n  name: x\n" + "#" * (2 * 1024 * 1024) + "\n")
    code, out = _run("office", "check", str(big))
    assert code == 1
    assert f"{big}: file is 2.0 MB, larger than the limit of 1.0 MB" in out
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"office:\n  name: Kantor\x07\n")
    code, out = _run("office", "check", str(bad))
    assert code == 1
    assert f"{bad}:2: control character U+0007 is not allowed" in out
    assert "nothing was changed" in out


def test_device_list_with_wrong_cells_writes_nothing(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Nama", "Alamat IP", "Jenis", "Grup"])
    sheet.append(["../sw1", "10.0.0.1", "cisco_ios", None])
    sheet.append([datetime(2024, 3, 7), "10.0.0.2", "cisco_ios", None])
    sheet.append(["sw3", "10.0.0.3", "cisco_ios", "core/inti"])
    sheet.append(["sw4", "10.0.0.4", "cisco_ios", "x" * 2000])
    source = tmp_path / "perangkat.xlsx"
    book.save(source)
    out_dir = tmp_path / "inv"
    code, out = _run("inventory", "import", str(source), "--out", str(out_dir), "--username", "u")
    assert code == 1, out
    assert f"{source}:5: Grup: teks 2000 karakter, paling banyak 1000" in out
    assert f"{source}: nothing written: 1 problem found" in out
    sheet.delete_rows(5)
    book.save(source)
    code, out = _run("inventory", "import", str(source), "--out", str(out_dir), "--username", "u")
    assert code == 1, out
    assert f"{source}:2: Nama: host name '../sw1' may not contain a slash" in out
    assert f"{source}:3: Nama: sel tanggal, bukan teks / a date cell where text is expected" in out
    assert f"{source}:4: Grup: group name 'core/inti' may not contain a slash" in out
    assert f"{source}: nothing written: 3 problems found" in out
    assert not out_dir.exists()
