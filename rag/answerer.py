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
from rag.acronyms import spelled_out
from rag.gazetteer import COUNTRIES, COUNTRY_PHRASES
from rag.question import ANY, COUNTRY, DATE, NAME, NUMBER, PERSON, REFERENCE, QuestionInfo, analyse, synonyms
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
    anchored: bool
    coverage: float  # share of the question's terms the sentence states
    values: frozenset[str]
    position: int  # index of the sentence in its paragraph
    support: float = 0.0  # the same, reading the sentence within its paragraph


_ANAPHOR = re.compile(r"^\W*(?:they|this|these|those|it|its|their|such|he|she|his|her|the latter|both|there|through (?:this|these|greater)|in (?:this|that) (?:regard|context|light))\b", re.I)
_LEANS_BACK = re.compile(r"\b(?:this|these|that|such|the) (?:partnership|initiative|process|change|approach|effort|commitment|declaration|plan|tool|mission|meeting|group)\b", re.I)
_ENUMERATOR = re.compile(r"^\s*\(?\d{1,3}[.)-]\s")
_YEARLIKE = re.compile(r"^(?:1[89]|20)\d{2}$")
_MONTH = re.compile(r"\b(?:" + "|".join(m.capitalize() for m in T.MONTHS) + r")\b")


_FRACTION = re.compile(r"\b(?:(?:one|two)-thirds?|one-third|half|(?:one|three)-quarters?|a quarter|majority)\b", re.I)
_REFERENCE_CODE = re.compile(r"\b[Rr]esolutions?\s+\[?\d{3,4}|\bS/PRST/\d{4}/\d+|\b[A-Z]/\d{2}/\d+")
# a year that dates something ("in 2018", "2019."), not one naming it ("the 2015 High-Level Panel")
_EVENT_YEAR = re.compile(r"\b(?:1[89]|20)\d{2}\b(?!\s+[A-Z])")
_NEAR_MONTH = re.compile(r"^\s*(?:[–-]\s*\d{1,2}\s+)?(?:" + "|".join(m.capitalize() for m in T.MONTHS) + r")\b")
_MONTH_BEFORE = re.compile(r"\b(?:" + "|".join(m.capitalize() for m in T.MONTHS) + r")\s*$")


def _lead(text: str) -> str:
    """A sentence as the answer's opening: without the source's paragraph numbering ("24. ")."""
    return _ENUMERATOR.sub("", text, count=1) or text


def _values(q: QuestionInfo, sentence: str) -> tuple[frozenset[str], bool]:
    """The quantities or dates a sentence adds to the question, and whether one of them
    counts what the question counts ("how many member states" ~ "152 member states")."""
    body = _ENUMERATOR.sub("", sentence)
    found: set[str] = set()
    anchored = False
    normal = T.number_words_to_digits(body)  # the text quantities() reports offsets in
    for value, start, end in T.quantities(body):
        if value in q.numbers:
            continue
        if q.answer_type == NUMBER:
            if _YEARLIKE.match(value) and not re.search(r"\byears?\b", q.text, re.I):
                continue
            if _NEAR_MONTH.match(normal[end:end + 16]) or _MONTH_BEFORE.search(normal[max(0, start - 12):start]):
                continue  # a day of the month is not a count
        hit = False
        if q.counted:
            near = T.tokens(normal[end:end + 40])[:2] + T.tokens(normal[max(0, start - 25):start])[-2:]
            if "percent" in q.counted:
                near += ["percent"] if re.match(r"\s*(?:%|per ?cent)", normal[end:end + 9]) else []
            hit = any(t in near for t in q.counted)
        if value == "1" and not hit:
            continue  # "one panellist", "one year": a determiner, not an answer
        found.add(value)
        anchored = anchored or hit
    if q.answer_type == NUMBER and _FRACTION.search(body):
        found.add(_FRACTION.search(body).group(0).lower())
        anchored = anchored or "percent" in q.counted
    if q.answer_type == DATE:
        found |= {m.lower() for m in _MONTH.findall(body)}
        found = {v for v in found if not v.isdigit() or _YEARLIKE.match(v) or len(v) <= 2}
    return frozenset(found), anchored


def _countries_in(text: str) -> set[str]:
    named = set(re.findall(r"[a-zà-ÿ]+", text.lower())) & COUNTRIES
    return named | {m.lower() for m in COUNTRY_PHRASES.findall(text)}


def has_kind(answer_type: str, text: str) -> bool:
    """Whether a text holds the kind of thing an answer type asks for (for retrieval)."""
    if answer_type == NUMBER:
        return bool(T.quantities(text))
    if answer_type == DATE:
        return bool(_MONTH.search(text) or _EVENT_YEAR.search(text))
    if answer_type == PERSON:
        return T.has_person(text)
    if answer_type == COUNTRY:
        return bool(_countries_in(text))
    return False


def _typed(q: QuestionInfo, sentence: str, values: frozenset[str]) -> bool:
    if q.answer_type == NUMBER:
        return bool(values)
    if q.answer_type == DATE:
        return bool(_MONTH.search(sentence) or _EVENT_YEAR.search(sentence))
    if q.answer_type == PERSON:
        return T.has_person(sentence)
    if q.answer_type == COUNTRY:
        return bool(_countries_in(sentence) - _countries_in(q.text) - set(T.tokens(q.text)))
    if q.answer_type == REFERENCE:
        return bool(_REFERENCE_CODE.search(sentence))
    if q.answer_type == NAME:
        new = T.capitalised_terms(sentence) - T.capitalised_terms(q.text) - set(T.MONTHS)
        return bool(new)
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
        acronyms: dict[str, list[str]] | None = None,
        min_confidence: float = 0.55,
        min_coverage: float = 0.30,
        conflict_margin: float = 0.15,
    ) -> None:
        if not 0 <= min_confidence <= 1:
            raise ValueError(f"min_confidence must be in [0, 1]. Currently, it is {min_confidence}")
        self.idf = idf
        self.knows_term = knows_term
        self.acronyms = acronyms or {}
        self.min_confidence = min_confidence
        self.min_coverage = min_coverage
        self.conflict_margin = conflict_margin

    # -- scoring -------------------------------------------------------------

    def _coverage(self, q: QuestionInfo, terms: set[str]) -> float:
        terms = spelled_out(terms, self.acronyms)
        weights = [max(self.idf(t), 0.1) for t in q.terms]
        total = sum(weights)
        if not total:
            return 0.0
        covered = [
            bool(synonyms(t) & terms) or (t in self.acronyms and set(self.acronyms[t]) <= terms) for t in q.terms
        ]
        return sum(w for ok, w in zip(covered, weights) if ok) / total

    def candidates(self, q: QuestionInfo, passages: Sequence[Passage]) -> list[Candidate]:
        """Every sentence of the passages, scored as an answer to ``q``, best first."""
        out = []
        top = max((p.score for p in passages), default=1.0) or 1.0
        for passage in passages:
            p = passage.paragraph
            context = set(T.tokens(p.section))
            para_cov = self._coverage(q, set(T.tokens(p.clean)) | context)
            relevance = max(passage.score / top, 0.0) * max(passage.dense, 0.0)
            years = set(re.findall(r"\b(?:19|20)\d{2}\b", p.clean))
            year_clash = bool(q.years and years and not q.years & years)
            for position, (sentence, dense) in enumerate(zip(p.sentences, passage.sentence_scores)):
                if len(sentence.text.split()) < 4:
                    continue
                terms = set(T.tokens(sentence.text)) | context
                if position > 0 and (_ANAPHOR.match(sentence.text) or _LEANS_BACK.search(sentence.text[:80])):
                    terms |= set(T.tokens(p.sentences[position - 1].text))  # it leans on the one before
                # what the sentence says, read in its paragraph (the subject is often named earlier)
                coverage = self._coverage(q, terms)
                values, anchored = _values(q, sentence.text)
                typed = _typed(q, sentence.text, values) and (anchored or not q.needs_count)
                score = 0.45 * dense + 0.25 * coverage + 0.10 * para_cov + 0.20 * relevance
                if q.answer_type != ANY:
                    score += 0.08 if typed else -0.12
                else:
                    score += 0.10 * coverage  # no type to check: what it says must match what was asked
                if anchored:
                    score += 0.10
                if q.answer_type == DATE and _MONTH.search(sentence.text):
                    score += 0.05  # a full date beats a bare year
                if year_clash:
                    score -= 0.15  # the question asks about a year this paragraph is not about
                support = max(coverage, (coverage + para_cov) / 2)
                out.append(Candidate(passage, sentence, score, typed, anchored, coverage, values, position, support))
        out.sort(key=lambda c: c.score, reverse=True)
        return out

    def unknown_terms(self, q: QuestionInfo) -> list[str]:
        """Names and numbers in the question that occur nowhere in the collection."""
        return [t for t in q.specific if not self.knows_term(t)]

    # -- answering -----------------------------------------------------------

    def answer(self, question: str, passages: Sequence[Passage]) -> Answer:
        q = analyse(question)
        scored = self.candidates(q, passages)
        ranked = [c for c in scored if c.typed]
        best = ranked[0] if ranked else None
        confidence = best.score if best else 0.0
        if (
            best is None
            or confidence < self.min_confidence
            or best.support < self.min_coverage
            or self.unknown_terms(q)
        ):
            return Answer(question=question, answer=NOT_COVERED, abstained=True, confidence=confidence)
        rival = self._rival(q, best, ranked)
        if rival is None:
            sentence = self._with_neighbours(best, [c for c in scored if c.passage is best.passage])
            citation = make_citation(1, best.passage, sentence)
            return Answer(
                question=question,
                answer=f"{_lead(sentence.text)} [1]",
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
            f"{_lead(best.sentence.text)} [1] Elsewhere the collection says: {_lead(rival.sentence.text)} [2]"
        )
        return Answer(
            question=question,
            answer=text,
            abstained=False,
            citations=citations,
            conflict=True,
            confidence=confidence,
        )

    def _with_neighbours(self, best: Candidate, same_paragraph: list[Candidate]) -> Sentence:
        """The best sentence, joined by the one before it when it leans on it ("They ...",
        "this partnership") and by the one after it when that continues or scores as well."""
        sentences = best.passage.paragraph.sentences
        first = last = best.position
        if first > 0 and (_ANAPHOR.match(sentences[first].text) or _LEANS_BACK.search(sentences[first].text[:80])):
            first -= 1
        if last + 1 < len(sentences):
            following = sentences[last + 1]
            score = next((c.score for c in same_paragraph if c.position == last + 1), -1.0)
            if _ANAPHOR.match(following.text) or _LEANS_BACK.search(following.text[:80]) or score >= best.score - 0.08:
                last += 1
        if first == last:
            return best.sentence
        text = " ".join(s.text for s in sentences[first:last + 1])
        return Sentence(sentences[first].start, sentences[last].end, text)

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
            if other.score < self.min_confidence or (q.needs_count and not other.anchored):
                continue
            other_terms = set(T.tokens(other.sentence.text))
            overlap = len(best_terms & other_terms) / max(len(best_terms | other_terms), 1)
            if overlap >= 0.35 and other.values != best.values:
                return other
        return None
