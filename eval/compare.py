"""``rag eval --answerer llm``: the same questions through the extractive answerer and the
LLM answerer side by side: accuracy, citations, verbatim quotes, claims dropped,
fallbacks and latency. Writes ``eval/reports/answerers.md``.

With no ``RAG_LLM_BASE_URL`` set, the bundled tiny model is served on loopback for the
run (``eval/llm_server.py``); point it at Ollama, vLLM or any OpenAI-compatible host to
measure a real model."""

from __future__ import annotations

from pathlib import Path

from rag.answering.llm import LLMAnswerer, openai_chat_model
from rag.assistant import Assistant
from rag.embedder import load_embedder
from rag.settings import PROJECT_ROOT, Settings

from eval.harness import Report, evaluate, percentile
from eval.questions import CORPORA, load_questions
from eval.run import corpus_assistant

ROWS = (("answers right", "answer_accuracy"), ("right source cited", "citation_precision"),
        ("abstention on unanswerables", "abstention_accuracy"), ("false abstention", "false_abstention_rate"),
        ("citations verbatim", "verbatim_rate"))


def llm_figures(report: Report) -> dict[str, float]:
    answers = [r.answer for r in report.rows]
    return {
        "answered by the LLM": sum(a.answerer == "llm" for a in answers) / max(len(answers), 1),
        "extractive fallbacks": sum(a.answerer == "extractive-fallback" for a in answers),
        "claims dropped": sum(a.claims_dropped for a in answers),
    }


def table(reports: dict[str, Report]) -> str:
    names = list(reports)
    lines = ["| | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for label, key in ROWS:
        lines.append(f"| {label} | " + " | ".join(f"{reports[n].metrics[key]:.3f}" for n in names) + " |")
    for label in ("answered by the LLM", "extractive fallbacks", "claims dropped"):
        lines.append(f"| {label} | " + " | ".join(
            f"{llm_figures(reports[n])[label]:.3g}" if n == "llm" else "-" for n in names) + " |")
    for q in (0.5, 0.95):
        lines.append(f"| latency p{int(q * 100)} ms | " + " | ".join(
            f"{percentile([r.answer.timings_ms.get('total', 0.0) for r in reports[n].rows], q):.0f}" for n in names) + " |")
    return "\n".join(lines)


def compare(settings: Settings, *, corpus: str = "main", split: str = "test", limit: int | None = None,
            out: Path | None = None) -> int:
    server = None
    base_url = settings.llm_base_url
    if "llm_base_url" not in settings.model_fields_set:
        from eval.llm_server import start

        server = start()
        base_url = f"{server.listening_address}/v1"
    try:
        chosen = next(c for c in CORPORA if c.name == corpus)
        embedder = load_embedder(settings.model)
        extractive = corpus_assistant(chosen, settings, embedder)
        model = openai_chat_model(base_url, settings.llm_model, settings.llm_api_key.get_secret_value(),
                                  settings.llm_timeout_s)
        llm = Assistant(extractive.index, extractive.searcher,
                        LLMAnswerer(model, extractive.answerer, min_support=settings.llm_min_support),
                        top_k=extractive.top_k)
        questions = load_questions(chosen.questions, split)
        if limit and limit < len(questions):  # spread over the file (it is grouped by kind), not its head
            questions = questions[:: len(questions) // limit][:limit]
        reports = {"extractive": evaluate(extractive, questions, corpus=corpus, split=split),
                   "llm": evaluate(llm, questions, corpus=corpus, split=split)}
    finally:
        del server
    text = (f"# Answerers side by side\n\n{corpus} corpus, {split} split, {len(questions)} questions; "
            f"LLM at {base_url} (model {settings.llm_model!r}), min support {settings.llm_min_support}.\n\n"
            + table(reports) + "\n")
    folder = out or PROJECT_ROOT / "eval" / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "answerers.md").write_text(text, encoding="utf-8")
    print(text)
    return 0
