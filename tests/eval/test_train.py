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


def _examples_where_the_answer_is_low_on(column: int, n: int = 40):
    import numpy as np

    from rag.answering.features import FEATURES

    rng = np.random.default_rng(0)
    examples = []
    for _ in range(n):
        x = rng.normal(size=(4, len(FEATURES)))
        x[0, column], x[1:, column] = -1.0, 1.0
        examples.append(SimpleNamespace(x=x, y=np.array([1, 0, 0, 0]), weight=1.0))
    return examples


def test_a_prior_holds_the_weights_it_has_and_leaves_a_new_feature_to_the_data():
    from eval.train import _fit_ranker
    from rag.answering.features import FEATURES
    from rag.answering.selector import Logistic

    free = FEATURES.index("new_info")
    examples = _examples_where_the_answer_is_low_on(free)
    plain = _fit_ranker(examples, 1.0)
    assert plain.coef[free] < -0.5
    # a prior that knows the feature, and says it is worth +0.5 on the fit's scale
    knows = Logistic(FEATURES, plain.mean, plain.scale, tuple(0.5 if i == free else 0.0 for i in range(len(FEATURES))), 0.0)
    held = _fit_ranker(examples, 1.0, knows, pull=100.0)
    assert abs(held.coef[free] - 0.5) < 0.05  # pulled hard to the prior, against the data
    loose = _fit_ranker(examples, 1.0, knows, pull=0.0)
    assert loose.coef[free] < 0.0  # no pull: the data wins
    # a prior fitted before the feature existed leaves it to the data, as the plain fit does
    others = [i for i in range(len(FEATURES)) if i != free]
    lacks = Logistic(tuple(FEATURES[i] for i in others), tuple(plain.mean[i] for i in others),
                     tuple(plain.scale[i] for i in others), (0.0,) * len(others), 0.0)
    new = _fit_ranker(examples, 1.0, lacks, pull=100.0)
    assert new.coef[free] < -0.5


def test_a_prior_that_is_not_a_fitted_selector_stops_with_a_reason(capsys, tmp_path):
    import pytest

    from eval.train import main

    with pytest.raises(SystemExit) as stopped:
        main(["--prior", str(tmp_path / "nowhere.json")])
    assert stopped.value.code == 2 and "not a fitted selector" in capsys.readouterr().err
