"""The widget in headless Chromium, end to end: the page of another site embeds
it with the snippet of docs/web.md, and it talks to the real Rasa server over
socket.io. Screenshots go to results/screenshots/, axe-core's findings to
results/web/axe.json."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from .conftest import AXE, RESULTS, SCREENSHOTS, tracker_when

pytestmark = pytest.mark.e2e

# Fracture of the femoral neck, 6 to 12 months, fit: the REST end-to-end case.
BY_BUTTONS = [
    ("Quelle est la situation clinique ?", "Fracture pathologique"),
    ("Quel os est atteint ?", "Fémur"),
    ("Où siège la lésion sur cet os ?", "Col fémoral"),
    ("Quelle est l'espérance de vie estimée ?", "6 à 12 mois"),
    ("L'état général permet-il une intervention et une anesthésie ?", "Oui"),
    ("Y a-t-il un doute entre métastase révélatrice et tumeur osseuse primitive ?", "Non"),
    # The answer comes here; the next two questions refine it.
    ("Le site à opérer a-t-il déjà été irradié ?", "Non"),
    ("Suspecte-t-on une lésion hypervascularisée ?", "Non"),
]
BY_TYPING = [
    ("Quelle est la situation clinique ?", "il s'agit d'une fracture pathologique"),
    ("Quel os est atteint ?", "le fémur"),
    ("Où siège la lésion sur cet os ?", "au niveau du col"),
    ("Quelle est l'espérance de vie estimée ?", "environ huit mois"),
    ("L'état général permet-il une intervention et une anesthésie ?", "oui, il est opérable"),
    ("Y a-t-il un doute entre métastase révélatrice et tumeur osseuse primitive ?", "pas de doute diagnostique"),
    ("Le site à opérer a-t-il déjà été irradié ?", "non, jamais irradié"),
    ("Suspecte-t-on une lésion hypervascularisée ?", "non"),
]
SWANSON = "Swanson KC, Pritchard DJ, Sim FH. Surgical treatment of metastatic disease of the femur."
DOWNLOAD_NAME = re.compile(r"^recapitulatif-rcp-\d{4}-\d{2}-\d{2}-\d{2}h\d{2}\.md$")
PDF_NAME = re.compile(r"^recapitulatif-rcp-\d{4}-\d{2}-\d{2}-\d{2}h\d{2}\.pdf$")
MARKDOWN_BUTTON = "Fiche .md"
PDF_BUTTON = "Fiche PDF"
CONFIRM_QUESTION = "Effacer le cas en cours et commencer un nouveau cas ?"


# --- helpers ------------------------------------------------------------------


def log(page):
    return page.get_by_role("log", name="Conversation")


def replies(page):
    return page.get_by_role("group", name="Réponses proposées")


def textbox(page):
    return page.get_by_role("textbox", name="Message")


def last_bot_message(page):
    return page.locator(".cb-msg-bot").last


def wait_question(page, question):
    """The bot's last message is `question`, with its quick replies shown."""
    expect(last_bot_message(page)).to_contain_text(question, timeout=30000)
    expect(replies(page).get_by_role("button").first).to_be_visible()


def wait_recommendation(page):
    """The answer, then the refining questions answered: nothing changes."""
    expect(log(page)).to_contain_text("Cas : ", timeout=30000)
    expect(log(page)).to_contain_text("La recommandation ci-dessus ne change pas.", timeout=30000)
    expect(page.locator(".cb-typing")).to_have_text("", timeout=10000)
    expect(page.get_by_role("button", name=MARKDOWN_BUTTON)).to_be_enabled()
    expect(page.get_by_role("button", name=PDF_BUTTON)).to_be_enabled()


def check_recommendation(page):
    """Bold headline, the technique, then the references on demand as a
    numbered list whose numbers are the bibliography's, each with the full
    reference."""
    wait_recommendation(page)
    conversation = log(page)
    expect(conversation.locator("strong", has_text="Chirurgie indiquée")).to_be_visible()
    expect(conversation).to_contain_text("Arthroplastie de hanche cimentée")
    textbox(page).fill("références")
    textbox(page).press("Enter")
    expect(conversation.locator("li[value='137']")).to_contain_text(SWANSON, timeout=30000)
    references = conversation.locator("ol", has=page.locator("li[value='137']")).last
    numbers = references.locator("li").evaluate_all("items => items.map(li => [li.value, li.textContent])")
    assert len(numbers) >= 2, numbers
    for number, text in numbers:
        assert text.strip() and not text.strip()[0].isdigit(), (number, text)  # the number is the list's, not text
    assert [n for n, _ in numbers] == sorted(n for n, _ in numbers), numbers
    assert any(n == 137 and SWANSON in text for n, text in numbers), numbers
    expect(references).to_be_visible()


def download_summary(page, trigger) -> str:
    with page.expect_download() as info:
        trigger()
    download = info.value
    assert DOWNLOAD_NAME.match(download.suggested_filename), download.suggested_filename
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / "recapitulatif-exemple.md"
    download.save_as(target)
    content = target.read_bytes()
    assert not content.startswith(b"\xef\xbb\xbf"), "a byte-order mark before the title"
    return content.decode("utf-8")


def download_pdf(page, trigger) -> bytes:
    with page.expect_download() as info:
        trigger()
    download = info.value
    assert PDF_NAME.match(download.suggested_filename), download.suggested_filename
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / "recapitulatif-exemple.pdf"
    download.save_as(target)
    return target.read_bytes()


def check_pdf(content: bytes):
    """The RCP sheet as PDF, the same layout the Matrix bridge posts."""
    import io

    from pypdf import PdfReader

    assert content.startswith(b"%PDF")
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)
    assert "Fiche d'aide à la décision pour la RCP" in text and "Arthroplastie de hanche cimentée" in text


def check_summary_file(text: str, conversation: str):
    """The server's RCP sheet (records/report.py), the same as « rapport »."""
    assert text.startswith("# Fiche d'aide à la décision pour la RCP")
    assert f"Consultation : {conversation}." in text
    assert "## Récapitulatif du cas" in text
    assert "- Os atteint : Fémur" in text
    assert "**Chirurgie indiquée**" in text and "Arthroplastie de hanche cimentée" in text
    assert "## Bilan avant la décision" in text and "## Après l'intervention" in text
    assert f"137. {SWANSON}" in text
    # The references that support the items, then the chapter's general reading, each a Markdown list.
    assert re.search(r"## Références\n\n\*\*[^*\n]+\*\*\n\n\d+\. ", text), "the references are not a Markdown list"
    assert re.search(r"\*\*Lectures générales du chapitre \(137–142\)\*\*[^\n]*\n\n137\. ", text)
    assert "La suite sur demande" not in text  # chat-only tip left out
    assert "Aide à la décision pour la RCP, qui reste seule à décider." in text


def session_id(page) -> str:
    stored = page.evaluate("() => Object.entries(sessionStorage).find(([k]) => k.startsWith('clinibot:v1:'))")
    assert stored, "no conversation in sessionStorage"
    return json.loads(stored[1])["sessionId"]


def run_axe(page, state, axe_results):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        const brief = list => list.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '')).slice(0, 5)}));
        return {version: axe.version, violations: brief(r.violations), incomplete: brief(r.incomplete),
                passes: r.passes.map(p => p.id)};
    }""")
    axe_results.append(
        {
            "state": state,
            "axe": result["version"],
            "violations": result["violations"],
            "incomplete": result["incomplete"],
            "passes": len(result["passes"]),
        }
    )
    return result


def tab_to(page, name, backwards=False, limit=40):
    """Press Tab (or Shift+Tab) until the focused element's name is `name`."""
    for _ in range(limit):
        focused = page.evaluate("""() => { const e = document.activeElement;
            return e ? (e.labels && e.labels.length ? e.labels[0].textContent : e.textContent).trim() : ''; }""")
        if focused == name:
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{name!r} not reached with the keyboard ({limit} presses)")


def focus_is_visible(page) -> bool:
    return page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; }""")


TYPING = "L'assistant rédige sa réponse…"


def record_typing_indicator(page):
    """Record every text the typing indicator shows from now on. The bot may
    answer within milliseconds, so the indicator can be gone before a check
    could see it: its mutation records keep what it showed, however briefly."""
    page.evaluate("""() => {
        window.__typingShown = [];
        new MutationObserver(records => records.forEach(r => r.addedNodes.forEach(
            n => window.__typingShown.push(n.textContent)))).observe(
            document.querySelector('.cb-typing'), {childList: true, subtree: true});
    }""")


def intranet(sites):
    return sites["intranet"][0] + "/"


# --- tests --------------------------------------------------------------------


def test_whole_consultation_by_clicking_buttons(open_page, sites, bot):
    watch = open_page(intranet(sites))
    page = watch.page
    expect(
        page.get_by_role("heading", name=re.compile("Chirurgie des métastases osseuses des membres"))
    ).to_be_visible()
    for number, (question, answer) in enumerate(BY_BUTTONS):
        wait_question(page, question)
        button = replies(page).get_by_role("button", name=answer, exact=True)
        assert button.evaluate("b => b.tagName") == "BUTTON"
        if number == 0:
            record_typing_indicator(page)
        button.click()
        expect(log(page).locator(".cb-msg-user").last).to_have_text(f"Vous : {answer}")
        if number == 0:  # the typing indicator showed while the bot worked, and is gone after
            expect(page.locator(".cb-typing")).to_have_text("", timeout=30000)
            assert TYPING in page.evaluate("() => window.__typingShown"), "the typing indicator never showed"
    check_recommendation(page)
    # What the server holds is what was clicked.
    tracker = tracker_when(bot, session_id(page), lambda t: t["slots"].get("recommendation"))
    assert tracker["latest_input_channel"] == "socketio"
    assert tracker["slots"]["recommendation"]["case"]["site"] == "neck"
    check_summary_file(
        download_summary(page, lambda: page.get_by_role("button", name=MARKDOWN_BUTTON).click()),
        session_id(page),
    )
    check_pdf(download_pdf(page, lambda: page.get_by_role("button", name=PDF_BUTTON).click()))
    expect(page.get_by_role("status").filter(has_text="Récapitulatif téléchargé")).to_be_visible()

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "consultation-terminee.png"))
    # The whole conversation in one picture: the widget grows to its content.
    page.locator(".cb").evaluate("e => e.style.setProperty('--cb-height', 'auto')")
    page.screenshot(path=str(SCREENSHOTS / "consultation-terminee-complete.png"), full_page=True)


def test_whole_consultation_by_typing_on_a_phone(open_page, sites, bot):
    watch = open_page(intranet(sites), width=360, height=740, is_mobile=True, has_touch=True)
    page = watch.page
    for question, text in BY_TYPING:
        wait_question(page, question)
        textbox(page).fill(text)
        textbox(page).press("Enter")
        expect(log(page).locator(".cb-msg-user").last).to_have_text(f"Vous : {text}")
    check_recommendation(page)
    # Readable at 360 px: nothing wider than the screen, no sideways scrolling.
    widths = page.evaluate("""() => ({page: document.documentElement.scrollWidth,
        widest: Math.max(...[...document.querySelectorAll('.cb *')].map(e => e.getBoundingClientRect().right))})""")
    assert widths["page"] <= 360 and widths["widest"] <= 360.5, widths
    font = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.cb-body')).fontSize)")
    assert font >= 16, font
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "consultation-telephone-360px.png"))


def test_reload_keeps_the_conversation_and_goes_on(open_page, sites, bot):
    watch = open_page(intranet(sites))
    page = watch.page
    for question, answer in BY_BUTTONS[:2]:
        wait_question(page, question)
        replies(page).get_by_role("button", name=answer, exact=True).click()
    wait_question(page, BY_BUTTONS[2][0])
    before = log(page).locator(".cb-msg").all_inner_texts()
    conversation = session_id(page)

    page.reload()
    expect(log(page).locator(".cb-msg")).to_have_count(len(before))
    assert log(page).locator(".cb-msg").all_inner_texts() == before
    assert session_id(page) == conversation
    # The same Rasa conversation goes on: the next answer gets the next question.
    replies(page).get_by_role("button", name="Col fémoral", exact=True).click()
    wait_question(page, BY_BUTTONS[3][0])
    slots = tracker_when(bot, conversation, lambda t: t["slots"].get("site"))["slots"]
    assert (slots["situation"], slots["bone"], slots["site"]) == ("pathological_fracture", "femur", "neck")


HOSTILE_BOT_MESSAGE = "\n".join(
    [
        "Texte **gras** et *italique*, lien https://exemple.org/page",
        "- premier point",
        "- second point",
        '<script>window.__xss = "script"; alert("xss-script")</script>',
        "<img src=\"x\" onerror=\"window.__xss = 'img'; alert('xss-img')\">",
        "<a href=\"javascript:alert('xss-a')\">lien html</a> [lien markdown](javascript:alert('xss-md'))",
        "<b>pas du gras</b>",
    ]
)


def test_html_and_script_in_messages_stay_inert(open_page, sites, bot):
    watch = open_page(intranet(sites))
    page = watch.page
    wait_question(page, BY_BUTTONS[0][0])
    # Typed by the user: shown as typed.
    typed = "<img src=x onerror=\"alert('xss-user')\"><script>alert('xss-user-2')</script> **pas gras**"
    textbox(page).fill(typed)
    textbox(page).press("Enter")
    expect(log(page).locator(".cb-msg-user").last).to_have_text(f"Vous : {typed}")
    expect(page.locator(".cb-typing")).to_have_text("", timeout=30000)
    # Echoed by the bot (a refused value is quoted back).
    before = page.locator(".cb-msg-bot").count()
    textbox(page).fill('/inform{"bone": "<img src=x onerror=alert(\'xss-echo\')>"}')
    textbox(page).press("Enter")
    expect(page.locator(".cb-msg-bot")).not_to_have_count(before, timeout=30000)
    expect(page.locator(".cb-typing")).to_have_text("", timeout=30000)
    # Sent by the server itself (Rasa's HTTP API, through the socket.io channel).
    count = page.locator(".cb-msg-bot").count()
    request = urllib.request.Request(
        f"{bot.url}/conversations/{session_id(page)}/tracker/events?output_channel=socketio&execute_side_effects=true"
        + (f"&token={bot.token}" if bot.token else ""),
        data=json.dumps([{"event": "bot", "text": HOSTILE_BOT_MESSAGE}]).encode("utf-8"),
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=30).read()
    expect(page.locator(".cb-msg-bot")).to_have_count(count + 1)
    message = last_bot_message(page)
    # Safe Markdown is rendered...
    expect(message.locator("strong")).to_have_text("gras")
    expect(message.locator("em")).to_have_text("italique")
    expect(message.locator("ul > li")).to_have_count(2)
    link = message.locator("a[href='https://exemple.org/page']")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    # ...everything else is text.
    expect(message).to_contain_text('<script>window.__xss = "script"; alert("xss-script")</script>')
    expect(message).to_contain_text('<img src="x" onerror=')
    expect(message).to_contain_text("<b>pas du gras</b>")
    expect(message).to_contain_text("[lien markdown](javascript:alert('xss-md'))")
    conversation = log(page)
    assert conversation.locator("script, img, iframe, object, embed, style, b").count() == 0
    assert conversation.locator("[onerror], [onclick], a[href^='javascript']").count() == 0
    # Not a wait for an absence: an image of the same address, loaded after
    # the messages were shown, fails after any image of theirs would have, so
    # an injected onerror handler would have run before this one.
    page.evaluate("() => new Promise(done => { const probe = new Image(); probe.onerror = done; probe.src = 'x'; })")
    assert page.evaluate("() => window.__xss") is None
    # watch.check() (fixture teardown): no alert(), no script error.


def test_keyboard_only_consultation_and_summary(open_page, sites, bot):
    watch = open_page(intranet(sites))
    page = watch.page
    wait_question(page, BY_BUTTONS[0][0])
    for number, (question, answer) in enumerate(BY_BUTTONS[:-1]):
        wait_question(page, question)
        if number:  # after an answer by button, the focus goes to the next question's first reply
            expect(replies(page).get_by_role("button").first).to_be_focused()
        tab_to(page, answer)
        assert focus_is_visible(page), f"no visible focus on {answer!r}"
        page.keyboard.press("Enter")
        expect(log(page).locator(".cb-msg-user").last).to_have_text(f"Vous : {answer}")
    # Last answer typed: from the replies to the text box, with the keyboard.
    wait_question(page, BY_BUTTONS[-1][0])
    tab_to(page, "Message")
    assert focus_is_visible(page)
    page.keyboard.type("non")
    page.keyboard.press("Enter")
    check_recommendation(page)
    tab_to(page, MARKDOWN_BUTTON, backwards=True)
    assert focus_is_visible(page)
    check_summary_file(download_summary(page, lambda: page.keyboard.press("Enter")), session_id(page))
    # Restart, by keyboard too.
    tab_to(page, "Recommencer")
    page.keyboard.press("Enter")
    expect(last_bot_message(page)).to_contain_text(CONFIRM_QUESTION, timeout=30000)
    expect(replies(page).get_by_role("button").first).to_be_focused()  # « Oui, nouveau cas »
    page.keyboard.press("Enter")
    wait_question(page, BY_BUTTONS[0][0])
    expect(log(page)).not_to_contain_text("Cas : ")
    expect(page.get_by_role("button", name=MARKDOWN_BUTTON)).to_be_disabled()


def test_axe_finds_no_violation(open_page, sites, bot, axe_results):
    watch = open_page(intranet(sites))
    page = watch.page
    wait_question(page, BY_BUTTONS[0][0])
    found = {"question (1280 px)": run_axe(page, "question (1280 px)", axe_results)["violations"]}
    for question, answer in BY_BUTTONS:
        wait_question(page, question)
        replies(page).get_by_role("button", name=answer, exact=True).click()
    wait_recommendation(page)
    found["recommendation (1280 px)"] = run_axe(page, "recommendation (1280 px)", axe_results)["violations"]
    page.set_viewport_size({"width": 360, "height": 740})
    found["recommendation (360 px)"] = run_axe(page, "recommendation (360 px)", axe_results)["violations"]
    assert found == {state: [] for state in found}, json.dumps(found, ensure_ascii=False, indent=1)


def test_restart_button_asks_first_then_starts_again_with_question_1(open_page, sites, bot):
    watch = open_page(intranet(sites))
    page = watch.page
    wait_question(page, BY_BUTTONS[0][0])
    replies(page).get_by_role("button", name="Fracture pathologique", exact=True).click()
    wait_question(page, BY_BUTTONS[1][0])
    # Declined: the case and the pending question stay.
    page.get_by_role("button", name="Recommencer").click()
    expect(last_bot_message(page)).to_contain_text(CONFIRM_QUESTION, timeout=30000)
    replies(page).get_by_role("button", name="Non, garder ce cas").click()
    wait_question(page, BY_BUTTONS[1][0])
    expect(log(page)).to_contain_text("conservé")
    assert tracker_when(bot, session_id(page), lambda t: True)["slots"]["situation"] == "pathological_fracture"
    # Confirmed: everything cleared, the first question asked at once.
    page.get_by_role("button", name="Recommencer").click()
    expect(last_bot_message(page)).to_contain_text(CONFIRM_QUESTION, timeout=30000)
    replies(page).get_by_role("button", name="Oui, nouveau cas").click()
    wait_question(page, BY_BUTTONS[0][0])
    expect(log(page)).not_to_contain_text("Quel os est atteint ?")
    expect(log(page)).not_to_contain_text(CONFIRM_QUESTION)
    expect(page.get_by_role("status").filter(has_text="Conversation recommencée")).to_be_visible()
    assert tracker_when(bot, session_id(page), lambda t: t["slots"]["situation"] is None)["slots"]["situation"] is None
    replies(page).get_by_role("button", name="Fracture pathologique", exact=True).click()
    wait_question(page, BY_BUTTONS[1][0])


ONE_SENTENCE_CASE = (
    "fracture pathologique du col du fémur, espérance de vie supérieure à un an, opérable, pas de doute diagnostique"
)


def test_on_a_phone_the_verdict_shows_without_scrolling_under_a_compact_header(open_page, sites, bot):
    watch = open_page(intranet(sites), width=360, height=740, is_mobile=True, has_touch=True)
    page = watch.page
    wait_question(page, BY_BUTTONS[0][0])
    header = page.locator(".cb-header").bounding_box()
    assert header["height"] <= 120, header  # not a fifth of the screen
    textbox(page).fill(ONE_SENTENCE_CASE)
    textbox(page).press("Enter")
    verdict = log(page).locator("strong", has_text="Chirurgie indiquée").first
    expect(verdict).to_be_visible(timeout=30000)
    expect(page.locator(".cb-typing")).to_have_text("", timeout=30000)
    # Where the widget left the log, the user scrolling nothing: the verdict is on screen.
    box, area = verdict.bounding_box(), log(page).bounding_box()
    assert area["y"] <= box["y"] and box["y"] + box["height"] <= area["y"] + area["height"], (box, area)
    assert box["y"] + box["height"] <= 740
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "verdict-telephone-360px.png"))


def test_page_of_an_origin_not_allowed_cannot_talk_to_the_bot(open_page, sites, bot):
    watch = open_page(sites["foreign"][0] + "/")
    page = watch.page
    expect(page.get_by_role("status").filter(has_text="refuse la connexion")).to_be_visible(timeout=30000)
    assert page.locator(".cb-msg-bot").count() == 0


def test_demo_page_of_make_run(open_page, widget_url):
    """web/public/index.html, as `make run` serves it: the widget, open, aimed
    at the Rasa server on port 5005 of the same host."""
    watch = open_page("about:blank")
    page = watch.page
    asked = []

    def refuse(route):
        asked.append(route.request.url)
        route.abort()

    def refuse_websocket(websocket):
        asked.append(websocket.url)
        websocket.close()

    page.route("**/socket.io/**", refuse)
    page.route_web_socket(re.compile(r".*/socket\.io/.*"), refuse_websocket)
    page.goto(widget_url + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(textbox(page)).to_be_visible()
    expect(page.get_by_role("log", name="Conversation")).to_have_attribute("aria-live", "polite")
    expect(page.get_by_role("button", name="Envoyer")).to_be_visible()
    expect(page.get_by_role("button", name="Recommencer")).to_be_visible()
    expect(page.get_by_role("button", name=MARKDOWN_BUTTON)).to_be_disabled()
    expect(page.get_by_role("button", name=PDF_BUTTON)).to_be_disabled()
    for _ in range(300):  # until the widget has tried to connect (a positive event, not a fixed wait)
        if asked:
            break
        page.wait_for_timeout(100)
    assert asked and all(re.match(r"(ws|http)://127\.0\.0\.1:5005/socket\.io/\?EIO=4", url) for url in asked), asked
