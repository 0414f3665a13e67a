"""Safe output writing: no clobbering unasked, no half-written files, clear OS errors."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from pathlib import Path

import pytest

from crudeflow.io.output import (
    MANIFEST,
    OutputError,
    atomic_dir,
    atomic_file,
    check_dir_target,
    check_file_target,
    write_text,
)


def test_existing_file_is_kept_without_force(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    out.write_text("my edits")
    with pytest.raises(OutputError, match=r"report.html already exists: use --force"):
        write_text(out, "new")
    assert out.read_text() == "my edits"
    write_text(out, "new", force=True)
    assert out.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]  # no temporary left


def test_new_file_gets_normal_permissions_and_missing_folders(tmp_path: Path) -> None:
    out = write_text(tmp_path / "a" / "b" / "x.txt", "hi")
    assert out.read_text() == "hi"
    mode = stat.S_IMODE(out.stat().st_mode)
    assert mode & 0o044 == 0o044  # readable by group and others (umask 022), not 0600 of mkstemp


def test_failed_writer_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    out = tmp_path / "m.png"
    out.write_bytes(b"old")

    def fail(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise RuntimeError

    with pytest.raises(RuntimeError), atomic_file(out, force=True) as tmp:
        fail(tmp)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["m.png"]


def test_temporary_keeps_the_suffix_and_sits_beside(tmp_path: Path) -> None:
    with atomic_file(tmp_path / "map.svg") as tmp:
        assert tmp.parent == tmp_path
        assert tmp.suffix == ".svg"
        tmp.write_text("<svg/>")
    assert (tmp_path / "map.svg").read_text() == "<svg/>"


def test_file_created_meanwhile_is_not_replaced(tmp_path: Path) -> None:
    out = tmp_path / "r.html"

    def race(tmp: Path) -> None:
        tmp.write_text("ours")
        out.write_text("someone else's")

    with pytest.raises(OutputError, match="created while crudeflow was writing"), atomic_file(out) as tmp:
        race(tmp)
    assert out.read_text() == "someone else's"


def test_folder_device_unwritable_and_under_a_file(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="it is a folder"):
        check_file_target(tmp_path, force=True)
    # /dev/full is a character device: never replaced by a file, even with force
    with pytest.raises(OutputError, match="not a regular file"):
        check_file_target("/dev/full", force=True)
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    # /proc takes no new files, even for root
    with pytest.raises(OutputError, match=r"cannot write /proc: .*choose another folder"):
        check_file_target("/proc/crudeflow-out.html")
    a_file = tmp_path / "f"
    a_file.write_text("")
    with pytest.raises(OutputError, match="a part of the path is a file, not a folder"):
        check_file_target(a_file / "x.html")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        check_dir_target(a_file)


def test_full_disk_is_a_clear_error(tmp_path: Path) -> None:
    """A real ENOSPC from /dev/full inside the writer becomes one line naming the output."""
    out = tmp_path / "big.csv"

    def fill() -> None:
        with Path("/dev/full").open("w") as fh:
            fh.write("x" * 100_000)
            fh.flush()

    with pytest.raises(OutputError, match=r"cannot write .*big.csv: the disk is full"), atomic_file(out):
        fill()
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def _write_tables(folder: Path, tag: str, pause: float = 0.0) -> None:
    for i in range(8):
        (folder / f"t{i}.csv").write_text(f"{tag}\n")
        time.sleep(pause)


def test_non_empty_folder_needs_force_and_user_files_survive(tmp_path: Path) -> None:
    d = tmp_path / "out"
    d.mkdir()
    (d / "t0.csv").write_text("my edits")
    (d / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"is not empty.*--force"), atomic_dir(d, manifest=True) as tmp:
        _write_tables(tmp, "a")  # never reached: the check comes first
    assert (d / "t0.csv").read_text() == "my edits"
    with atomic_dir(d, force=True, manifest=True) as tmp:
        _write_tables(tmp, "a")
    assert (d / "t0.csv").read_text() == "a\n"
    assert (d / "notes.txt").read_text() == "mine"  # not ours: never deleted


def test_own_unchanged_folder_is_rewritten_but_an_edit_stops_it(tmp_path: Path) -> None:
    d = tmp_path / "out"
    with atomic_dir(d, manifest=True) as tmp:
        _write_tables(tmp, "a")
    assert set(json.loads((d / MANIFEST).read_text())["files"]) == {f"t{i}.csv" for i in range(8)}
    with atomic_dir(d, manifest=True) as tmp:  # crudeflow wrote it and nothing changed: fine
        _write_tables(tmp, "b")
        (tmp / "t7.csv").unlink()
    assert (d / "t0.csv").read_text() == "b\n"
    assert not (d / "t7.csv").exists()  # ours from the last run, unchanged: removed as stale
    (d / "t3.csv").write_text("edited by hand")
    with pytest.raises(OutputError, match="did not write \\(or changed since\\)"):
        check_dir_target(d, manifest=True)
    assert (d / "t3.csv").read_text() == "edited by hand"


@pytest.mark.parametrize("exists", [False, True])
def test_concurrent_folder_writers_leave_one_complete_set(tmp_path: Path, exists: bool) -> None:
    """Two writers started together (slow, interleaving writes) leave one writer's tables."""
    d = tmp_path / "out"
    if exists:
        with atomic_dir(d, manifest=True) as tmp:
            _write_tables(tmp, "old")
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(tag: str) -> None:
        try:
            start.wait()
            with atomic_dir(d, manifest=True) as tmp:
                _write_tables(tmp, tag, pause=0.01)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    tags = {(d / f"t{i}.csv").read_text() for i in range(8)}
    assert tags in ({"a\n"}, {"b\n"}), tags
    assert sorted(p.name for p in d.iterdir()) == sorted([MANIFEST] + [f"t{i}.csv" for i in range(8)])
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary folder left
    check_dir_target(d, manifest=True)  # the manifest matches what is there
