"""经营合同: contracts, a contract's page, billing, resolutions and their tally."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .. import periods
from ..audit.income import gate_problem
from ..books import Income
from ..contracts import Contract, billing_period
from ..resolutions import Resolution
from ..tally import Tally
from ..vocab import CONTRACT_STATE_LABELS, ORGANISATION_KINDS, USES, VERDICT_LABELS, ZERO
from ..vouchers import index as voucher_index
from .base import Books, matches, rule_ids, source_ref, yuan
from .policy import RuleRef, rule_index
from .vouchers import VoucherLink, links


@dataclass(frozen=True)
class BillingRow:
    """One billing period up to today: due, paid, and what is short."""

    period: str
    start: dt.date
    end: dt.date
    due: Decimal
    paid: Decimal
    short: Decimal
    state: str  # paid | open (short, within the grace days) | arrears


@dataclass(frozen=True)
class Billing:
    rows: tuple[BillingRow, ...]  # only on a contract's own page
    due_to_date: Decimal
    paid_total: Decimal
    unmatched: Decimal  # paid against no known period
    arrears: Decimal
    overpaid: Decimal
    prepaid: Decimal
    status: str  # arrears | open | paid
    status_label: str


@dataclass(frozen=True)
class TallyRatio:
    """One of the four Art. 278 ratios of a resolution, with its threshold and verdict."""

    key: str
    label: str
    value: str
    threshold: str
    met: bool


@dataclass(frozen=True)
class ResolutionSummary:
    """A resolution a contract cites; ``missing`` when the ledger has none by that id."""

    id: str
    missing: bool
    date: dt.date | None = None
    title: str = ""
    matter: int = 0
    passed: bool = False
    ratios: tuple[TallyRatio, ...] = ()
    ballots: str = ""
    thresholds: str = ""


@dataclass(frozen=True)
class Payment:
    date: dt.date
    asset: str  # "" for income naming no asset
    period: str
    amount: Decimal
    narration: str
    vouchers: tuple[VoucherLink, ...] = ()  # the receipt, bank slip … of this payment


@dataclass(frozen=True)
class ContractSummary:
    """A contract as the list and an asset's page show it; on its own page (see
    :func:`contract_page`) ``billing`` has its rows and ``payments`` are filled in."""

    id: str
    title: str
    assets: tuple[str, ...]
    use: str
    use_label: str
    counterparty_kind: str
    counterparty: str  # an organisation's name; "" for an owner (never named)
    start: dt.date
    end: dt.date
    ended_early: dt.date | None
    end_reason: str
    state: str  # upcoming | in-force | ended
    state_label: str
    price: Decimal
    period: str
    period_label: str
    deposit: Decimal
    manager_share: str
    decision: str
    decision_label: str
    rules: tuple[str, ...]
    rule_details: tuple[RuleRef, ...]
    policy_set: str
    gate: str  # "" when the recorded decision matches the terms, else the problem
    resolution: ResolutionSummary | None
    billing: Billing
    income_total: Decimal
    income_year: Decimal
    recorded: dt.date
    source: str  # file:line
    payments: tuple[Payment, ...] = ()
    vouchers: tuple[VoucherLink, ...] = ()  # the signed contract's pages (contract page only)

    @property
    def deciding(self) -> tuple[RuleRef, ...]:
        """The rules that decided it: for a permitted contract the guidance and general
        rules that let it in (not the negative-list rules it merely cleared)."""
        return deciding_rules(self.rule_details, self.decision)

    @property
    def cleared(self) -> int:
        """How many negative-list rules a permitted contract was checked against and cleared."""
        return sum(1 for r in self.rule_details if r.kind == "negative") if self.decision == "permitted" else 0

    @property
    def general(self) -> int:
        """How many general rules (every contract's) a permitted contract passed."""
        return sum(1 for r in self.rule_details if r.kind == "general") if self.decision == "permitted" else 0


def deciding_rules(details: tuple[RuleRef, ...], decision: str) -> tuple[RuleRef, ...]:
    if decision == "permitted":
        # The guidance rule that lists the use decides; the general rules every contract
        # passes (confirmed asset, no overlap, cost-share cap) stay in the full list.
        allowed = tuple(r for r in details if r.kind != "negative")
        return tuple(r for r in allowed if r.kind not in ("general", "condition")) or allowed
    if decision == "forbidden":
        return tuple(r for r in details if r.kind == "negative") or details
    return details


@dataclass(frozen=True)
class RejectedRow:
    """A proposal the policy gate turned down, and why."""

    date: dt.date
    id: str
    verdict: str
    verdict_label: str
    use: str
    use_label: str
    assets: str
    rules: tuple[str, ...]
    rule_details: tuple[RuleRef, ...]
    reasons: tuple[str, ...]

    @property
    def deciding(self) -> tuple[RuleRef, ...]:
        return deciding_rules(self.rule_details, self.verdict)


@dataclass(frozen=True)
class ContractsPage:
    in_force: tuple[ContractSummary, ...]
    upcoming: tuple[ContractSummary, ...]
    ended: tuple[ContractSummary, ...]
    rejected: tuple[RejectedRow, ...]
    arrears_total: Decimal


def contract_state(c: Contract, today: dt.date) -> str:
    if c.start > today:
        return "upcoming"
    return "in-force" if c.active_on(today) else "ended"


def current_contract(books: Books, asset_id: str) -> Contract | None:
    """The contract in force today on the asset, else the latest one that names it."""
    found = books.index.contracts_by_asset.get(asset_id, [])
    active = [c for c in found if c.active_on(books.today)]
    if active:
        return max(active, key=lambda c: c.start)
    return max(found, key=lambda c: c.start) if found else None


def billing(books: Books, c: Contract, with_rows: bool = False) -> Billing:
    """Amounts due to date against payments booked with ``contract:`` and ``period:`` meta.

    A period paid short counts as arrears once it ended more than ``billing-grace-days``
    ago (the audit's rule); before that it is shown as not yet due in full. ``with_rows``
    adds the period-by-period table (for a contract's own page).
    """
    dues, known = books.index.schedule(c)
    grace = dt.timedelta(days=books.index.option_int("billing-grace-days", books.today))  # as the audit reads it
    paid_by_period: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for inc in books.index.income_by_contract.get(c.id, []):
        paid_by_period[billing_period(dues, known, inc.period, inc.date) or "?"] += inc.gross
    rows: list[BillingRow] = []
    due_to_date = arrears = prepaid = over = ZERO
    periods_due = 0
    open_short = False
    today = books.today
    for d in dues:
        paid = paid_by_period.get(d.period, ZERO)
        if d.start > today:
            prepaid += paid
            continue
        periods_due += 1
        due_to_date += d.amount
        late = d.end + grace < today
        short = d.amount - paid if paid < d.amount else ZERO
        if paid > d.amount:
            over += paid - d.amount
        if short and late:
            arrears += short
        elif short:
            open_short = True
        if with_rows:
            rows.append(BillingRow(d.period, d.start, d.end, d.amount, paid, short,
                                   "arrears" if short and late else "open" if short else "paid"))
    unmatched = sum((v for k, v in paid_by_period.items() if k not in known), ZERO)
    over += unmatched
    paid_total = sum(paid_by_period.values(), ZERO)
    notes = []
    if arrears > 0:
        status, label = "arrears", f"欠费 {yuan(arrears)} 元"
    elif open_short:
        status, label = "open", "当期未缴（宽限期内）"
    else:
        status, label = "paid", "已结清" if periods_due else "尚无到期款项"
    if over > 0:
        notes.append(f"多收 {yuan(over)} 元")
    if prepaid > 0:
        notes.append(f"预收 {yuan(prepaid)} 元")
    if notes:
        label += "（" + "，".join(notes) + "）"
    return Billing(rows=tuple(rows), due_to_date=due_to_date, paid_total=paid_total,
                   unmatched=unmatched, arrears=arrears, overpaid=over, prepaid=prepaid,
                   status=status, status_label=label)


TALLY_KEYS = ("area_total", "heads_total", "area_participating", "heads_participating",
              "area_approving", "heads_approving")


def _percent(f: Fraction) -> str:
    return f"{(Decimal(f.numerator) / Decimal(f.denominator) * 100).quantize(Decimal('0.01'))}%"


def _number(f: Fraction) -> str:
    text = str(f.numerator) if f.denominator == 1 else str(Decimal(f.numerator) / Decimal(f.denominator))
    return f"{Decimal(text):,}"


def tally_ratios(r: Resolution) -> tuple[TallyRatio, ...]:
    """The four Art. 278 ratios of a recorded resolution, each with its threshold and verdict.

    Recomputed from the counts stored with the resolution by ``assetreg resolution record``,
    with the tally module's own rules (thresholds by matter, "以上" inclusive, "过半数"
    strict -- Art. 1259), so the page shows exactly what decided it.
    """
    if not all(k in r.meta for k in TALLY_KEYS):
        return ()
    m = r.meta
    tally = Tally(matter=r.matter, follow_majority=bool(m.get("follow_majority", False)),
                  area_total=Decimal(str(m["area_total"])), heads_total=int(m["heads_total"]),
                  area_participating=Decimal(str(m["area_participating"])),
                  heads_participating=int(m["heads_participating"]),
                  area_approving=Decimal(str(m["area_approving"])),
                  heads_approving=int(m["heads_approving"]),
                  ballots=int(m.get("ballots", 0)), followed_units=int(m.get("followed_units", 0)))
    return tuple(
        TallyRatio(
            key=c.name,
            label=c.label,
            value=f"{_number(c.numerator)} / {_number(c.denominator)} = {_percent(c.ratio)}"
            if c.denominator else "—",
            threshold=("超过" if c.strict else "不少于") + str(c.threshold),
            met=c.met,
        )
        for c in tally.checks
    )


def resolution_summary(books: Books, rid: str | None) -> ResolutionSummary | None:
    if not rid:
        return None
    r = books.resolutions.get(rid)
    if r is None:
        return ResolutionSummary(id=rid, missing=True)
    return ResolutionSummary(id=r.id, missing=False, date=r.date, title=r.title, matter=r.matter,
                             passed=r.passed, ratios=tally_ratios(r),
                             ballots=str(r.meta.get("ballots", "")),
                             thresholds=str(r.meta.get("thresholds", "")))


def _rule_details(books: Books, ids: tuple[str, ...]) -> tuple[RuleRef, ...]:
    """Each rule id with its title and legal source (when the policy set names it)."""
    index = rule_index(books)
    return tuple(index.get(i) or RuleRef(i, "", "", "negative" if i.startswith("N-") else "other")
                 for i in ids)


def gate_check(c: Contract) -> str:
    """Whether the recorded decision still matches the contract's terms (the audit's rule):
    "" when it does, the problem when not."""
    problem = gate_problem(c)
    return str(problem) if problem else ""


def contract_summary(books: Books, c: Contract) -> ContractSummary:
    state = contract_state(c, books.today)
    m = c.meta
    lines = books.index.income_by_contract.get(c.id, [])
    decision = str(m.get("decision", ""))
    counterparty_kind = str(c.terms.get("counterparty_kind", ""))
    rules = rule_ids(m.get("rules"))
    return ContractSummary(
        id=c.id,
        title=str(m.get("title", "")),
        assets=tuple(c.assets),
        use=c.use,
        use_label=USES.get(c.use, c.use),
        counterparty_kind=counterparty_kind,
        # An organisation is named; an owner counterparty stays "业主" (no key, no name).
        counterparty=str(c.terms.get("counterparty", ""))
        if counterparty_kind in ORGANISATION_KINDS else "",
        start=c.start,
        end=c.end,
        ended_early=c.ended,
        end_reason=c.end_reason,
        state=state,
        state_label=CONTRACT_STATE_LABELS[state],
        price=c.price,
        period=c.period,
        period_label=periods.FREQUENCY_LABELS.get(c.period, c.period),
        deposit=c.deposit,
        manager_share=str(c.terms.get("manager_share", "")),
        decision=decision,
        decision_label=VERDICT_LABELS.get(decision, str(m.get("decision", "未记录"))),
        rules=rules,
        rule_details=_rule_details(books, rules),
        policy_set=str(m.get("policy_set", "")),
        gate=gate_check(c),
        resolution=resolution_summary(books, c.terms.get("resolution")),
        billing=billing(books, c),
        income_total=sum((inc.gross for inc in lines), ZERO),
        income_year=sum((inc.gross for inc in lines if inc.date.year == books.today.year), ZERO),
        recorded=c.date,
        source=source_ref(c.source),
    )


def contracts_page(books: Books) -> ContractsPage:
    """经营合同: contracts in force, upcoming and ended; rejected proposals and why."""
    return books.memo("contracts", lambda: _contracts_page(books))


def _contracts_page(books: Books) -> ContractsPage:
    summaries = [contract_summary(books, c)
                 for c in sorted(books.contracts.values(), key=lambda c: (c.start, c.id))]
    rejected = []
    for r in sorted(books.rejected, key=lambda r: (r.date, r.id)):
        m = r.meta
        use = str(m.get("use", ""))
        rules = rule_ids(m.get("rules"))
        reasons = str(m.get("reasons", m.get("reason", "")))
        rejected.append(RejectedRow(
            date=r.date, id=r.id, verdict=r.verdict, verdict_label=r.verdict_label,
            use=use, use_label=USES.get(use, f"清单外用途（{use}）"), assets=str(m.get("assets", "")),
            rules=rules, rule_details=_rule_details(books, rules),
            reasons=tuple(s.strip() for s in re.split(r"[;；\n]+", reasons) if s.strip()),
        ))
    return ContractsPage(
        in_force=tuple(s for s in summaries if s.state == "in-force"),
        upcoming=tuple(s for s in summaries if s.state == "upcoming"),
        ended=tuple(s for s in summaries if s.state == "ended"),
        rejected=tuple(rejected),
        arrears_total=sum((s.billing.arrears for s in summaries), ZERO),
    )


def _by_asset(inc: Income) -> list[tuple[str, Decimal]]:
    """An income's amount per asset named ("" for income naming none)."""
    return list(inc.by_asset.items()) if inc.by_asset else [("", inc.gross)]


def contract_page(books: Books, cid: str) -> ContractSummary | None:
    """A contract's own page: its summary with the billing table and every payment."""
    c = books.contracts.get(cid.strip())
    if c is None:
        return None
    idx = voucher_index(books.index)  # kept by assetreg.vouchers for this load
    payments = tuple(
        Payment(inc.date, asset, inc.period or "", amount, inc.entry.narration or "",
                tuple(links(idx.of_entry(inc.entry))))
        for inc in sorted(books.index.income_by_contract.get(c.id, []), key=lambda inc: inc.date)
        for asset, amount in _by_asset(inc)
    )
    return dataclasses.replace(contract_summary(books, c), billing=billing(books, c, with_rows=True),
                               payments=payments, vouchers=tuple(links(idx.by_key.get(f"contract:{c.id}", ()))))


def contract_list(books: Books, state: str | None = None, use: str | None = None,
                  kind: str | None = None, zone: str | None = None,
                  query: str | None = None) -> tuple[ContractSummary, ...]:
    """Contracts filtered by state (in force, upcoming, ended), use, the kind and zone of
    their assets, and a search over id, title, assets, use and counterparty."""
    page = contracts_page(books)
    rows = {"in-force": page.in_force, "upcoming": page.upcoming, "ended": page.ended}.get(
        state or "", page.in_force + page.upcoming + page.ended)
    assets = books.registry.assets
    query = (query or "").strip()[:100]

    def keep(c: ContractSummary) -> bool:
        if use and c.use != use:
            return False
        mine = [assets[a] for a in c.assets if a in assets]
        if kind and not any(a.kind == kind for a in mine):
            return False
        if zone and not any(zone in re.split(r"[,\s;，]+", str(a.facts.get("zones", ""))) for a in mine):
            return False
        return not query or matches(query, c.id, c.title, " ".join(c.assets), c.use_label,
                                    c.counterparty, c.state_label, c.decision_label)

    return tuple(c for c in rows if keep(c))
