"""Evaluation: retrieval and answer quality of the assistant, beside the tutorial recipe."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import yaml

from rag.assistant import Assistant
from rag.errors import CorpusError
from rag.types import Answer, Paragraph

QUESTIONS = Path(__file__).with_name("questions.yaml")
GATE = {"answer_accuracy": 0.95, "citation_precision": 0.95, "abstention_accuracy": 0.9, "verbatim_rate": 1.0}


@dataclass(frozen=True)
class Evidence:
    doc: str
    text: str


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    answerable: bool = True
    conflict: bool = False

    def matches(self, text: str) -> bool:
        """True when every gold pattern occurs in ``text``."""
        return bool(self.answers) and all(re.search(p, text, re.IGNORECASE) for p in self.answers)


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    """Read and check the question set."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    out, seen = [], set()
    for item in raw:
        q = Question(
            id=item["id"],
            question=item["question"],
            answers=tuple(item.get("answers", ())),
            evidence=tuple(Evidence(**e) for e in item.get("evidence", ())),
            answerable=item.get("answerable", True),
            conflict=item.get("conflict", False),
        )
        if q.id in seen:
            raise CorpusError(f"duplicate question id {q.id}")
        if q.answerable and not (q.answers and q.evidence):
            raise CorpusError(f"question {q.id} needs answers and evidence")
        seen.add(q.id)
        out.append(q)
    return out


def _norm(text: str) -> str:
    from rag import text as T

    return " ".join(re.sub(r"[^\w]+", " ", T.clean(text).lower()).split())


def gold_paragraphs(question: Question, paragraphs: Sequence[Paragraph]) -> set[tuple[str, int]]:
    """(doc_id, number) of the paragraphs holding the question's evidence."""
    found = set()
    for ev in question.evidence:
        needle = _norm(ev.text)
        hits = {
            (p.doc_id, p.number)
            for p in paragraphs
            if p.doc_id == ev.doc and p.searchable and needle in _norm(p.text)
        }
        if not hits:
            raise CorpusError(f"question {question.id}: evidence not found in {ev.doc}: {ev.text!r}")
        found |= hits
    return found


@dataclass
class Row:
    """One question's outcome."""

    question: Question
    answer: Answer
    ranks: list[int]  # ranks (1-based) of gold paragraphs among the top 10
    correct: bool
    citation_ok: list[bool]
    verbatim: list[bool]
    in_context: bool
    baseline_rank: int | None = None
    baseline_in_context: bool = False


@dataclass
class Report:
    rows: list[Row]
    metrics: dict[str, float]
    baseline: dict[str, float] = field(default_factory=dict)
    thresholds: list[dict[str, float]] = field(default_factory=list)
    setup: dict[str, float | str] = field(default_factory=dict)


def percentile(values: Sequence[float], q: float) -> float:
    """The value at quantile ``q`` (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _verbatim(answer: Answer, files: dict[str, str]) -> list[bool]:
    out = []
    for c in answer.citations:
        text = files.get(c.source)
        if text is None:
            text = files[c.source] = (Path(c.source) if Path(c.source).is_absolute() else _root() / c.source).read_text(encoding="utf-8")
        out.append(text[c.start:c.end] == c.text and text[c.quote.start:c.quote.end] == c.quote.text)
    return out


def _root() -> Path:
    from rag.settings import PROJECT_ROOT

    return PROJECT_ROOT


def evaluate(assistant: Assistant, questions: Sequence[Question], *, baseline=None) -> Report:
    """Ask every question; score retrieval, answers, citations and abstention."""
    paragraphs = assistant.index.paragraphs
    files: dict[str, str] = {}
    assistant.ask("warm-up question about peacekeeping")  # first call pays for lazy set-up
    rows = []
    for q in questions:
        gold = gold_paragraphs(q, paragraphs) if q.answerable else set()
        answer = assistant.ask(q.question)  # first, so its latency is not helped by the query cache
        top = assistant.searcher.search(q.question, 10)
        keys = [(p.paragraph.doc_id, p.paragraph.number) for p in top]
        ranks = [i + 1 for i, key in enumerate(keys) if key in gold]
        context = " ".join(p.paragraph.clean for p in top[: assistant.top_k])
        if q.answerable:
            correct = not answer.abstained and q.matches(answer.answer)
            if q.conflict:
                correct = correct and answer.conflict and len(answer.citations) >= 2
        else:
            correct = answer.abstained
        citation_ok = [
            (c.doc_id, c.paragraph) in gold or q.matches(c.quote.text) for c in answer.citations
        ] if q.answerable else [False for _ in answer.citations]
        row = Row(q, answer, ranks, correct, citation_ok, _verbatim(answer, files), q.matches(context))
        if baseline is not None and q.answerable:
            chunks = baseline.search(q.question, 10)
            needles = [_norm(ev.text) for ev in q.evidence]
            hits = [i + 1 for i, ch in enumerate(chunks) if any(n in _norm(ch) for n in needles)]
            row.baseline_rank = hits[0] if hits else None
            row.baseline_in_context = q.matches(" ".join(chunks[: baseline.top_k]))
        rows.append(row)
    return Report(
        rows, _metrics(rows), _baseline_metrics(rows, baseline) if baseline else {}, sweep(assistant, questions)
    )


CONFIDENCES = (0.35, 0.40, 0.45, 0.50, 0.55, 0.60)
COVERAGES = (0.20, 0.25, 0.30, 0.35, 0.40)


def sweep(assistant: Assistant, questions: Sequence[Question]) -> list[dict[str, float]]:
    """Answer accuracy against abstention accuracy for a grid of abstention thresholds."""
    from rag.answerer import ExtractiveAnswerer

    retrieved = [(q, assistant.searcher.search(q.question, assistant.top_k)) for q in questions]
    base = assistant.answerer
    rows = []
    for confidence in CONFIDENCES:
        for coverage in COVERAGES:
            answerer = ExtractiveAnswerer(
                idf=base.idf, knows_term=base.knows_term, acronyms=base.acronyms,
                min_confidence=confidence, min_coverage=coverage,
            )
            right = {True: 0, False: 0}
            total = {True: 0, False: 0}
            for q, passages in retrieved:
                answer = answerer.answer(q.question, passages)
                if q.answerable:
                    ok = not answer.abstained and q.matches(answer.answer) and (not q.conflict or answer.conflict)
                else:
                    ok = answer.abstained
                right[q.answerable] += ok
                total[q.answerable] += 1
            rows.append({
                "min_confidence": confidence,
                "min_coverage": coverage,
                "answer_accuracy": right[True] / max(total[True], 1),
                "abstention_accuracy": right[False] / max(total[False], 1),
                "default": confidence == base.min_confidence and coverage == base.min_coverage,
            })
    return rows


def _hit(ranks: list[int | None], k: int) -> float:
    return sum(1 for r in ranks if r is not None and r <= k) / max(len(ranks), 1)


def _mrr(ranks: list[int | None]) -> float:
    return sum(1 / r for r in ranks if r) / max(len(ranks), 1)


def _metrics(rows: list[Row]) -> dict[str, float]:
    answerable = [r for r in rows if r.question.answerable]
    unanswerable = [r for r in rows if not r.question.answerable]
    first = [min(r.ranks) if r.ranks else None for r in answerable]
    cites = [ok for r in answerable if not r.answer.abstained for ok in r.citation_ok]
    verbatim = [v for r in rows for v in r.verbatim]
    latency = [r.answer.timings_ms["total"] for r in rows]
    conflicts = [r for r in answerable if r.question.conflict]
    return {
        "questions": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "hit@1": _hit(first, 1),
        "hit@3": _hit(first, 3),
        "hit@5": _hit(first, 5),
        "mrr": _mrr(first),
        "answer_in_context": sum(r.in_context for r in answerable) / max(len(answerable), 1),
        "answer_accuracy": sum(r.correct for r in answerable) / max(len(answerable), 1),
        "citation_precision": sum(cites) / max(len(cites), 1),
        "abstention_accuracy": sum(r.correct for r in unanswerable) / max(len(unanswerable), 1),
        "false_abstention_rate": sum(r.answer.abstained for r in answerable) / max(len(answerable), 1),
        "conflicts_shown": sum(r.correct for r in conflicts) / max(len(conflicts), 1),
        "verbatim_rate": sum(verbatim) / max(len(verbatim), 1),
        "latency_p50_ms": percentile(latency, 0.5),
        "latency_p95_ms": percentile(latency, 0.95),
    }


def _baseline_metrics(rows: list[Row], baseline) -> dict[str, float]:
    answerable = [r for r in rows if r.question.answerable]
    ranks = [r.baseline_rank for r in answerable]
    return {
        "hit@1": _hit(ranks, 1),
        "hit@3": _hit(ranks, 3),
        f"hit@{baseline.top_k}": _hit(ranks, baseline.top_k),
        "hit@5": _hit(ranks, 5),
        "mrr": _mrr(ranks),
        "answer_in_context": sum(r.baseline_in_context for r in answerable) / max(len(answerable), 1),
        "misses_gold_in_top_k": 1 - _hit(ranks, baseline.top_k),
        "latency_p50_ms": baseline.latency_p50_ms,
        "latency_p95_ms": baseline.latency_p95_ms,
    }


def gate_failures(metrics: dict[str, float]) -> list[str]:
    """The regression-gate thresholds that ``metrics`` misses."""
    return [f"{k} {metrics[k]:.3f} < {v}" for k, v in GATE.items() if metrics[k] < v]
