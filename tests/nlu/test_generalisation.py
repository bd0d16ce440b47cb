"""NLU scores on the dev set and on the frozen test set, and what keeps the frozen set a test.

The frozen set (tests/nlu/frozen.yml) was written before its writer read the
lexicon; the dev set (tests/nlu/dev.yml, the former held-out set) may inform
the lexicon. Both are read by the trained assistant (models/consultation.tar.gz,
loaded once for this module) and scored as tests/nlu/sets.py says; the scores
are printed at the end of the session (tests/nlu/conftest.py) and written to
results/nlu_sets.json.
"""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
import structlog
import yaml

from freetext.fields import FIELD_ENTITY, REFERENCE_ENTITY, accepts
from freetext.parser import FIELD_VALUES
from tests.nlu.sets import (
    BASELINE,
    FROZEN_SET,
    ROOT,
    SUMMARY_KEY,
    Example,
    Pair,
    Scores,
    baseline,
    dev_material,
    frozen_items,
    leaks,
    load_dev,
    load_frozen,
    normalized,
    parser_entities,
    recorded_hashes,
    sha256,
    texts_of,
)

MODEL = ROOT / "models" / "consultation.tar.gz"
RESULTS = ROOT / "results"

# Floors, set below what was measured (docs/tests.md, « Mesures du NLU »). Dev set: intent
# F1 0.896, entity F1 0.987, slot accuracy 0.977. Frozen set: intent F1 0.914 with
# the model of `make model` and with three more trainings of the same
# configuration, entity F1 0.941, slot accuracy 0.816. DIET's seed and
# TensorFlow's threads moved the intent F1 of the dev set by up to 0.02
# (docs/performance.md): the intent floors leave that and a few messages more.
# The parser is deterministic: its floors on the frozen set leave room for about
# ten entities (entity F1) or eight messages (slot accuracy) lost to a lexicon
# change made from the dev set. Below them, reading has got worse on phrasings
# nobody wrote the lexicon for.
DEV_FLOORS = {"intent_f1": 0.88, "entity_f1": 0.97, "slot_accuracy": 0.95}
FROZEN_FLOORS = {"intent_f1": 0.87, "entity_f1": 0.93, "slot_accuracy": 0.78}


def domain_intents() -> set[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return set(domain["intents"])


# ------------------------------------------------------------------ the frozen set stays a test


def test_frozen_set_and_its_leak_baseline_are_unchanged() -> None:
    hashes = recorded_hashes()
    assert set(hashes) == {FROZEN_SET, BASELINE}
    for path, digest in hashes.items():
        assert sha256(path) == digest, (
            f"{path.relative_to(ROOT)} changed: the frozen set is never edited. A new frozen set is "
            "written without reading the lexicon, and committed with its hash."
        )


def test_frozen_set_is_annotated_in_the_contract_vocabulary() -> None:
    items = frozen_items()
    assert len(items) >= 150
    intents = domain_intents()
    for item in items:
        assert set(item) <= {"text", "intent", "entities", "asked", "answer"}, item
        assert item["intent"] in intents, item
        asked = item.get("asked")
        assert asked is None or asked in FIELD_VALUES, item
        assert ("answer" in item) <= (asked is not None), item
    for example in load_frozen():
        for name, value in example.entities:
            if name == FIELD_ENTITY:
                assert value in FIELD_VALUES, example
            elif name == REFERENCE_ENTITY:
                assert value.isdigit(), example
            else:
                assert name in FIELD_VALUES and accepts(name, value), example
        if example.answer is not None:
            assert example.asked is not None and accepts(example.asked, example.answer), example
    texts = [normalized(e.text) for e in load_frozen()]
    assert len(set(texts)) == len(texts), "a message is twice in the frozen set"


# Short messages of the frozen set that were already, word for word, in the dev or
# training material when the set was frozen: its writer wrote « oui » or « aide »
# as anyone would. No other frozen message may be added to that material.
ALREADY_IN_DEV = {
    "< 1/3",
    "3/4",
    "> 6 mois",
    "aide",
    "aucune idée",
    "bjr",
    "Bonjour à vous",
    "bonsoir",
    "c'est exact",
    "col fémoral",
    "cotyle",
    "diaph",
    "diaphyse",
    "douleurs d'appui",
    "fracturé",
    "metatarse",
    "modérée",
    "non",
    "non c'est faux",
    "non pas du tout",
    "nope",
    "nouveau patient",
    "OMS 1-2",
    "ouais",
    "oui",
    "oui c'est bien ça",
    "plutôt condensante",
    "poumon",
    "primitif pulmonaire",
    "top merci",
    "yes",
}


def test_no_frozen_message_was_added_to_the_dev_or_training_material() -> None:
    frozen = {normalized(e.text): e.text for e in load_frozen()}
    seen = {normalized(text) for path in dev_material() for text in texts_of(path)}
    assert {frozen[t] for t in frozen.keys() & seen} - ALREADY_IN_DEV == set()


def test_no_lexicon_phrase_matches_a_phrasing_found_only_in_the_frozen_set() -> None:
    """A lexicon phrase whose words occur in a frozen message and nowhere in the dev
    or training material (tests/nlu/sets.py) was written for the frozen set, unless
    it predates it (frozen_lexicon_baseline.txt). Put the dev evidence for the
    phrase in the dev material, or take the phrase out of the lexicon."""
    new = {phrase: messages for phrase, messages in leaks().items() if phrase not in baseline()}
    assert new == {}


# ------------------------------------------------------------------ the scores


async def _read(texts: list[str]) -> list[tuple[str, frozenset[Pair]]]:
    """(intent, entities) of each text, by the trained assistant's NLU pipeline."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))
    out = []
    for text in texts:
        parsed = await agent.parse_message(text)
        entities = frozenset(
            (e["entity"], str(e["value"])) for e in parsed["entities"] if e.get("extractor") == "CaseFactExtractor"
        )
        out.append((parsed["intent"]["name"], entities))
    return out


def read_all(texts: list[str]) -> list[tuple[str, frozenset[Pair]]]:
    """``_read`` without Rasa's debug line for every message (structlog prints them all
    unless configured): a failure shows the scores, not 600 log lines."""
    previous = structlog.get_config()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    try:
        return asyncio.run(_read(texts))
    finally:
        structlog.configure(**previous)


@pytest.fixture(scope="module")
def scores(pytestconfig: pytest.Config) -> dict[str, Scores]:
    """Both sets read by the trained assistant, the model loaded once."""
    assert MODEL.exists(), f"{MODEL} is missing: `make model` trains it"
    sets: dict[str, list[Example]] = {"dev": load_dev(), "frozen": load_frozen()}
    texts = [e.text for examples in sets.values() for e in examples]
    readings = iter(read_all(texts))
    out = {}
    for name, examples in sets.items():
        read = [next(readings) for _ in examples]
        out[name] = Scores(
            f"NLU {name} set, tests/nlu/{name}.yml", examples, [e for _, e in read], [i for i, _ in read]
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "nlu_sets.json").write_text(
        json.dumps({name: s.as_dict() for name, s in out.items()}, indent=2) + "\n", encoding="utf-8"
    )
    pytestconfig.stash[SUMMARY_KEY] = "\n".join(s.summary() for s in out.values())
    return out


def check_floors(scores: Scores, floors: dict[str, float]) -> None:
    measured = {"intent_f1": scores.intent_f1, "entity_f1": scores.entity_f1, "slot_accuracy": scores.slot_accuracy}
    below = {name: round(value, 3) for name, value in measured.items() if value < floors[name]}
    assert below == {}, f"{scores.summary()}; floors {floors}"


@pytest.mark.model
def test_scores_on_the_dev_set(scores: dict[str, Scores]) -> None:
    check_floors(scores["dev"], DEV_FLOORS)


@pytest.mark.model
def test_scores_on_the_frozen_set(scores: dict[str, Scores]) -> None:
    check_floors(scores["frozen"], FROZEN_FLOORS)


@pytest.mark.model
def test_entities_are_the_parsers(scores: dict[str, Scores]) -> None:
    """The pipeline's entities are CaseFactExtractor's, that is the parser's: the
    slot accuracy, measured with the parser, measures what the assistant records."""
    for s in scores.values():
        assert s.entities == parser_entities(s.examples)
