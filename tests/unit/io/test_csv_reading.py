"""Broken CSV files: every one is a clean DatasetError naming file, row and column.

Each case here once gave a wrong answer with exit 0 or an internal error (issue 9).
"""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crudeflow import DatasetError, read_dataset
from crudeflow.cli import app
from crudeflow.io.csvfile import read_csv
from crudeflow.io.dataset import load_dataset, resolve_dataset
from crudeflow.io.validate import Collector
from crudeflow.schema import LINKS

runner = CliRunner()


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A copy of the shipped caspian-europe dataset to break."""
    out = tmp_path / "caspian"
    shutil.copytree(resolve_dataset("caspian-europe"), out)
    return out


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def write_lines(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def row_of(path: Path, first_cell: str) -> int:
    """Spreadsheet row (header = 1) of the line starting with ``first_cell,``."""
    return next(i for i, t in enumerate(lines_of(path), 1) if t.startswith(first_cell + ","))


def errors_of(folder: Path) -> list[tuple[str, int | None, str | None]]:
    _, problems = load_dataset(folder)
    return [(p.file, p.row, p.column) for p in problems if p.severity == "error"]


def messages_of(folder: Path) -> list[str]:
    _, problems = load_dataset(folder)
    return [str(p) for p in problems if p.severity == "error"]


def replace_note(line: str, note: str) -> str:
    """The line with its last cell (the note) replaced by ``note`` as written."""
    cells = next(csv.reader([line]))
    head = lines_to_csv([cells[:-1]])
    return head + "," + note


def lines_to_csv(rows: list[list[str]]) -> str:
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().rstrip("\n")


# --- 1. an unclosed quote must not swallow the next row -------------------------------


def test_unclosed_quote_is_reported_and_the_next_row_survives(shipped: Path) -> None:
    path = shipped / "links.csv"
    lines = lines_of(path)
    cpc_row = row_of(path, "cpc_1")
    before = cpc_row - 1  # uzen_domestic, whose note is unquoted
    lines[before - 1] = replace_note(lines[before - 1], '"estimate: see README')
    write_lines(path, lines)
    errs = errors_of(shipped)
    assert ("links.csv", before, "note") in errs
    msg = next(m for m in messages_of(shipped) if f"row {before}," in m)
    assert "quote" in msg
    assert errs == [("links.csv", before, "note")]
    # the row after is still a link of its own, not part of a note
    read = read_csv(path, LINKS, Collector())
    assert read is not None
    assert read.frame is not None
    ids = read.frame["id"].tolist()
    assert ids[ids.index("uzen_domestic") + 1] == "cpc_1"
    assert read.frame.loc[ids.index("uzen_domestic"), "note"] == "estimate: see README"
    with pytest.raises(DatasetError):
        read_dataset(shipped)
    res = runner.invoke(app, ["plan", "--dataset", str(shipped)])
    assert res.exit_code == 2
    assert f"links.csv, row {before}, column 'note'" in res.output
    assert "Traceback" not in res.output


def test_rows_never_merge_in_a_loaded_network(shipped: Path) -> None:
    """A quoted line break (a multi-line cell) is an error too: one physical row each."""
    path = shipped / "nodes.csv"
    lines = lines_of(path)
    row = row_of(path, "tengiz")
    lines[row - 1] = replace_note(lines[row - 1], '"first line')
    lines.insert(row, 'second line"')
    write_lines(path, lines)
    errs = errors_of(shipped)
    assert errs == [("nodes.csv", row, "note")]
    assert "line break" in messages_of(shipped)[0]


def test_blank_lines_keep_row_numbers(shipped: Path) -> None:
    path = shipped / "links.csv"
    lines = lines_of(path)
    row = row_of(path, "cpc_1")
    lines.insert(row - 1, "")  # a blank spreadsheet row before cpc_1
    write_lines(path, lines)
    row += 1
    lines = lines_of(path)
    cells = next(csv.reader([lines[row - 1]]))
    cells[5] = "lots"  # capacity_mt_per_year
    lines[row - 1] = lines_to_csv([cells])
    write_lines(path, lines)
    assert errors_of(shipped) == [("links.csv", row, "capacity_mt_per_year")]


# --- 2. an unquoted comma splits a cell: right row, right column, field counts ------------


@pytest.mark.parametrize(
    ("file", "first", "column", "value"),
    [
        ("links.csv", "cpc_1", "capacity_mt_per_year", "1,000"),
        ("nodes.csv", "tengiz", "lat", "46,1528"),
        ("links.csv", "cpc_1", "name", "CPC, head station"),
    ],
)
def test_unquoted_comma_names_row_column_and_field_counts(
    shipped: Path, file: str, first: str, column: str, value: str
) -> None:
    path = shipped / file
    lines = lines_of(path)
    width = len(next(csv.reader([lines[0]])))
    row = row_of(path, first)
    cells = next(csv.reader([lines[row - 1]]))
    cells[lines[0].split(",").index(column)] = "\0"
    lines[row - 1] = lines_to_csv([cells]).replace("\0", value)  # written unquoted
    write_lines(path, lines)
    assert errors_of(shipped) == [(file, row, column)]
    msg = messages_of(shipped)[0]
    assert f"{width} fields" in msg
    assert f"{width + 1} fields" in msg
    assert value in msg


def test_too_few_fields_is_an_error(shipped: Path) -> None:
    path = shipped / "grades.csv"
    lines = lines_of(path)
    row = row_of(path, "kebco")
    cells = next(csv.reader([lines[row - 1]]))
    lines[row - 1] = lines_to_csv([cells[:4]])
    write_lines(path, lines)
    errs = errors_of(shipped)
    assert ("grades.csv", row, None) in errs
    msg = next(m for m in messages_of(shipped) if f"grades.csv, row {row}:" in m)
    n_header = len(next(csv.reader([lines[0]])))
    assert f"{n_header} fields" in msg
    assert "4 fields" in msg
    # no cascade: links and supplies naming kebco still resolve
    assert all(f == "grades.csv" for f, _, _ in errs)


def test_trailing_empty_fields_are_harmless(shipped: Path) -> None:
    path = shipped / "trade.csv"
    lines = lines_of(path)
    write_lines(path, lines[:1] + [t + ",," for t in lines[1:]])
    assert errors_of(shipped) == []


# --- 3. inputs that used to be internal errors --------------------------------------


def test_duplicated_header_column(shipped: Path) -> None:
    path = shipped / "links.csv"
    lines = lines_of(path)
    lines[0] = lines[0].replace("tariff_usd_per_t", "distance_km")
    write_lines(path, lines)
    errs = errors_of(shipped)
    assert ("links.csv", 1, "distance_km") in errs
    assert ("links.csv", 1, "tariff_usd_per_t") in errs  # now missing


def test_not_utf8(shipped: Path) -> None:
    path = shipped / "nodes.csv"
    text = path.read_text(encoding="utf-8")
    row = row_of(path, "tengiz")
    # one Latin-1 byte (0xEB, e-diaeresis) in an otherwise UTF-8 file
    path.write_bytes(text.encode("utf-8").replace(b"Tengiz", b"T\xebngiz", 1))
    errs = errors_of(shipped)
    assert errs == [("nodes.csv", row, None)]
    assert "UTF-8" in messages_of(shipped)[0]


def test_binary_file(shipped: Path) -> None:
    (shipped / "grades.csv").write_bytes(bytes(range(256)) * 20)
    errs = errors_of(shipped)
    assert errs[0][0] == "grades.csv"
    # grades unreadable: other files are still checked, but nothing cascades from it
    assert all(f == "grades.csv" for f, _, _ in errs)


def test_utf16_is_named(shipped: Path) -> None:
    path = shipped / "markets.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    msgs = messages_of(shipped)
    assert len(msgs) == 1
    assert "UTF-16" in msgs[0]


def test_directory_in_place_of_a_file(shipped: Path) -> None:
    (shipped / "supplies.csv").unlink()
    (shipped / "supplies.csv").mkdir()
    msgs = messages_of(shipped)
    assert len(msgs) == 1
    assert msgs[0].startswith("supplies.csv")
    assert "directory" in msgs[0]


def test_unreadable_file_still_reports_the_other_files(
    shipped: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = shipped / "nodes.csv"
    if os.geteuid() != 0:
        target.chmod(0)
    else:  # root reads anything: simulate the permission error
        real = Path.read_bytes

        def read_bytes(self: Path) -> bytes:
            if self == target:
                raise PermissionError(13, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", read_bytes)
    edit = shipped / "grades.csv"
    lines = lines_of(edit)
    lines[1] = lines[1].replace(",KZ,", ",Kazakhstan,", 1)
    write_lines(edit, lines)
    errs = errors_of(shipped)
    assert ("nodes.csv", None, None) in errs
    assert ("grades.csv", 2, "origin_country") in errs
    assert "Permission denied" in " ".join(messages_of(shipped))
    # nothing cascades from the unreadable nodes.csv (links naming nodes are not blamed)
    assert {f for f, _, _ in errs} == {"nodes.csv", "grades.csv"}


def test_huge_field(shipped: Path) -> None:
    path = shipped / "grades.csv"
    lines = lines_of(path)
    row = row_of(path, "kebco")
    lines[row - 1] = replace_note(lines[row - 1], "x" * 200_000)
    write_lines(path, lines)
    errs = errors_of(shipped)
    assert errs == [("grades.csv", row, "note")]
    assert "characters" in messages_of(shipped)[0]


def test_empty_file(shipped: Path) -> None:
    (shipped / "demands.csv").write_text("")
    msgs = messages_of(shipped)
    assert len(msgs) == 1
    assert msgs[0].startswith("demands.csv")
    assert "empty" in msgs[0]


def test_header_only_required_table(shipped: Path) -> None:
    path = shipped / "demands.csv"
    write_lines(path, lines_of(path)[:1])
    assert errors_of(shipped) == [("demands.csv", 2, None)]


def test_header_only_optional_table_is_fine(shipped: Path) -> None:
    path = shipped / "contracts.csv"
    write_lines(path, lines_of(path)[:1])
    assert errors_of(shipped) == []
    assert len(read_dataset(shipped).contracts) == 0


# --- 4. dataset.yaml keys ----------------------------------------------------------


def test_dataset_yaml_typo_warns_with_the_closest_key(shipped: Path) -> None:
    path = shipped / "dataset.yaml"
    path.write_text(path.read_text().replace("base_year:", "base_yaer:"))
    _, problems = load_dataset(shipped)
    warns = [p for p in problems if p.column == "base_yaer"]
    assert len(warns) == 1
    assert warns[0].severity == "warning"
    assert "base_year" in str(warns[0])
    assert warns[0].row is not None
    # base_year is required: its absence is an error
    assert ("dataset.yaml", None, "base_year") in errors_of(shipped)


def test_dataset_yaml_documentation_keys_are_known(shipped: Path) -> None:
    _, problems = load_dataset(shipped)
    assert [p for p in problems if p.file == "dataset.yaml"] == []


def test_dataset_yaml_missing(shipped: Path) -> None:
    (shipped / "dataset.yaml").unlink()
    assert ("dataset.yaml", None, None) in errors_of(shipped)


# --- 5. policies and demands naming what does not exist --------------------------------


def test_demand_on_a_node_that_is_not_a_refinery(shipped: Path) -> None:
    path = shipped / "demands.csv"
    lines = lines_of(path)
    row = row_of(path, "mozyr")
    lines[row - 1] = lines[row - 1].replace("mozyr,", "novorossiysk,", 1)
    write_lines(path, lines)
    assert errors_of(shipped) == [("demands.csv", row, "node")]
    assert "port" in messages_of(shipped)[0]


@pytest.mark.parametrize(
    ("old", "new", "column"),
    [
        ("origins: [RU]\n    modes", "origins: [UK]\n    modes", "origins"),
        ("importers: [EU]", "importers: [EUU]", "importers"),
        ("source: eu-reg-2022-879", "source: no-such-source", "source"),
        ("origins: [RU]\n    modes", "origins: [urals]\n    modes", "origins"),  # a grade, not a country
    ],
)
def test_policy_naming_unknown_things(shipped: Path, old: str, new: str, column: str) -> None:
    path = shipped / "policies.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    errs = errors_of(shipped)
    assert len(errs) == 1
    assert errs[0][0] == "policies.yaml"
    assert errs[0][1] is not None
    assert errs[0][2] == column


# --- the CLI: exit 2, one line per problem, no traceback --------------------------------


def test_cli_reports_every_broken_file_in_one_run(shipped: Path) -> None:
    links = shipped / "links.csv"
    lines = lines_of(links)
    row = row_of(links, "cpc_1")
    lines[row - 2] = replace_note(lines[row - 2], '"estimate: see README')
    write_lines(links, lines)
    nodes = shipped / "nodes.csv"
    lines = lines_of(nodes)
    lines[1] = lines[1].replace("46.1", "46,1", 1)
    write_lines(nodes, lines)
    (shipped / "trade.csv").write_bytes(b"reporter,partner\n\xff\xfe\x00")
    (shipped / "markets.csv").write_text("")
    (shipped / "sources.csv").write_text(
        (shipped / "sources.csv").read_text().replace("\n", "\n" + "x" * 200_000 + "\n", 1)
    )
    meta = shipped / "dataset.yaml"
    meta.write_text(meta.read_text().replace("base_year:", "base_yaer:"))
    res = runner.invoke(app, ["data", "validate", str(shipped)])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    out = res.output
    for where in (
        f"links.csv, row {row - 1}, column 'note'",
        "nodes.csv, row 2, column 'lat'",
        "trade.csv",
        "markets.csv",
        "sources.csv, row 2",
        "dataset.yaml, line",
    ):
        assert where in out, where
    error_lines = [t for t in out.splitlines() if t.startswith("error: ") and "problem(s)" not in t]
    assert len(error_lines) == 6, out


@pytest.mark.parametrize(
    ("old", "new", "column"),
    [
        ("origins: [RU]\n    modes", "origins: [FR]\n    modes", "origins"),  # no French grade
        ("importers: [PL, DE]", "importers: [PL, DK]", "importers"),  # no Danish node (typo for DE)
    ],
)
def test_policy_naming_a_country_the_dataset_never_uses_warns(
    shipped: Path, old: str, new: str, column: str
) -> None:
    path = shipped / "policies.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    _, problems = load_dataset(shipped)
    assert [p for p in problems if p.severity == "error"] == []
    warns = [p for p in problems if p.file == "policies.yaml"]
    assert [(p.column, p.severity) for p in warns] == [(column, "warning")]
    assert warns[0].row is not None
    assert "does nothing" in str(warns[0])


def test_crlf_bom_and_no_final_newline_read_the_same(shipped: Path) -> None:
    before = read_dataset(shipped)
    for name in ("links.csv", "nodes.csv"):
        path = shipped / name
        text = path.read_text(encoding="utf-8").rstrip("\n").replace("\n", "\r\n")
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert read_dataset(shipped) == before


def test_dataset_yaml_typo_in_an_optional_key_only_warns(shipped: Path) -> None:
    path = shipped / "dataset.yaml"
    path.write_text(path.read_text().replace("benchmark:", "benchmrk:"))
    net = read_dataset(shipped)
    assert [(w.column, w.severity) for w in net.warnings] == [("benchmrk", "warning")]
    assert "did you mean 'benchmark'" in str(net.warnings[0])
    res = runner.invoke(app, ["data", "validate", str(shipped)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["data", "validate", "--strict", str(shipped)])
    assert res.exit_code == 2, res.output


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("base_year", "2023.5"),
        ("base_year", "true"),
        ("reference_bbl_per_t", "0"),
        ("reference_bbl_per_t", "x"),
    ],
)
def test_dataset_yaml_values(shipped: Path, key: str, value: str) -> None:
    path = shipped / "dataset.yaml"
    lines = lines_of(path)
    row = next(i for i, t in enumerate(lines, 1) if t.startswith(key + ":"))
    lines[row - 1] = f"{key}: {value}"
    write_lines(path, lines)
    assert errors_of(shipped) == [("dataset.yaml", row, key)]
