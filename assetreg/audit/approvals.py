"""Money out only with recorded approvals, and a voucher behind every large line.

``payment-unapproved``: from the compound's first ``approval-rule`` on, money that leaves the
owners' account (other than the bank's own charges) is paid on a proposal approved under
the rule in force that day, by approvals dated on or before it, for that amount and payee.
An outflow booked to suspense, or naming no proposal, is unapproved.

``payment-approved-late``: the proposal an outflow paid (or, for an unapproved outflow, the
one of that amount and payee) got approvals only after the money left.

``payment-self-approval``: someone who proposed or amended a payment approved it.

``payment-hash-mismatch``: a proposal whose recorded hash is not that of what it says now
(edited after it was recorded), or an approval or rejection of a content hash other than
that of the version it followed.

``voucher-missing``: a line of income or cost above ``voucher-threshold`` without a voucher,
with its amount and age. ``voucher-changed``: a voucher's file missing or not the scan that
was attached (its sha256 differs).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from beancount.core import data

from .. import payments, vouchers
from .context import Context
from .findings import Finding, finding

RULE = "业主共有资金使用审批制度（业委会集体审批、社区/街道监督）；民法典第278条、第281条"
VOUCHER_RULE = "公共收益收支须有合法凭证并向业主公开（民法典第281条、第943条）"


def check_payments(ctx: Context) -> list[Finding]:
    book = payments.of(ctx.books)
    out: list[Finding] = []
    since = book.since
    for p in book.proposals.values():
        out.extend(_proposal_findings(book, p))
    if since is None:
        return out
    for e in ctx.books.entries:
        if type(e) is not data.Transaction or e.date < since or e.date > ctx.as_of:
            continue
        amount = payments.bank_outflow(e)
        if amount is None or book.rule_on(e.date) is None:
            continue
        out.extend(_outflow_findings(book, e, amount))
    return out


def _outflow_findings(book: payments.PaymentBook, e: Any, amount: Any) -> list[Finding]:
    pid = str(e.meta.get("payment") or "")
    payee = e.payee or ""
    facts = dict(date=e.date, amount=amount, payee=payee)
    if not pid:
        why = str(e.meta.get("unmatched") or "未注明付款申请")
        after = _approved_after(book, e, amount, payee)
        out = [finding("payment-unapproved", "warning",
                       f"{e.date} 从业主共有资金账户付给{payee or '（未注明）'} {amount} 元，没有已批准的"
                       f"付款申请（{why}）", RULE, [e], **facts, reason=why)]
        if after is not None:
            out.append(after)
        return out
    st = book.standing(pid, e.date)
    if st is None:
        return [finding("payment-unapproved", "warning",
                        f"{e.date} 付出 {amount} 元，所引付款申请 {pid} 当日尚未提出",
                        RULE, [e], **facts, payment=pid)]
    v = st.version
    out = []
    problems = []
    if v.amount != amount:
        problems.append(f"申请金额为 {v.amount} 元")
    if not payments.same_party(v.payee, payee):
        problems.append(f"申请的收款方为{v.payee}")
    if st.state != "approved":
        problems.append("；".join(st.missing) if st.state == "pending" else f"已于 {st.rejected_by.date} 被否决"
                        if st.rejected_by else st.state)
    if problems:
        out.append(finding("payment-unapproved", "warning",
                           f"{e.date} 按付款申请 {pid} 付出 {amount} 元，但未按所付情形获批：" + "；".join(problems),
                           RULE, [e, v.entry], **facts, payment=pid, state=st.state, missing="；".join(st.missing)))
    late = [s for s in _steps_after(st.proposal, v) if s.action == "approved" and s.date > e.date]
    if late:
        out.append(finding("payment-approved-late", "warning",
                           f"付款申请 {pid} 的 {amount} 元已于 {e.date} 付出，其后才有 {len(late)} 项审批"
                           f"（{'、'.join(str(s.date) for s in late)}）：先付款后审批",
                           RULE, [e, *(s.entry for s in late)], **facts, payment=pid,
                           approvals_after=", ".join(f"{_role(book, s)}@{s.date}" for s in late)))
    return out


def _steps_after(p: payments.Proposal, v: payments.Version) -> list[payments.Step]:
    i = p.events.index(v)
    out = []
    for x in p.events[i + 1:]:
        if isinstance(x, payments.Version):
            break
        out.append(x)
    return out


def _approved_after(book: payments.PaymentBook, e: Any, amount: Any, payee: str) -> Finding | None:
    """An unapproved outflow whose proposal (same amount and payee) was approved only later."""
    # A proposal another bank outflow paid is not this one's (the same sum may be paid monthly);
    # one assigned from suspense afterwards is.
    by_bank = {pid for pid, paid in book.paid.items() if any(payments.bank_outflow(x) for x in paid)}
    for p in book.proposals.values():
        v = p.current
        if p.id in by_bank or v.amount != amount or not payments.same_party(v.payee, payee) or v.date > e.date + _window(book, e):
            continue
        later = book.standing(p.id, max(x.date for x in p.events))
        if later is not None and later.state == "approved":
            done = max(s.date for s in (*later.committee, *later.supervisor)) if later.committee else v.date
            if done > e.date:
                return finding("payment-approved-late", "warning",
                               f"{e.date} 付给{payee} {amount} 元，对应的付款申请 {p.id} "
                               f"迟至 {done} 才获批准：先付款后审批", RULE, [e, v.entry], date=e.date, amount=amount,
                               payee=payee, payment=p.id, approved=done)
    return None


def _window(book: payments.PaymentBook, e: Any) -> dt.timedelta:
    rule = book.rule_on(e.date)
    return dt.timedelta(days=rule.window_days if rule else 0)


def _role(book: payments.PaymentBook, s: payments.Step) -> str:
    """Who took a step, as residents may read it: the role, never the owner's key."""
    who = book.approver_on(s.by, s.date)
    return who.role if who and who.role else "未登记的审批人"


def _proposal_findings(book: payments.PaymentBook, p: payments.Proposal) -> list[Finding]:
    out = []
    current: payments.Version | None = None
    proposers = p.proposers
    for x in p.events:
        if isinstance(x, payments.Version):
            current = x
            if x.stored_hash != x.hash:
                out.append(finding("payment-hash-mismatch", "warning",
                                   f"付款申请 {p.id}（{x.date} 记录）的内容与其哈希不符：记录后被改动过，"
                                   "对它的审批一律不算",
                                   RULE, [x.entry], payment=p.id, recorded=x.stored_hash, now=x.hash))
            continue
        if x.action == "approved" and x.by in proposers:
            out.append(finding("payment-self-approval", "warning",
                               f"{_role(book, x)}于 {x.date} 批准了本人提出或修改的付款申请 {p.id}"
                               "（自己审批，不算）", RULE, [x.entry], payment=p.id, role=_role(book, x),
                               date=x.date))
        if current is not None and not payments._hash_matches(x.hash, current.hash):
            out.append(finding("payment-hash-mismatch", "warning",
                               f"{_role(book, x)}于 {x.date} 对付款申请 {p.id} 的"
                               f"{'同意' if x.action == 'approved' else '否决'}针对的内容为 {x.hash[:19]}…，"
                               f"不是申请当时的内容（{current.hash[:19]}…）",
                               RULE, [x.entry, current.entry], payment=p.id, role=_role(book, x), seen=x.hash,
                               now=current.hash))
    return out


def check_vouchers(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    limit = vouchers.threshold(ctx.books)
    if limit is not None:
        for line in vouchers.lines(ctx.books, ctx.as_of):
            if not line.flagged:
                continue
            age = (ctx.as_of - line.date).days
            label = "收入" if line.kind == "income" else "支出"
            out.append(finding("voucher-missing", "warning",
                               f"{line.date} 的{label} {line.amount} 元（{age} 日前）没有凭证；超过 {limit} 元的"
                               f"收支须附凭证（`assetreg voucher attach`）", VOUCHER_RULE, [line.entry],
                               date=line.date, amount=line.amount, age_days=age, threshold=limit, kind=line.kind))
    for v, why in vouchers.check_files(ctx.books):
        out.append(finding("voucher-changed", "warning",
                           f"凭证 {v.name}（{v.attached} 附于 {v.key}）：{why}", VOUCHER_RULE, [v.entry],
                           file=f"documents/凭证/{v.name}", sha256=v.sha256))
    return out
