"""`cso serve | migrate | token | verify` — the operator's commands."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

import typer
import uvicorn

from cso.database import connect, resolve_database_url
from cso.graphql.auth import Role, issue_token
from cso.migrations import migrate as apply_migrations
from cso.settings import Settings

app = typer.Typer(help="CSO platform: serve the API and look after its event store.")

DEV_SUPERVISOR_ID = "5e1f0000-0000-4000-8000-000000000001"


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Overrides CSO_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Overrides CSO_PORT.")] = None,
    dev: Annotated[bool, typer.Option(help="Print a supervisor token for GraphiQL.")] = False,
) -> None:
    """Start the API (embedded PostgreSQL when CSO_DATABASE_URL is unset)."""
    settings = Settings.from_env()
    url = resolve_database_url(settings.database_url, settings.data_dir)
    asyncio.run(_migrate(url))
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
    settings_for_app = Settings.from_env({**_env(), "CSO_DATABASE_URL": url})
    uvicorn.run(
        create_app(settings_for_app),
        host=bind_host,
        port=bind_port,
        log_level=settings.log_level,
    )


@app.command()
def migrate() -> None:
    """Apply pending migrations."""
    settings = Settings.from_env()
    url = resolve_database_url(settings.database_url, settings.data_dir)
    applied = asyncio.run(_migrate(url))
    typer.echo(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}")


@app.command()
def token(
    role: Annotated[Role, typer.Option(help="supervisor, officer, auditor or viewer")],
    sub: Annotated[str | None, typer.Option(help="Officer or user id (a UUID).")] = None,
    name: Annotated[str, typer.Option()] = "",
    dept: Annotated[str, typer.Option()] = "",
    ttl: Annotated[int, typer.Option(help="Lifetime in seconds.")] = 12 * 3600,
) -> None:
    """Print a signed bearer token (CSO_JWT_SECRET)."""
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


@app.command()
def verify(stream_id: Annotated[str, typer.Argument(help="The stream to verify.")]) -> None:
    """Recompute a stream's hash chain; exit 1 when it was altered."""
    from cso.database import create_pool
    from cso.eventstore import EventStore

    async def run() -> bool:
        settings = Settings.from_env()
        pool = await create_pool(
            resolve_database_url(settings.database_url, settings.data_dir), min_size=1, max_size=2
        )
        try:
            result = await EventStore(pool).verify_stream(uuid.UUID(stream_id))
        finally:
            await pool.close()
        if result.ok:
            typer.echo(f"ok: {result.events_checked} events verified")
        else:
            typer.echo(f"ALTERED at version {result.first_bad_version}", err=True)
        return result.ok

    if not asyncio.run(run()):
        raise typer.Exit(1)


async def _migrate(url: str) -> list[str]:
    conn = await connect(url)
    try:
        return [f"{m.version:04d}_{m.name}" for m in await apply_migrations(conn)]
    finally:
        await conn.close()


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)
