"""Citations hold: every source id named anywhere is listed, every listed one is used,
sourced rows carry evidence, and observed flows name what the model can measure."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from crudeflow.exceptions import Problem
from crudeflow.io.dataset import load_dataset
from crudeflow.io.sources_check import named_in_note

OBSERVED_HEADER = (
    "id,quantity,year,period,value,unit,measure,links,origins,grades,importer,exporter,"
    "tolerance,role,source,evidence,confidence,note\n"
)


def _problems(folder: Path) -> list[Problem]:
    return load_dataset(folder)[1]


def _edit_csv(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell; ``row`` as a spreadsheet numbers it (header = 1)."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index(column)
    rows[row - 1][col] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def _add_source(folder: Path, sid: str) -> None:
    with (folder / "sources.csv").open("a", encoding="utf-8") as fh:
        fh.write(f"{sid},a page,someone,https://example.org,2023,,\n")


def test_note_convention_picks_hyphenated_items_in_parentheses() -> None:
    note = "20 Mt/yr (gem-kcp, kmg-ar2020); 962 km (rferl 2006); estimate: (assumption, README) great-circle"
    assert named_in_note(note) == ["gem-kcp", "kmg-ar2020"]


def test_clean_folder_has_no_citation_problems(folder: Path) -> None:
    assert [str(p) for p in _problems(folder)] == []


def test_note_naming_an_unlisted_source_is_an_error(folder: Path) -> None:
    _edit_csv(folder / "links.csv", 3, "note", "capacity 20 Mt/yr (no-such-source)")
    errs = [p for p in _problems(folder) if p.severity == "error"]
    assert len(errs) == 1
    p = errs[0]
    assert (p.file, p.row, p.column) == ("links.csv", 3, "note")
    assert "no-such-source" in p.found


def test_policy_note_naming_an_unlisted_source_is_an_error(folder: Path) -> None:
    text = (folder / "policies.yaml").read_text(encoding="utf-8")
    text = text.replace("source: test", "source: test\n  note: EU embargo (eu-reg-missing)")
    (folder / "policies.yaml").write_text(text, encoding="utf-8")
    errs = [p for p in _problems(folder) if p.severity == "error"]
    assert [(p.file, "eu-reg-missing" in p.found) for p in errs] == [("policies.yaml", True)]
    assert errs[0].row is not None


def test_dataset_yaml_source_key_must_be_listed(folder: Path) -> None:
    meta = folder / "dataset.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + "reference_bbl_per_t_source: nowhere-733\n")
    errs = [p for p in _problems(folder) if p.severity == "error"]
    assert [(p.file, p.column) for p in errs] == [("dataset.yaml", "reference_bbl_per_t_source")]


def test_unused_source_is_a_warning_on_its_row(folder: Path) -> None:
    _add_source(folder, "never-cited")
    probs = _problems(folder)
    assert [(p.severity, p.file, p.row, p.column) for p in probs] == [("warning", "sources.csv", 3, "id")]
    assert "never-cited" in probs[0].found


def test_a_source_named_only_in_a_note_counts_as_used(folder: Path) -> None:
    _add_source(folder, "searoute")
    _add_source(folder, "gem-kcp")
    _edit_csv(folder / "links.csv", 2, "note", "distance from searoute 1.6.0 (searoute); 20 Mt/yr (gem-kcp)")
    assert [str(p) for p in _problems(folder)] == []


def test_a_url_does_not_count_as_naming_a_source(folder: Path) -> None:
    _add_source(folder, "gem-kcp")
    _edit_csv(folder / "links.csv", 2, "note", "see https://gem.wiki/gem-kcp/page")
    assert [p.found for p in _problems(folder)] == ["'gem-kcp' is never used"]


def test_confidence_takes_only_the_four_grades(folder: Path) -> None:
    _edit_csv(folder / "links.csv", 2, "confidence", "high")
    _edit_csv(folder / "links.csv", 2, "evidence", "a quote")
    errs = [p for p in _problems(folder) if p.severity == "error"]
    assert [(p.file, p.row, p.column) for p in errs] == [("links.csv", 2, "confidence")]
    assert "official" in errs[0].expected


def test_graded_row_without_evidence_is_a_warning(folder: Path) -> None:
    _edit_csv(folder / "links.csv", 2, "confidence", "operator")
    _edit_csv(folder / "links.csv", 3, "confidence", "estimate")
    probs = _problems(folder)
    assert [(p.severity, p.file, p.row, p.column) for p in probs] == [("warning", "links.csv", 2, "evidence")]


def _observed(folder: Path, *rows: str) -> None:
    (folder / "observed.csv").write_text(OBSERVED_HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")


GOOD = "cpc-2023,CPC,2023,,56,Mt/yr,link_flow,cpc,KZ,,,,5.6,calibrate,test,'about 56',official,"


def test_observed_rows_load_and_reach_the_network(folder: Path) -> None:
    share = "cpc-share,CPC share,2023,,80,%,exporter_share,cpc,,,,KZ,5,holdout,test,q,press,"
    half = "h1,H1,2023,2023-01..2023-06,4.9,Mt,link_flow,cpc,,,,,0.49,holdout,test,q,operator,"
    _observed(folder, GOOD, share, half)
    net, probs = load_dataset(folder)
    assert [str(p) for p in probs] == []
    assert net is not None
    assert list(net.observed.index) == ["cpc-2023", "cpc-share", "h1"]
    assert net.observed.loc["cpc-2023", "links"] == ("cpc",)
    assert net.observed.loc["cpc-share", "tolerance"] == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("row", "column", "found"),
    [
        (GOOD.replace(",cpc,KZ,", ",nolink,KZ,"), "links", "nolink"),
        (GOOD.replace("Mt/yr", "kt"), "unit", "kt"),
        (GOOD.replace("link_flow", "flow"), "measure", "flow"),
        (GOOD.replace(",KZ,", ",KZZ,"), "origins", "KZZ"),
        (GOOD.replace("calibrate", "fit"), "role", "fit"),
        (GOOD.replace(",5.6,", ",0,"), "tolerance", "0"),
        (GOOD.replace(",,56,Mt/yr,", ",,56,%,"), "unit", "%"),
        (GOOD.replace(",,56,Mt/yr,", ",,56,Mt,"), "period", "nothing"),
        (GOOD.replace(",,56,Mt/yr,", ",2023-07..2023-01,56,Mt,"), "period", "2023-07..2023-01"),
        (GOOD.replace(",,56,Mt/yr,", ",2022-01..2022-06,56,Mt,"), "period", "2022-01"),
        (GOOD.replace("link_flow,cpc,KZ,", "exporter_share,cpc,KZ,"), "exporter", "an empty cell"),
        (GOOD.replace("link_flow,cpc,KZ,", "origin_to_importer,,,"), "importer", "an empty cell"),
        (GOOD.replace(",test,", ",nosource,"), "source", "nosource"),
    ],
)
def test_observed_problems_name_row_and_column(folder: Path, row: str, column: str, found: str) -> None:
    _observed(folder, GOOD, row.replace("cpc-2023", "bad", 1))
    errs = [p for p in _problems(folder) if p.severity == "error"]
    assert errs, row
    assert all((p.file, p.row) == ("observed.csv", 3) for p in errs)
    assert column in [p.column for p in errs]
    assert any(found in p.found for p in errs if p.column == column)


def test_confidence_counts_per_table(folder: Path) -> None:
    from crudeflow.api import data_overview

    _edit_csv(folder / "links.csv", 2, "confidence", "operator")
    _edit_csv(folder / "links.csv", 2, "evidence", "a quote")
    _edit_csv(folder / "links.csv", 3, "confidence", "estimate")
    conf = data_overview(folder).confidence
    # three links: one operator, one estimate, one not graded
    assert conf.loc["links"].to_dict() == {
        "official": 0,
        "operator": 1,
        "press": 0,
        "estimate": 1,
        "ungraded": 1,
    }
    assert conf.loc["total", "operator"] == 1
    assert conf.loc["total", "ungraded"] == conf.loc["total"].sum() - 2
