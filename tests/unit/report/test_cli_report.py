from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from crudeflow.cli import app
from crudeflow.io.dataset import write_dataset

runner = CliRunner()


@pytest.fixture(scope="module")
def dataset_dir(tmp_path_factory: pytest.TempPathFactory, tiny: Any) -> Path:
    d = tmp_path_factory.mktemp("tiny-dataset")
    write_dataset(tiny, d)
    return d


def test_report_and_compare(tmp_path: Path, dataset_dir: Path) -> None:
    sc = tmp_path / "no-j-r1.yaml"
    sc.write_text("name: no-j-r1\nbase: tiny\nchanges:\n  - disable_links: [j_r1]\n", encoding="utf-8")
    out = tmp_path / "r.html"
    res = runner.invoke(
        app, ["report", "-d", str(dataset_dir), "-s", str(sc), "--compare", "base", "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert "no-j-r1 vs base" in page
    assert 'id="map-1"' in page
    assert 'id="cost-delta"' in page
    # without j_r1, r1 gets nothing: all 6 Mt/yr unmet against 2 in the base
    assert ">6.00<" in page


def test_report_with_stress(tmp_path: Path, dataset_dir: Path) -> None:
    out = tmp_path / "s.html"
    res = runner.invoke(app, ["report", "-d", str(dataset_dir), "--stress", "-o", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert 'id="stress"' in page  # the ranking, or a note saying why it is missing


def test_map_png(tmp_path: Path, dataset_dir: Path) -> None:
    out = tmp_path / "m.png"
    res = runner.invoke(app, ["map", "-d", str(dataset_dir), "-o", str(out), "--dpi", "80", "--width", "6"])
    assert res.exit_code == 0, res.output
    assert out.stat().st_size > 10_000


def test_errors_are_one_line(tmp_path: Path, dataset_dir: Path) -> None:
    res = runner.invoke(app, ["map", "-d", str(dataset_dir), "-o", str(tmp_path / "m.gif")])
    assert res.exit_code != 0
    assert "png or .svg" in res.output
    assert "Traceback" not in res.output
    res = runner.invoke(
        app, ["report", "-d", str(dataset_dir), "-s", "no-such-scenario", "-o", str(tmp_path / "x")]
    )
    assert res.exit_code != 0
    assert "Traceback" not in res.output
