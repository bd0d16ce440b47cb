"""Messaging channels: each one only translates messages between a messenger
and the bot.

- `buttonless`: questions' buttons as numbered options, and the clinician's
  « 2 » or « fémur » back to the option's payload (every channel without
  buttons);
- `formatting`: the bot's Markdown as Matrix HTML, Telegram HTML, Slack mrkdwn;
- `matrix`: Matrix/Tchap, the Rasa input channel the Matrix bridge posts to
  (the bridge, which talks to the homeserver, is its own process and package:
  `matrix_bridge`, see docs/matrix.md);
- `telegram`, `slack`: Rasa's connectors with numbered options and formatted
  text.

This package imports neither Rasa nor matrix-nio at import time: the bridge,
in its own virtual environment without Rasa, uses `buttonless` and
`formatting`.
"""
