"""The `assetreg` command line. Exit codes: 0 success, 1 negative verdict, 2 bad input/usage.

Each concern registers its commands from its own module; the commands are thin and
call the same plain functions the Fava extension uses.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from ..errors import AssetregError

# Modules that add commands to the group; each defines ``register(group)``.
COMMAND_MODULES = [
    "assetreg.cli.registry_cmds",
    "assetreg.cli.import_cmds",
    "assetreg.cli.policy_cmds",
    "assetreg.cli.audit_cmds",
    "assetreg.cli.serve_cmds",
    "assetreg.cli.district_cmds",
]


class AssetregGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AssetregError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(err.exit_code)


@click.group(cls=AssetregGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="assetreg")
def main() -> None:
    """assetreg — 小区共有资产登记与公共收益账本 (registry and ledger of common assets)."""


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(main)
