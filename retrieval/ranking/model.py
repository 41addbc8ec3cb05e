"""The second stage's weights: a passage ranker and a confidence calibration, both logistic models.

The weights live in weights.json beside this file, written by `python -m retrieval.ranking.fit` from
the *training* halves of the question sets in tests/data/questions. Nothing here is tuned by hand:
change the evidence or the training questions, then refit.

Ranker: P(passage holds the answer | evidence), used only to order candidates.
Confidence: P(the top passage answers | the question's evidence about it), which decides the outcome:
"answer" at or above the answer threshold, "closest" at or above the closest threshold, else "none".
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from retrieval.ranking.evidence import BOLD_FEATURES, FEATURES

WEIGHTS_PATH = Path(__file__).with_name("weights.json")

CONFIDENCE_FEATURES = (
    "top_logit",
    "margin",
    "cov_all",
    "cov_text",
    "cov_sentence",
    "cov_window",
    "cov_rest",
    "cov_rest_window",
    "unknown_share",
    "type_sentence",
    "type_missing",
    "wants_type",
    "bm25_share",
    "n_concepts",
    "same_announcement_second",
    "softmax_top",
    "cov_title",
    "ann_mass",
    "counted_missing",
    "counted_sentence",
)


@dataclass(frozen=True)
class Logistic:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def logits(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(((x - self.mean) / self.scale) @ self.coef + self.intercept, np.float64)

    def to_json(self) -> dict[str, object]:
        return {
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "coef": [round(float(v), 6) for v in self.coef],
            "intercept": round(self.intercept, 6),
        }

    @classmethod
    def from_json(cls, data: dict[str, object], width: int) -> Logistic:
        mean = np.asarray(data["mean"], np.float64)
        scale = np.asarray(data["scale"], np.float64)
        coef = np.asarray(data["coef"], np.float64)
        if not (len(mean) == len(scale) == len(coef) == width):
            raise ValueError("weights do not match the features; refit with python -m retrieval.ranking.fit")
        return cls(mean, scale, coef, float(data["intercept"]))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Weights:
    ranker: Logistic
    confidence: Logistic
    answer_threshold: float
    closest_threshold: float
    sentence_weights: tuple[float, float]
    bold_weights: tuple[float, ...] | None = None  # over BOLD_FEATURES; None: bold the evidence's sentence

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "features": list(FEATURES),
            "confidence_features": list(CONFIDENCE_FEATURES),
            "ranker": self.ranker.to_json(),
            "confidence": self.confidence.to_json(),
            "thresholds": {"answer": self.answer_threshold, "closest": self.closest_threshold},
            "sentence_weights": list(self.sentence_weights),
        }
        if self.bold_weights is not None:
            out["bold_features"] = list(BOLD_FEATURES)
            out["bold_weights"] = [round(w, 6) for w in self.bold_weights]
        return out

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Weights:
        features, confidence_features = data.get("features"), data.get("confidence_features")
        if not isinstance(features, list) or not isinstance(confidence_features, list):
            raise ValueError("weights.json lists no features; refit with python -m retrieval.ranking.fit")
        if features != list(FEATURES) or confidence_features != list(CONFIDENCE_FEATURES):
            raise ValueError(
                "weights were fitted for other features; refit with python -m retrieval.ranking.fit"
            )
        thresholds = data["thresholds"]
        assert isinstance(thresholds, dict)
        sentence = data.get("sentence_weights", [1.0, 0.3])
        assert isinstance(sentence, list)
        return cls(
            ranker=Logistic.from_json(data["ranker"], len(FEATURES)),  # type: ignore[arg-type]
            confidence=Logistic.from_json(data["confidence"], len(CONFIDENCE_FEATURES)),  # type: ignore[arg-type]
            answer_threshold=float(thresholds["answer"]),
            closest_threshold=float(thresholds["closest"]),
            sentence_weights=(float(sentence[0]), float(sentence[1])),
            bold_weights=_bold_weights(data),
        )


def _bold_weights(data: dict[str, object]) -> tuple[float, ...] | None:
    weights, names = data.get("bold_weights"), data.get("bold_features")
    if not isinstance(weights, list) or names != list(BOLD_FEATURES):
        return None  # fitted before the bold model, or for other features: bold as the evidence reads
    return tuple(float(w) for w in weights)


@cache
def load_weights(path: Path = WEIGHTS_PATH) -> Weights:
    return Weights.from_json(json.loads(path.read_text(encoding="utf-8")))


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(x, 40.0), -40.0)))
