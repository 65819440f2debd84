"""Calibrators inside the kernel: a head's logit to a probability, as ``model.calibration`` does.

``heads[j]`` carries ``[intercept, kind, a, b]`` and isotonic knots sit in one
array (``FastScorer`` packs them from ``model.calibration.Calibrator``).
``_calibrate`` reproduces ``Calibrator.__call__`` exactly (Platt's sigmoid, or
``np.interp`` between isotonic knots), clipped to [0, 1]. Imports numba only.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numpy.typing import NDArray

SIGMOID, ISOTONIC = 0, 1


@numba.njit(cache=True, nogil=True)
def _calibrate(z: float, kind: float, a: float, b: float, xs: NDArray[np.float64], ys: NDArray[np.float64]) -> float:
    """One calibrator, exactly as ``Calibrator.__call__`` (``np.interp`` for isotonic), clipped."""
    if kind == 0.0:
        p = 1.0 / (1.0 + math.exp(-(a * z + b)))
    else:
        n = xs.shape[0]
        if z <= xs[0]:
            p = ys[0]
        elif z >= xs[n - 1]:
            p = ys[n - 1]
        else:
            j = np.searchsorted(xs, z, side="right") - 1
            p = (ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j]) * (z - xs[j]) + ys[j]
    return min(max(p, 0.0), 1.0)
