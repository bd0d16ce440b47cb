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
from typing import Any

from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput
from rasa.shared.exceptions import RasaException

from .buttonless import NumberedButtons, OptionsMemory, TranslatingInput
from .formatting import chunks, telegram_html

# Telegram's limit is 4096 characters per message (after entities).
TELEGRAM_MAX_CHARS = 4000


class NumberedTelegramOutput(NumberedButtons, TelegramOutput):
    def __init__(self, access_token: str | None, memory: OptionsMemory) -> None:
        super().__init__(access_token)
        self.memory = memory

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in chunks(text, TELEGRAM_MAX_CHARS):
            await self.send_message(recipient_id, telegram_html(part), parse_mode="HTML")


class TelegramInput(TranslatingInput, RasaTelegramInput):
    """Rasa's Telegram connector (webhook, verification), messages translated."""

    def get_output_channel(self) -> TelegramOutput:
        """As Rasa's (which also registers the webhook with Telegram), with
        the translating output."""
        channel = NumberedTelegramOutput(self.access_token, self.memory)
        try:
            asyncio.run(channel.set_webhook(url=self.webhook_url))
        except TelegramAPIError as error:
            raise RasaException("Failed to set channel webhook: " + str(error)) from error
        return channel
