"""The gate: the one place its thresholds live. It is checked on the test split only;
everything else is chosen on dev. ``rag eval --gate`` and ``make eval`` exit non-zero
when a threshold is missed."""

from __future__ import annotations

# (corpus, split) -> metric -> (comparison, threshold)
GATE: dict[tuple[str, str], dict[str, tuple[str, float]]] = {
    ("main", "test"): {
        "answer_accuracy": (">=", 0.0),
        "citation_precision": (">=", 0.0),
        "abstention_accuracy": (">=", 0.0),
        "false_abstention_rate": ("<=", 1.0),
        "paraphrase_consistency": (">=", 0.0),
        "verbatim_rate": (">=", 1.0),
    },
    ("debian", "test"): {
        "answer_accuracy": (">=", 0.0),
        "verbatim_rate": (">=", 1.0),
    },
}


def failures(corpus: str, split: str, metrics: dict[str, float]) -> list[str]:
    """The thresholds ``metrics`` misses (none for a corpus and split without a gate)."""
    out = []
    for key, (op, limit) in GATE.get((corpus, split), {}).items():
        value = metrics[key]
        if (op == ">=" and value < limit) or (op == "<=" and value > limit):
            out.append(f"{corpus}/{split} {key} {value:.3f} (gate {op} {limit})")
    return out
