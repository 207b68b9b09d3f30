"""`assetreg init`: lay out a new compound ledger folder."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

from . import accounts
from .errors import BadInput
from .ledger import DECISIONS_LOG, MAIN, SPLIT_FILES, atomic_write
from .settings import check

FAVA_EXTENSION = "assetreg.fava_ext"

_HEADERS = {
    "accounts": "科目表 (chart of accounts) and compound options",
    "units": "专有部分名册 (units roster): unit number, building, area, pseudonymous owner key — no names or phones",
    "registry": "共有资产登记簿 (asset registry): append-only lifecycle events and evidence documents",
    "contracts": "经营合同 (operating contracts) and owners' resolutions, each with its policy decision",
    "journal": "流水 (journal): income, remittances, allocations",
}


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main_text(name: str) -> str:
    includes = "\n".join(f'include "{f}"' for f in SPLIT_FILES.values())
    return f"""; {name} — 共有资产与公共收益账本
; Created by assetreg. The split files below are appended to by `assetreg` commands;
; posted entries are never edited in place (corrections are reversals).
option "title" {_quote(name + " 共有资产与公共收益")}
option "operating_currency" "CNY"
option "render_commas" "TRUE"

plugin "assetreg.plugin"

2000-01-01 custom "fava-option" "language" "zh"
2000-01-01 custom "fava-option" "default-page" "extension/AssetRegistry/"
2000-01-01 custom "fava-extension" "{FAVA_EXTENSION}"

{includes}
include "{DECISIONS_LOG}"
"""


def accounts_text(name: str, open_date: dt.date, notice_days: int,
                  settings: dict[str, str] | None = None) -> str:
    """The chart of accounts with the compound's first settings (each already checked)."""
    lines = [f"; {_HEADERS['accounts']}", ""]
    lines.append(f'{open_date} custom "assetreg-option" "compound-name" {_quote(name)}')
    lines.append(f'{open_date} custom "assetreg-option" "notice-days" "{notice_days}"')
    for key, value in (settings or {}).items():
        lines.append(f'{open_date} custom "assetreg-option" {_quote(key)} {_quote(value)}')
    lines.append("")
    for acct in accounts.ALL_ACCOUNTS:
        currency = "" if acct == accounts.REGISTRY else " CNY"
        lines.append(f"{open_date} open {acct}{currency}")
    return "\n".join(lines) + "\n"


NAME_LIMIT = 64  # characters of a compound's name


def validate_name(name: str) -> str:
    """A compound's name goes into a comment, an option and a custom directive of the new
    ledger: one line of printable text (a line break would start a directive of its own)."""
    if not name.strip():
        raise BadInput("the compound needs a name", "pass --name 小区名称")
    bad = [c for c in name if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn")]
    if bad:
        raise BadInput(f"compound name {name!r} contains a control character or line break ({bad[0]!r})",
                       "pass the name on one line, e.g. --name 景湖花园")
    if len(name) > NAME_LIMIT or "<" in name or ">" in name:
        raise BadInput(f"compound name {name!r} is longer than {NAME_LIMIT} characters or holds markup",
                       "pass the compound's plain name, e.g. --name 景湖花园")
    return name.strip()


def init_compound(folder: Path, name: str, open_date: dt.date, notice_days: int = 15, *,
                  manager: str | None = None, district: str | None = None,
                  bank_account: str | None = None) -> Path:
    """Lay out a new compound; every text is checked before it goes into a directive (a name
    with a line break or a quote would break the ledger's first lines)."""
    name = validate_name(name)
    _, name = check("compound-name", name)
    settings: dict[str, str] = {}
    for key, value in (("manager-name", manager), ("district", district), ("bank-account", bank_account)):
        if value is not None:
            settings.update([check(key, value)])
    if not re.match(r"^[a-z0-9][a-z0-9\-_]*$", folder.name):
        raise BadInput(
            f"compound folder name {folder.name!r} is not a plain id",
            "use lowercase ASCII letters, digits and '-', e.g. ledgers/qjp-jinghu-garden",
        )
    if notice_days < 1:
        raise BadInput(f"notice window of {notice_days} days", "give at least 1 day (15 is usual)")
    if folder.exists() and any(folder.iterdir()):
        raise BadInput(
            f"{folder} already exists and is not empty",
            "choose a new folder; assetreg never overwrites an existing compound",
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "documents").mkdir(exist_ok=True)
    atomic_write(folder / SPLIT_FILES["accounts"], accounts_text(name, open_date, notice_days, settings))
    for part in ("units", "registry", "contracts", "journal"):
        atomic_write(folder / SPLIT_FILES[part], f"; {_HEADERS[part]}\n")
    atomic_write(folder / DECISIONS_LOG, "; 被否决的经营提案 (rejected proposals) and why — appended by `assetreg contract record`\n")
    atomic_write(folder / MAIN, main_text(name))
    return folder / MAIN
