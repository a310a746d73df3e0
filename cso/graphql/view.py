"""Strawberry's ASGI view, giving resolvers a typed Context."""

from __future__ import annotations

from typing import cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UNSET, UnsetType

from cso.correlation import correlation_id_of
from cso.graphiql import graphiql_page
from cso.graphql.auth import InvalidCredentials, viewer_from_authorization
from cso.graphql.context import Context
from cso.runtime import Runtime


class GraphQLView(GraphQL[Context, None]):
    async def render_graphql_ide(self, request: Request) -> Response:
        """Our GraphiQL page, whose assets this server serves (strawberry's loads a CDN)."""
        return graphiql_page(request.scope.get("root_path", ""))

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        runtime: Runtime = request.state.runtime
        context = Context(
            request=request,
            response=response,
            runtime=runtime,
            correlation_id=correlation_id_of(request.scope),
        )
        header = request.headers.get("authorization")
        await self._authenticate(context, header, runtime)
        context.consistency_token = request.headers.get("x-consistency-token") or None
        return context

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Subscriptions authenticate with `{"Authorization": "Bearer …"}` in connection_init."""
        params = context.connection_params or {}
        header = params.get("Authorization") or params.get("authorization")
        if header is not None:
            await self._authenticate(context, str(header), context.runtime)
            if context.maybe_viewer is None:
                raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        return cast(UnsetType, UNSET)  # strawberry's default acknowledgement

    @staticmethod
    async def _authenticate(context: Context, header: str | None, runtime: Runtime) -> None:
        try:
            context.maybe_viewer = viewer_from_authorization(header, runtime.settings.jwt_secret)
        except InvalidCredentials as exc:
            context.auth_problem = str(exc)
