"""A collection that changes: keep an index in step with a folder, add and remove documents.

Every change rebuilds the index from the documents' stored texts (nothing is extracted
again) and the current generation's vectors (nothing is embedded again but new text),
then switches to the new generation atomically (:func:`rag.index.save_index`), under the
one-writer lock. Documents come from an ingested folder (``origin="folder"``, kept in
step with it) or were added one by one (``origin="added"``, kept until removed).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np

from rag.embedder import Embedder
from rag.errors import CorpusError, DocumentNotFound, FileTooLarge, IndexError_, UnsupportedFileType, UnusableFile
from rag.index import (FORMAT_VERSION, PIPELINE, READERS, CorpusIndex, build_index, known_vectors, load_index, read_manifest,
                       save_index, writer_lock)
from rag.ingest import (DEFAULT_MAX_BYTES, FileRef, Skipped, SourceFile, Unreadable, document_id, from_bytes,
                        over_limit, read_sources, scan)
from rag.formats import SUPPORTED
from rag.types import DocumentInfo

if TYPE_CHECKING:
    from rag.store import GenerationVectors


@dataclass(frozen=True, slots=True)
class Upload:
    """A file to add: its name, its bytes, and how users will see its name."""

    name: str
    raw: bytes
    source: str = ""

    @property
    def shown(self) -> str:
        return self.source or self.name


@dataclass(frozen=True)
class Change:
    """What a change did to the collection."""

    added: list[DocumentInfo] = field(default_factory=list)
    replaced: list[DocumentInfo] = field(default_factory=list)
    unchanged: list[DocumentInfo] = field(default_factory=list)  # the same file was already there
    removed: list[DocumentInfo] = field(default_factory=list)
    index: CorpusIndex | None = None  # the new index, when something changed


class ModelInfo:
    """The model's name and size without the model: enough to rebuild when nothing new is embedded."""

    def __init__(self, model_id: str, dimension: int) -> None:
        self.model_id, self.dimension = model_id, dimension

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        raise IndexError_("new text needs the embedding model")

    embed_query = embed


def _loadable(directory: Path) -> CorpusIndex | None:
    """The index in use, of any format, or None (none yet, or damaged: read and embed everything again)."""
    try:
        return load_index(directory) if read_manifest(directory) else None
    except IndexError_:
        return None


def _this_format(previous: CorpusIndex | None) -> CorpusIndex | None:
    """``previous`` when it has this format (its stored texts can be reused)."""
    return previous if previous and previous.manifest.get("format_version") == FORMAT_VERSION else None


def _added(index: CorpusIndex | None) -> tuple[list[tuple[DocumentInfo, str]], list[Skipped]]:
    """The documents added on their own, with the text they were read as: their files are
    not kept, so they outlive an upgrade to a new index format in their stored text. Those
    whose text is not stored (an index too old to store texts) are lost, and said so."""
    kept, lost = [], []
    for info in (index.documents.values() if index else ()):
        if info.origin == "added":
            try:
                kept.append((info, index.document_text(info.doc_id)))
            except IndexError_:
                lost.append(Skipped(info.source, "added on its own, and this index kept no text of it to carry into "
                                                 "the new index format; add the file again"))
    return kept, lost


def _vectors(previous: CorpusIndex | None, embedder: Embedder) -> dict[str, np.ndarray]:
    """The vectors of the index in use (of any format) when the same model made them."""
    if previous is None or previous.manifest.get("model") != embedder.model_id \
            or previous.manifest.get("dimension") != embedder.dimension:
        return {}
    return known_vectors(previous)


def _commit(directory: Path, sources: list[SourceFile], embedder: Embedder, previous: CorpusIndex | None,
            manifest: dict, vectors: GenerationVectors | None, progress: bool = False) -> CorpusIndex:
    index = build_index(sources, embedder, progress=progress, known=_vectors(previous, embedder))
    index.manifest.update(manifest)
    save_index(index, directory, vectors=vectors)
    return index


# --- a folder ----------------------------------------------------------------------


def _in_step(manifest: dict | None, refs: Iterable[FileRef], embedder: Embedder) -> bool:
    """True when the index was built by this code and model from exactly these files."""
    if not manifest:
        return False
    removed = set(manifest.get("removed", []))
    return (
        manifest.get("format_version") == FORMAT_VERSION
        and manifest.get("pipeline") == PIPELINE
        and manifest.get("readers") == READERS
        and manifest.get("model") == embedder.model_id
        and manifest.get("dimension") == embedder.dimension
        and manifest.get("scanned") == {r.source: r.sha256 for r in refs if r.source not in removed}
    )


def open_index(
    paths: Iterable[Path],
    directory: Path,
    embedder: Embedder,
    *,
    rebuild: bool = False,
    progress: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    wait: bool = False,
    vectors: GenerationVectors | None = None,
) -> tuple[CorpusIndex, bool]:
    """Load the index, bringing it in step with the folder(s) when a file, the code or the
    model changed. Returns (index, built). Unchanged files are not read as text again and
    their paragraphs are not embedded again (``rebuild`` does both anew); documents added
    with :func:`change` stay. The files skipped are in ``index.manifest["skipped"]``.
    When another process is writing the index, wait for it (``wait``) or raise
    :class:`~rag.index.WriterBusy`. ``vectors`` puts a new generation's vectors where the
    vector store serves them from (``RAG_STORE``)."""
    paths = list(paths)
    refs, _ = scan(paths, max_bytes=max_bytes)
    if not rebuild and _in_step(read_manifest(directory), refs, embedder):
        return load_index(directory), False
    with writer_lock(directory, wait=wait):
        refs, _ = scan(paths, max_bytes=max_bytes)
        if not rebuild and _in_step(read_manifest(directory), refs, embedder):  # built while we waited
            return load_index(directory), False
        previous = _loadable(directory)
        current = _this_format(previous)
        removed = set(current.manifest.get("removed", [])) if current else set()
        read_alike = current is not None and current.manifest.get("readers") == READERS  # else read the files again
        known = {(d.source, d.sha256): d for d in current.documents.values() if d.origin == "folder"} if read_alike else {}

        def reuse(ref: FileRef, doc_id: str) -> SourceFile | None:
            info = known.get((ref.source, ref.sha256))
            if info is None or rebuild or current is None:
                return None
            return SourceFile(replace(info, doc_id=doc_id), current.document_text(info.doc_id), info.page_starts)

        corpus = read_sources(paths, max_bytes=max_bytes, reuse=reuse, exclude=removed)
        sources = list(corpus.sources)
        taken = {s.info.doc_id for s in sources}
        added, lost = _added(current or previous)
        for info, text in added:  # kept, under a new id if a folder file now has its id
            doc_id = document_id(info.doc_id, taken) if info.doc_id in taken else info.doc_id
            taken.add(doc_id)
            sources.append(SourceFile(replace(info, doc_id=doc_id), text, info.page_starts))
        index = _commit(directory, sources, embedder, previous, {
            "inputs": [str(Path(p).resolve()) for p in paths],
            "skipped": [s.to_dict() for s in (*corpus.skipped, *lost)],
            "scanned": {r.source: r.sha256 for r in refs if r.source not in removed},
            "removed": sorted(removed),
        }, vectors, progress)
    return index, True


# --- one document at a time ----------------------------------------------------------


def uploads_from(paths: Iterable[Path], *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[list[Upload], list[Skipped]]:
    """The files named (folders expanded) as uploads, and those that cannot be read."""
    refs, skipped = scan(paths, max_bytes=max_bytes)
    return [Upload(r.path.name, r.path.read_bytes(), r.source) for r in refs], skipped


def change(directory: Path, embedder: Embedder, *, add: Sequence[Upload] = (), remove: Sequence[str] = (),
           max_bytes: int = DEFAULT_MAX_BYTES, wait: bool = False, vectors: GenerationVectors | None = None) -> Change:
    """Add files and remove documents (by id) in one new generation. Adding embeds only
    the new text; a file already there (same bytes) is left as it is; a file of the same
    name with other bytes replaces its earlier version; removing embeds nothing.

    All or nothing: a file that cannot be used raises :class:`~rag.errors.UnusableFile`
    naming it and the reason, an unknown id :class:`~rag.errors.DocumentNotFound`, and the
    index stays as it was."""
    with writer_lock(directory, wait=wait):
        previous = _loadable(directory)
        current = _this_format(previous)
        if current is None and read_manifest(directory) is not None:  # never build over an index we cannot read
            raise IndexError_(f"the index in {directory} is damaged or was made by an older version; "
                              "run `rag ingest` first")
        documents = dict(current.documents) if current else {}
        unknown = [d for d in remove if d not in documents]
        if unknown:
            raise DocumentNotFound(f"no document with id {', '.join(map(repr, unknown))} (see `rag list`)")
        result = Change(removed=[documents.pop(d) for d in dict.fromkeys(remove)])
        by_hash = {d.sha256: d for d in documents.values()}
        by_source = {d.source: d for d in documents.values() if d.origin == "added"}
        new: list[SourceFile] = []
        for upload in add:
            suffix = Path(upload.name).suffix.lower()
            if suffix not in SUPPORTED:
                raise UnsupportedFileType(f"{upload.shown}: unsupported file type '{suffix}'; "
                                          f"supported: {', '.join(SUPPORTED)}")
            if len(upload.raw) > max_bytes:
                raise FileTooLarge(f"{upload.shown}: {over_limit(len(upload.raw), max_bytes)}")
            old = by_source.get(upload.shown)
            try:
                source = from_bytes(upload.name, upload.raw, source=upload.shown, origin="added", max_bytes=max_bytes,
                                    doc_id=old.doc_id if old else document_id(upload.name, documents))
            except Unreadable as exc:
                raise UnusableFile(f"{upload.shown}: {exc}") from None
            if source.info.sha256 in by_hash:
                result.unchanged.append(by_hash[source.info.sha256])
                continue
            (result.replaced if old else result.added).append(source.info)
            documents[source.info.doc_id] = source.info
            by_hash[source.info.sha256] = source.info
            new.append(source)
        if not (result.added or result.replaced or result.removed):
            return result
        if not documents:
            raise CorpusError("that would leave the index empty; add another document first")
        fresh = {s.info.doc_id: s for s in new}
        sources = [fresh.get(doc_id) or SourceFile(info, current.document_text(doc_id), info.page_starts)
                   for doc_id, info in documents.items()]
        manifest = {k: current.manifest[k] for k in ("inputs", "skipped", "scanned", "removed") if current and k in current.manifest}
        # the folder's texts stay as they were read: the readers that read them stay on record
        manifest["readers"] = current.manifest.get("readers", "") if current else READERS
        manifest["removed"] = sorted(set(manifest.get("removed", [])) | {d.source for d in result.removed if d.origin == "folder"})
        if "scanned" in manifest:
            manifest["scanned"] = {k: v for k, v in manifest["scanned"].items() if k not in manifest["removed"]}
        manifest["changed_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return replace(result, index=_commit(directory, sources, embedder, previous, manifest, vectors))
