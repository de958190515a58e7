"""Answering: the :class:`Answerer` seam, citations, and the extractive default.

Whatever the implementation, citations are built by :func:`make_citation`, which only
ever quotes the source file's own characters.
"""

from rag.answering.base import NOT_COVERED, Answerer, make_citation

__all__ = ["NOT_COVERED", "Answerer", "make_citation"]
