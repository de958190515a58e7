"""The side-by-side table of `rag eval --answerer llm`, from rows made by hand."""

from eval.compare import llm_figures, table
from eval.harness import Report, Row, metrics
from eval.questions import Question
from rag.types import Answer


def _report(answers):
    q = Question(id="q1", question="How many?", kind="number", answers=("1,200",))
    rows = [Row(q, a, "right" if "1,200" in a.answer else "wrong", "1,200" in a.answer, [1], [True], [True])
            for a in answers]
    return Report("main", "dev", rows, metrics(rows))


def test_the_table_puts_both_answerers_side_by_side():
    extractive = _report([Answer("How many?", "1,200 [1]", False, timings_ms={"total": 20.0})] * 2)
    llm = _report([Answer("How many?", "1,200 [1]", False, answerer="llm", timings_ms={"total": 900.0}),
                   Answer("How many?", "1,500 [1]", False, answerer="extractive-fallback", claims_dropped=2,
                          timings_ms={"total": 3000.0})])
    assert llm_figures(llm) == {"answered by the LLM": 0.5, "extractive fallbacks": 1, "claims dropped": 2}
    text = table({"extractive": extractive, "llm": llm})
    assert "| answers right | 1.000 | 0.500 |" in text
    assert "| extractive fallbacks | - | 1 |" in text and "| claims dropped | - | 2 |" in text
    assert "| latency p50 ms | 20 |" in text
