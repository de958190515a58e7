"""Frozen value types that flow through the pipeline."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """One source document and its catalogue metadata."""

    doc_id: str
    title: str
    source: str  # path relative to the ingested folder's parent (or the bare file name); never absolute
    publisher: str = ""
    author: str = ""
    date: str = ""
    sha256: str = ""  # of the file's bytes
    format: str = "txt"  # txt | md | pdf | docx | html
    pages: int = 0  # PDFs: the number of pages
    origin: str = "folder"  # "folder": kept in step with an ingested folder; "added": by `rag add` or an upload
    added: str = ""  # when it entered the index (UTC, ISO 8601)
    page_starts: tuple[int, ...] = ()  # PDFs: offset in the stored text where each page begins


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a paragraph: file offsets plus a display form."""

    start: int
    end: int
    text: str  # cleaned for display (markdown and line breaks removed)


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph exactly as in its file: ``text == file_text[start:end]``."""

    doc_id: str
    number: int  # 1-based within its document
    start: int
    end: int
    text: str
    kind: str = "text"  # text | heading | list | footnote | table
    section: str = ""  # the nearest heading above it
    clean: str = ""  # display text: page-break debris and markup removed
    sentences: tuple[Sentence, ...] = ()
    searchable: bool = True  # False for headings and duplicated pull quotes
    page: int = 0  # 1-based page of a PDF where the paragraph begins; 0 when the format has no pages


@dataclass(frozen=True, slots=True)
class Passage:
    """A retrieved paragraph with its scores and per-sentence similarities."""

    paragraph: Paragraph
    document: DocumentInfo
    score: float
    dense: float = 0.0
    keyword: float = 0.0
    sentence_scores: tuple[float, ...] = ()
    rank: int = 0


@dataclass(frozen=True, slots=True)
class Quote:
    """The answering sentence, verbatim from the file."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Citation:
    """A numbered source for a claim in an answer."""

    marker: int
    doc_id: str
    title: str
    source: str
    paragraph: int
    start: int
    end: int
    text: str
    score: float
    quote: Quote
    publisher: str = ""
    date: str = ""
    page: int = 0  # the PDF page the paragraph begins on; 0 when the format has no pages


@dataclass(frozen=True, slots=True)
class Answer:
    """What the assistant says, with the sources it says it from."""

    question: str
    answer: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    conflict: bool = False
    confidence: float = 0.0
    timings_ms: dict[str, float] = field(default_factory=dict)
    answerer: str = "extractive"  # "llm", "extractive", or "extractive-fallback" when the LLM could not be used
    warning: str = ""  # why the fallback was taken
    claims_dropped: int = 0  # the LLM's claims that their cited sentences did not support

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape shared by ``rag ask --json`` and the HTTP API."""
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "conflict": self.conflict,
            "confidence": round(self.confidence, 4),
            "citations": [asdict(c) for c in self.citations],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "answerer": self.answerer,
            "warning": self.warning,
            "claims_dropped": self.claims_dropped,
        }
