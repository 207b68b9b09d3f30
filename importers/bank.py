"""Bank statement of the owners' dedicated account → journal transactions and balance assertions.

Chinese banks export statements in a handful of layouts: money in and money out in two
columns (收入/支出, or 贷方/借方), one signed amount, or an amount with a 借贷 flag. Each
layout is a small YAML file under ``importers/banks/`` that maps our fields to the bank's
headers, so a new bank needs a config file, not code (``assetreg import --bank-config``).

Every line is matched to what it is:

* money from the property company (对方户名 = option ``manager-name``) is a remittance of
  income it collected: it clears ``Assets:Receivable:物业代收``;
* a line whose 摘要/附言 mentions 押金 or 保证金 and names a contract (by its id, or by a
  counterparty holding one contract) is a deposit received or returned: ``Liabilities:Deposits``;
* money from a contract's counterparty, or quoting a contract id, pays that contract: it
  is income of the contract's asset kind, with ``asset``/``contract``/``period`` metadata;
* bank charges go to ``Expenses:Bank:银行手续费``;
* money out whose 摘要/附言 cites one owners' resolution (e.g. ``R-2024-02``) that passed
  on or before that day spends net income as decided: to the maintenance fund (维修资金),
  the committee's funds (业委会/工作经费), or ``Expenses:Allocation:业主大会决定用途``,
  with ``resolution`` metadata;
* anything else goes to ``Liabilities:Suspense:待查明款项`` with the reason, for the
  treasurer to clear and the audit to report.

Below the lines many banks print a footer — 借方笔数, 借方发生额合计, 贷方笔数, 贷方发生额合计,
期末余额, 打印日期 …: a row whose first cell starts with one of :data:`FOOTERS` (or with a
``footers:`` word of the layout's YAML) is a footer, never a line; the rows skipped are noted.

From the 余额 column each day gets a ``balance`` assertion dated the next day (Beancount
checks a balance at the start of its date), so ``bean-check`` proves that the books hold
what the bank says. Before writing, the same check is made here and a mismatch is an error
of the file. Personal names of counterparties are not written: a counterparty that does not
look like an organisation is written as 个人.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from beancount.core import data
from beancount.core.amount import Amount

from assetreg import accounts
from assetreg.audit.income import gate_problem
from assetreg.contracts import Contract, Due, contracts_from_entries, schedule
from assetreg.dates import in_range
from assetreg.errors import BadInput
from assetreg.ledger import meta
from assetreg.payments import OutflowGate
from assetreg.privacy import mask_name, mask_numbers, note_facts
from assetreg.registry import Registry, registry_from_entries
from assetreg.resolutions import Resolution, make_resolution_check, resolutions_from_entries

from .base import Context, Plan, SheetImporter
from .cells import (
    _HALF_WIDTH,
    _PLAIN_MONEY,
    CENT,
    NO_AMOUNT,
    CellError,
    Column,
    Fingerprints,
    Header,
    Problems,
    Row,
    RowReader,
    Sheet,
    clean,
    data_rows,
    find_header,
    parse_date,
)

CURRENCY = "CNY"
LAYOUTS_DIR = Path(__file__).with_name("banks")
FIELDS = ("date", "income", "expense", "amount", "direction", "balance", "summary", "counterparty", "reference", "note")
REQUIRED = {"split": ("date", "income", "expense"), "signed": ("date", "amount"),
            "direction": ("date", "amount", "direction")}

_FEE = re.compile(r"手续费|工本费|年费|短信|汇划费|账户管理费|服务费|结算费|邮电费")
_DEPOSIT = re.compile(r"押金|保证金")
# Where net income goes when a transfer cites the resolution that decided it.
_ALLOCATIONS = ((re.compile(r"维修资金|维修基金"), accounts.MAINTENANCE_FUND),
                (re.compile(r"业委会|业主委员会|工作经费"), accounts.COMMITTEE_FUNDS))
# An organisation's name: a company word anywhere, or (names of people being 2-4 characters)
# five characters or more ending the way organisations' names end.
_ORG = re.compile(r"公司|有限|集团|银行|.{3,}(中心|局|委员会|站|店|所|部|厂|合作社|协会|学校|医院|分行|支行|办事处|社区|街道|政府|院|馆|会)$")
_MONTH = re.compile(r"(\d{4})\s*[-年/.]\s*(\d{1,2})")
# What a statement's footer rows start with (a layout's YAML may add its own words).
FOOTERS = ("借方笔数", "贷方笔数", "借方发生额合计", "贷方发生额合计", "借方合计", "贷方合计",
           "借方发生额", "贷方发生额", "借方总额", "贷方总额", "收入笔数", "支出笔数", "收入合计", "支出合计",
           "收入总额", "支出总额", "总笔数", "交易笔数", "笔数", "期初余额", "期末余额", "上期余额",
           "本期余额", "打印日期", "打印时间", "打印人", "经办", "操作员", "制表", "复核", "查询时间",
           "查询日期", "查询区间", "起止日期", "温馨提示", "注:", "注：", "说明:", "说明：", "本对账单")


@dataclass(frozen=True)
class BankLayout:
    """A bank's statement layout, read from a YAML config."""

    name: str
    layout: str  # split | signed | direction
    columns: tuple[Column, ...]
    direction_in: frozenset[str]
    direction_out: frozenset[str]
    source: str
    footers: tuple[str, ...] = FOOTERS  # what footer rows start with


def load_layout(path: Path) -> BankLayout:
    """Read and check a bank layout config; a malformed one is bad input naming the fix."""
    fix = f"see {LAYOUTS_DIR / 'split.yaml'} for the format"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BadInput(f"{path}: cannot read bank layout ({exc})", fix) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("columns"), dict):
        raise BadInput(f"{path}: a bank layout needs `name`, `layout` and a `columns` mapping", fix)
    layout = str(doc.get("layout", "split"))
    if layout not in REQUIRED:
        raise BadInput(f"{path}: unknown layout {layout!r}", f"use one of {', '.join(REQUIRED)}")
    cols = doc["columns"]
    unknown = [k for k in cols if k not in FIELDS]
    if unknown:
        raise BadInput(f"{path}: unknown field(s) {', '.join(map(str, unknown))}", f"fields are {', '.join(FIELDS)}")
    footers = doc.get("footers") or []
    if isinstance(footers, str):
        footers = [footers]
    if not isinstance(footers, list) or not all(isinstance(f, str | int) and str(f).strip() for f in footers):
        raise BadInput(f"{path}: `footers` must be a list of the words footer rows start with",
                       "e.g. footers: [借方笔数, 贷方笔数, 借方发生额合计]")
    missing = [f for f in REQUIRED[layout] if not cols.get(f)]
    if missing:
        raise BadInput(f"{path}: layout {layout} needs header aliases for {', '.join(missing)}", fix)
    columns = []
    for name in FIELDS:
        aliases = cols.get(name)
        if not aliases:
            continue
        if isinstance(aliases, str):
            aliases = [aliases]
        columns.append(Column(name, str(aliases[0]), tuple(str(a) for a in aliases[1:]), required=name in REQUIRED[layout]))
    return BankLayout(
        name=str(doc.get("name", path.stem)), layout=layout, columns=tuple(columns),
        direction_in=frozenset(clean(x).upper() for x in doc.get("direction_in", ()) or ()),
        direction_out=frozenset(clean(x).upper() for x in doc.get("direction_out", ()) or ()),
        source=str(path),
        footers=tuple(dict.fromkeys([*FOOTERS, *(_footer_key(f) for f in footers)])))


def builtin_layouts() -> list[BankLayout]:
    return [load_layout(p) for p in sorted(LAYOUTS_DIR.glob("*.yaml"))]


@dataclass
class Line:
    row: int
    day: dt.date
    amount: Decimal  # signed: + into the account
    balance: Decimal | None
    summary: str
    counterparty: str
    reference: str
    note: str


def _footer_key(text: object) -> str:
    return clean(text).replace(" ", "")


def is_footer(cells: tuple[Any, ...], footers: tuple[str, ...]) -> bool:
    """Whether a row is a statement footer: its first filled cell is text starting with one
    of ``footers`` (借方笔数：12 …). A line's first cell is a date or a number, never such text."""
    for c in cells:
        if c is None or (type(c) is str and not c.strip()):
            continue
        return type(c) is str and _footer_key(c).startswith(footers)
    return False


def statement_rows(rows: Any, header: Header, footers: tuple[str, ...], skipped: list[int]) -> Any:
    """The rows of a statement under its header, without its footer rows (their numbers go
    to ``skipped``)."""
    for row in data_rows(rows, header):
        if is_footer(row.cells, footers):
            skipped.append(row.number)
            continue
        yield row


def _norm(name: str) -> str:
    return unicodedata.normalize("NFKC", clean(name)).replace(" ", "").upper()


def _same_party(a: str, b: str) -> bool:
    return _same_normed(_norm(a), _norm(b))


def _same_normed(a: str, b: str) -> bool:
    """Same party: the same name, written with the same characters (spaces, case and
    full-width forms aside). A fragment is never enough: 有限公司, 物业服务 or 景湖物业 is not
    淮安景湖物业服务有限公司, and 淮安市景湖便利店有限公司分店 is not 淮安市景湖便利店有限公司;
    other spellings of a name are declared as aliases (:func:`aliases`)."""
    return bool(a) and a == b


def _near(a: str, b: str) -> bool:
    """One name inside the other: not a match, but worth naming as a candidate."""
    if not a or not b or a == b:
        return False
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 2 and short in long_


_ALIAS_SPLIT = re.compile(r"[,，、;；|]")


def aliases(options: Any) -> tuple[set[str], dict[str, set[str]]]:
    """The declared other names: of the property company (option ``manager-alias``, e.g.
    ``景湖物业,淮安景湖物业服务有限公司清江浦分公司``) and of contracts' counterparties (option
    ``counterparty-alias``, e.g. ``淮安市景湖便利店有限公司=景湖便利店、淮安景湖便利店；…``), normalised."""
    manager = {_norm(a) for a in _ALIAS_SPLIT.split(options.get("manager-alias") or "") if _norm(a)}
    parties: dict[str, set[str]] = {}
    for item in re.split(r"[;；\n]", options.get("counterparty-alias") or ""):
        name, sep, rest = item.partition("=")
        if sep and _norm(name):
            parties.setdefault(_norm(name), set()).update(_norm(a) for a in _ALIAS_SPLIT.split(rest) if _norm(a))
    return manager, parties


def private(text: str) -> str:
    """Phone and ID numbers never reach the ledger (however grouped: 138 0013 8000)."""
    return mask_numbers(text)


def narration_of(line: Line, person: bool) -> str:
    """What of a line's texts goes into the ledger: the bank's 摘要 (with a private payer's
    name taken out, however spaced or dotted) and, when the money came from an organisation
    or from no one named, of the 附言 only its ids, periods and domain words (a name typed
    there never survives); phone and ID numbers masked."""
    if person and line.counterparty:
        # a private person's 附言 is left out whole, as it always was: their name or address
        return private(mask_name(line.summary, line.counterparty))
    facts = [f for f in note_facts(line.note).split() if f not in line.summary]
    return private(" ".join(x for x in (line.summary, *facts) if x))


class BankImporter(SheetImporter):
    kind = "bank"
    title = "共有资金专户银行对账单"
    target = accounts.BANK

    def __init__(self, layouts: list[BankLayout] | None = None) -> None:
        self.layouts = layouts if layouts is not None else builtin_layouts()


    @property
    def columns(self) -> tuple[Column, ...]:  # type: ignore[override]
        return self.layouts[0].columns if self.layouts else ()

    def best(self, sheet: Sheet) -> tuple[BankLayout, Header] | None:
        found = []
        for layout in self.layouts:
            header = find_header(sheet.head, layout.columns)
            if header is not None:
                found.append((len(header.index), -header.row, layout, header))
        if not found:
            return None
        found.sort(key=lambda f: (f[0], f[1]), reverse=True)
        return found[0][2], found[0][3]

    def header(self, sheet: Sheet) -> Header | None:
        best = self.best(sheet)
        return None if best is None else best[1]

    def score(self, sheet: Sheet) -> int:
        best = self.best(sheet)
        return 0 if best is None else len(best[1].index)

    # -------------------------------------------------------------- reading

    def read(self, sheet: Sheet, header: Header, ctx: Context, problems: Problems) -> Plan:
        best = self.best(sheet)
        assert best is not None
        layout, header = best
        plan = Plan(self.kind, sheet.name)
        plan.notes.append(f"layout: {layout.name} ({Path(layout.source).name})")
        r = RowReader(str(sheet.path), sheet.name, header, problems)
        has_balance = "balance" in header.index
        lines: list[Line] = []
        fast = _FastLine(header, layout) if layout.layout == "split" else None
        footers: list[int] = []
        for row in statement_rows(sheet.rows(), header, layout.footers, footers):
            line = fast(row) if fast is not None else None
            if line is None:  # anything but the plainest cells: the full reading, with its errors
                r.start(row)
                line = self._line(r, layout, has_balance)
            if line is not None:
                lines.append(line)
        if footers:
            plan.notes.append(f"{len(footers)} footer row(s) left out (row {', '.join(map(str, footers[:5]))}"
                              f"{' …' if len(footers) > 5 else ''}: 借方笔数/发生额合计 and the like)")
        if problems.errors or not lines:
            return plan
        if lines[0].day > lines[-1].day:
            lines.reverse()  # newest first, as many banks export
        elif lines[0].day == lines[-1].day and has_balance and not _running(lines) and _running(lines[::-1]):
            lines.reverse()  # one day only, newest first: the balances tell the order
        if not self._check_order(lines, r, problems):
            return plan
        self._plan_lines(lines, r, ctx, plan, problems, has_balance)
        return plan

    def _line(self, r: RowReader, layout: BankLayout, has_balance: bool) -> Line | None:
        day = r.get("date", parse_date, expected="the transaction date")
        amount: Decimal | None = None
        if layout.layout == "split":
            inc, exp = r.money("income", required=False), r.money("expense", required=False)
            if not r.failed:
                if inc and exp:
                    r.error("expense", f"both money in ({inc}) and money out ({exp}) on one line", "one of the two columns filled")
                elif inc is None and exp is None:
                    r.error("income", "neither money in nor money out", "an amount in one of the two columns")
                elif (inc is not None and inc < 0) or (exp is not None and exp < 0):
                    r.error("income" if inc is not None and inc < 0 else "expense", "negative amount in a one-way column",
                            "a positive amount; money out goes in the other column")
                else:
                    amount = (inc or Decimal(0)) - (exp or Decimal(0))
        else:
            amount = r.money("amount")
            if amount is not None and layout.layout == "direction":
                flag = r.text("direction", expected="借 or 贷")
                if flag is not None:
                    key = flag.upper()
                    if key in layout.direction_in:
                        amount = abs(amount)
                    elif key in layout.direction_out:
                        amount = -abs(amount)
                    else:
                        r.error("direction", f"unknown direction {flag!r}",
                                " / ".join(sorted(layout.direction_in | layout.direction_out)))
        balance = r.money("balance") if has_balance else None
        summary = r.text("summary", required=False) or ""
        counterparty = r.text("counterparty", required=False) or ""
        reference = r.text("reference", required=False) or ""
        note = r.text("note", required=False) or ""
        if amount is not None and amount == 0 and not r.failed:
            r.error("amount" if "amount" in r.header.index else "income", "zero amount", "a non-zero amount")
        if r.failed or day is None or amount is None:
            return None
        assert r.row is not None
        return Line(r.row.number, day, amount, balance, summary, counterparty, reference, note)

    def _check_order(self, lines: list[Line], r: RowReader, problems: Problems) -> bool:
        ok = True
        for prev, line in itertools.pairwise(lines):
            if line.day < prev.day:
                problems.errors.append(CellError(r.file, r.sheet, line.row, r.where("date"),
                                                 f"date {line.day} comes after {prev.day} (row {prev.row})",
                                                 "the rows in date order, as the bank exported them"))
                ok = False
        if not ok:
            return False
        if lines[0].balance is None:
            return True
        for prev, line in itertools.pairwise(lines):
            assert prev.balance is not None and line.balance is not None
            if prev.balance + line.amount != line.balance:
                problems.errors.append(CellError(
                    r.file, r.sheet, line.row, r.where("balance"),
                    f"balance {line.balance} does not follow from {prev.balance} (row {prev.row}) {line.amount:+}",
                    f"{prev.balance + line.amount}; a line may be missing or an amount misread"))
                ok = False
        return ok

    # -------------------------------------------------------------- matching

    def _plan_lines(self, lines: list[Line], r: RowReader, ctx: Context, plan: Plan,
                    problems: Problems, has_balance: bool) -> None:
        resolutions = resolutions_from_entries(ctx.entries)
        registry = registry_from_entries(ctx.entries, make_resolution_check(resolutions))
        contracts = contracts_from_entries(ctx.entries)
        manager = ctx.options.get("manager-name") or "物业服务公司"
        fp = ctx.fingerprints(self.kind)
        match = _Matcher(manager, contracts, resolutions, registry, *aliases(ctx.options))
        # Once the compound has an approval rule, money out is booked to its purpose only
        # when it pays an approved proposal (assetreg.payments), else it waits in suspense.
        outflows = OutflowGate(ctx.entries)
        existing = _bank_postings(ctx.entries)
        existing_balances: dict[dt.date, Decimal] = {
            e.date: e.amount.number for e in ctx.entries
            if isinstance(e, data.Balance) and e.account == accounts.BANK and e.amount.number is not None}
        new: list[tuple[dt.date, Decimal]] = []
        kinds: dict[str, int] = {}
        if has_balance and not existing[0]:
            opening = lines[0].balance - lines[0].amount  # type: ignore[operator]
            if opening:
                oid = fp("opening", lines[0].day, opening)
                if oid not in ctx.seen:
                    plan.add("journal", _txn(meta(import_id=oid), lines[0].day, "期初", "共有资金专户期初余额（据银行对账单）",
                                             accounts.BANK, opening, accounts.OPENING), lines[0].row)
                    new.append((lines[0].day, opening))
                    plan.notes.append(f"opening balance {opening} booked against {accounts.OPENING}")
        seen = ctx.seen
        for line in lines:
            import_id = fp(line.day, line.amount, line.balance, line.summary, line.counterparty, line.reference, line.note)
            if import_id in seen:
                plan.already += 1
                continue
            txn, what = outflows.settle(*(match.allocation(line, import_id) or match.classify(line, import_id)))
            kinds[what] = kinds.get(what, 0) + 1
            plan.add("journal", txn, line.row)
            new.append((line.day, line.amount))
        plan.notes.extend(f"{n} × {what}" for what, n in sorted(kinds.items()))
        if has_balance:
            self._balances(lines, r, plan, problems, existing, existing_balances, new, fp, ctx.seen)

    # -------------------------------------------------------------- balances

    def _balances(self, lines: list[Line], r: RowReader, plan: Plan, problems: Problems,
                  existing: tuple[list[dt.date], list[Decimal]], existing_balances: dict[dt.date, Decimal],
                  new: list[tuple[dt.date, Decimal]], fp: Fingerprints, seen: set[str]) -> None:
        day_end: dict[dt.date, Line] = {}
        for line in lines:
            day_end[line.day] = line  # the last line of each day, in date order
        dates, sums = existing
        new.sort(key=lambda x: x[0])
        new_total, i = Decimal(0), 0
        mismatches = 0
        for day, line in day_end.items():
            check = day + dt.timedelta(days=1)
            while i < len(new) and new[i][0] < check:
                new_total += new[i][1]
                i += 1
            k = bisect.bisect_left(dates, check)
            ledger = (sums[k - 1] if k else Decimal(0)) + new_total
            assert line.balance is not None
            if ledger != line.balance:
                mismatches += 1
                if mismatches == 1:
                    problems.errors.append(CellError(
                        r.file, r.sheet, line.row, r.where("balance"),
                        f"after this import the ledger's {accounts.BANK} would hold {ledger} on {check}, the bank says {line.balance}",
                        "the ledger to hold the statement's opening balance first: import the earlier statements, "
                        "or remove hand-made bank entries these lines duplicate"))
                continue
            if check in existing_balances:
                if existing_balances[check] != line.balance:
                    problems.errors.append(CellError(
                        r.file, r.sheet, line.row, r.where("balance"),
                        f"the ledger already asserts {existing_balances[check]} in the account on {check}, "
                        f"this statement ends the day at {line.balance}",
                        "statements cut at day boundaries: an earlier export probably ended in the middle of that day"))
                continue
            if day >= dt.date.today():
                continue  # the bank's day is not over: its last balance is not the day's final one
            bid = fp("balance", check, line.balance)
            if bid in seen:
                continue
            plan.add("journal", data.Balance(meta(import_id=bid), check, accounts.BANK,
                                             Amount(line.balance, CURRENCY), None, None), line.row)
        if mismatches > 1:
            plan.notes.append(f"{mismatches - 1} later day(s) mismatch too")


class _Matcher:
    """What each line of one statement is (see the module's docstring). Everything that does
    not depend on the line — normalised names and ids, each contract's gate check and billing
    schedule, what a counterparty's name says — is worked out once per statement, not per line."""

    def __init__(self, manager: str, contracts: dict[str, Contract], resolutions: dict[str, Resolution],
                 registry: Registry, manager_aliases: set[str] | None = None,
                 party_aliases: dict[str, set[str]] | None = None) -> None:
        self.manager = manager
        self.manager_norm = _norm(manager)
        self.manager_names = {self.manager_norm, *(manager_aliases or ())}
        party_aliases = party_aliases or {}
        # (contract, its id as it may appear in 摘要, its counterparty), normalised once
        self.contracts = [(c, _norm(cid), _norm(str(c.terms.get("counterparty", ""))))
                          for cid, c in contracts.items()]
        # every name a contract's counterparty is known by: its own and its declared aliases
        self.party_names = {c.id: {party, *party_aliases.get(party, ())} - {""} for c, _, party in self.contracts}
        self.resolutions = [(rid.upper(), res) for rid, res in resolutions.items()]
        self.registry = registry
        self._names: dict[str, tuple[str, bool, str]] = {}  # counterparty → (normalised, organisation, payee)
        self._by_party: dict[str, list[Contract]] = {}
        self._gate: dict[str, str | None] = {}
        self._dues: dict[str, tuple[list[Due], set[str]]] = {}

    def name(self, counterparty: str) -> tuple[str, bool, str]:
        known = self._names.get(counterparty)
        if known is None:
            organisation = bool(_ORG.search(counterparty))
            payee = counterparty if organisation else ("个人" if counterparty else "")
            known = self._names[counterparty] = (_norm(counterparty), organisation, payee)
        return known

    def by_party(self, cp: str) -> list[Contract]:
        """The contracts whose counterparty is ``cp`` (normalised) by name or declared alias."""
        found = self._by_party.get(cp)
        if found is None:
            found = self._by_party[cp] = [c for c, _, _ in self.contracts if cp and cp in self.party_names[c.id]]
        return found

    def candidates(self, cp: str) -> str:
        """Known names that a counterparty written ``cp`` is part of, or that are part of it:
        never booked on (a fragment names no one), but named in suspense for the treasurer."""
        if not cp:
            return ""
        found = [f"物业公司 {self.manager}" for n in sorted(self.manager_names) if _near(n, cp)][:1]
        found += [f"合同 {c.id} {c.terms.get('counterparty', '')}" for c, _, _ in self.contracts
                  if any(_near(n, cp) for n in self.party_names[c.id])]
        return "；".join(dict.fromkeys(found))

    def is_manager(self, cp: str) -> bool:
        return bool(cp) and cp in self.manager_names

    def gate(self, c: Contract) -> str | None:
        if c.id not in self._gate:
            self._gate[c.id] = gate_problem(c)
        return self._gate[c.id]

    def dues(self, c: Contract) -> tuple[list[Due], set[str]]:
        """The contract's billing schedule and its periods; none for a period no schedule
        is made for (a hand-written ``weekly``), whose payments then count by the term alone."""
        known = self._dues.get(c.id)
        if known is None:
            dues = schedule(c) if c.period in _BILLED else []
            known = self._dues[c.id] = (dues, {d.period for d in dues})
        return known

    def allocation(self, line: Line, import_id: str) -> tuple[data.Transaction, str] | None:
        """An outgoing transfer that cites a passed owners' resolution spends net income as
        that resolution decided (Regulations Art. 54: mainly to the maintenance fund)."""
        if line.amount >= 0 or not self.resolutions:
            return None
        text = " ".join((line.summary, line.note)).upper()
        cited = [res for rid, res in self.resolutions if rid in text]
        if len(cited) != 1 or not cited[0].passed or cited[0].date > line.day:
            return None  # no, several, failed or later resolutions: left to the other rules (suspense)
        account = next((acct for pattern, acct in _ALLOCATIONS if pattern.search(text)), accounts.OTHER_USES)
        organisation = bool(_ORG.search(line.counterparty))
        payee = line.counterparty if organisation else "个人"
        m = meta(resolution=cited[0].id, bank_ref=line.reference or None, import_id=import_id)
        narration = narration_of(line, not organisation) or "银行流水"
        return _txn(m, line.day, payee, narration, accounts.BANK, line.amount, account), "按决议支出"

    def classify(self, line: Line, import_id: str) -> tuple[data.Transaction, str]:
        text = " ".join((line.summary, line.note, line.reference)).replace(" ", "").upper()
        cp, organisation, payee = self.name(line.counterparty)
        narration = narration_of(line, not organisation) or "银行流水"
        ref = line.reference or None
        inflow = line.amount > 0

        def suspense(reason: str) -> tuple[data.Transaction, str]:
            near = self.candidates(cp)
            if near:
                reason += "；对方户名与已知名称不完全一致，可能是：" + near + "（如确为同一方，请在设置中登记别名后重新导入）"
            m = meta(bank_ref=ref, unmatched=reason, candidates=near or None, import_id=import_id)
            return _txn(m, line.day, payee, narration, accounts.BANK, line.amount, accounts.SUSPENSE), "待查明"

        by_ref = [c for c, cid, _ in self.contracts if cid in text]
        if _DEPOSIT.search(text):
            found = by_ref or self.by_party(cp)
            if len(found) != 1:
                return suspense("押金未能对应到唯一合同" if found else "押金未注明合同")
            c = found[0]
            m = meta(contract=c.id, bank_ref=ref, import_id=import_id)
            return _txn(m, line.day, payee or str(c.terms.get("counterparty", "")), narration, accounts.BANK,
                        line.amount, accounts.DEPOSITS), "押金" if inflow else "退还押金"
        if not inflow:
            if _FEE.search(text) and (not line.counterparty or "银行" in line.counterparty):
                m = meta(bank_ref=ref, import_id=import_id)
                return _txn(m, line.day, payee or "银行", narration, accounts.BANK, line.amount, accounts.BANK_FEES), "银行手续费"
            return suspense("支出未匹配")
        if self.is_manager(cp):
            # the payer as the bank wrote it is kept when it is one of the manager's aliases
            m = meta(bank_ref=ref, payer=line.counterparty if cp != self.manager_norm else None, import_id=import_id)
            return _txn(m, line.day, self.manager, narration, accounts.BANK, line.amount, accounts.HELD_BY_MANAGER), "物业代收转入"
        found = by_ref or self.by_party(cp)
        if len(found) > 1:
            active = [c for c in found if c.active_on(line.day)]
            found = active if active else found
        if not found:
            return suspense("未匹配到合同或物业公司")
        if len(found) > 1:
            return suspense("对方有多份合同，请在附言注明合同编号")
        c = found[0]
        if self.gate(c):
            return suspense(f"合同{c.id}未通过政策闸门")
        period = _period(line.day, line.summary + " " + line.note, self.dues(c)[0])
        if not c.active_on(line.day) and period not in self.dues(c)[1]:
            return suspense(f"合同{c.id}在{line.day}不在有效期内")
        ids = [a.upper() for a in c.assets]
        assets = [self.registry.get(a) for a in ids]
        if not ids or any(a is None or not a.confirmed_on(line.day) for a in assets):
            return suspense(f"合同{c.id}的资产在{line.day}未确权")
        kind = assets[0].kind  # type: ignore[union-attr]
        m = meta(asset=",".join(ids), contract=c.id, period=period, bank_ref=ref, import_id=import_id)
        return _txn(m, line.day, payee or str(c.terms.get("counterparty", "")), narration, accounts.BANK, line.amount,
                    accounts.INCOME_BY_KIND.get(kind, accounts.INCOME_BY_KIND["other"])), "合同收款"


class _FastLine:
    """The common bank line — ISO date text or an Excel date, amounts as plain text such as
    "1234.50", texts as text — read without the general machinery; it gives exactly what
    :meth:`BankImporter._line` gives for such a line, and None for anything else."""

    def __init__(self, header: Header, layout: BankLayout) -> None:
        ix = header.index
        self.date, self.inc, self.exp = ix["date"], ix["income"], ix["expense"]
        self.bal = ix.get("balance")
        self.texts = tuple(ix.get(k) for k in ("summary", "counterparty", "reference", "note"))
        self.width = max(ix.values()) + 1
        # A statement repeats its dates (many lines a day) and most of its texts (摘要,
        # 对方户名): each distinct one is read once.
        self.days: dict[str, dt.date] = {}
        self.cleaned: dict[str, str] = {}

    def __call__(self, row: Row) -> Line | None:
        cells = row.cells
        if len(cells) < self.width:
            return None
        d = cells[self.date]
        if type(d) is str:
            known = self.days.get(d)
            if known is None:
                known = _iso_day(d)
                if known is None:
                    return None
                self.days[d] = known
            day = known
        elif type(d) is dt.datetime:
            day = d.date()
            if not in_range(day):
                return None  # the full reading reports it
        else:
            return None
        inc, exp = _plain(cells[self.inc]), _plain(cells[self.exp])
        if inc is _NO or exp is _NO or (inc is None) == (exp is None):
            return None
        amount = inc if exp is None else -exp
        if not amount or (amount < 0 and exp is None) or (amount > 0 and inc is None):
            return None  # zero or negative one-way amounts: the full reading reports them
        balance = None
        if self.bal is not None:
            balance = _plain(cells[self.bal])
            if balance is None or balance is _NO:
                return None
        texts = []
        cleaned = self.cleaned
        for i in self.texts:
            v = cells[i] if i is not None else None
            if v is None:
                texts.append("")
            elif type(v) is str:
                text = cleaned.get(v)
                if text is None:
                    text = cleaned[v] = " ".join(v.translate(_HALF_WIDTH).split())
                texts.append(text)
            else:
                return None
        return Line(row.number, day, amount, balance, *texts)


def _iso_day(d: str) -> dt.date | None:
    """The date of "2025-03-01", None for any other text."""
    if len(d) != 10 or d[4] != "-" or d[7] != "-":
        return None
    try:
        day = dt.date.fromisoformat(d)
    except ValueError:
        return None
    return day if in_range(day) else None  # 9999-12-31: the full reading reports it


_NO = object()  # a cell the fast path does not read


def _plain(v: Any) -> Any:
    """A plain amount as Decimal, None for an empty cell, _NO for anything else."""
    if v is None:
        return None
    if type(v) is str:
        if _PLAIN_MONEY.fullmatch(v):
            # "1234.50" is already in cents; "1234" and "1234.5" are made so
            return Decimal(v) if v[-3:-2] == "." else Decimal(v).quantize(CENT)
        if not v.strip() or v.strip() in NO_AMOUNT:
            return None
    return _NO


def _running(lines: list[Line]) -> bool:
    """Does each balance follow from the one before it?"""
    return all(a.balance is not None and b.balance is not None and a.balance + b.amount == b.balance
               for a, b in itertools.pairwise(lines))


def _bank_postings(entries: list[Any]) -> tuple[list[dt.date], list[Decimal]]:
    """Dates and running totals of every posting to the bank account already in the ledger."""
    moves: list[tuple[dt.date, Decimal]] = sorted(
        (e.date, p.units.number) for e in entries if isinstance(e, data.Transaction)
        for p in e.postings if p.account == accounts.BANK and p.units is not None and p.units.number is not None)
    dates, sums, total = [], [], Decimal(0)
    for d, n in moves:
        total += n
        dates.append(d)
        sums.append(total)
    return dates, sums


def _txn(m: dict[str, Any], day: dt.date, payee: str, narration: str, bank: str, amount: Decimal,
         other: str) -> data.Transaction:
    postings = [data.Posting(bank, Amount(amount, CURRENCY), None, None, None, None),
                data.Posting(other, Amount(-amount, CURRENCY), None, None, None, None)]
    return data.Transaction(m, day, "*", payee or None, narration, frozenset(), frozenset(), postings)


_BILLED = ("month", "quarter", "half-year", "year", "once")  # periods a billing schedule is made for


def _period(day: dt.date, text: str, dues: list[Due]) -> str:
    """The billing period a payment is for: a month named in the 摘要, else the one of the
    contract's billing schedule ``dues`` containing the day."""
    m = _MONTH.search(clean(text))
    when = day
    if m and 1 <= int(m.group(2)) <= 12:
        when = dt.date(int(m.group(1)), int(m.group(2)), 1)
    for due in dues:
        if due.start <= when <= due.end:
            return due.period
    if dues and when < dues[0].start:
        return dues[0].period
    if dues and when > dues[-1].end:
        return dues[-1].period
    return f"{when:%Y-%m}"
