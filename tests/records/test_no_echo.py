"""The assistant never repeats a value it did not accept: whatever a user
types as a fact (a name, a date of birth…), alone or beside a valid value,
no reply quotes it (« Je n'ai pas retenu « Dupont » » must not happen)."""

from __future__ import annotations

import pytest

from consultation.facts import update_facts
from decision import FIELDS

TYPED = ["Jean Dupont", "dupont", "né le 12/03/1950", "06 12 34 56 78", "<b>Martin</b>", ["Dupont"], {"nom": "Dupont"}]


def valid_value(field: str):
    values = FIELDS[field]
    return values[0] if isinstance(values, tuple) else True


def entity(field: str, value) -> dict:
    return {"entity": field, "value": value, "start": 0, "end": 5}


@pytest.mark.parametrize("field", list(FIELDS))
def test_a_value_outside_the_contract_is_never_quoted(field):
    for typed in TYPED:
        valid = valid_value(field)
        for values in ([typed], [typed, valid], [valid, typed], [typed, typed]):
            update = update_facts({}, [entity(field, value) for value in values], None, "", None)
            said = "\n".join(update.messages)
            assert update.messages, (field, values)  # the user is told why nothing was noted
            for word in ("Dupont", "dupont", "1950", "56 78", "Martin"):
                assert word not in said, (field, values, said)
            assert field not in update.slots or update.slots[field] == valid
