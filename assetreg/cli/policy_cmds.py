"""`assetreg policy validate|list|show`, `contract check|record|list|show|end`,
`resolution tally|record|list` -- thin commands over :mod:`assetreg.policy` and the tally."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from ..contracts import contracts_from_entries, schedule
from ..errors import BadInput
from ..ledger import Compound
from ..policy import (
    FORBIDDEN,
    PERMITTED,
    USES,
    Decision,
    PolicySet,
    Proposal,
    RuleResult,
    available_sets,
    check,
    end_contract,
    load_district,
    load_file,
    load_policy_set,
    policy_hash,
    record,
    yamlio,
)
from ..policy.loading import COMPOUND_POLICY_FILE, apply_override, parse_override
from ..policy.schema import condition_id
from ..resolutions import record_resolution, resolutions_from_entries
from ..tally import MATTERS, Tally, check_matter, tally
from ..units import roster_from_entries
from ..vocab import CONDITION_KINDS, FACT_LABELS
from .common import compound, date_option, echo_json, json_option, ledger_option, the_date

VERDICT_LABELS = {PERMITTED: "许可", FORBIDDEN: "禁止（负面清单）", "not-permitted": "不予许可"}
RULE_VERDICT_LABELS = {
    "forbidden": "禁止", "clear": "不涉及", "listed": "在指导清单", "unlisted": "清单外",
    "met": "满足", "unmet": "未满足", "not-applicable": "不适用", "not-in-effect": "未生效",
}


def register(main: click.Group) -> None:
    main.add_command(policy)
    main.add_command(contract)
    main.add_command(resolution)


# ---------------------------------------------------------------- policy

@click.group()
def policy() -> None:
    """Policy sets: the negative list (负面清单) and guidance list (指导清单)."""


@policy.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@ledger_option
def policy_validate(files: tuple[Path, ...], ledger: str | None) -> None:
    """Validate policy files (district sets or a compound's policy.yaml), or the set in
    force for -L LEDGER, or every packaged district set. Exit 2 names file, rule and field."""
    if files:
        for f in files:
            raw = yamlio.load_file(f)
            if isinstance(raw, dict) and "negative" in raw and "guidance" in raw:
                ps = load_file(f)
                click.echo(f"ok {f}: {ps.id} — {len(ps.negative)} negative, {len(ps.guidance)} guidance rules")
            else:
                ov = parse_override(raw, str(f))
                base = load_district(ov.extends or "huaian-qingjiangpu")
                ps = apply_override(base, ov, str(f), f.resolve().parent.name)
                click.echo(f"ok {f}: narrows {base.id} (stricter only) → {ps.id}")
        return
    if ledger is not None:
        c = compound(ledger)
        ps = load_policy_set(c)
        click.echo(f"ok {c.id}: {ps.id} {policy_hash(ps)}")
        return
    for name in available_sets():
        ps = load_district(name)
        click.echo(f"ok {name}: {len(ps.negative)} negative, {len(ps.guidance)} guidance rules")


@policy.command("list")
@ledger_option
@json_option
def policy_list(ledger: str | None, as_json: bool) -> None:
    """List the district policy sets (and which one a compound uses)."""
    in_force = None
    if ledger is not None:
        in_force = load_policy_set(compound(ledger))
    rows = []
    for name in available_sets():
        ps = load_district(name)
        rows.append({"id": ps.id, "version": ps.version, "title": ps.title,
                     "negative": len(ps.negative), "guidance": len(ps.guidance), "hash": policy_hash(ps)})
    if as_json:
        echo_json({"sets": rows, "in_force": in_force.id if in_force else None})
        return
    for r in rows:
        click.echo(f"{r['id']}  v{r['version']}  {r['title']}  负面{r['negative']}条 指导{r['guidance']}类")
    if in_force:
        click.echo(f"in force for this compound: {in_force.id} {policy_hash(in_force)}")


@policy.command("show")
@click.argument("set_id", required=False)
@ledger_option
@json_option
def policy_show(set_id: str | None, ledger: str | None, as_json: bool) -> None:
    """Show every rule of a set (default: the set in force for -L, or the default district)."""
    if set_id:
        ps = load_district(set_id)
    elif ledger is not None:
        ps = load_policy_set(compound(ledger))
    else:
        ps = load_district("huaian-qingjiangpu")
    if as_json:
        echo_json({**ps.model_dump(mode="json"), "hash": policy_hash(ps)})
        return
    _print_set(ps)


def _print_set(ps: PolicySet) -> None:
    click.echo(f"{ps.title}  [{ps.id} v{ps.version}]  {policy_hash(ps)}")
    click.echo("\n负面清单 (forbidden):")
    for r in ps.negative:
        click.echo(f"  {r.id} v{r.version}  {r.title}  (自{r.effective_from})")
        for clause in r.when:
            click.echo(f"      when {clause.model_dump(exclude_none=True)}")
        click.echo(f"      依据: {r.source}")
    click.echo("\n指导清单 (permitted with conditions):")
    for g in ps.guidance:
        click.echo(f"  {g.id} v{g.version}  {g.use}  {g.title}{'' if g.exclusive else '（非排他）'}")
        for c in g.conditions:
            params = {k: v for k, v in c.model_dump(exclude_none=True).items()
                      if k not in ("kind", "id", "title", "source", "when")}
            when = f" when {[w.model_dump(exclude_none=True) for w in c.when]}" if c.when else ""
            click.echo(f"      {condition_id(g, c)}: {CONDITION_KINDS[c.kind]} {params}{when}")
        click.echo(f"      依据: {g.source}")


# ---------------------------------------------------------------- contracts

@click.group()
def contract() -> None:
    """Operating contracts, admitted only through the policy gate."""


def _print_rule(r: RuleResult) -> None:
    mark = "✗" if r.decisive else "✓" if r.verdict in ("clear", "listed", "met") else "·"
    click.echo(f"  {mark} {r.id}  {r.title}  [{RULE_VERDICT_LABELS.get(r.verdict, '')} {r.verdict}]")
    click.echo(f"      理由: {r.message}")
    if r.unverified:
        click.echo(f"      依据（未经核实，非法律规定）: {r.source}")
    else:
        click.echo(f"      依据: {r.source}")
    if r.facts:
        facts = "；".join(f"{FACT_LABELS.get(k, k)}={_show(v)}" for k, v in r.facts.items())
        click.echo(f"      事实: {facts}")
    if r.decisive and r.remediation:
        click.echo(f"      fix 整改: {r.remediation}")


def _print_decision(d: Decision, verbose: bool = False) -> None:
    """The deciding rule(s) first, in Chinese with their legal source; the others in one line
    (every rule with ``verbose``)."""
    p = d.proposal
    click.echo(f"{p.id}  {p.use} {USES.get(p.use, '')}  assets {','.join(p.assets)}  "
               f"counterparty {p.counterparty}  签约日 {p.signing_date}")
    click.echo(f"verdict: {d.verdict} — {VERDICT_LABELS[d.verdict]}")
    if d.permitted:
        shown = [r for r in d.rules if r.kind in ("guidance", "general") and r.verdict in ("listed", "met")]
    else:
        shown = d.deciding
        click.echo(f"reasons 理由: {d.reasons}")
    click.echo("准许依据 (deciding rules):" if d.permitted else "决定性规则 (deciding rules):")
    for r in shown:
        _print_rule(r)
    rest = [r for r in d.rules if r not in shown]
    if verbose:
        click.echo("其余规则 (rules evaluated):")
        for r in rest:
            _print_rule(r)
    elif rest:
        counts: dict[str, int] = {}
        for r in rest:
            label = RULE_VERDICT_LABELS.get(r.verdict, r.verdict)
            counts[label] = counts.get(label, 0) + 1
        summary = "、".join(f"{k}{n}条" for k, n in counts.items())
        click.echo(f"其余{len(rest)}条规则: {summary}（{', '.join(r.id for r in rest)}；全部见 --verbose 或 --json）")
    click.echo(f"policy set: {d.policy_set} {d.policy_hash}")


def _show(v: Any) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_show(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_show(x) for x in v) + "]"
    return str(v)


@contract.command("check")
@click.argument("contract_file", type=click.Path(path_type=Path))
@ledger_option
@json_option
@click.option("--verbose", "-v", is_flag=True, help="every rule evaluated, not only the deciding ones")
def contract_check(contract_file: Path, ledger: str | None, as_json: bool, verbose: bool) -> None:
    """Dry run: would CONTRACT.yaml pass the gate? Exit 0 permitted, 1 forbidden/not permitted."""
    proposal = Proposal.from_yaml(contract_file)
    c = compound(ledger)
    loaded = c.load()
    decision = check(loaded, proposal, load_policy_set(c, loaded))
    if as_json:
        echo_json(decision.as_dict())
    else:
        _print_decision(decision, verbose)
    sys.exit(0 if decision.permitted else 1)


@contract.command("record")
@click.argument("contract_file", type=click.Path(path_type=Path))
@ledger_option
@date_option("date of the decision (YYYY-MM-DD); default today")
@json_option
@click.option("--verbose", "-v", is_flag=True, help="every rule evaluated, not only the deciding ones")
def contract_record(contract_file: Path, ledger: str | None, date_text: str | None, as_json: bool,
                    verbose: bool) -> None:
    """Record CONTRACT.yaml if permitted; otherwise log the rejection in decisions.beancount."""
    proposal = Proposal.from_yaml(contract_file)
    day = the_date(date_text)
    c = compound(ledger)
    with c.transaction() as txn:
        decision = record(txn, proposal, load_policy_set(c, txn.loaded), day=day)
    if as_json:
        echo_json(decision.as_dict())
    else:
        _print_decision(decision, verbose)
        if decision.permitted:
            click.echo(f"recorded {proposal.id} in {c.file('contracts').name}")
        elif decision.already_logged:
            click.echo(f"not recorded; the same proposal was already rejected for the same rules "
                       f"({decision.already_logged}); nothing written — 同一提案已记录过否决，不重复记录")
        else:
            click.echo(f"not recorded; the rejection is logged in {c.file('decisions').name}")
    sys.exit(0 if decision.permitted else 1)


def _contract_dict(k: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"id": k.id, "recorded": k.date.isoformat(), "use": k.use,
                         "use_label": USES.get(k.use, ""), "assets": k.assets,
                         "start": k.start.isoformat(), "end": k.end.isoformat(),
                         "ended": k.ended.isoformat() if k.ended else None, "end_reason": k.end_reason,
                         "price": str(k.price), "period": k.period, "deposit": str(k.deposit),
                         "manager_share": str(k.manager_share), "source": k.source}
    for key in ("counterparty", "counterparty_kind", "resolution", "policy_set", "policy_hash",
                "decision", "rules", "decided", "content_hash"):
        if key in k.meta:
            d[key] = str(k.meta[key])
    d["content_hash_ok"] = k.content_hash() == str(k.meta.get("content_hash", ""))
    return d


@contract.command("list")
@ledger_option
@json_option
def contract_list(ledger: str | None, as_json: bool) -> None:
    """List recorded contracts."""
    found = contracts_from_entries(compound(ledger).load().entries)
    rows = [_contract_dict(k) for k in found.values()]
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        ended = f"  提前终止于{r['ended']}" if r["ended"] else ""
        click.echo(f"{r['id']}  {r['use']}  {','.join(r['assets'])}  {r['start']}~{r['end']}  "
                   f"{r['price']}/{r['period']}  {r.get('counterparty', '')}{ended}")
    click.echo(f"{len(rows)} contract(s)")


@contract.command("show")
@click.argument("contract_id")
@ledger_option
@json_option
def contract_show(contract_id: str, ledger: str | None, as_json: bool) -> None:
    """Show a contract, its decision metadata and its billing schedule."""
    found = contracts_from_entries(compound(ledger).load().entries)
    k = found.get(contract_id.strip().upper())
    if k is None:
        raise BadInput(f"no contract {contract_id}", "check the id with `assetreg contract list`")
    d = _contract_dict(k)
    d["schedule"] = [{"period": x.period, "start": x.start.isoformat(), "end": x.end.isoformat(),
                      "amount": str(x.amount)} for x in schedule(k)]
    d["events"] = [{"date": e[0].isoformat(), "event": e[1], "reason": e[2]} for e in k.events]
    if as_json:
        echo_json(d)
        return
    for key, v in d.items():
        if key not in ("schedule", "events"):
            click.echo(f"{key}: {v}")
    click.echo("schedule:")
    for x in d["schedule"]:
        click.echo(f"  {x['period']}  {x['start']}~{x['end']}  {x['amount']}")
    click.echo("events:")
    for e in d["events"]:
        click.echo(f"  {e['date']}  {e['event']}  {e['reason']}")


@contract.command("end")
@click.argument("contract_id")
@click.option("--reason", required=True, help="why the contract ends early")
@ledger_option
@date_option("first day the contract is no longer in force; default today")
def contract_end(contract_id: str, reason: str, ledger: str | None, date_text: str | None) -> None:
    """End a contract early (an event appended; the recorded contract is not edited)."""
    day = the_date(date_text)
    c = compound(ledger)
    with c.transaction() as txn:
        end_contract(txn, contract_id, day, reason)
    click.echo(f"ended {contract_id.upper()} from {day}")


# ---------------------------------------------------------------- resolutions

@click.group()
def resolution() -> None:
    """Owners' resolutions (业主大会决议) and their Art. 278 tallies."""


def _tally(c: Compound, ballots_file: Path, matter: int, sheet: str | None,
           day: dt.date | None = None) -> Tally:
    from importers.ballots import read_ballots

    check_matter(matter)
    loaded = c.load()
    ballots = read_ballots(ballots_file, sheet)
    # 从众 as the compound's rule stood on the day of the vote
    follow = loaded.options.get("follow-majority", day).strip().lower() in ("true", "yes", "1", "是")
    return tally(ballots, roster_from_entries(loaded.entries), matter, follow)


def _print_tally(t: Tally) -> None:
    click.echo(f"第278条第{t.matter}项：{MATTERS[t.matter]}")
    click.echo(f"ballots: {t.ballots}   从众 (follow-majority): {'on' if t.follow_majority else 'off'}"
               + (f", {t.followed_units} silent unit(s) counted" if t.followed_units else ""))
    for ch in t.checks:
        op = ">" if ch.strict else "≥"
        d = ch.as_dict()  # exact decimal text: areas are never shown through a float
        click.echo(f"  {'✓' if ch.met else '✗'} {ch.label}: {d['numerator']} / {d['denominator']}"
                   f" = {ch.ratio} ≈ {d['ratio_decimal']}   (needs {op} {ch.threshold})")
    click.echo(f"thresholds: {t.thresholds}")
    click.echo(f"verdict: {'passed 通过' if t.passed else 'failed 未通过'}")


@resolution.command("tally")
@click.argument("ballots_file", type=click.Path(path_type=Path))
@click.option("--matter", required=True, type=int, help="Art. 278 item, 1-9 (8 = operating common parts)")
@click.option("--sheet", default=None, help="sheet name (default: the first with 房号/表决意见)")
@ledger_option
@json_option
def resolution_tally(ballots_file: Path, matter: int, sheet: str | None, ledger: str | None,
                     as_json: bool) -> None:
    """Count BALLOTS.xlsx against the units roster. Exit 0 passed, 1 failed."""
    t = _tally(compound(ledger), ballots_file, matter, sheet)
    if as_json:
        echo_json(t.as_dict())
    else:
        _print_tally(t)
    sys.exit(0 if t.passed else 1)


@resolution.command("record")
@click.argument("ballots_file", type=click.Path(path_type=Path))
@click.option("--matter", required=True, type=int, help="Art. 278 item, 1-9")
@click.option("--id", "rid", required=True, help="resolution id, e.g. R-2024-01")
@click.option("--title", required=True, help="the resolution's title, e.g. 关于地面停车位经营的决定")
@click.option("--assets", default="", help="assets it covers: ids or prefixes, e.g. P-*,AD-001")
@click.option("--uses", default="", help=f"use categories it approves, e.g. {','.join(list(USES)[:2])}")
@click.option("--sheet", default=None)
@ledger_option
@date_option("date the assembly adopted it (YYYY-MM-DD); default today")
@json_option
def resolution_record(ballots_file: Path, matter: int, rid: str, title: str, assets: str, uses: str,
                      sheet: str | None, ledger: str | None, date_text: str | None, as_json: bool) -> None:
    """Tally BALLOTS.xlsx and record the resolution with its tally (passed or not)."""
    day = the_date(date_text)
    c = compound(ledger)
    t = _tally(c, ballots_file, matter, sheet, day)
    with c.transaction() as txn:
        record_resolution(txn, rid, day, t, title, assets, uses)
    if as_json:
        echo_json({"id": rid.upper(), **t.as_dict()})
    else:
        _print_tally(t)
        click.echo(f"recorded {rid.upper()} ({'passed' if t.passed else 'failed'}) in {c.file('contracts').name}")


@resolution.command("list")
@ledger_option
@json_option
def resolution_list(ledger: str | None, as_json: bool) -> None:
    """List recorded resolutions."""
    found = resolutions_from_entries(compound(ledger).load().entries)
    rows = [r.as_dict() for r in found.values()]
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        click.echo(f"{r['id']}  {r['date']}  第{r['matter']}项  {'通过' if r['passed'] else '未通过'}  "
                   f"{r['title']}  assets={','.join(r['assets'])} uses={','.join(r['uses'])}")
    click.echo(f"{len(rows)} resolution(s)")


__all__ = ["COMPOUND_POLICY_FILE", "register"]
