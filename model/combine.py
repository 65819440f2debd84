"""Combine a comment's whole-text logit with its sentences' logits into one calibrated probability.

A linear head scores a long comment by the average of its words, so one abusive
sentence among many ordinary ones is diluted away. A comment long enough to hold
several sentences (``MIN_CHARS`` or more) is therefore also scored sentence by
sentence (``units``), and each attribute's ``Combiner`` maps three numbers to a
score before calibrating it:

    s = w_whole * z_whole + w_max * max_i z_i + w_count * log(k) + bias

``z_whole`` is the head's logit on the whole comment, ``z_i`` on its ``k`` units,
and ``log(k)`` lets the fit lower the score of long comments, whose highest
sentence climbs with their length even when every sentence is benign. A comment
of one unit has ``max z_i = z_whole`` and ``k = 1``, so it scores
``calibrator((w_whole + w_max) * z + bias)``: ``Combiner.single`` folds that into
one calibrator on ``z``, which the fast path applies inside its kernel. The
weights, bias and calibrator are fitted at training time on held-out comments,
real and built from held-out sentences (``training.combine``). Imports numpy,
``model.calibration`` and ``model.sentences``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from model.calibration import Calibrator
from model.sentences import split_sentences

MIN_CHARS = 120
"""Comments shorter than this are scored whole only: too short to dilute a sentence."""
MIN_UNIT_CHARS = 20
"""A sentence shorter than this joins the next one (or the one before, at the end): "Hi.", "Lol."."""


def units(text: str) -> list[tuple[int, int]]:
    """Return the ``[start, end)`` spans a comment is scored by: its sentences, very short ones joined.

    A comment under ``MIN_CHARS`` is one unit (the whole text), so short comments
    cost one scoring, as before sentence scoring existed.
    """
    if len(text) < MIN_CHARS:
        return [(0, len(text))]
    spans = split_sentences(text)
    if len(spans) < 2:
        return [(0, len(text))]
    out: list[tuple[int, int]] = []
    start = -1
    for a, b in spans:
        if start < 0:
            start = a
        if b - start >= MIN_UNIT_CHARS:
            out.append((start, b))
            start = -1
    if start >= 0:  # a short tail joins the unit before it
        if out:
            out[-1] = (out[-1][0], spans[-1][1])
        else:
            out.append((start, spans[-1][1]))
    return out if len(out) > 1 else [(0, len(text))]


@dataclass(frozen=True, slots=True)
class Combiner:
    """One attribute's map from (whole logit, highest unit logit, unit count) to a probability."""

    w_whole: float
    w_max: float
    w_count: float
    bias: float
    calibrator: Calibrator

    def score(
        self, z_whole: NDArray[np.float64], z_max: NDArray[np.float64], k: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """Return the uncalibrated combined scores (any equal shapes)."""
        out: NDArray[np.float64] = self.w_whole * z_whole + self.w_max * z_max + self.w_count * np.log(k) + self.bias
        return out

    def __call__(
        self, z_whole: NDArray[np.float64], z_max: NDArray[np.float64], k: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """Return calibrated probabilities."""
        return np.clip(self.calibrator(self.score(z_whole, z_max, k)), 0.0, 1.0)

    def single(self) -> Calibrator:
        """Return the calibrator on ``z`` that equals this combiner for a one-unit comment.

        Raises ``ValueError`` when ``w_whole + w_max`` is not positive: the score
        would not rise with the logit, and no calibrator on ``z`` can express that.
        """
        slope = self.w_whole + self.w_max
        if not slope > 0:
            raise ValueError(f"a combiner's weights on the logit sum to {slope}; they must be positive")
        cal = self.calibrator
        if cal.kind == "sigmoid":
            return Calibrator("sigmoid", a=cal.a * slope, b=cal.a * self.bias + cal.b)
        return Calibrator("isotonic", x=tuple((x - self.bias) / slope for x in cal.x), y=cal.y)

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-able description."""
        return {
            "w_whole": self.w_whole,
            "w_max": self.w_max,
            "w_count": self.w_count,
            "bias": self.bias,
            "calibrator": self.calibrator.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Combiner:
        """Rebuild a combiner from ``to_dict`` output."""
        numbers = {k: float(data[k]) for k in ("w_whole", "w_max", "w_count", "bias")}  # type: ignore[arg-type]
        if not all(math.isfinite(v) for v in numbers.values()):
            raise ValueError(f"combiner weights must be finite, not {numbers}")
        return cls(calibrator=Calibrator.from_dict(data["calibrator"]), **numbers)  # type: ignore[arg-type]


def unit_features(
    logits: NDArray[np.float64], counts: Sequence[int]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Return ``(z_whole, z_max, k)`` per comment from a ``units_batch`` logit matrix.

    ``logits`` holds one row per comment (its whole text) for the first
    ``len(counts)`` rows, then the rows of every multi-unit comment's units, in
    order; ``counts[i]`` is comment ``i``'s number of units (1: no unit rows).
    """
    n = len(counts)
    z_whole = logits[:n]
    z_max = z_whole.copy()
    k = np.ones((n, 1))
    row = n
    for i, c in enumerate(counts):
        if c > 1:
            z_max[i] = logits[row : row + c].max(axis=0)
            k[i] = c
            row += c
    return z_whole, z_max, k


def units_batch(texts: Sequence[str]) -> tuple[list[str], list[int], list[list[tuple[int, int]]]]:
    """Return the texts to score (every comment, then the units of the multi-unit ones), counts and spans."""
    spans = [units(t) for t in texts]
    counts = [len(s) for s in spans]
    batch = list(texts)
    for text, s in zip(texts, spans, strict=True):
        if len(s) > 1:
            batch.extend(text[a:b] for a, b in s)
    return batch, counts, spans
