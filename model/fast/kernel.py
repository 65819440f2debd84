"""The scoring kernel: a batch of raw code points in, a row of logits or probabilities per text out.

``_score_batch`` finishes each text's normalisation (``text._tail_batch``), then
for each text: queues its word unigrams and bigrams and looks them up in passes
(``hashing``), takes whole words' character lists and sums (``ngrams._word_lists``),
queues the other words' character n-grams (``ngrams``), adds both TF-IDF blocks to
the heads (``tfidf._add_block``) and calibrates (``calibrate``). Only these sums
leave the kernel. Numba; imports the other kernel modules of ``model.fast``.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

from model.fast.calibrate import _calibrate
from model.fast.hashing import (
    FNV_OFFSET,
    FNV_PRIME,
    LOW32,
    SPACE,
    TOP,
    WORD,
    WORD_PACK,
    _find,
    _first_probes,
    _fnv_extend,
    _word_key,
    _word_symbol,
)
from model.fast.ngrams import _char_grams, _resolve_chars
from model.fast.tables import IS_WORD
from model.fast.text import _longest, _tail_batch
from model.fast.tfidf import MAX_LOG_BITS, _add_block


@numba.njit(cache=True, nogil=True)
def _score_batch(
    raw: NDArray[np.uint32],
    raw_ptr: NDArray[np.int64],
    classes: NDArray[np.uint8],
    lookup: NDArray[np.uint64],
    bits: NDArray[np.int64],
    term_ptr: NDArray[np.int64],
    terms_cp: NDArray[np.uint32],
    weights: NDArray[np.float64],
    keys: NDArray[np.uint64],
    heads: NDArray[np.float64],
    knot_ptr: NDArray[np.int64],
    knots: NDArray[np.float64],
    ngrams: NDArray[np.int64],
    wsums: NDArray[np.float64],
    wchar: NDArray[np.int32],
    calibrate: bool,
    plain: bool,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Score a batch of texts given as concatenated code points; return the rows and the texts to redo.

    The kernel first finishes their normalisation (``_tail_batch``, which marks
    the texts to redo through ``normalize_head`` when ``plain``: their rows are
    left unset). The second array lists their indices (a numpy reduction over a
    mask in Python cost more than a short text's whole kernel call).

    ``heads[j]`` is ``[intercept, calibrator kind, a, b]``; isotonic knots of head
    ``j`` are ``knots[:, knot_ptr[j]:knot_ptr[j + 1]]``. ``ngrams`` is
    ``[word max n (1 or 2), char min n, char max n]``.
    """
    cps, doc_ptr, redo = _tail_batch(raw, raw_ptr, classes, plain)
    bigrams = ngrams[0] == 2
    cmin = ngrams[1]
    cmax = ngrams[2]
    n_docs = doc_ptr.shape[0] - 1
    k = heads.shape[0]
    longest = _longest(doc_ptr)
    # n-grams one text can yield: (cmax - cmin + 1) per character and space, or 2 per token
    cap = (cmax - cmin + 1) * (longest + (longest + 1) // 2 + 1) + longest + 8
    size = 16
    while size < 2 * cap:
        size *= 2
    table = np.full(size, -1, np.int64)
    counts = np.empty(size, np.int64)
    fixed = np.empty(cap, np.int64)
    values = np.empty(cap, np.float64)
    fids = np.empty(cap, np.int64)
    cfids = np.empty(cap, np.int64)
    covered = np.zeros(longest, np.bool_)
    once = np.empty(size, np.int64)
    slots = np.empty(cap, np.int64)
    seen = np.empty(2 * (1 << MAX_LOG_BITS) // 64, np.uint64)  # _add_block's two bitmaps
    listed = np.zeros(k + 1, np.float64)
    unlisted = np.zeros(k + 1, np.float64)  # the word block has no lists
    wspans = wsums.view(np.uint64)
    wlast = wsums.shape[1] - 1
    qkeys = np.empty(cap, np.uint64)
    qslots = np.empty(cap, np.int64)
    qfirst = np.empty(cap, np.uint64)
    qa = np.empty(cap, np.int64)
    qb = np.empty(cap, np.int64)
    qc = np.empty(cap, np.int64)
    qd = np.empty(cap, np.int64)
    qcand = np.empty(cap, np.int64)
    qterm = np.empty(cap, np.int64)
    wholes = np.empty(cap, np.int64)
    wspan = np.empty(cap, np.uint64)
    buf = np.empty(2 * longest + cmax + 8, np.uint32)
    out = np.empty((n_docs, k), np.float64)
    for d in range(n_docs):
        if redo[d]:
            continue
        row = out[d]
        for j in range(k):
            row[j] = heads[j, 0]
        ds = doc_ptr[d]
        de = doc_ptr[d + 1]
        # Word unigrams and bigrams: tokens are maximal runs of \w characters. Most
        # terms have packed keys (``_word_key``); a bigram's packed key joins its
        # tokens' and its hash continues its first token's. Lookups run in passes,
        # like the character n-grams' below, and only a hit on a hashed key is
        # confirmed on the code points.
        nq = 0
        prev_s = -1
        prev_e = -1
        prev_h = FNV_OFFSET
        prev_key = np.uint64(0)
        i = ds
        while i < de:
            if not classes[cps[i]] & IS_WORD:
                i += 1
                continue
            j = i + 1
            while j < de and classes[cps[j]] & IS_WORD:
                j += 1
            h = _fnv_extend(FNV_OFFSET, cps, i, j)
            key = _word_key(cps, i, j)
            qkeys[nq] = key if key != 0 else h | TOP
            qa[nq] = i
            qb[nq] = j
            qc[nq] = -1
            nq += 1
            if bigrams and prev_s >= 0:
                m1 = prev_e - prev_s
                if key != 0 and prev_key != 0 and m1 + 1 + j - i <= WORD_PACK:
                    qkeys[nq] = (
                        prev_key
                        | (np.uint64(_word_symbol(SPACE)) << np.uint64(6 * m1))
                        | (key << np.uint64(6 * (m1 + 1)))
                    )
                else:
                    qkeys[nq] = _fnv_extend((prev_h ^ np.uint64(SPACE)) * FNV_PRIME, cps, i, j) | TOP
                qa[nq] = prev_s
                qb[nq] = prev_e
                qc[nq] = i
                qd[nq] = j
                nq += 1
            prev_s = i
            prev_e = j
            prev_h = h
            prev_key = key
            i = j
        _first_probes(lookup, WORD, bits[WORD], qkeys, nq, qslots, qfirst, qcand, keys)
        for q in range(nq):
            if qcand[q] >= 0 and qkeys[q] & TOP:
                qterm[q] = term_ptr[qcand[q]]
        nf = 0
        ncf = 0
        n_wholes = 0
        listed[:] = 0.0
        for q in range(nq):
            if qfirst[q] == 0:
                continue
            a = qa[q]
            m1 = qb[q] - a
            m = m1 if qc[q] < 0 else m1 + 1 + qd[q] - qc[q]
            f = qcand[q]
            hashed = qkeys[q] & TOP != 0
            same = f >= 0 and not hashed  # a packed key is the term itself
            if f >= 0 and hashed and term_ptr[f + 1] - qterm[q] == m:
                s0 = qterm[q]
                same = True
                for t in range(m1):
                    if terms_cp[s0 + t] != cps[a + t]:
                        same = False
                        break
                if same and qc[q] >= 0:
                    same = terms_cp[s0 + m1] == SPACE
                    for t in range(qd[q] - qc[q]):
                        if not same or terms_cp[s0 + m1 + 1 + t] != cps[qc[q] + t]:
                            same = False
                            break
            if not same:
                # Another term in the first slot, or a hash collision: probe the slow way.
                for t in range(m1):
                    buf[t] = cps[a + t]
                if qc[q] >= 0:
                    buf[m1] = SPACE
                    for t in range(qd[q] - qc[q]):
                        buf[m1 + 1 + t] = cps[qc[q] + t]
                f = _find(lookup, WORD, bits[WORD], qkeys[q], hashed, buf, m, term_ptr, terms_cp, keys)
                if f < 0:
                    continue
            fids[nf] = f
            nf += 1
            b = qb[q]
            if qc[q] < 0 and (a == ds or cps[a - 1] == SPACE) and (b == de or cps[b] == SPACE):
                # A whole space-separated word: its character n-grams are known already.
                wholes[n_wholes] = f
                n_wholes += 1
                covered[a - ds] = True
        # The whole words' sums and spans, then their lists: each pass's reads are
        # independent, so their cache misses overlap.
        for u in range(n_wholes):
            f = wholes[u]
            for j in range(k + 1):
                listed[j] += wsums[f, j]
            wspan[u] = wspans[f, wlast]
        for u in range(n_wholes):
            start = np.int64(wspan[u] >> np.uint64(32))
            for t in range(start, start + np.int64(wspan[u] & LOW32)):
                cfids[ncf] = wchar[t]
                ncf += 1
        _add_block(fids, nf, 0, unlisted, weights, table, counts, once, fixed, values, slots, seen, row)
        # Character n-grams of each space-separated word. A word that is one word
        # token with a unigram feature already has its list (``wchar``), appended
        # in the word pass; the others queue their packable n-grams, looked up in
        # passes (keys, then one load per key, then compare) so the table's cache
        # misses overlap; the rare unpackable ones probe directly.
        n_listed = ncf
        nq = 0
        i = ds
        while i < de:
            if cps[i] == SPACE:
                i += 1
                continue
            j = i + 1
            while j < de and cps[j] != SPACE:
                j += 1
            if covered[i - ds]:
                covered[i - ds] = False
            else:
                nq, ncf = _char_grams(
                    cps, i, j, cmin, cmax, lookup, bits, term_ptr, terms_cp, keys, buf, qkeys, nq, cfids, ncf
                )
            i = j
        ncf = _resolve_chars(lookup, bits, term_ptr, terms_cp, keys, qkeys, nq, qslots, qfirst, qcand, buf, cfids, ncf)
        _add_block(cfids, ncf, n_listed, listed, weights, table, counts, once, fixed, values, slots, seen, row)
        if calibrate:
            for j in range(k):
                xs = knots[0, knot_ptr[j] : knot_ptr[j + 1]]
                ys = knots[1, knot_ptr[j] : knot_ptr[j + 1]]
                row[j] = _calibrate(row[j], heads[j, 1], heads[j, 2], heads[j, 3], xs, ys)
    return out, np.flatnonzero(redo)
