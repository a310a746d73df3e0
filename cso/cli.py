"""`cso serve | db | migrate | seed | projections | verify | export | schema | token`."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated

import typer
import uvicorn

from cso import event_loop
from cso.audit_cli import register as register_audit_commands
from cso.cli_access import db, dev_greeting, token
from cso.database import connect, resolve_database_url
from cso.graphql.persisted_queries_cli import persisted_queries
from cso.limits import MAX_BODY_BYTES
from cso.logs import configure_logging
from cso.migrations import migrate as apply_migrations
from cso.projections_cli import register as register_projection_commands
from cso.settings import (
    DEV_SECRET_FILE,
    ConfigurationError,
    Settings,
    check_jwt_secret,
    development_secret,
)

if TYPE_CHECKING:
    from cso.runtime import Runtime
    from cso.seed.district import DistrictScale
    from cso.services.application import Application

app = typer.Typer(help="CSO platform: serve the API and look after its event store.")
app.command()(db)
app.command()(token)
app.command("persisted-queries")(persisted_queries)
register_audit_commands(app)  # verify, export, anchor, replay --check (cso/audit_cli.py)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Overrides CSO_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Overrides CSO_PORT.")] = None,
    dev: Annotated[
        bool, typer.Option(help="Seed a new embedded database; print the demo's tokens.")
    ] = False,
    workers: Annotated[int, typer.Option(min=1, help="API processes on one port.")] = 1,
) -> None:
    """Start the API (embedded PostgreSQL when CSO_DATABASE_URL is unset)."""
    # Until uvicorn takes over SIGINT and SIGTERM (and after, for SIGHUP: a closed terminal),
    # a signal exits normally, so an embedded PostgreSQL started here is stopped too.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    settings = Settings.from_env()
    configure_logging(settings.log_level, os.environ.get("CSO_LOG_FORMAT", "text"))
    secret = settings.jwt_secret or (development_secret(settings.data_dir) if dev else "")
    try:
        check_jwt_secret(secret)
    except ConfigurationError as exc:
        typer.echo(f"cso serve: {exc}", err=True)
        raise typer.Exit(2) from None
    url = resolve_database_url(settings.database_url, settings.data_dir)
    event_loop.run(_migrate(url))
    if dev and settings.database_url is None:
        seeded = event_loop.run(_seed_if_empty(url, settings))
        if seeded:
            typer.echo(seeded)
    bind_host, bind_port = host or settings.host, port or settings.port
    if dev:
        if not settings.jwt_secret:
            typer.echo(f"Secret:   {secret} (kept in {settings.data_dir / DEV_SECRET_FILE})")
        typer.echo(dev_greeting(settings, f"http://{bind_host}:{bind_port}/graphql"))
    from cso.app import CATCH_UP_FIRST

    # The embedded server is already running; the app reuses it through the resolved URL,
    # and each worker process reads its settings from this environment.
    os.environ["CSO_DATABASE_URL"] = url
    os.environ["CSO_JWT_SECRET"] = secret
    # The dev server answers once the read models hold the demo (README: ready means ready).
    os.environ[CATCH_UP_FIRST] = "1" if dev else "0"
    uvicorn.run(
        # Each worker process builds its own app (pools, cache, runners) from the environment.
        "cso.app:app_from_env",
        factory=True,
        workers=workers,
        host=bind_host,
        port=bind_port,
        log_level=settings.log_level,
        log_config=None,  # configure_logging's handler formats uvicorn's lines too
        access_log=False,  # cso.logs.RequestLog writes one line per request instead
        ws_max_size=MAX_BODY_BYTES,  # a WebSocket message is held to the same limit as a body
    )


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@app.command()
def migrate() -> None:
    """Apply pending migrations."""
    settings = Settings.from_env()
    applied = event_loop.run(
        _migrate(resolve_database_url(settings.database_url, settings.data_dir))
    )
    typer.echo(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}")


@app.command()
def seed(
    scale: Annotated[
        str, typer.Option(help="demo, district, or a fraction of the district (0.01).")
    ] = "demo",
    workers: Annotated[
        int,
        typer.Option(
            min=1, help="Processes that write the district's lanes side by side (1: this one)."
        ),
    ] = 1,
) -> None:
    """Load the demo data (chains, enterprises, officers, projects) into an empty store;
    `--scale district` adds the district at the seeds' scale (over a million events),
    written by `--workers` processes."""
    from cso.seed.console import parse_scale

    try:
        district = parse_scale(scale)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--scale") from None
    settings = Settings.from_env()
    url = resolve_database_url(settings.database_url, settings.data_dir)
    event_loop.run(_migrate(url))
    summary = event_loop.run(
        _seed_if_empty(url, settings, district, progress=True, workers=workers)
    )
    typer.echo(summary or "the store already has events; demo data goes only into an empty one")


@app.command("carry-over-requests")
def carry_over_requests() -> None:
    """Move an older database's requests, kept inside their projects, into their own
    EnterpriseRequest streams (same ids). Safe to run again: it moves only what is left."""

    async def run() -> int:
        from cso.services.request_carry_over import carry_over_requests as carry_over

        async with _runtime() as runtime:
            return await carry_over(runtime.application)

    typer.echo(f"{event_loop.run(run())} requests carried over into their own streams")


projections_app = typer.Typer(help="The projections: their position and lag, or a worker.")
app.add_typer(projections_app, name="projections")
register_projection_commands(projections_app)  # rebuild, list (cso/projections_cli.py)


@projections_app.callback(invoke_without_command=True)
def projections(
    ctx: typer.Context,
    watch: Annotated[bool, typer.Option(help="Run them here (as `projections run`).")] = False,
) -> None:
    """Show each projection's position and lag; `cso projections run` runs them."""
    if ctx.invoked_subcommand is not None:
        return
    if watch:
        run_projections()
        return

    async def show() -> None:
        from cso.app import open_runtime

        settings = Settings.from_env({**os.environ, "CSO_RUN_PROJECTIONS": "0"})
        async with open_runtime(settings) as runtime:
            for status in await runtime.projections.status():
                typer.echo(
                    f"{status.name:<24} position {status.position:>10}  "
                    f"lag {status.lag_events} events / {status.lag_seconds or 0:.1f} s"
                )

    event_loop.run(show())


@projections_app.command("run")
def run_projections() -> None:
    """A projection worker: runs every projection until SIGTERM or Ctrl-C. Each projection
    has one runner across all processes (an advisory lock), so API processes beside it may
    set CSO_RUN_PROJECTIONS=0 or not; either way nothing is applied twice."""
    settings = Settings.from_env({**os.environ, "CSO_RUN_PROJECTIONS": "1"})
    configure_logging(settings.log_level, os.environ.get("CSO_LOG_FORMAT", "text"))

    async def work() -> None:
        from cso.app import open_runtime

        stop = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
        async with open_runtime(settings):
            typer.echo("projection worker running; Ctrl-C or SIGTERM stops it", err=True)
            await stop.wait()

    event_loop.run(work())


@app.command()
def schema() -> None:
    """Print the GraphQL schema (SDL): `cso schema > schema.graphql`."""
    from cso.graphql.export import export_schema

    sys.stdout.write(export_schema())


async def _migrate(url: str) -> list[str]:
    conn = await connect(url)
    try:
        return [f"{m.version:04d}_{m.name}" for m in await apply_migrations(conn)]
    finally:
        await conn.close()


async def _seed_if_empty(
    url: str,
    settings: Settings,
    scale: DistrictScale | None = None,
    *,
    progress: bool = False,
    workers: int = 1,
) -> str | None:
    import time

    from rich.console import Console

    from cso.app import open_runtime
    from cso.seed import database_is_empty
    from cso.seed import seed as load_demo_data
    from cso.seed.console import progress_bar, without_commit_waits

    seed_url = without_commit_waits(url)
    no_projections = Settings.from_env(
        {**os.environ, "CSO_DATABASE_URL": seed_url, "CSO_RUN_PROJECTIONS": "0"}
    )
    async with open_runtime(no_projections) as runtime:
        if not await database_is_empty(runtime.pool):
            return None
        started = time.perf_counter()
        console = Console(stderr=True)
        bar = progress_bar(console) if progress else contextlib.nullcontext(None)
        with bar as update:
            summary = await load_demo_data(
                runtime.application,
                today=runtime.today(),
                scale=scale,
                progress=update,
                database_url=seed_url,
                workers=workers,
                opener=_seed_worker_application,
            )
        seconds = time.perf_counter() - started
        events = await runtime.pool.fetchval("SELECT count(*) FROM events")
        took = f"{events:,} events in {seconds:.1f} s ({events / seconds:,.0f} events/s)"
        return f"seeded: {summary}\n{took}"


@contextlib.asynccontextmanager
async def _seed_worker_application(url: str) -> AsyncIterator[Application]:
    """A district seed worker's application (cso/seed/district_run.py): small pools, one
    append at a time, no projections."""
    from cso.app import open_runtime

    env = {
        **os.environ,
        "CSO_DATABASE_URL": url,
        "CSO_RUN_PROJECTIONS": "0",
        "CSO_POOL_MIN_SIZE": "1",
        "CSO_POOL_MAX_SIZE": "2",
        "CSO_READ_POOL_MAX_SIZE": "1",
    }
    async with open_runtime(Settings.from_env(env)) as runtime:
        yield runtime.application


@contextlib.asynccontextmanager
async def _runtime() -> AsyncIterator[Runtime]:
    from cso.app import open_runtime

    async with open_runtime(Settings.from_env()) as runtime:
        yield runtime
