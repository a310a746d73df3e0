"""Refusals specific to the Project aggregate (request refusals live in project_requests)."""

from __future__ import annotations

from cso.domain.errors import InvalidValue, RuleViolation


class ProjectClosed(RuleViolation):
    """Nothing is recorded on a closed project."""


class DateInFuture(RuleViolation):
    """Dates are facts: none may lie after today."""


class DateBeforeSigning(RuleViolation):
    """Nothing about a project happens before it was signed."""


class MilestoneOutOfOrder(RuleViolation):
    """Milestones are reached one after another, in their fixed order."""


class MilestoneBeforePrevious(RuleViolation):
    """A milestone cannot be dated before the one reached before it."""


class CsoAlreadyAssigned(RuleViolation):
    """The officer is already this project's CSO."""


class ReassignmentNeedsReason(RuleViolation):
    """Replacing a project's CSO needs a reason."""


class NoCsoAssigned(RuleViolation):
    """No service is recorded on a project without a CSO."""


class UnknownServiceItem(InvalidValue):
    """The service plan has no such item."""

    def __init__(self, item: str) -> None:
        super().__init__("item", f"The service plan has no item {item!r}.")


class ServiceItemAlreadyCompleted(RuleViolation):
    """A service plan item is completed once."""


class OpenRequestsRemain(RuleViolation):
    """A project closes as OPERATING or RELOCATED only with every request resolved."""


class NotYetOperating(RuleViolation):
    """A project closes as OPERATING only after reaching the OPERATING milestone."""
