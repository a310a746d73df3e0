"""Personal data under a key per person (DESIGN §6): AES-GCM keys in `subject_keys`,
sealing and unsealing, and erasure by destroying the key.

A sealed value is `pd1:` and the base64 of a 12-byte nonce and the ciphertext with its tag;
the subject's id is the associated data, so a value moved to another subject fails to open.
Once the key is gone nothing can open it: every reader then sees ERASED.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import Aggregate

from cso.domain.personal_data import ERASED
from cso.services.application import UnitOfWork

__all__ = ["ERASED", "destroy_key", "keys_of", "new_key", "seal", "sealer", "store_key", "unseal"]

PREFIX = "pd1:"
NONCE_BYTES = 12

# Reservation scopes that migration 0009's trigger turns into key rows and their deletion,
# in the transaction of the command's events.
KEY_SCOPE = "personal_data_key"
ERASURE_SCOPE = "personal_data_erasure"
KEYS_BY_SUBJECT = "SELECT subject_id, key FROM subject_keys WHERE subject_id = ANY($1::uuid[])"


def new_key() -> bytes:
    """A fresh 256-bit AES-GCM key."""
    return AESGCM.generate_key(bit_length=256)


def seal(key: bytes, subject_id: UUID, plaintext: str) -> str:
    """`plaintext` encrypted under the subject's key (a new nonce each time)."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), subject_id.bytes)
    return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def unseal(key: bytes | None, subject_id: UUID, sealed: str) -> str:
    """The plaintext, or ERASED when the key is gone (None). Raises ValueError when the
    value is not sealed, or not for this subject (a bug or tampering, never user input)."""
    if key is None:
        return ERASED
    if not sealed.startswith(PREFIX):
        raise ValueError("not a sealed value")
    raw = base64.b64decode(sealed[len(PREFIX) :])
    try:
        opened = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], subject_id.bytes)
    except InvalidTag:
        raise ValueError(f"a sealed value does not open with subject {subject_id}'s key") from None
    return opened.decode("utf-8")


def sealer(key: bytes, subject_id: UUID) -> Callable[[str], str]:
    """What the domain is handed to seal a subject's fields (it does no cryptography)."""
    return lambda plaintext: seal(key, subject_id, plaintext)


def store_key(uow: UnitOfWork, subject_id: UUID, key: bytes, owner: Aggregate) -> None:
    """Store the subject's key with the command's events (owned by `owner`'s stream): a
    command that fails, for whatever reason, leaves no key row behind."""
    uow.reserve(KEY_SCOPE, f"{subject_id}:{key.hex()}", owner)


async def keys_of(db: Any, subject_ids: Sequence[UUID]) -> Mapping[UUID, bytes]:
    """The keys of those subjects that still have one (erased ones are missing)."""
    rows = await db.fetch(KEYS_BY_SUBJECT, list(subject_ids))
    return {row["subject_id"]: bytes(row["key"]) for row in rows}


def destroy_key(uow: UnitOfWork, subject_id: UUID, owner: Aggregate) -> None:
    """Erasure: the key goes in the transaction that appends the erasure's event, so the
    record of an erasure and the key's destruction never part. With the key gone, every
    sealed copy of the subject's data is unreadable."""
    uow.reserve(ERASURE_SCOPE, str(subject_id), owner)
