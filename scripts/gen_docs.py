"""Write the generated reference pages: docs/policies.md and docs/modes.md.

Both are generated from the declarations (``crudeflow.model.policies`` and
``crudeflow.schema.modes``); ``tests/unit/test_generated_docs.py`` fails when they are stale.

    PYTHONPATH=src python scripts/gen_docs.py
"""

from __future__ import annotations

from pathlib import Path

from crudeflow.model.policies import policies_markdown
from crudeflow.schema.modes import modes_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = {"policies.md": policies_markdown, "modes.md": modes_markdown}


def main() -> None:
    """Write every generated page, saying which changed."""
    for name, make in PAGES.items():
        path = DOCS / name
        text = make()
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
        else:
            print(f"{path} is up to date")


if __name__ == "__main__":
    main()
