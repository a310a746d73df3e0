"""How far ahead a date of housing and postings may lie: sane bounds against typing slips.

A bound is the district's practice, not a statute: first-secretary terms run one to three
years (组织部选派 practice), talent-housing leases a year or a few at a time. A date past its
bound is refused as InvalidValue naming the field, before any rule is looked at.
"""

from __future__ import annotations

from datetime import date, timedelta

from cso.domain.errors import InvalidValue

# A posting is decided a few months before the secretary arrives.
TERM_START_AHEAD = timedelta(days=183)
# A term runs at most three years; extensions keep it within six from its start.
TERM_YEARS = 3
TERM_WITH_EXTENSIONS_YEARS = 6
# A lease (or a renewal, counted from the lease's current end) runs at most five years.
LEASE_YEARS = 5


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def ensure_not_after(field: str, day: date, latest: date, why: str) -> date:
    """``day`` when it is on or before ``latest``. Raises InvalidValue(field) saying
    ``why`` (the bound, in words) otherwise."""
    if day > latest:
        raise InvalidValue(field, f"The date {day} is too far ahead: {why} ({latest}).")
    return day
