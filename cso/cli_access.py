"""Commands that let a person in: tokens for people in the data, psql on the database, and
the dev server's greeting (`cso token`, `cso db`, `cso serve --dev`)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import asyncpg
import typer

from cso import event_loop
from cso.database import (
    create_pool,
    embedded_database_running,
    pgserver_module,
    resolve_database_url,
)
from cso.graphql.auth import issue_token
from cso.services.identity import Role
from cso.settings import Settings, development_secret


def signing_secret(settings: Settings) -> str:
    """`CSO_JWT_SECRET`, else the random development secret `cso serve --dev` keeps in the
    data directory (created on first use)."""
    return settings.jwt_secret or development_secret(settings.data_dir)


def sign(settings: Settings, *, sub: str, role: Role, **claims: Any) -> str:
    """A token signed as the server checks it: its secret, issuer and audience."""
    return issue_token(
        signing_secret(settings),
        sub=sub,
        role=role,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        **claims,
    )


def dev_greeting(settings: Settings, graphiql_url: str) -> str:
    """GraphiQL's address, the demo supervisor's header, and how to act as anyone else."""
    from cso.seed import SEED_SUPERVISOR
    from cso.seed.data import OFFICERS

    supervisor = SEED_SUPERVISOR
    token = sign(
        settings,
        sub=supervisor.id,
        role=supervisor.role,
        name=supervisor.name,
        dept=supervisor.dept,
    )
    officer = OFFICERS[0].name
    return "\n".join(
        [
            f"GraphiQL: {graphiql_url}",
            f'Header:   {{"Authorization": "Bearer {token}"}}',
            f"          (the demo's supervisor, {supervisor.name} of {supervisor.dept})",
            f"Others:   .venv/bin/cso token --officer {officer}   (any officer, by name or id)",
            "          .venv/bin/cso token --role auditor        (or --role viewer)",
        ]
    )


def db(
    url: Annotated[bool, typer.Option("--url", help="Print the database URL instead.")] = False,
) -> None:
    """Open psql on the configured database, or on the embedded one (started if need be)."""
    settings = Settings.from_env()
    embedded_was_running = settings.database_url is None and embedded_database_running(
        settings.data_dir
    )
    resolved = resolve_database_url(settings.database_url, settings.data_dir)
    if url:
        typer.echo(resolved)
        if settings.database_url is None and not embedded_was_running:
            typer.echo(
                "note: the embedded PostgreSQL was not running and stops as this command ends; "
                "the URL works while `cso serve` (or `cso db`) runs",
                err=True,
            )
        return
    psql = _psql()
    if psql is None:
        typer.echo("psql is not installed (Debian: apt-get install postgresql-client)", err=True)
        raise typer.Exit(1)
    # A child, not exec: this process holds the embedded server open while psql runs.
    raise typer.Exit(subprocess.call([psql, resolved]))


def _psql() -> str | None:
    """The psql on PATH, else the one the embedded PostgreSQL ships."""
    found = shutil.which("psql")
    if found is None:
        with contextlib.suppress(RuntimeError):  # the embedded PostgreSQL is not installed
            bundled = Path(pgserver_module().__file__).parent / "pginstall" / "bin" / "psql"
            found = str(bundled) if bundled.is_file() else None
    return found


def token(
    officer: Annotated[
        str | None,
        typer.Option(help="An officer's name or id (looked up in the read model)."),
    ] = None,
    role: Annotated[
        Role | None, typer.Option(help="supervisor, auditor or viewer (officers: --officer)")
    ] = None,
    sub: Annotated[str | None, typer.Option(help="User id; an officer's is their UUID.")] = None,
    name: Annotated[str, typer.Option()] = "",
    dept: Annotated[str, typer.Option()] = "",
    ttl: Annotated[int, typer.Option(help="Lifetime in seconds.")] = 12 * 3600,
) -> None:
    """Print a signed bearer token (CSO_JWT_SECRET): a registered officer's, with their
    department (--officer NAME|ID), or one for a role (--role)."""
    settings = Settings.from_env()
    if (officer is None) == (role is None):
        raise typer.BadParameter("give --officer NAME|ID or --role ROLE", param_hint="--officer")
    if officer is not None:
        typer.echo(event_loop.run(_officer_token(officer, settings, ttl)))
        return
    assert role is not None
    if role is Role.OFFICER and (sub is None or not _is_uuid(sub)):
        raise typer.BadParameter(
            "an officer's token names a registered officer: use --officer NAME|ID "
            "(or --sub with their officer id, a UUID)",
            param_hint="--sub",
        )
    typer.echo(
        sign(
            settings,
            sub=sub or str(uuid.uuid4()),
            role=role,
            name=name,
            dept=dept,
            ttl_seconds=ttl,
        )
    )


async def _officer_token(name_or_id: str, settings: Settings, ttl: int) -> str:
    from cso.tokens import OfficerNotFound, find_officer

    async with settings_pool() as pool:
        try:
            found = await find_officer(pool, name_or_id)
        except OfficerNotFound as exc:
            raise typer.BadParameter(str(exc), param_hint="--officer") from exc
    if not found.active:
        typer.echo(f"note: {found.name} is deactivated; their token is refused", err=True)
    return found.token(
        signing_secret(settings), ttl, issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@contextlib.asynccontextmanager
async def settings_pool() -> AsyncIterator[asyncpg.Pool[Any]]:
    """A small pool on the configured (or embedded) database, for one command."""
    settings = Settings.from_env()
    pool = await create_pool(
        resolve_database_url(settings.database_url, settings.data_dir), min_size=1, max_size=2
    )
    try:
        yield pool
    finally:
        await pool.close()
