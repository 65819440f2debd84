"""Exact explanations for the linear heads: which words and phrases moved a score.

A head's raw logit is ``intercept + sum_j x_j * w_j`` over the comment's features,
so each feature's contribution ``x_j * w_j`` is exact. Contributions are mapped to
spans of the *original* text (Python string indices, end-exclusive) as follows:

- **Words.** The normalised text is split on spaces into words, the units of the
  character n-grams (``char_wb``). A word's weight is the sum of its word-unigram
  contribution and of every character n-gram drawn from it.
- **Phrases.** A word bigram's contribution goes to the phrase it spans.
- **Repeats.** A feature occurring several times (TF-IDF counts them together) has
  its contribution split equally between its occurrences.

So ``intercept + sum(span weights) + other == logit``, where ``other`` sums spans
left out when the list is truncated to the largest ``max_spans`` by magnitude.

A comment scored sentence by sentence (``model.combine.units``) also lists each
sentence's own score and marks the one that scored highest: the sentence that
drove the combined score, which a long comment's whole-text words can hide.
Offsets point at what the client sent: a word that normalisation folded
(``1d10t``, ``i d i o t``, an entity, a URL) maps back to all of it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from model.features import WORD_TOKEN_PATTERN, Featurizer
from model.normalize import Normalized, normalize_with_offsets

_TOKEN = re.compile(WORD_TOKEN_PATTERN)
_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class SpanWeight:
    """One word or phrase of the original text and its contribution to the logit."""

    start: int
    end: int
    text: str
    weight: float
    kind: str  # "word" or "phrase"


@dataclass(frozen=True, slots=True)
class UnitScore:
    """One sentence (or run of short sentences) of the original text and its own score."""

    start: int
    end: int
    score: float


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why one attribute scored as it did for one comment."""

    attribute: str
    score: float
    logit: float
    intercept: float
    spans: tuple[SpanWeight, ...]
    other: float
    sentences: tuple[UnitScore, ...] = ()
    """Each unit's own score, when the comment was scored sentence by sentence."""
    driver: int | None = None
    """Index in ``sentences`` of the highest-scoring one."""


def _word_ngrams(text: str, ngram_range: tuple[int, int]) -> dict[str, list[tuple[int, int]]]:
    """Return each word n-gram's occurrences as normalised ``(start, end)`` spans."""
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    lo, hi = ngram_range
    for n in range(lo, hi + 1):
        for i in range(len(tokens) - n + 1):
            first, last = tokens[i], tokens[i + n - 1]
            term = " ".join(text[a:b] for a, b in tokens[i : i + n])
            out[term].append((first[0], last[1]))
    return out


def _char_wb_ngrams(text: str, ngram_range: tuple[int, int]) -> dict[str, list[int]]:
    """Return each character n-gram's occurrences as word indices (scikit-learn's char_wb)."""
    out: dict[str, list[int]] = defaultdict(list)
    lo, hi = ngram_range
    for index, match in enumerate(_WORD.finditer(text)):
        w = f" {match.group()} "
        w_len = len(w)
        for n in range(lo, hi + 1):
            offset = 0
            out[w[offset : offset + n]].append(index)
            while offset + n < w_len:
                offset += 1
                out[w[offset : offset + n]].append(index)
            if offset == 0:  # a word shorter than n yields one n-gram, once
                break
    return out


def explain(
    featurizer: Featurizer,
    coef: np.ndarray,
    intercept: np.ndarray,
    columns: Sequence[int],
    names: Sequence[str],
    scores: Sequence[float],
    text: str,
    max_spans: int,
    unit_scores: Sequence[Sequence[UnitScore]] = (),
) -> list[Explanation]:
    """Explain the heads at ``columns`` for one original ``text`` (``unit_scores``: per column, if any)."""
    norm: Normalized = normalize_with_offsets(text)
    t = norm.text
    row = featurizer.transform([t])
    indices, values = row.indices, row.data
    words = [(m.start(), m.end()) for m in _WORD.finditer(t)]
    word_params = featurizer.word.ngram_range
    char_params = featurizer.char.ngram_range
    word_occ = _word_ngrams(t, word_params)
    char_occ = _char_wb_ngrams(t, char_params)
    terms = featurizer.terms()
    n_word = featurizer.n_word

    # Where each active feature occurs, once for all attributes.
    placements: list[tuple[int, list[tuple[str, int, int]]]] = []
    for j in indices:
        term = terms[int(j)]
        spots: list[tuple[str, int, int]] = []
        if j < n_word:
            for a, b in word_occ.get(term, ()):
                if " " in t[a:b]:
                    spots.append(("phrase", a, b))
                else:
                    spots.append(("word", *_word_of(words, a)))
        else:
            spots = [("word", *words[i]) for i in char_occ.get(term, ())]
        placements.append((int(j), spots))

    # Every spot's span of the original text, once for all attributes (each weighs every spot).
    # A spot repeats once per occurrence of a feature in it: map each distinct one once.
    distinct = dict.fromkeys(spot for _, spots in placements for spot in spots)
    origin = {spot: norm.span(spot[1], spot[2]) for spot in distinct}
    out: list[Explanation] = []
    per_unit = list(unit_scores) or [() for _ in columns]
    for col, name, score, units in zip(columns, names, scores, per_unit, strict=True):
        weights: dict[tuple[str, int, int], float] = defaultdict(float)
        unplaced = 0.0
        contrib = values * coef[indices, col]
        for (_, spots), c in zip(placements, contrib, strict=True):
            if not spots:
                unplaced += float(c)  # cannot happen for a consistent model; kept exact anyway
                continue
            share = float(c) / len(spots)
            for spot in spots:
                weights[spot] += share
        # Sort plain keys and build objects for the listed spans only: a 20 KB comment has
        # tens of thousands of spots, and making a SpanWeight of each was most of the cost.
        spots_weights = list(weights.items())
        keys = [(-abs(w), *origin[spot]) for spot, w in spots_weights]
        order = sorted(range(len(keys)), key=keys.__getitem__)  # stable, as sorting the spans was
        kept: list[SpanWeight] = []
        for i in order[:max_spans]:
            (kind, a, b), w = spots_weights[i]
            begin, stop = origin[(kind, a, b)]
            kept.append(SpanWeight(begin, stop, text[begin:stop], w, kind))
        rest = sum(spots_weights[i][1] for i in order[max_spans:])
        b0 = float(intercept[col])
        logit = b0 + float(contrib.sum())
        out.append(
            Explanation(
                attribute=name,
                score=float(score),
                logit=logit,
                intercept=b0,
                spans=tuple(kept),
                other=unplaced + rest,
                sentences=tuple(units),
                driver=max(range(len(units)), key=lambda u: units[u].score) if units else None,
            )
        )
    return out


def _word_of(words: list[tuple[int, int]], position: int) -> tuple[int, int]:
    """Return the space-delimited word containing normalised ``position``."""
    lo, hi = 0, len(words) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if words[mid][0] <= position:
            lo = mid
        else:
            hi = mid - 1
    return words[lo]
