"""The artifact loader verifies before it unpickles, and says what to do when it refuses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from model import load_model
from model.artifact import MANIFEST_FILE, MODEL_FILE, library_versions, save_artifact
from model.errors import ArtifactIntegrityError, ArtifactNotFound, ArtifactVersionError


@pytest.fixture
def artifact(tiny_artifact: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "artifact"
    shutil.copytree(tiny_artifact, copy)
    return copy


def edit_manifest(path: Path, **changes: object) -> None:
    manifest = json.loads((path / MANIFEST_FILE).read_text())
    for key, value in changes.items():
        target = manifest
        *parents, leaf = key.split("__")
        for p in parents:
            target = target[p]
        target[leaf] = value
    (path / MANIFEST_FILE).write_text(json.dumps(manifest))


def test_round_trip_scores(artifact: Path, tiny_model) -> None:  # type: ignore[no-untyped-def]
    loaded = load_model(artifact)
    texts = ["you are a clown", "thanks friend"]
    np.testing.assert_allclose(loaded.probabilities(texts), tiny_model.probabilities(texts))
    assert loaded.version == tiny_model.version
    # A manifest or model path works as well as the folder.
    assert load_model(artifact / MANIFEST_FILE).attributes == loaded.attributes


def test_tampered_model_is_refused_before_unpickling(artifact: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = bytearray((artifact / MODEL_FILE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (artifact / MODEL_FILE).write_bytes(bytes(data))
    import joblib

    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("unpickled a tampered file")

    monkeypatch.setattr(joblib, "load", boom)
    with pytest.raises(ArtifactIntegrityError, match="sha256 .* but its manifest says .*retrain"):
        load_model(artifact)


def test_replaced_model_file_is_refused(artifact: Path, tmp_path: Path) -> None:
    import joblib

    joblib.dump({"attributes": []}, artifact / MODEL_FILE)
    with pytest.raises(ArtifactIntegrityError, match="corrupt or was modified"):
        load_model(artifact)


def test_scikit_learn_mismatch_is_refused(artifact: Path) -> None:
    manifest = json.loads((artifact / MANIFEST_FILE).read_text())
    manifest["libraries"]["scikit-learn"] = "0.24.2"
    (artifact / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(ArtifactVersionError, match=r"scikit-learn 0.24.2 .*pip install scikit-learn==0.24.2"):
        load_model(artifact)


def test_numpy_major_mismatch_is_refused(artifact: Path) -> None:
    manifest = json.loads((artifact / MANIFEST_FILE).read_text())
    manifest["libraries"]["numpy"] = "1.26.4"
    (artifact / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(ArtifactVersionError, match="numpy 1.26.4"):
        load_model(artifact)


def test_format_mismatch_missing_and_garbage(artifact: Path, tmp_path: Path) -> None:
    edit_manifest(artifact, format_version=99)
    with pytest.raises(ArtifactVersionError, match="format 99"):
        load_model(artifact)
    with pytest.raises(ArtifactNotFound, match="no manifest.json"):
        load_model(tmp_path / "nothing-here")
    (artifact / MANIFEST_FILE).write_text("{not json")
    with pytest.raises(ArtifactIntegrityError, match="not valid JSON"):
        load_model(artifact)


def test_missing_model_file(artifact: Path) -> None:
    (artifact / MODEL_FILE).unlink()
    with pytest.raises(ArtifactNotFound, match="model.joblib is missing"):
        load_model(artifact)


def test_save_writes_manifest_last_and_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import model.artifact as art

    order: list[str] = []
    real = art._atomic_write

    def spy(path: Path, data: bytes) -> None:
        order.append(path.name)
        real(path, data)

    monkeypatch.setattr(art, "_atomic_write", spy)
    manifest = save_artifact(tmp_path, {"x": 1}, {"version": "t"}, {"MODEL_CARD.md": b"card", "plots/a.png": b"png"})
    assert order[-1] == MANIFEST_FILE
    assert manifest["libraries"] == library_versions()
    assert not list(tmp_path.glob(".*.tmp"))

    # A failure while writing the model leaves the previous artifact untouched.
    before = (tmp_path / MODEL_FILE).read_bytes()

    def fail(*_a: object, **_k: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(art.joblib, "dump", fail)
    with pytest.raises(OSError, match="disk full"):
        save_artifact(tmp_path, {"x": 2}, {"version": "u"})
    assert (tmp_path / MODEL_FILE).read_bytes() == before
    assert json.loads((tmp_path / MANIFEST_FILE).read_text())["version"] == "t"
    assert not list(tmp_path.glob(".*.tmp"))
