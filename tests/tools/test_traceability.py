"""The clinical traceability matrix (docs/clinical-traceability.md) is sound
and up to date: every statement has its sentence, rule, items, example and
tests; every quotation of chapter.yml is used; the generated document and the
list of « Choix d'interprétation » it ends with are what
`python -m tools.traceability` writes."""

from tools import traceability as trace


def test_the_matrix_has_no_problem():
    assert trace.problems() == []


def test_the_matrix_covers_every_section_of_the_chapter():
    sections = {row.section for row in trace.statements()}
    assert sections == {"1", "2.1", "2.2", "2.3", "2.4", "3", "4.1", "4.2", "5"}
    assert len(trace.statements()) >= 63


def test_a_statement_without_test_rule_or_example_is_reported(monkeypatch):
    """Negative control: the checks can fail."""
    rows = trace.statements()
    orphan = trace.Statement(
        "9.9",
        "ct_purpose",
        ("decision.rules.no_such_rule",),
        ("workup.acetabular_assessment",),
        ({},),
        "interpretation",
        None,
    )
    monkeypatch.setattr(trace, "statements", lambda: (*rows, orphan))
    found = "\n".join(trace.problems())
    assert "9.9: no test of tests/decision quotes" in found
    assert "9.9: rule decision.rules.no_such_rule does not exist" in found
    assert "9.9: its example does not show workup.acetabular_assessment" in found
    assert "9.9: a statement of status interpretation needs its reason" in found


def test_an_unused_quotation_is_reported(monkeypatch):
    chapter = dict(trace.knowledge.chapter())
    chapter["quotes"] = {**chapter["quotes"], "stray": {"section": "1", "text": "On rappelle que la CRP"}}
    monkeypatch.setattr(trace.knowledge, "chapter", lambda: chapter)
    assert "quote stray is used by no item and no statement" in trace.problems()


def test_the_generated_document_is_up_to_date():
    assert trace.main(["--check"]) == 0
    assert trace.DOCUMENT.read_text(encoding="utf-8") == trace.document()


def test_non_literal_statements_give_their_reason_in_the_document():
    document = trace.DOCUMENT.read_text(encoding="utf-8")
    choices = document.split("## Choix d'interprétation, silences et conflits")[1]
    for row in trace.statements():
        if row.status != "literal":
            assert f"**§ {row.id}**" in choices and row.reason in choices
