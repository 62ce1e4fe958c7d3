"""Resolving `env:` and `secret:` credential references (Prefect Secret via a real API)."""

from __future__ import annotations

import pytest

from tasks.credentials import CredentialError, resolve_secret


def test_env_reference_reads_the_variable(monkeypatch) -> None:
    monkeypatch.setenv("SIGAP_TEST_SW1_PASSWORD", "kunci-rahasia")
    assert resolve_secret("env:SIGAP_TEST_SW1_PASSWORD") == "kunci-rahasia"


def test_unset_env_variable_is_named(monkeypatch) -> None:
    monkeypatch.delenv("SIGAP_TEST_UNSET", raising=False)
    with pytest.raises(CredentialError, match="environment variable SIGAP_TEST_UNSET is not set"):
        resolve_secret("env:SIGAP_TEST_UNSET")


def test_empty_env_variable_counts_as_unset(monkeypatch) -> None:
    monkeypatch.setenv("SIGAP_TEST_EMPTY", "")
    with pytest.raises(CredentialError, match="SIGAP_TEST_EMPTY is not set"):
        resolve_secret("env:SIGAP_TEST_EMPTY")


def test_literal_is_refused_without_echoing_it() -> None:
    with pytest.raises(CredentialError) as info:
        resolve_secret("Rahasia-Literal-77")
    assert "literal passwords are not allowed" in str(info.value)
    assert "Rahasia-Literal-77" not in str(info.value)


def test_secret_block_through_a_real_prefect_api(prefect_api) -> None:
    from prefect.blocks.system import Secret

    Secret(value="blok-rahasia-42").save("sigap-test-sw1", overwrite=True)
    assert resolve_secret("secret:sigap-test-sw1") == "blok-rahasia-42"


def test_missing_secret_block_is_named(prefect_api) -> None:
    with pytest.raises(CredentialError, match="Prefect Secret block 'sigap-no-such-block'"):
        resolve_secret("secret:sigap-no-such-block")


def test_invalid_block_name_is_refused() -> None:
    with pytest.raises(CredentialError, match="lowercase letters, digits and dashes"):
        resolve_secret("secret:Bad_Name")
