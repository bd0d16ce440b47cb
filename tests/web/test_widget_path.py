"""« Schéma » in the widget, in headless Chromium against the real servers:
the case's decision path appears as a picture (an <img> of the server's SVG,
made safe), with its text version on demand, fits a 360 px phone without
sideways scrolling, and opens enlarged on a click (Escape or « Fermer »
closes it). Screenshots go to results/screenshots/."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from playwright.sync_api import expect

from .conftest import RESULTS, SCREENSHOTS
from .test_widget import intranet, log, run_axe, textbox, wait_question

pytestmark = pytest.mark.e2e

# A case of the chapter's § 2.2 in one message, in words of our own.
CASE = "col fémoral fracturé sur métastase, survie estimée à 8 mois, patient opérable, aucun doute sur le diagnostic"
PICTURE = ".cb-path-img"


def say(page, text):
    textbox(page).fill(text)
    textbox(page).press("Enter")


def wait_answer(page):
    expect(log(page).locator("strong", has_text="Chirurgie indiquée").first).to_be_visible(timeout=60000)
    expect(page.locator(".cb-typing")).to_have_text("", timeout=30000)


def check_picture(page):
    """The last picture is a decoded image with its alternative, its text
    version on demand, and the widest thing on the screen is the screen."""
    picture = page.locator(PICTURE).last
    expect(picture).to_be_visible(timeout=60000)
    assert picture.evaluate("img => img.complete && img.naturalWidth > 0 && img.naturalHeight > 0")
    assert picture.evaluate("img => img.src.startsWith('data:image/svg+xml;base64,')")
    assert "chemin de décision" in (picture.get_attribute("alt") or "")
    details = page.locator(".cb-path-text").last
    words = details.locator(".cb-path-words")
    expect(words).to_be_hidden()
    details.get_by_text("Version texte du schéma").click()
    expect(words).to_be_visible()
    assert len(words.inner_text().strip()) > 20
    return picture


def widths(page) -> dict:
    return page.evaluate(
        """() => ({page: document.scrollingElement.scrollWidth,
            widest: Math.max(...[...document.querySelectorAll('.cb *')]
                .filter(e => !e.closest('dialog')).map(e => e.getBoundingClientRect().right))})"""
    )


def test_on_a_phone_schema_shows_the_path_that_fits_and_opens_enlarged(open_page, sites, bot):
    watch = open_page(intranet(sites), width=360, height=740, is_mobile=True, has_touch=True)
    page = watch.page
    wait_question(page, "Quelle est la situation clinique ?")
    # Before the answer: what is missing, no picture.
    say(page, "dessine-moi l'arbre de décision")
    expect(log(page)).to_contain_text("une fois la recommandation donnée", timeout=30000)
    assert page.locator(PICTURE).count() == 0
    say(page, CASE)
    wait_answer(page)
    say(page, "montre-moi le schéma")
    picture = check_picture(page)
    size = widths(page)
    assert size["page"] <= 360 and size["widest"] <= 360.5, size
    box = picture.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    picture.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "schema-telephone-360px.png"))
    # A click enlarges it; Escape closes it and the focus comes back.
    picture.click()
    dialog = page.get_by_role("dialog", name="Schéma du chemin de décision")
    expect(dialog).to_be_visible()
    enlarged = dialog.locator("img")
    assert enlarged.evaluate("img => img.naturalWidth > 0")
    assert enlarged.bounding_box()["width"] >= box["width"]
    expect(dialog.get_by_role("button", name="Fermer")).to_be_focused()
    page.screenshot(path=str(SCREENSHOTS / "schema-agrandi-360px.png"))
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # By keyboard: the « Agrandir » button opens it, « Fermer » closes it.
    zoom = page.get_by_role("button", name="Agrandir le schéma").last
    zoom.focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("Enter")  # on « Fermer », focused
    expect(dialog).to_be_hidden()
    expect(zoom).to_be_focused()


def test_the_schema_button_shows_the_path_and_saves_it_as_svg(open_page, sites, bot, axe_results):
    watch = open_page(intranet(sites), width=1280, height=900)
    page = watch.page
    wait_question(page, "Quelle est la situation clinique ?")
    button = page.get_by_role("button", name="Schéma", exact=True)
    expect(button).to_be_disabled()  # nothing to draw yet
    say(page, CASE)
    wait_answer(page)
    expect(button).to_be_enabled()
    button.click()
    check_picture(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(PICTURE).last.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "schema-bureau.png"))
    # axe-core finds nothing to fix, the picture shown and then enlarged.
    assert run_axe(page, "schéma", axe_results)["violations"] == []
    page.locator(PICTURE).last.click()
    assert run_axe(page, "schéma agrandi", axe_results)["violations"] == []
    page.get_by_role("button", name="Fermer").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Schéma .svg").last.click()
    download = info.value
    assert download.suggested_filename.startswith("schema-decision-")
    assert download.suggested_filename.endswith(".svg")
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / "schema-exemple.svg"
    download.save_as(target)
    root = ET.fromstring(target.read_text(encoding="utf-8"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert not root.findall(".//{http://www.w3.org/2000/svg}script")
    # After a reload the picture is still there (kept with the conversation).
    page.reload()
    expect(page.locator(PICTURE).last).to_be_visible(timeout=30000)
