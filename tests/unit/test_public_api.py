from __future__ import annotations

import crudeflow


def test_all_is_sorted_and_complete() -> None:
    assert crudeflow.__all__ == sorted(crudeflow.__all__)
    assert set(crudeflow.__all__) == {*crudeflow._EXPORTS, "__version__"}


def test_every_public_name_resolves() -> None:
    for name in crudeflow.__all__:
        assert getattr(crudeflow, name) is not None
