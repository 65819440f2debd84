"""Calibrators: map a head's raw logit to a probability.

Stored as plain numbers so the artifact does not depend on scikit-learn's
calibration classes: ``sigmoid`` is Platt scaling, ``p = 1 / (1 + exp(-(a z + b)))``;
``isotonic`` is a monotone step function, interpolated linearly between knots.
Training (``training.calibrate``) fits them on held-out-fold logits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class Calibrator:
    """A fitted logit-to-probability map."""

    kind: Literal["sigmoid", "isotonic"]
    a: float = 1.0
    b: float = 0.0
    x: tuple[float, ...] = field(default_factory=tuple)
    y: tuple[float, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.kind == "isotonic":
            if len(self.x) < 2 or len(self.x) != len(self.y):
                raise ValueError("isotonic calibrator needs matching knots (at least two)")
            if any(b < a for a, b in zip(self.x, self.x[1:], strict=False)):
                raise ValueError("isotonic knots must be sorted")
        elif self.kind != "sigmoid":
            raise ValueError(f"unknown calibrator kind {self.kind!r}")

    def __call__(self, z: NDArray[np.float64]) -> NDArray[np.float64]:
        """Return probabilities for logits ``z`` (any shape)."""
        if self.kind == "sigmoid":
            out: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-(self.a * z + self.b)))
            return out
        return np.interp(z, self.x, self.y)

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-able description."""
        if self.kind == "sigmoid":
            return {"kind": "sigmoid", "a": self.a, "b": self.b}
        return {"kind": "isotonic", "x": list(self.x), "y": list(self.y)}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Calibrator:
        """Rebuild a calibrator from ``to_dict`` output."""
        kind = data["kind"]
        if kind == "sigmoid":
            return cls("sigmoid", a=float(data["a"]), b=float(data["b"]))  # type: ignore[arg-type]
        if kind == "isotonic":
            xs = tuple(float(v) for v in data["x"])  # type: ignore[attr-defined]
            ys = tuple(float(v) for v in data["y"])  # type: ignore[attr-defined]
            return cls("isotonic", x=xs, y=ys)
        raise ValueError(f"unknown calibrator kind {kind!r}")
