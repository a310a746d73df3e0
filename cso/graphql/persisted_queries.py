"""Persisted queries: Apollo's automatic persisted queries (APQ), and an allow-list mode.

A request may name its document by hash in `extensions.persistedQuery = {version: 1,
sha256Hash}` (POST body, or the `extensions` GET parameter), with or without the text:

- `auto` (default): hash alone → the document registered under it, else the error
  `PersistedQueryNotFound` (code PERSISTED_QUERY_NOT_FOUND, HTTP 200, as Apollo Server
  answers it), on which Apollo Client and urql resend hash and text; hash and text → the
  text, registered under the hash once the hash is checked (PERSISTED_QUERY_HASH_MISMATCH
  otherwise). Registrations live in memory, per process, the least recently used dropped
  past `capacity`.
- `allowlist`: only the documents of a manifest (`CSO_PERSISTED_QUERIES_FILE`) run, named by
  hash or sent as text; any other is refused with PERSISTED_QUERY_NOT_ALLOWED (HTTP 403).
- `off`: a hash alone is answered PersistedQueryNotSupported (clients then stop sending
  hashes); text runs as usual.

A manifest is Apollo's persisted query manifest (`{"format": "apollo-persisted-query-
manifest", "operations": [{"id", "body", …}]}`, as `generate-persisted-query-manifest` and
`cso persisted-queries` write it) or a plain object of hash → document.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from cso.settings import ConfigurationError

MANIFEST_FORMAT = "apollo-persisted-query-manifest"


class PersistedQueryError(Exception):
    """A request the persisted-query rules refuse: `code` for extensions.code, the HTTP status."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


def document_hash(text: str) -> str:
    """The lowercase hex SHA-256 of the document's UTF-8 text (what APQ clients send)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class Document:
    """The text a request runs and its hash."""

    text: str
    hash: str


class PersistedQueries:
    """The documents known by hash in one process, and the rules for naming them (see above)."""

    def __init__(
        self, mode: str = "auto", capacity: int = 2000, allowed: Mapping[str, str] | None = None
    ) -> None:
        self.mode = mode
        self.capacity = max(capacity, 0)
        self._known: OrderedDict[str, str] = OrderedDict(allowed or {})
        # Allow-listed texts by their own hash, so that a client sending text finds them too.
        self._allowed_hashes = {document_hash(text) for text in (allowed or {}).values()}

    @classmethod
    def from_settings(cls, mode: str, capacity: int, manifest: Path | None) -> PersistedQueries:
        """The store for these settings; ConfigurationError when allowlist mode has no
        readable manifest."""
        if mode != "allowlist":
            return cls(mode, capacity)
        if manifest is None:
            raise ConfigurationError(
                "CSO_PERSISTED_QUERIES=allowlist needs CSO_PERSISTED_QUERIES_FILE: a manifest "
                "made by `cso persisted-queries` or Apollo's generate-persisted-query-manifest"
            )
        try:
            allowed = read_manifest(orjson.loads(manifest.read_bytes()))
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"CSO_PERSISTED_QUERIES_FILE {manifest}: {exc}") from None
        return cls(mode, capacity, allowed)

    def __len__(self) -> int:
        return len(self._known)

    def resolve(self, query: str | None, extensions: Mapping[str, Any] | None) -> Document | None:
        """The document a request runs, or None when it sends none (then it is refused as a
        request without a query). Raises PersistedQueryError."""
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if query is None or self.mode != "allowlist":
                return None if query is None else Document(query, "")
            return self._allowed_text(query)
        sha = _checked_hash(persisted)
        if self.mode == "off":
            if query is None:
                raise PersistedQueryError(
                    "PERSISTED_QUERY_NOT_SUPPORTED", "PersistedQueryNotSupported", 200
                )
            return Document(query, "")
        if query is None:
            return Document(self._lookup(sha), sha)
        if document_hash(query) != sha:
            raise PersistedQueryError(
                "PERSISTED_QUERY_HASH_MISMATCH",
                "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query's text",
                400,
            )
        if self.mode == "allowlist":
            return self._allowed_text(query)
        self._register(sha, query)
        return Document(query, sha)

    def _lookup(self, sha: str) -> str:
        text = self._known.get(sha)
        if text is None:
            if self.mode == "allowlist":
                raise _not_allowed()
            raise PersistedQueryError("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound", 200)
        if self.mode != "allowlist":
            self._known.move_to_end(sha)
        return text

    def _allowed_text(self, query: str) -> Document:
        sha = document_hash(query)
        if sha not in self._allowed_hashes:
            raise _not_allowed()
        return Document(query, sha)

    def _register(self, sha: str, text: str) -> None:
        self._known[sha] = text
        self._known.move_to_end(sha)
        while len(self._known) > self.capacity:
            self._known.popitem(last=False)


def _not_allowed() -> PersistedQueryError:
    return PersistedQueryError(
        "PERSISTED_QUERY_NOT_ALLOWED",
        "This server runs only the persisted operations of its allow-list.",
        403,
    )


def _checked_hash(persisted: object) -> str:
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise PersistedQueryError(
            "PERSISTED_QUERY_NOT_SUPPORTED", "PersistedQueryNotSupported", 200
        )
    sha = persisted.get("sha256Hash")
    if not (isinstance(sha, str) and len(sha) == 64 and _is_hex(sha)):
        raise PersistedQueryError(
            "INVALID_INPUT",
            "extensions.persistedQuery.sha256Hash must be 64 hexadecimal digits",
            400,
        )
    return sha.lower()


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in text)


def read_manifest(manifest: object) -> dict[str, str]:
    """Hash → document from Apollo's manifest or a plain object; ValueError when it is
    neither, or when an operation's id is not the SHA-256 of its body."""
    if isinstance(manifest, dict) and manifest.get("format") == MANIFEST_FORMAT:
        operations = manifest.get("operations")
        if not isinstance(operations, list):
            raise ValueError("the manifest has no list of operations")
        pairs = [(op.get("id"), op.get("body")) for op in operations if isinstance(op, dict)]
    elif isinstance(manifest, dict):
        pairs = list(manifest.items())
    else:
        raise ValueError("a manifest is a JSON object")
    allowed: dict[str, str] = {}
    for sha, body in pairs:
        if not (isinstance(sha, str) and isinstance(body, str)):
            raise ValueError("every operation needs a string id and body")
        if document_hash(body) != sha.lower():
            raise ValueError(f"operation {sha[:12]}…: the id is not the SHA-256 of its body")
        allowed[sha.lower()] = body
    return allowed


def manifest_of(operations: Iterable[tuple[str, str, str]]) -> dict[str, Any]:
    """Apollo's manifest for (name, type, body) operations, ids the SHA-256 of each body."""
    return {
        "format": MANIFEST_FORMAT,
        "version": 1,
        "operations": [
            {"id": document_hash(body), "name": name, "type": kind, "body": body}
            for name, kind, body in operations
        ],
    }
