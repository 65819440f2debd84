"""The scorer: normalise, featurise, one linear head per attribute, combine sentences, calibrate.

``ToxicityModel`` is stateless after construction: nothing request-scoped is
stored on it, so one instance serves every thread. A single comment is a batch
of one. An artifact with sentence combiners (``model.combine``) scores a long
comment as a whole and sentence by sentence; a short one takes the same single
kernel call as before, its combiner folded into one calibrator per head.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from model.attributes import ATTRIBUTE_NAMES, Status
from model.calibration import Calibrator
from model.combine import MIN_CHARS, Combiner, unit_features, units, units_batch
from model.errors import UnknownAttribute
from model.explain import Explanation, UnitScore, explain
from model.features import Featurizer
from model.languages import ENGLISH, Languages, english_only
from model.normalize import normalize

if TYPE_CHECKING:
    from model.fast import FastScorer


@dataclass(frozen=True, slots=True)
class AttributeInfo:
    """What the model knows about one attribute it scores."""

    name: str
    definition: str
    status: Status
    reason: str
    threshold: float
    presets: Mapping[str, float] = field(default_factory=dict)
    """Preset name -> threshold (``high_precision``, ``balanced``, ``high_recall``)."""


class ToxicityModel:
    """Score comments for every attribute the artifact has a head for."""

    def __init__(
        self,
        featurizer: Featurizer,
        attributes: Sequence[str],
        coef: NDArray[np.float64],
        intercept: NDArray[np.float64],
        calibrators: Sequence[Calibrator],
        info: Mapping[str, AttributeInfo],
        manifest: Mapping[str, Any] | None = None,
        combiners: Sequence[Combiner] | None = None,
        language: str = ENGLISH,
    ) -> None:
        if coef.shape != (featurizer.n_features, len(attributes)):
            raise ValueError(f"coef shape {coef.shape} does not match features x attributes")
        if intercept.shape != (len(attributes),) or len(calibrators) != len(attributes):
            raise ValueError("one intercept and one calibrator per attribute are required")
        if combiners is not None and len(combiners) != len(attributes):
            raise ValueError("one combiner per attribute is required")
        self.featurizer = featurizer
        self.attributes: tuple[str, ...] = tuple(attributes)
        self.coef = np.ascontiguousarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.head_calibrators = tuple(calibrators)
        """Each head's own calibrator (used when the artifact has no combiners)."""
        self.combiners = tuple(combiners) if combiners is not None else None
        self.calibrators = tuple(c.single() for c in self.combiners) if self.combiners else self.head_calibrators
        """What a one-unit comment's logits go through: the combiners folded, or the heads' own."""
        self.info = info  # also sets the scored attributes
        self.manifest: Mapping[str, Any] = manifest or {}
        self.language = language
        """The language this model's heads were fitted on (a BCP-47 tag)."""
        self.languages: Languages | None = english_only(self) if language == ENGLISH else None
        """The root (English) model's catalogue of every language and its sub-model; ``None`` on a sub-model."""
        self._column = {name: i for i, name in enumerate(self.attributes)}
        self._fast: FastScorer | None = None
        self._fast_lock = threading.Lock()
        self.fast_path_error: str | None = None
        """Why the fast path is off for this artifact, if it is; scores then come from scikit-learn."""

    def fast(self) -> FastScorer | None:
        """Return the fast scorer, building it on first use (None if the artifact rules it out)."""
        if self._fast is None and self.fast_path_error is None:
            with self._fast_lock:
                if self._fast is None and self.fast_path_error is None:
                    from model.fast import FastScorer

                    try:
                        self._fast = FastScorer(
                            self.featurizer, self.coef, self.intercept, self.calibrators, self.combiners
                        )
                    except ValueError as exc:
                        self.fast_path_error = str(exc)
        return self._fast

    def warm_up(self) -> None:
        """Build the fast path and compile its kernel now, not on the first request; the root's languages too."""
        fast = self.fast()
        if fast is not None:
            fast.warm_up()
        for language in self.languages or ():
            if language.model is not None and language.model is not self:
                language.model.warm_up()

    @property
    def info(self) -> Mapping[str, AttributeInfo]:
        """Return each attribute's definition, status, reason and threshold (read-only: assign to change)."""
        return MappingProxyType(self._info)  # what the setter derives must not go stale

    @info.setter
    def info(self, info: Mapping[str, AttributeInfo]) -> None:
        self._info = dict(info)
        self._scored = tuple(a for a in self.attributes if self._info[a].status != Status.UNSUPPORTED)
        self._thresholds = {a: self._info[a].threshold for a in self._scored}

    @property
    def version(self) -> str:
        """Return the artifact's version string."""
        return str(self.manifest.get("version", "unversioned"))

    @property
    def scored_attributes(self) -> tuple[str, ...]:
        """Return the attributes scored by default: every head not marked unsupported."""
        return self._scored

    def check_attributes(self, names: Sequence[str] | None) -> tuple[str, ...]:
        """Return ``names`` (default: all scored) or raise ``UnknownAttribute``."""
        if names is None or names is self._scored:  # the default, as returned before
            return self._scored
        for name in names:
            if name not in self._column or self._info[name].status == Status.UNSUPPORTED:
                known = ", ".join(self.scored_attributes)
                if name in ATTRIBUTE_NAMES:
                    raise UnknownAttribute(
                        f"attribute {name} is not supported by this model (supported: {known})",
                        field="attributes",
                        limit=known,
                    )
                raise UnknownAttribute(
                    f"unknown attribute {name!r} (supported: {known})", field="attributes", limit=known
                )
        return tuple(dict.fromkeys(names))

    def presets(self) -> dict[str, dict[str, float]]:
        """Return preset name -> attribute -> threshold, for every preset the artifact defines."""
        out: dict[str, dict[str, float]] = {}
        for name in self._scored:
            for preset, threshold in self._info[name].presets.items():
                out.setdefault(preset, {})[name] = threshold
        return out

    def normalize(self, texts: Sequence[str]) -> list[str]:
        """Return the normalised texts the features are computed on."""
        return [normalize(t) for t in texts]

    def logits(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Return raw head outputs before calibration, shape ``(len(texts), n_attributes)``."""
        fast = self.fast()
        if fast is not None:
            return fast.logits(texts)
        return self.reference_logits(texts)

    def reference_logits(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Return the logits through scikit-learn's vectorisers: the reference the fast path must equal."""
        x = self.featurizer.transform(self.normalize(texts))
        out: NDArray[np.float64] = np.asarray(x @ self.coef) + self.intercept
        return out

    def reference_probabilities(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Return calibrated probabilities through scikit-learn's vectorisers."""
        if not texts:
            return np.zeros((0, len(self.attributes)))
        if self.combiners is None:
            return self.calibrate(self.reference_logits(texts))
        batch, counts, _ = units_batch(texts)
        return self.combine(self.reference_logits(batch), counts)

    def combine(self, logits: NDArray[np.float64], counts: Sequence[int]) -> NDArray[np.float64]:
        """Return probabilities from a ``model.combine.units_batch`` logit matrix and its unit counts."""
        if self.combiners is None:
            raise ValueError("this artifact has no sentence combiners")
        z_whole, z_max, k = unit_features(logits, counts)
        out = np.empty_like(z_whole)
        for j, comb in enumerate(self.combiners):
            out[:, j] = comb(z_whole[:, j], z_max[:, j], k[:, 0])
        return out

    def calibrate(self, logits: NDArray[np.float64]) -> NDArray[np.float64]:
        """Map a ``(n, n_attributes)`` logit matrix to probabilities."""
        out = np.empty_like(logits)
        for j, cal in enumerate(self.calibrators):
            out[:, j] = cal(logits[:, j])
        return np.clip(out, 0.0, 1.0)

    def probabilities(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Return calibrated probabilities, shape ``(len(texts), n_attributes)``."""
        if not texts:
            return np.zeros((0, len(self.attributes)))
        fast = self.fast()
        if fast is None:
            return self.reference_probabilities(texts)
        if self.combiners is None or (len(texts) == 1 and len(texts[0]) < MIN_CHARS):
            return fast.probabilities(texts)  # one unit a comment: the kernel's folded calibrators
        batch, counts, _ = units_batch(texts)
        if len(batch) == len(texts):
            return fast.probabilities(texts)
        return fast.combined(batch, counts)

    def probabilities_alone(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Return ``probabilities(texts)`` as each text gets it when scored on its own.

        For a whole batch ``probabilities`` takes one of two exact paths: the kernel's
        folded calibrators when every comment is one unit, the combiners when any has
        several, and the two differ in the last bits of a double. Here the one-unit
        comments take the first and the others the second, in one kernel call each
        (with the sentences split once), so every row gets what ``score([text])`` gives
        it, whatever shares its batch (bulk scoring and Spark rely on this).
        """
        fast = self.fast()
        if self.combiners is None or fast is None or not texts:  # one path for every row already
            return self.probabilities(texts)
        batch, counts, spans = units_batch(texts)
        if len(batch) == len(texts):
            return fast.probabilities(texts)
        one = [i for i, k in enumerate(counts) if k == 1]
        several = [i for i, k in enumerate(counts) if k > 1]
        out = np.empty((len(texts), len(self.attributes)))
        if one:
            out[one] = fast.probabilities([texts[i] for i in one])
        pieces = [texts[i][a:b] for i in several for a, b in spans[i]]
        out[several] = fast.combined([texts[i] for i in several] + pieces, [counts[i] for i in several])
        return out

    def score(self, texts: Sequence[str], attributes: Sequence[str] | None = None) -> list[dict[str, float]]:
        """Return, per text, a mapping from attribute name to calibrated probability."""
        if isinstance(texts, str):
            raise TypeError("score() takes a sequence of texts; wrap a single text in a list")
        names = self.check_attributes(attributes)
        cols = [(n, self._column[n]) for n in names]
        # One tolist() and plain indexing: numpy's fancy indexing cost more than the rest of this method.
        return [{n: row[c] for n, c in cols} for row in self.probabilities(texts).tolist()]

    def explain(self, text: str, attributes: Sequence[str] | None = None, max_spans: int = 20) -> list[Explanation]:
        """Return, per attribute, the words and phrases of ``text`` that moved its score."""
        names = self.check_attributes(attributes)
        cols = [self._column[n] for n in names]
        probs = self.probabilities([text])[0]
        spans = units(text)
        unit_scores: list[list[UnitScore]] = [[] for _ in cols]
        if self.combiners is not None and len(spans) > 1:
            # Each unit as the combiner saw it: its own logit through the one-unit calibrator.
            unit_probs = self.calibrate(self.logits([text[a:b] for a, b in spans]))
            for i, c in enumerate(cols):
                unit_scores[i] = [UnitScore(a, b, float(unit_probs[u, c])) for u, (a, b) in enumerate(spans)]
        return explain(
            self.featurizer,
            self.coef,
            self.intercept,
            cols,
            names,
            [probs[c] for c in cols],
            text,
            max_spans,
            unit_scores,
        )

    def thresholds(self) -> dict[str, float]:
        """Return the default decision threshold of every scored attribute."""
        return dict(self._thresholds)  # a copy: callers override entries per request
