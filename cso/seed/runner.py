"""Running the steps through the use cases, with the clocks set to each step's day."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from cso.seed.clock import HistoricClock, SimulatedClock
from cso.seed.staging import StagingRepository
from cso.seed.steps import Context, Step
from cso.services.application import Application, Command
from cso.services.identity import Principal

__all__ = [
    "HistoricClock",
    "Progress",
    "SeedRun",
    "SeedStepFailed",
    "run_steps",
    "step_correlations",
]

# Staged commands are appended once this many wait (a bound on memory and on a statement's
# size: a flush goes as a few statements, each of consecutive batches; see staging.py).
FLUSH_EVERY = 2_000

# Told after each step: steps run, steps planned, events appended (by this seed, so far).
Progress = Callable[[int, int, int], None]


class SeedStepFailed(RuntimeError):
    """A use case refused a step of the seed: the plan broke a domain rule."""


@dataclass
class SeedRun:
    """The seed's own application: the use cases on a staging repository whose clocks
    follow the story (`today` the step's day, recorded times that day's)."""

    ctx: Context
    repository: StagingRepository
    today: HistoricClock
    recorded: SimulatedClock

    total: int = 0  # steps planned, for progress
    done: int = 0

    @classmethod
    def open(cls, app: Application, first: date) -> SeedRun:
        today, recorded = HistoricClock(first), SimulatedClock(first)
        repository = StagingRepository(
            app.store,
            app.repository.codec,
            recorded,
            snapshot_interval=app.repository.snapshot_interval,
        )
        application = Application(repository, repository.store, today)
        return cls(Context(application), repository, today, recorded)

    def beside(self) -> SeedRun:
        """The same application and clocks, with ids of its own (the chains shared)."""
        ctx = Context(self.ctx.app, chains=self.ctx.chains)
        return replace(self, ctx=ctx)


def step_correlations(rng_seed: int) -> Callable[[int, Step], str]:
    """A new correlation id for each step, drawn from the seed (so they repeat with it)."""
    ids = random.Random(f"correlation:{rng_seed}")

    def each_step(number: int, step: Step) -> str:
        return str(uuid.UUID(int=ids.getrandbits(128), version=4))

    return each_step


async def run_steps(
    run: SeedRun,
    steps: Sequence[Step],
    supervisor: Principal,
    correlation: Callable[[int, Step], str],
    *,
    progress: Progress | None = None,
) -> Context:
    """Run `steps` in order and append their events; returns the ids they created. Events
    carry each step's actor and `correlation(number, step)` as its correlation id.
    Raises SeedStepFailed."""
    ctx, repository = run.ctx, run.repository
    for number, step in enumerate(steps, start=1):
        run.today.on = step.on
        run.recorded.advance_to(step.on)
        principal = supervisor if step.officer is None else ctx.officers[step.officer]
        cmd = Command(
            principal=principal, correlation_id=correlation(number, step), reason=step.reason
        )
        try:
            await step.action.apply(ctx, cmd)
            if repository.staged_commands >= FLUSH_EVERY:
                await repository.flush()
        except Exception as exc:
            raise SeedStepFailed(f"step {number} on {step.on} ({step.action}): {exc}") from exc
        run.done += 1
        if progress is not None:
            progress(run.done, run.total, repository.events)
    try:
        await repository.flush()
    except Exception as exc:
        raise SeedStepFailed(f"appending the last steps' events: {exc}") from exc
    return ctx
