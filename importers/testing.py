"""Writing small real .xlsx files the way treasurers' and banks' spreadsheets look (tests, examples)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]], *, title: str = "Sheet1",
               merges: Sequence[str] = (), number_formats: dict[str, str] | None = None,
               extra_sheets: dict[str, Sequence[Sequence[Any]]] | None = None) -> Path:
    """Write ``rows`` (row 1 first) to a new workbook; ``merges`` like "A1:F1";
    ``number_formats`` maps a column letter to a format applied to every non-empty cell."""

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(list(row))
    for m in merges:
        ws.merge_cells(m)
    for letter, fmt in (number_formats or {}).items():
        for cell in ws[letter]:
            if cell.value is not None:
                cell.number_format = fmt
    for name, extra in (extra_sheets or {}).items():
        other = wb.create_sheet(name)
        for row in extra:
            other.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
