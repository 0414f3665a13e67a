"""Commands that write files: never overwrite unasked, atomic, clear errors (exit 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from crudeflow.cli import app
from crudeflow.io.output import MANIFEST

runner = CliRunner()


def _clean(res: Result, code: int = 2) -> str:
    """The run exited with ``code`` through crudeflow's own error path (no stray exception)."""
    assert res.exit_code == code, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output
    return " ".join(res.output.split())


def _snapshot(d: Path) -> dict[str, bytes]:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


# --- data export -------------------------------------------------------------------------


def test_export_refuses_a_folder_with_the_users_edits(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    assert runner.invoke(app, ["data", "export", str(folder), str(out)]).exit_code == 0
    (out / "nodes.csv").write_text("my edited nodes\n")
    (out / "README.md").write_text("my notes\n")
    before = _snapshot(out)
    text = _clean(runner.invoke(app, ["data", "export", str(folder), str(out)]))
    assert "is not empty" in text
    assert "--force" in text
    assert _snapshot(out) == before


def test_export_force_replaces_dataset_files_and_keeps_others(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "nodes.csv").write_text("old\n")
    (out / "keep.txt").write_text("mine\n")
    res = runner.invoke(app, ["data", "export", str(folder), str(out), "--force"])
    assert res.exit_code == 0, res.output
    assert (out / "nodes.csv").read_bytes() == (folder / "nodes.csv").read_bytes()
    assert (out / "keep.txt").read_text() == "mine\n"
    assert runner.invoke(app, ["data", "validate", str(out)]).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds", "mine"]  # no temporary left


def test_export_onto_itself_is_a_clean_error(folder: Path) -> None:
    before = _snapshot(folder)
    for target in (folder, folder / "sub"):
        for extra in ([], ["--force"]):
            text = _clean(runner.invoke(app, ["data", "export", str(folder), str(target), *extra]))
            assert "the dataset's own folder" in text
    assert _snapshot(folder) == before


def test_export_to_a_file_or_unwritable_place(folder: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "f.txt"
    a_file.write_text("x")
    assert "is a file, not a folder" in _clean(
        runner.invoke(app, ["data", "export", str(folder), str(a_file)])
    )
    text = _clean(runner.invoke(app, ["data", "export", str(folder), "/proc/crudeflow-copy"]))
    assert "cannot write /proc" in text


# --- plan --csv --------------------------------------------------------------------------


def test_plan_csv_rewrites_its_own_folder_but_not_edits(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    args = ["plan", "-d", str(folder), "--json", "--csv", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    assert (out / MANIFEST).is_file()
    assert runner.invoke(app, args).exit_code == 0  # crudeflow wrote it, nothing changed
    (out / "costs.csv").write_text("edited\n")
    text = _clean(runner.invoke(app, args))
    assert "not empty" in text
    assert "--force" in text
    assert (out / "costs.csv").read_text() == "edited\n"
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
    assert "delivered_cost_usd_per_t" in (out / "costs.csv").read_text()


def test_plan_csv_refuses_a_foreign_folder_and_a_file(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "letter.txt").write_text("dear minister")
    _clean(runner.invoke(app, ["plan", "-d", str(folder), "--csv", str(out)]))
    assert [p.name for p in out.iterdir()] == ["letter.txt"]
    a_file = out / "letter.txt"
    assert "is a file, not a folder" in _clean(
        runner.invoke(app, ["plan", "-d", str(folder), "--csv", str(a_file)])
    )


def test_two_plan_csv_runs_started_together_leave_one_plan(folder: Path, tmp_path: Path) -> None:
    """Two real processes write different plans to one folder: it ends up exactly one of them."""
    sc = tmp_path / "cut.yaml"
    sc.write_text("name: cut\nchanges:\n  - disable_links: [ar]\n")
    variants = [[], ["-s", str(sc)]]
    refs = []
    for i, v in enumerate(variants):
        ref = tmp_path / f"ref{i}"
        assert runner.invoke(app, ["plan", "-d", str(folder), "--json", "--csv", str(ref), *v]).exit_code == 0
        refs.append(_snapshot(ref))
    assert refs[0]["costs.csv"] != refs[1]["costs.csv"]
    out = tmp_path / "shared"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "crudeflow.cli",
                "plan",
                "-d",
                str(folder),
                "--json",
                "--csv",
                str(out),
                *v,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        for v in variants
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    assert _snapshot(out) in refs
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.yaml", "ds", "ref0", "ref1", "shared"]


# --- report -o and map -o ----------------------------------------------------------------


def test_report_and_map_keep_an_existing_file(folder: Path, tmp_path: Path) -> None:
    for cmd, name in (("report", "r.html"), ("map", "m.png")):
        out = tmp_path / name
        out.write_text("the minister's copy")
        text = _clean(runner.invoke(app, [cmd, "-d", str(folder), "-o", str(out)]))
        assert f"{out} already exists: use --force" in text
        assert out.read_text() == "the minister's copy"
    res = runner.invoke(
        app, ["map", "-d", str(folder), "-o", str(tmp_path / "m.png"), "--dpi", "50", "--force"]
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds", "m.png", "r.html"]


@pytest.mark.parametrize("cmd", ["report", "map"])
def test_output_that_is_a_folder_or_unwritable(cmd: str, folder: Path, tmp_path: Path) -> None:
    assert "it is a folder" in _clean(runner.invoke(app, [cmd, "-d", str(folder), "-o", str(tmp_path)]))
    text = _clean(runner.invoke(app, [cmd, "-d", str(folder), "-o", "/proc/crudeflow.png"]))
    assert "cannot write /proc" in text
    assert "choose another folder" in text
    a_file = tmp_path / "f"
    a_file.write_text("")
    text = _clean(runner.invoke(app, [cmd, "-d", str(folder), "-o", str(a_file / "x.png")]))
    assert "a part of the path is a file, not a folder" in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--dpi", "0"], "--dpi"),
        (["--dpi", "-5"], "--dpi"),
        (["--width", "0"], "--width"),
        (["--width", "nan"], "--width"),
        (["--width", "150", "--dpi", "400"], "60,000 pixels wide"),
    ],
)
def test_map_size_values(args: list[str], expected: str, folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.png"
    assert expected in _clean(runner.invoke(app, ["map", "-d", str(folder), "-o", str(out), *args]))
    assert not out.exists()


def test_a_failed_run_creates_no_folder(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "new" / "sub"
    _clean(runner.invoke(app, ["map", "-d", str(folder), "-s", "no-such-scenario", "-o", str(out / "m.png")]))
    _clean(runner.invoke(app, ["plan", "-d", str(folder), "-s", "no-such-scenario", "--csv", str(out)]))
    assert not (tmp_path / "new").exists()
    res = runner.invoke(app, ["map", "-d", str(folder), "--dpi", "30", "-o", str(out / "m.png")])
    assert res.exit_code == 0, res.output
    assert [p.name for p in out.iterdir()] == ["m.png"]
