"""`assetreg serve` (Fava, read-only, Chinese) and `assetreg serve-passwd` (auth file entries)."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

import click

from ..errors import BadInput


def register(main: click.Group) -> None:
    main.add_command(serve)
    main.add_command(serve_passwd)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command()
@click.argument("ledgers", nargs=-1, metavar="LEDGER...")
@click.option("--district", "district_root", type=click.Path(path_type=Path), default=None,
              help="serve every compound under this folder and the district page /district/")
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="TCP port")
@click.option("--auth-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="require a password per compound (file made by `assetreg serve-passwd`)")
def serve(ledgers: tuple[str, ...], host: str, port: int, auth_file: Path | None,
          district_root: Path | None) -> None:
    """Serve compounds' books in Fava: read-only, in Chinese, one or several compounds."""
    from ..serve import make_app, run, slugs

    if district_root is not None and ledgers:
        raise BadInput("both --district and compound folders given", "give one or the other")
    if district_root is None and not ledgers:
        raise BadInput("no ledger given", "pass compound folders, or --district ROOT")
    if district_root is not None:
        from ..serve_district import make_district_app  # the district store (DuckDB) only here

        app = make_district_app(district_root, auth_file)
        click.echo(f"district: http://{host}:{port}/district/")
    else:
        app = make_app(ledgers, auth_file)
    host = "127.0.0.1" if host == "localhost" else host
    if auth_file is None and not _is_loopback(host):
        click.echo(f"warning: serving on {host} without --auth-file: anyone who can reach this "
                   "address can read the books", err=True)
    for compound, slug in slugs(app).items():
        click.echo(f"{compound}: http://{host}:{port}/{slug}/")
    click.echo("read-only: every request other than GET is refused (401); residents reach our pages, "
               "Fava's income statement, balance sheet, trial balance and account pages "
               "(raw source, journal, downloads, editor and import: 403)", err=True)
    try:
        run(app, host, port)
    except OSError as err:
        raise BadInput(f"cannot listen on {host}:{port}: {err.strerror or err}",
                       "choose another --port, or stop what is using this one") from None


@click.command("serve-passwd")
@click.argument("auth_file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("compound")
@click.argument("user")
@click.option("--password-stdin", is_flag=True, help="read the password from the first line of stdin")
def serve_passwd(auth_file: Path, compound: str, user: str, password_stdin: bool) -> None:
    """Add or replace USER's password for COMPOUND (folder name or path) in AUTH_FILE.

    Only a salted scrypt hash is stored; the file is created with mode 600.
    """
    from ..ledger import Compound
    from ..serve import set_password

    if "/" in compound or compound.endswith(".beancount"):
        compound = Compound.locate(compound).id
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    set_password(auth_file, compound, user, password)
    click.echo(f"{auth_file}: password set for {user} on {compound}")
