"""Personal data in responses: opened with the subject's key, masked for those the policy
does not let read it, and every unmasked read recorded in the log before it is answered.

A resolver awaits `reveal`: the request's accesses made in the same tick are recorded in
one append (a DataLoader batch), and a value is returned only once that append committed —
a read that cannot be recorded fails instead of answering unmasked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from uuid import UUID

from cso.domain.personal_data import PersonalDataAccess
from cso.eventstore import Metadata
from cso.graphql.context import Context
from cso.graphql.loaders import loader
from cso.services.personal_data import ERASED, PREFIX, key_id_of, keys_by_id, unseal

Access = tuple[UUID, str, str]  # subject id, subject type, field (its GraphQL name)


async def _keys(context: Context, key_ids: list[UUID]) -> Sequence[bytes | None]:
    found = await keys_by_id(context.db, key_ids)
    return [found.get(key_id) for key_id in key_ids]


async def _record(context: Context, accesses: list[Access]) -> Sequence[None]:
    grouped: dict[tuple[UUID, str], set[str]] = {}
    for subject_id, subject_type, field in accesses:
        # Ids read from the database are asyncpg's own UUID class, which the codec refuses.
        grouped.setdefault((UUID(str(subject_id)), subject_type), set()).add(field)
    viewer = context.viewer
    context.recorded_read = True  # the response cache must not answer this again unlogged
    metadata = Metadata(actor=viewer.actor, correlation_id=context.correlation_id)
    await context.runtime.repository.save(PersonalDataAccess.record(grouped), metadata=metadata)
    return [None] * len(accesses)


async def reveal(
    context: Context,
    subject_id: UUID,
    subject_type: str,
    field: str,
    sealed: str,
    *,
    unmasked: bool,
    mask: Callable[[str], str] | None,
) -> str:
    """The field's value for this reader: opened, then masked (`mask`) unless `unmasked`;
    ERASED once the key that sealed it is destroyed. When the answer shows the value as it is,
    the access is recorded first. Raises whatever the append raises.

    Officers' phones registered before phones were sealed are read as they were stored
    (legacy plain text, not sealed), under the same masking and access log."""
    if sealed == ERASED:
        return ERASED
    if sealed.startswith(PREFIX):
        # The key the value names: a person's older values name a key erasure destroyed.
        key = await loader(context, _keys).load(key_id_of(subject_id, sealed))
        if key is None:
            return ERASED
        plain = unseal(key, subject_id, sealed)
    else:
        plain = sealed
    if not unmasked and mask is not None:
        return mask(plain)
    await loader(context, _record).load((subject_id, subject_type, field))
    return plain
