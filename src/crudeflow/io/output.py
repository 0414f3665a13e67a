"""Safe output writing: never clobber a user's file unasked, never leave a half-written one.

Every file crudeflow writes goes to a temporary file beside the target (same folder, so
the same file system) and is then renamed over it, so a reader sees the old file or the
new one, never a mix. A folder of files (``plan --csv``, ``data export``) is written to a
temporary folder beside it and renamed into place; into an existing folder, file by file
under a lock on the folder, so two writers started together leave one writer's set.

An existing file is only replaced with ``force``; an existing non-empty folder only with
``force``, or (for ``manifest`` folders such as ``plan --csv``) when crudeflow wrote it
and none of its files changed since (``.crudeflow-manifest.json`` holds their SHA-256).
``OSError`` becomes :class:`OutputError` naming the path, the cause and what to do.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from crudeflow.exceptions import CrudeflowError

MANIFEST = ".crudeflow-manifest.json"
"""The file in a ``manifest`` folder listing what crudeflow wrote there (name → SHA-256)."""

_HINTS: dict[int, str] = {
    errno.ENOSPC: "the disk is full: free some space or write somewhere else",
    errno.EDQUOT: "the disk quota is exceeded: free some space or write somewhere else",
    errno.EROFS: "the file system is read-only: write somewhere else",
    errno.EACCES: "permission denied: choose a folder you can write to",
    errno.EPERM: "the operation is not permitted here: choose a folder you can write to",
    errno.ENOTDIR: "a part of the path is a file, not a folder: fix the path",
    errno.EISDIR: "it is a folder: give a file name",
    errno.ENOENT: "the folder does not exist or does not accept new files: choose another folder",
    errno.ENAMETOOLONG: "the name is too long: choose a shorter path",
    errno.EEXIST: "it already exists: choose another name or use --force",
    errno.ENOTEMPTY: "the folder is not empty: choose another folder or use --force",
}


class OutputError(CrudeflowError):
    """An output file or folder cannot be written (exists, is a folder, disk full, …)."""

    exit_code = 2


def describe_os_error(exc: OSError, path: str | Path) -> str:
    """One line for a failed write: the path, the cause and what to do about it."""
    hint = _HINTS.get(exc.errno or -1)
    cause = exc.strerror or str(exc)
    return f"cannot write {path}: {hint} ({cause})" if hint else f"cannot write {path}: {cause}"


@contextlib.contextmanager
def output_errors(path: str | Path) -> Iterator[None]:
    """Turn an ``OSError`` raised inside the block into an :class:`OutputError` about ``path``."""
    try:
        yield
    except OSError as exc:
        raise OutputError(describe_os_error(exc, path)) from exc


def _umask() -> int:
    """The process umask, read without changing it (Linux); 0o022 where it can't be read."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def _ensure_folder(folder: Path) -> None:
    """Check a new file can be made in ``folder``, or in its nearest existing parent if missing."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    with output_errors(existing):
        if not existing.is_dir():
            raise OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
        fd, probe = tempfile.mkstemp(dir=existing, prefix=".crudeflow-probe-")
        os.close(fd)
        os.unlink(probe)


def _make_folder(folder: Path) -> list[Path]:
    """Create ``folder`` and missing parents; return the ones created, deepest first."""
    missing = []
    p = folder
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    with output_errors(folder):
        folder.mkdir(parents=True, exist_ok=True)
    return missing


def _remove_empty(folders: list[Path]) -> None:
    """Remove folders this run created (deepest first) if they are still empty."""
    for f in folders:
        with contextlib.suppress(OSError):
            f.rmdir()


def check_file_target(path: str | Path, *, force: bool = False) -> Path:
    """Check before any work that ``path`` can be written (missing folders are made later).

    Refuses a folder, a device or pipe, an existing file without ``force``, and a folder
    that does not accept new files (read-only, under a file, …).
    """
    p = Path(path)
    if p.is_dir():
        msg = f"cannot write {p}: it is a folder; give a file name inside it"
        raise OutputError(msg)
    if p.exists() or p.is_symlink():
        if not p.is_file():
            msg = f"cannot write {p}: it exists and is not a regular file; choose another name"
            raise OutputError(msg)
        if not force:
            msg = f"{p} already exists: use --force to overwrite it, or choose another name"
            raise OutputError(msg)
    _ensure_folder(p.parent)
    return p


def _publish_mode(path: Path, executable: bool = False) -> None:
    """Give a temporary file or folder the permissions a normally created one would have."""
    base = 0o777 if executable else 0o666
    os.chmod(path, base & ~_umask())


@contextlib.contextmanager
def atomic_file(path: str | Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` (same suffix) to write; then move it into place.

    Without ``force`` the move never replaces a file, even one created meanwhile. On any
    error the temporary file is removed and the target is left as it was.
    """
    target = check_file_target(path, force=force)
    made = _make_folder(target.parent)
    tmp: Path | None = None
    done = False
    try:
        with output_errors(target):
            tmp_suffix = f".tmp{target.suffix}"  # the writer may pick the format from the suffix
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=tmp_suffix)
            os.close(fd)
            tmp = Path(name)
            yield tmp
            _publish_mode(tmp)
            _commit_file(tmp, target, force)
            done = True
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        if not done:
            _remove_empty(made)


def _commit_file(tmp: Path, target: Path, force: bool) -> None:
    """Rename ``tmp`` to ``target``; without ``force``, fail if ``target`` exists by then."""
    if force:
        if target.exists() and not target.is_file():
            msg = f"cannot write {target}: it exists and is not a regular file; choose another name"
            raise OutputError(msg)
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)  # atomic and never replaces an existing file
    except FileExistsError:
        msg = f"{target} already exists (created while crudeflow was writing): use --force or another name"
        raise OutputError(msg) from None
    except OSError:  # a file system without hard links: check, then rename
        if target.exists():
            msg = f"{target} already exists: use --force to overwrite it, or choose another name"
            raise OutputError(msg) from None
        os.replace(tmp, target)


def write_text(path: str | Path, text: str, *, force: bool = False) -> Path:
    """Write UTF-8 text to ``path`` atomically (see :func:`atomic_file`)."""
    with atomic_file(path, force=force) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _files(folder: Path) -> list[str]:
    """Every file below ``folder`` as a relative POSIX path, sorted."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir())


def _manifest(folder: Path) -> dict[str, str] | None:
    """The files crudeflow wrote in ``folder`` (name → SHA-256), or None if it has no manifest."""
    try:
        doc = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = doc["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        return None
    return {str(k): v for k, v in files.items()}


def _unchanged_output(folder: Path) -> bool:
    """True if every file in ``folder`` is one crudeflow wrote there and none changed since."""
    known = _manifest(folder)
    if known is None:
        return False
    for name in _files(folder):
        if name == MANIFEST:
            continue
        if name not in known or _sha256(folder / name) != known[name]:
            return False
    return True


def check_dir_target(directory: str | Path, *, force: bool = False, manifest: bool = False) -> Path:
    """Check before any work that files can be written into ``directory``.

    A missing or empty folder is fine. A non-empty one needs ``force`` — or, with
    ``manifest``, to be one crudeflow wrote whose files are all unchanged.
    """
    d = Path(directory)
    if d.exists() and not d.is_dir():
        msg = f"cannot write into {d}: it is a file, not a folder; give a folder name"
        raise OutputError(msg)
    if d.is_dir():
        with output_errors(d):
            empty = next(d.iterdir(), None) is None
        if not empty and not force and not (manifest and _unchanged_output(d)):
            why = " and holds files crudeflow did not write (or changed since)" if manifest else ""
            msg = (
                f"{d} is not empty{why}: use --force to write into it (files of the same name are "
                "replaced, others left alone), or give a new or empty folder"
            )
            raise OutputError(msg)
    _ensure_folder(d.parent)
    return d


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive advisory lock on ``folder`` (POSIX ``flock`` on the folder itself)."""
    if sys.platform == "win32":  # pragma: no cover - no flock; renames are still per file
        yield
        return
    import fcntl

    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def atomic_dir(directory: str | Path, *, force: bool = False, manifest: bool = False) -> Iterator[Path]:
    """Yield a temporary folder beside ``directory`` to fill; then move its files into place.

    A missing or empty target is replaced by one rename; a non-empty one (allowed as in
    :func:`check_dir_target`, checked again under the lock) gets the files one by one
    while the folder is locked, so concurrent writers leave one writer's complete set.
    With ``manifest``, the folder gets a manifest of its files' hashes, and files listed
    in the previous manifest but not written this time are removed (crudeflow wrote them).
    """
    target = check_dir_target(directory, force=force, manifest=manifest)
    made = _make_folder(target.parent)
    tmp: Path | None = None
    done = False
    try:
        with output_errors(target):
            tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
            yield tmp
            names = _files(tmp)
            if manifest:
                files = {n: _sha256(tmp / n) for n in names if n != MANIFEST}
                (tmp / MANIFEST).write_text(json.dumps({"files": files}, indent=1) + "\n", encoding="utf-8")
                names = _files(tmp)
            for n in names:
                _publish_mode(tmp / n)
            for sub in [p for p in tmp.rglob("*") if p.is_dir()] + [tmp]:
                _publish_mode(sub, executable=True)
            _commit_dir(tmp, target, names, force=force, manifest=manifest)
            done = True
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if not done:
            _remove_empty(made)


def _commit_dir(tmp: Path, target: Path, names: list[str], *, force: bool, manifest: bool) -> None:
    try:
        os.rename(tmp, target)  # replaces a missing or empty folder in one step (POSIX)
        return
    except OSError as exc:
        if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY) or not target.is_dir():
            raise
    with _folder_lock(target):
        old = _manifest(target) if manifest else None
        empty = next(target.iterdir(), None) is None
        if not empty and not force and not (manifest and _unchanged_output(target)):
            msg = (
                f"{target} is not empty (files appeared while crudeflow was writing): use --force, "
                "or give a new or empty folder"
            )
            raise OutputError(msg)
        for n in names:
            dst = target / n
            if dst.is_dir():
                msg = f"cannot write {dst}: it is a folder; move it away or choose another folder"
                raise OutputError(msg)
        for n in sorted(names, key=lambda n: n == MANIFEST):  # the manifest last
            dst = target / n
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / n, dst)
        for n in set(old or ()) - set(names):
            stale = target / n
            if stale.is_file() and _sha256(stale) == (old or {})[n]:
                stale.unlink()


def is_inside(path: str | Path, folder: str | Path) -> bool:
    """True if ``path`` is ``folder`` or lies inside it (after resolving links)."""
    p, f = Path(path).resolve(), Path(folder).resolve()
    return p == f or f in p.parents
