"""The French texts of the consultation (`texts.yml`), loaded once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

from decision import FIELDS
from decision.contract import BOOLEAN

TEXTS = Path(__file__).with_name("texts.yml")


@lru_cache(maxsize=1)
def texts() -> Dict[str, Any]:
    with open(TEXTS, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def field_text(name: str) -> Dict[str, Any]:
    return texts()["fields"][name]


def field_name(name: str) -> str:
    return field_text(name)["name"]


def value_label(name: str, value: Any) -> str:
    """The French label of a contract value ("femur" -> "Fémur", True -> "Oui")."""
    if value is True or value is False:
        return texts()["booleans"][value]
    return field_text(name).get("values", {}).get(value, str(value))


def options(name: str, values: Optional[Tuple[Any, ...]] = None) -> List[Tuple[str, Any]]:
    """(label, value) of each answer to the question about `name`."""
    return [(value_label(name, value), value) for value in (values or FIELDS[name])]


def values_list(name: str) -> str:
    return ", ".join(f"« {label} »" for label, _ in options(name))


def message(key: str, **values: Any) -> str:
    return texts()["messages"][key].format(**values)


def is_boolean(name: str) -> bool:
    return FIELDS[name] == BOOLEAN
