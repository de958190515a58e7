"""``rag eval``: evaluate, compare with the tutorial recipe, write the report."""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from rag.assistant import corpus_paths, load_assistant
from rag.settings import PROJECT_ROOT, Settings

from eval.harness import evaluate, gate_failures, load_questions
from eval.report import side_by_side, write


def run(settings: Settings, *, baseline: bool = True, gate: bool = False, out: Path | None = None) -> int:
    """Run the evaluation, print the figures, write ``report.md`` and ``report.png``."""
    questions = load_questions()
    start = time.perf_counter()
    assistant, built = load_assistant(settings, progress=sys.stderr.isatty())
    ready = time.perf_counter()
    recipe = None
    if baseline:
        from eval.baseline import TutorialRecipe

        recipe = TutorialRecipe(corpus_paths(settings), assistant.embedder)
    report = evaluate(assistant, questions, baseline=recipe)
    report.setup = {
        "questions": f"{len(questions)} ({report.metrics['answerable']} answerable, {report.metrics['unanswerable']} not)",
        "model": assistant.index.manifest["model"],
        "index": "built in this run" if built else "loaded from disk",
        "start-up (model + index) s": round(ready - start, 2),
        "peak RSS MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    md, png = write(report, out or PROJECT_ROOT / "eval" / "reports")
    for key, value in report.metrics.items():
        print(f"{key:>24}: {value:.3f}" if isinstance(value, float) else f"{key:>24}: {value}")
    print()
    print(side_by_side(report))
    print(f"\nreport: {md}\nplot:   {png}")
    wrong = [r for r in report.rows if not r.correct]
    for r in wrong:
        print(f"  wrong: {r.question.id}: {r.answer.answer[:140]}")
    failures = gate_failures(report.metrics)
    if failures:
        print("gate: " + "; ".join(failures), file=sys.stderr)
        return 1 if gate else 0
    print("gate: passed")
    return 0
