"""setWorkingCalendar and workingCalendar(year) over HTTP."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from cso.services.holiday_library import LIBRARY_VERSION
from cso.services.identity import Role
from tests.e2e.conftest import Api
from tests.integration.graphql.support import OverHttp

CALENDAR = """
query($year: Int!) { workingCalendar(year: $year) { year source holidays workdays version } }"""

SET_CALENDAR = """
mutation($input: SetWorkingCalendarInput!) {
  setWorkingCalendar(input: $input) {
    consistencyToken calendar { year source holidays workdays version } } }"""

# Years no other test records: the e2e database lives for the whole session.
GOLDEN_WEEK_2031 = [f"2031-10-0{day}" for day in range(1, 8)]


@pytest.fixture
def gql(client: httpx.AsyncClient, api: Api) -> OverHttp:
    return OverHttp(client, api.secret)


def schedule(year: int, holidays: list[str], workdays: list[str]) -> dict[str, object]:
    return {"input": {"year": year, "holidays": holidays, "workdays": workdays}}


async def test_a_year_nobody_knows_counts_weekends_only_and_says_so(gql: OverHttp) -> None:
    reply = await gql(CALENDAR, {"year": 2099}, role=Role.VIEWER)
    assert reply.data["workingCalendar"] == {
        "year": 2099,
        "source": "WEEKENDS_ONLY",
        "holidays": [],
        "workdays": [],
        "version": "",
    }


async def test_a_year_the_library_knows_carries_its_holidays_and_make_up_days(
    gql: OverHttp,
) -> None:
    calendar = (await gql(CALENDAR, {"year": 2026}, role=Role.VIEWER)).data["workingCalendar"]
    assert calendar["source"] == "LIBRARY"
    assert calendar["version"] == LIBRARY_VERSION
    assert {f"2026-10-0{day}" for day in range(1, 8)} <= set(calendar["holidays"])
    assert "2026-10-10" in calendar["workdays"]
    assert "2026-10-08" not in calendar["holidays"]


async def test_a_supervisor_records_a_years_schedule_which_then_takes_precedence(
    gql: OverHttp,
) -> None:
    reply = await gql(SET_CALENDAR, schedule(2031, GOLDEN_WEEK_2031, ["2031-10-11"]))
    payload = reply.data["setWorkingCalendar"]
    assert payload["consistencyToken"]
    assert payload["calendar"] == {
        "year": 2031,
        "source": "OFFICIAL",
        "holidays": GOLDEN_WEEK_2031,
        "workdays": ["2031-10-11"],
        "version": "official r1",
    }
    read = await gql(CALENDAR, {"year": 2031}, role=Role.OFFICER)
    assert read.data["workingCalendar"] == payload["calendar"]


async def test_a_revised_schedule_bumps_the_version_and_the_same_one_changes_nothing(
    gql: OverHttp,
) -> None:
    await gql(SET_CALENDAR, schedule(2032, ["2032-05-03"], []))
    revised = await gql(SET_CALENDAR, schedule(2032, ["2032-05-03", "2032-05-04"], []))
    assert revised.data["setWorkingCalendar"]["calendar"]["version"] == "official r2"
    again = await gql(SET_CALENDAR, schedule(2032, ["2032-05-04", "2032-05-03"], []))
    assert again.data["setWorkingCalendar"]["calendar"]["version"] == "official r2"
    assert again.data["setWorkingCalendar"]["calendar"]["holidays"] == [
        "2032-05-03",
        "2032-05-04",
    ]


async def test_two_first_recordings_of_a_year_at_once_both_land_one_revising_the_other(
    gql: OverHttp,
) -> None:
    first, second = await asyncio.gather(
        gql(SET_CALENDAR, schedule(2033, ["2033-01-03"], [])),
        gql(SET_CALENDAR, schedule(2033, ["2033-01-04"], [])),
    )
    assert first.data["setWorkingCalendar"]["calendar"]["source"] == "OFFICIAL"
    assert second.data["setWorkingCalendar"]["calendar"]["source"] == "OFFICIAL"
    calendar = (await gql(CALENDAR, {"year": 2033})).data["workingCalendar"]
    assert calendar["version"] == "official r2"
    assert calendar["holidays"] in (["2033-01-03"], ["2033-01-04"])


@pytest.mark.parametrize("role", [Role.OFFICER, Role.VIEWER, Role.AUDITOR])
async def test_only_a_supervisor_records_a_schedule(gql: OverHttp, role: Role) -> None:
    reply = await gql(SET_CALENDAR, schedule(2034, ["2034-01-02"], []), role=role)
    assert reply.code == "FORBIDDEN"
    calendar = (await gql(CALENDAR, {"year": 2034})).data["workingCalendar"]
    assert calendar["source"] == "WEEKENDS_ONLY"


@pytest.mark.parametrize(
    ("holidays", "workdays", "field"),
    [
        ([], ["2035-10-12"], "workdays"),  # a Friday
        (["2036-01-01"], [], "holidays"),  # another year
        (["2035-10-13"], ["2035-10-13"], "workdays"),  # both
    ],
)
async def test_a_malformed_schedule_is_invalid_input_on_its_field(
    gql: OverHttp, holidays: list[str], workdays: list[str], field: str
) -> None:
    reply = await gql(SET_CALENDAR, schedule(2035, holidays, workdays))
    assert reply.code == "INVALID_INPUT"
    assert reply.error["extensions"]["field"] == field
    calendar = (await gql(CALENDAR, {"year": 2035})).data["workingCalendar"]
    assert calendar["source"] == "WEEKENDS_ONLY"


@pytest.mark.parametrize("year", [0, 1899, 2201])
async def test_a_year_outside_1900_to_2200_is_invalid_input(gql: OverHttp, year: int) -> None:
    reply = await gql(CALENDAR, {"year": year}, role=Role.VIEWER)
    assert (reply.code, reply.error["extensions"]["field"]) == ("INVALID_INPUT", "year")
