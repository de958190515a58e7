"""Acronyms the documents define ("Hybrid Operation in Darfur (UNAMID)"), so a question
that spells out the long form finds text that uses the acronym, and the other way round;
and initialisms they never write ("DPL"), read as the capitalised name whose initials
they spell ("Debian Project Leader")."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from rag import text as T
from rag.spelling import english

if TYPE_CHECKING:
    from rag.types import Paragraph

_CONNECTOR = r"(?:of|for|and|the|in|on|to|de|du|la)"
_DEFINITION = re.compile(
    r"((?:[A-Z][\w’'-]*)(?:\s+(?:" + _CONNECTOR + r"\s+)*[A-Z][\w’'-]*){1,9})\s*\(([A-Z][A-Za-z0-9+]{1,9})\)"
)


def _abbreviated_part(words: list[str], acronym: str) -> str:
    """The trailing words whose initials spell the acronym, else a bounded tail."""
    letters = acronym.upper()
    for size in range(1, len(words) + 1):
        tail = words[-size:]
        initials = "".join(w[0] for part in tail for w in part.split("-") if w[:1].isupper())
        if initials == letters:
            return " ".join(tail)
    return " ".join(words[-(2 * len(acronym) + 2):])


# a long form in lower case: "release-critical bugs (RC bugs)", "write-ahead log (WAL)",
# "non-maintainer uploads (NMUs)"; its words' initials must spell the acronym exactly
_LOWER_DEFINITION = re.compile(r"((?:[a-z][a-z’'-]*\s+){0,5}[a-z][a-z’'-]*)\s*\(([A-Z]{2,8})(s?)(?:\s+([a-z]+))?\)")


def _spelled_tail(words: list[str], acronym: str) -> str:
    """The trailing words (hyphenated parts counted apart) whose initials are ``acronym``, else ""."""
    for size in range(1, len(words) + 1):
        tail = words[-size:]
        if "".join(part[0] for w in tail for part in w.split("-") if part).upper() == acronym:
            return " ".join(tail)
    return ""


def _lower_case_definitions(text: str) -> Iterable[tuple[str, str]]:
    """(long form, acronym) of the definitions written in lower case."""
    for match in _LOWER_DEFINITION.finditer(text):
        words, acronym, plural, noun = match.group(1).split(), match.group(2), match.group(3), match.group(4)
        if noun:  # "(RC bugs)" repeats the noun after the long form: "release-critical bugs"
            if words[-1].rstrip("s") != noun.rstrip("s"):
                continue
            words = words[:-1]
        elif plural:  # "uploads (NMUs)": the long form is plural too
            if not words[-1].endswith("s"):
                continue
        tail = _spelled_tail(words, acronym)
        if tail:
            yield tail, acronym


# the acronym first and its long form after it: "the Emacs GUD (Grand Unified Debugger) library"
_AFTER_DEFINITION = re.compile(r"\b([A-Z][A-Z0-9]{1,9})\s*\(((?:[A-Za-z][\w’'-]*)(?:\s+[A-Za-z][\w’'-]*){1,9})\)")


def spelled_after(text: str) -> Iterable[tuple[str, str]]:
    """(long form, acronym) of definitions that write the acronym first: the long form in
    brackets after it, its words' initials (connectors aside) spelling it exactly."""
    for match in _AFTER_DEFINITION.finditer(text):
        acronym, long_form = match.group(1), match.group(2)
        words = [w for w in long_form.split() if w.lower() not in _CONNECTOR_WORDS]
        if "".join(w[0] for w in words).upper() == acronym:
            yield long_form, acronym


_CONNECTOR_WORDS = frozenset(_CONNECTOR[3:-1].split("|"))


def find_acronyms(texts: Iterable[str]) -> dict[str, list[str]]:
    """Acronym (lower-case) -> keyword tokens of its long form, from definitions in ``texts``."""
    found: dict[str, list[str]] = {}
    for text in texts:
        clean = T.clean(text)
        pairs = [(_abbreviated_part(m.group(1).split(), m.group(2)), m.group(2)) for m in _DEFINITION.finditer(clean)]
        for long_form, acronym in pairs + list(_lower_case_definitions(clean)) + list(spelled_after(clean)):
            tokens = [t for t in T.tokens(long_form) if not t.isdigit()]
            key = acronym.lower()
            if len(tokens) >= 2 and key not in tokens:
                found.setdefault(key, tokens)
    return found


_NAME_WORD = re.compile(r"[A-Za-z][\w’'-]*")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?:;])\s+")
# the definition pattern's connectors less "in" and "to": a name written out in full
# ("Department of Peace Operations (DPO)") may hold them, but a run of capitalised words
# joined by them is usually two names ("Operations to the Peacebuilding Support")
_CONNECTORS = frozenset(_CONNECTOR[3:-1].split("|")) - {"in", "to"}


def _capitalised(word: str) -> bool:
    """A name's word: capitalised, not itself written in capitals (an acronym)."""
    return word[:1].isupper() and not word.split("’")[0].split("'")[0].isupper()


def find_initialisms(texts: Iterable[str], known: Callable[[str], bool], longest: int = 5) -> dict[str, tuple[str, int]]:
    """Initials (lower-case) -> the capitalised name they most often spell, and how often,
    for initials that are neither a stopword nor a word the documents write (``known``):
    a user's "DPL" or "TC" then reads as "Debian Project Leader" or "Technical Committee".
    Names run inside a sentence (not from its first word); "of", "and", "for" inside do
    not count; hyphenated parts do ("SG"). ``texts`` are paragraphs' clean text."""
    counts: Counter[tuple[str, str]] = Counter()
    for text in texts:
        for sentence in _SENTENCE_BREAK.split(text):
            words = _NAME_WORD.findall(sentence)
            for i in range(1, len(words)):
                if not _capitalised(words[i]) or words[i].lower() in _CONNECTORS:
                    continue
                letters = ""
                for j in range(i, min(len(words), i + 2 * longest)):
                    if words[j].lower() in _CONNECTORS:
                        continue
                    if not _capitalised(words[j]):
                        break
                    letters += "".join(part[0] for part in words[j].split("-") if part)
                    if len(letters) > longest:
                        break
                    if len(letters) >= 2:
                        counts[(letters.lower(), " ".join(words[i:j + 1]))] += 1
    found: dict[str, tuple[str, int]] = {}
    refused: set[str] = set()
    for (key, name), n in counts.most_common():
        if key in found or key in refused:
            continue
        if T.tokens(key) != [key] or known(key):
            refused.add(key)
        elif len(T.tokens(name)) >= 2:
            found[key] = (name, n)
    return found


_GAP = re.compile(r"[\s“”\"‘]*")  # what may stand between two words of one name


def initials_name(acronym: str, text: str) -> str:
    """A run of capitalised words in ``text`` (short connectors aside) whose initials spell
    ``acronym``: "GNU’s Not Unix" for GNU, "Debian Project Leader" for DPL; else ""."""
    letters = acronym.lower()
    if not letters.isalpha() or len(letters) < 2:
        return ""
    words = list(_NAME_WORD.finditer(text))
    for i, first in enumerate(words):
        if not first.group(0).startswith(acronym[0].upper()):
            continue
        spelled, j = "", i
        while j < len(words) and len(spelled) < len(letters):
            word = words[j].group(0)
            if j > i and not _GAP.fullmatch(text, words[j - 1].end(), words[j].start()):
                break
            if j > i and word.lower() in _CONNECTORS:
                j += 1
                continue
            if not word[:1].isupper():
                break
            spelled += word[0].lower()
            j += 1
        if spelled == letters:
            return text[first.start():words[j - 1].end()]
    return ""


def spelled_initials(question: str, initialisms: dict[str, tuple[str, int]]) -> dict[str, str]:
    """The question's initials (lower-case) -> the name they stand for: initials written in
    capitals ("DPL"), or in lower case ("dpl") when the name they spell occurs more than once
    or they are no English word ("dpl" is none; "pat" is one)."""
    names: dict[str, str] = {}
    for word in re.findall(r"\b[A-Za-z]{2,5}\b", question):
        capitals = "".join(ch for ch in word if ch.isupper())
        if word[:1].isupper() and 2 <= len(capitals) < len(word):  # "GoF": the capitals are the initials
            word = capitals
        name, count = initialisms.get(word.lower(), ("", 0))
        if name and (word.isupper() or count >= 2 or word.lower() not in english()):
            names.setdefault(word.lower(), name)
    return names


def expansions(
    terms: Iterable[str], acronyms: dict[str, list[str]], idf: Callable[[str], float], rare: float = 2.5
) -> list[str]:
    """Acronyms whose long form a question spells out (two rare words of it, or three words)."""
    terms = set(terms)
    out = []
    for acronym, long_form in acronyms.items():
        if acronym in terms:
            continue
        shared = terms & set(long_form)
        if len(shared) >= 3 or sum(idf(t) >= rare for t in shared) >= 2:
            out.append(acronym)
    return out


def spelled_out(terms: set[str], acronyms: dict[str, list[str]]) -> set[str]:
    """``terms`` plus the long-form words of every acronym among them."""
    extra = {t for a in terms & acronyms.keys() for t in acronyms[a]}
    return terms | extra


def defining_paragraphs(paragraphs: Sequence[Paragraph]) -> dict[str, int]:
    """Acronym (lower-case) -> the position of the first searchable paragraph that spells it out."""
    found: dict[str, int] = {}
    for i, p in enumerate(paragraphs):
        if not p.searchable:
            continue
        for match in _DEFINITION.finditer(T.clean(p.clean)):
            long_form, acronym = match.group(1), match.group(2)
            if len(_abbreviated_part(long_form.split(), acronym).split()) >= 2:
                found.setdefault(acronym.lower(), i)
    return found
