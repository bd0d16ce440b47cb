"""Discussing the case over REST with the real Rasa and action servers: a
question typed while a question waits is answered, then that question is asked
again, and no fact of the case changes; after the answer, the clinician's
questions get real answers."""

import itertools

import pytest

from decision import FIELDS
from tests.support.replies import check_reply

pytestmark = pytest.mark.e2e
_ids = itertools.count()
DOUBT_QUESTION = "Y a-t-il un doute entre métastase révélatrice et tumeur osseuse primitive ?"


def texts(replies):
    return "\n".join(message.get("text", "") for message in replies)


def facts(bot, sender):
    slots = bot.tracker(sender)["slots"]
    return {name: slots.get(name) for name in FIELDS}, slots.get("requested_slot")


def test_questions_while_a_question_waits_are_answered_then_it_is_asked_again_and_nothing_is_written(bot):
    sender = f"discussion-{next(_ids)}"
    opening = "fracture pathologique du col du fémur, espérance de vie estimée à 3 mois, patient opérable"
    assert DOUBT_QUESTION in texts(bot.send(sender, opening))
    before = facts(bot, sender)
    assert before[1] == "diagnostic_uncertainty"
    asides = {
        "??": "Cette question porte sur : doute diagnostique.",
        "on pourrait mettre une prothèse intermédiaire ?": "**Arthroplastie de hanche cimentée** ne fait pas partie",
        "et si l'espérance de vie était de deux ans ?": "rien n'est enregistré",
        "tu t'appuies sur quel référentiel ?": "J'applique un seul texte",
        "il nous manque quoi pour décider ?": "**Ce qui changerait la réponse**",
    }
    for typed, expected in asides.items():
        replies = bot.send(sender, typed)
        said = texts(replies)
        assert expected in said, (typed, said[:400])
        assert "Je n'ai pas compris votre réponse" not in said, typed
        assert said.rstrip().endswith(DOUBT_QUESTION) or DOUBT_QUESTION in replies[-1]["text"], typed
        assert facts(bot, sender) == before, typed  # no fact written, the same question pending
        for reply in replies:
            if reply.get("text"):
                check_reply(reply, typed)


def test_after_the_answer_the_verdict_a_technique_and_a_hypothesis_are_discussed(bot):
    sender = f"discussion-{next(_ids)}"
    bot.send(sender, "fracture pathologique du col fémoral, espérance de vie de deux ans, opérable")
    bot.send(sender, "non")  # no diagnostic doubt: the answer is given
    for _ in range(3):  # the refining questions, if any
        if facts(bot, sender)[1] is None:
            break
        bot.send(sender, "non")
    before = facts(bot, sender)
    assert bot.tracker(sender)["slots"]["recommendation"]
    for typed, expected in {
        "bon, au final on part sur quoi ?": "**En bref** : **Chirurgie indiquée**",
        "un clou gamma, ce serait pas plus simple ?": "Clou céphalomédullaire long, verrouillé par vis cervicale",
        "et une hémiarthroplastie ?": "Le chapitre ne le précise pas",
        "et si elle n'avait que trois mois à vivre ?": "**Hypothèse**",
    }.items():
        said = texts(bot.send(sender, typed))
        assert expected in said, (typed, said[:400])
        assert "Je n'ai pas compris" not in said, typed
        assert facts(bot, sender) == before, typed
