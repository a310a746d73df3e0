"""Building first-secretary postings over HTTP, as a client would."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.integration.graphql import support
from tests.integration.graphql.support import Body, Gql, mutation

POSTING_FIELDS = """posting { id version active termStart termEnd endedOn sendingUnit
  visitCount guidanceCount officer { id } enterprise { id workCovered } }
  consistencyToken"""

POST = mutation("postFirstSecretary", POSTING_FIELDS)
VISIT = mutation("recordSecretaryVisit", f"recordId {POSTING_FIELDS}")
GUIDANCE = mutation("recordPartyBuildingGuidance", f"recordId {POSTING_FIELDS}")
EXTEND = mutation("extendSecretaryTerm", POSTING_FIELDS)
END = mutation("endSecretaryPosting", POSTING_FIELDS)
DEACTIVATE = mutation("deactivateOfficer", "officer { id active }")
CHANGE_ROLES = mutation("changeOfficerRoles", "officer { id roles }")
RECORD_ORGANIZATION = mutation("recordPartyOrganization", "enterprise { id organisationCovered }")

TERM_START = support.days_ago(200)
TERM_END = (date.today() + timedelta(days=500)).isoformat()


async def secretary(gql: Gql, **overrides: Any) -> str:
    """A new active party member with the FIRST_SECRETARY role; their id."""
    body = await support.officer(gql, roles=["FIRST_SECRETARY"], **overrides)
    officer_id: str = body["officer"]["id"]
    return officer_id


async def sme(gql: Gql, **overrides: Any) -> str:
    """A new small or medium enterprise; its id."""
    enterprise_id: str = (await support.enterprise(gql, **overrides))["enterprise"]["id"]
    return enterprise_id


def posting_input(enterprise_id: str, officer_id: str, **overrides: Any) -> Body:
    defaults = {
        "enterpriseId": enterprise_id,
        "officerId": officer_id,
        "sendingUnit": "区科技局",
        "termStart": TERM_START,
        "termEnd": TERM_END,
    }
    return {"input": defaults | overrides}


async def posting(
    gql: Gql, enterprise_id: str | None = None, officer_id: str | None = None
) -> Body:
    """A new posting (of a new secretary to a new SME unless named): its payload's posting."""
    enterprise_id = enterprise_id or await sme(gql)
    officer_id = officer_id or await secretary(gql)
    reply = await gql(POST, posting_input(enterprise_id, officer_id))
    found: Body = reply.data["postFirstSecretary"]["posting"]
    return found
