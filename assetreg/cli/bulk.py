"""Several assets in one registry step: ids, ranges (``P-001..P-050``) and ``--from sheet.xlsx``.

Every id is read and checked first; then every step is staged in one transaction, each seeing
the ones before it. One failing id fails the command: all failures are listed (id and why)
and nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..confirmation import Step
from ..errors import BadInput
from ..ledger import Compound
from ..registry import validate_asset_id

MAX_IDS = 5000  # one command; a compound's whole register is a few hundred assets
ID_HEADERS = ("资产编号", "编号", "资产代码", "资产id", "asset", "asset id", "id")

_RANGE = re.compile(r"^(?P<prefix>[A-Za-z][A-Za-z0-9]*-(?:[A-Za-z0-9]+-)*?)(?P<first>\d+)\.\."
                    r"(?P<prefix2>[A-Za-z][A-Za-z0-9]*-(?:[A-Za-z0-9]+-)*?)?(?P<last>\d+)$")


def expand(text: str) -> list[str]:
    """The ids a range names, ``P-001..P-050`` or ``P-001..050``, zero-padded as the first."""
    m = _RANGE.match(text.strip())
    if m is None:
        raise BadInput(f"malformed range {text!r}", "write a range as P-001..P-050 (same prefix, numbers at the end)")
    prefix, prefix2 = m["prefix"].upper(), (m["prefix2"] or m["prefix"]).upper()
    if prefix2 != prefix:
        raise BadInput(f"range {text!r} mixes prefixes {prefix} and {prefix2}", "one prefix per range, e.g. P-001..P-050")
    first, last = int(m["first"]), int(m["last"])
    if last < first:
        raise BadInput(f"range {text!r} runs backwards", f"the smaller number first, e.g. {prefix}{m['last']}..{prefix}{m['first']}")
    if last - first + 1 > MAX_IDS:
        raise BadInput(f"range {text!r} names {last - first + 1:,} assets", f"at most {MAX_IDS:,} in one command")
    width = len(m["first"])
    return [f"{prefix}{n:0{width}d}" for n in range(first, last + 1)]


def ids_from_sheet(path: Path) -> list[tuple[str, str]]:
    """(id text, where) of every row under a 资产编号 (or 编号, asset id…) header in the first
    sheet that has one; blank rows skipped, stopping at a 合计 row."""
    # importers read sheets (layer 4 like the CLI), only for --from
    from importers.cells import Column, clean, data_rows, find_header, workbook

    if not path.is_file():
        raise BadInput(f"{path}: no such file", "give the path of an .xlsx (or .csv) with a 资产编号 column")
    column = Column("id", ID_HEADERS[0], ID_HEADERS[1:])
    found: list[tuple[str, str]] = []
    with workbook(path) as sheets:
        for sheet in sheets:
            header = find_header(sheet.head, [column])
            if header is None:
                continue
            col = header.index["id"]
            for row in data_rows(sheet.rows(), header):
                value = row.cells[col] if col < len(row.cells) else None
                text = clean(value)
                if text:
                    found.append((text, f"{path.name}:{sheet.name}:{row.number}:{header.column_letter('id')}"))
            if not found:
                raise BadInput(f"{path}: sheet {sheet.name!r} has a {header.labels['id']} column but no ids under it",
                               "list one asset id a row under the header")
            return found
        seen = "; ".join(f"{s.name!r}" for s in sheets)
    raise BadInput(f"{path}: no sheet has a column headed {' / '.join(ID_HEADERS[:2])} (sheets: {seen})",
                   "put the asset ids in a column headed 资产编号, one a row")


def collect(args: Iterable[str], from_file: Path | None) -> list[str]:
    """Every id named, in order and once each; every malformed one listed in one error."""
    named: list[tuple[str, str]] = []
    problems: list[str] = []
    for arg in args:
        for part in re.split(r"[,，;；、\s]+", arg):
            if not part:
                continue
            if ".." in part:
                try:
                    named.extend((i, part) for i in expand(part))
                except BadInput as exc:
                    problems.append(f"{part}: {exc.problem}")
            else:
                named.append((part, "argument"))
    if from_file is not None:
        named.extend(ids_from_sheet(from_file))
    ids: dict[str, None] = {}
    for text, where in named:
        try:
            ids[validate_asset_id(text)] = None
        except BadInput as exc:
            problems.append(f"{exc.problem} ({where})" if where != "argument" else exc.problem)
    if problems:
        raise BadInput(f"{len(problems)} malformed asset id(s); nothing was written:\n"
                       + "\n".join(f"  {p}" for p in problems),
                       "use ids such as P-017, ranges such as P-001..P-050")
    if not ids:
        raise BadInput("no asset named", "give ids (P-017), ranges (P-001..P-050) or --from 清单.xlsx")
    if len(ids) > MAX_IDS:
        raise BadInput(f"{len(ids):,} assets in one command", f"at most {MAX_IDS:,}; split the list")
    return list(ids)


def run(c: Compound, ids: list[str], step: Callable[..., Step], progress: Callable[[int], None] | None = None,
        **kwargs: Any) -> list[Step]:
    """One step for each id in one transaction: all written, or none with every failure listed."""
    done: list[Step] = []
    failed: list[str] = []
    with c.transaction() as txn:
        for n, asset_id in enumerate(ids, start=1):
            try:
                done.append(step(txn, asset_id, **_for(asset_id, kwargs)))
            except BadInput as exc:
                failed.append(f"{asset_id}: {exc.problem}" + (f" — {exc.fix}" if exc.fix else ""))
            if progress is not None:
                progress(n)
        if failed:
            raise BadInput(f"{len(failed)} of {len(ids)} asset(s) cannot take this step; nothing was written:\n"
                           + "\n".join(f"  {f}" for f in failed),
                           "correct or leave out the assets listed and run the command again")
    return done


def _for(asset_id: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``{id}`` in an evidence path stands for each asset's id (documents/{id}.pdf)."""
    ev = kwargs.get("evidence")
    if not ev:
        return kwargs
    return {**kwargs, "evidence": tuple(e.replace("{id}", asset_id) for e in ev)}
