"""Candidate answers (sentences of retrieved passages) and the general features a fitted
selector scores them by: similarity, keyword coverage, answer-type match, position.

No feature names a word of any particular collection; the weights live in a fitted
model (``selector.json``), made by ``eval/train.py`` from the dev split.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Callable, Sequence

from rag import text as T
from rag.acronyms import initials_name, spelled_after, spelled_initials
from rag.spelling import contraction, english
from rag.kinds import ADDRESSES, MONTH as _MONTH, YEAR as _YEAR, countries as _countries, names_body, names_person
from rag.question import ADDRESS, ANY, COUNTRY, DATE, FORMS, FREQUENCY, KINDS_OF, NAME, NUMBER, PERSON, REFERENCE, QuestionInfo
from rag.titles import naming_terms
from rag.types import Paragraph, Passage, Sentence

if TYPE_CHECKING:
    from rag.embedder import Embedder
    from rag.index import CorpusIndex

_PLAIN_WORD = re.compile(r"[^\W\d_]{5,}")  # a word of letters, in any script, longer than chat shorthand ("ppl", "whos")
_LOWER_WORD = re.compile(r"(?<![\w.])[a-z][a-z'-]+")
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_CAPITALISED = re.compile(r"\b[A-Z][a-zà-ÿ'-]+")
# a reference, not a statement: a link, a note's "See Author, Title" or "..., see Author, Title"
# (a "(see Section 9)" or "as they see fit" in running text is no reference), pages, a closing
# year (not a date's: "frozen on February 7th, 2017.")
BIBLIOGRAPHIC = re.compile(r"https?://|www\.|(?-i:(?:(?:^|[(\d¹²³⁴⁵⁶⁷⁸⁹⁰]\s*)See|,\s*see)\s+(?:the\s+)?[A-Z“\"])|\bavailable at\b|\bpp?\.\s*\d|\bibid\b|(?<!\d)(?<!\dst)(?<!\dnd)(?<!\drd)(?<!\dth),\s*(?:19|20)\d{2}\)?[.,]?\s*$|,”", re.I)

_YEARLIKE = re.compile(r"^(?:1[89]|20)\d{2}$")
_IS_BEFORE = re.compile(r"\b(?:is|are|was|were|equals?)\s+(?:about |around |approximately |roughly |exactly |nearly |over |under )?$", re.I)
_AMOUNT_BEFORE = re.compile(r"\b(?:is|are|was|were|be|than|about|around|approximately|roughly|exactly|nearly|almost|over|"
                            r"under|maximum|max|minimum|min|limit|up to|at most|at least)\s+$", re.I)
_FRACTION = re.compile(r"\b(?:(?:one|two)-thirds?|one-third|half|(?:one|three)-quarters?|a quarter|majority|percent|per cent|"
                       r"(?:twice|double|triple|thrice|\w+fold)(?!-))\b|%", re.I)  # "twice the size": how much, as a multiple
_CODE = re.compile(r"\b[A-Z]{1,6}/[\w./-]*\d|\b(?:resolution|article|section|clause|paragraph|chapter|rule)s?\s+\d", re.I)
# words a sentence opens with when it leans on the one before ("They ...", "The former ...")
LEANS_BACK = r"they|this|these|those|that|it|its|their|such|thus|hence|therefore|he|she|his|her|the (?:former|latter)|both"
_ANAPHOR = re.compile(rf"^\W*(?:{LEANS_BACK}|there)\b", re.I)
ENUMERATOR = re.compile(r"^\s*\(?\d{1,3}[.)-]\s")  # a paragraph's own numbering ("24. ")
# words that ask what an acronym is short for, whatever else the question says
_EXPANSION = re.compile(r"\bstands? for\b|\bmean(?:s|ing)?\b(?!\s+by\b)|\bwhat (?:does|do)\b[^?]{1,60}?\brefer to\b|"
                        r"\bshort for\b|\babbreviat\w*|\bacronym\b|\bfull (?:name|form|title)\b|"
                        r"\bspel(?:l|led|ls|t) out\b|\bin full\b", re.I)
# a phrase that defines what comes before it ("X means ...", "X is a ...", "X defines Y as ..."),
# but not an instruction to look elsewhere (", refer to the manual", "Please refer to ...")
_DEFINES = re.compile(r"\b(?:means|meaning|refers to|(?<![,;:]\s)(?<!^)(?<!\bplease\s)refer to|stands? for|defined as|defines?\b[^.;]{0,60}?\bas|understood as|"
                      r"known as|(?:is|are|was|were) (?:an?|the|one|when|where)\b)", re.I)
# words that give a reason ("since the Earth is faster"), and (BECAUSE) those or a means ("by noting", "through")
_CAUSE_WORDS = (r"because|since|due to|in order to|so that|aim(?:s|ed)? (?:at|to)|to ensure|to help|to enable|"
                r"purpose|reason|as a result|thereby|caused by|aris(?:es|ing) from|stems? from|"
                r"results? from|owing to|thanks to|limited by|(?:that|which|this) is why|hence|therefore|consequently")
CAUSE = re.compile(rf"\b(?:{_CAUSE_WORDS})\b", re.I)
BECAUSE = re.compile(rf"\b(?:{_CAUSE_WORDS}|through|by (?:\w+ing))\b", re.I)
# words that ask who holds an office
_HOLDER = re.compile(r"\b(?:chair(?:s|ed)|head(?:s|ed|ing)|lead(?:s|ing)|led|represent(?:s|ed|ing)|direct(?:s|ed))\b|"
                     r"\bwho(?:['’]?s|\s+is|\s+was)\s+(?:the\s+)?(?:current\s+|new\s+|first\s+)?(?:[\w-]+\s+){0,2}?"
                     r"(?:chair\w*|head|president|director|secretary|minister|ambassador|rep|representative|envoy|"
                     r"commander|leader|editor|dpl)\b", re.I)
ROLE_WORDS = re.compile(r"\b(?:chair\w*|head\w*|director|president|secretary|minister|ambassador|representative|"
                         r"officer|manager|leader|member|adviser|advisor|coordinator|envoy|commander|author|editor|"
                         r"responsible|tasked|mandate\w*|role|serves? as|appointed|elected)\b", re.I)

# the idf-weighted share of an acronym's long form a sentence must state to state the acronym
LONG_FORM_SHARE = 0.75

FEATURES = (
    "s_dense", "s_dense_gap", "p_score_rel", "p_dense", "p_kw_rel", "p_rank_inv",
    "s_cov", "s_cov_gap", "s_cov_ctx", "p_cov", "s_fuzzy", "typed_q", "type_ok", "type_ok_typed", "type_miss_typed",
    "anchored", "new_info", "s_len", "first", "anaphor", "year_match", "year_clash", "negation",
    "defines_def", "because_reason", "role_role", "list_list", "yesno_cov", "footnote", "s_spec", "p_spec", "bibliographic", "new_names_who", "dense_rank", "cov_rank",
    "defines_acronym", "prev_dense", "next_dense", "s_question",
) + tuple(f"form_{f}" for f in FORMS) + tuple(f"window_{f}" for f in FORMS)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A sentence of a retrieved passage, with what the selector needs to score it."""

    passage: Passage
    position: int  # index of its (first) sentence in its paragraph
    sentence: Sentence  # one sentence, or two that follow each other
    features: tuple[float, ...]
    values: frozenset[str]  # quantities or dates it states that the question does not
    typed: bool


class Vocabulary:
    """What the collection knows: term weights, term presence, acronyms it defines."""

    def __init__(self, idf: Callable[[str], float], knows_term: Callable[[str], bool],
                 acronyms: dict[str, list[str]] | None = None, common: frozenset[str] = frozenset(),
                 similarity: Callable[[str, str], float] | None = None,
                 initialisms: dict[str, tuple[str, int]] | None = None,
                 typos: Callable[[str], dict[str, str]] | None = None,
                 names: dict[str, frozenset[str]] | None = None,
                 paragraphs: Sequence[Paragraph] = ()):
        self.idf = idf
        self._knows_term = knows_term
        self.acronyms = acronyms or {}
        self.initialisms = initialisms or {}  # initials the documents never write -> (name, count)
        self.typos = typos  # a question's typos -> the words meant
        self._spelled = lru_cache(maxsize=256)(self._spell)
        self.common = common  # words the collection also writes in lower case: not names
        self.similarity = similarity  # of two short phrases ("countries", "member states"), when a model is at hand
        self.document_names = names or {}  # doc_id -> the names that single the document out ("mpl", "bsd")
        self._paragraphs = {(p.doc_id, p.number): p for p in paragraphs}

    def paragraph(self, doc_id: str, number: int) -> Paragraph | None:
        """A paragraph of the collection by its place, retrieved or not (None when unknown)."""
        return self._paragraphs.get((doc_id, number))

    @classmethod
    def of(cls, index: "CorpusIndex", embedder: "Embedder | None" = None) -> "Vocabulary":
        """What ``index`` knows, with the words its documents write in lower case; with an
        ``embedder``, also how alike two short phrases are."""
        common = frozenset(w for p in index.paragraphs for w in _LOWER_WORD.findall(p.clean))
        similarity = PhraseSimilarity(embedder) if embedder is not None else None
        return cls(index.keyword.idf_of, index.knows_term, index.acronyms, common, similarity, index.initialisms,
                   index.speller.corrections, index.document_names, index.paragraphs)

    def spelled(self, q: QuestionInfo) -> dict[str, list[str]]:
        """The question's initials the documents never write ("dpl") and its typos ("mision")
        -> tokens of the name they spell or of the word meant."""
        return self._spelled(q.text)

    def _spell(self, question: str) -> dict[str, list[str]]:
        read = spelled_initials(question, self.initialisms) if self.initialisms else {}
        if self.typos is not None:
            read |= self.typos(question)
        return {key: T.tokens(name) for key, name in read.items()}

    def knows(self, q: QuestionInfo, term: str) -> bool:
        """Whether the collection uses ``term`` of ``q`` (every part of "2.0"), or what the term
        stands for (initials, a typo), or it names one of the documents ("bsd" of "BSD.txt")."""
        parts = T.tokens(term) or [term]
        return all(self._knows_term(t) for t in parts) or term in self.spelled(q) or \
            any(term in names for names in self.document_names.values())

    def asked_acronyms(self, question: str) -> list[str]:
        """Acronyms a question names: written in capitals, or a word the documents define as one."""
        found = asked_acronyms(question)
        found += [w.upper() for w in re.findall(r"[A-Za-z0-9]+", question) if w.lower() in self.acronyms]
        return list(dict.fromkeys(found))

    def known_share(self, q: QuestionInfo) -> float:
        """The share of the question's key terms that occur anywhere in the collection."""
        if not q.terms:
            return 0.0
        return sum(1 for t in q.terms if self.knows(q, t)) / len(q.terms)

    def names(self, text: str) -> set[str]:
        """Name-like words: capitalised, not opening the text, never written in lower case here."""
        words = _CAPITALISED.findall(text)
        return {w.lower() for w in words[1:] if w.lower() not in self.common} if self.common else set()

    @cached_property
    def long_forms(self) -> dict[str, list[frozenset[str]]]:
        """An acronym's token ("pbc") -> the tokens of each long form the documents give it."""
        out: dict[str, list[frozenset[str]]] = {}
        for acronym, forms in self.acronyms.items():
            tokens = T.tokens(acronym)
            if len(tokens) == 1:
                out.setdefault(tokens[0], []).extend(frozenset(T.tokens(f)) for f in forms)
        return out

    def weight(self, term: str) -> float:
        return max(self.idf(term), 0.1)

    def expand(self, terms: set[str]) -> set[str]:
        """``terms`` plus the long-form words of every acronym among them."""
        return terms | {t for a in terms & self.acronyms.keys() for t in self.acronyms[a]}

    def coverage(self, q: QuestionInfo, terms: set[str], *, fuzzy: bool = False) -> float:
        """The idf-weighted share of the question's terms that ``terms`` states."""
        if not q.terms:
            return 0.0
        terms = self.expand(terms)
        spelled = self.spelled(q)
        prefixes = {t[:5] for t in terms if len(t) >= 5} if fuzzy else set()
        total = covered = 0.0
        for t in q.terms:
            long_form = self.acronyms.get(t) or spelled.get(t)
            # initials or a typo weigh what the words they stand for weigh ("dpl" as "leader")
            w = max([self.weight(t)] + [self.weight(x) for x in spelled.get(t, ())])
            total += w
            if t in terms or (long_form and self._says(long_form, terms)) or (fuzzy and len(t) >= 5 and t[:5] in prefixes):
                covered += w
        return covered / total if total else 0.0

    def _says(self, long_form: list[str], terms: set[str]) -> bool:
        """Whether ``terms`` state a long form: its words but for ones the collection uses
        everywhere ("Project Leader" says "Debian Project Leader" in Debian's documents)."""
        weights = [self.weight(t) for t in long_form]
        return sum(w for t, w in zip(long_form, weights) if t in terms) >= LONG_FORM_SHARE * sum(weights)

    def unreadable(self, question: str) -> bool:
        """Whether most of the question's words of five letters or more (three or more of them,
        acronyms aside) are neither English nor words of the collection: a question in a
        language the documents are not written in, which no quote can answer. A typo the
        collection corrects, or a contraction typed without its apostrophe, counts as read."""
        words = [w for w in _PLAIN_WORD.findall(question) if not w.isupper()]
        if len(words) < 3:
            return False
        typos = self.typos(question) if self.typos is not None else {}

        def read(word: str) -> bool:
            lower, parts = word.lower(), T.tokens(word)
            if lower in english() or contraction(lower):
                return True
            return bool(parts) and all(self._knows_term(t) or t in typos for t in parts)

        return sum(map(read, words)) * 2 < len(words)

    def unknown_share(self, q: QuestionInfo) -> float:
        """The idf-weighted share of the question's specific names and numbers the collection never uses."""
        if not q.specific:
            return 0.0
        missing = [t for t in q.specific if not self.knows(q, t)]
        return len(missing) / len(q.specific)


class PhraseSimilarity:
    """Cosine similarity of two short phrases by the collection's embedding model, each
    phrase embedded once (a bounded cache: the same few counted nouns come up again)."""

    def __init__(self, embedder: "Embedder", cache_size: int = 4096) -> None:
        self._vector = lru_cache(maxsize=cache_size)(lambda phrase: embedder.embed([phrase])[0])

    def __call__(self, a: str, b: str) -> float:
        return float(self._vector(a) @ self._vector(b))


# "how many countries" counts "152 member states" when the words after the number are at least
# this alike to the counted ones. Chosen on dev (out-of-fold accuracy, make train): off 0.596,
# 0.2: 0.629, 0.25: 0.639, 0.3: 0.629, 0.4: 0.614.
ANCHOR_SIMILARITY = 0.25


def _counted_alike(q: QuestionInfo, after: str, similarity: Callable[[str, str], float]) -> bool:
    """Whether the words after a number name what the question counts, in other words."""
    stated = _WORD.findall(after)[:2]
    asked = [w for w in _WORD.findall(q.text) if T.tokens(w)[:1] and T.tokens(w)[0] in q.counted]
    return bool(stated and asked) and similarity(" ".join(asked), " ".join(stated)) >= ANCHOR_SIMILARITY


def _before_a_number(tokens: Sequence[str]) -> list[str]:
    """The tokens up to the first number among them."""
    return list(itertools.takewhile(lambda t: not t[:1].isdigit(), tokens))


def sentence_values(q: QuestionInfo, text: str,
                    similarity: Callable[[str, str], float] | None = None) -> tuple[frozenset[str], bool]:
    """The quantities or dates a sentence adds to the question, and whether one of them
    counts what the question counts ("how many states" ~ "152 states"; with ``similarity``,
    also "how many countries" ~ "152 member states")."""
    found, _, anchored = _stated_values(q, text, similarity)
    return found, anchored


def counted_values(q: QuestionInfo, text: str) -> frozenset[str]:
    """The quantities a sentence gives of what the question counts, word for word: "180" in
    "More than 180 participants from 23 countries" for "how many participants?", not the 23."""
    return _stated_values(q, text, None)[1]


def _stated_values(q: QuestionInfo, text: str,
                   similarity: Callable[[str, str], float] | None) -> tuple[frozenset[str], frozenset[str], bool]:
    """What :func:`sentence_values` finds, with the values that count what the question counts."""
    body = _FOOTNOTE_MARK.sub("", ENUMERATOR.sub("", text))
    normal = T.number_words_to_digits(body)
    found: set[str] = set()
    counts: set[str] = set()
    anchored = False
    asks_years = bool(re.search(r"\byears?\b", q.text, re.I))
    for value, start, end in T.quantities(body):
        if value in q.numbers:
            continue
        if q.answer_type == NUMBER and _YEARLIKE.match(value) and not asks_years \
                and not _AMOUNT_BEFORE.search(normal[max(0, start - 16):start]):
            continue  # a year, not a count; "is 2000", "than 2000" state an amount
        if q.answer_type != DATE and (_MONTH_AFTER.match(normal[end:end + 14]) or _MONTH_BEFORE.search(normal[max(0, start - 14):start])):
            continue  # "7-11 December", "June 30": a day of a date, not a quantity
        after = KINDS_OF.sub("", normal[end:end + 60].lstrip(), count=1)  # "nine distinct types of temporary files"
        near = T.tokens(after[:40])[:3]
        share = bool(_PERCENT.match(normal[end:end + 12]))  # "75 percent of states" is a share, not a count
        # "150 employees", or "the number of employees is 150", "SQLITE_MAX_COLUMN is 2000"
        before = normal[max(0, start - 60):start]
        stated_before = T.tokens(before)[-2:] if _IS_BEFORE.search(before) else []
        hit = bool(q.counted) and any(t in near or t in stated_before for t in q.counted) and not (share and q.needs_count)
        # the count of the noun itself, not of one a few words on: "90 participants from 20 countries"
        # counts 20 countries (it is still an anchor for the selector: a count stands near the noun)
        own = hit and bool(set(q.counted) & (set(_before_a_number(near)) | set(stated_before)))
        if not hit and q.counted and similarity is not None and not (share and q.needs_count):
            hit = own = _counted_alike(q, after[:40], similarity)
        if value == "1" and not hit and not _DURATION.match(normal[end:end + 12]):
            continue  # "one of the ...": a word, not a quantity; "one year" is one
        found.add(value)
        anchored = anchored or hit
        if own:
            counts.add(value)
    fraction = _FRACTION.search(body) if q.answer_type == NUMBER else None
    if fraction:  # "two-thirds of UN peacekeepers": a share of what follows it
        found.add(fraction.group(0).lower())
        of = T.tokens(body[fraction.end():fraction.end() + 60])[:5]
        worded = not _PERCENT.match(" " + fraction.group(0))  # "75 percent of states" is a share, not a count
        if "percent" in q.counted or worded and any(t in of for t in q.counted):
            anchored = True
            counts.add(fraction.group(0).lower())
    if q.answer_type == DATE:
        found = {v for v in found if _YEARLIKE.match(v) or len(v) <= 2}
        found |= {m.lower() for m in _MONTH.findall(body)}
        found |= set(_YEAR.findall(body)) - set(q.years)
    return frozenset(found), frozenset(counts), anchored


# a term in quotation marks: the term a definition defines ('"Source" form shall mean ...')
_QUOTED = re.compile(r"\"([^\"]{2,60})\"|“([^”]{2,60})”|‘([^’]{2,60})’")


# a sentence's subject (a few words) and its verb
# (not a condition's: "If ShackleMe is not well-known, reject the idea" says nothing of what it is)
_SUBJECT = re.compile(r"^\W*(?!(?:if|unless|when|whenever|while|whether|although|though|because|since|once|until)\b)"
                      r"(?:(?:an?|the)\s+)?([^,;:.()]{1,50}?)\s+(?:is|are|was|were|can|cannot|may|must|will|would|"
                      r"should|has|have|does|do)\b", re.I)


# a noun phrase and, after a comma, what it is ("DKMS, a framework to ..."): the comma and
# article found first, then the (up to three) words right before it
_APPOSITION = re.compile(r",\s+an?\s+(?!few\b|lot\b|number\b|couple\b|bit\b)[a-z]")
_LAST_WORDS = re.compile(r"(?:[\w’'.-]+\s+){0,2}[\w’'.-]+$")
# a name after what it is: "the ancient Greek astronomer Hipparchus" (the name found first)
_CAPITALISED_WORD = re.compile(r"\b[A-Z][\w’'-]+")
_DESCRIBED = re.compile(r"\b(?:the|an?)\s+(?:[A-Za-z-]+\s+){0,3}[a-z-]{3,}\s+$")
_LABEL = re.compile(r"^\W*([^:;,.()]{2,50}?)\s*(?::|\s[–—-])\s+\S")  # "Term: what it is", "Term – what it is"


def _is_asked_term(phrase: str, asked: set[str]) -> bool:
    """Whether a phrase is the question's term itself: all of its words are asked, and it
    is not one word of a longer asked term ("Source" is not "Corresponding Source")."""
    term = set(T.tokens(phrase))
    return bool(term) and term <= asked and len(term) >= min(len(asked), 2)


# where a question says in what it asks ("what is sokoban in nethack", "... according to the manual")
_SCOPE = re.compile(r"\s(?:in|within|inside|according to)\s+[^,;:?]+?\W*$", re.I)


def defined_terms(q: QuestionInfo) -> set[str]:
    """The terms a question asks to be defined: "what is sokoban in nethack" asks what
    Sokoban is, not NetHack; the scope it ends on counts only when nothing else is asked."""
    scope = _SCOPE.search(q.text)
    asked = set(q.terms) - (set(T.tokens(scope.group(0))) if scope else set())
    return asked or set(q.terms)


def defines(q: QuestionInfo, text: str) -> bool:
    """Whether a sentence defines one of the question's terms: a defining phrase after it.
    When the term defined is quoted just before the phrase, it must be the asked term itself
    ("Minimal Corresponding Source" does not define "Corresponding Source")."""
    asked = defined_terms(q)
    labelled = _LABEL.match(ENUMERATOR.sub("", text, count=1))
    if labelled and _is_asked_term(labelled.group(1), asked):
        return True  # "1. Classic Serverless: The database engine runs within ...", a glossary's entry
    opening = _SUBJECT.match(text)
    if opening and _is_asked_term(opening.group(1), asked):
        return True  # "A “soft” limit can be temporarily exceeded": it opens on the asked term and says what it does
    for m in _APPOSITION.finditer(text):
        named = _LAST_WORDS.search(text, max(m.start() - 80, 0), m.start())
        if named and asked & set(T.tokens(named.group(0))):
            return True  # "DKMS, a framework to generate kernel modules"
    for m in _CAPITALISED_WORD.finditer(text):
        if _is_asked_term(m.group(0), asked) and _DESCRIBED.search(text, max(m.start() - 80, 0), m.start()):
            return True  # "the ancient Greek astronomer Hipparchus classified ..."
    for m in _DEFINES.finditer(text):
        before = text[:m.start()]
        quoted = [found.group(found.lastindex) for found in _QUOTED.finditer(before[-120:])]
        if quoted:
            if _is_asked_term(quoted[-1], asked):
                return True
            continue
        if asked & set(T.tokens(before)):
            return True
    return False


# what a question asks to be spelled out: "what does the term 'A3' refer to in ..." asks for A3, not AU
_EXPANDED = re.compile(r"\b(?:does|do|is|are)\s+(.{1,60}?)\s+(?:stands?|mean|means|refers?|short)\b", re.I)


def expanded_acronyms(q: QuestionInfo, acronyms: Sequence[str]) -> list[str]:
    """The ``acronyms`` the question asks to be spelled out: those between its verb and "mean",
    "stand for" or "refer to" when it has such a phrase and names one there, else all of them."""
    m = _EXPANDED.search(q.text)
    named = [a for a in acronyms if m and set(T.tokens(a)) & set(T.tokens(m.group(1)))]
    return named or list(acronyms)


def asks_expansion(q: QuestionInfo, acronyms: Sequence[str]) -> bool:
    """Whether the question asks what one of its ``acronyms`` stands for: it says so ("full
    name", "abbreviated", "stands for"), or names nothing but the acronym ("a4p = ?")."""
    named_only = set(q.terms) <= {t for a in acronyms for t in T.tokens(a)}
    return bool(acronyms) and (named_only or bool(_EXPANSION.search(q.text)))


_POSSESSIVE = re.compile(r"['’]s$")


def _singular(acronym: str) -> str:
    """An acronym without its plural "s" ("TCCs" spells "Troop Contributing Countries")."""
    return acronym[:-1] if len(acronym) > 2 and acronym.endswith("s") and acronym[:-1].isupper() else acronym


def unmentioned(q: QuestionInfo, passage: Passage, vocab: Vocabulary) -> list[str]:
    """The question's names and numbers that the collection writes but ``passage`` never
    does: not in its paragraph, section, document title or names, nor by initials it
    spells ("EU" for a "European Union", "USG" for an "Under-Secretary-General"), by an
    acronym's long form (or an acronym it writes whose long form says it), or by what a typo
    or unwritten initials stand for. A capitalised word the collection also writes in lower
    case ("Member States") is no name."""
    p = passage.paragraph
    where = " ".join((p.clean, p.section, passage.document.title))
    said = set(T.tokens(where)) | set(vocab.document_names.get(p.doc_id, ()))
    # an acronym it writes says its long form's words ("UNAMID" says "Hybrid Operation in Darfur")
    said |= {t for a in said & vocab.long_forms.keys() for form in vocab.long_forms[a] for t in form}
    # a capitalised word's tokens -> the word as the question writes it ("UN-EU": "UN", "EU")
    written = {t: part for w in _ANY_WORD.findall(q.text) if w[0].isupper()
               for part in _POSSESSIVE.sub("", w).split("-") for t in T.tokens(part)}
    spelled = vocab.spelled(q)
    spelled_out = where.replace("-", " ")  # "Under-Secretary-General" spells USG

    def common(t: str) -> bool:
        return t in written and not written[t].isupper() and written[t].lower() in vocab.common

    def mentioned(t: str) -> bool:
        return t in said or any(form <= said for form in vocab.long_forms.get(t, ())) \
            or bool(spelled.get(t)) and set(spelled[t]) <= said \
            or t in written and bool(initials_name(_singular(written[t]), spelled_out))

    return [t for t in q.specific if vocab.knows(q, t) and not common(t) and not mentioned(t)]


def _specific_share(q: QuestionInfo, terms: set[str]) -> float:
    """The share of the question's names and numbers that ``terms`` states (1 when it names none)."""
    if not q.specific:
        return 1.0
    return sum(1 for t in q.specific if t in terms) / len(q.specific)


_ANY_WORD = re.compile(r"[A-Za-z][\w'-]*")


def said_words(question: str) -> set[str]:
    """The words a question says, lower-cased, with a hyphenated word's parts ("info-gnu" says "GNU")."""
    said = {w.lower() for w in _ANY_WORD.findall(question)}
    return said | {part for w in said for part in w.split("-")}


def new_names_in(text: str, said: set[str]) -> set[str]:
    """The names a text gives that the question does not say, however it writes them
    ("mozilla foundation" says "Mozilla Foundation")."""
    return T.capitalised_terms(text) - said - set(T.MONTHS)


def type_match(q: QuestionInfo, text: str, values: frozenset[str]) -> bool:
    """Whether a sentence holds the kind of thing the question asks for."""
    kind = q.answer_type
    if kind == NUMBER:
        return bool(values)
    if kind == DATE:
        # "when does it apply?" may be answered by the event that triggers it, "when was it?" by a date
        event = bool(_WHEN_NOW.search(q.text) and _TEMPORAL.search(text))
        if q.day:  # "what day ...?": "in August 1993" is not a day
            return bool(_DAY_OF_MONTH.search(text) or event)
        return bool(_MONTH.search(text) or set(_DATED_YEAR.findall(text)) - set(q.years) or event
                    or {m.group(1) for m in _AT_VERSION.finditer(text)} - set(_VERSION.findall(q.text)))
    said = said_words(q.text)
    new_names = new_names_in(text, said)
    if kind == PERSON:
        # who holds an office ("who chaired the PBC?") is a person, not the office's name ("the Chair")
        holder = bool(_HOLDER.search(q.text))
        return bool(new_names) and (names_person(text, said) or (not holder and names_body(text, said))
                                    or bool(_countries(text) - _countries(q.text)))
    if kind == COUNTRY:
        return bool(_countries(text) - _countries(q.text))
    if kind == REFERENCE:
        return bool(_CODE.search(text))
    if kind == NAME:
        return bool(new_names)
    if kind == FREQUENCY:
        return bool(_FREQUENCY.search(text))
    if kind == ADDRESS:
        return bool(set(ADDRESSES.findall(text)) - set(ADDRESSES.findall(q.text)))
    return True


_DENSE_RANK = FEATURES.index("dense_rank")
ANCHORED = FEATURES.index("anchored")
_TYPE_OK, _TYPE_OK_TYPED, _TYPE_MISS_TYPED = (FEATURES.index(f) for f in ("type_ok", "type_ok_typed", "type_miss_typed"))
# how often: "quarterly", "every two years", "twice a month", "once per year"
_FREQUENCY = re.compile(r"\b(?:hourly|daily|weekly|fortnightly|monthly|quarterly|annually|yearly|biannual\w*|biennial\w*|"
                        r"semi-annual\w*|every\b|each (?:year|month|week|day)|once|twice|\w+ times|per (?:year|month|week|day)|"
                        r"a (?:year|month|week|day)\b|regularly)", re.I)
# a note's number opening a footnote ("46 Group of Friends ...", "30 See United Nations ...")
_FOOTNOTE_MARK = re.compile(r"^\s*(?:\d{1,3}|\[\d{1,3}\])\s+(?=[A-Z“\"‘'])")
_MONTH_NAMES = "|".join(m.capitalize() for m in T.MONTHS)
_MONTH_AFTER = re.compile(r"^(?:\s*[–—-]\s*\d{1,2})?(?:st|nd|rd|th)?\s+(?:" + _MONTH_NAMES + r")\b")
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
_DAY_OF_MONTH = re.compile(rf"\b{_ORDINAL}(?:\s*[–—-]\s*{_ORDINAL})?\s+(?:of\s+)?(?:{_MONTH_NAMES})\b|\b(?:{_MONTH_NAMES})\s+{_ORDINAL}\b|"
                           r"\b\d{4}-\d{2}-\d{2}\b|\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b")
_MONTH_BEFORE = re.compile(r"\b(?:" + _MONTH_NAMES + r")\s+$")
# a year that dates something, not one that is part of a name ("the 2020 Annual Forum")
_DATED_YEAR = re.compile(r"\b(?:1[89]|20)\d{2}\b(?!\s+[A-Z][a-z])")
# a clause that says when by an event ("upon acceptance", "when You first distribute", "until it is revoked")
_TEMPORAL = re.compile(r"\b(?:upon|whenever|as soon as|until|(?:on|from) the (?:date|day|time|moment)|at the time)\b", re.I)
# a point in a program's life told by its version: "ended with R 1.7.1", "as of version 3.37.0"
# (not the version the question names: "when was MPL 2.0 published?" is not answered by "with MPL 2.0")
_AT_VERSION = re.compile(r"\b(?i:in|with|since|as of|until|from|after|before)\s+"
                         r"(?:(?!(?:Sections?|Chapters?|Articles?|Paragraphs?|Figures?|Tables?|Parts?|Appendix|Annex|"
                         r"Clauses?|Rules?|Steps?|Pages?)\b)[A-Z][\w-]*\s+)?(?:version\s+|v)?"
                         r"(\d+\.\d+(?:\.\d+)*)\b")
_VERSION = re.compile(r"\b\d+\.\d+(?:\.\d+)*\b")
_WHEN_NOW = re.compile(r"\bwhen (?:do|does|is|are|can|could|may|must|should|shall|will|would)\b", re.I)
_PERCENT = re.compile(r"\s?(?:%|percent\b|per cent\b)", re.I)
_DURATION = re.compile(r"\W{0,2}(?:years?|months?|weeks?|days?|hours?|minutes?|decades?)\b", re.I)


def _ranks(values: Sequence[float]) -> list[int]:
    """1-based rank of each value, highest first (ties share the better rank)."""
    ordered = sorted(values, reverse=True)
    first = {}
    for rank, v in enumerate(ordered, start=1):
        first.setdefault(v, rank)
    return [first[v] for v in values]


_ACRONYM = re.compile(r"\b[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*\b")


def asked_acronyms(question: str) -> list[str]:
    """Acronyms a question writes in capitals."""
    return [a for a in dict.fromkeys(_ACRONYM.findall(question)) if sum(ch.isupper() for ch in a) >= 2]


def long_form(acronym: str, text: str) -> str:
    """The long form a text gives for ``acronym`` ("Department of ... Affairs (DPPA)"), or ""."""
    m = re.search(r"((?:[A-Z][\w’'-]*[\s-]+(?:(?:of|for|and|the|on|in|de|to)\s+)*){1,10})\(" + re.escape(acronym) + r"\)", text)
    if m:
        return " ".join(m.group(1).split())
    return next((form for form, written in spelled_after(text) if written == acronym), "")  # "GUD (Grand Unified Debugger)"


def _units(sentences: Sequence[Sentence]) -> list[tuple[int, int, Sentence]]:
    """Every sentence alone, and every sentence with the one after it (a reason, a definition
    or the rest of a list often follows the sentence that names the thing)."""
    out = []
    for i, s in enumerate(sentences):
        out.append((i, i, s))
        if i + 1 < len(sentences):
            after = sentences[i + 1]
            out.append((i, i + 1, Sentence(s.start, after.end, f"{s.text} {after.text}")))
    return out


def candidates(q: QuestionInfo, passages: Sequence[Passage], vocab: Vocabulary) -> list[Candidate]:
    """Every sentence of the passages, with its features (unscored, in passage order)."""
    if not passages:
        return []
    top_score = max(p.score for p in passages) or 1.0
    top_kw = max(p.keyword for p in passages) or 1.0
    all_dense = [d for p in passages for d in p.sentence_scores] or [0.0]
    max_dense = max(all_dense)
    form = [1.0 if q.form == f else 0.0 for f in FORMS]
    typed_q = 1.0 if q.answer_type != ANY else 0.0
    who = 1.0 if q.answer_type in (PERSON, NAME) or q.role else 0.0
    acronyms = expanded_acronyms(q, vocab.asked_acronyms(q.text))
    # asks what the acronym is ("what does DPPA stand for"), not something about what it names
    about_acronym = asks_expansion(q, acronyms)
    q_names = {w.lower() for w in _CAPITALISED.findall(q.text)}
    # "how many X": only a number of X answers, when the collection writes X at all ("ppl" it does not)
    countable = q.needs_count and any(vocab.knows(q, t) for t in q.counted)
    naming = naming_terms(q.text, vocab.document_names) if vocab.document_names else {}
    rows: list[tuple[Passage, int, Sentence, list[float], frozenset[str], bool]] = []
    said_counted: set[int] = set()  # rows that count the asked noun in its own words
    for passage in passages:
        p = passage.paragraph
        section = set(T.tokens(p.section)) | naming.get(p.doc_id, set())  # "in the MPL": said by where it is
        p_tokens = set(T.tokens(p.clean)) | section
        p_cov = vocab.coverage(q, p_tokens)
        years = set(_YEAR.findall(p.clean))
        clash = 1.0 if q.years and years and not q.years & years else 0.0
        is_list = p.kind == "list" or p.clean.count("\n") > 1 or ":" in p.clean
        scores = passage.sentence_scores
        for position, last, sentence in _units(p.sentences):
            text = sentence.text
            if len(text.split()) < 3:
                continue
            dense = max(scores[position:last + 1], default=0.0)
            # a footnote's own number is no word of it ("10 In November ..." says nothing of "the group of 10")
            tokens = set(T.tokens(_FOOTNOTE_MARK.sub("", text, count=1) if p.kind == "footnote" and position == 0 else text))
            tokens |= T.written_apart(text, set(q.terms) - tokens)  # "web site" says "website"
            cov = vocab.coverage(q, tokens | section)
            context = tokens | section
            if position > 0:
                context |= set(T.tokens(p.sentences[position - 1].text))
            cov_ctx = vocab.coverage(q, context)
            values, anchored = sentence_values(q, text, vocab.similarity)
            if anchored and countable and vocab.similarity is not None and sentence_values(q, text)[1]:
                said_counted.add(len(rows))  # the counted noun itself ("150 employees"), not a word like it
            typed = type_match(q, text, values) and (anchored or not countable)
            new = len(tokens - set(q.terms)) / max(len(tokens), 1)
            s_years = set(_YEAR.findall(text))
            year_match = 1.0 if q.years and q.years & (s_years or years) else 0.0
            negated = 1.0 if T.NEGATION.search(text) and not T.NEGATION.search(q.text) else 0.0
            features = [
                dense, dense - max_dense, passage.score / top_score, passage.dense, passage.keyword / top_kw,
                1.0 / max(passage.rank, 1),
                cov, 0.0, cov_ctx, p_cov, vocab.coverage(q, tokens | section, fuzzy=True),
                typed_q, 1.0 if typed else 0.0, typed_q * (1.0 if typed else 0.0), typed_q * (0.0 if typed else 1.0),
                1.0 if anchored else 0.0, new, math.log1p(len(text)) / 6.0, 1.0 if position == 0 else 0.0,
                1.0 if position > 0 and _ANAPHOR.match(text) else 0.0, year_match, clash, negated,
                1.0 if form[FORMS.index("definition")] and defines(q, text) else 0.0,
                form[FORMS.index("reason")] * (1.0 if BECAUSE.search(text) else 0.0),
                (1.0 if q.role else 0.0) * (1.0 if ROLE_WORDS.search(text) else 0.0),
                form[FORMS.index("list")] * (1.0 if is_list or text.count(",") >= 2 else 0.0),
                form[FORMS.index("yesno")] * cov,
                1.0 if p.kind == "footnote" or re.match(r"^\W*\d{1,3}\s+[A-Z“\"]", text) and position == 0 else 0.0,
                _specific_share(q, tokens | section), _specific_share(q, p_tokens),
                1.0 if BIBLIOGRAPHIC.search(text) else 0.0,
                who * min(len(vocab.names(text) - q_names), 3) / 3.0,
                0.0, 0.0,  # ranks among all candidates, filled in below
                # spells it out: "(DPPA)" after its long form, or a name its initials spell ("GNU’s Not Unix")
                1.0 if about_acronym and any(long_form(a, text) or initials_name(a, text) for a in acronyms) else 0.0,
                scores[position - 1] if position > 0 else 0.0,
                scores[last + 1] if last + 1 < len(scores) else 0.0,
                1.0 if p.sentences[position].text.rstrip().endswith("?") else 0.0,
                *form,
                *[f * (1.0 if last > position else 0.0) for f in form],
            ]
            rows.append((passage, position, sentence, features, values, typed))
    if said_counted:  # a count of the very noun asked about outranks a count of a word like it
        for i, row in enumerate(rows):
            if row[5] and i not in said_counted:
                f = row[3]
                f[ANCHORED] = f[_TYPE_OK] = f[_TYPE_OK_TYPED] = 0.0
                f[_TYPE_MISS_TYPED] = typed_q
                rows[i] = (*row[:5], False)
    best_cov = max((r[3][6] for r in rows), default=0.0)
    dense_rank = _ranks([r[3][0] for r in rows])
    cov_rank = _ranks([r[3][6] for r in rows])
    out = []
    for i, (passage, position, sentence, features, values, typed) in enumerate(rows):
        features[7] = features[6] - best_cov
        features[_DENSE_RANK] = 1.0 / dense_rank[i]
        features[_DENSE_RANK + 1] = 1.0 / cov_rank[i]
        out.append(Candidate(passage, position, sentence, tuple(features), values, typed))
    return out


QUESTION_FEATURES = (
    "best", "margin", "best_dense", "best_cov", "best_cov_ctx", "best_p_cov", "best_typed", "typed_q",
    "unknown", "known_terms", "best_year_clash",
)


def question_features(q: QuestionInfo, scored: Sequence[tuple[float, Candidate]], vocab: Vocabulary) -> tuple[float, ...]:
    """What tells whether the best candidate answers at all (for abstention): few signals,
    each of which should only ever raise (or only lower) the chance the answer is right,
    so the model does not extrapolate wildly on questions unlike the dev split."""
    probs = sorted((p for p, _ in scored), reverse=True) + [0.0, 0.0]
    best = max(scored, key=lambda pc: pc[0])[1] if scored else None
    f = dict(zip(FEATURES, best.features)) if best else {}
    return (
        probs[0], probs[0] - probs[1], f.get("s_dense", 0.0), f.get("s_cov", 0.0), f.get("s_cov_ctx", 0.0),
        f.get("p_cov", 0.0), f.get("type_ok_typed", 0.0), f.get("typed_q", 0.0),
        vocab.unknown_share(q), vocab.known_share(q), f.get("year_clash", 0.0),
    )
