"""Decision thresholds chosen by stated rules: three presets per attribute, one of them the default.

Each preset is a rule on pooled held-out data (the validation split's tuning
half, never the rows the card reports on):

- ``high_precision``: the lowest threshold whose precision is at least 0.9;
- ``balanced`` (the default): the lowest threshold whose precision is at least 0.8;
- ``high_recall``: the highest threshold whose recall is at least 0.9.

Where an attribute cannot reach a precision target on any threshold, the preset
is the threshold of the highest precision it does reach (with at least
``MIN_FLAGGED`` positives flagged) and says so (``reached: false`` and the
reason), instead of quietly pretending. The presets stay in order:
``high_precision`` is never below ``balanced``, nor ``balanced`` below
``high_recall``. Precision is measured with the
rows' weights, so the caller decides the share of positives it assumes.
Imports numpy only.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import NDArray

PRESETS: dict[str, tuple[str, float]] = {
    "high_precision": ("precision", 0.9),
    "balanced": ("precision", 0.8),
    "high_recall": ("recall", 0.9),
}
DEFAULT_PRESET = "balanced"
MIN_FLAGGED = 10
"""A precision target counts as reached only with at least this many positives flagged (weighted)."""


@dataclass(frozen=True, slots=True)
class Preset:
    """One attribute's threshold under one rule, and what it gave on the data it was chosen on."""

    threshold: float
    precision: float
    recall: float
    reached: bool
    rule: str

    def as_dict(self) -> dict[str, object]:
        """Return a JSON-able description."""
        return asdict(self)


def _curve(
    p: NDArray[np.float64], y: NDArray[np.int64], w: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Return candidate thresholds (descending) and weighted precision, recall and true-positive weight at each."""
    order = np.argsort(-p, kind="stable")
    ps, ys, ws = p[order], y[order], w[order]
    tp = np.cumsum(ws * ys)
    fp = np.cumsum(ws * (1 - ys))
    last = np.r_[np.flatnonzero(np.diff(ps)), len(ps) - 1]  # the last row of each run of equal scores
    total = max(float((ws * ys).sum()), 1e-12)
    tp, fp = tp[last], fp[last]
    return ps[last], tp / np.maximum(tp + fp, 1e-12), tp / total, tp


def lowest_reaching(p: NDArray[np.float64], y: NDArray[np.int64], target: float) -> float | None:
    """Return the lowest score whose precision is at least ``target`` with enough positives flagged, if any."""
    thresholds, precision, _, tp = _curve(p, y, np.ones(len(p)))
    ok = np.flatnonzero((precision >= target) & (tp >= MIN_FLAGGED))
    return float(thresholds[ok[-1]]) if len(ok) else None


def _floor(t: float) -> float:
    """Floor a threshold to 4 decimals, so every row at the chosen score stays flagged (``p >= t``)."""
    return min(max(math.floor(t * 10_000) / 10_000, 0.0001), 0.9999)


def choose(p: NDArray[np.float64], y: NDArray[np.int64], w: NDArray[np.float64] | None = None) -> dict[str, Preset]:
    """Return every preset's threshold for scores ``p`` and labels ``y`` (weights ``w``)."""
    w = np.ones(len(p)) if w is None else w
    thresholds, precision, recall, tp = _curve(p, y, w)
    enough = np.flatnonzero(tp >= MIN_FLAGGED)
    candidates = enough if len(enough) else np.arange(len(thresholds))
    best = int(candidates[np.argmax(precision[candidates])])
    out: dict[str, Preset] = {}
    for name, (kind, target) in PRESETS.items():
        if kind == "precision":
            ok = np.flatnonzero((precision >= target) & (tp >= MIN_FLAGGED))
            if len(ok):
                i = int(ok[-1])  # the lowest threshold that still meets the target
                rule = f"lowest threshold with precision >= {target:g}"
                reached = True
            else:
                i = best
                rule = (
                    f"precision {target:g} is not reached at any threshold; the threshold of the highest "
                    f"precision reached ({precision[best]:.2f}) instead"
                )
                reached = False
        else:
            i = int(np.flatnonzero(recall >= target)[0])  # the highest threshold reaching the recall
            rule = f"highest threshold with recall >= {target:g}"
            reached = True
        out[name] = Preset(_floor(float(thresholds[i])), float(precision[i]), float(recall[i]), reached, rule)
    for lower, upper in (("high_recall", "balanced"), ("balanced", "high_precision")):
        if out[upper].threshold < out[lower].threshold:  # keep the presets in order
            kept = out[lower]
            note = f"; raised to the {lower} threshold, which is higher"
            out[upper] = Preset(kept.threshold, kept.precision, kept.recall, out[upper].reached, out[upper].rule + note)
    return out


def measure(p: NDArray[np.float64], y: NDArray[np.int64], threshold: float) -> tuple[float, float]:
    """Return (precision, recall) of flagging ``p >= threshold`` (NaN precision when nothing is flagged)."""
    flagged = p >= threshold
    tp = float((flagged & (y == 1)).sum())
    precision = tp / flagged.sum() if flagged.any() else float("nan")
    recall = tp / max(float((y == 1).sum()), 1e-12)
    return precision, recall
