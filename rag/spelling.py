"""Typos in a question ("mision", "reprots"), read as the collection's word one edit away
("mission", "reports"). A word counts as a typo only when neither the collection nor an
English dictionary knows it: pyspellchecker's English word list (MIT,
https://github.com/barrust/pyspellchecker), so "infected" or "sept" stay as typed."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

from rag import text as T

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@lru_cache(maxsize=1)
def english() -> frozenset[str]:
    """English words (lower case), loaded once."""
    from spellchecker import SpellChecker

    return frozenset(SpellChecker(language="en", distance=1).word_frequency.dictionary)


def _one_edit(word: str) -> set[str]:
    """Every string one deletion, transposition, replacement or insertion away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + transposes + replaces + inserts)


def _contraction(word: str) -> bool:
    """A contraction typed without its apostrophe ("dont", "couldnt")."""
    return any(f"{word[:i]}'{word[i:]}" in english() for i in range(1, len(word)))


def corrections(question: str, known: Callable[[str], bool], frequency: Callable[[str], float]) -> dict[str, str]:
    """The question's typos (their keyword token) -> the word one edit away whose token the
    collection ``known``s, the most ``frequency``-ent of them. Words under four letters are
    left alone (initials, "ppl"), as is any word the collection or the dictionary knows."""
    out: dict[str, str] = {}
    for word in re.findall(r"[A-Za-z]{4,}", question):
        lower = word.lower()
        tokens = T.tokens(lower)
        if len(tokens) != 1 or known(tokens[0]) or lower in english() or _contraction(lower):
            continue
        scored = []
        for candidate in _one_edit(lower):
            found = T.tokens(candidate)
            if len(found) == 1 and known(found[0]):
                scored.append((frequency(found[0]), candidate))
        if scored:
            out[tokens[0]] = max(scored)[1]
    return out
