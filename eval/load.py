"""Bounded load test of ``POST /ask`` on loopback, every question uncached: throughput,
latency of answered requests, and fast 503s (admission control) at 1 to 32 clients.

    python -m eval.load [--url http://127.0.0.1:8000] [--requests 300] [--seconds 20] [--plot PNG]

Without --url it starts ``rag serve`` (query cache off, the current RAG_* settings
otherwise) on a free loopback port and stops it afterwards. Each level sends at most
--requests requests and runs at most --seconds seconds. A client that gets a 503 waits
as its Retry-After says (at most --backoff seconds) before its next question."""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from eval.harness import percentile
from eval.questions import CORPORA, load_questions


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_on_free_port(env: dict[str, str], port: int | None = None) -> tuple[subprocess.Popen, str]:
    """`rag serve` (with ``env`` over the current settings) on a loopback port, once healthy."""
    port = port or free_port()
    proc = subprocess.Popen([sys.executable, "-m", "rag", "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **env})
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    return proc, url


def level(url: str, clients: int, questions: list[str], max_requests: int, max_seconds: float,
          backoff: float = 1.0) -> dict:
    latencies: list[float] = []
    refusals: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(max_requests))
    deadline = time.monotonic() + max_seconds

    def worker() -> None:
        nonlocal errors
        with httpx.Client(timeout=30) as client:
            while time.monotonic() < deadline:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                start = time.perf_counter()
                try:
                    r = client.post(url + "/ask", json={"question": questions[i % len(questions)]})
                    status = r.status_code
                except httpx.HTTPError:
                    status = 0
                elapsed = (time.perf_counter() - start) * 1000
                with lock:
                    if status == 200:
                        latencies.append(elapsed)
                    elif status == 503:
                        refusals.append(elapsed)
                    else:
                        errors += 1
                if status == 503:
                    time.sleep(min(float(r.headers.get("retry-after", 1)), backoff))

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    return {"clients": clients, "answered": len(latencies), "refused": len(refusals), "errors": errors,
            "rps": len(latencies) / wall, "p50": statistics.median(latencies) if latencies else 0.0,
            "p95": percentile(latencies, 0.95), "refusal_p95": percentile(refusals, 0.95)}


LEVELS = (1, 2, 4, 8, 16, 32)
HEADER = f"{'clients':>7} {'answered':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'503s':>5} {'503 p95':>8} {'errors':>6}"


def row(r: dict) -> str:
    return (f"{r['clients']:>7} {r['answered']:>8} {r['rps']:>7.1f} {r['p50']:>7.1f} {r['p95']:>7.1f} "
            f"{r['refused']:>5} {r['refusal_p95']:>8.1f} {r['errors']:>6}")


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    clients = [r["clients"] for r in results]
    fig, left = plt.subplots(figsize=(7, 4))
    left.plot(clients, [r["p50"] for r in results], "o-", label="p50 answered (ms)")
    left.plot(clients, [r["p95"] for r in results], "s-", label="p95 answered (ms)")
    left.set_xscale("log", base=2)
    left.set_xlabel("concurrent clients")
    left.set_ylabel("latency (ms)")
    right = left.twinx()
    right.bar(clients, [r["rps"] for r in results], alpha=0.2, width=[c * 0.4 for c in clients], label="answered req/s")
    right.set_ylabel("answered req/s")
    left.legend(loc="upper left")
    left.set_title("POST /ask under load, uncached (503s are refused at once)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)), help="client counts, comma-separated")
    parser.add_argument("--backoff", type=float, default=1.0, help="longest wait after a 503 (seconds)")
    parser.add_argument("--plot", default=str(Path(__file__).parent / "reports" / "load.png"))
    args = parser.parse_args()
    proc = None
    url = args.url
    if url is None:
        proc, url = serve_on_free_port({"RAG_QUERY_CACHE": "0"})
    try:
        questions = [q.question for q in load_questions(CORPORA[0].questions, "dev")]
        level(url, 4, questions, 40, 10)  # warm-up
        print(HEADER, flush=True)
        results = []
        for clients in (int(c) for c in args.levels.split(",")):
            results.append(level(url, clients, questions, args.requests, args.seconds, args.backoff))
            print(row(results[-1]), flush=True)
        if args.plot:
            plot(results, Path(args.plot))
            print(f"plot: {args.plot}")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
