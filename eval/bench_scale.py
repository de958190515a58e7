"""Scale benchmark: retrieval and answering at 1x, 10x, 100x and 1000x the shipped corpus
on FAISS flat, FAISS IVF and Milvus Lite: build time, size on disk, resident memory, warm
ask latency p50/p95, recall@10 of the approximate stores against exact search.

    python -m eval.bench_scale [--scales 1 10 100 1000] [--questions 40] [--out eval/reports]

Nothing is embedded again. Each distractor copy of a document keeps the text of its
paragraphs (the answers stay readable) and gets the real window and sentence vectors plus
Gaussian noise (cosine about 0.9 to the original) and its keyword tokens with one in five
dropped; the real documents stay in, unchanged, and the real questions are asked. Each
scale runs in a process of its own, so that its memory is its own. Writes scale.md and
scale.png to --out; asserts nothing (the machine is shared and noisy)."""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

from eval.harness import percentile
from eval.questions import CORPORA, load_questions
from rag.assistant import Assistant, build_assistant, default_answerer
from rag.index import CorpusIndex, open_index
from rag.keyword import BM25
from rag.retriever import CANDIDATES, EXACT_UP_TO, HybridSearcher
from rag.settings import PROJECT_ROOT, get_settings
from rag.store import ANN_FROM, IVF_NPROBE, FaissStore, ivf_index, ivf_lists, window_documents, window_vectors

SCALES = (1, 10, 100, 1000)
NOISE = 0.48  # relative to a unit vector: cosine 1/sqrt(1 + 0.48^2) = 0.90 to the original
KEEP_TOKENS = 0.8
MILVUS_QUERIES_AT_1000X = 20  # Milvus Lite searches in Python, about a second each at 1000x
SWEEP_QUESTIONS = 60


def rss_mb() -> float:
    """This process's resident memory now."""
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def disk_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


def noisy(vectors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = vectors + (NOISE / np.sqrt(vectors.shape[1])) * rng.standard_normal(vectors.shape, dtype=np.float32)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def synthesize(base: CorpusIndex, scale: int, seed: int = 0) -> CorpusIndex:
    """``base`` and ``scale - 1`` distractor copies of it (see the module's docstring)."""
    rng = np.random.default_rng(seed)
    windows, sentences = window_vectors(base), base.sentence_vectors
    n_par, n_win, n_sen, dim = len(base.paragraphs), len(windows), len(sentences), windows.shape[1]
    all_windows = np.empty((scale * n_win, dim), dtype=np.float32)
    all_sentences = np.empty((scale * n_sen, dim), dtype=np.float32)
    documents, paragraphs, tokens = dict(base.documents), list(base.paragraphs), list(base.keyword.documents)
    all_windows[:n_win], all_sentences[:n_sen] = windows, sentences
    for c in range(1, scale):
        all_windows[c * n_win:(c + 1) * n_win] = noisy(windows, rng)
        all_sentences[c * n_sen:(c + 1) * n_sen] = noisy(sentences, rng)
        for d in base.documents.values():
            documents[f"{d.doc_id}~{c}"] = dataclasses.replace(d, doc_id=f"{d.doc_id}~{c}", title=f"{d.title} (copy {c})")
        paragraphs.extend(dataclasses.replace(p, doc_id=f"{p.doc_id}~{c}") for p in base.paragraphs)
        tokens.extend([t for t, keep in zip(doc, rng.random(len(doc)) < KEEP_TOKENS) if keep] for doc in base.keyword.documents)
    flat = faiss.IndexFlatIP(dim)
    flat.add(all_windows)
    starts = np.concatenate([base.sentence_start[:-1] + c * n_sen for c in range(scale)] + [[scale * n_sen]])
    manifest = {**base.manifest, "generation": f"gen-bench-{scale}x", "paragraphs": len(paragraphs),
                "windows": flat.ntotal, "sentences": len(all_sentences), "documents": len(documents)}
    return CorpusIndex(
        documents=documents, paragraphs=paragraphs, window_index=flat,
        window_paragraph=np.concatenate([base.window_paragraph + c * n_par for c in range(scale)]),
        sentence_vectors=all_sentences, sentence_start=starts.astype(np.int64), keyword=BM25(tokens),
        manifest=manifest, acronyms=base.acronyms,
    )


def recall_at_10(store, exact: FaissStore, queries: np.ndarray) -> float:
    """Share of the exact top 10 windows that ``store`` finds in its top 10."""
    return float(np.mean([len(set(store.search(q, 10).ids) & set(exact.search(q, 10).ids)) / 10 for q in queries]))


def timed_asks(assistant, questions: list[str]) -> tuple[list[float], list[float], list[str]]:
    """Total and retrieval milliseconds and the answer of each question, after a warm-up."""
    for q in questions[:3]:
        assistant.ask(q)
    totals, retrieve, answers = [], [], []
    for q in questions:
        answer = assistant.ask(q)
        totals.append(answer.timings_ms["total"])
        retrieve.append(answer.timings_ms["retrieve"])
        answers.append(answer.answer)
    return totals, retrieve, answers


def searcher_ms(searcher: HybridSearcher, questions: list[str]) -> tuple[float, list[list]]:
    """Median search milliseconds (question vectors cached) and each question's top 5 paragraphs."""
    for q in questions:
        searcher.search(q, 5)  # embeds and caches
    times, tops = [], []
    for q in questions:
        start = time.perf_counter()
        passages = searcher.search(q, 5)
        times.append((time.perf_counter() - start) * 1000)
        tops.append([(p.paragraph.doc_id, p.paragraph.number) for p in passages])
    return statistics.median(times), tops


def child(scale: int, n_questions: int) -> dict:
    """Every measurement at one scale (run in a process of its own)."""
    from rag.embedder import load_embedder

    settings = get_settings()
    embedder = load_embedder(settings.model, threads=settings.serve_threads)  # as `rag serve` embeds
    base, _ = open_index([settings.corpus_dir], settings.index_dir, embedder)
    main = next(c for c in CORPORA if c.name == "main")
    every = [q.question for q in load_questions(main.questions, None)]
    tests = [q.question for q in load_questions(main.questions, "test")]
    asked = [tests[round(i * (len(tests) - 1) / max(n_questions - 1, 1))] for i in range(min(n_questions, len(tests)))]
    queries = embedder.embed_query(every)
    one_x = build_assistant(base, embedder, top_k=settings.top_k, query_cache=0)
    reference_answers = timed_asks(one_x, asked)[2]
    del one_x

    start = time.perf_counter()
    index = synthesize(base, scale)
    out = {"scale": scale, "paragraphs": len(index.paragraphs), "windows": index.window_index.ntotal,
           "sentences": len(index.sentence_vectors), "synthesize_s": time.perf_counter() - start,
           "sentence_vectors_mb": index.sentence_vectors.nbytes / 1e6, "rows": [], "sweeps": {}}
    answerer = default_answerer(index, embedder)
    flat = FaissStore(index.window_index, documents=window_documents(index))
    exact = HybridSearcher(index, embedder, store=flat, cache_size=4096, exact_up_to=10**12)
    out["exact_search_ms"], exact_tops = searcher_ms(exact, asked)
    by_candidates = HybridSearcher(index, embedder, store=flat, cache_size=4096, exact_up_to=0)
    out["candidate_search_ms"], tops = searcher_ms(by_candidates, asked)
    out["candidate_same_top5"] = float(np.mean([a == b for a, b in zip(tops, exact_tops)]))
    exact_answers = timed_asks(Assistant(index, exact, answerer, top_k=settings.top_k), asked)[2]
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))

    def row(name: str, store, build_s: float, disk: float, store_mb: float, recall: float | None,
            questions: list[str], *, every_paragraph: bool = False) -> None:
        assistant = build_assistant(index, embedder, top_k=settings.top_k, query_cache=0, answerer=answerer, store=store)
        if every_paragraph:  # the exact scoring EXACT_UP_TO keeps small collections on, for comparison
            assistant = Assistant(index, HybridSearcher(index, embedder, store=store, cache_size=0, exact_up_to=10**12),
                                  answerer, top_k=settings.top_k)
        totals, retrieve, answers = timed_asks(assistant, questions)
        n = len(answers)
        searcher = assistant.searcher
        out["rows"].append({
            "store": name, "mode": "exact" if searcher.exact else f"candidates ({searcher.candidates})",
            "build_s": build_s, "disk_mb": disk, "store_mb": store_mb, "rss_mb": rss_mb(),
            "p50_ms": statistics.median(totals), "p95_ms": percentile(totals, 0.95),
            "retrieve_p50_ms": statistics.median(retrieve), "asks": n, "recall10": recall,
            "same_as_1x": sum(a == b for a, b in zip(answers, reference_answers)) / n,
            "same_as_exact": sum(a == b for a, b in zip(answers, exact_answers)) / n,
        })
        print(f"  {scale}x {name}: {out['rows'][-1]}", file=sys.stderr, flush=True)

    # FAISS flat: the vectors as loaded with the index (windows.faiss)
    faiss.write_index(index.window_index, str(tmp / "windows.faiss"))
    row("FAISS flat", flat, out["synthesize_s"], disk_mb(tmp / "windows.faiss"),
        index.window_index.ntotal * index.window_index.d * 4 / 1e6, 1.0, asked)
    if index.window_index.ntotal > EXACT_UP_TO:
        row("FAISS flat", flat, out["synthesize_s"], disk_mb(tmp / "windows.faiss"),
            index.window_index.ntotal * index.window_index.d * 4 / 1e6, 1.0, asked, every_paragraph=True)

    # FAISS IVF: what `rag ingest` writes past ANN_FROM windows (windows-ivf.faiss, beside the flat file)
    if index.window_index.ntotal >= ANN_FROM:
        vectors = window_vectors(index)
        start = time.perf_counter()
        built = ivf_index(vectors)
        build_s = time.perf_counter() - start
        faiss.write_index(built, str(tmp / "windows-ivf.faiss"))
        del built
        before = rss_mb()
        loaded = faiss.read_index(str(tmp / "windows-ivf.faiss"))
        ivf = FaissStore(loaded, documents=window_documents(index))
        store_mb = rss_mb() - before
        row("FAISS IVF", ivf, build_s, disk_mb(tmp / "windows-ivf.faiss"), store_mb, recall_at_10(ivf, flat, queries),
            asked)
        out["sweeps"]["ivf"] = ivf_sweep(loaded, flat, queries)
        out["sweeps"]["hnsw"] = hnsw_sweep(vectors, flat, queries)
        out["sweeps"]["candidates"] = candidate_sweep(index, embedder, flat, asked_more(tests), exact)
        del vectors, ivf, loaded
    # Milvus Lite, in this process, through the product's publish step
    from rag import store_milvus

    milvus_settings = settings.model_copy(update={"store": "milvus", "milvus_uri": str(tmp / "milvus.db")})
    (tmp / "gen").mkdir()
    before = rss_mb()
    start = time.perf_counter()
    store_milvus.publish(milvus_settings, index, tmp / "gen")
    client = store_milvus.connect(str(tmp / "milvus.db"))
    name = store_milvus.collection_name(settings.milvus_collection, index.manifest["generation"])
    client.load_collection(name)
    n = index.window_index.ntotal
    milvus = store_milvus.MilvusStore(client, name, lists=ivf_lists(n) if n >= ANN_FROM else 0, size=n)
    build_s = time.perf_counter() - start
    few = asked[:MILVUS_QUERIES_AT_1000X] if scale >= 1000 else asked
    row("Milvus Lite", milvus, build_s, disk_mb(tmp / "milvus.db"), rss_mb() - before,
        recall_at_10(milvus, flat, queries[:len(few)]), few)
    store_milvus.disconnect(str(tmp / "milvus.db"))
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def asked_more(tests: list[str]) -> list[str]:
    return [tests[round(i * (len(tests) - 1) / (SWEEP_QUESTIONS - 1))] for i in range(min(SWEEP_QUESTIONS, len(tests)))]


def ivf_sweep(index: faiss.Index, flat: FaissStore, queries: np.ndarray) -> list[dict]:
    """recall@10 and single-query milliseconds of the IVF index at several numbers of probed lists."""
    rows, exact = [], [set(flat.search(q, 10).ids) for q in queries]
    for nprobe in (4, 8, 16, 32, 64):
        params = faiss.SearchParametersIVF(nprobe=nprobe)
        start = time.perf_counter()
        found = [set(index.search(q[None, :], 10, params=params)[1][0]) for q in queries]
        ms = (time.perf_counter() - start) * 1000 / len(queries)
        rows.append({"nprobe": nprobe, "lists": index.nlist, "ms": ms,
                     "recall10": float(np.mean([len(a & b) / 10 for a, b in zip(found, exact)]))})
    return rows


def hnsw_sweep(vectors: np.ndarray, flat: FaissStore, queries: np.ndarray) -> dict:
    """HNSW (M=32, efConstruction=80), the alternative the benchmark weighs: build seconds, recall@10."""
    index = faiss.IndexHNSWFlat(vectors.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 80
    start = time.perf_counter()
    index.add(vectors)
    out = {"build_s": time.perf_counter() - start, "ef": []}
    exact = [set(flat.search(q, 10).ids) for q in queries]
    for ef in (64, 256, 1024):
        params = faiss.SearchParametersHNSW(efSearch=ef)
        start = time.perf_counter()
        found = [set(index.search(q[None, :], 10, params=params)[1][0]) for q in queries]
        out["ef"].append({"ef": ef, "ms": (time.perf_counter() - start) * 1000 / len(queries),
                          "recall10": float(np.mean([len(a & b) / 10 for a, b in zip(found, exact)]))})
    return out


def candidate_sweep(index, embedder, flat, questions, exact: HybridSearcher) -> list[dict]:
    """How many candidates: the top 5 paragraphs against exact scoring, and the search time."""
    exact_ms, exact_tops = searcher_ms(exact, questions)
    rows = [{"candidates": "all (exact)", "search_ms": exact_ms, "same_top5": 1.0, "overlap5": 1.0}]
    for n in (200, 400, 800, 1600, 3200):
        searcher = HybridSearcher(index, embedder, store=flat, cache_size=4096, exact_up_to=0, candidates=n)
        ms, tops = searcher_ms(searcher, questions)
        rows.append({"candidates": n, "search_ms": ms,
                     "same_top5": float(np.mean([a == b for a, b in zip(tops, exact_tops)])),
                     "overlap5": float(np.mean([len(set(a) & set(b)) / 5 for a, b in zip(tops, exact_tops)]))})
    return rows


# --- the report ---------------------------------------------------------------------------------


def _f(value, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def write_report(results: list[dict], out: Path, elapsed_s: float) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Scale benchmark",
        "",
        f"`make bench-scale` on {platform.node() or 'this machine'}: {os.cpu_count()} cores, "
        f"{time.strftime('%Y-%m-%d')}, {elapsed_s / 60:.1f} minutes in all. Synthetic collections: "
        "the shipped corpus plus distractor copies (real window and sentence vectors plus noise, cosine "
        f"~0.90 to the original; keyword tokens {KEEP_TOKENS:.0%} kept; text unchanged). Latency: warm "
        "in-process `Assistant.ask` (question embedding included, on one thread as `rag serve` does; query cache "
        "off); recall@10: the "
        "store's top 10 windows against exact flat search over every main question.",
        "",
        f"Retrieval scores every paragraph up to {EXACT_UP_TO:,} windows (EXACT_UP_TO), past that the "
        f"best {CANDIDATES} windows and the best {CANDIDATES} paragraphs by BM25 (CANDIDATES); the FAISS store "
        f"builds IVF past {ANN_FROM:,} windows (ANN_FROM) with about 2·√n lists, {IVF_NPROBE} probed.",
        "",
        "| scale | paragraphs | windows | store | retrieval | build s | disk MB | store MB | RSS MB "
        "| ask p50 ms | ask p95 ms | retrieve p50 ms | recall@10 | same answer as 1x | same as exact | asks |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for s in r["rows"]:
            if s["mode"] == "exact" and r["windows"] > EXACT_UP_TO:
                s = {**s, "mode": "exact (not used here)"}
            lines.append(
                f"| {r['scale']}x | {r['paragraphs']:,} | {r['windows']:,} | {s['store']} | {s['mode']} "
                f"| {_f(s['build_s'])} | {_f(s['disk_mb'])} | {_f(s['store_mb'], 0)} | {_f(s['rss_mb'], 0)} "
                f"| {_f(s['p50_ms'])} | {_f(s['p95_ms'])} | {_f(s['retrieve_p50_ms'])} "
                f"| {_f(s['recall10'], 3)} | {s['same_as_1x']:.0%} | {s['same_as_exact']:.0%} | {s['asks']} |")
    lines += ["", "Same answer as 1x: the answer's text equals the one given over the shipped corpus alone; "
              "the copies (the same text, noisy vectors) compete with the originals, so answers move even when "
              "every paragraph is scored. Same as exact: against every paragraph scored at that size (what the "
              "candidates and the approximate stores cost).", "",
              "Retrieval \"exact\": every paragraph scored (all windows searched, all sentences "
              "scored with one matrix product, BM25 over all paragraphs), as up to EXACT_UP_TO windows; rows "
              "past it marked exact show what that would cost there.", "",
              "Build s: FAISS flat is the synthesis of the collection (vectors added to the flat index "
              "included); IVF is training plus adding; Milvus Lite is creating the collection, inserting, "
              "flushing and loading. Disk: the store's own files (the index folder also holds "
              "sentences.npy: " + ", ".join(f"{r['scale']}x {r['sentence_vectors_mb']:,.0f} MB" for r in results)
              + "). Store MB: resident memory the store adds (flat: its vectors, part of the loaded index). "
              "RSS: the whole process (model, synthetic index, stores built so far).", ""]
    lines += ["## Exact scoring against candidates", "",
              f"Search alone (question vector cached, flat store, {results[0]['rows'][0]['asks']} test questions):", "",
              f"| scale | windows | every paragraph scored, ms | {CANDIDATES} candidates, ms | same top 5 |",
              "|---|---|---|---|---|"]
    lines += [f"| {r['scale']}x | {r['windows']:,} | {_f(r['exact_search_ms'])} | {_f(r['candidate_search_ms'])} "
              f"| {r['candidate_same_top5']:.0%} |" for r in results]
    for r in results:
        sweeps = r["sweeps"]
        if not sweeps:
            continue
        lines += ["", f"## Choices at {r['scale']}x ({r['windows']:,} windows)", "",
                  f"Candidates against exact scoring ({SWEEP_QUESTIONS} test questions, flat store):", "",
                  "| candidates | search ms | same top 5 | top-5 overlap |", "|---|---|---|---|"]
        lines += [f"| {c['candidates']} | {_f(c['search_ms'])} | {c['same_top5']:.0%} | {c['overlap5']:.0%} |"
                  for c in sweeps["candidates"]]
        lines += ["", f"IVF, {sweeps['ivf'][0]['lists']} lists:", "", "| probed lists | ms per query | recall@10 |",
                  "|---|---|---|"]
        lines += [f"| {c['nprobe']} | {c['ms']:.2f} | {c['recall10']:.3f} |" for c in sweeps["ivf"]]
        h = sweeps["hnsw"]
        lines += ["", f"HNSW (M=32, efConstruction=80), built in {h['build_s']:.1f} s:", "",
                  "| efSearch | ms per query | recall@10 |", "|---|---|---|"]
        lines += [f"| {c['ef']} | {c['ms']:.2f} | {c['recall10']:.3f} |" for c in h["ef"]]
    md = out / "scale.md"
    md.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return md, plot(results, out / "scale.png")


def plot(results: list[dict], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    exact = [(r["windows"], s) for r in results for s in r["rows"] if s["store"] == "FAISS flat" and s["mode"] == "exact"]
    ax.plot([w for w, _ in exact], [s["p50_ms"] for _, s in exact], "s:", color="grey", label="every paragraph scored p50")
    for store, colour in (("FAISS flat", "tab:blue"), ("FAISS IVF", "tab:green"), ("Milvus Lite", "tab:red")):
        points = [(r["windows"], s) for r in results for s in r["rows"] if s["store"] == store
                  and (s["mode"] != "exact" or r["windows"] <= EXACT_UP_TO)]  # what the product does at that size
        if not points:
            continue
        x = [w for w, _ in points]
        ax.plot(x, [s["p50_ms"] for _, s in points], "o-", color=colour, label=f"{store} p50")
        ax.plot(x, [s["p95_ms"] for _, s in points], "x--", color=colour, alpha=0.6, label=f"{store} p95")
    ax.axhline(100, color="grey", lw=0.8, ls=":", label="100 ms")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("windows in the collection (1x = shipped corpus)")
    ax.set_ylabel("warm ask latency, ms")
    ax.set_title("Ask latency against collection size")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=list(SCALES), help="multiples of the corpus")
    parser.add_argument("--questions", type=int, default=40, help="test questions asked per store and scale")
    parser.add_argument("--out", default=str(PROJECT_ROOT / "eval" / "reports"), help="report folder")
    parser.add_argument("--render", action="store_true", help="only write scale.md and scale.png again from scale.json")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        Path(args.result).write_text(json.dumps(child(args.child, args.questions)), encoding="utf-8")
        return 0
    start = time.perf_counter()
    out = Path(args.out)
    if args.render:
        saved = json.loads((out / "scale.json").read_text(encoding="utf-8"))
        md, png = write_report(saved["results"], out, saved["elapsed_s"])
        print(f"report: {md}\nplot:   {png}")
        return 0
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for scale in args.scales:
            result = Path(tmp) / f"{scale}.json"
            print(f"{scale}x ...", file=sys.stderr, flush=True)
            subprocess.run([sys.executable, "-m", "eval.bench_scale", "--child", str(scale), "--questions",
                            str(args.questions), "--result", str(result)], check=True)
            results.append(json.loads(result.read_text(encoding="utf-8")))
    elapsed_s = time.perf_counter() - start
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.json").write_text(json.dumps({"results": results, "elapsed_s": elapsed_s}, indent=1), encoding="utf-8")
    md, png = write_report(results, out, elapsed_s)
    print(md.read_text(encoding="utf-8"))
    print(f"report: {md}\nplot:   {png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
