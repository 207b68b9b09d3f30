"""Outside text is data, never markup: what an importer writes and what the plugin refuses.

Fava 1.30 renders a transaction's payee and narration, metadata values, custom entries'
strings and notes with autoescaping switched off (``_journal_table.html``), so a bank
附言 of ``<img src=x onerror=alert(7)>`` would run as script on the journal and account
pages. Two rules keep markup out of the ledger at its root:

* :func:`neutralise` is applied to text from outside (sheets, bank statements) before it
  becomes an entry: ``<`` and ``>`` become the full-width ``＜`` ``＞`` (they read the
  same to a resident, and no browser parses them as a tag), ASCII ``'`` becomes ``＇``
  (Fava puts metadata into single-quoted attributes), control characters become a space
  and bidirectional overrides are dropped (they can make a line read differently from
  what it holds). :func:`neutralise_entry` does this to every text field of an entry.
* :func:`markup_fields` names the text fields of an entry that still carry markup: ``<``
  or ``>`` anywhere, or a metadata URL (Fava links ``http://``/``https://`` values) with a
  quote or a control character in it. The plugin reports each as a bean-check
  error, so a hand-written entry with markup is refused too.

Bottom layer: imports nothing from assetreg.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from beancount.core.data import Transaction

# C0 and C1 control characters (tab, newline and carriage return included: a payee or
# narration is one line) and DEL.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Bidirectional embedding/override/isolate controls (the "Trojan Source" characters).
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_TRANSLATE = str.maketrans({"<": "\uff1c", ">": "\uff1e", "'": "\uff07"})
_MARKUP = re.compile(r"[<>]")
_URL_UNSAFE = re.compile(r"['\"`<>\x00-\x1f\x7f]")

# Metadata Beancount itself keeps on every entry (not text from anyone).
_INTERNAL_META = frozenset({"filename", "lineno"})


def neutralise(text: str) -> str:
    """``text`` with no character a browser could read as markup (see the module doc)."""
    if not text:
        return text
    text = _BIDI.sub("", text)
    text = _CONTROL.sub(" ", text)
    return text.translate(_TRANSLATE)


def has_markup(text: str) -> bool:
    return bool(_MARKUP.search(text))


def _unsafe_url(text: str) -> bool:
    low = text.lower()
    return low.startswith(("http://", "https://")) and bool(_URL_UNSAFE.search(text))


def _meta_strings(meta: Any, where: str) -> Iterator[tuple[str, str]]:
    for key, value in (meta or {}).items():
        if type(value) is str and key not in _INTERNAL_META and not key.startswith("__"):
            yield f"{where}{key}", value


def text_fields(entry: Any) -> Iterator[tuple[str, str]]:
    """Every (field name, text) of a Beancount entry that Fava shows to a reader: payee,
    narration, note and event text, custom entries' strings, and string metadata of the
    entry and its postings."""
    for name in ("payee", "narration", "comment", "description"):
        value = getattr(entry, name, None)
        if type(value) is str:
            yield name, value
    for i, v in enumerate(getattr(entry, "values", None) or ()):
        value = getattr(v, "value", None)
        if type(value) is str and getattr(v, "dtype", None) is str:
            yield f"values[{i}]", value
    yield from _meta_strings(getattr(entry, "meta", None), "")
    for i, p in enumerate(getattr(entry, "postings", None) or ()):
        yield from _meta_strings(p.meta, f"postings[{i}].")


def _suspect(text: str) -> bool:
    return "<" in text or ">" in text or (text[:1] in "hH" and text[:4].lower() == "http")


def _meta_clean(meta: Any) -> bool:
    # Written out (no generator, no call per value): this runs for every value of every entry.
    for value in meta.values():
        if type(value) is str and ("<" in value or ">" in value
                                   or (value[:1] in "hH" and value[:4].lower() == "http")):
            return False
    return True


def _quick_clean(entry: Any) -> bool:
    """True when no text field of ``entry`` could carry markup (the plugin scans every
    entry of every load, so the common case must cost next to nothing)."""
    meta = getattr(entry, "meta", None)
    if meta and not _meta_clean(meta):
        return False
    if type(entry) is Transaction:
        payee, narration = entry.payee, entry.narration
        if (payee and _suspect(payee)) or (narration and _suspect(narration)):
            return False
        for p in entry.postings:
            pm = p.meta
            # the parser gives every posting {filename, lineno}: nothing to read there
            if pm and len(pm) > 2 and not _meta_clean(pm):
                return False
        return True
    fields = getattr(entry, "_fields", ())
    if "postings" in fields:  # a Transaction-like tuple built elsewhere
        return not markup_fields_slow(entry)
    if "values" in fields:
        return all(not (type(v.value) is str and _suspect(v.value)) for v in entry.values or ())
    for name in ("comment", "description"):
        if name in fields and type(getattr(entry, name)) is str and _suspect(getattr(entry, name)):
            return False
    return True


def markup_fields_slow(entry: Any) -> list[tuple[str, str]]:
    return [(name, text) for name, text in text_fields(entry) if has_markup(text) or _unsafe_url(text)]


def markup_fields(entry: Any) -> list[tuple[str, str]]:
    """The text fields of ``entry`` that carry markup (see the module doc), as (field, text)."""
    if _quick_clean(entry):
        return []
    return markup_fields_slow(entry)


def _clean_meta(meta: Any) -> Any:
    if not meta:
        return meta
    changed = {k: neutralise(v) for k, v in meta.items()
               if type(v) is str and k not in _INTERNAL_META and neutralise(v) != v}
    return {**meta, **changed} if changed else meta


def neutralise_entry(entry: Any) -> Any:
    """``entry`` with :func:`neutralise` applied to every field :func:`text_fields` reads.

    Works on Beancount's entry namedtuples (``_replace``); returns ``entry`` itself when
    nothing needed changing."""
    changes: dict[str, Any] = {}
    for name in ("payee", "narration", "comment", "description"):
        value = getattr(entry, name, None)
        if type(value) is str and neutralise(value) != value:
            changes[name] = neutralise(value)
    values = getattr(entry, "values", None)
    if values:
        new_values = [v._replace(value=neutralise(v.value))
                      if type(getattr(v, "value", None)) is str and getattr(v, "dtype", None) is str
                      and neutralise(v.value) != v.value else v for v in values]
        if any(a is not b for a, b in zip(values, new_values, strict=True)):
            changes["values"] = new_values
    meta = getattr(entry, "meta", None)
    if _clean_meta(meta) is not meta:
        changes["meta"] = _clean_meta(meta)
    postings = getattr(entry, "postings", None)
    if postings:
        new_postings = [p._replace(meta=_clean_meta(p.meta)) if _clean_meta(p.meta) is not p.meta
                        else p for p in postings]
        if any(a is not b for a, b in zip(postings, new_postings, strict=True)):
            changes["postings"] = new_postings
    return entry._replace(**changes) if changes else entry
