"""Running the steps through the use cases, with the clock set to each step's day."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import date

from cso.seed.steps import Context, Step
from cso.services.application import Application, Command
from cso.services.identity import Principal


class SeedStepFailed(RuntimeError):
    """A use case refused a step of the seed: the plan broke a domain rule."""


class HistoricClock:
    """The `today` of an Application replaying history: the day of the step being run."""

    def __init__(self, on: date) -> None:
        self.on = on

    def __call__(self) -> date:
        return self.on


async def run_steps(
    app: Application, steps: Sequence[Step], supervisor: Principal, rng_seed: int
) -> Context:
    """Run `steps` in order; returns the ids they created. Events carry each step's actor."""
    clock = HistoricClock(steps[0].on)
    ctx = Context(Application(app.repository, app.store, clock))
    # Correlation ids from a generator of their own, so they too repeat with the seed.
    ids = random.Random(f"correlation:{rng_seed}")
    for number, step in enumerate(steps, start=1):
        clock.on = step.on
        principal = supervisor if step.officer is None else ctx.officers[step.officer]
        cmd = Command(
            principal=principal,
            correlation_id=str(uuid.UUID(int=ids.getrandbits(128), version=4)),
            reason=step.reason,
        )
        try:
            await step.action.apply(ctx, cmd)
        except Exception as exc:
            raise SeedStepFailed(f"step {number} on {step.on} ({step.action}): {exc}") from exc
    return ctx
