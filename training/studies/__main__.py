"""``python -m training.studies {dilution,naive-gap,threats,thresholds,variants}``: run one study, print its figures."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from model.artifact import load_artifact
from model.scorer import ToxicityModel
from training.behaviour import load_suite
from training.cli import DEFAULT_DATA
from training.combine import benign_sentences, comment_logits, probes
from training.dataset import Corpus, build_corpus, shared_loaders
from training.evaluate import split_tuning
from training.loaders import unhealthy
from training.records import Record
from training.studies import dilution, naive_gap, threats, variants


def halves(corpus: Corpus, parameters: Mapping[str, Any]) -> tuple[list[Record], list[Record]]:
    """Return the tuning and report halves of the validation split, as the model's training run cut them."""
    records, keys = corpus.part(True)
    return split_tuning(records, keys, int(parameters["seed"]), float(parameters["tune_fraction"]))


def run_dilution(corpus: Corpus, model: ToxicityModel) -> dict[str, Any]:
    """Return the retention bound for TOXICITY at the default threshold, on the report half."""
    _, report = halves(corpus, model.manifest["parameters"])
    column = model.attributes.index("TOXICITY")
    benign = model.logits(benign_sentences(report))[:, column]
    abusive_texts = [r.text for r in probes(report) if r.labels.get("TOXICITY") == 1]
    abusive = comment_logits(model.logits, abusive_texts)[1][:, column]  # each probe's top unit
    seen = np.concatenate([benign, abusive])
    calibrated = model.calibrators[column](seen)
    reaching = seen[calibrated >= model.thresholds()["TOXICITY"]]
    if not len(reaching):
        raise ValueError("no held-out sentence reaches the default TOXICITY threshold")
    single = float(reaching.min())
    bounds = dilution.retention_bound(benign, abusive, single)
    print(f"{len(benign)} benign sentences, {len(abusive)} abusive probes; one-sentence cut at logit {single:.3f}")
    print(f"alone: benign {np.mean(benign >= single):.3f}, abusive {np.mean(abusive >= single):.3f}")
    print("| sentences | cut | benign flagged | abusive flagged | best retention |")
    for b in bounds:
        print(f"| {b.sentences} | {b.cut:.3f} | {b.benign_flagged:.3f} | {b.abusive_flagged:.3f} | {b.retention:.2f} |")
    return {
        "benign_sentences": len(benign),
        "abusive_probes": len(abusive),
        "single_cut": single,
        "benign_alone": float(np.mean(benign >= single)),
        "abusive_alone": float(np.mean(abusive >= single)),
        "bounds": [asdict(b) for b in bounds],
    }


def run_naive_gap(
    corpus: Corpus, manifest: Mapping[str, Any], attributes: Sequence[str], preparations: Sequence[str]
) -> dict[str, Any]:
    """Return per-source AUC of heads on the shipped rows and weights, per text preparation."""
    _, report = halves(corpus, manifest["parameters"])
    train, keys = corpus.part(False)
    result = naive_gap.compare(train, keys, report, attributes, preparations)
    naive = manifest["metrics"]["naive_baseline"]
    print("| attribute | source | " + " | ".join(preparations) + " | naive baseline |")
    for attribute in attributes:
        for source in result[preparations[0]].get(attribute, {}):
            cells = [f"{result[p][attribute].get(source, float('nan')):.3f}" for p in preparations]
            base = naive.get(attribute, {}).get(source, {}).get("roc_auc")
            print(f"| {attribute} | {source} | " + " | ".join(cells) + f" | {base if base is not None else '—'} |")
    return result


def run_threats(corpus: Corpus, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Return direct threats per source and label, and the concept-token experiment."""
    counts = threats.count_direct(corpus.records)
    print("| source | THREAT 1 | THREAT 0 | unknown |")
    for source, c in sorted(counts.items(), key=lambda kv: -sum(kv[1].values())):
        print(f"| {source} | {c['1']} | {c['0']} | {c['unknown']} |")
    tune, report = halves(corpus, parameters)
    train, keys = corpus.part(False)
    suite = load_suite()
    shown = {name: [c.text for c in suite.cases if c.category == name] for name in ("threats", "violent_words_news")}
    result = threats.concept_experiment(train, keys, tune, report, shown)
    for name, entry in result.items():
        cells = " ".join(f"{s}={a:.3f}" for s, a in entry["roc_auc"].items())
        recall = entry["recall_at_precision_0.8"]
        print(f"{name}: ROC-AUC all {entry['roc_auc_all']:.3f}; {cells}")
        print(f"  recall at precision 0.8 (tuning half) {recall:.3f}; flagged {entry['flagged']}")
    return {"direct": {s: dict(c) for s, c in counts.items()}, "concepts": result}


def _prose(data_dir: Path) -> dict[str, list[str]]:
    """Return the behaviour suite's categories and the non-toxic Unhealthy Conversations comments, by name."""
    suite = load_suite()
    out = {name: [c.text for c in suite.cases if c.category == name] for name in suite.titles}
    folder = data_dir / "unhealthy-conversations"
    if folder.is_dir():
        out["unhealthy-conversations non-toxic"] = [
            r.text for r in unhealthy.load(folder) if r.labels.get("TOXICITY") == 0
        ]
    return out


def run_thresholds(model: ToxicityModel, data_dir: Path, cuts: Sequence[float]) -> dict[str, Any]:
    """Return, per TOXICITY threshold, the share of each prose set and suite category that TOXICITY flags."""
    column = model.attributes.index("TOXICITY")
    sets = _prose(data_dir)
    scores = {name: model.probabilities(texts)[:, column] for name, texts in sets.items()}
    print("| TOXICITY threshold | " + " | ".join(sets) + " |")
    out: dict[str, Any] = {}
    for cut in cuts:
        out[f"{cut:.3f}"] = {name: float(np.mean(p >= cut)) for name, p in scores.items()}
        print(f"| {cut:.3f} | " + " | ".join(f"{v:.2f}" for v in out[f"{cut:.3f}"].values()) + " |")
    return out


def run_variants(corpus: Corpus, model: ToxicityModel, data_dir: Path, attribute: str) -> dict[str, Any]:
    """Return what each label-mapping and weighting variant of one head measures."""
    tune, report = halves(corpus, model.manifest["parameters"])
    train, keys = corpus.part(False)
    result = variants.run(model, attribute, train, keys, tune, report, _prose(data_dir))
    for name, entry in result.items():
        print(f"{name}: recall at precision 0.8 (tuning half) {entry['recall_at_precision_0.8']:.3f}")
        print("  flagged: " + " ".join(f"{k}={v:.2f}" for k, v in entry["flagged"].items()))
        print("  ROC-AUC: " + " ".join(f"{k}={v:.3f}" for k, v in entry["roc_auc"].items()))
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Run the study named on the command line; return the exit status."""
    p = argparse.ArgumentParser(prog="python -m training.studies", description=__doc__)
    p.add_argument("study", choices=("dilution", "naive-gap", "threats", "thresholds", "variants"))
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    p.add_argument("--model", type=Path, default=None, help="model artifact (default: the shipped model)")
    p.add_argument(
        "--attribute", action="append", default=[], help="naive-gap: attributes (default PROFANITY, IDENTITY_ATTACK)"
    )
    p.add_argument(
        "--preparation",
        action="append",
        default=[],
        choices=sorted(naive_gap.PREPARATIONS),
        help="naive-gap: text preparations to compare (default raw, normalised)",
    )
    p.add_argument("--cut", action="append", type=float, default=[], help="thresholds: TOXICITY thresholds to try")
    p.add_argument("--json", type=Path, help="also write the results here")
    args = p.parse_args(argv)
    if not args.data_dir.is_dir():
        print(f"error: data folder {args.data_dir} not found", file=sys.stderr)
        return 2
    model = load_artifact(args.model)
    parameters = model.manifest["parameters"]
    if args.study == "thresholds":
        default = model.thresholds()["TOXICITY"]
        result = run_thresholds(model, args.data_dir, args.cut or [default, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8])
    else:
        corpus = build_corpus(
            shared_loaders(args.data_dir),
            validation_fraction=float(parameters["validation_fraction"]),
            seed=int(parameters["seed"]),
        )
        if args.study == "variants":
            result = run_variants(corpus, model, args.data_dir, args.attribute[0] if args.attribute else "TOXICITY")
        elif args.study == "dilution":
            result = run_dilution(corpus, model)
        elif args.study == "naive-gap":
            attributes = args.attribute or ["PROFANITY", "IDENTITY_ATTACK"]
            result = run_naive_gap(corpus, model.manifest, attributes, args.preparation or ["raw", "normalised"])
        else:
            result = run_threats(corpus, parameters)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
