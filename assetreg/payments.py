"""Spending approvals: no owners' money leaves the dedicated account without recorded approvals.

Who approves, and the rule, are dated settings (``accounts.beancount``)::

    2025-11-01 custom "approver" "OWN-0012" "committee"
      role: "业委会主任"
    2025-11-01 custom "approver" "SUP-QJP-07" "supervisor"
      role: "社区居委会"
    2026-05-01 custom "approver" "OWN-0012" "removed"
      reason: "换届"
    2025-11-01 custom "approval-rule" "payments"
      committee: 2                 ; approvals of committee members every payment needs
      supervisor-above: 5000.00    ; above this (超过: not equal), also the supervisor
      resolution-above: 50000.00   ; above this, also a passed owners' assembly resolution
      window-days: 60              ; the money must leave within so many days of the proposal

Before the first ``approval-rule`` a compound spends as it did (a transfer citing a passed
resolution is an allocation); from it on, the rule in force on the day the money leaves
decides. A payment is a proposal and its steps (``journal.beancount``), append-only::

    2026-01-05 custom "payment" "PAY-2026-001" "proposed"
      by: "OWN-0031"
      amount: 12345.67
      payee: "淮安市住房专项维修资金管理中心"
      purpose: "划转2025H2补充维修资金"
      account: "Expenses:Allocation:补充维修资金"
      resolution: "R-2024-02"
      hash: "sha256:…"
    2026-01-06 custom "payment" "PAY-2026-001" "approved"
      by: "OWN-0012"
      hash: "sha256:…"              ; the content hash the approver saw
    2026-01-07 custom "payment" "PAY-2026-001" "rejected"
      by: "OWN-0044"
      hash: "sha256:…"
      reason: "…"

``amended`` restates the whole proposal (a new version). Which content an approval is of is
its ``hash``; the hash that counts is the one *recomputed* from the proposal's content, so a
proposal edited in the file, or amended, needs new approvals. An approval counts when it
comes after the current version, carries that version's hash, is by an approver registered
on its day who did not propose or amend the payment, and is dated on or before the day the
money leaves. A rejection after the current version rejects it (whatever hash it names: a
veto never needs to be precise to hold). The bank importer books an outflow to its purpose
only when it matches an approved proposal (:class:`OutflowGate`); otherwise it stays in
suspense with the reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from . import accounts
from .books import Books
from .errors import BadInput
from .ledger import Transaction, custom, meta, source_of
from .resolutions import Resolution, resolutions_from_entries
from .seal import seals_from_entries
from .units import validate_owner_key
from .vocab import CENT, CURRENCY, ZERO

APPROVER_TYPE = "approver"
RULE_TYPE = "approval-rule"
PAYMENT_TYPE = "payment"
SETTINGS_PART = "accounts"
PART = "journal"
GROUPS = ("committee", "supervisor")
VERSION_STEPS = ("proposed", "amended")
DECISION_STEPS = ("approved", "rejected")
_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
# An organisation's name (a payee that may be named in the ledger); names of people never are:
# they are written 个人 and the transfer's 附言 cites the payment id. (The bank importer's own
# rule for counterparties is the same.)
_ORG = re.compile(r"公司|有限|集团|银行|.{3,}(中心|局|委员会|站|店|所|部|厂|合作社|协会|学校|医院|分行|支行|办事处|社区|街道|政府|院|馆|会)$")
PERSON = "个人"
HASH_PREFIX_MIN = 8  # hex digits of a hash an approver may quote (from a printout)


# ------------------------------------------------------------------ the model

@dataclass(frozen=True)
class Rule:
    date: dt.date
    committee: int
    supervisor_above: Decimal | None
    resolution_above: Decimal | None
    window_days: int
    source: str


@dataclass(frozen=True)
class Approver:
    key: str
    group: str  # committee | supervisor
    role: str
    since: dt.date


@dataclass(frozen=True)
class Version:
    """One statement of a proposal (proposed or amended)."""

    pid: str
    date: dt.date
    by: str
    amount: Decimal
    payee: str
    purpose: str
    account: str
    resolution: str | None
    contract: str | None
    voucher: str | None
    voucher_sha256: str | None
    stored_hash: str
    entry: Any = field(compare=False, repr=False)

    @property
    def hash(self) -> str:
        """The content hash recomputed from what the entry says now."""
        return content_hash(self.pid, self.amount, self.payee, self.purpose, self.account,
                            self.resolution, self.contract, self.voucher_sha256)


@dataclass(frozen=True)
class Step:
    action: str  # approved | rejected
    date: dt.date
    by: str
    hash: str
    reason: str
    entry: Any = field(compare=False, repr=False)


@dataclass
class Proposal:
    id: str
    events: list[Version | Step] = field(default_factory=list)  # in ledger order

    @property
    def versions(self) -> list[Version]:
        return [e for e in self.events if isinstance(e, Version)]

    @property
    def current(self) -> Version:
        return self.versions[-1]

    @property
    def proposers(self) -> set[str]:
        return {v.by for v in self.versions}

    def as_of(self, day: dt.date) -> tuple[Version | None, list[Step]]:
        """The version in force at the end of ``day`` and the steps after it (dated up to ``day``)."""
        version: Version | None = None
        after: list[Step] = []
        for e in self.events:
            if e.date > day:
                continue
            if isinstance(e, Version):
                version, after = e, []
            elif version is not None:
                after.append(e)
        return version, after


@dataclass(frozen=True)
class Standing:
    """Where a proposal stands at the end of a day, under the rule in force that day."""

    proposal: Proposal
    version: Version
    day: dt.date
    rule: Rule | None
    state: str  # approved | pending | rejected
    committee: tuple[Step, ...]  # approvals that count
    supervisor: tuple[Step, ...]
    missing: tuple[str, ...]  # what it still needs (Chinese)
    ignored: tuple[tuple[Step, str], ...]  # approvals that do not count, and why
    rejected_by: Step | None


def content_hash(pid: str, amount: Decimal, payee: str, purpose: str, account: str,
                 resolution: str | None, contract: str | None, voucher_sha256: str | None) -> str:
    """What an approver sees, in one canonical form: changing any of it changes the hash."""
    canon = {"id": pid, "amount": f"{Decimal(amount).quantize(CENT)}", "payee": payee, "purpose": purpose,
             "account": account, "resolution": resolution or "", "contract": contract or "",
             "voucher": voucher_sha256 or ""}
    blob = json.dumps(canon, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()


def same_party(a: str, b: str) -> bool:
    """Same payee: equal, or the shorter name (4 characters or more) inside the longer."""
    x, y = ("".join(a.split()).upper(), "".join(b.split()).upper())
    if not x or not y:
        return False
    if x == y:
        return True
    short, long_ = sorted((x, y), key=len)
    return len(short) >= 4 and short in long_


@dataclass
class PaymentBook:
    """Every approver, rule, proposal and step of a ledger, and the payments made."""

    rules: list[Rule] = field(default_factory=list)
    approver_events: dict[str, list[tuple[dt.date, str, str]]] = field(default_factory=dict)
    proposals: dict[str, Proposal] = field(default_factory=dict)
    resolutions: dict[str, Resolution] = field(default_factory=dict)
    paid: dict[str, list[Any]] = field(default_factory=dict)  # payment id -> transactions citing it
    malformed: list[tuple[Any, str]] = field(default_factory=list)

    def rule_on(self, day: dt.date) -> Rule | None:
        found = None
        for r in self.rules:
            if r.date <= day:
                found = r
        return found

    @property
    def since(self) -> dt.date | None:
        """The day the first rule took effect (None: this compound does not require approvals)."""
        return self.rules[0].date if self.rules else None

    def approver_on(self, key: str, day: dt.date) -> Approver | None:
        found: Approver | None = None
        for d, action, role in self.approver_events.get(key, ()):
            if d > day:
                break
            found = None if action == "removed" else Approver(key, action, role, d)
        return found

    def approvers_on(self, day: dt.date) -> list[Approver]:
        return [a for k in sorted(self.approver_events) if (a := self.approver_on(k, day)) is not None]

    def standing(self, pid: str, day: dt.date) -> Standing | None:
        p = self.proposals.get(pid)
        if p is None:
            return None
        version, steps = p.as_of(day)
        if version is None:
            return None
        rule = self.rule_on(day)
        committee: dict[str, Step] = {}
        supervisor: dict[str, Step] = {}
        ignored: list[tuple[Step, str]] = []
        rejected_by = None
        proposers = p.proposers
        for s in steps:
            if s.action == "rejected":
                if self.approver_on(s.by, s.date) is not None and rejected_by is None:
                    rejected_by = s
                elif rejected_by is None:
                    ignored.append((s, f"{s.by}在{s.date}不是登记的审批人"))
                continue
            why = None
            who = self.approver_on(s.by, s.date)
            if s.by in proposers:
                why = f"{s.by}是本申请的申请人，不能审批自己的申请"
            elif who is None:
                why = f"{s.by}在{s.date}不是登记的审批人"
            elif not _hash_matches(s.hash, version.hash):
                why = f"审批所见内容（{_short(s.hash)}）与当前申请（{_short(version.hash)}）不符"
            if why:
                ignored.append((s, why))
                continue
            assert who is not None
            (committee if who.group == "committee" else supervisor).setdefault(s.by, s)
        missing: list[str] = []
        if rule is None:
            missing.append(f"{day}时本小区未设定付款审批规则")
        else:
            if len(committee) < rule.committee:
                missing.append(f"业委会委员同意{len(committee)}人，需{rule.committee}人")
            if rule.supervisor_above is not None and version.amount > rule.supervisor_above and not supervisor:
                missing.append(f"金额超过{rule.supervisor_above}元，需社区/街道监督人同意")
            if rule.resolution_above is not None and version.amount > rule.resolution_above:
                res = self.resolutions.get(version.resolution or "")
                if res is None:
                    missing.append(f"金额超过{rule.resolution_above}元，需引用业主大会决议")
                elif not res.passed or res.date > day:
                    missing.append(f"金额超过{rule.resolution_above}元，所引决议{res.id}未在{day}前通过")
        state = "rejected" if rejected_by is not None else "pending" if missing else "approved"
        return Standing(p, version, day, rule, state, tuple(committee.values()), tuple(supervisor.values()),
                        tuple(missing), tuple(ignored), rejected_by)

    def match(self, day: dt.date, amount: Decimal, payee: str, text: str,
              used: Iterable[str] = ()) -> Standing | str:
        """The approved, unpaid proposal an outflow of ``amount`` to ``payee`` on ``day`` pays
        (the one its ``text`` cites, else the oldest), or the reason there is none (Chinese)."""
        used = set(used)
        upper = text.upper()
        cited = [p for p in self.proposals.values() if p.id in upper]
        fitting: list[tuple[Proposal, Version]] = []
        done: list[tuple[Proposal, Version]] = []
        for p in cited or self.proposals.values():
            version, _ = p.as_of(day)
            if version is not None and version.amount == amount and same_party(version.payee, payee):
                (done if p.id in used else fitting).append((p, version))
        if not fitting:
            if done:
                return f"付款申请{done[0][0].id}已经支付过"
            if cited:
                return f"付款申请{cited[0].id}的金额或收款方与本笔支出不符"
            return "支出没有对应的付款申请（金额、收款方）"
        reasons = []
        rule = self.rule_on(day)
        window = rule.window_days if rule else 0
        for p, version in fitting:
            if (day - version.date).days > window:
                reasons.append(f"付款申请{p.id}（{version.date}）已超过{window}天付款期限")
                continue
            st = self.standing(p.id, day)
            assert st is not None
            if st.state == "approved":
                return st
            if st.state == "rejected":
                assert st.rejected_by is not None
                reasons.append(f"付款申请{p.id}已于{st.rejected_by.date}被否决")
            else:
                reasons.append(f"付款申请{p.id}审批未完成：" + "；".join(st.missing))
        return reasons[0]


def _short(h: str) -> str:
    return h.removeprefix("sha256:")[:12]


def _hash_matches(seen: str, current: str) -> bool:
    """An approval's hash names the current content: the whole hash, or a printed prefix."""
    s = seen.strip().lower().removeprefix("sha256:")
    return len(s) >= HASH_PREFIX_MIN and current.removeprefix("sha256:").startswith(s)


def _dec(v: Any) -> Decimal | None:
    if v is None or v == "":
        return None
    try:
        return Decimal(str(v))
    except InvalidOperation:
        return None


def _text(m: dict[str, Any], key: str) -> str | None:
    v = m.get(key)
    return str(v) if v not in (None, "") else None


def book_from_entries(entries: Iterable[Any], resolutions: dict[str, Resolution] | None = None) -> PaymentBook:
    """One pass over the entries (in ledger order)."""
    book = PaymentBook()
    Custom, Txn = data.Custom, data.Transaction
    res_entries = []
    for e in entries:
        t = type(e)
        if t is Txn:
            pid = e.meta.get("payment")
            if pid:
                book.paid.setdefault(str(pid), []).append(e)
            continue
        if t is not Custom:
            continue
        if e.type == "resolution":
            res_entries.append(e)
        elif e.type == RULE_TYPE:
            m = e.meta
            committee, window = _dec(m.get("committee")), _dec(m.get("window-days"))
            if committee is None or window is None:
                book.malformed.append((e, "approval-rule needs committee: and window-days: numbers"))
                continue
            book.rules.append(Rule(e.date, int(committee), _dec(m.get("supervisor-above")),
                                   _dec(m.get("resolution-above")), int(window), source_of(e)))
        elif e.type == APPROVER_TYPE and len(e.values) >= 2:
            key, action = str(e.values[0].value), str(e.values[1].value)
            book.approver_events.setdefault(key, []).append((e.date, action, str(e.meta.get("role", ""))))
        elif e.type == PAYMENT_TYPE and len(e.values) >= 2:
            pid, action = str(e.values[0].value), str(e.values[1].value)
            m = e.meta
            p = book.proposals.setdefault(pid, Proposal(pid))
            if action in VERSION_STEPS:
                amount = _dec(m.get("amount"))
                if amount is None or not m.get("payee") or not m.get("account"):
                    book.malformed.append((e, "a payment proposal needs amount:, payee: and account:"))
                    continue
                p.events.append(Version(pid, e.date, str(m.get("by", "")), amount, str(m["payee"]),
                                        str(m.get("purpose", "")), str(m["account"]), _text(m, "resolution"),
                                        _text(m, "contract"), _text(m, "voucher"), _text(m, "voucher-sha256"),
                                        str(m.get("hash", "")), e))
            elif action in DECISION_STEPS:
                p.events.append(Step(action, e.date, str(m.get("by", "")), str(m.get("hash", "")),
                                     str(m.get("reason", "")), e))
    for k in book.approver_events:
        book.approver_events[k].sort(key=lambda x: x[0])
    book.rules.sort(key=lambda r: r.date)
    book.proposals = {k: p for k, p in book.proposals.items() if p.versions}
    book.resolutions = resolutions if resolutions is not None else resolutions_from_entries(res_entries)
    return book


_CACHE: dict[int, tuple[Books, PaymentBook]] = {}


def of(books: Books) -> PaymentBook:
    """The payment book of a ledger index (built once per index)."""
    found = _CACHE.get(id(books))
    if found is not None and found[0] is books:
        return found[1]
    book = book_from_entries(books.entries, books.resolutions)
    _CACHE.clear()  # one index at a time is enough: a load, its audit, its pages
    _CACHE[id(books)] = (books, book)
    return book


# ------------------------------------------------------------------ a bank outflow

def bank_outflow(entry: Any) -> Decimal | None:
    """The amount a transaction takes out of the owners' account to pay someone (None if it
    pays nobody: money in, or only the bank's own charges)."""
    out = ZERO
    other = []
    for p in entry.postings:
        if p.units is None or p.units.number is None:
            continue
        if p.account == accounts.BANK:
            out -= p.units.number
        else:
            other.append(p.account)
    if out <= 0 or all(a == accounts.BANK_FEES for a in other):
        return None
    return out


def approved_match(entries: Sequence[Any], day: dt.date, amount: Decimal, payee: str, text: str = "") -> Standing | str:
    """For a bank outflow assigned from suspense (or any other writer): the approved, unpaid
    proposal it pays, or why there is none. ``None`` rule in force that day: the reason says so."""
    book = book_from_entries(entries)
    if book.rule_on(day) is None:
        return f"{day}时本小区未设定付款审批规则"
    return book.match(day, amount, payee, text, book.paid)


class OutflowGate:
    """Decides where each outflow of a bank statement is booked, once the compound has an
    approval rule: to the purpose of the approved proposal it matches, else to suspense with
    the reason. Proposals paid earlier in the ledger, or by an earlier line of the same
    statement, are not paid twice."""

    def __init__(self, entries: Sequence[Any]) -> None:
        self.book = book_from_entries(entries)
        self.used: set[str] = set(self.book.paid)

    def settle(self, txn: data.Transaction, what: str) -> tuple[data.Transaction, str]:
        if not self.book.rules or self.book.rule_on(txn.date) is None:
            return txn, what
        amount = bank_outflow(txn)
        if amount is None:
            return txn, what
        found = self.book.match(txn.date, amount, txn.payee or "", txn.narration or "", self.used)
        m = {k: v for k, v in txn.meta.items()
             if k not in ("filename", "lineno", "unmatched", "resolution", "contract", "payment")}
        bank_ref, import_id = m.pop("bank_ref", None), m.pop("import_id", None)
        if isinstance(found, str):
            new_meta = meta(bank_ref=bank_ref, unmatched=found, import_id=import_id, **m)
            account = accounts.SUSPENSE
            what = "待查明（无已批准的付款申请）"
        else:
            v = found.version
            self.used.add(v.pid)
            new_meta = meta(payment=v.pid, resolution=v.resolution, contract=v.contract, bank_ref=bank_ref,
                            import_id=import_id, **m)
            account = v.account
            what = "按审批付款"
        postings = [data.Posting(accounts.BANK, Amount(-amount, CURRENCY), None, None, None, None),
                    data.Posting(account, Amount(amount, CURRENCY), None, None, None, None)]
        return txn._replace(meta=new_meta, postings=postings), what


# ------------------------------------------------------------------ writes

def _check_open(txn: Transaction, day: dt.date) -> None:
    sealed = max((s.through for s in seals_from_entries(txn.after().entries)), default=None)
    if sealed is not None and day <= sealed:
        raise BadInput(f"{day} is inside the period sealed through {sealed}",
                       f"record it with a date after {sealed}: sealed periods are closed")


def approver_key(text: str) -> str:
    return validate_owner_key(text).upper()


def set_approver(txn: Transaction, day: dt.date, key: str, group: str, role: str, reason: str = "") -> Any:
    """Stage a change of who approves: ``group`` committee | supervisor | removed."""
    key = approver_key(key)
    if group not in (*GROUPS, "removed"):
        raise BadInput(f"unknown approver group {group!r}", "use committee, supervisor or removed")
    _check_open(txn, day)
    book = book_from_entries(txn.after().entries)
    if group == "removed":
        if book.approver_on(key, day) is None:
            raise BadInput(f"{key} is not an approver on {day}", "check with `assetreg payment approvers`")
        if not reason.strip():
            raise BadInput("removing an approver needs a reason", "pass --reason '…', e.g. 换届")
        entry = custom(day, APPROVER_TYPE, [key, "removed"], reason=reason.strip())
    else:
        if not role.strip():
            raise BadInput("an approver needs a role (no name)", "pass --role, e.g. 业委会主任 / 社区居委会")
        entry = custom(day, APPROVER_TYPE, [key, group], role=role.strip())
    txn.append(SETTINGS_PART, [entry])
    return entry


def set_rule(txn: Transaction, day: dt.date, committee: int, supervisor_above: Decimal | None,
             resolution_above: Decimal | None, window_days: int) -> Any:
    """Stage the approval rule in force from ``day``."""
    if committee < 1:
        raise BadInput(f"--committee {committee}", "every payment needs at least 1 committee approval (2 is usual)")
    if window_days < 1:
        raise BadInput(f"--window-days {window_days}", "give the days within which an approved payment is made, e.g. 60")
    for name, v in (("--supervisor-above", supervisor_above), ("--resolution-above", resolution_above)):
        if v is not None and v < 0:
            raise BadInput(f"{name} {v} is negative", "give an amount in yuan, e.g. 5000")
    _check_open(txn, day)
    entry = custom(day, RULE_TYPE, ["payments"], committee=committee,
                   **{"supervisor-above": None if supervisor_above is None else supervisor_above.quantize(CENT),
                      "resolution-above": None if resolution_above is None else resolution_above.quantize(CENT),
                      "window-days": window_days})
    txn.append(SETTINGS_PART, [entry])
    return entry


_PURPOSE_ACCOUNTS = ((re.compile(r"维修资金|维修基金"), accounts.MAINTENANCE_FUND),
                     (re.compile(r"业委会|业主委员会|工作经费"), accounts.COMMITTEE_FUNDS),
                     (re.compile(r"押金|保证金"), accounts.DEPOSITS))


def purpose_account(purpose: str) -> str:
    """The account a purpose books to when none is given."""
    return next((a for p, a in _PURPOSE_ACCOUNTS if p.search(purpose)), accounts.OTHER_USES)


def check_payee(payee: str) -> str:
    p = " ".join(payee.split())
    if not p:
        raise BadInput("no payee", "pass --to with the organisation paid, or 个人")
    if p != PERSON and not _ORG.search(p):
        raise BadInput(f"payee {p!r} does not look like an organisation's name",
                       "names of people never go into the ledger: write --to 个人 and cite the payment id "
                       "in the transfer's 附言")
    return p


def _open_accounts(entries: Iterable[Any], day: dt.date) -> set[str]:
    opened: set[str] = set()
    for e in entries:
        if isinstance(e, data.Open) and e.date <= day:
            opened.add(e.account)
        elif isinstance(e, data.Close) and e.date <= day:
            opened.discard(e.account)
    return opened


def _version(txn: Transaction, day: dt.date, pid: str, action: str, by: str, amount: Decimal, payee: str,
             purpose: str, account: str | None, resolution: str | None, contract: str | None,
             voucher: tuple[str, str] | None) -> Any:
    entries = txn.after().entries
    by = approver_key(by)
    if amount <= 0:
        raise BadInput(f"--amount {amount}", "a payment is a positive amount in yuan, e.g. 1200.00")
    if amount != amount.quantize(CENT):
        raise BadInput(f"--amount {amount} has fractions of a cent", "give yuan to the cent, e.g. 1200.50")
    payee = check_payee(payee)
    purpose = " ".join(purpose.split())
    if not purpose:
        raise BadInput("no purpose", "pass --purpose '…' (what the money is for)")
    account = account or purpose_account(purpose)
    if not (account.startswith("Expenses:") or account == accounts.DEPOSITS) or account == accounts.BANK_FEES:
        raise BadInput(f"account {account} is not one a payment books to",
                       "an Expenses:… account (e.g. Expenses:Allocation:业主大会决定用途) or "
                       f"{accounts.DEPOSITS} for a deposit returned")
    if account not in _open_accounts(entries, day):
        raise BadInput(f"account {account} is not open on {day}", "open it in accounts.beancount first, or choose another")
    if account == accounts.DEPOSITS and not contract:
        raise BadInput("returning a deposit needs the contract", "pass --contract C-…")
    if resolution:
        resolution = resolution.strip().upper()
        if resolution not in resolutions_from_entries(entries):
            raise BadInput(f"no resolution {resolution} in the ledger", "check with `assetreg resolution list`")
    if contract:
        contract = contract.strip().upper()
        if not any(isinstance(e, data.Custom) and e.type == "contract" and e.values
                   and str(e.values[0].value).upper() == contract for e in entries):
            raise BadInput(f"no contract {contract} in the ledger", "check with `assetreg contract list`")
    rel, sha = voucher if voucher else (None, None)
    h = content_hash(pid, amount, payee, purpose, account, resolution, contract, sha)
    entry = custom(day, PAYMENT_TYPE, [pid, action], by=by, amount=amount.quantize(CENT), payee=payee,
                   purpose=purpose, account=account, resolution=resolution, contract=contract, voucher=rel,
                   **{"voucher-sha256": sha}, hash=h)
    txn.append(PART, [entry])
    return entry


def next_id(book: PaymentBook, day: dt.date) -> str:
    prefix = f"PAY-{day.year}-"
    n = max((int(k[len(prefix):]) for k in book.proposals if k.startswith(prefix) and k[len(prefix):].isdigit()),
            default=0)
    return f"{prefix}{n + 1:03d}"


def propose(txn: Transaction, day: dt.date, by: str, amount: Decimal, payee: str, purpose: str, *,
            account: str | None = None, resolution: str | None = None, contract: str | None = None,
            voucher: tuple[str, str] | None = None, pid: str | None = None) -> Any:
    """Stage a new payment proposal (``voucher``: its file in the compound and sha256)."""
    _check_open(txn, day)
    book = book_from_entries(txn.after().entries)
    if pid is None:
        pid = next_id(book, day)
    pid = pid.strip().upper()
    if not _ID.match(pid):
        raise BadInput(f"malformed payment id {pid!r}", "use letters, digits and '-', e.g. PAY-2026-001")
    if pid in book.proposals:
        raise BadInput(f"payment {pid} is already proposed ({source_of(book.proposals[pid].versions[0].entry)})",
                       "change it with `assetreg payment amend`, or give a new --id")
    return _version(txn, day, pid, "proposed", by, amount, payee, purpose, account, resolution, contract, voucher)


def _proposal(book: PaymentBook, pid: str, day: dt.date) -> tuple[Proposal, Version]:
    p = book.proposals.get(pid.strip().upper())
    if p is None:
        raise BadInput(f"no payment proposal {pid}", "check the id with `assetreg payment list`")
    version, _ = p.as_of(day)
    if version is None:
        raise BadInput(f"payment {p.id} was proposed only on {p.versions[0].date}, after {day}",
                       "give a date on or after the proposal")
    if version is not p.current:
        raise BadInput(f"payment {p.id} was amended after {day}", "steps are recorded in order: give a later date")
    return p, version


def amend(txn: Transaction, day: dt.date, pid: str, by: str, *, amount: Decimal | None = None,
          payee: str | None = None, purpose: str | None = None, account: str | None = None,
          resolution: str | None = None, contract: str | None = None,
          voucher: tuple[str, str] | None = None) -> Any:
    """Stage a new version of a proposal (earlier approvals no longer count)."""
    _check_open(txn, day)
    book = book_from_entries(txn.after().entries)
    p, v = _proposal(book, pid, day)
    if p.id in book.paid:
        raise BadInput(f"payment {p.id} has been paid ({source_of(book.paid[p.id][0])})",
                       "money that left is corrected by a new proposal and a reversal, not by amending")
    return _version(txn, day, p.id, "amended", by, v.amount if amount is None else amount,
                    v.payee if payee is None else payee, v.purpose if purpose is None else purpose,
                    account if account is not None else (v.account if purpose is None else None),
                    v.resolution if resolution is None else resolution, v.contract if contract is None else contract,
                    voucher if voucher is not None else (
                        (v.voucher, v.voucher_sha256) if v.voucher and v.voucher_sha256 else None))


def decide(txn: Transaction, day: dt.date, pid: str, action: str, by: str, *, seen_hash: str | None = None,
           reason: str = "") -> tuple[Any, Standing]:
    """Stage an approver's approval or rejection of the current version; returns the entry and
    where the proposal stands with it."""
    assert action in DECISION_STEPS
    _check_open(txn, day)
    key = approver_key(by)
    book = book_from_entries(txn.after().entries)
    p, v = _proposal(book, pid, day)
    who = book.approver_on(key, day)
    if who is None:
        raise BadInput(f"{key} is not a registered approver on {day}",
                       "register approvers with `assetreg payment approver add KEY --group committee --role …`")
    if key in p.proposers:
        raise BadInput(f"{key} proposed payment {p.id} and cannot {'approve' if action == 'approved' else 'reject'} it",
                       "another approver decides: no one approves their own payment")
    if seen_hash is not None and not _hash_matches(seen_hash, v.hash):
        raise BadInput(f"the proposal {p.id} changed since {key} saw it: {seen_hash} is not its content hash "
                       f"{v.hash}", f"show the approver the proposal as it is now (`assetreg payment show {p.id}`)")
    before = book.standing(p.id, day)
    assert before is not None
    if before.state == "rejected":
        raise BadInput(f"payment {p.id} was rejected on {before.rejected_by.date if before.rejected_by else '?'}",
                       "an amended proposal (`assetreg payment amend`) may be decided again")
    if action == "approved" and any(s.by == key for s in (*before.committee, *before.supervisor)):
        raise BadInput(f"{key} has already approved payment {p.id} as it stands", "each approver approves once")
    if action == "rejected" and not reason.strip():
        raise BadInput("a rejection needs a reason", "pass --reason '…'")
    entry = custom(day, PAYMENT_TYPE, [p.id, action], by=key, hash=v.hash, reason=reason.strip() or None)
    txn.append(PART, [entry])
    after = book_from_entries(txn.after().entries).standing(p.id, day)
    assert after is not None
    return entry, after


# ------------------------------------------------------------------ for the pages

def trail(books: Books, pid: str) -> list[dict[str, str]]:
    """A payment's approval trail as residents see it: steps, roles and dates, no keys or names."""
    book = of(books)
    p = book.proposals.get(pid)
    if p is None:
        return []
    out = []
    for e in p.events:
        if isinstance(e, Version):
            out.append({"date": e.date.isoformat(), "step": e.entry.values[1].value, "role": "申请人",
                        "amount": str(e.amount), "hash": _short(e.hash)})
        else:
            who = book.approver_on(e.by, e.date)
            out.append({"date": e.date.isoformat(), "step": e.action,
                        "role": who.role if who else "（非登记审批人）", "hash": _short(e.hash)})
    return out
