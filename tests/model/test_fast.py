"""The fast path gives the same scores as the scikit-learn featuriser it replaces."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import model.normalize as normalization
from model import ToxicityModel
from model.calibration import Calibrator
from model.fast import (
    IS_DIGIT,
    IS_SPACE,
    IS_WORD,
    UNIT_SUFFIXES,
    URL_SUFFIXES,
    USER_CPS,
    FastScorer,
    char_classes,
    check_settings,
    finish_normalize,
)
from model.features import FeatureParams, Featurizer
from model.normalize import LEET_KEEP_SUFFIXES, USER_TOKEN, normalize, normalize_head, normalize_tail

TOLERANCE = 1e-6

VARIED = [
    "",
    "a",
    "you are a pathetic idiot",
    "Y0U ARE AN 1D10T!!!",
    "i d i o t",
    "Great point, I agree with the article.",
    "check http://example.com/a?b=c and mail me at someone@example.org",
    "@user @user you people are the worst URL",
    "Ｔｈｉｓ ｉｓ ｆｕｌｌ ｗｉｄｔｈ",
    "emoji 😀🔥 and 𝐛𝐨𝐥𝐝 and 日本語のテキスト and עברית and العربية",
    "combining e\u0301 and zero\u200bwidth and lone \ud800 surrogate",
    "supercalifragilisticexpialidocious " * 3,
    "x" * 300,
    "word " * 400,
    # Whole words with their own character lists next to the same letters elsewhere:
    # repeated words, punctuation, plurals, and words outside the vocabulary.
    "idiot idiot idiots, idiot! (idiot) idiot's idiotidiot stupid stupidity stupid",
    "the the the cat, the hat; thethe xqzv xqzv the",
]


def assert_same(model: ToxicityModel, texts: list[str]) -> None:
    fast = model.fast()
    assert fast is not None, model.fast_path_error
    ref_logits = model.reference_logits(texts)
    ref = model.calibrate(ref_logits)
    got = fast.probabilities(texts)
    assert got.shape == ref.shape
    assert np.abs(got - ref).max() <= TOLERANCE
    assert np.abs(fast.logits(texts) - ref_logits).max() <= TOLERANCE
    # One at a time and in a batch are the same computation.
    one_by_one = np.vstack([fast.probabilities([t]) for t in texts])
    assert np.abs(one_by_one - got).max() <= 1e-12


def test_shipped_model_fast_path_matches_scikit_learn(shipped_model: ToxicityModel) -> None:
    assert_same(shipped_model, VARIED)


def test_tiny_model_fast_path_matches_scikit_learn(tiny_model: ToxicityModel) -> None:
    # The tiny model has character (2, 4)-grams: the kernel is not tied to (2, 5).
    assert_same(tiny_model, VARIED)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=5))
def test_fast_path_matches_on_arbitrary_text(shipped_model: ToxicityModel, texts: list[str]) -> None:
    assert_same(shipped_model, texts)


def test_probabilities_use_the_fast_path(shipped_model: ToxicityModel) -> None:
    texts = ["you are a pathetic idiot", "thanks, lovely photo"]
    assert shipped_model.fast() is not None
    assert np.abs(shipped_model.probabilities(texts) - shipped_model.reference_probabilities(texts)).max() <= TOLERANCE


@pytest.mark.parametrize("char_range", [(1, 3), (3, 7)])
def test_other_ngram_ranges_match(char_range: tuple[int, int]) -> None:
    raw = VARIED + ["the cat sat on the mat", "a bb ccc dddd eeeee ffffff"] * 2
    texts = [normalize(t) for t in raw]
    params = FeatureParams(word_min_df=1, char_min_df=1, char_ngram_range=char_range)
    featurizer, _ = Featurizer.fit(texts, params)
    rng = np.random.default_rng(0)
    coef = rng.normal(size=(featurizer.n_features, 2))
    intercept = np.array([0.1, -0.2])
    cals = [Calibrator("sigmoid", a=1.5, b=-0.3), Calibrator("isotonic", x=(-1.0, 0.0, 1.0), y=(0.1, 0.4, 0.9))]
    fast = FastScorer(featurizer, coef, intercept, cals)
    logits = np.asarray(featurizer.transform(texts) @ coef) + intercept
    assert np.abs(fast.logits(raw) - logits).max() <= TOLERANCE
    probs = np.column_stack([cal(logits[:, j]) for j, cal in enumerate(cals)])
    assert np.abs(fast.probabilities(raw) - np.clip(probs, 0, 1)).max() <= TOLERANCE


PACKED = "abcdefghijklmnopqrstuvwxyz0123456789_ "
"""The characters of packed word keys, in code order from 1 (written out here, apart from the kernel)."""


def test_short_word_terms_have_their_packed_string_as_key(shipped_model: ToxicityModel) -> None:
    fast = shipped_model.fast()
    assert fast is not None
    n_word = shipped_model.featurizer.n_word
    keys = fast._keys[:n_word, -1]
    packed = 0
    for f in range(n_word):
        term = fast._terms_cp[fast._term_ptr[f] : fast._term_ptr[f + 1]].tobytes().decode("utf-32-le")
        if len(term) <= 10 and all(c in PACKED for c in term):
            expected = sum((PACKED.index(c) + 1) << (6 * i) for i, c in enumerate(term))
            assert int(keys[f]) == expected, term
            packed += 1
        else:
            assert int(keys[f]) >> 63 == 1, term  # hashed
    assert packed > n_word // 2
    assert len(set(keys.tolist())) == n_word


def test_word_terms_either_side_of_the_packing_limits_match() -> None:
    """Terms of 10 and 11 characters, bigrams across the limit, and unpackable characters."""
    train = [
        "abcdefghi abcdefghij abcdefghijk ab_9 x1 zz9_ the cat",
        "abcd efghi abcd efghij ab cd ef gh 日本 日本語 cat 日本 ĳ ok",
        "a b c d e abc_def_gh abc_def_ghi",
    ]
    queries = [
        *train,
        "abcdefghik abcdefghijl abcdefgh abcd efgh abcd efghik ab_8 x2 zz9 9_zz",
        "cat the the cat abcdefghij abcdefghij abcdefghijk abcdefghi abcdefghijk",
        "日本 cat 日 本 ab cd cd ef ĳ ok abc_def_gh abc_def_ghi abc_def_g",
        "ABCDEFGHIJ Ab_9 日本語",
    ]
    params = FeatureParams(word_min_df=1, char_min_df=1)
    featurizer, _ = Featurizer.fit([normalize(t) for t in train], params)
    assert tuple(featurizer.word.ngram_range) == (1, 2)
    rng = np.random.default_rng(1)
    coef = rng.normal(size=(featurizer.n_features, 1))
    fast = FastScorer(featurizer, coef, np.zeros(1), [Calibrator("sigmoid", a=1.0, b=0.0)])
    logits = np.asarray(featurizer.transform([normalize(t) for t in queries]) @ coef)
    assert np.abs(fast.logits(queries) - logits).max() <= TOLERANCE


def test_unsupported_settings_fall_back_to_scikit_learn(tiny_model: ToxicityModel) -> None:
    word, char = tiny_model.featurizer.word, tiny_model.featurizer.char
    odd = type(word)(**{**word.get_params(), "binary": True})
    with pytest.raises(ValueError, match="sublinear"):
        check_settings(odd, char)


def test_character_classes_agree_with_re() -> None:
    import re

    table = char_classes()
    sample = "".join(chr(c) for c in range(0, 0x110000, 97)) + " \t\n\x1c\x85\xa0\u2028\u3000٣੩𝟘_"
    for pattern, bit in ((r"\w", IS_WORD), (r"\s", IS_SPACE), (r"\d", IS_DIGIT)):
        expected = [bool(re.fullmatch(pattern, c)) for c in sample]
        assert [bool(table[ord(c)] & bit) for c in sample] == expected, pattern
    assert [bool(table[ord(c)] & IS_SPACE) for c in sample] == [c.isspace() for c in sample]


TAIL_EXAMPLES = [
    "",
    "   ",
    "i d i o t",
    "y o u  a r e",
    "a.b.c.d and a-b-c and a*b*c*d*e",
    "a_b_c_d",
    "a_b_c_dx",
    "xa b c d",
    "a b c d_e",
    "a b c d e_f",
    "a b c d.e",
    "stuuuupid!!!!!  ???",
    "1111 222 aaa\u3000\u3000\u3000 bb",
    "\u00a0lead and trail\u2028",
    "éé é é é é",
    "a\U0001f600\U0001f600\U0001f600 b",
    "@bob and @a, a@b, @@x, @ x, é@x, x@@y, @_",
    "y0u 1d10t $hit sh!t a|b |x| !a! 5pm 90s 1st covid19 10kgs 5mins 5minsx 4$4 h3ll0!!!",
    "@y0u a@b0b @4 b4@ss",
]


@pytest.mark.parametrize("text", TAIL_EXAMPLES)
def test_compiled_tail_equals_normalize_tail(text: str) -> None:
    assert finish_normalize([text]) == [normalize_tail(text)]


TAIL_ALPHABET = st.sampled_from(
    [*"abcxyz .*_-!!1\t\n@@0345$||", "\u00a0", "\u3000", "٣", "é", "\U0001f600", "ab", "pm", "mins", "th"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(TAIL_ALPHABET, max_size=40).map("".join), min_size=1, max_size=4))
def test_compiled_tail_equals_normalize_tail_on_generated_text(texts: list[str]) -> None:
    assert finish_normalize(texts) == [normalize_tail(t) for t in texts]


def test_compiled_tail_uses_normalize_s_constants() -> None:
    assert UNIT_SUFFIXES == LEET_KEEP_SUFFIXES
    assert URL_SUFFIXES == normalization.URL_SUFFIXES
    assert "".join(map(chr, USER_CPS)) == USER_TOKEN
    for unit in UNIT_SUFFIXES:  # each unit keeps its number; one letter more does not
        for text in (f"5{unit}", f"5{unit}q", f"1{unit}0", f"!7{unit}|"):
            assert finish_normalize([text]) == [normalize_tail(text)], text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=4))
def test_compiled_tail_finishes_normalize(texts: list[str]) -> None:
    assert finish_normalize([normalize_head(t) for t in texts]) == [normalize(t) for t in texts]
    assert finish_normalize(texts, plain=True) == [normalize(t) for t in texts]


# Pieces of every URL hint, mentions, leetspeak, spaced-out letters, repeats, upper
# case and invisible controls: what the kernel's own head stage must get right.
HEAD_ALPHABET = st.sampled_from(
    [
        *"aAbBcCoOmMuUrRlLwWxX .*_-:/@!|$01345\t\n\x01\x0b\x7f",
        *(f".{s}" for s in URL_SUFFIXES),
        *("www.", "://", "url", "@a.b", "@user", "a b c d", "A.B.C.D", "é", "&amp;", "\u200b"),
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(HEAD_ALPHABET, max_size=30).map("".join), min_size=1, max_size=4))
def test_compiled_head_and_tail_equal_normalize(texts: list[str]) -> None:
    assert finish_normalize(texts, plain=True) == [normalize(t) for t in texts]


# A stage can give a later one work its flags did not see: joined letters make a
# repeat, leetspeak makes a repeat or a spaced-out letter.
@pytest.mark.parametrize("text", ["a a a a", "A-a-A-a!", "O0o", "s$$ x", "a!$ b c d", "@ab c d e", "Hi @x.y z"])
def test_compiled_head_runs_the_stages_a_stage_makes_work_for(text: str) -> None:
    assert finish_normalize([text], plain=True) == [normalize(text)]


def assert_hint_agrees(text: str) -> None:
    from model.fast import text as fast

    low = text.lower()
    cps = np.frombuffer(low.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    assert fast._url_hint(cps, len(cps), char_classes()) == bool(normalization._URL_HINT.search(low)), text


@pytest.mark.parametrize(
    "text",
    [
        "see example.com",
        "EXAMPLE.COM",
        "a.info",
        "a.inf",
        "x.c",
        "mail me@a.b",
        "me@a",
        "@a.",
        "@-.-",
        "@é.é",
        "http://x",
        ":/",
        "www.",
        "ww.w",
        "URL",
        "ur l",
        "plain text. next",
        "",
    ],
)
def test_kernel_url_hint_is_normalize_s(text: str) -> None:
    assert_hint_agrees(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(HEAD_ALPHABET, max_size=30).map("".join))
def test_kernel_url_hint_is_normalize_s_on_generated_text(text: str) -> None:
    assert_hint_agrees(text)


@pytest.mark.slow  # about 40 s: every validation comment of ../shared/data
def test_fast_path_matches_on_every_validation_comment(shipped_model: ToxicityModel, shared_data: Path) -> None:
    from training.dataset import build_corpus, shared_loaders

    records, _ = build_corpus(shared_loaders(shared_data)).part(True)
    texts = [r.text for r in records]
    assert len(texts) > 10_000
    fast = shipped_model.fast()
    assert fast is not None
    for i in range(0, len(texts), 2000):
        chunk = texts[i : i + 2000]
        # The kernel on whole texts, and the model as it scores (whole texts and sentences, combined).
        assert np.abs(fast.logits(chunk) - shipped_model.reference_logits(chunk)).max() <= TOLERANCE
        got = shipped_model.probabilities(chunk)
        assert np.abs(got - shipped_model.reference_probabilities(chunk)).max() <= TOLERANCE


def test_a_fingerprint_match_is_confirmed_on_the_full_key() -> None:
    """Two keys whose entries share a slot and a fingerprint are still told apart."""
    from model.fast import hashing as fast

    bits = 4
    wanted, other = np.uint64(0x123), np.uint64(0x456)
    keys = np.zeros((2, 8), dtype=np.uint64)  # feature rows; the key is the last column
    keys[0, -1], keys[1, -1] = other, wanted
    table = np.zeros((2, 1 << bits), dtype=np.uint64)
    home = int(fast._slot(wanted, bits))
    fingerprint = int(fast._fingerprint(wanted))
    # The home slot holds feature 0 (the other key) under the wanted key's fingerprint.
    table[0, home] = np.uint64((fingerprint << 32) | 1)
    table[0, (home + 1) % (1 << bits)] = np.uint64((fingerprint << 32) | 2)
    empty = np.zeros(0, dtype=np.int64)
    buf = np.zeros(0, dtype=np.uint32)
    assert fast._find(table, 0, bits, wanted, False, buf, 0, empty, buf, keys) == 1
    qkeys = np.array([wanted], dtype=np.uint64)
    slots, first, found = np.zeros(1, np.int64), np.zeros(1, np.uint64), np.zeros(1, np.int64)
    fast._first_probes(table, 0, bits, qkeys, 1, slots, first, found, keys)
    assert first[0] != 0 and found[0] == -1  # not taken on the fingerprint alone; _find settles it
    absent = np.uint64(0x789)
    assert fast._find(table, 0, bits, absent, False, buf, 0, empty, buf, keys) == -1


@pytest.mark.parametrize("which", ["tiny", "shipped"])
def test_each_unigram_lists_its_character_features(
    which: str, tiny_model: ToxicityModel, shipped_model: ToxicityModel
) -> None:
    """A word's list holds exactly the in-vocabulary n-grams scikit-learn's analyser gives it."""
    model = tiny_model if which == "tiny" else shipped_model
    fast = model.fast()
    assert fast is not None
    char = model.featurizer.char
    analyse = char.build_analyzer()

    def term(f: int) -> str:
        cps = fast._terms_cp[fast._term_ptr[f] : fast._term_ptr[f + 1]]
        return cps.tobytes().decode("utf-32-le", "surrogatepass")

    spans = fast._wsums.view(np.uint64)[:, -1]
    n_uni = len(spans)
    assert n_uni > 0
    words = range(n_uni) if n_uni <= 3000 else np.random.default_rng(0).choice(n_uni, 3000, replace=False)
    for f in words:
        word = term(int(f))
        assert " " not in word
        start, length = int(spans[f] >> np.uint64(32)), int(spans[f] & np.uint64(0xFFFFFFFF))
        listed = sorted(term(int(g)) for g in fast._wchar[start : start + length])
        assert listed == sorted(g for g in analyse(word) if g in char.vocabulary_), word
        # The sums row is those features' idf**2 and idf * coef, each counted once.
        idf = fast._weights[fast._wchar[start : start + length], 0]
        assert fast._wsums[f, 0] == pytest.approx(float(np.sum(idf * idf)), rel=1e-12, abs=1e-12)
    # Every word unigram has a list, and nothing else does.
    assert n_uni == sum(" " not in t for t in model.featurizer.word.vocabulary_)
