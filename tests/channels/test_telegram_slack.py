"""Telegram and Slack through Rasa's own connectors (webhooks, verification
of the sender), with the numbered options and the formatting of channels
without buttons: a question goes out with its options numbered, and the
clinician's « 2 » or « fémur » comes back to Rasa as the option's payload.

The messenger's API is replaced by a recorder; everything else is Rasa's
connector code."""

import asyncio
import hashlib
import hmac
import json
import time
from types import SimpleNamespace

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from channels.buttonless import OptionsMemory
from channels.slack import NumberedSlackBot, SlackInput
from channels.telegram import NumberedTelegramOutput, TelegramInput
from consultation.questions import question

BONE_QUESTION = question("bone", 2)
NOTED = {"text": "Noté : fracture pathologique.\n\nParagraphe suivant."}


def route(blueprint, uri):
    return next(r.handler for r in blueprint._future_routes if r.uri == uri)


def fake_rasa(seen, replies):
    """Rasa's message handling: records what it is given, answers `replies`."""

    async def on_new_message(message):
        seen.append((message.sender_id, message.text))
        for reply in replies:
            await message.output_channel.send_response(message.sender_id, dict(reply))

    return on_new_message


# ------------------------------------------------------------------ Telegram


@pytest.fixture
def telegram(monkeypatch):
    sent = []

    async def send_message(self, chat_id, text, **kwargs):
        sent.append({"chat_id": chat_id, "text": text, **kwargs})

    async def set_webhook(self, url=None, **kwargs):
        return True

    async def get_me(self):
        return SimpleNamespace(username="assistant_rcp_bot")

    monkeypatch.setattr(NumberedTelegramOutput, "send_message", send_message)
    monkeypatch.setattr(NumberedTelegramOutput, "set_webhook", set_webhook)
    monkeypatch.setattr(NumberedTelegramOutput, "get_me", get_me)
    return sent


def telegram_update(text, chat_id=42):
    return {
        "update_id": 1,
        "message": {
            "message_id": 7,
            "date": 0,
            "text": text,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Dr"},
        },
    }


def test_telegram_question_as_numbered_options_and_the_number_back_as_payload(telegram):
    channel = TelegramInput.from_credentials(
        {
            "access_token": "123456:ABC-DEF",
            "verify": "assistant_rcp_bot",
            "webhook_url": "https://example.org/webhooks/telegram/webhook",
        }
    )
    assert isinstance(channel, TelegramInput)
    seen = []
    replies = [BONE_QUESTION]
    webhook = route(channel.blueprint(fake_rasa(seen, replies)), "/webhook")

    async def post(text):
        return await webhook(SimpleNamespace(method="POST", json=telegram_update(text), headers={}))

    asyncio.run(post("fracture pathologique"))
    assert seen == [("42", "fracture pathologique")]
    shown = telegram[-1]
    assert shown["parse_mode"] == "HTML" and "reply_markup" not in shown
    assert "<i>Question 2</i> — <b>Quel os est atteint ?</b>" in shown["text"]
    assert "1. Fémur\n2. Humérus\n3. Tibia" in shown["text"] and "9. Acétabulum (cotyle)" in shown["text"]

    replies[:] = [NOTED]
    asyncio.run(post("2"))
    assert seen[-1] == ("42", '/inform{"bone": "humerus"}')
    # One message, paragraphs kept (Rasa's connector sends one per paragraph).
    assert telegram[-1]["text"] == "Noté : fracture pathologique.\n\nParagraphe suivant."
    asyncio.run(post("2"))  # no question open any more: the NLU gets « 2 »
    assert seen[-1] == ("42", "2")


def test_telegram_words_of_an_option(telegram):
    channel = TelegramInput("123456:ABC-DEF", "assistant_rcp_bot", None)
    seen = []
    webhook = route(channel.blueprint(fake_rasa(seen, [BONE_QUESTION])), "/webhook")
    request = SimpleNamespace(method="POST", json=telegram_update("bonjour", chat_id=7), headers={})
    asyncio.run(webhook(request))
    request.json = telegram_update("Fémur", chat_id=7)
    asyncio.run(webhook(request))
    assert seen[-1] == ("7", '/inform{"bone": "femur"}')


def test_telegram_long_answer_is_cut_under_telegram_s_limit(telegram):
    output = NumberedTelegramOutput("123456:ABC-DEF", OptionsMemory())
    long_text = "\n\n".join("Paragraphe " + "x" * 900 for _ in range(10))
    asyncio.run(output.send_text_message("42", long_text))
    assert len(telegram) == 3 and all(len(message["text"]) <= 4096 for message in telegram)


# ------------------------------------------------------------------ Slack

SIGNING_SECRET = "secret-de-signature"


@pytest.fixture
def slack(monkeypatch):
    posted = []

    async def chat_postMessage(self, **kwargs):
        posted.append(kwargs)

    monkeypatch.setattr(AsyncWebClient, "chat_postMessage", chat_postMessage)
    return posted


def slack_request(text, user="U123", channel="D456"):
    body = json.dumps(
        {
            "type": "event_callback",
            "authorizations": [{"user_id": "UBOT"}],
            "event": {
                "type": "message",
                "channel_type": "im",
                "text": text,
                "user": user,
                "channel": channel,
                "ts": "1.0",
            },
        }
    ).encode()
    timestamp = str(int(time.time()))
    signature = (
        "v0=" + hmac.new(SIGNING_SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    )
    return SimpleNamespace(
        method="POST",
        body=body,
        json=json.loads(body),
        headers={
            "content-type": "application/json",
            "X-Slack-Signature": signature,
            "X-Slack-Request-Timestamp": timestamp,
        },
    )


def test_slack_question_with_ten_options_is_numbered_not_dropped(slack):
    channel = SlackInput.from_credentials({"slack_token": "xoxb-test", "slack_signing_secret": SIGNING_SECRET})
    assert isinstance(channel, SlackInput)
    seen = []
    replies = [BONE_QUESTION]
    webhook = route(channel.blueprint(fake_rasa(seen, replies)), "/webhook")

    async def post(text):
        result = await webhook(slack_request(text))
        await asyncio.gather(*list(channel._background_tasks))  # Rasa answers Slack in the background
        return result

    asyncio.run(post("bonjour"))
    assert seen == [("U123", "bonjour")]
    message = slack[-1]
    assert message["channel"] == "D456" and message["type"] == "mrkdwn" and "blocks" not in message
    assert message["text"].startswith("_Question 2_ — *Quel os est atteint ?*")
    assert "1. Fémur" in message["text"] and "9. Acétabulum (cotyle)" in message["text"]

    replies[:] = [NOTED]
    asyncio.run(post("acétabulum"))
    assert seen[-1] == ("U123", '/inform{"bone": "acetabulum"}')
    assert slack[-1]["text"] == "Noté : fracture pathologique.\n\nParagraphe suivant."


def test_slack_rejects_an_unsigned_request(slack):
    channel = SlackInput("xoxb-test", slack_signing_secret=SIGNING_SECRET)
    seen = []
    webhook = route(channel.blueprint(fake_rasa(seen, [])), "/webhook")
    request = slack_request("2")
    request.headers["X-Slack-Signature"] = "v0=faux"
    response = asyncio.run(webhook(request))
    assert response.status == 400 and seen == []


def test_slack_output_channel_keeps_the_thread_and_channel():
    channel = SlackInput("xoxb-test", slack_channel="C1", slack_signing_secret=SIGNING_SECRET)
    output = channel.get_output_channel(None, "123.4")
    assert isinstance(output, NumberedSlackBot)
    assert (output.slack_channel, output.thread_id) == ("C1", "123.4")


def test_the_assistant_s_custom_payloads_post_nothing_to_slack(slack):
    """`recommendation_ready` and `rcp_report` are for the web widget; Rasa's
    SlackBot would post them to the Slack API as message fields."""
    output = SlackInput("xoxb-test", slack_signing_secret=SIGNING_SECRET).get_output_channel("D456", None)
    asyncio.run(output.send_custom_json("D456", {"data": {"recommendation_ready": True}}))
    asyncio.run(
        output.send_response("D456", {"text": "Bonjour.", "custom": {"data": {"rcp_report": {"markdown": "x"}}}})
    )
    assert [message["text"] for message in slack] == ["Bonjour."]
