"""``FastScorer``: lays a fitted featuriser and heads out for the kernel, and calls it.

At construction it renumbers the features (word unigrams, bigrams, characters,
each most frequent first), builds the lookup table (``hashing``), one 64-byte
line per feature ``[idf, coef per head, padding, key]``, the packed calibrators
and every vocabulary word's character list (``ngrams._word_lists``). At scoring
time it hands most texts to the kernel as received, and the few that need
Python's ``normalize_head`` (non-ASCII, "&", a URL hint) through it first.
Imports numpy, ``model.normalize``, ``model.features``, ``model.calibration`` and
the kernel modules; nothing of ``training`` or ``service``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from model.calibration import Calibrator
from model.combine import Combiner
from model.fast.calibrate import ISOTONIC, SIGMOID, _combine
from model.fast.hashing import _build_table, _term_keys
from model.fast.kernel import _score_batch
from model.fast.ngrams import _word_lists
from model.fast.tables import char_classes, code_points
from model.fast.text import _tail_batch
from model.features import WORD_TOKEN_PATTERN, Featurizer
from model.normalize import normalize_head


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
        combiners: Sequence[Combiner] | None = None,
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
        self._comb: tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.float64]] | None = None
        if combiners is not None:
            self._comb = _pack_combiners(combiners)
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

    def combined(self, batch: Sequence[str], counts: Sequence[int]) -> NDArray[np.float64]:
        """Return the combined probabilities of the comments of a ``model.combine.units_batch`` batch."""
        if self._comb is None:
            raise ValueError("this scorer was built without sentence combiners")
        comb, knot_ptr, knots = self._comb
        out: NDArray[np.float64] = _combine(
            self._run(batch, False), np.asarray(counts, dtype=np.int64), comb, knot_ptr, knots
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


def _pack_combiners(
    combiners: Sequence[Combiner],
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.float64]]:
    """Return ``[w_whole, w_max, w_count, bias, kind, a, b]`` per head and the calibrators' knots."""
    rows, ptr, xs, ys = [], [0], [], []
    for c in combiners:
        cal = c.calibrator
        kind = SIGMOID if cal.kind == "sigmoid" else ISOTONIC
        rows.append([c.w_whole, c.w_max, c.w_count, c.bias, kind, cal.a, cal.b])
        xs += list(cal.x)
        ys += list(cal.y)
        ptr.append(len(xs))
    comb = np.asarray(rows, dtype=np.float64).reshape(len(rows), 7)
    return comb, np.asarray(ptr, dtype=np.int64), np.asarray([xs, ys], dtype=np.float64).reshape(2, len(xs))


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
