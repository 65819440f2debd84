"""The multilingual loaders on small files written here, in each set's real format, good and bad."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.training.test_loaders import OLID, by_text, write
from training.errors import DataFormatError
from training.loaders import olid
from training.loaders.multilingual import (
    ar_lhsab,
    ar_osact2020,
    de_gahd,
    de_germeval2018,
    hi_en_trac1,
    id_ibrohim2019,
    ja_inspection_toxic,
    ko_beep,
    mlma,
    pt_offcombr,
    pt_toldbr,
    ru_distorted_toxicity,
    zh_cold,
)
from training.records import Record


def test_record_language_defaults_to_english_and_must_be_a_tag() -> None:
    assert Record(text="hi", source="s", labels={"TOXICITY": 0}).language == "en"
    assert Record(text="hi", source="s", labels={}, language="hi-Latn").language == "hi-Latn"
    for bad in ("", "EN", "english", "hi_Latn", "hi-latn"):
        with pytest.raises(ValueError, match="is not a tag like en or hi-Latn"):
            Record(text="hi", source="s", labels={}, language=bad)


def test_english_loaders_leave_the_default_language(tmp_path: Path) -> None:
    write(tmp_path / "olid-training-v1.0.tsv", OLID)
    records = list(olid.load(tmp_path))
    assert records and {r.language for r in records} == {"en"}


def test_germeval_classes(tmp_path: Path) -> None:
    write(
        tmp_path / "germeval2018.training.txt",
        "Schönen Tag noch\tOTHER\tOTHER\n"
        "Du bist ein Idiot\tOFFENSE\tINSULT\n"
        "Scheiße|LBR|nochmal\tOFFENSE\tPROFANITY\n"
        "Die sind alle gleich\tOFFENSE\tABUSE\n",
        gz=True,
    )
    recs = by_text(list(de_germeval2018.load(tmp_path)))
    assert recs["Schönen Tag noch"].labels == {"TOXICITY": 0, "INSULT": 0, "PROFANITY": 0, "IDENTITY_ATTACK": 0}
    assert recs["Du bist ein Idiot"].labels == {"TOXICITY": 1, "INSULT": 1, "IDENTITY_ATTACK": 0}
    assert recs["Scheiße\nnochmal"].labels == {"TOXICITY": 1, "PROFANITY": 1, "INSULT": 0, "IDENTITY_ATTACK": 0}
    assert recs["Die sind alle gleich"].labels == {"TOXICITY": 1, "IDENTITY_ATTACK": 1}
    assert {r.language for r in recs.values()} == {"de"}
    write(tmp_path / "germeval2018.training.txt", "Text\tOTHER\tINSULT\n")  # found before the .gz
    with pytest.raises(DataFormatError, match=r"training.txt:1: label pair OTHER/INSULT is not one GermEval 2018"):
        list(de_germeval2018.load(tmp_path))


GAHD = "gahd_id,text,label,round,split,contrastive_gahd_id\n"


def test_gahd_pairs_share_a_group_and_test_rows_are_refused(tmp_path: Path) -> None:
    write(
        tmp_path / "gahd.train-dev-part.csv",
        GAHD + "b1,Die sind Ungeziefer,1,R1,train,a1\na1,Die sind Nachbarn,0,R1,dev,b1\nc1,,0,R2,train,\n",
    )
    recs = list(de_gahd.load(tmp_path))
    assert [r.labels for r in recs] == [{"IDENTITY_ATTACK": 1}, {"IDENTITY_ATTACK": 0}]  # the empty text is skipped
    assert recs[0].group == recs[1].group == "de-gahd:a1"
    write(tmp_path / "gahd.train-dev-part.csv", GAHD + "d1,Ein Satz,0,R1,test,\n")
    with pytest.raises(DataFormatError, match="column 'split': 'test' is not one of train, dev"):
        list(de_gahd.load(tmp_path))


def test_trac1_hindi_maps_overt_aggression_and_tags_the_script(tmp_path: Path) -> None:
    write(
        tmp_path / "agr_hi_train.csv",
        "facebook_corpus_msr_1,tu pagal hai kya,OAG\n"
        "facebook_corpus_msr_2,bahut accha laga,NAG\n"
        "facebook_corpus_msr_3,haan haan bilkul,CAG\n"
        "facebook_corpus_msr_4,जय हो भारत,NAG\n",
    )
    recs = by_text(list(hi_en_trac1.load(tmp_path)))
    assert set(recs) == {"tu pagal hai kya", "bahut accha laga", "जय हो भारत"}  # CAG is left out
    assert recs["tu pagal hai kya"].labels == {"TOXICITY": 1}
    assert recs["bahut accha laga"].language == "hi-Latn"
    assert recs["जय हो भारत"].language == "hi"
    write(tmp_path / "agr_hi_train.csv", "msr_5,text,NAG\n")
    with pytest.raises(DataFormatError, match="id 'msr_5' is not facebook_corpus_msr_<number>"):
        list(hi_en_trac1.load(tmp_path))


TOLD = "text,homophobia,obscene,insult,racism,misogyny,xenophobia\n"


def test_toldbr_majority_of_three(tmp_path: Path) -> None:
    write(
        tmp_path / "ToLD-BR.train-part.csv",
        TOLD + '"que dia lindo",0.0,0.0,0.0,0.0,0.0,0.0\n'
        "seu otario,0.0,1.0,2.0,0.0,0.0,0.0\n"
        "so um viu,1.0,0.0,1.0,0.0,0.0,0.0\n"
        "vai se foder bicha,3.0,3.0,0.0,0.0,0.0,0.0\n",
    )
    recs = by_text(list(pt_toldbr.load(tmp_path)))
    assert recs["que dia lindo"].labels == {"TOXICITY": 0, "INSULT": 0, "PROFANITY": 0, "IDENTITY_ATTACK": 0}
    assert recs["seu otario"].labels == {"TOXICITY": 1, "INSULT": 1, "PROFANITY": 0, "IDENTITY_ATTACK": 0}
    assert recs["seu otario"].soft["PROFANITY"] == pytest.approx(1 / 3)
    assert recs["so um viu"].labels["TOXICITY"] == 0  # one annotator of three is no majority
    assert recs["vai se foder bicha"].labels == {"TOXICITY": 1, "INSULT": 0, "PROFANITY": 1, "IDENTITY_ATTACK": 1}
    write(tmp_path / "ToLD-BR.train-part.csv", TOLD + "x,0.0,0.5,0.0,0.0,0.0,0.0\n")
    with pytest.raises(DataFormatError, match="'obscene': 0.5 is not a whole number of annotators"):
        list(pt_toldbr.load(tmp_path))
    write(tmp_path / "ToLD-BR.train-part.csv", TOLD + "x,0.0,4.0,0.0,0.0,0.0,0.0\n")
    with pytest.raises(DataFormatError, match=r"'obscene': '4.0' is outside \[0, 3\]"):
        list(pt_toldbr.load(tmp_path))


ARFF = "@relation data\n\n@attribute @@class {no,yes}\n@attribute document string\n\n@data\n"


def test_offcombr_weights_unanimous_comments_higher(tmp_path: Path) -> None:
    write(tmp_path / "OffComBR2.arff.train-part.arff", ARFF + "yes,'vai tomar no cu'\nno,'bom texto'\nno,'sei la'\n")
    write(tmp_path / "OffComBR3.arff.train-part.arff", ARFF + "yes,'vai tomar no cu'\nyes,'sei la'\n", gz=True)
    recs = by_text(list(pt_offcombr.load(tmp_path)))
    assert recs["vai tomar no cu"].labels == {"TOXICITY": 1} and recs["vai tomar no cu"].weight == 1.0
    assert recs["bom texto"].weight == pytest.approx(pt_offcombr.MAJORITY_WEIGHT)
    assert recs["sei la"].weight == pytest.approx(pt_offcombr.MAJORITY_WEIGHT)  # labels differ: not unanimous
    write(tmp_path / "OffComBR2.arff.train-part.arff", ARFF + "maybe,'x'\n")
    with pytest.raises(DataFormatError, match=r"OffComBR2.arff.train-part.arff:7: expected yes,'<comment>'"):
        list(pt_offcombr.load(tmp_path))
    write(tmp_path / "OffComBR2.arff.train-part.arff", "@relation data\nyes,'x'\n")
    with pytest.raises(DataFormatError, match="no @data line"):
        list(pt_offcombr.load(tmp_path))


def test_beep_hate_is_severe_and_bias_is_not_mapped(tmp_path: Path) -> None:
    write(
        tmp_path / "train.tsv",
        "comments\tcontain_gender_bias\tbias\thate\n"
        '너무 "예쁘다"\tFalse\tnone\tnone\n'
        "꺼져라 진짜\tFalse\tothers\toffensive\n"
        "여자들은 다 그래\tTrue\tgender\thate\n",
    )
    recs = by_text(list(ko_beep.load(tmp_path)))
    assert recs['너무 "예쁘다"'].labels == {"TOXICITY": 0, "SEVERE_TOXICITY": 0}
    assert recs["꺼져라 진짜"].labels == {"TOXICITY": 1, "SEVERE_TOXICITY": 0}
    assert recs["여자들은 다 그래"].labels == {"TOXICITY": 1, "SEVERE_TOXICITY": 1}
    assert all("IDENTITY_ATTACK" not in r.labels for r in recs.values())


def test_cold_reads_train_and_dev_and_refuses_test_rows(tmp_path: Path) -> None:
    header = "\ufeff,split,topic,label,TEXT\n"
    write(tmp_path / "train.csv", header + "1,train,race,1,黑人都一样\n", gz=True)
    write(tmp_path / "dev.csv", header + "2,dev,region,0,我也是四川人\n3,train,gender,0,男女平等\n", gz=True)
    recs = by_text(list(zh_cold.load(tmp_path)))
    assert recs["黑人都一样"].labels == {"TOXICITY": 1}
    assert recs["我也是四川人"].labels == recs["男女平等"].labels == {"TOXICITY": 0}
    assert {r.language for r in recs.values()} == {"zh"}
    write(tmp_path / "dev.csv", header + "4,test,race,1,测试\n")
    with pytest.raises(DataFormatError, match="column 'split': 'test' is not one of train, dev"):
        list(zh_cold.load(tmp_path))


IBROHIM = "Tweet,HS,Abusive,HS_Individual,HS_Group,HS_Religion,HS_Race,HS_Physical,HS_Gender,HS_Other,HS_Weak,HS_Moderate,HS_Strong\n"


def test_ibrohim_flags_and_broken_bytes(tmp_path: Path) -> None:
    rows = (
        IBROHIM + "selamat pagi semua,0,0,0,0,0,0,0,0,0,0,0,0\n"
        "dasar kamu bego,1,1,1,0,0,0,0,0,1,1,0,0\n"
        "kafir semua itu,1,0,0,1,1,0,0,0,0,0,0,1\n"
        "anjing lah macet,0,1,0,0,0,0,0,0,0,0,0,0\n"
    )
    path = tmp_path / "re_dataset.train-part.csv"
    path.write_bytes(rows.encode() + b"rusak \xf0?\xa4? ya,0,0,0,0,0,0,0,0,0,0,0,0\n")
    recs = by_text(list(id_ibrohim2019.load(tmp_path)))
    assert recs["selamat pagi semua"].labels == dict(
        TOXICITY=0, IDENTITY_ATTACK=0, PROFANITY=0, INSULT=0, SEVERE_TOXICITY=0
    )
    assert recs["dasar kamu bego"].labels == dict(
        TOXICITY=1, IDENTITY_ATTACK=0, PROFANITY=1, INSULT=1, SEVERE_TOXICITY=0
    )
    assert recs["kafir semua itu"].labels == dict(TOXICITY=1, IDENTITY_ATTACK=1, PROFANITY=0, SEVERE_TOXICITY=1)
    assert recs["anjing lah macet"].labels == dict(TOXICITY=1, IDENTITY_ATTACK=0, PROFANITY=1)
    assert any("\ufffd" in text for text in recs)
    write(path, IBROHIM + "x,0,0,1,0,0,0,0,0,0,0,0,0\n")
    with pytest.raises(DataFormatError, match="a hate-speech detail flag is set without HS"):
        list(id_ibrohim2019.load(tmp_path))


MLMA = "HITId,tweet,sentiment,directness,annotator_sentiment,target,group\n"


@pytest.mark.parametrize(("loader", "language"), [(mlma.load_fr, "fr"), (mlma.load_ar, "ar")])
def test_mlma_hostility_types(tmp_path: Path, loader, language: str) -> None:
    write(
        tmp_path / f"{language}_dataset.train-part.csv",
        MLMA + "1,bonne journée,normal,indirect,indifference,other,other\n"
        "2,quel mongol,offensive,direct,anger,other,individual\n"
        "3,dehors les migrants,hateful_abusive,indirect,anger,origin,immigrants\n"
        "4,ils sont nuls,hateful,indirect,anger,other,other\n"
        "5,mouais,disrespectful_normal,indirect,indifference,other,other\n",
    )
    recs = by_text(list(loader(tmp_path)))
    assert recs["bonne journée"].labels == {"TOXICITY": 0, "IDENTITY_ATTACK": 0, "INSULT": 0}
    assert recs["quel mongol"].labels == {"TOXICITY": 1, "IDENTITY_ATTACK": 0, "INSULT": 1}
    assert recs["dehors les migrants"].labels == {"TOXICITY": 1, "IDENTITY_ATTACK": 1, "INSULT": 1}
    assert recs["ils sont nuls"].labels == {"TOXICITY": 1}  # hateful, unprotected target: unknown
    assert recs["mouais"].labels == {"TOXICITY": 1, "IDENTITY_ATTACK": 0}  # normal with another type counts
    assert {r.language for r in recs.values()} == {language}
    assert {r.source for r in recs.values()} == {f"{language}-mlma"}
    write(tmp_path / f"{language}_dataset.train-part.csv", MLMA + "6,x,angry,direct,anger,other,other\n")
    with pytest.raises(DataFormatError, match="sentiment 'angry' is not made of abusive, disrespectful"):
        list(loader(tmp_path))


def test_lhsab_classes_and_multiline_tweets(tmp_path: Path) -> None:
    write(
        tmp_path / "L-HSAB.train-part.tsv", 'Tweet\tClass\nصباح الخير\tnormal\n"يا حمار\nيا كلب"\tabusive\nهم\thate\n'
    )
    recs = by_text(list(ar_lhsab.load(tmp_path)))
    assert recs["صباح الخير"].labels == {"TOXICITY": 0, "IDENTITY_ATTACK": 0}
    assert recs["يا حمار\nيا كلب"].labels == {"TOXICITY": 1, "IDENTITY_ATTACK": 0}
    assert recs["هم"].labels == {"TOXICITY": 1, "IDENTITY_ATTACK": 1}
    write(tmp_path / "L-HSAB.train-part.tsv", "Tweet\tClass\nنص\tspam\n")
    with pytest.raises(DataFormatError, match="column 'Class': 'spam' is not one of normal, abusive, hate"):
        list(ar_lhsab.load(tmp_path))


def test_osact_labels_and_line_breaks(tmp_path: Path) -> None:
    write(
        tmp_path / "OSACT2020-sharedTask-train.txt",
        'مبروك<LF>للزمالك\tNOT_OFF\tNOT_HS\nيا "حيوان"\tOFF\tNOT_HS\nالله يلعنكم\tOFF\tHS\n',
    )
    recs = by_text(list(ar_osact2020.load(tmp_path)))
    assert recs["مبروك\nللزمالك"].labels == {"TOXICITY": 0, "IDENTITY_ATTACK": 0}
    assert recs['يا "حيوان"'].labels == {"TOXICITY": 1, "IDENTITY_ATTACK": 0}
    assert recs["الله يلعنكم"].labels == {"TOXICITY": 1, "IDENTITY_ATTACK": 1}
    write(tmp_path / "OSACT2020-sharedTask-train.txt", "نص\tOFF\n")
    with pytest.raises(DataFormatError, match="expected 3 fields, found 2"):
        list(ar_osact2020.load(tmp_path))


JA = "id,text,Not Toxic,Hard to Say,Toxic,Very Toxic,category_卑語,category_差別,category_迷惑行為,category_猥褻,category_出会い・プライバシー侵害,category_違法行為,category_偏向表現,annotation_num\n"


def test_inspection_majorities(tmp_path: Path) -> None:
    write(
        tmp_path / "subset.train-part.csv",
        JA + "1,ありがとう,3,0,0,0,0,0,0,0,0,0,0,3\n"
        "2,死ねよカス,0,0,1,2,2,0,0,0,0,0,0,3\n"
        "3,微妙だね,1,1,1,0,0,0,0,0,0,0,0,3\n"
        "4,外国人は出ていけ,1,0,2,0,0,2,0,0,0,0,0,3\n",
    )
    recs = by_text(list(ja_inspection_toxic.load(tmp_path)))
    assert set(recs) == {"ありがとう", "死ねよカス", "外国人は出ていけ"}  # no majority: left out
    assert recs["ありがとう"].labels == dict.fromkeys(
        ("TOXICITY", "SEVERE_TOXICITY", "IDENTITY_ATTACK", "PROFANITY"), 0
    )
    assert recs["死ねよカス"].labels == {"TOXICITY": 1, "SEVERE_TOXICITY": 1, "PROFANITY": 1}
    assert recs["外国人は出ていけ"].labels == {"TOXICITY": 1, "SEVERE_TOXICITY": 0, "IDENTITY_ATTACK": 1}
    assert recs["外国人は出ていけ"].soft["TOXICITY"] == pytest.approx(2 / 3)
    write(tmp_path / "subset.train-part.csv", JA + "5,x,1,0,0,0,0,0,0,0,0,0,0,3\n")
    with pytest.raises(DataFormatError, match="votes 1 do not add up to annotation_num 3"):
        list(ja_inspection_toxic.load(tmp_path))


RU = "comment_id\tsource\tcomments\tdistortion\ttoxicity\tcorrected\n"


def test_russian_uses_what_the_user_wrote(tmp_path: Path) -> None:
    write(
        tmp_path / "russian_distorted_toxicity.train-part.tsv",
        RU + "1\tлентач\tхорошая новость\t0\t0\t\n2\tмедуза\tну ты и х*йло\t1\t1\tну ты и хуйло\n",
    )
    recs = by_text(list(ru_distorted_toxicity.load(tmp_path)))
    assert recs["хорошая новость"].labels == {"TOXICITY": 0}
    assert recs["ну ты и х*йло"].labels == {"TOXICITY": 1}
    assert {r.language for r in recs.values()} == {"ru"}
    write(tmp_path / "russian_distorted_toxicity.train-part.tsv", RU + "3\tлентач\t\t0\t0\t\n")
    with pytest.raises(DataFormatError, match="empty comment"):
        list(ru_distorted_toxicity.load(tmp_path))
