"""The detection measurement (``python -m training.langeval.detection``) on texts written here."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.language_id import WINDOW, Detector
from training.langeval.detection import LONG, joined, main, markdown, measure

TEXTS = {
    "de": ["Vielen Dank für den guten Artikel über die Stadt und ihre Geschichte."] * 30,
    "en": ["Thank you for the good article about the city and its history.", "ok"],
    "hi-Latn": ["yaar ye article bahut accha hai, mujhe kal se pasand aa raha hai"],
}


def test_measure_counts_self_other_and_unsure_per_language() -> None:
    figures = measure(TEXTS)
    assert figures["rows"] == {"de": 30, "en": 2, "hi-Latn": 1}
    assert figures["confusion"]["de"] == {"self": 30}
    assert figures["confusion"]["en"] == {"self": 1, "unsure": 1}  # "ok" is too short to decide
    assert figures["hinglish_rule"] == {"de": 0.0, "en": 0.0, "hi-Latn": 1.0}
    assert figures["window"]["de"]["agree"] == 1.0
    report = markdown(figures)
    assert "| de | 30 | 100.0% | 0.0% | 0.0% |" in report
    assert "Thank you" not in report  # texts are never printed


def test_joined_builds_comments_longer_than_the_window() -> None:
    long = joined(["abc " * 50] * 40)
    assert long and all(len(t) >= LONG > 2 * WINDOW for t in long)
    assert Detector().detect(long[0]) == Detector().detect(long[0], window_chars=WINDOW)


def test_missing_data_and_bad_sample_size_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(tmp_path / "absent")]) == 2
    assert "no multilingual data" in capsys.readouterr().err
    assert main(["--data-dir", str(tmp_path), "--english-sample", "-1"]) == 2
    assert "outside [0, 100000]" in capsys.readouterr().err
