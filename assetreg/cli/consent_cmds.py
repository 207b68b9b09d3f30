"""`assetreg consent affected|record|withdraw|list` and `assetreg waitlist add|remove|list`:
the ledger facts the policy gate's consents and owners-first conditions read."""

from __future__ import annotations

import click

from .. import waitlist as wl
from ..consents import (
    consents_from_entries,
    record_affected,
    record_consent,
    top_floor_units,
    withdraw_consent,
)
from ..errors import BadInput
from ..units import roster_from_entries
from .common import compound, date_option, echo_json, json_option, ledger_option, the_date


def register(main: click.Group) -> None:
    main.add_command(consent)
    main.add_command(waitlist)


# ---------------------------------------------------------------- consents

@click.group()
def consent() -> None:
    """Affected owners' written consents (直接利害关系业主同意) and which units an asset affects."""


@consent.command("affected")
@click.option("--asset", "asset_id", required=True, help="asset id, e.g. S-01")
@click.option("--units", default=None, help="units the asset directly affects, e.g. 7-1-2101,7-1-2102")
@click.option("--building", default=None, help="or: a rooftop site's building; its top floors' units are listed")
@click.option("--top-floors", default=1, show_default=True, type=int, help="with --building: how many top floors")
@click.option("--reason", required=True, help="why these units, e.g. 基站位于7号楼屋顶，顶层住户直接受影响")
@ledger_option
@date_option("date of the list (YYYY-MM-DD); default today")
def consent_affected(asset_id: str, units: str | None, building: str | None, top_floors: int, reason: str,
                     ledger: str | None, date_text: str | None) -> None:
    """Record the units an asset directly affects (replaces any earlier list from that day):
    given with --units, or the top floors of --building under a rooftop site."""
    if (units is None) == (building is None):
        raise BadInput("give either --units or --building", "e.g. --units 7-1-2101,7-1-2102 or --building 7")
    day = the_date(date_text)
    c = compound(ledger)
    with c.transaction() as txn:
        if building is not None:
            roster = roster_from_entries(e for e in txn.after().entries if e.date <= day)
            units = ",".join(top_floor_units(roster, building.strip(), top_floors))
        assert units is not None
        e = record_affected(txn, asset_id, day, units, reason)
    click.echo(f"recorded: {e.values[0].value} affects {e.meta['units']} from {day}")


@consent.command("record")
@click.option("--asset", "asset_id", required=True, help="asset id, e.g. S-01")
@click.option("--owner", required=True, help="the consenting owner's key, e.g. OWN-0031")
@click.option("--evidence", required=True, help="the signed consent, a file in the compound folder")
@ledger_option
@date_option("date the owner signed (YYYY-MM-DD); default today")
def consent_record(asset_id: str, owner: str, evidence: str, ledger: str | None, date_text: str | None) -> None:
    """Record an affected owner's written consent to operating ASSET."""
    day = the_date(date_text)
    c = compound(ledger)
    with c.transaction() as txn:
        e = record_consent(txn, asset_id, owner, day, evidence)
    click.echo(f"recorded: {e.values[1].value} consents to {e.values[0].value} on {day} ({evidence})")


@consent.command("withdraw")
@click.option("--asset", "asset_id", required=True, help="asset id, e.g. S-01")
@click.option("--owner", required=True, help="the owner's key, e.g. OWN-0031")
@click.option("--reason", required=True, help="e.g. 业主书面撤回同意")
@ledger_option
@date_option("date of the withdrawal (YYYY-MM-DD); default today")
def consent_withdraw(asset_id: str, owner: str, reason: str, ledger: str | None, date_text: str | None) -> None:
    """Record that an owner withdrew a consent (the consent entry is not edited)."""
    day = the_date(date_text)
    c = compound(ledger)
    with c.transaction() as txn:
        e = withdraw_consent(txn, asset_id, owner, day, reason)
    click.echo(f"recorded: {e.values[1].value} withdrew consent to {e.values[0].value} on {day}")


@consent.command("list")
@click.option("--asset", "asset_id", default=None, help="one asset only")
@ledger_option
@json_option
def consent_list(asset_id: str | None, ledger: str | None, as_json: bool) -> None:
    """Every consent event and affected-units list."""
    found = consents_from_entries(compound(ledger).load().entries)
    want = asset_id.strip().upper() if asset_id else None
    rows = [{"asset": ev.asset, "owner": ev.owner, "action": ev.action, "date": ev.date.isoformat(),
             "evidence": ev.evidence, "reason": ev.reason, "source": ev.source}
            for evs in found.events.values() for ev in evs if want in (None, ev.asset)]
    lists = [{"asset": a, "date": d.isoformat(), "units": list(units), "source": src}
             for a, items in found.affected.items() for d, units, src in items if want in (None, a)]
    if as_json:
        echo_json({"affected": lists, "consents": rows})
        return
    for x in lists:
        click.echo(f"{x['date']}  {x['asset']}  受影响房号 {','.join(x['units'])}")
    for r in rows:
        label = "同意" if r["action"] == "given" else "撤回"
        click.echo(f"{r['date']}  {r['asset']}  {r['owner']}  {label}  {r['evidence'] or r['reason']}")
    click.echo(f"{len(rows)} consent event(s), {len(lists)} affected-units list(s)")


# ---------------------------------------------------------------- waiting list

@click.group()
def waitlist() -> None:
    """The parking waiting list (车位排队名单, Art. 276: owners first)."""


@waitlist.command("add")
@click.option("--owner", required=True, help="the owner's key, e.g. OWN-0417")
@click.option("--unit", default=None, help="the owner's unit (optional)")
@click.option("--note", default="", help="e.g. 申请租用地面车位")
@ledger_option
@date_option("date the owner joined (YYYY-MM-DD); default today")
def waitlist_add(owner: str, unit: str | None, note: str, ledger: str | None, date_text: str | None) -> None:
    """Put an owner on the parking waiting list."""
    day = the_date(date_text)
    c = compound(ledger)
    with c.transaction() as txn:
        e = wl.add(txn, owner, day, unit, note)
    click.echo(f"recorded: {e.values[0].value} joined the waiting list on {day}")


@waitlist.command("remove")
@click.option("--owner", required=True, help="the owner's key, e.g. OWN-0417")
@click.option("--reason", required=True, help="e.g. 已租到车位 / 本人放弃")
@ledger_option
@date_option("date the owner left (YYYY-MM-DD); default today")
def waitlist_remove(owner: str, reason: str, ledger: str | None, date_text: str | None) -> None:
    """Take an owner off the parking waiting list."""
    day = the_date(date_text)
    c = compound(ledger)
    with c.transaction() as txn:
        e = wl.remove(txn, owner, day, reason)
    click.echo(f"recorded: {e.values[0].value} left the waiting list on {day}")


@waitlist.command("list")
@ledger_option
@date_option("the day to list (YYYY-MM-DD); default today")
@json_option
def waitlist_list(ledger: str | None, date_text: str | None, as_json: bool) -> None:
    """Owners waiting for a parking space at the end of a day, in the order they joined."""
    day = the_date(date_text)
    entries = compound(ledger).load().entries
    roster = roster_from_entries(e for e in entries if e.date <= day)
    waiting = wl.waitlist_from_entries(entries).waiting(day, roster)
    rows = [{"owner": ev.owner, "joined": ev.date.isoformat(), "unit": ev.unit, "source": ev.source}
            for ev in waiting]
    if as_json:
        echo_json({"date": day.isoformat(), "waiting": rows})
        return
    for n, r in enumerate(rows, 1):
        click.echo(f"{n:>3}  {r['owner']}  {r['unit']}  自{r['joined']}")
    click.echo(f"{len(rows)} owner(s) waiting on {day}")
