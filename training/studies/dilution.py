"""The dilution bound: how much of its flag rate an abusive sentence can keep among benign ones.

Issue 19 asks that an abusive sentence among 5, 20 and 60 benign sentences keep at
least 90 % of its flag rate alone, while benign comments of as many sentences are
flagged at most 2 points more often than single benign sentences. Take any
combiner that, for a comment of ``n`` sentences, flags it when its top sentence
logit reaches a cut ``t_n``: any increasing function of the top logit and the
count is one. The benign allowance fixes the lowest ``t_n`` it may use, and that
cut fixes the best retention. This module estimates both by sampling comments
from held-out sentences. The shipped combiner also weighs the whole comment's
logit (with a fifth of the top sentence's weight for TOXICITY), which is nearly
constant among long benign comments but carries some of an abusive sentence's
signal, so for it the figure is an estimate rather than a strict bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class Bound:
    """The best a top-sentence combiner can do at one comment length."""

    sentences: int
    cut: float
    """The lowest top-sentence logit cut that keeps benign comments within the allowance."""
    benign_flagged: float
    abusive_flagged: float
    retention: float
    """``abusive_flagged`` over the abusive sentences' flag rate alone."""


def retention_bound(
    benign: NDArray[np.float64],
    abusive: NDArray[np.float64],
    single_cut: float,
    sizes: Sequence[int] = (5, 20, 60),
    allowance: float = 0.02,
    samples: int = 20_000,
    seed: int = 0,
) -> list[Bound]:
    """Return the bound per comment length.

    ``benign`` holds the logits of held-out benign sentences, ``abusive`` the top
    unit logit of each held-out abusive probe, ``single_cut`` the logit at which a
    single sentence is flagged. Benign comments of ``n`` sentences are drawn with
    replacement from ``benign``; an abusive comment is a probe among ``n`` of them, judged
    at the cut of benign comments of ``n`` sentences (a combiner that knows the count
    could use a higher cut for its ``n + 1``, so this errs in the combiner's favour).
    """
    if len(benign) == 0 or len(abusive) == 0:
        raise ValueError("need benign and abusive logits")
    rng = np.random.default_rng(seed)
    benign_alone = float(np.mean(benign >= single_cut))
    abusive_alone = float(np.mean(abusive >= single_cut))
    if abusive_alone == 0:
        raise ValueError("no abusive sentence is flagged alone at the single cut")
    out = []
    for n in sizes:
        benign_top = benign[rng.integers(0, len(benign), (samples, n))].max(axis=1)
        others = benign[rng.integers(0, len(benign), (len(abusive), n))].max(axis=1)
        abusive_top = np.maximum(abusive, others)
        share = min(1.0, benign_alone + allowance)
        k = int(round(share * samples, 9))  # at most k of the sampled benign comments may reach the cut
        cut = float(np.nextafter(np.sort(benign_top)[::-1][k], np.inf)) if k < samples else -np.inf
        flagged = float(np.mean(abusive_top >= cut))
        out.append(Bound(n, cut, float(np.mean(benign_top >= cut)), flagged, flagged / abusive_alone))
    return out
