"""Evaluation: ask every question as a user would (with its history), score the verdicts,
retrieval, citations and abstention, per split and per kind."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from rag.assistant import Assistant
from rag.index import CorpusIndex
from rag.types import Answer

from eval.questions import Question, gold_paragraphs

RIGHT, WRONG, ABSTAIN = "right", "wrong", "abstain"


@dataclass
class Row:
    """One question's outcome."""

    question: Question
    answer: Answer
    verdict: str  # right | wrong | abstain
    correct: bool  # right for answerable questions, abstain for the rest
    ranks: list[int]  # ranks (1-based) of gold paragraphs among the top 10
    citation_ok: list[bool]
    verbatim: list[bool]
    forced: bool | None = None  # with abstention off: would the answer be right?


@dataclass
class Report:
    corpus: str
    split: str
    rows: list[Row]
    metrics: dict[str, float] = field(default_factory=dict)


def percentile(values: Sequence[float], q: float) -> float:
    """The value at quantile ``q`` (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _verbatim(answer: Answer, files: dict[str, str], root: Path, index: CorpusIndex) -> list[bool]:
    """Whether every citation is its source's text at its offsets: the file itself for plain
    text, the text the product extracted and stored for HTML, PDF and DOCX (what
    ``GET /documents/{id}/text`` serves and the offsets index into)."""
    out = []
    for c in answer.citations:
        text = files.get(c.source)
        if text is None:
            path = Path(c.source) if Path(c.source).is_absolute() else root / c.source
            plain = path.suffix.lower() in (".txt", ".md")
            text = files[c.source] = path.read_text(encoding="utf-8") if plain else index.document_text(c.doc_id)
        out.append(text[c.start:c.end] == c.text and text[c.quote.start:c.quote.end] == c.quote.text)
    return out


def verdict(q: Question, answer: Answer) -> str:
    if answer.abstained:
        return ABSTAIN
    return RIGHT if q.answerable and q.matches(answer.answer) else WRONG


def evaluate(assistant: Assistant, questions: Sequence[Question], *, corpus: str = "main", split: str = "dev",
             forced=None) -> Report:
    """Ask every question; ``forced`` (an answerer that never abstains) adds calibration data."""
    from eval.questions import corpus_set

    paragraphs = assistant.index.paragraphs
    files: dict[str, str] = {}
    assistant.ask("warm-up question")  # the first call pays for lazy set-up
    rows = []
    for q in questions:
        gold = gold_paragraphs(q, paragraphs) if q.answerable else set()
        answer = assistant.ask(q.question, history=list(q.history))
        query = assistant.retrieval_query(q.question, q.history)
        top = assistant.searcher.search(query, 10)
        keys = [(p.paragraph.doc_id, p.paragraph.number) for p in top]
        ranks = [i + 1 for i, key in enumerate(keys) if key in gold]
        v = verdict(q, answer)
        correct = (v == RIGHT) if q.answerable else (v == ABSTAIN)
        citation_ok = [(c.doc_id, c.paragraph) in gold or q.matches_any(c.quote.text) for c in answer.citations] \
            if q.answerable else [False for _ in answer.citations]
        row = Row(q, answer, v, correct, ranks, citation_ok, _verbatim(answer, files, corpus_set(corpus).documents.parent,
                                                                        assistant.index))
        if forced is not None:
            unforced = forced.answer(q.question, list(q.history), top[: assistant.top_k])
            row.forced = bool(q.answerable and not unforced.abstained and q.matches(unforced.answer))
        rows.append(row)
    return Report(corpus, split, rows, metrics(rows))


def _share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def consistency(rows: Sequence[Row]) -> tuple[float, int]:
    """Share of paraphrase groups whose every wording gets the same verdict, and the group count."""
    groups: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r.question.group:
            groups[r.question.group].add(r.verdict if r.question.answerable else str(r.correct))
    return _share([len(v) == 1 for v in groups.values()]), len(groups)


def metrics(rows: Sequence[Row]) -> dict[str, float]:
    answerable = [r for r in rows if r.question.answerable]
    unanswerable = [r for r in rows if not r.question.answerable]
    first = [min(r.ranks) if r.ranks else None for r in answerable]
    cites = [ok for r in answerable if not r.answer.abstained for ok in r.citation_ok[:1]]
    verbatim = [v for r in rows for v in r.verbatim]
    latency = [r.answer.timings_ms.get("total", 0.0) for r in rows]
    lengths = [len(r.answer.answer) for r in answerable if not r.answer.abstained]
    para, groups = consistency(rows)
    return {
        "questions": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "answer_accuracy": _share([r.correct for r in answerable]),
        "citation_precision": _share(cites),
        "abstention_accuracy": _share([r.correct for r in unanswerable]),
        "false_abstention_rate": _share([r.answer.abstained for r in answerable]),
        "overall_accuracy": _share([r.correct for r in rows]),
        "paraphrase_consistency": para,
        "paraphrase_groups": groups,
        "hit@1": _share([f is not None and f <= 1 for f in first]),
        "hit@5": _share([f is not None and f <= 5 for f in first]),
        "verbatim_rate": _share(verbatim) if verbatim else 1.0,
        "median_answer_chars": percentile(lengths, 0.5),
        "latency_p50_ms": percentile(latency, 0.5),
        "latency_p95_ms": percentile(latency, 0.95),
    }


def by_kind(rows: Sequence[Row]) -> dict[str, dict[str, int]]:
    """Per kind: how many questions got each verdict, and how many were correct."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"n": 0, "correct": 0, RIGHT: 0, WRONG: 0, ABSTAIN: 0})
    for r in rows:
        cell = out[r.question.kind]
        cell["n"] += 1
        cell["correct"] += r.correct
        cell[r.verdict] += 1
    return dict(sorted(out.items()))


def calibration(rows: Sequence[Row], bins: int = 10) -> list[tuple[float, float, int]]:
    """(mean confidence, share right with abstention off, count) per confidence bin."""
    data = [(r.answer.confidence, bool(r.forced)) for r in rows if r.forced is not None]
    out = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        cell = [(c, ok) for c, ok in data if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if cell:
            out.append((sum(c for c, _ in cell) / len(cell), _share([ok for _, ok in cell]), len(cell)))
    return out
