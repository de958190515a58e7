"""Whether a text holds a thing of a given answer type at all (a count, a date, a name).
Shared by retrieval (favour paragraphs of the asked kind) and answer features."""

from __future__ import annotations

import re

from rag import text as T
from rag.gazetteer import COUNTRIES, COUNTRY_PHRASES
from rag.question import COUNTRY, DATE, NUMBER, PERSON

MONTH = re.compile(r"\b(?:" + "|".join(m.capitalize() for m in T.MONTHS) + r")\b")
YEAR = re.compile(r"\b(?:1[89]|20)\d{2}\b")
# a web or mail address: "https://...", "www.debian.org", "team@security.debian.org"
ADDRESSES = re.compile(r"\bhttps?://[^\s<>\"')\]]+|\bwww\.[^\s<>\"')\]]+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
HONORIFIC = re.compile(r"\b(?:Mr|Ms|Mrs|Dr|Prof|Amb|H\.E|Sir|Dame)\.?\s+[A-Z]|\bAmbassador\s+[A-Z]")


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
        return bool(HONORIFIC.search(text)) or len(T.capitalised_terms(text)) >= 2
    if kind == COUNTRY:
        return bool(countries(text))
    return False
