"""The fitted answer selector: a logistic model over candidate features, and a second
one over question features that gives a calibrated probability the answer is right.

The weights are data, not code: ``selector.json`` beside this module, written by
``make train`` (``eval/train.py``) from the dev split and documents only.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from rag.errors import IndexError_

DEFAULT_PATH = Path(__file__).with_name("selector.json")


@dataclass(frozen=True, slots=True)
class Logistic:
    """A standardised logistic regression: p = sigmoid(w . (x - mean) / scale + b)."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def score(self, x: Sequence[float]) -> float:
        """The linear score w . (x - mean) / scale + b."""
        return self.intercept + sum(w * (v - m) / s for w, v, m, s in zip(self.coef, x, self.mean, self.scale))

    def probability(self, x: Sequence[float]) -> float:
        return 1.0 / (1.0 + math.exp(-max(min(self.score(x), 40.0), -40.0)))

    def softmax(self, rows: Sequence[Sequence[float]]) -> list[float]:
        """Scores turned into a distribution over ``rows`` (the candidates of one question)."""
        if not rows:
            return []
        z = [self.score(x) for x in rows]
        top = max(z)
        e = [math.exp(v - top) for v in z]
        total = sum(e)
        return [v / total for v in e]

    def to_json(self) -> dict:
        return {"features": list(self.features), "mean": list(self.mean), "scale": list(self.scale),
                "coef": list(self.coef), "intercept": self.intercept}

    @classmethod
    def from_json(cls, data: dict) -> "Logistic":
        return cls(tuple(data["features"]), tuple(data["mean"]), tuple(data["scale"]), tuple(data["coef"]), float(data["intercept"]))


@dataclass(frozen=True, slots=True)
class Selector:
    """Scores candidates (``select``) and questions (``confidence``); abstains below ``threshold``."""

    select: Logistic
    confidence: Logistic
    threshold: float
    meta: dict
    version: str = ""

    def to_json(self) -> dict:
        return {"select": self.select.to_json(), "confidence": self.confidence.to_json(),
                "threshold": self.threshold, "meta": self.meta}

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")


def load_selector(path: Path = DEFAULT_PATH, *, expect: tuple[tuple[str, ...], tuple[str, ...]] | None = None) -> Selector:
    """Read a fitted selector; ``expect`` checks its feature names against the code's."""
    try:
        raw = path.read_bytes()
        data = json.loads(raw)
        selector = Selector(Logistic.from_json(data["select"]), Logistic.from_json(data["confidence"]),
                            float(data["threshold"]), data.get("meta", {}), hashlib.sha256(raw).hexdigest()[:12])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexError_(f"the answer selector {path} is missing or unreadable ({exc}); run `make train`") from exc
    if expect and (selector.select.features, selector.confidence.features) != expect:
        raise IndexError_(f"the answer selector {path} was fitted on other features; run `make train`")
    return selector
