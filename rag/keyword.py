"""A small BM25 keyword index, stored as JSON."""

from __future__ import annotations

import math
from collections import Counter
from typing import Sequence

import numpy as np


class BM25:
    """Okapi BM25 over pre-tokenised documents."""

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        if k1 <= 0 or not 0 <= b <= 1:
            raise ValueError(f"need k1 > 0 and 0 <= b <= 1. Currently, k1={k1}, b={b}")
        self.k1, self.b = k1, b
        self.documents = [list(d) for d in documents]
        self.vocabulary: dict[str, int] = {}
        postings: dict[int, list[tuple[int, int]]] = {}
        lengths = np.array([len(d) for d in self.documents], dtype=np.float32)
        for doc, terms in enumerate(self.documents):
            for term, tf in Counter(terms).items():
                tid = self.vocabulary.setdefault(term, len(self.vocabulary))
                postings.setdefault(tid, []).append((doc, tf))
        n = max(len(self.documents), 1)
        avg = float(lengths.mean()) if len(lengths) else 1.0
        norm = k1 * (1 - b + b * lengths / (avg or 1.0))
        self.idf = np.zeros(len(self.vocabulary), dtype=np.float32)
        self._postings: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for tid, plist in postings.items():
            df = len(plist)
            self.idf[tid] = math.log(1 + (n - df + 0.5) / (df + 0.5))
            docs = np.array([d for d, _ in plist], dtype=np.int64)
            tfs = np.array([t for _, t in plist], dtype=np.float32)
            self._postings[tid] = (docs, tfs * (k1 + 1) / (tfs + norm[docs]))
        self.size = len(self.documents)

    def idf_of(self, term: str) -> float:
        """Inverse document frequency of a term (0 when unseen)."""
        tid = self.vocabulary.get(term)
        return float(self.idf[tid]) if tid is not None else 0.0

    def containing(self, term: str) -> np.ndarray:
        """Positions of the documents that hold ``term``."""
        tid = self.vocabulary.get(term)
        return self._postings[tid][0] if tid is not None else np.zeros(0, dtype=np.int64)

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query terms."""
        out = np.zeros(self.size, dtype=np.float32)
        for term in set(query):
            tid = self.vocabulary.get(term)
            if tid is None:
                continue
            docs, weights = self._postings[tid]
            out[docs] += self.idf[tid] * weights
        return out

    def to_json(self) -> dict:
        return {"k1": self.k1, "b": self.b, "documents": self.documents}

    @classmethod
    def from_json(cls, data: dict) -> "BM25":
        return cls(data["documents"], k1=data["k1"], b=data["b"])
