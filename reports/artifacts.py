"""Prefect artifacts of every document: a markdown summary, its tables, links to its files.

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
from urllib.parse import quote

import pandas as pd

from config.settings import Settings

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


@dataclass(frozen=True)
class ServedReports:
    """Where the report directory is served over HTTP (``sigap report serve``).

    Attributes:
        directory: The report directory (``SIGAP_REPORT_DIR``).
        url: Its base URL (``SIGAP_REPORTS_URL``), ending in ``/``; None: not served.
    """

    directory: Path
    url: str | None = None

    def link(self, path: Path) -> str | None:
        """The HTTP URL of a written file, None when it is not served.

        Args:
            path: The file.

        Returns:
            ``<url><path relative to directory>`` (quoted), or None when no URL is set
            or the file lies outside the directory.

        Examples:
            >>> served = ServedReports(Path("/srv/reports"), "http://127.0.0.1:4201/")
            >>> served.link(Path("/srv/reports/2026-11/laporan a.pdf"))
            'http://127.0.0.1:4201/2026-11/laporan%20a.pdf'
            >>> served.link(Path("/tmp/x.pdf")), ServedReports(Path("/srv")).link(Path("/srv/a"))
            (None, None)
        """
        if self.url is None:
            return None
        try:
            relative = path.resolve().relative_to(self.directory.resolve())
        except ValueError:
            return None
        return self.url + quote(relative.as_posix())


def served_reports(settings: Settings) -> ServedReports:
    """Where reports are served, from the settings the entry point read.

    Args:
        settings: ``reports_dir`` (``SIGAP_REPORT_DIR``) and ``reports_url``
            (``SIGAP_REPORTS_URL``).

    Returns:
        The report directory and its URL.
    """
    return ServedReports(settings.reports_dir, settings.reports_url)


def files_markdown(paths: Mapping[str, Path], served: ServedReports, label: str) -> str:
    """The markdown line naming a document's files: HTTP links, else the paths as text.

    Never a ``file://`` link (the Prefect UI cannot open one).

    Args:
        paths: Format -> written file.
        served: Where the report directory is served.
        label: The line's label (``Berkas``/``Files``).

    Returns:
        The line, empty when there are no files.

    Examples:
        >>> p = {"pdf": Path("/srv/r/a.pdf")}
        >>> files_markdown(p, ServedReports(Path("/srv/r"), "http://h/"), "Berkas")
        '**Berkas:** [PDF](http://h/a.pdf)'
        >>> files_markdown(p, ServedReports(Path("/srv/r")), "Berkas")
        '**Berkas:** PDF `/srv/r/a.pdf`'
    """
    parts = []
    for fmt, path in paths.items():
        url = served.link(path)
        if url is not None:
            parts.append(f"[{fmt.upper()}]({url})")
        else:
            parts.append(f"{fmt.upper()} `{markdown_cell(path.resolve()).replace('`', '')}`")
    return f"**{label}:** {' · '.join(parts)}" if parts else ""


def publish_artifacts(
    key: str,
    markdown: str,
    paths: Mapping[str, Path],
    *,
    tables: Sequence[ArtifactTable] = (),
    description: str,
    files_label: str = "Berkas",
    served: ServedReports,
) -> None:
    """Create a document's Prefect artifacts: its markdown, its tables, a link per served file.

    The one publisher of every document (the monthly report and the official
    documents); call it inside a flow or task run so the artifacts belong to that run.
    The markdown gets a line naming the files: HTTP links when the report directory
    is served (``SIGAP_REPORTS_URL``), else their paths as plain text; a link artifact
    ``<key>-<format>`` is made only for a file with an HTTP URL. No ``file://`` link.

    Args:
        key: Artifact key (already made valid with :func:`artifact_key`); a table gets
            ``<key>-<suffix>``, each file ``<key>-<format>``.
        markdown: The summary (the document's content).
        paths: Format -> written file.
        tables: The table artifacts, in order.
        description: Short description shown in the Prefect UI.
        files_label: Label of the files line (``Berkas``, ``Files``).
        served: Where reports are served (:func:`served_reports` of the flow's settings).
    """
    from prefect.artifacts import (
        create_link_artifact,
        create_markdown_artifact,
        create_table_artifact,
    )

    line = files_markdown(paths, served, files_label)
    body = markdown.rstrip() + ("\n\n" + line + "\n" if line else "\n")
    create_markdown_artifact(markdown=body, key=key, description=description)
    for table in tables:
        create_table_artifact(
            table=list(table.records),
            key=artifact_key(f"{key}-{table.suffix}"),
            description=table.description,
        )
    for fmt, path in paths.items():
        url = served.link(path)
        if url is None:
            continue
        create_link_artifact(
            link=url,
            link_text=path.name,
            key=artifact_key(f"{key}-{fmt}"),
            description=description,
        )
