"""The bot's Markdown in each messenger's format."""

from channels.formatting import chunks, matrix_html, plain_text, slack_mrkdwn, telegram_html
from consultation.questions import question
from consultation.sources import references_message

SWANSON = "Swanson KC, Pritchard DJ, Sim FH. Surgical treatment of metastatic disease of the femur."
REFERENCES = references_message(
    {
        "citations": [{"number": 144, "reference": "Wegrzyn J, Malatray M. Total Hip Arthroplasty."}],
        "further_reading": {
            "range": "137–142",
            "quote_fr": "Le lecteur pourra se reporter aux références suivantes … : (137–142).",
            "references": [
                {"number": 137, "reference": SWANSON},
                {"number": 142, "reference": "Scolaro JA, Lackman RD. Surgical management."},
            ],
        },
    }
)
ANSWER = (
    "**Chirurgie indiquée** (à visée symptomatique) — Texte *(§ 2.2 ; lecture complémentaire : réf. 137 (fémur))*\n\n"
    "**Technique(s)**\n\n- Arthroplastie cimentée, en première intention *(§ 4.2 ; réf. 144)*\n\n"
    "> « Citation du chapitre » (§ 1)"
)


def test_matrix_html_keeps_bold_italic_lists_and_quotes():
    html = matrix_html(ANSWER)
    assert "<strong>Chirurgie indiquée</strong>" in html
    assert "<em>(§ 2.2 ; lecture complémentaire : réf. 137 (fémur))</em>" in html
    assert "<ul>\n<li>Arthroplastie cimentée, en première intention" in html
    assert "<blockquote>" in html


def test_reference_numbers_stay_as_printed_in_the_bibliography():
    html = matrix_html(REFERENCES)
    assert "<ol" not in html
    assert "137. Swanson KC, Pritchard DJ, Sim FH." in html and "142. Scolaro JA" in html
    assert "144. Wegrzyn J" in html
    assert "<ol" not in matrix_html("137. Swanson\n138. Autre")


def test_line_breaks_inside_a_paragraph_are_kept():
    html = matrix_html(question("bone", 2)["text"] + "\nune aide")
    assert "<br" in html


def test_html_typed_by_anyone_is_shown_as_text_never_interpreted():
    html = matrix_html("Valeur <script>alert(1)</script> & <b>gras</b> < 6 semaines")
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html and "&lt; 6 semaines" in html


def test_the_plain_body_has_no_markup_but_keeps_lists_and_numbers():
    text = plain_text(ANSWER + "\n\n" + REFERENCES + "\n\n# Titre\n`code`")
    assert "**" not in text and "*(" not in text and "`" not in text and "#" not in text
    assert "Chirurgie indiquée (à visée symptomatique)" in text
    assert "- Arthroplastie cimentée" in text
    assert "137. Swanson KC, Pritchard DJ, Sim FH. Surgical treatment of metastatic disease of the femur." in text


def test_telegram_html_uses_only_tags_telegram_accepts_and_escapes_the_rest():
    html = telegram_html(ANSWER + "\n\n# Titre\nx < y & `code`")
    assert "<b>Chirurgie indiquée</b>" in html and "<i>(§ 2.2 ; lecture complémentaire : réf. 137 (fémur))</i>" in html
    assert "• Arthroplastie cimentée" in html
    assert "<blockquote>« Citation du chapitre » (§ 1)</blockquote>" in html
    assert "<b>Titre</b>" in html and "x &lt; y &amp; <code>code</code>" in html
    tags = {tag.split()[0].strip("/<>") for tag in __import__("re").findall(r"</?[a-z]+[^>]*>", html)}
    assert tags <= {"b", "i", "code", "blockquote"}


def test_slack_mrkdwn():
    text = slack_mrkdwn(ANSWER + "\n\n# Titre\nx < y & z")
    assert text.startswith(
        "*Chirurgie indiquée* (à visée symptomatique) — Texte _(§ 2.2 ; lecture complémentaire : réf. 137 (fémur))_"
    )
    assert "• Arthroplastie cimentée" in text
    assert "> « Citation du chapitre » (§ 1)" in text
    assert "*Titre*" in text and "x &lt; y &amp; z" in text


def test_long_texts_are_cut_between_paragraphs():
    text = "\n\n".join(f"Paragraphe {n} " + "x" * 50 for n in range(10))
    parts = chunks(text, 150)
    assert all(len(part) <= 150 for part in parts)
    assert "\n\n".join(parts) == text
    assert chunks("court", 100) == ["court"] and chunks("", 10) == []
    long_line = "\n".join("ligne " + "y" * 20 for _ in range(10))
    assert all(len(part) <= 60 for part in chunks(long_line, 60))
    assert all(len(part) <= 10 for part in chunks("z" * 35, 10))
