"""What a question asks for: its answer type, its key terms, its specific names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rag import text as T

NUMBER, DATE, PERSON, COUNTRY, NAME, REFERENCE, ANY = (
    "number", "date", "person", "country", "name", "reference", "any"
)

_TYPES = (
    (NUMBER, re.compile(
        r"\bhow (?:many|much|large|big)\b|\bnumber of\b|\bwhat (?:percentage|proportion|share|amount)\b|"
        r"\bwhat (?:is|was|are|were) the (?:total |approximate |estimated |annual |overall )?"
        r"(?:population|size|budget|cost|amount|strength|percentage|total)\b", re.I)),
    (DATE, re.compile(r"\bwhen\b|\b(?:what|which) (?:year|date|month|day)\b|\bsince when\b|\bon what date\b", re.I)),
    (PERSON, re.compile(r"^\W*who\b|\bwhom\b|\bwhich (?:person|official|ambassador|individual)\b", re.I)),
    (REFERENCE, re.compile(r"\b(?:which|what) (?:[\w-]+ ){0,3}(?:resolution|presidential statement)s?\b", re.I)),
    (COUNTRY, re.compile(r"\b(?:which|what) (?:two |three |four |\w+ )?(?:country|countries|nations?|governments?|member states?)\b|\bwhich (?:\w+ )?country's\b", re.I)),
    (NAME, re.compile(r"\b(?:which|what) (?:\w+ )?(?:organi[sz]ations?|institutions?|agency|agencies|bodies|body|fund|mission|city|cities|system|initiative|programme|program|network|group|movement|office)\b|^\W*where\b", re.I)),
)
# words that say what kind of answer is wanted, not what it is about
_FRAME = frozenset(T.stem(w) for w in (
    "many much number year date month day happen took take place happened total amount "
    "kind type exactly roughly approximately name named called describe explain mean".split()
))


def _groups(*lines: str) -> list[set[str]]:
    """Synonym groups, as sets of stems."""
    return [{T.stem(w) for w in line.split()} for line in lines]


# what one counts can be named several ways ("countries" ~ "member states" ~ "nations")
_COUNT_SYNONYMS = _groups(
    "country countries nation nations state states member members government governments signatory signatories",
    "peacekeeper peacekeepers troop troops soldier soldiers personnel officer officers uniformed",
    "people person persons individual individuals participant participants attendee attendees delegate delegates",
    "organization organizations organisation organisations institution institutions agency agencies body bodies",
    "meeting meetings session sessions conference conferences",
    "commitment commitments pledge pledges",
)

# verbs a question may use for what the text says another way ("stop" ~ "cease")
VERB_SYNONYMS = _groups(
    "stop stopped cease ceased end ended close closed terminate terminated conclude concluded exit exited withdraw withdrew shut leave left depart departed",
    "start started begin began launch launched establish established create created open opened found founded",
    "sign signed endorse endorsed join joined adopt adopted",
    "write wrote written author authored",
    "fund funded finance financed pay paid donor donors sponsor sponsored",
    "hold held convene convened organize organized organise organised host hosted",
    "chair chaired lead led head headed",
)


def synonyms(term: str) -> set[str]:
    """The term and the words a text may use for it instead."""
    out = {term}
    for group in VERB_SYNONYMS + _COUNT_SYNONYMS:
        if term in group:
            out |= group
    return out


def _with_synonyms(counted: tuple[str, ...]) -> tuple[str, ...]:
    out = list(counted)
    for group in _COUNT_SYNONYMS:
        if group & set(counted):
            out += sorted(group - set(out))
    return tuple(out)


_PRONOUNS = re.compile(r"\b(?:it|its|they|them|their|this|that|these|those|he|she|his|her|there|then)\b", re.I)


@dataclass(frozen=True, slots=True)
class QuestionInfo:
    text: str
    answer_type: str
    terms: tuple[str, ...]  # stemmed keyword tokens, frame words removed
    specific: tuple[str, ...]  # names, acronyms and numbers the question mentions
    numbers: frozenset[str]
    counted: tuple[str, ...] = ()  # for "how many X": the stemmed words of X
    years: frozenset[str] = frozenset()
    needs_count: bool = False  # "how many X": only a number of X answers it


@lru_cache(maxsize=4096)
def analyse(question: str) -> QuestionInfo:
    """Answer type, key terms and specific names of a question."""
    asked = [part for part in re.split(r"(?<=[?])\s+", question.strip()) if part.strip()]
    last = asked[-1] if asked else question  # with history prepended, the type is the last ask's
    answer_type = next((kind for kind, rx in _TYPES if rx.search(last)), ANY)
    terms = tuple(t for t in dict.fromkeys(T.tokens(question)) if t not in _FRAME)
    specific = [t for w in T.capitalised_terms(question) for t in T.tokens(w) if not t.isdigit()]
    specific += [n for n in T.numbers(question) if len(n) >= 3]
    specific += re.findall(r"\b(?:19|20)\d{2}\b", question)
    counted: tuple[str, ...] = ()
    head = re.search(
        r"\bhow (?:many|much)\s+(.*)|\b(?:number of|the (?:total |approximate |estimated |annual |overall )?"
        r"(?=population|size|budget|cost|strength))\s*(.*)|\bwhat (percentage|proportion|share)", last, re.I)
    if head:
        if head.group(3):
            counted = ("percent",)
        else:
            counted = tuple(t for t in T.tokens(" ".join((head.group(1) or head.group(2)).split()[:3])) if t not in _FRAME)[:2]
    return QuestionInfo(
        text=question,
        answer_type=answer_type,
        terms=terms,
        specific=tuple(dict.fromkeys(s for s in specific if s not in T.STOPWORDS)),
        numbers=frozenset(T.numbers(question)),
        counted=_with_synonyms(counted),
        needs_count=bool(counted) and bool(head) and head.group(3) is None and not re.search(r"\bhow much\b", last, re.I),
        years=frozenset(re.findall(r"\b(?:19|20)\d{2}\b", question)),
    )


def is_follow_up(question: str) -> bool:
    """True when a question leans on an earlier turn (pronouns, or very few key terms)."""
    info = analyse(question)
    return (bool(_PRONOUNS.search(question)) and not info.specific) or len(info.terms) <= 2
