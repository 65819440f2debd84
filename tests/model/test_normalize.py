from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.normalize import URL_TOKEN, USER_TOKEN, normalize, normalize_with_offsets


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("You are a pathetic IDIOT", "you are a pathetic idiot"),
        ("ｉｄｉｏｔ", "idiot"),  # fullwidth (NFKC)
        ("𝐢𝐝𝐢𝐨𝐭", "idiot"),  # mathematical bold (NFKC)
        ("ïdïöt", "idiot"),  # diacritics dropped
        ("i\u200bd\u200ci\u200do\ufefft", "idiot"),  # zero-width characters
        ("id\x00io\x07t", "idiot"),  # control characters
        ("\u202eidiot\u202c", "idiot"),  # bidi controls
        ("іdіot", "idiot"),  # Cyrillic і homoglyphs inside a Latin word
        ("ѕсаm", "scam"),  # a word made wholly of look-alikes
        ("Привет мир", "привет мир"),  # real Cyrillic is left alone
        ("fish &amp; chips &lt;3 &#128514;", "fish & chips <3 😂"),
        ("y0u are an 1d10t", "you are an idiot"),
        ("$hit a$$ b!tch sh!t", "shit ass bitch shit"),
        ("idiot!", "idiot!"),  # a trailing ! is punctuation, not a letter
        ("covid19 1st 90s 5pm 2020 1000", "covid19 1st 90s 5pm 2020 1000"),
        ("i d i o t", "idiot"),
        ("f.u.c.k off", "fuck off"),
        ("a b c", "a b c"),  # three letters are not enough to join
        ("stuuuuupid!!!!!", "stupid!"),
        ("cool", "cool"),  # double letters stay
        ("1000000", "1000000"),  # digits are never squeezed
        ("see https://example.com/a?b=c now", f"see {URL_TOKEN} now"),
        ("www.example.org rocks", f"{URL_TOKEN} rocks"),
        ("@USER @user hi URL", f"{USER_TOKEN} {USER_TOKEN} hi {URL_TOKEN}"),
        ("mail me at a.b@c.com", f"mail me at {URL_TOKEN}"),
        ("  lots\n\tof   space  ", "lots of space"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalize_examples(raw: str, expected: str) -> None:
    assert normalize(raw) == expected
    assert normalize_with_offsets(raw).text == expected


def test_obfuscations_converge() -> None:
    plain = normalize("you are an idiot")
    for variant in ["y0u are an 1d10t", "you are an i d i o t", "YOU ARE AN IDIOT!!!", "you are an ïdïöt"]:
        assert normalize(variant).rstrip("!") == plain


def test_offsets_point_at_the_original_words() -> None:
    raw = "Hey @John, you are an 1d10t!!! &amp; a ｆｏｏｌ"
    norm = normalize_with_offsets(raw)
    i = norm.text.index("idiot")
    start, end = norm.span(i, i + len("idiot"))
    assert raw[start:end] == "1d10t"
    j = norm.text.index("fool")
    start, end = norm.span(j, j + 4)
    assert raw[start:end] == "ｆｏｏｌ"
    k = norm.text.index(USER_TOKEN)
    start, end = norm.span(k, k + len(USER_TOKEN))
    assert raw[start:end] == "@John"
    amp = norm.text.index("&")
    assert raw[slice(*norm.span(amp, amp + 1))] == "&amp;"


def test_offsets_of_joined_and_squeezed_words() -> None:
    raw = "you i d i o t and stuuuupid"
    norm = normalize_with_offsets(raw)
    i = norm.text.index("idiot")
    assert raw[slice(*norm.span(i, i + 5))] == "i d i o t"
    j = norm.text.index("stupid")
    assert raw[slice(*norm.span(j, j + 6))] == "stuuuupid"
    bang = normalize_with_offsets("no!!!!")
    assert bang.text == "no!"
    assert bang.span(2, 3) == (2, 6)


def test_span_rejects_bad_ranges() -> None:
    norm = normalize_with_offsets("abc")
    with pytest.raises(ValueError, match="bad normalised span"):
        norm.span(2, 1)
    with pytest.raises(ValueError, match="bad normalised span"):
        norm.span(0, 4)


text_strategy = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list("0134579$@!| .*_-&#;x\u200b\u0301ｉіо")),
    ),
    max_size=80,
)


@settings(max_examples=400, deadline=None)
@given(text_strategy)
def test_offsets_always_map_inside_the_original(raw: str) -> None:
    norm = normalize_with_offsets(raw)
    assert norm.text == normalize(raw)
    assert len(norm.starts) == len(norm.ends) == len(norm.text)
    for s, e in zip(norm.starts, norm.ends, strict=True):
        assert 0 <= s < e <= len(raw)
    # Source spans never run backwards: normalisation keeps the text's order.
    assert norm.starts == sorted(norm.starts)


@settings(max_examples=300, deadline=None)
@given(text_strategy)
def test_output_is_clean(raw: str) -> None:
    out = normalize(raw)
    assert out == out.strip()
    assert "  " not in out
    assert out == out.lower()
    assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in out)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=97, max_codepoint=122), min_size=1, max_size=30))
def test_plain_lowercase_words_are_untouched_except_long_runs(word: str) -> None:
    out = normalize(word)
    # Only runs of three or more letters change (squeezed), and spaced letters cannot occur.
    if not any(word[i] == word[i + 1] == word[i + 2] for i in range(len(word) - 2)):
        assert out == word


# Pieces that exercise the stages whose fast form differs most from the offset-tracking
# one: URLs and e-mails next to other text, leetspeak runs, spaced letters, repeats.
tricky_pieces = st.lists(
    st.sampled_from(
        [
            "a",
            "b",
            "x",
            "i",
            "d",
            "o",
            "t",
            "1",
            "0",
            "3",
            "$",
            "@",
            "!",
            "|",
            ".",
            "-",
            "+",
            "_",
            "*",
            "/",
            ":",
            " ",
            "  ",
            "\n",
            "\t",
            "\u00a0",
            "http://",
            "https://",
            "ftp://",
            "www.",
            ".com",
            ".org",
            ".co",
            "url",
            "URL",
            "x.com-",
            "a@b.cd",
            ".+x@y.z",
            "@user",
            "&amp;",
            "&#64;",
            "aaa",
            "!!!",
            "22",
            "1st",
            "90s",
            "i d i o t",
            "y0u",
            "1d10t",
            "$hit",
            "Ｈｉ",
            "іdіot",
            "é",
            "😀",
            "\u200b",
        ]
    ),
    max_size=25,
).map("".join)


@settings(max_examples=1500, deadline=None)
@given(tricky_pieces)
def test_fast_normalize_equals_the_offset_tracking_pipeline(raw: str) -> None:
    assert normalize(raw) == normalize_with_offsets(raw).text
