"""What of a person may never reach the ledger: phone and ID numbers, and names.

The ledger is published to every resident (Fava, the disclosure), so text from outside — a
bank line's 摘要 and 附言, an asset's location — is cleaned here before it is written:

* :func:`mask_numbers` writes ``***`` for a mobile number (11 digits from 13…–19…) and a
  resident ID number (18 digits, the last may be X; or the old 15), however they are grouped
  by spaces or dashes (``138 0013 8000``, ``139-1234-5678``, ``320102 19900101 123X``), and for
  any run of 11 or more digits holding one;
* :func:`mask_name` takes a person's name out of a text, however it is spaced or dotted
  (``赵 六``, ``欧阳·娜娜``);
* :func:`note_facts` keeps of a free-text 附言 only what the books need — contract and
  resolution ids, periods and the domain's words — so a name typed there never survives,
  whoever sent the money;
* :func:`refuse_personal_numbers` is for text a treasurer types into a command: a phone or
  ID number there is refused, not masked.
"""

from __future__ import annotations

import functools
import re

from .errors import BadInput

MASK = "***"

# Separators people put inside a number: spaces and dashes of every width.
_SEP = " \u00a0\u3000\\-\u2010\u2011\u2012\u2013\u2014\u2212\uff0d_"
# A run of digit groups, each joined to the next by one separator; an ID's final X may end it.
_RUN = re.compile(rf"(?<![0-9])[0-9]+(?:[{_SEP}][0-9]+)*(?:[{_SEP}]?[Xx])?(?![0-9])")
_GROUP = re.compile(r"[0-9]+[Xx]?|[Xx]")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def _personal_span(groups: list[str]) -> tuple[int, int] | None:
    """The first consecutive groups [i, j) of a run that make a phone or ID number."""
    for i in range(len(groups)):
        digits = ""
        for j in range(i, len(groups)):
            digits += groups[j]
            n = len(digits)
            if n == 11 and _MOBILE.fullmatch(digits):
                return i, j + 1
            if (n == 18 and digits[:17].isdigit()) or (n == 15 and digits.isdigit()):
                return i, j + 1
            if n > 18:
                break
        # one long group: any number of 11 digits or more holding a mobile, or of 15 or more
        g = groups[i]
        if len(g) >= 11 and (_MOBILE.search(g) or len(g) >= 15):
            return i, i + 1
    return None


# At least 11 digits with single separators between: without one, there is nothing to mask.
_LONG_ENOUGH = re.compile(rf"[0-9](?:[{_SEP}]?[0-9]){{10}}")


@functools.lru_cache(maxsize=1 << 16)  # a statement repeats its texts
def mask_numbers(text: str) -> str:
    """``text`` with every phone and ID number written as ``***``."""
    if not text or _LONG_ENOUGH.search(text) is None:
        return text

    def repl(m: re.Match[str]) -> str:
        run = m.group(0)
        out, pos = [], 0
        groups = list(_GROUP.finditer(run))
        k = 0
        while k < len(groups):
            span = _personal_span([g.group(0) for g in groups[k:]])
            if span is None:
                break
            i, j = span[0] + k, span[1] + k
            out.append(run[pos:groups[i].start()])
            out.append(MASK)
            pos = groups[j - 1].end()
            k = j
        out.append(run[pos:])
        return "".join(out)

    return _RUN.sub(repl, text)


def has_personal_number(text: str) -> bool:
    return mask_numbers(text) != text


_NAME_SEP = r"[\s·・•.．\-_·]*"


def mask_name(text: str, name: str, replacement: str = "个人") -> str:
    """``text`` with the person's ``name`` replaced, whether written 赵六, 赵 六 or 赵·六."""
    chars = [c for c in name if c.strip() and c not in "·・•.．-_·"]
    if not text or not chars:
        return text
    pattern = _NAME_SEP.join(re.escape(c) for c in chars)
    return re.sub(pattern, replacement, text)


# What a 附言 may carry into the ledger: ids, periods and the domain's words. Everything else
# (a name, an address, a message) is left out.
_FACTS = re.compile(
    r"[A-Z]{1,3}-[0-9]{4}-[A-Z]?[0-9]{1,4}"  # contract and proposal ids: C-2024-005, C-2025-N01
    r"|R-[0-9]{4}-[0-9]{1,3}"  # resolutions
    r"|[0-9]{4}(?:H[12]|Q[1-4])"  # 2025H1, 2025Q3
    r"|(?<![0-9])[0-9]{1,2}月份?"  # 3月
    r"|[0-9]{4}\s*[-/.年]\s*[0-9]{1,2}(?:\s*[-/.月]\s*[0-9]{1,2}日?|月份?)?"  # 2025-03, 2025年3月, 2025-03-01
    r"|上半年|下半年|全年|第[一二三四1-4]季度"
    r"|押金|保证金|租金|场地费|场地使用费|车位费|停车费|广告费|电费|水费|管理费|服务费|使用费|"
    r"代收公共收益|公共收益|维修资金|维修基金|工作经费|手续费|退还|退款|补缴|预付|首期|尾款|"
    r"车位|广告位|充电桩|基站|快递柜|会所|用房")


def note_facts(note: str) -> str:
    """The ids, periods and domain words of a 附言, in order, numbers masked; nothing else."""
    if not note:
        return ""
    text = mask_numbers(note)
    if not _FACTS.sub("", text.upper()).strip(_PUNCT):
        return text.strip()  # nothing but facts: kept as written
    found = _FACTS.findall(text.upper())
    return " ".join(dict.fromkeys(f.strip() for f in found if f.strip()))


_PUNCT = " ,，.。;；:：、/()（）*"


def refuse_personal_numbers(text: str, what: str) -> str:
    """``text`` unchanged, or :class:`BadInput` if it holds a phone or ID number."""
    if text and has_personal_number(text):
        raise BadInput(f"{what} {text!r} contains a phone or ID number; the ledger is public to every owner",
                       f"leave personal numbers out of {what} (they belong in the committee's private files)")
    return text
