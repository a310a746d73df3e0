"""Strawberry's ASGI view, giving resolvers a typed Context.

Every answer is GraphQL-shaped, also for what the GraphQL layer never sees: a body that is
not a JSON object (`null`, a number, bytes that are not UTF-8), a method the endpoint does
not serve, a subscription sent over HTTP. Each is an error with `extensions.code` and the
correlation id, never a bare 500 or a plain-text 400.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from typing import Any, cast

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from cso.correlation import correlation_id_of
from cso.graphiql import graphiql_page
from cso.graphql.auth import InvalidCredentials, TokenRules, VerifiedTokens
from cso.graphql.context import Context
from cso.graphql.http_json import ALLOWED_METHODS, encoded_json, error_response
from cso.graphql.http_post import lean_post_serves, read_json_post, run_post
from cso.graphql.known_mutations import KnownMutations
from cso.graphql.persisted_queries import PersistedQueries, PersistedQueryError
from cso.graphql.response_cache import ResponseCache
from cso.graphql.response_cache_view import CachedExecution, refused
from cso.graphql.ws_protocol import CLOSE_EXPIRED, CheckedTransportWSHandler
from cso.runtime import Runtime

log = logging.getLogger("cso.graphql")

# An integer of 19 digits or more may not fit 64 bits (orjson would read it as a float).
LONG_DIGITS = re.compile(rb"\d{19}")
# Subscriptions are served over WebSocket only: over HTTP their resolver's generator would
# be answered as if it were a value.
HTTP_OPERATIONS = {
    "GET": {OperationType.QUERY},
    "POST": {OperationType.QUERY, OperationType.MUTATION},
}


class GraphQLView(GraphQL[Context, None]):
    """Strawberry's view with persisted queries, an optional response cache and orjson.

    `persisted_queries` resolves documents named by hash (persisted_queries.py; APQ by
    default); `response_cache`, when given, answers repeated queries (response_cache.py);
    `verified_tokens` keeps the credentials of bearer tokens already checked (auth.py).
    """

    graphql_transport_ws_handler_class = CheckedTransportWSHandler

    def __init__(
        self,
        schema: Any,
        *,
        persisted_queries: PersistedQueries | None = None,
        response_cache: ResponseCache | None = None,
        verified_tokens: VerifiedTokens | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(schema, **kwargs)
        self.persisted_queries = persisted_queries or PersistedQueries()
        self.response_cache = response_cache
        self.verified_tokens = verified_tokens or VerifiedTokens()
        self.lean_post = lean_post_serves(self)

    def decode_json(self, data: str | bytes) -> object:
        """The body's JSON as the standard library reads it, by orjson when that reads it
        alike: orjson refuses what the standard library accepts (a lone surrogate, which the
        API answers INVALID_INPUT naming the field; NaN; a BOM) and reads an integer past
        64 bits as a float, so a body it refuses, or with 19 digits in a row, goes to `json`."""
        if isinstance(data, bytes) and not LONG_DIGITS.search(data):
            try:
                return orjson.loads(data)
            except orjson.JSONDecodeError:
                pass
        return json.loads(data)

    def encode_json(self, data: object) -> str:
        # A str: WebSocket messages must go out as text frames (graphql-transport-ws).
        return encoded_json(data).decode()

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        """As strawberry's, but the body encoded once, by orjson, as UTF-8 (not ASCII escapes)."""
        response = Response(
            encoded_json(response_data),
            status_code=sub_response.status_code or 200,
            media_type="application/json",
        )
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        return response

    def should_render_graphql_ide(self, request: Any) -> bool:
        """As strawberry's, but not for a GET that names a persisted query by its hash."""
        if request.method != "GET":  # before the query string is parsed: a POST never is
            return False
        persisted = "extensions" in request.query_params
        return not persisted and super().should_render_graphql_ide(request)

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
            request = Request(scope, receive)
            if scope["method"] == "POST" and self.lean_post:
                response = await run_post(self, request)
            else:
                response = await self.run(request)
        except HTTPException as exc:
            response = error_response(scope, exc.status_code, "INVALID_INPUT", exc.reason)
        except Exception:
            correlation_id = correlation_id_of(scope)
            log.exception("internal error (correlation id %s)", correlation_id)
            response = error_response(scope, 500, "INTERNAL", "Internal error")
        await response(scope, receive, send)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        data: GraphQLRequestData | list[GraphQLRequestData] | None
        try:
            data = await read_json_post(self, request)
            if data is None:
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
        """As strawberry's, but for the operation types HTTP_OPERATIONS allows, with documents
        named by hash resolved first, and queries answered from the response cache if on."""
        try:
            document = self.persisted_queries.resolve(request_data.query, request_data.extensions)
        except PersistedQueryError as exc:
            return refused(context, sub_response, exc)
        if document is not None:
            request_data.query = document.text
        if document is None or self.response_cache is None:
            return await self._execute(request_adapter, context, root_value, request_data)
        execution = CachedExecution(
            self.response_cache,
            context,
            document,
            request_data,
            lambda: self._execute(request_adapter, context, root_value, request_data),
        )
        return await execution.run(sub_response)

    async def _execute(
        self,
        request_adapter: AsyncHTTPRequestAdapter,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        method = request_adapter.method
        known: KnownMutations | None = getattr(self.schema, "known_mutations", None)
        if known is not None and method == "POST":
            result = await known.execute(
                request_data.query,
                request_data.variables,
                request_data.operation_name,
                request_data.extensions,
                context,
            )
            if result is not None:
                return result
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
        self._authenticate(context, header)
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
            self._authenticate(context, str(header))
            if context.maybe_viewer is None:
                raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        if context.expires_at is not None and isinstance(context.request, WebSocket):
            socket = context.request
            socket.state.expiry = asyncio.create_task(_close_at(socket, context.expires_at))
        return cast(UnsetType, UNSET)  # strawberry's default acknowledgement

    def _authenticate(self, context: Context, header: str | None) -> None:
        settings = context.runtime.settings
        rules = TokenRules(settings.jwt_secret, settings.jwt_issuer, settings.jwt_audience)
        try:
            credentials = self.verified_tokens.credentials(header, rules)
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
