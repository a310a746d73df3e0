"""Consistency tokens: a checkpoint a client can hold and hand back."""

from __future__ import annotations

import base64
from uuid import uuid4

import pytest

from cso.eventstore import Actor, AppendResult, Checkpoint, Metadata
from cso.eventstore.records import InvalidToken


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "checkpoint",
    [Checkpoint(), Checkpoint(1, 1), Checkpoint(742, 10_001), Checkpoint(2**63 - 1, 2**63 - 1)],
)
def test_a_checkpoints_token_round_trips(checkpoint: Checkpoint) -> None:
    token = checkpoint.token()
    assert Checkpoint.from_token(token) == checkpoint
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize(
    "token",
    [
        "",
        "!!!!",
        "é",
        _encode(b"abc"),
        _encode(b"12"),
        _encode(b"1:2:3"),
        _encode(b"1:"),
        _encode(b"-1:5"),
        _encode(b"5:-1"),
        _encode(b"1.5:2"),
        _encode(b"\xff\xfe:\x00"),
    ],
)
def test_anything_else_is_refused_as_an_invalid_token(token: str) -> None:
    with pytest.raises(InvalidToken):
        Checkpoint.from_token(token)


def test_an_invalid_token_is_a_value_error() -> None:
    assert issubclass(InvalidToken, ValueError)


def test_checkpoints_order_by_transaction_first_then_position() -> None:
    assert Checkpoint(1, 500) < Checkpoint(2, 1) < Checkpoint(2, 2)
    assert sorted([Checkpoint(3, 1), Checkpoint(1, 9), Checkpoint(1, 2)]) == [
        Checkpoint(1, 2),
        Checkpoint(1, 9),
        Checkpoint(3, 1),
    ]


def test_an_append_result_stored_for_an_idempotency_key_comes_back_as_a_replay() -> None:
    stream = uuid4()
    result = AppendResult(Checkpoint(10, 20), {stream: 3}, hashes={stream: b"h"})

    replayed = AppendResult.from_json(result.as_json())

    assert replayed.checkpoint == result.checkpoint
    assert replayed.versions == result.versions
    assert replayed.replayed is True
    assert replayed.token == result.token


def test_metadata_round_trips_through_json() -> None:
    metadata = Metadata(
        actor=Actor(id="7", role="CASO", name="李"),
        correlation_id="c",
        causation_id="d",
        reason="r",
        idempotency_key="k",
    )
    assert Metadata.from_json(metadata.as_json()) == metadata
    assert Metadata.from_json({}).actor == Actor(id="", role="", name="")
