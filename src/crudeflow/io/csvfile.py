"""Read a dataset CSV file strictly: one physical line is one row, every row as wide as the header.

Rows never merge (an unclosed quote or a quoted line break is an error on its row, and
the rows after it are still read), an unquoted comma that splits a cell is reported at
its row and column, and unreadable, binary, non-UTF-8, empty or header-only files are
problems with the file's name, not exceptions. Rows are numbered as a spreadsheet
shows them: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import math
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from crudeflow.io.validate import FALSE, TRUE, Collector
from crudeflow.schema import Table

_NEWLINE = re.compile(r"\r\n|\r|\n")
_NUMBER_WITH_COMMA = re.compile(r"^\s*[-+]?(\d{1,3}(,\d{3})+(\.\d+)?|\d+,\d+)\s*$")
"""1,000 or 12,345.6 (thousands separators) or 46,1528 (a decimal comma)."""
EXCERPT_CHARS = 60
"""How much of a cell an error quotes."""


@dataclass
class CsvRead:
    """One CSV file as strings, with the rows whose problems are already reported.

    ``frame`` is None when the file could not be read at all; its index is the
    spreadsheet row minus 2 (so ``index + 2`` is the row a user sees). ``broken_rows``
    are rows with a structural problem (wrong field count, unclosed quote): checks
    skip their cells so one fault is one line, not a cascade.
    """

    frame: pd.DataFrame | None
    broken_rows: frozenset[int] = field(default_factory=frozenset)
    usable: bool = True
    """False when the table is unreadable or empty: other files' references to it are not checked."""


def read_bytes(path: Path, file: str, out: Collector, *, what: str = "a CSV file") -> bytes | bool:
    """The bytes of a regular file, False when there is none, True when it cannot be read.

    An unreadable file (a directory, a pipe, no permission) is reported to ``out``.
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        out.error(file, None, None, f"{what} crudeflow can read", f"{exc.strerror or exc} ({path})")
        return True
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file (a pipe or device)"
        out.error(file, None, None, f"{what} (a regular file)", f"{kind} at {path}")
        return True
    try:
        return path.read_bytes()
    except OSError as exc:
        fix = " (check its permissions)" if isinstance(exc, PermissionError) else ""
        out.error(file, None, None, f"{what} crudeflow can read{fix}", f"{exc.strerror or exc} ({path})")
        return True


def decode_text(data: bytes, file: str, out: Collector) -> str | None:
    """UTF-8 text (a BOM is dropped); binary, UTF-16 or other encodings are a problem."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        out.error(
            file,
            None,
            None,
            "UTF-8 text (save it again as 'CSV UTF-8')",
            "UTF-16 text",
        )
        return None
    nul = data.find(b"\x00")
    if nul >= 0:
        out.error(
            file,
            data.count(b"\n", 0, nul) + 1,
            None,
            "a text file in UTF-8",
            "binary data (a NUL byte)",
        )
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data.count(b"\n", 0, exc.start) + 1
        out.error(
            file,
            row,
            None,
            "UTF-8 text (save it again as 'CSV UTF-8'; Latin-1 or Windows-1252 is not read)",
            f"byte 0x{data[exc.start]:02x}, which is not UTF-8",
        )
        return None


def read_csv(path: Path, table: Table, out: Collector) -> CsvRead | None:
    """Read one dataset CSV strictly; None when the file does not exist."""
    data = read_bytes(path, table.file, out)
    if data is False:
        return None
    if data is True:
        return CsvRead(None, usable=False)
    text = decode_text(data, table.file, out)
    if text is None:
        return CsvRead(None, usable=False)
    return parse_csv_text(text, table, out)


def parse_csv_text(text: str, table: Table, out: Collector) -> CsvRead:
    """Parse CSV text with the checks of :func:`read_csv`."""
    file = table.file
    if not text.strip():
        out.error(file, None, None, f"a header row ({','.join(table.names)})", "an empty file")
        return CsvRead(None, usable=False)
    records = _fast_records(text)
    reported: set[int] = set()
    if records is None:
        lines = _NEWLINE.split(text)
        if lines[-1] == "":
            lines.pop()
        records = _line_records(lines, table, out, reported)
    header = records[0]
    if not header or not "".join(header).strip():
        out.error(file, 1, None, f"the header row ({','.join(table.names)})", "an empty row")
        return CsvRead(None, usable=False)
    names = [h.strip() for h in header]
    width = len(names)
    broken: set[int] = set()
    rows: list[int] = []
    cells: list[list[str]] = []
    for i in range(1, len(records)):
        fields = records[i]
        if not fields or not "".join(fields).strip():
            continue  # a blank row (still counted)
        row = i + 1
        if len(fields) != width:
            if len(fields) > width and not "".join(fields[width:]).strip():
                j = _locate_split(fields, names, table)
                if j is None or not _numeric(names[j], table):
                    fields = fields[:width]  # trailing empty cells (spreadsheet exports): nothing is lost
            if len(fields) != width:
                if row in reported:
                    fields = (fields + [""] * width)[:width]
                else:
                    fields = _fix_width(fields, names, table, row, out)
                broken.add(row)
        rows.append(row)
        cells.append(fields)
    broken |= reported
    keep = _check_header(names, cells, file, out)
    frame = pd.DataFrame(
        cells if len(keep) == width else [[r[k] for k in keep] for r in cells],
        columns=[names[k] for k in keep],
        index=pd.Index([r - 2 for r in rows], dtype="int64"),
        dtype=object,
    )
    if not table.optional and len(frame) == 0:
        out.error(file, 2, None, "at least one data row below the header", "only the header")
        return CsvRead(frame, frozenset(broken), usable=False)
    return CsvRead(frame, frozenset(broken))


def _fast_records(text: str) -> list[list[str] | None] | None:
    """The records, one per line (blank lines included), or None if any spans two lines.

    Each record takes at least one line, so as many records as lines means one each.
    """
    try:
        records: list[list[str] | None] = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error:
        return None
    if "\r" in text:
        n_lines = len(_NEWLINE.findall(text)) + (0 if text.endswith(("\n", "\r")) else 1)
    else:
        n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    return records if len(records) == n_lines else None


def _line_records(
    lines: list[str], table: Table, out: Collector, reported: set[int]
) -> list[list[str] | None]:
    """Parse line by line so no record spans two lines; quote and size problems are reported.

    One entry per line (None for lines a multi-line cell took); rows with a problem
    reported go into ``reported``.
    """
    names = [h.strip() for h in _loose(lines[0])] if lines else []
    records: list[list[str] | None] = []
    i = 0
    while i < len(lines):
        row = i + 1
        line = lines[i]
        try:
            records.append(next(csv.reader([line], strict=True), []))
            i += 1
            continue
        except csv.Error as exc:
            problem = str(exc)
        i += 1
        if "field larger than field limit" in problem:
            limit = csv.field_size_limit()
            fields = _loose(line, limit=len(line) + 1)
            k = max(range(len(fields)), key=lambda j: len(fields[j]))
            out.error(
                table.file,
                row,
                names[k] if row > 1 and k < len(names) else None,
                f"a cell of at most {limit:,} characters (long text belongs in README.md)",
                f"a cell of {len(fields[k]):,} characters",
            )
            fields[k] = ""
            records.append(fields)
            reported.add(row)
            continue
        fields = _loose(line)
        col = names[len(fields) - 1] if row > 1 and 0 < len(fields) <= len(names) else None
        cell = fields[-1] if fields else line
        joined = _multiline(lines, i - 1, len(names))
        if joined is not None:
            end, fields = joined
            out.error(
                table.file,
                row,
                col,
                "every cell on one line (a line break inside a quoted cell is not read: join the lines)",
                f"a cell running on to row {end + 1}: {_excerpt(cell)}",
            )
            records.append(fields)
            records.extend([None] * (end + 1 - i))
            reported.add(row)
            i = end + 1
            continue
        if "expected after" in problem:
            what = 'a cell quoted as a whole ("...") or not at all; write a quote inside it as ""'
            found = f"text after a closing quote: {_excerpt(line)}"
        else:
            what = 'a closing quote " on the same row (an unclosed quote swallows the rows below it)'
            found = f"{_excerpt(chr(34) + cell)} with no closing quote"
        out.error(table.file, row, col, what, found)
        # kept as read loosely (the quote runs to the end of the line) so its id still resolves
        records.append(fields)
        reported.add(row)
    return records


def _loose(line: str, *, limit: int | None = None) -> list[str]:
    """The cells of one line read leniently (an unclosed quote runs to the end of the line).

    ``limit`` raises the csv module's cell size limit for this one call (it is global).
    """
    old = csv.field_size_limit()
    if limit is not None:
        csv.field_size_limit(max(old, limit))
    try:
        return next(csv.reader([line]), [])
    except csv.Error:
        return line.split(",")
    finally:
        csv.field_size_limit(old)


def _multiline(lines: list[str], i: int, width: int) -> tuple[int, list[str]] | None:
    """The last line and fields of a record from line ``i`` holding a quoted line break.

    Only when the lines it joins are not rows of their own (none has the header's field
    count) and the joined record has exactly the header's field count: then it is one cell
    with a line break, not an unclosed quote swallowing rows.
    """
    for j in range(i + 1, min(len(lines), i + 50)):
        if len(_loose(lines[j])) == width:
            return None
        chunk = "\n".join(lines[i : j + 1])
        try:
            recs = list(csv.reader(io.StringIO(chunk, newline=""), strict=True))
        except csv.Error:
            continue
        if len(recs) == 1 and len(recs[0]) == width:
            return j, recs[0]
    return None


def _excerpt(text: str) -> str:
    text = text.replace("\r", " ").replace("\n", " ")
    return repr(text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "...")


def _plausible(text: str, name: str, table: Table) -> bool:
    """Could ``text`` be a value of column ``name``? Unknown columns take anything."""
    if name not in table.names:
        return True
    col = table.column(name)
    t = text.strip()
    if t == "":
        return True
    if col.dtype in ("float", "int"):
        try:
            return math.isfinite(float(t))
        except ValueError:
            return False
    if col.dtype == "bool":
        return t.lower() in TRUE | FALSE
    if col.choices is not None:
        return t in col.choices
    return True


def _numeric(name: str, table: Table) -> bool:
    return name in table.names and table.column(name).dtype in ("float", "int")


def _locate_split(fields: list[str], names: Sequence[str], table: Table) -> int | None:
    """The column whose cell an unquoted comma split, when exactly one fits.

    Rejoining the cell at column ``j`` must make every other cell fit its column, and a
    numeric cell must read as 1,000 or 46,1528; ties go to prose (``Foo, Bar``).
    """
    width = len(names)
    extra = len(fields) - width
    scores: list[tuple[int, int, int]] = []
    for j in range(width):
        merged = ",".join(fields[j : j + extra + 1])
        cand = [*fields[:j], merged, *fields[j + extra + 1 :]]
        bad = sum(not _plausible(cand[k], names[k], table) for k in range(width) if k != j)
        numeric = _numeric(names[j], table)
        if numeric and not _NUMBER_WITH_COMMA.match(merged):
            bad += 1
        prose = 0 if numeric or all(p.startswith(" ") for p in fields[j + 1 : j + extra + 1]) else 1
        scores.append((bad, prose, j))
    scores.sort()
    best = scores[0]
    if best[0] == 0 and (len(scores) == 1 or scores[1][:2] != best[:2]):
        return best[2]
    return None


def _fix_width(fields: list[str], names: Sequence[str], table: Table, row: int, out: Collector) -> list[str]:
    """Report a row with the wrong field count; for too many, name the split cell.

    An unquoted comma (``1,000``, ``46,1528``, ``Foo, Bar``) splits one cell into more.
    The row returned has the header's width (rejoined when the split cell is found, else
    cut or padded); its cells are not checked again.
    """
    width = len(names)
    found = len(fields)
    expected = (
        f"{width} fields as in the header (quote a cell that holds a comma; write numbers as 1000 or 46.1528)"
    )
    if found < width:
        out.error(table.file, row, None, expected, f"{found} fields")
        return fields + [""] * (width - found)
    j = _locate_split(fields, names, table)
    if j is None:
        out.error(table.file, row, None, expected, f"{found} fields")
        return fields[:width]
    extra = found - width
    merged = ",".join(fields[j : j + extra + 1])
    out.error(table.file, row, names[j], expected, f"{found} fields: an unquoted comma splits {merged!r}")
    return [*fields[:j], merged, *fields[j + extra + 1 :]]


def _check_header(names: list[str], cells: list[list[str]], file: str, out: Collector) -> list[int]:
    """Indices of the columns to keep: the first of duplicated names, no empty trailing ones."""
    keep: list[int] = []
    seen: dict[str, int] = {}
    for k, name in enumerate(names):
        if name == "":
            if any(r[k].strip() for r in cells if k < len(r)):
                out.error(file, 1, None, f"a column name above the data in column {k + 1}", "an empty cell")
            continue
        if name in seen:
            out.error(
                file,
                1,
                name,
                "each column once",
                f"'{name}' in columns {seen[name] + 1} and {k + 1}",
            )
            continue
        seen[name] = k
        keep.append(k)
    return keep
