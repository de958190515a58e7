"""Offline question answering with verified citations over a document collection."""

from rag.types import Answer, Citation, DocumentInfo, Paragraph, Passage, Quote, Sentence

__all__ = ["Answer", "Citation", "DocumentInfo", "Paragraph", "Passage", "Quote", "Sentence"]
