"""Per-stream locks: first come first served, taken in id order, gone when unused."""

from __future__ import annotations

import asyncio
from uuid import UUID

import pytest

from cso.services.locks import CommandLocks, LockOrderBroken, StreamLocks

LOW, HIGH = UUID(int=1), UUID(int=2)


async def test_commands_on_one_stream_take_turns_in_the_order_they_asked() -> None:
    locks = StreamLocks()
    order: list[int] = []

    async def command(n: int) -> None:
        await locks.acquire(LOW)
        order.append(n)
        await asyncio.sleep(0)
        locks.release(LOW)

    await asyncio.gather(*(command(n) for n in range(10)))
    assert order == list(range(10))
    assert len(locks) == 0


async def test_a_lock_is_taken_at_once_only_when_nobody_holds_or_awaits_it() -> None:
    locks = StreamLocks()
    assert locks.try_acquire(LOW)
    assert not locks.try_acquire(LOW)
    locks.release(LOW)
    assert locks.try_acquire(LOW)
    locks.release(LOW)
    assert len(locks) == 0


async def test_a_cancelled_waiter_leaves_no_entry_behind() -> None:
    locks = StreamLocks()
    await locks.acquire(LOW)
    waiting = asyncio.ensure_future(locks.acquire(LOW))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    locks.release(LOW)
    assert len(locks) == 0


async def test_a_waiter_cancelled_as_the_lock_reaches_it_passes_the_lock_on() -> None:
    locks = StreamLocks()
    await locks.acquire(LOW)
    first = asyncio.ensure_future(locks.acquire(LOW))
    second = asyncio.ensure_future(locks.acquire(LOW))
    await asyncio.sleep(0)
    locks.release(LOW)  # hands the lock to `first` ...
    first.cancel()  # ... which is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, 1)
    locks.release(LOW)
    assert len(locks) == 0


async def test_a_command_never_waits_for_a_stream_below_one_it_holds() -> None:
    registry = StreamLocks()
    other = CommandLocks(registry)
    await other.lock(LOW)
    command = CommandLocks(registry)
    await command.lock(HIGH)
    with pytest.raises(LockOrderBroken) as broken:
        await command.lock(LOW)
    assert broken.value.streams == {LOW, HIGH}
    other.release_all()
    await command.lock_in_order(broken.value.streams)
    assert command.held == {LOW, HIGH}
    command.release_all()
    assert len(registry) == 0


async def test_a_free_stream_below_one_held_is_taken_at_once() -> None:
    registry = StreamLocks()
    command = CommandLocks(registry)
    await command.lock(HIGH)
    await command.lock(LOW)
    assert command.held == {LOW, HIGH}
    command.release_all()
    assert len(registry) == 0
