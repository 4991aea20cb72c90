"""docs/python.md is a notebook: its ```python blocks run, in order, from the repository's
root. The one that plots needs matplotlib, which the reader does not: it is left out."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "python.md"


def test_every_python_block_of_the_walkthrough_runs(monkeypatch):
    if not PAGE.exists():
        pytest.skip(f"{PAGE} is not beside this checkout of the package")
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 10, "docs/python.md lost its ```python blocks: did the fences change?"
    monkeypatch.chdir(ROOT)
    scope: dict = {}
    ran = 0
    for k, block in enumerate(blocks):
        if "matplotlib" in block:
            continue
        exec(compile(block, f"{PAGE.name} block {k + 1}", "exec"), scope)
        ran += 1
    assert ran == len(blocks) - 1
