"""The artifact format: a directory holding the fitted model, its manifest and card.

::

    <artifact>/
      model.joblib      the fitted vectorisers, head weights and calibrators
      manifest.json     format version, sha256 of model.joblib, library versions,
                        data files, git commit, parameters, metrics, thresholds,
                        attribute status
      languages/<tag>.joblib  one sub-model per language (``model.languages``), if trained
      MODEL_CARD.md     intended use, data, label mapping, metrics, limitations
      plots/*.png       ROC, precision-recall and reliability plots

Loading reads the manifest first, refuses other library versions and checks the
sha256 of ``model.joblib`` before anything is unpickled: unpickling runs code, so
only bytes the manifest vouches for are ever loaded. Writes are atomic: each file
goes to a temporary name and is renamed into place, and the manifest is written
last, so a reader never sees a manifest that points at a half-written model.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy
import sklearn

from model.attributes import BY_NAME, Status
from model.calibration import Calibrator
from model.combine import Combiner
from model.errors import ArtifactError, ArtifactIntegrityError, ArtifactNotFound, ArtifactVersionError
from model.features import Featurizer
from model.languages import ENGLISH, NAMES, NO_DATA, Language, Languages
from model.scorer import AttributeInfo, ToxicityModel

FORMAT_VERSION = 1
MODEL_FILE = "model.joblib"
MANIFEST_FILE = "manifest.json"
CARD_FILE = "MODEL_CARD.md"
LANGUAGE_DIR = "languages"
_SAFE_TAG = re.compile(r"[a-z]{2,3}(-[A-Z][a-z]{3})?")
DEFAULT_PATH = Path(__file__).resolve().parent / "default"


def library_versions() -> dict[str, str]:
    """Return the versions an artifact written now depends on."""
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
    }


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _readable(tmp: str) -> None:
    # mkstemp creates 0600 files; an artifact is read by other users (a service account).
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (a temporary file renamed into place), readable by others."""
    _atomic_write(path, data)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    _readable(tmp)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _atomic_dump(path: Path, payload: Mapping[str, Any]) -> None:
    """Pickle ``payload`` to ``path`` (zlib 6) through a temporary file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    _readable(tmp)
    try:
        joblib.dump(dict(payload), tmp, compress=("zlib", 6))
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_artifact(
    directory: Path,
    payload: Mapping[str, Any],
    manifest: Mapping[str, Any],
    files: Mapping[str, bytes] | None = None,
    languages: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Write an artifact atomically and return the manifest as written.

    ``payload`` is pickled to ``model.joblib`` and each of ``languages`` (tag -> a
    sub-model's payload, the same keys) to ``languages/<tag>.joblib``; ``files``
    (card, plots) are written next to them; the manifest, completed with every
    file's sha256 and size (in its ``languages`` section for the sub-models), is
    written last. A language the manifest lists without a payload keeps its entry
    as given (a language that scores nothing, and why).
    """
    directory.mkdir(parents=True, exist_ok=True)
    model_path = directory / MODEL_FILE
    section = dict(manifest.get("languages") or {})
    for tag, sub in (languages or {}).items():
        if tag == ENGLISH or not _SAFE_TAG.fullmatch(tag):
            raise ValueError(f"cannot write a sub-model for language tag {tag!r}")
        path = directory / LANGUAGE_DIR / f"{tag}.joblib"
        _atomic_dump(path, sub)
        meta = dict(section.get(tag) or {})
        section[tag] = {
            "name": meta.pop("name", NAMES.get(tag, tag)),
            "file": f"{LANGUAGE_DIR}/{tag}.joblib",
            "sha256": sha256_of(path),
            "bytes": path.stat().st_size,
            **{k: v for k, v in meta.items() if k not in ("file", "sha256", "bytes", "reason")},
        }
    _atomic_dump(model_path, payload)
    for name, data in (files or {}).items():
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(target, data)
    full = dict(manifest)
    if section:
        full["languages"] = section
    full["format_version"] = FORMAT_VERSION
    full["artifact"] = {
        "file": MODEL_FILE,
        "sha256": sha256_of(model_path),
        "bytes": model_path.stat().st_size,
    }
    full.setdefault("libraries", library_versions())
    text = json.dumps(full, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    _atomic_write(directory / MANIFEST_FILE, text.encode("utf-8"))
    return full


def payload_of(model: ToxicityModel) -> dict[str, Any]:
    """Return what an artifact stores of a model (``build_model``'s input): the same keys for English and a language."""
    return {
        "attributes": list(model.attributes),
        **model.featurizer.to_payload(),
        "coef": model.coef,
        "intercept": model.intercept,
        "calibrators": [c.to_dict() for c in model.head_calibrators],
        "combiners": [c.to_dict() for c in model.combiners] if model.combiners else None,
    }


def read_manifest(path: Path | None = None) -> dict[str, Any]:
    """Return an artifact's manifest, or raise ``ArtifactNotFound``/``ArtifactIntegrityError``."""
    directory = _directory(path)
    manifest_path = directory / MANIFEST_FILE
    if not manifest_path.is_file():
        raise ArtifactNotFound(
            f"no {MANIFEST_FILE} in {directory}: point the model path at an artifact directory "
            "written by `toxicity train`"
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactIntegrityError(f"{manifest_path} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict):
        raise ArtifactIntegrityError(f"{manifest_path} does not hold a JSON object")
    return manifest


def _directory(path: Path | str | None) -> Path:
    if path is None:
        return DEFAULT_PATH
    p = Path(path)
    return p.parent if p.name in (MANIFEST_FILE, MODEL_FILE) else p


def check_versions(manifest: Mapping[str, Any]) -> None:
    """Refuse an artifact whose format or library versions differ from this environment."""
    fmt = manifest.get("format_version")
    if fmt != FORMAT_VERSION:
        raise ArtifactVersionError(
            f"artifact format {fmt!r} is not the supported format {FORMAT_VERSION}; "
            "retrain it with `toxicity train` from this version of the code"
        )
    wanted = manifest.get("libraries", {})
    have = library_versions()
    if wanted.get("scikit-learn") != have["scikit-learn"]:
        raise ArtifactVersionError(
            f"artifact was written with scikit-learn {wanted.get('scikit-learn')} but "
            f"{have['scikit-learn']} is installed; scikit-learn does not support loading "
            "models across versions. Install the pinned version with "
            f"`pip install scikit-learn=={wanted.get('scikit-learn')}` (or `pip install -e .`), "
            "or retrain with `toxicity train`"
        )
    want_np = str(wanted.get("numpy", "")).split(".")[0]
    if want_np != have["numpy"].split(".")[0]:
        raise ArtifactVersionError(
            f"artifact was written with numpy {wanted.get('numpy')} but {have['numpy']} is "
            f"installed; install numpy {want_np}.x or retrain with `toxicity train`"
        )


def load_artifact(path: Path | str | None = None) -> ToxicityModel:
    """Verify and load an artifact directory (``None``: the shipped default model)."""
    directory = _directory(path)
    manifest = read_manifest(directory)
    check_versions(manifest)
    entry = manifest.get("artifact") or {}
    model_path = directory / str(entry.get("file", MODEL_FILE))
    model = build_model(_verified_payload(model_path, entry.get("sha256")), manifest)
    model.languages = _languages(directory, manifest, model)
    return model


def _verified_payload(path: Path, sha256: object) -> Mapping[str, Any]:
    """Unpickle ``path`` only if its bytes have the sha256 the manifest gives."""
    if not path.is_file():
        raise ArtifactNotFound(f"{path} is missing; the manifest refers to it")
    actual = sha256_of(path)
    if actual != sha256:
        raise ArtifactIntegrityError(
            f"{path} has sha256 {actual} but its manifest says {sha256}: "
            "the file is corrupt or was modified. Restore it (e.g. `git checkout -- model/default`) "
            "or retrain with `toxicity train`"
        )
    try:
        payload = joblib.load(path)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means a bad artifact
        raise ArtifactIntegrityError(f"{path} cannot be unpickled: {exc}") from None
    if not isinstance(payload, Mapping):
        raise ArtifactIntegrityError(f"{path} does not hold a model payload")
    return payload


def _languages(directory: Path, manifest: Mapping[str, Any], english: ToxicityModel) -> Languages:
    """Load the sub-model of every language the manifest's ``languages`` section lists with a file."""
    english_sources = tuple(str(s) for s in (manifest.get("data") or {}).get("sources", ()))
    entries = {ENGLISH: Language(ENGLISH, NAMES[ENGLISH], english, "", english_sources)}
    section = manifest.get("languages") or {}
    if not isinstance(section, Mapping):
        raise ArtifactError("the manifest's languages section is not an object")
    root = directory.resolve()
    for tag, meta in section.items():
        if tag == ENGLISH or not isinstance(meta, Mapping):
            raise ArtifactError(f"the manifest's languages section has a bad entry {tag!r}")
        name = str(meta.get("name", NAMES.get(tag, tag)))
        sources = tuple(str(s) for s in meta.get("sources", ()))
        metrics = {a: dict(m.get("metrics", {})) for a, m in (meta.get("attributes") or {}).items()}
        if "file" not in meta:
            entries[tag] = Language(tag, name, None, str(meta.get("reason", NO_DATA)), sources, metrics)
            continue
        path = (directory / str(meta["file"])).resolve()
        if not path.is_relative_to(root):
            raise ArtifactError(f"language {tag}'s file {meta['file']!r} is outside the artifact")
        described = {**meta, "version": manifest.get("version")}  # a sub-model answers with the artifact's version
        sub = build_model(_verified_payload(path, meta.get("sha256")), described, language=tag)
        entries[tag] = Language(tag, name, sub, "", sources, metrics)
    return Languages(entries)


def build_model(payload: Mapping[str, Any], manifest: Mapping[str, Any], language: str = ENGLISH) -> ToxicityModel:
    """Return the model of a payload (``payload_of``'s output), its attributes described by ``manifest``."""
    try:
        attributes = list(payload["attributes"])
        featurizer = Featurizer.from_payload(payload)
        calibrators = [Calibrator.from_dict(d) for d in payload["calibrators"]]
        combiners = [Combiner.from_dict(d) for d in payload["combiners"]] if payload.get("combiners") else None
        described = manifest.get("attributes", {})
        info = {}
        for name in attributes:
            meta = described.get(name, {})
            info[name] = AttributeInfo(
                name=name,
                definition=BY_NAME[name].definition,
                status=Status(meta.get("status", Status.EXPERIMENTAL)),
                reason=str(meta.get("reason", "")),
                threshold=float(meta.get("threshold", 0.5)),
                presets={k: float(v["threshold"]) for k, v in meta.get("presets", {}).items()},
            )
        return ToxicityModel(
            featurizer,
            attributes,
            np.asarray(payload["coef"]),
            np.asarray(payload["intercept"]),
            calibrators,
            info,
            manifest,
            combiners,
            language,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ArtifactError(f"artifact content is not a model of format {FORMAT_VERSION}: {exc}") from None
