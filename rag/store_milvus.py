"""The Milvus store: window vectors in a Milvus collection, one collection per index
generation (``<RAG_MILVUS_COLLECTION>_<generation>``), so that switching generations
stays one atomic rename of the index folder's CURRENT file.

``RAG_MILVUS_URI`` is a file path ending in ``.db`` (Milvus Lite, in this process; one
process per file) or a server address such as ``http://milvus:19530`` (any number of
``rag serve`` processes). pymilvus is imported only when this store is used.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Collection, Sequence

import numpy as np

from rag.errors import IndexError_
from rag.store import (
    ANN_FROM,
    IVF_NPROBE,
    RECORD,
    Hits,
    _check_k,
    _check_rows,
    ivf_lists,
    ivf_probes,
    read_record,
    window_documents,
    window_vectors,
    write_record,
)

if TYPE_CHECKING:
    from pymilvus import MilvusClient

    from rag.index import CorpusIndex
    from rag.settings import Settings

log = logging.getLogger("rag.store")

MAX_K = 16_384  # Milvus's largest top-k
BATCH = 2_000  # rows per insert request
_clients: dict[tuple[str, str], MilvusClient] = {}
_clients_lock = threading.Lock()


def _literal(value: str) -> str:
    """A string literal for a Milvus filter expression."""
    return json.dumps(value)


class MilvusStore:
    """Vectors in one Milvus collection (fields ``id``, ``vector``, ``doc_id``), searched
    by inner product.

    Usage::

        client = connect("/tmp/vectors.db")
        store = MilvusStore.create(client, "peaceops_test", dimension=384)
        store.add(np.arange(3), vectors, ["doc-a", "doc-a", "doc-b"])
        hits = store.search(query_vector, 2, documents={"doc-a"})
    """

    def __init__(self, client: MilvusClient, collection: str, *, lists: int = 0, size: int = 0) -> None:
        """``lists`` and ``size``: an IVF_FLAT collection's lists and vectors, to probe enough lists for k hits."""
        if lists < 0 or size < 0:
            raise ValueError(f"lists and size must be 0 or more. Currently, lists={lists}, size={size}")
        self.client = client
        self.collection = collection
        self.lists, self.size = lists, size
        info = client.describe_collection(collection)
        self.dimension = next(int(f["params"]["dim"]) for f in info["fields"] if f["name"] == "vector")

    @classmethod
    def create(cls, client: MilvusClient, collection: str, dimension: int, *, lists: int = 0) -> MilvusStore:
        """A new, empty collection over inner products: FLAT (exact), or IVF_FLAT with
        ``lists`` inverted lists."""
        from pymilvus import DataType

        schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=1024)
        params = client.prepare_index_params()
        if lists:
            params.add_index("vector", index_type="IVF_FLAT", metric_type="IP", params={"nlist": lists})
        else:
            params.add_index("vector", index_type="FLAT", metric_type="IP")
        client.create_collection(collection, schema=schema, index_params=params, consistency_level="Strong")
        return cls(client, collection)

    def add(self, ids: np.ndarray, vectors: np.ndarray, documents: Sequence[str]) -> None:
        """Insert ``vectors`` with their ids and documents."""
        ids = np.asarray(ids, dtype=np.int64)
        vectors = np.asarray(vectors, dtype=np.float32)
        _check_rows(ids, vectors, documents, self.dimension)
        for start in range(0, len(ids), BATCH):
            stop = start + BATCH
            self.client.insert(self.collection, [
                {"id": int(i), "vector": v, "doc_id": d}
                for i, v, d in zip(ids[start:stop].tolist(), vectors[start:stop], documents[start:stop])
            ])

    def delete_document(self, doc_id: str) -> int:
        """Delete every vector of ``doc_id``; returns how many."""
        result: Any = self.client.delete(self.collection, filter=f"doc_id == {_literal(doc_id)}")
        if isinstance(result, dict):
            return int(result.get("delete_count", 0))
        return len(result)

    def count(self) -> int:
        """How many vectors the collection holds."""
        rows = self.client.query(self.collection, filter="", output_fields=["count(*)"], consistency_level="Strong")
        return int(rows[0]["count(*)"])

    def search(self, vector: np.ndarray, k: int, *, documents: Collection[str] | None = None) -> Hits:
        """The ``k`` (at most 16,384) best vectors by inner product, best first."""
        _check_k(k)
        expression = "" if documents is None else f"doc_id in [{', '.join(_literal(d) for d in documents)}]"
        if documents is not None and not documents:
            return Hits(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        found = self.client.search(
            self.collection, data=[np.asarray(vector, dtype=np.float32).tolist()], limit=min(int(k), MAX_K),
            filter=expression, output_fields=["id"],
            search_params={"metric_type": "IP", "params": {
                "nprobe": ivf_probes(int(k), self.lists, self.size) if self.lists else IVF_NPROBE}},
        )[0]
        return Hits(np.array([h["id"] for h in found], dtype=np.int64),
                    np.array([h["distance"] for h in found], dtype=np.float32))


def connect(uri: str, token: str = "") -> MilvusClient:
    """A client for ``uri`` (one per process and address: Milvus Lite opens a file once)."""
    key = (uri if "://" in uri else str(Path(uri).resolve()), token)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            try:
                from pymilvus import MilvusClient
                from pymilvus.exceptions import MilvusException

                lite_log = logging.getLogger("milvus_lite")  # it logs a traceback for a file in use; we say it in one line
                level = lite_log.level
                lite_log.setLevel(logging.CRITICAL)
                try:
                    client = MilvusClient(uri=key[0], token=token)
                except MilvusException as exc:
                    raise IndexError_(_cannot_open(uri, exc)) from None
                finally:
                    lite_log.setLevel(level)
            except ImportError:
                raise IndexError_("RAG_STORE=milvus needs pymilvus (and milvus-lite for a .db file)") from None
            _clients[key] = client
    return client


def _cannot_open(uri: str, exc: Exception) -> str:
    why = ("Milvus Lite serves one process per file: stop the other (rag serve?) or use a Milvus server"
           if "://" not in uri else "is the server running?")
    return f"cannot open Milvus at {uri}: {' '.join(str(getattr(exc, 'message', exc)).split())[:80]}; {why}"


def disconnect(uri: str, token: str = "") -> None:
    """Close the client for ``uri`` (and stop its Milvus Lite, releasing the file)."""
    key = (uri if "://" in uri else str(Path(uri).resolve()), token)
    with _clients_lock:
        client = _clients.pop(key, None)
    if client is not None:
        client.close()
        if "://" not in uri:
            from milvus_lite.server_manager import server_manager_instance

            server_manager_instance.release_server(key[0])


def collection_name(prefix: str, generation: str) -> str:
    """The collection of one index generation: ``<prefix>_<generation without gen->``."""
    suffix = generation.removeprefix("gen-").replace("-", "_").replace(".", "_")
    return f"{prefix}_{suffix}"


def _client(settings: Settings, uri: str | None = None) -> MilvusClient:
    return connect(uri or settings.milvus_target, settings.milvus_token.get_secret_value())


def _fill(client: MilvusClient, name: str, index: CorpusIndex) -> None:
    """Create collection ``name`` with the window vectors of ``index`` (replacing a partial one)."""
    if client.has_collection(name):
        client.drop_collection(name)
    n = index.window_index.ntotal
    store = MilvusStore.create(client, name, int(index.manifest["dimension"]), lists=ivf_lists(n) if n >= ANN_FROM else 0)
    try:
        store.add(np.arange(index.window_index.ntotal), window_vectors(index), window_documents(index))
        client.flush(name)
    except Exception:
        client.drop_collection(name)
        raise


def publish(settings: Settings, index: CorpusIndex, generation: Path) -> None:
    """Copy the window vectors of ``index`` into the collection of its generation, recorded in
    ``generation/store.json`` first (a crash then still names what to drop)."""
    uri = settings.milvus_target
    name = collection_name(settings.milvus_collection, index.manifest["generation"])
    client = _client(settings)  # before the record: nothing to drop if Milvus cannot be reached
    write_record(generation, {"store": "milvus", "uri": uri, "collection": name})
    try:
        _fill(client, name, index)
    except IndexError_:
        raise
    except Exception as exc:  # pymilvus's MilvusException and gRPC errors
        raise IndexError_(f"cannot write the vectors to Milvus at {uri} ({' '.join(str(exc).split())[:200]})") from None


def drop(settings: Settings, record: dict) -> None:
    """Drop the collection a generation's record names (a failure is logged, not raised)."""
    try:
        client = _client(settings, record.get("uri"))
        client.drop_collection(record["collection"])
    except Exception as exc:  # the generation is going either way
        log.warning("could not drop Milvus collection %s: %s", record.get("collection"), exc)


def open_generation(settings: Settings, index: CorpusIndex, directory: Path, generation: Path | None) -> MilvusStore:
    """The Milvus store of a saved generation; copied into Milvus first when it is not there
    (an index built with another store, or another Milvus), under the index's writer lock."""
    from rag.index import writer_lock

    if generation is None:
        raise IndexError_(f"the index in {directory} has no saved generation to serve from Milvus; "
                          "run `rag ingest`")
    uri = settings.milvus_target
    name = collection_name(settings.milvus_collection, generation.name)
    client = _client(settings)
    try:
        if not _whole(client, name, index):
            with writer_lock(directory, wait=True):
                if not _whole(client, name, index):
                    log.warning("copying index generation %s into Milvus collection %s", generation.name, name)
                    _fill(client, name, index)
                    if read_record(generation).get("collection") != name:
                        write_record(generation, {"store": "milvus", "uri": uri, "collection": name})
        client.load_collection(name)
        n = index.window_index.ntotal
        return MilvusStore(client, name, lists=ivf_lists(n) if n >= ANN_FROM else 0, size=n)
    except IndexError_:
        raise
    except Exception as exc:
        raise IndexError_(f"cannot read the vectors from Milvus at {uri} ({' '.join(str(exc).split())[:200]})") from None


def _whole(client: MilvusClient, name: str, index: CorpusIndex) -> bool:
    if not client.has_collection(name):
        return False
    client.load_collection(name)
    return MilvusStore(client, name).count() == index.window_index.ntotal


__all__ = ["MilvusStore", "connect", "disconnect", "collection_name", "publish", "drop", "open_generation", "RECORD"]
