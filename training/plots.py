"""The model card's plots: ROC, precision-recall and reliability on the report half of the validation split."""

from __future__ import annotations

import io
from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from training.metrics import reliability


def render_plots(curves: Mapping[str, tuple[NDArray[np.int64], NDArray[np.float64]]]) -> dict[str, bytes]:
    """Return PNG bytes of ROC, precision-recall and reliability plots (pooled validation)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve, roc_curve

    out: dict[str, bytes] = {}
    kinds = ("roc", "pr", "reliability")
    for kind in kinds:
        fig, ax = plt.subplots(figsize=(6, 5), dpi=80)
        for name, (y, p) in curves.items():
            if not 0 < y.sum() < len(y):
                continue
            if kind == "roc":
                fpr, tpr, _ = roc_curve(y, p)
                ax.plot(fpr, tpr, label=name)
            elif kind == "pr":
                precision, recall, _ = precision_recall_curve(y, p)
                ax.plot(recall, precision, label=name)
            else:
                bins = reliability(y, p)
                ax.plot([b["mean_p"] for b in bins], [b["rate"] for b in bins], marker="o", label=name)
        if kind == "roc":
            ax.plot([0, 1], [0, 1], "k:", linewidth=1)
            ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC (validation)")
        elif kind == "pr":
            ax.set(xlabel="recall", ylabel="precision", title="Precision-recall (validation)")
        else:
            ax.plot([0, 1], [0, 1], "k:", linewidth=1)
            ax.set(xlabel="mean predicted probability", ylabel="observed rate", title="Reliability (validation)")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.01)
        ax.legend(fontsize=8, loc="lower right" if kind != "pr" else "lower left")
        buf = io.BytesIO()
        fig.tight_layout()
        fig.savefig(buf, format="png", metadata={"Software": None})
        plt.close(fig)
        out[f"{kind}.png"] = buf.getvalue()
    return out
