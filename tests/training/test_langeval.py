"""The multilingual design comparison (training.langeval) on texts and tiny data sets written here."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from model.normalize import normalize
from tests.training.test_loaders import write
from training.langeval.__main__ import ROOT, main
from training.langeval.audit import audit_as_dict, audit_texts
from training.langeval.designs import Caps
from training.langeval.report import render
from training.langeval.run import measure
from training.langeval.status import PairFigures, status


def changes(texts: list[str], stage: str) -> dict[str, int]:
    audit = audit_as_dict(audit_texts(texts))
    assert audit["mirror_mismatches"] == 0
    return dict(audit["stages"].get(stage, {}).get("top_changes", []))


def test_audit_names_what_folding_does_to_letters_of_other_scripts() -> None:
    assert changes(["мой край"], "fold") == {"й → и": 2}  # Russian й loses its breve
    assert changes(["がんばって"], "fold") == {"が → か": 1, "ば → は": 1}  # Japanese voicing marks go
    assert changes(["أنا إلى"], "fold") == {"أ → ا": 1, "إ → ا": 1}  # Arabic hamza folds to alef
    assert changes(["ㅋ"], "fold") == {"ㅋ → ᄏ": 1}  # compatibility jamo become conjoining jamo
    assert changes(["哈哈 中文"], "fold") == {}  # Han characters are left alone
    audit = audit_as_dict(audit_texts(["мой", "がんばって", "abc", "中文"]))
    assert audit["marks_dropped"] == 2 and audit["texts"] == 4


def test_audit_names_homoglyph_repeat_and_leet_changes() -> None:
    assert changes(["НЕТ, со мной"], "homoglyph") == {"НЕТ → HET": 1, "со → co": 1}
    assert changes(["哈哈哈哈", "ههههه"], "repeat") == {"哈哈哈+ → 哈": 1, "ههه+ → ه": 1}
    assert changes(["tu 1d10t hai"], "leet") == {"1d10t → idiot": 1}
    long_run = "我今天很开心因为天气好abc朋友来了ε"  # one letter run of 19: examples are cut to 16
    assert changes([long_run], "homoglyph") == {"我今天很开心因为天气好abc朋友… → 我今天很开心因为天气好abc朋友…": 1}


def test_audit_mirror_matches_the_normaliser() -> None:
    texts = ["&amp; Ｆｕｌｌ wïdth", "@user http://x.com y0u", "i d i o t!!!!", "Привет  мир", "안녕하세요 ㅋㅋㅋ"]
    audit = audit_texts(texts)
    assert audit.mirror_mismatches == 0
    assert audit.texts_changed == sum(normalize(t) != " ".join(t.lower().split()) for t in texts)


def figures(**kw: object) -> PairFigures:
    base = dict(
        train_rows=1000, val_positives=100, val_negatives=200, auc=0.9, naive_auc=0.85, approximate=False,
        licence_excluded=False,
    )  # fmt: skip
    base.update(kw)
    return PairFigures(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "expected", "why"),
    [
        ({}, "supported", "ROC-AUC 0.900"),
        ({"train_rows": 0}, "unsupported", "no training data"),
        ({"licence_excluded": True}, "unsupported", "licence"),
        ({"val_positives": 19}, "unsupported", "fewer than 20"),
        ({"auc": 0.69}, "unsupported", "0.690 < 0.7"),
        ({"positive_share": 0.8}, "unsupported", "80% of its training rows are positive"),
        ({"positive_share": 0.6}, "supported", "ROC-AUC 0.900"),
        ({"precision": 0.29}, "unsupported", "precision 0.290 < 0.3 at the default threshold"),
        ({"recall": 0.2, "precision": 0.9}, "experimental", "recall 0.200 < 0.25 at the default threshold"),
        ({"recall": 0.25, "precision": 0.3}, "supported", "ROC-AUC 0.900"),
        ({"val_negatives": 49}, "experimental", "fewer than 50"),
        ({"auc": 0.79, "naive_auc": 0.7}, "experimental", "0.790 < 0.8"),
        ({"naive_auc": 0.92}, "experimental", "behind the naive baseline"),
        ({"approximate": True}, "experimental", "approximate label mapping"),
    ],
)
def test_status_rule(change: dict[str, object], expected: str, why: str) -> None:
    got, reason = status(figures(**change))
    assert got == expected
    assert why in reason


GOOD = {
    "de": ["Danke für den guten Artikel", "Schöner Tag heute", "Gute Arbeit, weiter so", "Ich stimme zu"],
    "ko": ["좋은 기사 감사합니다", "오늘 날씨 좋네요", "응원합니다", "멋진 무대였어요"],
    "zh": ["谢谢分享", "今天天气很好", "我也是四川人", "说得有道理"],
}
BAD = {
    "de": ["Du bist ein Idiot", "Halt die Fresse du Depp", "So ein dummer Vollidiot", "Verpiss dich du Arsch"],
    "ko": ["꺼져라 병신아", "미친놈 진짜 싫다", "쓰레기 같은 놈", "닥쳐 멍청아"],
    "zh": ["你就是个傻逼", "滚出去垃圾", "脑残一个", "真是个废物"],
}


def tiny_sets(root: Path, n: int = 120) -> Path:
    rng = random.Random(3)
    de, ko, zh = [], ["comments\tcontain_gender_bias\tbias\thate"], ["\ufeff,split,topic,label,TEXT"]
    for i in range(n):
        toxic = i % 2
        pick = BAD if toxic else GOOD
        suffix = f" {i}" if i % 3 else ""
        de.append(
            f"{rng.choice(pick['de'])}{suffix}\t{'OFFENSE' if toxic else 'OTHER'}\t{'INSULT' if toxic else 'OTHER'}"
        )
        ko.append(f"{rng.choice(pick['ko'])}{suffix}\tFalse\tnone\t{'offensive' if toxic else 'none'}")
        zh.append(f"{i},train,race,{toxic},{rng.choice(pick['zh'])}{suffix}")
    for folder, name, rows in (
        ("de-germeval2018", "germeval2018.training.txt", de),
        ("ko-beep", "train.tsv", ko),
        ("zh-cold", "train.csv", zh),
    ):
        (root / folder).mkdir(parents=True)
        write(root / folder / name, "\n".join(rows) + "\n")
    write(root / "zh-cold" / "dev.csv", "\ufeff,split,topic,label,TEXT\n")
    write(root / "PROVENANCE.md", "tiny\n")
    return root


def test_measure_compares_every_design_per_language(tmp_path: Path) -> None:
    caps = Caps(
        word_max_features=500, char_max_features=500, shared_word_max_features=500, shared_char_max_features=500
    )
    result = measure(tiny_sets(tmp_path / "data"), caps, validation_fraction=0.3)
    assert set(result["results"]) == {"de", "ko", "zh"}
    de = result["results"]["de"]
    assert set(de) == {"TOXICITY", "INSULT", "PROFANITY", "IDENTITY_ATTACK"}
    tox = de["TOXICITY"]
    assert set(tox["auc"]) == {"per_language", "shared", "shared_indicator", "naive", "per_language_unnormalised"}
    assert tox["auc"]["per_language"] > 0.9  # the toxic and clean sentences share no word
    assert tox["winner"] in ("per_language", "shared", "shared_indicator")
    assert tox["val_rows"] + tox["train_rows"] == result["rows"]["de"] < 120  # repeated sentences merged
    assert de["PROFANITY"]["status"] == "unsupported"  # no positives at all
    assert result["design"] in ("per_language", "shared", "shared_indicator")
    assert all(size > 0 for size in result["sizes"]["per_language_bytes"].values())
    assert result["normaliser"]["ko"]["texts"] == result["rows"]["ko"]
    text = render(result, 16_000_000)
    assert "| de | TOXICITY |" in text and "| zh | THREAT | unsupported |" in text
    assert "The shipped English artifact: 16.0 MB" in text


def test_cli_writes_both_reports_and_refuses_bad_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tiny_sets(tmp_path / "data", n=60)
    caps = ["--word-max-features", "300", "--char-max-features", "300", "--n-jobs", "1"]
    assert main(["--out", str(tmp_path / "r.md"), "--data-dir", str(data), *caps]) == 0
    assert "| ko | TOXICITY |" in (tmp_path / "r.md").read_text()
    assert json.loads((tmp_path / "r.json").read_text())["loaded"]["zh-cold"] == 60
    assert main(["--out", str(tmp_path / "r.md"), "--data-dir", str(tmp_path)]) == 2
    assert "no PROVENANCE.md there" in capsys.readouterr().err
    assert main(["--out", str(ROOT / "docs" / "x.md"), "--data-dir", str(data)]) == 2
    assert "inside the repository" in capsys.readouterr().err
    assert main(["--out", str(tmp_path / "nope" / "r.md"), "--data-dir", str(data)]) == 2
    assert "needs a .md file in an existing folder" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path / "r.md"), "--word-max-features", "0"])
    assert "0 is outside [1, 1000000]" in capsys.readouterr().err
