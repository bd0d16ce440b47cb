"""Slack through Rasa's connector, with the bot's Markdown as Slack mrkdwn and
questions as numbered options.

Rasa's own connector drops every button of a question that has more than
five (Slack's limit for its layout) and cuts every text at blank lines into
separate messages. In credentials.yml::

    channels.slack.SlackInput:
      slack_token: "${SLACK_BOT_TOKEN}"
      slack_signing_secret: "${SLACK_SIGNING_SECRET}"
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import OutputChannel
from rasa.core.channels.slack import SlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput

from .buttonless import NumberedButtons, OptionsMemory, TranslatingInput
from .formatting import chunks, slack_mrkdwn

# Slack advises at most 4,000 characters per message.
SLACK_MAX_CHARS = 3900


class NumberedSlackBot(NumberedButtons, SlackBot):
    def __init__(
        self,
        token: str,
        slack_channel: str | None,
        thread_id: str | None,
        proxy: str | None,
        memory: OptionsMemory,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.memory = memory

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        recipient = self.slack_channel or recipient_id
        for part in chunks(text, SLACK_MAX_CHARS):
            await self._post_message(channel=recipient, as_user=True, text=slack_mrkdwn(part), type="mrkdwn")


class SlackInput(TranslatingInput, RasaSlackInput):
    """Rasa's Slack connector (events, signatures, retries), messages translated."""

    def get_output_channel(self, channel: str | None = None, thread_id: str | None = None) -> OutputChannel:
        return NumberedSlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.memory)
