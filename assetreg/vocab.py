"""The words of the domain and their Chinese labels, in one place.

The bottom layer: this module imports nothing from assetreg but its errors. Every other
module -- the registry, the policy schema, the audit, the views, the importers -- takes its
kinds, zones, statuses, uses and labels from here, so a resident never reads one use under
two names on two pages; and :func:`parse_label` is the one reader of a word typed or picked
by a treasurer, as a key (``parking``) or as the label the templates and pages show (停车位).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from .errors import BadInput

CURRENCY: Final = "CNY"
CENT: Final = Decimal("0.01")
ZERO: Final = Decimal(0)

# --------------------------------------------------------------- assets (registry.py)

KINDS: Final[dict[str, str]] = {
    "parking": "停车位",
    "advertising": "广告位",
    "room": "用房",
    "site": "基站场地",
    "other": "其他",
}

# Facts of where an asset sits, which the policy engine's negative list matches on.
ZONES: Final[dict[str, str]] = {
    "road": "小区道路",
    "fire-lane": "消防车道",
    "evacuation-route": "疏散通道/安全出口",
    "green-space": "绿地",
    "stilt-floor": "架空层",
    "equipment-floor": "设备层",
    "basement": "地下室",
    "garage": "车库",
    "civil-defence": "人防工程",
    "exterior-wall": "外墙",
    "lift": "电梯轿厢",
    "lobby-stairwell": "门厅/楼梯间",
    "roof": "屋顶",
    "public-facility": "规划公共服务设施",
    "residential-building": "住宅楼内",
    "open-space": "公共场地",
    "entrance": "小区出入口",
}

STATUS_LABELS: Final[dict[str, str]] = {
    "registered": "已登记",
    "noticed": "公示中",
    "confirmed": "已确权",
    "disputed": "有争议",
    "excluded": "已排除",
}

# The steps of the 确权 lifecycle, as the registry records them and residents read them.
ACTION_LABELS: Final[dict[str, str]] = {
    "registered": "登记",
    "noticed": "确权公示",
    "objected": "异议",
    "confirmed": "确权",
    "disputed": "争议",
    "resolved": "争议解决",
    "excluded": "排除",
    "amended": "信息更正",
}

# Words a negative rule may look for in an asset's ``structure`` fact (free text in the
# registry, e.g. "frame,external-insulation").
STRUCTURES: Final[dict[str, str]] = {
    "frame": "框架结构",
    "masonry": "砌体结构",
    "steel": "钢结构",
    "load-bearing": "承重结构",
    "external-insulation": "外墙外保温层",
    "curtain-wall": "玻璃/石材幕墙",
}

# --------------------------------------------------------------- contracts and policy

# Use categories shared by the policy sets, Fava, the importers and the example compound.
USES: Final[dict[str, str]] = {
    "parking-owner": "停车位出租（业主）",
    "parking-nonowner": "停车位出租（非业主临时）",
    "parking-managed": "停车位委托物业统一经营",
    "advertising-lift": "电梯广告",
    "advertising-board": "公告栏/道闸广告",
    "advertising-exterior": "外墙广告",
    "express-locker": "快递柜",
    "ev-charger": "汽车充电桩",
    "ebike-charging": "电动自行车充电",
    "ebike-parking": "电动自行车停放",
    "vending": "自动售货/售水机",
    "community-room": "社区服务用房（养老、托育、便民）",
    "base-station": "通信基站场地",
    "stall": "摊位/场地活动",
    "storage": "仓储",
    "catering": "餐饮",
    "residential-let": "出租居住",
    "dormitory": "宿舍（集体住宿）",
}

# Uses that house people (someone lives or sleeps there), recognised from the use itself,
# never from a flag the proposer may leave out: the uses below, and any use whose name has
# one of the words (e.g. "community-room-with-sleeping", "staff-housing").
DWELLING_USES: Final = ("residential-let", "dormitory")
DWELLING_WORDS: Final = ("residential", "dormitory", "dorm", "hostel", "sleeping", "sleep", "overnight",
                         "lodging", "dwelling", "housing", "accommodation", "apartment", "bedroom",
                         "boarding", "beds", "guesthouse", "hotel", "living")
# Uses that may include overnight stays (elderly care with beds, child-care naps): in an
# underground space the gate cannot rule out that people sleep there.
MAY_HOUSE_USES: Final = ("community-room",)
# Spaces below ground, where nobody may live (group renting of basements and garages).
UNDERGROUND_ZONES: Final = ("basement", "garage", "civil-defence")

# Yes/no facts a proposal states about itself.
PROPOSAL_FACTS: Final[dict[str, str]] = {
    "residential_use": "有人在此居住或住宿",
    "hazardous": "存放易燃易爆、有毒等危险物品",
    "noise_or_fumes": "产生超标噪声、振动或油烟",
    "blocks_light": "遮挡采光、通风",
    "alters_structure": "改动、开凿或加载建筑结构",
}

COUNTERPARTY_KINDS: Final[dict[str, str]] = {
    "owner": "本小区业主",
    "organisation": "单位/企业",
    "non-owner": "非业主个人",
}
# Counterparties named in public: an organisation is; an owner or a private person is not.
ORGANISATION_KINDS: Final = ("organisation", "organization", "company")

CONDITION_KINDS: Final[dict[str, str]] = {
    "resolution": "业主大会决议（民法典第278条）",
    "notice": "签约前公示",
    "max-term": "最长期限",
    "deposit": "押金",
    "manager-share": "书面约定物业经营成本分成及上限",
    "consents": "直接利害关系业主同意",
    "owners-first": "优先满足业主需要",
    "counterparty-kind": "相对方类型",
}

# The facts a policy decision reports, as a treasurer reads them.
FACT_LABELS: Final[dict[str, str]] = {
    "use": "用途", "counterparty": "相对方", "counterparty_kind": "相对方类型", "kinds": "允许的相对方类型",
    "in_roster": "在业主名册中", "asset_zones": "资产所在区域", "asset_structure": "资产结构",
    "asset_kind": "资产类型", "matched_assets": "涉及的资产", "residential_use": "有人居住或住宿",
    "residential_basis": "认定依据", "hazardous": "危险物品", "noise_or_fumes": "噪声油烟",
    "blocks_light": "遮挡采光通风", "alters_structure": "改动结构", "signed": "签约日",
    "resolution": "引用的决议", "required_matter": "需要的第278条事项", "resolution_date": "决议日期",
    "matter": "决议事项", "passed": "是否通过", "resolution_assets": "决议涵盖资产",
    "resolution_uses": "决议涵盖用途", "resolution_source": "决议位置", "reached": "表决结果",
    "notice_start": "公示开始", "notice_end": "公示结束", "min_days": "最少公示天数", "days": "公示天数",
    "start": "起始日", "end": "终止日", "max_months": "最长月数", "latest_end": "最晚终止日",
    "deposit": "押金", "price": "每期金额", "min_amount": "最低押金", "min_periods": "最少押金期数",
    "required": "要求押金", "manager_share": "物业成本分成", "max": "上限",
    "manager_share_max": "本小区分成上限", "affected_units": "直接受影响房号",
    "affected_owners": "直接利害关系业主", "consents_in_ledger": "账本中有效的同意",
    "min": "最少同意户数", "missing": "缺少同意的业主", "missing_units": "缺少同意的房号",
    "consents_claimed": "提案所列同意业主", "consents_claimed_not_in_ledger": "提案所列但账本中无效的同意",
    "consents_not_from_roster": "同意时不在名册上的业主", "waiting_in_ledger": "排队名单上的业主",
    "owners_waiting_declared": "提案申报排队人数", "status_on_start": "起始日确权状态",
    "exclusive": "排他性用途", "overlapping": "冲突的合同",
}

VERDICT_LABELS: Final[dict[str, str]] = {
    "permitted": "准许",
    "forbidden": "禁止（负面清单）",
    "not-permitted": "不予准许",
}

CONTRACT_STATE_LABELS: Final[dict[str, str]] = {
    "in-force": "履行中", "ended": "已终止", "upcoming": "未开始"}

# --------------------------------------------------------------- the audit

SEVERITIES: Final = ("error", "warning", "info")
SEVERITY_LABELS: Final[dict[str, str]] = {"error": "错误", "warning": "警告", "info": "提示"}

# The facts an audit finding rests on (Finding.facts keys), as residents read them.
AUDIT_FACT_LABELS: Final[dict[str, str]] = {
    "account": "账户", "asset": "资产", "assets": "资产", "date": "日期", "contract": "合同",
    "period": "账期", "start": "起始日", "end": "终止日", "decision": "政策决定",
    "stored_hash": "记录的内容哈希", "recomputed_hash": "重算的内容哈希", "gross": "收入", "cost": "成本",
    "agreed_share": "约定比例", "limit": "上限", "excess": "超出", "collected": "代收日",
    "remitted": "转入日", "days": "天数", "outstanding": "未转入", "as_of": "审计日", "amount": "金额",
    "held": "在押", "ended": "终止日", "agreed": "约定", "balance": "余额", "last_movement": "最近变动",
    "through": "封账截至", "scheme": "算法", "sealed_hash": "封账摘要值", "hash_now": "现在的摘要值",
    "sealed_entries": "封账时记录数", "entries_now": "现在记录数", "change": "改动", "changes": "改动数",
    "resolution": "决议", "year": "年度", "net_to_date": "累计净收益", "to_maintenance_fund": "已补充维修资金",
    "required_share": "规定比例", "required": "应补充", "shortfall": "差额", "due": "应收", "paid": "实收",
    "difference": "差额", "arrears": "欠缴", "frequency": "公示频次",
    # the checks of suspense lines, vouchers, payments and tamper evidence
    "line": "待查明编号",
    "age_days": "已过天数",
    "bank_ref": "银行流水号",
    "reason": "原因",
    "payee": "收款方",
    "payment": "付款申请",
    "approved": "批准日期",
    "threshold": "凭证门槛（元）",
    "kind": "收/支",
    "file": "文件",
    "recorded": "记录的哈希",
    "now": "现在的哈希",
    "lines": "待查明编号",
    "state": "审批状态",
    "missing": "尚缺",
    "role": "审批人角色",
    "seen": "审批所见哈希",
    "approvals_after": "付款后的审批",
    "folder": "小区文件夹",
    "marked_in": "标记于提交",
    "found": "发现时间",
    "verdict": "结论",
    "rules": "规则",
    "candidates": "可能的对象",
    "undistributed": "期末累计未分配",
    "allocated": "划转金额",
}

# Disclosure frequencies (periods.FREQUENCY_LABELS has the short words), as a finding names them.
FREQUENCY_LABELS_ZH: Final[dict[str, str]] = {
    "month": "按月", "quarter": "按季度", "half-year": "按半年", "year": "按年"}

# What changed in a sealed period (assetreg.seal.Change kinds), as residents read it.
SEAL_CHANGE_LABELS: Final[dict[str, str]] = {
    "edited": "修改", "inserted": "插入", "deleted": "删除",
    "manifest-unusable": "封账清单缺失或被改动", "month-changed": "月份内容变化",
}

# The audit's check ids (assetreg.audit.CHECKS) as residents read them.
CHECK_LABELS: Final[dict[str, str]] = {
    "registry": "登记簿记录不合规",
    "income-asset": "收入未注明资产",
    "income-unconfirmed": "收入所涉资产未确权",
    "income-no-contract": "收入无有效合同",
    "contract-gate": "合同未通过政策审查",
    "manager-cost": "物业扣除成本超过约定比例",
    "billing-arrears": "欠缴",
    "billing-overpaid": "多收",
    "allocation-split": "净收益分配不符合规定比例",
    "spending-no-resolution": "支出无业主大会决议",
    "allocation-overdrawn": "分配超过累计未分配收益",
    "remittance-late": "物业代收款逾期未转入",
    "remittance-aging": "物业代收款账龄",
    "deposit-unlinked": "押金未关联合同",
    "deposit-unreturned": "合同终止后押金未退",
    "deposit-held": "在押押金",
    "disclosure-overdue": "收益公示逾期",
    "suspense-balance": "待查明款项有余额",
    "suspense-at-seal": "封账日待查明款项有余额",
    "seal-broken": "已封账期间被改动",
    "voucher-missing": "收支缺少凭证",
    "voucher-changed": "凭证文件与登记不符",
    "payment-unapproved": "付款未经完整审批",
    "payment-approved-late": "先付款后审批",
    "payment-self-approval": "申请人自己审批",
    "payment-hash-mismatch": "审批所见内容与付款申请不符",
    "seal-manifest": "封存清单被删除或改动",
    "contract-regate": "已记录的合同按记录时的政策重审不通过",
    "contract-regate-policy-changed": "已记录的合同按现行政策重审不通过（政策已变更）",
    "ledger-unrecorded": "账本有未经系统记录的改动",
    "history-missing": "账本尚无写入历史",
    "evidence-changed": "证明材料在记录后被改动或删除",
    "evidence-unhashed": "证明材料未记录哈希",
}


# --------------------------------------------------------------- reading a word back


def _label_key(text: str) -> str:
    # NFKC: full-width brackets and letters as typed by Chinese input methods (and by
    # clean() in the importers) are the half-width ones; spaces never tell two words apart.
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def parse_label(table: Mapping[str, str], text: str, what: str = "value",
                aliases: Mapping[str, str] | None = None) -> str:
    """The key of ``table`` (key → Chinese label) that ``text`` names: the key itself or its
    label (as templates and pages show it, full- or half-width brackets alike), or one of
    ``aliases`` (other words → key). Anything else is :class:`BadInput` listing the choices."""
    wanted = _label_key(str(text))
    for key, label in table.items():
        if wanted in (_label_key(key), _label_key(label)):
            return key
    for word, key in (aliases or {}).items():
        if wanted == _label_key(word) and key in table:
            return key
    choices = "、".join(f"{label} ({key})" for key, label in table.items())
    raise BadInput(f"unknown {what} {str(text).strip()!r}", f"use one of: {choices}")


# Spending approvals (assetreg.payments): who approves, and the steps of a payment.
APPROVER_GROUPS: Final[dict[str, str]] = {"committee": "业委会委员", "supervisor": "社区/街道监督人"}
PAYMENT_STEPS: Final[dict[str, str]] = {
    "proposed": "提出付款申请", "amended": "修改付款申请", "approved": "同意", "rejected": "否决"}
PAYMENT_STATES: Final[dict[str, str]] = {
    "approved": "已批准", "pending": "待审批", "rejected": "已否决", "paid": "已支付"}
