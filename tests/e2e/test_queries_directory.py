"""officer(s), enterprise(s), industryChains and the dashboard over HTTP."""

from __future__ import annotations

from cso.services.identity import Role
from tests.integration.graphql import support
from tests.integration.graphql.support import OverHttp

OFFICER = """query($id: ID!) { officer(id: $id) {
  id name department roles partyMember phone active version createdAt updatedAt
  history { type data } } }"""

OFFICERS = """query($filter: OfficerFilter, $first: Int, $after: String) {
  officers(first: $first, after: $after, filter: $filter, orderBy: { field: NAME }) {
    totalCount edges { node { name department active } } pageInfo { hasNextPage endCursor } } }"""

ENTERPRISES = """query($filter: EnterpriseFilter) { enterprises(filter: $filter) {
  totalCount edges { node { name sme partyOrganization } } } }"""

CHAINS = """{ industryChains { id name masters { name } coverage {
  enterprises organisationCovered workCovered organisationRate workRate } } }"""


async def wait(gql: OverHttp, token: str) -> None:
    """A query that sends the token returns once the read models include it."""
    reply = await gql("{ me { id } }", headers={"X-Consistency-Token": token})
    assert reply.data["me"]


async def test_a_viewer_reads_an_officer_with_the_phone_masked(gql: OverHttp) -> None:
    registered = await support.officer(gql, phone="13812345678")
    await wait(gql, registered["consistencyToken"])
    officer_id = registered["officer"]["id"]
    officer = (await gql(OFFICER, {"id": officer_id}, role=Role.VIEWER)).data["officer"]
    assert officer["name"] == "李明"
    assert officer["phone"] == "138****5678"
    assert officer["history"][0]["type"] == "Officer.Registered"
    assert officer["history"][0]["data"]["phone"].startswith("pd1:")  # sealed, not masked
    assert officer["createdAt"].endswith("+00:00")


async def test_an_officer_reads_their_own_phone_but_not_anothers(gql: OverHttp) -> None:
    mine = (await support.officer(gql, phone="13700001111"))["officer"]["id"]
    theirs = (await support.officer(gql, phone="13600002222"))["officer"]["id"]

    async def phone(officer_id: str) -> str:
        reply = await gql(OFFICER, {"id": officer_id}, role=Role.OFFICER, sub=mine)
        found: str = reply.data["officer"]["phone"]
        return found

    assert await phone(mine) == "13700001111"
    assert await phone(theirs) == "136****2222"


async def test_an_unknown_officer_is_null(gql: OverHttp) -> None:
    reply = await gql(OFFICER, {"id": "6f1c2a52-5b7e-4a43-9d84-0a6f3cbb2f11"}, role=Role.VIEWER)
    assert reply.data == {"officer": None}


async def test_reading_without_a_token_is_unauthenticated(gql: OverHttp) -> None:
    reply = await gql(OFFICERS, {}, role=None)
    assert reply.code == "UNAUTHENTICATED"


async def test_officers_are_filtered_by_department_role_and_activity(gql: OverHttp) -> None:
    department = support.unique("区商务局")
    await support.officer(gql, name="Charlie", department=department, roles=["CSO"])
    await support.officer(gql, name="Bravo", department=department, roles=["CASO"])
    last = await support.officer(gql, name="Alpha", department=department, roles=["CSO", "CASO"])
    await wait(gql, last["consistencyToken"])

    async def names(**filter: object) -> list[str]:
        reply = await gql(OFFICERS, {"filter": {"department": department, **filter}})
        return [edge["node"]["name"] for edge in reply.data["officers"]["edges"]]

    assert await names() == ["Alpha", "Bravo", "Charlie"]
    assert await names(role="CASO") == ["Alpha", "Bravo"]
    assert await names(active=False) == []


async def test_enterprises_are_filtered_by_chain_sme_organisation_and_search(
    gql: OverHttp,
) -> None:
    chain_id = (await support.chain(gql))["chain"]["id"]
    small = (await support.enterprise(gql, name="小微甲", chainId=chain_id))["enterprise"]
    await support.enterprise(gql, name="大型乙", chainId=chain_id, sme=False)
    recorded = await gql(
        """mutation($input: RecordPartyOrganizationInput!) {
             recordPartyOrganization(input: $input) { consistencyToken } }""",
        {"input": {"enterpriseId": small["id"], "kind": "BRANCH", "memberCount": 3}},
    )
    await wait(gql, recorded.data["recordPartyOrganization"]["consistencyToken"])

    async def names(**filter: object) -> list[str]:
        reply = await gql(
            ENTERPRISES, {"filter": {"chainId": chain_id, **filter}}, role=Role.VIEWER
        )
        return [edge["node"]["name"] for edge in reply.data["enterprises"]["edges"]]

    assert await names() == ["小微甲", "大型乙"]
    assert await names(sme=True) == ["小微甲"]
    assert await names(hasPartyOrganization=True) == ["小微甲"]
    assert await names(search="大型") == ["大型乙"]


async def test_an_enterprise_is_read_by_id(gql: OverHttp) -> None:
    enterprise = (await support.enterprise(gql, name="单查公司"))["enterprise"]
    reply = await gql(
        "query($id: ID!) { enterprise(id: $id) { id name version history { type } } }",
        {"id": enterprise["id"]},
        role=Role.VIEWER,
    )
    assert reply.data["enterprise"] == {
        "id": enterprise["id"],
        "name": "单查公司",
        "version": 1,
        "history": [{"type": "Enterprise.Registered"}],
    }


async def test_industry_chains_show_their_masters_and_two_coverages(gql: OverHttp) -> None:
    chain = (await support.chain(gql))["chain"]
    covered = (await support.enterprise(gql, name="有支部", chainId=chain["id"]))["enterprise"]
    await support.enterprise(gql, name="无支部", chainId=chain["id"])
    await gql(
        """mutation($input: RecordPartyOrganizationInput!) {
             recordPartyOrganization(input: $input) { consistencyToken } }""",
        {"input": {"enterpriseId": covered["id"], "kind": "BRANCH", "memberCount": 3}},
    )
    designated = await gql(
        """mutation($input: DesignateChainMasterInput!) {
             designateChainMaster(input: $input) { consistencyToken } }""",
        {"input": {"chainId": chain["id"], "enterpriseId": covered["id"]}},
    )
    await wait(gql, designated.data["designateChainMaster"]["consistencyToken"])
    chains = (await gql(CHAINS, role=Role.VIEWER)).data["industryChains"]
    found = next(c for c in chains if c["id"] == chain["id"])
    assert found["masters"] == [{"name": "有支部"}]
    one = await gql(
        "query($id: ID!) { industryChain(id: $id) { id coverage { enterprises } } }",
        {"id": chain["id"]},
        role=Role.VIEWER,
    )
    assert one.data["industryChain"] == {"id": chain["id"], "coverage": {"enterprises": 2}}
    assert found["coverage"] == {
        "enterprises": 2,
        "organisationCovered": 1,
        "workCovered": 1,
        "organisationRate": 0.5,
        "workRate": 0.5,
    }


async def test_the_dashboard_counts_projects_by_stage_and_open_requests(gql: OverHttp) -> None:
    project_id, _ = await support.project_with_cso(gql)
    raised = await gql(
        """mutation($input: RaiseRequestInput!) { raiseRequest(input: $input) {
             consistencyToken } }""",
        {"input": {"projectId": project_id, "category": "PERMIT", "description": "许可"}},
    )
    await wait(gql, raised.data["raiseRequest"]["consistencyToken"])
    dashboard = (
        await gql(
            """{ dashboard { projectsByStage { stage count } openRequests overdueRequests
                 medianDaysSigningToConstruction housingOccupancyRate
                 organisationCoverageRate workCoverageRate } }""",
            role=Role.VIEWER,
        )
    ).data["dashboard"]
    stages = [row["stage"] for row in dashboard["projectsByStage"]]
    assert stages[0] == "SIGNED" and stages[-1] == "CLOSED"
    assert dashboard["projectsByStage"][0]["count"] >= 1
    assert dashboard["openRequests"] >= 1
