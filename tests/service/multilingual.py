"""A small multilingual artifact for the service's language tests: the tiny English model plus German and Hinglish.

Each sub-model is fitted by the real training code on sentences written here (no
data set), then attached as the artifact format says (``model/languages.py``):
``languages/<tag>.joblib``, sha256-checked, and a ``languages`` section in the
manifest. German scores TOXICITY (supported) and INSULT (experimental), Hinglish
TOXICITY only; THREAT stays English-only; Indonesian is listed without a model.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

from model.artifact import MANIFEST_FILE, MODEL_FILE, sha256_of
from tests.conftest import TINY_PARAMS, tiny_corpus
from training.records import Record

GERMAN_INSULTS = ["Idiot", "Trottel", "Vollpfosten", "Versager", "Dummkopf", "Schwachkopf", "Depp", "Blödmann"]
GERMAN_NICE = ["Freund", "Nachbar", "Kollege", "Leser", "Autor", "Lehrer", "Helfer", "Redakteur"]
GERMAN_THINGS = ["Artikel", "Kommentar", "Bericht", "Beitrag", "Vorschlag", "Plan", "Text", "Gedanke"]
HINGLISH_INSULTS = ["pagal", "bewakoof", "gadha", "ullu", "nalayak", "kamina", "chutiya", "ghatiya"]
HINGLISH_NICE = ["bhai", "dost", "yaar", "sir", "didi", "bhaiya", "madam", "ji"]

GERMAN_THANKS = "Vielen Dank für diesen ausgezeichneten Artikel, ich habe ihn mit großem Interesse gelesen."
GERMAN_INSULT = "Du bist ein erbärmlicher Idiot und ein Vollpfosten, niemand will deinen Müll lesen."
HINGLISH_INSULT = "tum ek number ke pagal aur bewakoof ho yaar, chup raho"
INDONESIAN = "Terima kasih atas artikel yang sangat bagus ini, saya membacanya dengan senang hati."


def german_records(n: int = 160, seed: int = 11) -> list[Record]:
    """Return German comments written here, labelled for TOXICITY and INSULT only."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        if i % 2:
            text = f"du bist ein {rng.choice(GERMAN_INSULTS)} und ein {rng.choice(GERMAN_INSULTS)}"
            labels = {"TOXICITY": 1, "INSULT": 1}
        else:
            text = f"danke {rng.choice(GERMAN_NICE)}, was für ein schöner {rng.choice(GERMAN_THINGS)}"
            labels = {"TOXICITY": 0, "INSULT": 0}
        out.append(Record(text=f"{text} #{i}", source="de-tiny" if i % 4 < 2 else "de-tiny-b", labels=labels))
    return out


def hinglish_records(n: int = 160, seed: int = 13) -> list[Record]:
    """Return romanised Hindi comments written here, labelled for TOXICITY only."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        if i % 2:
            text = f"tu {rng.choice(HINGLISH_INSULTS)} hai, ekdam {rng.choice(HINGLISH_INSULTS)}"
            labels = {"TOXICITY": 1}
        else:
            text = f"bahut accha likha {rng.choice(HINGLISH_NICE)}, dhanyavaad {rng.choice(HINGLISH_NICE)}"
            labels = {"TOXICITY": 0}
        out.append(Record(text=f"{text} #{i}", source="hi-tiny" if i % 4 < 2 else "hi-tiny-b", labels=labels))
    return out


def _sub_model(records: list[Record], folder: Path) -> dict[str, Any]:
    """Train a sub-model on ``records`` into ``folder``; return its manifest."""
    from training.pipeline import train

    train(tiny_corpus(records), TINY_PARAMS, folder, baseline=False)
    manifest: dict[str, Any] = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    return manifest


def build(english: Path, out: Path) -> Path:
    """Write a multilingual artifact into ``out``: a copy of ``english`` with German and Hinglish sub-models."""
    shutil.copytree(english, out)
    (out / "languages").mkdir()
    section: dict[str, Any] = {}
    for tag, name, records, statuses in (
        ("de", "German", german_records(), {"TOXICITY": "supported", "INSULT": "experimental"}),
        ("hi-Latn", "Hindi, romanised (Hinglish)", hinglish_records(), {"TOXICITY": "supported"}),
    ):
        folder = out.parent / f"{out.name}-{tag}"
        manifest = _sub_model(records, folder)
        target = out / "languages" / f"{tag}.joblib"
        shutil.copyfile(folder / MODEL_FILE, target)
        attributes = {}
        for attribute, entry in manifest["attributes"].items():
            attributes[attribute] = {
                **entry,
                "status": statuses.get(attribute, "unsupported"),
                "metrics": {"roc_auc": 0.9, "naive_roc_auc": 0.85, "n": 40},
            }
        section[tag] = {
            "name": name,
            "file": f"languages/{tag}.joblib",
            "sha256": sha256_of(target),
            "bytes": target.stat().st_size,
            "sources": sorted({r.source for r in records}),
            "attributes": attributes,
        }
    section["id"] = {"name": "Indonesian", "reason": "its only set is CC BY-NC-SA 4.0 (non-commercial)"}
    manifest_path = out / MANIFEST_FILE
    root = json.loads(manifest_path.read_text(encoding="utf-8"))
    root["languages"] = section
    manifest_path.write_text(json.dumps(root, indent=2), encoding="utf-8")
    return out
