"""Everything the model card reports, measured on rows the model, its combiners and thresholds never saw.

The validation split is cut in two by a hash of each row's group (``split_tuning``):
the *tuning* half fits the sentence combiners and chooses the thresholds, the
*report* half gives every figure here. The report holds:

- per (attribute, source) metrics at the default thresholds, with calibration error;
- each threshold preset's precision and recall;
- identity-bias AUCs per term (``training.bias``);
- dilution: how often an abusive sentence is flagged alone and among 5, 20 and
  60 benign sentences, and how often benign comments of those lengths are;
- the behaviour suite's pass rates (``training.behaviour``);
- false positives on ordinary prose: the suite's hand-written news sentences and
  the non-toxic rows of the news-comment sets.

Imports numpy and ``training``'s metric modules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from model.scorer import ToxicityModel
from training import behaviour, bias
from training.combine import benign_sentences, dilution, probes
from training.dataset import split_fraction
from training.metrics import evaluate_table, labels_and_scores
from training.records import Record
from training.thresholds import measure

NEWS_COMMENT_SOURCES = ("civil-comments-toxic-spans", "unhealthy-conversations")
"""Comment sections of news sites: their non-toxic rows measure false positives on ordinary comments."""
PROSE_CATEGORIES = ("violent_words_news", "long_benign", "polite_disagreement", "greetings", "identity_neutral")


def split_tuning(
    records: Sequence[Record], keys: Sequence[str], seed: int, fraction: float = 0.5
) -> tuple[list[Record], list[Record]]:
    """Return the validation rows for tuning and for the report, split by a hash of each row's group."""
    tune: list[Record] = []
    report: list[Record] = []
    for record, key in zip(records, keys, strict=True):
        (tune if split_fraction(f"tune{seed}:{record.group or key}") < fraction else report).append(record)
    return tune, report


def probabilities(model: ToxicityModel, texts: Sequence[str], chunk: int = 4000) -> NDArray[np.float64]:
    """Return the model's probabilities for every text, ``(n, n_attributes)``, scoring in chunks."""
    if not texts:
        return np.zeros((0, len(model.attributes)))
    return np.concatenate([model.probabilities(texts[i : i + chunk]) for i in range(0, len(texts), chunk)])


def _flag_any(model: ToxicityModel, probs: NDArray[np.float64]) -> NDArray[np.bool_]:
    cut = model.thresholds()
    cols = [j for j, a in enumerate(model.attributes) if a in cut]
    limits = np.array([cut[model.attributes[j]] for j in cols])
    if not cols:
        return np.zeros(len(probs), dtype=bool)
    flagged: NDArray[np.bool_] = np.asarray((probs[:, cols] >= limits).any(axis=1), dtype=bool)
    return flagged


def false_positives(
    model: ToxicityModel, report: Sequence[Record], extra: Mapping[str, Sequence[Record]], suite: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Return flag rates on non-toxic news comments and on the suite's prose categories."""
    out: dict[str, dict[str, Any]] = {}
    tox = model.attributes.index("TOXICITY") if "TOXICITY" in model.attributes else None
    for source in NEWS_COMMENT_SOURCES:
        rows = [r for r in report if r.source == source] + list(extra.get(source, ()))
        clean = [r.text for r in rows if r.labels.get("TOXICITY") == 0]
        if not clean:
            continue
        p = probabilities(model, clean)
        entry: dict[str, Any] = {"n": len(clean), "any_attribute": round(float(_flag_any(model, p).mean()), 4)}
        if tox is not None:
            entry["toxicity"] = round(float((p[:, tox] >= model.thresholds()["TOXICITY"]).mean()), 4)
        entry["held_out"] = "never trained on" if source in extra else "validation report half"
        out[source] = entry
    for category in PROSE_CATEGORIES:
        if category in suite:
            c = suite[category]
            out[f"behaviour: {category}"] = {"n": c["total"], "any_attribute": round(1 - c["rate"], 4)}
    return out


def preset_table(
    model: ToxicityModel, report: Sequence[Record], probs: NDArray[np.float64], presets: Mapping[str, Any]
) -> dict[str, dict[str, dict[str, float | None]]]:
    """Return each preset's precision and recall per attribute on the pooled report rows."""
    out: dict[str, dict[str, dict[str, float | None]]] = {}
    for attribute, (y, p) in labels_and_scores(report, probs, model.attributes).items():
        if attribute not in presets:
            continue
        out[attribute] = {}
        for name, preset in presets[attribute].items():
            precision, recall = measure(p, y, preset["threshold"])
            out[attribute][name] = {
                "threshold": preset["threshold"],
                "precision": round(precision, 4) if precision == precision else None,  # NaN: nothing flagged
                "recall": round(recall, 4),
            }
    return out


def bias_report(
    model: ToxicityModel, report: Sequence[Record], probs: NDArray[np.float64]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Return the identity-bias table of TOXICITY and IDENTITY_ATTACK on the report rows."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for attribute in ("TOXICITY", "IDENTITY_ATTACK"):
        if attribute not in model.attributes:
            continue
        j = model.attributes.index(attribute)
        idx = [i for i, r in enumerate(report) if attribute in r.labels]
        y = np.array([report[i].labels[attribute] for i in idx], dtype=np.int64)
        out[attribute] = bias.bias_table([report[i].text for i in idx], y, probs[np.array(idx, dtype=int), j])
    return out


def dilution_report(
    model: ToxicityModel, report: Sequence[Record], seed: int, extra: Mapping[str, Sequence[Record]]
) -> dict[str, Any]:
    """Return TOXICITY flag rates of abusive and benign held-out sentences alone and in long comments.

    The benign sentences are those the combiners' built comments are made of
    (``training.combine.CONTEXT_SOURCES``), from the report half and from any set
    the model never trained on.
    """
    if "TOXICITY" not in model.attributes:
        return {}
    pool = benign_sentences([*report, *(r for rows in extra.values() for r in rows)])
    abusive = [r.text for r in probes(report) if r.labels.get("TOXICITY") == 1][:2000]
    if not pool or not abusive:
        return {}
    j = model.attributes.index("TOXICITY")
    rates = dilution(lambda t: probabilities(model, t), j, model.thresholds()["TOXICITY"], abusive, pool, seed)
    return {"abusive_sentences": len(abusive), "benign_pool": len(pool), "rates": rates}


def evaluate(
    model: ToxicityModel,
    report: Sequence[Record],
    probs: NDArray[np.float64],
    presets: Mapping[str, Any],
    seed: int,
    extra: Mapping[str, Sequence[Record]] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Return every reported measurement of ``model``, given its probabilities of the report rows."""
    say = progress or (lambda _m: None)
    metrics = evaluate_table(report, probs, model.attributes, model.thresholds())
    say("report half: metrics per source")
    suite = behaviour.run_suite(model, behaviour.load_cases()) if behaviour.DEFAULT_CASES.is_file() else {}
    out: dict[str, Any] = {
        "metrics": metrics,
        "presets": preset_table(model, report, probs, presets),
        "bias": bias_report(model, report, probs),
        "dilution": dilution_report(model, report, seed, extra or {}),
        "behaviour": {k: {n: v[n] for n in ("passed", "total", "rate")} for k, v in suite.items()},
        "false_positives": false_positives(model, report, extra or {}, suite),
    }
    say("report half: presets, bias, dilution, behaviour and false positives")
    return out
