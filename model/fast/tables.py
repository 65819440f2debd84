r"""Lookup tables the compiled kernels read, generated from ``model.normalize``'s rules.

``model.normalize`` states every rule's data once (the @mention token, the
leetspeak map and its characters, the units that keep a number a number, the
URL endings, the spaced-out separators, the repeat length). This module turns
that data into the arrays and integer codes the kernels look up, at import, and
``digest()`` fingerprints them so the compiled-code cache is keyed on their
values (``model.fast.cache``). It also builds ``char_classes()``, the table of
where Python's own ``re`` matches ``\w``, ``\s`` and ``\d``. It imports numpy and
``model.normalize`` only; no numba, so it runs before numba is configured.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from model import normalize as rules

IS_WORD, IS_SPACE, IS_DIGIT = 1, 2, 4
"""Bits of ``char_classes()``: where Python's ``re`` matches word, space and digit characters."""

USER_CPS = tuple(map(ord, rules.USER_TOKEN))
"""What an @mention becomes (``model.normalize.USER_TOKEN``), as code points."""
GROWTH = max(1, -(-len(rules.USER_TOKEN) // 2))
"""How many times longer mentions can make a text: the shortest mention, "@a", becomes ``USER_TOKEN``."""
UNIT_SUFFIXES = rules.LEET_KEEP_SUFFIXES
"""Letters after a number that keep it a number (``model.normalize.LEET_KEEP_SUFFIXES``)."""
URL_SUFFIXES = rules.URL_SUFFIXES
"""Domain endings of ``model.normalize``'s URL hint."""
SPACED_MIN_PAIRS = rules.SPACED_MIN_PAIRS
REPEAT_MIN_RUN = rules.REPEAT_MIN_RUN


def _pack_letters(word: str) -> int:
    code = 0
    for c in word:
        if not "a" <= c <= "z":
            raise ValueError(f"{word!r}: only a-z pack into a letter code")
        code = code * 32 + ord(c) - 96
    return code


UNIT_CODES = tuple(_pack_letters(u) for u in UNIT_SUFFIXES)
UNIT_LONGEST = max(map(len, UNIT_SUFFIXES))
SUFFIX_CODES = tuple(_pack_letters(u) for u in URL_SUFFIXES)
SUFFIX_LONGEST = max(map(len, URL_SUFFIXES))

# What ``_head_copy`` finds in a text: whether the Python head must take it, and
# which of the later stages can change it.
HEAD_REDO, HAS_AT, HAS_LEET, HAS_SPACED, HAS_REPEAT = 1, 2, 4, 8, 16
FOUND = HEAD_REDO | HAS_AT | HAS_LEET | HAS_SPACED | HAS_REPEAT
UPPER, HINT = 32, 128
"""More bits of ``ASCII``: an upper-case letter (32: what lower-casing adds), a character that may start a URL hint."""
HINT_STARTS = "@:wu."
"""First characters of ``model.normalize._URL_HINT``'s alternatives (``_url_hint`` scans from them)."""
WORDB, LETTER, SEPARATOR = 1, 2, 4
r"""A character's kind, in bits 8 to 10 of ``ASCII``: ``\w``, ``[a-zA-Z]``, a spaced-out separator."""
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
        if rules.INVISIBLE.fullmatch(ch):
            bits |= HEAD_REDO  # normalize_head deletes it
        if ch in rules.LEET_CHARACTERS:
            bits |= HAS_LEET
        if ch == "@":
            bits |= HAS_AT
        if ch in HINT_STARTS:
            bits |= HINT
        kind = (WORDB if ch.isalnum() or ch == "_" else 0) | (LETTER if ch.isalpha() else 0)
        table[c] = bits | (kind | (SEPARATOR if ch in rules.SPACED_SEPARATORS else 0)) << 8
    return table


def _ascii_map(mapping: dict[str, str]) -> NDArray[np.uint32]:
    """Return an ASCII table of ``mapping``'s replacement code points (0 where a character has none)."""
    table = np.zeros(128, dtype=np.uint32)
    for key, value in mapping.items():
        if not (key.isascii() and value.isascii() and len(key) == len(value) == 1):
            raise ValueError(f"the kernels map one ASCII character to another, not {key!r} -> {value!r}")
        table[ord(key)] = ord(value)
    return table


ASCII = _ascii_table()
LEET_TO = _ascii_map(rules.LEET_MAP)
"""``model.normalize.LEET_MAP`` by code point: the letter a look-alike stands for, or 0."""
INNER_TO = _ascii_map(rules.LEET_INNER)
"""``model.normalize.LEET_INNER`` by code point: the letter, or 0."""

if any(ch not in rules.LEET_CHARACTERS for ch in (*rules.LEET_MAP, *rules.LEET_INNER)):
    raise ValueError("every leetspeak look-alike must be one of model.normalize.LEET_CHARACTERS")


def digest() -> str:
    """Return a fingerprint of the tables above and of the kernels' source files.

    Numba freezes these values into the machine code it caches, and keys each
    cached function on its own file only; a kernel calls kernels of the other
    files. Keying the cache folder on this digest (``model.fast.cache``) means a
    changed rule or any changed kernel file compiles afresh instead of loading
    stale code.
    """
    h = hashlib.sha256()
    values = (USER_CPS, GROWTH, UNIT_CODES, SUFFIX_CODES, SPACED_MIN_PAIRS, REPEAT_MIN_RUN, HINT_STARTS)
    h.update(repr(values).encode())
    for table in (ASCII, LEET_TO, INNER_TO):
        h.update(table.tobytes())
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


_CLASSES: NDArray[np.uint8] | None = None
_CLASSES_LOCK = threading.Lock()


def char_classes() -> NDArray[np.uint8]:
    r"""Return a table over every code point of ``IS_WORD | IS_SPACE | IS_DIGIT`` bits.

    Each bit is where Python's own ``re`` matches ``\w``, ``\s`` or ``\d``, so the
    kernel's tokens, whitespace and digits agree exactly with scikit-learn's token
    pattern and ``normalize_tail``. Passed to the kernels as an argument, not frozen.
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


if REPEAT_MIN_RUN < 3 or SPACED_MIN_PAIRS < 2:
    # _head_copy flags a text for these stages on three equal characters and on two
    # separator-letter pairs: shorter rules would need earlier hints.
    raise ValueError("the kernels' hints need REPEAT_MIN_RUN >= 3 and SPACED_MIN_PAIRS >= 2")
