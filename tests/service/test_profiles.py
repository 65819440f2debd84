"""Threshold profiles: the file, per request and per key on /v1/score and /v1/moderations, /v1/model, start-up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from model import ToxicityModel
from service.app import create_app
from service.core.profiles import ProfileError, Profiles, read
from service.settings import Settings
from tests.service.conftest import running
from tests.service.test_reload import run_service

PROFILES = """\
# Two communities.
[profiles.news-strict]
description = "News comments, reviewed by staff"
preset = "high_recall"
thresholds = { INSULT = 0.0 }  # everything: makes the tests independent of the scores

[profiles.forum-relaxed]
description = "A forum that tolerates banter"

[profiles.forum-relaxed.thresholds]
TOXICITY = 1.0
INSULT = 1.0
"""
NEWS, FORUM = "news-strict", "forum-relaxed"
INSULT = "you are a pathetic idiot and a moron"
KEY, NEWS_KEY = "s3cret", "n3ws=key"  # a key may hold "=": pairs split at the last one


@pytest.fixture
def profiles_file(tmp_path: Path) -> Path:
    path = tmp_path / "profiles.toml"
    path.write_text(PROFILES)
    return path


@pytest.fixture
async def client(tiny_artifact: Path, profiles_file: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        model_path=tiny_artifact,
        profiles_file=profiles_file,
        api_keys=f"{KEY},{NEWS_KEY}",
        key_profiles=f"{NEWS_KEY}={NEWS}",
    )
    async for c in running(create_app(settings)):
        yield c


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def score(c: httpx.AsyncClient, key: str = KEY, **body: object) -> httpx.Response:
    return await c.post("/v1/score", json={"comments": [{"text": INSULT}], **body}, headers=bearer(key))


@pytest.mark.anyio
async def test_model_lists_each_profile_resolved_against_the_model(
    client: httpx.AsyncClient, tiny_model: ToxicityModel
) -> None:
    info = (await client.get("/v1/model", headers=bearer(KEY))).json()
    by_name = {p["name"]: p for p in info["profiles"]}
    assert list(by_name) == [NEWS, FORUM]
    recall = tiny_model.thresholds() | tiny_model.presets()["high_recall"]
    assert by_name[NEWS]["thresholds"] == recall | {"INSULT": 0.0}
    assert by_name[NEWS]["preset"] == "high_recall"
    assert by_name[NEWS]["description"] == "News comments, reviewed by staff"
    assert by_name[FORUM]["thresholds"] == tiny_model.thresholds() | {"TOXICITY": 1.0, "INSULT": 1.0}
    assert NEWS_KEY not in str(info)  # keys are never echoed


@pytest.mark.anyio
async def test_a_profile_on_the_request_decides_flagged(client: httpx.AsyncClient) -> None:
    plain = (await score(client)).json()["results"][0]
    assert "INSULT" in plain["flagged"]  # the tiny model flags it at its defaults
    strict = (await score(client, profile=NEWS)).json()["results"][0]
    relaxed = (await score(client, profile=FORUM)).json()["results"][0]
    assert strict["scores"] == relaxed["scores"] == plain["scores"]  # thresholds move flags, never scores
    assert "INSULT" in strict["flagged"]
    assert "INSULT" not in relaxed["flagged"] and "TOXICITY" not in relaxed["flagged"]
    adjusted = (await score(client, profile=FORUM, thresholds={"INSULT": 0.01})).json()["results"][0]
    assert "INSULT" in adjusted["flagged"] and "TOXICITY" not in adjusted["flagged"]  # a mapping adjusts it


@pytest.mark.anyio
async def test_unknown_profile_and_profile_with_preset_are_422(client: httpx.AsyncClient) -> None:
    r = await score(client, profile="nope")
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "unknown_profile" and error["field"] == "profile"
    assert error["limit"] == f"{NEWS}, {FORUM}" and "'nope'" in error["message"]
    r = await score(client, profile=NEWS, thresholds="high_precision")
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "profile_with_preset"
    r = await score(client, profile="x" * 65)
    assert r.status_code == 422 and r.json()["error"]["field"] == "profile"


@pytest.mark.anyio
async def test_a_key_profile_is_the_default_for_that_key_only(client: httpx.AsyncClient) -> None:
    relaxed_key = (await score(client, NEWS_KEY, profile=FORUM)).json()["results"][0]
    assert "INSULT" not in relaxed_key["flagged"]  # the request's profile wins over the key's
    news = (await score(client, NEWS_KEY, thresholds={"INSULT": 1.0})).json()["results"][0]
    assert "INSULT" not in news["flagged"]
    friendly = {"comments": [{"text": "thanks, have a lovely day"}]}
    other = (await client.post("/v1/score", json=friendly, headers=bearer(KEY))).json()["results"][0]
    keyed = (await client.post("/v1/score", json=friendly, headers=bearer(NEWS_KEY))).json()["results"][0]
    assert other["scores"] == keyed["scores"]
    assert "INSULT" in keyed["flagged"] and "INSULT" not in other["flagged"]  # 0.0 for the news key only


@pytest.mark.anyio
async def test_moderations_follow_the_key_profile_or_a_named_one(client: httpx.AsyncClient) -> None:
    async def harassment(key: str, model: str | None = None) -> bool:
        body: dict[str, object] = {"input": "thanks, have a lovely day"}
        if model is not None:
            body["model"] = model
        r = await client.post("/v1/moderations", json=body, headers=bearer(key))
        assert r.status_code == 200, r.text
        return bool(r.json()["results"][0]["categories"]["harassment"])

    assert not await harassment(KEY)
    assert await harassment(NEWS_KEY)  # INSULT at 0.0 under the key's profile
    assert await harassment(KEY, NEWS)  # `model` may name a profile
    assert not await harassment(NEWS_KEY, "balanced")  # or a preset, which replaces the key's profile
    assert await harassment(NEWS_KEY, "omni-moderation-latest")  # OpenAI's names keep the key's profile


@pytest.mark.anyio
async def test_perspective_scores_ignore_profiles(client: httpx.AsyncClient) -> None:
    body = {"comment": {"text": INSULT}, "requestedAttributes": {"INSULT": {}}, "languages": ["en"]}
    plain = await client.post(f"/v1alpha1/comments:analyze?key={KEY}", json=body)
    keyed = await client.post("/v1alpha1/comments:analyze", json=body, headers={"X-Goog-Api-Key": NEWS_KEY})
    assert plain.status_code == keyed.status_code == 200
    assert plain.json() == keyed.json()


@pytest.mark.anyio
async def test_no_profiles_file_lists_none(tiny_artifact: Path) -> None:
    async for c in running(create_app(Settings(model_path=tiny_artifact))):
        assert (await c.get("/v1/model")).json()["profiles"] == []
        r = await c.post("/v1/score", json={"comments": [{"text": "hi"}], "profile": NEWS})
        assert r.status_code == 422 and r.json()["error"]["limit"] == "none"


BAD = {
    "syntax": ("[profiles.a]\ndescription = 'x'\nthresholds = { INSULT = }\n", 3, "not valid TOML"),
    "duplicate": (
        "[profiles.a]\ndescription = 'x'\npreset = 'balanced'\n[profiles.a]\ndescription = 'y'\n",
        4,
        "twice",
    ),
    "attribute": (
        "[profiles.ok]\ndescription = 'x'\npreset = 'balanced'\n\n[profiles.a]\ndescription = 'x'\n"
        "[profiles.a.thresholds]\nTOXICITY = 0.5\nINSLUT = 0.5\n",
        9,
        "unknown attribute 'INSLUT'",
    ),
    "range": ("[profiles.a]\ndescription = 'x'\nthresholds = { THREAT = 1.5 }\n", 3, "THREAT = 1.5 is not a number"),
    "boolean": ("[profiles.a]\ndescription = 'x'\n\nthresholds.THREAT = true\n", 4, "not a number in [0, 1]"),
    "preset": (
        "# [profiles.a] is for a\n[profiles.a]\ndescription = 'x'\n# why\npreset = 'strict'\n",
        5,
        "unknown preset",
    ),
    "description": ("[profiles.a]\npreset = 'balanced'\n", 1, "needs a description"),
    "empty": ("[profiles.a]\ndescription = 'x'\n", 1, "neither a preset nor thresholds"),
    "field": ("[profiles.a]\ndescription = 'x'\npreset = 'balanced'\ncolour = 'red'\n", 4, "unknown field 'colour'"),
    "name": ("[profiles.'News Strict']\ndescription = 'x'\npreset = 'balanced'\n", 1, "profile name"),
    "top": ("keys = 1\n[profiles.a]\ndescription = 'x'\npreset = 'balanced'\n", 1, "unknown table or key 'keys'"),
    "none": ("# nothing yet\n", 1, "no profiles"),
}


@pytest.mark.parametrize("kind", list(BAD))
def test_a_bad_file_names_its_line(tmp_path: Path, kind: str) -> None:
    text, line, problem = BAD[kind]
    path = tmp_path / "p.toml"
    path.write_text(text)
    with pytest.raises(ProfileError) as caught:
        read(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert problem in message and "\n" not in message


def test_key_profiles_must_name_a_profile_and_a_scoring_key(tiny_artifact: Path, profiles_file: Path) -> None:
    base = {"model_path": tiny_artifact, "api_keys": KEY}
    with pytest.raises(ProfileError, match=r"pair 1 names profile 'gone'.*profiles: news-strict, forum-relaxed"):
        create_app(Settings(**base, profiles_file=profiles_file, key_profiles=f"{KEY}=gone"))
    with pytest.raises(ProfileError, match="pair 1: its key is not a scoring key") as caught:
        create_app(Settings(**base, profiles_file=profiles_file, key_profiles=f"t0psecret={NEWS}"))
    assert "t0psecret" not in str(caught.value)
    with pytest.raises(ProfileError, match="TOXICITY_PROFILES_FILE is not"):
        create_app(Settings(**base, key_profiles=f"{KEY}={NEWS}"))
    with pytest.raises(ValidationError, match="pair 2 repeats the key of pair 1") as invalid:
        Settings(key_profiles=f"t0psecret={NEWS},t0psecret={FORUM}")
    assert "t0psecret" not in str(invalid.value)
    with pytest.raises(ValidationError, match="pair 1 is not key=profile"):
        Settings(key_profiles="t0psecret")


def test_start_up_refuses_a_bad_profiles_file_with_one_line(tmp_path: Path, tiny_artifact: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(BAD["attribute"][0])
    done = run_service(tmp_path, TOXICITY_MODEL_PATH=str(tiny_artifact), TOXICITY_PROFILES_FILE=str(path))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"toxicity service: invalid profiles: {path}:9: profile 'a': unknown attribute 'INSLUT'")


def test_the_readme_example_is_a_valid_file(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    example = readme.split("## Threshold profiles per community", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "p.toml"
    path.write_text(example)
    profiles = read(path)
    assert set(profiles) == {NEWS, FORUM} and profiles[NEWS].preset == "high_recall"


class NoPresets:
    """A model that defines no preset (an artifact from before presets existed)."""

    version = "old-1"

    def presets(self) -> dict[str, dict[str, float]]:
        return {}


def test_a_model_without_the_preset_a_profile_picks_is_refused(profiles_file: Path) -> None:
    profiles = Profiles(read(profiles_file), profiles_file)
    with pytest.raises(ProfileError) as caught:
        profiles.check(NoPresets())  # type: ignore[arg-type]  # only presets() and version are read
    assert str(caught.value) == (
        f"{profiles_file}:2: profile 'news-strict' picks preset 'high_recall', which model old-1 lacks (presets: none)"
    )


class Stub:
    """A model with given default thresholds and a high_recall preset."""

    def __init__(self, version: str, default: float) -> None:
        self.version = version
        self.default = default

    def thresholds(self) -> dict[str, float]:
        return {"TOXICITY": self.default, "INSULT": self.default, "THREAT": self.default}

    def presets(self) -> dict[str, dict[str, float]]:
        return {"high_recall": {"TOXICITY": self.default / 2}}


def test_resolved_thresholds_follow_a_reloaded_model(profiles_file: Path) -> None:
    profiles = Profiles(read(profiles_file), profiles_file)
    old, new = Stub("old", 0.8), Stub("new", 0.6)
    first = profiles.thresholds(NEWS, old)  # type: ignore[arg-type]  # thresholds() and presets() are read
    assert first == {"TOXICITY": 0.4, "INSULT": 0.0, "THREAT": 0.8}
    first["THREAT"] = 0.01  # a caller's copy: the cache is untouched
    assert profiles.thresholds(NEWS, old)["THREAT"] == 0.8  # type: ignore[arg-type]
    assert profiles.thresholds(NEWS, new) == {"TOXICITY": 0.3, "INSULT": 0.0, "THREAT": 0.6}  # type: ignore[arg-type]
