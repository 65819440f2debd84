"""Loaders of the comment-toxicity sets added later, on small rows written here in each real format.

Unhealthy Conversations, CAT-LARGE, TRAC-1, SBIC and ParaDetox: good rows, the
label mapping, the official test split left out, and malformed rows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.training.test_loaders import by_text, write
from training.errors import DataFormatError
from training.loaders import cat_large, paradetox, sbic, trac1, unhealthy

ALL = ("TOXICITY", "SEVERE_TOXICITY", "INSULT", "THREAT", "IDENTITY_ATTACK", "PROFANITY")

# -- Unhealthy Conversations ----------------------------------------------------------

UCC_HEADER = (
    "_unit_id,_trusted_judgments,comment,antagonize,antagonize:confidence,condescending,"
    "condescending:confidence,dismissive,dismissive:confidence,generalisation,generalisation:confidence,"
    "generalisation_unfair,generalisation_unfair:confidence,healthy,healthy:confidence,hostile,"
    "hostile:confidence,sarcastic,sarcastic:confidence\n"
)


def ucc_row(uid: int, text: str, healthy: int = 1, confidence: float = 1.0, **flags: int) -> str:
    def flag(name: str) -> str:
        return f"{flags.get(name, 0)},{confidence if name in flags else 1.0}"

    unfair = f"{flags.get('generalisation_unfair', 0)}.0,{confidence if 'generalisation_unfair' in flags else 0.0}"
    return (
        f'{uid},3,"{text}",{flag("antagonize")},{flag("condescending")},{flag("dismissive")},0,1.0,'
        f"{unfair},{healthy},{confidence},{flag('hostile')},{flag('sarcastic')}\n"
    )


def ucc_dir(tmp_path: Path, val: str, test: str = "") -> Path:
    write(tmp_path / "val.filtered.csv", UCC_HEADER + val, gz=True)
    write(tmp_path / "test.filtered.csv", UCC_HEADER + test, gz=True)
    return tmp_path


def test_unhealthy_mapping_and_weights(tmp_path: Path) -> None:
    val = (
        ucc_row(1, "Thanks, a fair point.", confidence=0.9)
        + ucc_row(2, "You are a troll, go away", healthy=0, confidence=0.8, antagonize=1)
        + ucc_row(3, "Get out of here, scum", healthy=0, confidence=0.7, hostile=1)
        + ucc_row(4, "Oh sure, brilliant idea", healthy=0, confidence=0.6, sarcastic=1)
        + ucc_row(5, "They are all lazy", healthy=0, confidence=0.6, generalisation_unfair=1)
        + ucc_row(6, "Nothing is marked", healthy=0, confidence=0.6)
    )
    recs = by_text(list(unhealthy.load(ucc_dir(tmp_path, val))))
    assert set(recs) == {"Thanks, a fair point.", "You are a troll, go away", "Get out of here, scum"}
    assert recs["Thanks, a fair point."].labels == dict.fromkeys(
        ("TOXICITY", "INSULT", "THREAT", "IDENTITY_ATTACK", "SEVERE_TOXICITY"), 0
    )
    assert recs["Thanks, a fair point."].weight == pytest.approx(0.9)
    assert recs["You are a troll, go away"].labels == {"TOXICITY": 1, "INSULT": 1}
    assert recs["You are a troll, go away"].weight == pytest.approx(0.8)
    assert recs["Get out of here, scum"].labels == {"TOXICITY": 1}
    assert recs["Get out of here, scum"].ref.endswith("_unit_id=3")


def test_unhealthy_hostility_wins_over_healthy(tmp_path: Path) -> None:
    recs = list(
        unhealthy.load(ucc_dir(tmp_path, ucc_row(1, "The mayor is a liar.", healthy=1, confidence=0.6, hostile=1)))
    )
    assert [r.labels for r in recs] == [{"TOXICITY": 1}]


def test_unhealthy_never_yields_the_test_file(tmp_path: Path) -> None:
    val = ucc_row(1, "A val comment.") + ucc_row(2, "Well put,  sir!")
    test = ucc_row(3, "Only in the test file.") + ucc_row(4, "WELL PUT SIR")
    recs = list(unhealthy.load(ucc_dir(tmp_path, val, test)))
    assert [r.text for r in recs] == ["A val comment."]  # the near-copy of a test text is dropped too


def test_unhealthy_malformed_row(tmp_path: Path) -> None:
    ucc_dir(tmp_path, ucc_row(1, "ok") + ucc_row(2, "bad", healthy=0, confidence=0.3, hostile=1))
    with pytest.raises(DataFormatError, match=r"val.filtered.csv.gz:3: column 'hostile:confidence': '0.3' is outside"):
        list(unhealthy.load(tmp_path))
    ucc_dir(tmp_path, ucc_row(1, "ok", healthy=2))
    with pytest.raises(DataFormatError, match=r":2: column 'healthy': '2' is not one of"):
        list(unhealthy.load(tmp_path))


# -- CAT-LARGE ------------------------------------------------------------------------


def test_cat_large_labels_not_api(tmp_path: Path) -> None:
    write(
        tmp_path / "gc.filtered.csv",
        'id,text,parent,label,api\n1.2.3,"You, sir, are a fool",Earlier comment,1,0.05\n1.2.4,Thanks!,x,0,0.97\n',
        gz=True,
    )
    write(tmp_path / "gn.filtered.csv", 'id,text,label,api,parent\n4.5.6,"multi\nline",0,0.9,\n', gz=True)
    recs = list(cat_large.load(tmp_path))
    assert [(r.text, r.labels) for r in recs] == [
        ("You, sir, are a fool", {"TOXICITY": 1}),  # the api score (0.05) is ignored
        ("Thanks!", {"TOXICITY": 0}),
        ("multi\nline", {"TOXICITY": 0}),
    ]
    assert recs[2].ref == "gn.filtered.csv.gz:3 id=4.5.6"


def test_cat_large_bad_label(tmp_path: Path) -> None:
    write(tmp_path / "gc.csv", "id,text,parent,label,api\n1,x,y,0.7,0.7\n")
    write(tmp_path / "gn.csv", "id,text,label,api,parent\n")
    with pytest.raises(DataFormatError, match=r"gc.csv:2: column 'label': '0.7' is not one of 0, 1"):
        list(cat_large.load(tmp_path))


# -- TRAC-1 ----------------------------------------------------------------------------

TRAC_TRAIN = (
    "facebook_corpus_msr_1,You people are traitors and idiots,OAG\r\n"
    'facebook_corpus_msr_2,"Nice work,\nwell done",NAG\r\n'
    "facebook_corpus_msr_3,Some people never learn,CAG\r\n"
    "(Save Kashmir).,Select,NAG\r\n"
)


def test_trac1_mapping_and_broken_record(tmp_path: Path) -> None:
    write(tmp_path / "agr_en_train.filtered.csv", TRAC_TRAIN, gz=True)
    write(tmp_path / "agr_en_dev.filtered.csv", "facebook_corpus_msr_9,Get lost,OAG\r\n", gz=True)
    recs = list(trac1.load(tmp_path))
    assert [(r.text, r.labels) for r in recs] == [
        ("You people are traitors and idiots", {"TOXICITY": 1}),
        ("Nice work,\nwell done", {"TOXICITY": 0}),  # LF inside quotes kept; CAG and the broken record skipped
        ("Get lost", {"TOXICITY": 1}),
    ]
    assert recs[1].ref == "agr_en_train.filtered.csv.gz:3 facebook_corpus_msr_2"


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ("facebook_corpus_msr_4,text,XAG\r\n", "column 'label': 'XAG' is not one of OAG, CAG, NAG"),
        ("Select,text,NAG\r\n", "id 'Select' is not facebook_corpus_msr_<number>"),
        ("facebook_corpus_msr_4,text\r\n", "expected 3 fields, found 2"),
    ],
)
def test_trac1_malformed(tmp_path: Path, record: str, problem: str) -> None:
    write(tmp_path / "agr_en_train.csv", TRAC_TRAIN + record)
    write(tmp_path / "agr_en_dev.csv", "")
    with pytest.raises(DataFormatError, match=r"agr_en_train.csv:6: ") as err:
        list(trac1.load(tmp_path))
    assert problem in str(err.value)


# -- SBIC --------------------------------------------------------------------------------

SBIC_HEADER = (
    ",post,targetMinority,targetCategory,targetStereotype,whoTarget,intentYN,sexYN,offensiveYN,"
    "dataSource,hasBiasedImplication\n"
)
SBIC_DEV = (
    SBIC_HEADER
    + '0,"group joke",["black folks"],["race"],"[""are lazy""]",1.0,1.0,0.0,1.0,r/darkjokes,0\n'
    + "1,you are an idiot,[],[],[],0.0,1.0,0.0,0.6666666666666666,t/founta,1\n"
    + '2,"lovely day\nout",[],[],[],,0.0,0.0,0.0,Gab,1\n'
    + "3,meh maybe,[],[],[],0.0,0.3,0.0,0.3333333333333333,Gab,1\n"
    + "4,group but no implication,[],[],[],1.0,1.0,0.0,0.8333333333333334,Stormfront,1\n"
    + "5,shared with test,[],[],[],0.0,0.0,0.0,0.0,Gab,1\n"
)


def test_sbic_mapping_and_test_split(tmp_path: Path) -> None:
    write(tmp_path / "SBIC.v2.agg.dev.filtered.csv", SBIC_DEV, gz=True)
    write(
        tmp_path / "SBIC.v2.agg.tst.filtered.csv",
        SBIC_HEADER + "0,Shared with test!,[],[],[],0.0,0.0,0.0,1.0,Gab,1\n",
        gz=True,
    )
    recs = by_text(list(sbic.load(tmp_path)))
    assert set(recs) == {"group joke", "you are an idiot", "lovely day\nout", "group but no implication"}
    assert recs["group joke"].labels == {"TOXICITY": 1, "IDENTITY_ATTACK": 1}
    assert recs["you are an idiot"].labels == {"TOXICITY": 1, "IDENTITY_ATTACK": 0}
    assert recs["you are an idiot"].soft == {"TOXICITY": pytest.approx(2 / 3)}
    assert recs["you are an idiot"].weight == pytest.approx(2 / 3)
    assert recs["lovely day\nout"].labels == {"TOXICITY": 0, "IDENTITY_ATTACK": 0, "THREAT": 0}
    assert recs["group but no implication"].labels == {"TOXICITY": 1}


def test_sbic_malformed(tmp_path: Path) -> None:
    write(tmp_path / "SBIC.v2.agg.tst.csv", SBIC_HEADER)
    write(tmp_path / "SBIC.v2.agg.dev.csv", SBIC_HEADER + "0,x,[],[],[],0.0,0.0,0.0,1.5,Gab,1\n")
    with pytest.raises(DataFormatError, match=r"agg.dev.csv:2: column 'offensiveYN': '1.5' is outside \[0, 1\]"):
        list(sbic.load(tmp_path))
    write(tmp_path / "SBIC.v2.agg.dev.csv", SBIC_HEADER + "0,x,[],[],[],0.0,0.0,0.0,1.0,Gab,yes\n")
    with pytest.raises(DataFormatError, match=r":2: column 'hasBiasedImplication': 'yes'"):
        list(sbic.load(tmp_path))


# -- ParaDetox -----------------------------------------------------------------------------

PARA = (
    "toxic\tneutral1\tneutral2\tneutral3\n"
    "you are a fucking idiot !\tYou are wrong.\tI disagree with you.\t\n"
    'shut the "hell" up\tPlease be quiet.\tshut the "hell" up\t\n'
)
CANNOT = (
    "\tINPUT:toxic_comment\tOUTPUT:reasons\n"
    '0\t"""you are a fucking idiot !"""\t"{""toxic_content"":true}"\n'
    '1\t"""what a \\""stupid\\"" law"""\t"{""toxic_content"":true}"\n'
    '2\t"""he is a bastard"""\t"{""toxic_content"":true}"\n'
    '3\t"""he is a bastard"""\t"{""not_toxic"":true}"\n'
    '4\t"""i like cats"""\t"{""not_toxic"":true}"\n'
    '5\t"""unclear one"""\t"{""unclear"":true,""toxic_content"":true}"\n'
    '6\t83\t"{""toxic_content"":true}"\n'
    '7\ttrue\t"{""toxic_content"":true}"\n'
)


def para_dir(tmp_path: Path, cannot: str = CANNOT) -> Path:
    write(tmp_path / "paradetox.filtered.tsv", PARA, gz=True)
    write(tmp_path / "paradetox_cannot_rewrite.filtered.tsv", cannot, gz=True)
    return tmp_path


def test_paradetox_pairs_share_a_group(tmp_path: Path) -> None:
    recs = list(paradetox.load(para_dir(tmp_path)))
    texts = [(r.text, r.labels.get("TOXICITY")) for r in recs]
    assert texts == [
        ("you are a fucking idiot !", 1),
        ("You are wrong.", 0),
        ("I disagree with you.", 0),
        ('shut the "hell" up', 1),
        ("Please be quiet.", 0),  # the unchanged copy of the toxic sentence is skipped
        ("you are a fucking idiot !", 1),
        ('what a "stupid" law', 1),
    ]
    assert recs[1].labels == dict.fromkeys(ALL, 0)
    assert recs[0].group == recs[1].group == recs[2].group == recs[5].group
    assert recs[3].group == recs[4].group != recs[0].group
    assert recs[6].group.startswith("paradetox:")


def test_paradetox_malformed(tmp_path: Path) -> None:
    para_dir(tmp_path, CANNOT + '8\t"""x"""\t"{""rude"":true}"\n')
    with pytest.raises(DataFormatError, match=r"cannot_rewrite.filtered.tsv.gz:10: column 'OUTPUT:reasons'"):
        list(paradetox.load(tmp_path))
    para_dir(tmp_path, CANNOT + '8\tnot json\t"{""toxic_content"":true}"\n')
    with pytest.raises(DataFormatError, match=r":10: column 'INPUT:toxic_comment': invalid JSON"):
        list(paradetox.load(tmp_path))
