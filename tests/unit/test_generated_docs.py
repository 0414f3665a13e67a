"""docs/policies.md and docs/modes.md are generated from the declarations and up to date."""

from __future__ import annotations

from pathlib import Path

import pytest

from crudeflow.model.policies import policies_markdown
from crudeflow.schema.modes import modes_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize(("name", "make"), [("policies.md", policies_markdown), ("modes.md", modes_markdown)])
def test_generated_page_is_up_to_date(name: str, make: object) -> None:
    assert callable(make)
    assert (DOCS / name).read_text(encoding="utf-8") == make(), (
        f"docs/{name} is stale: run `PYTHONPATH=src python scripts/gen_docs.py`"
    )
