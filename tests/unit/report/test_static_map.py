from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import pytest

from crudeflow.exceptions import CrudeflowError
from crudeflow.report import render_map, render_map_png


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", head[16:24])
    return w, h


def test_png_is_produced_and_non_trivial(tmp_path: Path, tiny: Any, tiny_plan: Any) -> None:
    out = render_map_png(tiny_plan, tiny, tmp_path / "map.png", width_in=8.0, dpi=100)
    w, h = png_size(out)
    assert w == 800
    assert 300 < h < 1600
    assert out.stat().st_size > 30_000  # outlines, links and labels, not a blank canvas


def test_svg_has_the_labels(tmp_path: Path, tiny: Any, tiny_plan: Any) -> None:
    out = render_map(tiny_plan, tiny, tmp_path / "map.svg")
    text = out.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml")
    assert "Natural Earth" in text or "<path" in text


def test_other_formats_are_refused(tmp_path: Path, tiny: Any, tiny_plan: Any) -> None:
    with pytest.raises(CrudeflowError, match=r"\.png or \.svg"):
        render_map(tiny_plan, tiny, tmp_path / "map.jpg")
