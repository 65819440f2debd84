"""Fit calibrators and decision thresholds on out-of-fold logits.

Both Platt (sigmoid) and isotonic calibration are fitted; the one with the lower
log loss when cross-fitted across the same CV folds (fit on the other folds,
score on this one) is kept and refitted on all out-of-fold logits. Calibration is
unweighted: a probability describes the mix of comments the model was trained on.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, precision_recall_curve

from model.calibration import Calibrator

# Isotonic fits can reach exactly 0 or 1; keep probabilities strictly inside.
PROB_FLOOR = 1e-4


def _sigmoid(z: NDArray[np.float64], y: NDArray[np.int64]) -> Calibrator:
    lr = LogisticRegression(C=1e6, solver="lbfgs", max_iter=1000).fit(z.reshape(-1, 1), y)
    return Calibrator("sigmoid", a=float(lr.coef_[0, 0]), b=float(lr.intercept_[0]))


def _isotonic(z: NDArray[np.float64], y: NDArray[np.int64]) -> Calibrator:
    iso = IsotonicRegression(out_of_bounds="clip", y_min=PROB_FLOOR, y_max=1 - PROB_FLOOR)
    iso.fit(z, y)
    return Calibrator(
        "isotonic",
        x=tuple(float(v) for v in iso.X_thresholds_),
        y=tuple(float(v) for v in iso.y_thresholds_),
    )


FITTERS = {"sigmoid": _sigmoid, "isotonic": _isotonic}


def fit_calibrator(z: NDArray[np.float64], y: NDArray[np.int64], folds: NDArray[np.int64]) -> Calibrator:
    """Return the calibrator kind with lower cross-fitted log loss, fitted on all of ``z``."""
    losses = {}
    for kind, fitter in FITTERS.items():
        total = 0.0
        for fold in np.unique(folds):
            held = folds == fold
            if len(np.unique(y[~held])) < 2:
                continue
            cal = fitter(z[~held], y[~held])
            p = np.clip(cal(z[held]), PROB_FLOOR, 1 - PROB_FLOOR)
            total += log_loss(y[held], p, labels=[0, 1]) * held.sum()
        losses[kind] = total
    best = min(losses, key=lambda k: (losses[k], k))
    return FITTERS[best](z, y)


def pick_threshold(p: NDArray[np.float64], y: NDArray[np.int64]) -> float:
    """Return the probability threshold that maximises F1 on ``p``, floored to 3 decimals.

    Flooring keeps every comment at the best threshold flagged (``p >= threshold``).
    """
    precision, recall, thresholds = precision_recall_curve(y, p)
    f1 = 2 * precision[:-1] * recall[:-1] / np.maximum(precision[:-1] + recall[:-1], 1e-12)
    best = float(thresholds[int(np.argmax(f1))])
    return min(max(math.floor(best * 1000) / 1000, 0.001), 0.999)
