"""Romanised Hindi (Hinglish): a hand-written word list and one stated rule.

py3langid has no class for Hindi written in Latin letters; it guesses Fula, Javanese,
Hausa or Shona for such comments, rarely sure of any. Hinglish is recognised here by
its function words instead: the auxiliaries, postpositions, pronouns, negations and
question words that almost every Hindi sentence needs, whatever its topic. Content
words are left out on purpose (they vary by topic and many are shared with English:
"film", "police").

A word goes in ``HINDI_WORDS`` only if it is (1) frequent in Hindi written in Latin
letters, in its common spellings (``nahi``/``nahin``/``nhi``), and (2) not an English
word, nor a frequent word of a Latin-script language the catalogue names. The list was
written from knowledge of Hindi, then checked against the most frequent words of
hi-en-trac1's training split (which added ``jo``, ``ek``, ``kr``, ``rha``, ``pe``, ``baat``,
``khud``). Left out on purpose: ``main``, ``me``, ``to``, ``the``, ``ho``, ``hi``, ``par``,
``log``, ``mat``, ``ab`` (English or German words), ``wo`` (German), ``se``, ``tu``, ``na``,
``do`` (Portuguese, French), ``mai`` (Italian), ``agar``, ``gaya``, ``karna``, ``tak``
(Indonesian: "so that", "style", "because", "not"), ``ye``, ``ya`` (English slang).

Some listed words are everyday words of other languages too: the one- and two-letter
ones (``ka``, ``ke``, ``ki``, ``ko``: Tagalog, Malay and Japanese particles) and
``SHARED_WORDS`` (``hai``: Indonesian and Malay "hi", Japanese "yes"; ``nai``, ``kare``,
``koi``: Japanese; ``wala``: Tagalog "none"). They count toward the share but cannot meet
the minimum alone: "Hai, sou desu ka." and "Hai semua, ayo kita pergi ke pasar" are not
Hinglish, "ye sahi hai" is.

``ENGLISH_WORDS`` are English function words, the counterweight. The rule
(``hinglish``): at least ``MIN_HINDI_WORDS`` different Hindi function words, at least
``MIN_DISTINCTIVE`` of them distinctive (three letters or more and not shared), and at
least ``MIN_HINDI_SHARE`` of the function words found (Hindi and English together).
Code-mixed comments ("yeh movie bahut acchi hai") pass; English with one borrowed word
("chai") does not. ``model.language_id`` applies it to comments written mostly in Latin
letters, unless py3langid's top language vetoes it (``model.language_id.other_language``:
Malay or Tagalog, say). Only words are counted; nothing is logged or stored.
"""

from __future__ import annotations

import re

HINDI_GROUPS: dict[str, str] = {
    "auxiliaries": "hai hain hei tha thi thay hoga hogi honge hota hoti hote hona hua hui hue hoon hu hoke",
    "verb forms": "raha rahi rahe rha rhe gayi gaye gai diya kiya kiye liya kar kr karo kare karne karta karti "
    "karte karke sakta sakte sakti chahiye jata jati jate jaata deta deti dete leta dekho dekh bolo samajh chalo",
    "negation": "nahi nahin nhi nai",
    "pronouns": "mujhe mera meri mere hum hamara humara hamare humare hume humko tum tumhe tumko tera teri tere "
    "tumhara tumhari aap aapka aapki apna apni apne yeh woh unka unki unke uska uski uske usko isko inko unko "
    "iska iski iske kuch koi kisi kaun sab sabko jo",
    "questions": "kya kyu kyun kyon kaise kab kahan kaha kitna kitne kidhar",
    "postpositions": "ka ke ki ko pe mein liye saath sath wala wale wali",
    "conjunctions": "aur bhi lekin toh phir fir kyunki jab tab aise waise",
    "adverbs and address": "bahut bohot bahot bhut abhi aaj yahan waha wahan sirf khud ek baat pata accha acha "
    "achha sahi bhai yaar ji",
}
"""Hindi function words and frequent verb forms in Latin letters, by kind (see the module docstring)."""
HINDI_WORDS = frozenset(word for words in HINDI_GROUPS.values() for word in words.split())

_ENGLISH = (
    "the a an is are was were be been am i you he she it we they my your his her its our their this that these "
    "those and or but if of in on at for with from by about as not no do does did have has had will would can "
    "could should what who why how when where which there here me him us them just so very all any"
)
ENGLISH_WORDS = frozenset(_ENGLISH.split())
"""English function words: the other side of the rule."""

SHARED_WORDS = frozenset({"hai", "nai", "kare", "koi", "wala"})
"""Listed words of three letters or more that are everyday words in Indonesian, Malay,
Tagalog or romanised Japanese: they add to the share, never to ``MIN_DISTINCTIVE``."""
SHORT = 2
"""Listed words this long or shorter are not distinctive (particles of many languages)."""

MIN_HINDI_WORDS = 2
"""At least this many different Hindi function words."""
MIN_DISTINCTIVE = 1
"""At least this many of them distinctive: longer than ``SHORT`` and not in ``SHARED_WORDS``."""
MIN_HINDI_SHARE = 0.6
"""Hindi words are at least this share of the function words found (Hindi + English)."""

_WORD = re.compile(r"[a-z]+")


def distinctive(word: str) -> bool:
    """Say whether a listed word is evidence of Hindi on its own (not short, not shared)."""
    return len(word) > SHORT and word not in SHARED_WORDS


def counts(text: str) -> tuple[int, int, int, int]:
    """Return the count of Hindi function words, of different ones, of distinctive ones, and of English ones."""
    hindi: list[str] = []
    english = 0
    for word in _WORD.findall(text.lower()):
        if word in HINDI_WORDS:
            hindi.append(word)
        elif word in ENGLISH_WORDS:
            english += 1
    different = set(hindi)
    return len(hindi), len(different), sum(map(distinctive, different)), english


def hinglish(text: str) -> float:
    """Return the Hindi share of ``text``'s function words when the rule holds, else 0.

    The rule: at least ``MIN_HINDI_WORDS`` different Hindi function words, ``MIN_DISTINCTIVE``
    of them distinctive, making up at least ``MIN_HINDI_SHARE`` of the function words found.
    ``model.language_id`` reports the share (times ``RULE_CEILING``) as its confidence.
    """
    hindi, different, strong, english = counts(text)
    if different < MIN_HINDI_WORDS or strong < MIN_DISTINCTIVE:
        return 0.0
    share = hindi / (hindi + english)
    return share if share >= MIN_HINDI_SHARE else 0.0
