"""Loaders of the hate, sexism and threat sets added later, on small rows written here in each real format.

Gab Hate Corpus, HateXplain, reddit-misogyny, DynaHate, EDOS and the YouTube threat
sentences: good rows, the label mapping, the official test split left out, and
malformed rows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.training.test_loaders import by_text, write
from training.errors import DataFormatError
from training.loaders import dynahate, edos, gab_hate, hatexplain, reddit_misogyny, youtube_threats

# -- Gab Hate Corpus -------------------------------------------------------------------

GHC = "text\thd\tcv\tvo\n"


def test_gab_hate_codes(tmp_path: Path) -> None:
    train = (
        GHC
        + "Nice photo of the lake \t0\t0\t0\n"
        + '"They are ""vermin"", all of them"\t1\t0\t0\n'
        + "Hang them all\t0\t1\t0\n"
        + "fuck this weather\t0\t0\t1\n"
        + "https://example.com/a\t0\t0\t0\n"
    )
    write(tmp_path / "ghc_train.filtered.tsv", train, gz=True)
    write(tmp_path / "ghc_test.filtered.tsv", GHC + "http://example.org/b\t1\t0\t0\n", gz=True)
    recs = by_text(list(gab_hate.load(tmp_path)))
    assert recs["Nice photo of the lake "].labels == {
        "TOXICITY": 0, "IDENTITY_ATTACK": 0, "THREAT": 0, "PROFANITY": 0, "SEVERE_TOXICITY": 0,
    }  # fmt: skip
    assert recs['They are "vermin", all of them'].labels == {
        "TOXICITY": 1, "IDENTITY_ATTACK": 1, "THREAT": 0, "PROFANITY": 0,
    }  # fmt: skip
    assert recs["Hang them all"].labels == {"TOXICITY": 1, "THREAT": 1, "PROFANITY": 0}
    assert recs["fuck this weather"].labels == {"TOXICITY": 1, "IDENTITY_ATTACK": 0, "THREAT": 0, "PROFANITY": 1}
    # A bare link is the same comment as the test file's bare link: left out.
    assert "https://example.com/a" not in recs
    assert len(recs) == 4


def test_gab_hate_never_yields_test_rows(tmp_path: Path) -> None:
    write(tmp_path / "ghc_train.tsv", GHC + "train post\t0\t0\t0\nposted twice\t0\t0\t0\n")
    write(tmp_path / "ghc_test.tsv", GHC + "test post\t1\t0\t0\nPosted twice!\t0\t0\t0\n")
    assert [r.text for r in gab_hate.load(tmp_path)] == ["train post"]


def test_gab_hate_malformed(tmp_path: Path) -> None:
    write(tmp_path / "ghc_test.tsv", GHC)
    write(tmp_path / "ghc_train.tsv", GHC + "ok\t0\t0\t0\nbad\t0\t2\t0\n")
    with pytest.raises(DataFormatError, match=r"ghc_train.tsv:3: column 'cv': '2' is not one of 0, 1"):
        list(gab_hate.load(tmp_path))


# -- HateXplain ------------------------------------------------------------------------

HX = "text,rationale_pos,label,label_gender,label_religion,label_race,label_economic,label_minority\n"


def test_hatexplain_labels(tmp_path: Path) -> None:
    rows = "a nice day out with friends,,0,0,0,0,0,0\nshut up you moron,moron,1,0,0,0,0,0\nall <group> are vermin,vermin,2,0,1,1,0,0\n"
    write(tmp_path / "preprocessed.filtered.csv", HX + rows, gz=True)
    assert [r.labels for r in hatexplain.load(tmp_path)] == [
        {"TOXICITY": 0, "IDENTITY_ATTACK": 0, "THREAT": 0, "INSULT": 0},
        {"TOXICITY": 1},  # identity attack unknown for offensive posts
        {"TOXICITY": 1, "IDENTITY_ATTACK": 1},
    ]
    write(tmp_path / "preprocessed.filtered.csv", HX + "x,,3,0,0,0,0,0\n", gz=True)
    with pytest.raises(DataFormatError, match=r"preprocessed.filtered.csv.gz:2: column 'label': '3'"):
        list(hatexplain.load(tmp_path))


# -- reddit-misogyny -------------------------------------------------------------------

RM_HEADER = (
    "entry_id,link_id,parent_id,entry_utc,subreddit,author,body,image,label_date,week,group,sheet_order,"
    "level_1,level_2,level_3,strength,highlight,split\n"
)


def rm_row(entry: str, body: str, level_2: str, level_3: str = "", split: str = "train", image: str = "") -> str:
    level_1 = reddit_misogyny.CATEGORIES[level_2]
    return f'{entry},t3_x,,1580652620,sub,user,"{body}",{image},17-02-2020,1,1,"(1,)",{level_1},{level_2},{level_3},,,{split}\n'


def test_reddit_misogyny_aggregates_entries(tmp_path: Path) -> None:
    rows = (
        rm_row("a1", "women are all liars", "Derogation")
        + rm_row("a1", "women are all liars", "Misogynistic_personal_attack", "Gender_of_recipient_is_Female")
        + rm_row("a2", "she should be beaten", "Treatment", "Threatening_Physical_violence")
        + rm_row("a3", "you absolute clown", "Nonmisogynistic_personal_attack", "Gender_of_recipient_is_Male")
        + rm_row("a4", "that is a sexist thing to say", "Counter_speech")
        + rm_row("a5", "Sounds fine", "None_of_the_categories", image="see you at the game")
        + rm_row("a6", "[removed]", "None_of_the_categories")
        + rm_row("a7", "", "None_of_the_categories")
        + rm_row("a8", "Nice", "None_of_the_categories")
        + rm_row("t1", "a test entry", "Derogation", split="test")
        + rm_row("t2", "nice!", "None_of_the_categories", split="test")
    )
    write(tmp_path / "final_labels.filtered.csv", RM_HEADER + rows, gz=True)
    recs = by_text(list(reddit_misogyny.load(tmp_path)))
    assert set(recs) == {
        "women are all liars",
        "she should be beaten",
        "you absolute clown",
        "that is a sexist thing to say",
        "Sounds fine,see you at the game",  # the text that spilled into `image`
    }
    assert recs["women are all liars"].labels == {"TOXICITY": 1, "IDENTITY_ATTACK": 1, "INSULT": 1}
    assert recs["she should be beaten"].labels == {"TOXICITY": 1, "IDENTITY_ATTACK": 1, "THREAT": 1}
    assert recs["you absolute clown"].labels == {"TOXICITY": 1, "IDENTITY_ATTACK": 0, "INSULT": 1}
    assert recs["that is a sexist thing to say"].labels == {"IDENTITY_ATTACK": 0}
    assert recs["Sounds fine,see you at the game"].labels == {"IDENTITY_ATTACK": 0}  # "none" is about misogyny only


def test_reddit_misogyny_malformed(tmp_path: Path) -> None:
    bad = rm_row("a1", "x", "Derogation").replace(",Misogynistic,", ",Nonmisogynistic,")
    write(tmp_path / "final_labels.csv", RM_HEADER + rm_row("a0", "ok", "Derogation") + bad)
    with pytest.raises(DataFormatError, match=r"final_labels.csv:3: level_2 'Derogation' does not belong"):
        list(reddit_misogyny.load(tmp_path))
    write(tmp_path / "final_labels.csv", RM_HEADER + rm_row("a0", "ok", "Derogation", split="valid"))
    with pytest.raises(DataFormatError, match=r"final_labels.csv:2: column 'split': 'valid'"):
        list(reddit_misogyny.load(tmp_path))


# -- DynaHate -----------------------------------------------------------------------------

DH_HEADER = (
    "Unnamed: 0,acl.id,X1,text,label,type,target,level,split,round.base,annotator,round,acl.id.matched,text_len\n"
)


def dh_row(aid: str, text: str, label: str, kind: str, level: str, matched: str = "", split: str = "dev") -> str:
    target = "none" if label == "nothate" else "mus"
    return f'1,{aid},1,"{text}",{label},{kind},{target},{level},{split},2,ann,2a,{matched},5\n'


def test_dynahate_mapping_groups_and_test_links(tmp_path: Path) -> None:
    dev = (
        dh_row("acl1", "muslims should be shot", "hate", "threatening", "original", "acl2")
        + dh_row("acl2", "murderers should be shot", "nothate", "none", "perturbation", "acl1")
        + dh_row("acl3", "muslims are vermin", "hate", "dehumanization", "original")
        + dh_row("acl4", "jews are great, really", "nothate", "none", "original", "acl9")
        + dh_row("acl5", "Fuck you!", "nothate", "none", "original")
    )
    test = dh_row("acl9", "jews are rats, really", "hate", "derogation", "perturbation", "acl4", "test")
    test += dh_row("acl10", "fuck you", "nothate", "none", "original", "", "test")
    write(tmp_path / "db_dev.filtered.csv", DH_HEADER + dev, gz=True)
    write(tmp_path / "db_test.csv", DH_HEADER + test, gz=True)
    recs = by_text(list(dynahate.load(tmp_path)))
    # acl4 is the original of a test perturbation and acl5 a copy of a test text: both left out.
    assert set(recs) == {"muslims should be shot", "murderers should be shot", "muslims are vermin"}
    assert recs["muslims should be shot"].labels == {"TOXICITY": 1, "IDENTITY_ATTACK": 1, "THREAT": 1}
    assert recs["murderers should be shot"].labels == {"IDENTITY_ATTACK": 0}
    assert recs["muslims are vermin"].labels == {"TOXICITY": 1, "IDENTITY_ATTACK": 1}
    assert recs["muslims should be shot"].group == recs["murderers should be shot"].group == "dynahate:acl1"
    assert recs["muslims are vermin"].group == "dynahate:acl3"


def test_dynahate_malformed(tmp_path: Path) -> None:
    write(tmp_path / "db_test.csv", DH_HEADER)
    write(tmp_path / "db_dev.csv", DH_HEADER + dh_row("acl1", "x", "hate", "none", "original"))
    with pytest.raises(DataFormatError, match=r"db_dev.csv:2: type 'none' does not fit label 'hate'"):
        list(dynahate.load(tmp_path))
    write(tmp_path / "db_dev.csv", DH_HEADER + dh_row("acl1", "x", "hateful", "none", "original"))
    with pytest.raises(DataFormatError, match=r"db_dev.csv:2: column 'label': 'hateful'"):
        list(dynahate.load(tmp_path))


# -- EDOS ------------------------------------------------------------------------------------

EDOS_HEADER = "rewire_id,text,label_sexist,label_category,label_vector,split\n"
THREAT_CAT = "1. threats, plans to harm and incitement"


def edos_row(rid: int, text: str, category: str = "none", vector: str = "none", split: str = "train") -> str:
    sexist = "not sexist" if category == "none" else "sexist"
    return f'sexism2022_english-{rid},"{text}",{sexist},"{category}","{vector}",{split}\n'


def test_edos_mapping_and_test_split(tmp_path: Path) -> None:
    rows = (
        edos_row(1, "[USER] she deserves a beating", THREAT_CAT, "1.1 threats of harm")
        + edos_row(2, "women are stupid sluts", "2. derogation", "2.1 descriptive attacks", "dev")
        + edos_row(3, "typical woman driver", "3. animosity", "3.2 immutable gender differences and gender stereotypes")
        + edos_row(
            4,
            "women should not vote",
            "4. prejudiced discussions",
            "4.2 supporting systemic discrimination against women as a group",
        )
        + edos_row(5, "[USER] great recipe, thanks [URL]")
        + edos_row(6, "a test post", "2. derogation", "2.1 descriptive attacks", "test")
        + edos_row(7, "What a lovely morning!!", split="test")
        + edos_row(8, "what a lovely morning")
    )
    write(tmp_path / "edos_labelled_aggregated.filtered.csv", EDOS_HEADER + rows, gz=True)
    recs = by_text(list(edos.load(tmp_path)))
    assert set(recs) == {
        "@USER she deserves a beating",
        "women are stupid sluts",
        "typical woman driver",
        "@USER great recipe, thanks URL",
    }
    assert recs["@USER she deserves a beating"].labels == {"TOXICITY": 1, "IDENTITY_ATTACK": 1, "THREAT": 1}
    assert recs["women are stupid sluts"].labels == {"TOXICITY": 1, "IDENTITY_ATTACK": 1, "THREAT": 0, "INSULT": 1}
    assert recs["typical woman driver"].labels == {"TOXICITY": 1, "IDENTITY_ATTACK": 1, "THREAT": 0}
    assert recs["@USER great recipe, thanks URL"].labels == {"IDENTITY_ATTACK": 0, "THREAT": 0}


def test_edos_malformed(tmp_path: Path) -> None:
    bad = edos_row(2, "x", "2. derogation", "3.1 casual use of gendered slurs, profanities, and insults")
    write(tmp_path / "edos_labelled_aggregated.csv", EDOS_HEADER + edos_row(1, "ok") + bad)
    with pytest.raises(DataFormatError, match=r"aggregated.csv:3: labels 'sexist', '2. derogation', '3.1 casual"):
        list(edos.load(tmp_path))
    write(tmp_path / "edos_labelled_aggregated.csv", EDOS_HEADER + edos_row(1, "ok", split="validation"))
    with pytest.raises(DataFormatError, match=r"aggregated.csv:2: column 'split': 'validation'"):
        list(edos.load(tmp_path))


# -- YouTube violent threats -----------------------------------------------------------------


def test_youtube_threats(tmp_path: Path) -> None:
    header = 'Tweets,"Labels (IND, GRP, OTH) (0,1,2)"\r\n'
    rows = "i will find you and kill you,0\r\nthey should all be shot,1\r\ndeport them all,2\r\n"
    write(tmp_path / "violent_threats_dataset_github.filtered.csv", header + rows, gz=True)
    recs = list(youtube_threats.load(tmp_path))
    assert [r.text for r in recs] == ["i will find you and kill you", "they should all be shot", "deport them all"]
    assert all(r.labels == {"THREAT": 1, "TOXICITY": 1} for r in recs)
    write(tmp_path / "violent_threats_dataset_github.filtered.csv", header + "x,3\r\n", gz=True)
    with pytest.raises(DataFormatError, match=r"github.filtered.csv.gz:2: column 'Labels \(IND, GRP, OTH\) \(0,1,2\)'"):
        list(youtube_threats.load(tmp_path))
