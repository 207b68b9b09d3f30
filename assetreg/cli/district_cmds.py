"""`assetreg district build|report`: every compound under a folder, side by side."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click

from ..district.discover import STORE_DIR
from ..errors import BadInput
from .common import echo_json, the_date


def register(main: click.Group) -> None:
    main.add_command(district)


@click.group()
def district() -> None:
    """District oversight (街道/社区): every compound's figures from its own ledger."""


def _jobs(jobs: int | None) -> int | None:
    if jobs is not None and jobs < 1:
        raise BadInput(f"--jobs {jobs}", "give at least 1 worker process")
    return jobs


def _store_dir(root: Path, out: Path | None) -> Path:
    if out is not None and out.exists() and not out.is_dir():
        raise BadInput(f"{out} is a file", "give a folder for the district store")
    return out or root / STORE_DIR


def _build(root: Path, out: Path | None, jobs: int | None, as_of: dt.date, quiet: bool) -> Any:
    # The store (DuckDB) is imported when a district command runs, not by every command.
    from ..district.build import build

    res = build(root, _store_dir(root, out), _jobs(jobs), as_of)
    if not quiet:
        click.echo(f"{len(res.compounds)} compounds under {root}: {len(res.loaded)} loaded, "
                   f"{len(res.reused)} unchanged, {len(res.removed)} removed, "
                   f"{len(res.failed)} failed, in {res.seconds:.1f} s → {res.store}"
                   f"（{len(res.compounds)}个小区：载入{len(res.loaded)}，未变{len(res.reused)}，"
                   f"移除{len(res.removed)}，失败{len(res.failed)}）")
    for c, errors in res.failed.items():
        click.echo(f"FAILED {c}: did not load; kept out of the district figures（账本未能载入，未计入汇总）",
                   err=True)
        for e in errors[:5]:
            click.echo(f"       {e}", err=True)
    return res


root_argument = click.argument("root", type=click.Path(path_type=Path))
as_of_option = click.option("--as-of", "as_of_text", default=None, metavar="DATE",
                            help="take each compound's figures as of this day; default today")
jobs_option = click.option("--jobs", "-j", type=int, default=None, metavar="N",
                           help="worker processes (default: one per core)")


@district.command("build")
@root_argument
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), default=None,
              help=f"store folder (default ROOT/{STORE_DIR})")
@jobs_option
@as_of_option
def build_cmd(root: Path, out: Path | None, jobs: int | None, as_of_text: str | None) -> None:
    """Load every changed compound under ROOT; write its facts to DuckDB and Parquet.

    Exit 1 when a compound did not load (it is listed with its errors and kept out)."""
    res = _build(root, out, jobs, the_date(as_of_text, "--as-of"), quiet=False)
    if res.failed:
        raise SystemExit(1)


def _decimal(text: str, option: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise BadInput(f"{option} {text!r} is not a number", f"e.g. {option} 0.5") from None


@district.command("report")
@root_argument
@click.option("--store", "out", type=click.Path(path_type=Path), default=None,
              help=f"store folder (default ROOT/{STORE_DIR}); brought up to date first")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
@click.option("--xlsx", "xlsx_out", type=click.Path(path_type=Path), default=None,
              help="also write the report to this .xlsx workbook")
@click.option("--sort", default="compound", metavar="COLUMN",
              help="sort the compounds by this column, by key or Chinese heading (e.g. confirmed_pct or 确权率%, gross or 本年收入)")
@click.option("--desc", is_flag=True, help="sort descending")
@click.option("--price-threshold", default="0.5", metavar="F",
              help="a contract priced below F × the district median for its use is a finding")
@click.option("--price-min-sample", default=5, type=int, metavar="N",
              help="comparable contracts (in other compounds) needed before judging a price")
@jobs_option
@as_of_option
def report_cmd(root: Path, out: Path | None, as_json: bool, xlsx_out: Path | None, sort: str,
               desc: bool, price_threshold: str, price_min_sample: int, jobs: int | None,
               as_of_text: str | None) -> None:
    """One row per compound under ROOT, district totals, price references and findings."""
    # The report reads the store (DuckDB): imported when a district command runs.
    from ..district import prices, report

    settings = prices.Settings(_decimal(price_threshold, "--price-threshold"), price_min_sample)
    column = report.sort_column(sort)
    if column is None:
        raise BadInput(f"cannot sort by {sort!r}", "sort by one of: " + ", ".join(
            f"{k}（{h}）" for k, h, _ in report.COLUMNS))
    sort = column
    if xlsx_out is not None:
        if xlsx_out.suffix.lower() != ".xlsx":
            raise BadInput(f"--xlsx {xlsx_out} does not end in .xlsx", "name it like district.xlsx")
        if not xlsx_out.resolve().parent.is_dir():
            raise BadInput(f"folder {xlsx_out.parent} for --xlsx does not exist", "create it first")
    res = _build(root, out, jobs, the_date(as_of_text, "--as-of"), quiet=as_json)
    rep = report.build_report(res.store, settings, sort, desc)
    if xlsx_out is not None:
        report.write_xlsx(rep, xlsx_out)
    if as_json:
        echo_json(report.as_json(rep))
    else:
        for line in report.text_lines(rep):
            click.echo(line)
