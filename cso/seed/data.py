"""The demo district: its industry chains, enterprises, officers and investment projects.

Names of people and companies are invented; districts, parks, departments and the
chain programme follow Guangzhou's (海珠区, 黄埔区, 南沙区). Investments are in 万元.
"""

from __future__ import annotations

from dataclasses import dataclass

from cso.domain.enums import Milestone, OfficerRole, PartyOrganizationKind, ProjectOutcome

HAIZHU = "海珠区"
HUANGPU = "黄埔区"
NANSHA = "南沙区"

# Administrative division codes (GB/T 2260): positions 3-8 of a credit code.
DIVISION_CODES = {HAIZHU: "440105", HUANGPU: "440112", NANSHA: "440115"}
GUANGZHOU_CITY_CODE = "440101"  # registered with the city's own market regulator


@dataclass(frozen=True, slots=True)
class ChainRow:
    key: str
    name: str
    leader: str
    lead_department: str


CHAINS: tuple[ChainRow, ...] = (
    ChainRow("ai", "人工智能", "陈国栋（区长）", "区工业和信息化局"),
    ChainRow("bio", "生物医药及高端医疗器械", "林慧珍（常务副区长）", "区科技局"),
    ChainRow("digital", "数字经济", "黄振邦（副区长）", "区发展和改革局"),
    ChainRow("equipment", "高端装备", "梁启明（副区长）", "区工业和信息化局"),
    ChainRow("nev", "新能源汽车", "吴卫东（副区长）", "区发展和改革局"),
    ChainRow("chip", "半导体与集成电路", "郑立新（副区长）", "区工业和信息化局"),
    ChainRow("materials", "新材料", "何少华（副区长）", "区科技局"),
)


@dataclass(frozen=True, slots=True)
class EnterpriseRow:
    name: str
    district: str
    park: str
    sme: bool
    chain: str | None
    master: bool = False  # designated chain master (链主)
    party: tuple[PartyOrganizationKind, int] | None = None


_B = PartyOrganizationKind.BRANCH
_GB = PartyOrganizationKind.GENERAL_BRANCH
_C = PartyOrganizationKind.COMMITTEE

PAZHOU = "琶洲人工智能与数字经济试验区"
INNOVATION_BAY = "海珠创新湾"
KNOWLEDGE_CITY = "中新广州知识城"
SCIENCE_CITY = "广州科学城"
BIO_ISLAND = "广州国际生物岛"
NANSHA_SCIENCE_CITY = "南沙科学城"
NANSHA_AUTO_PARK = "南沙国际汽车产业园"
QINGSHENG = "庆盛枢纽区块"
LONGXUE = "龙穴岛海洋装备产业园"
NANSHA_FTZ = "南沙综合保税区"

ENTERPRISES: tuple[EnterpriseRow, ...] = (
    # 0-4 人工智能
    EnterpriseRow("广州琶洲智算科技有限公司", HAIZHU, PAZHOU, False, "ai", True, (_GB, 68)),
    EnterpriseRow("广州云图视觉智能技术有限公司", HAIZHU, PAZHOU, True, "ai", party=(_B, 5)),
    EnterpriseRow("广州灵语大模型科技有限公司", HAIZHU, INNOVATION_BAY, True, "ai"),
    EnterpriseRow("广州知城机器人有限公司", HUANGPU, KNOWLEDGE_CITY, True, "ai", party=(_B, 7)),
    EnterpriseRow("广州星瀚自动驾驶科技有限公司", NANSHA, QINGSHENG, False, "ai", True, (_B, 32)),
    # 5-9 数字经济
    EnterpriseRow("广州琶洲数联云计算有限公司", HAIZHU, PAZHOU, False, "digital", True, (_GB, 56)),
    EnterpriseRow("广州链通供应链数字科技有限公司", HAIZHU, PAZHOU, True, "digital"),
    EnterpriseRow("广州海珠跨境电商数智服务有限公司", HAIZHU, INNOVATION_BAY, True, "digital"),
    EnterpriseRow(
        "广州南沙数据港科技有限公司", NANSHA, QINGSHENG, False, "digital", party=(_B, 18)
    ),
    EnterpriseRow(
        "广州智汇工业互联网科技有限公司", HUANGPU, SCIENCE_CITY, True, "digital", party=(_B, 4)
    ),
    # 10-15 生物医药及高端医疗器械
    EnterpriseRow("广州康瑞生物医药有限公司", HUANGPU, BIO_ISLAND, False, "bio", True, (_C, 126)),
    EnterpriseRow("广州华微医疗器械有限公司", HUANGPU, SCIENCE_CITY, True, "bio", party=(_B, 9)),
    EnterpriseRow("广州源启基因科技有限公司", HUANGPU, KNOWLEDGE_CITY, True, "bio"),
    EnterpriseRow("广州博愈细胞治疗技术有限公司", HUANGPU, BIO_ISLAND, True, "bio", party=(_B, 6)),
    EnterpriseRow("广州南沙海洋生物制药有限公司", NANSHA, NANSHA_SCIENCE_CITY, True, "bio"),
    EnterpriseRow(
        "广州精准影像医疗设备有限公司", HUANGPU, KNOWLEDGE_CITY, False, "bio", True, (_GB, 61)
    ),
    # 16-20 高端装备
    EnterpriseRow(
        "广州精工数控机床有限公司", HUANGPU, SCIENCE_CITY, False, "equipment", True, (_C, 104)
    ),
    EnterpriseRow(
        "广州航宇精密装备有限公司", NANSHA, NANSHA_SCIENCE_CITY, True, "equipment", party=(_B, 11)
    ),
    EnterpriseRow("广州海工智能装备有限公司", NANSHA, LONGXUE, False, "equipment", party=(_GB, 73)),
    EnterpriseRow(
        "广州协创工业机器人有限公司", HUANGPU, SCIENCE_CITY, True, "equipment", party=(_B, 8)
    ),
    EnterpriseRow("广州智测仪器仪表有限公司", HUANGPU, KNOWLEDGE_CITY, True, "equipment"),
    # 21-25 新能源汽车
    EnterpriseRow(
        "广州湾区新能源汽车有限公司", NANSHA, NANSHA_AUTO_PARK, False, "nev", True, (_C, 215)
    ),
    EnterpriseRow(
        "广州储能动力电池科技有限公司", HUANGPU, KNOWLEDGE_CITY, False, "nev", True, (_GB, 88)
    ),
    EnterpriseRow("广州驰电充换电设施有限公司", NANSHA, NANSHA_AUTO_PARK, True, "nev"),
    EnterpriseRow(
        "广州轻量化汽车零部件有限公司", NANSHA, NANSHA_AUTO_PARK, True, "nev", party=(_B, 13)
    ),
    EnterpriseRow("广州智驾域控科技有限公司", HUANGPU, SCIENCE_CITY, True, "nev"),
    # 26-30 半导体与集成电路
    EnterpriseRow(
        "广州芯粤晶圆制造有限公司", HUANGPU, KNOWLEDGE_CITY, False, "chip", True, (_C, 142)
    ),
    EnterpriseRow("广州芯谷集成电路设计有限公司", HAIZHU, PAZHOU, True, "chip", party=(_B, 3)),
    EnterpriseRow(
        "广州湾芯封装测试有限公司", HUANGPU, KNOWLEDGE_CITY, False, "chip", party=(_B, 45)
    ),
    EnterpriseRow(
        "广州南沙第三代半导体有限公司", NANSHA, NANSHA_SCIENCE_CITY, True, "chip", party=(_B, 10)
    ),
    EnterpriseRow("广州微纳传感芯片有限公司", HUANGPU, SCIENCE_CITY, True, "chip"),
    # 31-33 新材料
    EnterpriseRow(
        "广州高分子新材料科技有限公司", HUANGPU, SCIENCE_CITY, False, "materials", True, (_GB, 52)
    ),
    EnterpriseRow("广州石墨烯应用技术有限公司", NANSHA, NANSHA_SCIENCE_CITY, True, "materials"),
    EnterpriseRow("广州海珠绿色纤维材料有限公司", HAIZHU, INNOVATION_BAY, True, "materials"),
    # 34-35 others
    EnterpriseRow("广州南沙国际冷链物流有限公司", NANSHA, NANSHA_FTZ, False, None, party=(_B, 21)),
    EnterpriseRow("广州琶洲会展数字服务有限公司", HAIZHU, PAZHOU, True, "digital"),
)


@dataclass(frozen=True, slots=True)
class PartyUpdate:
    """A party organisation recorded later in the story, some days before today."""

    enterprise: int
    kind: PartyOrganizationKind
    member_count: int
    days_ago: tuple[int, int]
    reason: str


PARTY_UPDATES: tuple[PartyUpdate, ...] = (
    PartyUpdate(2, _B, 4, (150, 240), "在首席服务官指导下新成立党支部"),
    PartyUpdate(4, _GB, 51, (40, 120), "党员人数增长，经上级党组织批准成立党总支"),
)


@dataclass(frozen=True, slots=True)
class OfficerRow:
    name: str
    department: str
    roles: tuple[OfficerRole, ...]
    party_member: bool
    phone: str
    leaves: bool = False  # transferred away during the story, then deactivated


_CSO = OfficerRole.CSO
_CASO = OfficerRole.CASO
_FS = OfficerRole.FIRST_SECRETARY

OFFICERS: tuple[OfficerRow, ...] = (
    OfficerRow("陈思远", "区投资促进局", (_CSO,), True, "13800001201"),
    OfficerRow("李婉清", "区工业和信息化局", (_CSO,), True, "13800001202"),
    OfficerRow("王浩然", "区科技局", (_CSO, _FS), True, "13800001203"),
    OfficerRow("张嘉欣", "区发展和改革局", (_CSO,), True, "13800001204"),
    OfficerRow("刘志诚", "区投资促进局", (_CSO,), True, "13800001205", leaves=True),
    OfficerRow("黄晓琳", "区住房和城乡建设局", (_CSO, _CASO), True, "13800001206"),
    OfficerRow("周振宇", "区商务局", (_CSO,), True, "13800001207"),
    OfficerRow("吴佩珊", "区住房和城乡建设局", (_CASO,), True, "13800001208"),
    OfficerRow("郑凯文", "区委组织部", (_FS,), True, "13800001209"),
    OfficerRow("何敏仪", "区人力资源和社会保障局", (_CASO,), False, "13800001210"),
)

# An officer who takes on a further role during the story.
ROLE_CHANGE = (3, (_CSO, _CASO), (200, 300), "兼任人才安居服务官")
LEAVER_DESTINATION = "区委组织部"


@dataclass(frozen=True, slots=True)
class ProjectRow:
    enterprise: int
    name: str
    investment: int  # 万元


PROJECTS: tuple[ProjectRow, ...] = (
    ProjectRow(0, "琶洲智算中心一期建设项目", 350000),
    ProjectRow(0, "人工智能大模型训练平台二期项目", 180000),
    ProjectRow(1, "机器视觉算法研发中心项目", 12000),
    ProjectRow(2, "行业大模型研发及应用总部项目", 25000),
    ProjectRow(3, "服务机器人研发生产基地项目", 48000),
    ProjectRow(4, "自动驾驶出行服务及测试基地项目", 220000),
    ProjectRow(4, "智能网联汽车研发中心项目", 90000),
    ProjectRow(5, "华南区域总部及云计算中心项目", 160000),
    ProjectRow(6, "供应链数字化服务平台项目", 8000),
    ProjectRow(7, "跨境电商数字服务基地项目", 15000),
    ProjectRow(8, "南沙国际数据中心项目", 280000),
    ProjectRow(9, "工业互联网标识解析二级节点项目", 6500),
    ProjectRow(10, "创新药研发及产业化基地项目", 260000),
    ProjectRow(10, "生物药CDMO平台二期项目", 150000),
    ProjectRow(11, "高端微创介入器械生产线项目", 32000),
    ProjectRow(12, "基因检测及精准医疗中心项目", 18000),
    ProjectRow(13, "细胞治疗GMP生产基地项目", 42000),
    ProjectRow(14, "海洋生物医药中试基地项目", 26000),
    ProjectRow(15, "高端医学影像设备产业化项目", 120000),
    ProjectRow(16, "五轴联动数控机床扩产项目", 85000),
    ProjectRow(17, "航空精密零部件制造项目", 36000),
    ProjectRow(18, "海洋工程智能装备总装基地项目", 190000),
    ProjectRow(19, "工业机器人核心部件生产线项目", 22000),
    ProjectRow(20, "智能检测仪器研发生产项目", 9800),
    ProjectRow(21, "新能源整车智能工厂项目", 600000),
    ProjectRow(21, "整车研发试验中心项目", 120000),
    ProjectRow(22, "动力及储能电池生产基地项目", 450000),
    ProjectRow(23, "超充及换电站建设运营项目", 16000),
    ProjectRow(24, "汽车轻量化铝合金部件项目", 28000),
    ProjectRow(25, "智能驾驶域控制器研发及量产项目", 35000),
    ProjectRow(26, "12英寸晶圆制造三期项目", 1200000),
    ProjectRow(27, "集成电路设计创新中心项目", 12000),
    ProjectRow(28, "先进封装测试产线项目", 160000),
    ProjectRow(29, "碳化硅功率器件产线项目", 95000),
    ProjectRow(30, "MEMS传感器芯片研发项目", 14000),
    ProjectRow(31, "高性能改性塑料扩产项目", 68000),
    ProjectRow(32, "石墨烯导热膜产业化项目", 21000),
    ProjectRow(33, "生物基纤维材料研发中心项目", 7500),
    ProjectRow(34, "南沙国际冷链物流园项目", 88000),
    ProjectRow(35, "数字会展服务平台项目", 5000),
)


@dataclass(frozen=True, slots=True)
class StageMix:
    """How many projects end the story at `stage` (closed with `outcome`, if any)."""

    stage: Milestone
    count: int
    outcome: ProjectOutcome | None = None
    staffed: bool = True  # False: no CSO assigned yet


STAGE_MIX: tuple[StageMix, ...] = (
    StageMix(Milestone.SIGNED, 3, staffed=False),
    StageMix(Milestone.SIGNED, 3),
    StageMix(Milestone.SITE_SELECTED, 6),
    StageMix(Milestone.LAND_DELIVERED, 5),
    StageMix(Milestone.CONSTRUCTION_STARTED, 7),
    StageMix(Milestone.COMPLETED, 5),
    StageMix(Milestone.OPERATING, 5),
    StageMix(Milestone.OPERATING, 3, ProjectOutcome.OPERATING),
    StageMix(Milestone.SIGNED, 1, ProjectOutcome.CANCELLED),
    StageMix(Milestone.SITE_SELECTED, 1, ProjectOutcome.CANCELLED),
    StageMix(Milestone.SITE_SELECTED, 1, ProjectOutcome.RELOCATED),
)
