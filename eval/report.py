"""Write an evaluation report as Markdown and a PNG plot."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from eval.harness import GATE, Report  # noqa: E402

COMPARED = ("hit@1", "hit@3", "hit@5", "mrr", "answer_in_context")


def _fmt(value: float | str) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def side_by_side(report: Report) -> str:
    """A Markdown table: the assistant beside the tutorial recipe."""
    lines = ["| metric | this assistant | tutorial recipe |", "|---|---|---|"]
    keys = list(COMPARED) + ["latency_p50_ms", "latency_p95_ms"]
    for key in keys:
        lines.append(f"| {key} | {_fmt(report.metrics.get(key, '-'))} | {_fmt(report.baseline.get(key, '-'))} |")
    if "misses_gold_in_top_k" in report.baseline:
        lines.append(f"| gold paragraph missing from top 4 | {_fmt(1 - report.metrics['hit@5'])} (top 5) | "
                     f"{_fmt(report.baseline['misses_gold_in_top_k'])} |")
    return "\n".join(lines)


def markdown(report: Report) -> str:
    m = report.metrics
    out = ["# Evaluation report", ""]
    for key, value in report.setup.items():
        out.append(f"- {key}: {_fmt(value)}")
    out += ["", "## Answers", "", "| metric | value | gate |", "|---|---|---|"]
    for key, value in m.items():
        out.append(f"| {key} | {_fmt(value)} | {'>= ' + str(GATE[key]) if key in GATE else ''} |")
    out += ["", "## Beside the tutorial recipe (same questions, same run)", "", side_by_side(report), ""]
    if report.thresholds:
        out += ["## Abstention thresholds: the trade-off", "",
                "Answer accuracy (answerable questions) against abstention accuracy (questions the",
                "documents cannot answer) for each pair of thresholds; the shipped defaults are marked.", "",
                "| min_confidence | min_coverage | answer accuracy | abstention accuracy |", "|---|---|---|---|"]
        for t in report.thresholds:
            mark = " **(default)**" if t.get("default") else ""
            out.append(f"| {t['min_confidence']:.2f} | {t['min_coverage']:.2f}{mark} | "
                       f"{t['answer_accuracy']:.3f} | {t['abstention_accuracy']:.3f} |")
        out.append("")
    out += ["## Questions", "", "| id | ok | gold rank | abstained | answer |", "|---|---|---|---|---|"]
    for r in report.rows:
        rank = min(r.ranks) if r.ranks else "-"
        text = r.answer.answer.replace("|", "\\|").replace("\n", " ")
        out.append(f"| {r.question.id} | {'yes' if r.correct else '**no**'} | {rank} | {r.answer.abstained} | {text[:160]} |")
    return "\n".join(out) + "\n"


def plot(report: Report, path: Path) -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    keys = [k for k in COMPARED if k in report.baseline]
    x = range(len(keys))
    left.bar([i - 0.2 for i in x], [report.metrics[k] for k in keys], 0.4, label="this assistant")
    left.bar([i + 0.2 for i in x], [report.baseline[k] for k in keys], 0.4, label="tutorial recipe")
    left.set_xticks(list(x), keys)
    left.set_ylim(0, 1.05)
    left.set_title("Retrieval (answerable questions)")
    left.legend(loc="lower right")
    latencies = [r.answer.timings_ms["total"] for r in report.rows]
    right.hist(latencies, bins=20)
    right.set_title("Answer latency, warm (ms)")
    right.set_xlabel("ms")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write(report: Report, folder: Path) -> tuple[Path, Path]:
    """Write ``report.md`` and ``report.png`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    md, png = folder / "report.md", folder / "report.png"
    md.write_text(markdown(report), encoding="utf-8")
    plot(report, png)
    return md, png
