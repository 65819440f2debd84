from __future__ import annotations

from pathlib import Path

from tests.training.test_loaders import OLID, write
from training.dataset import assign_split, build_corpus, merge_duplicates
from training.loaders import olid, tweeteval
from training.records import Record, dedup_key


def rec(text: str, source: str, **labels: int) -> Record:
    return Record(text=text, source=source, labels=labels)


def test_dedup_key_matches_retweets_and_rereleases() -> None:
    assert dedup_key("RT @bob: You are a JOKE!! http://t.co/x") == dedup_key("you are a joke")
    assert dedup_key("@USER @USER Go home URL") == dedup_key("@user go home ")
    assert dedup_key("you are a joke") != dedup_key("you are a jokes")
    # Placeholder-only texts do not all collapse into one key.
    assert dedup_key("@USER URL") != dedup_key("!!!")


def test_merge_fills_labels_and_drops_conflicts() -> None:
    out = merge_duplicates(
        [
            rec("You idiot", "a", TOXICITY=1),
            rec("you IDIOT!!", "b", TOXICITY=1, INSULT=1),
            rec("you idiot", "b", TOXICITY=0),
            rec("hello", "a", TOXICITY=0),
        ]
    )
    assert len(out.records) == 2
    first = out.records[0]
    assert first.source == "a"
    assert first.labels == {"INSULT": 1}  # TOXICITY disagreed, so it became unknown
    assert out.merged[("a", "b")] == 2
    assert out.conflicts["a"] == 1


def test_olid_and_tweeteval_offensive_count_once(tmp_path: Path) -> None:
    (tmp_path / "olid").mkdir()
    (tmp_path / "te").mkdir()
    write(tmp_path / "olid" / "olid-training-v1.0.tsv", OLID)
    # TweetEval's re-release: @USER lower-cased, URL dropped, trailing space, quotes dropped.
    texts = '@user you are "a joke \nnice day \nfuck this \n'
    write(tmp_path / "te" / "train_text.txt", texts)
    write(tmp_path / "te" / "train_labels.txt", "1\n0\n1\n")
    write(tmp_path / "te" / "val_text.txt", "something else entirely \n")
    write(tmp_path / "te" / "val_labels.txt", "0\n")
    corpus = build_corpus(
        [
            ("olid", olid.load, tmp_path / "olid"),
            ("tweeteval-offensive", tweeteval.load_offensive, tmp_path / "te"),
        ]
    )
    sources = [r.source for r in corpus.records]
    assert sources.count("olid") == 4
    assert sources.count("tweeteval-offensive") == 1  # only the tweet OLID does not have
    assert corpus.merged[("olid", "tweeteval-offensive")] == 3
    assert corpus.loaded == {"olid": 4, "tweeteval-offensive": 4}
    assert {f.path for f in corpus.files} >= {str(tmp_path / "olid" / "olid-training-v1.0.tsv")}


def test_split_keeps_groups_together_and_is_stable() -> None:
    records = [
        Record(text=f"sentence {i}", source="s", labels={"TOXICITY": i % 2}, group=f"post{i // 5}") for i in range(500)
    ]
    keys = [dedup_key(r.text) for r in records]
    split = assign_split(records, keys, 0.2, seed=0)
    assert split == assign_split(records, keys, 0.2, seed=0)
    for g in range(100):
        assert len({split[i] for i in range(g * 5, g * 5 + 5)}) == 1
    assert 0.1 < sum(split) / len(split) < 0.3
    assert split != assign_split(records, keys, 0.2, seed=1)


def test_near_duplicates_never_straddle_the_split() -> None:
    texts = [f"comment number {i}" for i in range(300)]
    records = [rec(t, "a", TOXICITY=1) for t in texts] + [
        rec("RT @x: " + t.upper() + "!!", "b", TOXICITY=1) for t in texts
    ]
    keys = [dedup_key(r.text) for r in records]
    split = assign_split(records, keys, 0.3, seed=0)
    assert split[:300] == split[300:]
