"""The typed context every resolver gets."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from cso.database import Reader
from cso.graphql.auth import Viewer
from cso.graphql.errors import Forbidden, Unauthenticated
from cso.graphql.snapshot import ReadSnapshot
from cso.runtime import Runtime
from cso.services.identity import Role


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    runtime: Runtime
    correlation_id: str
    maybe_viewer: Viewer | None = None
    auth_problem: str | None = None
    expires_at: float | None = None  # when the token's rights end (epoch seconds)
    consistency_token: str | None = None
    # Whether the read models reached the token, when the view already waited for it (the
    # response cache waits before its lookup; ReadYourWrites then does not wait again).
    consistency_reached: bool | None = None
    # Set when the answer recorded a personal-data read: it must run again every time.
    recorded_read: bool = False
    connection_params: dict[str, object] | None = None  # graphql-transport-ws connection_init
    snapshot: ReadSnapshot | None = None  # a query's reads, set by ReadYourWrites
    loaders: Any = None  # per-request DataLoaders, made on first use (cso.graphql.loaders)
    _detached_headers: dict[str, str] = field(default_factory=dict)

    @property
    def response_headers(self) -> MutableHeaders | dict[str, str]:
        """Headers of the HTTP response (a WebSocket message has none to carry them)."""
        if isinstance(self.response, Response):
            return self.response.headers
        return self._detached_headers

    @property
    def db(self) -> Reader:
        """Where resolvers read the read models: a query's one snapshot (see snapshot.py);
        outside a query (a mutation's payload, a subscription's result) the pool."""
        return self.snapshot if self.snapshot is not None else self.runtime.pool

    @property
    def viewer(self) -> Viewer:
        if self.maybe_viewer is None:
            raise Unauthenticated(self.auth_problem or "a bearer token is required")
        if self.expires_at is not None and time.time() >= self.expires_at:
            raise Unauthenticated("the token has expired")  # on a WebSocket opened before
        return self.maybe_viewer

    def require_role(self, *roles: Role) -> Viewer:
        viewer = self.viewer
        if viewer.role not in roles:
            raise Forbidden(f"the {viewer.role.value} role may not do this")
        return viewer
