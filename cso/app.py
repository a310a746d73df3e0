"""The composition root: the lifespan builds the runtime once; routes get it from request state."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from cso.correlation import CorrelationMiddleware
from cso.database import create_pool, resolve_database_url
from cso.domain.enums import DOMAIN_ENUMS
from cso.eventstore import Codec, Listener, Repository
from cso.eventstore.fanout import Fanout
from cso.graphiql import ASSETS_PATH, asset
from cso.graphql.persisted_queries import PersistedQueries
from cso.graphql.response_cache import ResponseCache
from cso.graphql.schema import build_schema
from cso.graphql.view import GraphQLView
from cso.graphql.ws_protocol import WebSocketLimits
from cso.limits import BodySizeLimit, RequestTimeout
from cso.logs import RequestLog, configure_logging
from cso.metrics import MeasuredEventStore, Metrics
from cso.migrations import migrate, pending_migrations
from cso.projections import ALL_PROJECTIONS
from cso.projections.supervisor import ProjectionSupervisor
from cso.runtime import Runtime, local_today, settle_heap
from cso.services.application import Application
from cso.settings import Settings
from cso.tracing import Tracing

log = logging.getLogger("cso")

# "1": the app accepts no connection until the read models hold the log (see create_app).
CATCH_UP_FIRST = "CSO_CATCH_UP_FIRST"


@contextlib.asynccontextmanager
async def open_runtime(
    settings: Settings, tracing: Tracing | None = None
) -> AsyncIterator[Runtime]:
    """Pool, migrations, store, repository and listener, opened and closed together; with
    `tracing`, every command runs in a span."""
    url = resolve_database_url(settings.database_url, settings.data_dir)
    pool = await create_pool(
        url,
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        idle_in_transaction_timeout_ms=settings.idle_in_transaction_timeout_ms,
    )
    read_pool = await create_pool(
        url,
        min_size=1,
        max_size=settings.read_pool_max_size,
        idle_in_transaction_timeout_ms=settings.idle_in_transaction_timeout_ms,
    )
    try:
        async with pool.acquire() as conn:
            applied = await migrate(conn)
        if applied:
            log.info("applied migrations: %s", ", ".join(f"{m.version:04d}" for m in applied))
        metrics = Metrics()
        store = MeasuredEventStore(pool, metrics)
        repository = Repository(
            store,
            Codec(DOMAIN_ENUMS),
            snapshot_interval=settings.snapshot_interval,
            cache_size=settings.cache_size,
        )
        listener = Listener(url)
        await listener.start()
        codec = repository.codec
        projections = ProjectionSupervisor(
            ALL_PROJECTIONS, database_url=url, store=store, codec=codec, listener=listener
        )
        today = partial(local_today, ZoneInfo(settings.timezone))
        runtime = Runtime(
            settings,
            url,
            pool,
            read_pool,
            store,
            repository,
            listener,
            tracing.application(repository, store, today)
            if tracing
            else Application(repository, store, today),
            projections,
            Fanout(store, listener),
            metrics,
        )
        # The newest event, not `head`: an older transaction left open (anywhere on the
        # server: xids are cluster-wide) would make `head` START, and ready at once.
        runtime.catch_up.token = (await store.newest()).token()
        if settings.run_projections:
            await projections.start()
        try:
            yield runtime
        finally:
            await runtime.fanout.stop()
            await projections.stop()
            await listener.stop()
            await store.close()
    finally:
        await read_pool.close()
        await pool.close()


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    runtime: Runtime = request.state.runtime
    try:
        async with runtime.pool.acquire(timeout=2) as conn:
            pending = await pending_migrations(conn)
    except Exception as exc:  # any failure here means "not ready", and says why
        return JSONResponse({"status": "unavailable", "reason": str(exc)}, status_code=503)
    if pending:
        names = [f"{m.version:04d}_{m.name}" for m in pending]
        return JSONResponse({"status": "migrating", "pending": names}, status_code=503)
    if not await runtime.catch_up.check(runtime.projections):
        # The read models lag the log as it stood at start: a query would show part of it.
        lag = {s.name: s.lag_events for s in await runtime.projections.status() if s.lag_events}
        return JSONResponse({"status": "catching_up", "lagEvents": lag}, status_code=503)
    return JSONResponse({"status": "ready"})


async def _lagging(runtime: Runtime) -> str:
    statuses = await runtime.projections.status()
    return ", ".join(f"{s.name} {s.lag_events}" for s in statuses if s.lag_events) or "none"


async def metrics(request: Request) -> Response:
    runtime: Runtime = request.state.runtime
    pools = {"write": runtime.pool, "read": runtime.read_pool}
    body = runtime.metrics.render(await runtime.projections.status(), pools)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def cors_middleware(origins: tuple[str, ...]) -> list[Middleware]:
    """CORS for the configured origins (`CSO_CORS_ORIGINS`); none configured, none sent."""
    if not origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=list(origins),
            allow_methods=["GET", "POST"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "X-Correlation-ID",
                "X-Consistency-Token",
            ],
            expose_headers=["X-Correlation-ID", "X-Consistency-Token", "X-Consistency"],
            max_age=600,
        )
    ]


def create_app(
    settings: Settings | None = None,
    *,
    catch_up_first: bool = False,
    tracing: Tracing | None = None,
) -> Starlette:
    """The API. With `catch_up_first` the server accepts no connection until the read models
    hold the whole log as it stood at start (the dev server, so a first query sees the demo).
    `tracing` defaults to what CSO_TRACING asks for (see cso.tracing). Raises
    ConfigurationError when the JWT secret is unset or too short, or tracing is asked for
    without its extra installed."""
    settings = settings or Settings.from_env()
    settings.checked_jwt_secret()  # refuse to start rather than accept forgeable tokens
    tracing = tracing or Tracing.from_mode(settings.tracing)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        try:
            async with open_runtime(settings, tracing) as runtime:
                if catch_up_first:
                    log.info("projecting the log before serving")
                    while not await runtime.catch_up.check(runtime.projections, timeout=5.0):
                        log.info("still projecting: %s", await _lagging(runtime))
                settle_heap()  # the start-up heap is frozen: no collection scans it again
                yield {"runtime": runtime}
        finally:
            if tracing:
                tracing.shutdown()  # flush the spans still buffered

    graphql = GraphQLView(
        build_schema(),
        # API.md's one protocol: the legacy `graphql-ws` read frames unchecked, so a JSON
        # array dropped the socket with a server error.
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        allowed_origins=settings.cors_origins,  # WebSocket handshakes: the CORS allow-list
        persisted_queries=PersistedQueries.from_settings(
            settings.persisted_queries,
            settings.persisted_queries_size,
            settings.persisted_queries_file,
        ),
        response_cache=(
            ResponseCache(settings.response_cache_entries, settings.response_cache_bytes)
            if settings.response_cache
            else None
        ),
        max_subscriptions_per_connection=settings.ws_max_operations,
    )
    return Starlette(
        routes=[
            # Every method reaches the view, which answers those it does not serve with a
            # GraphQL-shaped 405 and `Allow: GET, POST, OPTIONS` (Starlette's own would
            # advertise HEAD, which is not served).
            Route("/graphql", graphql),
            WebSocketRoute("/graphql", graphql),
            Route(ASSETS_PATH + "/{name}", asset),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
        ],
        # Outermost first: the 413 of an oversized body carries the correlation id too.
        middleware=[
            *(tracing.middleware() if tracing else []),  # its span covers the whole request
            Middleware(CorrelationMiddleware),
            Middleware(RequestLog),  # inside: its lines carry the correlation id
            *cors_middleware(settings.cors_origins),
            Middleware(RequestTimeout, seconds=settings.request_timeout_seconds),
            Middleware(BodySizeLimit),
            Middleware(WebSocketLimits, messages_per_second=settings.ws_messages_per_second),
        ],
        lifespan=lifespan,
    )


def app_from_env() -> Starlette:
    """The app of one `cso serve` worker process, configured from the environment (uvicorn
    imports this factory in each worker)."""
    settings = Settings.from_env()
    configure_logging(settings.log_level, os.environ.get("CSO_LOG_FORMAT", "text"))
    return create_app(settings, catch_up_first=os.environ.get(CATCH_UP_FIRST) == "1")
