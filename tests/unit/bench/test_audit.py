"""The bench's copies of the demo log: every id in a copy is the copy's own."""

from __future__ import annotations

import uuid

from audit import UUID_TEXT, fresh_ids


def test_an_id_written_canonically_or_as_hex_maps_to_one_new_id_in_the_same_form() -> None:
    old = uuid.uuid4()
    data = f'{{"a": "{old}", "b": {{"_type_": "uuid_hex", "_data_": "{old.hex}"}}}}'
    copied = UUID_TEXT.sub(fresh_ids(1), data)
    new = copied.split('"a": "')[1][:36]
    assert uuid.UUID(new) != old
    assert copied == data.replace(str(old), new).replace(old.hex, uuid.UUID(new).hex)


def test_each_copy_has_ids_of_its_own_and_other_hex_text_is_left_alone() -> None:
    old = uuid.uuid4()
    first, second = (UUID_TEXT.sub(fresh_ids(n), f'"{old.hex}"') for n in (1, 2))
    assert len({first, second, f'"{old.hex}"'}) == 3
    within = f'"sealed:{old.hex}:rest" "{"ab" * 20}"'
    assert UUID_TEXT.sub(fresh_ids(1), within) == within
