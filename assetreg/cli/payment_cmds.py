"""`assetreg payment …`: spending approvals (付款审批) — proposals, each approver's step, the
approvers and the rule. Every step is a dated entry appended to the ledger."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click

from .. import books as ledger_index
from .. import payments, vouchers
from ..errors import BadInput
from ..ledger import Transaction, source_of
from ..vocab import APPROVER_GROUPS, PAYMENT_STATES, PAYMENT_STEPS
from .common import compound, date_option, echo_json, json_option, ledger_option, the_date


def register(main: click.Group) -> None:
    main.add_command(payment)


def _money(text: str | None, what: str) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text.replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        raise BadInput(f"{what} {text!r} is not an amount", "give yuan such as 1200.00") from None


def _voucher(txn: Transaction, path: Path | None) -> tuple[str, str] | None:
    if path is None:
        return None
    blob, kind, sha = vouchers.read_scan(path, vouchers.max_bytes_of(txn.after().options))
    return vouchers.stage_scan(txn, blob, kind, sha), sha


@click.group()
def payment() -> None:
    """Payments out of the owners' account and their approvals (付款申请与审批)."""


def _proposal_options(f: Any) -> Any:
    for opt in reversed([
        click.option("--amount", "amount_text", help="amount in yuan, e.g. 12000.00"),
        click.option("--to", "payee", help="the organisation paid (or 个人; never a person's name)"),
        click.option("--purpose", help="what the money is for, e.g. 3号楼屋面防水维修"),
        click.option("--account", default=None, help="account it books to (default: from the purpose)"),
        click.option("--resolution", default=None, help="the owners' resolution it rests on, e.g. R-2025-02"),
        click.option("--contract", default=None, help="the contract (for a deposit returned)"),
        click.option("--voucher", "voucher_file", default=None, type=click.Path(dir_okay=False, path_type=Path),
                     help="the quote or invoice (PDF, JPEG, PNG); copied into documents/"),
        click.option("--by", "by", required=True, help="key of who proposes it (pseudonymous, e.g. OWN-0031)"),
    ]):
        f = opt(f)
    return f


@payment.command("propose")
@_proposal_options
@click.option("--id", "pid", default=None, help="payment id (default PAY-YYYY-NNN)")
@ledger_option
@date_option("date of the proposal (YYYY-MM-DD); default today")
def payment_propose(amount_text: str | None, payee: str | None, purpose: str | None, account: str | None,
                    resolution: str | None, contract: str | None, voucher_file: Path | None, by: str,
                    pid: str | None, ledger: str | None, date_text: str | None) -> None:
    """Record a payment proposal; it is paid only once approved under the compound's rule."""
    amount = _money(amount_text, "--amount")
    if amount is None or payee is None or purpose is None:
        raise BadInput("a proposal needs --amount, --to and --purpose",
                       "e.g. --amount 12000 --to 淮安某建筑工程有限公司 --purpose 3号楼屋面防水维修")
    day = the_date(date_text)
    with compound(ledger).transaction() as txn:
        e = payments.propose(txn, day, by, amount, payee, purpose, account=account, resolution=resolution,
                             contract=contract, voucher=_voucher(txn, voucher_file), pid=pid)
    click.echo(f"proposed: {e.values[0].value}  {e.meta['amount']} → {e.meta['payee']}  ({e.meta['purpose']})")
    click.echo(f"content hash {e.meta['hash']} — approvers approve this hash")


@payment.command("amend")
@click.argument("pid", metavar="ID")
@_proposal_options
@ledger_option
@date_option("date of the amendment (YYYY-MM-DD); default today")
def payment_amend(pid: str, amount_text: str | None, payee: str | None, purpose: str | None, account: str | None,
                  resolution: str | None, contract: str | None, voucher_file: Path | None, by: str,
                  ledger: str | None, date_text: str | None) -> None:
    """Record a new version of a proposal: earlier approvals no longer count."""
    day = the_date(date_text)
    with compound(ledger).transaction() as txn:
        e = payments.amend(txn, day, pid, by, amount=_money(amount_text, "--amount"), payee=payee, purpose=purpose,
                           account=account, resolution=resolution, contract=contract,
                           voucher=_voucher(txn, voucher_file))
    click.echo(f"amended: {e.values[0].value}  {e.meta['amount']} → {e.meta['payee']}; new content hash {e.meta['hash']}")


def _decide(action: str, pid: str, by: str, seen: str | None, reason: str, ledger: str | None,
            date_text: str | None) -> None:
    day = the_date(date_text)
    with compound(ledger).transaction() as txn:
        e, st = payments.decide(txn, day, pid, action, by, seen_hash=seen, reason=reason)
    click.echo(f"recorded: {e.meta['by']} {PAYMENT_STEPS[action]} {e.values[0].value} on {day} "
               f"(content {e.meta['hash']})")
    click.echo(f"{st.proposal.id}: {PAYMENT_STATES[st.state]}" + (f" — {'；'.join(st.missing)}" if st.missing else ""))


@payment.command("approve")
@click.argument("pid", metavar="ID")
@click.option("--by", required=True, help="the approver's key")
@click.option("--hash", "seen", default=None, help="the content hash the approver saw (from `payment show`)")
@click.option("--reason", default="", help="a note (optional)")
@ledger_option
@date_option("date of the approval (YYYY-MM-DD); default today")
def payment_approve(pid: str, by: str, seen: str | None, reason: str, ledger: str | None, date_text: str | None) -> None:
    """Record an approver's approval of payment ID as it stands."""
    _decide("approved", pid, by, seen, reason, ledger, date_text)


@payment.command("reject")
@click.argument("pid", metavar="ID")
@click.option("--by", required=True, help="the approver's key")
@click.option("--hash", "seen", default=None, help="the content hash the approver saw")
@click.option("--reason", required=True, help="why")
@ledger_option
@date_option("date of the rejection (YYYY-MM-DD); default today")
def payment_reject(pid: str, by: str, seen: str | None, reason: str, ledger: str | None, date_text: str | None) -> None:
    """Record an approver's rejection of payment ID."""
    _decide("rejected", pid, by, seen, reason, ledger, date_text)


def _standing_dict(st: payments.Standing, book: payments.PaymentBook) -> dict[str, Any]:
    v = st.version
    paid = book.paid.get(v.pid, [])
    return {
        "id": v.pid, "state": "paid" if paid and st.state == "approved" else st.state,
        "amount": str(v.amount), "payee": v.payee, "purpose": v.purpose, "account": v.account,
        "resolution": v.resolution, "contract": v.contract, "voucher": v.voucher, "proposed": v.date.isoformat(),
        "proposed_by": v.by, "hash": v.hash, "as_of": st.day.isoformat(),
        "committee": [{"by": s.by, "date": s.date.isoformat()} for s in st.committee],
        "supervisor": [{"by": s.by, "date": s.date.isoformat()} for s in st.supervisor],
        "missing": list(st.missing),
        "ignored": [{"by": s.by, "date": s.date.isoformat(), "why": why} for s, why in st.ignored],
        "rejected": None if st.rejected_by is None else {
            "by": st.rejected_by.by, "date": st.rejected_by.date.isoformat(), "reason": st.rejected_by.reason},
        "paid": [{"date": e.date.isoformat(), "source": source_of(e)} for e in paid],
    }


def _book(ledger: str | None) -> payments.PaymentBook:
    loaded = compound(ledger).load()
    return payments.of(ledger_index.of(loaded.entries, loaded.options_map))


@payment.command("show")
@click.argument("pid", metavar="ID")
@ledger_option
@date_option("where it stands at the end of this day (YYYY-MM-DD); default today")
@json_option
def payment_show(pid: str, ledger: str | None, date_text: str | None, as_json: bool) -> None:
    """Where payment ID stands: its content, hash, each step, what it still needs."""
    book = _book(ledger)
    day = the_date(date_text)
    st = book.standing(pid.strip().upper(), day)
    if st is None:
        raise BadInput(f"no payment proposal {pid} on {day}", "check the id with `assetreg payment list`")
    d = _standing_dict(st, book)
    if as_json:
        d["steps"] = payments_steps(st.proposal)
        echo_json(d)
        return
    click.echo(f"{d['id']}  {PAYMENT_STATES[d['state']]}  {d['amount']} 元 → {d['payee']}")
    click.echo(f"  用途 {d['purpose']}  科目 {d['account']}" + (f"  决议 {d['resolution']}" if d['resolution'] else ""))
    click.echo(f"  申请 {d['proposed']} {d['proposed_by']}  内容哈希 {d['hash']}")
    for s in payments_steps(st.proposal):
        click.echo(f"  {s['date']}  {PAYMENT_STEPS.get(s['step'], s['step'])}  {s['by']}  {s['hash'][:19]}"
                   + (f"  {s['reason']}" if s.get("reason") else ""))
    for x in d["ignored"]:
        click.echo(f"  不计入: {x['date']} {x['by']} — {x['why']}")
    for m in d["missing"]:
        click.echo(f"  尚缺: {m}")
    for p in d["paid"]:
        click.echo(f"  已支付: {p['date']} ({p['source']})")


def payments_steps(p: payments.Proposal) -> list[dict[str, str]]:
    out = []
    for e in p.events:
        if isinstance(e, payments.Version):
            out.append({"date": e.date.isoformat(), "step": str(e.entry.values[1].value), "by": e.by,
                        "hash": e.hash, "amount": str(e.amount)})
        else:
            out.append({"date": e.date.isoformat(), "step": e.action, "by": e.by, "hash": e.hash,
                        "reason": e.reason})
    return out


@payment.command("list")
@ledger_option
@date_option("where each stands at the end of this day (YYYY-MM-DD); default today")
@json_option
def payment_list(ledger: str | None, date_text: str | None, as_json: bool) -> None:
    """Every payment proposal and where it stands."""
    book = _book(ledger)
    day = the_date(date_text)
    rows = [_standing_dict(st, book) for pid in book.proposals if (st := book.standing(pid, day)) is not None]
    if as_json:
        echo_json({"as_of": day.isoformat(), "payments": rows})
        return
    for d in rows:
        click.echo(f"{d['proposed']}  {d['id']}  {PAYMENT_STATES[d['state']]:<4}  {d['amount']:>12}  {d['payee']}  "
                   f"{d['purpose']}" + (f"  （尚缺：{'；'.join(d['missing'])}）" if d["state"] == "pending" else ""))
    click.echo(f"{len(rows)} payment proposal(s) on {day}")


# ---------------------------------------------------------------- approvers and the rule

@payment.group("approver")
def approver() -> None:
    """Who approves payments: committee members and the community/street supervisor, by key and role."""


@approver.command("add")
@click.argument("key")
@click.option("--group", type=click.Choice(payments.GROUPS), required=True, help="committee | supervisor")
@click.option("--role", required=True, help="the role, never a name: 业委会主任 / 委员 / 社区居委会 …")
@ledger_option
@date_option("date from which they approve (YYYY-MM-DD); default today")
def approver_add(key: str, group: str, role: str, ledger: str | None, date_text: str | None) -> None:
    """Register KEY as an approver from a day."""
    day = the_date(date_text)
    with compound(ledger).transaction() as txn:
        e = payments.set_approver(txn, day, key, group, role)
    click.echo(f"recorded: {e.values[0].value} approves as {APPROVER_GROUPS[group]}（{role}）from {day}")


@approver.command("remove")
@click.argument("key")
@click.option("--reason", required=True, help="e.g. 换届")
@ledger_option
@date_option("date from which they no longer approve; default today")
def approver_remove(key: str, reason: str, ledger: str | None, date_text: str | None) -> None:
    """KEY no longer approves from a day."""
    day = the_date(date_text)
    with compound(ledger).transaction() as txn:
        e = payments.set_approver(txn, day, key, "removed", "", reason)
    click.echo(f"recorded: {e.values[0].value} no longer approves from {day}")


@approver.command("list")
@ledger_option
@date_option("approvers at the end of this day; default today")
@json_option
def approver_list(ledger: str | None, date_text: str | None, as_json: bool) -> None:
    """The approvers and the rule in force on a day."""
    book = _book(ledger)
    day = the_date(date_text)
    rule = book.rule_on(day)
    people = book.approvers_on(day)
    if as_json:
        echo_json({"date": day.isoformat(), "rule": None if rule is None else {
            "since": rule.date.isoformat(), "committee": rule.committee,
            "supervisor_above": None if rule.supervisor_above is None else str(rule.supervisor_above),
            "resolution_above": None if rule.resolution_above is None else str(rule.resolution_above),
            "window_days": rule.window_days},
            "approvers": [{"key": a.key, "group": a.group, "role": a.role, "since": a.since.isoformat()}
                          for a in people]})
        return
    click.echo(_rule_text(rule))
    for a in people:
        click.echo(f"  {a.key}  {APPROVER_GROUPS.get(a.group, a.group)}  {a.role}  自{a.since}")


def _rule_text(rule: payments.Rule | None) -> str:
    if rule is None:
        return "本小区未设定付款审批规则"
    text = f"自{rule.date}起：每笔付款需业委会委员{rule.committee}人同意"
    if rule.supervisor_above is not None:
        text += f"；超过{rule.supervisor_above}元另需社区/街道监督人同意"
    if rule.resolution_above is not None:
        text += f"；超过{rule.resolution_above}元另需业主大会决议"
    return text + f"；批准后{rule.window_days}天内付款"


@payment.command("rule")
@click.option("--committee", type=int, required=True, help="committee approvals every payment needs (e.g. 2)")
@click.option("--supervisor-above", "sup", default=None, help="above this amount, also the supervisor (yuan)")
@click.option("--resolution-above", "res", default=None, help="above this amount, also an assembly resolution (yuan)")
@click.option("--window-days", type=int, default=60, show_default=True,
              help="an approved payment is made within so many days of its proposal")
@ledger_option
@date_option("date the rule takes effect (YYYY-MM-DD); default today")
def payment_rule(committee: int, sup: str | None, res: str | None, window_days: int, ledger: str | None,
                 date_text: str | None) -> None:
    """Set the approval rule from a day (a later rule replaces it from its own day)."""
    day = the_date(date_text)
    with compound(ledger).transaction() as txn:
        payments.set_rule(txn, day, committee, _money(sup, "--supervisor-above"), _money(res, "--resolution-above"),
                          window_days)
    rule = payments.Rule(day, committee, _money(sup, "x"), _money(res, "x"), window_days, "")
    click.echo("recorded: " + _rule_text(rule))

