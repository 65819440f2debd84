r"""The fast scoring path: the same numbers as the scikit-learn featuriser, far fewer steps.

``ToxicityModel`` scores through this path; ``Featurizer.transform`` (scikit-learn)
stays the reference, and a test holds the two to 1e-6 on real comments.

Where the time goes in the textbook path, and what replaces it:

* **N-grams as Python strings.** ``TfidfVectorizer`` builds every word 1-2-gram and
  every character 2-5-gram of every word as a Python string (about 400 for an
  average comment) and looks each up in a dict. Here the whole batch goes to one
  numba-compiled kernel as an array of code points. The kernel finishes the
  normalisation (@mentions, leetspeak, joining spaced-out letters, squeezing
  repeats and collapsing whitespace, as ``normalize_tail`` does, skipping the
  stages a text gives nothing to), then finds the tokens
  (``\w+`` runs, with Python's own ``\w`` table) and the space-padded words, and
  looks each n-gram up in an open-addressing table built from the vocabulary at
  load time. A character n-gram of up to five code points below U+1000, and a word
  term of up to ten characters of ``[a-z0-9_ ]``, is its own exact key; any other
  term is keyed by a 64-bit FNV-1a hash and its code points are compared on a hit,
  so a lookup never confuses two terms.
* **Python's normalisation stages.** Most comments are printable ASCII without
  "&", a URL or an e-mail address. For them ``normalize_head`` only lower-cases
  and searches for a URL hint, about 2 µs of regular-expression work a comment;
  the kernel does both while copying the code points, and hands the few with a
  hint back to ``normalize_head``.
* **Memory latency.** The vocabulary does not fit this machine's caches. Its hash
  tables hold one 8-byte entry per slot (a 32-bit fingerprint of the key and the
  feature's index), about 6 MB for both blocks. Each feature has one 64-byte cache
  line: ``[idf, coefficient per head, padding, key]``. A lookup reads the slot,
  then, on a fingerprint match, the feature's line, which confirms the full key
  and holds the weights the heads' loop needs next. The kernel looks up a whole
  text's n-grams in passes: every key, then one load per key, then the
  comparisons, then the features' lines. The loads of a pass are independent, so
  the processor overlaps their misses instead of waiting for each probe's branch
  before starting the next.
* **Words already seen at load time.** About four in five character n-grams of a
  comment come from whole words that are also word unigrams of the vocabulary. At
  load time the kernel's own character pass runs on each unigram on its own,
  giving the word a list of its character features and a row of sums: the sum of
  ``idf**2`` and of ``idf * coef`` for each head, as if each n-gram occurred once.
  When the word pass finds such a word, it takes the list and adds the sums,
  and the character pass skips the word. The lists are still counted, because
  sublinear TF needs each feature's count in the whole text; only a feature met
  more than once, or outside the lists, reads its own line, to correct the sums
  by ``(1 + log(count) - listed occurrences) * idf``. Two bitmaps over a hash of
  the feature index pick out the features met once without counting them. The
  result is the same sum in another order (it agrees with scikit-learn to about
  1e-13).
* **TF-IDF and the linear heads.** Counting, sublinear TF, IDF, the L2 norm of each
  block, the dot product with the coefficients and the calibrators run in the same
  kernel (a small open-addressing table counts one block's indices), instead of
  building scipy matrices and validating them. Only these sums leave the kernel,
  so it numbers features its own way: word unigrams, then bigrams, then character
  n-grams, each most frequent first. Unigrams index their rows of sums directly,
  and the lines, code points and offsets that most texts need share cache lines.
* **Per-call overhead.** No scikit-learn input validation, no sparse-matrix
  construction; a single comment is a batch of one through the same kernel.

Numba compiles the kernel on first use and caches the machine code on disk
(``NUMBA_CACHE_DIR``, else next to this file, else a temporary folder), so later
processes load it in milliseconds. The service compiles it before it reports ready.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from model.calibration import Calibrator
from model.features import WORD_TOKEN_PATTERN, Featurizer
from model.normalize import normalize_head


def _choose_cache_dir() -> None:
    """Point numba's on-disk cache somewhere writable before numba is imported."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    here = Path(__file__).resolve().parent
    if os.access(here, os.W_OK):
        return  # numba's default: __pycache__ beside this file
    os.environ["NUMBA_CACHE_DIR"] = str(Path(tempfile.gettempdir()) / "toxicity-numba-cache")


_choose_cache_dir()

import numba  # noqa: E402  (after choosing the cache folder)

SIGMOID, ISOTONIC = 0, 1
WORD, CHAR = 0, 1
SPACE = 32
IS_WORD, IS_SPACE, IS_DIGIT = 1, 2, 4
"""Bits of ``char_classes()``: where Python's ``re`` matches word, space and digit characters."""
TOP = np.uint64(1) << np.uint64(63)
"""Set on hashed keys; packed character keys never set it, so the two cannot meet."""
FNV_OFFSET = np.uint64(14695981039346656037)
FNV_PRIME = np.uint64(1099511628211)
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
FP_MULT = np.uint64(0xD6E8FEB86659FD93)
LOW32 = np.uint64(0xFFFFFFFF)
PACK_LIMIT = 4096
"""Code points below this pack into 12 bits, so five of them and a length fit one key."""
WORD_PACK = 10
"""Word terms this long or shorter, of ``[a-z0-9_]`` and spaces, pack into 6 bits a character."""
MAX_LOG_BITS = 16
"""``_add_block``'s bitmaps have at most ``2**MAX_LOG_BITS`` bits each."""


@numba.njit(cache=True, nogil=True)
def _fnv_extend(h: np.uint64, cps: NDArray[np.uint32], start: int, end: int) -> np.uint64:
    """Continue an FNV-1a hash ``h`` over ``cps[start:end]``."""
    for t in range(start, end):
        h = (h ^ np.uint64(cps[t])) * FNV_PRIME
    return h


@numba.njit(cache=True, nogil=True)
def _fnv(buf: NDArray[np.uint32], m: int) -> np.uint64:
    """FNV-1a over ``buf[:m]`` with the top bit set (the key of a hashed term)."""
    return _fnv_extend(FNV_OFFSET, buf, 0, m) | TOP


@numba.njit(cache=True, nogil=True)
def _slot(key: np.uint64, bits: int) -> np.int64:
    return np.int64((key * GOLDEN) >> np.uint64(64 - bits))


@numba.njit(cache=True, nogil=True)
def _fingerprint(key: np.uint64) -> np.uint64:
    """32 bits of ``key``, mixed independently of the bits that choose its slot."""
    return ((key ^ (key >> np.uint64(29))) * FP_MULT) >> np.uint64(32)


@numba.njit(cache=True, nogil=True)
def _find(
    table: NDArray[np.uint64],
    block: int,
    bits: int,
    key: np.uint64,
    verify: bool,
    buf: NDArray[np.uint32],
    m: int,
    term_ptr: NDArray[np.int64],
    terms_cp: NDArray[np.uint32],
    keys: NDArray[np.uint64],
) -> np.int64:
    """Return the feature index of the term with ``key`` (and code points ``buf[:m]``), or -1.

    ``keys[f, -1]`` is feature ``f``'s key (the last column of its weights row).
    """
    mask = (1 << bits) - 1
    slot = _slot(key, bits)
    fp = _fingerprint(key)
    last = keys.shape[1] - 1
    while True:
        entry = table[block, slot]
        if entry == 0:
            return np.int64(-1)
        if entry >> np.uint64(32) == fp:
            f = np.int64(entry & LOW32) - 1
            if keys[f, last] == key:
                if not verify:
                    return f
                s0 = term_ptr[f]
                if term_ptr[f + 1] - s0 == m:
                    same = True
                    for t in range(m):
                        if terms_cp[s0 + t] != buf[t]:
                            same = False
                            break
                    if same:
                        return f
        slot = (slot + 1) & mask


@numba.njit(cache=True, nogil=True)
def _first_probes(
    table: NDArray[np.uint64],
    block: int,
    bits: int,
    qkeys: NDArray[np.uint64],
    n: int,
    slots: NDArray[np.int64],
    first: NDArray[np.uint64],
    found: NDArray[np.int64],
    keys: NDArray[np.uint64],
) -> None:
    """Probe the first slot of ``n`` keys in separate passes, so the cache misses overlap.

    Sets ``first[q]`` to that slot's entry (0: the term is absent) and ``found[q]``
    to the feature index when the entry's fingerprint and then the feature's own
    key equal ``qkeys[q]``, else -1 (absent, or further along the probe sequence:
    ``_find`` settles it). The last pass loads the feature's weights row, which
    holds its key, so the heads' loop then finds it in cache.
    """
    for q in range(n):
        slots[q] = _slot(qkeys[q], bits)
    for q in range(n):
        first[q] = table[block, slots[q]]
    for q in range(n):
        entry = first[q]
        found[q] = np.int64(entry & LOW32) - 1 if entry >> np.uint64(32) == _fingerprint(qkeys[q]) else -1
    last = keys.shape[1] - 1
    for q in range(n):
        f = found[q]
        if f >= 0 and keys[f, last] != qkeys[q]:
            found[q] = -1


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


@numba.njit(cache=True, nogil=True)
def _char_key(buf: NDArray[np.uint32], n: int) -> np.uint64:
    """Exact key of a short character n-gram, or 0 when it cannot be packed."""
    if n > 5:
        return np.uint64(0)
    key = np.uint64(n) << np.uint64(60)
    for t in range(n):
        c = buf[t]
        if c >= PACK_LIMIT:
            return np.uint64(0)
        key |= np.uint64(c) << np.uint64(12 * t)
    return key


@numba.njit(cache=True, nogil=True, inline="always")
def _word_symbol(c: int) -> int:
    """6-bit code of a character of a packed word term (1 to 38), or 0 for one that cannot be packed."""
    if 97 <= c <= 122:
        return c - 96  # a-z: 1 to 26
    if 48 <= c <= 57:
        return c - 21  # 0-9: 27 to 36
    if c == 95:
        return 37  # _
    if c == SPACE:
        return 38
    return 0


@numba.njit(cache=True, nogil=True)
def _word_key(cps: NDArray[np.uint32], start: int, end: int) -> np.uint64:
    """Exact key of the word term ``cps[start:end]``, or 0 when it cannot be packed.

    Every packed character's code is non-zero, so the key is its string: no two
    terms share one, and the lookup needs no comparison of code points. Packed
    keys use at most 60 bits, and hashed ones set ``TOP``.
    """
    if end - start > WORD_PACK:
        return np.uint64(0)
    key = np.uint64(0)
    for t in range(start, end):
        sym = _word_symbol(cps[t])
        if sym == 0:
            return np.uint64(0)
        key |= np.uint64(sym) << np.uint64(6 * (t - start))
    return key


@numba.njit(cache=True, nogil=True)
def _term_keys(term_ptr: NDArray[np.int64], terms_cp: NDArray[np.uint32], n_word: int) -> NDArray[np.uint64]:
    """Return every term's key: packed for short word terms and character n-grams, else hashed."""
    n = term_ptr.shape[0] - 1
    out = np.empty(n, np.uint64)
    for f in range(n):
        s0 = term_ptr[f]
        m = term_ptr[f + 1] - s0
        buf = terms_cp[s0 : s0 + m]
        key = _char_key(buf, m) if f >= n_word else _word_key(buf, 0, m)
        out[f] = key if key != 0 else _fnv(buf, m)
    return out


@numba.njit(cache=True, nogil=True)
def _build_table(keys: NDArray[np.uint64], n_word: int, bits: NDArray[np.int64]) -> NDArray[np.uint64]:
    """Insert every term: block 0 holds word terms, block 1 character n-grams.

    An entry is ``fingerprint << 32 | feature + 1`` (0 is empty): 8 bytes, so the
    tables stay a few megabytes and mostly in cache. A fingerprint match is
    confirmed on the feature's full key.
    """
    table = np.zeros((2, 1 << max(bits[0], bits[1])), np.uint64)
    for f in range(keys.shape[0]):
        block = 0 if f < n_word else 1
        mask = (1 << bits[block]) - 1
        slot = _slot(keys[f], bits[block])
        while table[block, slot] != 0:
            slot = (slot + 1) & mask
        table[block, slot] = (_fingerprint(keys[f]) << np.uint64(32)) | np.uint64(f + 1)
    return table


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


# Copies of model.normalize's constants, held equal by tests: numba freezes globals into
# the compiled kernel, and its on-disk cache is keyed to this file alone, so an import
# from normalize.py could leave a cached kernel with the old values.
USER_CPS = (120, 120, 117, 115, 101, 114)
"""``xxuser``, what an @mention becomes (``model.normalize.USER_TOKEN``)."""
UNIT_SUFFIXES = (
    "st", "nd", "rd", "th", "s", "k", "m", "b", "x", "d", "h", "g", "p", "am", "pm", "gb", "mb", "kb", "km", "kg",
    "mm", "cm", "ft", "lb", "lbs", "mph", "yr", "yrs", "hr", "hrs", "min", "mins",
)  # fmt: skip
"""Letters after a number that keep it a number (``model.normalize.LEET_KEEP_SUFFIXES``; a test holds them equal)."""


def _pack_letters(word: str) -> int:
    code = 0
    for c in word:
        code = code * 32 + ord(c) - 96
    return code


_UNIT_CODES = tuple(_pack_letters(u) for u in UNIT_SUFFIXES)
_UNIT_LONGEST = max(map(len, UNIT_SUFFIXES))
URL_SUFFIXES = ("com", "net", "org", "co", "ly", "io", "gov", "edu", "uk", "ca", "us", "me", "tv", "info", "be", "gl")
"""Domain endings of ``model.normalize``'s URL hint (``model.normalize.URL_SUFFIXES``; a test holds them equal)."""
_SUFFIX_CODES = tuple(_pack_letters(u) for u in URL_SUFFIXES)
_SUFFIX_LONGEST = max(map(len, URL_SUFFIXES))

# What ``_head_copy`` finds in a text: whether the Python head must take it, and
# which of the later stages can change it.
HEAD_REDO, HAS_AT, HAS_LEET, HAS_SPACED, HAS_REPEAT = 1, 2, 4, 8, 16
FOUND = HEAD_REDO | HAS_AT | HAS_LEET | HAS_SPACED | HAS_REPEAT
UPPER, HINT = 32, 128
"""More bits of ``_ASCII``: an upper-case letter (32: what lower-casing adds), a character that may start a URL hint."""
LEET_CHARS = "0123456789$@!|"
"""Characters that can stand for a letter (``model.normalize``'s ``[0-9$@!|]``)."""
SEPARATORS = " .*_-"
"""What may stand between spaced-out letters (``model.normalize``'s ``[ .*_-]``)."""
WORDB, LETTER, SEPARATOR = 1, 2, 4
r"""A character's kind, in bits 8 to 10 of ``_ASCII``: ``\w``, ``[a-zA-Z]``, ``[ .*_-]``."""
SPACED_MASK = SEPARATOR | LETTER << 3 | SEPARATOR << 6 | LETTER << 9 | WORDB << 12
SPACED_WANT = SEPARATOR | LETTER << 3 | SEPARATOR << 6 | LETTER << 9
"""The kinds of the last five characters, three bits each, that start a spaced-out match (the last at the right)."""


def _ascii_table() -> NDArray[np.uint16]:
    """Return what each ASCII character (and, last, any other) tells ``_head_copy`` and ``_url_hint``."""
    table = np.zeros(129, dtype=np.uint16)
    for c in range(128):
        ch = chr(c)
        bits = 0
        if ch.isupper():
            bits |= UPPER
        if (c < 32 and ch not in "\t\n\r") or c == 127:
            bits |= HEAD_REDO  # model.normalize._INVISIBLE deletes it
        if ch in LEET_CHARS:
            bits |= HAS_LEET
        if ch == "@":
            bits |= HAS_AT
        if ch in "@:wu.":
            bits |= HINT
        kind = (WORDB if ch.isalnum() or ch == "_" else 0) | (LETTER if ch.isalpha() else 0)
        table[c] = bits | (kind | (SEPARATOR if ch in SEPARATORS else 0)) << 8
    return table


_ASCII = _ascii_table()


@numba.njit(cache=True, nogil=True)
def _mentions(src: NDArray[np.uint32], s: int, e: int, classes: NDArray[np.uint8], dst: NDArray[np.uint32]) -> int:
    r"""Stage 6, mentions, on ``src[s:e]`` into ``dst``; return the length written (at most three times ``e - s``).

    Exactly ``re.sub(r"(?<![\w@])@\w+", "xxuser")``: an "@" that follows neither a
    word character nor another "@", with the longest run of word characters after it.
    """
    m = 0
    i = s
    while i < e:
        c = src[i]
        if (
            c == 64
            and i + 1 < e
            and classes[src[i + 1]] & IS_WORD
            and (i == s or (src[i - 1] != 64 and not classes[src[i - 1]] & IS_WORD))
        ):
            i += 1
            while i < e and classes[src[i]] & IS_WORD:
                i += 1
            for t in USER_CPS:
                dst[m] = t
                m += 1
            continue
        dst[m] = c
        m += 1
        i += 1
    return m


@numba.njit(cache=True, nogil=True, inline="always")
def _leet_char(c: int) -> bool:
    """``[0-9$@!|]``: a character that can stand for a letter (``LEET_CHARS``)."""
    return c < 128 and _ASCII[c] & HAS_LEET != 0


@numba.njit(cache=True, nogil=True, inline="always")
def _leet_run_char(c: int) -> bool:
    """``[a-z0-9$@!|]``: a character of a leetspeak run."""
    return 97 <= c <= 122 or _leet_char(c)


@numba.njit(cache=True, nogil=True, inline="always")
def _separator(c: int) -> bool:
    """``[ .*_-]``: what may stand between spaced-out letters (``SEPARATORS``)."""
    return c < 128 and (_ASCII[c] >> 8) & SEPARATOR != 0


@numba.njit(cache=True, nogil=True, inline="always")
def _ascii_alnum(c: int) -> bool:
    """``[a-z0-9]``: what ``str.isalnum`` accepts among a leetspeak run's characters."""
    return 97 <= c <= 122 or 48 <= c <= 57


@numba.njit(cache=True, nogil=True)
def _kept_number(src: NDArray[np.uint32], a: int, b: int) -> bool:
    r"""Whether ``src[a:b]``, stripped of "!" and "|", fully matches ``[a-z]+\d+`` or ``\d+`` plus a unit."""
    while a < b and (src[a] == 33 or src[a] == 124):
        a += 1
    while b > a and (src[b - 1] == 33 or src[b - 1] == 124):
        b -= 1
    i = a
    while i < b and 97 <= src[i] <= 122:
        i += 1
    if i > a:  # letters, then digits to the end (covid19)
        k = i
        while k < b and 48 <= src[k] <= 57:
            k += 1
        return k > i and k == b
    while i < b and 48 <= src[i] <= 57:
        i += 1
    if i == a or b - i > _UNIT_LONGEST:
        return False
    code = np.int64(0)  # digits, then exactly one unit to the end (90s, 5pm)
    for t in range(i, b):
        if not 97 <= src[t] <= 122:
            return False
        code = code * 32 + np.int64(src[t]) - 96
    for unit in _UNIT_CODES:  # noqa: SIM110 - numba compiles the loop, not a generator
        if code == unit:
            return True
    return False


@numba.njit(cache=True, nogil=True)
def _unleet(src: NDArray[np.uint32], n: int, dst: NDArray[np.uint32]) -> bool:
    """Stage 7, leetspeak, on ``src[:n]`` into ``dst[:n]`` (the length never changes).

    Exactly ``normalize``'s ``_LEET_RUN`` substitution: its matches are the maximal
    runs of ``[a-z0-9$@!|]`` holding a ``[0-9$@!|]``; a run with a letter that is not
    a kept number (``_LEET_KEEP``) has ``0 1 3 4 5 7 $ @`` mapped to letters, and
    "!" and "|" between two letters or digits of the original run mapped to i and l.
    Returns False when no run changed.
    """
    changed = False
    i = 0
    while i < n:
        c = src[i]
        if not _leet_run_char(c):
            dst[i] = c
            i += 1
            continue
        j = i
        letters = False
        leet = False
        while j < n and _leet_run_char(src[j]):
            if 97 <= src[j] <= 122:
                letters = True
            else:
                leet = True
            j += 1
        change = letters and leet and not _kept_number(src, i, j)
        changed |= change
        for t in range(i, j):
            c = src[t]
            r = c
            if change:
                if c == 48:
                    r = 111  # 0 -> o
                elif c == 49:
                    r = 105  # 1 -> i
                elif c == 51:
                    r = 101  # 3 -> e
                elif c == 52 or c == 64:
                    r = 97  # 4 and @ -> a
                elif c == 53 or c == 36:
                    r = 115  # 5 and $ -> s
                elif c == 55:
                    r = 116  # 7 -> t
                elif (c == 33 or c == 124) and i < t < j - 1 and _ascii_alnum(src[t - 1]) and _ascii_alnum(src[t + 1]):
                    r = 105 if c == 33 else 108  # ! -> i, | -> l
            dst[t] = r
        i = j
    return changed


@numba.njit(cache=True, nogil=True)
def _join_spaced(src: NDArray[np.uint32], s: int, e: int, classes: NDArray[np.uint8], dst: NDArray[np.uint32]) -> int:
    r"""Stage 8 on ``src[s:e]`` into ``dst``; return the length written.

    Exactly ``normalize``'s ``re.sub`` of ``(?<![\w])[a-z](?:[ .*_-][a-z]){3,}(?![\w])``
    by every second character: at each start, the most separator-letter pairs whose
    end is not followed by a word character (the regex backtracks the same way).
    """
    m = 0
    i = s
    while i < e:
        c = src[i]
        if 97 <= c <= 122 and (i == s or not classes[src[i - 1]] & IS_WORD):
            pairs = 0
            p = i
            while p + 2 < e:
                sep = src[p + 1]
                if not _separator(sep) or not 97 <= src[p + 2] <= 122:
                    break
                pairs += 1
                p += 2
            while pairs >= 3:
                q = i + 2 * pairs + 1
                if q >= e or not classes[src[q]] & IS_WORD:
                    for t in range(pairs + 1):
                        dst[m] = src[i + 2 * t]
                        m += 1
                    i = q
                    break
                pairs -= 1
            if pairs >= 3:
                continue
        dst[m] = c
        m += 1
        i += 1
    return m


@numba.njit(cache=True, nogil=True)
def _squeeze(src: NDArray[np.uint32], n: int, classes: NDArray[np.uint8], dst: NDArray[np.uint32]) -> int:
    r"""Stage 9: runs of three or more of a character other than ``\d`` and ``\s`` become one."""
    m = 0
    i = 0
    while i < n:
        c = src[i]
        j = i + 1
        while j < n and src[j] == c:
            j += 1
        if j - i >= 3 and not classes[c] & (IS_DIGIT | IS_SPACE):
            dst[m] = c
            m += 1
        else:
            for _ in range(i, j):
                dst[m] = c
                m += 1
        i = j
    return m


@numba.njit(cache=True, nogil=True)
def _collapse(src: NDArray[np.uint32], n: int, classes: NDArray[np.uint8], dst: NDArray[np.uint32], o: int) -> int:
    """Stage 10: ``" ".join(text.split())`` written to ``dst`` from ``o``; return the new end."""
    start = o
    pending = False
    for i in range(n):
        c = src[i]
        if classes[c] & IS_SPACE:
            pending = o > start
        else:
            if pending:
                dst[o] = SPACE
                o += 1
                pending = False
            dst[o] = c
            o += 1
    return o


@numba.njit(cache=True, nogil=True)
def _head_copy(src: NDArray[np.uint32], s: int, e: int, classes: NDArray[np.uint8], dst: NDArray[np.uint32]) -> int:
    """Copy ``src[s:e]`` to ``dst`` with ASCII letters lower-cased; return what it holds.

    For an ASCII text without "&" that is ``normalize_head`` up to URLs (entities
    and folding have nothing to do, and lower-casing ASCII is ``str.lower``),
    unless it holds an invisible control character (``HEAD_REDO``). On a
    ``normalize_head`` output it changes nothing. The other bits are what the
    later stages need to find anything: an "@" (mentions), a leetspeak
    character, a letter at a word start followed by a separator, a letter and a
    separator (the start of every spaced-out match), three equal characters.
    Lookups in ``_ASCII``, and no branches, so the loop runs at a steady pace.
    """
    flags = 0
    repeat = False
    spaced = False
    kinds = 0
    prev = np.uint32(0xFFFFFFFF)
    prev2 = prev
    for i in range(s, e):
        c = src[i]
        bits = _ASCII[min(c, 128)]
        c += bits & UPPER
        flags |= bits
        kinds = ((kinds << 3) | (bits >> 8) | (classes[c] & IS_WORD)) & 0x7FFF
        spaced |= kinds & SPACED_MASK == SPACED_WANT
        dst[i - s] = c
        repeat |= (c == prev) & (c == prev2)
        prev2 = prev
        prev = c
    if repeat:
        flags |= HAS_REPEAT
    if spaced:
        flags |= HAS_SPACED
    return flags & FOUND


@numba.njit(cache=True, nogil=True)
def _url_hint(buf: NDArray[np.uint32], n: int, classes: NDArray[np.uint8]) -> bool:
    r"""Whether ``model.normalize._URL_HINT`` finds a match in ``buf[:n]``.

    That is ``@[\w-]+\.[\w-]``, ``://``, ``www.``, ``url`` or a dot and a domain
    ending: a text without one has no URL or e-mail address to replace.
    """
    for p in range(n):
        c = buf[p]
        if c >= 128 or not _ASCII[c] & HINT:
            continue
        if c == 64:  # @[\w-]+\.[\w-]
            q = p + 1
            while q < n and (classes[buf[q]] & IS_WORD or buf[q] == 45):
                q += 1
            if q > p + 1 and q + 1 < n and buf[q] == 46 and (classes[buf[q + 1]] & IS_WORD or buf[q + 1] == 45):
                return True
        elif c == 58:  # ://
            if p + 2 < n and buf[p + 1] == 47 and buf[p + 2] == 47:
                return True
        elif c == 119:  # www.
            if p + 3 < n and buf[p + 1] == 119 and buf[p + 2] == 119 and buf[p + 3] == 46:
                return True
        elif c == 117:  # url
            if p + 2 < n and buf[p + 1] == 114 and buf[p + 2] == 108:
                return True
        elif c == 46:  # a dot and a domain ending
            code = np.int64(0)
            for t in range(p + 1, min(n, p + 1 + _SUFFIX_LONGEST)):
                if not 97 <= buf[t] <= 122:
                    break
                code = code * 32 + np.int64(buf[t]) - 96
                for suffix in _SUFFIX_CODES:
                    if code == suffix:
                        return True
    return False


@numba.njit(cache=True, nogil=True)
def _longest(doc_ptr: NDArray[np.int64]) -> int:
    """Return the length of the batch's longest text (at least 1)."""
    longest = 1
    for d in range(doc_ptr.shape[0] - 1):
        longest = max(longest, doc_ptr[d + 1] - doc_ptr[d])
    return longest


@numba.njit(cache=True, nogil=True)
def _tail_batch(
    cps: NDArray[np.uint32], doc_ptr: NDArray[np.int64], classes: NDArray[np.uint8], plain: bool
) -> tuple[NDArray[np.uint32], NDArray[np.int64], NDArray[np.bool_]]:
    """Finish normalising every text of a batch; return the texts, where each starts, and which to redo.

    Each text is a ``normalize_head`` output or, when ``plain``, may also be an
    ASCII text without "&" as the caller received it: ``_head_copy`` lower-cases
    it, and a text that needs more of ``normalize_head`` (``_url_hint``, or an
    invisible character) is left empty and marked for the caller to redo.
    Then ``normalize_tail``'s stages, each skipped when ``_head_copy`` found
    nothing it could change (mentions can make a text up to three times longer).
    """
    n_docs = doc_ptr.shape[0] - 1
    grown = 3 * _longest(doc_ptr)  # "@a" becomes "xxuser"
    a = np.empty(grown, np.uint32)
    b = np.empty(grown, np.uint32)
    out = np.empty(3 * cps.shape[0], np.uint32)
    out_ptr = np.zeros(n_docs + 1, np.int64)
    redo = np.zeros(n_docs, np.bool_)
    o = 0
    for d in range(n_docs):
        flags = _head_copy(cps, doc_ptr[d], doc_ptr[d + 1], classes, a)
        n = doc_ptr[d + 1] - doc_ptr[d]
        if plain and (flags & HEAD_REDO or _url_hint(a, n, classes)):
            redo[d] = True
            out_ptr[d + 1] = o
            continue
        # A stage that changed the text (or may have) runs every later stage, except
        # mentions: "xxuser" gives no later stage anything the flags have not seen.
        every = False
        if flags & HAS_AT:
            n = _mentions(a, 0, n, classes, b)
            a, b = b, a
        if every or flags & HAS_LEET:
            every |= _unleet(a, n, b)
            a, b = b, a
        if every or flags & HAS_SPACED:
            m = _join_spaced(a, 0, n, classes, b)
            a, b = b, a
            every |= m < n
            n = m
        if every or flags & HAS_REPEAT:
            n = _squeeze(a, n, classes, b)
            a, b = b, a
        o = _collapse(a, n, classes, out, o)
        out_ptr[d + 1] = o
    return out, out_ptr, redo


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


_CLASSES: NDArray[np.uint8] | None = None
_CLASSES_LOCK = threading.Lock()


def char_classes() -> NDArray[np.uint8]:
    r"""Return a table over every code point of ``IS_WORD | IS_SPACE | IS_DIGIT`` bits.

    Each bit is where Python's own ``re`` matches ``\w``, ``\s`` or ``\d``, so the
    kernel's tokens, whitespace and digits agree exactly with scikit-learn's token
    pattern and ``normalize_tail``.
    """
    global _CLASSES
    with _CLASSES_LOCK:
        if _CLASSES is None:
            everything = "".join(map(chr, range(0x110000)))
            table = np.zeros(0x110000, dtype=np.uint8)
            for pattern, bit in ((r"\w+", IS_WORD), (r"\s+", IS_SPACE), (r"\d+", IS_DIGIT)):
                for m in re.finditer(pattern, everything):
                    table[m.start() : m.end()] |= bit
            _CLASSES = table
        return _CLASSES


def code_points(texts: Sequence[str]) -> tuple[NDArray[np.uint32], NDArray[np.int64]]:
    """Return the texts' code points end to end and where each text starts and ends."""
    ptr = np.zeros(len(texts) + 1, np.int64)
    if len(texts) == 1:  # the usual request: skip the list and the sum
        ptr[1] = len(texts[0])
    else:
        np.cumsum([len(t) for t in texts], out=ptr[1:])
    joined = "".join(texts).encode("utf-32-le", "surrogatepass")
    return np.frombuffer(joined, np.uint32), ptr


def _line_rows(n: int, width: int) -> NDArray[np.float64]:
    """Return zeroed ``(n, width)`` float64 rows padded to whole 64-byte cache lines and aligned to one.

    A feature's ``[idf, coef...]`` row (7 numbers for 6 heads) then sits in one cache
    line instead of straddling two: one memory access per feature instead of two
    (batches about 12 % faster on this machine).
    """
    padded = -(-width // 8) * 8
    raw = np.zeros(n * padded + 8, dtype=np.float64)
    start = (-raw.ctypes.data % 64) // 8
    return raw[start : start + n * padded].reshape(n, padded)


def _bits_for(n: int) -> int:
    """Return log2 of a table size that keeps ``n`` terms at most half full."""
    return max(4, int(2 * n).bit_length())


def heads_or_plain(texts: Sequence[str]) -> list[str]:
    """Return each text unchanged when it is ASCII without "&", else its ``normalize_head``.

    The kernel finishes the first kind's head itself (``_head_copy``, ``_url_hint``)
    and hands back the few that need more.
    """
    return [t if t.isascii() and "&" not in t else normalize_head(t) for t in texts]


def redo_heads(texts: Sequence[str], heads: Sequence[str], again: Sequence[int]) -> list[str]:
    """Return ``normalize_head`` of the texts the kernel handed back (URLs, e-mail, invisible characters).

    ``heads`` is what ``heads_or_plain`` gave: a text it already normalised (one
    whose "xxurl" woke the kernel's URL hint) is not normalised again.
    """
    return [heads[i] if heads[i] is not texts[i] else normalize_head(texts[i]) for i in again]


def finish_normalize(texts: Sequence[str], plain: bool = False) -> list[str]:
    """Return what the kernel scores for each text, by its compiled stages.

    That is ``normalize_tail`` of ``normalize_head`` outputs, or with ``plain``,
    ``normalize`` of any text (through ``heads_or_plain`` and the redo, as
    ``FastScorer`` does).
    """
    heads = heads_or_plain(texts) if plain else list(texts)
    cps, ptr = code_points(heads)
    out, out_ptr, redo = _tail_batch(cps, ptr, char_classes(), plain)
    done = [out[out_ptr[d] : out_ptr[d + 1]].tobytes().decode("utf-32-le", "surrogatepass") for d in range(len(texts))]
    again = np.flatnonzero(redo).tolist()
    if again:
        for i, text in zip(again, finish_normalize(redo_heads(texts, heads, again)), strict=True):
            done[i] = text
    return done


class FastScorer:
    """Logits and probabilities equal to the scikit-learn path on normalised text.

    Input is the texts as received. Printable ASCII texts without "&" and without
    a URL hint (most comments) go to the kernel as they are; the others through
    ``model.normalize.normalize_head`` first (``heads_or_plain``, then the redo of
    ``_run``). The kernel applies the remaining stages (``normalize_tail``)
    itself, so what it scores is exactly ``normalize(text)``: single spaces
    between words, which the character block splits on.
    """

    def __init__(
        self,
        featurizer: Featurizer,
        coef: NDArray[np.float64],
        intercept: NDArray[np.float64],
        calibrators: Sequence[Calibrator],
    ) -> None:
        word, char = featurizer.word, featurizer.char
        check_settings(word, char)
        n_word, n_char = featurizer.n_word, featurizer.n_features - featurizer.n_word
        all_terms = featurizer.terms()
        idf = np.concatenate([word.idf_, char.idf_])
        # The kernel numbers features its own way (only sums over them leave it):
        # word unigrams, then bigrams, then characters, each most frequent first.
        # Unigram features then index their character summaries directly, and the
        # frequent terms' lines, offsets and code points sit together.
        unigrams = np.array([" " not in t for t in all_terms[:n_word]], dtype=bool)
        uni = np.flatnonzero(unigrams)
        bi = np.flatnonzero(~unigrams)
        chars = np.arange(n_word, len(idf))
        order = np.concatenate([part[np.argsort(idf[part], kind="stable")] for part in (uni, bi, chars)])
        n_uni = len(uni)
        terms = [all_terms[i] for i in order]
        idf = idf[order]
        self._terms_cp, self._term_ptr = code_points(terms)
        keys = _term_keys(self._term_ptr, self._terms_cp, n_word)
        self._bits = np.array([_bits_for(n_word), _bits_for(n_char)], dtype=np.int64)
        self._table = _build_table(keys, n_word, self._bits)
        # One cache line per feature: [idf, coef for each head..., padding, key].
        self._weights = _line_rows(len(idf), coef.shape[1] + 2)
        self._weights[:, 0] = idf
        self._weights[:, 1 : coef.shape[1] + 1] = coef[order]
        self._keys = self._weights.view(np.uint64)  # the same memory, read as keys
        self._keys[:, -1] = keys
        heads, ptr, xs, ys = [], [0], [], []
        for b, cal in zip(intercept, calibrators, strict=True):
            heads.append([float(b), SIGMOID if cal.kind == "sigmoid" else ISOTONIC, cal.a, cal.b])
            xs += list(cal.x)
            ys += list(cal.y)
            ptr.append(len(xs))
        self._heads = np.asarray(heads, dtype=np.float64).reshape(len(heads), 4)
        self._knot_ptr = np.asarray(ptr, dtype=np.int64)
        self._knots = np.asarray([xs, ys], dtype=np.float64).reshape(2, len(xs))
        self._classes = char_classes()
        self._ngrams = np.array([word.ngram_range[1], *char.ngram_range], dtype=np.int64)
        self._wsums = _line_rows(n_uni, coef.shape[1] + 2)
        self._wchar = _word_lists(
            n_uni, self._table, self._bits, self._term_ptr, self._terms_cp, self._weights, self._keys, self._ngrams,
            self._wsums,
        )  # fmt: skip

    def _run(self, texts: Sequence[str], calibrate: bool) -> NDArray[np.float64]:
        heads = heads_or_plain(texts)
        out, again = self._score(heads, calibrate, True)
        if len(again):
            out[again], _ = self._score(redo_heads(texts, heads, again.tolist()), calibrate, False)
        return out

    def _score(
        self, texts: Sequence[str], calibrate: bool, plain: bool
    ) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        cps, ptr = code_points(texts)
        out: tuple[NDArray[np.float64], NDArray[np.int64]] = _score_batch(
            cps,
            ptr,
            self._classes,
            self._table,
            self._bits,
            self._term_ptr,
            self._terms_cp,
            self._weights,
            self._keys,
            self._heads,
            self._knot_ptr,
            self._knots,
            self._ngrams,
            self._wsums,
            self._wchar,
            calibrate,
            plain,
        )
        return out

    def logits(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Return raw head outputs of the texts, ``(n, n_attributes)``."""
        return self._run(texts, False)

    def probabilities(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Return calibrated probabilities of the texts, ``(n, n_attributes)``."""
        return self._run(texts, True)

    def warm_up(self) -> None:
        """Compile (or load from the on-disk cache) the kernel now rather than on a request."""
        self.probabilities(["warm up the kernel", ""])


def check_settings(word: Any, char: Any) -> None:
    """Raise ``ValueError`` for vectoriser settings this path does not reproduce."""
    if word.analyzer != "word" or char.analyzer != "char_wb" or word.token_pattern != WORD_TOKEN_PATTERN:
        raise ValueError(f"the fast path needs word tokens {WORD_TOKEN_PATTERN!r} and a char_wb vectoriser")
    if tuple(word.ngram_range) not in ((1, 1), (1, 2)) or word.stop_words is not None or word.vocabulary:
        raise ValueError(f"the fast path supports word n-grams (1, 1) or (1, 2), not {word.ngram_range}")
    if not 1 <= char.ngram_range[0] <= char.ngram_range[1] <= 64:
        raise ValueError(f"the fast path supports character n-grams up to 64, not {char.ngram_range}")
    for vec in (word, char):
        if vec.lowercase or vec.strip_accents or vec.preprocessor or vec.tokenizer:
            raise ValueError("the fast path expects text that is already normalised (no lower-casing)")
        if vec.norm != "l2" or not vec.use_idf or not vec.sublinear_tf or vec.binary:
            raise ValueError("the fast path implements sublinear, IDF-weighted, L2-normalised TF-IDF only")
