"""Training and loading benchmark: time, peak RSS, artifact size, cold load.

Figures (median of ``--repeat`` runs) next to baselines measured in the same run:
training against fitting the textbook pipeline on the same comments, and a cold
model load against a fresh interpreter that only imports scikit-learn and joblib.

    python bench/train.py [--repeat 1] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, SHARED_DATA, has_data, median_of, python, run_child, table, write_json

TARGETS = {"train_seconds": 180.0, "train_peak_rss_mb": 4096.0, "artifact_mb": 25.0, "cold_load_seconds": 2.0}
LOAD = (
    "import time; t = time.perf_counter(); from model import load_model; load_model(); print(time.perf_counter() - t)"
)
IMPORT_ONLY = (
    "import time; t = time.perf_counter(); import sklearn, joblib, numpy, scipy.sparse; print(time.perf_counter() - t)"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--data", type=Path, default=SHARED_DATA)
    args = parser.parse_args()
    if not has_data(args.data):
        return 2

    train_s, train_rss, book_s, book_rss = [], [], [], []
    size_mb = 0.0
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            s, rss, _ = run_child(
                [python(), "-m", "training", "train", "--data-dir", str(args.data), "--out", tmp, "--quiet"],
                cwd=ROOT,
            )
            train_s.append(s)
            train_rss.append(rss)
            size_mb = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file()) / 2**20
        s, rss, _ = run_child([python(), str(ROOT / "bench" / "textbook.py"), str(args.data)], cwd=ROOT)
        book_s.append(s)
        book_rss.append(rss)

    load_s, import_s = [], []
    for _ in range(args.loads):
        load_s.append(float(run_child([python(), "-c", LOAD], cwd=ROOT)[2].stdout))
        import_s.append(float(run_child([python(), "-c", IMPORT_ONLY], cwd=ROOT)[2].stdout))
    shipped_mb = sum(p.stat().st_size for p in (ROOT / "model" / "default").rglob("*") if p.is_file()) / 2**20

    figures = {
        "train_seconds": median_of(train_s),
        "train_peak_rss_mb": median_of(train_rss),
        "textbook_train_seconds": median_of(book_s),
        "textbook_train_peak_rss_mb": median_of(book_rss),
        "artifact_mb": size_mb,
        "shipped_artifact_mb": shipped_mb,
        "cold_load_seconds": median_of(load_s),
        "import_only_seconds": median_of(import_s),
    }
    rows = [
        [
            "training, all shared data (`toxicity train`)",
            figures["train_seconds"],
            "s",
            f"{figures['train_seconds'] / figures['textbook_train_seconds']:.2f}x textbook fit",
            "<= 180 s",
        ],
        [
            "training peak RSS",
            figures["train_peak_rss_mb"],
            "MB",
            f"{figures['train_peak_rss_mb'] / figures['textbook_train_peak_rss_mb']:.2f}x textbook fit",
            "<= 4096 MB",
        ],
        [
            "textbook pipeline fit, TOXICITY only (baseline)",
            figures["textbook_train_seconds"],
            "s",
            "1.00x",
            "",
        ],
        ["artifact size (fresh train / shipped)", f"{size_mb:.1f} / {shipped_mb:.1f}", "MB", "", "<= 25 MB"],
        [
            "cold load of the shipped model, fresh interpreter",
            figures["cold_load_seconds"],
            "s",
            f"{figures['cold_load_seconds'] / figures['import_only_seconds']:.2f}x importing sklearn+joblib",
            "<= 2 s",
        ],
    ]
    print(table(["figure", "median", "unit", "ratio to baseline in this run", "target"], rows))
    checks = {k: figures[k] <= v for k, v in TARGETS.items()}
    print("\ntargets met: " + ", ".join(f"{k}={'yes' if ok else 'NO'}" for k, ok in checks.items()))
    path = write_json("train", {"figures": figures, "targets": TARGETS, "met": checks, "repeat": args.repeat})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
