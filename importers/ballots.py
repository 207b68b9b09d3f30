"""Reading an owners' ballot sheet (表决票统计表) for an Art. 278 tally.

One row per voting unit, with the headers ``房号`` and ``表决意见`` somewhere in the first
rows (a title block above them is fine). Vote values: 同意 / 反对 / 弃权 (aliases: yes /
no / abstain, 赞成, 不同意). Units that did not vote are simply absent. Header aliases:
unit, 房号, 房屋编号, 户号 / vote, 表决意见, 意见, 表决结果.

Every problem names its row: a vote the reader cannot understand, a row with a vote but
no unit, the same unit twice. Units are checked against the roster by the tally.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from assetreg.errors import BadInput
from assetreg.tally import Ballot, parse_vote
from assetreg.units import normalize_unit_number

UNIT_HEADERS = ("房号", "房屋编号", "户号", "房间号", "unit", "unitno", "unit_no", "room")
VOTE_HEADERS = ("表决意见", "意见", "表决结果", "表决", "投票", "vote", "opinion")
HEADER_SCAN_ROWS = 20
TOTAL_MARKERS = ("合计", "总计", "小计", "total")


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return " ".join(unicodedata.normalize("NFKC", str(v)).split())


def _key(v: Any) -> str:
    return _text(v).replace(" ", "").lower().rstrip(":*")


def read_ballots(path: Path, sheet: str | None = None) -> list[Ballot]:
    """The ballots of ``path`` (first sheet with the headers, or the sheet named)."""

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file", "check the path of the ballot sheet") from None
    except (InvalidFileException, KeyError, OSError, ValueError) as err:
        raise BadInput(f"{path}: not an .xlsx workbook ({err})", "save the ballot sheet as .xlsx") from None
    try:
        names = [sheet] if sheet else wb.sheetnames
        for name in names:
            if name not in wb.sheetnames:
                raise BadInput(f"{path}: no sheet {name!r}", f"use one of: {', '.join(wb.sheetnames)}")
            rows = list(wb[name].iter_rows(values_only=True))
            found = _header(rows)
            if found is not None:
                return _ballots(rows, *found, where=f"{path.name}:{name}")
    finally:
        wb.close()
    raise BadInput(f"{path}: no sheet has the headers 房号 and 表决意见",
                   "put a header row with 房号 (unit) and 表决意见 (vote) above the ballots")


def _header(rows: list[tuple[Any, ...]]) -> tuple[int, int, int] | None:
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        keys = [_key(c) for c in row]
        unit = next((j for j, k in enumerate(keys) if k in UNIT_HEADERS), None)
        vote = next((j for j, k in enumerate(keys) if k in VOTE_HEADERS), None)
        if unit is not None and vote is not None:
            return i, unit, vote
    return None


def _ballots(rows: list[tuple[Any, ...]], header: int, ucol: int, vcol: int, where: str) -> list[Ballot]:
    ballots: list[Ballot] = []
    first_row: dict[str, int] = {}
    for i in range(header + 1, len(rows)):
        row = rows[i]
        rowno = i + 1  # spreadsheet rows count from 1
        unit = _text(row[ucol]) if ucol < len(row) else ""
        vote = _text(row[vcol]) if vcol < len(row) else ""
        if not unit and not vote:
            continue
        if any(unit.lower().startswith(m) for m in TOTAL_MARKERS):
            continue
        if not unit:
            raise BadInput(f"{where}: row {rowno}: a vote ({vote}) with no 房号",
                           "fill in the unit number or delete the row")
        if not vote:
            raise BadInput(f"{where}: row {rowno}: unit {unit} has no 表决意见",
                           "fill in 同意, 反对 or 弃权, or delete the row if the unit did not vote")
        number = normalize_unit_number(unit)
        if number in first_row:
            raise BadInput(f"{where}: row {rowno}: a second ballot for unit {number} (first at row {first_row[number]})",
                           "keep one ballot per unit; strike the duplicate")
        first_row[number] = rowno
        ballots.append(Ballot(number, parse_vote(vote, f"{where}: row {rowno}"), rowno))
    return ballots


def write_ballots(path: Path, ballots: list[tuple[str, str]], title: str = "业主大会表决票统计") -> None:
    """Write a ballot sheet (title row, header, one row per unit) -- for tests and examples."""

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表决票"
    ws.append([title])
    ws.append(["序号", "房号", "表决意见"])
    for n, (unit, vote) in enumerate(ballots, 1):
        ws.append([n, unit, vote])
    wb.save(path)
