"""`assetreg settings show [--json] | set KEY VALUE [--date D]`: the compound's dated settings."""

from __future__ import annotations

import click

from .. import settings
from .common import compound, date_option, echo_json, json_option, ledger_option, the_date


def register(main: click.Group) -> None:
    main.add_command(settings_group)


@click.group("settings")
def settings_group() -> None:
    """The compound's settings (物业公司名称、公示天数、分成上限…), each a dated entry."""


@settings_group.command("show")
@ledger_option
@json_option
@date_option("show the settings in force on this day (YYYY-MM-DD); default today")
def settings_show(ledger: str | None, as_json: bool, date_text: str | None) -> None:
    """Every setting: its value, since when, where it is written, or the default."""
    day = the_date(date_text)
    rows, unknown = settings.listing(compound(ledger).load(), day)
    if as_json:
        echo_json({"date": day.isoformat(), "settings": [r.as_dict() for r in rows],
                   "unknown": [{"key": s.name, "value": s.value, "date": s.date.isoformat(),
                                "source": s.source} for s in unknown]})
        return
    click.echo(f"设置（{day} 生效的值）")
    for r in rows:
        where = f"自 {r.since} 起，{r.source}" if r.since else "默认值"
        click.echo(f"  {r.key:<22} {r.value or '（未设）'}   {r.label}；{where}")
        if r.problem:
            click.echo(f"  {'':<22} ! {r.problem}")
        for s in r.scheduled:
            click.echo(f"  {'':<22} → 自 {s.date} 起为 {s.value}（{s.source}）")
    for s in unknown:
        click.echo(f"  ! unknown setting {s.name!r} = {s.value!r} ({s.source}): not read by assetreg; "
                   f"the known names are listed above")


@settings_group.command("set")
@click.argument("key")
@click.argument("value")
@ledger_option
@date_option("the day the new value takes effect (YYYY-MM-DD); default today")
def settings_set(key: str, value: str, ledger: str | None, date_text: str | None) -> None:
    """Set KEY to VALUE from --date on (earlier facts keep the value they had)."""
    day = the_date(date_text)
    c = compound(ledger)
    with c.transaction() as txn:
        change = settings.set_option(txn, key, value, day)
    if not change.written:
        click.echo(f"{change.key} is already {change.value} on {day}: nothing written")
        return
    click.echo(f"wrote {change.key} = {change.value} from {day} (was {change.previous or '—'}) "
               f"to {c.file(settings.PART).name}")
    for s in change.later:
        click.echo(f"note: {s.source or 'an entry'} sets {change.key} = {s.value} from {s.date}, "
                   "which still applies from then on")
