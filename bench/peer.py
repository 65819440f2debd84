"""Measure a peer beside our model: alt-profanity-check, a unigram TF-IDF and linear SVM on PyPI.

Two comparisons, each printed as a markdown table and written to ``bench/results/peer.json``:

- the behaviour suite (``tests/model/behaviour/cases.json``): our pass rate per
  category at our default thresholds, and the peer's at its 0.5 cut-off. The peer
  has one output, so it stands for every attribute: a "flag" case passes when the
  peer flags the comment, a "clean" case when it does not;
- the validation split of the shared data, rebuilt exactly as training builds it:
  per (attribute, source) with both classes, ROC-AUC of both models, and recall,
  false-positive rate and flag rate at the peer's 0.5 and at our thresholds.

The peer lives in its own virtualenv (``bench/.peer-venv``, created and filled on
first use; it pins its own scikit-learn) and runs in a child process that reads
texts as JSON on stdin and writes probabilities, so the two models never share an
interpreter and our environment is never touched.

    python bench/peer.py [--data ../shared/data] [--model DIR] [--peer-venv DIR | --peer-python PATH]
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, SHARED_DATA, write_json
from model import ToxicityModel, load_model
from model.attributes import ATTRIBUTE_NAMES
from training.behaviour import load_suite, markdown_table, run_suite, tally

PEER_PACKAGE = "alt-profanity-check==1.9.1"
PEER_VENV = ROOT / "bench" / ".peer-venv"
PEER_CUTOFF = 0.5
# The peer's author trained it on Davidson et al.'s tweets (and Wikipedia talk comments, which
# we do not use), so its figures on that source are not held out.
PEER_TRAINED_ON = {"davidson-hate-offensive"}

# Runs in the peer's interpreter: JSON list of texts in, probabilities and versions out.
PEER_SCRIPT = """
import json, sys
from importlib.metadata import version
from profanity_check import predict_prob
texts = json.load(sys.stdin)
probs = predict_prob(texts).tolist() if texts else []
json.dump({"package": "alt-profanity-check " + version("alt-profanity-check"),
           "scikit-learn": version("scikit-learn"), "python": sys.version.split()[0], "probs": probs}, sys.stdout)
"""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _has_peer(python: Path) -> bool:
    probe = subprocess.run([str(python), "-I", "-c", "import profanity_check"], capture_output=True, text=True)
    return probe.returncode == 0


def peer_python(venv: Path, python: Path | None) -> Path:
    """Return an interpreter with the peer installed, creating ``venv`` and installing into it if needed."""
    if python is None:
        python = venv / "bin" / "python"
        if not python.exists():
            say(f"creating the peer's virtualenv in {venv}")
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    if _has_peer(python):
        return python
    # Never install into the interpreter that runs our model: the peer pins its own scikit-learn.
    here = subprocess.run([str(python), "-c", "import sys; print(sys.prefix)"], capture_output=True, text=True)
    if Path(here.stdout.strip()).resolve() == Path(sys.prefix).resolve():
        raise SystemExit(f"{python} is our own environment; give the peer a virtualenv of its own")
    say(f"installing {PEER_PACKAGE} into {python}")
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", PEER_PACKAGE]
    subprocess.run(pip, check=True)
    return python


def peer_scores(python: Path, texts: Sequence[str]) -> tuple[NDArray[np.float64], dict[str, str]]:
    """Return the peer's probability per text and its versions, from a child process."""
    done = subprocess.run(
        [str(python), "-I", "-c", PEER_SCRIPT], input=json.dumps(list(texts)), capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"the peer failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    if done.stderr.strip():
        say(f"the peer said on stderr: {done.stderr.strip()[-500:]}")
    out = json.loads(done.stdout)
    probs = np.asarray(out.pop("probs"), dtype=np.float64)
    if probs.shape != (len(texts),):
        raise SystemExit(f"the peer returned {probs.shape[0]} scores for {len(texts)} texts")
    return probs, out


def behaviour(model: ToxicityModel, python: Path) -> tuple[dict[str, Any], str, dict[str, str]]:
    """Return both models' behaviour results, the markdown table and the peer's versions."""
    suite = load_suite()
    ours = run_suite(model, suite.cases)
    probs, versions = peer_scores(python, [c.text for c in suite.cases])
    everything = set(ATTRIBUTE_NAMES)
    flagged = [everything if p >= PEER_CUTOFF else set() for p in probs]
    peer = tally(suite.cases, flagged, [{"peer": round(float(p), 3)} for p in probs])
    table = markdown_table(suite.titles, {"ours": ours, f"peer (≥ {PEER_CUTOFF})": peer})
    results = {
        name: {
            "title": title,
            "total": ours[name]["total"],
            "ours": {k: ours[name][k] for k in ("passed", "rate", "failures")},
            "peer": {k: peer[name][k] for k in ("passed", "rate", "failures")},
        }
        for name, title in suite.titles.items()
    }
    return results, table, versions


def _rates(y: NDArray[np.int64], flagged: NDArray[np.bool_]) -> dict[str, float]:
    return {
        "recall": float(flagged[y == 1].mean()),
        "fpr": float(flagged[y == 0].mean()),
        "flag_rate": float(flagged.mean()),
    }


def validation_rows(
    records: Sequence[Any],
    ours: NDArray[np.float64],
    attributes: Sequence[str],
    thresholds: dict[str, float],
    peer: NDArray[np.float64],
) -> list[dict[str, Any]]:
    """Return one row per (attribute, source) with both classes, then the attribute's pooled row."""
    from sklearn.metrics import roc_auc_score

    rows = []
    for j, attribute in enumerate(attributes):
        groups: dict[str, list[int]] = defaultdict(list)
        for i, record in enumerate(records):
            if attribute in record.labels:
                groups[record.source].append(i)
                groups["all"].append(i)
        for source in sorted(groups, key=lambda s: (s == "all", s)):
            idx = np.array(groups[source])
            y = np.array([records[i].labels[attribute] for i in idx])
            if not 0 < y.sum() < len(y):
                continue
            p_ours, p_peer = ours[idx, j], peer[idx]
            rows.append(
                {
                    "attribute": attribute,
                    "source": source,
                    "n": len(y),
                    "positives": int(y.sum()),
                    "peer_trained_on_source": source in PEER_TRAINED_ON,
                    "ours": {
                        "roc_auc": float(roc_auc_score(y, p_ours)),
                        "threshold": thresholds[attribute],
                        **_rates(y, p_ours >= thresholds[attribute]),
                    },
                    "peer": {
                        "roc_auc": float(roc_auc_score(y, p_peer)),
                        "threshold": PEER_CUTOFF,
                        **_rates(y, p_peer >= PEER_CUTOFF),
                    },
                }
            )
    return rows


def validation_table(rows: Sequence[dict[str, Any]]) -> str:
    """Return the validation comparison as a markdown table."""
    lines = [
        "| attribute | source | n | pos | ROC-AUC ours | ROC-AUC peer | recall ours | recall peer "
        "| FPR ours | FPR peer | flagged ours | flagged peer |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        o, p = r["ours"], r["peer"]
        source = r["source"] + (" †" if r["peer_trained_on_source"] else "")
        lines.append(
            f"| {r['attribute']} | {source} | {r['n']} | {r['positives']} | {o['roc_auc']:.3f} | {p['roc_auc']:.3f} "
            f"| {o['recall']:.0%} | {p['recall']:.0%} | {o['fpr']:.0%} | {p['fpr']:.0%} "
            f"| {o['flag_rate']:.0%} | {p['flag_rate']:.0%} |"
        )
    return "\n".join(lines)


def check_against_manifest(model: ToxicityModel, corpus: Any, rows: Sequence[dict[str, Any]]) -> list[str]:
    """Return warnings where the rebuilt split cannot be the one the model was evaluated on."""
    warnings = []
    data = model.manifest.get("data", {})
    trained = {(f["path"], f["sha256"]) for f in data.get("files", [])}
    found = {(f.path, f.sha256) for f in corpus.files}
    if trained and trained != found:
        warnings.append(f"the data files differ from the model's manifest ({len(trained ^ found)} path/sha256 pairs)")
    recorded = model.manifest.get("metrics", {}).get("validation", {})
    worst = 0.0
    for r in rows:
        auc = recorded.get(r["attribute"], {}).get(r["source"], {}).get("roc_auc")
        if auc is not None:
            worst = max(worst, abs(auc - r["ours"]["roc_auc"]))
    if worst > 1e-3:
        warnings.append(f"our ROC-AUC differs from the manifest's validation metrics by up to {worst:.4f}")
    return warnings


def validation(model: ToxicityModel, python: Path, data: Path) -> tuple[list[dict[str, Any]], str, list[str]]:
    """Return validation rows, their markdown table and any warnings about the split."""
    from training.dataset import build_corpus, shared_loaders

    split = model.manifest.get("data", {})
    fraction = float(split.get("validation_fraction", 0.2))
    seed = int(split.get("split_seed", 0))
    say(f"rebuilding the corpus from {data} (validation fraction {fraction}, seed {seed})")
    corpus = build_corpus(shared_loaders(data), validation_fraction=fraction, seed=seed, data_root=data)
    records, keys = corpus.part(True)
    tune_fraction = model.manifest.get("parameters", {}).get("tune_fraction")
    if tune_fraction is not None:  # the report half: what the card's figures are measured on
        from training.evaluate import split_tuning

        records = split_tuning(records, keys, seed, float(tune_fraction))[1]
    texts = [r.text for r in records]
    say(f"scoring {len(texts)} validation comments with both models")
    ours = model.probabilities(texts)
    peer, _ = peer_scores(python, texts)
    rows = validation_rows(
        records, ours, model.attributes, {a: model.info[a].threshold for a in model.attributes}, peer
    )
    return rows, validation_table(rows), check_against_manifest(model, corpus, rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=SHARED_DATA, help="shared data folder (default: %(default)s)")
    parser.add_argument("--model", type=Path, default=None, help="our model artifact (default: the shipped one)")
    parser.add_argument(
        "--peer-venv", type=Path, default=PEER_VENV, help="the peer's virtualenv (default: %(default)s)"
    )
    parser.add_argument(
        "--peer-python", type=Path, default=None, help="an interpreter for the peer (overrides --peer-venv)"
    )
    args = parser.parse_args(argv)
    command = shlex.join([Path(sys.executable).name, *sys.argv])
    start = time.perf_counter()

    python = peer_python(args.peer_venv, args.peer_python)
    model = load_model(args.model)
    results, behaviour_md, versions = behaviour(model, python)
    thresholds = ", ".join(f"{a} {t:.3f}" for a, t in model.thresholds().items())
    out = [
        f"command: `{command}`",
        "",
        f"Ours: model {model.version} at its default thresholds ({thresholds}). "
        f"Peer: {versions['package']} (scikit-learn {versions['scikit-learn']}, Python {versions['python']}), "
        f"flagging at predict_prob ≥ {PEER_CUTOFF}.",
        "",
        "### Behaviour suite (pass rate per category)",
        "",
        behaviour_md,
    ]
    payload: dict[str, Any] = {
        "command": command,
        "model": model.version,
        "thresholds": model.thresholds(),
        "peer": {**versions, "cutoff": PEER_CUTOFF, "trained_on_sources": sorted(PEER_TRAINED_ON)},
        "behaviour": results,
    }
    if args.data.is_dir():
        rows, validation_md, warnings = validation(model, python, args.data)
        out += [
            "",
            "### Validation split (rebuilt as training builds it)",
            "",
            "Recall and false-positive rate (FPR) at each model's cut-off; flagged is the share of all comments "
            "flagged. † the peer was trained on this source, so its figures there are not held out.",
            "",
            validation_md,
        ]
        out += [f"\nWarning: {w}." for w in warnings]
        payload["validation"] = {"data": str(args.data), "rows": rows, "warnings": warnings}
    else:
        message = f"skipped the validation sets: {args.data} is not a folder"
        say(message)
        out += ["", message + "."]
        payload["validation"] = {"skipped": message}
    payload["seconds"] = round(time.perf_counter() - start, 1)
    print("\n".join(out))
    path = write_json("peer", payload)
    say(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
