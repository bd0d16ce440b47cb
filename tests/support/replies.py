"""What the assistant may say. A reply is accepted when

1. it is made of texts of consultation/texts.yml and responses of domain.yml,
   one after the other (separated by a space or line breaks), each turned
   into a regular expression whose `{blanks}` take any text on one line;
2. every word of it is a word the assistant has: of those texts, of the
   chapter's texts (decision/data/chapter.yml), of its bibliography, of the
   labels and tags of identifying data (privacy.KINDS, not the
   module's source: its docstrings hold sample names), so a blank holds no
   word from elsewhere;
3. it does not repeat what the user typed."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml

from harness.processes import ROOT
from privacy import KINDS
from privacy.vocabulary import strings

# Lists of words the assistant reads in messages, never says.
WORD_LISTS = {"detail_words", "technique_words", "new_case_words"}
# The same in consultation/discussion.yml (the discussion's texts are said).
DISCUSSION_WORD_LISTS = {"topics", "what_if_cues", "what_if_ends", "clarify_words", "clarify_filler", "words"}
BLANK = 600  # the longest blank filled: a reference of the bibliography
SEPARATOR = r"(?:\n\n|\n| )"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


@lru_cache(maxsize=1)
def templates() -> tuple[str, ...]:
    texts = yaml.safe_load((ROOT / "consultation" / "texts.yml").read_text(encoding="utf-8"))
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    said = list(strings(texts, keys=False, skip=WORD_LISTS))
    discussion = yaml.safe_load((ROOT / "consultation" / "discussion.yml").read_text(encoding="utf-8"))
    said += list(strings(discussion, keys=False, skip=DISCUSSION_WORD_LISTS))
    for variations in (domain.get("responses") or {}).values():
        said += [variation["text"] for variation in variations if variation.get("text")]
    # Longest first: a text is tried before the shorter ones it may begin with.
    return tuple(sorted({text.strip() for text in said if text.strip()}, key=len, reverse=True))


def template_regex(template: str) -> str:
    parts = PLACEHOLDER.split(template)
    return rf"[^\n]{{1,{BLANK}}}?".join(re.escape(part) for part in parts)


@lru_cache(maxsize=1)
def _reply_pattern() -> re.Pattern[str]:
    one = "(?:" + "|".join(template_regex(template) for template in templates()) + ")"
    return re.compile(f"{one}(?:{SEPARATOR}{one})*")


def is_made_of_templates(text: str) -> bool:
    return _reply_pattern().fullmatch(text.strip()) is not None


WORD = re.compile(r"[^\W\d_]+")
VOCABULARY_SOURCES = (
    "consultation/texts.yml",
    "consultation/discussion.yml",
    "domain.yml",
    "decision/data/chapter.yml",
    "decision/data/references.json",
)


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    words: set[str] = set()
    for source in VOCABULARY_SOURCES:
        words |= {word.casefold() for word in WORD.findall((ROOT / source).read_text(encoding="utf-8"))}
    for label, tag in KINDS.values():
        words |= {word.casefold() for word in WORD.findall(f"{label} {tag}")}
    return frozenset(words)


def foreign_words(text: str, known: frozenset[str] = frozenset()) -> list[str]:
    return [word for word in WORD.findall(text) if word.casefold() not in vocabulary() | known]


def check_reply(reply: dict[str, Any], typed: str, known: frozenset[str] = frozenset()) -> None:
    """One message of the bot (Rasa's REST format): its text and the titles of
    its buttons are texts of the assistant, and none repeats `typed`. `known`:
    other words the reply may hold (a conversation id)."""
    text = reply.get("text") or ""
    assert text.strip(), f"a message without text: {reply}"
    assert is_made_of_templates(text), f"not a text of the assistant: {text[:300]!r}"
    assert not foreign_words(text, known), f"words from elsewhere {foreign_words(text, known)[:5]} in {text[:300]!r}"
    for button in reply.get("buttons") or []:
        assert button["title"] in templates(), f"not a button of the assistant: {button}"
    echoed = typed.strip()
    if len(echoed) >= 3 and not any(echoed in template for template in templates()):
        assert echoed not in text, f"the reply repeats what was typed: {echoed[:80]!r}"
