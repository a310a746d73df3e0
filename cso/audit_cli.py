"""The auditors' commands: `cso verify [STREAM] [--file F] [--anchor F] | export | anchor |
replay --check`, registered on the main app by `register(app)`. The work is in cso.audit."""

from __future__ import annotations

import contextlib
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import asyncpg
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cso import event_loop
from cso.database import connect, resolve_database_url
from cso.settings import Settings

# Progress and verdicts on stderr, so that `cso export > file` and `cso anchor > file` stay
# clean; findings on stdout.
ERR = Console(stderr=True, soft_wrap=True)
SHOWN = 100  # problems of an export file printed; the count says how many more


@contextlib.asynccontextmanager
async def _connection() -> AsyncIterator[asyncpg.Connection[Any]]:
    settings = Settings.from_env()
    conn = await connect(resolve_database_url(settings.database_url, settings.data_dir))
    try:
        yield conn
    finally:
        await conn.close()


@contextlib.contextmanager
def _progress(label: str, total: int) -> Iterator[Any]:
    """A rich progress bar on stderr; yields its `advance(n)`."""
    columns = (
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=ERR, transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)


def _stream_id(text: str | None, option: str) -> uuid.UUID | None:
    if text is None:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a stream id (a UUID)", param_hint=option
        ) from None


def _moment(text: str, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO 8601 time", param_hint=option) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(Settings.from_env().timezone))
    return moment


def verify(
    stream_id: Annotated[str | None, typer.Argument(help="One stream; all when omitted.")] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", exists=True, dir_okay=False, help="Check an export offline (no database)."
        ),
    ] = None,
    anchor: Annotated[
        Path | None,
        typer.Option(
            "--anchor", exists=True, dir_okay=False, help="Prove nothing before it changed."
        ),
    ] = None,
) -> None:
    """Recompute hash chains (every stream, one, an export file, or up to an anchor); exit 1
    when anything was altered, naming the first bad version of each bad stream (or line)."""
    if file is not None:
        ok = _verify_file(file)
    elif anchor is not None:
        ok = event_loop.run(_verify_anchor(anchor.read_bytes()))
    else:
        ok = event_loop.run(_verify_log(_stream_id(stream_id, "STREAM_ID")))
    if not ok:
        raise typer.Exit(1)


def _verify_file(path: Path) -> bool:
    from cso.audit.offline import verify_export

    with path.open("rb") as lines:
        found = verify_export(lines)
    for problem in found.problems[:SHOWN]:
        typer.echo(f"line {problem.line}: {problem.message}")
    if len(found.problems) > SHOWN:
        typer.echo(f"… and {len(found.problems) - SHOWN} more")
    verdict = "intact" if found.ok else f"ALTERED from line {found.first_bad_line}"
    ERR.print(f"{found.events} event(s) of {found.streams} stream(s) checked; {verdict}")
    return found.ok


async def _verify_log(stream_id: uuid.UUID | None) -> bool:
    from cso.audit.verify import stored_events, verify_log

    async with _connection() as conn:
        total = 0 if stream_id is not None else await stored_events(conn)
        with _progress("verifying", total) as advance:
            found = await verify_log(conn, stream_id=stream_id, advance=advance)
    for bad in found.bad:
        typer.echo(
            f"ALTERED {bad.stream_id} ({bad.stream_type}) at version {bad.first_bad_version}"
        )
    verdict = "all intact" if found.ok else f"{len(found.bad)} ALTERED"
    ERR.print(f"{found.streams} stream(s), {found.events} event(s) checked; {verdict}")
    if stream_id is not None and found.streams == 0:
        typer.echo(f"no stream {stream_id}")
        return False
    return found.ok


async def _verify_anchor(document: bytes) -> bool:
    from cso.audit.anchor import Anchor, BadAnchor, check_anchor

    try:
        anchor = Anchor.from_json(document)
    except BadAnchor as exc:
        raise typer.BadParameter(str(exc), param_hint="--anchor") from None
    async with _connection() as conn:
        with _progress("verifying", anchor.events) as advance:
            found = await check_anchor(conn, anchor, advance)
    for stream_id, stream_type, version in found.changed:
        typer.echo(f"CHANGED {stream_id} ({stream_type}) at version {version}")
    if found.digest != anchor.digest:
        typer.echo(
            f"the heads' digest differs: {anchor.streams} stream(s) and {anchor.events} "
            f"event(s) at the anchor, {found.streams} and {found.events} now"
        )
    ERR.print(
        f"anchor at position {anchor.position} ({anchor.anchored_at.isoformat()}): "
        + ("nothing recorded up to it has changed" if found.ok else "CHANGED")
    )
    return found.ok


def export(
    stream: Annotated[str | None, typer.Option(help="One stream's events only.")] = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="Each stream from its first event recorded at or after this ISO 8601 time "
            "(without an offset: district time, CSO_TIMEZONE)."
        ),
    ] = None,
    output: Annotated[Path | None, typer.Option(help="File to write; stdout when omitted.")] = None,
) -> None:
    """Write events as NDJSON with their hashes and a closing manifest, checkable offline
    with `cso verify --file`."""
    stream_id = _stream_id(stream, "--stream")
    moment = None if since is None else _moment(since, "--since")

    async def run() -> int:
        from cso.audit.export import events_to_export, export_log

        async with _connection() as conn:
            total = await events_to_export(conn, stream_id, moment)
            with (
                output.open("wb") if output else contextlib.nullcontext(sys.stdout.buffer) as sink,
                _progress("exporting", total) as advance,
            ):
                return await export_log(
                    conn, sink.write, stream_id=stream_id, since=moment, advance=advance
                )

    ERR.print(f"{event_loop.run(run())} event(s) exported")


def anchor(
    output: Annotated[Path | None, typer.Option(help="File to write; stdout when omitted.")] = None,
) -> None:
    """Print an anchor (log position, time, one digest over every stream's head) to keep
    outside the system; `cso verify --anchor FILE` checks the log against it later."""

    async def run() -> bytes:
        from cso.audit.anchor import take_anchor

        async with _connection() as conn:
            return (await take_anchor(conn)).to_json() + b"\n"

    document = event_loop.run(run())
    if output is None:
        sys.stdout.buffer.write(document)
    else:
        output.write_bytes(document)


def replay(
    check: Annotated[
        bool, typer.Option("--check", help="Compare a replay with the live read models.")
    ] = False,
) -> None:
    """Rebuild every projection from the log into scratch tables and compare them with the
    live read models row by row (--check); exit 1 when any row differs."""
    if not check:
        raise typer.BadParameter("only --check is offered", param_hint="--check")

    async def run() -> Any:
        from cso.audit.replay_check import replay_check
        from cso.audit.sql import COUNT_HANDLED
        from cso.domain.enums import DOMAIN_ENUMS
        from cso.eventstore import Codec
        from cso.projections import ALL_PROJECTIONS

        settings = Settings.from_env()
        url = resolve_database_url(settings.database_url, settings.data_dir)
        async with _connection() as conn:
            total = 0
            for projection in ALL_PROJECTIONS:  # each replays the events it handles
                total += await conn.fetchval(COUNT_HANDLED, list(projection.handlers))
        with _progress("replaying", total) as advance:
            return await replay_check(url, ALL_PROJECTIONS, Codec(DOMAIN_ENUMS), advance)

    found = event_loop.run(run())
    for difference in found.differences:
        typer.echo(difference.describe())
    for table, count in found.counts.items():
        typer.echo(f"{table}: {count} row(s) differ")
    ERR.print(
        f"{found.events} event(s) of the log replayed ({found.applied} applied by the "
        f"projections) in {found.seconds:.2f} s ({found.events_per_second:,.0f} events/s); "
        f"{found.rows} live row(s) compared; "
        + ("the read models equal the log" if found.ok else "DIFFERENCES")
    )
    if not found.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the auditors' commands to the main CLI."""
    app.command()(verify)
    app.command()(export)
    app.command()(anchor)
    app.command()(replay)
