"""Answerers turn retrieved passages into a cited answer. The default is extractive.

The seam is :class:`Answerer`; an LLM answerer fills the same protocol. Whatever the
implementation, citations are built by :func:`make_citation`, which only ever quotes
the source file's own characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Protocol, Sequence

from rag import text as T
from rag.question import ANY, DATE, NUMBER, PERSON, QuestionInfo, analyse
from rag.types import Answer, Citation, Passage, Quote, Sentence

NOT_COVERED = "The documents don't cover this: none of them answers the question."


class Answerer(Protocol):
    """Turns a question and its retrieved passages into an answer with citations."""

    def answer(self, question: str, passages: Sequence[Passage]) -> Answer:
        """The answer, or an abstention when the passages do not hold it."""
        ...


def make_citation(marker: int, passage: Passage, sentence: Sentence, file_text: str | None = None) -> Citation:
    """A citation of ``sentence`` inside ``passage`` (offsets into the source file)."""
    p = passage.paragraph
    if not (p.start <= sentence.start < sentence.end <= p.end):
        raise ValueError("the quoted sentence lies outside its paragraph")
    quote_text = p.text[sentence.start - p.start: sentence.end - p.start]
    if file_text is not None and file_text[sentence.start:sentence.end] != quote_text:
        raise ValueError("the quote does not match the source file")
    return Citation(
        marker=marker,
        doc_id=p.doc_id,
        title=passage.document.title,
        source=passage.document.source,
        paragraph=p.number,
        start=p.start,
        end=p.end,
        text=p.text,
        score=round(passage.score, 4),
        quote=Quote(text=quote_text, start=sentence.start, end=sentence.end),
        publisher=passage.document.publisher,
        date=passage.document.date,
    )


@dataclass(frozen=True, slots=True)
class Candidate:
    passage: Passage
    sentence: Sentence
    score: float
    typed: bool
    coverage: float
    values: frozenset[str]


_ENUMERATOR = re.compile(r"^\s*\(?\d{1,3}[.)-]\s")
_YEARLIKE = re.compile(r"^(?:1[89]|20)\d{2}$")
_MONTH = re.compile(r"\b(?:" + "|".join(m.capitalize() for m in T.MONTHS) + r")\b")
_TITLE = re.compile(r"\b(?:Mr|Ms|Mrs|Dr|Ambassador|H\.E\.|USG|Secretary-General|Chair|Director|President)\b")


def _values(q: QuestionInfo, sentence: str) -> frozenset[str]:
    """The quantities or dates in a sentence that the question does not already state."""
    body = _ENUMERATOR.sub("", sentence)
    found = T.numbers(body) - q.numbers
    if q.answer_type == NUMBER and not re.search(r"\byears?\b", q.text, re.I):
        found = {n for n in found if not _YEARLIKE.match(n)}
    if q.answer_type == DATE:
        found |= {m.lower() for m in _MONTH.findall(body)}
        found = {v for v in found if not v.isdigit() or _YEARLIKE.match(v) or len(v) <= 2}
    return frozenset(found)


def _typed(q: QuestionInfo, sentence: str, values: frozenset[str]) -> bool:
    if q.answer_type in (NUMBER, DATE):
        if q.answer_type == DATE and not (_MONTH.search(sentence) or any(_YEARLIKE.match(v) for v in values)):
            return False
        return bool(values)
    if q.answer_type == PERSON:
        names = T.capitalised_terms(sentence) - T.capitalised_terms(q.text)
        return bool(_TITLE.search(sentence)) or len(names) >= 2
    return True


class ExtractiveAnswerer:
    """Picks the sentence that answers, cites it, and abstains when nothing does.

    Usage::

        answerer = ExtractiveAnswerer(idf=index.keyword.idf_of, knows_term=index.knows_term)
        answer = answerer.answer(question, passages)
    """

    def __init__(
        self,
        idf: Callable[[str], float],
        knows_term: Callable[[str], bool],
        *,
        min_confidence: float = 0.45,
        conflict_margin: float = 0.08,
    ) -> None:
        if not 0 <= min_confidence <= 1:
            raise ValueError(f"min_confidence must be in [0, 1]. Currently, it is {min_confidence}")
        self.idf = idf
        self.knows_term = knows_term
        self.min_confidence = min_confidence
        self.conflict_margin = conflict_margin

    # -- scoring -------------------------------------------------------------

    def _coverage(self, q: QuestionInfo, terms: set[str]) -> float:
        weights = [max(self.idf(t), 0.1) for t in q.terms]
        total = sum(weights)
        if not total:
            return 0.0
        return sum(w for t, w in zip(q.terms, weights) if t in terms) / total

    def candidates(self, q: QuestionInfo, passages: Sequence[Passage]) -> list[Candidate]:
        """Every sentence of the passages, scored as an answer to ``q``, best first."""
        out = []
        top = max((p.score for p in passages), default=1.0) or 1.0
        for passage in passages:
            p = passage.paragraph
            context = set(T.tokens(p.section))
            para_terms = set(T.tokens(p.clean)) | context
            para_cov = self._coverage(q, para_terms)
            for sentence, dense in zip(p.sentences, passage.sentence_scores):
                if len(sentence.text.split()) < 4:
                    continue
                coverage = self._coverage(q, set(T.tokens(sentence.text)) | context)
                values = _values(q, sentence.text)
                typed = _typed(q, sentence.text, values)
                score = (
                    0.45 * dense
                    + 0.25 * coverage
                    + 0.10 * para_cov
                    + 0.20 * max(passage.score / top, 0.0) * max(passage.dense, 0.0)
                )
                if q.answer_type != ANY:
                    score += 0.08 if typed else -0.12
                out.append(Candidate(passage, sentence, score, typed, coverage, values))
        out.sort(key=lambda c: c.score, reverse=True)
        return out

    def unknown_terms(self, q: QuestionInfo) -> list[str]:
        """Names and numbers in the question that occur nowhere in the collection."""
        return [t for t in q.specific if not self.knows_term(t)]

    # -- answering -----------------------------------------------------------

    def answer(self, question: str, passages: Sequence[Passage]) -> Answer:
        q = analyse(question)
        ranked = self.candidates(q, passages)
        best = ranked[0] if ranked else None
        confidence = best.score if best else 0.0
        if (
            best is None
            or confidence < self.min_confidence
            or (q.answer_type != ANY and not best.typed)
            or self.unknown_terms(q)
        ):
            return Answer(question=question, answer=NOT_COVERED, abstained=True, confidence=confidence)
        rival = self._rival(q, best, ranked)
        if rival is None:
            citation = make_citation(1, best.passage, best.sentence)
            return Answer(
                question=question,
                answer=f"{best.sentence.text} [1]",
                abstained=False,
                citations=(citation,),
                confidence=confidence,
            )
        citations = (
            make_citation(1, best.passage, best.sentence),
            make_citation(2, rival.passage, rival.sentence),
        )
        text = (
            "The sources differ on this. "
            f"{best.sentence.text} [1] Elsewhere the collection says: {rival.sentence.text} [2]"
        )
        return Answer(
            question=question,
            answer=text,
            abstained=False,
            citations=citations,
            conflict=True,
            confidence=confidence,
        )

    def _rival(self, q: QuestionInfo, best: Candidate, ranked: list[Candidate]) -> Candidate | None:
        """A near-equal answer elsewhere that states a different quantity or date."""
        if q.answer_type not in (NUMBER, DATE) or not best.values:
            return None
        best_terms = set(T.tokens(best.sentence.text))
        for other in ranked[1:]:
            if best.score - other.score > self.conflict_margin:
                break
            if other.passage.paragraph == best.passage.paragraph or not other.typed:
                continue
            other_terms = set(T.tokens(other.sentence.text))
            overlap = len(best_terms & other_terms) / max(len(best_terms | other_terms), 1)
            if overlap >= 0.35 and other.values != best.values:
                return other
        return None
