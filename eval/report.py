"""Write the evaluation report: dev beside test, per corpus and per kind, the confusion
between answer / wrong answer / abstain, and a calibration plot of the abstention score."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from eval.gate import GATE  # noqa: E402
from eval.harness import ABSTAIN, RIGHT, WRONG, Report, by_kind, calibration  # noqa: E402

SHOWN = ("questions", "answer_accuracy", "citation_precision", "abstention_accuracy", "false_abstention_rate",
         "overall_accuracy", "paraphrase_consistency", "paraphrase_groups", "hit@1", "hit@5", "verbatim_rate",
         "median_answer_chars", "latency_p50_ms", "latency_p95_ms")


def _fmt(value) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _gate(corpus: str, key: str) -> str:
    rule = GATE.get((corpus, "test"), GATE.get((corpus, "all"), {})).get(key)
    return f"{rule[0]} {rule[1]}" if rule else ""


def side_by_side(reports: Sequence[Report]) -> str:
    """One Markdown table: every corpus and split as a column, the gate beside test."""
    head = "| metric | " + " | ".join(f"{r.corpus} {r.split}" for r in reports) + " | gate (test) |"
    lines = [head, "|---" * (len(reports) + 2) + "|"]
    for key in SHOWN:
        gates = "; ".join(f"{c}: {_gate(c, key)}" for c in dict.fromkeys(r.corpus for r in reports) if _gate(c, key))
        lines.append(f"| {key} | " + " | ".join(_fmt(r.metrics.get(key, "-")) for r in reports) + f" | {gates} |")
    return "\n".join(lines)


def kind_table(reports: Sequence[Report]) -> str:
    """Per kind, each report's correct share and its right / wrong / abstain counts."""
    tables = [by_kind(r.rows) for r in reports]
    kinds = sorted({k for t in tables for k in t})
    lines = ["| kind | " + " | ".join(f"{r.corpus} {r.split}: correct (right/wrong/abstain)" for r in reports) + " |",
             "|---" * (len(reports) + 1) + "|"]
    for kind in kinds:
        cells = []
        for t in tables:
            c = t.get(kind)
            cells.append(f"{c['correct'] / c['n']:.2f} of {c['n']} ({c[RIGHT]}/{c[WRONG]}/{c[ABSTAIN]})" if c else "-")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def confusion(report: Report) -> str:
    rows = {"answerable": {RIGHT: 0, WRONG: 0, ABSTAIN: 0}, "unanswerable": {RIGHT: 0, WRONG: 0, ABSTAIN: 0}}
    for r in report.rows:
        rows["answerable" if r.question.answerable else "unanswerable"][r.verdict] += 1
    lines = [f"**{report.corpus} {report.split}** | right answer | wrong answer | abstained", "|---|---|---|---|"]
    for name, cell in rows.items():
        lines.append(f"| {name} | {cell[RIGHT]} | {cell[WRONG]} | {cell[ABSTAIN]} |")
    return "\n".join(lines)


def plot(reports: Sequence[Report], path: Path) -> Path:
    """Calibration: mean abstention score against the share of answers that are right."""
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.plot([0, 1], [0, 1], ls=":", color="grey", label="perfect calibration")
    for r in reports:
        points = calibration(r.rows)
        if points:
            xs, ys, ns = zip(*points)
            ax.plot(xs, ys, marker="o", label=f"{r.corpus} {r.split}")
            for x, y, n in points:
                ax.annotate(str(n), (x, y), fontsize=6, xytext=(2, 2), textcoords="offset points")
    ax.set_xlabel("confidence (calibrated probability the answer is right)")
    ax.set_ylabel("share right when forced to answer")
    ax.set_title("Abstention score calibration (labels: questions per bin)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def markdown(reports: Sequence[Report], setup: dict, failures: list[str]) -> str:
    out = ["# Evaluation report", ""]
    out += [f"- {k}: {_fmt(v)}" for k, v in setup.items()]
    out += ["", "## Dev beside test", "", side_by_side(reports), "",
            "Gate: " + ("passed" if not failures else "; ".join(failures)), "",
            "## Per kind", "", kind_table(reports), "", "## Confusion", ""]
    for r in reports:
        out += [confusion(r), ""]
    out += ["## Calibration", "", "![calibration](report.png)", "", "## Misses (dev only: test misses are not shown, so no one tunes on them)", ""]
    for r in reports:
        if r.split != "dev":
            continue
        for row in r.rows:
            if not row.correct:
                out.append(f"- {r.corpus} `{row.question.id}` ({row.question.kind}, {row.verdict}): "
                           f"{row.question.question} -> {row.answer.answer[:160]}")
    return "\n".join(out) + "\n"


def write(reports: Sequence[Report], setup: dict, failures: list[str], folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    md = folder / "report.md"
    md.write_text(markdown(reports, setup, failures), encoding="utf-8")
    return md, plot(reports, folder / "report.png")
