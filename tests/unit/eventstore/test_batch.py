"""Group commit: appends that queue behind busy lanes go together; a refused batch splits."""

from __future__ import annotations

import asyncio
from uuid import UUID, uuid4

import pytest

from cso.eventstore.batch import Batcher, Pending
from cso.eventstore.records import AppendResult, Checkpoint, StreamAppend


def _pending(stream: UUID | None = None) -> Pending:
    return Pending(StreamAppend(stream or uuid4(), "Test", 0, []), {}, {}, notify=False)


class Recorder:
    """Fake senders: `alone` waits for `release`; `together` refuses batches with a bad stream."""

    def __init__(self, bad: set[UUID] | None = None) -> None:
        self.alone_calls: list[UUID] = []
        self.batches: list[list[UUID]] = []
        self.release = asyncio.Event()
        self.bad = bad or set()

    async def alone(self, pending: Pending) -> AppendResult:
        self.alone_calls.append(pending.stream.stream_id)
        await self.release.wait()
        if pending.stream.stream_id in self.bad:
            raise ValueError("refused")
        return AppendResult(Checkpoint(1, len(self.alone_calls)))

    async def together(self, batch: list[Pending]) -> list[AppendResult]:
        ids = [p.stream.stream_id for p in batch]
        self.batches.append(ids)
        if self.bad & set(ids):
            raise ValueError("one of them refused")
        return [AppendResult(Checkpoint(2, n)) for n in range(len(batch))]


async def test_appends_beyond_the_free_lanes_go_as_one_batch_with_their_own_results() -> None:
    recorder = Recorder()
    batcher = Batcher(recorder.alone, recorder.together, lanes=1)
    first = asyncio.ensure_future(batcher.append(_pending()))
    await asyncio.sleep(0)
    queued = [asyncio.ensure_future(batcher.append(_pending())) for _ in range(5)]
    await asyncio.sleep(0)
    recorder.release.set()

    results = await asyncio.gather(first, *queued)

    assert len(recorder.alone_calls) == 1
    assert [len(batch) for batch in recorder.batches] == [5]
    assert [r.checkpoint for r in results[1:]] == [Checkpoint(2, n) for n in range(5)]
    await batcher.close()


async def test_a_refused_batch_runs_each_append_alone_and_only_the_bad_one_fails() -> None:
    bad = uuid4()
    recorder = Recorder(bad={bad})
    batcher = Batcher(recorder.alone, recorder.together, lanes=1)
    first = asyncio.ensure_future(batcher.append(_pending()))
    await asyncio.sleep(0)
    good = asyncio.ensure_future(batcher.append(_pending()))
    refused = asyncio.ensure_future(batcher.append(_pending(bad)))
    await asyncio.sleep(0)
    recorder.release.set()

    await first
    assert (await good).checkpoint.transaction_id == 1  # run again, alone
    with pytest.raises(ValueError, match="refused"):
        await refused
    assert len(recorder.batches) == 1 and len(recorder.alone_calls) == 3
    await batcher.close()


async def test_a_second_append_to_a_stream_waits_for_the_next_batch() -> None:
    stream = uuid4()
    recorder = Recorder()
    batcher = Batcher(recorder.alone, recorder.together, lanes=1)
    first = asyncio.ensure_future(batcher.append(_pending()))
    await asyncio.sleep(0)
    queued = [asyncio.ensure_future(batcher.append(_pending(s))) for s in (stream, stream, None)]
    await asyncio.sleep(0)
    recorder.release.set()

    await asyncio.gather(first, *queued)

    assert [len(batch) for batch in recorder.batches] == [2]
    assert recorder.alone_calls[1:] == [stream]  # the batch of one that followed
    await batcher.close()


async def test_a_batch_whose_connection_broke_is_not_run_again_since_it_may_have_committed() -> (
    None
):
    recorder = Recorder()

    async def broken(batch: list[Pending]) -> list[AppendResult]:
        recorder.batches.append([p.stream.stream_id for p in batch])
        raise ConnectionResetError("connection lost around COMMIT")

    batcher = Batcher(recorder.alone, broken, lanes=1)
    first = asyncio.ensure_future(batcher.append(_pending()))
    await asyncio.sleep(0)
    queued = [asyncio.ensure_future(batcher.append(_pending())) for _ in range(3)]
    await asyncio.sleep(0)
    recorder.release.set()

    await first
    for append in queued:
        with pytest.raises(ConnectionResetError):
            await append
    assert len(recorder.batches) == 1 and len(recorder.alone_calls) == 1  # none re-run alone
    await batcher.close()
