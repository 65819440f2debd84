"""One language's sub-model: design (a) fitted, calibrated, thresholded on the tuning half, measured on the report half.

Exactly what ``training.langeval`` measured as design (a): the featuriser of
``training.langeval.designs.language_params`` on the language's training rows and
one liblinear logistic regression (``C`` of ``Caps``, each record's training
weight) per attribute whose training rows hold both classes. Then, per head:

- a calibrator (``model.calibration.Calibrator``) fitted as the English heads'
  are (``training.calibrate.fit_calibrator``): on out-of-fold logits of the
  training rows, over ``FOLDS`` grouped folds keyed as ``training.fit`` keys them;
  a head with a fold whose other folds hold one class only keeps the logistic
  regression's own probability (sigmoid ``a=1, b=0``) and says so;
- the three threshold presets of ``training.thresholds`` chosen on the language's
  tuning half of the validation split (the English rule), ``balanced`` the default;
- every reported figure on the other, report half, beside the naive
  per-language baseline (``designs.naive``) fitted on the same training rows;
- the status of ``training.langeval.status`` applied to the report-half figures.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from model.artifact import payload_of
from model.attributes import ATTRIBUTE_NAMES, BY_NAME, Status
from model.calibration import Calibrator
from model.scorer import AttributeInfo, ToxicityModel
from training import thresholds as presets
from training.calibrate import fit_calibrator
from training.dataset import split_fraction
from training.evaluate import probabilities
from training.langeval.designs import Caps, fit_features, fit_head, labelled, language_params, naive
from training.langeval.status import PairFigures, mapping_facts, status
from training.metrics import binary_metrics
from training.records import Record

FOLDS = 3
UNCALIBRATED = Calibrator("sigmoid", a=1.0, b=0.0)
"""The logistic regression's own probability: for a head too thin to cross-fit a calibrator."""


@dataclass(slots=True)
class Rows:
    """One language's rows on each side of the split, with their split keys."""

    train: list[Record]
    train_keys: list[str]
    tune: list[Record]
    report: list[Record]


@dataclass(slots=True)
class FittedLanguage:
    """A language's payload (``None`` when it scores nothing) and its manifest entry (picklable, no model)."""

    tag: str
    payload: dict[str, Any] | None
    entry: dict[str, Any] = field(default_factory=dict)


def _folds(records: Sequence[Record], keys: Sequence[str], seed: int) -> NDArray[np.int64]:
    return np.array(
        [int(split_fraction(f"cv{seed}:{r.group or k}") * FOLDS) for r, k in zip(records, keys, strict=True)]
    )


def _calibrator(
    x: Any, y: NDArray[np.int64], w: NDArray[np.float64], folds: NDArray[np.int64], caps: Caps
) -> Calibrator:
    """Return the head's calibrator, fitted on out-of-fold logits (``UNCALIBRATED`` if a fold cannot be fitted)."""
    z = np.zeros(len(y))
    for fold in range(FOLDS):
        held = folds == fold
        rest = ~held
        if not held.any():
            continue
        if not 0 < y[rest].sum() < rest.sum():
            return UNCALIBRATED
        head = fit_head(x[rest], y[rest], w[rest], caps)
        z[held] = head.decision_function(x[held])
    return fit_calibrator(z, y, folds)


def _pair_metrics(y: NDArray[np.int64], p: NDArray[np.float64], threshold: float) -> dict[str, Any]:
    out = binary_metrics(y, p, threshold)
    precision, recall = presets.measure(p, y, threshold) if len(y) else (float("nan"), float("nan"))
    out["precision"] = None if np.isnan(precision) else round(float(precision), 4)
    out["recall"] = round(float(recall), 4) if len(y) else None
    return out


def _curve(records: Sequence[Record], probs: NDArray[np.float64], column: int, attribute: str) -> tuple[Any, Any]:
    idx = [i for i, r in enumerate(records) if attribute in r.labels]
    y = np.array([records[i].labels[attribute] for i in idx], dtype=np.int64)
    return y, probs[np.array(idx, dtype=np.int64), column] if idx else np.zeros(0)


def fit_language(tag: str, rows: Rows, caps: Caps, allowed: Collection[str] = ()) -> FittedLanguage:
    """Fit, calibrate, threshold, measure and rate one language's heads (``allowed``: excluded sets asked for)."""
    featurizer, x_tr = fit_features(tag, rows.train, caps)
    folds = _folds(rows.train, rows.train_keys, caps.seed)
    labelled_attrs = [a for a in ATTRIBUTE_NAMES if any(a in r.labels for r in rows.train)]
    attributes, coefs, intercepts, calibrators, kinds = [], [], [], [], {}
    for attribute in labelled_attrs:
        idx, y, w = labelled(rows.train, attribute)
        if not 0 < y.sum() < len(y):
            continue
        head = fit_head(x_tr[idx], y, w, caps)
        cal = _calibrator(x_tr[idx], y, w, folds[idx], caps)
        attributes.append(attribute)
        coefs.append(head.coef_.ravel())
        intercepts.append(float(head.intercept_[0]))
        calibrators.append(cal)
        kinds[attribute] = cal.kind if cal is not UNCALIBRATED else "none (a fold holds one class)"
    naive_scores = naive(tag, rows.train, rows.report, labelled_attrs, caps)
    model = None
    described: dict[str, dict[str, Any]] = {}
    if attributes:
        bare = {a: AttributeInfo(a, BY_NAME[a].definition, Status.EXPERIMENTAL, "", 0.5) for a in attributes}
        coef = np.column_stack(coefs)
        model = ToxicityModel(featurizer, attributes, coef, np.array(intercepts), calibrators, bare, language=tag)
        tune_p = probabilities(model, [r.text for r in rows.tune])
        report_p = probabilities(model, [r.text for r in rows.report])
    for attribute in labelled_attrs:
        idx, y, _ = labelled(rows.train, attribute)
        approx, excluded, sources = mapping_facts(rows.train, tag, attribute, allowed)
        entry: dict[str, Any] = {"sources": sources, "approximate": approx}
        entry["training"] = {"rows": len(idx), "positives": int(y.sum())}
        metrics: dict[str, Any] = {"naive_roc_auc": _round(naive_scores[attribute]["auc"])}
        auc = None
        ry = np.zeros(0, dtype=np.int64)
        if model is not None and attribute in attributes:
            j = attributes.index(attribute)
            ty, tp = _curve(rows.tune, tune_p, j, attribute)
            chosen = presets.choose(tp, ty) if 0 < ty.sum() < len(ty) else {}
            default = chosen.get(presets.DEFAULT_PRESET)
            threshold = default.threshold if default else 0.5
            ry, rp = _curve(rows.report, report_p, j, attribute)
            metrics.update(_pair_metrics(ry, rp, threshold))
            auc = metrics.get("roc_auc")
            entry.update(
                threshold=threshold,
                threshold_rule=default.rule if default else "0.5: the tuning half holds one class only",
                presets={k: _preset(v, ry, rp) for k, v in chosen.items()},
                calibration=kinds[attribute],
            )
        else:
            _, ry, _ = labelled(rows.report, attribute)
            metrics.update(n=len(ry), positives=int(ry.sum()))
        figures = PairFigures(
            train_rows=len(idx),
            val_positives=int(ry.sum()),
            val_negatives=int(len(ry) - ry.sum()),
            auc=auc if model is not None and attribute in attributes else None,
            naive_auc=naive_scores[attribute]["auc"],
            approximate=approx,
            licence_excluded=excluded,
            positive_share=float(y.mean()) if len(y) else None,
            precision=metrics.get("precision"),
            recall=metrics.get("recall"),
        )
        entry["status"], entry["reason"] = status(figures)
        entry["metrics"] = metrics
        described[attribute] = entry
    return _finish(tag, rows, caps, model, described)


def _preset(chosen: presets.Preset, y: NDArray[np.int64], p: NDArray[np.float64]) -> dict[str, Any]:
    """Return a preset's threshold and rule, with its precision and recall on the report half."""
    precision, recall = presets.measure(p, y, chosen.threshold)
    return {
        "threshold": chosen.threshold,
        "precision": None if np.isnan(precision) else round(float(precision), 4),
        "recall": round(float(recall), 4),
        "tuning_precision": round(chosen.precision, 4),
        "tuning_recall": round(chosen.recall, 4),
        "reached": chosen.reached,
        "rule": chosen.rule,
    }


def _round(v: float | None) -> float | None:
    return None if v is None else round(float(v), 4)


def _finish(
    tag: str, rows: Rows, caps: Caps, model: ToxicityModel | None, described: dict[str, dict[str, Any]]
) -> FittedLanguage:
    """Set the statuses on the model and build its payload and manifest entry."""
    by_source = Counter(r.source for r in [*rows.train, *rows.tune, *rows.report])
    entry: dict[str, Any] = {
        "sources": sorted(by_source),
        "rows": {
            "by_source": dict(sorted(by_source.items())),
            "train": len(rows.train),
            "tune": len(rows.tune),
            "report": len(rows.report),
        },
        "parameters": {
            "features": language_params(tag, caps, len(rows.train)).as_dict(),
            "head": {"solver": "liblinear", "C": caps.c, "weights": "each record's training weight"},
            "calibration": f"out-of-fold logits of the training rows, {FOLDS} grouped folds",
            "seed": caps.seed,
        },
        "attributes": described,
    }
    scored = [a for a, e in described.items() if e["status"] != Status.UNSUPPORTED.value and "threshold" in e]
    if model is None or not scored:
        reasons = sorted({e["reason"] for e in described.values()}) or ["no attribute has both classes labelled"]
        entry["reason"] = "every attribute is unsupported: " + "; ".join(reasons)
        return FittedLanguage(tag, None, entry)
    return FittedLanguage(tag, payload_of(model), entry)
