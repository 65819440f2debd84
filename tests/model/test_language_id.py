"""Language detection (``model.language_id``, ``model.hinglish``): catalogue tags, the sure rule, bounds."""

from __future__ import annotations

import pytest

from model import hinglish
from model.language_id import RULE_CEILING, Detection, Detector, merge, other_language, top_codes
from model.languages import WINDOW, Language, Languages, devanagari_share, window


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


SENTENCES = {
    "de": "Vielen Dank für diesen ausgezeichneten Artikel, er hat mir sehr geholfen.",
    "pt": "Muito obrigado por este artigo, eu gostei bastante de ler sobre a cidade.",
    "zh": "谢谢你写的这篇文章，我觉得很有意思。",
    "ko": "좋은 기사 감사합니다. 정말 재미있게 읽었어요.",
    "ar": "شكرا جزيلا على هذا المقال الرائع، لقد استفدت منه كثيرا.",
    "ru": "Спасибо за эту статью, было очень интересно читать.",
    "hi": "इस लेख के लिए बहुत धन्यवाद, मुझे यह बहुत पसंद आया।",
    "hi-Latn": "yaar ye article bahut accha hai, mujhe kal se pasand aa raha hai",
    "ja": "この記事はとても面白かったです。ありがとうございます。",
    "fr": "Merci beaucoup pour cet article, je l'ai lu avec beaucoup d'intérêt.",
    "es": "Muchas gracias por este artículo, me ha gustado mucho leerlo.",
    "en": "Thank you for this excellent article, it helped me a lot.",
}


@pytest.mark.parametrize(("tag", "text"), SENTENCES.items())
def test_a_sentence_is_detected_as_its_catalogue_tag(detector: Detector, tag: str, text: str) -> None:
    found = detector.detect(text)
    assert found.best == tag
    assert found.sure and found.confidence >= 0.5
    assert found.listed()[0] == tag


@pytest.mark.parametrize(
    ("text", "tag"),
    [("谢谢你的文章", "zh"), ("감사합니다 정말", "ko"), ("ありがとう。", "ja"), ("kya hai bhai", "hi-Latn")],
)
def test_a_few_dense_characters_or_two_hindi_words_are_enough(detector: Detector, text: str, tag: str) -> None:
    assert detector.detect(text).best == tag


@pytest.mark.parametrize("text", ["ok", "lol", "谢谢", "😂😂👍", "gg wp", "", "   ", "12345 !!!", "https://t.co/x"])
def test_short_or_letterless_text_is_unsure(detector: Detector, text: str) -> None:
    found = detector.detect(text)
    assert found.best is None
    assert not found.sure


def test_english_with_a_borrowed_word_stays_english(detector: Detector) -> None:
    assert detector.detect("I had a cup of chai with my friend and we talked about the news").best == "en"


def test_a_latin_hindi_ranking_becomes_hi_latn_and_aliases_are_summed() -> None:
    merged = dict(merge([("arz", 0.3), ("ar", 0.3), ("zxx", 0.2), ("fa", 0.2)], latin=False))
    assert merged == pytest.approx({"ar": 0.6, "fa": 0.2})  # zxx ("no language") is never a language
    assert merge([("hi", 0.9), ("ne", 0.1)], latin=True)[0] == ("hi-Latn", 0.9)
    assert merge([("hi", 0.9), ("ne", 0.1)], latin=False)[0] == ("hi", 0.9)
    assert merge([("yue", 0.5), ("wuu", 0.2), ("ja", 0.3)], latin=False)[0] == ("zh", pytest.approx(0.7))


def test_the_hinglish_rule() -> None:
    assert hinglish.hinglish("yeh movie bahut acchi hai") == 1.0
    assert hinglish.hinglish("hai hai hai") == 0.0  # one word, however often
    assert hinglish.hinglish("the chai is hot and the samosa is good, bhai") == 0.0  # English outweighs
    assert hinglish.hinglish("se ta 2 ta calma, se ta 3 fica") == 0.0  # Portuguese "se" is not on the list
    assert hinglish.counts("Kya HAI the") == (2, 2, 1, 1)  # "hai" is shared with Malay and Japanese
    assert hinglish.hinglish("ye sahi hai") == 1.0  # one distinctive word and a shared one
    assert hinglish.hinglish("hai ka ko ke ki") == 0.0  # short and shared words alone are not enough
    assert not hinglish.HINDI_WORDS & hinglish.ENGLISH_WORDS
    assert hinglish.SHARED_WORDS <= hinglish.HINDI_WORDS


NOT_HINGLISH = {
    "id": "Hai semua, ayo kita pergi ke pasar sekarang juga",
    "id-short": "Hai teman, ke mana kamu tadi pagi?",
    "ms": "Aku nak pergi ke kedai sekejap, nanti kita jumpa di rumah ya",
    "ms-hai": "Hai kawan, jom makan ke tak malam ni?",
    "tl": "Ano ba, tanga ka ba? Hindi ko alam kung bakit ka ganyan",
    "tl-wala": "Wala ka bang hiya? Sinabi ko na sa iyo kanina pa",
    "ja": "Hai, sou desu ka.",
    "ja-nai": "Nani kore, baka ja nai no? Hayaku shite kudasai",
    "ja-kare": "Hai, kare wa ashita kimasu ka?",
}


@pytest.mark.parametrize("text", NOT_HINGLISH.values(), ids=NOT_HINGLISH.keys())
def test_indonesian_malay_tagalog_and_romanised_japanese_are_not_hinglish(detector: Detector, text: str) -> None:
    found = detector.detect(text)
    assert found.best != "hi-Latn"
    assert "hi-Latn" not in found.listed()


@pytest.mark.parametrize(
    ("top", "vetoes"),
    [
        (("ms", 0.55), True),  # Malay and Tagalog share ke, ka, ko, hai, wala with the list
        (("tl", 0.5), True),
        (("pt", 0.6), True),  # a catalogue language
        (("ha", 0.8), False),  # py3langid's reading of much romanised Hindi: no evidence below 0.9
        (("ha", 0.95), True),
        (("fuv", 1.0), False),  # where py3langid puts long Hinglish comments: never evidence
        (("en", 0.99), False),
        (("hi-Latn", 0.99), False),
    ],
)
def test_which_languages_veto_the_hinglish_rule(top: tuple[str, float], vetoes: bool) -> None:
    assert other_language([top, ("xx", 0.01)]) is vetoes
    assert other_language([]) is False


@pytest.mark.parametrize(
    "text",
    [SENTENCES["hi-Latn"], "kya hai bhai", "yeh movie bahut acchi hai", "bhai tu pagal hai kya", "ye sahi hai yaar"],
)
def test_hinglish_keeps_a_ceiling_and_leaves_the_others_a_share(detector: Detector, text: str) -> None:
    found = detector.detect(text)
    assert found.best == "hi-Latn"
    assert found.confidence <= RULE_CEILING
    assert sum(p for _, p in found.ranked[1:]) > 0  # py3langid's other languages are not zeroed


def test_portuguese_with_two_listed_words_stays_portuguese(detector: Detector) -> None:
    text = "Ele ke falou ki a reunião seria amanhã de manhã, mas ninguém apareceu no escritório."
    assert detector.detect(text).best == "pt"


@pytest.mark.parametrize(
    "text",
    [
        "a" * 100_000,
        "啊" * 100_000,
        "ab\u200bcd\u200c" * 20_000,  # zero-width space and non-joiner
        "Привет مرحبا 你好 hello नमस्ते " * 3_000,  # mixed scripts
        "\u200b" * 50_000,
        "\ud800" * 1_000,  # a lone surrogate (JSON can carry one)
        "\u0301" * 10_000,  # combining marks with nothing to combine with
    ],
)
def test_adversarial_text_reads_a_bounded_window(detector: Detector, text: str) -> None:
    found = detector.detect(text)
    assert isinstance(found, Detection)
    assert len(found.ranked) <= 5
    assert all(0.0 <= p <= 1.0 + 1e-6 for _, p in found.ranked)
    assert len(window(text)) <= 2 * WINDOW + 1
    assert found == detector.detect(window(text))  # the rest of the text is never read


def test_detection_without_a_ranking_is_unsure() -> None:
    nothing = Detection((), sure=False)
    assert nothing.best is None and nothing.confidence == 0.0 and nothing.listed() == []
    assert Detection((("de", 0.8),), sure=False).best is None


def test_unload_then_detect_loads_again(detector: Detector) -> None:
    detector.unload()
    assert detector.detect(SENTENCES["de"]).best == "de"


def test_the_service_name_is_the_model_detector() -> None:
    from service.perspective import language

    assert language.Detector is Detector
    assert language.primary("pt-BR") == "pt"


@pytest.mark.parametrize("text", [*SENTENCES.values(), "ok", "", "a" * 3000, "mixed Привет 你好 नमस्ते"])
def test_top_codes_is_py3langids_own_ranking(detector: Detector, text: str) -> None:
    identifier = detector.load()
    ours = top_codes(identifier, text, 10)
    theirs = identifier.rank(text)
    assert [p for _, p in ours] == pytest.approx([p for _, p in theirs[:10]], abs=1e-6)
    every = dict(theirs)
    assert all(every[code] == pytest.approx(p, abs=1e-6) for code, p in ours)  # ties may come in any order


class _Reads(str):
    """A text that records every slice taken of it and refuses to be walked whole."""

    __slots__ = ()
    taken: list[int] = []  # noqa: RUF012 (shared by the test, reset there)

    def __getitem__(self, key: object) -> str:
        part = str.__getitem__(self, key)  # type: ignore[index]
        _Reads.taken.append(len(part))
        return part

    def __iter__(self) -> None:  # type: ignore[override]
        raise AssertionError("the whole text was walked")


def test_a_requested_hindi_script_reads_only_the_window() -> None:
    _Reads.taken = []
    text = _Reads("yaar ye article " * 20 + "बहुत अच्छा लेख " * 1_300 + "accha hai bhai " * 20)
    assert len(text) > 20_000
    assert devanagari_share(text) == 0.0  # its Latin ends are what is read; the Devanagari middle is not
    assert _Reads.taken and max(_Reads.taken) <= WINDOW and sum(_Reads.taken) <= 2 * WINDOW
    catalogue = Languages({"en": Language("en", "English")})
    assert catalogue.get("hi", text).tag == "hi-Latn"
    assert catalogue.get("hi-Latn", "बहुत अच्छा लेख " * 2).tag == "hi"
