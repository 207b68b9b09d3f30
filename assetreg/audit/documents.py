"""``evidence-changed``: evidence whose bytes changed since it was recorded.

A ``document`` entry recorded by assetreg carries the file's ``sha256``, and an entry citing
evidence (a 确权 confirmation, an owner's consent) its ``evidence_sha256``; the audit hashes
the files again. A file that is gone, now a symbolic link, or whose bytes differ is an
error naming the entry; references recorded before hashes were (no hash to compare) are
one ``evidence-unhashed`` note listing them. Reading every evidence file is the audit's
work, not the plugin's.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from beancount.core import data

from .. import evidence as ev
from ..consents import CONSENT_TYPE
from ..registry import ASSET_TYPE
from .context import Context
from .findings import Finding, finding

RULE = ("确权、同意等证明材料记录后不得替换或改动（民法典第二百七十八条、第二百八十一条；"
        "清江浦区共有资产确权须有书面材料）；材料有误时另行记录新的材料")
MAX_LISTED = 50


def check_evidence(ctx: Context) -> list[Finding]:
    name = ctx.options_map.get("filename") if ctx.options_map else None
    if not name or str(name).startswith("<"):
        return []
    root = Path(os.path.dirname(os.path.abspath(str(name))))
    out: list[Finding] = []
    unhashed: list[tuple[str, Any]] = []
    seen: dict[str, str | None] = {}  # a file's hash now, read once

    def now(ref: str) -> str | None:
        if ref not in seen:
            if ev.problem(root, ref) is not None:
                seen[ref] = None
            else:
                try:
                    seen[ref] = ev.sha256_file(root / ref)
                except OSError:
                    seen[ref] = None
        return seen[ref]

    def compare(entry: Any, ref: str, recorded: str) -> None:
        got = now(ref)
        # vouchers record the bare hex digest, evidence "sha256:<hex>": the same digest
        if got is not None and got.removeprefix("sha256:") == recorded.removeprefix("sha256:"):
            return
        why = ev.problem(root, ref)
        what = (f"已不可用：{why}" if why else f"内容已改变（sha256 {got} ≠ 记录的 {recorded}）")
        out.append(finding("evidence-changed", "error",
                           f"证明材料{ref}{what}（evidence-changed）；恢复原文件，或另行记录新的材料",
                           RULE, [entry], file=ref, recorded=recorded, now=got or ""))

    for e in ctx.entries:
        t = type(e)
        if t is data.Document:
            ref = _relative(root, e.filename)
            recorded = e.meta.get(ev.HASH_KEY)
            if recorded:
                compare(e, ref, str(recorded))
            else:
                unhashed.append((ref, e))
        elif t is data.Custom and e.type in (ASSET_TYPE, CONSENT_TYPE) and e.meta.get("evidence"):
            refs = [r.strip() for r in str(e.meta["evidence"]).split(";") if r.strip()]
            hashes = str(e.meta.get(ev.EVIDENCE_HASH_KEY, "") or "").split(";")
            for i, ref in enumerate(refs):
                recorded = hashes[i].strip() if i < len(hashes) else ""
                if recorded:
                    compare(e, ref, recorded)
                elif ev.EVIDENCE_HASH_KEY not in e.meta and e.type == CONSENT_TYPE:
                    unhashed.append((ref, e))
    if unhashed:
        files = sorted({ref for ref, _ in unhashed})
        listed = "、".join(files[:MAX_LISTED]) + (f" 等{len(files)}个" if len(files) > MAX_LISTED else "")
        out.append(finding("evidence-unhashed", "info",
                           f"{len(files)}份证明材料记录时没有保存哈希，无法核对是否被替换：{listed}"
                           "（evidence-unhashed: recorded before hashes were kept）",
                           RULE, [e for _, e in unhashed[:1]], files=len(files)))
    return out


def _relative(root: Path, filename: str) -> str:
    p = Path(filename)
    if p.is_absolute():
        try:
            return p.relative_to(root).as_posix()
        except ValueError:
            return filename
    return p.as_posix()
