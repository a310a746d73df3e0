"""The demo district's talent housing: apartment buildings within 2 km of the Pazhou core,
and the applicants' fates (what each application has come to by today)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

# (building, units): 300 units in all.
BUILDINGS: tuple[tuple[str, int], ...] = (
    ("琶洲人才公寓1栋（新港东路）", 72),
    ("琶洲人才公寓2栋（新港东路）", 72),
    ("琶洲西区人才公寓A座", 60),
    ("琶洲西区人才公寓B座", 60),
    ("阅江西路人才驿站", 36),
)
ROOMS = (1, 1, 2, 2, 2, 3)
AREA_SQM = {1: 38, 2: 62, 3: 86}
RENT = {1: 1450, 2: 2300, 3: 3150}  # 元 a month, before the building's premium
PREMIUM_STEP = 120  # 元 a month more for each building nearer the core

SURNAMES = "陈李王张刘黄周吴郑何林罗梁谢许冯邓曾彭萧"
GIVEN = (
    "子涵",
    "浩宇",
    "欣怡",
    "俊杰",
    "雨桐",
    "志强",
    "诗琪",
    "嘉豪",
    "晓彤",
    "明轩",
    "婉婷",
    "文博",
)
CASOS = (5, 7)  # officers (seed/data.py) who are CASOs, party members, from the start


class Fate(Enum):
    """Where an application stands today."""

    ENDED = "ENDED"  # allocated, moved in, moved out
    MOVED_IN = "MOVED_IN"
    ALLOCATED = "ALLOCATED"
    PASSED_AHEAD = "PASSED_AHEAD"  # allocated out of the waitlist's order, with a reason
    WAITING = "WAITING"  # approved, on the waitlist
    REJECTED = "REJECTED"
    SUBMITTED = "SUBMITTED"


FATES: tuple[tuple[Fate, int], ...] = (
    (Fate.ENDED, 3),
    (Fate.MOVED_IN, 9),
    (Fate.ALLOCATED, 4),
    (Fate.PASSED_AHEAD, 1),
    (Fate.WAITING, 10),
    (Fate.REJECTED, 3),
    (Fate.SUBMITTED, 6),
)
HOUSED = (Fate.ENDED, Fate.MOVED_IN, Fate.ALLOCATED)  # allocated in the waitlist's order

REJECTION_REASON = "用人单位非琶洲片区重点企业，不符合人才公寓申请条件"
PASSED_AHEAD_REASON = "急诊科夜班医生，需在医院步行范围内安置（区人才工作领导小组会议决定）"
ERASURE_REASON = "租约已结束，本人申请删除个人信息"
LEASE_YEARS = 3


@dataclass(frozen=True, slots=True)
class Applicant:
    name: str
    id_number17: str  # the first 17 characters; the check character is computed
    phone: str
    employer: int  # an enterprise of seed/data.py
    tier: int  # index into TalentTier
    household: int
    fate: Fate
