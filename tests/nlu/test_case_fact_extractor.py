"""Tests of the Rasa NLU component nlu.case_fact_extractor.CaseFactExtractor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("rasa")

from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema  # noqa: E402
from rasa.engine.recipes.default_recipe import DefaultV1Recipe  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.nlu.extractors.extractor import EntityExtractorMixin  # noqa: E402
from rasa.shared.data import TrainingType  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from nlu.case_fact_extractor import CaseFactExtractor  # noqa: E402

ENTITY_KEYS = {"entity", "value", "start", "end", "confidence_entity", "extractor"}


@pytest.fixture
def extractor(tmp_path: Path) -> CaseFactExtractor:
    return CaseFactExtractor.create(
        CaseFactExtractor.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("case_fact_extractor"),
        ExecutionContext(GraphSchema({}), "x"),
    )


def run(extractor: CaseFactExtractor, text: Any, **data: Any) -> list[dict[str, Any]]:
    message = Message(data={"text": text, **data})
    extractor.process([message])
    return message.get("entities", [])


def test_component_is_a_registered_entity_extractor() -> None:
    assert issubclass(CaseFactExtractor, GraphComponent)
    assert issubclass(CaseFactExtractor, EntityExtractorMixin)
    registered = DefaultV1Recipe._from_registry("nlu.case_fact_extractor.CaseFactExtractor")
    assert registered.clazz is CaseFactExtractor
    assert registered.types == {DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR}
    assert registered.is_trainable is False


def test_component_fits_in_a_pipeline_after_the_tokenizer() -> None:
    config = {
        "recipe": "default.v1",
        "language": "fr",
        "pipeline": [{"name": "WhitespaceTokenizer"}, {"name": "nlu.case_fact_extractor.CaseFactExtractor"}],
        "policies": [],
    }
    graph = DefaultV1Recipe().graph_config_for_recipe(config, {}, training_type=TrainingType.NLU)
    assert any(node.uses is CaseFactExtractor for node in graph.predict_schema.nodes.values())


def test_reference_example_gives_four_entities_in_rasa_format(extractor: CaseFactExtractor) -> None:
    text = "fracture du col fémoral, espérance de vie 4 mois"
    entities = run(extractor, text)
    assert [(e["entity"], e["value"]) for e in entities] == [
        ("situation", "pathological_fracture"),
        ("site", "neck"),
        ("bone", "femur"),
        ("life_expectancy", "6_weeks_to_6_months"),
    ]
    for e in entities:
        assert set(e) == ENTITY_KEYS
        assert e["confidence_entity"] == 1.0
        assert e["extractor"] == "CaseFactExtractor"
        assert text[e["start"] : e["end"]] in ("fracture", "col", "fémoral", "4 mois")


def test_entities_are_appended_to_existing_ones(extractor: CaseFactExtractor) -> None:
    previous = {"entity": "other", "value": "x", "start": 0, "end": 1, "extractor": "Other"}
    entities = run(extractor, "cotyle", entities=[previous])
    assert entities[0] == previous
    assert [(e["entity"], e["value"]) for e in entities[1:]] == [("bone", "acetabulum")]


def test_several_messages_are_processed(extractor: CaseFactExtractor) -> None:
    messages = [Message(data={"text": "fémur"}), Message(data={"text": "bonjour"})]
    assert extractor.process(messages) is messages
    assert [e["value"] for e in messages[0].get("entities")] == ["femur"]
    assert messages[1].get("entities") == []


def test_entities_can_be_restricted_by_config(tmp_path: Path) -> None:
    component = CaseFactExtractor.create(
        {"entities": ["bone"]}, LocalModelStorage(tmp_path), Resource("r"), ExecutionContext(GraphSchema({}), "x")
    )
    assert [e["entity"] for e in run(component, "fracture du col fémoral")] == ["bone"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        None,
        "\x00\x01\x1b[31m\x7f",
        "🦴🦴 fémur 💀",
        "שבר בצוואר הירך",
        "\u202eكسر عنق عظم الفخذ\u202c",
        "e\u0301" * 50,
    ],
)
def test_odd_messages_do_not_crash(extractor: CaseFactExtractor, text: Any) -> None:
    entities = run(extractor, text)
    for e in entities:
        assert 0 <= e["start"] < e["end"] <= len(text)


def test_hundred_kilobyte_message_does_not_crash(extractor: CaseFactExtractor) -> None:
    text = ("fracture du col fémoral 🦴 \x07 " * 4000)[:100_000]
    entities = run(extractor, text)
    assert entities
    assert all(text[e["start"] : e["end"]] for e in entities)
