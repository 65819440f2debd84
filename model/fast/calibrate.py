"""Calibrators and sentence combiners inside the kernel, as ``model.calibration`` and ``model.combine`` do.

``heads[j]`` carries ``[intercept, kind, a, b]`` and isotonic knots sit in one
array (``FastScorer`` packs them from ``model.calibration.Calibrator``).
``_calibrate`` reproduces ``Calibrator.__call__`` exactly (Platt's sigmoid, or
``np.interp`` between isotonic knots), clipped to [0, 1]. ``_combine`` does what
``model.combine.Combiner`` does to a comment's rows (its whole text, then its
sentences), in one pass instead of a dozen small numpy calls. Imports numba only.
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


@numba.njit(cache=True, nogil=True)
def _combine(
    logits: NDArray[np.float64],
    counts: NDArray[np.int64],
    comb: NDArray[np.float64],
    knot_ptr: NDArray[np.int64],
    knots: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Return one probability per comment and head from a ``units_batch`` logit matrix.

    Rows ``0..n-1`` are the comments' whole texts, then the sentences of each
    comment with ``counts[i] > 1``, in order. ``comb[j]`` is ``[w_whole, w_max,
    w_count, bias, calibrator kind, a, b]``; isotonic knots as for ``_calibrate``.
    """
    n = counts.shape[0]
    k = comb.shape[0]
    out = np.empty((n, k), np.float64)
    row = n
    for i in range(n):
        c = counts[i]
        log_c = math.log(c) if c > 1 else 0.0
        for j in range(k):
            z_whole = logits[i, j]
            z_max = z_whole
            if c > 1:
                z_max = logits[row, j]
                for u in range(row + 1, row + c):
                    z_max = max(z_max, logits[u, j])
            s = comb[j, 0] * z_whole + comb[j, 1] * z_max + comb[j, 2] * log_c + comb[j, 3]
            xs = knots[0, knot_ptr[j] : knot_ptr[j + 1]]
            ys = knots[1, knot_ptr[j] : knot_ptr[j + 1]]
            out[i, j] = _calibrate(s, comb[j, 4], comb[j, 5], comb[j, 6], xs, ys)
        if c > 1:
            row += c
    return out
