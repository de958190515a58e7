"""The on-disk index: FAISS vectors, sentence vectors, BM25 and JSON metadata.

Nothing is pickled: vectors go through FAISS's own writer and ``numpy.save`` (loaded
with ``allow_pickle=False``), everything else is JSON. A manifest records the model,
the dimension, the corpus file hashes and the format version; a mismatch rebuilds.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import faiss
import numpy as np
from tqdm import tqdm

from rag import text as T
from rag.acronyms import find_acronyms
from rag.embedder import Embedder
from rag.errors import IndexError_
from rag.ingest import DEFAULT_MAX_BYTES, SourceFile, read_sources, split_paragraphs, windows
from rag.keyword import BM25
from rag.types import DocumentInfo, Paragraph, Sentence

FORMAT_VERSION = 4
def _pipeline_hash() -> str:
    """Hash of the code that shapes an index: a change to it rebuilds the index."""
    import hashlib

    import rag.acronyms, rag.ingest, rag.keyword, rag.text  # noqa: E401

    digest = hashlib.sha256()
    for module in (rag.acronyms, rag.ingest, rag.keyword, rag.text):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


PIPELINE = _pipeline_hash()
FILES = ("manifest.json", "paragraphs.json", "keyword.json", "windows.faiss", "sentences.npy")


@dataclass
class CorpusIndex:
    """Everything retrieval needs, in memory. Read-only once built."""

    documents: dict[str, DocumentInfo]
    paragraphs: list[Paragraph]
    window_index: faiss.Index
    window_paragraph: np.ndarray  # window row -> paragraph position
    sentence_vectors: np.ndarray  # one row per sentence, paragraphs in order
    sentence_start: np.ndarray  # paragraph position -> first sentence row (len = P + 1)
    keyword: BM25
    manifest: dict
    acronyms: dict[str, list[str]] = field(default_factory=dict)
    searchable: np.ndarray = field(init=False)
    _by_doc: dict[str, list[int]] = field(init=False)
    _prefixes: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.searchable = np.array([p.searchable for p in self.paragraphs], dtype=bool)
        self._by_doc = {}
        for i, p in enumerate(self.paragraphs):
            self._by_doc.setdefault(p.doc_id, []).append(i)
        self._prefixes = frozenset(t[:5] for t in self.keyword.vocabulary)

    def document_paragraphs(self, doc_id: str) -> list[Paragraph]:
        """The paragraphs of one document, in order."""
        return [self.paragraphs[i] for i in self._by_doc.get(doc_id, [])]

    def knows_term(self, term: str) -> bool:
        """True if a keyword token (or a word sharing its first five letters) occurs."""
        return term in self.keyword.vocabulary or (len(term) >= 5 and term[:5] in self._prefixes)

    def sentence_rows(self, position: int) -> range:
        return range(int(self.sentence_start[position]), int(self.sentence_start[position + 1]))


# --- building -------------------------------------------------------------------


def _embed(embedder: Embedder, texts: Sequence[str], label: str, progress: bool) -> np.ndarray:
    batch = 64
    parts = []
    bar = tqdm(total=len(texts), desc=label, unit="text", disable=not progress, leave=False)
    for i in range(0, len(texts), batch):
        parts.append(embedder.embed(texts[i:i + batch]))
        bar.update(len(texts[i:i + batch]))
    bar.close()
    if not parts:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    return np.vstack(parts).astype(np.float32)


def keyword_tokens(paragraph: Paragraph) -> list[str]:
    """What the keyword index sees of a paragraph (its section heading included)."""
    if not paragraph.searchable:
        return []
    return T.tokens(f"{paragraph.section} {paragraph.clean}")


def build_index(sources: Sequence[SourceFile], embedder: Embedder, *, progress: bool = False) -> CorpusIndex:
    """Split, embed and index the documents."""
    documents: dict[str, DocumentInfo] = {}
    paragraphs: list[Paragraph] = []
    for source in sources:
        documents[source.info.doc_id] = source.info
        paragraphs.extend(split_paragraphs(source.info.doc_id, source.text))
    window_texts: list[str] = []
    window_paragraph: list[int] = []
    sentence_texts: list[str] = []
    sentence_start = [0]
    for i, p in enumerate(paragraphs):
        if p.searchable:
            for w in windows(p):
                window_texts.append(w)
                window_paragraph.append(i)
        sentence_texts.extend(s.text for s in p.sentences)
        sentence_start.append(len(sentence_texts))
    if not window_texts:
        raise IndexError_("the documents hold no text to index")
    window_vectors = _embed(embedder, window_texts, "embedding paragraphs", progress)
    sentence_vectors = _embed(embedder, sentence_texts, "embedding sentences", progress)
    window_index = faiss.IndexFlatIP(embedder.dimension)
    window_index.add(window_vectors)
    manifest = {
        "format_version": FORMAT_VERSION,
        "pipeline": PIPELINE,
        "model": embedder.model_id,
        "dimension": embedder.dimension,
        "corpus": {s.info.source: s.info.sha256 for s in sources},
        "documents": len(documents),
        "paragraphs": len(paragraphs),
        "windows": len(window_texts),
        "sentences": len(sentence_texts),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    return CorpusIndex(
        documents=documents,
        paragraphs=paragraphs,
        window_index=window_index,
        window_paragraph=np.array(window_paragraph, dtype=np.int64),
        sentence_vectors=sentence_vectors,
        sentence_start=np.array(sentence_start, dtype=np.int64),
        keyword=BM25([keyword_tokens(p) for p in paragraphs]),
        manifest=manifest,
        acronyms=find_acronyms(p.clean for p in paragraphs),
    )


# --- saving and loading ---------------------------------------------------------


def save_index(index: CorpusIndex, directory: Path) -> None:
    """Write the index; the manifest goes last so a half-written index is never loaded."""
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".tmp-{os.getpid()}-{time.monotonic_ns()}"
    tmp.mkdir()
    try:
        meta = {
            "documents": [asdict(d) for d in index.documents.values()],
            "paragraphs": [asdict(p) for p in index.paragraphs],
            "window_paragraph": index.window_paragraph.tolist(),
            "sentence_start": index.sentence_start.tolist(),
            "acronyms": index.acronyms,
        }
        (tmp / "paragraphs.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        (tmp / "keyword.json").write_text(json.dumps(index.keyword.to_json()), encoding="utf-8")
        faiss.write_index(index.window_index, str(tmp / "windows.faiss"))
        np.save(tmp / "sentences.npy", index.sentence_vectors, allow_pickle=False)
        (tmp / "manifest.json").write_text(json.dumps(index.manifest, indent=2), encoding="utf-8")
        (directory / "manifest.json").unlink(missing_ok=True)
        for name in FILES:
            os.replace(tmp / name, directory / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read_manifest(directory: Path) -> dict | None:
    """The manifest of the index in ``directory``, or None if there is none."""
    try:
        return json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def load_index(directory: Path) -> CorpusIndex:
    """Read an index written by :func:`save_index`."""
    manifest = read_manifest(directory)
    if manifest is None:
        raise IndexError_(f"no index in {directory}; run `rag ingest`")
    try:
        meta = json.loads((directory / "paragraphs.json").read_text(encoding="utf-8"))
        documents = {d["doc_id"]: DocumentInfo(**d) for d in meta["documents"]}
        paragraphs = [
            Paragraph(**{**p, "sentences": tuple(Sentence(**s) for s in p["sentences"])})
            for p in meta["paragraphs"]
        ]
        keyword = BM25.from_json(json.loads((directory / "keyword.json").read_text(encoding="utf-8")))
        window_index = faiss.read_index(str(directory / "windows.faiss"))
        sentence_vectors = np.load(directory / "sentences.npy", allow_pickle=False)
    except (OSError, KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise IndexError_(f"the index in {directory} is damaged ({exc}); rebuild it with `rag ingest`") from None
    return CorpusIndex(
        documents=documents,
        paragraphs=paragraphs,
        window_index=window_index,
        window_paragraph=np.array(meta["window_paragraph"], dtype=np.int64),
        sentence_vectors=sentence_vectors,
        sentence_start=np.array(meta["sentence_start"], dtype=np.int64),
        keyword=keyword,
        manifest=manifest,
        acronyms=meta.get("acronyms", {}),
    )


def is_fresh(manifest: dict | None, sources: Iterable[SourceFile], embedder: Embedder) -> bool:
    """True when the stored index was built from these files with this model."""
    return bool(
        manifest
        and manifest.get("format_version") == FORMAT_VERSION
        and manifest.get("pipeline") == PIPELINE
        and manifest.get("model") == embedder.model_id
        and manifest.get("dimension") == embedder.dimension
        and manifest.get("corpus") == {s.info.source: s.info.sha256 for s in sources}
    )


def open_index(
    paths: Iterable[Path],
    directory: Path,
    embedder: Embedder,
    *,
    rebuild: bool = False,
    progress: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[CorpusIndex, bool]:
    """Load the index, rebuilding it when the corpus or model changed. Returns (index, built).
    The files skipped on this reading are in ``index.manifest["skipped"]``."""
    paths = list(paths)
    corpus = read_sources(paths, max_bytes=max_bytes)
    skipped = [s.to_dict() for s in corpus.skipped]
    if not rebuild and is_fresh(read_manifest(directory), corpus.sources, embedder):
        index = load_index(directory)
        index.manifest["skipped"] = skipped
        return index, False
    index = build_index(corpus.sources, embedder, progress=progress)
    index.manifest["inputs"] = [str(Path(p).resolve()) for p in paths]
    index.manifest["skipped"] = skipped
    save_index(index, directory)
    return index, True
