"""The data files against the source text: a typo in either is caught."""

import hashlib
import json
import re

import pytest
import yaml

from decision import knowledge
from decision.contract import FIELDS, UNKNOWN_ALLOWED
from paths import ROOT, VERSION_FILE
from tests.support.guideline import SOURCE, SPEC, shared_file

CHANGELOG = (ROOT / "docs" / "contract-changelog.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def source_text():
    return shared_file(SOURCE)


@pytest.fixture(scope="module")
def spec():
    return shared_file(SPEC)


def changelog_table(heading):
    """Rows of the tables under `heading` in every version of docs/contract-changelog.md,
    oldest version first (the file lists the newest first), as lists of cells."""
    blocks = [part.split("\n#", 1)[0] for part in reversed(CHANGELOG.split(heading)[1:])]
    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for block in blocks
        for line in block.splitlines()
        if line.startswith("| ") and not line.startswith("| kind") and not line.startswith("| field")
    ]


def squeeze(text):
    return re.sub(r"\s+", " ", text).strip()


def test_bibliography_has_150_references_numbered_without_gap():
    assert sorted(knowledge.references()) == list(range(1, 151))


def test_references_cited_by_the_chapter_are_137_to_144():
    cited = {number for number, record in knowledge.references().items() if record["cited_by_chapter"]}
    assert cited == set(range(137, 145))


def test_known_duplicates_are_linked_both_ways():
    refs = knowledge.references()
    pairs = {(82, 83, "identical"), (87, 88, "identical"), (93, 94, "date_differs"), (81, 150, "other_edition")}
    for first, second, relation in pairs:
        assert {"number": second, "relation": relation} in refs[first]["same_work_as"]
        assert {"number": first, "relation": relation} in refs[second]["same_work_as"]
    assert refs[82]["reference"] == refs[83]["reference"] and refs[87]["reference"] == refs[88]["reference"]


def test_reference_144_is_printed_as_in_the_bibliography(source_text):
    line = next(line for line in source_text.splitlines() if line.startswith("144. "))
    assert knowledge.reference(144)["reference"] == line[len("144. ") :]


def test_every_quote_is_verbatim_in_the_chapter(source_text):
    """Verbatim against the text as printed: the source's Markdown emphasis
    (**bold**, *italics*) is typography, not words."""
    chapter_text = squeeze(knowledge.printed(source_text.partition("## REFERENCES")[0]))
    for key, quote in knowledge.chapter()["quotes"].items():
        assert squeeze(quote["text"]) in chapter_text, key


def test_every_quote_stands_in_its_section(source_text):
    chapter_text = knowledge.printed(source_text.partition("## REFERENCES")[0])
    headings = [(m.start(), m.group(1)) for m in re.finditer(r"^#+ (\d(?:\.\d)?)[. ]", chapter_text, re.M)]
    for key, quote in knowledge.chapter()["quotes"].items():
        pattern = r"\s+".join(re.escape(word) for word in quote["text"].split())
        match = re.search(pattern, chapter_text)
        assert match, key
        section = [number for start, number in headings if start <= match.start()][-1]
        assert section == quote["section"], (key, section)


def test_section_titles_are_printed_as_in_the_chapter(source_text):
    for number, title in knowledge.chapter()["sections"].items():
        assert title in source_text, number


def test_guideline_fingerprint_is_the_source_text(source_text):
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    assert knowledge.chapter()["guideline"]["source_sha256"] == digest


def test_guideline_edition_is_said_as_the_source_gives_it(source_text):
    """The chapter's text names no edition, year or update: the edition says so
    in plain words instead of inventing one, without developer jargon."""
    chapter_text = source_text.partition("## REFERENCES")[0]
    assert not re.search(r"\b(19|20)\d\d\b|[ée]dition|mise à jour|actualis", chapter_text, re.I)
    assert knowledge.guideline()["edition"] == "édition non indiquée dans le texte source"


def test_version_is_the_newest_changelog_heading():
    """The software version that the audit record and the RCP report carry is
    the release the contract changelog describes last."""
    headings = re.findall(r"^## (\d+\.\d+\.\d+)\s*$", CHANGELOG, re.M)
    newest = max(headings, key=lambda version: tuple(map(int, version.split("."))))
    assert VERSION_FILE.read_text(encoding="utf-8").strip() == newest


def test_every_item_has_french_text_a_section_and_known_citations():
    data = knowledge.chapter()
    for kind in knowledge.KINDS:
        for code, entry in data[kind].items():
            for variant in [None, *entry.get("variants", {})]:
                item = knowledge.item(kind, code, variant)
                assert item["section"] in data["sections"], (kind, code, variant)
                assert item.get("label_fr") or item.get("text_fr"), (kind, code, variant)
                assert all(number in knowledge.references() for number in item["citations"]), (kind, code)
                assert 140 not in item["citations"], "reference 140 is about the spine"
                assert item["quote_fr"], (kind, code, variant)


def test_item_codes_are_the_contract_codes_plus_the_changelog(spec):
    """The codes of the data file are those of the decision contract, plus those
    docs/contract-changelog.md adds (each with its reason), and nothing else."""
    added = {}
    for kind, code, *_ in changelog_table("### Codes added"):
        added.setdefault(kind, set()).add(code.strip("`"))
    for kind, heading in (
        ("techniques", "Technique codes"),
        ("workup", "Work-up codes"),
        ("postoperative", "Post-operative codes"),
        ("warnings", "Warning codes"),
    ):
        block = spec.split(f"### {heading}")[1].split("###")[0]
        published = set(re.findall(r"`([a-z0-9_]+)`", block))
        assert not published & added.get(kind, set()), kind
        assert published | added.get(kind, set()) == set(knowledge.chapter()[kind]), kind


def test_contract_fields_and_values_are_the_specification_plus_the_changelog(spec):
    table = spec.split("## Case facts (input)")[1].split("The Mirels site item")[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    published = [re.match(r"\| `(\w+)`", row).group(1) for row in rows]
    new_fields = [
        re.match(r"`(\w+)` \(new\)", cells[0]).group(1) for cells in changelog_table("### Input") if "(new)" in cells[0]
    ]
    assert published + new_fields == list(FIELDS)
    for row in rows:
        name = re.match(r"\| `(\w+)`", row).group(1)
        values = re.findall(r"`([a-z0-9_]+)`", row.split("|")[2])
        expected = ["true" if v is True else "false" if v is False else v for v in FIELDS[name]]
        assert sorted(set(values)) == sorted(set(expected)), name
    assert "every field except `primary_tumor`, `situation`, `bone`" in CHANGELOG
    assert set(FIELDS) - {"primary_tumor", "situation", "bone"} == UNKNOWN_ALLOWED


def test_data_files_are_valid_utf8_json_and_yaml():
    json.loads((knowledge.DATA / "references.json").read_text(encoding="utf-8"))
    yaml.safe_load((knowledge.DATA / "chapter.yml").read_text(encoding="utf-8"))


def test_the_chapters_words_hold_its_sentences_but_not_the_bibliography():
    """The privacy screen keeps these words; the bibliography's authors are not
    among them (a patient may bear an author's name)."""
    words = knowledge.words()
    assert {"Mirels", "diaphysaires", "techniques"} <= words
    assert "Swanson" not in words and "Pritchard" not in words
