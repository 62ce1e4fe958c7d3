"""Prefect artifacts of every document: a markdown summary, its tables, one link per file.

:func:`artifact_key`, :func:`markdown_cell` and :func:`table_records` are pure;
:func:`publish_artifacts` calls Prefect's artifact API (inside a flow or task run the
artifacts are attached to it). :func:`reports.document.publish_document` and
:func:`reports.maintenance.publish_maintenance_artifacts` both publish through it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

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


@dataclass(frozen=True)
class ArtifactTable:
    """A table artifact to publish beside a document.

    Attributes:
        suffix: Its key is ``<document key>-<suffix>`` (e.g. ``devices``, ``steps``).
        records: The rows (:func:`table_records`).
        description: Shown in the Prefect UI.
    """

    suffix: str
    records: Sequence[dict[str, Any]]
    description: str


def publish_artifacts(
    key: str,
    markdown: str,
    paths: Mapping[str, Path],
    *,
    tables: Sequence[ArtifactTable] = (),
    description: str,
) -> None:
    """Create a document's Prefect artifacts: its markdown, its tables, one link per file.

    The one publisher of every document (the monthly report and the official
    documents); call it inside a flow or task run so the artifacts belong to that run.

    Args:
        key: Artifact key (already made valid with :func:`artifact_key`); a table gets
            ``<key>-<suffix>``, each file ``<key>-<format>``.
        markdown: The summary.
        paths: Format -> written file.
        tables: The table artifacts, in order.
        description: Short description shown in the Prefect UI.
    """
    from prefect.artifacts import (
        create_link_artifact,
        create_markdown_artifact,
        create_table_artifact,
    )

    create_markdown_artifact(markdown=markdown, key=key, description=description)
    for table in tables:
        create_table_artifact(
            table=list(table.records),
            key=artifact_key(f"{key}-{table.suffix}"),
            description=table.description,
        )
    for fmt, path in paths.items():
        create_link_artifact(
            link=path.resolve().as_uri(),
            link_text=path.name,
            key=artifact_key(f"{key}-{fmt}"),
            description=description,
        )
