"""Asset register sheet → ``custom "asset" … "registered"`` entries in the "registry" part.

Each row is one common asset, registered exactly as ``assetreg asset add`` would: the id,
kind and zones are checked by the registry's own validators and :func:`check_move`, so a
sheet can never put into the registry what the command would refuse. Canonical headers:
资产编号, 资产类型, 位置, 描述, 规模, 权属依据, 所在区域, 结构, 登记日期, 登记原因.
"""

from __future__ import annotations

from typing import Any, ClassVar

from assetreg import accounts
from assetreg.errors import BadInput
from assetreg.ledger import custom
from assetreg.privacy import has_personal_number
from assetreg.registry import (
    check_move,
    registry_from_entries,
    validate_asset_id,
    validate_zones,
)
from assetreg.vocab import KINDS, ZONES, parse_label

from .base import Context, Plan, SheetImporter
from .cells import (
    CellProblem,
    Column,
    Header,
    Problems,
    RowReader,
    Sheet,
    clean,
    data_rows,
    parse_date,
)

DEFAULT_REASON = "共有资产清查登记"

COLUMNS = (
    Column("id", "资产编号", ("编号", "资产代码", "资产id", "asset", "asset id", "id"), note="前缀-编号，如 P-017、AD-003、R-01、S-01"),
    Column("kind", "资产类型", ("类型", "类别", "资产类别", "kind"), note="停车位 / 广告位 / 用房 / 基站场地 / 其他"),
    Column("location", "位置", ("所在位置", "坐落", "地点", "location"), note="如 3号楼东侧道路"),
    Column("description", "描述", ("说明", "资产描述", "名称", "资产名称", "description"), required=False),
    Column("size", "规模", ("面积/数量", "面积", "数量", "size"), required=False, note="如 12.5㎡ 或 1个"),
    Column("basis", "权属依据", ("确权依据", "法律依据", "依据", "basis"), required=False, note="如 民法典第275条"),
    Column("zones", "所在区域", ("区域", "区域类型", "zones"), required=False,
           note="逗号分隔：" + "、".join(ZONES.values())),
    Column("structure", "结构", ("结构情况", "structure"), required=False),
    Column("date", "登记日期", ("日期", "date"), required=False, note="可空，默认为导入时指定的日期"),
    Column("reason", "登记原因", ("原因", "备注", "reason"), required=False, note=f"可空，默认“{DEFAULT_REASON}”"),
)

_KIND_ALIASES = {"经营用房": "room", "车位": "parking", "广告": "advertising", "基站": "site"}


def parse_kind(value: Any) -> str:
    try:
        return parse_label(KINDS, clean(value), "asset kind", _KIND_ALIASES)
    except BadInput as exc:
        raise CellProblem(exc.problem, "one of " + " / ".join(KINDS.values()) + " (or " + ", ".join(KINDS) + ")") from None


def parse_zones(value: Any) -> str:
    try:
        return validate_zones(clean(value))
    except BadInput as exc:
        raise CellProblem(exc.problem, "zones from: " + "、".join(ZONES.values())) from None


def parse_asset_id(value: Any) -> str:
    return validate_asset_id(clean(value))


class RegisterImporter(SheetImporter):
    kind = "register"
    title = "共有资产登记表"
    columns: ClassVar[tuple[Column, ...]] = COLUMNS
    target = accounts.REGISTRY

    def read(self, sheet: Sheet, header: Header, ctx: Context, problems: Problems) -> Plan:
        plan = Plan(self.kind, sheet.name)
        registry = registry_from_entries(ctx.entries)
        fp = ctx.fingerprints(self.kind)
        r = RowReader(str(sheet.path), sheet.name, header, problems)
        in_file: dict[str, int] = {}
        for row in data_rows(sheet.rows(), header):
            r.start(row)
            asset_id = r.get("id", parse_asset_id, expected="an asset id such as P-017")
            kind = r.get("kind", parse_kind, expected="an asset kind")
            location = r.text("location", expected="where the asset is, e.g. 3号楼东侧道路")
            facts = {k: r.text(k, required=False) for k in ("description", "size", "basis", "structure")}
            zones = r.get("zones", parse_zones, required=False) or None
            day = r.get("date", parse_date, required=False) or ctx.day
            reason = r.text("reason", required=False) or DEFAULT_REASON
            for k, v in (("location", location), *facts.items(), ("reason", reason)):
                if v and has_personal_number(v):  # the register is public: no phone or ID numbers
                    r.error(k, "contains a phone or ID number", "no personal numbers: the ledger is public to every owner")
            if r.failed:
                continue
            if asset_id in in_file:
                r.error("id", f"asset {asset_id} is listed twice (also row {in_file[asset_id]})", "each asset once")
                continue
            in_file[asset_id] = row.number
            import_id = fp(asset_id, kind, location, zones, *facts.values(), day, reason)
            if import_id in ctx.seen:
                plan.already += 1
                continue
            current = registry.get(asset_id)
            if current is not None and current.facts.get("kind") == kind and current.facts.get("location") == location:
                plan.already += 1  # registered by hand before: same asset, nothing to add
                continue
            try:
                check_move(current, "registered", day)
            except BadInput as exc:
                r.error("id", exc.problem, exc.fix or "a new asset id")
                continue
            plan.add("registry", custom(day, "asset", [asset_id, "registered"], kind=kind, location=location,
                                        description=facts["description"], size=facts["size"],
                                        basis=facts["basis"], zones=zones, structure=facts["structure"],
                                        reason=reason, import_id=import_id), row.number)
        return plan
