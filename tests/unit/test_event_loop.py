"""The command-line tools' event loop is uvloop's, as `cso serve`'s is under uvicorn."""

from __future__ import annotations

import asyncio

import pytest
import uvloop

from cso import event_loop


async def loop_type() -> type:
    return type(asyncio.get_running_loop())


def test_a_command_runs_its_coroutine_on_uvloop_and_returns_its_result() -> None:
    assert issubclass(event_loop.run(loop_type()), uvloop.Loop)


def test_without_uvloop_a_command_runs_on_asyncio_s_own_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(event_loop, "uvloop", None)

    assert not issubclass(event_loop.run(loop_type()), uvloop.Loop)


def test_what_the_coroutine_raises_reaches_the_caller() -> None:
    async def fails() -> None:
        raise LookupError("no such projection")

    with pytest.raises(LookupError, match="no such projection"):
        event_loop.run(fails())
