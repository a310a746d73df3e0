"""`cso serve | migrate | seed | projections | verify | export | schema | token`."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated

import typer
import uvicorn

from cso.audit_cli import register as register_audit_commands
from cso.database import connect, resolve_database_url
from cso.graphql.auth import issue_token
from cso.limits import MAX_BODY_BYTES
from cso.migrations import migrate as apply_migrations
from cso.services.identity import Role
from cso.settings import Settings

if TYPE_CHECKING:
    from cso.runtime import Runtime

app = typer.Typer(help="CSO platform: serve the API and look after its event store.")
register_audit_commands(app)  # verify, export, anchor, replay --check (cso/audit_cli.py)

DEV_SUPERVISOR_ID = "5e1f0000-0000-4000-8000-000000000001"


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Overrides CSO_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Overrides CSO_PORT.")] = None,
    dev: Annotated[
        bool, typer.Option(help="Seed a new embedded database; print a supervisor token.")
    ] = False,
) -> None:
    """Start the API (embedded PostgreSQL when CSO_DATABASE_URL is unset)."""
    settings = Settings.from_env()
    url = resolve_database_url(settings.database_url, settings.data_dir)
    asyncio.run(_migrate(url))
    if dev and settings.database_url is None:
        seeded = asyncio.run(_seed_if_empty(url, settings))
        if seeded:
            typer.echo(seeded)
    bind_host, bind_port = host or settings.host, port or settings.port
    if dev:
        token = issue_token(
            settings.jwt_secret,
            sub=DEV_SUPERVISOR_ID,
            role=Role.SUPERVISOR,
            name="Dev Supervisor",
            dept="District Office",
        )
        typer.echo(f"GraphiQL: http://{bind_host}:{bind_port}/graphql")
        typer.echo(f'Header:   {{"Authorization": "Bearer {token}"}}')
    from cso.app import create_app

    # The embedded server is already running; the app reuses it through the resolved URL.
    app_settings = Settings.from_env({**os.environ, "CSO_DATABASE_URL": url})
    uvicorn.run(
        create_app(app_settings),
        host=bind_host,
        port=bind_port,
        log_level=settings.log_level,
        ws_max_size=MAX_BODY_BYTES,  # a WebSocket message is held to the same limit as a body
    )


@app.command()
def migrate() -> None:
    """Apply pending migrations."""
    settings = Settings.from_env()
    applied = asyncio.run(_migrate(resolve_database_url(settings.database_url, settings.data_dir)))
    typer.echo(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}")


@app.command()
def seed() -> None:
    """Load the demo data (chains, enterprises, officers, projects) into an empty store."""
    settings = Settings.from_env()
    url = resolve_database_url(settings.database_url, settings.data_dir)
    asyncio.run(_migrate(url))
    summary = asyncio.run(_seed_if_empty(url, settings))
    typer.echo(summary or "the store already has events; demo data goes only into an empty one")


@app.command("carry-over-requests")
def carry_over_requests() -> None:
    """Move an older database's requests, kept inside their projects, into their own
    EnterpriseRequest streams (same ids). Safe to run again: it moves only what is left."""

    async def run() -> int:
        from cso.services.request_carry_over import carry_over_requests as carry_over

        async with _runtime() as runtime:
            return await carry_over(runtime.application)

    typer.echo(f"{asyncio.run(run())} requests carried over into their own streams")


@app.command()
def projections(
    watch: Annotated[bool, typer.Option(help="Run the projections in this process.")] = False,
) -> None:
    """Show each projection's position and lag, or run them (--watch)."""

    async def run() -> None:
        async with _runtime() as runtime:
            if watch:
                typer.echo("running projections; Ctrl-C to stop")
                await asyncio.Event().wait()
            for status in await runtime.projections.status():
                typer.echo(
                    f"{status.name:<24} position {status.position:>10}  "
                    f"lag {status.lag_events} events / {status.lag_seconds or 0:.1f} s"
                )

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


@app.command()
def schema() -> None:
    """Print the GraphQL schema (SDL): `cso schema > schema.graphql`."""
    from cso.graphql.export import export_schema

    sys.stdout.write(export_schema())


@app.command()
def token(
    role: Annotated[Role, typer.Option(help="supervisor, officer, auditor or viewer")],
    sub: Annotated[str | None, typer.Option(help="Officer or user id (a UUID).")] = None,
    name: Annotated[str, typer.Option()] = "",
    dept: Annotated[str, typer.Option()] = "",
    ttl: Annotated[int, typer.Option(help="Lifetime in seconds.")] = 12 * 3600,
) -> None:
    """Print a signed bearer token (CSO_JWT_SECRET)."""
    if role is Role.OFFICER and sub is not None and not _is_uuid(sub):
        raise typer.BadParameter("an officer's sub is their officer id, a UUID", param_hint="--sub")
    settings = Settings.from_env()
    typer.echo(
        issue_token(
            settings.jwt_secret,
            sub=sub or str(uuid.uuid4()),
            role=role,
            name=name,
            dept=dept,
            ttl_seconds=ttl,
        )
    )


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


async def _migrate(url: str) -> list[str]:
    conn = await connect(url)
    try:
        return [f"{m.version:04d}_{m.name}" for m in await apply_migrations(conn)]
    finally:
        await conn.close()


async def _seed_if_empty(url: str, settings: Settings) -> str | None:
    from cso.app import open_runtime
    from cso.seed import database_is_empty
    from cso.seed import seed as load_demo_data

    no_projections = Settings.from_env(
        {**os.environ, "CSO_DATABASE_URL": url, "CSO_RUN_PROJECTIONS": "0"}
    )
    async with open_runtime(no_projections) as runtime:
        if not await database_is_empty(runtime.pool):
            return None
        summary = await load_demo_data(runtime.application, today=runtime.today())
        return f"seeded: {summary}"


@contextlib.asynccontextmanager
async def _runtime() -> AsyncIterator[Runtime]:
    from cso.app import open_runtime

    async with open_runtime(Settings.from_env()) as runtime:
        yield runtime
