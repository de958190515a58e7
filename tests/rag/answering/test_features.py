import pytest

from rag.answering.features import sentence_values
from rag.question import analyse

HOW_LONG = analyse("For how long does the Project Leader serve?")


@pytest.mark.parametrize("sentence", ["The Project Leader serves for one year.", "The term of office is 1 year."])
def test_one_of_a_time_unit_is_a_quantity(sentence):
    assert sentence_values(HOW_LONG, sentence)[0] == {"1"}


def test_one_as_a_word_is_not_a_quantity():
    assert sentence_values(HOW_LONG, "One of the members serves as chair.")[0] == frozenset()


def test_a_count_is_anchored_to_what_the_question_counts():
    values, anchored = sentence_values(analyse("How many states signed?"), "In all, 152 states signed it.")
    assert values == {"152"} and anchored
