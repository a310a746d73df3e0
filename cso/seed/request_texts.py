"""What enterprises ask for (诉求), where it may be referred, and how it was answered.

Templates may name {park} and {district}. Each request fits a window of stages: a
project asks for a construction permit after its site is chosen, not after it opened.
"""

from __future__ import annotations

from dataclasses import dataclass

from cso.domain.enums import Milestone, RequestCategory

_S = Milestone.SIGNED
_SITE = Milestone.SITE_SELECTED
_LAND = Milestone.LAND_DELIVERED
_BUILD = Milestone.CONSTRUCTION_STARTED
_DONE = Milestone.COMPLETED
_RUN = Milestone.OPERATING

GROUND_PLANNING = "市规划和自然资源局{district}分局"
ENVIRONMENT = "市生态环境局{district}分局"
HOUSING = "区住房和城乡建设局"
HUMAN_RESOURCES = "区人力资源和社会保障局"
FINANCE = "区金融工作局"
INDUSTRY = "区工业和信息化局"
SCIENCE = "区科技局"
INVESTMENT = "区投资促进局"


@dataclass(frozen=True, slots=True)
class RequestText:
    description: str
    departments: tuple[str, ...]  # where it may be referred; more than one allows 会办
    resolution: str
    since: Milestone = _S  # raised only while the project's stage is in [since, until]
    until: Milestone = _RUN


_PERMIT = (
    RequestText(
        "申请办理企业投资项目备案和外商投资信息报告",
        ("区发展和改革局", "区商务局"),
        "项目备案和外商投资信息报告均已办结",
        _S,
        _SITE,
    ),
    RequestText(
        "申请建设工程规划许可证与施工许可证并联审批，缩短报建周期",
        (HOUSING, GROUND_PLANNING, "区政务服务数据管理局"),
        "已纳入重点项目报建绿色通道，规划许可和施工许可并联办结",
        _SITE,
        _LAND,
    ),
    RequestText(
        "环境影响评价报告书审批进度较慢，请求协调加快",
        (ENVIRONMENT,),
        "经协调，环评报告书已完成技术评估并获批复",
        _SITE,
        _LAND,
    ),
    RequestText(
        "申请提前开展消防设计审查，配合设备安装进度",
        (HOUSING, "区消防救援大队"),
        "消防设计审查已提前受理，审查意见已出具",
        _LAND,
        _BUILD,
    ),
    RequestText("申请办理排污许可证", (ENVIRONMENT,), "排污许可证已核发", _DONE),
)

_LAND_USE = (
    RequestText(
        "希望尽快了解{park}可供产业用地情况，明确项目选址",
        (GROUND_PLANNING, INVESTMENT),
        "已提供三宗备选地块方案，企业完成实地踏勘",
        _S,
        _S,
    ),
    RequestText(
        "项目用地红线与规划市政道路存在冲突，请求协调调整",
        (GROUND_PLANNING, HOUSING),
        "经规划部门论证，已完成用地红线局部调整",
        _SITE,
        _LAND,
    ),
    RequestText(
        "地块交付时地上附着物未清理，影响进场施工",
        ("区土地开发中心", "属地街道办事处"),
        "附着物已清理完毕，地块具备进场条件",
        _LAND,
        _LAND,
    ),
    RequestText(
        "申请施工期临时用地，用于材料堆场和工人生活区",
        (GROUND_PLANNING,),
        "临时用地已批准，使用期限两年",
        _LAND,
        _BUILD,
    ),
    RequestText(
        "希望协调相邻地块预留为二期发展用地",
        (GROUND_PLANNING, INVESTMENT),
        "相邻地块已纳入产业用地储备，二期按程序供地",
        _SITE,
    ),
)

_POLICY = (
    RequestText("咨询并申请先进制造业发展专项资金", (INDUSTRY,), "已指导企业完成申报，资金已拨付"),
    RequestText(
        "申请落户奖励和办公用房补贴",
        (INVESTMENT, "区发展和改革局"),
        "经审核符合条件，落户奖励已兑现",
    ),
    RequestText(
        "申请算力券和数据要素相关扶持政策",
        (INDUSTRY, "区政务服务数据管理局"),
        "企业已纳入算力券发放名单",
    ),
    RequestText("申请研发机构认定和研发投入补助", (SCIENCE,), "已完成研发机构认定，补助已拨付"),
)

_TALENT = (
    RequestText(
        "高层次人才子女入学需要协调学位",
        ("区教育局", "区委组织部（区委人才办）"),
        "已协调安排就近入学学位",
    ),
    RequestText(
        "申请人才公寓配租，解决研发团队住房",
        (HOUSING, HUMAN_RESOURCES),
        "已配租人才公寓二十套",
    ),
    RequestText(
        "投产前需要集中招聘一线技术工人约二百名",
        (HUMAN_RESOURCES,),
        "已组织专场招聘会，首批录用一百六十人",
        _BUILD,
        _DONE,
    ),
    RequestText(
        "外籍专家工作许可和居留许可办理",
        (SCIENCE, "市公安局出入境管理支队"),
        "工作许可和居留许可均已办结",
    ),
)

_FINANCING = (
    RequestText(
        "项目建设资金缺口较大，希望对接政府引导基金",
        (FINANCE, "区国有资产监督管理局"),
        "已对接区产业引导基金，完成投资立项",
    ),
    RequestText(
        "申请科技信贷风险补偿和贷款贴息",
        (SCIENCE, FINANCE),
        "已纳入风险补偿资金池，贴息资金已拨付",
    ),
    RequestText(
        "希望对接金融机构开展设备融资租赁",
        (FINANCE,),
        "已对接两家金融租赁公司，融资方案已落地",
    ),
)

_OTHER = (
    RequestText(
        "项目筹备期需要临时办公场地",
        (INVESTMENT, "{park}管理机构"),
        "已协调提供过渡办公场地",
        _S,
        _LAND,
    ),
    RequestText(
        "施工临时用电容量不足，请求加快增容", ("区供电局",), "临时用电增容已完成", _BUILD, _BUILD
    ),
    RequestText(
        "厂区周边道路照明和排水设施不完善",
        ("区城市管理和综合执法局", "区水务局"),
        "路灯和排水管网已完成改造",
        _BUILD,
    ),
    RequestText(
        "园区员工通勤不便，希望增开公交线路", ("区交通运输局",), "已开通通勤公交专线", _DONE
    ),
    RequestText(
        "企业食堂需要办理食品经营许可", ("区市场监督管理局",), "食品经营许可证已核发", _DONE
    ),
)

REQUESTS: dict[RequestCategory, tuple[RequestText, ...]] = {
    RequestCategory.PERMIT: _PERMIT,
    RequestCategory.LAND: _LAND_USE,
    RequestCategory.POLICY: _POLICY,
    RequestCategory.TALENT: _TALENT,
    RequestCategory.FINANCING: _FINANCING,
    RequestCategory.OTHER: _OTHER,
}

# Satisfaction 1-5 and how often enterprises give it.
SATISFACTION_WEIGHTS = ((5, 50), (4, 30), (3, 12), (2, 6), (1, 2))

# Why a department sends a request back (退回), and why a supervisor gives more time.
RETURN_REASONS = (
    "不属于本单位职责范围，请转有关部门",
    "材料不全，请补充后重新转办",
    "涉及多个部门，请明确牵头单位",
)
EXTENSION_REASONS = (
    "需现场踏勘，办理时间顺延",
    "涉及上级部门审批，申请延期",
    "企业补正材料期间，期限顺延",
)
