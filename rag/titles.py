"""Which documents a question names: "in the MPL", "under gplv3", "the bsd licence".

A document is named by the names in its title and file name: words the collection never
writes in lower case (so "security" or "annual" in a title is no name, "Mozilla" or "BSD"
is), that name at most a third of its documents ("Debian" names them all and tells none
apart), not months or bare numbers. A version glued to a name counts as the name
("GPLv3", "mpl2", "CC0" ~ "GPL-3", "MPL-2.0", "CC0-1.0")."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

from rag import text as T
from rag.types import DocumentInfo

if TYPE_CHECKING:
    from rag.index import CorpusIndex

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_NOT_NAMES = frozenset(T.MONTHS) | T.STOPWORDS


def _names(text: str) -> set[str]:
    """Keyword tokens of the words of ``text`` that could be names (a glued version is its own token)."""
    out = set()
    for word in _WORD.findall(text):
        if word.lower() not in _NOT_NAMES:
            out.update(t for t in T.tokens(word) if len(t) >= 2 and not any(ch.isdigit() for ch in t[:2]))
    return out


def document_names(documents: Mapping[str, DocumentInfo], written_lower: Callable[[str], bool],
                   used_by: Callable[[str], int]) -> dict[str, frozenset[str]]:
    """doc_id -> the names that single it out: in the titles and in the text (``used_by``:
    how many documents' text uses a name) of at most a third of the documents, and never
    written in lower case (``written_lower``, of a keyword token)."""
    names = {doc_id: _names(f"{info.title} {doc_id.replace('-', ' ').replace('_', ' ')}") for doc_id, info in documents.items()}
    counts = Counter(n for ns in names.values() for n in ns)
    most = max(1, len(documents) // 3)
    kept = {n for n, c in counts.items() if c <= most and used_by(n) <= most and not written_lower(n)}  # cheap tests first
    return {doc_id: frozenset(ns & kept) for doc_id, ns in names.items()}


def names_of(index: "CorpusIndex") -> dict[str, frozenset[str]]:
    """:func:`document_names` for an index's documents."""
    paragraphs = index.paragraphs

    def written_lower(token: str) -> bool:  # in any form: "Definitions" is written "definition"
        lower = re.compile(r"(?<![\w.])" + re.escape(token) + r"[a-z]*\b")
        return any(lower.search(paragraphs[i].clean) for i in index.keyword.containing(token).tolist())

    def used_by(name: str) -> int:
        return len({paragraphs[i].doc_id for i in index.keyword.containing(name).tolist()})

    return document_names(index.documents, written_lower, used_by)


def named(question: str, names: Mapping[str, Iterable[str]]) -> set[str]:
    """The documents whose names the question uses."""
    asked = _names(question)
    return {doc_id for doc_id, ns in names.items() if asked & set(ns)}


def naming_terms(question: str, names: Mapping[str, frozenset[str]]) -> dict[str, set[str]]:
    """doc_id -> the question's own keyword tokens that name it ("gplv3" names "GPL-3")."""
    out: dict[str, set[str]] = {}
    for word in _WORD.findall(question):
        said = _names(word)
        for doc_id, ns in names.items():
            if said & ns:
                out.setdefault(doc_id, set()).update(T.tokens(word))
    return out
