"""The RCP sheet as PDF (records/report.py), read back with a PDF text
extractor (pypdf): one page for a typical case, with its title, the case, the
indication, the techniques, the numbered references the items cite and,
apart, the chapter's general reading."""

import io
import json
import re

import pytest
from pypdf import PdfReader

from decision import knowledge
from paths import ROOT
from records.report import report_markdown, report_pdf
from tests.cases import FEMORAL_NECK, recorded

TYPICAL = FEMORAL_NECK  # the README's consultation
# Every case written out for the decision module's tests and the README.
NAMED_CASES = sorted((ROOT / "tests" / "decision" / "review_cases").glob("*.json")) + sorted(
    (ROOT / "examples").glob("*.json")
)


def recommendation(case):
    return recorded(case)


def pdf_pages(rec) -> list[str]:
    """The text of each page, whitespace collapsed (justified or wrapped lines)."""
    reader = PdfReader(io.BytesIO(report_pdf(report_markdown(rec, "c1"))))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_the_typical_case_fits_on_one_page_with_case_indication_techniques_and_references():
    [text] = pdf_pages(recommendation(TYPICAL))  # one page, or the unpacking fails
    assert text.startswith(
        "Fiche d'aide à la décision pour la RCP Chapitre « Chirurgie des métastases osseuses des membres »"
    )
    assert "Consultation : c1." in text
    # The case as the clinician gave it.
    for fact in (
        "Situation clinique : Fracture pathologique",
        "Os atteint : Fémur",
        "Localisation sur l'os : Col fémoral",
        "Espérance de vie : 6 à 12 mois",
        "Intervention et anesthésie possibles : Oui",
        "Site déjà irradié : Non",
        "Hypervascularisation suspectée : Non",
        "Doute diagnostique : Non",
    ):
        assert fact in text, fact
    # The indication and the technique (§ 2.2 and § 4.2 of the chapter).
    assert "Proposition Chirurgie indiquée (à visée symptomatique). Une fracture sur lésion pathologique" in text
    assert "Technique(s) - Arthroplastie de hanche cimentée — en première intention. La tête et le col du fémur" in text
    assert "Bilan avant la décision - Radiographies de tout l'os atteint" in text
    assert "Après l'intervention - Radiothérapie post-opératoire de toute la pièce osseuse" in text
    # Printed as text, not as Markdown; no doubled full stop.
    assert "**" not in text and "__" not in text and "*Aide" not in text and ".." not in text
    assert text.endswith("Aide à la décision pour la RCP, qui reste seule à décider.")


def test_the_references_are_numbered_as_in_the_bibliography_and_are_those_the_items_cite():
    """« Le lecteur pourra se reporter aux références suivantes pour approfondir le
    texte du référentiel concernant la chirurgie : (137–142). » The sheet lists
    the references the items cite as support, then, once and apart, the
    chapter's general reading; the femur's review (137) is only complementary
    reading of the femur's items."""
    [text] = pdf_pages(recommendation(TYPICAL))
    body, references = text.split(" Références ", 1)
    references = references.removesuffix(" Aide à la décision pour la RCP, qui reste seule à décider.")
    support, reading = references.split(" Lectures générales du chapitre (137–142) ", 1)
    assert text.count("Lectures générales du chapitre (137–142)") == 1
    cited = set()
    for group in re.findall(r"(?<!complémentaire : )(?:réf\.|voir aussi) ([\d, ]+\d)", body):
        cited |= {int(number) for number in group.split(",")}
    # The chapter prints no number after the sentences of this case (§ 2.2, 4.2, 3, 5): only the
    # related references of other chapters (84, 85 radiotherapy after stabilisation; 150 the RCP).
    assert cited == {84, 85, 150}
    assert "lecture complémentaire : réf. 137 (fémur)" in body
    listed = [int(number) for number in re.findall(r"(?:^| )(\d{1,3})\. (?=[A-Z])", support)]
    assert listed == sorted(cited)
    assert [int(number) for number in re.findall(r"(?:^| )(\d{1,3})\. (?=[A-Z])", reading)] == [137, 138, 139, 141, 142]
    for number in [*listed, 137, 138, 139, 141, 142]:
        printed = " ".join(knowledge.printed(knowledge.reference(number)["reference"]).split())
        assert f"{number}. {printed}" in references, number
    assert "137. Swanson KC, Pritchard DJ, Sim FH. Surgical treatment of metastatic disease of the femur." in reading
    assert "La référence 140 porte sur le rachis" in reading


@pytest.mark.parametrize("path", NAMED_CASES, ids=[path.stem for path in NAMED_CASES])
def test_every_written_case_fits_on_one_page(path):
    case = json.loads(path.read_text(encoding="utf-8"))
    pages = pdf_pages(recommendation(case.get("case", case)))
    assert len(pages) == 1, (path.name, len(pages))


def test_a_sheet_too_long_for_one_page_goes_on_to_a_second_rather_than_lose_a_line():
    rec = recommendation(TYPICAL)
    rec["warnings"] = rec["warnings"] * 8  # far more than any case of the chapter
    pages = pdf_pages(rec)
    assert len(pages) == 2
    text = " ".join(pages)
    assert text.count("Risque per-opératoire d'hémorragie et d'embolie graisseuse") == 8
    assert "137. Swanson KC" in pages[1] and pages[1].endswith("qui reste seule à décider.")


def test_an_indication_whose_technique_is_left_open_is_proposed_as_an_indication():
    """Femoral-neck fracture, fit, 6 weeks to 6 months: § 2.2 settles the indication, § 4.2
    names no implant. The sheet proposes the surgery and says the technique is the RCP's;
    with the site unknown, it says what each site leads to."""
    neck = recommendation({**TYPICAL, "life_expectancy": "6_weeks_to_6_months"})
    markdown = report_markdown(neck, "c1")
    assert (
        "**Chirurgie indiquée — technique à choisir en RCP** (à visée symptomatique). "
        "Une fracture sur lésion pathologique" in markdown
    )
    # What is left to the RCP, under the proposal: which implant for the neck (§ 4.2).
    assert "**Laissé à la RCP** : quel implant pour la tête ou le col du fémur" in markdown
    assert "à discuter" not in markdown
    [text] = pdf_pages(neck)
    assert "Proposition Chirurgie indiquée — technique à choisir en RCP (à visée symptomatique). Une" in text
    assert "le choix de la technique revient à la RCP" in text  # the warning, with its sentences
    unknown_site = recommendation({**TYPICAL, "site": "unknown"})
    [text] = pdf_pages(unknown_site)
    assert "Proposition Chirurgie indiquée — technique selon la réponse (à visée symptomatique)" in text
    assert (
        "Selon la réponse - si localisation sur l'os = tête fémorale : chirurgie indiquée (arthroplastie cimentée)"
        in text
    )
    assert "- si localisation sur l'os = extrémité distale : chirurgie indiquée (ostéosynthèse par plaque" in text
