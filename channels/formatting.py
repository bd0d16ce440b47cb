"""The bot's Markdown as each messenger shows it.

The bot writes a small Markdown: ``**gras**``, ``*italique*``, ``# titres``,
``- listes``, ``> citations``, `` `code` ``, and numbered lines that must keep
their numbers (references « 137. Swanson KC… », numbered options « 2. Humérus »).

- Matrix/Tchap: HTML (``formatted_body``, Python-Markdown) plus a plain-text
  ``body``;
- Telegram: its HTML subset (``parse_mode="HTML"``);
- Slack: mrkdwn.

Text from the bot or the clinician is never trusted as markup: ``<`` and
``&`` are escaped, so no HTML reaches a client that was not produced here.
"""

from __future__ import annotations

import html
import re

# « 137. Swanson… » at the start of a line: Markdown would make it an ordered
# list and renumber it from 1. The escaped dot keeps the number as written.
_ORDERED = re.compile(r"^(\s{0,3})(\d{1,9})\.(\s)", re.MULTILINE)
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.DOTALL)
_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])", re.DOTALL)
_CODE = re.compile(r"`([^`\n]+)`")
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.MULTILINE)
_BULLET = re.compile(r"^(\s*)[-*+]\s+", re.MULTILINE)


def matrix_html(text: str) -> str:
    """Matrix ``formatted_body`` (org.matrix.custom.html) for the bot's Markdown."""
    import markdown  # in Rasa's environment and the bridge's (pinned)

    source = text.replace("&", "&amp;").replace("<", "&lt;")
    source = _ORDERED.sub(r"\1\2\\.\3", source)
    return markdown.markdown(source, extensions=["nl2br", "sane_lists", "tables"], output_format="html").strip()


def plain_text(text: str) -> str:
    """The Markdown without its markup, for Matrix's ``body`` (notifications,
    clients without HTML, search)."""
    text = _HEADING.sub(r"\1", text)
    text = _BOLD.sub(r"\1", text)
    text = _ITALIC.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    return text.strip()


def telegram_html(text: str) -> str:
    """Telegram's HTML subset: <b>, <i>, <code>, <blockquote>; lists as « • »."""
    out: list[str] = []
    quote: list[str] = []

    def flush() -> None:
        if quote:
            out.append("<blockquote>" + "\n".join(quote) + "</blockquote>")
            quote.clear()

    for line in text.strip().split("\n"):
        if line.startswith(">"):
            quote.append(_telegram_inline(line[1:].lstrip()))
            continue
        flush()
        heading = _HEADING.match(line)
        if heading:
            out.append(f"<b>{_telegram_inline(heading.group(1))}</b>")
        else:
            out.append(_telegram_inline(_BULLET.sub(r"\1• ", line)))
    flush()
    return "\n".join(out)


def _telegram_inline(line: str) -> str:
    line = html.escape(line, quote=False)
    line = _CODE.sub(r"<code>\1</code>", line)
    line = _BOLD.sub(r"<b>\1</b>", line)
    return _ITALIC.sub(r"<i>\1</i>", line)


def slack_mrkdwn(text: str) -> str:
    """Slack mrkdwn: *gras*, _italique_, `code`, « • » lists, > quotes."""
    out = []
    for line in text.strip().split("\n"):
        prefix = ""
        if line.startswith(">"):
            prefix, line = "> ", line[1:].lstrip()
        heading = _HEADING.match(line)
        if heading:
            line = f"**{heading.group(1)}**"
        line = _BULLET.sub(r"\1• ", line)
        line = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        line = _ITALIC.sub(r"_\1_", line)
        line = _BOLD.sub("\x00\\1\x00", line).replace("\x00", "*")
        out.append(prefix + line)
    return "\n".join(out)


def chunks(text: str, limit: int) -> list[str]:
    """`text` cut between paragraphs (then lines) into parts of at most
    `limit` characters: messengers cap the size of a message."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    current = ""
    for piece in text.split("\n\n"):
        candidate = f"{current}\n\n{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while len(piece) > limit:
            cut = piece.rfind("\n", 0, limit)
            cut = cut if cut > 0 else limit
            parts.append(piece[:cut])
            piece = piece[cut:].lstrip("\n")
        current = piece
    if current:
        parts.append(current)
    return parts
