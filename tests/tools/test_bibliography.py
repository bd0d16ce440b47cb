"""`python -m tools.bibliography`: the committed references.json is what the
guideline's bibliography parses to, and the chapter's own citations are
(137–142) for the whole chapter, (143) and (144)."""

from decision import knowledge
from tests.support.guideline import SOURCE, shared_file
from tools.bibliography import CHAPTER_CITATIONS, build_records, parse_references


def test_references_data_file_matches_the_bibliography_exactly():
    records = build_records(parse_references(shared_file(SOURCE)))
    assert knowledge.references() == {record["number"]: record for record in records}


def test_the_chapters_citations_are_137_to_144():
    assert set(range(137, 145)) == CHAPTER_CITATIONS
    assert {number for number, record in knowledge.references().items() if record["cited_by_chapter"]} == set(
        CHAPTER_CITATIONS
    )
