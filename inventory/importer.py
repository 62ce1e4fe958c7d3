"""Turn an office's device spreadsheet into an inventory directory.

:func:`rows_to_inventory` is pure (rows in, the three YAML documents' data out);
:func:`import_spreadsheet` reads the file, checks everything, and only then
writes ``hosts.yaml``, ``groups.yaml`` and ``defaults.yaml``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import yaml

from inventory.addresses import address_problem, normalize_address
from inventory.loader import DEFAULTS_FILE, GROUPS_FILE, HOSTS_FILE, load_inventory
from inventory.model import CRITICALITIES
from inventory.platforms import known_platforms, unknown_platform_message
from inventory.secretref import parse_secret_ref
from inventory.spreadsheet import Row, read_table
from sop.cells import text_cell
from sop.columns import (
    CRITICALITY_ALIASES,
    cell_text,
    header_problems,
    map_headers,
    split_groups,
)
from sop.names import name_problem
from sop.problems import ConfigError, Problem

DEFAULT_PASSWORD_REF = "env:SIGAP_DEVICE_PASSWORD"


@dataclass(frozen=True)
class ImportedInventory:
    """The three documents of an inventory built from a spreadsheet.

    Attributes:
        hosts: ``hosts.yaml`` content.
        groups: ``groups.yaml`` content.
        defaults: ``defaults.yaml`` content.
    """

    hosts: dict[str, Any]
    groups: dict[str, Any]
    defaults: dict[str, Any]


def site_group(site: str) -> str:
    """Return the group name for a site.

    Args:
        site: Site (office) name as written in the spreadsheet.

    Returns:
        ``site-<slug>``.

    Examples:
        >>> site_group("Kantor Pusat"), site_group("KPP Pratama Bekasi (Utara)")
        ('site-kantor-pusat', 'site-kpp-pratama-bekasi-utara')
    """
    return "site-" + (re.sub(r"[^a-z0-9]+", "-", site.lower()).strip("-") or "unnamed")


def _platform(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def rows_to_inventory(
    headers: Sequence[str], rows: Sequence[Row], file: str, username: str | None = None
) -> ImportedInventory:
    """Build inventory documents from spreadsheet rows.

    Args:
        headers: The header row as written.
        rows: Data rows with their spreadsheet row numbers.
        file: Spreadsheet name used in problems.
        username: Login name written to defaults.yaml, for rows without one.

    Returns:
        The hosts, groups and defaults documents.

    Raises:
        ConfigError: Every bad row and column, each with its row number and column name.

    Examples:
        >>> inv = rows_to_inventory(["Nama", "Alamat IP", "Jenis", "Lokasi Kantor"],
        ...     [(2, ["sw1", "10.0.0.1", "Cisco IOS", "Pusat"])], "aset.csv", "admin")
        >>> inv.hosts
        {'sw1': {'hostname': '10.0.0.1', 'platform': 'cisco_ios', 'groups': ['site-pusat']}}
        >>> inv.groups, inv.defaults
        ({'site-pusat': {'data': {'site': 'Pusat'}}}, {'username': 'admin', 'password': 'env:SIGAP_DEVICE_PASSWORD'})
    """  # noqa: E501
    columns, by_field = map_headers(headers)
    problems = header_problems(headers, by_field, file)
    if problems:
        raise ConfigError(problems)

    hosts: dict[str, Any] = {}
    groups: dict[str, Any] = {}
    host_rows: dict[str, int] = {}
    addresses: dict[tuple[str, int], int] = {}
    all_have_password = True
    for number, cells in rows:
        values: dict[str, Any] = {}
        raw: dict[str, Any] = {}
        wrong_type: set[str] = set()  # reported once: not again as "empty"

        def bad(field: str, message: str, row: int = number, wrong: set[str] = wrong_type) -> None:
            if field in wrong:
                return
            index = by_field[field][0] if field in by_field else None
            column = headers[index] if index is not None else field
            problems.append(Problem(file, row, column, message))

        for i, field in columns.items():
            cell = cells[i] if i < len(cells) else None
            raw[field] = cell
            if field.startswith("data:"):
                values[field] = cell_text(cell)
                continue
            try:
                values[field] = text_cell(cell)
            except ValueError as exc:
                bad(field, str(exc))
                wrong_type.add(field)
                values[field] = ""

        host: dict[str, Any] = {}
        data: dict[str, Any] = {}
        name = values.get("name", "")
        if not name:
            bad("name", "empty: every device needs a name")
        elif name in host_rows:
            bad("name", f"device name {name!r} is already used in row {host_rows[name]}")
        elif (why := name_problem(name)) is not None:
            bad("name", why)
        address = values.get("address", "")
        if not address:
            bad("address", "empty: give the management IP address or DNS name")
        elif (why := address_problem(address)) is not None:
            bad("address", why)
        else:
            host["hostname"] = address
        port = 22
        if values.get("port"):
            if not values["port"].isdigit() or not 1 <= int(values["port"]) <= 65535:
                bad("port", f"port {values['port']!r} must be a whole number 1-65535")
            else:
                port = int(values["port"])
                if port != 22:
                    host["port"] = port
        if values.get("username"):
            host["username"] = values["username"]
        elif not username:
            bad("username", "empty: fill the username column or pass --username")
        if values.get("password_ref"):
            ref = parse_secret_ref(values["password_ref"], name)
            if isinstance(ref, str):
                bad("password_ref", ref)
            else:
                host["password"] = str(ref)
        else:
            all_have_password = False
        platform = _platform(values.get("platform", ""))
        if not platform:
            bad("platform", "empty: give the Netmiko device type, e.g. cisco_ios")
        elif platform not in known_platforms():
            bad("platform", unknown_platform_message(values["platform"]))
        else:
            host["platform"] = platform
        host_groups: list[str] = []
        if values.get("site"):
            group = site_group(values["site"])
            existing = groups.get(group, {}).get("data", {}).get("site")
            if existing is not None and existing != values["site"]:
                bad("site", f"site {values['site']!r} and {existing!r} give the same group {group}")
            groups.setdefault(group, {"data": {"site": values["site"]}})
            host_groups.append(group)
        for group in split_groups(values.get("groups", "")):
            if (why := name_problem(group, "group")) is not None:
                bad("groups", why)
            elif group not in host_groups:
                host_groups.append(group)
                groups.setdefault(group, {})
        if host_groups:
            host["groups"] = host_groups
        for field in ("role", "asset_tag", "location"):
            if values.get(field):
                data[field] = values[field]
        if values.get("criticality"):
            crit = values["criticality"].lower()
            crit = CRITICALITY_ALIASES.get(crit, crit)
            if crit not in CRITICALITIES:
                bad(
                    "criticality",
                    f"criticality {values['criticality']!r} is not one of: "
                    + ", ".join(CRITICALITIES)
                    + " (or rendah, sedang, tinggi, kritis)",
                )
            else:
                data["criticality"] = crit
        for field, value in values.items():
            if field.startswith("data:") and value:
                original = raw[field]
                keep = original if isinstance(original, int | float) else value
                if isinstance(keep, float) and keep.is_integer():
                    keep = int(keep)
                data[field.removeprefix("data:")] = keep
        if data:
            host["data"] = data
        if "hostname" in host:
            key = (normalize_address(host["hostname"]), port)
            if key in addresses:
                bad(
                    "address",
                    f"management address {address}:{port} is already used in row {addresses[key]}",
                )
            else:
                addresses[key] = number
        if name and name not in host_rows:
            host_rows[name] = number
            hosts[name] = host
    if not rows:
        problems.append(Problem(file, 2, "", "no devices: the sheet has only a header row"))
    if problems:
        raise ConfigError(problems)
    defaults: dict[str, Any] = {}
    if username:
        defaults["username"] = username
    if not all_have_password:
        defaults["password"] = DEFAULT_PASSWORD_REF
    return ImportedInventory(hosts=hosts, groups=groups, defaults=defaults)


def render(document: dict[str, Any], title: str) -> str:
    """Render one inventory document as YAML with a header comment.

    Args:
        document: The data.
        title: First comment line.

    Returns:
        The YAML text (``{}`` for an empty document).

    Examples:
        >>> print(render({"sw1": {"groups": ["a"]}}, "hosts"), end="")
        # hosts
        sw1:
          groups:
          - a
    """
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True) if document else "{}\n"
    out = StringIO()
    out.write(f"# {title}\n")
    out.write(body)
    return out.getvalue()


def import_spreadsheet(
    source: Path, out: Path, force: bool = False, username: str | None = None
) -> ImportedInventory:
    """Import a CSV/XLSX device list into an inventory directory.

    Nothing is written unless the whole spreadsheet is valid and the written
    inventory loads with :func:`inventory.load_inventory`.

    Args:
        source: The ``.csv`` or ``.xlsx`` file.
        out: Inventory directory to write.
        force: Overwrite the three files in an existing non-empty ``out``.
        username: Login name for defaults.yaml (rows may set their own).

    Returns:
        What was written.

    Raises:
        ConfigError: Every problem found (rows, columns, target directory).
    """
    problems: list[Problem] = []
    if out.exists() and not out.is_dir():
        problems.append(Problem(str(out), None, "", "exists and is not a directory"))
    elif out.is_dir() and any(out.iterdir()) and not force:
        problems.append(
            Problem(
                str(out),
                None,
                "",
                "directory is not empty; pass --force to overwrite its hosts.yaml, "
                "groups.yaml and defaults.yaml",
            )
        )
    try:
        headers, rows = read_table(source)
        imported = rows_to_inventory(headers, rows, str(source), username)
    except ConfigError as exc:
        raise ConfigError([*problems, *exc.problems]) from None
    if problems:
        raise ConfigError(problems)

    origin = f"generated by `sigap inventory import` from {source.name}"
    texts = {
        HOSTS_FILE: render(imported.hosts, f"{origin}: one entry per device"),
        GROUPS_FILE: render(imported.groups, f"{origin}: one site-<slug> group per site"),
        DEFAULTS_FILE: render(imported.defaults, f"{origin}: applies to every device"),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".sigap-import-", dir=out.parent))
    try:
        for name, text in texts.items():
            (staging / name).write_text(text, encoding="utf-8")
        load_inventory(staging)  # must pass before anything is put in place
        out.mkdir(exist_ok=True)
        for name in texts:
            os.replace(staging / name, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return imported
