"""`assetreg init`, `unit add|list`, `asset add|list|show|notice|object|confirm|dispute|resolve|exclude|amend`.

A kind, zone or status is taken as its key or as the Chinese label the templates and pages
show (``--kind 停车位``). ``asset notice|object|confirm|dispute|resolve|exclude`` take several
ids, ranges (``P-001..P-050``) or ``--from sheet.xlsx``: every id is checked and every step staged in one
transaction, so either all are written or, with every failing id listed, none.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .. import confirmation, history
from ..progress import Progress
from ..registry import registry_from_entries
from ..scaffold import init_compound
from ..units import record_unit, roster_from_entries
from ..vocab import KINDS, STATUS_LABELS, ZONES, parse_label
from .common import compound, date_option, echo_json, json_option, ledger_option, the_date


def register(main: click.Group) -> None:
    main.add_command(init)
    main.add_command(unit)
    main.add_command(asset)


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", required=True, help="the compound's Chinese name, e.g. 清江浦区·景湖花园")
@click.option("--open-date", default="2020-01-01", show_default=True, help="date the accounts open")
@click.option("--notice-days", default=15, show_default=True, type=int, help="objection window of a 确权 notice")
@click.option("--manager", default=None, help="物业公司名称 as on its bank transfers, e.g. 淮安某某物业服务有限公司")
@click.option("--district", default=None, help="the policy set of the compound's district (default huaian-qingjiangpu)")
@click.option("--bank-account", default=None, help="共有资金专户账号 (the owners' dedicated bank account)")
def init(folder: Path, name: str, open_date: str, notice_days: int, manager: str | None,
         district: str | None, bank_account: str | None) -> None:
    """Create a new compound ledger folder (refuses to overwrite)."""
    main_file = init_compound(folder, name, the_date(open_date, "--open-date"), notice_days,
                              manager=manager, district=district, bank_account=bank_account)
    set_ = [k for k, v in (("manager-name", manager), ("district", district), ("bank-account", bank_account)) if v]
    click.echo(f"created {main_file.parent}: main.beancount and its split files, documents/; "
               f"settings compound-name, notice-days{''.join(', ' + k for k in set_)} "
               f"from {open_date} in accounts.beancount (see `assetreg settings show`)")
    if history.start(main_file.parent.resolve()):
        click.echo(f"write history: {main_file.parent / history.HISTORY_DIR}/ (one commit per write)")
    elif not history.git_available():
        click.echo("warning: git is not installed: no write history is kept (install git)", err=True)


# ---------------------------------------------------------------- units

@click.group()
def unit() -> None:
    """The units roster (房号, 楼栋, 专有部分面积, 业主编号)."""


@unit.command("add")
@click.argument("number")
@click.option("--building", required=True, help="building number (楼栋)")
@click.option("--area", required=True, help="exclusive area in m² (专有部分面积), exact")
@click.option("--owner", required=True, help="pseudonymous owner key, e.g. OWN-0417 — never a name")
@click.option("--unsold", is_flag=True, help="the developer's unsold unit (开发商未售)")
@click.option("--update", is_flag=True, help="record a change (e.g. new owner key) of a unit already listed")
@ledger_option
@date_option()
def unit_add(number: str, building: str, area: str, owner: str, unsold: bool, update: bool,
             ledger: str | None, date_text: str | None) -> None:
    """Add a unit to the roster."""
    day = the_date(date_text)
    c = compound(ledger)
    with c.transaction() as txn:
        u = record_unit(txn, number, day, building=building, area=area, owner=owner,
                        unsold=unsold, update=update)
    click.echo(f"wrote unit {u.number}: {u.area} m², owner {u.owner}{' (developer unsold)' if u.unsold else ''} "
               f"to {c.file('units').name}")


@unit.command("list")
@ledger_option
@json_option
def unit_list(ledger: str | None, as_json: bool) -> None:
    """List the roster and the totals Art. 278 counts."""
    loaded = compound(ledger).load()
    roster = roster_from_entries(loaded.entries)
    units = sorted(roster.units.values(), key=lambda u: (u.building, u.number))
    total_area = roster.total_area
    if as_json:
        echo_json({"units": [u.as_dict() for u in units],
                   "total_area": str(total_area.numerator / total_area.denominator) if units else "0",
                   "total_area_fraction": str(total_area),
                   "headcount": roster.headcount, "unit_count": len(units)})
        return
    for u in units:
        click.echo(f"{u.number:<12} 楼栋 {u.building:<4} {u.area:>10} m²  {u.owner}{'  开发商未售' if u.unsold else ''}")
    click.echo(f"共 {len(units)} 户; 专有部分总面积 {float(total_area):.2f} m²; 总人数 {roster.headcount}")


# ---------------------------------------------------------------- assets

@click.group()
def asset() -> None:
    """The common-asset registry and its 确权 lifecycle."""


@asset.command("add")
@click.argument("asset_id")
@click.option("--kind", required=True, help="asset kind: " + " | ".join(f"{k} ({v})" for k, v in KINDS.items()))
@click.option("--location", required=True, help="where it is, e.g. 3号楼东侧道路")
@click.option("--description", default="", help="what it is")
@click.option("--size", default="", help="size or count, e.g. 12.5㎡ or 1个")
@click.option("--basis", default="", help="claimed legal basis, e.g. 民法典第275条")
@click.option("--zones", default="", help="zone facts for the policy gate, comma-separated keys or labels: "
              + ", ".join(f"{k} ({v})" for k, v in ZONES.items()))
@click.option("--structure", default="", help="structure facts, e.g. load-bearing wall")
@click.option("--reason", default=confirmation.REGISTER_REASON, show_default=True)
@ledger_option
@date_option()
def asset_add(asset_id: str, kind: str, location: str, description: str, size: str, basis: str,
              zones: str, structure: str, reason: str, ledger: str | None, date_text: str | None) -> None:
    """Register a common asset (status: registered)."""
    day = the_date(date_text)
    with compound(ledger).transaction() as txn:
        step = confirmation.register(txn, asset_id, day, kind=kind, location=location,
                                     description=description, size=size, basis=basis,
                                     zones=zones, structure=structure, reason=reason)
    kind = str(step.entry.meta["kind"])
    click.echo(f"registered {step.asset_id} ({KINDS[kind]}) at {location} in {compound(ledger).file('registry').name}")


@asset.command("list")
@click.option("--kind", default=None, help="only this kind (key or label, e.g. 停车位)")
@click.option("--status", default=None, help="only this status (key or label, e.g. 已确权)")
@ledger_option
@json_option
def asset_list(kind: str | None, status: str | None, ledger: str | None, as_json: bool) -> None:
    """List the register."""
    kind = parse_label(KINDS, kind, "asset kind") if kind is not None else None
    status = parse_label(STATUS_LABELS, status, "status") if status is not None else None
    reg = registry_from_entries(compound(ledger).load().entries)
    rows = [a for a in sorted(reg.assets.values(), key=lambda a: a.id)
            if (kind is None or a.kind == kind) and (status is None or a.status == status)]
    if as_json:
        echo_json({"assets": [a.as_dict(with_history=False) for a in rows],
                   "counts": reg.counts_by_status()})
        return
    for a in rows:
        click.echo(f"{a.id:<10} {KINDS.get(a.kind, a.kind):<6} {STATUS_LABELS[a.status]:<5} {a.facts.get('location', '')}")
    counts = reg.counts_by_status()
    click.echo(f"共 {len(rows)} 项 | " + " ".join(f"{STATUS_LABELS[s]} {n}" for s, n in counts.items()))


@asset.command("show")
@click.argument("asset_id")
@ledger_option
@json_option
def asset_show(asset_id: str, ledger: str | None, as_json: bool) -> None:
    """Show one asset with its full history."""
    reg = registry_from_entries(compound(ledger).load().entries)
    a = reg.require(asset_id)
    if as_json:
        echo_json(a.as_dict())
        return
    click.echo(f"{a.id}  {KINDS.get(a.kind, a.kind)}  {STATUS_LABELS[a.status]}")
    for k, v in a.facts.items():
        click.echo(f"  {k}: {v}")
    if a.evidence:
        click.echo(f"  evidence: {'; '.join(a.evidence)}")
    click.echo("  history:")
    for e in a.events:
        extra = " ".join(f"{k}={v}" for k, v in e.meta.items() if k not in ("kind", "location", "description", "size", "basis", "zones", "structure"))
        click.echo(f"    {e.date} {e.action:<10} {e.reason} {extra}".rstrip())


def _run(step: Callable[..., confirmation.Step], asset_id: str, ledger: str | None,
         date_text: str | None, **kwargs: Any) -> None:
    day = the_date(date_text)
    c = compound(ledger)
    with c.transaction() as txn:
        done = step(txn, asset_id, day, **kwargs)
    click.echo(f"wrote {done.asset_id}: {done.action} on {day} to {c.file('registry').name}")


def _run_many(step: Callable[..., confirmation.Step], asset_ids: tuple[str, ...], from_file: Path | None,
              ledger: str | None, date_text: str | None, **kwargs: Any) -> None:
    from . import bulk  # reads sheets through the importers, only for these commands

    day = the_date(date_text)
    ids = bulk.collect(asset_ids, from_file)
    c = compound(ledger)
    with Progress("检查并登记", len(ids)) as progress:
        done = bulk.run(c, ids, step, progress.update, day=day, **kwargs)
    if len(done) == 1:
        click.echo(f"wrote {done[0].asset_id}: {done[0].action} on {day} to {c.file('registry').name}")
        return
    docs = sum(len(s.documents) for s in done)
    click.echo(f"wrote {len(done)} {done[0].action} steps on {day} to {c.file('registry').name}"
               + (f" (and {docs} document entr{'y' if docs == 1 else 'ies'})" if docs else "")
               + ": " + _short([s.asset_id for s in done]))


def _short(ids: list[str], limit: int = 12) -> str:
    return ", ".join(ids) if len(ids) <= limit else ", ".join(ids[:limit]) + f" … ({len(ids) - limit} more)"


_from_option = click.option("--from", "from_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                            help="an .xlsx or .csv with the asset ids in a column headed 资产编号")


@asset.command("notice")
@click.argument("asset_ids", nargs=-1, metavar="ASSET_ID…")
@_from_option
@click.option("--days", type=int, default=None, help="objection window in days (default: the compound's notice-days)")
@click.option("--reason", default=confirmation.NOTICE_REASON, show_default=True)
@ledger_option
@date_option("first day of the notice (YYYY-MM-DD); default today")
def asset_notice(asset_ids: tuple[str, ...], from_file: Path | None, days: int | None, reason: str,
                 ledger: str | None, date_text: str | None) -> None:
    """Put assets under public notice (公示): ASSET_ID… are ids or ranges (P-001..P-050)."""
    _run_many(confirmation.notice, asset_ids, from_file, ledger, date_text, days=days, reason=reason)


@asset.command("object")
@click.argument("asset_ids", nargs=-1, metavar="ASSET_ID…")
@_from_option
@click.option("--by", "by", default=None, help="pseudonymous owner key of the objector, or a unit number")
@click.option("--reason", required=True, help="what the objection says")
@ledger_option
@date_option()
def asset_object(asset_ids: tuple[str, ...], from_file: Path | None, by: str | None, reason: str,
                 ledger: str | None, date_text: str | None) -> None:
    """Record an objection against the current notice of each asset named."""
    _run_many(confirmation.object_, asset_ids, from_file, ledger, date_text, reason=reason, by=by)


@asset.command("confirm")
@click.argument("asset_ids", nargs=-1, metavar="ASSET_ID…")
@_from_option
@click.option("--evidence", multiple=True,
              help="evidence file under the compound folder, e.g. documents/P-017.pdf, or documents/{id}.pdf "
                   "for each asset's own file (repeatable)")
@click.option("--resolution", default=None, help="id of an owners' resolution that confirms it")
@click.option("--reason", default=confirmation.CONFIRM_REASON, show_default=True)
@ledger_option
@date_option()
def asset_confirm(asset_ids: tuple[str, ...], from_file: Path | None, evidence: tuple[str, ...],
                  resolution: str | None, reason: str, ledger: str | None, date_text: str | None) -> None:
    """Confirm ownership (确权) of each asset named."""
    _run_many(confirmation.confirm, asset_ids, from_file, ledger, date_text, evidence=evidence,
              resolution=resolution, reason=reason)


@asset.command("dispute")
@click.argument("asset_ids", nargs=-1, metavar="ASSET_ID…")
@_from_option
@click.option("--reason", required=True)
@ledger_option
@date_option()
def asset_dispute(asset_ids: tuple[str, ...], from_file: Path | None, reason: str, ledger: str | None,
                  date_text: str | None) -> None:
    """Mark assets disputed (income on them is refused from this day)."""
    _run_many(confirmation.dispute, asset_ids, from_file, ledger, date_text, reason=reason)


@asset.command("resolve")
@click.argument("asset_ids", nargs=-1, metavar="ASSET_ID…")
@_from_option
@click.option("--reason", required=True, help="how the dispute was resolved")
@ledger_option
@date_option()
def asset_resolve(asset_ids: tuple[str, ...], from_file: Path | None, reason: str, ledger: str | None,
                  date_text: str | None) -> None:
    """Close disputes; the assets return to registered and can be re-noticed."""
    _run_many(confirmation.resolve, asset_ids, from_file, ledger, date_text, reason=reason)


@asset.command("exclude")
@click.argument("asset_ids", nargs=-1, metavar="ASSET_ID…")
@_from_option
@click.option("--reason", required=True)
@ledger_option
@date_option()
def asset_exclude(asset_ids: tuple[str, ...], from_file: Path | None, reason: str, ledger: str | None,
                  date_text: str | None) -> None:
    """Exclude assets from the common assets (final)."""
    _run_many(confirmation.exclude, asset_ids, from_file, ledger, date_text, reason=reason)


@asset.command("amend")
@click.argument("asset_id")
@click.option("--zones", default=None)
@click.option("--structure", default=None)
@click.option("--location", default=None)
@click.option("--description", default=None)
@click.option("--size", default=None)
@click.option("--reason", required=True)
@ledger_option
@date_option()
def asset_amend(asset_id: str, zones: str | None, structure: str | None, location: str | None,
                description: str | None, size: str | None, reason: str, ledger: str | None,
                date_text: str | None) -> None:
    """Record new facts about an asset (a dated event; nothing is overwritten)."""
    _run(confirmation.amend, asset_id, ledger, date_text, reason=reason, zones=zones,
         structure=structure, location=location, description=description, size=size)
