"""``rag eval``: every corpus, dev beside test, the report, and the gate on test."""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from rag.assistant import Assistant, build_assistant
from rag.embedder import Embedder, load_embedder
from rag.collection import open_index
from rag.settings import PROJECT_ROOT, Settings
from rag.store import GenerationVectors, open_store

from eval.gate import failures as gate_failures
from eval.harness import Report, evaluate, metrics
from eval.questions import CORPORA, SPLITS, CorpusSet, load_questions
from eval.report import side_by_side, write


def corpus_assistant(corpus: CorpusSet, settings: Settings, embedder: Embedder) -> Assistant:
    """An assistant over one evaluation corpus, its index kept beside the main one."""
    directory = settings.index_dir if corpus.name == "main" else settings.index_dir / "eval" / corpus.name
    index, _ = open_index([corpus.documents], directory, embedder, progress=sys.stderr.isatty(),
                          vectors=GenerationVectors(settings))
    return build_assistant(index, embedder, top_k=settings.top_k, query_cache=0,
                           store=open_store(settings, index, directory))


def run(settings: Settings, *, gate: bool = False, out: Path | None = None, splits=SPLITS,
        corpora: tuple[str, ...] | None = None) -> int:
    """Evaluate, print the figures, write ``report.md`` and ``report.png``; 1 if ``gate`` and it fails."""
    start = time.perf_counter()
    embedder = load_embedder(settings.model)
    reports: list[Report] = []
    for corpus in CORPORA:
        if corpora and corpus.name not in corpora or not corpus.questions.exists():
            continue
        assistant = corpus_assistant(corpus, settings, embedder)
        forced = _never_abstaining(assistant)
        done = []
        for split in splits:
            questions = load_questions(corpus.questions, split)
            done.append(evaluate(assistant, questions, corpus=corpus.name, split=split, forced=forced))
        if corpus.name != "main" and len(done) > 1:  # never trained on: every question is unseen
            rows = [row for r in done for row in r.rows]
            done.append(Report(corpus.name, "all", rows, metrics(rows)))
        reports += done
    failures = [f for r in reports for f in gate_failures(r.corpus, r.split, r.metrics)]
    setup = {
        "model": settings.model,
        "selector": _selector_version(),
        "run time s": round(time.perf_counter() - start, 1),
        "peak RSS MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    md, png = write(reports, setup, failures, out or PROJECT_ROOT / "eval" / "reports")
    print(side_by_side(reports))
    print(f"\nreport: {md}\nplot:   {png}")
    if failures:
        print("gate: FAILED: " + "; ".join(failures), file=sys.stderr)
        return 1 if gate else 0
    print("gate: passed")
    return 0


def _never_abstaining(assistant: Assistant):
    """The assistant's own answerer with abstention off, for the calibration plot."""
    from rag.answering.extractive import ExtractiveAnswerer

    answerer = assistant.answerer
    if not isinstance(answerer, ExtractiveAnswerer):
        return None
    return ExtractiveAnswerer(answerer.vocabulary, answerer.selector, threshold=0.0)


def _selector_version() -> str:
    from rag.answering.selector import load_selector

    s = load_selector()
    return f"{s.version} (threshold {s.threshold:.3f}, fitted on {s.meta.get('fitted_on', '?')})"
