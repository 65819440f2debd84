"""The layout stays readable: no module grows past a size a reader can hold, every module says what it is for."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("model", "service", "training", "bulk")
MAX_LINES = 450
MAX_KERNEL_LINES = 400  # model/fast/: one concern per module


def modules() -> list[Path]:
    return sorted(p for part in PARTS for p in (ROOT / part).rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_is_short_and_says_what_it_is_for(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    limit = MAX_KERNEL_LINES if path.parent.name == "fast" else MAX_LINES
    assert source.count("\n") <= limit, f"{path.relative_to(ROOT)} has {source.count(chr(10))} lines (limit {limit})"
    assert ast.get_docstring(ast.parse(source)), f"{path.relative_to(ROOT)} has no module docstring"
