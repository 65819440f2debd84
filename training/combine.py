"""Fit each attribute's sentence combiner on held-out comments, real and built from held-out sentences.

The combiner (``model.combine``) turns a comment's whole-text logit, its highest
unit logit and its unit count into one score, then calibrates it. It is fitted
on the validation split's tuning half: its real comments as they are, plus long
comments built from its sentences (``build_long``), because real data has few
long comments with one abusive sentence in them.

How the built comments are made (the model notes' lesson: length must not leak
the label). Every built comment is ``n`` context sentences plus one probe, put
at a random place; the context comes from benign comments (every known label 0)
of the sets whose benign labels mean civil text (``CONTEXT_SOURCES``: talk pages,
detoxified paraphrases, news comments), split into
sentences; the probe is a whole short held-out comment of any set, and the built
comment takes the probe's labels. The other sets' "benign" rows are tweets and
forum posts picked for being near abuse, or noisy (the Toxic Spans posts judged
not toxic were all first rated toxic), which no long ordinary comment is made of.
Positives and negatives are built the same way from the same distribution of
``n``, so only the probe tells them apart. Long benign comments teach the fit
that a highest sentence climbs with the number of sentences; long comments with
one abusive probe teach it not to dilute.

A maximum climbs with the number of sentences it is taken over, and the fit's
log loss does not weigh that enough: left alone it let long benign comments be
flagged several times as often as single benign sentences. So after the logistic
regression, ``w_count`` is lowered (``hold_length``) until long comments built of
``LENGTH_CHECKS`` benign sentences score at or above the default threshold's score
no more often than single benign sentences do, plus ``LENGTH_SLACK``. That is
the price the card reports: an abusive sentence among many benign ones must
stand out further to be flagged.

Imports numpy, scikit-learn, ``model`` and ``training``'s calibration, records and thresholds.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression

from model.combine import Combiner, unit_features, units_batch
from model.sentences import sentences
from training.calibrate import fit_calibrator
from training.records import Record
from training.thresholds import DEFAULT_PRESET, PRESETS, lowest_reaching

Logits = Callable[[Sequence[str]], NDArray[np.float64]]
CONTEXT_SIZES = (1, 2, 3, 5, 8, 12, 20, 30, 45, 60)
LENGTH_CHECKS = (5, 20, 60)
"""Benign comments of these many sentences may be flagged at most ``LENGTH_SLACK`` more often than one sentence."""
LENGTH_SLACK = 0.02
LENGTH_SAMPLES = 1500
"""How many context sentences a built comment has: spread over what comment sections see, up to 60."""
PROBE_MAX_CHARS = 300
CONTEXT_SOURCES = ("cat-large", "paradetox", "unhealthy-conversations")
"""Sets whose benign labels say a comment is civil (crowd toxicity labels, detoxified paraphrases, healthy
news comments): the sentences long comments are built from. TRAC-1's non-aggressive and the Reddit set's
non-misogynistic rows are not: they hold swearing and slurs that those sets' questions did not ask about."""
SENTENCE_CHARS = (20, 300)


def _rng(seed: int, salt: str) -> random.Random:
    return random.Random(int.from_bytes(hashlib.blake2b(f"{seed}:{salt}".encode(), digest_size=8).digest(), "big"))


def benign(record: Record) -> bool:
    """Return whether every known label of ``record`` is 0 and it labels TOXICITY."""
    return "TOXICITY" in record.labels and not any(record.labels.values())


def benign_sentences(records: Sequence[Record], sources: Sequence[str] = CONTEXT_SOURCES) -> list[str]:
    """Return the sentences of the benign comments of ``sources``, of ordinary length, without duplicates."""
    out: dict[str, None] = {}
    lo, hi = SENTENCE_CHARS
    for r in records:
        if r.source in sources and benign(r):
            for s in sentences(r.text):
                if lo <= len(s) <= hi:
                    out.setdefault(s, None)
    return list(out)


def build_long(
    probes: Sequence[Record], pool: Sequence[str], seed: int, sizes: Sequence[int] = CONTEXT_SIZES
) -> list[Record]:
    """Return one built comment per probe: ``n`` pool sentences (n drawn from ``sizes``) around the probe."""
    rng = _rng(seed, "build-long")
    built: list[Record] = []
    if not pool:
        return built
    for probe in probes:
        n = rng.choice(list(sizes))
        context = [pool[rng.randrange(len(pool))] for _ in range(n)]
        context.insert(rng.randrange(n + 1), probe.text.strip())
        built.append(replace(probe, text=" ".join(context), ref=f"built({probe.ref})", group=probe.group))
    return built


def probes(records: Sequence[Record]) -> list[Record]:
    """Return the comments short enough to be one sentence of a long comment."""
    return [r for r in records if len(r.text) <= PROBE_MAX_CHARS and len(sentences(r.text)) <= 2]


Triple = tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]


def comment_logits(logits: Logits, texts: Sequence[str], chunk: int = 4000) -> Triple:
    """Return ``(z_whole, z_max, k)`` of every text, scoring in chunks to bound memory."""
    parts = []
    for i in range(0, len(texts), chunk):
        batch, counts, _ = units_batch(texts[i : i + chunk])
        parts.append(unit_features(logits(batch), counts))
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
    )


def _folds(texts: Sequence[str], k: int = 3) -> NDArray[np.int64]:
    return np.array([int.from_bytes(hashlib.blake2b(t.encode(), digest_size=4).digest(), "big") % k for t in texts])


@dataclass(slots=True)
class LengthCheck:
    """One attribute's logits of single benign sentences and of benign comments of each checked length."""

    single: Triple
    long: dict[int, Triple]


def _default_score(s: NDArray[np.float64], y: NDArray[np.int64]) -> float:
    """Return the lowest score whose precision reaches the default preset's target (else the median positive)."""
    cut = lowest_reaching(s, y, PRESETS[DEFAULT_PRESET][1])
    return cut if cut is not None else float(np.median(s[y == 1]))


def hold_length(w_whole: float, w_max: float, w_count: float, bias: float, cut: float, check: LengthCheck) -> float:
    """Return the highest ``w_count`` (at most the fitted one) that keeps long benign comments' flag rate in check."""

    def rate(z: Triple, wc: float) -> float:
        zw, zm, kk = z
        return float((w_whole * zw + w_max * zm + wc * np.log(kk) + bias >= cut).mean())

    allowed = rate(check.single, w_count) + LENGTH_SLACK
    wc = w_count
    for _ in range(200):
        if all(rate(z, wc) <= allowed for z in check.long.values()):
            break
        wc -= 0.05
    return wc


def fit_combiner(
    z_whole: NDArray[np.float64],
    z_max: NDArray[np.float64],
    k: NDArray[np.float64],
    y: NDArray[np.int64],
    w: NDArray[np.float64],
    folds: NDArray[np.int64],
    check: LengthCheck | None = None,
) -> Combiner:
    """Fit one attribute's weights by logistic regression, hold long comments in check, then calibrate."""
    x = np.column_stack([z_whole, z_max, np.log(k)])
    lr = LogisticRegression(C=100.0, solver="lbfgs", max_iter=2000).fit(x, y, sample_weight=w)
    w_whole, w_max, w_count = (float(v) for v in lr.coef_[0])
    if not w_whole + w_max > 0:  # cannot happen with a head that separates at all; keep the score monotone
        w_whole, w_max = 1.0, 0.0
    bias = float(lr.intercept_[0])
    if check is not None:
        for _ in range(3):  # the default threshold's score moves a little as w_count does
            s = w_whole * z_whole + w_max * z_max + w_count * np.log(k) + bias
            w_count = hold_length(w_whole, w_max, w_count, bias, _default_score(s, y), check)
    s = w_whole * z_whole + w_max * z_max + w_count * np.log(k) + bias
    calibrator = fit_calibrator(s, y, folds)
    return Combiner(w_whole, w_max, w_count, bias, calibrator)


def length_checks(logits: Logits, pool: Sequence[str], seed: int) -> LengthCheck | None:
    """Return the logits of single benign pool sentences and of comments of ``LENGTH_CHECKS`` of them."""
    if len(pool) < 50:
        return None
    rng = _rng(seed, "length-check")
    single = [pool[rng.randrange(len(pool))] for _ in range(LENGTH_SAMPLES)]
    long = {
        n: [" ".join(pool[rng.randrange(len(pool))] for _ in range(n)) for _ in range(LENGTH_SAMPLES // 3)]
        for n in LENGTH_CHECKS
    }
    return LengthCheck(comment_logits(logits, single), {n: comment_logits(logits, t) for n, t in long.items()})


def _column(check: LengthCheck | None, j: int) -> LengthCheck | None:
    if check is None:
        return None

    def pick(z: Triple) -> Triple:
        return z[0][:, j], z[1][:, j], z[2][:, 0]

    return LengthCheck(pick(check.single), {n: pick(z) for n, z in check.long.items()})


def fit_combiners(
    logits: Logits, attributes: Sequence[str], tune: Sequence[Record], seed: int, built_share: float = 1.0
) -> tuple[dict[str, Combiner], dict[str, object]]:
    """Fit a combiner per attribute on ``tune`` and long comments built from it; return them and a summary."""
    pool = benign_sentences(tune)
    built = build_long(probes(tune), pool, seed)
    rows = list(tune) + built
    weight = np.array([1.0] * len(tune) + [built_share] * len(built))
    texts = [r.text for r in rows]
    z_whole, z_max, k = comment_logits(logits, texts)
    folds = _folds(texts)
    check = length_checks(logits, pool, seed)
    combiners: dict[str, Combiner] = {}
    for j, attribute in enumerate(attributes):
        known = np.array([attribute in r.labels for r in rows])
        y = np.array([r.labels.get(attribute, 0) for r in rows], dtype=np.int64)[known]
        if y.min() == y.max():
            continue
        combiners[attribute] = fit_combiner(
            z_whole[known, j], z_max[known, j], k[known, 0], y, weight[known], folds[known], _column(check, j)
        )
    summary = {
        "tune_comments": len(tune),
        "built_comments": len(built),
        "benign_sentence_pool": len(pool),
        "built_weight": built_share,
        "context_sizes": list(CONTEXT_SIZES),
        "length_checks": list(LENGTH_CHECKS) if check is not None else [],
        "length_slack": LENGTH_SLACK,
        "multi_unit_share": round(float((k[:, 0] > 1).mean()), 4) if len(k) else 0.0,
    }
    return combiners, summary


def dilution(
    probabilities: Callable[[Sequence[str]], NDArray[np.float64]],
    column: int,
    threshold: float,
    abusive: Sequence[str],
    pool: Sequence[str],
    seed: int,
    sizes: Sequence[int] = (5, 20, 60),
) -> dict[str, dict[str, float]]:
    """Return flag rates of abusive sentences alone and among ``n`` pool sentences, and of benign ones likewise."""
    rng = _rng(seed, "dilution")
    single_benign = [pool[rng.randrange(len(pool))] for _ in range(len(abusive))]

    def rate(texts: Sequence[str]) -> float:
        return float((probabilities(texts)[:, column] >= threshold).mean()) if texts else math.nan

    out: dict[str, dict[str, float]] = {"abusive": {"1": rate(abusive)}, "benign": {"1": rate(single_benign)}}
    for n in sizes:
        embedded, long_benign = [], []
        for text in abusive:
            context = [pool[rng.randrange(len(pool))] for _ in range(n)]
            context.insert(rng.randrange(n + 1), text)
            embedded.append(" ".join(context))
            long_benign.append(" ".join(pool[rng.randrange(len(pool))] for _ in range(n)))
        out["abusive"][str(n)] = rate(embedded)
        out["benign"][str(n)] = rate(long_benign)
    return out
