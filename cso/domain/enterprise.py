"""Enterprise: a company served in the district, and its party organisation."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from cso.domain.enums import PartyOrganizationKind
from cso.domain.errors import InvalidValue, RuleViolation
from cso.domain.values import optional_text, require_enum, require_text, validate_credit_code

# CPC Constitution art. 30: a primary organisation needs three full members.
# The 50 (general branch) and 100 (committee) thresholds admit exceptions
# approved by the higher organisation, so they are not enforced here.
MIN_MEMBERS_FOR_ORGANISATION = 3


def organisation_coverage(kind: PartyOrganizationKind) -> bool:
    """Organisation coverage (组织覆盖): the enterprise has a party organisation."""
    return kind is not PartyOrganizationKind.NONE


def work_coverage(organisation_covered: bool, has_first_secretary: bool) -> bool:
    """Work coverage (工作覆盖): organisation covered, or a first secretary posted."""
    return organisation_covered or has_first_secretary


class PartyOrganizationInconsistent(RuleViolation):
    """The organisation kind and member count contradict each other."""


class PostingRequiresSme(RuleViolation):
    """First secretaries are posted only to small and medium enterprises."""


class SecretaryAlreadyPosted(RuleViolation):
    """An enterprise has at most one active first secretary."""


class PostingNotActive(RuleViolation):
    """The posting to end is not the enterprise's active posting."""


class Enterprise(Aggregate):
    """Name, credit code, district, park, SME flag, chain; the party organisation and the
    active first-secretary posting, which decide the two coverages (两个覆盖)."""

    @event("Registered")
    def __init__(
        self,
        name: str,
        credit_code: str,
        district: str,
        park: str | None,
        sme: bool,
        chain_id: UUID | None,
    ) -> None:
        self.name = name
        self.credit_code = credit_code
        self.district = district
        self.park = park
        self.sme = sme
        self.chain_id = chain_id
        self.party_organization = PartyOrganizationKind.NONE
        self.party_member_count = 0
        self.active_posting_id: UUID | None = None

    @classmethod
    def register(
        cls,
        name: str,
        credit_code: str,
        district: str,
        park: str | None,
        sme: bool,
        chain_id: UUID | None,
    ) -> Enterprise:
        # Credit-code uniqueness is kept by the store's reservation table.
        if not isinstance(sme, bool):
            raise InvalidValue("sme", "The SME flag must be true or false.")
        return cls(
            name=require_text("name", name),
            credit_code=validate_credit_code(credit_code),
            district=require_text("district", district),
            park=optional_text("park", park),
            sme=sme,
            chain_id=chain_id,
        )

    def record_party_organization(self, kind: PartyOrganizationKind, member_count: int) -> None:
        """Record the current organisation; the same facts again change nothing."""
        kind = require_enum("kind", kind, PartyOrganizationKind)
        if isinstance(member_count, bool) or not isinstance(member_count, int):
            raise InvalidValue("memberCount", "The member count must be a whole number.")
        if member_count < 0:
            raise InvalidValue("memberCount", "The member count cannot be negative.")
        if kind is PartyOrganizationKind.NONE and member_count != 0:
            raise PartyOrganizationInconsistent(
                "Without a party organisation the member count must be 0."
            )
        if kind is not PartyOrganizationKind.NONE and member_count < MIN_MEMBERS_FOR_ORGANISATION:
            raise PartyOrganizationInconsistent(
                f"A party {kind.value.lower().replace('_', ' ')} needs at least "
                f"{MIN_MEMBERS_FOR_ORGANISATION} full members."
            )
        if (kind, member_count) == (self.party_organization, self.party_member_count):
            return
        before = self.coverage
        self._record_party_organization(kind=kind, member_count=member_count)
        self._decide_coverage(before)

    @event("PartyOrganizationRecorded")
    def _record_party_organization(self, kind: PartyOrganizationKind, member_count: int) -> None:
        self.party_organization = kind
        self.party_member_count = member_count

    @property
    def organisation_covered(self) -> bool:
        return organisation_coverage(self.party_organization)

    def work_covered(self, has_active_secretary: bool | None = None) -> bool:
        """Organisation covered, or a first secretary posted.

        Without an argument the enterprise's own active posting decides.
        """
        if has_active_secretary is None:
            has_active_secretary = self.active_posting_id is not None
        return work_coverage(self.organisation_covered, has_active_secretary)

    @property
    def coverage(self) -> tuple[bool, bool]:
        """(organisation covered, work covered) as the enterprise stands."""
        return self.organisation_covered, self.work_covered()

    def _decide_coverage(self, before: tuple[bool, bool]) -> None:
        """Record the two coverages when a change of organisation or posting changed them:
        the read models store what this event says, and decide nothing themselves."""
        organisation, work = self.coverage
        if (organisation, work) != before:
            self._cover(organisation_covered=organisation, work_covered=work)

    @event("CoverageChanged")
    def _cover(self, organisation_covered: bool, work_covered: bool) -> None:
        """The state already holds what decides coverage; the event tells the read models."""

    def begin_posting(self, posting_id: UUID) -> None:
        """Called by `SecretaryPosting.post`, in the same append. Raises PostingRequiresSme,
        SecretaryAlreadyPosted."""
        if not self.sme:
            raise PostingRequiresSme(
                f"{self.name} is not a small or medium enterprise; "
                "first secretaries are posted only to SMEs."
            )
        if self.active_posting_id is not None:
            raise SecretaryAlreadyPosted(
                f"{self.name} already has an active first secretary; an enterprise has at most one."
            )
        before = self.coverage
        self._begin_posting(posting_id=posting_id)
        self._decide_coverage(before)

    @event("FirstSecretaryPosted")
    def _begin_posting(self, posting_id: UUID) -> None:
        self.active_posting_id = posting_id

    def end_posting(self, posting_id: UUID) -> None:
        """Called by `SecretaryPosting.end`, in the same append. Raises PostingNotActive."""
        if self.active_posting_id != posting_id:
            raise PostingNotActive(f"Posting {posting_id} is not {self.name}'s active posting.")
        before = self.coverage
        self._end_posting(posting_id=posting_id)
        self._decide_coverage(before)

    @event("FirstSecretaryPostingEnded")
    def _end_posting(self, posting_id: UUID) -> None:
        self.active_posting_id = None
