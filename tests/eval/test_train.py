"""Training labels: which candidate units count as the answer."""

from types import SimpleNamespace

from eval.questions import Question
from eval.train import _label
from rag.question import FACT, REASON
from rag.types import Paragraph, Sentence

FIRST = "Peacekeeping performance has drawn much attention lately."
SECOND = "This was driven by a wish to reduce costs."
PARAGRAPH = Paragraph("d", 1, 0, 100, f"{FIRST} {SECOND}",
                      sentences=(Sentence(0, len(FIRST), FIRST), Sentence(len(FIRST) + 1, 100, SECOND)))


def unit(position: int, last: int) -> SimpleNamespace:
    first, end = PARAGRAPH.sentences[position], PARAGRAPH.sentences[last]
    text = " ".join(s.text for s in PARAGRAPH.sentences[position:last + 1])
    return SimpleNamespace(passage=SimpleNamespace(paragraph=PARAGRAPH), position=position,
                           sentence=Sentence(first.start, end.end, text))


QUESTION = Question("q", "why the attention on performance?", "why", answers=("reduce costs",))


def test_the_smallest_unit_that_answers_is_the_answer():
    assert _label(QUESTION, unit(1, 1), FACT) == 1
    assert _label(QUESTION, unit(0, 0), FACT) == 0
    assert _label(QUESTION, unit(0, 1), FACT) == 0  # the second sentence answers alone


def test_a_reason_question_also_takes_what_it_asks_about_with_the_reason():
    assert _label(QUESTION, unit(0, 1), REASON) == 1
    assert _label(QUESTION, unit(1, 1), REASON) == 1


def test_an_unanswerable_question_has_no_answer():
    q = Question("u", "why?", "unanswerable", answerable=False)
    assert _label(q, unit(0, 1), REASON) == 0


def test_cloze_questions_are_not_grown_from_references():
    import random

    from eval.train import cloze
    from rag.ingest import split_paragraphs

    text = ("The Council extended the mandate of the Alpha Mission until March 2022 after long talks.\n\n"
            "See Jane Doe, Lessons from Alpha, New York, available at https://example.org/alpha, 2019.\n")
    grown = cloze(split_paragraphs("d", text), 10, random.Random(0))
    assert grown and all(where == ("d", 1) for _, _, where in grown)


def test_the_ranker_keeps_the_sign_of_a_signal_whose_direction_is_known():
    import numpy as np

    from eval.train import RANK_SIGNS, _fit_ranker
    from rag.answering.features import FEATURES

    rng = np.random.default_rng(0)
    known, free = FEATURES.index("p_dense"), FEATURES.index("new_info")
    assert RANK_SIGNS["p_dense"] > 0 and "new_info" not in RANK_SIGNS
    examples = []
    for _ in range(40):
        x = rng.normal(size=(4, len(FEATURES)))
        y = np.array([1, 0, 0, 0])
        x[0, known], x[1:, known] = -1.0, 1.0  # in this data the answer is always the least alike...
        x[0, free], x[1:, free] = -1.0, 1.0  # ...and never a window
        examples.append(SimpleNamespace(x=x, y=y, weight=1.0))
    model = _fit_ranker(examples, 1.0)
    assert model.coef[known] == 0.0  # held at its bound: never rewards being less alike
    assert model.coef[free] < -0.5  # a signal without a known direction is learned either way


def test_fitting_on_a_corpus_that_does_not_exist_stops_with_a_reason(capsys):
    import pytest

    from eval.train import main

    with pytest.raises(SystemExit) as stopped:
        main(["--corpora", "main,atlantis"])
    assert stopped.value.code == 2 and "unknown corpora: atlantis" in capsys.readouterr().err
