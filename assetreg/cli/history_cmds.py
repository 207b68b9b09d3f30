"""`assetreg history`: the compound's recorded writes, and the changes no write made."""

from __future__ import annotations

import click

from .. import history
from ..errors import BadInput
from .common import compound, echo_json, json_option, ledger_option


def register(main: click.Group) -> None:
    main.add_command(history_cmd)


@click.command("history")
@ledger_option
@click.option("-n", "limit", default=20, show_default=True, type=click.IntRange(1, 100000),
              help="how many of the latest writes to list")
@json_option
def history_cmd(ledger: str | None, limit: int, as_json: bool) -> None:
    """The latest recorded writes (.assetreg-history/) and every change to the ledger that
    no recorded write made. Exit 1 when there is such a change."""
    c = compound(ledger)
    if not history.git_available():
        raise BadInput("git is not installed, so no write history is kept", "install git (apt-get install git)")
    if not history.exists(c.root):
        raise BadInput(f"{c.root} keeps no write history yet",
                       "it starts with the next write by assetreg (or `assetreg init` for a new compound)")
    writes = history.writes(c.root, limit)
    changes = history.unrecorded(c.root)
    if as_json:
        echo_json({"writes": [{"commit": h, "date": d, "command": m} for h, d, m in writes],
                   "unrecorded": [{"file": h.file, "line": h.line, "removed": list(h.removed),
                                   "added": list(h.added), "marked_in": h.commit, "found": h.when}
                                  for h in changes],
                   "baseline": history.baseline(c.root)})
    else:
        for h, d, m in writes:
            click.echo(f"{d}  {h}  {m}")
        base = history.baseline(c.root)
        if base:
            click.echo(f"(history started {base} from an unverified baseline)")
        for ch in changes:
            mark = f" (found before a write, marked in {ch.commit})" if ch.commit else ""
            click.echo(f"UNRECORDED {c.root / ch.file}:{ch.line}{mark}")
            for line in ch.removed[:5]:
                click.echo(f"  - {line}")
            for line in ch.added[:5]:
                click.echo(f"  + {line}")
    if changes:
        raise SystemExit(1)
