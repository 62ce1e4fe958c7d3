from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "inventory"


@pytest.fixture
def make_inventory(tmp_path: Path) -> Callable[..., Path]:
    """Write an inventory directory from file texts and return its path."""

    def make(name: str = "inv", **files: str) -> Path:
        directory = tmp_path / name
        directory.mkdir()
        for stem, text in files.items():
            (directory / f"{stem}.yaml").write_text(text)
        return directory

    return make
