"""The measuring instrument of `make bench`'s typed consultations
(bench/typed_scoring.py, bench/typed_bench.py), without Rasa: the corpus is
usable, each kind of error is counted where it belongs, and the runner counts
the messages to the first answer and answers the pending question from the
hidden case (a fake assistant stands in for the real one)."""

from collections.abc import Mapping
from typing import Any

import pytest

from bench import typed_bench
from bench.typed_scoring import (
    TYPED_TRIES,
    Consultation,
    Entry,
    Expect,
    answer,
    button,
    buttons_field,
    corpus,
    corpus_problems,
    parse_corpus,
    pick_button,
    score,
    summarize,
    table,
)

NOT_UNDERSTOOD = "Je n'ai pas compris votre réponse sur doute diagnostique. Réponses attendues : « Oui », « Non »."


# ------------------------------------------------------------ the corpus


def test_the_corpus_is_large_varied_and_consistent_with_its_hidden_cases():
    consultations, phrasings = corpus()
    assert corpus_problems(consultations) == []
    assert len(consultations) >= 30
    typed = [entry for c in consultations for entry in c.entries if entry.text is not None]
    assert len(typed) >= 100
    kinds = {entry.expect.kind for entry in typed}
    assert kinds >= {"opening", "correction", "question", "aside", "whatif", "out_of_scope", "greeting"}
    # survival on a bracket bound, a fact taken back, a patient's name, consultations without an answer
    assert any(isinstance(value, list) for entry in typed for value in entry.expect.states.values())
    assert any(value is None for entry in typed for value in entry.expect.states.values())
    assert any(entry.name for entry in typed)
    assert any(not c.expects_answer for c in consultations)
    # every consultation that expects an answer is driven to it
    assert all(c.entries[-1].answer == "all" for c in consultations if c.expects_answer)
    assert phrasings["boolean"][False] and phrasings["life_expectancy"]["6_to_12_months"]


@pytest.mark.parametrize(
    "message, problem",
    [
        ({"say": "x", "states": {"bones": "femur"}}, "unknown field"),
        ({"say": "x", "states": {"bone": "skull"}}, "not a contract value"),
        ({"say": "pourquoi ?", "kind": "question", "states": {"bone": "femur"}}, "states no fact"),
        ({"say": "x", "kind": "chat"}, "kind"),
        ({"answer": "twice"}, "answer"),
        ({"kind": "aside"}, "no text"),
    ],
)
def test_a_malformed_annotation_is_refused(message, problem):
    with pytest.raises(ValueError, match=problem):
        parse_corpus({"consultations": [{"id": "x", "case": {}, "messages": [message]}]})


def test_a_case_that_leaves_a_question_open_or_contradicts_its_messages_is_reported():
    case = {"situation": "pathological_fracture", "bone": "femur", "site": "neck"}
    said = Entry("fracture du tibia", Expect("opening", {"bone": "tibia"}))
    problems = corpus_problems([Consultation("x", "", case, (said,))])
    assert any("does not answer" in problem for problem in problems)
    assert any("bone = 'tibia'" in problem for problem in problems)


# ------------------------------------------------------------ the scoring


def test_a_message_read_as_stated_has_no_reason():
    expect = Expect("opening", {"bone": "femur", "site": "neck"})
    verdict = score(expect, {}, {"bone": "femur", "site": "neck"}, ["Noté : …"], None, "life_expectancy")
    assert not verdict.misread and verdict.invented == []


def test_a_fact_the_text_does_not_state_is_invented_and_the_message_misread():
    # « ah non pardon c'est l'humérus » while the doubt question waits
    expect = Expect("correction", {"bone": "humerus"})
    before = {"bone": "femur", "site": "diaphysis"}
    after = {"bone": "humerus", "site": "diaphysis", "diagnostic_uncertainty": False}
    verdict = score(expect, before, after)
    assert verdict.invented == [("diagnostic_uncertainty", False)]
    assert verdict.misread


def test_a_value_other_than_the_one_stated_is_invented():
    verdict = score(Expect("answer", {"site": "proximal"}), {"bone": "humerus"}, {"bone": "humerus", "site": "neck"})
    assert verdict.invented == [("site", "neck")]


def test_a_stated_fact_not_read_is_misread_but_not_invented():
    verdict = score(Expect("answer", {"life_expectancy": "6_to_12_months"}), {}, {})
    assert verdict.misread and verdict.invented == []
    assert "fait non lu : life_expectancy" in verdict.reasons[0]


def test_a_survival_on_a_bound_must_be_asked_not_guessed():
    expect = Expect("answer", {"life_expectancy": ["6_weeks_to_6_months", "6_to_12_months"]})
    assert not score(expect, {}, {}).misread
    guessed = score(expect, {}, {"life_expectancy": "6_to_12_months"})
    assert guessed.misread and guessed.invented == []
    assert score(expect, {}, {"life_expectancy": "gt_12_months"}).invented == [("life_expectancy", "gt_12_months")]


def test_a_fact_taken_back_ends_unset_or_unknown():
    expect = Expect("correction", {"major_bone_loss": None})
    before = {"major_bone_loss": True}
    assert not score(expect, before, {}).misread
    assert not score(expect, before, {"major_bone_loss": "unknown"}).misread
    assert score(expect, before, before).misread
    assert score(expect, before, {"major_bone_loss": False}).invented == [("major_bone_loss", False)]


def test_implied_facts_count_neither_way_and_case_after_is_checked():
    expect = Expect("opening", {"primary_tumor": "other"}, may={"suspected_hypervascular": True})
    assert not score(expect, {}, {"primary_tumor": "other"}).misread
    assert not score(expect, {}, {"primary_tumor": "other", "suspected_hypervascular": True}).misread
    correction = Expect("correction", {"bone": "fibula"}, case_after={"bone": "fibula", "site": None})
    before = {"bone": "tibia", "site": "distal"}
    assert not score(correction, before, {"bone": "fibula"}).misread
    kept = score(correction, before, {"bone": "fibula", "site": "distal"})
    assert kept.misread and "site" in kept.reasons[0]


def test_a_fact_lost_without_a_correction_is_misread():
    verdict = score(
        Expect("answer", {"site": "proximal"}), {"bone": "humerus", "fit_for_surgery": True}, {"site": "proximal"}
    )
    assert verdict.misread and verdict.invented == []
    assert any("perdu" in reason for reason in verdict.reasons)
    # a new bone may clear the facts that depended on the old one
    corrected = Expect("correction", {"bone": "radius"})
    assert not score(corrected, {"bone": "femur", "site": "neck"}, {"bone": "radius"}).misread
    # but never the facts that hold whatever the bone
    assert score(corrected, {"bone": "femur", "life_expectancy": "lt_6_weeks"}, {"bone": "radius"}).misread


def test_not_understood_and_a_lost_question_are_misreadings():
    before = {"bone": "femur"}
    asked = score(
        Expect("question"), before, before, [NOT_UNDERSTOOD], "diagnostic_uncertainty", "diagnostic_uncertainty"
    )
    assert asked.misread and asked.invented == []
    dropped = score(Expect("aside"), before, before, ["D'accord."], "diagnostic_uncertainty", None)
    assert dropped.misread
    assert not score(Expect("aside"), before, before, ["D'accord."], "pain", "pain").misread
    # out of scope: no form starts
    assert score(Expect("out_of_scope"), {}, {}, ["Question 1 — …"], None, "situation").misread
    assert not score(Expect("out_of_scope"), {}, {}, ["Hors de mon champ."], None, None).misread
    # a greeting may start the form
    assert not score(Expect("greeting"), {}, {}, ["Question 1 — …"], None, "situation").misread


# ------------------------------------------------------------ the clinician


def test_the_clinician_answers_from_the_case_then_clicks_the_button():
    phrasings = {"boolean": {False: ["non", "nan"]}, "prior_radiotherapy": {False: ["jamais irradié"]}}
    texts = {answer(phrasings, "prior_radiotherapy", False, turn, turn % TYPED_TRIES)[0] for turn in range(3)}
    assert texts == {"jamais irradié", "non", "nan"}
    text, expect = answer(phrasings, "prior_radiotherapy", False, 0, TYPED_TRIES)
    assert text == button("prior_radiotherapy", False) == '/inform{"prior_radiotherapy": false}'
    assert expect.states == {"prior_radiotherapy": False}
    # not in the case: « je ne sais pas », unknown where the contract allows it
    unknown = {"boolean": {"unknown": ["jsp"]}}
    assert answer(unknown, "major_bone_loss", None, 0, 0) == ("jsp", Expect("answer", {"major_bone_loss": "unknown"}))


def test_the_clinician_clicks_the_button_that_fits_the_case():
    buttons = [
        {"title": "Moins de 6 mois", "payload": '/inform{"life_expectancy": "6_weeks_to_6_months"}'},
        {"title": "6 mois ou plus", "payload": '/inform{"life_expectancy": "6_to_12_months"}'},
    ]
    payload, expect = pick_button(buttons, {"life_expectancy": "6_to_12_months"})
    assert payload == buttons[1]["payload"] and expect.states == {"life_expectancy": "6_to_12_months"}
    assert pick_button(buttons, {"life_expectancy": "gt_12_months"}) is None


# ------------------------------------------------------------ the runner, on a fake assistant


class FakeAssistant:
    """Asks `questions` in order, one per message; each message writes the
    facts `reads` gives for its text (the pending answer for « non »)."""

    def __init__(self, questions: list[str], reads: Mapping[str, Mapping[str, Any]], answer_after: int) -> None:
        self.questions, self.reads, self.answer_after = questions, reads, answer_after
        self.slots: dict[str, Any] = {}
        self.sent: list[str] = []

    def send(self, sender: str, text: str) -> list[dict]:
        self.sent.append(text)
        pending = self.slots.get("requested_slot")
        if text in self.reads:
            self.slots.update(self.reads[text])
        elif pending and text in ("non", "nan", "non pas du tout"):
            self.slots[pending] = False
        asked = [name for name in self.questions if name not in self.slots]
        self.slots["requested_slot"] = asked[0] if asked else None
        replies: list[dict] = [{"text": "…"}]
        if len(self.sent) == self.answer_after:
            replies.append({"custom": {"data": {"recommendation_ready": True}}})
        return replies

    def tracker(self, sender: str) -> dict:
        return {"slots": dict(self.slots)}


def test_the_runner_counts_messages_misreadings_and_invented_facts():
    opening = "fracture du col fémoral"
    reads = {opening: {"situation": "pathological_fracture", "bone": "femur", "site": "neck", "pain": "mild"}}
    assistant = FakeAssistant(["diagnostic_uncertainty", "prior_radiotherapy"], reads, answer_after=3)
    case = {
        "situation": "pathological_fracture",
        "bone": "femur",
        "site": "neck",
        "diagnostic_uncertainty": False,
        "prior_radiotherapy": False,
    }
    stated = Expect("opening", {"situation": "pathological_fracture", "bone": "femur", "site": "neck"})
    consultation = Consultation("fake", "", case, (Entry(opening, stated), Entry(None, Expect("answer"), answer="all")))
    phrasings = {"boolean": {False: ["non"]}}
    result = typed_bench.play(assistant, consultation, phrasings)
    assert assistant.sent == [opening, "non", "non"]
    assert result.to_first_answer == 3
    assert [message.driven for message in result.messages] == [False, True, True]
    assert result.messages[0].verdict.invented == [("pain", "mild")]
    summary = summarize([result])
    assert (summary["messages"], summary["misread"], summary["invented"]) == (3, 1, 1)
    assert summary["mean_to_first_answer"] == 3 and summary["met"]["mean_to_first_answer"]
    assert not summary["met"]["invented"] and not summary["met"]["misread_pct"]
    printed = table(summary)
    assert "| (c) faits écrits que le texte ne dit pas | 1 | 0 | NON |" in printed
    assert "| (b) messages mal lus | 1 (33,3 %) | < 3 % | NON |" in printed
    assert "| dont messages rédigés mal lus | 1 sur 1 | — | — |" in printed


def test_the_runner_clicks_after_typed_answers_not_taken_and_stops_a_loop():
    class Deaf(FakeAssistant):
        def send(self, sender: str, text: str) -> list[dict]:
            self.sent.append(text)
            if text.startswith("/inform"):
                self.slots["fit_for_surgery"] = True
            self.slots["requested_slot"] = None if "fit_for_surgery" in self.slots else "fit_for_surgery"
            if self.slots["requested_slot"] is None:
                return [{"custom": {"data": {"recommendation_ready": True}}}]
            return [{"text": "Je n'ai pas compris votre réponse sur intervention."}]

    assistant = Deaf([], {}, 0)
    case = {"fit_for_surgery": True}
    consultation = Consultation(
        "deaf", "", case, (Entry("bonjour", Expect("greeting")), Entry(None, Expect("answer"), answer="all"))
    )
    result = typed_bench.play(assistant, consultation, {"boolean": {True: ["oui", "ouais"]}})
    assert len(assistant.sent) == 2 + TYPED_TRIES and set(assistant.sent[1:3]) == {"oui", "ouais"}
    assert assistant.sent[-1] == '/inform{"fit_for_surgery": true}'
    assert result.to_first_answer == 4
    assert [message.verdict.misread for message in result.messages] == [True, True, True, False]


def test_the_question_is_read_from_the_buttons_when_the_tracker_names_none():
    buttons = [
        {"title": "Oui", "payload": '/inform{"major_bone_loss": true}'},
        {"title": "Non", "payload": '/inform{"major_bone_loss": false}'},
    ]
    assert buttons_field(buttons) == "major_bone_loss"
    assert buttons_field([*buttons, {"title": "Autre", "payload": '/inform{"pain": "mild"}'}]) is None
    assert buttons_field([{"title": "Nouveau cas", "payload": "/new_consultation"}]) is None
    assert buttons_field([]) is None


def test_a_question_asked_again_later_is_typed_again_before_any_click():
    class AsksAgain(FakeAssistant):
        """Asks the survival three times, another question between (as after « modifier l'EV »)."""

        order = ["life_expectancy", "diagnostic_uncertainty", "life_expectancy", "diagnostic_uncertainty"]
        order += ["life_expectancy", None]

        def send(self, sender: str, text: str) -> list[dict]:
            self.sent.append(text)
            self.slots["requested_slot"] = self.order[len(self.sent) - 1]
            return [{"custom": {"data": {"recommendation_ready": True}}}] if len(self.sent) == len(self.order) else []

    assistant = AsksAgain([], {}, 0)
    case = {"life_expectancy": "gt_12_months", "diagnostic_uncertainty": False}
    entries = (Entry("bonjour", Expect("greeting")), Entry(None, Expect("answer"), answer="all"))
    phrasings = {"life_expectancy": {"gt_12_months": ["2 ans"]}, "boolean": {False: ["non"]}}
    typed_bench.play(assistant, Consultation("again", "", case, entries), phrasings)
    assert assistant.sent == ["bonjour", "2 ans", "non", "2 ans", "non", "2 ans"]
