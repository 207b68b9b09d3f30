"""``seal-broken``: an entry dated inside a sealed period was edited, inserted or deleted
after the seal. Each change is named (from the seal's manifest, or by month when the
manifest is gone). Corrections belong in the open period as reversals.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import seal as sealing
from ..vocab import SEAL_CHANGE_LABELS as CHANGE_LABELS
from .context import Context
from .findings import Finding, finding

MAX_NAMED = 200  # changes named one by one per seal; the rest are counted

RULE = "期间封存：已公示期间不得更改，更正以冲销分录记入未封存期间（民法典第281条、第943条）"
MANIFEST_RULE = ("封存清单 (seal manifest)：封存时写下的逐笔清单不得改动或删除，其哈希记在封存分录中"
                 "（民法典第281条、第943条：公示后的账目须可核对）")


def sealed_days(seals: list[sealing.Seal]) -> list[dt.date]:
    """The days of the seals this version can recompute."""
    return [s.through for s in seals if s.hash and s.scheme == sealing.SCHEME]


def check_seals(ctx: Context, name_changes: bool = True,
                now: dict[dt.date, tuple[str, int]] | None = None) -> list[Finding]:
    """``now``: the hashes at the sealed days, when the caller computed them already
    (:func:`hash_in_background`); else they are computed here."""
    out: list[Finding] = [
        finding("seal-broken", "error", "封账记录缺少截止日期或摘要值", RULE, [e])
        for e in ctx.books.seal_malformed
    ]
    seals = [s for s in ctx.books.seals if s.hash and s.scheme == sealing.SCHEME]
    out.extend(
        finding("seal-broken", "error",
                f"截至 {s.through} 的封账使用算法 {s.scheme!r}，本版本无法复算"
                f"（本版本使用 {sealing.SCHEME!r}）",
                RULE, [s.entry], through=s.through, scheme=s.scheme)
        for s in ctx.books.seals if s.hash and s.scheme != sealing.SCHEME)
    if not seals:
        return out
    root = sealing.root_of(ctx.options_map)
    if now is None:
        now = sealing.hashes_through(ctx.entries, [s.through for s in seals], root)
    for s in seals:
        got, count = now[s.through]
        if got == s.hash:
            continue
        facts: dict[str, Any] = {"through": s.through, "sealed_hash": s.hash, "hash_now": got,
                 "sealed_entries": s.entries, "entries_now": count}
        if not name_changes:
            out.append(finding(
                "seal-broken", "error",
                f"截至 {s.through} 的已封账期间（{s.source}）被改动：封账时 {s.entries} 条记录，"
                f"现在 {count} 条，摘要值不同；运行 assetreg audit 查看具体改动",
                RULE, [s.entry], **facts))
            continue
        state = sealing.compute(ctx.entries, s.through, root)
        changes = sealing.changes(s, state, Path(root) if root else None)
        for c in changes[:MAX_NAMED]:
            refs = [s.entry] if c.entry is None else [c.entry, s.entry]
            out.append(finding(
                "seal-broken", "error",
                f"截至 {s.through} 的封账：{CHANGE_LABELS.get(c.kind, c.kind)} {c.date or ''} {c.text}"
                .replace("  ", " "),
                RULE, refs, change=c.kind, date=c.date or "", **facts))
        if len(changes) > MAX_NAMED:
            out.append(finding(
                "seal-broken", "error",
                f"截至 {s.through} 的封账：另有 {len(changes) - MAX_NAMED} 处改动未列出"
                f"（共 {len(changes)} 处）", RULE, [s.entry], change="more",
                changes=len(changes), **facts))
        if not changes:
            out.append(finding("seal-broken", "error",
                               f"截至 {s.through} 的已封账期间被改动（摘要值不同）",
                               RULE, [s.entry], **facts))
    return out


Hashes = Callable[[], dict[dt.date, tuple[str, int]]]


def hash_in_background(entries: list[Any], seals: list[sealing.Seal],
                       options_map: dict[str, Any]) -> Hashes:
    """Start hashing the sealed entries in a forked worker; call the result to collect them.

    Hashing every sealed entry is most of a full audit's own work and needs nothing but
    the entries, so ``assetreg audit`` hands it to a second core while it runs the other
    checks. Where there is no ``fork`` (or it fails), the hashing is done when collected.
    """
    days = sealed_days(seals)
    root = sealing.root_of(options_map)

    def inline() -> dict[dt.date, tuple[str, int]]:
        return sealing.hashes_through(entries, days, root)

    if not days or not hasattr(os, "fork"):
        return inline
    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
    except OSError:
        return inline
    if pid == 0:  # the worker: hash, send, leave without running any parent's cleanup
        status = 1
        try:
            gc.disable()  # a collection would touch (and so copy) every page of the parent's heap
            os.close(read_end)
            with os.fdopen(write_end, "wb") as out:
                pickle.dump(inline(), out)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)

    def collect() -> dict[dt.date, tuple[str, int]]:
        with os.fdopen(read_end, "rb") as src:
            blob = src.read()
        _, status = os.waitpid(pid, 0)
        if status != 0 or not blob:
            return inline()  # the worker failed: hash here, so the audit still verifies
        result: dict[dt.date, tuple[str, int]] = pickle.loads(blob)  # our own child's bytes
        return result

    return collect


def check_manifests(ctx: Context) -> list[Finding]:
    """``seal-manifest``: a seal's manifest file is missing, or its bytes no longer hash to
    the ``manifest_hash`` the seal recorded -- even while every sealed entry is intact.

    The manifest is how the audit names which entry changed; left unchecked, a deleted or
    rewritten manifest would only show once an entry changed too, when it is needed. One
    read and one sha256 per seal, so the plugin runs it on every load."""
    root = sealing.root_of(ctx.options_map)
    if root is None:
        return []
    out: list[Finding] = []
    for s in ctx.books.seals:
        if not s.hash:
            continue  # a malformed seal is reported by seal-broken
        if not s.manifest or not s.manifest_hash:
            out.append(finding(
                "seal-manifest", "error",
                f"封存至{s.through}的封存分录没有记录清单文件或其哈希（seal entry names no manifest/manifest_hash）",
                MANIFEST_RULE, [s.entry], through=s.through, manifest=s.manifest or "",
                manifest_hash=s.manifest_hash or ""))
            continue
        path = Path(root) / s.manifest
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            out.append(finding(
                "seal-manifest", "error",
                f"封存至{s.through}的清单文件{s.manifest}已被删除（seal manifest missing）；"
                "从备份或本小区的写入历史（.assetreg-history）恢复原文件，不要重新生成",
                MANIFEST_RULE, [s.entry], through=s.through, manifest=s.manifest,
                manifest_hash=s.manifest_hash))
            continue
        except OSError as exc:
            out.append(finding(
                "seal-manifest", "error",
                f"封存至{s.through}的清单文件{s.manifest}无法读取：{exc.strerror}",
                MANIFEST_RULE, [s.entry], through=s.through, manifest=s.manifest))
            continue
        try:
            got = sealing.manifest_hash(raw.decode("utf-8"))
        except UnicodeDecodeError:
            got = "sha256:" + hashlib.sha256(raw).hexdigest()
        if got != s.manifest_hash:
            out.append(finding(
                "seal-manifest", "error",
                f"封存至{s.through}的清单文件{s.manifest}已被改动（seal manifest altered: "
                f"hash {got} ≠ recorded {s.manifest_hash}）；从备份或本小区的写入历史（.assetreg-history）恢复原文件",
                MANIFEST_RULE, [s.entry], through=s.through, manifest=s.manifest,
                manifest_hash=s.manifest_hash, hash_now=got))
    return out
