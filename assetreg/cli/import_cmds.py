"""`assetreg import FILE.xlsx` and `assetreg template KIND -o FILE.xlsx`.

Import is all or nothing: every row of every matching sheet is read and checked against
the ledger first; any error lists every problem as ``file:sheet:row:column: message
(expected …)`` and exits 2 with every ledger file unchanged. Rows already imported (same
fingerprint in ``import_id`` metadata) are skipped, so importing twice adds nothing.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import click

from ..errors import BadInput
from ..ledger import Transaction
from ..vocab import parse_label
from .common import compound, date_option, ledger_option, the_date


def register(main: click.Group) -> None:
    main.add_command(import_file)
    main.add_command(template)


KIND_HELP = "bank | income-report | register | roster | contracts | consents | waitlist | vouchers | approvals | suspense"


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@ledger_option
@click.option("--dry-run", is_flag=True, help="print what would be written; write nothing")
@click.option("--kind", default=None, metavar="KIND", help=f"skip identification by headers: {KIND_HELP}")
@click.option("--bank-config", "bank_configs", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="YAML layout of a bank not built in (see importers/banks/); repeatable")
@date_option("date of roster and register entries when the sheet has no 登记日期 column; default today")
def import_file(file: Path, ledger: str | None, dry_run: bool, kind: str | None,
                bank_configs: tuple[Path, ...], date_text: str | None) -> None:
    """Import a treasurer's spreadsheet (kind identified from its headers)."""
    from importers.kinds import KIND_NAMES, all_importers

    importers = all_importers(bank_configs)
    if kind is not None:  # the sheet kind's id or its Chinese title (业主名册（专有部分）)
        titles = {i.kind: i.title for i in importers}
        try:
            kind = parse_label({k: titles.get(k, k) for k in KIND_NAMES}, kind, "--kind")
        except BadInput as exc:
            raise BadInput(f"unknown --kind {kind!r}", exc.fix) from None
    if not file.is_file():
        raise BadInput(f"{file}: no such file", "give the path of an .xlsx workbook or a .csv export")
    day = the_date(date_text)
    c = compound(ledger)
    # A statement of 50,000 lines becomes 50,000 long-lived entries: the cyclic garbage
    # collector would rescan them over and over (it tripled the import time) and finds
    # no cycles to free, so it is paused for the command.
    gc.disable()
    try:
        _import(file, c, importers, kind, day, dry_run)
    finally:
        gc.enable()


def _import(file: Path, c, importers: list, kind: str | None, day, dry_run: bool) -> None:  # type: ignore[no-untyped-def, type-arg]
    from importers.cells import workbook
    from importers.kinds import choose

    from ..progress import Progress

    with Progress(f"导入 {file.name}") as progress:
        # The workbook is checked and parsed before the lock is taken: a hostile or huge file
        # never holds up another command's write (issue 14).
        progress.step("读取表格")
        with workbook(file) as sheets:
            chosen = choose(file, sheets, importers, kind)
            if dry_run:
                txn = Transaction(c, c.load())
                head, counts, tail = _stage(file, txn, chosen, day, progress)
                progress.close()
                for _, text in txn.preview():
                    click.echo(text)
                click.echo(f"dry run: {head}{_counts(c, counts, 'would be written')}{tail}; nothing written")
                return
            with c.transaction() as txn:
                head, counts, tail = _stage(file, txn, chosen, day, progress)
                progress.step("写入账本")
    click.echo(f"{head}{_counts(c, counts, 'written')}{tail}")


def _counts(c, counts: dict[str, int], verb: str) -> str:  # type: ignore[no-untyped-def]
    """"12 entries written to journal.beancount" (several files: each with its count)."""
    total = sum(counts.values())
    text = f"{total} entr{'y' if total == 1 else 'ies'} {verb}"
    if total:
        files = [f"{c.file(part).name}" + (f" ({n})" if len(counts) > 1 else "") for part, n in counts.items() if n]
        text += " to " + ", ".join(files)
    return text


def _stage(file: Path, txn: Transaction, chosen, day, progress) -> tuple[str, dict[str, int], str]:  # type: ignore[no-untyped-def]
    from importers.base import Context, render
    from importers.cells import Problems

    imp, sheets = chosen
    problems = Problems()
    plans = []
    ctx = Context.of(txn.entries, day, txn)
    for sheet, header in sheets:
        progress.step(f"读取 {sheet.name}")
        plans.append(imp.read(sheet, header, ctx, problems))
        ctx.planned(plans[-1])
    progress.step("核对账本")
    if not problems.errors:
        from importers.base import book_errors

        # What the policy gate staged (contracts) counts too, as it will once written.
        problems.errors.extend(book_errors(file, plans, txn.entries, txn.staged_entries(),
                                           txn.loaded.options_map))
    for w in problems.warnings:
        click.echo(f"warning: {w}", err=True)
    if problems.errors:
        n = len(problems.errors)
        raise BadInput(
            f"{file}: {n} error{'s' if n > 1 else ''} in the {imp.title} ({imp.kind}); nothing was written:\n"
            + "\n".join(f"  {e}" for e in problems.errors),
            "correct the cells listed and import the file again")
    counts: dict[str, int] = {}
    for plan in plans:
        by_part: dict[str, list[Any]] = {}
        for part, entry in plan.writes:
            by_part.setdefault(part, []).append(entry)
        for part, entries in by_part.items():
            txn.append(part, entries, render=render, spaced=True)
            counts[part] = counts.get(part, 0) + len(entries)
        if plan.staged_by_gate:  # contracts the policy gate staged itself
            counts["contracts"] = counts.get("contracts", 0) + plan.staged_by_gate
    already = sum(p.already for p in plans)
    sheets_text = ", ".join(p.sheet for p in plans)
    notes = [n for p in plans for n in p.notes]
    tail = f", {already} row(s) already in the ledger"
    if notes:
        tail += "\n" + "\n".join(f"  {n}" for n in notes)
    return f"{file.name}: {imp.title} ({imp.kind}), sheet {sheets_text}: ", counts, tail


@click.command()
@click.argument("kind", metavar="KIND")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="the .xlsx file to write (refuses to overwrite)")
@click.option("-L", "--ledger", "ledger", default=None,
              help="compound whose policy set supplies the use categories (contracts template)")
def template(kind: str, output: Path, ledger: str | None) -> None:
    """Write an empty import template for KIND: bank | income-report | register | roster | contracts | consents | waitlist | vouchers | approvals | suspense | ballots."""
    from importers.templates import write_template

    uses = None
    if ledger is not None:
        from ..policy import load_policy_set

        c = compound(ledger)
        uses = [g.use for g in load_policy_set(c, c.load()).guidance]
    write_template(kind, output, uses=uses)
    click.echo(f"wrote {output}")

