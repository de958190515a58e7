"""Whether a text holds a thing of a given answer type at all (a count, a date, a name).
Shared by retrieval (favour paragraphs of the asked kind) and answer features."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from rag import text as T
from rag.gazetteer import COUNTRIES, COUNTRY_PHRASES
from rag.spelling import english
from rag.question import COUNTRY, DATE, NUMBER, PERSON

MONTH = re.compile(r"\b(?:" + "|".join(m.capitalize() for m in T.MONTHS) + r")\b")
YEAR = re.compile(r"\b(?:1[89]|20)\d{2}\b")
# a web or mail address: "https://...", "www.debian.org", "team@security.debian.org"
ADDRESSES = re.compile(r"\bhttps?://[^\s<>\"')\]]+|\bwww\.[^\s<>\"')\]]+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
HONORIFIC = re.compile(r"\b(?:Mr|Ms|Mrs|Dr|Prof|Amb|H\.E|Sir|Dame)\.?\s+[A-Z]|\bAmbassador\s+[A-Z]")


# a person's name: a first name, a middle initial or a particle maybe, and a capitalised word
_NAME_RUN = re.compile(r"\b([A-Z][a-zà-ÿ'’-]+)\s+(?:[A-Z]\.?\s+)?(?:(?:van|von|de|da|del|di|du|le|la)\s+)?([A-Z][a-zà-ÿ'’-]+)\b")


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """First names (lower case) from ``given_names.txt`` beside this module."""
    path = Path(__file__).with_name("given_names.txt")
    return frozenset(line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#"))


# who a "who" question may be answered by besides a person: a body or an office named in capitals
# ("the Technical Committee", "the Project Leader", "the Free Software Foundation")
_BODY = re.compile(r"(?:Committee|Council|Team|Foundation|Institute|Group|Organi[sz]ation|Association|Society|Union|"
                   r"Commission|Office|Department|Ministry|Board|Corporation|Company|Inc|Ltd|University|Agency|"
                   r"Secretariat|Government|Leader|Secretary|Chair\w*|President|Director|Manager|Editors?|"
                   r"Delegates?|Maintainers?|Developers?|Authors?|Members?|Project)")


# a body named by a place or a name and what it is, in lower case: "the Goma river police",
# "the Tunisian armed forces", "the Debian release team"
_NAMED_BODY = re.compile(r"\b([A-Z][\w'’-]+)(?:\s+[a-z-]+){0,2}\s+(?:police|army|forces|navy|authorit(?:y|ies)|government|"
                         r"ministry|council|committee|commission|team|office|department|agency|unit|contingent|battalion|"
                         r"service|court|tribunal|parliament|assembly|company|group|foundation|institute|university|board)\b")


def names_body(text: str, said: set[str] = frozenset()) -> bool:
    """Whether a text names a body or an office the question does not: a capitalised word
    of an organisation or a post, or a name before a body's word in lower case."""
    words = re.findall(r"\b[A-Z][\w'’-]*", text)
    if any(_BODY.fullmatch(w) and w.lower() not in said for w in words[1:]):
        return True
    return any(m.group(1).lower() not in said for m in _NAMED_BODY.finditer(text))


def names_person(text: str, said: set[str] = frozenset()) -> bool:
    """Whether a text names a person the question (its words ``said``) does not: an
    honorific and a name, or a first name followed by a surname ("Ian Murdock", "Tarek
    Ladeb"): a first word that is a known first name, or a word that is no English word."""
    if HONORIFIC.search(text):
        return True
    for m in _NAME_RUN.finditer(text):
        first, last = m.group(1).lower(), m.group(2).lower()
        if {first, last} <= said:
            continue
        if first in given_names() or first not in english() or last not in english():
            return True
    return False


def countries(text: str) -> set[str]:
    """Countries a text names (lower case)."""
    named = set(re.findall(r"[a-zà-ÿ]+", text.lower())) & COUNTRIES
    return named | {m.lower() for m in COUNTRY_PHRASES.findall(text)}


def has_kind(kind: str, text: str) -> bool:
    """Whether a text holds a thing of an answer type at all."""
    if kind == NUMBER:
        return bool(T.quantities(text))
    if kind == DATE:
        return bool(MONTH.search(text) or YEAR.search(text))
    if kind == PERSON:
        return names_person(text) or names_body(text)
    if kind == COUNTRY:
        return bool(countries(text))
    return False
