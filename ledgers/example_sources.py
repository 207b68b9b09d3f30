"""Spreadsheets and proposals of the example compound, as its treasurer would receive them.

Each writer lays a sheet out the way it arrives in practice (a title row above the
headers, a 合计 row under the figures) and :func:`normalize_xlsx` strips the
timestamps openpyxl and zipfile put in, so that a rebuild gives the same bytes.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import yaml

FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def normalize_xlsx(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in items:
            if name == "docProps/core.xml":
                blob = _STAMP.sub(rb"\g<1>2020-01-01T00:00:00Z\g<2>", blob)
            z.writestr(zipfile.ZipInfo(name, FIXED_ZIP_TIME), blob, zipfile.ZIP_DEFLATED)
    tmp.replace(path)


def write_sheet(path: Path, sheet: str, title: str | None, headers: Sequence[str],
                rows: Sequence[Sequence[Any]], total: Sequence[Any] | None = None,
                widths: dict[int, int] | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    if total is not None:
        ws.append(list(total))
    for col, width in (widths or {}).items():
        ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    normalize_xlsx(path)
    return path


def write_ballots(path: Path, title: str, ballots: Sequence[tuple[str, str]]) -> Path:
    return write_sheet(path, "表决票", title, ["序号", "房号", "表决意见"],
                       [(n, unit, vote) for n, (unit, vote) in enumerate(ballots, 1)])


def write_proposal(path: Path, proposal: dict[str, Any], comment: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(proposal, allow_unicode=True, sort_keys=False)
    path.write_text(f"# {comment}\n{text}", encoding="utf-8")
    return path
