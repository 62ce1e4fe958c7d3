"""Prefect artifacts of the monthly report: a markdown summary, the device table, file links.

:func:`summary_markdown` and :func:`table_records` are pure; :func:`publish_artifacts`
calls Prefect's artifact API (inside a flow or task run the artifacts are attached
to it).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from reports import labels
from reports.assembly import MaintenanceReport

MAX_DEGRADED_LINES = 10
"""Degraded components listed in the markdown summary before "and N more"."""

_KEY_BAD = re.compile(r"[^a-z0-9-]+")


def artifact_key(text: str) -> str:
    """Turn a text into a Prefect artifact key: lowercase letters, digits and dashes.

    Args:
        text: The wanted key.

    Returns:
        The key.

    Raises:
        ValueError: Nothing usable is left.

    Examples:
        >>> artifact_key("Laporan A/Kanwil Malut/2026-11")
        'laporan-a-kanwil-malut-2026-11'
        >>> artifact_key("***")
        Traceback (most recent call last):
        ...
        ValueError: key: '***' has no letters or digits for an artifact key
    """
    key = _KEY_BAD.sub("-", text.lower())
    key = re.sub(r"-{2,}", "-", key).strip("-")
    if not key:
        raise ValueError(f"key: {text!r} has no letters or digits for an artifact key")
    return key


def markdown_cell(text: object) -> str:
    r"""Make a value safe inside a markdown table cell: pipes escaped, one line.

    Args:
        text: The value.

    Returns:
        The text.

    Examples:
        >>> markdown_cell("a|b\nc")
        'a\\|b c'
    """
    return str(text).replace("|", "\\|").replace("\n", " ")


def _shown(value: object, lang: str) -> str:
    return labels.format_number(value, lang) if isinstance(value, float) else str(value)


def summary_markdown(report: MaintenanceReport, paths: Mapping[str, Path] | None = None) -> str:
    """Write a short markdown summary of the report, with links to its files.

    Args:
        report: The assembled report.
        paths: Format -> written file; linked as ``file://`` URIs.

    Returns:
        The markdown, in the report's language.
    """
    lang = report.lang
    summary = report.summary
    frame = report.summary_table
    lines = [
        f"## {report.title} {report.period}",
        "",
        f"**{markdown_cell(report.office_name)}**",
        "",
        f"| {labels.column('item', lang)} | {labels.column('value', lang)} |",
        "|---|---:|",
    ]
    lines += [
        f"| {markdown_cell(item)} | {markdown_cell(_shown(value, lang))} |"
        for item, value in frame.itertuples(index=False)
    ]
    degraded = summary["degraded"]
    if degraded:
        title = labels.SUMMARY_ITEMS["degraded"][1 if lang == "en" else 0]
        lines += ["", f"**{title}:**", ""]
        for entry in degraded[:MAX_DEGRADED_LINES]:
            status = labels.word(labels.CHECK_STATUSES, entry["status"], lang)
            device, item = markdown_cell(entry["device"]), markdown_cell(entry["item"])
            lines.append(f"- {device}: {item} ({status})")
        if len(degraded) > MAX_DEGRADED_LINES:
            lines.append(f"- {labels.text('and_more', lang, n=len(degraded) - MAX_DEGRADED_LINES)}")
    if paths:
        links = " · ".join(
            f"[{fmt.upper()}]({path.resolve().as_uri()})" for fmt, path in paths.items()
        )
        lines += ["", f"**{labels.text('files', lang)}:** {links}"]
    return "\n".join(lines) + "\n"


def table_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Turn a DataFrame into JSON-able records for ``create_table_artifact``.

    Prefect refuses a DataFrame itself; NaN becomes None.

    Args:
        frame: The table.

    Returns:
        One dict per row.

    Examples:
        >>> table_records(pd.DataFrame({"a": [1.5, float("nan")], "b": ["x", None]}))
        [{'a': 1.5, 'b': 'x'}, {'a': None, 'b': None}]
    """
    records = []
    for row in frame.to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for column, value in row.items():
            if isinstance(value, float) and math.isnan(value):
                value = None
            elif hasattr(value, "item"):  # numpy scalars
                value = value.item()
            clean[str(column)] = value
        records.append(clean)
    return records


def publish_artifacts(
    key: str,
    markdown: str,
    devices: Sequence[dict[str, Any]],
    paths: Mapping[str, Path],
    *,
    description: str,
) -> None:
    """Create the Prefect artifacts: the markdown summary, the device table, one link per file.

    Args:
        key: Artifact key (already made valid with :func:`artifact_key`); the table
            gets ``<key>-devices``, each file ``<key>-<format>``.
        markdown: The summary.
        devices: The device table as records.
        paths: Format -> written file.
        description: Short description shown in the Prefect UI.
    """
    from prefect.artifacts import (
        create_link_artifact,
        create_markdown_artifact,
        create_table_artifact,
    )

    create_markdown_artifact(markdown=markdown, key=key, description=description)
    create_table_artifact(table=list(devices), key=f"{key}-devices", description=description)
    for fmt, path in paths.items():
        create_link_artifact(
            link=path.resolve().as_uri(),
            link_text=path.name,
            key=artifact_key(f"{key}-{fmt}"),
            description=description,
        )
