"""Every SOP form as the Prefect UI draws it: Indonesian labels, decision first, code masked.

The schema is the one Prefect stores for a paused run (``create_v2_schema``, what
``RunInput.save`` does); its rendering in a real browser is tested in
``tests/flows/test_approvals_browser.py``.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from prefect._internal.pydantic.v2_schema import create_v2_schema
from pydantic import ValidationError

import flows
from flows.approvals import ApprovalInput, SignedInput
from sop.form_text import TEXT_MAX


def _forms() -> list[type[SignedInput]]:
    for module in pkgutil.walk_packages(flows.__path__, "flows."):
        importlib.import_module(module.name)
    seen: list[type[SignedInput]] = []
    todo = [SignedInput]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("flows.") and sub not in seen:
                seen.append(sub)
                todo.append(sub)
    return seen


FORMS = _forms()


def _english_title(name: str) -> str:
    return name.replace("_", " ").title()


def _schema(form: type[SignedInput]) -> dict[str, Any]:
    model = form.with_initial_data(description="x")
    return create_v2_schema(model.__name__, model_base=model)


def test_the_forms_are_found() -> None:
    assert len(FORMS) >= 15 and ApprovalInput in FORMS


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.__name__)
def test_a_form_reads_in_indonesian_with_the_signature_last(form: type[SignedInput]) -> None:
    schema = _schema(form)
    props = schema["properties"]
    assert list(props)[-2:] == ["approver", "code"]
    assert [p["position"] for p in props.values()] == list(range(len(props)))
    for name, prop in props.items():
        assert prop["title"] != _english_title(name), f"{form.__name__}.{name}: {prop['title']}"
        assert "anyOf" not in prop, f"{form.__name__}.{name} offers a choice of types"
    assert props["code"]["format"] == "password" and props["code"]["writeOnly"] is True
    for definition in schema.get("definitions", {}).values():
        for name, prop in definition["properties"].items():
            assert prop["title"] != _english_title(name), f"{form.__name__} item field {name}"


def test_the_decision_comes_first() -> None:
    props = _schema(ApprovalInput)["properties"]
    assert list(props) == ["decision", "note", "approver", "code"]
    assert props["decision"]["title"] == "Keputusan"


def test_starting_values_keep_a_fields_label_and_limits() -> None:
    model = ApprovalInput.with_initial_data(note="mulai")
    prop = create_v2_schema(model.__name__, model_base=model)["properties"]["note"]
    assert prop["default"] == "mulai" and prop["title"] == "Catatan"
    assert "kembalikan" in prop["description"]
    with pytest.raises(ValidationError, match="terlalu panjang"):
        model(approver="rahmat", code="x", decision="setuju", note="x" * (TEXT_MAX + 1))
    with pytest.raises(ValueError, match="no field 'nope'"):
        ApprovalInput.with_initial_data(nope=1)
