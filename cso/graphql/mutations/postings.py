"""First secretaries: postFirstSecretary, recordSecretaryVisit, recordPartyBuildingGuidance,
logEnterpriseProblem, solveEnterpriseProblem, extendSecretaryTerm, endSecretaryPosting."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from cso.domain.secretary_posting import SecretaryPosting as PostingAggregate
from cso.graphql import fields
from cso.graphql.context import Context
from cso.graphql.enums import RequestCategory
from cso.graphql.mutations.common import ChangedPayload, MutationInput, run, written
from cso.graphql.scalars import parse_id, to_id
from cso.graphql.types.enterprise_request import EnterpriseRequest, load_written_request
from cso.graphql.types.posting import SecretaryPosting, posting_from_aggregate, postings_by_id
from cso.services import postings


@strawberry.input(description="A term starting within six months and running at most three years.")
class PostFirstSecretaryInput(MutationInput):
    enterprise_id: strawberry.ID
    officer_id: strawberry.ID
    sending_unit: str
    term_start: date
    term_end: date


@strawberry.input(description="A visit to the enterprise on a past day of the term.")
class RecordSecretaryVisitInput(MutationInput):
    posting_id: strawberry.ID
    on: date
    summary: str


@strawberry.input(description="Party-building guidance given on a past day of the term.")
class RecordPartyBuildingGuidanceInput(RecordSecretaryVisitInput):
    pass


@strawberry.input(description="An enterprise's problem (急难愁盼), an enterprise request.")
class LogEnterpriseProblemInput(MutationInput):
    posting_id: strawberry.ID
    description: str
    category: RequestCategory = RequestCategory.OTHER
    received_on: date | None = strawberry.field(
        default=None, description="The day the enterprise raised it; today when omitted."
    )


@strawberry.input(description="Resolves the problem's request.")
class SolveEnterpriseProblemInput(MutationInput):
    posting_id: strawberry.ID
    problem_id: strawberry.ID
    solution: str


@strawberry.input(description="The reason, when given, is kept with the extension.")
class ExtendSecretaryTermInput(MutationInput):
    posting_id: strawberry.ID
    term_end: date


@strawberry.input(description="Ends the posting on a day not in the future; no problem open.")
class EndSecretaryPostingInput(MutationInput):
    posting_id: strawberry.ID
    on: date


@strawberry.type(description="The posting after the change.")
class SecretaryPostingPayload(ChangedPayload):
    @fields.field("The posting after the change; read only when asked for.")
    async def posting(self, info: Info[Context, None]) -> SecretaryPosting:
        return await written(
            info,
            self.consistency_token,
            self.changed["posting"],
            postings_by_id,
            PostingAggregate,
            posting_from_aggregate,
        )


@strawberry.type(description="The posting and the id of the visit or guidance recorded.")
class PostingRecordPayload(SecretaryPostingPayload):
    @fields.field("The id of the visit or guidance record.")
    def record_id(self) -> strawberry.ID:
        return to_id(self.changed["record"])


@strawberry.type(description="The posting and the problem logged on it.")
class LogEnterpriseProblemPayload(SecretaryPostingPayload):
    @fields.field("The problem's id: the id of its enterprise request.")
    def problem_id(self) -> strawberry.ID:
        return to_id(self.changed["request"])

    @fields.field("The problem's enterprise request after the change.")
    async def request(self, info: Info[Context, None]) -> EnterpriseRequest | None:
        return await load_written_request(
            info.context, self.consistency_token, self.changed["request"]
        )


@strawberry.type
class PostingMutations:
    @fields.mutation("Supervisors. One active posting per enterprise (an SME) and per officer.")
    async def post_first_secretary(
        self, info: Info[Context, None], input: PostFirstSecretaryInput
    ) -> SecretaryPostingPayload:
        changed = await run(
            info,
            input,
            postings.post_first_secretary,
            enterprise_id=parse_id(input.enterprise_id, "enterpriseId"),
            officer_id=parse_id(input.officer_id, "officerId"),
            sending_unit=input.sending_unit,
            term_start=input.term_start,
            term_end=input.term_end,
        )
        return SecretaryPostingPayload.of(info, changed)

    @fields.mutation("The posted officer, or a supervisor.")
    async def record_secretary_visit(
        self, info: Info[Context, None], input: RecordSecretaryVisitInput
    ) -> PostingRecordPayload:
        changed = await run(
            info,
            input,
            postings.record_secretary_visit,
            posting_id=parse_id(input.posting_id, "postingId"),
            on=input.on,
            summary=input.summary,
        )
        return PostingRecordPayload.of(info, changed)

    @fields.mutation("The posted officer, or a supervisor.")
    async def record_party_building_guidance(
        self, info: Info[Context, None], input: RecordPartyBuildingGuidanceInput
    ) -> PostingRecordPayload:
        changed = await run(
            info,
            input,
            postings.record_party_building_guidance,
            posting_id=parse_id(input.posting_id, "postingId"),
            on=input.on,
            summary=input.summary,
        )
        return PostingRecordPayload.of(info, changed)

    @fields.mutation("The posted officer, or a supervisor; due in working days by category.")
    async def log_enterprise_problem(
        self, info: Info[Context, None], input: LogEnterpriseProblemInput
    ) -> LogEnterpriseProblemPayload:
        changed = await run(
            info,
            input,
            postings.log_enterprise_problem,
            posting_id=parse_id(input.posting_id, "postingId"),
            description=input.description,
            category=input.category,
            received_on=input.received_on,
        )
        return LogEnterpriseProblemPayload.of(info, changed)

    @fields.mutation("The posted officer, or a supervisor: the problem's request is resolved.")
    async def solve_enterprise_problem(
        self, info: Info[Context, None], input: SolveEnterpriseProblemInput
    ) -> SecretaryPostingPayload:
        changed = await run(
            info,
            input,
            postings.solve_enterprise_problem,
            posting_id=parse_id(input.posting_id, "postingId"),
            problem_id=parse_id(input.problem_id, "problemId"),
            solution=input.solution,
        )
        return SecretaryPostingPayload.of(info, changed)

    @fields.mutation("Supervisors: the term ends later.")
    async def extend_secretary_term(
        self, info: Info[Context, None], input: ExtendSecretaryTermInput
    ) -> SecretaryPostingPayload:
        changed = await run(
            info,
            input,
            postings.extend_secretary_term,
            posting_id=parse_id(input.posting_id, "postingId"),
            term_end=input.term_end,
        )
        return SecretaryPostingPayload.of(info, changed)

    @fields.mutation("Supervisors: the officer and the enterprise are free again.")
    async def end_secretary_posting(
        self, info: Info[Context, None], input: EndSecretaryPostingInput
    ) -> SecretaryPostingPayload:
        changed = await run(
            info,
            input,
            postings.end_secretary_posting,
            posting_id=parse_id(input.posting_id, "postingId"),
            on=input.on,
        )
        return SecretaryPostingPayload.of(info, changed)
