"""The compound's settings as a treasurer changes them: ``assetreg settings show | set``.

Every setting is a dated ``custom "assetreg-option"`` entry in ``accounts.beancount``
(:mod:`assetreg.options` reads them as of a day). This module knows each setting's kind and
range, so a value is checked before it is written — a share is a fraction or a percentage
no more than 1, a number of days a whole number from 1, a frequency one of the words — and a
name goes into a directive only when it cannot break it (no line break, no ASCII quote or
backslash, no markup: the property company's name is the payee Fava's journal shows
unescaped). ``set`` writes one entry dated the day the change takes effect; ``show`` lists
every setting with its value today, the day it took effect and the file:line it came from,
or the default.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import BadInput
from .ledger import Loaded, Transaction, custom
from .options import DEFAULTS, OPTION_TYPE, Options, Setting
from .periods import FREQUENCY_LABELS, FREQUENCY_MONTHS
from .policy.loading import available_sets
from .seal import seals_from_entries
from .vocab import CHECK_LABELS, parse_label

PART = "accounts"
NAME_LIMIT = 100  # characters of a name: a company's registered name is far shorter


# ------------------------------------------------------------------ checking one value


def one_line(value: str, what: str) -> str:
    """A name or other text that goes into a directive as it is: one line, no character that
    ends or escapes a Beancount string, no markup; surrounding spaces dropped."""
    text = value.strip()
    if not text:
        raise BadInput(f"{what} is empty", f"give the {what}")
    bad = [c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
    if bad:
        shown = ", ".join(sorted({repr(c) for c in bad}))
        raise BadInput(f"{what} {text!r} holds a line break or control character ({shown})",
                       f"give the {what} on one line, without line breaks or tabs")
    if any(c in text for c in '"\\<>'):
        raise BadInput(f"{what} {text!r} holds a character a name never has (\" \\ < >)",
                       "write the name as registered; use Chinese quotation marks “ ” if it quotes anything")
    if len(text) > NAME_LIMIT:
        raise BadInput(f"{what} is {len(text)} characters long", f"at most {NAME_LIMIT} characters")
    return text


def _names(value: str, what: str) -> str:
    parts = [p for p in re.split(r"[,，;；、\n]+", value) if p.strip()]
    return ",".join(dict.fromkeys(one_line(p, what) for p in parts))


def _aliases(value: str, what: str) -> str:
    """``正式名=别名1、别名2；正式名=…``: each name one line of plain text."""
    items = []
    for item in (i for i in re.split(r"[;；\n]+", value) if i.strip()):
        if "=" not in item:
            raise BadInput(f"{what}: {item.strip()!r} is not 正式名=别名",
                           "write e.g. 淮安市景湖便利店有限公司=景湖便利店、淮安景湖便利店")
        name, aliases = item.split("=", 1)
        items.append(f"{one_line(name, what)}={_names(aliases, what).replace(',', '、')}")
    return "；".join(items)


def _share(value: str, what: str) -> str:
    text = unicodedata.normalize("NFKC", value).strip().replace(" ", "")
    percent = text.endswith("%")
    try:
        share = Decimal(text[:-1] if percent else text)
    except InvalidOperation:
        share = Decimal(-1)
    if percent:
        share /= 100
    if not share.is_finite() or not Decimal(0) <= share <= Decimal(1):
        raise BadInput(f"{what} {value.strip()!r} is not a share from 0 to 1",
                       "give a fraction such as 0.3 or a percentage such as 30%")
    return f"{share.normalize():f}"


def _days(value: str, what: str) -> str:
    text = unicodedata.normalize("NFKC", value).strip().removesuffix("天").removesuffix("日")
    if not text.isdigit() or not 1 <= int(text) <= 3660:
        raise BadInput(f"{what} {value.strip()!r} is not a number of days",
                       "give a whole number of days from 1, e.g. 15")
    return str(int(text))


def _choice(table: dict[str, str], aliases: dict[str, str] | None = None) -> Callable[[str, str], str]:
    def parse(value: str, what: str) -> str:
        return parse_label(table, value, what, aliases)
    return parse


def _district(value: str, what: str) -> str:
    sets = available_sets()
    text = value.strip()
    if text not in sets:
        raise BadInput(f"no policy set {text!r} for {what}",
                       f"use one of: {', '.join(sets)} (the files under policies/)")
    return text


def _checks(value: str, what: str) -> str:
    ids = [x.strip() for x in re.split(r"[,，\s]+", value) if x.strip()]
    unknown = [i for i in ids if i not in CHECK_LABELS]
    if unknown:
        raise BadInput(f"unknown audit check(s) {', '.join(unknown)} in {what}",
                       f"check ids are: {', '.join(CHECK_LABELS)}")
    return ",".join(dict.fromkeys(ids))


def _account(value: str, what: str) -> str:
    text = unicodedata.normalize("NFKC", value).replace(" ", "").replace("-", "")
    if not text.isdigit() or not 6 <= len(text) <= 32:
        raise BadInput(f"{what} {value.strip()!r} is not a bank account number",
                       "give the account's digits as the bank prints them (spaces and dashes are dropped)")
    return text


@dataclass(frozen=True)
class Spec:
    key: str
    label: str  # as a treasurer reads it
    parse: Callable[[str, str], str]  # (text, what) → the value written; BadInput if wrong
    help: str  # the kind of value, for `settings show`


_FREQUENCIES = {k: FREQUENCY_LABELS[k] for k in FREQUENCY_MONTHS}
SPECS: dict[str, Spec] = {s.key: s for s in (
    Spec("compound-name", "小区名称", one_line, "text"),
    Spec("manager-name", "物业公司名称", one_line, "text: the name on its bank transfers"),
    Spec("manager-alias", "物业公司其他名称", _names, "names, comma-separated"),
    Spec("counterparty-alias", "合同相对方其他名称", _aliases, "正式名=别名1、别名2；…"),
    Spec("bank-account", "共有资金专户账号", _account, "digits"),
    Spec("district", "政策集（所在区）", _district, "a policy set"),
    Spec("notice-days", "确权公示天数", _days, "days"),
    Spec("manager-share-max", "物业成本分成上限", _share, "share 0–1 or %"),
    Spec("maintenance-share-min", "净收益转入维修资金最低比例", _share, "share 0–1 or %"),
    Spec("disclosure-frequency", "收益公示频次", _choice(_FREQUENCIES, {"季": "quarter", "每月": "month"}),
         "month | quarter | half-year | year"),
    Spec("disclosure-days", "期末后公示期限（天）", _days, "days"),
    Spec("remittance-days", "物业代收款转入期限（天）", _days, "days"),
    Spec("billing-grace-days", "欠缴宽限天数", _days, "days"),
    Spec("allocation-days", "年度净收益分配期限（天）", _days, "days"),
    Spec("deposit-return-days", "合同终止后退押金期限（天）", _days, "days"),
    Spec("share-basis", "收益分摊方式", _choice({"area": "按专有部分面积", "unit": "按户"},
                                               {"面积": "area", "户": "unit"}), "area | unit"),
    Spec("follow-majority", "从众（未表决业主随多数）", _choice({"true": "是", "false": "否"},
                                                         {"yes": "true", "no": "false"}), "true | false"),
    Spec("audit-errors", "审计中作为错误的检查项", _checks, "audit check ids, comma-separated"),
    Spec("district-sharing", "数据共享范围", _choice({"beyond-district": "可在区外共享",
                                                    "district-only": "仅限本区"}),
         "beyond-district | district-only"),
)}


def spec(key: str) -> Spec:
    found = SPECS.get(key.strip())
    if found is None:
        raise BadInput(f"unknown setting {key.strip()!r}",
                       "settings are: " + ", ".join(f"{k} ({s.label})" for k, s in SPECS.items()))
    return found


def check(key: str, value: str) -> tuple[str, str]:
    """The setting's key and the value as written, or BadInput naming the range."""
    s = spec(key)
    return s.key, s.parse(value, f"{s.key} ({s.label})")


def option_entry(day: dt.date, key: str, value: str) -> Any:
    """The dated entry of a checked setting."""
    key, text = check(key, value)
    return custom(day, OPTION_TYPE, [key, text])


# ------------------------------------------------------------------ writing and listing


@dataclass(frozen=True)
class Change:
    key: str
    value: str
    day: dt.date
    previous: str  # the value in force that day before the change
    written: bool  # False: the same value was already in force that day
    later: tuple[Setting, ...]  # entries dated after ``day`` that still supersede it


def set_option(txn: Transaction, key: str, value: str, day: dt.date) -> Change:
    """Stage a dated setting on ``txn`` (part accounts), checked; nothing when the same value
    is already in force that day. A day inside a sealed period is refused."""
    key, text = check(key, value)
    after = txn.after()
    sealed = max((s.through for s in seals_from_entries(after.entries)), default=None)
    if sealed is not None and day <= sealed:
        raise BadInput(f"--date {day} is inside the period sealed through {sealed}",
                       f"a date after {sealed}: a sealed period's rules are those it was sealed with")
    previous = after.options.get(key, day)
    later = tuple(s for s in after.options.history.get(key, ()) if s.date > day)
    if previous == text:
        return Change(key, text, day, previous, False, later)
    txn.append(PART, [custom(day, OPTION_TYPE, [key, text])])
    return Change(key, text, day, previous, True, later)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    value: str  # in force on the day shown
    default: str
    since: dt.date | None  # None: the default applies
    source: str  # file:line of the entry in force
    kind: str
    problem: str = ""  # the value in the ledger does not pass the check
    scheduled: tuple[Setting, ...] = ()  # entries dated after the day shown

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "value": self.value, "default": self.default,
                "since": self.since.isoformat() if self.since else None, "source": self.source,
                "kind": self.kind, "problem": self.problem or None,
                "scheduled": [{"date": s.date.isoformat(), "value": s.value, "source": s.source}
                              for s in self.scheduled]}


def listing(loaded: Loaded, on: dt.date) -> tuple[list[Row], list[Setting]]:
    """Every known setting as in force on ``on``, and the entries of unknown names (typos)."""
    options: Options = loaded.options
    rows = []
    for key, s in SPECS.items():
        found = options.setting(key, on)
        value = found.value if found else DEFAULTS.get(key, "")
        problem = ""
        if found is not None:
            try:
                canonical = s.parse(found.value, key)
                if canonical != found.value:
                    problem = f"written as {found.value!r}; `settings set` would write {canonical!r}"
            except BadInput as exc:
                problem = exc.problem
        rows.append(Row(key, s.label, value, DEFAULTS.get(key, ""), found.date if found else None,
                        found.source if found else "", s.help, problem,
                        tuple(x for x in options.history.get(key, ()) if x.date > on)))
    unknown = [x for k, h in options.history.items() if k not in SPECS for x in h]
    return rows, unknown
