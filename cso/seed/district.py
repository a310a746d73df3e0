"""The district at the seeds' scale (`cso seed --scale district`), on top of the demo.

40,000 enterprises, 10,000 talent apartments, 20,000 housing applications, 5,000 projects
with their CSOs' services, 2,000 first secretaries posted to SMEs, and 100,000 requests —
over a million events — written through the same use cases as the demo, between the demo's
setup and its history. Most requests are the SMEs' own, logged by their first secretaries;
a project carries about three, as in the demo (cso/seed/district_postings.py). Everything
here has indices of its own (from `BASE`), so the demo's story runs after it unchanged: the
district's housing is decided before the demo's begins, and leaves the waitlist empty.

The plan is a setup (officers and enterprises) and then lanes: one CSO's projects, one
enterprise's party organisation and posting, the housing. No two lanes append to the same
stream, so lanes may run side by side (cso/seed/district_run.py). Steps are batched: one
batch is one actor's steps of one week, with one correlation id, appended together
(cso/seed/staging.py).
"""

from __future__ import annotations

import functools
import heapq
import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from cso.domain.enums import OfficerRole, PartyOrganizationKind
from cso.seed.codes import credit_codes
from cso.seed.data import CHAINS, HAIZHU, HUANGPU, NANSHA, EnterpriseRow, OfficerRow
from cso.seed.district_cases import BASE, project_steps
from cso.seed.district_housing import housing_steps
from cso.seed.district_postings import posting_steps, postings
from cso.seed.setup_actions import RecordPartyOrganization, RegisterEnterprise, RegisterOfficer
from cso.seed.steps import Step

BATCH_DAYS = 7


@dataclass(frozen=True, slots=True)
class DistrictScale:
    """How much of the district to build: `fraction` of each full-scale count."""

    fraction: float = 1.0

    def count(self, full: int) -> int:
        return max(1, round(full * self.fraction))

    @property
    def enterprises(self) -> int:
        return self.count(40_000)

    @property
    def projects(self) -> int:
        return self.count(5_000)

    @property
    def csos(self) -> int:
        return self.count(500)

    @property
    def casos(self) -> int:
        return self.count(40)

    @property
    def units(self) -> int:
        return self.count(10_000)

    @property
    def applications(self) -> int:
        return self.count(20_000)

    @property
    def secretaries(self) -> int:
        return self.count(2_000)

    @property
    def requests(self) -> int:
        return self.count(100_000)

    @property
    def project_requests(self) -> int:
        """The requests raised on projects (three a project); the rest are SMEs' problems
        logged on postings."""
        return min(self.requests, 3 * self.projects)

    @property
    def problems(self) -> int:
        return self.requests - self.project_requests


PARKS = {
    HAIZHU: ("琶洲人工智能与数字经济试验区", "海珠创新湾", "海珠科技产业园"),
    HUANGPU: ("中新广州知识城", "广州科学城", "广州国际生物岛", "黄埔区中小企业加速器"),
    NANSHA: ("南沙科学城", "南沙国际汽车产业园", "庆盛枢纽区块", "南沙综合保税区"),
}
NAME_CHARS = "华新联创智瑞达科信和泰安恒嘉源卓越博通盛远宏鼎众合天润美云海星辰启明致精工睿"
TRADES = ("科技", "智能", "生物", "电子", "新材料", "信息技术", "医疗器械", "数据", "装备", "环保")
DEPARTMENTS = ("区投资促进局", "区工业和信息化局", "区科技局", "区发展和改革局", "区商务局")
PARTY_SHARE = 0.5
PARTY_KINDS = (PartyOrganizationKind.BRANCH,) * 4 + (PartyOrganizationKind.GENERAL_BRANCH,)
REGISTRATION_DAYS = 30  # the district's existing enterprises are registered in a month


@dataclass(frozen=True)
class DistrictPlan:
    """The district's steps: `setup` first (officers, enterprises), then `lanes`, each in
    batch order; no two lanes touch one stream, so they may run side by side."""

    setup: list[Step]
    lanes: list[list[Step]]
    first: date  # the district's first day, from which its weeks count

    @property
    def steps(self) -> int:
        return len(self.setup) + sum(len(lane) for lane in self.lanes)

    def shares(self, workers: int) -> list[list[Step]]:
        """The lanes dealt to `workers` runners, largest first to the least loaded (by
        steps), each share in batch order; no share is empty."""
        loads: list[tuple[int, int, list[list[Step]]]] = [(0, n, []) for n in range(workers)]
        for lane in sorted(self.lanes, key=len, reverse=True):
            load, n, lanes = heapq.heappop(loads)
            lanes.append(lane)
            heapq.heappush(loads, (load + len(lane), n, lanes))
        dealt = [lanes for _, _, lanes in sorted(loads, key=lambda item: item[1])]
        return [
            batch_order([s for lane in lanes for s in lane], self.first) for lanes in dealt if lanes
        ]


def district_plan(rng_seed: int, scale: DistrictScale, start: date, today: date) -> DistrictPlan:
    """The district's steps, from the day after `start` (the demo's setup) to `today`."""
    rng = random.Random(f"district:{rng_seed}")
    first = start + timedelta(days=1)
    csos = [BASE + i for i in range(scale.csos)]
    casos = [BASE + scale.csos + i for i in range(scale.casos)]
    secretaries = [BASE + scale.csos + scale.casos + i for i in range(scale.secretaries)]
    setup = _officers(rng, first, csos, casos, secretaries)
    registered, party = _enterprises(rng, scale, first)
    setup += registered
    employers = [BASE + i for i in range(scale.enterprises)]
    lanes = list(project_steps(rng, scale, employers, csos, first, today).values())
    lanes.append(housing_steps(rng, scale, employers, casos, first, today))
    # An enterprise's party organisation and its posting change its stream: one lane.
    by_enterprise: dict[int, list[Step]] = {e: [s] for e, s in party.items()}
    posted = postings(rng, scale, secretaries)
    each = max(1, scale.problems // max(1, len(posted)))
    for posting in posted:
        steps = posting_steps(rng, posting, each, first, today)
        by_enterprise.setdefault(posting.enterprise, []).extend(steps)
    lanes += by_enterprise.values()
    return DistrictPlan(
        batch_order(setup, first), [batch_order(lane, first) for lane in lanes], first
    )


def district_steps(
    rng_seed: int, scale: DistrictScale, start: date, today: date
) -> tuple[list[Step], BatchCorrelation]:
    """The district's steps run one after another: the setup, then every lane, in batch
    order; and each step's correlation id (its batch's)."""
    plan = district_plan(rng_seed, scale, start, today)
    lanes = plan.shares(1)
    return [*plan.setup, *(lanes[0] if lanes else [])], BatchCorrelation(
        rng_seed, start + timedelta(days=1)
    )


def _officers(
    rng: random.Random, on: date, csos: list[int], casos: list[int], secretaries: list[int]
) -> list[Step]:
    steps = []
    roles = {o: OfficerRole.CSO for o in csos} | {o: OfficerRole.CASO for o in casos}
    roles |= {o: OfficerRole.FIRST_SECRETARY for o in secretaries}
    for n, officer in enumerate([*csos, *casos, *secretaries]):
        name = rng.choice("陈李王张刘黄周吴郑何林罗梁谢许") + "".join(rng.sample(NAME_CHARS, 2))
        row = OfficerRow(
            name, DEPARTMENTS[n % len(DEPARTMENTS)], (roles[officer],), True, f"137{n:08d}"
        )
        steps.append(Step(on, RegisterOfficer(officer, row)))
    return steps


def _enterprises(
    rng: random.Random, scale: DistrictScale, first: date
) -> tuple[list[Step], dict[int, Step]]:
    """The enterprises' registrations, and the party organisations half of them record
    later (by enterprise index)."""
    rows = []
    for _ in range(scale.enterprises):
        district = rng.choice((HAIZHU, HUANGPU, NANSHA))
        chain = rng.choice(CHAINS).key if rng.random() < 0.6 else None
        name = f"广州{''.join(rng.sample(NAME_CHARS, 3))}{rng.choice(TRADES)}有限公司"
        rows.append(EnterpriseRow(name, district, rng.choice(PARKS[district]), True, chain))
    steps, party = [], {}
    for i, (row, code) in enumerate(zip(rows, credit_codes(rng, rows), strict=True)):
        on = first + timedelta(days=rng.randrange(REGISTRATION_DAYS))
        steps.append(Step(on, RegisterEnterprise(BASE + i, row, code)))
        if rng.random() < PARTY_SHARE:
            later = on + timedelta(days=rng.randrange(1, 300))
            kind = rng.choice(PARTY_KINDS)
            party[BASE + i] = Step(
                later, RecordPartyOrganization(BASE + i, kind, rng.randint(3, 40))
            )
    return steps, party


def batch_order(steps: list[Step], first: date) -> list[Step]:
    """A week at a time (weeks from `first`, the same for every lane); in a week, the
    supervisor's steps first, then each officer's, each in date order (a stable sort keeps
    a day's steps in the order planned)."""

    def key(step: Step) -> tuple[int, int, date]:
        return (_week(step.on, first), -1 if step.officer is None else step.officer, step.on)

    return sorted(steps, key=key)


def _week(on: date, first: date) -> int:
    return (on - first).days // BATCH_DAYS


@dataclass(frozen=True)
class BatchCorrelation:
    """A batch's correlation id: the same for every step of one actor's week (weeks
    counted from `first`); picklable, so that runners in other processes agree."""

    rng_seed: int
    first: date

    def __call__(self, number: int, step: Step) -> str:
        return _batch_id(self.rng_seed, _week(step.on, self.first), step.officer)


@functools.lru_cache(maxsize=4_096)
def _batch_id(rng_seed: int, week: int, officer: int | None) -> str:
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"cso-seed-district:{rng_seed}")
    return str(uuid.uuid5(namespace, f"{week}:{officer}"))
