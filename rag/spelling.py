"""Typos in a question ("mision", "reprots"), read as the collection's word one edit away
("mission", "reports"). A word counts as a typo only when neither the collection nor an
English dictionary knows it: pyspellchecker's English word list (MIT,
https://github.com/barrust/pyspellchecker), so "infected" or "sept" stay as typed."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Iterable

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


def contraction(word: str) -> bool:
    """A contraction typed without its apostrophe ("dont", "couldnt")."""
    return any(f"{word[:i]}'{word[i:]}" in english() for i in range(1, len(word)))


class Speller:
    """Reads a question's typos against one collection: ``known`` says whether a keyword
    token occurs in it, ``frequency`` ranks the words a typo could be. Each word is worked
    out once (a bounded cache).

    Usage::

        speller = Speller(index.keyword.vocabulary.__contains__, lambda t: -index.keyword.idf_of(t))
        speller.corrections("when did the mision begin?")  # {"mision": "mission"}
    """

    def __init__(self, known: Callable[[str], bool], frequency: Callable[[str], float], cache_size: int = 4096,
                 words: Iterable[str] = ()) -> None:
        self._known = known
        self._frequency = frequency
        self._read = lru_cache(maxsize=cache_size)(self._word)
        self._by_initial: dict[str, list[str]] = {}  # the collection's tokens, by first letter
        for w in words:
            self._by_initial.setdefault(w[:1], []).append(w)

    def corrections(self, question: str) -> dict[str, str]:
        """The question's typos (their keyword token) -> the word one edit away whose token
        the collection knows, the most frequent of them. Words under four letters are left
        alone (initials, "ppl"), as is any word the collection or the dictionary knows."""
        out: dict[str, str] = {}
        for word in re.findall(r"[A-Za-z]{4,}", question):
            read = self._read(word.lower())
            if read:
                out[read[0]] = read[1]
        return out

    def _word(self, lower: str) -> tuple[str, str] | None:
        tokens = T.tokens(lower)
        if len(tokens) != 1 or self._known(tokens[0]) or lower in english() or contraction(lower):
            return None
        scored = []
        for candidate in _one_edit(lower):
            found = T.tokens(candidate)
            if len(found) == 1 and self._known(found[0]):
                scored.append((self._frequency(found[0]), candidate))
        if not scored:
            return None
        fix = max(scored)[1]
        if not _keeps_letters(lower, fix) and self._abbreviates(lower):
            return None  # "dept", "conf": short for a longer word, not a typo of "debt" or "cons"
        return tokens[0], fix

    def _abbreviates(self, lower: str) -> bool:
        """Whether the word keeps, in order, letters of a longer word of the collection that starts alike."""
        return any(len(w) >= len(lower) + 3 and _keeps_letters(lower, w) for w in self._by_initial.get(lower[:1], ()))


def _keeps_letters(short: str, long: str) -> bool:
    """Whether ``short``'s letters occur in ``long`` in the same order."""
    rest = iter(long)
    return all(ch in rest for ch in short)
