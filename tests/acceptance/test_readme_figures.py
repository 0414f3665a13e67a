"""The README's figure blocks are what the code computes today (scripts/readme_figures.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("readme_figures", ROOT / "scripts" / "readme_figures.py")
    assert spec is not None
    assert spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_readme_has_every_figure_block() -> None:
    gen = _generator()
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in gen.BLOCKS:
        assert f"<!-- figures:{name} -->" in text
        assert f"<!-- /figures:{name} -->" in text


def test_readme_figures_match_the_code() -> None:
    gen = _generator()
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert gen.render(text) == text, "README figures drifted: run python scripts/readme_figures.py"


def test_render_replaces_a_stale_block() -> None:
    gen = _generator()
    stale = "x\n<!-- figures:scenario-figures -->\n| stale | 1 |\n<!-- /figures:scenario-figures -->\ny"
    out = gen.render(stale)
    assert "| stale | 1 |" not in out
    assert "| `cpc-shut` |" in out
    assert out.startswith("x\n")
    assert out.endswith("\ny")
