"""`assetreg voucher attach|list`: the scan behind each line of income and cost (凭证)."""

from __future__ import annotations

from pathlib import Path

import click

from .. import books as ledger_index
from .. import vouchers
from ..dates import parse_date
from .common import compound, date_option, echo_json, json_option, ledger_option, the_date


def register(main: click.Group) -> None:
    main.add_command(voucher)


@click.group()
def voucher() -> None:
    """Vouchers (凭证): scans linked to the lines of the books."""


@voucher.command("attach")
@click.argument("ref")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@ledger_option
@date_option("date the vouchers are attached (YYYY-MM-DD); default today")
def voucher_attach(ref: str, files: tuple[Path, ...], ledger: str | None, date_text: str | None) -> None:
    """Copy FILE… (PDF, JPEG or PNG scans) into the compound's documents/ and link them to the
    entry REF names: a bank reference (流水号), an import id, a contract id, or file:line.
    The entry is not changed; attaching the same scan again adds nothing."""
    day = the_date(date_text)
    c = compound(ledger)
    with c.transaction() as txn:
        done = vouchers.attach(txn, day, ref, list(files))
    for d in done.staged:
        click.echo(f"attached: {d.filename}  sha256 {d.meta['sha256'][:16]}…  → {done.key}")
    for f in done.already:
        click.echo(f"already attached: {f}")
    click.echo(f"{len(done.staged)} voucher(s) attached to {ref} ({done.entry.date})")


@voucher.command("list")
@ledger_option
@click.option("--missing", is_flag=True, help="only the lines above the threshold without a voucher")
@click.option("--as-of", "as_of_text", default=None, metavar="DATE", help="lines up to this day; default all")
@json_option
def voucher_list(ledger: str | None, missing: bool, as_of_text: str | None, as_json: bool) -> None:
    """Every line of income and cost with its vouchers (the threshold is the voucher-threshold setting)."""
    loaded = compound(ledger).load()
    books = ledger_index.of(loaded.entries, loaded.options_map)
    as_of = parse_date(as_of_text, "--as-of") if as_of_text else None
    rows = [x for x in vouchers.lines(books, as_of) if x.flagged or not missing]
    if as_json:
        echo_json({"threshold": vouchers.threshold(books), "lines": [
            {"date": x.date.isoformat(), "kind": x.kind, "amount": str(x.amount), "flagged": x.flagged,
             "source": f"{x.entry.meta.get('filename')}:{x.entry.meta.get('lineno')}",
             "vouchers": [{"file": v.filename, "sha256": v.sha256, "attached": v.attached.isoformat()}
                          for v in x.vouchers]} for x in rows]})
        return
    for x in rows:
        mark = "缺凭证" if x.flagged else f"{len(x.vouchers)}份凭证" if x.vouchers else "—"
        label = "收入" if x.kind == "income" else "支出"
        click.echo(f"{x.date}  {label}  {x.amount:>12}  {mark}  {x.entry.narration or ''}")
    with_v = sum(1 for x in rows if x.vouchers)
    click.echo(f"{len(rows)} line(s), {with_v} with vouchers, {sum(1 for x in rows if x.flagged)} flagged")
