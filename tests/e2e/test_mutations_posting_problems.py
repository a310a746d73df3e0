"""Over HTTP: a first secretary's problems (急难愁盼) are enterprise requests — logged and
solved on the posting, referred to departments, answered there, rated, redone; each refusal
by role and by rule with its code; the departments' queue and figures count them."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx

from cso.graphql.auth import issue_token
from cso.services.identity import Role
from tests.e2e import postings_support as ps
from tests.e2e.conftest import Api
from tests.e2e.test_enterprise_requests import district_today
from tests.e2e.test_subscriptions import next_payload, subscribed
from tests.integration.graphql import support
from tests.integration.graphql.support import Body, OverHttp, mutation

REQUEST = """id source status category departments receivedOn dueOn redoCount satisfaction
  posting { id } project { id } enterprise { id }"""
LOG = mutation(
    "logEnterpriseProblem",
    f"problemId consistencyToken posting {{ id openProblems problems {{ id status }} }} "
    f"request {{ {REQUEST} }}",
)
SOLVE = mutation("solveEnterpriseProblem", "posting { id openProblems problems { id status } }")
REFER = mutation("referRequest", f"project {{ id }} posting {{ id }} request {{ {REQUEST} }}")
RESOLVE = mutation("resolveRequest", f"posting {{ id openProblems }} request {{ {REQUEST} }}")
RATE = mutation("rateRequest", f"posting {{ id openProblems }} request {{ {REQUEST} }}")
RETURN = mutation("returnRequest", "request { id status returns { department reason } }")
EXTEND = mutation("extendRequestDeadline", "request { id dueOn extensions { workingDays } }")
RAISE = mutation("raiseRequest", "requestId consistencyToken")
QUEUE = """query($filter: EnterpriseRequestFilter) {
  enterpriseRequests(first: 20, filter: $filter) { totalCount nodes { id source posting { id } } }
}"""
REPLAY = """query($id: ID!, $version: Int) { secretaryPosting(id: $id, version: $version) {
  version openProblems problems { id status } } }"""
DASHBOARD = "{ dashboard { requestsByDepartment { department open overdue } } }"


async def posting(gql: OverHttp) -> tuple[str, str]:
    """A new posting's id and its secretary's officer id."""
    found = await ps.posting(gql)
    return found["id"], found["officer"]["id"]


async def log(gql: OverHttp, posting_id: str, officer_id: str, **fields: Any) -> Body:
    values = {"postingId": posting_id, "description": "厂房消防验收排期较慢"} | fields
    reply = await gql(LOG, {"input": values}, role=Role.OFFICER, sub=officer_id)
    found: Body = reply.data["logEnterpriseProblem"]
    return found


async def as_department(
    client: httpx.AsyncClient, api: Api, officer_id: str, dept: str, query: str, fields: Body
) -> Any:
    """`query` run by a registered officer whose `dept` claim is `dept`."""
    token = issue_token(api.secret, sub=officer_id, role=Role.OFFICER, name="科员", dept=dept)
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": {"input": fields}},
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.json()


async def test_the_secretary_logs_a_problem_as_an_enterprise_request_on_their_posting(
    gql: OverHttp,
) -> None:
    posting_id, officer_id = await posting(gql)
    logged = await log(gql, posting_id, officer_id)
    request = logged["request"]
    assert request["id"] == logged["problemId"]
    assert (request["source"], request["category"], request["status"]) == (
        "POSTING",
        "OTHER",
        "OPEN",
    )
    assert request["receivedOn"] == district_today().isoformat()
    assert request["posting"] == {"id": posting_id} and request["project"] is None
    assert logged["posting"]["openProblems"] == 1
    assert logged["posting"]["problems"] == [{"id": request["id"], "status": "OPEN"}]


async def test_the_secretary_solves_the_problem_and_the_posting_counts_none_open(
    gql: OverHttp,
) -> None:
    posting_id, officer_id = await posting(gql)
    problem_id = (await log(gql, posting_id, officer_id, category="POLICY"))["problemId"]
    fields = {"postingId": posting_id, "problemId": problem_id, "solution": "已上门辅导"}
    reply = await gql(SOLVE, {"input": fields}, role=Role.OFFICER, sub=officer_id)
    solved = reply.data["solveEnterpriseProblem"]["posting"]
    assert solved["openProblems"] == 0
    assert solved["problems"] == [{"id": problem_id, "status": "RESOLVED"}]


async def test_only_the_posted_officer_or_a_supervisor_logs_and_solves(gql: OverHttp) -> None:
    posting_id, officer_id = await posting(gql)
    problem_id = (await log(gql, posting_id, officer_id))["problemId"]
    stranger = await ps.secretary(gql)
    logging = {"input": {"postingId": posting_id, "description": "用工"}}
    solving = {"input": {"postingId": posting_id, "problemId": problem_id, "solution": "答复"}}
    for role, sub in (
        (Role.OFFICER, stranger),
        (Role.VIEWER, officer_id),
        (Role.AUDITOR, stranger),
    ):
        assert (await gql(LOG, logging, role=role, sub=sub)).code == "FORBIDDEN"
        assert (await gql(SOLVE, solving, role=role, sub=sub)).code == "FORBIDDEN"
    assert (await gql(LOG, logging, role=None)).code == "UNAUTHENTICATED"
    supervisor = await gql(SOLVE, solving)
    assert supervisor.data["solveEnterpriseProblem"]["posting"]["openProblems"] == 0


async def test_bad_inputs_are_refused_with_their_field(gql: OverHttp) -> None:
    posting_id, _ = await posting(gql)
    future = (district_today() + timedelta(days=2)).isoformat()
    values = {"postingId": posting_id, "description": "用工", "receivedOn": future}
    assert (await gql(LOG, {"input": values})).code == "RULE_VIOLATED"
    blank = await gql(LOG, {"input": {"postingId": posting_id, "description": " "}})
    assert (blank.code, blank.error["extensions"]["field"]) == ("INVALID_INPUT", "description")
    for wrong in (str(uuid.uuid4()), "not-an-id"):
        fields = {"postingId": posting_id, "problemId": wrong, "solution": "答复"}
        reply = await gql(SOLVE, {"input": fields})
        assert (reply.code, reply.error["extensions"]["field"]) == ("INVALID_INPUT", "problemId")


async def test_a_posting_ends_only_when_its_problems_are_solved_and_then_takes_none(
    gql: OverHttp,
) -> None:
    posting_id, officer_id = await posting(gql)
    problem_id = (await log(gql, posting_id, officer_id))["problemId"]
    end = {"input": {"postingId": posting_id, "on": support.days_ago(0)}}
    refused = await gql(ps.END, end)
    assert refused.code == "RULE_VIOLATED" and "still open" in refused.error["message"]
    solving = {"postingId": posting_id, "problemId": problem_id, "solution": "已答复"}
    await gql(SOLVE, {"input": solving})
    assert (await gql(ps.END, end)).data["endSecretaryPosting"]["posting"]["active"] is False
    again = await gql(LOG, {"input": {"postingId": posting_id, "description": "用工"}})
    assert again.code == "RULE_VIOLATED"
    # A redo would reopen work on a posting that is over, as on a closed project.
    redo = await gql(RATE, {"input": {"requestId": problem_id, "satisfaction": 1}})
    assert redo.code == "RULE_VIOLATED"
    good = await gql(RATE, {"input": {"requestId": problem_id, "satisfaction": 5}})
    assert good.data["rateRequest"]["request"]["satisfaction"] == 5


async def test_a_department_answers_a_referred_problem_and_a_low_rating_redoes_it(
    gql: OverHttp, client: httpx.AsyncClient, api: Api
) -> None:
    department = support.unique("区科技局")
    posting_id, officer_id = await posting(gql)
    problem_id = (await log(gql, posting_id, officer_id, category="PERMIT"))["problemId"]
    refer = {"input": {"requestId": problem_id, "departments": [department, "区工信局"]}}
    referred = (await gql(REFER, refer, role=Role.OFFICER, sub=officer_id)).data["referRequest"]
    assert referred["project"] is None and referred["posting"] == {"id": posting_id}
    assert referred["request"]["departments"] == [department, "区工信局"]
    staff = await ps.secretary(gql)
    resolve = {"requestId": problem_id, "resolution": "已安排验收"}
    foreign = await as_department(client, api, staff, "区财政局", RESOLVE, resolve)
    assert foreign["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    answered = await as_department(client, api, staff, department, RESOLVE, resolve)
    assert answered["data"]["resolveRequest"]["request"]["status"] == "RESOLVED"
    assert answered["data"]["resolveRequest"]["posting"]["openProblems"] == 0
    rate = {"input": {"requestId": problem_id, "satisfaction": 2}}
    assert (await gql(RATE, rate, role=Role.OFFICER, sub=staff)).code == "FORBIDDEN"
    redone = (await gql(RATE, rate, role=Role.OFFICER, sub=officer_id)).data["rateRequest"]
    assert (redone["request"]["status"], redone["request"]["redoCount"]) == ("OPEN", 1)
    assert redone["posting"]["openProblems"] == 1


async def test_a_department_returns_a_problem_and_a_supervisor_extends_it(
    gql: OverHttp, client: httpx.AsyncClient, api: Api
) -> None:
    department = support.unique("区人社局")
    posting_id, officer_id = await posting(gql)
    problem_id = (await log(gql, posting_id, officer_id))["problemId"]
    refer = {"input": {"requestId": problem_id, "departments": [department]}}
    await gql(REFER, refer, role=Role.OFFICER, sub=officer_id)
    staff = await ps.secretary(gql)
    fields = {"requestId": problem_id, "reason": "不属本局职责"}
    returned = await as_department(client, api, staff, department, RETURN, fields)
    assert returned["data"]["returnRequest"]["request"]["status"] == "OPEN"
    extend = {"input": {"requestId": problem_id, "workingDays": 3, "reason": "需现场核查"}}
    assert (await gql(EXTEND, extend, role=Role.OFFICER, sub=officer_id)).code == "FORBIDDEN"
    extended = (await gql(EXTEND, extend)).data["extendRequestDeadline"]["request"]
    assert extended["extensions"] == [{"workingDays": 3}]


async def test_a_departments_queue_shows_both_sources_and_filters_by_source_and_posting(
    gql: OverHttp,
) -> None:
    department = support.unique("区市场监管局")
    posting_id, officer_id = await posting(gql)
    problem_id = (await log(gql, posting_id, officer_id))["problemId"]
    await gql(REFER, {"input": {"requestId": problem_id, "departments": [department]}})
    project_id = (await support.project(gql))["project"]["id"]
    fields = {"projectId": project_id, "category": "OTHER", "description": "食品经营许可"}
    request_id = (await gql(RAISE, {"input": fields})).data["raiseRequest"]["requestId"]
    await gql(REFER, {"input": {"requestId": request_id, "departments": [department]}})

    async def queue(**filter: Any) -> Body:
        found: Body = (await gql(QUEUE, {"filter": filter})).data["enterpriseRequests"]
        return found

    both = await queue(department=department)
    assert {(n["id"], n["source"]) for n in both["nodes"]} == {
        (problem_id, "POSTING"),
        (request_id, "PROJECT"),
    }
    postings_only = await queue(department=department, source="POSTING")
    assert postings_only["nodes"] == [
        {"id": problem_id, "source": "POSTING", "posting": {"id": posting_id}}
    ]
    assert (await queue(postingId=posting_id))["totalCount"] == 1
    figures = (await gql(DASHBOARD)).data["dashboard"]["requestsByDepartment"]
    assert {"department": department, "open": 2, "overdue": 0} in figures


async def test_a_departments_screen_sees_a_problem_referred_to_it(gql: OverHttp, api: Api) -> None:
    department = support.unique("区应急管理局")
    posting_id, officer_id = await posting(gql)
    logged = await log(gql, posting_id, officer_id)
    changed = """subscription($department: String, $after: String) {
      requestChanged(department: $department, after: $after) { id source departments } }"""
    variables = {"department": department, "after": logged["consistencyToken"]}
    async with subscribed(api, Role.VIEWER, changed, variables) as ws:
        refer = {"input": {"requestId": logged["problemId"], "departments": [department]}}
        await gql(REFER, refer, role=Role.OFFICER, sub=officer_id)
        seen = (await next_payload(ws))["data"]["requestChanged"]
    assert seen == {"id": logged["problemId"], "source": "POSTING", "departments": [department]}


async def test_the_queue_filters_a_postings_problems_by_its_chain_and_district(
    gql: OverHttp,
) -> None:
    chain_id = (await support.chain(gql))["chain"]["id"]
    district = support.unique("黄埔区")
    enterprise_id = await ps.sme(gql, chainId=chain_id, district=district)
    posting = await ps.posting(gql, enterprise_id)
    problem_id = (await log(gql, posting["id"], posting["officer"]["id"]))["problemId"]
    for filter in ({"chainId": chain_id}, {"district": district}):
        found = (await gql(QUEUE, {"filter": filter})).data["enterpriseRequests"]
        assert [n["id"] for n in found["nodes"]] == [problem_id], filter
    other_chain = (await support.chain(gql))["chain"]["id"]
    elsewhere = await gql(QUEUE, {"filter": {"chainId": other_chain}})
    assert elsewhere.data["enterpriseRequests"]["totalCount"] == 0


async def test_a_replayed_posting_shows_its_problems_as_they_were_then(gql: OverHttp) -> None:
    posting_id, officer_id = await posting(gql)
    before = (await gql(REPLAY, {"id": posting_id})).data["secretaryPosting"]["version"]
    problem_id = (await log(gql, posting_id, officer_id))["problemId"]
    solving = {"postingId": posting_id, "problemId": problem_id, "solution": "已答复"}
    await gql(SOLVE, {"input": solving})

    async def at(version: int) -> Body:
        found: Body = (await gql(REPLAY, {"id": posting_id, "version": version})).data
        return found["secretaryPosting"]

    assert (await at(before))["problems"] == []
    logged = await at(before + 1)
    assert logged["openProblems"] == 1
    assert logged["problems"] == [{"id": problem_id, "status": "OPEN"}]
    solved = await at(before + 2)
    assert solved["problems"] == [{"id": problem_id, "status": "RESOLVED"}]
