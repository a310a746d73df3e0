"""A POST to the GraphQL endpoint, served with less of Strawberry's per-request machinery.

Strawberry's `run` serves every request kind: it checks each result against runtime
protocols (an `isinstance` on a Protocol costs microseconds) and parses the content type
with an `email.Message`. For a POST, with no streaming transport, batching or root value
configured, what it does comes down to `run_post`'s few steps, each through the view's
own hooks (context, body, execution, response), so the answer is the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData, process_result

if TYPE_CHECKING:
    from cso.graphql.view import GraphQLView

# Content types read without a general parser (exactly these: Strawberry's, the reference
# for anything else, refuses `Application/JSON`, say).
JSON_CONTENT_TYPES = frozenset(
    f"application/json{parameter}"
    for parameter in ("", "; charset=utf-8", ";charset=utf-8", "; charset=UTF-8", ";charset=UTF-8")
)


def lean_post_serves(view: GraphQLView) -> bool:
    """Whether `run_post` answers a POST as Strawberry's `run` would for this view: no
    streaming transport, no batching, the default root value and result processing."""
    cls = type(view)
    return (
        not view._stream_transport_map
        and view.schema.config.batching_config is None
        and cls.get_root_value is GraphQL.get_root_value
        and cls.process_result is GraphQL.process_result
    )


async def run_post(view: GraphQLView, request: Request) -> Response:
    """Strawberry's `run` for a POST (see `lean_post_serves`). Raises HTTPException for a
    body it refuses, as `run` does."""
    adapter = view.request_adapter_class(request)
    sub_response = await view.get_sub_response(request)
    context = await view.get_context(request, response=sub_response)
    data = await view.parse_http_body(adapter)
    if not isinstance(data, GraphQLRequestData):  # never: a batch is refused without batching
        raise HTTPException(400, "Batching is not enabled")
    result = await view.execute_single(request, adapter, sub_response, context, None, data)
    return view.create_response(process_result(result), sub_response)


async def read_json_post(
    view: GraphQLView, request: AsyncHTTPRequestAdapter
) -> GraphQLRequestData | None:
    """A POST of one JSON object as `application/json` (the usual request), read as
    Strawberry would, without its content-type parser (an email.Message per request);
    None for anything else, which Strawberry's own parser reads."""
    content_type = request.content_type
    if (
        request.method != "POST"
        or content_type is None
        or content_type not in JSON_CONTENT_TYPES
        or view._stream_transport_map
    ):
        return None
    data = view.parse_json(await request.get_body())
    if not isinstance(data, dict):
        return None  # a batch, or JSON that is not an object: Strawberry's answer
    query, variables = data.get("query"), data.get("variables")
    extensions = data.get("extensions")
    if not (
        isinstance(query, str | None)
        and isinstance(variables, dict | None)
        and isinstance(extensions, dict | None)
    ):
        return None  # each is refused, in Strawberry's order, with its own message
    return GraphQLRequestData(
        query=query,
        variables=variables,
        operation_name=data.get("operationName"),
        extensions=extensions,
        protocol="http",
    )
