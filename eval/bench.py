"""Benchmark: cold ingest (beside the LangChain tutorial recipe on the same files and
model), index size, warm in-process ``ask`` latency, peak memory.

    python -m eval.bench [--rounds 5]

Prints figures; it asserts nothing (the machine is shared and noisy)."""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from eval.harness import percentile
from eval.questions import CORPORA, load_questions
from rag.assistant import build_assistant
from rag.embedder import load_embedder
from rag.index import generation_dir
from rag.collection import open_index
from rag.settings import get_settings


def tutorial_recipe(corpus: Path, model_name: str) -> tuple[float, int]:
    """The LangChain RAG tutorial's ingest on the same files with the same model: 1,000
    character chunks with 200 overlap, embedded in batches of 32 by the same model, into a flat FAISS index.
    Returns (seconds, chunks)."""
    import faiss
    from langchain_text_splitters import RecursiveCharacterTextSplitter
    from sentence_transformers import SentenceTransformer

    from rag.embedder import resolve_model_path

    model = SentenceTransformer(str(resolve_model_path(model_name)), device="cpu", local_files_only=True)
    start = time.perf_counter()  # the model is loaded before the clock starts, as ours is
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    chunks = [c for path in sorted(corpus.glob("*.txt")) for c in splitter.split_text(path.read_text(encoding="utf-8"))]
    vectors = model.encode(chunks, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    return time.perf_counter() - start, len(chunks)


def one_shot(question: str) -> None:
    """`rag ask` as a user runs it: a fresh process, without and with a `rag serve` running."""
    import os
    import subprocess
    import sys

    from eval.load import free_port, serve_on_free_port

    port = free_port()
    env = {**os.environ, "RAG_PORT": str(port)}

    def ask(*flags: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "rag", "ask", question, *flags], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start

    alone = ask("--local")
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    server, _ = serve_on_free_port({}, port)
    try:
        ask()  # warm the server
        served = statistics.median(ask() for _ in range(3))
    finally:
        server.terminate()
        server.wait(timeout=15)
    print(f"rag ask, one shot:     {alone:8.2f} s alone (peak RSS {rss:.0f} MB), {served:.2f} s with rag serve running")


def twenty_pages() -> bytes:
    """A real 20-page PDF: Debian's freely licensed documents (eval/corpora/debian), about
    360 words a page (11 pt), written with fpdf2."""
    from eval.samples import pdf_bytes

    folder = Path(__file__).parent / "corpora" / "debian"
    paragraphs = [p for f in sorted(folder.glob("*.txt")) for p in f.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    pages, page, words = [], [], 0
    for paragraph in paragraphs:
        page.append(" ".join(paragraph.split()).encode("latin-1", "replace").decode("latin-1"))
        words += len(paragraph.split())
        if words >= 360:
            pages.append("\n\n".join(page))
            page, words = [], 0
        if len(pages) == 20:
            break
    return pdf_bytes(pages, title="Debian documents (20 pages)")


def collection_changes(directory: Path, embedder) -> None:
    """Add one 20-page PDF to the indexed corpus, then remove it (targets: 5 s and 1 s)."""
    from rag.collection import ModelInfo, Upload, change

    pdf = twenty_pages()
    start = time.perf_counter()
    added = change(directory, embedder, add=[Upload("twenty-pages.pdf", pdf)])
    add_s = time.perf_counter() - start
    info = added.added[0]
    m = added.index.manifest
    start = time.perf_counter()
    change(directory, ModelInfo(embedder.model_id, embedder.dimension), remove=[info.doc_id])
    remove_s = time.perf_counter() - start
    print(f"add a {info.pages}-page PDF:     {add_s:8.2f} s  ({len(added.index.document_paragraphs(info.doc_id))} paragraphs; "
          f"index now {m['windows'] + m['sentences']} texts; target < 5 s)")
    print(f"remove it:             {remove_s:8.2f} s  (nothing embedded; target < 1 s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="times each evaluation question is asked")
    args = parser.parse_args()
    settings = get_settings()

    start = time.perf_counter()
    embedder = load_embedder(settings.model)
    model_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        index, _ = open_index([settings.corpus_dir], Path(tmp), embedder, rebuild=True)
        ingest_s = time.perf_counter() - start
        size = sum(p.stat().st_size for p in generation_dir(Path(tmp)).iterdir())
        start = time.perf_counter()
        open_index([settings.corpus_dir], Path(tmp), embedder)
        load_s = time.perf_counter() - start
        collection_changes(Path(tmp), embedder)
    recipe_s, recipe_chunks = tutorial_recipe(settings.corpus_dir, settings.model)

    assistant = build_assistant(index, embedder, top_k=settings.top_k, query_cache=0)  # every ask embeds its question
    questions = [q.question for q in load_questions(CORPORA[0].questions, "dev")]
    for q in questions[:5]:
        assistant.ask(q)  # warm-up
    totals, retrieve = [], []
    for _ in range(args.rounds):
        for q in questions:
            answer = assistant.ask(q)
            totals.append(answer.timings_ms["total"])
            retrieve.append(answer.timings_ms["retrieve"])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    m = index.manifest
    print(f"corpus: {m['documents']} documents, {m['paragraphs']} paragraphs, {m['windows']} windows, {m['sentences']} sentences")
    print(f"model load:            {model_s:8.2f} s")
    texts = m["windows"] + m["sentences"]
    print(f"cold ingest (embed):   {ingest_s:8.2f} s  ({texts} texts, {texts / ingest_s:.0f} texts/s)")
    print(f"tutorial recipe:       {recipe_s:8.2f} s  ({recipe_chunks} chunks of 1,000 characters; "
          f"ours / recipe = {ingest_s / recipe_s:.2f})")
    print(f"index load (warm):     {load_s * 1000:8.1f} ms")
    print(f"index size on disk:    {size / 1e6:8.2f} MB")
    print(f"ask, warm, in-process: p50 {statistics.median(totals):.1f} ms, p95 {percentile(totals, 0.95):.1f} ms, "
          f"max {max(totals):.1f} ms over {len(totals)} asks (retrieve p50 {statistics.median(retrieve):.1f} ms)")
    print(f"peak RSS:              {peak_mb:8.1f} MB")
    one_shot(questions[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
