"""Policy fields in policies.yaml: parsed and checked as each kind declares them, dates included."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from crudeflow import DatasetError, read_dataset, write_dataset
from crudeflow.io.dataset import load_dataset, resolve_dataset


def _write_policies(folder: Path, body: str) -> Path:
    (folder / "policies.yaml").write_text("policies:\n" + body)
    return folder


EMB = "  - id: e\n    kind: embargo\n    importers: [BY]\n    origins: [RU]\n    source: test\n"


def test_valid_dates_are_parsed_kept_and_written_back(folder: Path, tmp_path: Path) -> None:
    _write_policies(folder, EMB + "    valid_from: 2022-12-05\n    valid_to: '2024-12-31'\n")
    net = read_dataset(folder)
    assert net.policies.loc["e", "valid_from"] == pd.Timestamp("2022-12-05")
    assert net.policies.loc["e", "valid_to"] == pd.Timestamp("2024-12-31")
    write_dataset(net, tmp_path / "again")
    assert "valid_from: '2022-12-05'" in (tmp_path / "again" / "policies.yaml").read_text()
    assert read_dataset(tmp_path / "again") == net


@pytest.mark.parametrize(
    ("extra", "line", "column", "expected"),
    [
        ("    valid_from: 2022-13-05\n", 7, "valid_from", "ISO date"),  # no such month
        ("    valid_from: 5 Dec 2022\n", 7, "valid_from", "ISO date"),
        ("    valid_from: 2022-12-05T10:00:00\n", 7, "valid_from", "ISO date"),  # a time is not a date
        ("    valid_from: 2022-12-05\n    valid_to: 2022-12-04\n", 8, "valid_to", "on or after"),
        ("    modes: [pipe]\n", 7, "modes", "pipeline, tanker"),
        ("    enabled: maybe\n", 7, "enabled", "true or false"),
    ],
)
def test_bad_field_values_name_file_line_and_field(
    folder: Path, extra: str, line: int, column: str | None, expected: str
) -> None:
    _write_policies(folder, EMB + extra)
    with pytest.raises(DatasetError) as err:
        read_dataset(folder)
    probs = [p for p in err.value.problems if p.severity == "error"]
    assert [(p.file, p.row, p.column) for p in probs] == [("policies.yaml", line, column)]
    assert expected in str(probs[0])


def test_share_above_100_and_missing_required_fields(folder: Path) -> None:
    _write_policies(folder, "  - id: c\n    kind: share_cap\n    importer: BY\n    by: origin\n"
                            "    max_share_pct: 120\n    source: test\n")  # fmt: skip
    _, problems = load_dataset(folder)
    got = {(p.row, p.column) for p in problems if p.severity == "error"}
    assert got == {(6, "max_share_pct"), (2, "country")}


def test_a_bad_field_is_one_problem_without_a_cascade(tmp_path: Path) -> None:
    # the policy with the bad date still counts as citing its source: no "never used" warning
    folder = tmp_path / "caspian"
    shutil.copytree(resolve_dataset("caspian-europe"), folder)
    path = folder / "policies.yaml"
    text = path.read_text()
    old = "    source: eu-reg-2022-879\n"
    assert text.count(old) == 1
    path.write_text(text.replace(old, old + "    valid_to: soon\n"))
    _, problems = load_dataset(folder)
    line = text[: text.index(old)].count("\n") + 2
    assert [(p.file, p.row, p.column, p.severity) for p in problems] == [
        ("policies.yaml", line, "valid_to", "error")
    ]
