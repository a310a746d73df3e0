"""The demo first secretaries' problems (急难愁盼): enterprise requests logged on postings.

Some are solved by the secretary (solveEnterpriseProblem), some referred to departments
and answered there, one rated low and redone (referred again, still open), some still in a
department's queue — beside the projects' requests, so a department's queue shows both
sources. The ended posting's problems were all solved before it ended (a posting ends only
then). Dates are fixed offsets from today: the demo is the same on every run.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date, timedelta

from cso.domain.enums import RequestCategory
from cso.seed.steps import Context, Step
from cso.services import postings, requests
from cso.services.application import Command

SCIENCE = "区科技局"
HUMAN_RESOURCES = "区人力资源和社会保障局"
FINANCE = "区金融工作局"
INDUSTRY = "区工业和信息化局"
MARKET = "区市场监督管理局"


class Outcome(enum.Enum):
    """How a problem went, from the day it was logged."""

    SOLVED = "solved by the secretary, rated 5"
    ANSWERED = "referred, resolved by the lead department, rated 4"
    REDONE = "solved by the secretary, rated 2: a redo, referred, still open"
    REFERRED = "referred, still in the departments' queue"


@dataclass(frozen=True, slots=True)
class ProblemPlan:
    posting: int  # the posting's number in `postings.PLANS`
    days_ago: int  # logged (and received) this many days before today
    category: RequestCategory
    description: str
    departments: tuple[str, ...]  # where it is referred (lead first), if it is
    solution: str
    outcome: Outcome


_C = RequestCategory
PROBLEMS: tuple[ProblemPlan, ...] = (
    ProblemPlan(
        0, 200, _C.TALENT, "研发人员子女入学咨询", (), "已协调片区学校落实学位", Outcome.SOLVED
    ),
    ProblemPlan(
        0,
        40,
        _C.FINANCING,
        "申请科技信贷风险补偿资金支持",
        (FINANCE, SCIENCE),
        "已纳入风险补偿资金池，合作银行完成授信",
        Outcome.ANSWERED,
    ),
    ProblemPlan(
        1,
        120,
        _C.POLICY,
        "高新技术企业认定材料准备指导",
        (SCIENCE,),
        "区科技局上门辅导，材料已提交",
        Outcome.ANSWERED,
    ),
    ProblemPlan(
        1,
        12,
        _C.TALENT,
        "急需招聘芯片测试工程师，请求对接人才市场",
        (HUMAN_RESOURCES,),
        "",
        Outcome.REFERRED,
    ),
    ProblemPlan(
        2,
        60,
        _C.POLICY,
        "首台（套）装备认定政策咨询",
        (),
        "已讲解申报条件并协助准备材料",
        Outcome.REDONE,
    ),
    ProblemPlan(3, 25, _C.PERMIT, "厂房消防验收排期较慢", (INDUSTRY, MARKET), "", Outcome.REFERRED),
    ProblemPlan(
        4, 80, _C.OTHER, "园区通勤班车线路调整", (), "已协调加速器运营方增开班次", Outcome.SOLVED
    ),
    ProblemPlan(5, 3, _C.FINANCING, "申请知识产权质押融资", (FINANCE,), "", Outcome.REFERRED),
    ProblemPlan(
        6,
        50,
        _C.TALENT,
        "技能人才补贴申领指引",
        (HUMAN_RESOURCES,),
        "已完成补贴申领并到账",
        Outcome.ANSWERED,
    ),
    ProblemPlan(7, 200, _C.OTHER, "企业党员组织关系转接", (), "已完成组织关系转接", Outcome.SOLVED),
    ProblemPlan(
        7,
        150,
        _C.POLICY,
        "机器人应用示范项目申报",
        (INDUSTRY,),
        "已入选示范项目名单",
        Outcome.ANSWERED,
    ),
)
# A registered officer stands in for a department's staff, with its `dept` claim.
DEPARTMENT_STAFF = 0


@dataclass(frozen=True, slots=True)
class LogProblem:
    problem: int
    posting: int
    category: RequestCategory
    description: str

    async def apply(self, ctx: Context, cmd: Command) -> None:
        changed = await postings.log_enterprise_problem(
            ctx.app,
            cmd,
            posting_id=ctx.postings[self.posting],
            description=self.description,
            category=self.category,
        )
        ctx.problems[self.problem] = changed["request"]


@dataclass(frozen=True, slots=True)
class SolveProblem:
    problem: int
    posting: int
    solution: str

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await postings.solve_enterprise_problem(
            ctx.app,
            cmd,
            posting_id=ctx.postings[self.posting],
            problem_id=ctx.problems[self.problem],
            solution=self.solution,
        )


@dataclass(frozen=True, slots=True)
class ReferProblem:
    problem: int
    departments: tuple[str, ...]

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await requests.refer_request(
            ctx.app, cmd, request_id=ctx.problems[self.problem], departments=list(self.departments)
        )


@dataclass(frozen=True, slots=True)
class AnswerProblem:
    """The lead department resolves it: the step's officer acts with its `dept` claim."""

    problem: int
    department: str
    resolution: str

    async def apply(self, ctx: Context, cmd: Command) -> None:
        principal = replace(cmd.principal, dept=self.department)
        await requests.resolve_request(
            ctx.app,
            replace(cmd, principal=principal),
            request_id=ctx.problems[self.problem],
            resolution=self.resolution,
        )


@dataclass(frozen=True, slots=True)
class RateProblem:
    problem: int
    satisfaction: int

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await requests.rate_request(
            ctx.app, cmd, request_id=ctx.problems[self.problem], satisfaction=self.satisfaction
        )


def problem_steps(secretaries: list[int], today: date) -> list[Step]:
    """Each problem's steps, by its posting's secretary (`secretaries[posting]`, an officer
    index) and, for an answer, by a department's staff."""
    steps: list[Step] = []
    for number, plan in enumerate(PROBLEMS):
        by = secretaries[plan.posting]
        logged = today - timedelta(days=plan.days_ago)

        def on(days: int, logged: date = logged) -> date:
            return logged + timedelta(days=days)

        steps.append(
            Step(logged, LogProblem(number, plan.posting, plan.category, plan.description), by)
        )
        if plan.outcome in (Outcome.SOLVED, Outcome.REDONE):
            steps.append(Step(on(2), SolveProblem(number, plan.posting, plan.solution), by))
            rating = 5 if plan.outcome is Outcome.SOLVED else 2
            steps.append(Step(on(4), RateProblem(number, rating), by))
        if plan.outcome is Outcome.REDONE:
            again = (SCIENCE, INDUSTRY)
            steps.append(Step(on(5), ReferProblem(number, again), by, "企业不满意，转部门再办"))
        if plan.departments:
            steps.append(Step(on(1), ReferProblem(number, plan.departments), by))
        if plan.outcome is Outcome.ANSWERED:
            answer = AnswerProblem(number, plan.departments[0], plan.solution)
            steps.append(Step(on(5), answer, DEPARTMENT_STAFF))
            steps.append(Step(on(8), RateProblem(number, 4), by))
    return steps
