"""Buttons for channels that have none (Matrix/Tchap, Telegram, Slack…).

The bot's questions carry Rasa buttons, e.g.
``{"title": "Fémur", "payload": '/inform{"bone": "femur"}'}``. A messenger
shows them as numbered options under the question, and the clinician answers
with the number (« 2 ») or the words of an option (« fémur »); the answer is
then sent to Rasa as the option's payload, exactly as a click on the web.
Anything else (« le col du fémur, 4 mois ») is passed through unchanged, for
the NLU to read.

Pure Python (standard library only): the Matrix bridge runs outside Rasa's
virtual environment and imports it too.
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping, Sequence
from typing import Any

# One option: (title shown, payload sent).
Option = tuple[str, str]

ANSWER_HINT = "Répondez par le numéro ou par les mots de votre choix."

_NUMBER = re.compile(
    r"^\s*(?:n°|no\.?|numéro|numero|option|choix|réponse|reponse)?\s*(\d{1,3})\s*[.)]?\s*$", re.IGNORECASE
)


def options_from_buttons(buttons: Iterable[Mapping[str, Any]] | None) -> list[Option]:
    """The (title, payload) pairs of Rasa buttons; buttons without a payload
    (links) are left out."""
    found: list[Option] = []
    for button in buttons or []:
        title, payload = str(button.get("title") or "").strip(), button.get("payload")
        if title and isinstance(payload, str) and payload:
            found.append((title, payload))
    return found


def numbered(text: str, options: Sequence[Option], hint: str | None = ANSWER_HINT) -> str:
    """The question followed by its options, one per line: ``1. Fémur``.

    The result is Markdown; the line numbers are the answers the clinician
    types, so the renderers keep them as written (they never become an HTML
    list renumbered from 1)."""
    if not options:
        return text
    lines = [f"{number}. {title}" for number, (title, _) in enumerate(options, start=1)]
    block = "\n".join(lines)
    parts = [part for part in (text.rstrip(), block, f"*{hint}*" if hint else "") if part]
    return "\n\n".join(parts)


def normalise(text: str) -> str:
    """Case, accents, punctuation and spacing removed: « Fémur ! » -> « femur »."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.replace("’", "'")
    text = re.sub(r"[^\w']+", " ", text)
    return " ".join(text.split())


def _names(title: str) -> list[str]:
    """The ways to write an option: « Ulna (cubitus) », « ulna », « cubitus »."""
    names = [normalise(title)]
    outside = re.sub(r"\([^)]*\)", " ", title)
    if outside != title:
        names.append(normalise(outside))
        names += [normalise(inside) for inside in re.findall(r"\(([^)]*)\)", title)]
    return [name for name in names if name]


def resolve(text: str, options: Sequence[Option]) -> str:
    """The payload of the option the clinician chose, or `text` unchanged.

    Chosen means: only a number within the options (« 2 », « 2. », « n° 2 »),
    or exactly the words of one option, ignoring case, accents and punctuation
    (« femur », « Oui. », « cubitus »). A number outside the options and any
    other sentence go to the NLU as typed."""
    if not options:
        return text
    match = _NUMBER.match(text)
    if match:
        number = int(match.group(1))
        return options[number - 1][1] if 1 <= number <= len(options) else text
    answer = normalise(text)
    if not answer:
        return text
    chosen = {payload for title, payload in options if answer in _names(title)}
    return chosen.pop() if len(chosen) == 1 else text


class OptionsMemory:
    """The options last shown in each conversation.

    `store` is any mutable mapping (a plain dict, or a part of a state that is
    saved to disk); at most `limit` conversations are kept, the least recently
    used are forgotten first."""

    def __init__(self, store: MutableMapping[str, Any] | None = None, limit: int = 10_000) -> None:
        self._store: MutableMapping[str, Any] = store if store is not None else OrderedDict()
        self._limit = limit

    def remember(self, conversation: str, options: Sequence[Option]) -> None:
        """What the bot just showed; an empty list forgets the previous options
        (a message without buttons closes the question)."""
        self._store.pop(conversation, None)
        if options:
            self._store[conversation] = [list(option) for option in options]
            while len(self._store) > self._limit:
                del self._store[next(iter(self._store))]

    def options(self, conversation: str) -> list[Option]:
        return [(str(title), str(payload)) for title, payload in self._store.get(conversation) or []]

    def resolve(self, conversation: str, text: str) -> str:
        return resolve(text, self.options(conversation))

    def remember_turn(self, conversation: str, replies: Sequence[Mapping[str, Any]]) -> None:
        """After a bot turn: the options of its last message with buttons, or
        none if no message of the turn had any."""
        shown: list[Option] = []
        for reply in replies:
            if reply.get("buttons"):
                shown = options_from_buttons(reply["buttons"])
        self.remember(conversation, shown)


def render_turn(replies: Sequence[Mapping[str, Any]], hint: str | None = ANSWER_HINT) -> list[dict[str, Any]]:
    """Rasa's messages for one turn (REST channel format) as Markdown texts for
    a channel without buttons: ``[{"text": ..., "options": [...]}]``."""
    rendered = []
    for reply in replies:
        options = options_from_buttons(reply.get("buttons"))
        text = reply.get("text") or ""
        if reply.get("image"):
            text = f"{text}\n\n{reply['image']}".strip()
        if not text and not options:
            continue
        rendered.append({"text": numbered(text, options, hint), "options": options})
    return rendered


def translating(
    on_new_message: Callable[[Any], Awaitable[Any]], memory: OptionsMemory
) -> Callable[[Any], Awaitable[Any]]:
    """A Rasa input channel's `on_new_message`, with « 2 » or « fémur » turned
    into the payload of the option last shown in that conversation (the
    `UserMessage`'s sender); the options are forgotten until the bot shows new
    ones (its output channel calls `memory.remember`)."""

    async def handle(message: Any) -> Any:
        conversation = str(message.sender_id)
        if isinstance(message.text, str):
            message.text = memory.resolve(conversation, message.text)
        memory.remember(conversation, [])
        return await on_new_message(message)

    return handle


class NumberedButtons:
    """Mixin for a Rasa output channel with a `memory`: a question's buttons
    are shown as numbered options under its text and remembered, so that
    `translating` can turn the answer into the option's payload."""

    memory: OptionsMemory

    async def send_text_with_buttons(
        self, recipient_id: Any, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        options = options_from_buttons(buttons)
        self.memory.remember(str(recipient_id), options)
        await self.send_text_message(recipient_id, numbered(text, options))  # type: ignore[attr-defined]

    async def send_custom_json(self, recipient_id: Any, json_message: dict[str, Any], **kwargs: Any) -> None:
        """The assistant's custom payloads (`recommendation_ready`, `rcp_report`)
        are for the web widget: a messenger has nothing to show for them."""


class TranslatingInput:
    """Mixin for a Rasa input channel: one `OptionsMemory`, shared with its
    output channel, and incoming messages passed through `translating`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memory = OptionsMemory()

    def blueprint(self, on_new_message: Callable[[Any], Awaitable[Any]]) -> Any:
        return super().blueprint(translating(on_new_message, self.memory))  # type: ignore[misc]
