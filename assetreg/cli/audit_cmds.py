"""`assetreg audit`, `assetreg seal`, `assetreg disclose`."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import click

from .. import periods as periods_
from .. import plugin, sealing
from ..audit import SEVERITIES, Finding, run_checks
from ..disclosure import build as build_disclosure
from ..disclosure import disclosure_entry, render_html, republication, write_xlsx
from ..errors import BadInput
from ..ledger import Loaded, error_source, save_workbook
from ..progress import Progress
from .common import compound, echo_json, ledger_option, the_date


def register(main: click.Group) -> None:
    main.add_command(audit)
    main.add_command(seal)
    main.add_command(disclose)


# ---------------------------------------------------------------- audit

def _is_plugin_error(err: Any) -> bool:
    # The plugin reports a subset of the audit's own findings; the audit lists them in full.
    return type(err).__name__ == "AssetregPluginError"


def _error_source(err: Any) -> tuple[str, ...]:
    src = error_source(err)
    return (src,) if src else ()


def load_findings(loaded: Loaded, as_of: dt.date) -> list[Finding]:
    """bean-check's errors (balance assertions, syntax, …) followed by the audit checks."""
    out = [
        Finding("bean-check", "error", " ".join(str(err.message).split()),
                "Beancount 校验（余额断言、语法、科目）", _error_source(err))
        for err in loaded.errors if not _is_plugin_error(err)
    ]
    checks = run_checks(loaded.entries, loaded.options_map, as_of, parallel=True)
    return [*out, *checks]


def write_findings_xlsx(findings: list[Finding], path: Path, title: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "审计发现"
    ws.append(["严重程度", "检查", "说明", "依据", "分录 (file:line)", "事实"])
    for c in ws[1]:
        c.font = Font(bold=True)
    for f in findings:
        ws.append([f.severity, f.check, f.message, f.rule, "\n".join(f.entries),
                   "; ".join(f"{k}={v}" for k, v in f.facts.items())])
    for col, width in zip("ABCDEF", (10, 22, 80, 40, 50, 60), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    summary = wb.create_sheet("汇总")
    summary.append([title])
    summary.append(["检查", "严重程度", "数量"])
    for (check, severity), n in sorted(Counter((f.check, f.severity) for f in findings).items()):
        summary.append([check, severity, n])
    save_workbook(wb, path)


def _check_out_path(path: Path, suffix: str, option: str) -> Path:
    if path.suffix.lower() != suffix:
        raise BadInput(f"{option} {path} does not end in {suffix}", f"name the file like report{suffix}")
    if not path.parent.resolve().is_dir():
        raise BadInput(f"folder {path.parent} for {option} does not exist", "create it first or pick another path")
    if path.is_dir():
        raise BadInput(f"{option} {path} is a folder", f"give a file name ending in {suffix}")
    return path


@click.command()
@ledger_option
@click.option("--json", "as_json", is_flag=True, help="print the findings as JSON")
@click.option("--xlsx", "xlsx_out", type=click.Path(path_type=Path), default=None,
              help="also write the findings to this .xlsx workbook")
@click.option("--as-of", "as_of_text", default=None, metavar="DATE",
              help="audit as of this day (arrears, aging, overdue disclosures); default today")
def audit(ledger: str | None, as_json: bool, xlsx_out: Path | None, as_of_text: str | None) -> None:
    """Run bean-check and every audit check; exit 0 clean, 1 findings, 2 cannot run."""
    as_of = the_date(as_of_text, "--as-of")
    if xlsx_out is not None:
        _check_out_path(xlsx_out, ".xlsx", "--xlsx")
    c = compound(ledger)
    with Progress("审计：加载账本") as progress:
        with plugin.index_only():  # every check runs once, below, seals rehashed in full
            loaded = c.load()
        progress.step("审计：检查")
        findings = load_findings(loaded, as_of)
    problems = [f for f in findings if f.severity != "info"]
    counts = Counter(f.severity for f in findings)
    if xlsx_out is not None:
        write_findings_xlsx(findings, xlsx_out, f"{c.id} 审计 {as_of}")
    if as_json:
        echo_json({"ledger": str(c.main), "as_of": as_of.isoformat(),
                   "counts": {s: counts.get(s, 0) for s in SEVERITIES},
                   "findings": [f.as_dict() for f in findings]})
    else:
        for f in findings:
            click.echo(f"{f.severity.upper():7} [{f.check}] {f.message}")
            for ref in f.entries:
                click.echo(f"          at {ref}")
            click.echo(f"          rule: {f.rule}")
        click.echo(f"{c.id} as of {as_of}: " + ", ".join(f"{counts.get(s, 0)} {s}" for s in SEVERITIES))
    if problems:
        raise SystemExit(1)


# ---------------------------------------------------------------- seal

@click.command()
@ledger_option
@click.option("--through", "through_text", required=True, metavar="DATE",
              help="seal every entry dated up to and including this day")
@click.option("--date", "date_text", default=None, metavar="DATE", help="date of the seal entry; default today")
def seal(ledger: str | None, through_text: str, date_text: str | None) -> None:
    """Seal a period: record a hash of every entry dated up to --through."""
    through = the_date(through_text, "--through")
    day = the_date(date_text)
    c = compound(ledger)
    with Progress("封账：加载并计算哈希"), c.transaction() as txn:
        sealed = sealing.record(txn, through, day=day)
    click.echo(f"sealed {sealed.state.entries} entries dated up to {through}: {sealed.state.hash}; "
               f"wrote the seal entry to {c.file('journal').name} and {sealed.manifest.relative_to(c.root)}")


# ---------------------------------------------------------------- disclose

@click.command()
@ledger_option
@click.option("--period", "period_text", required=True, metavar="P",
              help="2025 | 2025H1 | 2025Q3 | 2025-07 (or 2025年上半年, 2025年第3季度, 2025年7月)")
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path),
              help="the disclosure workbook, REPORT.xlsx")
@click.option("--html", "html_out", type=click.Path(path_type=Path), default=None,
              help="also write the A4 公示 for the notice board (HTML), and its PDF next to it")
@click.option("--pdf", "pdf_out", type=click.Path(path_type=Path), default=None,
              help="the PDF of the A4 公示 (default: the --html file's name with .pdf)")
@click.option("--no-pdf", is_flag=True, help="write the HTML only (no chromium run)")
@click.option("--date", "date_text", default=None, metavar="DATE",
              help="date of publication (and of the ledger entry); default today")
@click.option("--revise", is_flag=True, help="publish a period already disclosed again, as a recorded revision")
@click.option("--reason", default=None, help="why the revision (with --revise)")
def disclose(ledger: str | None, period_text: str, out: Path, html_out: Path | None,
             pdf_out: Path | None, no_pdf: bool, date_text: str | None,
             revise: bool, reason: str | None) -> None:
    """Publish the income disclosure (公示) of a period, with every unit's share."""
    # the PDF module runs chromium; only this command needs it
    from ..pdf import PdfError, print_to_pdf

    period = periods_.parse(period_text)
    day = the_date(date_text)
    if period.end >= day:
        raise BadInput(f"period {period.key} runs until {period.end}; it has not ended on {day}",
                       "disclose a period after it ends (or pass --date)")
    _check_out_path(out, ".xlsx", "-o")
    if pdf_out is not None and html_out is None:
        raise BadInput("--pdf is printed from the HTML 公示, and no --html was given",
                       "add --html 公示.html (the PDF is made from it)")
    if html_out is not None:
        _check_out_path(html_out, ".html", "--html")
        if pdf_out is None and not no_pdf:
            pdf_out = html_out.with_suffix(".pdf")
        if no_pdf:
            pdf_out = None
    if pdf_out is not None:
        _check_out_path(pdf_out, ".pdf", "--pdf")
    c = compound(ledger)
    pdf_note = ""
    staged: list[tuple[str, Path]] = []
    try:
        with Progress(f"公示 {period.key}"), c.transaction() as txn:
            d = build_disclosure(txn.entries, period, txn.loaded.options_map, as_of=day)
            if not d.shares:
                raise BadInput("the units roster is empty, so no unit's share can be computed",
                               "add the units first (`assetreg unit add`)")
            new_entry, previous = republication(txn.entries, d, revise, reason)
            fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.resolve().parent)
            os.close(fd)
            staged.append((tmp, out))
            write_xlsx(d, Path(tmp))
            if html_out is not None:
                if d.public_url and not d.public_url.startswith(("https://", "http://")):
                    raise BadInput(f"option public-url is {d.public_url!r}, not a web address",
                                   'set it to the compound\'s page, e.g. custom "assetreg-option" '
                                   '"public-url" "https://…"')
                fd, tmp_html = tempfile.mkstemp(prefix=f".{html_out.name}.", suffix=".tmp",
                                                dir=html_out.resolve().parent)
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(render_html(d, published=day))
                staged.append((tmp_html, html_out))
                if pdf_out is not None:
                    fd, tmp_pdf = tempfile.mkstemp(prefix=f".{pdf_out.name}.", suffix=".tmp",
                                                   dir=pdf_out.resolve().parent)
                    os.close(fd)
                    staged.append((tmp_pdf, pdf_out))
                    # chromium names the page by its file name: print a copy that ends in .html
                    page = Path(tmp_html).with_suffix(".print.html")
                    staged.append((str(page), page))
                    page.write_bytes(Path(tmp_html).read_bytes())
                    try:
                        made = print_to_pdf(page, Path(tmp_pdf))
                    except PdfError as err:
                        raise BadInput(f"the PDF of the 公示 could not be made: {err}",
                                       "run again with --no-pdf and print the HTML from a browser") from err
                    page.unlink()
                    staged.remove((str(page), page))
                    if not made:
                        staged.remove((tmp_pdf, pdf_out))
                        os.unlink(tmp_pdf)
                        pdf_note = ("未找到 chromium，未生成 PDF（no chromium: PDF skipped）；"
                                    f"请用浏览器打开 {html_out} 打印为 A4，或安装 chromium（apt-get install chromium）后重新运行。")
            if new_entry:
                txn.append("journal", [disclosure_entry(d, day, out.name, revises=previous if revise else None,
                                                        reason=reason)])
        for tmp, final in staged:
            os.replace(tmp, final)
        staged.clear()
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
    click.echo(f"disclosed {d.period.label}: gross {d.gross}, cost {d.cost}, net {d.net}, "
               f"{len(d.shares)} unit shares summing to {sum(d.shares.values())} → {out}"
               + (f", {html_out}" if html_out else "") + (f", {pdf_out}" if pdf_out and not pdf_note else ""))
    if pdf_note:
        click.echo(pdf_note, err=True)
    if not new_entry and previous is not None:
        click.echo(f"already disclosed on {previous.date} with the same figures: report written again, "
                   "no new ledger entry (--revise --reason … to publish a revision)")
    elif revise and previous is not None:
        click.echo(f"recorded as a revision of the disclosure of {previous.date}: {reason}")
