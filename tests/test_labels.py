"""The Chinese labels shown in templates and pages are accepted wherever a kind, use, zone or
status is taken (`vocab.parse_label`); every drop-down value of every template imports as it is."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import snapshot
from test_policy_support import USE_ASSET, gate_root, mapping

from assetreg.cli import main
from assetreg.errors import BadInput
from assetreg.ledger import Compound
from assetreg.registry import registry_from_entries
from assetreg.resolutions import validate_subject
from assetreg.vocab import KINDS, STATUS_LABELS, USES, ZONES, parse_label
from importers.templates import columns_for, write_template


def run(*args: object) -> tuple[int, str]:
    res = CliRunner().invoke(main, [str(a) for a in args])
    return res.exit_code, res.output


# ------------------------------------------------------------------ parse_label


@pytest.mark.parametrize("table", [KINDS, ZONES, STATUS_LABELS, USES])
def test_every_key_and_label_reads_back(table: dict[str, str]) -> None:
    for key, label in table.items():
        assert parse_label(table, key) == key
        assert parse_label(table, label) == key
        assert parse_label(table, f" {label} ") == key
        # as Chinese input methods type them, and as importers.cells.clean() hands them on
        half = label.replace("（", "(").replace("）", ")")
        full = label.replace("(", "（").replace(")", "）")
        assert parse_label(table, half) == key and parse_label(table, full) == key


def test_an_unknown_word_lists_the_choices() -> None:
    with pytest.raises(BadInput) as e:
        parse_label(KINDS, "飞机", "asset kind")
    assert "unknown asset kind '飞机'" in e.value.problem
    assert "停车位 (parking)" in (e.value.fix or "") and "其他 (other)" in (e.value.fix or "")


def test_cli_takes_labels_for_kind_zone_and_status(small_compound: Path) -> None:
    code, out = run("asset", "add", "P-002", "--kind", "停车位", "--zones", "小区道路、绿地", "--location", "2号楼北侧",
                    "--date", "2024-02-01", "-L", small_compound)
    assert code == 0 and "registered P-002 (停车位)" in out, out
    a = registry_from_entries(Compound.locate(small_compound).load().entries).require("P-002")
    assert a.kind == "parking" and a.facts["zones"] == "road,green-space"
    code, out = run("asset", "amend", "P-002", "--zones", "消防车道", "--reason", "复核", "--date", "2024-02-02",
                    "-L", small_compound)
    assert code == 0, out
    code, out = run("asset", "list", "--kind", "停车位", "--status", "已确权", "-L", small_compound)
    assert code == 0 and "P-001" in out and "P-002" not in out, out
    code, out = run("asset", "list", "--status", "confirmed", "--kind", "parking", "-L", small_compound)
    assert code == 0 and "P-001" in out
    before = snapshot(small_compound)
    code, out = run("asset", "add", "X-001", "--kind", "飞机场", "--location", "天上", "-L", small_compound)
    assert code == 2 and "unknown asset kind '飞机场'" in out and "广告位 (advertising)" in out
    code, out = run("asset", "add", "X-001", "--kind", "其他", "--zones", "月球", "--location", "天上", "-L", small_compound)
    assert code == 2 and "unknown zone '月球'" in out and "消防车道 (fire-lane)" in out
    code, out = run("asset", "list", "--status", "丢失", "-L", small_compound)
    assert code == 2 and "已确权 (confirmed)" in out
    assert snapshot(small_compound) == before


def test_resolution_uses_by_label() -> None:
    assert validate_subject("P-*", "停车位出租（业主）,电梯广告") == ("P-*", "parking-owner,advertising-lift")
    assert validate_subject("P-*", "parking-owner") == ("P-*", "parking-owner")
    with pytest.raises(BadInput, match="unknown use"):
        validate_subject("P-*", "停车场")


# ------------------------------------------------------------------ templates


def dropdowns(path: Path) -> dict[str, list[str]]:
    """Each drop-down of a template: field name → the values it offers."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    header = {cell.column_letter: cell.value for cell in ws[3]}
    names = {c.label: c.name for c in columns_for_path(path)}
    out: dict[str, list[str]] = {}
    for dv in ws.data_validations.dataValidation:
        letter = re.match(r"[A-Z]+", str(dv.sqref)).group(0)  # type: ignore[union-attr]
        formula = dv.formula1
        if formula.startswith('"'):
            values = formula.strip('"').split(",")
        else:  # '选项'!$A$2:$A$19
            sheet, ref = formula.split("!")
            values = [c.value for row in wb[sheet.strip("'")][ref.replace("$", "")] for c in row]
        out[names[header[letter]]] = [str(v) for v in values]
    return out


_KIND_OF: dict[Path, str] = {}


def columns_for_path(path: Path) -> Any:
    return columns_for(_KIND_OF[path])[1]


def template(tmp_path: Path, kind: str) -> Path:
    path = write_template(kind, tmp_path / f"{kind}.xlsx")
    _KIND_OF[path] = kind
    return path


def fill(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write rows (field name → value) under the template's header, as a treasurer would."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    col = {c.name: i for i, c in enumerate(columns_for_path(path), start=1)}
    for r, row in enumerate(rows, start=4):
        for name, value in row.items():
            ws.cell(r, col[name], value)
    out = path.with_name("filled-" + path.name)
    wb.save(out)
    _KIND_OF[out] = _KIND_OF[path]
    return out


def test_every_template_drop_down_is_tested() -> None:
    """The kinds below are every template with drop-downs; a new one must get a case here."""
    from importers.templates import _lists

    with_lists = {k for k in ("bank", "income-report", "register", "roster", "contracts", "consents", "waitlist",
                              "ballots") if _lists(k, None)}
    assert with_lists == {"register", "roster", "contracts", "consents", "waitlist", "ballots"}


def test_register_kinds_import_as_offered(empty_compound: Path, tmp_path: Path) -> None:
    path = template(tmp_path, "register")
    kinds = dropdowns(path)["kind"]
    assert kinds == list(KINDS.values())
    rows = [{"id": f"X-{n:03d}", "kind": k, "location": "测试位置", "zones": "小区道路、绿地", "date": dt.date(2024, 1, 2)}
            for n, k in enumerate(kinds, start=1)]
    code, out = run("import", fill(path, rows), "-L", empty_compound)
    assert code == 0, out
    reg = registry_from_entries(Compound.locate(empty_compound).load().entries)
    assert [reg.require(f"X-{n:03d}").kind for n in range(1, len(kinds) + 1)] == list(KINDS)


def test_roster_yes_no_imports_as_offered(empty_compound: Path, tmp_path: Path) -> None:
    path = template(tmp_path, "roster")
    values = dropdowns(path)["unsold"]
    rows = [{"unit": f"1-{n}01", "building": "1", "area": "90.5", "owner": f"OWN-{n:04d}", "unsold": v}
            for n, v in enumerate(values, start=1)]
    code, out = run("import", fill(path, rows), "-L", empty_compound, "--date", "2024-01-01")
    assert code == 0, out
    units = Compound.locate(empty_compound).load().entries
    assert [e.meta["unsold"] for e in units if getattr(e, "type", "") == "unit"] == [True, False]


def contract_fields(key: str, n: int, **over: Any) -> dict[str, Any]:
    m = mapping(use=key, id=f"C-2024-{n:03d}")
    row = {**m, "assets": ",".join(m["assets"]), "consents": ",".join(m["consents"]),
           "affected": ",".join(m["affected"])}
    row.update(over)
    return {k: v for k, v in row.items() if k != "owners_waiting" or v}


@pytest.mark.parametrize("use", list(USES))
def test_contract_uses_import_as_offered(small_compound: Path, tmp_path: Path, use: str) -> None:
    """Every use the contracts template offers, as it offers it (停车位出租（业主） …), reads as
    that use; those the policy set permits are written, the others are decided by the gate —
    never refused as an unknown use."""
    root = gate_root(small_compound)
    path = template(tmp_path, "contracts")
    lists = dropdowns(path)
    label = USES[use]
    assert label in lists["use"]
    kind = "业主" if use == "parking-owner" else "单位"
    assert kind in lists["counterparty_kind"] and "月" in lists["period"]
    row = contract_fields(use, 100, use=label, counterparty_kind=kind, period="月",
                          **{f: "否" for f in ("hazardous", "noise_or_fumes", "blocks_light", "alters_structure")})
    code, out = run("import", fill(path, [row]), "-L", root)
    assert "unknown use" not in out and "(用途)" not in out and "(对方类型)" not in out, out
    if use in USE_ASSET:
        assert code == 0, out
        text = (root / "contracts.beancount").read_text(encoding="utf-8")
        assert f'use: "{use}"' in text
    else:
        assert code == 2 and "C-2024-100 is" in out, out  # the gate's verdict, not a reading error


def test_contract_periods_kinds_and_yes_no_import_as_offered(small_compound: Path, tmp_path: Path) -> None:
    root = gate_root(small_compound)
    path = template(tmp_path, "contracts")
    lists = dropdowns(path)
    rows = []
    n = 100
    # one contract per billing period offered, each on its own parking asset and term
    for i, period in enumerate(lists["period"]):
        n += 1
        start = dt.date(2024, 5, 1) + dt.timedelta(days=400 * i)
        rows.append(contract_fields("parking-owner", n, period=period, signed=start - dt.timedelta(days=10),
                                    start=start, end=dt.date(start.year, 10, 31) if i else dt.date(2024, 10, 31),
                                    notice_start=start - dt.timedelta(days=30),
                                    notice_end=start - dt.timedelta(days=16),
                                    residential_use="否", hazardous="否", noise_or_fumes="否"))
    _code, out = run("import", fill(path, rows), "-L", root, "--dry-run")
    assert "(计费周期)" not in out and "(居住用途)" not in out and "(危险物品)" not in out, out
    # yes/no and counterparty kinds read in every offered form
    from importers.cells import parse_bool
    from importers.contracts_sheet import COUNTERPARTY_LABELS, _label

    assert {parse_bool(v) for v in lists["hazardous"]} == {True, False}
    assert {_label(v, COUNTERPARTY_LABELS, ("owner", "organisation", "non-owner"), "kind")
            for v in lists["counterparty_kind"]} == {"owner", "organisation", "non-owner"}
    from importers.contracts_sheet import PERIOD_LABELS

    assert {_label(v, PERIOD_LABELS, ("month", "quarter", "half-year", "year", "once"), "period")
            for v in lists["period"]} == {"month", "quarter", "half-year", "year", "once"}


def test_consent_and_waitlist_steps_import_as_offered(small_compound: Path, tmp_path: Path) -> None:
    root = gate_root(small_compound)
    path = template(tmp_path, "consents")
    actions = dropdowns(path)["action"]
    assert actions == ["同意", "撤回"]
    rows = [{"asset": "S-01", "owner": "OWN-0002", "date": dt.date(2024, 4, 2), "action": actions[0],
             "evidence": "documents/P-001.pdf"},
            {"asset": "S-01", "owner": "OWN-0001", "date": dt.date(2024, 4, 3), "action": actions[1], "reason": "改变主意"}]
    code, out = run("import", fill(path, rows), "-L", root)
    assert code == 0 and "2 entries written" in out, out
    path = template(tmp_path, "waitlist")
    steps = dropdowns(path)["action"]
    rows = [{"owner": "OWN-0002", "date": dt.date(2024, 4, 1), "action": steps[0], "unit": "1-102"},
            {"owner": "OWN-0002", "date": dt.date(2024, 6, 1), "action": steps[1], "reason": "已租到车位"}]
    code, out = run("import", fill(path, rows), "-L", root)
    assert code == 0 and "2 entries written" in out, out


def test_ballot_votes_read_as_offered(small_compound: Path, tmp_path: Path) -> None:
    path = template(tmp_path, "ballots")
    votes = dropdowns(path)["vote"]
    rows = [{"unit": u, "vote": v} for u, v in zip(["1-101", "1-102", "2-101"], votes, strict=True)]
    code, out = run("resolution", "tally", fill(path, rows), "--matter", "8", "-L", small_compound)
    assert code in (0, 1), out  # passed or failed: every ballot was read
    assert "ballots: 3" in out


def test_contract_yaml_use_by_label_and_import_kind_by_title(empty_compound: Path, tmp_path: Path) -> None:
    from assetreg.policy import Proposal

    p = Proposal.from_mapping(mapping(use="停车位出租（业主）"), "contract.yaml")
    assert p.use == "parking-owner"
    with pytest.raises(BadInput, match="malformed use category"):
        Proposal.from_mapping(mapping(use="停车场"), "contract.yaml")
    from importers.testing import write_xlsx

    xlsx = write_xlsx(tmp_path / "r.xlsx", [["房号", "楼栋", "专有部分面积", "业主编号"], ["1-101", "1", 90, "OWN-0001"]])
    code, out = run("import", xlsx, "--kind", "业主名册(专有部分)", "-L", empty_compound, "--dry-run")
    assert code == 0 and "(roster)" in out, out
    code, out = run("import", xlsx, "--kind", "名册", "-L", empty_compound)
    assert code == 2 and "unknown --kind '名册'" in out and "业主名册（专有部分） (roster)" in out
