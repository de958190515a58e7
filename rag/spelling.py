"""Typos in a question ("mision", "reprots"), read as the collection's word one edit away
("mission", "reports"). A word counts as a typo only when neither the collection nor an
English dictionary knows it: pyspellchecker's English word list (MIT,
https://github.com/barrust/pyspellchecker), so "infected" or "sept" stay as typed. A word
the collection writes as two ("timezones", "workforce") reads as those two words."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Iterable

from rag import text as T

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
SHORTEST_PART = 3  # of a word read as two ("timezones" as "time zones")


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
        if len(tokens) != 1 or self._known(tokens[0]):
            return None
        scored = []
        if lower not in english() and not contraction(lower):  # a word of English is no typo
            for candidate in _one_edit(lower):
                found = T.tokens(candidate)
                if len(found) == 1 and self._known(found[0]):
                    scored.append((self._frequency(found[0]), candidate))
        if not scored:
            apart = self._apart(lower)  # "timezones": the collection writes "time zones"
            return (tokens[0], apart) if apart is not None else None
        fix = max(scored)[1]
        if not _keeps_letters(lower, fix) and self._abbreviates(lower):
            return None  # "dept", "conf": short for a longer word, not a typo of "debt" or "cons"
        return tokens[0], fix

    def _apart(self, lower: str) -> str | None:
        """A word the collection writes as two ("timezones" as "time zones"): the split into two
        English words of three letters or more that are both its keyword tokens, the most
        frequent such pair."""
        scored = []
        for i in range(SHORTEST_PART, len(lower) - SHORTEST_PART + 1):
            head, tail = T.tokens(lower[:i]), T.tokens(lower[i:])
            if (len(head) == 1 and len(tail) == 1 and self._known(head[0]) and self._known(tail[0])
                    and lower[:i] in english() and lower[i:] in english()):
                scored.append((min(self._frequency(head[0]), self._frequency(tail[0])), f"{lower[:i]} {lower[i:]}"))
        return max(scored)[1] if scored else None

    def _abbreviates(self, lower: str) -> bool:
        """Whether the word keeps, in order, letters of a longer word of the collection that starts alike."""
        return any(len(w) >= len(lower) + 3 and _keeps_letters(lower, w) for w in self._by_initial.get(lower[:1], ()))


def _keeps_letters(short: str, long: str) -> bool:
    """Whether ``short``'s letters occur in ``long`` in the same order."""
    rest = iter(long)
    return all(ch in rest for ch in short)
