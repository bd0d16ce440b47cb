"""Rasa's `SpacyNLP`, loading only what our pipeline reads from spaCy.

The pipeline reads two things from spaCy: the tokens (`SpacyTokenizer`) and the
static word vectors (`SpacyFeaturizer`). Rasa's `SpacyNLP` loads the whole
French pipeline and runs its neural components (tok2vec, morphologizer,
lemmatizer, named entities) on every message; nothing in ours reads their
output. `LeanSpacyNLP` loads the same model without those components: the
tokenizer and the vectors are the model's own, a message costs ~0.02 ms
instead of ~5 ms and the server holds less memory (measured by `make bench`,
docs/performance.md). Tokens then carry no spaCy lemma, so Rasa uses the word
itself, which the held-out French set scores at least as well.

    - name: nlu.spacy_lean.LeanSpacyNLP
      model: fr_core_news_md
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.model import InvalidModelError
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MODEL_LOADER, DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
    is_trainable=False,
    model_from="LeanSpacyNLP",
)
class LeanSpacyNLP(SpacyNLP):
    """`SpacyNLP` with the model's tokenizer and word vectors only."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**SpacyNLP.get_default_config(), "keep_components": []}

    @staticmethod
    def load_model(spacy_model_name: str, keep_components: Sequence[str] = ()) -> SpacyModel:
        import spacy

        if not spacy_model_name:
            raise InvalidModelError("LeanSpacyNLP needs a spaCy model in config.yml, e.g. `model: fr_core_news_md`.")
        try:
            if not spacy.util.is_package(spacy_model_name):
                raise OSError("not an installed package")
            meta = spacy.info(spacy_model_name, silent=True)
            if not isinstance(meta, dict):
                raise OSError("no package metadata")
            components = list(meta.get("components") or meta.get("pipeline") or [])
            language = spacy.load(spacy_model_name, exclude=[c for c in components if c not in keep_components])
        except (OSError, ValueError) as error:
            raise InvalidModelError(
                f"spaCy model {spacy_model_name!r} cannot be loaded ({error}); `make install` installs it."
            ) from error
        if not spacy.util.is_compatible_version(spacy.about.__version__, meta.get("spacy_version", "")):
            raise InvalidModelError(
                f"spaCy model {spacy_model_name!r} needs spaCy {meta.get('spacy_version')}, "
                f"not {spacy.about.__version__}."
            )
        return SpacyModel(
            model=language, model_name=f"{spacy_model_name} ({', '.join(language.pipe_names) or 'tokens and vectors'})"
        )

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LeanSpacyNLP:
        config = {**cls.get_default_config(), **config}
        model = cls.load_model(config.get("model") or "", config["keep_components"])
        cls.ensure_proper_language_model(model.model)
        return cls(model, config)
