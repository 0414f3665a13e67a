from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from crudeflow import DatasetError, read_dataset, write_dataset
from crudeflow.io.dataset import load_dataset


def edit_cell(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell of a CSV (row numbered as a spreadsheet: header = 1)."""
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index(column)
    rows[row - 1][col] = value
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)


def problems_of(folder: Path) -> list[tuple[str, int | None, str | None, str]]:
    _, problems = load_dataset(folder)
    return [(p.file, p.row, p.column, p.severity) for p in problems]


def errors_of(folder: Path) -> list[tuple[str, int | None, str | None]]:
    return [(f, r, c) for f, r, c, s in problems_of(folder) if s == "error"]


def test_round_trip_gives_equal_network(folder: Path, tmp_path: Path) -> None:
    net = read_dataset(folder)
    write_dataset(net, tmp_path / "again")
    again = read_dataset(tmp_path / "again")
    assert again == net
    assert again.links.loc["cpc", "countries"] == ("KZ", "RU")
    assert again.policies.loc["emb", "modes"] == ("tanker",)


def test_valid_folder_has_no_errors(folder: Path) -> None:
    assert errors_of(folder) == []


@pytest.mark.parametrize(
    ("file", "row", "column", "value"),
    [
        ("links.csv", 2, "capacity_mt_per_year", "lots"),  # wrong type
        ("links.csv", 3, "tariff_usd_per_t", "-4"),  # negative
        ("links.csv", 2, "distance_km", "nan"),  # NaN
        ("links.csv", 4, "capacity_mt_per_year", "inf"),  # infinite
        ("links.csv", 3, "to", "nowhere"),  # unknown node
        ("links.csv", 2, "to", "tengiz"),  # link from a node to itself
        ("links.csv", 2, "mode", "pipe"),  # not a mode
        ("links.csv", 2, "countries", "KZ;XX"),  # non-ISO country in a list
        ("nodes.csv", 3, "lat", "95"),  # latitude out of range
        ("nodes.csv", 2, "lon", "-181"),  # longitude out of range
        ("nodes.csv", 4, "country", "BLR"),  # non-ISO country
        ("nodes.csv", 2, "source", "nowhere"),  # unknown source
        ("nodes.csv", 3, "name", ""),  # empty required value
        ("supplies.csv", 2, "grade", "brent"),  # unknown grade
        ("supplies.csv", 3, "min_mt_per_year", "60"),  # min > max
        ("grades.csv", 2, "origin_country", "Kazakhstan"),  # non-ISO origin
        ("demands.csv", 2, "max_sulfur_pct", "0.1"),  # below the sweetest grade
        ("sources.csv", 2, "year", "twenty"),  # wrong type
        ("trade.csv", 2, "flow", "exported"),  # not an allowed flow
    ],
)
def test_each_rule_names_file_row_and_column(
    folder: Path, file: str, row: int, column: str, value: str
) -> None:
    edit_cell(folder / file, row, column, value)
    assert (file, row, column) in errors_of(folder)
    with pytest.raises(DatasetError) as info:
        read_dataset(folder)
    assert f"{file}, row {row}, column '{column}'" in str(info.value)


def test_impossible_api_window(folder: Path) -> None:
    edit_cell(folder / "demands.csv", 2, "min_api", "40")
    edit_cell(folder / "demands.csv", 2, "max_api", "30")
    assert ("demands.csv", 2, "min_api") in errors_of(folder)


def test_duplicate_ids(folder: Path) -> None:
    edit_cell(folder / "links.csv", 3, "id", "cpc")
    assert ("links.csv", 3, "id") in errors_of(folder)


def test_missing_file_and_column(folder: Path) -> None:
    (folder / "grades.csv").unlink()
    path = folder / "links.csv"
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("tariff_usd_per_t")
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows([r[:col] + r[col + 1 :] for r in rows])
    errs = errors_of(folder)
    assert ("grades.csv", None, None) in errs
    assert ("links.csv", 1, "tariff_usd_per_t") in errs


def test_unknown_column_is_a_warning(folder: Path) -> None:
    path = folder / "nodes.csv"
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    rows[0].append("colour")
    for r in rows[1:]:
        r.append("blue")
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    assert ("nodes.csv", 1, "colour", "warning") in problems_of(folder)
    read_dataset(folder)  # still loads


def test_all_problems_reported_in_one_pass(folder: Path) -> None:
    edit_cell(folder / "links.csv", 2, "capacity_mt_per_year", "x")
    edit_cell(folder / "nodes.csv", 3, "lat", "-100")
    edit_cell(folder / "supplies.csv", 2, "price_usd_per_t", "")
    errs = errors_of(folder)
    assert {
        ("links.csv", 2, "capacity_mt_per_year"),
        ("nodes.csv", 3, "lat"),
        ("supplies.csv", 2, "price_usd_per_t"),
    } <= set(errs)


def test_suspicious_values_are_warnings(folder: Path) -> None:
    edit_cell(folder / "links.csv", 2, "tariff_usd_per_t", "150")  # pipeline tariff over 100 USD/t
    edit_cell(folder / "links.csv", 3, "distance_km", "100")  # shorter than the great circle
    edit_cell(folder / "links.csv", 2, "distance_km", "20000")  # overland, longer than 3 x the great circle
    probs = problems_of(folder)
    assert ("links.csv", 2, "tariff_usd_per_t", "warning") in probs
    assert ("links.csv", 3, "distance_km", "warning") in probs
    assert ("links.csv", 2, "distance_km", "warning") in probs
    assert errors_of(folder) == []


def test_policy_problems_name_the_line(folder: Path) -> None:
    text = (folder / "policies.yaml").read_text()
    text = text.replace("- RU", "- ZZ")
    (folder / "policies.yaml").write_text(text)
    errs = errors_of(folder)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "kind: embargo" in t or "- id: emb" in t)
    assert ("policies.yaml", line, "origins") in errs


def test_policy_unknown_kind_and_field(folder: Path) -> None:
    (folder / "policies.yaml").write_text(
        "policies:\n  - id: a\n    kind: blockade\n    source: test\n"
        "  - id: b\n    kind: embargo\n    importers: [PL]\n    origins: [RU]\n    colour: red\n    source: test\n"
    )
    errs = errors_of(folder)
    assert ("policies.yaml", 2, "kind") in errs
    assert ("policies.yaml", 9, "colour") in errs


def test_malformed_yaml_reports_its_line(folder: Path) -> None:
    (folder / "policies.yaml").write_text("policies:\n  - id: a\n    kind: [embargo\n")
    errs = errors_of(folder)
    assert errs
    assert errs[0][0] == "policies.yaml"
    assert errs[0][1] is not None


def test_capacity_in_kb_per_day_is_converted(folder: Path) -> None:
    path = folder / "links.csv"
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("capacity_mt_per_year")
    rows[0][col] = "capacity_kb_per_day"
    rows[1][col] = "100"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    net = read_dataset(folder)
    # 100 kb/d x 365 d / 7.33 bbl/t (default reference) = 4.9795 Mt/yr
    assert net.links.loc["cpc", "capacity_mt_per_year"] == pytest.approx(100e3 * 365 / 7.33 / 1e6)


def test_export_copy_loads(folder: Path, tmp_path: Path) -> None:
    from crudeflow.api import export_dataset

    out = export_dataset(folder, tmp_path / "copy")
    assert read_dataset(out) == read_dataset(folder)
    shutil.rmtree(out)
