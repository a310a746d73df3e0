"""Persisted queries: Apollo's APQ rules, the bounded store, the allow-list and manifests."""

from __future__ import annotations

import hashlib

import pytest

from cso.graphql.persisted_queries import (
    PersistedQueries,
    PersistedQueryError,
    manifest_of,
    read_manifest,
)

TEXT = "{ me { id } }"
SHA = hashlib.sha256(TEXT.encode()).hexdigest()


def by_hash(sha: str = SHA) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha}}


def refusal(store: PersistedQueries, query: str | None, extensions: dict[str, object]) -> str:
    with pytest.raises(PersistedQueryError) as refused:
        store.resolve(query, extensions)
    return refused.value.code


def test_a_plain_query_runs_as_sent_and_no_query_at_all_is_none() -> None:
    store = PersistedQueries()
    resolved = store.resolve(TEXT, None)
    assert resolved is not None and resolved.text == TEXT
    assert store.resolve(None, None) is None
    assert len(store) == 0


def test_an_unknown_hash_is_not_found_until_sent_with_its_text() -> None:
    store = PersistedQueries()
    assert refusal(store, None, by_hash()) == "PERSISTED_QUERY_NOT_FOUND"
    registered = store.resolve(TEXT, by_hash())
    assert registered is not None and registered.hash == SHA
    found = store.resolve(None, by_hash(SHA.upper()))
    assert found is not None and found.text == TEXT


def test_a_hash_that_is_not_the_texts_is_refused_and_not_registered() -> None:
    store = PersistedQueries()
    other = hashlib.sha256(b"{ __typename }").hexdigest()
    assert refusal(store, TEXT, by_hash(other)) == "PERSISTED_QUERY_HASH_MISMATCH"
    assert refusal(store, None, by_hash(other)) == "PERSISTED_QUERY_NOT_FOUND"


def test_malformed_extensions_are_refused_with_a_code() -> None:
    store = PersistedQueries()
    assert refusal(store, None, {"persistedQuery": {"version": 2}}) == (
        "PERSISTED_QUERY_NOT_SUPPORTED"
    )
    assert refusal(store, None, {"persistedQuery": "abc"}) == "PERSISTED_QUERY_NOT_SUPPORTED"
    assert refusal(store, None, by_hash("z" * 64)) == "INVALID_INPUT"
    assert refusal(store, None, by_hash(SHA[:10])) == "INVALID_INPUT"


def test_the_store_keeps_the_most_recently_used_documents_only() -> None:
    store = PersistedQueries(capacity=2)
    texts = [f"query Q{n} {{ me {{ id }} }}" for n in range(3)]
    hashes = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
    store.resolve(texts[0], by_hash(hashes[0]))
    store.resolve(texts[1], by_hash(hashes[1]))
    store.resolve(None, by_hash(hashes[0]))  # used again: the newest
    store.resolve(texts[2], by_hash(hashes[2]))
    assert len(store) == 2
    assert refusal(store, None, by_hash(hashes[1])) == "PERSISTED_QUERY_NOT_FOUND"
    assert store.resolve(None, by_hash(hashes[0])) is not None


def test_with_persisted_queries_off_a_hash_alone_is_not_supported() -> None:
    store = PersistedQueries("off")
    assert refusal(store, None, by_hash()) == "PERSISTED_QUERY_NOT_SUPPORTED"
    resolved = store.resolve(TEXT, by_hash())
    assert resolved is not None and resolved.text == TEXT
    assert len(store) == 0


def test_the_allow_list_runs_only_its_documents() -> None:
    store = PersistedQueries("allowlist", allowed={SHA: TEXT})
    assert store.resolve(None, by_hash()) is not None
    assert store.resolve(TEXT, None) is not None
    other = "{ __typename }"
    other_sha = hashlib.sha256(other.encode()).hexdigest()
    for query, extensions in ((other, None), (None, by_hash(other_sha))):
        assert refusal(store, query, extensions or {}) == "PERSISTED_QUERY_NOT_ALLOWED"
    assert refusal(store, other, by_hash(other_sha)) == "PERSISTED_QUERY_NOT_ALLOWED"
    assert len(store) == 1


def test_a_manifest_is_apollos_format_or_a_plain_object_of_hashes() -> None:
    manifest = manifest_of([("Me", "query", TEXT)])
    assert manifest["operations"] == [{"id": SHA, "name": "Me", "type": "query", "body": TEXT}]
    assert read_manifest(manifest) == {SHA: TEXT}
    assert read_manifest({SHA: TEXT}) == {SHA: TEXT}


def test_a_manifest_whose_ids_are_not_the_hashes_of_its_bodies_is_refused() -> None:
    with pytest.raises(ValueError, match="not the SHA-256"):
        read_manifest({"0" * 64: TEXT})
    with pytest.raises(ValueError, match="a JSON object"):
        read_manifest([TEXT])
    with pytest.raises(ValueError, match="no list of operations"):
        read_manifest({"format": "apollo-persisted-query-manifest"})
