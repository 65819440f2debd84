"""Identity-bias metrics (Borkan et al. 2019): subgroup, BPSN and BNSP ROC-AUC per identity term.

For a term, the subgroup is the validation comments that mention it
(``training.identity.TERM_FORMS``), the background every other comment:

- **subgroup AUC**: positives against negatives inside the subgroup; low means
  the model cannot tell toxic from non-toxic talk about the group.
- **BPSN** (background positive, subgroup negative): the subgroup's negatives
  against the background's positives; low means non-toxic mentions of the group
  score like toxic comments (false positives for people who say who they are).
- **BNSP** (background negative, subgroup positive): the subgroup's positives
  against the background's negatives; low means abuse of the group scores like
  ordinary comments (missed attacks).

A term needs ``MIN_EACH`` positives and negatives in the subgroup to be measured;
otherwise the report says how many it had. Imports numpy and scikit-learn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import roc_auc_score

from training.identity import REPORT_TERMS, subgroup_masks

MIN_EACH = 20


def _auc(y: NDArray[np.int64], p: NDArray[np.float64]) -> float | None:
    if len(y) == 0 or y.min() == y.max():
        return None
    return round(float(roc_auc_score(y, p)), 4)


def bias_table(
    texts: Sequence[str], y: NDArray[np.int64], p: NDArray[np.float64], terms: Sequence[str] = REPORT_TERMS
) -> dict[str, dict[str, Any]]:
    """Return, per term, its subgroup size and positives and the three AUCs (None where not measurable)."""
    masks = subgroup_masks(texts, terms)
    out: dict[str, dict[str, Any]] = {}
    for term in terms:
        sub = np.asarray(masks[term], dtype=bool)
        pos, neg = int(y[sub].sum()), int((1 - y[sub]).sum())
        row: dict[str, Any] = {"n": int(sub.sum()), "positives": pos}
        if pos < MIN_EACH or neg < MIN_EACH:
            row.update(subgroup_auc=None, bpsn_auc=None, bnsp_auc=None)
        else:
            bpsn = (sub & (y == 0)) | (~sub & (y == 1))
            bnsp = (sub & (y == 1)) | (~sub & (y == 0))
            row.update(
                subgroup_auc=_auc(y[sub], p[sub]),
                bpsn_auc=_auc(y[bpsn], p[bpsn]),
                bnsp_auc=_auc(y[bnsp], p[bnsp]),
            )
        out[term] = row
    return out


def worst_terms(table: dict[str, dict[str, Any]], count: int = 3) -> list[tuple[str, str, float]]:
    """Return the ``count`` lowest (term, metric, AUC) entries of a ``bias_table``, one per term."""
    lows = []
    for term, row in table.items():
        measured = [(row[m], m) for m in ("subgroup_auc", "bpsn_auc", "bnsp_auc") if row.get(m) is not None]
        if measured:
            value, metric = min(measured)
            lows.append((term, metric, value))
    return sorted(lows, key=lambda t: t[2])[:count]
