"""The demo's first secretaries (第一书记): young cadres posted to SMEs in Huangpu's science city
and the SME accelerator park, with their visits, party-building guidance, problems
(`posting_problems`), an extension and an ended posting.

The chains come out differently covered: 人工智能 and 半导体与集成电路 fully work-covered (every
enterprise has a party organisation or a first secretary), the others not. The officers and
enterprises added here take indices after the main story's, and their steps draw on a random
generator of their own, so the rest of the demo is the same with or without them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from cso.domain.enums import OfficerRole
from cso.seed.codes import credit_codes
from cso.seed.data import ENTERPRISES, HUANGPU, OFFICERS, EnterpriseRow, OfficerRow
from cso.seed.posting_problems import problem_steps
from cso.seed.setup_actions import RegisterEnterprise, RegisterOfficer
from cso.seed.steps import Context, Step
from cso.services import postings
from cso.services.application import Command

ACCELERATOR = "黄埔区中小企业加速器"
_FS = OfficerRole.FIRST_SECRETARY

# Indices continue the main story's (officers 0-9, enterprises 0-35).
SECRETARIES: tuple[OfficerRow, ...] = (
    OfficerRow("林嘉豪", "区委组织部", (_FS,), True, "13800001211"),
    OfficerRow("苏婉婷", "区科技局", (_FS,), True, "13800001212"),
    OfficerRow("杨子轩", "区工业和信息化局", (_FS,), True, "13800001213"),
    OfficerRow("冯诗琪", "区发展和改革局", (_FS,), True, "13800001214"),
    OfficerRow("罗俊杰", "区市场监督管理局", (_FS,), True, "13800001215"),
    OfficerRow("邓雅雯", "区人力资源和社会保障局", (_FS,), True, "13800001216"),
)
ACCELERATOR_SMES: tuple[EnterpriseRow, ...] = (
    EnterpriseRow("广州启明光电传感有限公司", HUANGPU, ACCELERATOR, True, "chip"),
    EnterpriseRow("广州灵犀语音交互科技有限公司", HUANGPU, ACCELERATOR, True, "ai"),
    EnterpriseRow("广州睿动电驱科技有限公司", HUANGPU, ACCELERATOR, True, "nev"),
    EnterpriseRow("广州精微医疗耗材有限公司", HUANGPU, ACCELERATOR, True, "bio"),
    EnterpriseRow("广州柔性智造装备有限公司", HUANGPU, ACCELERATOR, True, "equipment"),
)
FIRST_OFFICER = len(OFFICERS)
FIRST_ENTERPRISE = len(ENTERPRISES)
TERM_DAYS = 730  # a two-year term

VISITS = (
    "走访企业生产车间，了解订单和用工情况",
    "陪同企业对接区科技局，梳理高企认定材料",
    "召开企业座谈会，收集急难愁盼问题清单",
    "回访企业，跟进融资对接进展",
)
GUIDANCE = (
    "指导企业开展党员组织关系排查，建立党员台账",
    "讲授专题党课，宣讲产业政策",
    "指导筹备成立党支部，培养入党积极分子",
)


@dataclass(frozen=True, slots=True)
class PostingPlan:
    """Officer and enterprise (indices), sending unit, start (days ago), how many visits and
    guidance records; an extension (days) or an end (days ago), if any."""

    officer: int
    enterprise: int
    sending_unit: str
    started_days_ago: int
    visits: int
    guidance: int
    extended_by: int | None = None
    ended_days_ago: int | None = None


PLANS: tuple[PostingPlan, ...] = (
    PostingPlan(8, 25, "区委组织部", 300, 4, 2),  # 广州智驾域控 (新能源汽车, 科学城)
    PostingPlan(FIRST_OFFICER, 30, "区委组织部", 250, 3, 2, extended_by=365),  # 微纳传感芯片
    PostingPlan(FIRST_OFFICER + 1, FIRST_ENTERPRISE, "区科技局", 200, 3, 1),
    PostingPlan(FIRST_OFFICER + 2, FIRST_ENTERPRISE + 1, "区工业和信息化局", 180, 2, 2),
    PostingPlan(FIRST_OFFICER + 3, FIRST_ENTERPRISE + 3, "区发展和改革局", 150, 2, 1),
    PostingPlan(FIRST_OFFICER + 4, FIRST_ENTERPRISE + 4, "区市场监督管理局", 120, 2, 1),
    PostingPlan(FIRST_OFFICER + 5, 9, "区人力资源和社会保障局", 100, 2, 1),  # 智汇工业互联网
    PostingPlan(2, 19, "区科技局", 420, 3, 1, ended_days_ago=90),  # 协创工业机器人, ended
)


@dataclass(frozen=True, slots=True)
class PostFirstSecretary:
    posting: int
    officer: int
    enterprise: int
    sending_unit: str
    term_start: date
    term_end: date

    async def apply(self, ctx: Context, cmd: Command) -> None:
        changed = await postings.post_first_secretary(
            ctx.app,
            cmd,
            enterprise_id=ctx.enterprises[self.enterprise],
            officer_id=ctx.officer_id(self.officer),
            sending_unit=self.sending_unit,
            term_start=self.term_start,
            term_end=self.term_end,
        )
        ctx.postings[self.posting] = changed["posting"]


@dataclass(frozen=True, slots=True)
class RecordOnPosting:
    posting: int
    on: date
    summary: str
    guidance: bool  # party-building guidance, else a visit

    async def apply(self, ctx: Context, cmd: Command) -> None:
        record = (
            postings.record_party_building_guidance
            if self.guidance
            else postings.record_secretary_visit
        )
        await record(
            ctx.app, cmd, posting_id=ctx.postings[self.posting], on=self.on, summary=self.summary
        )


@dataclass(frozen=True, slots=True)
class ExtendTerm:
    posting: int
    term_end: date

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await postings.extend_secretary_term(
            ctx.app, cmd, posting_id=ctx.postings[self.posting], term_end=self.term_end
        )


@dataclass(frozen=True, slots=True)
class EndPosting:
    posting: int
    on: date

    async def apply(self, ctx: Context, cmd: Command) -> None:
        await postings.end_secretary_posting(
            ctx.app, cmd, posting_id=ctx.postings[self.posting], on=self.on
        )


def _rng(rng_seed: int) -> random.Random:
    return random.Random(f"postings:{rng_seed}")


def posting_setup_steps(rng_seed: int, on: date) -> list[Step]:
    """The secretaries and the accelerator's SMEs, registered with the rest of the setup."""
    codes = credit_codes(_rng(rng_seed), ACCELERATOR_SMES)
    steps = [Step(on, RegisterOfficer(FIRST_OFFICER + i, row)) for i, row in enumerate(SECRETARIES)]
    steps += [
        Step(on, RegisterEnterprise(FIRST_ENTERPRISE + i, row, code))
        for i, (row, code) in enumerate(zip(ACCELERATOR_SMES, codes, strict=True))
    ]
    return steps


def posting_steps(rng_seed: int, today: date) -> list[Step]:
    """Each posting's history: posted by a supervisor, records by the secretary (dated
    within the term, none after an end), then its extension or end."""
    rng = _rng(rng_seed)
    steps: list[Step] = []
    for number, plan in enumerate(PLANS):
        start = today - timedelta(days=plan.started_days_ago)
        end = start + timedelta(days=TERM_DAYS)
        steps.append(
            Step(
                start,
                PostFirstSecretary(
                    number, plan.officer, plan.enterprise, plan.sending_unit, start, end
                ),
            )
        )
        last = today if plan.ended_days_ago is None else today - timedelta(plan.ended_days_ago)
        span = (last - start).days
        texts = [(False, text) for text in VISITS[: plan.visits]]
        texts += [(True, text) for text in GUIDANCE[: plan.guidance]]
        for guidance, text in texts:
            on = start + timedelta(days=rng.randint(1, span))
            steps.append(Step(on, RecordOnPosting(number, on, text, guidance), plan.officer))
        if plan.extended_by is not None:
            steps.append(
                Step(
                    today,
                    ExtendTerm(number, end + timedelta(plan.extended_by)),
                    reason="企业申请，组织部同意延长任期一年",
                )
            )
        if plan.ended_days_ago is not None:
            steps.append(Step(last, EndPosting(number, last), reason="任期内调整，回原单位任职"))
    # After the postings' own steps, so that on the same day they run after them.
    return steps + problem_steps([plan.officer for plan in PLANS], today)
