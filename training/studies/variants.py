"""One head refitted under changed label mappings and weights: what each lever moves.

Each variant changes the shipped training rows one way (a source's labels, a
weight, an augmentation) and refits the attribute's head on the shipped model's
features, with the shipped ``C``. It reports per-source ROC-AUC on the report
half, the lowest cut reaching precision 0.8 on the tuning half (the default
preset's rule), and at that cut the share of each behaviour-suite category and of
the Unhealthy Conversations non-toxic comments that the head flags. The shipped
combiner and calibrator are left out, so the figures compare variants with each
other, not with the model card.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from model.scorer import ToxicityModel
from training.fit import TrainParams, plan_tasks
from training.pipeline import training_rows
from training.records import Record, normalized
from training.studies import heads

ONLY_POSITIVES = ("dynahate", "edos", "youtube-violent-threats", "reddit-misogyny")
"""Sources whose TOXICITY labels are (nearly) all positive: their negatives are unknown for TOXICITY."""


def _weigh(source: str, attribute: str, factor: float, positives_only: bool = False) -> Callable[[Record], Record]:
    def change(r: Record) -> Record:
        if r.source == source and attribute in r.labels and (not positives_only or r.labels[attribute] == 1):
            weight = r.label_weight.get(attribute, 1.0) * factor
            return dataclasses.replace(r, label_weight={**r.label_weight, attribute: weight})
        return r

    return change


def _olid_untargeted_unknown(r: Record) -> Record:
    if r.source == "olid" and r.labels.get("PROFANITY") == 1 and r.labels.get("INSULT") == 0:
        labels = {k: v for k, v in r.labels.items() if k != "TOXICITY"}
        return dataclasses.replace(
            r, labels=labels, label_weight={k: v for k, v in r.label_weight.items() if k in labels}
        )
    return r


def variants(attribute: str) -> dict[str, tuple[Callable[[Record], Record], dict[str, float]]]:
    """Return name -> (record change, TrainParams overrides) for ``attribute``."""

    def only_positive(factor: float) -> Callable[[Record], Record]:
        changes = [_weigh(s, attribute, factor) for s in ONLY_POSITIVES]

        def change(r: Record) -> Record:
            for c in changes:
                r = c(r)
            return r

        return change

    same: Callable[[Record], Record] = lambda r: r  # noqa: E731
    return {
        "shipped": (same, {}),
        "paradetox toxic at half weight": (_weigh("paradetox", attribute, 0.5, positives_only=True), {}),
        "OLID untargeted profanity: TOXICITY unknown": (_olid_untargeted_unknown, {}),
        "positive-only sources at half weight": (only_positive(0.5), {}),
        "identity swaps at full weight": (same, {"swap_weight": 1.0}),
        "benign sentences at full weight": (same, {"sentence_weight": 1.0}),
    }


def run(
    model: ToxicityModel,
    attribute: str,
    train: Sequence[Record],
    keys: Sequence[str],
    tune: Sequence[Record],
    report: Sequence[Record],
    probes: Mapping[str, Sequence[str]],
) -> dict[str, dict[str, Any]]:
    """Return, per variant, per-source ROC-AUC, the tuned cut's recall, and probe flag rates."""
    c = float(model.manifest["attributes"][attribute]["hyperparameters"]["C"])
    features = model.featurizer

    def x(texts: Sequence[str]) -> Any:
        return features.transform([normalized(t) for t in texts])

    known, y_tune = heads.labelled(tune, attribute)
    x_tune, x_report = x([r.text for r in known]), x([r.text for r in report])
    x_probes = {k: x(v) for k, v in probes.items()}
    out: dict[str, dict[str, Any]] = {}
    for name, (change, overrides) in variants(attribute).items():
        params = dataclasses.replace(TrainParams(), **overrides)  # type: ignore[arg-type]
        rows, row_keys, _ = training_rows([change(r) for r in train], list(keys), params)
        (task,), _ = plan_tasks(rows, row_keys, [attribute], params)
        head = heads.fit(x([rows[i].text for i in task.rows]), task.y, task.weight, c, params.seed)
        w, b = head.coef_[0], float(head.intercept_[0])
        z_probes = {k: np.asarray(v @ w) + b for k, v in x_probes.items()}
        out[name] = heads.measure(attribute, y_tune, np.asarray(x_tune @ w) + b, report, x_report @ w + b, z_probes)
    return out
