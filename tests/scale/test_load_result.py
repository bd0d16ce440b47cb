"""How the load driver (harness.load) judges a run, without servers: a
conversation is completed only when every turn got the answer expected; a
failed, missing or wrong answer is a problem; one never started is neither."""

from harness.load import Conversation, LoadResult, Turn, TurnResult, scripted


def turn(sender, index, texts, error=None):
    return TurnResult(sender, index, "http://127.0.0.1:1", 0.0, 0.1, texts, error)


def test_a_run_is_judged_answer_by_answer():
    done = ("Chirurgie", "ne change pas")
    good, wrong, failed, waiting = scripted([["fracture du col", "non"]], done, 4, "run")
    result = LoadResult(
        [good, wrong, failed, waiting],
        [
            turn(good.sender, 0, ["Question 1"]),
            turn(good.sender, 1, ["**Chirurgie indiquée**"]),
            turn(wrong.sender, 0, ["Question 1"]),
            turn(wrong.sender, 1, ["Je n'ai pas compris."]),
            turn(failed.sender, 0, [], error="TimeoutError: timed out"),
        ],
        1.0,
        unfinished=[],
        not_started=[waiting.sender],
    )
    assert result.completed() == [good.sender]
    problems = result.problems()
    assert [problem.split(":")[0] for problem in problems] == [wrong.sender, failed.sender, failed.sender]
    assert "expected ('Chirurgie', 'ne change pas')" in problems[0] and "TimeoutError" in problems[1]
    assert problems[2] == f"{failed.sender}: 1 of 2 turns sent"  # a conversation stops at its first failure


def test_a_conversation_cut_short_is_a_problem_unless_the_deadline_stopped_it():
    conversation = Conversation("short", [Turn("a", "Question"), Turn("b", "Question")])
    played = [turn("short", 0, ["Question 1"])]
    assert LoadResult([conversation], played, 1.0, unfinished=[]).problems() == ["short: 1 of 2 turns sent"]
    stopped = LoadResult([conversation], played, 1.0, unfinished=["short"])
    assert stopped.problems() == ["short: not finished before the deadline"] and stopped.completed() == []
