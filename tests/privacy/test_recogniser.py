"""The recogniser runs only where a name it would keep could be, and
everywhere such a name could be.

The filter (`_may_hold_name`) spares the recogniser (tens of milliseconds a
call) the clinical sentences, the masked tags, the numbers and the machine
keys of Rasa's events; it must never spare it a sentence in which it would
have found a name that the screen keeps."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

from privacy import recogniser as module
from privacy import screen, screening

SET = Path(__file__).with_name("identifying.yml")

# Names without a cue, in the shapes a clinician types them.
NAMES = ["Ysolde Quénard", "Gaspard Lemoine", "Marie-Odile Berthelot", "Awa N'Diaye", "Lucien d'Aubigné", "Kowalczyk"]
TEMPLATES = [
    "vu ce matin avec {name} pour une fracture du col fémoral",
    "{name}, 67 ans, métastase de l'humérus",
    "fracture du fémur chez {name}",
    "le dossier de {name} est passé en RCP",
]
SHAPES = [str, str.lower, str.upper]
# Clinical text, tags and machine keys: no name can be there.
NO_NAME = [
    "fracture pathologique du col fémoral droit, espérance de vie 8 mois",
    "patient de 67 ans, CBNPC, lésion lytique de plus des deux tiers, Mirels 10",
    "opérable, pas de radiothérapie antérieure, pas de lésion hypervasculaire",
    "Patient [NOM] né le [DATE], [N° DOSSIER] : fracture du col fémoral",
    "[TÉLÉPHONE], [EMAIL], [ADRESSE] : métastase de l'humérus",
    "intent_ranking",
    "quick_replies",
    "text_tokens",
    "CaseFactExtractor",
    "4589231",
    "12/03/1950",
]


def sentences_kept_by_the_recogniser(text: str, standalone: bool) -> list[str]:
    """The sentences of `text` in which the recogniser, run on every one of
    them, finds an entity the screen keeps."""
    lower = not any(char.isupper() for char in text)
    found = []
    for _, sentence in module._sentences(text):
        module._sentence_cache.clear()
        if module._sentence_entities([sentence], lower, standalone)[0]:
            found.append(sentence)
    return found


def identifying_texts() -> list[str]:
    items = yaml.safe_load(SET.read_text(encoding="utf-8"))["messages"]
    texts = [item["text"] for item in items]
    return texts + [text.lower() for text in texts]


def test_every_sentence_where_the_recogniser_keeps_a_name_is_given_to_it():
    """Run on every sentence of the identifying set (as typed and in lower
    case) and of names typed in every shape, the recogniser keeps names only
    in sentences the filter lets through."""
    texts = identifying_texts()
    texts += [
        template.format(name=shape(name)) for template, name, shape in itertools.product(TEMPLATES, NAMES, SHAPES)
    ]
    checked, missed = 0, []
    for text in texts:
        lower = not any(char.isupper() for char in text)
        for standalone in (False, True):
            for sentence in sentences_kept_by_the_recogniser(text, standalone):
                checked += 1
                if not module._may_hold_name(sentence, lower):
                    missed.append(sentence)
    assert checked > 100  # the recogniser did keep names
    assert not missed


@pytest.mark.parametrize(
    "template, name, shape",
    list(itertools.product(TEMPLATES, NAMES, SHAPES)),
    ids=lambda value: getattr(value, "__name__", str(value))[:30],
)
def test_a_sentence_with_a_name_unknown_to_the_project_goes_to_the_recogniser(template, name, shape):
    text = template.format(name=shape(name))
    lower = not any(char.isupper() for char in text)
    assert module._may_hold_name(text, lower)


@pytest.mark.parametrize("text", NO_NAME)
def test_clinical_text_tags_numbers_and_machine_keys_never_reach_the_recogniser(text, monkeypatch):
    def recogniser_called(texts):
        raise AssertionError(f"the recogniser was given {texts}")

    monkeypatch.setattr(module, "_recognised", recogniser_called)
    lower = not any(char.isupper() for char in text)
    assert not module._may_hold_name(text, lower)
    for standalone in (False, True):
        screening._screen_cached.cache_clear()
        module._sentence_cache.clear()
        screen(text, standalone=standalone)


def test_a_name_is_still_masked_with_the_filter():
    for text in ["vu avec gaspard lemoine ce matin, fracture du col", "Je vois Ysolde Quénard pour son fémur"]:
        screened = screen(text).text
        assert "[NOM]" in screened and "lemoine" not in screened.lower() and "Quénard" not in screened
