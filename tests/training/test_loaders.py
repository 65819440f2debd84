"""Every loader on small files written here, in each source's real format, good and bad."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest

from training.errors import DataFormatError
from training.loaders import (
    davidson,
    ethos,
    impermium,
    implicit_hate,
    olid,
    stormfront,
    toxic_spans,
    tweeteval,
)
from training.loaders.generic import load_civil_comments_2019, load_jigsaw_2018, load_table, parse_label


def write(path: Path, text: str, gz: bool = False) -> Path:
    data = text.encode("utf-8")
    if gz:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


def by_text(records: list) -> dict:
    return {r.text: r for r in records}


# -- Davidson ---------------------------------------------------------------------

DAVIDSON = (
    ",count,hate_speech,offensive_language,neither,class,tweet\n"
    "0,3,2,1,0,0,those people are vermin\n"
    "1,3,0,3,0,1,shut up you stupid ass\n"
    '2,4,0,1,3,2,"lovely day, ""really"""\n'
)


def test_davidson_votes(tmp_path: Path) -> None:
    write(tmp_path / "labeled_data.train.csv", DAVIDSON, gz=True)
    recs = by_text(list(davidson.load(tmp_path)))
    hate, offensive, neither = (
        recs["those people are vermin"],
        recs["shut up you stupid ass"],
        recs['lovely day, "really"'],
    )
    assert hate.labels == {"TOXICITY": 1, "SEVERE_TOXICITY": 1, "IDENTITY_ATTACK": 1}
    assert hate.soft["IDENTITY_ATTACK"] == pytest.approx(2 / 3)
    assert offensive.labels == {"TOXICITY": 1, "SEVERE_TOXICITY": 0, "IDENTITY_ATTACK": 0}
    assert offensive.weight_of("IDENTITY_ATTACK") == pytest.approx(offensive.weight * davidson.OFFENSIVE_IA_WEIGHT)
    assert offensive.weight_of("TOXICITY") == offensive.weight
    assert neither.labels["TOXICITY"] == 0 and neither.labels["INSULT"] == 0
    assert neither.soft["TOXICITY"] == pytest.approx(0.25)
    assert neither.weight == pytest.approx(0.75)


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("3,3,1,1,0,0,votes short", "do not add up to count 3"),
        ("3,3,0,3,0,7,bad class", "column 'class': 7 is outside [0, 2]"),
        ("3,x,0,3,0,1,not a number", "column 'count': 'x' is not an integer"),
        ("3,3,0,3,0,1", "expected 7 fields, found 6"),
    ],
)
def test_davidson_malformed_rows(tmp_path: Path, row: str, problem: str) -> None:
    path = write(tmp_path / "labeled_data.csv", DAVIDSON + row + "\n")
    with pytest.raises(DataFormatError) as err:
        list(davidson.load(tmp_path))
    assert err.value.path == str(path)
    assert err.value.line == 5
    assert problem in str(err.value)
    assert f"{path}:5:" in str(err.value)


def test_missing_column_and_file(tmp_path: Path) -> None:
    write(tmp_path / "labeled_data.csv", "count,tweet\n3,hi\n")
    with pytest.raises(DataFormatError, match=r"labeled_data.csv:1: header lacks column"):
        list(davidson.load(tmp_path))
    with pytest.raises(DataFormatError, match="none of labeled_data.train.csv"):
        list(davidson.load(tmp_path / "nowhere"))


def test_invalid_utf8_and_truncated_gzip(tmp_path: Path) -> None:
    (tmp_path / "labeled_data.csv").write_bytes(DAVIDSON.encode() + b"3,3,0,3,0,1,caf\xe9\n")
    with pytest.raises(DataFormatError, match="invalid UTF-8"):
        list(davidson.load(tmp_path))
    (tmp_path / "labeled_data.csv").unlink()
    data = gzip.compress(DAVIDSON.encode() * 50)
    (tmp_path / "labeled_data.csv.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(DataFormatError, match="unreadable file"):
        list(davidson.load(tmp_path))


# -- Toxic Spans ------------------------------------------------------------------

SPANS_COMMENTS = (
    "comment_id,comment_text\n1,You are a moron and I will hurt you\n2,Nice article\n3,Damn this stupid law\n"
)
SPANS_ANNOTATIONS = (
    "annotation,comment_id,worker,country,all toxic,not toxic\n"
    "10,1,a,USA,False,False\n11,1,b,USA,False,False\n12,1,c,USA,True,False\n"
    "20,2,a,USA,True,True\n21,2,b,USA,True,True\n22,2,c,USA,False,False\n"
    "30,3,a,USA,False,False\n31,3,b,USA,False,False\n32,3,c,USA,True,True\n"
)
SPANS_SPANS = (
    "annotation,type,start,end\n"
    "10,Insult,10,15\n10,Threat,20,35\n11,Insult,10,15\n11,Identity based ,0,3\n"
    "30,Profane/Obscene,0,4\n31,Insult,10,16\n"
)


def spans_dir(tmp_path: Path, spans: str = SPANS_SPANS, annotations: str = SPANS_ANNOTATIONS) -> Path:
    write(tmp_path / "comments.train.csv", SPANS_COMMENTS, gz=True)
    write(tmp_path / "annotations.train.csv", annotations, gz=True)
    write(tmp_path / "spans.train.csv", spans, gz=True)
    return tmp_path


def test_toxic_spans_votes_and_types(tmp_path: Path) -> None:
    recs = by_text(list(toxic_spans.load(spans_dir(tmp_path))))
    moron = recs["You are a moron and I will hurt you"]
    # Three toxic votes (two with spans, one "all toxic"); types from the two typers.
    assert moron.labels["TOXICITY"] == 1 and moron.soft["TOXICITY"] == 1.0
    assert moron.labels["INSULT"] == 1
    assert moron.labels["THREAT"] == 1  # one of two typers: at least half
    assert moron.labels["IDENTITY_ATTACK"] == 1  # truncated type string read by prefix
    assert moron.labels["SEVERE_TOXICITY"] == 1  # unanimous and threat
    nice = recs["Nice article"]
    # Two "not toxic" votes; the third (no flag, no span) is contradictory and left out.
    assert nice.labels == dict.fromkeys(
        ["TOXICITY", "INSULT", "THREAT", "IDENTITY_ATTACK", "PROFANITY", "SEVERE_TOXICITY"], 0
    )
    damn = recs["Damn this stupid law"]
    assert damn.soft["TOXICITY"] == pytest.approx(2 / 3)
    assert damn.labels["PROFANITY"] == 1  # any annotator marking profanity
    assert damn.labels["SEVERE_TOXICITY"] == 0


def test_toxic_spans_sentences_take_the_labels_of_the_spans_on_them(tmp_path: Path) -> None:
    comments = (
        "comment_id,comment_text\n"
        '1,"Nice weather today. I will break your legs. See you."\n'
        '2,"Good point. Thanks for writing."\n'
    )
    annotations = (
        "annotation,comment_id,worker,country,all toxic,not toxic\n"
        "10,1,a,USA,False,False\n11,1,b,USA,False,False\n12,1,c,USA,True,True\n"
        "20,2,a,USA,True,True\n21,2,b,USA,True,True\n"
    )
    spans = "annotation,type,start,end\n10,Threat,22,43\n11,Insult,27,43\n"
    write(tmp_path / "comments.train.csv", comments, gz=True)
    write(tmp_path / "annotations.train.csv", annotations, gz=True)
    write(tmp_path / "spans.train.csv", spans, gz=True)
    records = list(toxic_spans.load(tmp_path))
    sentences = {r.text: r for r in records if r.source == toxic_spans.SENTENCES}
    whole = {r.text: r for r in records if r.source == toxic_spans.SOURCE}
    threat = sentences["I will break your legs."]
    assert threat.labels["THREAT"] == 1 and threat.labels["TOXICITY"] == 1
    assert threat.labels["INSULT"] == 1  # one of the two who marked it typed it an insult: at least half
    assert threat.labels["IDENTITY_ATTACK"] == 0
    assert threat.group == whole["Nice weather today. I will break your legs. See you."].group
    assert "Nice weather today." not in sentences  # a toxic comment's unmarked sentence says nothing
    assert sentences["Good point."].labels == dict.fromkeys(
        ["TOXICITY", "INSULT", "THREAT", "IDENTITY_ATTACK", "PROFANITY"], 0
    )


def test_toxic_spans_dangling_references(tmp_path: Path) -> None:
    spans_dir(tmp_path, spans=SPANS_SPANS + "99,Insult,0,1\n")
    with pytest.raises(DataFormatError, match=r"spans.train.csv.gz:8: span refers to unknown annotation 99"):
        list(toxic_spans.load(tmp_path))
    spans_dir(tmp_path, annotations=SPANS_ANNOTATIONS + "40,7,a,USA,False,False\n")
    with pytest.raises(DataFormatError, match="refers to unknown comment_id 7"):
        list(toxic_spans.load(tmp_path))
    spans_dir(tmp_path, annotations=SPANS_ANNOTATIONS + "40,1,a,USA,maybe,False\n")
    with pytest.raises(DataFormatError, match="'all toxic': 'maybe' is not one of True, False"):
        list(toxic_spans.load(tmp_path))


# -- Impermium ----------------------------------------------------------------------


def test_impermium_escape_quirks(tmp_path: Path) -> None:
    raw = (
        "Insult,Date,Comment\n"
        '1,20120618192155Z,"""You fuck your dad."""\n'
        '0,,"""A\\\\xc2\\\\xa0majority\\\\nof\\xa0us don\\\\\'t\\n agree"""\n'
        '0,20120619094753Z,"""C\\xe1c b\\u1ea1n"""\n'
    )
    write(tmp_path / "train.csv", raw, gz=True)
    recs = list(impermium.load(tmp_path))
    assert [r.text for r in recs] == [
        "You fuck your dad.",
        "A\xa0majority\nof\xa0us don't\n agree",
        "Các bạn",
    ]
    assert [r.labels for r in recs] == [{"INSULT": 1}, {"INSULT": 0}, {"INSULT": 0}]


def test_impermium_bad_label(tmp_path: Path) -> None:
    write(tmp_path / "train.csv", 'Insult,Date,Comment\n2,,"""x"""\n')
    with pytest.raises(DataFormatError, match=r"train.csv:2: column 'Insult': '2' is not one of 0, 1"):
        list(impermium.load(tmp_path))


# -- OLID and TweetEval --------------------------------------------------------------

OLID = (
    "id\ttweet\tsubtask_a\tsubtask_b\tsubtask_c\r\n"
    '1\t@USER you are "a joke\tOFF\tTIN\tIND\r\n'
    "2\tnice day URL\tNOT\tNULL\tNULL\r\n"
    "3\tfuck this\tOFF\tUNT\tNULL\r\n"
    "4\tthose people ruin everything\tOFF\tTIN\tGRP\r\n"
)


def test_olid_subtasks(tmp_path: Path) -> None:
    write(tmp_path / "olid-training-v1.0.tsv", OLID, gz=True)
    recs = list(olid.load(tmp_path))
    assert recs[0].text == '@USER you are "a joke'  # stray quote kept: no CSV quoting
    assert recs[0].labels == {"TOXICITY": 1, "INSULT": 1, "IDENTITY_ATTACK": 0}
    assert set(recs[1].labels.values()) == {0} and len(recs[1].labels) == 6
    assert recs[2].labels["PROFANITY"] == 1 and recs[2].labels["INSULT"] == 0
    assert "IDENTITY_ATTACK" not in recs[3].labels


def test_olid_bad_combination(tmp_path: Path) -> None:
    write(tmp_path / "olid-training-v1.0.tsv", OLID + "5\tx\tNOT\tTIN\tIND\r\n")
    with pytest.raises(DataFormatError, match=r":6: label combination NOT/TIN/IND"):
        list(olid.load(tmp_path))


def test_tweeteval_both_splits_and_mismatch(tmp_path: Path) -> None:
    for split, texts, labels in (("train", "a\nb\n", "0\n1\n"), ("val", "c\n", "1\n")):
        write(tmp_path / f"{split}_text.txt", texts, gz=True)
        write(tmp_path / f"{split}_labels.txt", labels, gz=True)
    recs = list(tweeteval.load_hate(tmp_path))
    assert [(r.text, r.labels) for r in recs] == [
        ("a", {"IDENTITY_ATTACK": 0}),
        ("b", {"IDENTITY_ATTACK": 1}),
        ("c", {"IDENTITY_ATTACK": 1}),
    ]
    assert {r.source for r in tweeteval.load_offensive(tmp_path)} == {"tweeteval-offensive"}
    write(tmp_path / "val_labels.txt", "1\n0\n", gz=True)
    with pytest.raises(DataFormatError, match="2 labels for 1 texts"):
        list(tweeteval.load_hate(tmp_path))
    write(tmp_path / "val_labels.txt", "x\n", gz=True)
    with pytest.raises(DataFormatError, match=r"val_labels.txt.gz:1: label 'x' is not 0 or 1"):
        list(tweeteval.load_hate(tmp_path))


# -- ETHOS, Implicit Hate, Stormfront -----------------------------------------------


def test_ethos_binary_and_multilabel_merge(tmp_path: Path) -> None:
    write(
        tmp_path / "Ethos_Dataset_Binary.csv",
        "comment;isHate\nkill them all;1.0\nnice song;0.1667\nmeh;0.5",
        gz=True,
    )
    header = (
        "comment;violence;directed_vs_generalized;gender;race;national_origin;disability;religion;sexual_orientation\n"
    )
    write(
        tmp_path / "Ethos_Dataset_Multi_Label.csv",
        header + "kill them all;0.8;0;0;1;0;0;0;0\nonly here;0;1;1;0;0;0;0;0",
        gz=True,
    )
    recs = by_text(list(ethos.load(tmp_path)))
    assert len(recs) == 4
    assert recs["kill them all"].labels == {"IDENTITY_ATTACK": 1, "THREAT": 1, "SEVERE_TOXICITY": 1}
    assert recs["nice song"].labels == {"IDENTITY_ATTACK": 0}
    assert recs["nice song"].soft["IDENTITY_ATTACK"] == pytest.approx(0.1667)
    assert recs["meh"].labels == {"IDENTITY_ATTACK": 1}
    assert recs["only here"].labels == {"IDENTITY_ATTACK": 1, "THREAT": 0}
    write(tmp_path / "Ethos_Dataset_Binary.csv", "comment;isHate\nx;1.5", gz=True)
    with pytest.raises(DataFormatError, match=r"column 'isHate': '1.5' is outside \[0, 1\]"):
        list(ethos.load(tmp_path))


def test_implicit_hate_stages(tmp_path: Path) -> None:
    write(
        tmp_path / "implicit_hate_v1_stg1_posts.tsv",
        'post\tclass\r\n"we will "" deal "" with them"\timplicit_hate\r\nhello there\tnot_hate\r\nslur slur\texplicit_hate\r\n',
        gz=True,
    )
    write(
        tmp_path / "implicit_hate_v1_stg2_posts.tsv",
        'post\timplicit_class\textra_implicit_class\r\n"we will "" deal "" with them"\tincitement\tthreatening\r\nnew post\tirony\t\r\n',
        gz=True,
    )
    recs = by_text(list(implicit_hate.load(tmp_path)))
    assert recs['we will " deal " with them'].labels == {"IDENTITY_ATTACK": 1, "THREAT": 1}
    assert recs["hello there"].labels == {"IDENTITY_ATTACK": 0, "SEVERE_TOXICITY": 0}
    assert recs["slur slur"].labels == {"IDENTITY_ATTACK": 1, "SEVERE_TOXICITY": 1}
    assert recs["new post"].labels == {"IDENTITY_ATTACK": 1, "THREAT": 0}
    write(tmp_path / "implicit_hate_v1_stg1_posts.tsv", "post\tclass\r\nx\tmaybe\r\n", gz=True)
    with pytest.raises(DataFormatError, match=r"stg1_posts.tsv.gz:2: column 'class': 'maybe'"):
        list(implicit_hate.load(tmp_path))


def stormfront_dir(tmp_path: Path, sentences: dict[str, str], meta: str) -> Path:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, text in sentences.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    (tmp_path / "sentences.tar.gz").write_bytes(gzip.compress(buf.getvalue()))
    write(tmp_path / "annotations_metadata.csv", meta, gz=True)
    return tmp_path


def test_stormfront_labels_and_groups(tmp_path: Path) -> None:
    sentences = {
        "all_files/100_1.txt": "They are animals .",
        "all_files/100_2.txt": "I live in Ohio .",
        "all_files/200_1.txt": "See the next one .",
        "sampled_train/100_1.txt": "They are animals .",
    }
    meta = (
        "file_id,user_id,subforum_id,num_contexts,label\n"
        "100_1,1,1,0,hate\n100_2,1,1,0,noHate\n200_1,2,1,0,relation\n300_1,3,1,0,hate\n"
    )
    recs = list(stormfront.load(stormfront_dir(tmp_path, sentences, meta)))
    assert [(r.text, r.labels) for r in recs] == [
        ("They are animals .", {"IDENTITY_ATTACK": 1}),
        ("I live in Ohio .", {"IDENTITY_ATTACK": 0}),
    ]
    assert recs[0].group == recs[1].group == "stormfront-post:100"


def test_stormfront_unlabelled_sentence(tmp_path: Path) -> None:
    stormfront_dir(tmp_path, {"all_files/9_1.txt": "x"}, "file_id,user_id,subforum_id,num_contexts,label\n")
    with pytest.raises(DataFormatError, match="1 sentence\\(s\\) lack a label, e.g. 9_1"):
        list(stormfront.load(tmp_path))


# -- Generic, Jigsaw 2018, Civil Comments 2019 -------------------------------------


def test_generic_csv_tsv_jsonl(tmp_path: Path) -> None:
    csv_path = write(tmp_path / "mine.csv", "body,tox,ins\nhello,0,\nidiot,1,0.75\nmeh,NA,false\n")
    recs = list(load_table(csv_path, text_column="body", labels={"TOXICITY": "tox", "INSULT": "ins"}))
    assert [(r.text, r.labels) for r in recs] == [
        ("hello", {"TOXICITY": 0}),
        ("idiot", {"TOXICITY": 1, "INSULT": 1}),
        ("meh", {"INSULT": 0}),
    ]
    assert recs[1].soft == {"INSULT": 0.75}
    assert recs[0].source == "mine"
    tsv_path = write(tmp_path / "t.tsv", "text\tlabel\nhi, there\t1\n")
    assert [r.text for r in load_table(tsv_path, text_column="text", labels={"THREAT": "label"})] == ["hi, there"]
    rows = [{"text": "a", "y": 1}, {"text": "b", "y": 0.2}, {"text": "c", "y": None}]
    jl = write(tmp_path / "d.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n", gz=True)
    out = list(load_table(jl, text_column="text", labels={"TOXICITY": "y"}))
    assert [(r.text, r.labels["TOXICITY"]) for r in out] == [("a", 1), ("b", 0)]


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("a.csv", "text,y\nhi,2\n", r"a.csv:2: label TOXICITY: 2 is outside \[0, 1\]"),
        ("a.csv", "text,y\nhi,maybe\n", r"a.csv:2: label TOXICITY: 'maybe' is not a label"),
        ("a.csv", "text\nhi\n", r"a.csv:1: header lacks column\(s\) 'y'"),
        ("a.csv", 'text,y\n"hi,1\n', r"a.csv:\d+: (malformed CSV|expected 2 fields)"),
        ("a.jsonl", '{"text": "a", "y": 1}\n{"text": "b"\n', r"a.jsonl:2: invalid JSON"),
        ("a.jsonl", '{"text": "a"}\n', r"a.jsonl:1: missing key\(s\) \['y'\]"),
        ("a.jsonl", '{"text": 5, "y": 1}\n', r"a.jsonl:1: text is int, not a string"),
        ("a.jsonl", "[1, 2]\n", r"a.jsonl:1: each line must be a JSON object"),
    ],
)
def test_generic_malformed(tmp_path: Path, name: str, content: str, problem: str) -> None:
    path = write(tmp_path / name, content)
    with pytest.raises(DataFormatError, match=problem):
        list(load_table(path, text_column="text", labels={"TOXICITY": "y"}))


def test_generic_rejects_unknown_attribute(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "text,y\nhi,1\n")
    with pytest.raises(ValueError, match="unknown attribute"):
        list(load_table(path, text_column="text", labels={"RUDENESS": "y"}))


def test_parse_label_table() -> None:
    assert parse_label("1", 0.5) == (1, None)
    assert parse_label(" TRUE ", 0.5) == (1, None)
    assert parse_label("0.49", 0.5) == (0, 0.49)
    assert parse_label(0.5, 0.5) == (1, 0.5)
    assert parse_label("-1", 0.5) is None
    assert parse_label("", 0.5) is None
    assert parse_label(False, 0.5) == (0, None)


def test_jigsaw_2018_format(tmp_path: Path) -> None:
    header = "id,comment_text,toxic,severe_toxic,obscene,threat,insult,identity_hate\n"
    path = write(
        tmp_path / "train.csv",
        header + 'a1,"you, idiot",1,0,0,0,1,0\na2,hello,0,0,0,0,0,0\na3,test row,-1,-1,-1,-1,-1,-1\n',
    )
    recs = list(load_jigsaw_2018(path))
    assert len(recs) == 2  # the all -1 row carries no label
    assert recs[0].text == "you, idiot"
    assert recs[0].labels == {
        "TOXICITY": 1,
        "SEVERE_TOXICITY": 0,
        "PROFANITY": 0,
        "THREAT": 0,
        "INSULT": 1,
        "IDENTITY_ATTACK": 0,
    }
    assert recs[0].source == "jigsaw-2018"


def test_civil_comments_2019_format(tmp_path: Path) -> None:
    header = "id,target,comment_text,severe_toxicity,obscene,identity_attack,insult,threat,asian,funny\n"
    path = write(
        tmp_path / "train.csv",
        header + "1,0.6,you fool,0.0,0.1,0.0,0.5,0.0,,0\n2,0.166667,fine,0,0,0,0,0,0.0,1\n",
    )
    recs = list(load_civil_comments_2019(path))
    assert recs[0].labels == {
        "TOXICITY": 1,
        "SEVERE_TOXICITY": 0,
        "PROFANITY": 0,
        "THREAT": 0,
        "INSULT": 1,
        "IDENTITY_ATTACK": 0,
    }
    assert recs[0].soft["TOXICITY"] == pytest.approx(0.6)
    assert recs[1].labels["TOXICITY"] == 0
    alt = write(
        tmp_path / "all_data.csv",
        "id,comment_text,toxicity,severe_toxicity,obscene,identity_attack,insult,threat\n1,x,0.9,0,0,0,0,0\n",
    )
    assert next(iter(load_civil_comments_2019(alt))).labels["TOXICITY"] == 1
