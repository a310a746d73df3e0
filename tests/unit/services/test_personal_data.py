from __future__ import annotations

from uuid import uuid4

import pytest

from cso.services.personal_data import ERASED, PREFIX, key_id_of, new_key, seal, unseal


def test_a_sealed_value_opens_with_its_subjects_key_and_hides_the_plaintext() -> None:
    subject, key = uuid4(), new_key()
    sealed = seal(key, subject, "440105199003071234")
    assert sealed.startswith(PREFIX) and "440105" not in sealed
    assert seal(key, subject, "440105199003071234") != sealed  # a new nonce each time
    assert unseal(key, subject, sealed) == "440105199003071234"


def test_without_the_key_a_value_reads_erased() -> None:
    subject = uuid4()
    assert unseal(None, subject, seal(new_key(), subject, "13912345678")) == ERASED


def test_a_value_sealed_for_another_subject_or_key_does_not_open() -> None:
    subject, key = uuid4(), new_key()
    sealed = seal(key, subject, "张三")
    with pytest.raises(ValueError):
        unseal(key, uuid4(), sealed)
    with pytest.raises(ValueError):
        unseal(new_key(), subject, sealed)
    with pytest.raises(ValueError):
        unseal(key, subject, "张三")


def test_a_value_sealed_under_a_named_key_names_it_and_opens_with_it() -> None:
    subject, key_id, key = uuid4(), uuid4(), new_key()
    sealed = seal(key, subject, "13912345678", key_id)
    assert sealed.startswith(f"pd2:{key_id}:") and sealed.startswith(PREFIX)
    assert key_id_of(subject, sealed) == key_id
    assert unseal(key, subject, sealed) == "13912345678"
    with pytest.raises(ValueError):
        unseal(new_key(), subject, sealed)


def test_a_value_sealed_under_the_subjects_one_key_is_named_by_the_subject() -> None:
    subject, key = uuid4(), new_key()
    sealed = seal(key, subject, "张三")
    assert sealed.startswith("pd1:") and key_id_of(subject, sealed) == subject
    with pytest.raises(ValueError):
        key_id_of(subject, "13912345678")
