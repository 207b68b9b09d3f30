"""``ledger-unrecorded``: a change to the ledger that no recorded write made.

Every write assetreg makes is committed to the compound's write history
(:mod:`assetreg.history`). Here the folder is compared with the last recorded write, and
the changes found and marked just before later writes are read back: each changed region
of a ledger file, a seal manifest or the compound's policy file is a finding naming the
file and line, with the lines removed and added. A compound without history (made before
it existed, or on a machine without git) gets one ``history-missing`` note instead.

It runs git, so it is an audit check only: the plugin (bean-check, every Fava load) does
not pay for it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .. import history
from .context import Context
from .findings import Finding, finding

MAX_NAMED = 200  # changed regions named one by one; the rest are counted
RULE = ("账本只能由本系统的命令追加写入，每次写入记入写入历史；已记账的分录不得手工改动，"
        "更正以冲销分录记入（民法典第二百八十一条、第九百四十三条：共有部分收支须如实公开、可核对）")


def check_unrecorded(ctx: Context) -> list[Finding]:
    root = _root(ctx.options_map)
    if root is None:
        return []
    if not history.git_available():
        return [finding("history-missing", "info",
                        "本机没有安装 git，无法核对账本的写入历史", RULE)]
    if not history.exists(root):
        return [finding("history-missing", "info",
                        "本小区账本还没有写入历史：下一次由本系统写入时开始记录，"
                        "此前的状态作为未经核实的基线保存", RULE, [])]
    try:
        hunks = history.unrecorded(root)
    except history.HistoryError as exc:
        return [finding("ledger-unrecorded", "error",
                        f"写入历史无法读取：{exc}", RULE, [])]
    out: list[Finding] = []
    for h in hunks[:MAX_NAMED]:
        where = f"{root / h.file}:{h.line}"
        what = _what(h)
        when = (f"在 {h.when} 的一次写入之前发现（已在历史中标记，提交 {h.commit}）" if h.commit
                else "与最后一次记录的写入相比")
        out.append(finding(
            "ledger-unrecorded", "error",
            f"{h.file} 第{h.line}行起有未经本系统记录的改动，{when}：{what}",
            RULE, [_Ref(where)], file=h.file, line=h.line,
            removed="\n".join(h.removed[:5]), added="\n".join(h.added[:5]),
            marked_in=h.commit, found=h.when))
    if len(hunks) > MAX_NAMED:
        out.append(finding("ledger-unrecorded", "error",
                           f"另有{len(hunks) - MAX_NAMED}处未经记录的改动未逐一列出（共{len(hunks)}处）",
                           RULE, [], changes=len(hunks)))
    return out


class _Ref:
    """A file:line that is no entry (a removed line, a comment), for the finding's
    ``entries`` and the plugin's source."""

    def __init__(self, where: str) -> None:
        filename, _, line = where.rpartition(":")
        self.meta: dict[str, Any] = {"filename": filename, "lineno": int(line)}


def _what(h: history.Hunk) -> str:
    def show(lines: tuple[str, ...]) -> str:
        text = " ⏎ ".join(x.strip() for x in lines[:3] if x.strip())
        more = f" …（共{len(lines)}行）" if len(lines) > 3 else ""
        return (text[:200] + more) if text else "（空行）"

    if h.removed and h.added:
        return f"原为「{show(h.removed)}」，现为「{show(h.added)}」"
    if h.removed:
        return f"删除了「{show(h.removed)}」"
    return f"加入了「{show(h.added)}」"


def _root(options_map: dict[str, Any]) -> Path | None:
    name = options_map.get("filename") if options_map else None
    if not name or str(name).startswith("<"):
        return None
    return Path(os.path.dirname(os.path.abspath(str(name))))
