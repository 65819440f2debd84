"""Score a Spark DataFrame with the model: one double column per attribute, computed on the executors.

``score_dataframe(df, "text")`` returns the input's columns (or ``id_cols``), one
double column per attribute and a ``score_error`` column, through ``mapInPandas``:
each executor's Python worker scores whole Arrow batches with the same fast batch
scorer the service uses (``ToxicityModel.probabilities``, which ``score`` reads),
so a row's scores equal ``load_model().score([text])`` exactly.

The model travels once, not per task:

* ``ship="broadcast"`` (the default): the driver reads the artifact folder, checks
  it, and broadcasts its two files (manifest and weights, about 17 MB for the
  shipped model); only the driver needs the folder. Spark scores with the English
  (root) model, so the manifest travels without its ``languages`` section and the
  language sub-models stay behind.
* ``ship="path"``: every executor reads the folder at ``model_dir`` itself (shared
  storage, or a folder unpacked by ``spark-submit --archives model.zip#NAME`` in
  the executor's working folder); nothing is broadcast.

Either way a worker loads the model once and keeps it in ``_MODELS``, keyed by the
folder and the sha256 its manifest gives the weights, so later batches and tasks on
that worker reuse it (Spark reuses its Python workers between tasks).

A row whose text cannot be scored keeps its place: null scores, and
``score_error`` says why as ``code: the text ...``, by the service's own rules for a
comment (``model.text_checks``: ``missing_text``, ``bad_text``, ``comment_empty``,
``comment_too_long`` over ``max_text_bytes`` of UTF-8, ``invalid_text`` for a NUL
character or an unpaired surrogate). The reason never quotes the
text. Scored rows have a null ``score_error``.

Imports ``model`` only, never ``service`` or ``training``. pyspark and pandas come
with the ``spark`` extra (``pip install 'toxicity-service[spark]'``) and are
imported when called, so ``import model`` and the serving image do without them.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from model.artifact import DEFAULT_PATH, MANIFEST_FILE, MODEL_FILE, load_artifact
from model.scorer import ToxicityModel
from model.text_checks import text_problem

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame

ERROR_COLUMN = "score_error"
MAX_TEXT_BYTES = 20_480
"""The service's default ``TOXICITY_MAX_TEXT_BYTES``: a longer text is refused, never cut."""
CHUNK_ROWS = 1_000
"""Texts per kernel call inside one Arrow batch: the batch size ``bench/inproc.py`` measures."""

MAX_MODELS = 4
"""Models a worker keeps at once (one per artifact scored); the oldest goes first."""

_MODELS: dict[tuple[str, str], ToxicityModel] = {}
_LOAD_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class Shipment:
    """How the tasks reach the model: a folder they can read, or the folder's bytes broadcast."""

    folder: str
    sha256: str
    files: Any = None
    """A ``Broadcast`` of ``{file name: bytes}``, or None to read ``folder`` on the executor."""


def artifact_folder(model_dir: str | Path | None) -> Path:
    """Return the artifact folder ``model_dir`` names (None: the shipped model), as ``load_model`` reads it."""
    if model_dir is None:
        return DEFAULT_PATH
    path = Path(model_dir)
    return path.parent if path.name in (MANIFEST_FILE, MODEL_FILE) else path


def executor_folder(folder: str) -> Path:
    """Return ``folder`` as given, else under Spark's files root (``--archives``, ``--files``)."""
    path = Path(folder)
    if path.is_dir() or path.is_absolute():
        return path
    from pyspark import SparkFiles

    return Path(SparkFiles.getRootDirectory()) / folder


def model_for(shipment: Shipment) -> ToxicityModel:
    """Return this worker's model for ``shipment``, loading it on the first call only."""
    key = (shipment.folder, shipment.sha256)
    model = _MODELS.get(key)
    if model is not None:
        return model
    with _LOAD_LOCK:
        if key not in _MODELS:
            loaded = _load(shipment)
            while len(_MODELS) >= MAX_MODELS:
                del _MODELS[next(iter(_MODELS))]
            _MODELS[key] = loaded
        return _MODELS[key]


def _load(shipment: Shipment) -> ToxicityModel:
    if shipment.files is None:
        folder = executor_folder(shipment.folder)
        model = load_artifact(folder)
    else:
        tmp = Path(tempfile.mkdtemp(prefix="toxicity-model-"))
        try:
            for name, data in shipment.files.value.items():
                (tmp / name).write_bytes(data)
            model = load_artifact(tmp)  # checks the sha256 again, after the trip
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        folder = Path(shipment.folder)
    got = str((model.manifest.get("artifact") or {}).get("sha256", ""))
    if got != shipment.sha256:
        raise RuntimeError(
            f"the executor's model at {folder} has sha256 {got} but the driver's has {shipment.sha256}: "
            "ship the same artifact to every machine (or use ship='broadcast')"
        )
    model.warm_up()
    return model


def rejection(text: object, limit: int) -> str | None:
    """Return why ``text`` cannot be scored as ``code: the text ...`` (never quoting it), or None when it can."""
    problem = text_problem(text, limit)
    return None if problem is None else f"{problem[0]}: the text {problem[1]}"


def score_frame(
    frame: pd.DataFrame,
    model: ToxicityModel,
    text_col: str,
    names: Sequence[str],
    keep: Sequence[str],
    max_text_bytes: int = MAX_TEXT_BYTES,
    error_col: str = ERROR_COLUMN,
) -> pd.DataFrame:
    """Return ``frame[keep]`` with one score column per name and ``error_col``, row for row."""
    texts = frame[text_col].tolist()
    reasons = [rejection(t, max_text_bytes) for t in texts]
    good = [i for i, reason in enumerate(reasons) if reason is None]
    cols = [model.attributes.index(n) for n in names]
    scores = np.full((len(texts), len(cols)), np.nan)  # NaN reaches Spark as null
    for start in range(0, len(good), CHUNK_ROWS):
        rows = good[start : start + CHUNK_ROWS]
        scores[rows] = model.probabilities_alone([texts[i] for i in rows])[:, cols]
    out = frame.loc[:, list(keep)].reset_index(drop=True)
    for j, name in enumerate(names):
        out[name] = scores[:, j]
    out[error_col] = reasons
    return out


def _check_columns(df: DataFrame, text_col: str, keep: Sequence[str], added: Sequence[str]) -> None:
    from pyspark.sql.types import StringType

    columns = list(df.columns)
    for name in (text_col, *keep):
        if name not in columns:
            raise ValueError(f"the DataFrame has no column {name!r} (it has: {', '.join(columns)})")
    kind = df.schema[text_col].dataType
    if not isinstance(kind, StringType):
        raise ValueError(f"column {text_col!r} is {kind.simpleString()}, not string: cast it, or name the text column")
    clash = sorted(set(keep) & set(added))
    if clash:
        raise ValueError(f"the output would hold {', '.join(clash)} twice: leave them out of id_cols or rename them")


def score_dataframe(
    df: DataFrame,
    text_col: str,
    model_dir: str | Path | None = None,
    attributes: Sequence[str] | None = None,
    id_cols: Sequence[str] | None = None,
    *,
    ship: Literal["broadcast", "path"] = "broadcast",
    max_text_bytes: int = MAX_TEXT_BYTES,
    error_col: str = ERROR_COLUMN,
) -> DataFrame:
    """Return ``df``'s ``id_cols`` (default: every column) with a score column per attribute and ``error_col``.

    ``model_dir`` is an artifact folder (None: the shipped model); ``attributes``
    defaults to every attribute the model scores. Raises ``ValueError`` for a
    missing or non-string text column and ``model.errors`` exceptions for a bad
    artifact or an unknown attribute, on the driver, before any task runs.
    """
    from pyspark.sql.types import DoubleType, StringType, StructField, StructType

    if ship not in ("broadcast", "path"):
        raise ValueError(f"ship is {ship!r}; it must be 'broadcast' or 'path'")
    if max_text_bytes < 1:
        raise ValueError(f"max_text_bytes is {max_text_bytes}; it must be at least 1")
    model = load_artifact(model_dir)  # checked on the driver, so a bad artifact fails before the job
    names = model.check_attributes(attributes)
    keep = list(df.columns) if id_cols is None else list(dict.fromkeys(id_cols))
    _check_columns(df, text_col, keep, [*names, error_col])
    folder = str(model_dir) if model_dir is not None else str(artifact_folder(None))
    sha = str((model.manifest.get("artifact") or {}).get("sha256", ""))
    if ship == "broadcast":
        source = artifact_folder(model_dir)
        weights = str((model.manifest.get("artifact") or {}).get("file", MODEL_FILE))
        # Spark scores with the English (root) model only: its manifest goes without the
        # languages section, so the sub-models' files need not travel.
        english = {k: v for k, v in model.manifest.items() if k != "languages"}
        files = {MANIFEST_FILE: json.dumps(english).encode("utf-8"), weights: (source / weights).read_bytes()}
        shipment = Shipment(folder, sha, df.sparkSession.sparkContext.broadcast(files))
    else:
        shipment = Shipment(folder, sha)
    schema = StructType(
        [df.schema[c] for c in keep]
        + [StructField(n, DoubleType(), True) for n in names]
        + [StructField(error_col, StringType(), True)]
    )
    inputs = list(dict.fromkeys([*keep, text_col]))

    def batches(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        worker_model = model_for(shipment)
        for frame in frames:
            yield score_frame(frame, worker_model, text_col, names, keep, max_text_bytes, error_col)

    return df.select(*inputs).mapInPandas(batches, schema)
