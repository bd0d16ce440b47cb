"""Messaging channels: each one only translates messages between a messenger
and the bot.

- `buttonless`: questions' buttons as numbered options, and the clinician's
  « 2 » or « fémur » back to the option's payload (every channel without
  buttons);
- `formatting`: the bot's Markdown as Matrix HTML, Telegram HTML, Slack mrkdwn;
- `matrix`: Matrix/Tchap (a Rasa input channel plus the bridge service that
  talks to the homeserver, see docs/matrix.md);
- `telegram`, `slack`: Rasa's connectors with numbered options and formatted
  text.

This package imports neither Rasa nor matrix-nio at import time: the bridge
runs in its own virtual environment.
"""
