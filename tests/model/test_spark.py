"""model.spark scores a Spark DataFrame on real local[2] Spark, row for row as ``load_model().score``.

The Spark tests start a real session (pyspark, with Java from Debian: ``apt-get
install default-jre-headless``) with its folders in the test's temporary folder,
and skip when Java or pyspark is absent, unless TOXICITY_REQUIRE_SPARK is set (as
``.ci/run`` does), in which case their absence fails. The pandas-level tests need
only pandas (the ``spark`` extra).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import model.spark as spark_module
from model import ToxicityModel
from model.artifact import DEFAULT_PATH
from model.errors import UnknownAttribute
from model.spark import ERROR_COLUMN, Shipment, artifact_folder, model_for, rejection, score_frame
from tests.conftest import tiny_records

ROOT = Path(__file__).resolve().parents[2]
# Read at import: the autouse fixture clears TOXICITY_* before each test runs.
REQUIRE_SPARK = bool(os.environ.get("TOXICITY_REQUIRE_SPARK"))


def _missing(what: str) -> None:
    if REQUIRE_SPARK:
        pytest.fail(f"{what} but TOXICITY_REQUIRE_SPARK is set")
    pytest.skip(what)


def _need_pandas() -> None:
    try:
        import pandas  # noqa: F401
    except ImportError:
        _missing("needs pandas (pip install -e '.[spark]')")


def varied_comments(n: int = 300, seed: int = 3) -> list[str | None]:
    """Return ``n`` comments written here: short, unicode, long, empty, null, over the limit."""
    rng = random.Random(seed)
    base = [r.text for r in tiny_records(200, seed=seed)]
    sentence = "You are a pathetic idiot and everyone here knows it. Thanks for the lovely recipe, friend!"
    odd = [
        "",
        "   ",
        None,
        "emoji 😀🔥 and 𝐛𝐨𝐥𝐝 and 日本語のテキスト and עברית and العربية",
        "Ｙ０Ｕ ａｒｅ ａｎ ｉｄｉｏｔ",
        "combining e\u0301 and zero\u200bwidth",
        "a",
        "x" * 300,
        " ".join([sentence] * 60),  # about 5 KB of sentences: the combiners' path
        "word " * 2000,  # 10 KB, no sentence breaks
        "é" * 10_240,  # exactly 20,480 bytes of UTF-8: the limit, accepted
        "é" * 10_241,  # two bytes over
        "a NUL \x00 inside",
    ]
    out: list[str | None] = [*base, *odd]
    while len(out) < n:
        out.append(" ".join(rng.sample([sentence, *base[:20]], k=rng.randint(1, 4))))
    rng.shuffle(out)
    return out


def expected_reason(text: str | None) -> str | None:
    if text is None:
        return "missing_text"
    if "\x00" in text:
        return "invalid_text"
    if not text.strip():
        return "comment_empty"
    if len(text.encode()) > 20_480:
        return "comment_too_long"
    return None


# The pandas level: no Spark needed.


def test_rejection_names_the_problem_and_the_limit_never_the_text() -> None:
    assert rejection("fine", 10) is None
    assert rejection(None, 10) == "missing_text: the text is missing (null)"
    assert rejection(float("nan"), 10) == "missing_text: the text is missing (null)"  # pandas' missing value
    assert rejection(12, 10) == "bad_text: the text is a int, not a string"  # type name as Python gives it
    assert rejection(" \n", 10) == "comment_empty: the text is empty or whitespace only"
    assert rejection("secret words", 5) == "comment_too_long: the text is 12 bytes of UTF-8; the limit is 5"
    assert (
        rejection("ab\ud800", 10)
        == "invalid_text: the text is not valid UTF-8 (a lone surrogate or undecodable byte at character 2)"
    )
    assert rejection("x\x00secret", 10) == "invalid_text: the text holds a NUL character (U+0000) at character 1"
    assert rejection("é" * 5, 10) is None  # bytes, not characters
    assert rejection("é" * 6, 11) is not None
    for text in ("secret words", "x\x00secret"):
        assert "secret" not in (rejection(text, 5) or "")


def test_score_frame_scores_every_row_alone_and_keeps_the_order(shipped_model: ToxicityModel) -> None:
    _need_pandas()
    import pandas as pd

    texts = [*varied_comments(120), "lone \ud800 surrogate"]
    frame = pd.DataFrame({"id": range(len(texts)), "text": texts}, index=range(1000, 1000 + len(texts)))
    names = shipped_model.scored_attributes
    out = score_frame(frame, shipped_model, "text", names, ["id"])
    assert list(out.columns) == ["id", *names, ERROR_COLUMN]
    assert out["id"].tolist() == list(range(len(texts)))
    for text, row in zip(texts, out.to_dict("records"), strict=True):
        reason = row[ERROR_COLUMN]
        if text is not None and "\ud800" in text:
            assert reason.startswith("invalid_text:")
            continue
        want = expected_reason(text)
        if want is None:
            assert reason is None
            assert {n: row[n] for n in names} == shipped_model.score([text])[0]
        else:
            assert reason.startswith(want + ":")
            assert all(pd.isna(row[n]) for n in names)


def test_a_worker_loads_the_model_once_and_refuses_another_artifact(tmp_path: Path) -> None:
    other = "0" * 64  # a sha the folder's manifest does not give
    first = model_for(Shipment(str(DEFAULT_PATH), _sha(DEFAULT_PATH)))
    assert model_for(Shipment(str(DEFAULT_PATH), _sha(DEFAULT_PATH))) is first
    with pytest.raises(RuntimeError, match="sha256 .* but the driver's has"):
        model_for(Shipment(str(DEFAULT_PATH), other))
    assert artifact_folder(DEFAULT_PATH / "manifest.json") == DEFAULT_PATH


def test_a_worker_keeps_a_bounded_number_of_models(tiny_artifact: Path) -> None:
    sha = _sha(tiny_artifact)
    names = [str(tiny_artifact), f"{tiny_artifact}/", f"{tiny_artifact}/.", str(tiny_artifact / "manifest.json")]
    names.append(str(tiny_artifact / "model.joblib"))  # five names of one folder: five keys
    first = model_for(Shipment(names[0], sha))
    for name in names[1:]:
        model_for(Shipment(name, sha))
    assert len(spark_module._MODELS) == spark_module.MAX_MODELS == 4
    assert (names[0], sha) not in spark_module._MODELS and (names[-1], sha) in spark_module._MODELS
    assert model_for(Shipment(names[0], sha)) is not first  # loaded again once evicted


def _sha(folder: Path) -> str:
    from model.artifact import read_manifest

    return str(read_manifest(folder)["artifact"]["sha256"])


def _pins(lock: str) -> dict[str, int]:
    """Return each pinned name of a lock file (lower case) with how many hashes it carries."""
    pins: dict[str, int] = {}
    name = ""
    for line in (ROOT / lock).read_text().splitlines():
        if found := re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", line):
            name = found[1].lower().replace("_", "-")
            pins[name] = 0
        pins[name] = pins.get(name, 0) + line.count("--hash=sha256:")
    return pins


def test_spark_is_an_extra_locked_with_hashes_for_ci_and_kept_out_of_the_image() -> None:
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["spark"]
    assert {re.split(r"[<>=]", e)[0] for e in extra} == {"pyspark", "pandas", "pyarrow"}
    dev, image = _pins("requirements-dev.lock"), _pins("requirements.lock")
    assert {"pyspark", "py4j", "pandas", "pyarrow"} <= dev.keys()
    assert all(dev.values()), [n for n, hashes in dev.items() if not hashes]  # pip: all hashed or none
    assert "pyspark" not in image and "py4j" not in image


# Real Spark, local[2].


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Start a local[2] Spark session whose folders are in a temporary folder; stop it afterwards."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        _missing("needs Java for Spark (apt-get install default-jre-headless)")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        _missing("needs pyspark (pip install -e '.[spark]')")
    _need_pandas()
    tmp = tmp_path_factory.mktemp("spark")
    with pytest.MonkeyPatch.context() as env:
        # Executors' Python workers: this interpreter, this checkout's packages first.
        env.setenv("PYSPARK_PYTHON", sys.executable)
        env.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
        env.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
        env.setenv("SPARK_LOCAL_DIRS", str(tmp / "local"))
        env.setenv("SPARK_LOCAL_IP", "127.0.0.1")
        session = (
            SparkSession.builder.master("local[2]")
            .appName("toxicity-test")
            .config("spark.ui.enabled", "false")
            .config("spark.local.dir", str(tmp / "local"))
            .config("spark.sql.warehouse.dir", str(tmp / "warehouse"))
            .config("spark.driver.extraJavaOptions", f"-Djava.io.tmpdir={tmp}")
            .config("spark.sql.execution.arrow.maxRecordsPerBatch", "64")  # several batches per task
            .config("spark.driver.memory", "1g")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        try:
            yield session
        finally:
            session.stop()


@pytest.mark.slow
def test_spark_scores_equal_load_model_score_row_for_row(spark: Any, shipped_model: ToxicityModel) -> None:
    from model.spark import score_dataframe

    texts = varied_comments()
    rows = [(i * 7 + 1, f"site-{i % 3}", t) for i, t in enumerate(texts)]
    df = spark.createDataFrame(rows, "comment_id long, site string, body string").repartition(3)
    ordered = df.collect()  # the order Spark holds the rows in, which scoring must keep
    out = score_dataframe(df, "body", id_cols=["comment_id", "site"])
    names = shipped_model.scored_attributes
    assert out.columns == ["comment_id", "site", *names, ERROR_COLUMN]
    assert all(out.schema[n].dataType.simpleString() == "double" for n in names)
    got = out.collect()
    assert [(r.comment_id, r.site) for r in got] == [(r.comment_id, r.site) for r in ordered]
    by_id = {r.comment_id: r.body for r in ordered}
    scored = 0
    for r in got:
        text = by_id[r.comment_id]
        want = expected_reason(text)
        if want is None:
            assert r[ERROR_COLUMN] is None
            assert {n: r[n] for n in names} == shipped_model.score([text])[0]  # exactly, not approximately
            scored += 1
        else:
            assert r[ERROR_COLUMN].startswith(want + ":"), (r.comment_id, r[ERROR_COLUMN])
            assert all(r[n] is None for n in names)
    assert scored == len(texts) - sum(expected_reason(t) is not None for t in texts) > 250


@pytest.mark.slow
def test_spark_reads_the_folder_on_the_executors_and_keeps_every_column(
    spark: Any, tiny_artifact: Path, tiny_model: ToxicityModel
) -> None:
    from model.spark import score_dataframe

    texts = ["you are a moron and a clown", "thanks friend, what a lovely story", None]
    df = spark.createDataFrame(list(enumerate(texts)), "id long, text string")
    out = score_dataframe(df, "text", model_dir=tiny_artifact, attributes=["INSULT"], ship="path").collect()
    assert [r.id for r in out] == [0, 1, 2] and [r.text for r in out] == texts
    assert [r.INSULT for r in out[:2]] == [tiny_model.score([t], ["INSULT"])[0]["INSULT"] for t in texts[:2]]
    assert out[2].INSULT is None and out[2][ERROR_COLUMN] == "missing_text: the text is missing (null)"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"text_col": "nope"}, ValueError, "no column 'nope'"),
        ({"text_col": "id"}, ValueError, "column 'id' is bigint, not string"),
        ({"text_col": "text", "id_cols": ["id", "TOXICITY"]}, ValueError, "TOXICITY twice"),
        ({"text_col": "text", "attributes": ["NOT_AN_ATTRIBUTE"]}, UnknownAttribute, "NOT_AN_ATTRIBUTE"),
        ({"text_col": "text", "max_text_bytes": 0}, ValueError, "at least 1"),
        ({"text_col": "text", "ship": "carrier pigeon"}, ValueError, "'broadcast' or 'path'"),
    ],
)
def test_spark_refuses_bad_arguments_on_the_driver(
    spark: Any, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    from model.spark import score_dataframe

    df = spark.createDataFrame([(1, "hello", 2.0)], "id long, text string, TOXICITY double")
    with pytest.raises(error, match=match):
        score_dataframe(df, **kwargs)
