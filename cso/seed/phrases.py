"""What officers write: service plans, service records and reasons (requests: request_texts).

Templates may name {enterprise}, {park}, {district} and {project}.
"""

from __future__ import annotations

from cso.domain.enums import Milestone, ProjectOutcome, ServiceKind

# -- service plan (一套服务) ---------------------------------------------------

AGENCY = "项目代办"
SITE = "选址协调"
POLICY = "政策辅导"
HOUSING = "人才安居对接"
FINANCING = "融资对接"
HIRING = "用工招聘对接"
UTILITIES = "水电气报装协调"
ACCEPTANCE = "竣工验收协调"

CORE_PLAN = (AGENCY, SITE, POLICY)
OPTIONAL_PLAN = (HOUSING, FINANCING, HIRING, UTILITIES)

# The milestone on whose day a plan item is done; items not listed finish at any time.
ITEM_DONE_AT: dict[str, Milestone] = {
    SITE: Milestone.SITE_SELECTED,
    AGENCY: Milestone.CONSTRUCTION_STARTED,
    UTILITIES: Milestone.COMPLETED,
    ACCEPTANCE: Milestone.COMPLETED,
    HIRING: Milestone.OPERATING,
}

# -- service records -----------------------------------------------------------

FIRST_VISIT = "首次走访{enterprise}，对接{project}负责人，建立“一企一档”服务台账"

# Services that lead up to a milestone, recorded some days before it is reached.
BEFORE_MILESTONE: dict[Milestone, tuple[tuple[ServiceKind, str], ...]] = {
    Milestone.SITE_SELECTED: (
        (ServiceKind.COORDINATION, "协调规划和自然资源部门实地踏勘{park}内备选地块，比选用地方案"),
        (ServiceKind.CONSULTATION, "就项目用地规模、容积率和产业准入要求答复企业咨询"),
    ),
    Milestone.LAND_DELIVERED: (
        (ServiceKind.PROCEDURE_AGENCY, "代办建设用地规划许可证和国有土地使用权出让手续"),
        (ServiceKind.COORDINATION, "协调土地开发中心完成场地平整，推动“净地”交付"),
    ),
    Milestone.CONSTRUCTION_STARTED: (
        (ServiceKind.PROCEDURE_AGENCY, "代办建设工程规划许可证和施工许可证，实行并联审批"),
        (ServiceKind.COORDINATION, "协调供电、供水部门提前介入，落实施工临时用电用水"),
    ),
    Milestone.COMPLETED: (
        (ServiceKind.COORDINATION, "组织住建、规划、消防等部门开展竣工联合验收"),
        (ServiceKind.VISIT, "到{project}现场了解竣工收尾和设备进场情况"),
    ),
    Milestone.OPERATING: (
        (ServiceKind.TUTORING, "专题辅导企业申报规模以上工业企业入库和高新技术企业认定"),
        (ServiceKind.VISIT, "走访{enterprise}，了解投产后用工、物流和产业链配套需求"),
    ),
}

_S = Milestone.SIGNED
_SITE = Milestone.SITE_SELECTED
_LAND = Milestone.LAND_DELIVERED
_BUILD = Milestone.CONSTRUCTION_STARTED
_DONE = Milestone.COMPLETED
_RUN = Milestone.OPERATING


def fits(stage: Milestone, since: Milestone, until: Milestone) -> bool:
    """Whether a project at `stage` lies in the window from `since` to `until`."""
    return since.rank <= stage.rank <= until.rank


# Services at any time while the project's stage lies between the two milestones given.
ANYTIME: dict[ServiceKind, tuple[tuple[str, Milestone, Milestone], ...]] = {
    ServiceKind.VISIT: (
        ("走访{enterprise}，了解项目进展和企业急难愁盼问题", _S, _RUN),
        ("陪同链长办到{enterprise}调研，听取企业意见建议", _S, _RUN),
        ("节前走访企业，宣讲惠企政策并了解员工安置情况", _S, _RUN),
        ("实地查看{project}施工现场，核实安全生产和进度", _BUILD, _BUILD),
    ),
    ServiceKind.CONSULTATION: (
        ("答复企业关于研发费用加计扣除政策的咨询", _S, _RUN),
        ("解答企业关于{district}产业扶持资金申报条件的咨询", _S, _RUN),
        ("解答企业关于高层次人才认定和人才绿卡的咨询", _S, _RUN),
        ("解答企业关于外籍员工工作许可办理的咨询", _S, _RUN),
    ),
    ServiceKind.TUTORING: (
        ("专题辅导：{district}先进制造业发展专项资金申报", _S, _RUN),
        ("专题辅导：专精特新中小企业认定材料准备", _S, _RUN),
        ("专题辅导：科技型中小企业评价和研发项目立项", _S, _RUN),
        ("专题辅导：安全生产主体责任和消防安全管理", _BUILD, _RUN),
        ("专题辅导：企业党组织建设和发展党员工作", _S, _RUN),
    ),
    ServiceKind.PROCEDURE_AGENCY: (
        ("代办企业投资项目备案", _S, _SITE),
        ("代办环境影响评价报批手续", _SITE, _LAND),
        ("代办排水许可和供水报装", _LAND, _BUILD),
        ("代办消防设计审查手续", _SITE, _BUILD),
        ("代办外商投资企业变更登记手续", _S, _RUN),
    ),
    ServiceKind.COORDINATION: (
        ("协调区交通运输局优化园区公交线路，方便员工通勤", _DONE, _RUN),
        ("协调供电局推进双回路供电报装", _LAND, _BUILD),
        ("协调{park}管理机构解决项目筹备期临时办公场地", _S, _LAND),
        ("召开项目服务专班会议，协调解决{project}推进中的堵点问题", _S, _RUN),
        ("协调金融机构为企业提供项目贷款授信", _S, _RUN),
    ),
}

# -- reasons ---------------------------------------------------------------------

REASSIGNMENT_REASONS = (
    "项目进入施工建设阶段，调整为熟悉工程建设审批的首席服务官",
    "原首席服务官抽调参加专项工作，按工作安排调整",
    "根据企业诉求集中的领域（用地、报建），调整为对口部门的首席服务官",
)
DEPARTURE_REASON = "原首席服务官{leaver}工作调动（调任{destination}），由{successor}接续服务"
DEACTIVATION_REASON = "工作调动（调任{destination}），不再担任首席服务官"

CLOSE_REASONS: dict[ProjectOutcome, tuple[str, ...]] = {
    ProjectOutcome.OPERATING: (
        "项目已竣工投产并稳定运营，转入常态化联系服务",
        "项目达产达效，首席服务官全周期服务完成",
    ),
    ProjectOutcome.CANCELLED: (
        "企业调整投资布局，经协商终止项目投资协议",
        "企业融资未能落实，双方协商解除投资协议",
    ),
    ProjectOutcome.RELOCATED: (
        "因产能布局调整，企业将项目迁至集团在市外的生产基地",
        "项目整体迁入集团在外省的产业园区",
    ),
}
