"""`assetreg suspense list|assign|export` (待查明款项) and `assetreg correct` (冲正)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .. import suspense as suspense_
from ..correction import correct as correct_entry
from ..correction import where
from ..errors import BadInput
from ..reclassify import Choice
from ..reclassify import assign as assign_line
from ..seal import root_of
from .common import compound, date_option, echo_json, json_option, ledger_option, the_date


def register(main: click.Group) -> None:
    main.add_command(suspense)
    main.add_command(correct)


KIND_HELP = " | ".join(f"{k} ({v})" for k, v in suspense_.KINDS.items())


def _choice_options(f: Any) -> Any:
    for opt in reversed([
        click.option("--contract", default=None, metavar="C-…", help="the contract (payment, deposit, refund, cost share)"),
        click.option("--asset", default=None, metavar="ID[,ID]", help="asset(s) of the contract paid for (default all)"),
        click.option("--resolution", default=None, metavar="R-…", help="the passed resolution that decided a spending"),
        click.option("--account", default=None, metavar="ACCOUNT", help="the other account of a transfer (Assets:…)"),
    ]):
        f = opt(f)
    return f


def _kind(text: str | None, contract: str | None, what: str) -> str:
    if text is None:
        if contract is None:
            raise BadInput(f"say what the {what} is", f"pass --contract C-… or --as KIND: {KIND_HELP}")
        return "contract"
    return suspense_.parse_kind(text)


@click.group()
def suspense() -> None:
    """待查明款项: bank lines the importer could not match, one by one."""


@suspense.command("list")
@ledger_option
@json_option
@click.option("--as-of", "as_of_text", default=None, metavar="DATE", help="ages as of this day; default today")
def list_(ledger: str | None, as_json: bool, as_of_text: str | None) -> None:
    """Every open suspense line with its id, amount, counterparty, hint, reason and age."""
    as_of = the_date(as_of_text, "--as-of")
    c = compound(ledger)
    loaded = c.load()
    found = suspense_.open_lines(loaded.entries, as_of)
    root = root_of(loaded.options_map)
    if as_json:
        rows = []
        for ln in found:
            d = ln.as_dict(as_of)
            d["source"] = where(ln.entry, root)
            rows.append(d)
        echo_json({"ledger": str(c.main), "as_of": as_of.isoformat(), "lines": rows})
        return
    for ln in found:
        click.echo(f"{ln.id}  {ln.date}  {ln.amount:>12}  {ln.payee or '-'}  {ln.bank_ref or '-'}  "
                   f"{ln.hint or '-'}  [{ln.reason or '-'}]  {ln.age(as_of)}天")
    total_in = sum((ln.amount for ln in found if ln.amount > 0), suspense_.ZERO)
    total_out = sum((ln.amount for ln in found if ln.amount < 0), suspense_.ZERO)
    click.echo(f"{len(found)} open line(s) as of {as_of}: {total_in} in, {total_out} out")


@suspense.command()
@click.argument("line", metavar="LINE-ID")
@click.option("--as", "kind_text", default=None, metavar="KIND", help=f"what the line is: {KIND_HELP}")
@_choice_options
@click.option("--reason", default=None, help="how it was found out (kept in the ledger)")
@date_option("date of the entry; default the bank line's own day (after the last seal)")
@ledger_option
def assign(line: str, kind_text: str | None, contract: str | None, asset: str | None, resolution: str | None,
           account: str | None, reason: str | None, date_text: str | None, ledger: str | None) -> None:
    """Move a suspense line to what it really is (a new entry; the import entry stays)."""
    kind = _kind(kind_text, contract, "line")
    day = the_date(date_text) if date_text else None
    with compound(ledger).transaction() as txn:
        e = assign_line(txn, line, Choice(kind, contract, asset, resolution, account, reason), day=day)
    click.echo(f"wrote {e.meta['clears']} → {suspense_.KINDS[kind]} ({e.postings[1].account}) "
               f"{e.postings[0].units.number} on {e.date}; entry {e.meta['import_id']}")  # type: ignore[union-attr]


@suspense.command()
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the workbook to write, 待查明.xlsx (never overwritten)")
@click.option("--as-of", "as_of_text", default=None, metavar="DATE", help="ages as of this day; default today")
@ledger_option
def export(output: Path, as_of_text: str | None, ledger: str | None) -> None:
    """Write the open lines to a sheet with an empty 归属 column to fill in and import."""
    from importers.suspense_sheet import write_sheet

    as_of = the_date(as_of_text, "--as-of")
    c = compound(ledger)
    loaded = c.load()
    found = suspense_.open_lines(loaded.entries, as_of)
    write_sheet(found, as_of, output, loaded.options.get("compound-name"))
    click.echo(f"wrote {len(found)} open line(s) to {output}; fill in 归属 and `assetreg import {output.name}`")


@click.command()
@click.argument("ref", metavar="ENTRY-REF")
@click.option("--reason", required=True, help="why the entry is wrong (kept with the reversal)")
@click.option("--to-contract", "to_contract", default=None, metavar="C-…",
              help="the replacement is a payment of this contract")
@click.option("--as", "kind_text", default=None, metavar="KIND", help=f"the replacement is of this kind: {KIND_HELP}")
@_choice_options
@date_option("date of the reversal; default today (after the last seal)")
@ledger_option
def correct(ref: str, reason: str, to_contract: str | None, kind_text: str | None, contract: str | None,
            asset: str | None, resolution: str | None, account: str | None, date_text: str | None,
            ledger: str | None) -> None:
    """冲正: reverse a posted entry (import id, bank reference, file:line or S-… line) and
    optionally book what it should have been. The original is never edited."""
    replacement = None
    if to_contract is not None or kind_text is not None:
        kind = "contract" if kind_text is None else suspense_.parse_kind(kind_text)
        replacement = Choice(kind, to_contract or contract, asset, resolution, account, reason)
    elif contract or asset or resolution or account:
        raise BadInput("--contract/--asset/--resolution/--account describe a replacement",
                       "add --as KIND (or use --to-contract C-…)")
    day = the_date(date_text) if date_text else None
    c = compound(ledger)
    with c.transaction() as txn:
        done = correct_entry(txn, ref, reason, day=day, replacement=replacement)
        root = root_of(txn.loaded.options_map)
    click.echo(f"wrote reversal of {where(done.original, root)} dated {done.reversal.date}"
               + (f" (it lies in a sealed period: corrected after the seal {done.reversal.meta['corrects_sealed']})"
                  if done.reversal.meta.get("corrects_sealed") else "")
               + (f", and its replacement: {suspense_.KINDS[done.replacement.meta['assigned']]} "
                  f"({done.replacement.postings[1].account})" if done.replacement is not None else ""))
