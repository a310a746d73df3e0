"""Personal data under a key per person (DESIGN §6): AES-GCM keys in `subject_keys`,
sealing and unsealing, the subject an ID number names, and erasure by destroying keys.

A sealed value is `pd2:<key id>:` and the base64 of a 12-byte nonce and the ciphertext
with its tag, or, sealed under a subject's one key (officers, and applicants before keys
were per person), `pd1:` and that base64. The subject's id is the associated data, so a
value moved to another subject fails to open. Once a key is gone nothing can open what it
sealed: every reader then sees ERASED.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from uuid import UUID, uuid4

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import Aggregate

from cso.domain.personal_data import ERASED
from cso.services.application import UnitOfWork

__all__ = [
    "ERASED",
    "PREFIX",
    "PersonKey",
    "current_key",
    "destroy_key",
    "key_id_of",
    "keys_by_id",
    "keys_of",
    "new_key",
    "person_key",
    "person_subject",
    "seal",
    "sealer",
    "store_key",
    "stream_erased",
    "unseal",
]

PREFIX = "pd"  # every sealed value starts so; legacy plain values (digits) never do
SUBJECT_SEALED = "pd1:"  # under the subject's one key: the subject id is the key id
KEY_SEALED = "pd2:"  # names its key: `pd2:<key id>:<base64>`
NONCE_BYTES = 12

# Reservation scopes that migrations 0009 and 0013's trigger turn into key rows and their
# deletion, in the transaction of the command's events.
KEY_SCOPE = "personal_data_key"
ERASURE_SCOPE = "personal_data_erasure"
KEY_USE_SCOPE = "personal_data_key_use"
KEYS_BY_SUBJECT = """
SELECT DISTINCT ON (subject_id) subject_id, key_id, key FROM subject_keys
WHERE subject_id = ANY($1::uuid[]) ORDER BY subject_id, created_at DESC, key_id
"""
KEYS_BY_ID = "SELECT key_id, key FROM subject_keys WHERE key_id = ANY($1::uuid[])"
SECRET = "SELECT secret FROM subject_secret"
# A stream records its subject's erasure (the domain's PersonalDataErased events), or holds
# a value sealed under a key that is gone: keys are per person (migration 0013), so erasing
# one of a person's applications destroys the key their other applications were sealed
# under, and records the erasure only in its own stream.
STREAM_ERASED = """
SELECT EXISTS (
  SELECT 1 FROM events WHERE stream_id = $1 AND type LIKE '%.PersonalDataErased'
) OR EXISTS (
  SELECT 1
  FROM events e
  CROSS JOIN LATERAL regexp_matches(
    e.data::text, $2::text, 'g'
  ) AS sealed(key_id)
  WHERE e.stream_id = $1
    AND NOT EXISTS (SELECT 1 FROM subject_keys k WHERE k.key_id = sealed.key_id[1]::uuid)
)"""
SEALED_KEY_ID = KEY_SEALED + r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):"


def new_key() -> bytes:
    """A fresh 256-bit AES-GCM key."""
    return AESGCM.generate_key(bit_length=256)


def seal(key: bytes, subject_id: UUID, plaintext: str, key_id: UUID | None = None) -> str:
    """`plaintext` encrypted under the subject's key (a new nonce each time); the value
    names `key_id` when given (`pd2:`), else the key is the subject's one (`pd1:`)."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), subject_id.bytes)
    body = base64.b64encode(nonce + sealed).decode("ascii")
    return SUBJECT_SEALED + body if key_id is None else f"{KEY_SEALED}{key_id}:{body}"


def key_id_of(subject_id: UUID, sealed: str) -> UUID:
    """The id of the key that sealed the value (the subject's for `pd1:` values). Raises
    ValueError when the value is not sealed."""
    if sealed.startswith(SUBJECT_SEALED):
        return subject_id
    if sealed.startswith(KEY_SEALED):
        return UUID(sealed[len(KEY_SEALED) :].split(":", 1)[0])
    raise ValueError("not a sealed value")


def unseal(key: bytes | None, subject_id: UUID, sealed: str) -> str:
    """The plaintext, or ERASED when the key is gone (None). Raises ValueError when the
    value is not sealed, or not for this subject (a bug or tampering, never user input)."""
    if key is None:
        return ERASED
    if sealed.startswith(SUBJECT_SEALED):
        body = sealed[len(SUBJECT_SEALED) :]
    elif sealed.startswith(KEY_SEALED):
        body = sealed[len(KEY_SEALED) :].split(":", 1)[1]
    else:
        raise ValueError("not a sealed value")
    raw = base64.b64decode(body)
    try:
        opened = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], subject_id.bytes)
    except InvalidTag:
        raise ValueError(f"a sealed value does not open with subject {subject_id}'s key") from None
    return opened.decode("utf-8")


def sealer(key: bytes, subject_id: UUID, key_id: UUID | None = None) -> Callable[[str], str]:
    """What the domain is handed to seal a subject's fields (it does no cryptography)."""
    return lambda plaintext: seal(key, subject_id, plaintext, key_id)


def store_key(
    uow: UnitOfWork, subject_id: UUID, key: bytes, owner: Aggregate, key_id: UUID | None = None
) -> None:
    """Store the subject's key (`key_id`, else the subject's one key) with the command's
    events (owned by `owner`'s stream): a command that fails leaves no key row behind."""
    uow.reserve(KEY_SCOPE, f"{subject_id}:{key_id or subject_id}:{key.hex()}", owner)


async def keys_of(db: Any, subject_ids: Sequence[UUID]) -> Mapping[UUID, bytes]:
    """Each subject's newest key, for those that still have one (erased ones are missing)."""
    rows = await db.fetch(KEYS_BY_SUBJECT, list(subject_ids))
    return {row["subject_id"]: bytes(row["key"]) for row in rows}


async def keys_by_id(db: Any, key_ids: Sequence[UUID]) -> Mapping[UUID, bytes]:
    """The keys that still exist, by key id (destroyed ones are missing)."""
    rows = await db.fetch(KEYS_BY_ID, list(key_ids))
    return {row["key_id"]: bytes(row["key"]) for row in rows}


async def current_key(db: Any, subject_id: UUID) -> tuple[UUID, bytes] | None:
    """The subject's newest key as (key id, key); None when it has none (never had one,
    or erased)."""
    rows = await db.fetch(KEYS_BY_SUBJECT, [subject_id])
    return None if not rows else (rows[0]["key_id"], bytes(rows[0]["key"]))


async def stream_erased(db: Any, stream_id: UUID) -> bool:
    """Whether the stream's personal data was erased: its own erasure event, or any value in
    its events sealed under a key that has since been destroyed (a person's other
    applications, once the person is erased). One query; False for a stream with no events."""
    return bool(await db.fetchval(STREAM_ERASED, stream_id, SEALED_KEY_ID))


async def person_subject(db: Any, id_number: str) -> UUID:
    """The subject id of the person with this (checked, normalised) ID number: the first
    16 bytes of its HMAC-SHA256 under the district's secret (migration 0013), so the same
    person is found again while their ID number is stored nowhere in clear."""
    secret = await db.fetchval(SECRET)
    digest = hmac.new(bytes(secret), id_number.encode("utf-8"), hashlib.sha256).digest()
    return UUID(bytes=digest[:16], version=4)


def destroy_key(uow: UnitOfWork, subject_id: UUID, owner: Aggregate) -> None:
    """Erasure of the person: every key of the subject goes in the transaction that appends
    the erasure's event (on `owner`), so the record of an erasure and the keys' destruction
    never part. With the keys gone, every sealed copy of the subject's data is unreadable."""
    uow.reserve(ERASURE_SCOPE, f"{subject_id}:{owner.id}", owner)


class PersonKey:
    """A person's subject and the key their new data is sealed under: their newest key, or
    a new one (stored with the command's events by `keep`) when they have none."""

    def __init__(self, subject_id: UUID, found: tuple[UUID, bytes] | None) -> None:
        self.subject_id = subject_id
        self.is_new = found is None
        self.key_id, self.key = (uuid4(), new_key()) if found is None else found

    def sealer(self) -> Callable[[str], str]:
        return sealer(self.key, self.subject_id, self.key_id)

    def keep(self, uow: UnitOfWork, owner: Aggregate) -> None:
        """Stores the key with `owner`'s events when it is new; else checks, with them, that
        no erasure destroyed it since it was read (the store then answers a conflict, and
        the command re-runs under a new key)."""
        if self.is_new:
            store_key(uow, self.subject_id, self.key, owner, self.key_id)
        else:
            uow.reserve(KEY_USE_SCOPE, str(self.key_id), owner)


async def person_key(db: Any, id_number: str) -> PersonKey:
    """The key of the person with this (checked) ID number, found from it."""
    subject_id = await person_subject(db, id_number)
    return PersonKey(subject_id, await current_key(db, subject_id))
