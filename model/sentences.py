"""Split a comment into sentences in one linear scan: the units of the combined score, span scores and explanations.

One splitter serves all three, so a span score, the sentence an explanation
points at and the sentence that raised the combined score are the same text.

A sentence ends after a run of terminators (``. ! ? …``, with any closing quotes
or brackets after them) that is followed by whitespace or the end of the text,
and at every line break. A period does not end a sentence after a common
abbreviation (``Mr.``, ``e.g.``) or a single letter (an initial, ``J. Smith``).
Leading and trailing whitespace is not part of a sentence, and a text of
whitespace only has none.

Every character is visited a bounded number of times (the look-back for an
abbreviation reads at most ``_ABBREVIATION_LONGEST`` characters), so the cost
is linear in the text's length whatever it holds: a regular expression with a
lazy ``.*?`` before the terminators backtracks quadratically on a letter,
20,000 dots and a letter. Imports nothing but the standard library.
"""

from __future__ import annotations

import re

TERMINATORS = ".!?…"
CLOSERS = "\"')]}\u201d\u2019\u00bb"  # and the closing double and single quotation marks, and »
BREAKS = "\n\r\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85"
"""What ``str.splitlines`` breaks at: each ends a sentence."""
_ABBREVIATION_WORDS = (
    "mr mrs ms dr prof st jr sr vs etc eg ie al gen gov sen rep col lt sgt capt no vol approx dept est fig inc ltd co"
    " jan feb mar apr jun jul aug sep sept oct nov dec mt ft"
)
ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
"""Words that end in a period without ending a sentence (lower case, dots removed: ``e.g.`` is ``eg``)."""
_ABBREVIATION_LONGEST = 8

# The scan jumps from one terminator or line break to the next (a character-class
# search, which runs at C speed and never backtracks), takes the whole run of
# terminators and closers there in one possessive match, and resumes after it:
# every character is examined a bounded number of times, so the cost is linear.
_CANDIDATE = re.compile(f"[{re.escape(TERMINATORS + BREAKS)}]")
_RUN = re.compile(f"[{re.escape(TERMINATORS)}]++[{re.escape(CLOSERS)}]*+")


def _is_abbreviation(text: str, dot: int) -> bool:
    """Return whether the lone period at ``dot`` closes an abbreviation or an initial."""
    start = dot
    while start > 0 and dot - start < _ABBREVIATION_LONGEST and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    if start > 0 and not text[start - 1].isspace() and text[start - 1] not in "(\"'":
        return False  # part of a longer token: a URL, a number, a word too long to be listed
    word = text[start:dot].replace(".", "").lower()
    if not word:
        return False
    return word in ABBREVIATIONS or (len(word) == 1 and text[dot - 1].isupper())


def _add(spans: list[tuple[int, int]], text: str, a: int, b: int) -> None:
    """Append ``text[a:b]`` without its surrounding whitespace, unless nothing is left."""
    piece = text[a:b]
    kept = piece.strip()
    if kept:
        first = a + len(piece) - len(piece.lstrip())
        spans.append((first, first + len(kept)))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return the ``[start, end)`` spans (Python string indices) of the sentences of ``text``, in order."""
    spans: list[tuple[int, int]] = []
    n = len(text)
    prev = pos = 0
    while (m := _CANDIDATE.search(text, pos)) is not None:
        i = m.start()
        if text[i] in BREAKS:
            _add(spans, text, prev, i)
            prev = pos = i + 1
            continue
        run = _RUN.match(text, i)
        assert run is not None  # text[i] is a terminator
        j = run.end()
        if (j == n or text[j].isspace()) and not (j - i == 1 and text[i] == "." and _is_abbreviation(text, i)):
            _add(spans, text, prev, j)
            prev = j
        pos = j
    _add(spans, text, prev, n)
    return spans


def sentences(text: str) -> list[str]:
    """Return the sentences of ``text`` as strings."""
    return [text[a:b] for a, b in split_sentences(text)]
