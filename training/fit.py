"""Fit one calibrated logistic-regression head per attribute from partially labelled data.

Each attribute's head is fitted only on records where that attribute is known.
Sources label the same attribute under different conventions (Impermium's insult
is aimed at a participant; Toxic Spans also counts insults of public figures), so
pooling them naively blurs every convention. The head therefore uses feature
augmentation ("frustratingly easy domain adaptation", Daumé 2007): a shared weight
vector plus one weight vector and bias per source, fitted jointly by one L2
logistic regression. What the sources agree on lands in the shared weights; their
disagreements land in the per-source weights. The shipped head is still a single
linear model,

    logit(x) = (w_shared + alpha * mean_{s in D} w_s) . x + (b + alpha * mean_{s in D} b_s),

where D are the attribute's *defining* sources (the sets built to label it, see
``training.loaders.PRIMARY_ATTRIBUTE``; all labelling sources when none is), and
alpha says how far their convention defines the attribute. ``C`` and ``alpha`` are
chosen by grouped k-fold cross-validation on the training split only, maximising
the mean per-source ROC-AUC over D. The out-of-fold logits at the chosen setting
fit the calibrator and the decision threshold; the final fit uses all training rows.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from model.calibration import Calibrator
from model.features import FeatureParams
from training.calibrate import fit_calibrator, pick_threshold
from training.dataset import split_fraction
from training.loaders import PRIMARY_ATTRIBUTE
from training.records import Record

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class TrainParams:
    """Every knob of a training run; recorded in the manifest."""

    features: FeatureParams = field(default_factory=FeatureParams)
    c_grid: tuple[float, ...] = (0.5, 1.0, 2.0)
    alpha_grid: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0)
    folds: int = 3
    source_balance: float = 0.5
    """Exponent of per-source reweighting: 0 keeps raw counts, 1 gives every source equal weight."""
    min_positives: int = 50
    seed: int = 0
    validation_fraction: float = 0.2
    n_jobs: int = 2

    def as_dict(self) -> dict[str, object]:
        """Return the parameters as plain JSON-able values."""
        out = asdict(self)
        out["features"] = self.features.as_dict()
        return out


@dataclass(slots=True)
class Head:
    """A fitted attribute head with what was learned while choosing it."""

    attribute: str
    coef: NDArray[np.float64]
    intercept: float
    calibrator: Calibrator
    threshold: float
    c: float
    alpha: float
    defining_sources: list[str]
    cv_objective: float
    cv_table: dict[str, float]
    n_train: int
    positives: int
    per_source: dict[str, tuple[int, int]]
    """Source -> (rows, positives) in the training split."""


@dataclass(slots=True)
class _Task:
    attribute: str
    rows: NDArray[np.int64]
    y: NDArray[np.int64]
    weight: NDArray[np.float64]
    source_ids: NDArray[np.int64]
    sources: list[str]
    defining: NDArray[np.int64]
    folds: NDArray[np.int64]


def augment(x: sp.csr_matrix, source_ids: NDArray[np.int64], n_sources: int) -> sp.csr_matrix:
    """Return ``[x, x in its source's block, source indicator]`` (feature augmentation)."""
    n, f = x.shape
    per_row = np.diff(x.indptr)
    shifted = x.indices.astype(np.int64) + f * np.repeat(source_ids, per_row)
    specific = sp.csr_matrix((x.data, shifted, x.indptr), shape=(n, f * n_sources))
    indicator = sp.csr_matrix((np.ones(n), source_ids, np.arange(n + 1)), shape=(n, n_sources))
    return sp.hstack([x, specific, indicator], format="csr")


def _collapse(
    model: LogisticRegression, n_features: int, n_sources: int, defining: NDArray[np.int64]
) -> tuple[NDArray[np.float64], float, NDArray[np.float64], float]:
    """Split augmented weights into shared and mean-of-defining-source parts."""
    coef = model.coef_[0]
    shared = coef[:n_features]
    blocks = coef[n_features : n_features * (1 + n_sources)].reshape(n_sources, n_features)
    biases = coef[n_features * (1 + n_sources) :]
    return shared, float(model.intercept_[0]), blocks[defining].mean(axis=0), float(biases[defining].mean())


def _fit(x: sp.csr_matrix, y: NDArray[np.int64], w: NDArray[np.float64], c: float, seed: int) -> LogisticRegression:
    # The dual liblinear solver is several times faster than the primal one when, as
    # here, there are more features than rows.
    model = LogisticRegression(C=c, solver="liblinear", dual=True, max_iter=5000, random_state=seed)
    return model.fit(x, y, sample_weight=w)


_CV_STATE: tuple[sp.csr_matrix, _Task, dict[int, sp.csr_matrix], int, int, int] | None = None
"""What the cross-validation fits of the current attribute read (inherited by forked workers)."""


def _cv_fit(job: tuple[float, int]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Fit one fold at one C; return the held-out rows' shared and source-specific logits.

    Parallel fits run in forked processes, not threads: liblinear seeds and draws
    from the C library's process-wide ``rand()``, so two fits in threads of one
    process would interleave their draws and make the run non-deterministic.
    """
    assert _CV_STATE is not None
    xa, task, held_out, seed, n_features, k = _CV_STATE
    c, fold = job
    train = task.folds != fold
    model = _fit(xa[train], task.y[train], task.weight[train], c, seed)
    shared, b0, spec, bs = _collapse(model, n_features, k, task.defining)
    return held_out[fold] @ shared + b0, held_out[fold] @ spec + bs


def _source_weights(sources: Sequence[str], exponent: float) -> NDArray[np.float64]:
    counts = Counter(sources)
    k = len(counts)
    n = len(sources)
    w = np.array([(n / (k * counts[s])) ** exponent for s in sources])
    return w


def _macro_auc(
    y: NDArray[np.int64], z: NDArray[np.float64], source_ids: NDArray[np.int64], keep: NDArray[np.int64]
) -> float:
    scores = []
    for s in keep:
        mask = source_ids == s
        if mask.any() and 0 < y[mask].sum() < mask.sum():
            scores.append(roc_auc_score(y[mask], z[mask]))
    return float(np.mean(scores)) if scores else float("nan")


def plan_tasks(
    records: Sequence[Record], keys: Sequence[str], attributes: Sequence[str], params: TrainParams
) -> tuple[list[_Task], dict[str, str]]:
    """Prepare one task per attribute with enough positives; return tasks and skip reasons."""
    tasks: list[_Task] = []
    skipped: dict[str, str] = {}
    fold_of = np.array(
        [
            int(split_fraction(f"cv{params.seed}:{r.group or k}") * params.folds)
            for r, k in zip(records, keys, strict=True)
        ]
    )
    for attribute in attributes:
        rows = np.array([i for i, r in enumerate(records) if attribute in r.labels], dtype=np.int64)
        y = np.array([records[i].labels[attribute] for i in rows], dtype=np.int64)
        positives = int(y.sum()) if len(y) else 0
        if positives < params.min_positives or len(y) - positives < params.min_positives:
            skipped[attribute] = (
                f"only {positives} positive and {len(y) - positives} negative training labels "
                f"(at least {params.min_positives} of each are needed)"
            )
            continue
        names = [records[i].source for i in rows]
        sources = sorted(set(names))
        source_ids = np.array([sources.index(s) for s in names], dtype=np.int64)
        defining = [i for i, s in enumerate(sources) if PRIMARY_ATTRIBUTE.get(s) == attribute]
        if not defining:
            defining = list(range(len(sources)))
        weight = np.array([records[i].weight for i in rows]) * _source_weights(names, params.source_balance)
        weight /= weight.mean()
        tasks.append(_Task(attribute, rows, y, weight, source_ids, sources, np.array(defining), fold_of[rows]))
    return tasks, skipped


def fit_heads(
    x: sp.csr_matrix,
    records: Sequence[Record],
    keys: Sequence[str],
    attributes: Sequence[str],
    params: TrainParams,
    progress: Progress | None = None,
) -> tuple[list[Head], dict[str, str]]:
    """Fit, select, calibrate and refit every attribute head; return heads and skipped ones."""
    say = progress or (lambda _msg: None)
    tasks, skipped = plan_tasks(records, keys, attributes, params)
    n_features = x.shape[1]
    heads: list[Head] = []
    # One attribute at a time, its folds and C values in parallel: only one augmented
    # matrix (about twice the attribute's rows) is alive at once, which bounds memory.
    for task in tasks:
        heads.append(_fit_head(x, n_features, task, params, say))
    order = {a: i for i, a in enumerate(attributes)}
    heads.sort(key=lambda h: order[h.attribute])
    return heads, skipped


def _fit_head(
    x: sp.csr_matrix,
    n_features: int,
    task: _Task,
    params: TrainParams,
    say: Progress,
) -> Head:
    xa = augment(x[task.rows], task.source_ids, len(task.sources))
    k = len(task.sources)

    jobs = [(c, f) for c in params.c_grid for f in range(params.folds)]
    held_out = {f: x[task.rows[task.folds == f]] for f in range(params.folds)}
    global _CV_STATE
    _CV_STATE = (xa, task, held_out, params.seed, n_features, k)
    try:
        if params.n_jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
            # Forked workers see the matrices copy-on-write: nothing large is pickled.
            with multiprocessing.get_context("fork").Pool(params.n_jobs) as workers:
                fits = workers.map(_cv_fit, jobs)
        else:
            fits = [_cv_fit(job) for job in jobs]
    finally:
        _CV_STATE = None
    oof = {c: (np.zeros(len(task.rows)), np.zeros(len(task.rows))) for c in params.c_grid}
    for (c, fold), (z_shared, z_spec) in zip(jobs, fits, strict=True):
        held = task.folds == fold
        oof[c][0][held] = z_shared
        oof[c][1][held] = z_spec
    table: dict[str, float] = {}
    best: tuple[float, float, float] | None = None
    for c in params.c_grid:
        z_shared, z_spec = oof[c]
        for alpha in params.alpha_grid:
            score = _macro_auc(task.y, z_shared + alpha * z_spec, task.source_ids, task.defining)
            table[f"C={c:g},alpha={alpha:g}"] = round(score, 5)
            if best is None or score > best[0] + 1e-9:
                best = (score, c, alpha)
    assert best is not None
    objective, c, alpha = best
    say(
        f"{task.attribute}: {len(jobs)} cross-validation fits done; "
        f"chose C={c:g} alpha={alpha:g} (CV macro AUC {objective:.4f})"
    )

    model = _fit(xa, task.y, task.weight, c, params.seed)
    shared, b0, spec, bs = _collapse(model, n_features, k, task.defining)
    z_oof = oof[c][0] + alpha * oof[c][1]
    calibrator = fit_calibrator(z_oof, task.y, task.folds)
    threshold = pick_threshold(calibrator(z_oof), task.y)
    per_source = {
        s: (int((task.source_ids == i).sum()), int(task.y[task.source_ids == i].sum()))
        for i, s in enumerate(task.sources)
    }
    say(f"{task.attribute}: final fit done, {calibrator.kind} calibration, threshold {threshold:.3f}")
    return Head(
        attribute=task.attribute,
        coef=shared + alpha * spec,
        intercept=b0 + alpha * bs,
        calibrator=calibrator,
        threshold=threshold,
        c=c,
        alpha=alpha,
        defining_sources=[task.sources[i] for i in task.defining],
        cv_objective=objective,
        cv_table=table,
        n_train=len(task.rows),
        positives=int(task.y.sum()),
        per_source=per_source,
    )
