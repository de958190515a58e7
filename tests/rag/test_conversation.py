import pytest

from rag.conversation import rewrite

FIRST = "When did UNAMID operations cease?"


@pytest.mark.parametrize(
    "history, follow_up, expect",
    [
        ([FIRST], "how many troops did it have?", "UNAMID"),
        ([FIRST], "what was its mandate?", "UNAMID's mandate"),
        (["How many member states signed the declaration in 2018?"], "and in 2019?", "in 2019"),
        (["Who chaired the Working Group in 2020?"], "what about the Special Committee?", "Special Committee"),
        (["Who chaired the Working Group in 2020?"], "who took over?", "Working Group"),
    ],
)
def test_follow_ups_are_rewritten_to_stand_alone(history, follow_up, expect):
    assert expect in rewrite(follow_up, history)


def test_a_standalone_question_is_left_alone():
    q = "How many observers did Mission Alpha employ?"
    assert rewrite(q, [FIRST]) == q
    assert rewrite("when did it close?", []) == "when did it close?"


def test_the_year_of_an_ellipsis_replaces_the_earlier_year():
    out = rewrite("and in 2019?", ["How many states signed in 2018?"])
    assert "2019" in out and "2018" not in out
