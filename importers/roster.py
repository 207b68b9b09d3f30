"""Units roster sheet → ``custom "unit"`` entries in the "units" part.

Canonical headers: 房号, 楼栋, 专有部分面积, 业主编号, 开发商未售 (是/否), and optionally
登记日期. Owners are known only by a pseudonymous key: a name or a phone number in the
业主编号 column is refused, never written.

A 房号 written building-first (3-1-502) says its building: a 楼栋 that contradicts it (5 for
3-1-502) is an error of the row; a blank 楼栋 is taken from the 房号 and the import says so.
"""

from __future__ import annotations

import re
from typing import ClassVar

from assetreg.ledger import custom
from assetreg.units import parse_area, roster_from_entries, validate_owner_key, validate_unit_number

from .base import Context, Plan, SheetImporter
from .cells import (
    Column,
    Header,
    Problems,
    RowReader,
    Sheet,
    clean,
    data_rows,
    parse_bool,
    parse_date,
    parse_decimal,
)

COLUMNS = (
    Column("unit", "房号", ("房屋编号", "户号", "单元号", "房间号", "unit", "unit no", "room"),
           note="楼栋-单元-室，如 3-1-502"),
    Column("building", "楼栋", ("楼号", "幢号", "栋号", "楼栋号", "building"), required=False,
           note="楼栋号，如 3；空白时取房号的第一段"),
    Column("area", "专有部分面积", ("建筑面积", "面积", "专有面积", "产权面积", "area"),
           note="不动产登记的专有部分面积（㎡），如 89.46"),
    Column("owner", "业主编号", ("业主代码", "业主标识", "owner", "owner key"),
           note="化名编号，如 OWN-0417；不得填写姓名或电话"),
    Column("unsold", "开发商未售", ("未售", "是否未售", "开发商持有", "unsold"), required=False,
           note="是 / 否（空白视为否）"),
    Column("date", "登记日期", ("日期", "date"), required=False, note="可空，默认为导入时指定的日期"),
)


class RosterImporter(SheetImporter):
    kind = "roster"
    title = "业主名册（专有部分）"
    columns: ClassVar[tuple[Column, ...]] = COLUMNS
    target = "Equity:Registry:确权档案"

    def read(self, sheet: Sheet, header: Header, ctx: Context, problems: Problems) -> Plan:
        plan = Plan(self.kind, sheet.name)
        roster = roster_from_entries(ctx.entries)
        fp = ctx.fingerprints(self.kind)
        r = RowReader(str(sheet.path), sheet.name, header, problems)
        in_file: dict[str, int] = {}
        derived: list[str] = []
        for row in data_rows(sheet.rows(), header):
            r.start(row)
            number = r.get("unit", lambda v: validate_unit_number(_text(v)), expected="a unit number such as 3-1-502")
            building = r.text("building", required=False, expected="a building number such as 3")
            area = r.get("area", lambda v: parse_area(_number_text(v)), expected="an area in m² such as 89.46")
            owner = r.get("owner", lambda v: validate_owner_key(_text(v)), expected="a pseudonymous key such as OWN-0417")
            unsold = r.get("unsold", parse_bool, required=False, expected="是 or 否")
            day = r.get("date", parse_date, required=False) or ctx.day
            if r.failed:
                continue
            implied = building_of(number)
            if building is None:
                if implied is None:
                    r.error("building", f"empty, and unit number {number} does not begin with its building",
                            "the building number such as 3 (or a unit number written 3-1-502)")
                    continue
                building = implied
                derived.append(f"{number} → {implied}")
            elif implied is not None and _building_key(building) != _building_key(implied):
                r.error("building", f"building {building!r} contradicts unit number {number} (building {implied})",
                        f"building {implied}, or the unit's correct number")
                continue
            unsold = bool(unsold)
            if number in in_file:
                r.error("unit", f"unit {number} is listed twice (also row {in_file[number]})",
                        "each unit once per roster")
                continue
            in_file[number] = row.number
            import_id = fp(number, building, area, owner, unsold)
            if import_id in ctx.seen:
                plan.already += 1
                continue
            current = roster.get(number)
            if current and (current.building, current.area, current.owner, current.unsold) == (building, area, owner, unsold):
                plan.already += 1  # entered by hand before with the same facts
                continue
            if current and day < current.date:
                r.error("date", f"unit {number} has a roster entry dated {current.date}, after {day}",
                        f"a date on or after {current.date}: roster changes are appended, never back-dated")
                continue
            plan.add("units", custom(day, "unit", [number], building=building, area=area, owner=owner,
                                     unsold=unsold, import_id=import_id), row.number)
            if current:
                plan.notes.append(f"unit {number}: roster change recorded (was {current.owner}, {current.area} m²)")
        if derived:
            plan.notes.append(f"楼栋 derived from 房号 for {len(derived)} unit(s) with a blank 楼栋: "
                              + ", ".join(derived[:8]) + (" …" if len(derived) > 8 else ""))
        return plan


_BUILDING_WORDS = re.compile(r"(号楼|号|栋|幢|座|楼)$")


def building_of(number: str) -> str | None:
    """The building a unit number written building-first names (3-1-502 → 3), else None."""
    head, sep, rest = number.partition("-")
    return head if sep and head and rest else None


def _building_key(text: str) -> str:
    """3, 03, 3号楼, 3栋 and 3幢 are one building."""
    s = _BUILDING_WORDS.sub("", clean(text).replace(" ", "").upper())
    return s.lstrip("0") or s


def _text(v: object) -> str:

    if isinstance(v, float) and not v.is_integer():
        raise ValueError(f"not an id: {v!r}")
    return clean(v)


def _number_text(v: object) -> str:

    return str(parse_decimal(v, "an area in m²", "89.46"))
