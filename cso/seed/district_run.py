"""Running the district's lanes side by side, one process per share of them.

The district's setup (officers, enterprises) is appended first by the seed's own process;
then each share of the lanes (cso/seed/district.py) runs in a process of its own, with an
application the composition root opens there (`Opener`: a top-level function of cso/cli.py,
pickled by name), its own staging repository and the ids the setup created. Lanes append
to streams no other lane touches, so the processes never conflict; every append still
checks its streams' expected versions, so a plan that broke that rule would fail the
seed, not corrupt the log.

Measured on the development machine (2 cores, load 7-19 from other work), the processes
spent 1.5-1.8x the CPU a single process spends per event (of which about 2 s each is
importing the application), and the wall time did not improve on that machine: `cso seed`
runs one process unless `--workers` asks for more (a machine with idle cores may gain).

Each process records its events from where the setup's clock stopped, so no stream's
recorded time goes back. Progress comes back through shared counters, polled here.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from cso import event_loop
from cso.seed.collector import fewer_collections
from cso.seed.district import BatchCorrelation
from cso.seed.runner import Progress, SeedRun, run_steps
from cso.seed.steps import Step
from cso.services.application import Application
from cso.services.identity import Principal

# Opens an application on the database at a URL, for a worker process (small pools, no
# projections); a top-level function, so that it is pickled by name.
Opener = Callable[[str], contextlib.AbstractAsyncContextManager[Application]]

POLL_SECONDS = 0.5

_counters: Any = None  # each worker process's view of the shared progress counters


@dataclass(frozen=True)
class SetupIds:
    """What the lanes need of the setup: officers (as principals), enterprises, chains."""

    officers: dict[int, Principal]
    enterprises: dict[int, UUID]
    chains: dict[str, UUID]


@dataclass(frozen=True)
class Share:
    """One process's work: its steps in batch order, where its clock starts, its slot in
    the progress counters."""

    slot: int
    steps: list[Step]
    first: date
    recorded_after: datetime
    correlation: BatchCorrelation


async def run_shares(
    url: str,
    opener: Opener,
    shares: list[Share],
    ids: SetupIds,
    supervisor: Principal,
    progress: Progress | None,
    done: int,
    total: int,
    events: int,
) -> tuple[int, int]:
    """Run each share in a process of its own against the database at `url`, reporting
    progress (steps and events so far, from `done` and `events`); returns the steps run
    and the events appended by all of them. Raises what a share raised (SeedStepFailed)."""
    context = multiprocessing.get_context("spawn")
    counters = context.Array("q", 2 * len(shares), lock=False)
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(
        max_workers=len(shares), mp_context=context, initializer=_keep, initargs=(counters,)
    ) as pool:
        futures = [
            loop.run_in_executor(pool, _run_share, url, opener, share, ids, supervisor)
            for share in shares
        ]
        waiting = asyncio.gather(*futures)
        while not waiting.done():
            await asyncio.wait([waiting], timeout=POLL_SECONDS)
            if progress is not None:
                steps_run = sum(counters[2 * n] for n in range(len(shares)))
                appended = sum(counters[2 * n + 1] for n in range(len(shares)))
                progress(done + steps_run, total, events + appended)
        results = waiting.result()
    return sum(r[0] for r in results), sum(r[1] for r in results)


def _keep(counters: Any) -> None:
    global _counters
    _counters = counters


def _run_share(
    url: str, opener: Opener, share: Share, ids: SetupIds, supervisor: Principal
) -> tuple[int, int]:
    with fewer_collections():  # the share, unpickled by now, stays out of collections
        return event_loop.run(_share(url, opener, share, ids, supervisor))


async def _share(
    url: str, opener: Opener, share: Share, ids: SetupIds, supervisor: Principal
) -> tuple[int, int]:
    async with opener(url) as application:
        run = SeedRun.open(application, share.first)
        run.recorded.resume_after(share.recorded_after)
        run.ctx.officers.update(ids.officers)
        run.ctx.enterprises.update(ids.enterprises)
        run.ctx.chains.update(ids.chains)
        slot = share.slot

        def report(steps: int, total: int, events: int) -> None:
            if _counters is not None:
                _counters[2 * slot] = steps
                _counters[2 * slot + 1] = events

        await run_steps(run, share.steps, supervisor, share.correlation, progress=report)
        return run.done, run.repository.events
