"""One training run end to end: corpus -> features -> heads -> combiners -> thresholds -> report -> artifact.

The split comes first. The training split (plus its training-only additions,
``training.augment``) fits the vectorisers, the heads and their hyper-parameters.
The validation split is cut in two (``training.evaluate.split_tuning``): its
tuning half fits the sentence combiners and chooses the thresholds, its report
half gives every figure of the card, next to the naive baselines fitted on the
same training rows in the same run. No figure comes from rows that fitted what
it measures.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from model.artifact import CARD_FILE, payload_of, save_artifact, write_file
from model.attributes import ATTRIBUTE_NAMES, BY_NAME, Status
from model.combine import Combiner
from model.features import Featurizer
from model.scorer import AttributeInfo, ToxicityModel
from training import thresholds as presets
from training.augment import THREAT_STYLE_SOURCE, identity_swaps, sentence_rows, threat_style_negatives
from training.baseline import run_baseline, run_pooled_baseline
from training.card import render_card
from training.combine import CONTEXT_SOURCES, fit_combiners
from training.dataset import Corpus
from training.evaluate import evaluate, probabilities, split_tuning
from training.fit import Head, TrainParams, fit_heads
from training.languages.bundle import LanguageSet
from training.manifest import build_manifest, decide_status, git_commit
from training.metrics import labels_and_scores
from training.plots import render_plots
from training.records import Record, normalized


class Clock:
    """Print progress lines with the elapsed time."""

    def __init__(self, printer: Callable[[str], None] | None) -> None:
        self.start = time.perf_counter()
        self.printer = printer

    def __call__(self, message: str) -> None:
        """Report one step."""
        if self.printer:
            self.printer(f"[{time.perf_counter() - self.start:7.1f}s] {message}")

    @property
    def elapsed(self) -> float:
        """Seconds since the run started."""
        return time.perf_counter() - self.start


@dataclass(slots=True)
class TrainResult:
    """What a run produced: the model, its manifest and where it was written."""

    model: ToxicityModel
    manifest: dict[str, Any]
    metrics: dict[str, Any]
    baseline: dict[str, Any]
    out_dir: Path | None
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)


def training_rows(
    records: list[Record], keys: list[str], params: TrainParams
) -> tuple[list[Record], list[str], dict[str, int]]:
    """Return the training rows with their training-only additions, and how many of each were added."""
    swaps, swap_keys = identity_swaps(records, keys, params.swap_weight, params.seed)
    threats = sum(1 for r in records if r.source == THREAT_STYLE_SOURCE)
    styled, styled_keys = threat_style_negatives(
        records, keys, int(threats * params.threat_style_negatives), params.seed
    )
    parts, part_keys = sentence_rows(records, keys, CONTEXT_SOURCES, params.sentence_weight)
    added = {"identity_swaps": len(swaps), "threat_style_negatives": len(styled), "benign_sentences": len(parts)}
    return records + swaps + styled + parts, keys + swap_keys + styled_keys + part_keys, added


def _threshold_presets(model: ToxicityModel, tune: Sequence[Record]) -> dict[str, dict[str, presets.Preset]]:
    """Choose every attribute's presets on the tuning rows' combined probabilities."""
    curves = labels_and_scores(tune, probabilities(model, [r.text for r in tune]), model.attributes)
    return {a: presets.choose(p, y) for a, (y, p) in curves.items() if 0 < y.sum() < len(y)}


def _info(
    attributes: Sequence[str],
    chosen: Mapping[str, Mapping[str, presets.Preset]],
    described: Mapping[str, Mapping[str, Any]] | None = None,
    fallback: Mapping[str, float] | None = None,
) -> dict[str, AttributeInfo]:
    out = {}
    for a in attributes:
        p = chosen.get(a, {})
        threshold = p[presets.DEFAULT_PRESET].threshold if p else (fallback or {}).get(a, 0.5)
        meta = (described or {}).get(a, {})
        out[a] = AttributeInfo(
            a,
            BY_NAME[a].definition,
            Status(meta.get("status", Status.EXPERIMENTAL)),
            str(meta.get("reason", "")),
            threshold,
            {k: v.threshold for k, v in p.items()},
        )
    return out


def train(
    corpus: Corpus,
    params: TrainParams,
    out_dir: Path | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    baseline: bool = True,
    data_root: str | None = None,
    evaluation_only: Mapping[str, Sequence[Record]] | None = None,
    command: str | None = None,
    languages: LanguageSet | None = None,
) -> TrainResult:
    """Fit, evaluate and (if ``out_dir``) write a model artifact from ``corpus``.

    ``evaluation_only`` holds sources the model never trains on (a set left out of
    the default model), measured for false positives only. ``command`` is the command
    line that ran the training, for the card's Reproduce section. ``languages`` holds
    the sub-models written beside the English one (``training.languages``); the English
    heads, figures and card part do not depend on them.
    """
    clock = Clock(progress)
    commit = git_commit()  # at the start: the code that trains, not whatever changed since
    train_records, train_keys = corpus.part(False)
    val_records, val_keys = corpus.part(True)
    tune, report = split_tuning(val_records, val_keys, params.seed, params.tune_fraction)
    fit_records, fit_keys, added = training_rows(train_records, train_keys, params)
    clock(
        f"corpus: {len(train_records)} training comments (+{added['identity_swaps']} identity swaps, "
        f"+{added['threat_style_negatives']} styled threat negatives, +{added['benign_sentences']} benign "
        f"sentences), {len(tune)} tuning, {len(report)} report"
    )

    featurizer, x_train = Featurizer.fit([normalized(r.text) for r in fit_records], params.features, params.n_jobs)
    clock(f"fitted vectorisers: {featurizer.n_word} word and {featurizer.n_features - featurizer.n_word} char features")
    heads, skipped = fit_heads(x_train, fit_records, fit_keys, ATTRIBUTE_NAMES, params, clock)
    del x_train
    attributes = [h.attribute for h in heads]
    if not attributes:
        raise ValueError(f"no attribute has enough labels to train: {skipped}")
    coef = np.column_stack([h.coef for h in heads])
    intercept = np.array([h.intercept for h in heads])
    head_cals = [h.calibrator for h in heads]
    fallback = {h.attribute: h.threshold for h in heads}
    bare = ToxicityModel(featurizer, attributes, coef, intercept, head_cals, _info(attributes, {}, None, fallback))

    fitted, combine_summary = fit_combiners(bare.logits, attributes, tune, params.seed, params.built_share)
    combiners = [fitted.get(h.attribute) or Combiner(1.0, 0.0, 0.0, 0.0, h.calibrator) for h in heads]
    clock(f"fitted sentence combiners on {combine_summary['built_comments']} built and {len(tune)} real comments")
    model = ToxicityModel(
        featurizer, attributes, coef, intercept, head_cals, _info(attributes, {}, None, fallback), None, combiners
    )
    chosen = _threshold_presets(model, tune)
    model.info = _info(attributes, chosen, None, fallback)
    clock("chose threshold presets on the tuning half")

    report_probs = probabilities(model, [r.text for r in report])
    evaluation = evaluate(model, report, report_probs, _as_dicts(chosen), params.seed, evaluation_only, clock)
    base: dict[str, Any] = {}
    per_source: dict[str, Any] = {}
    if baseline:
        base = run_pooled_baseline(train_records, report, ATTRIBUTE_NAMES, params.seed, params.n_jobs)
        per_source = run_baseline(train_records, report, ATTRIBUTE_NAMES, params.seed, params.n_jobs)
        clock("fitted the naive baselines (pooled, and per source)")

    described = _describe(heads, skipped, evaluation, chosen, tune)
    model.info = _info(attributes, chosen, described, fallback)
    manifest = build_manifest(
        corpus=corpus,
        params=params,
        commit=commit,
        data_root=data_root,
        described=described,
        thresholds=model.thresholds(),
        evaluation=evaluation,
        baselines={"naive_baseline": base, "per_source_baseline": per_source},
        combiners={a: c.to_dict() for a, c in zip(attributes, combiners, strict=True)},
        combine_summary=combine_summary,
        split={"train": len(train_records), "tune": len(tune), "report": len(report), **added},
        evaluation_only=sorted(evaluation_only or {}),
        seconds=clock.elapsed,
        command=command,
    )
    if languages:
        manifest.update(languages.manifest_sections(), version=languages.version(manifest["version"]))
    model.manifest = manifest
    out: Path | None = None
    if out_dir is not None:
        plots = render_plots(labels_and_scores(report, report_probs, attributes))
        files_out = {f"plots/{k}": v for k, v in plots.items()}
        subs = languages.payloads if languages else None
        manifest = save_artifact(out_dir, payload_of(model), manifest, files_out, subs)
        # The card comes last: it reads the sizes save_artifact recorded (the manifest does not vouch for it).
        write_file(out_dir / CARD_FILE, render_card(manifest, plot_names=sorted(plots)).encode("utf-8"))
        model.manifest = manifest
        out = out_dir
        clock(f"wrote artifact to {out_dir}")
    return TrainResult(model, manifest, evaluation["metrics"], base, out, clock.elapsed, {"per_source": per_source})


def _as_dicts(chosen: Mapping[str, Mapping[str, presets.Preset]]) -> dict[str, dict[str, dict[str, object]]]:
    return {a: {k: v.as_dict() for k, v in p.items()} for a, p in chosen.items()}


def _describe(
    heads: Sequence[Head],
    skipped: Mapping[str, str],
    evaluation: Mapping[str, Any],
    chosen: Mapping[str, Mapping[str, presets.Preset]],
    tune: Sequence[Record],
) -> dict[str, dict[str, Any]]:
    """Return each attribute's manifest entry: definition, status and why, head settings, presets."""
    by_name = {h.attribute: h for h in heads}
    described: dict[str, dict[str, Any]] = {}
    for name in ATTRIBUTE_NAMES:
        head = by_name.get(name)
        p = chosen.get(name, {})
        pooled = evaluation["metrics"].get(name, {}).get("all")
        default = p.get(presets.DEFAULT_PRESET)
        status, reason = decide_status(name, head, skipped.get(name), pooled, default)
        entry: dict[str, Any] = {"definition": BY_NAME[name].definition, "status": status.value, "reason": reason}
        if head is not None:
            entry.update(
                threshold=default.threshold if default else head.threshold,
                threshold_rule=default.rule if default else "highest out-of-fold F1 (no tuning labels)",
                presets={k: v.as_dict() for k, v in p.items()},
                calibration=head.calibrator.kind,
                hyperparameters={"C": head.c, "alpha": head.alpha},
                defining_sources=head.defining_sources,
                cv_macro_roc_auc=round(head.cv_objective, 4),
                training_labels={"n": head.n_train, "positives": head.positives, "by_source": head.per_source},
                source_weight_share=head.weight_share,
                tuning_positive_share=_positive_share(tune, name),
            )
        described[name] = entry
    return described


def _positive_share(records: Sequence[Record], attribute: str) -> float | None:
    labels = [r.labels[attribute] for r in records if attribute in r.labels]
    return round(sum(labels) / len(labels), 4) if labels else None
