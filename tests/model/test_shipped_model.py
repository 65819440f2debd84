"""The shipped default model: it loads anywhere, alone, and orders obvious cases correctly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from model import DEFAULT_PATH, ToxicityModel
from model.attributes import ATTRIBUTE_NAMES

ROOT = Path(__file__).resolve().parents[2]
FRIENDLY = "Thanks for sharing this, it was really helpful and kind of you."
INSULT = "you are a pathetic idiot"


def test_loads_in_a_fresh_interpreter_without_fastapi(tmp_path: Path) -> None:
    script = (
        "import json, sys\n"
        "from model import load_model\n"
        "m = load_model()\n"
        "s = m.score(['you are a pathetic idiot', 'have a nice day'])\n"
        "print(json.dumps({'fastapi': 'fastapi' in sys.modules, 'starlette': 'starlette' in sys.modules,\n"
        "                  'training': any(k.split('.')[0] == 'training' for k in sys.modules),\n"
        "                  'scores': s}))\n"
    )
    # Run from an unrelated folder, as an installed package would be used.
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    report = json.loads(out.stdout)
    assert report["fastapi"] is False
    assert report["starlette"] is False
    assert report["training"] is False
    hostile, friendly = report["scores"]
    assert hostile["TOXICITY"] > friendly["TOXICITY"]


def test_artifact_is_small_and_described() -> None:
    total = sum(p.stat().st_size for p in DEFAULT_PATH.rglob("*") if p.is_file())
    assert total <= 50 * 1024 * 1024  # with a sub-model per language (issue 25's limit)
    assert (DEFAULT_PATH / "model.joblib").stat().st_size <= 25 * 1024 * 1024  # the English root alone
    manifest = json.loads((DEFAULT_PATH / "manifest.json").read_text())
    assert set(manifest["attributes"]) == set(ATTRIBUTE_NAMES)
    assert (DEFAULT_PATH / "MODEL_CARD.md").is_file()
    # Trained on real data from every shared source, not a handful of examples.
    sources = manifest["data"]["sources"]
    assert sum(s["train"] for s in sources.values()) > 50_000
    assert len([s for s in sources.values() if s["train"] > 0]) >= 8


def test_insult_scores_above_friendly(shipped_model: ToxicityModel) -> None:
    hostile, friendly = shipped_model.score([INSULT, FRIENDLY])
    for attribute in ("INSULT", "TOXICITY"):
        assert hostile[attribute] > friendly[attribute] + 0.3, attribute


@pytest.mark.parametrize(
    "variant", ["y0u are an 1d10t", "you are an i d i o t", "YOU ARE AN IDIOT!!!!", "you are an ïdïöt"]
)
def test_obfuscations_stay_close_to_the_plain_form(shipped_model: ToxicityModel, variant: str) -> None:
    plain, obfuscated, friendly = shipped_model.score(["you are an idiot", variant, FRIENDLY])
    for attribute in ("INSULT", "TOXICITY"):
        assert abs(plain[attribute] - obfuscated[attribute]) < 0.1, attribute
        assert obfuscated[attribute] > friendly[attribute] + 0.3, attribute


def test_golden_ordering_across_attributes(shipped_model: ToxicityModel) -> None:
    threat, hate, swear, nice = shipped_model.score(
        [
            "I am going to find you and kill you",
            "Muslims are vermin and should all be thrown out of the country",
            "what the fuck is this shit",
            "What a lovely photo of the harbour this morning.",
        ]
    )
    assert threat["THREAT"] > max(swear["THREAT"], nice["THREAT"])
    assert hate["IDENTITY_ATTACK"] > max(threat["IDENTITY_ATTACK"], swear["IDENTITY_ATTACK"], nice["IDENTITY_ATTACK"])
    assert swear["PROFANITY"] > max(hate["PROFANITY"], nice["PROFANITY"])
    assert min(threat["TOXICITY"], hate["TOXICITY"], swear["TOXICITY"]) > nice["TOXICITY"]


def test_score_contract(shipped_model: ToxicityModel) -> None:
    assert shipped_model.score([]) == []
    with pytest.raises(TypeError, match="sequence of texts"):
        shipped_model.score("a bare string")  # type: ignore[arg-type]
    (only,) = shipped_model.score(["hi"], attributes=["INSULT"])
    assert list(only) == ["INSULT"]
    for value in shipped_model.score(["", "   ", "ok"])[0].values():
        assert 0.0 <= value <= 1.0


def test_long_comments_do_not_hide_abuse(shipped_model: ToxicityModel) -> None:
    assert shipped_model.combiners is not None, "the shipped model scores long comments sentence by sentence"
    talk = (
        "The council met on Tuesday to discuss the new library budget. "
        "Several residents spoke about the opening hours on weekends. "
        "The parking lot behind the building will be repaved in the spring. "
    )
    abuse = "You are a worthless idiot and I hope you die. "
    plain, hidden, alone = shipped_model.score([talk * 3, talk + abuse + talk * 2, abuse])
    assert hidden["TOXICITY"] > plain["TOXICITY"] + 0.2
    assert (
        hidden["TOXICITY"] >= shipped_model.thresholds()["TOXICITY"]
        or alone["TOXICITY"] < shipped_model.thresholds()["TOXICITY"]
    )


def test_presets_order_their_thresholds(shipped_model: ToxicityModel) -> None:
    presets = shipped_model.presets()
    assert set(presets) == {"high_precision", "balanced", "high_recall"}
    for attribute in shipped_model.scored_attributes:
        assert presets["balanced"][attribute] == shipped_model.thresholds()[attribute]
        assert presets["high_recall"][attribute] <= presets["high_precision"][attribute]
