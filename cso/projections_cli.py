"""`cso projections rebuild NAME` and `cso projections list`, registered on the projections
sub-app by `register(projections_app)`. The work is in cso.projections.rebuild."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from cso import event_loop
from cso.database import resolve_database_url
from cso.settings import Settings

ERR = Console(stderr=True, soft_wrap=True)


def register(projections_app: typer.Typer) -> None:
    """Add `rebuild` and `list` to `cso projections`."""
    projections_app.command("rebuild")(rebuild)
    projections_app.command("list")(list_projections)


def list_projections() -> None:
    """Each projection's name and the read-model tables it owns (what `rebuild` rebuilds)."""
    from cso.projections import ALL_PROJECTIONS

    for projection in ALL_PROJECTIONS:
        typer.echo(f"{projection.name:<16} {', '.join(projection.tables)}")


def rebuild(
    name: Annotated[str, typer.Argument(help="The projection (see `cso projections list`).")],
    batch_size: Annotated[
        int, typer.Option(min=1, max=100_000, help="Events a batch holds when caught up.")
    ] = 2000,
) -> None:
    """Rebuild one projection from the log beside the live one, while the API keeps serving,
    then switch to it in one transaction. Exit 2 when it cannot start (unknown projection,
    another rebuild of it running); the live read model is then untouched."""
    from cso.domain.enums import DOMAIN_ENUMS
    from cso.eventstore import Codec
    from cso.projections import ALL_PROJECTIONS
    from cso.projections.rebuild import RebuildRefused, Rebuilt
    from cso.projections.rebuild import rebuild as rebuild_projection

    found = {projection.name: projection for projection in ALL_PROJECTIONS}
    if name not in found:
        ERR.print(f"cso projections rebuild: no projection {name!r}; one of: {', '.join(found)}")
        raise typer.Exit(2)
    settings = Settings.from_env()
    url = resolve_database_url(settings.database_url, settings.data_dir)

    async def run() -> Rebuilt:
        columns = (
            TextColumn(f"rebuilding {name}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("position {task.completed:.0f} of {task.total:.0f}"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=ERR, transient=True) as progress:
            task = progress.add_task(name, total=1)

            def advance(position: int, last: int) -> None:
                progress.update(task, completed=position, total=max(last, 1))

            return await rebuild_projection(
                url, found[name], Codec(DOMAIN_ENUMS), progress=advance, batch_size=batch_size
            )

    try:
        done = event_loop.run(run())
    except RebuildRefused as refused:
        ERR.print(f"cso projections rebuild: {refused}")
        raise typer.Exit(2) from None
    ERR.print(
        f"{done.name} rebuilt and switched in: {done.events:,} events in {done.seconds:.1f} s "
        f"= {done.events_per_second:,.0f} events/s; it carries on from position "
        f"{done.checkpoint.position}"
    )
