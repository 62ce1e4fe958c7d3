"""How an SOP form's JSON schema reads in the Prefect UI, pure: labels, order, inputs.

Prefect draws the resume form of a paused run from the form's JSON schema. Pydantic's
schema is made for machines: English titles from field names (``Exited At``),
``anyOf`` with ``null`` for an optional value (the Prefect UI offers a type picker
and "None" instead of a date-time input), and the signature fields of the base class
first. :func:`tidy_form_schema` rewrites the schema in place so that a manager sees

- Indonesian labels: a field's own ``title`` when it has one, else the Indonesian
  head of its description (``"Jam keluar (exit time); kosong = sekarang"`` ->
  ``Jam keluar``), else :data:`LABELS`;
- the step's own fields first (a decision first of all), the signature (username,
  code) last, numbered with Prefect's ``position`` key;
- an optional value as the input of its type (a date-time picker), not a choice of
  types; the code as a masked ``password`` field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

SIGNATURE_FIELDS = ("approver", "code")
"""The fields every form ends with: who answers and their personal code."""

LABELS: Mapping[str, str] = {
    "decision": "Keputusan",
    "note": "Catatan",
    "approver": "Username Anda",
    "code": "Kode persetujuan / TOTP",
}
"""Labels of the shared fields (used when a field has neither title nor description)."""

_HEAD_END = re.compile(r"\s\(|[:;,]")
_MAX_LABEL = 60


def label_from_description(description: str) -> str:
    """The Indonesian head of a field description, as a label.

    Args:
        description: E.g. ``"Jam keluar (exit time); kosong = sekarang"``.

    Returns:
        The text before the first ``" ("``, ``:``, ``;`` or ``,`` (at most 60
        characters), with a capital first letter; empty for an empty description.

    Examples:
        >>> label_from_description("Jam keluar (exit time); kosong = sekarang")
        'Jam keluar'
        >>> label_from_description("Keputusan: setuju (approve), tolak (reject)")
        'Keputusan'
        >>> label_from_description("perkiraan biaya, Rupiah")
        'Perkiraan biaya'
        >>> label_from_description("")
        ''
    """
    head = _HEAD_END.split(description.strip(), maxsplit=1)[0].strip()
    if len(head) > _MAX_LABEL:
        head = head[: _MAX_LABEL - 1].rstrip() + "…"
    return head[:1].upper() + head[1:]


def field_label(name: str, title: str | None, description: str | None) -> str:
    """The label a form field gets in the Prefect UI.

    Args:
        name: The field's name (``exited_at``).
        title: A title the form gave the field itself, if any.
        description: The field's description, if any.

    Returns:
        The label.

    Examples:
        >>> field_label("approver", None, "Username Anda sesuai konfigurasi kantor")
        'Username Anda sesuai konfigurasi kantor'
        >>> field_label("note", None, None)
        'Catatan'
        >>> field_label("parts", "Suku cadang", "whatever")
        'Suku cadang'
        >>> field_label("serial_no", None, None)
        'Serial no'
    """
    if title:
        return title
    if name in LABELS and not description:
        return LABELS[name]
    label = label_from_description(description or "")
    if label:
        return label
    return LABELS.get(name, name.replace("_", " ").capitalize())


def _plain_optional(prop: dict[str, Any]) -> None:
    """``anyOf: [X, null]`` becomes X itself (not required already says it may be empty)."""
    options = prop.get("anyOf")
    if not isinstance(options, list):
        return
    kept = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
    if len(kept) != 1 or len(kept) == len(options) or not isinstance(kept[0], dict):
        return
    del prop["anyOf"]
    for key, value in kept[0].items():
        prop.setdefault(key, value)
    if prop.get("default", ...) is None:
        del prop["default"]


def tidy_form_schema(
    schema: dict[str, Any],
    titles: Mapping[str, str | None],
    order: tuple[str, ...] = (),
) -> None:
    """Rewrite a form's JSON schema in place for the Prefect UI (see the module docs).

    Args:
        schema: The schema pydantic made (``properties`` at the top, definitions aside).
        titles: Each field's own title, if the form set one (``None`` otherwise).
        order: Fields to put first, in this order (e.g. ``("decision",)``); the
            others keep their order, :data:`SIGNATURE_FIELDS` go last.

    Examples:
        >>> s = {"properties": {
        ...     "approver": {"title": "Approver", "type": "string"},
        ...     "code": {"title": "Code", "type": "string", "format": "password"},
        ...     "exited_at": {"anyOf": [{"type": "string", "format": "date-time"},
        ...                             {"type": "null"}], "default": None,
        ...                   "description": "Jam keluar (exit time)", "title": "Exited At"},
        ...     "decision": {"title": "Decision", "enum": ["setuju"], "type": "string"}}}
        >>> tidy_form_schema(s, {}, order=("decision",))
        >>> list(s["properties"])
        ['decision', 'exited_at', 'approver', 'code']
        >>> s["properties"]["exited_at"]
        {'description': 'Jam keluar (exit time)', 'title': 'Jam keluar', 'type': 'string', \
'format': 'date-time', 'position': 1}
        >>> s["properties"]["code"]["title"], s["properties"]["code"]["writeOnly"]
        ('Kode persetujuan / TOTP', True)
    """
    properties: dict[str, Any] = schema.get("properties") or {}
    first = [name for name in order if name in properties]
    last = [name for name in SIGNATURE_FIELDS if name in properties and name not in first]
    middle = [name for name in properties if name not in first and name not in last]
    tidy: dict[str, Any] = {}
    for position, name in enumerate(first + middle + last):
        prop = dict(properties[name])
        _plain_optional(prop)
        prop["title"] = field_label(name, titles.get(name), prop.get("description"))
        if name == "code":
            prop["format"] = "password"
            prop["writeOnly"] = True
        prop["position"] = position
        tidy[name] = prop
    schema["properties"] = tidy


def tidy_part_schema(schema: dict[str, Any], part: type) -> None:
    """``json_schema_extra`` of a model used inside a form (a list item): Indonesian labels.

    The model's docstring (English, for developers) is not shown.

    Args:
        schema: The part's JSON schema.
        part: The pydantic model (its fields' own titles are kept).
    """
    fields = getattr(part, "model_fields", {})
    schema.pop("description", None)  # the class docstring: written for developers
    tidy_form_schema(schema, {name: info.title for name, info in fields.items()})
