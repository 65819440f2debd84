"""Term keys and the open-addressing tables that map an n-gram to its feature.

A character n-gram of up to five code points below ``PACK_LIMIT``, and a word
term of up to ``WORD_PACK`` characters of ``[a-z0-9_ ]``, is its own exact key
(packed bits); any other term is keyed by a 64-bit FNV-1a hash with ``TOP`` set,
and its code points are compared on a hit, so a lookup never confuses two terms.
A table slot holds 8 bytes, ``fingerprint << 32 | feature + 1``; the feature's
own 64-byte line (``FastScorer``'s weights) holds the full key. ``_first_probes``
looks up many keys in passes so their cache misses overlap. Numba kernels only;
imports numpy and numba, nothing of the model.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

WORD, CHAR = 0, 1
"""The two blocks of the lookup table: word terms, character n-grams."""
SPACE = 32
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
