"""Options and helpers shared by the command modules."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import click

from ..dates import parse_date
from ..ledger import ENV_LEDGER, Compound

F = Callable[..., Any]


def ledger_option(f: F) -> F:
    return click.option(
        "-L", "--ledger", envvar=ENV_LEDGER, metavar="LEDGER",
        help=f"compound folder or its main.beancount (or ${ENV_LEDGER})",
    )(f)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="print JSON")(f)


def date_option(help_: str = "date of the step (YYYY-MM-DD); default today") -> Callable[[F], F]:
    return click.option("--date", "date_text", metavar="DATE", default=None, help=help_)


def the_date(text: str | None, what: str = "--date") -> dt.date:
    return dt.date.today() if text is None else parse_date(text, what)


def compound(ledger: str | None) -> Compound:
    return Compound.locate(ledger)


def echo_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))
