"""The answerer seam and the one place citations are made."""

from __future__ import annotations

from bisect import bisect_right
from typing import Iterator, Protocol, Sequence, runtime_checkable

from rag.types import Answer, Citation, DocumentInfo, Passage, Quote, Sentence

NOT_COVERED = "The documents don't cover this: none of them answers the question."


@runtime_checkable
class Answerer(Protocol):
    """Turns a question, the conversation so far and retrieved passages into a cited answer."""

    def answer(self, question: str, history: Sequence[str], passages: Sequence[Passage]) -> Answer:
        """The answer, or an abstention when the passages do not hold it."""
        ...

    def stream(self, question: str, history: Sequence[str], passages: Sequence[Passage]) -> Iterator[str | Answer]:
        """The answer's text in pieces, then the finished :class:`Answer` as the last item."""
        ...


def stream_whole(answer: Answer, piece_words: int = 4) -> Iterator[str | Answer]:
    """Stream a finished answer a few words at a time, then the answer itself."""
    words = answer.answer.split(" ")
    for i in range(0, len(words), piece_words):
        yield " ".join(words[i:i + piece_words]) + (" " if i + piece_words < len(words) else "")
    yield answer


def make_citation(marker: int, passage: Passage, sentence: Sentence, file_text: str | None = None) -> Citation:
    """A citation of ``sentence`` inside ``passage`` (offsets into the source file)."""
    p = passage.paragraph
    if not (p.start <= sentence.start < sentence.end <= p.end):
        raise ValueError("the quoted sentence lies outside its paragraph")
    quote_text = p.text[sentence.start - p.start: sentence.end - p.start]
    if file_text is not None and file_text[sentence.start:sentence.end] != quote_text:
        raise ValueError("the quote does not match the source file")
    return Citation(
        marker=marker,
        doc_id=p.doc_id,
        title=passage.document.title,
        source=passage.document.source,
        paragraph=p.number,
        start=p.start,
        end=p.end,
        text=p.text,
        score=round(passage.score, 4),
        quote=Quote(text=quote_text, start=sentence.start, end=sentence.end),
        publisher=passage.document.publisher,
        date=passage.document.date,
        page=page_of(passage.document, sentence.start),
    )


def page_of(document: DocumentInfo, offset: int) -> int:
    """The 1-based page of ``document`` holding ``offset``; 0 when it has no pages."""
    return bisect_right(document.page_starts, offset) if document.page_starts else 0
