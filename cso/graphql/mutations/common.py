"""What every mutation shares: the command's envelope, the token, the changed object read lazily."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import date
from enum import Enum
from typing import Any, Concatenate, ParamSpec, Self, TypeVar
from uuid import UUID

import strawberry
from eventsourcing.domain import Aggregate
from strawberry.types import Info

from cso.graphql.consistency import WAIT_SECONDS
from cso.graphql.context import Context
from cso.graphql.loaders import Batch, loader
from cso.graphql.types.common import view_aggregate
from cso.services.application import Application, Changed, Command
from cso.services.errors import NotFound

A = TypeVar("A", bound=Aggregate)
T = TypeVar("T")
P = ParamSpec("P")

CONSISTENCY_HEADER = "X-Consistency-Token"


@strawberry.input
class MutationInput:
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with CONFLICT unless the object is at this version."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="A retry with the same key returns the first result."
    )
    reason: str | None = strawberry.field(default=None, description="Why; kept with the events.")


def command(info: Info[Context, None], input: MutationInput) -> Command:
    context = info.context
    return Command(
        principal=context.viewer,
        correlation_id=context.correlation_id,
        reason=input.reason,
        idempotency_key=input.idempotency_key,
        expected_version=input.expected_version,
        # The fingerprint is compared only with a key's first request (services.application
        # `replay`): without a key, the mutation's name is all a command's span shows.
        operation=(
            info.field_name if input.idempotency_key is None else operation(info.field_name, input)
        ),
    )


def operation(mutation: str, input: MutationInput) -> str:
    """The mutation and a hash of its input (but the idempotency key): the same request
    sent again has the same fingerprint, any other request another one."""
    fields = _plain(input)
    fields.pop("idempotency_key", None)
    canonical = json.dumps(fields, sort_keys=True, default=_canonical, separators=(",", ":"))
    return f"{mutation}:{hashlib.sha256(canonical.encode()).hexdigest()}"


def _plain(value: Any) -> Any:
    """`value` as `dataclasses.asdict` gives it, for the JSON of a fingerprint (which must
    not change: a retry's fingerprint is compared with the first request's), without its
    deep copy of every leaf: a third of what computing a fingerprint cost."""
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {_plain(key): _plain(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def _canonical(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)  # Decimal, UUID, and whatever else an input holds


def application(info: Info[Context, None]) -> Application:
    return info.context.runtime.application


async def run(
    info: Info[Context, None],
    input: MutationInput,
    use_case: Callable[Concatenate[Application, Command, P], Awaitable[Changed]],
    *args: P.args,
    **kwargs: P.kwargs,
) -> Changed:
    """Runs a use case of `cso.services` on the request's application, as the command the
    mutation's input makes (who, why, idempotency key, expected version)."""
    return await use_case(application(info), command(info, input), *args, **kwargs)


def consistency_token(info: Info[Context, None], changed: Changed) -> str:
    """The token, also sent as the X-Consistency-Token response header."""
    info.context.response_headers[CONSISTENCY_HEADER] = changed.token
    return changed.token


@strawberry.type
class ChangedPayload:
    """A payload's token; its subclass resolves the changed object from `changed` lazily."""

    consistency_token: str
    changed: strawberry.Private[Changed]

    @classmethod
    def of(cls, info: Info[Context, None], changed: Changed) -> Self:
        return cls(consistency_token=consistency_token(info, changed), changed=changed)


async def written(
    info: Info[Context, None],
    token: str,
    aggregate_id: UUID,
    batch: Batch[UUID, T | None],
    kind: type[A],
    view: Callable[[A], T],
) -> T:
    """A payload's changed object, read only when the client asks for it (read your writes).

    Waits (at most WAIT_SECONDS) until the read models include the mutation's token, then
    reads the object through its type's batch; when they do not in time, or lack the object,
    the aggregate's view answers instead.
    """
    context = info.context
    if await context.runtime.projections.wait_for(token, WAIT_SECONDS):
        objects = loader(context, batch)
        # An earlier mutation of this request may have read it; strawberry's clear() raises
        # KeyError when nothing was read, which is the common case.
        with contextlib.suppress(KeyError):
            objects.clear(aggregate_id)
        found = await objects.load(aggregate_id)
        if found is not None:
            return found
    return await fresh(info, aggregate_id, kind, view)


async def fresh(
    info: Info[Context, None], aggregate_id: UUID, kind: type[A], view: Callable[[A], T]
) -> T:
    """The changed object as it is now, read from its events (read models may lag)."""
    found = await view_aggregate(info.context, aggregate_id, kind, view)
    if found is None:
        raise NotFound(f"no {kind.__name__} with id {aggregate_id}")
    return found
