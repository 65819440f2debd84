"""One L2-normalised, sublinear TF-IDF block, summed straight into the heads' logits.

``_add_block`` takes a text's feature indices of one block (with repeats), counts
them, applies ``1 + log(count)`` and the IDF, normalises the block and adds its
dot product with every head's coefficients to the text's row of logits, reading a
feature's cache line only when a whole word's precomputed sums
(``ngrams._word_lists``) do not already cover it. Numba kernels; imports
``model.fast.hashing`` for the multiplier only.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numpy.typing import NDArray

from model.fast.hashing import GOLDEN

MAX_LOG_BITS = 16
"""``_add_block``'s bitmaps have at most ``2**MAX_LOG_BITS`` bits each."""


@numba.njit(cache=True, nogil=True, inline="always")
def _bit(f: int, shift: np.uint64) -> tuple[np.int64, np.uint64]:
    """Return the word and the mask of feature ``f``'s bit in ``_add_block``'s bitmaps."""
    b = (np.uint64(f) * GOLDEN) >> shift
    return np.int64(b >> np.uint64(6)), np.uint64(1) << (b & np.uint64(63))


@numba.njit(cache=True, nogil=True)
def _add_block(
    fids: NDArray[np.int64],
    n: int,
    n_listed: int,
    listed: NDArray[np.float64],
    weights: NDArray[np.float64],
    table: NDArray[np.int64],
    counts: NDArray[np.int64],
    once: NDArray[np.int64],
    fixed: NDArray[np.int64],
    values: NDArray[np.float64],
    slots: NDArray[np.int64],
    seen: NDArray[np.uint64],
    row: NDArray[np.float64],
) -> None:
    """Add one L2-normalised sublinear TF-IDF block's dot product with the heads to ``row``.

    ``weights[f]`` is ``[idf, coef for each head..., padding, key]`` of feature ``f``.
    ``fids[:n_listed]`` come from whole words' lists, whose sums (``_word_lists``)
    are already in ``listed`` (``[sum of idf squared, sum of idf * coef...]``;
    zeros and ``n_listed = 0`` for a block without lists): those count each
    occurrence with a TF weight of 1. Sublinear TF gives a
    feature counted ``c`` times ``1 + log(c)``, so only features met more than
    once, or outside the lists, need their own weights: a correction of
    ``(tf - listed occurrences) * idf``. Most features of a text are met once,
    in a listed word, and their cache lines are never read.

    A bit per hash of the feature finds the features met once without counting
    them: a bit set by one occurrence only belongs to a feature met once. The
    others (repeats, and the few features sharing a bit) are counted exactly.
    """
    log_bits = 10
    while (1 << log_bits) < 8 * n and log_bits < MAX_LOG_BITS:
        log_bits += 1
    words = (1 << log_bits) // 64
    shift = np.uint64(64 - log_bits)
    seen[: 2 * words] = 0  # [bits met once or more | bits met twice or more]
    for p in range(n):
        w, m = _bit(fids[p], shift)
        seen[words + w] |= seen[w] & m
        seen[w] |= m
    mask = table.shape[0] - 1
    norm2 = listed[0]
    n_fixed = 0
    n_used = 0
    for p in range(n):
        f = fids[p]
        w, m = _bit(f, shift)
        if seen[words + w] & m:
            h = (f * 2654435761) & mask
            while table[h] != -1 and table[h] != f:
                h = (h + 1) & mask
            if table[h] == -1:
                table[h] = f
                counts[h] = 0
                once[h] = 0
                slots[n_used] = h
                n_used += 1
            counts[h] += 1
            if p < n_listed:
                once[h] += 1
        elif p >= n_listed:  # met once, outside the lists
            idf = weights[f, 0]
            norm2 += idf * idf
            fixed[n_fixed] = f
            values[n_fixed] = idf
            n_fixed += 1
    for u in range(n_used):
        h = slots[u]
        f = table[h]
        table[h] = -1
        c = counts[h]
        a = once[h]
        if c == 1 and a == 1:
            continue
        idf = weights[f, 0]
        tf = 1.0 if c == 1 else 1.0 + math.log(c)
        norm2 += (tf * tf - a) * (idf * idf)
        fixed[n_fixed] = f
        values[n_fixed] = (tf - a) * idf
        n_fixed += 1
    if norm2 > 0.0:
        inv = 1.0 / math.sqrt(norm2)
        k = row.shape[0]
        for j in range(k):
            row[j] += listed[j + 1] * inv
        for u in range(n_fixed):
            f = fixed[u]
            v = values[u] * inv
            for j in range(k):
                row[j] += v * weights[f, j + 1]
