"""Fit one calibrated logistic-regression head per attribute from partially labelled data.

Each attribute's head is fitted only on records where that attribute is known, on
every source pooled, with each record's weight times its source's factor
(``_source_weights``: raw counts by default, but no source above
``max_source_share`` of the attribute's weight, so none dominates). ``C`` is
chosen by grouped k-fold cross-validation on the training split only, maximising
the mean per-source ROC-AUC over the attribute's *defining* sources (the sets
built to label it, ``training.loaders.PRIMARY_ATTRIBUTE``; all labelling sources
when none is). The out-of-fold logits at the chosen setting fit the head's own
calibrator; the final fit uses all training rows.

With ``TrainParams.augment`` the head uses feature augmentation instead
(``training.source_features``: shared weights plus weights per source, Daumé
2007), shipping the shared part plus ``alpha`` times the defining sources' mean.
It was the default until the new sets arrived; measured on validation rows
(2026-12-04), the pooled fit trailed the naive pooled baseline far less (its
worst pair 0.02 below, against 0.19 for augmentation, which drops what the
non-defining sources teach), so pooling is the default now.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from model.calibration import Calibrator
from model.features import FeatureParams
from training.augment import THREAT_STYLE_SOURCE
from training.calibrate import fit_calibrator, pick_threshold
from training.dataset import split_fraction
from training.loaders import PRIMARY_ATTRIBUTE
from training.records import Record
from training.source_features import _collapse, augment

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class TrainParams:
    """Every knob of a training run; recorded in the manifest."""

    features: FeatureParams = field(default_factory=FeatureParams)
    c_grid: tuple[float, ...] = (0.5, 1.0, 2.0)
    c_fixed: tuple[tuple[str, float], ...] = ()
    """(attribute, C) pairs that skip the search over ``c_grid``: a retrain keeps its base's choices, so a
    handful of new rows cannot flip a head's C and move every source's figures (``training.retrain``)."""
    augment: bool = False
    """Fit with per-source feature augmentation (shared plus per-source weights) instead of one pooled model."""
    alpha_grid: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0)
    """With ``augment``: how much of the defining sources' own weights the shipped head keeps."""
    folds: int = 3
    source_balance: float = 0.0
    """Exponent of per-source reweighting: 0 keeps raw counts, 1 gives every source equal weight."""
    max_source_share: float = 0.25
    """No source holds more than this share of an attribute's training weight."""
    min_positives: int = 50
    seed: int = 0
    validation_fraction: float = 0.2
    tune_fraction: float = 0.5
    """Share of the validation split that fits the sentence combiners and thresholds; the rest is reported."""
    swap_weight: float = 0.5
    """Weight of a counterfactual identity-swap copy, relative to its row (0: no swaps)."""
    threat_style_negatives: float = 2.0
    """Benign sentences written in the threat set's style, per threat-set row (``training.augment``)."""
    sentence_weight: float = 0.5
    """Weight of each sentence of an ordinary benign comment added as a row of its own (0: none)."""
    built_share: float = 1.0
    """Weight of a built long comment, relative to a real one, when fitting the combiners."""
    n_jobs: int = 2

    def c_grid_for(self, attribute: str) -> tuple[float, ...]:
        """Return the values of C cross-validation tries for ``attribute``."""
        fixed = dict(self.c_fixed)
        return (fixed[attribute],) if attribute in fixed else self.c_grid

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
    weight_share: dict[str, float]
    """Source -> its share of the head's total training weight (after source balancing)."""


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


def _fit(x: sp.csr_matrix, y: NDArray[np.int64], w: NDArray[np.float64], c: float, seed: int) -> LogisticRegression:
    # The dual liblinear solver is several times faster than the primal one when, as
    # here, there are more features than rows.
    model = LogisticRegression(C=c, solver="liblinear", dual=True, max_iter=5000, random_state=seed)
    return model.fit(x, y, sample_weight=w)


_STATE: tuple[sp.csr_matrix, list[_Task], TrainParams] | None = None
"""What the fits read: set before the worker processes fork, so they inherit it copy-on-write."""

_WORKER_CACHE: dict[int, sp.csr_matrix] = {}
"""Task index -> augmented matrix, for the attribute this process fitted last only (bounds memory)."""


@dataclass(frozen=True, slots=True)
class _Choice:
    """The setting cross-validation chose for one attribute."""

    objective: float
    c: float
    alpha: float
    table: dict[str, float]
    z_oof: NDArray[np.float64]
    """Out-of-fold logits at the chosen setting: what the calibrator and threshold fit."""


@dataclass(frozen=True, slots=True)
class _Job:
    task: int
    c: float
    fold: int | None
    """``None`` for the final fit on all of the attribute's training rows."""


def _augmented(x: sp.csr_matrix, task: _Task, index: int, plain: bool) -> sp.csr_matrix:
    xa = _WORKER_CACHE.get(index)
    if xa is None:
        _WORKER_CACHE.clear()
        rows = x[task.rows]
        xa = _WORKER_CACHE[index] = rows if plain else augment(rows, task.source_ids, len(task.sources))
    return xa


def _run_job(
    job: _Job,
) -> tuple[NDArray[np.float64], float, NDArray[np.float64], float] | tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Run one fit.

    A cross-validation fit returns the held-out rows' shared and source-specific
    logits; the final fit returns the collapsed weights (see ``_collapse``).
    Parallel fits run in forked processes, not threads: liblinear seeds and draws
    from the C library's process-wide ``rand()``, so two fits in threads of one
    process would interleave their draws and make the run non-deterministic.
    """
    assert _STATE is not None
    x, tasks, params = _STATE
    task = tasks[job.task]
    xa = _augmented(x, task, job.task, not params.augment)
    n_features = x.shape[1]
    k = len(task.sources)
    if job.fold is None:
        model = _fit(xa, task.y, task.weight, job.c, params.seed)
        return _collapse(model, n_features, k, task.defining)
    train = task.folds != job.fold
    model = _fit(xa[train], task.y[train], task.weight[train], job.c, params.seed)
    shared, b0, spec, bs = _collapse(model, n_features, k, task.defining)
    held_out = x[task.rows[~train]]
    return held_out @ shared + b0, held_out @ spec + bs


def _source_weights(sources: Sequence[str], exponent: float, max_share: float = 1.0) -> NDArray[np.float64]:
    """Return per-row factors: ``(n / (k * n_s)) ** exponent``, then no source above ``max_share`` of the total.

    The cap scales down only a source that would hold more than ``max_share`` of
    the attribute's weight (repeated until none does, as capping one raises the
    others' shares), so every other source keeps its raw count.
    """
    counts = Counter(sources)
    k = len(counts)
    n = len(sources)
    per_source = {s: c * (n / (k * c)) ** exponent for s, c in counts.items()}  # each source's total weight
    scale = dict.fromkeys(counts, 1.0)
    if k * max_share > 1.0:  # a cap every source can meet
        for _ in range(2 * k):
            total = sum(per_source[s] * scale[s] for s in counts)
            over = [s for s in counts if per_source[s] * scale[s] > max_share * total * (1 + 1e-9)]
            if not over:
                break
            rest = total - sum(per_source[s] * scale[s] for s in over)
            for s in over:  # share = cap: w_s = cap / (1 - cap * |over|) * rest
                scale[s] = max_share * rest / (1 - max_share * len(over)) / per_source[s]
    return np.array([(n / (k * counts[s])) ** exponent * scale[s] for s in sources])


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
        # A source whose negatives are all built (training.augment) cannot judge the head: it
        # would reward telling its style of negatives apart, not the attribute.
        defining = [
            i for i, s in enumerate(sources) if PRIMARY_ATTRIBUTE.get(s) == attribute and s != THREAT_STYLE_SOURCE
        ]
        if not defining:
            defining = list(range(len(sources)))
        weight = np.array([records[i].weight_of(attribute) for i in rows])
        weight *= _source_weights(names, params.source_balance, params.max_source_share)
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
    """Fit, select, calibrate and refit every attribute head; return heads and skipped ones.

    Every fit (``folds`` x ``len(c_grid)`` cross-validation fits per attribute, then
    the final fit at the chosen C) is one job. Up to ``n_jobs`` run at once, and a
    final fit goes ahead of the remaining cross-validation jobs as soon as its
    attribute's search is done, so no core waits for a slow fit of another attribute.
    """
    say = progress or (lambda _msg: None)
    tasks, skipped = plan_tasks(records, keys, attributes, params)
    if tasks:  # compile the augmentation kernel once, before the workers fork
        augment(x[:1], tasks[0].source_ids[:1], 1)
    global _STATE
    _STATE = (x, tasks, params)
    try:
        by_task = _run_jobs(tasks, params, say)
    finally:
        _STATE = None
        _WORKER_CACHE.clear()
    order = {a: i for i, a in enumerate(attributes)}
    heads = sorted(by_task.values(), key=lambda h: order[h.attribute])
    return heads, skipped


def _run_jobs(tasks: list[_Task], params: TrainParams, say: Progress) -> dict[int, Head]:
    grids = [params.c_grid_for(t.attribute) for t in tasks]
    pending = deque(_Job(i, c, f) for i in range(len(tasks)) for c in grids[i] for f in range(params.folds))
    finals: deque[_Job] = deque()
    cv: dict[int, dict[tuple[float, int], Any]] = {i: {} for i in range(len(tasks))}
    chosen: dict[int, _Choice] = {}
    heads: dict[int, Head] = {}

    def take(job: _Job, result: Any) -> None:
        task = tasks[job.task]
        if job.fold is None:
            heads[job.task] = _finish(task, chosen.pop(job.task), result, say)
            return
        cv[job.task][(job.c, job.fold)] = result
        if len(cv[job.task]) == len(grids[job.task]) * params.folds:
            chosen[job.task] = _select(task, cv.pop(job.task), params, say)
            finals.append(_Job(job.task, chosen[job.task].c, None))

    def next_job() -> _Job:
        return finals.popleft() if finals else pending.popleft()

    if params.n_jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        while pending or finals:
            job = next_job()
            take(job, _run_job(job))
        return heads
    done: queue.SimpleQueue[tuple[_Job, Any, BaseException | None]] = queue.SimpleQueue()
    # Forked workers see the matrices copy-on-write: nothing large is pickled.
    with multiprocessing.get_context("fork").Pool(params.n_jobs) as workers:
        running = 0
        while pending or finals or running:
            while running < params.n_jobs and (pending or finals):
                job = next_job()
                _submit(workers, job, done)
                running += 1
            job, result, error = done.get()
            running -= 1
            if error is not None:
                raise error
            take(job, result)
    return heads


def _submit(workers: Any, job: _Job, done: queue.SimpleQueue[tuple[_Job, Any, BaseException | None]]) -> None:
    def ok(result: Any) -> None:
        done.put((job, result, None))

    def failed(error: BaseException) -> None:
        done.put((job, None, error))

    workers.apply_async(_run_job, (job,), callback=ok, error_callback=failed)


def _select(task: _Task, fits: dict[tuple[float, int], Any], params: TrainParams, say: Progress) -> _Choice:
    """Pick C and alpha by the out-of-fold macro AUC."""
    table: dict[str, float] = {}
    best: tuple[float, float, float, NDArray[np.float64]] | None = None
    for c in params.c_grid_for(task.attribute):
        z_shared, z_spec = _out_of_fold(task, fits, c, params.folds)
        for alpha in params.alpha_grid:
            z = z_shared + alpha * z_spec
            score = _macro_auc(task.y, z, task.source_ids, task.defining)
            table[f"C={c:g},alpha={alpha:g}"] = round(score, 5)
            if best is None or score > best[0] + 1e-9:
                best = (score, c, alpha, z)
    assert best is not None
    objective, c, alpha, z_oof = best
    say(
        f"{task.attribute}: {len(fits)} cross-validation fits done; "
        f"chose C={c:g} alpha={alpha:g} (CV macro AUC {objective:.4f})"
    )
    return _Choice(objective, c, alpha, table, z_oof)


def _out_of_fold(
    task: _Task, fits: dict[tuple[float, int], Any], c: float, folds: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    z_shared, z_spec = np.zeros(len(task.rows)), np.zeros(len(task.rows))
    for fold in range(folds):
        held = task.folds == fold
        z_shared[held], z_spec[held] = fits[(c, fold)]
    return z_shared, z_spec


def _finish(
    task: _Task,
    chosen: _Choice,
    final: tuple[NDArray[np.float64], float, NDArray[np.float64], float],
    say: Progress,
) -> Head:
    """Calibrate on the out-of-fold logits at the chosen setting and build the head."""
    c, alpha, z_oof = chosen.c, chosen.alpha, chosen.z_oof
    shared, b0, spec, bs = final
    calibrator = fit_calibrator(z_oof, task.y, task.folds)
    threshold = pick_threshold(calibrator(z_oof), task.y)
    total = float(task.weight.sum())
    weight_share = {
        s: round(float(task.weight[task.source_ids == i].sum()) / total, 4) for i, s in enumerate(task.sources)
    }
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
        cv_objective=chosen.objective,
        cv_table=chosen.table,
        n_train=len(task.rows),
        positives=int(task.y.sum()),
        per_source=per_source,
        weight_share=weight_share,
    )
