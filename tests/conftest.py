"""Fixtures shared by every test: a clean environment, the shared data, a tiny model."""

from __future__ import annotations

import itertools
import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from model import ToxicityModel, load_model
from model.features import FeatureParams
from tests import pg
from tests.pg import PostgresServer
from training.dataset import Corpus, assign_split, merge_duplicates
from training.fit import TrainParams
from training.records import Record

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep TOXICITY_* settings from the caller's shell out of every test.

    Suggestions go to the test's own folder, never to the checkout's var/.
    """
    for key in list(os.environ):
        if key.startswith("TOXICITY_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("TOXICITY_SUGGESTIONS_DB", str(tmp_path / "suggestions.sqlite3"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """Start one real PostgreSQL server for the session, or skip with the reason it cannot start here."""
    reason = pg.missing_reason()
    if reason is not None:
        if pg.REQUIRE:
            pytest.fail(f"TOXICITY_REQUIRE_POSTGRES is set but the test {reason}")
        pytest.skip(f"this test {reason}")
    server = pg.start_server()
    try:
        yield server
    finally:
        pg.remove(server)


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> str:
    """Return the URL of a new, empty database on the session's server."""
    import psycopg

    name = f"t{next(_databases)}"
    with psycopg.connect(postgres_server.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return postgres_server.url(name)


_databases = itertools.count(1)

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)]
"""The suggestion store's backends; a test taking ``store_settings`` runs on each (PostgreSQL starts a server)."""


@pytest.fixture(params=BACKENDS)
def store_settings(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, object]:
    """Return the ``Settings`` arguments of a fresh suggestion store on each backend."""
    if request.param == "sqlite":
        return {"suggestions_db": tmp_path / "store.sqlite3"}
    return {"feedback_url": request.getfixturevalue("pg_url")}


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Return ../shared/data, or skip the test when it is absent."""
    if not (SHARED_DATA / "PROVENANCE.md").is_file():
        pytest.skip(f"needs the real data sets in {SHARED_DATA}, which is absent here")
    return SHARED_DATA


INSULTS = ["idiot", "moron", "loser", "clown", "fool", "imbecile", "jerk", "creep"]
NICE = ["friend", "neighbour", "colleague", "reader", "writer", "teacher", "helper", "author"]
THINGS = ["article", "comment", "photo", "story", "idea", "recipe", "plan", "song"]
THREATS = ["I will hurt you", "you will pay for this", "watch your back", "I will find you"]
SWEARS = ["damn", "shit", "crap", "hell"]


def tiny_records(n: int = 240, seed: int = 7) -> list[Record]:
    """Return comments written here, labelled for every attribute, from two sources."""
    rng = random.Random(seed)
    out: list[Record] = []
    for i in range(n):
        source = "tiny-a" if i % 2 else "tiny-b"
        kind = i % 4
        if kind == 0:
            text = f"you are a {rng.choice(INSULTS)} and a {rng.choice(INSULTS)}"
            labels = dict(TOXICITY=1, INSULT=1, THREAT=0, PROFANITY=0, IDENTITY_ATTACK=0, SEVERE_TOXICITY=0)
        elif kind == 1:
            text = f"{rng.choice(THREATS)}, {rng.choice(SWEARS)} {rng.choice(INSULTS)}"
            labels = dict(TOXICITY=1, INSULT=1, THREAT=1, PROFANITY=1, IDENTITY_ATTACK=0, SEVERE_TOXICITY=1)
        elif kind == 2:
            text = f"thanks {rng.choice(NICE)}, what a lovely {rng.choice(THINGS)}"
            labels = dict(TOXICITY=0, INSULT=0, THREAT=0, PROFANITY=0, IDENTITY_ATTACK=0, SEVERE_TOXICITY=0)
        else:
            text = f"all those people are {rng.choice(INSULTS)}s, ban them {i}"
            labels = dict(TOXICITY=1, INSULT=0, THREAT=0, PROFANITY=0, IDENTITY_ATTACK=1, SEVERE_TOXICITY=0)
        out.append(Record(text=f"{text} #{i}", source=source, labels=labels, ref=f"tiny:{i}"))
    return out


def tiny_corpus(records: list[Record] | None = None, seed: int = 0) -> Corpus:
    """Return a corpus of ``tiny_records`` with the real merge and split code."""
    merged = merge_duplicates(records or tiny_records())
    return Corpus(
        records=merged.records,
        keys=merged.keys,
        validation=assign_split(merged.records, merged.keys, 0.25, seed),
        files=[],
    )


TINY_PARAMS = TrainParams(
    features=FeatureParams(
        word_min_df=1, char_min_df=1, word_max_features=5000, char_max_features=5000, char_ngram_range=(2, 4)
    ),
    c_grid=(1.0,),
    alpha_grid=(0.0, 1.0),
    folds=2,
    min_positives=5,
    n_jobs=1,
)


@pytest.fixture(scope="session")
def tiny_artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Train the tiny model once per session and return its artifact folder."""
    from training.pipeline import train

    out = tmp_path_factory.mktemp("tiny-model")
    train(tiny_corpus(), TINY_PARAMS, out, baseline=True)
    return out


@pytest.fixture(scope="session")
def tiny_model(tiny_artifact: Path) -> ToxicityModel:
    """Return the tiny model, loaded through the real artifact loader."""
    return load_model(tiny_artifact)


@pytest.fixture(scope="session")
def shipped_model() -> ToxicityModel:
    """Return the shipped default model."""
    return load_model()
