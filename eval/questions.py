"""Evaluation questions: loading, checking, and where their gold evidence sits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import yaml

from rag import text as T
from rag.errors import CorpusError
from rag.settings import PROJECT_ROOT
from rag.types import Paragraph

HERE = Path(__file__).parent
KINDS = ("number", "date", "entity", "role", "definition", "why", "yesno", "list", "comparison", "conflict",
         "followup", "unanswerable")
SPLITS = ("dev", "test")


@dataclass(frozen=True)
class CorpusSet:
    """A document collection and the questions written on it."""

    name: str
    documents: Path
    questions: Path


CORPORA = (
    CorpusSet("main", PROJECT_ROOT / "corpus", HERE / "questions" / "main.yaml"),
    CorpusSet("debian", HERE / "corpora" / "debian", HERE / "questions" / "debian.yaml"),
    CorpusSet("licences", HERE / "corpora" / "licences", HERE / "questions" / "licences.yaml"),
    CorpusSet("handbook", HERE / "corpora" / "handbook", HERE / "questions" / "handbook.yaml"),
    CorpusSet("maintainers", HERE / "corpora" / "maintainers", HERE / "questions" / "maintainers.yaml"),
    CorpusSet("puzzles", HERE / "corpora" / "puzzles", HERE / "questions" / "puzzles.yaml"),
    CorpusSet("sqlite", HERE / "corpora" / "sqlite", HERE / "questions" / "sqlite.yaml"),
    CorpusSet("gnucash", HERE / "corpora" / "gnucash", HERE / "questions" / "gnucash.yaml"),
    CorpusSet("devref", HERE / "corpora" / "devref", HERE / "questions" / "devref.yaml"),
    CorpusSet("history", HERE / "corpora" / "history", HERE / "questions" / "history.yaml"),
    CorpusSet("git", HERE / "corpora" / "git", HERE / "questions" / "git.yaml"),
    CorpusSet("policy", HERE / "corpora" / "policy", HERE / "questions" / "policy.yaml"),
    CorpusSet("guidebook", HERE / "corpora" / "guidebook", HERE / "questions" / "guidebook.yaml"),
    CorpusSet("astro", HERE / "corpora" / "astro", HERE / "questions" / "astro.yaml"),
    CorpusSet("rfaq", HERE / "corpora" / "rfaq", HERE / "questions" / "rfaq.yaml"),
)


def corpus_set(name: str) -> CorpusSet:
    """The corpus called ``name`` (``main``, ``debian``, ``licences``, ``handbook``, ``maintainers``, ``puzzles``, ``sqlite``, ``gnucash``, ``devref``, ``history``, ``git``, ``policy``, ``guidebook``, ``astro`` or ``rfaq``)."""
    return next(c for c in CORPORA if c.name == name)


@dataclass(frozen=True)
class Evidence:
    doc: str
    text: str


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    kind: str
    split: str = "dev"
    history: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    answerable: bool = True
    group: str = ""
    doc: str = ""
    author: str = ""

    def matches(self, text: str) -> bool:
        """True when every gold pattern occurs in ``text``."""
        return bool(self.answers) and all(re.search(p, text, re.IGNORECASE) for p in self.answers)

    def matches_any(self, text: str) -> bool:
        return any(re.search(p, text, re.IGNORECASE) for p in self.answers if not p.startswith("^"))


def load_questions(path: Path, split: str | None = None) -> list[Question]:
    """Read and check a question file; ``split`` keeps only dev or test."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    out, seen = [], set()
    for item in raw:
        q = Question(
            id=item["id"],
            question=item["question"],
            kind=item.get("kind", "unanswerable" if item.get("answerable") is False else ""),
            split=item.get("split", "dev"),
            history=tuple(item.get("history") or ()),
            answers=tuple(item.get("answers") or ()),
            evidence=tuple(Evidence(e["doc"], e["text"]) for e in item.get("evidence") or ()),
            answerable=item.get("answerable", True) is not False,
            group=item.get("group", "") or "",
            doc=item.get("doc", "") or "",
            author=item.get("author", "") or "",
        )
        if q.id in seen:
            raise CorpusError(f"duplicate question id {q.id}")
        if q.kind not in KINDS:
            raise CorpusError(f"question {q.id}: unknown kind {q.kind!r}")
        if q.split not in SPLITS:
            raise CorpusError(f"question {q.id}: unknown split {q.split!r}")
        if q.answerable and not (q.answers and q.evidence):
            raise CorpusError(f"question {q.id} needs answers and evidence")
        for pattern in q.answers:
            re.compile(pattern)
        seen.add(q.id)
        out.append(q)
    return [q for q in out if split is None or q.split == split]


def norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", T.clean(text).lower()).split())


def gold_paragraphs(question: Question, paragraphs: Sequence[Paragraph]) -> set[tuple[str, int]]:
    """(doc_id, number) of the paragraphs holding the question's evidence."""
    found = set()
    for ev in question.evidence:
        needle = norm(ev.text)
        hits = {(p.doc_id, p.number) for p in paragraphs if p.doc_id == ev.doc and needle in norm(p.text)}
        if not hits:
            raise CorpusError(f"question {question.id}: evidence not found in {ev.doc}: {ev.text!r}")
        found |= hits
    return found
