"""Strawberry's ASGI view, giving resolvers a typed Context.

Every answer is GraphQL-shaped, also for what the GraphQL layer never sees: a body that is
not a JSON object (`null`, a number, bytes that are not UTF-8), a method the endpoint does
not serve, a subscription sent over HTTP. Each is an error with `extensions.code` and the
correlation id, never a bare 500 or a plain-text 400.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any, cast

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from cso.correlation import correlation_id_of
from cso.graphiql import graphiql_page
from cso.graphql.auth import InvalidCredentials, TokenRules, credentials_from_authorization
from cso.graphql.context import Context
from cso.graphql.errors import capped_message
from cso.graphql.ws_protocol import CLOSE_EXPIRED, CheckedTransportWSHandler
from cso.runtime import Runtime

log = logging.getLogger("cso.graphql")

ALLOWED_METHODS = "GET, POST, OPTIONS"
# Subscriptions are served over WebSocket only: over HTTP their resolver's generator would
# be answered as if it were a value.
HTTP_OPERATIONS = {
    "GET": {OperationType.QUERY},
    "POST": {OperationType.QUERY, OperationType.MUTATION},
}


class GraphQLView(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = CheckedTransportWSHandler

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our GraphiQL page, whose assets this server serves (strawberry's loads a CDN)."""
        return graphiql_page(request.scope.get("root_path", ""))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":  # not a CORS preflight: that is answered before
            await Response(status_code=204, headers={"Allow": ALLOWED_METHODS})(
                scope, receive, send
            )
            return
        try:
            response = await self.run(Request(scope, receive))
        except HTTPException as exc:
            response = _error_response(scope, exc.status_code, "INVALID_INPUT", exc.reason)
        except Exception:
            correlation_id = correlation_id_of(scope)
            log.exception("internal error (correlation id %s)", correlation_id)
            response = _error_response(scope, 500, "INTERNAL", "Internal error")
        await response(scope, receive, send)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        try:
            data = await super().parse_http_body(request)
        except HTTPException:
            raise
        except (ValueError, AttributeError, TypeError, RecursionError) as exc:
            # Bytes that are not UTF-8 (UnicodeDecodeError is a ValueError), a body that is
            # JSON but not an object (`null`, `5`, `"x"`), or nested too deep to decode.
            raise HTTPException(
                400, "The request body must be a JSON object in UTF-8: {query, variables, …}."
            ) from exc
        if isinstance(data, GraphQLRequestData) and not isinstance(data.operation_name, str | None):
            raise HTTPException(400, "The GraphQL operation's `operationName` must be a string.")
        return data

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """As strawberry's, but for the operation types HTTP_OPERATIONS allows."""
        method = request_adapter.method
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=HTTP_OPERATIONS.get(method, set()),
                operation_extensions=request_data.extensions,
            )
        except CannotGetOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason()) from exc
        except InvalidOperationTypeError as exc:
            reason = exc.as_http_error_reason(method)
            if exc.operation_type is OperationType.SUBSCRIPTION:
                reason += "; subscribe over WebSocket (graphql-transport-ws)"
            raise HTTPException(400, reason) from exc
        except MissingQueryError as exc:
            raise HTTPException(400, "No GraphQL query found in the request") from exc

    async def run(
        self,
        request: Request | WebSocket,
        context: Context | UnsetType = UNSET,
        root_value: UnsetType | None = UNSET,
    ) -> Any:
        try:
            return await super().run(request, context, root_value)  # type: ignore[arg-type]
        finally:
            expiry = getattr(request.state, "expiry", None)
            if expiry is not None:
                expiry.cancel()

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
        _authenticate(context, header, runtime)
        context.consistency_token = request.headers.get("x-consistency-token") or None
        return context

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Subscriptions authenticate with `{"Authorization": "Bearer …"}` in connection_init.

        The socket is closed with 4401 when the token expires (API.md: a token's rights end
        when it expires, also on an open WebSocket).
        """
        params = context.connection_params or {}
        header = params.get("Authorization") or params.get("authorization")
        if header is not None:
            _authenticate(context, str(header), context.runtime)
            if context.maybe_viewer is None:
                raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        if context.expires_at is not None and isinstance(context.request, WebSocket):
            socket = context.request
            socket.state.expiry = asyncio.create_task(_close_at(socket, context.expires_at))
        return cast(UnsetType, UNSET)  # strawberry's default acknowledgement


def _authenticate(context: Context, header: str | None, runtime: Runtime) -> None:
    settings = runtime.settings
    rules = TokenRules(settings.jwt_secret, settings.jwt_issuer, settings.jwt_audience)
    try:
        credentials = credentials_from_authorization(header, rules)
    except InvalidCredentials as exc:
        context.maybe_viewer, context.expires_at = None, None
        context.auth_problem = str(exc)
        return
    context.maybe_viewer = credentials.viewer if credentials else None
    context.expires_at = credentials.expires_at if credentials else None


async def _close_at(socket: WebSocket, expires_at: float) -> None:
    # In steps: a far-off `exp` (1e30 is a valid JSON number) would overflow one long sleep.
    while (left := expires_at - time.time()) > 0:
        await asyncio.sleep(min(left, 3600))
    with contextlib.suppress(RuntimeError):  # already closed
        await socket.close(code=CLOSE_EXPIRED, reason="the token has expired")


def _error_response(scope: Scope, status: int, code: str, message: str) -> Response:
    extensions = {"code": code, "correlationId": correlation_id_of(scope)}
    body = {"errors": [{"message": capped_message(message), "extensions": extensions}]}
    headers = {"Allow": ALLOWED_METHODS} if status == 405 else None
    return JSONResponse(body, status_code=status, headers=headers)
