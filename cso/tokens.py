"""Bearer tokens for people in the data: an officer looked up by name or id in the officers
read model (`rm_officers`), with their department as the token's `dept` claim."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cso.database import Reader
from cso.graphql.auth import issue_token
from cso.projections.officers import active_officer_names, officers_named
from cso.services.identity import Role


class OfficerNotFound(LookupError):
    """No officer, or more than one, answers to the name or id given."""


@dataclass(frozen=True, slots=True)
class OfficerIdentity:
    id: str
    name: str
    department: str
    active: bool

    def token(
        self,
        secret: str,
        ttl_seconds: int = 12 * 3600,
        issuer: str | None = None,
        audience: str | None = None,
    ) -> str:
        """A signed officer token: sub = officer id, dept = their department."""
        return issue_token(
            secret,
            sub=self.id,
            role=Role.OFFICER,
            name=self.name,
            dept=self.department,
            ttl_seconds=ttl_seconds,
            issuer=issuer,
            audience=audience,
        )


async def find_officer(db: Reader, name_or_id: str) -> OfficerIdentity:
    """The one officer whose id or exact name is `name_or_id`. Raises OfficerNotFound
    (saying which officers share the name when several do)."""
    rows = await officers_named(db, name_or_id.strip())
    if len(rows) == 1:
        return _identity(rows[0])
    if not rows:
        examples = ", ".join(await active_officer_names(db, 5)) or "none registered yet"
        raise OfficerNotFound(f"no officer is named or has the id {name_or_id!r} ({examples})")
    twins = "; ".join(f"{row['id']} ({row['department']})" for row in rows)
    raise OfficerNotFound(f"{len(rows)} officers are named {name_or_id!r}; give an id: {twins}")


def _identity(row: Any) -> OfficerIdentity:
    return OfficerIdentity(str(row["id"]), row["name"], row["department"], row["active"])
