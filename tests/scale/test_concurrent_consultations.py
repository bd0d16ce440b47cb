"""50 consultations at the same time against one assistant (real Rasa and
action servers): every answer arrives, is the one expected at that point of
that conversation, and each conversation ends with the recommendation for its
own case: nothing crosses between conversations."""

import time

import pytest

from harness.load import consultations, run_load
from harness.rest import final_slots

pytestmark = pytest.mark.e2e

CONVERSATIONS = 50


def test_the_fifty_cases_are_all_different():
    cases = [tuple(sorted(conversation.case.items())) for conversation in consultations(CONVERSATIONS)]
    assert len(set(cases)) == CONVERSATIONS


def test_fifty_simultaneous_consultations_complete_without_crossing(bot):
    stamp = int(time.time())
    alone = run_load([bot.url], consultations(3, prefix=f"alone-{stamp}")[2:], request_timeout=60, deadline=120)
    assert not alone.problems(), alone.problems()
    print(f"\none consultation alone, one Rasa server: {alone.summary()}")

    conversations = consultations(CONVERSATIONS, prefix=f"scale-{stamp}")
    result = run_load([bot.url], conversations, request_timeout=120, deadline=420)
    summary = result.summary()
    print(f"{CONVERSATIONS} concurrent consultations, one Rasa server: {summary}")

    problems = result.problems()
    assert not problems, "\n".join(problems[:20])
    assert summary["turns"] == sum(len(conversation.turns) for conversation in conversations)

    for conversation in conversations:
        slots = final_slots(bot.url, conversation.sender)
        case = {name: slots.get(name) for name in conversation.case}
        assert case == conversation.case, conversation.sender
        recommendation = slots["recommendation"]
        expected = conversation.recommendation
        assert recommendation["case"] == expected["case"], conversation.sender
        assert recommendation["surgery"] == expected["surgery"], conversation.sender
        assert [t["code"] for t in recommendation["techniques"]] == [t["code"] for t in expected["techniques"]], (
            conversation.sender
        )
        assert [w["code"] for w in recommendation["warnings"]] == [w["code"] for w in expected["warnings"]], (
            conversation.sender
        )
