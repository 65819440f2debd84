"""Retrain with moderators' accepted decisions, compare with the base model, and gate the promotion.

``retrain`` takes the base corpus (the data the base model was trained on, read as
``toxicity train`` reads it) and the accepted feedback (``training.feedback``):

1. In the training split, a moderator's label replaces the corpus's label for the same
   comment and attribute (matched by ``dedup_key``): a decision is a correction, not a
   second opinion. The validation split keeps its labels: it is the yardstick shared
   with the base model, so the gate sees a model that learnt wrong decisions.
2. The feedback is split with the corpus's own rule and seed (``assign_split``): its
   training part joins the corpus as the source ``feedback`` with its own weight
   (``--feedback-weight``); its validation part is held out of the run entirely, so
   neither the heads, the combiners nor the thresholds see it.
3. The candidate is trained and written to its own folder, with ``retrain.json``
   and a comparison section in its card: ROC-AUC, Brier score and agreement per attribute and
   source for both models on the shared validation rows, and on the held-out feedback.
4. The gate (``training.gate``): the candidate is promoted (copied over ``--out``) only
   if, per attribute, pooled and per source, on the shared validation rows, it is not
   worse than the base by more than the ``Margins`` in ROC-AUC, Brier score and
   agreement, and drops no attribute the base scores; ``force`` promotes regardless.
   The decision names the rules that made it.

The feedback is English (the review queue's comments); a base's language sub-models
are written into the candidate unchanged, heads, entries and figures
(``training.languages.bundle.carried``), so a multilingual base stays multilingual.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from model.scorer import ToxicityModel
from training.dataset import Corpus, assign_split, describe_files
from training.evaluate import probabilities
from training.feedback import FEEDBACK_SOURCE
from training.fit import TrainParams
from training.gate import SHARED, Decision, Margins, gate
from training.languages.bundle import carried
from training.pipeline import train
from training.records import Record, dedup_key

DEFAULT_FEEDBACK_WEIGHT = 5.0
"""Training weight of one accepted decision, relative to one corpus label."""
REPORT_FILE = "retrain.json"


@dataclass(slots=True)
class RetrainResult:
    """The candidate, the comparison and the gate's decision."""

    candidate: Path
    promoted_to: Path | None
    decision: Decision
    comparison: list[dict[str, Any]]
    counts: dict[str, int]


def with_feedback(
    corpus: Corpus, feedback: Sequence[Record], validation_fraction: float, seed: int
) -> tuple[Corpus, list[Record], list[Record]]:
    """Return the corpus with the feedback's training part added, that part, and the held-out part.

    ``validation_fraction`` and ``seed`` are those the corpus was split with, so a
    corrected comment falls on the side its original row did.
    """
    keys = [dedup_key(r.text) for r in feedback]
    overridden = {k: set(r.labels) for k, r in zip(keys, feedback, strict=True)}
    records, corpus_keys, validation = [], [], []
    for record, key, held in zip(corpus.records, corpus.keys, corpus.validation, strict=True):
        drop = set() if held else overridden.get(key, set())
        labels = {a: v for a, v in record.labels.items() if a not in drop}
        if not labels:
            continue
        soft = {a: v for a, v in record.soft.items() if a in labels}
        weights = {a: v for a, v in record.label_weight.items() if a in labels}
        records.append(replace(record, labels=labels, soft=soft, label_weight=weights) if drop else record)
        corpus_keys.append(key)
        validation.append(held)
    held_out = assign_split(feedback, keys, validation_fraction, seed)
    trained = [r for r, h in zip(feedback, held_out, strict=True) if not h]
    kept = [r for r, h in zip(feedback, held_out, strict=True) if h]
    trained_keys = [k for k, h in zip(keys, held_out, strict=True) if not h]
    merged = replace(
        corpus,
        records=records + trained,
        keys=corpus_keys + trained_keys,
        validation=validation + [False] * len(trained),
    )
    return merged, trained, kept


def _auc(y: np.ndarray[Any, Any], p: np.ndarray[Any, Any]) -> float | None:
    return float(roc_auc_score(y, p)) if 0 < int(y.sum()) < len(y) else None


def _rows(part: str, records: Sequence[Record], models: dict[str, ToxicityModel]) -> list[dict[str, Any]]:
    """Return per attribute and source (and ``all``): n, ROC-AUC and agreement at each model's thresholds."""
    probs = {name: probabilities(m, [r.text for r in records]) for name, m in models.items()}
    shared = [a for a in models["base"].attributes if all(a in m.attributes for m in models.values())]
    out = []
    for attribute in shared:
        sources = ["all", *sorted({r.source for r in records if attribute in r.labels})]
        for source in sources:
            idx = [i for i, r in enumerate(records) if attribute in r.labels and source in ("all", r.source)]
            if not idx:
                continue
            y = np.array([records[i].labels[attribute] for i in idx])
            row: dict[str, Any] = {"part": part, "attribute": attribute, "source": source, "n": len(idx)}
            for name, m in models.items():
                p = probs[name][np.array(idx), m.attributes.index(attribute)]
                cut = m.thresholds().get(attribute, 0.5)
                agreed = int(np.sum((p >= cut) == (y == 1)))
                # Unrounded: the gate compares them (the card rounds for display).
                row[f"{name}_roc_auc"] = _auc(y, p)
                row[f"{name}_brier"] = float(np.mean((p - y) ** 2))
                row[f"{name}_agreement"] = agreed / len(idx)
                row[f"{name}_agreed"] = agreed
            out.append(row)
    return out


def compare(
    base: ToxicityModel, candidate: ToxicityModel, shared: Sequence[Record], held_out: Sequence[Record]
) -> list[dict[str, Any]]:
    """Return the comparison rows: the shared validation rows per source, and the held-out feedback."""
    models = {"base": base, "candidate": candidate}
    return _rows(SHARED, shared, models) + _rows("held-out feedback", held_out, models)


def render_comparison(rows: Sequence[dict[str, Any]], decision: Decision, base_version: str, margins: Margins) -> str:
    """Return the card's section comparing the candidate with the base model."""

    def cell(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.4f}"

    lines = [
        "",
        "## Compared with the base model",
        "",
        f"Base: `{base_version}`. The gate: {margins.describe()}.",
        "",
        f"**Decision:** {decision.rule}.",
        "",
        "| part | attribute | source | n | ROC-AUC base | ROC-AUC candidate | Brier base | Brier candidate "
        "| agreement base | agreement candidate |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        figures = [cell(r[f"{m}_{k}"]) for k in ("roc_auc", "brier", "agreement") for m in ("base", "candidate")]
        lines.append(f"| {r['part']} | {r['attribute']} | {r['source']} | {r['n']} | " + " | ".join(figures) + " |")
    lines += [
        "",
        "Brier score: the mean squared difference between probability and label (lower is better). Agreement: "
        "the share of labels each model matches at its own default thresholds.",
        "",
    ]
    return "\n".join(lines)


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def promote(candidate: Path, out: Path, version: str) -> None:
    """Put the candidate at ``out`` so that a reload finds either the old artifact or the new one, whole.

    A symlink (a deployment that points ``TOXICITY_MODEL_PATH`` at a versioned
    folder) gets the candidate in a sibling folder named after its version and is
    re-pointed in one rename. A folder is replaced by a sibling copy in two renames;
    between them a reload finds no artifact and keeps serving the old model.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.is_symlink():
        target = out.with_name(f"{out.name}-{version}")
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(candidate, target)
        link = out.with_name(f".{out.name}.link")
        link.unlink(missing_ok=True)
        link.symlink_to(target.resolve(), target_is_directory=True)
        os.replace(link, out)
        return
    staging = out.with_name(f".{out.name}.promoting")
    old = out.with_name(f".{out.name}.previous")
    for leftover in (staging, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    shutil.copytree(candidate, staging)
    if out.exists():
        os.replace(out, old)
    os.replace(staging, out)
    if old.exists():
        shutil.rmtree(old)


def retrain(
    corpus: Corpus,
    feedback: Sequence[Record],
    base: ToxicityModel,
    params: TrainParams,
    candidate_dir: Path,
    out: Path | None,
    *,
    margins: Margins | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    command: str | None = None,
    feedback_files: Sequence[Path] = (),
) -> RetrainResult:
    """Train the candidate with the feedback, compare it with ``base``, write it, and promote it if the gate allows."""
    margins = margins or Margins()
    if not feedback:
        raise ValueError("no accepted feedback to retrain with: accept suggestions in the review queue first")
    merged, trained, held_out = with_feedback(corpus, feedback, params.validation_fraction, params.seed)
    merged.files = [*merged.files, *describe_files(feedback_files)]  # in the manifest, and in the version's hash
    shared = [r for r, v in zip(merged.records, merged.validation, strict=True) if v and r.source != FEEDBACK_SOURCE]
    if progress:
        progress(f"feedback: {len(trained)} comments train, {len(held_out)} held out; {len(shared)} shared validation")
    result = train(
        merged, params, candidate_dir, progress=progress, baseline=False, command=command, languages=carried(base)
    )
    rows = compare(base, result.model, shared, held_out)
    decision = gate(base, result.model, rows, margins, force)
    counts = {"feedback_trained": len(trained), "feedback_held_out": len(held_out), "shared_validation": len(shared)}
    report = {
        "base": base.version,
        "candidate": result.model.version,
        "margins": margins.as_dict(),
        "forced": force,
        "promoted": decision.promoted,
        "rule": decision.rule,
        "failed_rules": decision.failed,
        "counts": counts,
        "comparison": rows,
    }
    _write(candidate_dir / REPORT_FILE, json.dumps(report, indent=2) + "\n")
    card = candidate_dir / "MODEL_CARD.md"
    _write(card, card.read_text(encoding="utf-8") + render_comparison(rows, decision, base.version, margins))
    promoted_to = None
    if decision.promoted and out is not None:
        promote(candidate_dir, out, result.model.version)
        promoted_to = out
    return RetrainResult(candidate_dir, promoted_to, decision, rows, counts)
