"""Moving a suspense line to what it really is: the reclassifying entry (归属).

    assetreg suspense assign S-3F9A21C0 --contract C-2024-009
    assetreg suspense assign S-77D0E412 --as 物业经营成本

The original import entry stays as it was; a new transaction moves the line's amount
from ``Liabilities:Suspense:待查明款项`` to the account the bank importer would have
booked had it recognised the line, with the same metadata, so the audit, the billing
status and the disclosure read it like an imported line::

    2024-03-12 * "个人" "归属：合同收款（个人转账）"
      clears: "S-3F9A21C0"
      reclassifies: "bank-5c0f…"
      assigned: "contract"
      asset: "P-001"
      contract: "C-2024-009"
      period: "2024-03"
      import_id: "assign-…"
      Liabilities:Suspense:待查明款项     88.00 CNY
      Income:Common:停车位             -88.00 CNY

:func:`route` holds the rules of each kind (a contract payment passes the gate and its
assets' confirmation that day; spending out of the owners' funds cites a passed
resolution of an Art. 278 matter that authorises spending; the manager's cost share stays
within the cap); :class:`Checker` then refuses any write after which ``bean-check`` or the
allocation check would report something it did not before. :mod:`assetreg.correction`
routes a replacement entry through the same rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from . import accounts, suspense
from .audit import plugin_findings
from .audit.context import Context as AuditContext
from .audit.income import gate_problem
from .audit.uses import check_undistributed
from .books import Books, build, is_suspense
from .errors import BadInput
from .ledger import Transaction, meta
from .seal import seals_from_entries
from .tally import MATTERS
from .vocab import CENT, CURRENCY, ZERO

# Art. 278 matters whose resolution authorises spending the owners' funds: using or raising
# the maintenance fund (5, 6), rebuilding (7), other major matters of common rights, such as
# how common income is used (9). Rules, committee elections, hiring the manager (1-4) and
# operating common parts (8: letting a space is not spending its income) do not.
SPENDING_MATTERS = (5, 6, 7, 9)
_ACCOUNT = {
    "remittance": accounts.HELD_BY_MANAGER, "deposit": accounts.DEPOSITS,
    "deposit-return": accounts.DEPOSITS, "manager-share": accounts.MANAGER_COST,
    "maintenance-fund": accounts.MAINTENANCE_FUND, "committee-funds": accounts.COMMITTEE_FUNDS,
    "other-cost": accounts.OTHER_USES, "interest": accounts.BANK_INTEREST, "fee": accounts.BANK_FEES,
}


@dataclass(frozen=True)
class Choice:
    """What the treasurer says a line is."""

    kind: str
    contract: str | None = None
    asset: str | None = None
    resolution: str | None = None
    account: str | None = None  # the other account of a transfer
    reason: str | None = None


@dataclass(frozen=True)
class Route:
    account: str
    meta: dict[str, Any] = field(default_factory=dict)
    opens: tuple[str, ...] = ()  # accounts to open first (bank interest)


def sealed_through(entries: list[Any]) -> dt.date | None:
    return max((s.through for s in seals_from_entries(entries)), default=None)


def open_accounts(entries: list[Any], day: dt.date) -> set[str]:
    opened = {e.account for e in entries if type(e) is data.Open and e.date <= day}
    closed = {e.account for e in entries if type(e) is data.Close and e.date <= day}
    return opened - closed


def route(books: Books, choice: Choice, amount: Decimal, day: dt.date) -> Route:
    """Where ``amount`` (as the bank saw it: + in, − out) of kind ``choice.kind`` goes on
    ``day``, and the metadata the audit reads there; BadInput naming the rule otherwise."""
    kind = choice.kind
    label = suspense.KINDS[kind]
    way = suspense.DIRECTION[kind]
    if (way == "in" and amount < 0) or (way == "out" and amount > 0):
        raise BadInput(f"{label} ({kind}) is money {'into' if way == 'in' else 'out of'} the account, "
                       f"this line is {amount} ({'in' if amount > 0 else 'out'})",
                       "pick a kind for money " + ("in: " if amount > 0 else "out: ")
                       + ", ".join(k for k, w in suspense.DIRECTION.items() if w in ("both", "in" if amount > 0 else "out")))
    if kind == "contract" or (kind == "refund" and amount < 0):
        return _contract_payment(books, choice, day, label)
    if kind in ("deposit", "deposit-return"):
        c = _contract(books, choice, label)
        if kind == "deposit-return":
            held = -sum((mv.amount for mv in books.deposits if mv.contract == c.id and mv.date <= day), ZERO)
            if held < -amount:
                raise BadInput(f"contract {c.id} holds a deposit of {held} on {day}; {-amount} cannot be returned",
                               "check the contract and the deposit booked for it")
        return Route(accounts.DEPOSITS, {"contract": c.id})
    if kind == "manager-share":
        return _manager_share(books, choice, amount, day)
    if kind in ("maintenance-fund", "committee-funds", "other-cost") or kind == "refund":
        res = _resolution(books, choice, day, label, spending=kind != "refund")
        return Route(accounts.OTHER_USES if kind == "refund" else _ACCOUNT[kind], {"resolution": res})
    if kind == "transfer":
        other = (choice.account or "").strip()
        if not other:
            raise BadInput("a transfer between the compound's own accounts needs the other account",
                           "pass --account Assets:Bank:… (an account opened in accounts.beancount)")
        if (not other.startswith("Assets:") or other in (accounts.BANK, accounts.HELD_BY_MANAGER)
                or is_suspense(other)):
            raise BadInput(f"{other} is not another account of the compound's own money",
                           "an Assets:… account of the owners other than the dedicated account itself")
        if other not in open_accounts(books.entries, day):
            raise BadInput(f"account {other} is not open on {day}",
                           f"open it first in accounts.beancount (e.g. `2020-01-01 open {other} CNY`)")
        return Route(other)
    if kind == "interest":
        opened = open_accounts(books.entries, day)
        return Route(accounts.BANK_INTEREST, opens=() if accounts.BANK_INTEREST in opened else (accounts.BANK_INTEREST,))
    return Route(_ACCOUNT[kind])


def _contract(books: Books, choice: Choice, label: str) -> Any:
    cid = (choice.contract or "").strip().upper()
    if not cid:
        raise BadInput(f"{label} needs the contract it belongs to", "pass --contract C-…")
    c = books.contracts.get(cid)
    if c is None:
        raise BadInput(f"contract {cid} is not recorded in the ledger",
                       "record it first (`assetreg contract record`), or name another")
    return c


def _contract_payment(books: Books, choice: Choice, day: dt.date, label: str) -> Route:
    c = _contract(books, choice, label)
    problem = gate_problem(c)
    if problem:
        raise BadInput(f"contract {c.id} did not pass the policy gate: {problem}",
                       "income may be booked only under a contract the gate permitted (民法典第278条)")
    own = [a.upper() for a in c.assets]
    ids = [a.strip().upper() for a in (choice.asset or "").split(",") if a.strip()] or own
    outside = [a for a in ids if a not in own]
    if outside:
        raise BadInput(f"contract {c.id} covers {', '.join(own) or 'no assets'}, not {', '.join(outside)}",
                       "name assets of the contract with --asset, or leave it out for all of them")
    for a in ids:
        asset = books.registry.get(a)
        if asset is None or not asset.confirmed_on(day):
            status = asset.status_on(day) if asset is not None else "not registered"
            raise BadInput(f"asset {a} of contract {c.id} was not confirmed on {day} (status: {status})",
                           "income from a common asset is booked only from its confirmation (民法典第282条)")
    dues, keys = books.schedule(c)
    period = _period(day, dues)
    if not c.active_on(day) and period not in keys:
        raise BadInput(f"contract {c.id} is not in force on {day} ({c.terms.get('start')} to {c.terms.get('end')})",
                       "assign the line to the contract in force that day")
    kind = books.registry.get(ids[0]).kind  # type: ignore[union-attr]
    return Route(accounts.INCOME_BY_KIND.get(kind, accounts.INCOME_BY_KIND["other"]),
                 {"asset": ",".join(ids), "contract": c.id, "period": period})


def _period(day: dt.date, dues: list[Any]) -> str:
    """The billing period containing ``day`` (as the bank importer picks it without a month in the 附言)."""
    for due in dues:
        if due.start <= day <= due.end:
            return str(due.period)
    if dues and day < dues[0].start:
        return str(dues[0].period)
    if dues and day > dues[-1].end:
        return str(dues[-1].period)
    return f"{day:%Y-%m}"


def _resolution(books: Books, choice: Choice, day: dt.date, label: str, spending: bool) -> str:
    rid = (choice.resolution or "").strip().upper()
    if not rid:
        raise BadInput(f"{label} spends the owners' funds: it needs the resolution that decided it",
                       "pass --resolution R-… (a passed resolution of the owners' assembly, 民法典第278条)")
    r = books.resolutions.get(rid)
    if r is None:
        raise BadInput(f"resolution {rid} is not recorded in the ledger", "record it first (`assetreg resolution record`)")
    if not r.passed:
        raise BadInput(f"resolution {rid} did not pass ({r.source})", "only a passed resolution authorises spending")
    if r.date > day:
        raise BadInput(f"resolution {rid} was adopted on {r.date}, after the payment on {day}",
                       "spending must follow the decision")
    if spending and r.matter not in SPENDING_MATTERS:
        raise BadInput(
            f"resolution {rid} decided Art. 278 item {r.matter} ({MATTERS.get(r.matter, '?')}), "
            "which is no authority to spend the owners' funds",
            "cite a resolution on using the funds: item "
            + ", ".join(f"{m} ({MATTERS[m]})" for m in SPENDING_MATTERS))
    return rid


def _manager_share(books: Books, choice: Choice, amount: Decimal, day: dt.date) -> Route:
    """The manager's reasonable cost (Art. 282) paid out of the owners' account: all the
    cost paid and deducted up to ``day``, this payment included, stays within the cap
    (the contract's agreed share with --contract, else ``manager-share-max``) of the gross
    common income earned up to that day."""
    cid = None
    if choice.contract:
        c = _contract(books, choice, suspense.KINDS["manager-share"])
        cid = c.id
        cap = c.manager_share if "manager_share" in c.terms else books.option_decimal("manager-share-max")
        gross = sum((inc.gross for inc in books.income_by_contract.get(cid, []) if inc.date <= day), ZERO)
        cost = sum((mv.amount for mv in books.costs
                    if mv.date <= day and str(mv.entry.meta.get("contract") or "") == cid), ZERO)
        whose = f"contract {cid}'s"
    else:
        cap = books.option_decimal("manager-share-max")
        gross = sum((inc.gross for inc in books.income if inc.date <= day), ZERO)
        cost = sum((mv.amount for mv in books.costs if mv.date <= day), ZERO)
        whose = "the compound's"
    limit = (gross * cap).quantize(CENT, ROUND_HALF_UP)
    if cost - amount > limit:
        raise BadInput(
            f"the manager's cost would come to {cost - amount} of {gross} common income earned up to {day}, "
            f"above {whose} cap {cap} (at most {limit}; {max(limit - cost, ZERO)} left)",
            "pay at most the share agreed (民法典第282条：扣除合理成本); raise the cap only by the owners' decision")
    return Route(accounts.MANAGER_COST, {"contract": cid} if cid else {})


# ------------------------------------------------------------------ checking the write

class Checker:
    """Refuses a write after which bean-check (the plugin's book-wrong checks) or the
    allocation check reports something it did not report before."""

    def __init__(self, txn: Transaction) -> None:
        self.txn = txn
        self.sealed = sealed_through(txn.entries)
        self._before: set[tuple[str, str]] | None = None

    def _findings(self, entries: list[Any]) -> list[Any]:
        ordered = sorted(entries, key=data.entry_sortkey)
        index = build(ordered)
        options_map = self.txn.loaded.options_map
        out = list(plugin_findings(ordered, options_map, index, verify_seals=False))
        as_of = max(ordered[-1].date if ordered else dt.date.today(), dt.date.today())
        out += check_undistributed(AuditContext(index, ordered, options_map, as_of))
        return out

    def open_day(self, day: dt.date, what: str) -> None:
        if self.sealed is not None and day <= self.sealed:
            raise BadInput(f"{what} would be dated {day}, inside the period sealed through {self.sealed}",
                           f"date it after {self.sealed} (--date): sealed periods are closed")

    def check(self) -> None:
        if self._before is None:
            self._before = {(f.check, f.message) for f in self._findings(self.txn.entries)}
        new = [f for f in self._findings(self.txn.after().entries) if (f.check, f.message) not in self._before]
        if new:
            # reported once: the rows after this one are judged against what they add
            self._before |= {(f.check, f.message) for f in new}
            raise BadInput("this entry would make the books wrong:\n" + "\n".join(
                f"  [{f.check}] {f.message} ({f.rule})" for f in new),
                "choose what the books accept (see the rule cited)")

    def stage(self, entries: list[Any]) -> None:
        """Stage ``entries`` in the journal and check the ledger after them; on a refusal the
        transaction must not be committed (the caller lets the BadInput propagate)."""
        opens = [e for e in entries if type(e) is data.Open]
        if opens:
            self.txn.append("accounts", opens)
        self.txn.append("journal", [e for e in entries if type(e) is not data.Open])
        self.check()


def opening(route_: Route, day: dt.date) -> list[Any]:
    return [data.Open(meta(), day, a, [CURRENCY], None) for a in route_.opens]


def entry(day: dt.date, payee: str, narration: str, m: dict[str, Any], money: str, amount: Decimal,
          other: str) -> data.Transaction:
    """A two-posting transaction: ``amount`` into ``money``, out of ``other``."""
    postings = [data.Posting(money, Amount(amount, CURRENCY), None, None, None, None),
                data.Posting(other, Amount(-amount, CURRENCY), None, None, None, None)]
    return data.Transaction(m, day, "*", payee or None, narration, frozenset(), frozenset(), postings)


def assign(txn: Transaction, ref: str, choice: Choice, *, day: dt.date | None = None,
           import_id: str | None = None, checker: Checker | None = None) -> data.Transaction:
    """Stage the entry that moves the open suspense line ``ref`` (its id, bank reference or
    import id) to ``choice``; returns it. Dated the line's own day, so income falls in its
    period and the asset's confirmation is that of the day the money came (``day`` instead:
    a line whose day is sealed is assigned in the open period)."""
    checker = checker or Checker(txn)
    after = txn.after()
    every = suspense.lines(after.entries)
    line = suspense.find(every, ref)
    if not line.is_open:
        raise BadInput(f"suspense line {line.id} is already cleared", "see `assetreg suspense list` for the open lines")
    if day is None:
        day = line.date if checker.sealed is None or line.date > checker.sealed else dt.date.today()
    if day < line.date:
        raise BadInput(f"--date {day} is before the bank line itself ({line.date})", "date it on or after the line")
    checker.open_day(day, f"assigning {line.id}")
    books = build(after.entries)
    r = route(books, choice, line.amount, day)
    n = sum(1 for e in after.entries if type(e) is data.Transaction and str(e.meta.get("clears", "")) == line.id)
    iid = import_id or "assign-" + hashlib.sha256(f"{line.id}\x1f{n}".encode()).hexdigest()[:20]
    m = meta(clears=line.id, reclassifies=line.ref, assigned=choice.kind,
             reason=(choice.reason or "").strip() or None, **r.meta, import_id=iid)
    label = suspense.KINDS[choice.kind]
    narration = f"归属：{label}" + (f"（{line.hint}）" if line.hint else "")
    # the line's own open amount: + money in (the suspense posting was −amount)
    txn_ = entry(day, line.payee, narration, m, line.account, -line.open, r.account)
    checker.stage([*opening(r, day), txn_])
    return txn_
