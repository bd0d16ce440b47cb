"""LeanSpacyNLP gives Rasa's spaCy tokenizer and featurizer the same tokens and
word vectors as the full French model, without running its neural components."""

import numpy as np
import pytest
import spacy
from rasa.nlu.model import InvalidModelError
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
from rasa.shared.nlu.training_data.message import Message

from nlu.spacy_lean import LeanSpacyNLP

MODEL = "fr_core_news_md"
TEXT = "Fracture du col fémoral droit, espérance de vie 4 mois ; l'humérus est-il atteint ?"


@pytest.fixture(scope="module")
def lean():
    return LeanSpacyNLP.load_model(MODEL).model


def test_only_the_tokenizer_and_the_vectors_are_loaded(lean):
    assert lean.pipe_names == []
    assert lean.vocab.vectors.shape == spacy.load(MODEL, exclude=["ner", "parser"]).vocab.vectors.shape


def test_tokens_and_vectors_are_those_of_the_full_model(lean):
    full = spacy.load(MODEL)(TEXT)
    doc = lean(TEXT)
    assert [t.text for t in doc] == [t.text for t in full]
    assert np.allclose(doc.vector, full.vector)


def test_rasa_tokens_fall_back_to_the_word_when_spacy_gives_no_lemma(lean):
    component = LeanSpacyNLP(LeanSpacyNLP.load_model(MODEL), LeanSpacyNLP.get_default_config())
    message = Message.build(text=TEXT)
    component.process([message], component.provide())
    tokens = SpacyTokenizer(SpacyTokenizer.get_default_config()).tokenize(message, "text")
    assert [t.lemma for t in tokens][:4] == ["fracture", "du", "col", "fémoral"]  # lower-cased by SpacyNLP


def test_components_can_be_kept_by_name():
    model = LeanSpacyNLP.load_model(
        MODEL, keep_components=["tok2vec", "morphologizer", "attribute_ruler", "lemmatizer"]
    )
    assert model.model.pipe_names == ["tok2vec", "morphologizer", "attribute_ruler", "lemmatizer"]
    assert model.model("fracture du col")[1].lemma_ == "de"


def test_a_missing_model_is_a_clear_configuration_error():
    with pytest.raises(InvalidModelError, match="xx_absent.*make install"):
        LeanSpacyNLP.load_model("xx_absent")
    with pytest.raises(InvalidModelError, match="needs a spaCy model"):
        LeanSpacyNLP.load_model("")
