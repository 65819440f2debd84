"""Character n-grams of a word, looked up in passes, and each vocabulary word's list of them.

``_char_grams`` yields the ``char_wb`` n-grams of one space-padded word (as
scikit-learn's ``char_wb`` analyser does), queueing the packable ones;
``_resolve_chars`` looks the queue up in passes (``hashing._first_probes``).
``_word_lists`` runs the same two on every word unigram of the vocabulary at load
time, so the scoring kernel can take a whole word's character features (and their
summed weights) from a list instead of looking each n-gram up. Numba kernels;
imports ``model.fast.hashing`` only.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

from model.fast.hashing import CHAR, PACK_LIMIT, SPACE, _find, _first_probes, _fnv


@numba.njit(cache=True, nogil=True)
def _char_grams(
    cps: NDArray[np.uint32],
    i: int,
    j: int,
    cmin: int,
    cmax: int,
    lookup: NDArray[np.uint64],
    bits: NDArray[np.int64],
    term_ptr: NDArray[np.int64],
    terms_cp: NDArray[np.uint32],
    keys: NDArray[np.uint64],
    buf: NDArray[np.uint32],
    qkeys: NDArray[np.uint64],
    nq: int,
    fids: NDArray[np.int64],
    nf: int,
) -> tuple[int, int]:
    """Character n-grams of the word ``cps[i:j]`` padded with one space on either side.

    Packable n-grams are queued in ``qkeys`` for ``_resolve_chars``; the rare others
    are looked up at once and their features appended to ``fids``. Returns the new
    ``(nq, nf)``.
    """
    width = j - i + 2
    for start in range(width - 1 if cmin >= 2 else width):
        # Grow the n-gram one character at a time; its packed key grows with it.
        key = np.uint64(0)
        packable = True
        for n in range(1, cmax + 1):
            p = start + n - 1
            if p >= width:
                break
            c = SPACE if p == 0 or p == width - 1 else cps[i + p - 1]
            buf[n - 1] = c
            if c >= PACK_LIMIT or n > 5:
                packable = False
            else:
                key |= np.uint64(c) << np.uint64(12 * (n - 1))
            if n < cmin:
                continue
            if packable:
                qkeys[nq] = key | (np.uint64(n) << np.uint64(60))
                nq += 1
            else:
                f = _find(lookup, CHAR, bits[CHAR], _fnv(buf, n), True, buf, n, term_ptr, terms_cp, keys)
                if f >= 0:
                    fids[nf] = f
                    nf += 1
    return nq, nf


@numba.njit(cache=True, nogil=True)
def _resolve_chars(
    lookup: NDArray[np.uint64],
    bits: NDArray[np.int64],
    term_ptr: NDArray[np.int64],
    terms_cp: NDArray[np.uint32],
    keys: NDArray[np.uint64],
    qkeys: NDArray[np.uint64],
    nq: int,
    qslots: NDArray[np.int64],
    qfirst: NDArray[np.uint64],
    qcand: NDArray[np.int64],
    buf: NDArray[np.uint32],
    fids: NDArray[np.int64],
    nf: int,
) -> int:
    """Append the features of the ``nq`` queued packed keys to ``fids``; return the new ``nf``."""
    _first_probes(lookup, CHAR, bits[CHAR], qkeys, nq, qslots, qfirst, qcand, keys)
    for q in range(nq):
        if qfirst[q] == 0:
            continue
        if qcand[q] >= 0:
            fids[nf] = qcand[q]
            nf += 1
        else:
            f = _find(lookup, CHAR, bits[CHAR], qkeys[q], False, buf, 0, term_ptr, terms_cp, keys)
            if f >= 0:
                fids[nf] = f
                nf += 1
    return nf


@numba.njit(cache=True, nogil=True)
def _word_lists(
    n_uni: int,
    lookup: NDArray[np.uint64],
    bits: NDArray[np.int64],
    term_ptr: NDArray[np.int64],
    terms_cp: NDArray[np.uint32],
    weights: NDArray[np.float64],
    keys: NDArray[np.uint64],
    ngrams: NDArray[np.int64],
    sums: NDArray[np.float64],
) -> NDArray[np.int32]:
    """Return the character features of word unigrams ``0`` to ``n_uni - 1``, list after list.

    Word ``f``'s list is what the kernel's character pass finds for that word on its
    own (with repeats), by the same code. ``sums[f]`` (zeros on entry) becomes
    ``[sum of idf squared, sum of idf * coef for each head..., span]``: the list's
    features as they stand when each occurs once in a text, and in the last column
    the list's start (high 32 bits) and length.
    """
    cmin = ngrams[1]
    cmax = ngrams[2]
    k = sums.shape[1] - 2
    last = sums.shape[1] - 1
    spans = sums.view(np.uint64)
    longest = 1
    total = 0
    for f in range(n_uni):
        m = term_ptr[f + 1] - term_ptr[f]
        longest = max(longest, m)
        total += (cmax - cmin + 1) * (m + 2)
    cap = (cmax - cmin + 1) * (longest + 2) + 8
    qkeys = np.empty(cap, np.uint64)
    qslots = np.empty(cap, np.int64)
    qfirst = np.empty(cap, np.uint64)
    qcand = np.empty(cap, np.int64)
    found = np.empty(cap, np.int64)
    buf = np.empty(longest + cmax + 8, np.uint32)
    out = np.empty(total, np.int32)
    o = 0
    for f in range(n_uni):
        s0, s1 = term_ptr[f], term_ptr[f + 1]
        nq, nf = _char_grams(
            terms_cp, s0, s1, cmin, cmax, lookup, bits, term_ptr, terms_cp, keys, buf, qkeys, 0, found, 0
        )
        nf = _resolve_chars(lookup, bits, term_ptr, terms_cp, keys, qkeys, nq, qslots, qfirst, qcand, buf, found, nf)
        for t in range(nf):
            g = found[t]
            idf = weights[g, 0]
            sums[f, 0] += idf * idf
            for j in range(k):
                sums[f, j + 1] += idf * weights[g, j + 1]
            out[o + t] = g
        spans[f, last] = (np.uint64(o) << np.uint64(32)) | np.uint64(nf)
        o += nf
    return out[:o].copy()
