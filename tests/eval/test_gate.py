"""The evaluation as a regression gate: real model, real index, every question."""

import pytest

from eval.harness import evaluate, gate_failures, load_questions

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_evaluation_gate(real_assistant, tmp_path):
    from eval.report import write

    report = evaluate(real_assistant, load_questions())
    md, png = write(report, tmp_path)
    m = report.metrics
    print({k: round(v, 3) if isinstance(v, float) else v for k, v in m.items()})
    assert gate_failures(m) == [], md.read_text()[:3000]
    assert m["conflicts_shown"] == 1.0
    assert md.stat().st_size > 0 and png.stat().st_size > 0
