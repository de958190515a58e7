"""The ``rag`` command: ingest, ask, eval, serve, ui."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Sequence

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from rag.errors import InvalidQuestion, RagError  # noqa: E402
from rag.formats import SUPPORTED  # noqa: E402
from rag.settings import Settings, get_settings  # noqa: E402


def _dir_size(path: Path) -> int:
    from rag.index import generation_dir

    generation = generation_dir(path)
    return sum(p.stat().st_size for p in generation.glob("*") if p.is_file()) if generation else 0


def _print_answer(answer: dict) -> None:
    """An answer as ``Answer.to_dict()`` (or the API) gives it."""
    print(answer["answer"])
    if answer.get("warning"):
        print(f"\n(answered from the documents directly: {answer['warning']})")
    for c in answer["citations"]:
        print(f"\n[{c['marker']}] {c['title']}")
        print(f"    {c['source']}, paragraph {c['paragraph']} (characters {c['start']}-{c['end']})")
        print(f"    \u201c{' '.join(c['quote']['text'].split())}\u201d")
    print(f"\n({answer['timings_ms'].get('total', 0):.0f} ms)")


def _from_server(settings: Settings, question: str, top_k: int | None) -> dict | None:
    """The answer of a ``rag serve`` running at the configured host and port, or None when
    none answers there (then the question is answered in this process)."""
    import httpx

    host = "127.0.0.1" if settings.host in ("0.0.0.0", "") else settings.host
    headers = {"x-api-key": sorted(settings.api_key_set)[0]} if settings.api_key_set else {}
    try:
        r = httpx.post(f"http://{host}:{settings.port}/ask", json={"question": question, "top_k": top_k},
                       headers=headers, timeout=httpx.Timeout(30, connect=0.3))
    except httpx.HTTPError:
        return None
    if r.status_code == 200:
        return r.json()
    if r.status_code in (400, 422):
        raise InvalidQuestion(r.json().get("detail", "the server refused the question"))
    return None  # busy, unauthorised, or another service on that port: answer here


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from rag.embedder import load_embedder
    from rag.collection import open_index
    from rag.store import GenerationVectors

    paths = [Path(p) for p in args.paths] or [settings.corpus_dir]
    start = time.perf_counter()
    embedder = load_embedder(settings.model)
    loaded = time.perf_counter()
    index, built = open_index(paths, settings.index_dir, embedder, rebuild=args.rebuild,
                              progress=sys.stderr.isatty() or args.progress, max_bytes=settings.max_file_bytes,
                              vectors=GenerationVectors(settings))
    done = time.perf_counter()
    m = index.manifest
    for skipped in m.get("skipped", []):
        print(f"rag: skipped {skipped['source']}: {skipped['reason']}", file=sys.stderr)
    state = "built" if built else "up to date (use --rebuild to force)"
    print(
        f"index {state}: {m['documents']} documents, {m['paragraphs']} paragraphs, "
        f"{m['windows']} windows, {m['sentences']} sentences -> {settings.index_dir} "
        f"({_dir_size(settings.index_dir) / 1e6:.1f} MB; model load {loaded - start:.1f} s, "
        f"{'index' if built else 'load'} {done - loaded:.1f} s)"
    )
    if m.get("skipped") and args.strict:
        print(f"rag: error: {len(m['skipped'])} file(s) skipped (--strict)", file=sys.stderr)
        return 1
    return 0


def _describe(info, index) -> str:
    pages = f", {info.pages} pages" if info.pages else ""
    return f"{info.doc_id} ({info.source}, {info.format}{pages}, {len(index.document_paragraphs(info.doc_id))} paragraphs)"


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from rag.collection import change, uploads_from
    from rag.embedder import load_embedder
    from rag.errors import CorpusError
    from rag.store import GenerationVectors

    uploads, unreadable = uploads_from([Path(p) for p in args.paths], max_bytes=settings.max_file_bytes)
    if unreadable:  # all or nothing: name every file that cannot be used, change nothing
        for skipped in unreadable:
            print(f"rag: error: {skipped}", file=sys.stderr)
        return 2
    if not uploads:
        raise CorpusError("nothing to add")
    result = change(settings.index_dir, load_embedder(settings.model), add=uploads, max_bytes=settings.max_file_bytes,
                    vectors=GenerationVectors(settings))
    for info in result.unchanged:
        print(f"unchanged: {info.source} is already in the index as {info.doc_id}")
    for verb, infos in (("added", result.added), ("replaced", result.replaced)):
        for info in infos:
            print(f"{verb}: {_describe(info, result.index)}")
    return 0


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    from rag.collection import ModelInfo, change
    from rag.index import read_manifest
    from rag.store import GenerationVectors

    manifest = read_manifest(settings.index_dir)
    if manifest is None:
        raise RagError(f"no index in {settings.index_dir}; nothing to remove")
    model = ModelInfo(manifest["model"], manifest["dimension"])  # removing embeds nothing: no model load
    for info in change(settings.index_dir, model, remove=args.doc_ids, vectors=GenerationVectors(settings)).removed:
        print(f"removed: {info.doc_id} ({info.source})")
    return 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from rag.index import load_index

    index = load_index(settings.index_dir)
    rows = [{"id": d.doc_id, "title": d.title, "format": d.format, "pages": d.pages,
             "paragraphs": len(index.document_paragraphs(d.doc_id)), "added": d.added, "source": d.source}
            for d in index.documents.values()]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    print(f"{'ID':<42} {'FORMAT':<6} {'PAGES':>5} {'PARAS':>5}  {'ADDED':<20} TITLE")
    for r in rows:
        print(f"{r['id'][:42]:<42} {r['format']:<6} {r['pages'] or '':>5} {r['paragraphs']:>5}  {r['added']:<20} {r['title'][:60]}")
    return 0


def _assistant(settings: Settings, paths: list[Path] | None = None):
    from rag.assistant import load_assistant

    assistant, built = load_assistant(settings, progress=sys.stderr.isatty(), paths=paths)
    if built:
        print(f"(index built in {settings.index_dir})", file=sys.stderr)
    return assistant


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    if args.question is not None:
        answer = None if args.local else _from_server(settings, args.question, args.top_k)  # it validates too
        if answer is None:
            from rag.assistant import validate_question

            validate_question(args.question, settings.max_question_chars)  # fail before loading anything
            answer = _assistant(settings).ask(args.question, top_k=args.top_k).to_dict()
        if args.json:
            print(json.dumps(answer, ensure_ascii=False, indent=2))
        else:
            _print_answer(answer)
        return 0
    return _repl(_assistant(settings), args)


def _repl(assistant, args: argparse.Namespace) -> int:
    print("Ask about the documents (empty line or Ctrl-D to quit).", file=sys.stderr)
    history: list[str] = []
    while True:
        try:
            question = input("? ").strip()
        except EOFError:
            return 0
        if not question:
            return 0
        try:
            answer = assistant.ask(question, history=history, top_k=args.top_k)
        except RagError as exc:
            print(f"rag: {exc}", file=sys.stderr)
            continue
        history.append(question)
        if args.json:
            print(json.dumps(answer.to_dict(), ensure_ascii=False))
        else:
            _print_answer(answer.to_dict())
        print()


# the evaluation corpora of eval/questions.py (kept here, so that building the parser imports no eval code)
_EVAL_CORPORA = ("main", "debian", "licences", "handbook", "maintainers", "puzzles", "sqlite", "gnucash", "devref", "history", "git", "policy", "guidebook", "astro", "rfaq")


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    if args.answerer == "llm":
        from eval.compare import compare

        return compare(settings, corpus="main" if args.corpus == "all" else args.corpus,
                       split="test" if args.split == "both" else args.split, limit=args.limit,
                       out=Path(args.out) if args.out else None)
    from eval.run import run

    splits = ("dev", "test") if args.split == "both" else (args.split,)
    corpora = None if args.corpus == "all" else (args.corpus,)
    return run(settings, gate=args.gate, out=Path(args.out) if args.out else None, splits=splits, corpora=corpora)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from api.server import serve

    return serve(settings, host=args.host or settings.host, port=args.port if args.port is not None else settings.port)


def cmd_ui(args: argparse.Namespace, settings: Settings) -> int:
    from ui.app import launch

    return launch(settings, host=args.host or settings.host, port=args.port if args.port is not None else 7860)


def _whole(low: int, high: int | None = None):
    """An argparse type: a whole number from ``low`` to ``high`` (no upper bound when None)."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
        if number < low or (high is not None and number > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"must be {bounds}, got {number}")
        return number

    return parse


def _port(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {value!r}") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 0 and 65535, got {number}")
    return number


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag", description="Cited answers from UN peace-operations documents, offline.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("ingest", help="split, embed and index documents", description=f"Build the index from {', '.join(SUPPORTED)} files (default: the corpus folder); unchanged files are not read or embedded again.")
    s.add_argument("paths", nargs="*", help="files or folders to ingest")
    s.add_argument("--rebuild", action="store_true", help="rebuild even if the index is up to date")
    s.add_argument("--progress", action="store_true", help="show a progress bar even when not on a terminal")
    s.add_argument("--strict", action="store_true", help="exit non-zero when any file is skipped")
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("add", help="add documents to the index", description="Add files (or the files in folders) to the index without rebuilding it: only their text is embedded. A file already there is left alone; a file of the same name with other content replaces it. If any file cannot be used, nothing is added.")
    s.add_argument("paths", nargs="+", help=f"files or folders ({', '.join(SUPPORTED)})")
    s.set_defaults(func=cmd_add)

    s = sub.add_parser("remove", help="remove documents from the index", description="Remove documents by id (see `rag list`); nothing is embedded.")
    s.add_argument("doc_ids", nargs="+", metavar="DOC_ID")
    s.set_defaults(func=cmd_remove)

    s = sub.add_parser("list", help="list the documents in the index", description="The documents in the index: id, format, pages, paragraphs, when added, title.")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("ask", help="answer a question with citations", description="Answer QUESTION, or start an interactive session when none is given.")
    s.add_argument("question", nargs="?", help="the question (omit for an interactive session)")
    s.add_argument("--json", action="store_true", help="print the JSON the HTTP API returns")
    s.add_argument("--top-k", type=_whole(1, 50), default=None, help="passages to retrieve (1-50)")
    s.add_argument("--local", action="store_true",
                   help="answer in this process even when a `rag serve` answers on RAG_HOST:RAG_PORT")
    s.set_defaults(func=cmd_ask)

    s = sub.add_parser("eval", help="run the evaluation suite", description="Evaluate every corpus in eval/ (dev beside test); write eval/reports/.")
    s.add_argument("--split", choices=("dev", "test", "both"), default="both", help="which split to ask (default both)")
    s.add_argument("--corpus", choices=(*_EVAL_CORPORA, "all"), default="all", help="which corpus (default all)")
    s.add_argument("--gate", action="store_true", help="exit non-zero when the test split misses the gate (eval/gate.py)")
    s.add_argument("--out", help="report folder (default eval/reports)")
    s.add_argument("--answerer", choices=("extractive", "llm"), default="extractive",
                   help="llm: the extractive and the LLM answerer side by side (eval/reports/answerers.md)")
    s.add_argument("--limit", type=_whole(1), default=None, help="with --answerer llm: ask only the first N questions")
    s.set_defaults(func=cmd_eval)

    s = sub.add_parser("serve", help="run the HTTP API (and the chat UI at /ui)", description="Serve the HTTP API with uvicorn.")
    s.add_argument("--host", default=None)
    s.add_argument("--port", type=_port, default=None)
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("ui", help="run the chat UI on its own", description="Serve the Gradio chat UI.")
    s.add_argument("--host", default=None)
    s.add_argument("--port", type=_port, default=None)
    s.set_defaults(func=cmd_ui)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = get_settings()
    except Exception as exc:  # pydantic's ValidationError: a bad RAG_* variable
        print(f"rag: error: invalid settings: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    try:
        return args.func(args, settings)
    except RagError as exc:
        print(f"rag: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
