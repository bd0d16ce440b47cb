"""Telegram through Rasa's connector, with the bot's Markdown as Telegram HTML
and questions as numbered options.

Rasa's own connector shows ``**gras**`` as typed, cuts every text at blank
lines into separate messages, and puts all the buttons of a question on one
row of an inline keyboard (ten options do not fit). In credentials.yml::

    channels.telegram.TelegramInput:
      access_token: "${TELEGRAM_TOKEN}"
      verify: "nom_du_bot"
      webhook_url: "https://assistant.example.org/webhooks/telegram/webhook"
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint

from .buttonless import OptionsMemory, numbered, options_from_buttons, translating
from .formatting import chunks, telegram_html

# Telegram's limit is 4096 characters per message (after entities).
TELEGRAM_MAX_CHARS = 4000


class NumberedTelegramOutput(TelegramOutput):
    def __init__(self, access_token: Optional[Text], memory: OptionsMemory) -> None:
        super().__init__(access_token)
        self.memory = memory

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in chunks(text, TELEGRAM_MAX_CHARS):
            await self.send_message(recipient_id, telegram_html(part), parse_mode="HTML")

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     button_type: Optional[Text] = "inline", **kwargs: Any) -> None:
        options = options_from_buttons(buttons)
        self.memory.remember(str(recipient_id), options)
        await self.send_text_message(recipient_id, numbered(text, options))


class TelegramInput(RasaTelegramInput):
    """Rasa's Telegram connector (webhook, verification), messages translated."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memory = OptionsMemory()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(translating(on_new_message, self.memory))

    def get_output_channel(self) -> TelegramOutput:
        """As Rasa's (which also registers the webhook with Telegram), with
        the translating output."""
        channel = NumberedTelegramOutput(self.access_token, self.memory)
        try:
            asyncio.run(channel.set_webhook(url=self.webhook_url))
        except TelegramAPIError as error:
            raise RasaException("Failed to set channel webhook: " + str(error)) from error
        return channel
