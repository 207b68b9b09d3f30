"""The `assetreg` command line. Exit codes: 0 success, 1 negative verdict, 2 bad input/usage.

Each concern registers its commands from its own module; the commands are thin and
call the same plain functions the Fava extension uses.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from .. import history
from ..errors import AssetregError

# Modules that add commands to the group; each defines ``register(group)``.
COMMAND_MODULES = [
    "assetreg.cli.registry_cmds",
    "assetreg.cli.import_cmds",
    "assetreg.cli.policy_cmds",
    "assetreg.cli.consent_cmds",
    "assetreg.cli.audit_cmds",
    "assetreg.cli.serve_cmds",
    "assetreg.cli.district_cmds",
    "assetreg.cli.settings_cmds",
    "assetreg.cli.voucher_cmds",
    "assetreg.cli.payment_cmds",
    "assetreg.cli.suspense_cmds",
    "assetreg.cli.history_cmds",
]

# Where each command lives, so a run imports only its own module: importing every
# command (pydantic policy schema, importers, Fava) cost 0.6 s before `assetreg audit`
# could start. A command not listed here makes the group import all modules.
COMMANDS = {
    "init": "assetreg.cli.registry_cmds", "unit": "assetreg.cli.registry_cmds",
    "asset": "assetreg.cli.registry_cmds",
    "import": "assetreg.cli.import_cmds", "template": "assetreg.cli.import_cmds",
    "policy": "assetreg.cli.policy_cmds", "contract": "assetreg.cli.policy_cmds",
    "resolution": "assetreg.cli.policy_cmds",
    "audit": "assetreg.cli.audit_cmds", "seal": "assetreg.cli.audit_cmds",
    "disclose": "assetreg.cli.audit_cmds",
    "serve": "assetreg.cli.serve_cmds", "serve-passwd": "assetreg.cli.serve_cmds",
    "consent": "assetreg.cli.consent_cmds", "waitlist": "assetreg.cli.consent_cmds",
    "district": "assetreg.cli.district_cmds",
    "settings": "assetreg.cli.settings_cmds",
    "voucher": "assetreg.cli.voucher_cmds", "payment": "assetreg.cli.payment_cmds",
    "suspense": "assetreg.cli.suspense_cmds", "correct": "assetreg.cli.suspense_cmds",
    "history": "assetreg.cli.history_cmds",
}


class AssetregGroup(click.Group):
    _registered: set[str]

    def _register(self, module: str) -> None:
        done = self.__dict__.setdefault("_registered", set())
        if module not in done:
            done.add(module)
            importlib.import_module(module).register(self)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            module = COMMANDS.get(cmd_name)
            for name in [module] if module else COMMAND_MODULES:
                self._register(name)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        for name in COMMAND_MODULES:
            self._register(name)
        return super().list_commands(ctx)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["assetreg.argv"] = ("assetreg", *args)  # the write history's commit message
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with history.command(ctx.meta.get("assetreg.argv", ("assetreg",))):
                return super().invoke(ctx)
        except AssetregError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(err.exit_code)


@click.group(cls=AssetregGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="assetreg")
def main() -> None:
    """assetreg — 小区共有资产登记与公共收益账本 (registry and ledger of common assets)."""
