"""The on-disk index: FAISS vectors, sentence vectors, BM25 and JSON metadata.

Nothing is pickled: vectors go through FAISS's own writer and ``numpy.save`` (loaded
with ``allow_pickle=False``), everything else is JSON. A manifest records the model,
the dimension, the corpus file hashes and the format version; a mismatch rebuilds.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from contextlib import contextmanager
from bisect import bisect_right
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

import faiss
import numpy as np
from tqdm import tqdm

from rag import text as T
from rag.acronyms import find_acronyms, find_initialisms
from rag.embedder import Embedder
from rag.errors import IndexError_, WriterBusy
from rag.ingest import SourceFile, split_paragraphs, windows
from rag.spelling import Speller
from rag.titles import names_of
from rag.keyword import BM25
from rag.types import DocumentInfo, Paragraph, Sentence

if TYPE_CHECKING:
    from rag.store import GenerationVectors

FORMAT_VERSION = 9  # 9: an HTML superscript number is a power after a digit ("2^48") or a raised note mark, a menu written as a plain list of links is dropped; 8: irregular verb forms stemmed to their base ("wrote" -> "write"); 7: a "#"-marked heading is under the levels above it in a section; 6: a one-line question is a heading (FAQ); 5: extracted texts stored in texts/, pages, documents added one by one


def _files_hash(paths: Sequence[Path]) -> str:
    """A short hash of the files' bytes, in the order given."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _pipeline_hash() -> str:
    """Hash of the code that shapes an index: a change to it rebuilds the index."""
    import rag.acronyms, rag.ingest, rag.keyword, rag.text  # noqa: E401

    modules = (rag.acronyms, rag.ingest, rag.keyword, rag.text)
    return _files_hash([Path(module.__file__) for module in modules] + [Path(__file__)])


PIPELINE = _pipeline_hash()


def _readers_hash() -> str:
    """Hash of the readers that turn a file into text: a change to one reads the folder's
    files again (a document added on its own keeps the text it was read as: its file is gone)."""
    return _files_hash(sorted((Path(__file__).parent / "formats").glob("*.py")))


READERS = _readers_hash()
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
    initialisms: dict[str, tuple[str, int]] = field(default_factory=dict)  # initials the documents never write -> (name, count)
    text_keys: list[str] = field(default_factory=list)  # content keys of the windows, then the sentences
    texts: dict[str, str] = field(default_factory=dict)  # doc_id -> stored text, when built in this process
    text_dir: Path | None = None  # where saved texts live (by the file's sha256)
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

    def text_name(self, doc_id: str) -> str:
        """The name of the document's stored text (its file's sha256 in indexes made before names had more)."""
        return self.manifest.get("text_names", {}).get(doc_id) or self.documents[doc_id].sha256

    def document_text(self, doc_id: str) -> str:
        """The text the document's paragraphs and offsets refer to (``text[start:end]``)."""
        text = self.texts.get(doc_id)
        if text is None:
            info = self.documents[doc_id]
            if self.text_dir is None:
                raise IndexError_(f"the text of {doc_id} is not stored; rebuild the index with `rag ingest`")
            try:
                text = (self.text_dir / f"{self.text_name(doc_id)}.txt").read_text(encoding="utf-8")
            except OSError:
                raise IndexError_(f"the stored text of {doc_id} is missing; rebuild the index with `rag ingest`") from None
        return text

    def source_files(self) -> list[SourceFile]:
        """Every document as it was read (its stored text): a rebuild extracts nothing again."""
        return [SourceFile(info, self.document_text(doc_id), info.page_starts) for doc_id, info in self.documents.items()]

    @cached_property
    def speller(self) -> Speller:
        """Reads a question's typos against this collection's words (made on first use)."""
        return Speller(self.keyword.vocabulary.__contains__, lambda t: -self.keyword.idf_of(t), words=self.keyword.vocabulary)

    @cached_property
    def document_names(self) -> dict[str, frozenset[str]]:
        """doc_id -> the names that single the document out ("mpl", "bsd"; made on first use)."""
        return names_of(self)

    def knows_term(self, term: str) -> bool:
        """True if a keyword token (or a word sharing its first five letters) occurs."""
        return term in self.keyword.vocabulary or (len(term) >= 5 and term[:5] in self._prefixes)

    def sentence_rows(self, position: int) -> range:
        return range(int(self.sentence_start[position]), int(self.sentence_start[position + 1]))


# --- building -------------------------------------------------------------------


def text_key(text: str) -> str:
    """The content key of a text to embed (with the model, it decides the vector)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def _embed(embedder: Embedder, texts: Sequence[str], progress: bool,
           known: dict[str, np.ndarray] | None = None, batch: int = 256) -> np.ndarray:
    """Vectors for ``texts``: each distinct text embedded once, none that ``known`` already
    holds (an unchanged paragraph is never embedded again), shortest first so that a batch
    pads little. The progress bar shows texts per second."""
    vectors = dict(known or {})
    keys = [text_key(t) for t in texts]
    todo = sorted({k: t for k, t in zip(keys, texts) if k not in vectors}.items(), key=lambda kt: len(kt[1]))
    bar = tqdm(total=len(todo), desc="embedding", unit="text", disable=not progress, leave=False)
    for i in range(0, len(todo), batch):
        chunk = todo[i:i + batch]
        for (key, _), vector in zip(chunk, embedder.embed([t for _, t in chunk])):
            vectors[key] = vector
        bar.update(len(chunk))
    bar.close()
    if not keys:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    return np.vstack([vectors[k] for k in keys]).astype(np.float32)


def keyword_tokens(paragraph: Paragraph) -> list[str]:
    """What the keyword index sees of a paragraph (its section heading included)."""
    if not paragraph.searchable:
        return []
    return T.tokens(f"{paragraph.section} {paragraph.clean}")


def build_index(sources: Sequence[SourceFile], embedder: Embedder, *, progress: bool = False,
                known: dict[str, np.ndarray] | None = None) -> CorpusIndex:
    """Split, embed and index the documents; ``known`` vectors (by :func:`text_key`) are reused."""
    documents: dict[str, DocumentInfo] = {}
    paragraphs: list[Paragraph] = []
    texts: dict[str, str] = {}
    for source in sources:
        info = replace(source.info, page_starts=tuple(source.page_starts), pages=len(source.page_starts))
        documents[info.doc_id] = info
        texts[info.doc_id] = source.text
        for p in split_paragraphs(info.doc_id, source.text):
            paragraphs.append(replace(p, page=bisect_right(info.page_starts, p.start)) if info.page_starts else p)
    window_texts: list[str] = []
    window_paragraph: list[int] = []
    sentence_texts: list[str] = []
    sentence_start = [0]
    unsearched: list[int] = []  # sentences of headings and repeated quotes: never scored, so not embedded
    for i, p in enumerate(paragraphs):
        if p.searchable:
            for w in windows(p):
                window_texts.append(w)
                window_paragraph.append(i)
        else:
            unsearched.extend(range(len(sentence_texts), len(sentence_texts) + len(p.sentences)))
        sentence_texts.extend(s.text for s in p.sentences)
        sentence_start.append(len(sentence_texts))
    if not window_texts:
        raise IndexError_("the documents hold no text to index")
    searched = np.ones(len(sentence_texts), dtype=bool)
    searched[unsearched] = False
    embedded = [t for t, keep in zip(sentence_texts, searched) if keep]
    vectors = _embed(embedder, window_texts + embedded, progress, known)
    window_vectors = vectors[: len(window_texts)]
    sentence_vectors = np.zeros((len(sentence_texts), embedder.dimension), dtype=np.float32)
    sentence_vectors[searched] = vectors[len(window_texts):]
    window_index = faiss.IndexFlatIP(embedder.dimension)
    window_index.add(window_vectors)
    # a stored text is named by its file and by itself: the same file read by a changed reader
    # gets a text of its own name, never the stale one an older generation wrote (write-once)
    names = {doc_id: f"{documents[doc_id].sha256}.{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}"
             for doc_id, text in texts.items()}
    manifest = {
        "format_version": FORMAT_VERSION,
        "pipeline": PIPELINE,
        "readers": READERS,
        "model": embedder.model_id,
        "dimension": embedder.dimension,
        "corpus": {s.info.source: s.info.sha256 for s in sources if s.info.origin == "folder"},
        "texts": sorted(set(names.values())),
        "text_names": names,
        "documents": len(documents),
        "paragraphs": len(paragraphs),
        "windows": len(window_texts),
        "sentences": len(sentence_texts),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    keyword = BM25([keyword_tokens(p) for p in paragraphs])
    return CorpusIndex(
        documents=documents,
        paragraphs=paragraphs,
        window_index=window_index,
        window_paragraph=np.array(window_paragraph, dtype=np.int64),
        sentence_vectors=sentence_vectors,
        sentence_start=np.array(sentence_start, dtype=np.int64),
        keyword=keyword,
        manifest=manifest,
        acronyms=find_acronyms(p.clean for p in paragraphs),
        initialisms=find_initialisms((p.clean for p in paragraphs), keyword.vocabulary.__contains__),
        text_keys=[text_key(t) for t in window_texts] + [text_key(t) if keep else "" for t, keep in zip(sentence_texts, searched)],
        texts=texts,
    )


def known_vectors(index: CorpusIndex) -> dict[str, np.ndarray]:
    """The index's vectors by content key: windows from FAISS, then sentences."""
    if len(index.text_keys) != index.window_index.ntotal + len(index.sentence_vectors):
        return {}
    windows_ = index.window_index.reconstruct_n(0, index.window_index.ntotal)
    return {k: v for k, v in zip(index.text_keys, np.vstack([windows_, index.sentence_vectors])) if k}


# --- saving and loading ---------------------------------------------------------


CURRENT = "CURRENT"  # names the generation in use; replaced atomically
TEXTS = "texts"  # the stored text of every document, named by its file's sha256 and its own hash, shared by generations
LOCK = ".ingest.lock"
KEEP_GENERATIONS = 2  # the current one and the one before (a reader may still be opening it)


def generation_dir(directory: Path) -> Path | None:
    """The folder of the index generation in use, or None when there is none."""
    try:
        name = (directory / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return directory if (directory / "manifest.json").exists() else None  # the flat layout of format 4
    except OSError:
        return None
    if not name.startswith("gen-") or "/" in name or not (directory / name).is_dir():
        return None
    return directory / name


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write(path: Path, data: str) -> None:
    path.write_text(data, encoding="utf-8")
    _sync(path)


@contextmanager
def writer_lock(directory: Path, *, wait: bool = False) -> Iterator[None]:
    """One writer at a time per index folder (an advisory lock on a side file). Without
    ``wait``, a second writer gets :class:`WriterBusy` at once."""
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / LOCK, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "another process"
            raise WriterBusy(f"another ingest, add or remove is already running on this index (pid {holder}); "
                             "wait for it to finish, then try again") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def save_index(index: CorpusIndex, directory: Path, *, vectors: GenerationVectors | None = None) -> None:
    """Write the index as a new generation beside the current one, then switch to it in
    one atomic step (files fsynced, CURRENT replaced by rename). A crash at any moment
    leaves the previous generation in use; a failed write (a full disk) changes nothing.
    ``vectors`` also writes the window vectors where the vector store serves them from."""
    directory.mkdir(parents=True, exist_ok=True)
    name = f"gen-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{os.getpid()}-{time.monotonic_ns() % 10**9:09d}"
    index.manifest["generation"] = name
    partial = directory / f".{name}.partial"
    try:
        _store_texts(index, directory / TEXTS)
        partial.mkdir()
        meta = {
            "documents": [asdict(d) for d in index.documents.values()],
            "paragraphs": [asdict(p) for p in index.paragraphs],
            "window_paragraph": index.window_paragraph.tolist(),
            "sentence_start": index.sentence_start.tolist(),
            "acronyms": index.acronyms,
            "initialisms": index.initialisms,
            "text_keys": index.text_keys,
        }
        _write(partial / "paragraphs.json", json.dumps(meta, ensure_ascii=False))
        _write(partial / "keyword.json", json.dumps(index.keyword.to_json()))
        faiss.write_index(index.window_index, str(partial / "windows.faiss"))
        _sync(partial / "windows.faiss")
        with (partial / "sentences.npy").open("wb") as f:
            np.save(f, index.sentence_vectors, allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())
        if vectors is not None:
            vectors.write(index, partial)
        _write(partial / "manifest.json", json.dumps(index.manifest, indent=2))
        os.rename(partial, directory / name)
        pointer = directory / f".{CURRENT}.{os.getpid()}"
        _write(pointer, name + "\n")
        os.replace(pointer, directory / CURRENT)
        _sync(directory)
    except (OSError, RuntimeError, IndexError_) as exc:  # RuntimeError: FAISS's writer reports I/O errors so
        _remove(partial, vectors)
        _remove(directory / name, vectors)
        reason = getattr(exc, "strerror", None) or " ".join(str(exc).split())[:200]
        raise IndexError_(f"cannot write the index in {directory} ({reason}); the previous index is unchanged") from None
    _clean_up(directory, vectors)


def _store_texts(index: CorpusIndex, folder: Path) -> None:
    """Write each document's text once (write-once files named by the file's hash and the text's)."""
    folder.mkdir(exist_ok=True)
    for doc_id in index.documents:
        name = index.text_name(doc_id)
        path = folder / f"{name}.txt"
        if path.exists():
            continue
        partial = folder / f".{name}.{os.getpid()}.partial"
        _write(partial, index.document_text(doc_id))
        os.replace(partial, path)


def _remove(generation: Path, vectors: GenerationVectors | None) -> None:
    if vectors is not None and generation.is_dir():
        vectors.drop(generation)
    shutil.rmtree(generation, ignore_errors=True)


def _clean_up(directory: Path, vectors: GenerationVectors | None = None) -> None:
    """Remove generations older than the last :data:`KEEP_GENERATIONS`, abandoned partial
    ones, stored texts no kept generation refers to, and the files of the flat layout of format 4."""
    generations = sorted((p for p in directory.glob("gen-*") if p.is_dir()), key=lambda p: p.stat().st_mtime)
    current = generation_dir(directory)
    kept = [g for g in generations[-KEEP_GENERATIONS:]] + ([current] if current else [])
    for old in generations[:-KEEP_GENERATIONS]:
        if old != current:
            _remove(old, vectors)
    for partial in directory.glob(".gen-*.partial"):
        _remove(partial, vectors)
    for name in FILES:
        (directory / name).unlink(missing_ok=True)
    referenced: set[str] = set()
    for generation in kept:
        try:
            referenced.update(json.loads((generation / "manifest.json").read_text(encoding="utf-8")).get("texts", []))
        except (OSError, json.JSONDecodeError):
            return  # cannot tell what is in use: keep every text
    for path in (directory / TEXTS).glob("*.txt"):
        if path.stem not in referenced:
            path.unlink(missing_ok=True)


def read_manifest(directory: Path) -> dict | None:
    """The manifest of the index in ``directory``, or None if there is none."""
    generation = generation_dir(directory)
    if generation is None:
        return None
    try:
        return json.loads((generation / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def load_index(directory: Path) -> CorpusIndex:
    """Read the current generation of an index written by :func:`save_index`."""
    manifest = read_manifest(directory)
    generation = generation_dir(directory)
    if manifest is None or generation is None:
        raise IndexError_(f"no index in {directory}; run `rag ingest`")
    directory = generation
    try:
        meta = json.loads((directory / "paragraphs.json").read_text(encoding="utf-8"))
        documents = {d["doc_id"]: DocumentInfo(**{**d, "page_starts": tuple(d.get("page_starts", ()))})
                     for d in meta["documents"]}
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
        initialisms={k: (v[0], int(v[1])) for k, v in meta.get("initialisms", {}).items() if isinstance(v, list) and len(v) == 2},
        text_keys=meta.get("text_keys", []),
        text_dir=directory.parent / TEXTS if directory.name.startswith("gen-") else directory / TEXTS,
    )
