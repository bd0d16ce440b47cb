"""Rasa 3.6 NLU component that adds the parser's case facts as entities.

config.yml, after the tokenizer:

    - name: nlu.case_fact_extractor.CaseFactExtractor

Each fact of ``freetext.parser.extract_facts`` becomes an entity
``{"entity", "value", "start", "end", "confidence_entity": 1.0,
"extractor": "CaseFactExtractor"}`` appended to the message's entities.

The message is read here once: what the rest of the turn needs of that reading
(`freetext.reading.carry`: the facts, the fields named, the values left open,
whether the message is outside the chapter) goes with the message, in its parse
data under ``case_reading``, which Rasa keeps in the `UserUttered` event and
sends to the action server (``tracker.latest_message``). `CaseFactsPolicy` and
`action_validate_slot_mappings` read it there instead of reading the text again.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import ENTITY_ATTRIBUTE_CONFIDENCE_TYPE
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from freetext import reading
from freetext.parser import extract_facts

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class CaseFactExtractor(GraphComponent, EntityExtractorMixin):
    """Extracts the decision contract's case facts from French free text."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring)."""
        return {
            # Entities this component may add; an empty list means all of them.
            "entities": [],
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CaseFactExtractor:
        """Creates a new component (see parent class for full docstring)."""
        return cls(config)

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self._config = {**self.get_default_config(), **(config or {})}
        self._entities = frozenset(self._config.get("entities") or ())

    def process(self, messages: list[Message]) -> list[Message]:
        """Appends the case facts of each message to its entities."""
        for message in messages:
            extracted = self.add_extractor_name(self._extract_entities(message))
            message.set(ENTITIES, message.get(ENTITIES, []) + extracted, add_to_output=True)
            carried = self._reading(message)
            if carried is not None:
                message.set(reading.KEY, carried, add_to_output=True)
        return messages

    @staticmethod
    def _reading(message: Message) -> dict[str, Any] | None:
        """What reading the message found, for the rest of the turn (its facts were
        read just now: nothing is read twice)."""
        text = message.get(TEXT)
        # A button's payload (« /inform{…} ») is not read as words by the actions.
        if not isinstance(text, str) or not text.strip() or text.lstrip().startswith("/"):
            return None
        try:
            return reading.carry(text)
        except Exception:  # the rest of the turn then reads the message itself
            logger.exception("CaseFactExtractor could not pass its reading on; the actions will read the message.")
            return None

    def _extract_entities(self, message: Message) -> list[dict[str, Any]]:
        text = message.get(TEXT)
        if not isinstance(text, str) or not text.strip():
            return []
        try:
            facts = extract_facts(text)
        except Exception:  # never let a parser bug break the NLU pipeline
            logger.exception("CaseFactExtractor failed on a message; no entity added.")
            return []
        return [
            {
                ENTITY_ATTRIBUTE_TYPE: fact.field,
                ENTITY_ATTRIBUTE_VALUE: fact.value,
                ENTITY_ATTRIBUTE_START: fact.start,
                ENTITY_ATTRIBUTE_END: fact.end,
                ENTITY_ATTRIBUTE_CONFIDENCE_TYPE: 1.0,
            }
            for fact in facts
            if not self._entities or fact.field in self._entities
        ]
