"""What `cso seed` shows and takes: the scale option, a rich progress bar, the report."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from cso.seed.district import DistrictScale
from cso.seed.runner import Progress as StepProgress

SCALES = "demo, district, or a fraction of the district such as 0.01"


def parse_scale(text: str) -> DistrictScale | None:
    """None for the demo; the district, or a fraction (0 < f <= 1) of it. Raises ValueError."""
    if text == "demo":
        return None
    if text == "district":
        return DistrictScale()
    try:
        fraction = float(text)
    except ValueError:
        raise ValueError(f"--scale takes {SCALES}; not {text[:80]!r}") from None
    if not 0 < fraction <= 1:
        raise ValueError(f"--scale takes a fraction above 0 and at most 1; not {fraction}")
    return DistrictScale(fraction)


def without_commit_waits(url: str) -> str:
    """The URL with `synchronous_commit=off` for the seed's own sessions: a commit does not
    wait for its WAL flush (PostgreSQL flushes within a second; a crash in that second
    loses the last appends whole, never part of one). A seed loads an empty store and is
    run again into a new one, so it need not wait, and its thousands of appends don't."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "synchronous_commit"]
    query.append(("synchronous_commit", "off"))
    return urlunsplit(parts._replace(query=urlencode(query)))


@contextlib.contextmanager
def progress_bar(console: Console) -> Iterator[StepProgress]:
    """A progress bar of the seed's steps on `console`, with the events appended so far;
    yields the callback `seed` takes."""
    columns = (
        TextColumn("seeding"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("steps · {task.fields[events]:,} events · {task.fields[rate]:,.0f}/s"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    started = time.monotonic()
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("seed", total=None, events=0, rate=0.0)

        def update(done: int, total: int, events: int) -> None:
            if done % 500 and done != total:
                return  # a redraw per step would cost more than the step
            rate = events / max(time.monotonic() - started, 1e-9)
            progress.update(task, completed=done, total=total, events=events, rate=rate)

        yield update
