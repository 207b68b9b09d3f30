"""Reading a .csv export as one sheet, in UTF-8 or GBK/GB18030, within bounds.

Chinese banks' online banking exports statements as .csv as often as .xlsx, and mostly in
GBK (Excel on a Chinese Windows saves "CSV" in GBK too). The encoding is found, not asked:
a byte-order mark says it (UTF-8, UTF-16); otherwise the whole file is tried as strict UTF-8,
and failing that as GB18030 (a superset of GBK and GB2312); a file that is neither is refused.
The delimiter is the one of ``,``, tab, ``;`` and ``|`` that splits the first lines widest.

As for .xlsx (:mod:`importers.xlsxread`), size is bounded before anything is kept: the file's
bytes (:data:`BYTE_LIMIT`), a field's length (the csv module's 128 KiB) and the cells of all
rows (:data:`CELL_LIMIT`).
The rows are streamed: only the first ones (to find the header) are held.

Values are text as the bank wrote them, ``None`` for an empty field; Excel's ``="0012"``
guard around a number kept as text, and the tab some banks put before long numbers, are
taken off.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assetreg.errors import BadInput

BYTE_LIMIT = 256 * 2**20  # as an .xlsx worksheet part (xlsxread.PART_LIMIT)
CELL_LIMIT = 10_000_000  # as xlsxread.CELL_LIMIT
_CHUNK = 1 << 20
_DELIMITERS = ",\t;|"

ENCODING_FIX = "save the file from Excel or WPS as \"CSV UTF-8\" or as .xlsx and import that"


def detect_encoding(path: Path) -> str:
    """utf-8-sig / utf-16 by a BOM; else utf-8 if the whole file decodes strictly; else gb18030."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BadInput(f"{path}: cannot read it ({exc.strerror})", "give the path of the exported .csv file") from None
    if size > BYTE_LIMIT:
        raise BadInput(f"{path}: {size:,} bytes, more than {BYTE_LIMIT // 2**20} MiB for a .csv",
                       "split the export into smaller files (e.g. one per year) and import each")
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        if _decodes(path, encoding):
            return encoding
    raise BadInput(f"{path}: the text is neither UTF-8 nor GBK/GB18030", ENCODING_FIX)


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _delimiter(sample: str) -> str:
    """The candidate that splits the first lines into the widest row: the header row is the
    widest of a statement's first rows, whatever its title rows and amounts such as
    2,038.00 in a tab-separated file hold (csv.Sniffer is misled by both)."""
    lines = sample.splitlines()[:30]

    def width(d: str) -> int:
        try:
            return max((sum(1 for v in r if v.strip()) for r in csv.reader(lines, delimiter=d)), default=0)
        except csv.Error:
            return 0

    return max(_DELIMITERS, key=lambda d: (width(d), -_DELIMITERS.index(d)))


def _value(text: str) -> str | None:
    s = text.strip()
    if len(s) >= 3 and s.startswith('="') and s.endswith('"'):
        s = s[2:-1].strip()
    return s or None


class CsvSheet:
    """A .csv file as the rows of one sheet; :meth:`rows` can be read more than once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.encoding = detect_encoding(path)
        with self._open() as f:
            self.delimiter = _delimiter(f.read(64 * 1024))
        self.name = path.stem

    def _open(self) -> io.TextIOWrapper:
        return open(self.path, encoding=self.encoding, newline="")

    def rows(self) -> Iterator[tuple[Any, ...]]:
        cells = n = 0
        with self._open() as f:
            reader = csv.reader(f, delimiter=self.delimiter)
            try:
                for n, record in enumerate(reader, start=1):
                    cells += len(record)
                    if cells > CELL_LIMIT:
                        raise BadInput(f"{self.path}: more than {CELL_LIMIT:,} cells by row {n:,}",
                                       "split the export into smaller files and import each")
                    yield tuple(_value(v) for v in record)
            except csv.Error as exc:  # e.g. a field longer than csv's limit (128 KiB)
                raise BadInput(f"{self.path}: row {n + 1}: cannot read it as CSV ({exc})", ENCODING_FIX) from None

    def head(self, n: int) -> list[tuple[Any, ...]]:
        return list(itertools.islice(self.rows(), n))
