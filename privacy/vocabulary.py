"""The project's own words, read from its data files: what the screening of
identifying data must never take for a name.

- `known_words()`: every word of the free-text parser's lexicon, the NLU
  training examples, the dialogue (domain, texts), the chapter's knowledge and
  the contract's codes, folded (lower case, no accents), with French function
  words. A capitalised word the named-entity recogniser takes for a person
  (« Fémur », « Mirels », « PTH ») is kept when it is one of these.
- `project_texts()`: the texts the assistant itself shows that contain proper
  names (the bibliography, the chapter's sentences with capitals): kept as
  they are wherever they appear whole (a reference quoted in a reply, the
  recommendation kept in a slot), so that the report read back from the store
  still names « Swanson KC, Pritchard DJ, Sim FH ».

The bibliography's authors are not known words: a patient may be called
Richard or Thomas.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from freetext.tokens import unaccented as fold

ROOT = Path(__file__).resolve().parents[1]
# The data the clinical vocabulary is read from (not the tests).
SOURCES = (
    ROOT / "freetext" / "lexicon.yml",
    ROOT / "consultation" / "texts.yml",
    ROOT / "consultation" / "discussion.yml",
    ROOT / "domain.yml",
    ROOT / "data" / "rules.yml",
    ROOT / "decision" / "data" / "chapter.yml",
)
NLU = ROOT / "data" / "nlu"
WORD = re.compile(r"[^\W\d_]+")


def strings(value: Any, *, keys: bool = True, skip: Collection[str] = ()) -> Iterator[str]:
    """Every string of a nested value (loaded YAML or JSON): its texts and,
    with `keys`, its mapping keys; the values of the keys in `skip` are left out."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key in skip:
                continue
            if keys:
                yield str(key)
            yield from strings(item, keys=keys, skip=skip)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item, keys=keys, skip=skip)


def _load(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    from spacy.lang.fr.stop_words import STOP_WORDS

    from decision import FIELDS

    texts = [text for path in SOURCES for text in strings(_load(path))]
    texts += [text for path in sorted(NLU.glob("*.yml")) for text in strings(_load(path))]
    texts += [str(value) for values in FIELDS.values() if isinstance(values, tuple) for value in values]
    texts += list(FIELDS)
    words = {fold(word) for text in texts for word in WORD.findall(text)}
    words |= {fold(word) for word in STOP_WORDS}
    return frozenset(words)


def is_known(word: str) -> bool:
    """`word` (letters only) is one of the project's words, or its plural."""
    folded = fold(word)
    words = known_words()
    return folded in words or (folded[-1:] in ("s", "x") and folded[:-1] in words)


@lru_cache(maxsize=1)
def project_texts() -> tuple[str, ...]:
    """The bibliography (as stored and as printed) and the chapter's strings
    that hold a capital after their first letter, longest first."""
    from decision import knowledge

    found = set()
    for number, record in knowledge.references().items():
        found.add(record["reference"])
        found.add(knowledge.printed_reference(number))
    for text in strings(knowledge.chapter()):
        if len(text) > 20 and any(char.isupper() for char in text[1:]):
            found.add(text)
            found.add(knowledge.printed(text))
    return tuple(sorted(found, key=len, reverse=True))
