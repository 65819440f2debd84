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

**Normalisation is defined once.** ``model.normalize`` states every rule, its
data as named constants and its logic as regular expressions (which training runs
and which give explanations their offset maps). The kernels' tables are generated
from those constants at import (``tables``), so no rule's data is written twice.
The rules' *logic* is written twice on purpose: a dozen regex passes a comment
would cost more than the whole kernel, so ``text`` re-implements each stage as a
linear scan over code points; property tests (``tests/model/test_fast.py``) hold
the two to identical output on random and adversarial text.

The package, one module per concern (each says what it may import):

* ``tables``: lookup tables generated from ``model.normalize``'s rules, and
  Python's own character classes (no numba);
* ``cache``: numba's cache folder, keyed on the tables and the kernels' sources;
* ``hashing``: term keys and the open-addressing lookup tables;
* ``ngrams``: character n-grams of a word, and each vocabulary word's list of them;
* ``text``: the normalisation stages after ``normalize_head``, compiled (and why
  the rules' algorithms exist twice, once as regexes in ``model.normalize``);
* ``tfidf``: one sublinear, L2-normalised TF-IDF block summed into the heads;
* ``calibrate``: the calibrators inside the kernel;
* ``kernel``: ``_score_batch``, which runs all of the above on a batch;
* ``scorer``: ``FastScorer``, which lays the model out for the kernel and calls it.

Numba compiles the kernels on first use and caches the machine code on disk
(``model.fast.cache``: a folder keyed on the rule tables and the kernel sources,
under ``NUMBA_CACHE_DIR``, else beside this package, else a temporary folder), so
later processes load it in milliseconds. The service compiles it before it
reports ready.
"""

from __future__ import annotations

from model.fast import cache

cache.configure()  # before any kernel module is imported: it sets where they cache

from model.fast.scorer import FastScorer, check_settings, finish_normalize  # noqa: E402
from model.fast.tables import (  # noqa: E402
    IS_DIGIT,
    IS_SPACE,
    IS_WORD,
    UNIT_SUFFIXES,
    URL_SUFFIXES,
    USER_CPS,
    char_classes,
    code_points,
)

__all__ = [
    "IS_DIGIT",
    "IS_SPACE",
    "IS_WORD",
    "UNIT_SUFFIXES",
    "URL_SUFFIXES",
    "USER_CPS",
    "FastScorer",
    "char_classes",
    "check_settings",
    "code_points",
    "finish_normalize",
]
