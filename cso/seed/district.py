"""The district at the seeds' scale (`cso seed --scale district`), on top of the demo.

40,000 enterprises, 10,000 talent apartments, 20,000 housing applications, 4,000 projects
with their CSOs' services and 100,000 requests — over a million events — written through
the same use cases as the demo, between the demo's setup and its history. Everything here
has indices of its own (from `BASE`), so the demo's story runs after it unchanged: the
district's housing is decided before the demo's begins, and leaves the waitlist empty.

Steps are batched: one batch is one actor's steps of one week, with one correlation id,
appended together (cso/seed/staging.py).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from cso.domain.enums import OfficerRole, PartyOrganizationKind
from cso.seed.codes import credit_codes
from cso.seed.data import CHAINS, HAIZHU, HUANGPU, NANSHA, EnterpriseRow, OfficerRow
from cso.seed.district_cases import BASE, project_steps
from cso.seed.district_housing import housing_steps
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
    def requests(self) -> int:
        return self.count(100_000)


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


def district_steps(
    rng_seed: int, scale: DistrictScale, start: date, today: date
) -> tuple[list[Step], Callable[[int, Step], str]]:
    """The district's steps, from the day after `start` (the demo's setup) to `today`,
    in batch order; and each step's correlation id (its batch's)."""
    rng = random.Random(f"district:{rng_seed}")
    first = start + timedelta(days=1)
    csos = [BASE + i for i in range(scale.csos)]
    casos = [BASE + scale.csos + i for i in range(scale.casos)]
    steps = _officers(rng, first, csos, casos)
    enterprises = _enterprises(rng, scale, first)
    steps += enterprises
    employers = [BASE + i for i in range(scale.enterprises)]
    steps += project_steps(rng, scale, employers, csos, first, today)
    steps += housing_steps(rng, scale, employers, casos, first, today)
    batches = _batch_order(steps, first)
    return batches, _correlations(rng_seed, first)


def _officers(rng: random.Random, on: date, csos: list[int], casos: list[int]) -> list[Step]:
    steps = []
    for n, officer in enumerate([*csos, *casos]):
        role = OfficerRole.CSO if officer in csos else OfficerRole.CASO
        name = rng.choice("陈李王张刘黄周吴郑何林罗梁谢许") + "".join(rng.sample(NAME_CHARS, 2))
        row = OfficerRow(name, DEPARTMENTS[n % len(DEPARTMENTS)], (role,), True, f"137{n:08d}")
        steps.append(Step(on, RegisterOfficer(officer, row)))
    return steps


def _enterprises(rng: random.Random, scale: DistrictScale, first: date) -> list[Step]:
    rows = []
    for _ in range(scale.enterprises):
        district = rng.choice((HAIZHU, HUANGPU, NANSHA))
        chain = rng.choice(CHAINS).key if rng.random() < 0.6 else None
        name = f"广州{''.join(rng.sample(NAME_CHARS, 3))}{rng.choice(TRADES)}有限公司"
        rows.append(EnterpriseRow(name, district, rng.choice(PARKS[district]), True, chain))
    steps = []
    for i, (row, code) in enumerate(zip(rows, credit_codes(rng, rows), strict=True)):
        on = first + timedelta(days=rng.randrange(REGISTRATION_DAYS))
        steps.append(Step(on, RegisterEnterprise(BASE + i, row, code)))
        if rng.random() < PARTY_SHARE:
            later = on + timedelta(days=rng.randrange(1, 300))
            kind = rng.choice(PARTY_KINDS)
            party = RecordPartyOrganization(BASE + i, kind, rng.randint(3, 40))
            steps.append(Step(later, party))
    return steps


def _batch_order(steps: list[Step], first: date) -> list[Step]:
    """A week at a time; in a week, the supervisor's steps first, then each officer's,
    each in date order (a stable sort keeps a day's steps in the order planned)."""

    def key(step: Step) -> tuple[int, int, date]:
        return (_week(step, first), -1 if step.officer is None else step.officer, step.on)

    return sorted(steps, key=key)


def _week(step: Step, first: date) -> int:
    return (step.on - first).days // BATCH_DAYS


def _correlations(rng_seed: int, first: date) -> Callable[[int, Step], str]:
    """A batch's correlation id: the same for every step of one actor's week."""
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"cso-seed-district:{rng_seed}")
    made: dict[tuple[int, int | None], str] = {}

    def correlation(number: int, step: Step) -> str:
        batch = (_week(step, first), step.officer)
        found = made.get(batch)
        if found is None:
            found = made[batch] = str(uuid.uuid5(namespace, f"{batch[0]}:{batch[1]}"))
        return found

    return correlation
