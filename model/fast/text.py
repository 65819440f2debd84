"""The normalisation stages after ``normalize_head``, compiled: what ``normalize_tail`` does, on code points.

Why the rules exist twice. ``model.normalize`` states them as regular
expressions, which also give the offset maps that explanations need, and it is
what training runs. The scoring path cannot afford a dozen regex passes a
comment, so these kernels re-implement the same rules as linear scans. Every
rule's *data* (the mention token, the leetspeak map and its characters, the
units, the URL endings, the separators, the repeat length) is written once, in
``model.normalize``, and reaches these kernels as ``model.fast.tables``; the
*algorithms* are necessarily written twice, and property tests
(``tests/model/test_fast.py``) hold the two to identical output on random and
adversarial text. ``_head_copy`` also does ``normalize_head``'s work for the
usual comment (printable ASCII without "&"): it lower-cases and spots what the
later stages and the URL hint could act on. Numba kernels; imports
``model.fast.tables`` only.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

from model.fast.tables import (
    ASCII,
    FOUND,
    GROWTH,
    HAS_AT,
    HAS_LEET,
    HAS_REPEAT,
    HAS_SPACED,
    HEAD_REDO,
    HINT,
    INNER_TO,
    IS_DIGIT,
    IS_SPACE,
    IS_WORD,
    LEET_TO,
    REPEAT_MIN_RUN,
    SEPARATOR,
    SPACED_MASK,
    SPACED_MIN_PAIRS,
    SPACED_WANT,
    SUFFIX_CODES,
    SUFFIX_LONGEST,
    UNIT_CODES,
    UNIT_LONGEST,
    UPPER,
    USER_CPS,
)

SPACE = 32


@numba.njit(cache=True, nogil=True)
def _mentions(src: NDArray[np.uint32], s: int, e: int, classes: NDArray[np.uint8], dst: NDArray[np.uint32]) -> int:
    r"""Stage 6, mentions, on ``src[s:e]`` into ``dst``; return the length written (at most ``GROWTH`` times ``e - s``).

    Exactly ``re.sub(r"(?<![\w@])@\w+", USER_TOKEN)``: an "@" that follows neither a
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
    """Return whether ``c`` is in ``model.normalize.LEET_CHARACTERS``: it can stand for a letter."""
    return c < 128 and ASCII[c] & HAS_LEET != 0


@numba.njit(cache=True, nogil=True, inline="always")
def _leet_run_char(c: int) -> bool:
    """Return whether ``c`` is a letter a-z or in ``LEET_CHARACTERS``: part of a leetspeak run."""
    return 97 <= c <= 122 or _leet_char(c)


@numba.njit(cache=True, nogil=True, inline="always")
def _separator(c: int) -> bool:
    """Return whether ``c`` is in ``model.normalize.SPACED_SEPARATORS`` (between spaced-out letters)."""
    return c < 128 and (ASCII[c] >> 8) & SEPARATOR != 0


@numba.njit(cache=True, nogil=True, inline="always")
def _ascii_alnum(c: int) -> bool:
    """``[a-z0-9]``: what ``str.isalnum`` accepts among a leetspeak run's characters."""
    return 97 <= c <= 122 or 48 <= c <= 57


@numba.njit(cache=True, nogil=True)
def _kept_number(src: NDArray[np.uint32], a: int, b: int) -> bool:
    r"""Return whether ``src[a:b]``, stripped of ``LEET_INNER``, fully matches ``[a-z]+\d+`` or ``\d+`` and a unit."""
    while a < b and src[a] < 128 and INNER_TO[src[a]] != 0:
        a += 1
    while b > a and src[b - 1] < 128 and INNER_TO[src[b - 1]] != 0:
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
    if i == a or b - i > UNIT_LONGEST:
        return False
    code = np.int64(0)  # digits, then exactly one unit to the end (90s, 5pm)
    for t in range(i, b):
        if not 97 <= src[t] <= 122:
            return False
        code = code * 32 + np.int64(src[t]) - 96
    for unit in UNIT_CODES:  # noqa: SIM110 - numba compiles the loop, not a generator
        if code == unit:
            return True
    return False


@numba.njit(cache=True, nogil=True)
def _unleet(src: NDArray[np.uint32], n: int, dst: NDArray[np.uint32]) -> bool:
    """Stage 7, leetspeak, on ``src[:n]`` into ``dst[:n]`` (the length never changes).

    Exactly ``normalize``'s ``_LEET_RUN`` substitution: its matches are the maximal
    runs of letters and ``LEET_CHARACTERS`` holding one of the latter; a run with a
    letter that is not a kept number (``_LEET_KEEP``) has the ``LEET_MAP``
    characters mapped to their letters (``LEET_TO``), and the ``LEET_INNER`` ones
    (``INNER_TO``) between two letters or digits of the original run mapped to
    theirs. Returns False when no run changed.
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
            if change and c < 128:  # every run character is ASCII
                if LEET_TO[c] != 0:
                    r = LEET_TO[c]
                elif INNER_TO[c] != 0 and i < t < j - 1 and _ascii_alnum(src[t - 1]) and _ascii_alnum(src[t + 1]):
                    r = INNER_TO[c]
            dst[t] = r
        i = j
    return changed


@numba.njit(cache=True, nogil=True)
def _join_spaced(src: NDArray[np.uint32], s: int, e: int, classes: NDArray[np.uint8], dst: NDArray[np.uint32]) -> int:
    r"""Stage 8 on ``src[s:e]`` into ``dst``; return the length written.

    Exactly ``normalize``'s ``re.sub`` of ``(?<![\w])[a-z](?:[SEP][a-z]){MIN,}(?![\w])``
    (``SPACED_SEPARATORS``, ``SPACED_MIN_PAIRS``) by every second character: at each
    start, the most separator-letter pairs whose end is not followed by a word
    character (the regex backtracks the same way).
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
            while pairs >= SPACED_MIN_PAIRS:
                q = i + 2 * pairs + 1
                if q >= e or not classes[src[q]] & IS_WORD:
                    for t in range(pairs + 1):
                        dst[m] = src[i + 2 * t]
                        m += 1
                    i = q
                    break
                pairs -= 1
            if pairs >= SPACED_MIN_PAIRS:
                continue
        dst[m] = c
        m += 1
        i += 1
    return m


@numba.njit(cache=True, nogil=True)
def _squeeze(src: NDArray[np.uint32], n: int, classes: NDArray[np.uint8], dst: NDArray[np.uint32]) -> int:
    r"""Stage 9: runs of ``REPEAT_MIN_RUN`` or more of a character other than ``\d`` and ``\s`` become one."""
    m = 0
    i = 0
    while i < n:
        c = src[i]
        j = i + 1
        while j < n and src[j] == c:
            j += 1
        if j - i >= REPEAT_MIN_RUN and not classes[c] & (IS_DIGIT | IS_SPACE):
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
    Lookups in ``ASCII``, and no branches, so the loop runs at a steady pace.
    """
    flags = 0
    repeat = False
    spaced = False
    kinds = 0
    prev = np.uint32(0xFFFFFFFF)
    prev2 = prev
    for i in range(s, e):
        c = src[i]
        bits = ASCII[min(c, 128)]
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
        if c >= 128 or not ASCII[c] & HINT:
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
            for t in range(p + 1, min(n, p + 1 + SUFFIX_LONGEST)):
                if not 97 <= buf[t] <= 122:
                    break
                code = code * 32 + np.int64(buf[t]) - 96
                for suffix in SUFFIX_CODES:
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
    nothing it could change (mentions can make a text up to ``GROWTH`` times longer).
    """
    n_docs = doc_ptr.shape[0] - 1
    grown = GROWTH * _longest(doc_ptr)  # "@a" becomes USER_TOKEN
    a = np.empty(grown, np.uint32)
    b = np.empty(grown, np.uint32)
    out = np.empty(GROWTH * cps.shape[0], np.uint32)
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
