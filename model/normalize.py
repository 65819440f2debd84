"""Text normalisation, applied identically at training and scoring time.

``normalize(text)`` returns the normalised string; ``normalize_with_offsets(text)``
also returns, for every character of the result, the ``[start, end)`` span of the
original text it came from (Python string indices), so explanations can point at
what the user actually wrote.

Both run the same pipeline of stages: ``normalize_with_offsets`` as edits that
carry the offset map along, ``normalize`` as plain ``re.sub`` calls (the scoring
path; a property test holds the two to the same output). The stages, in order:

1. HTML entities are unescaped (``&amp;`` -> ``&``, ``&#128514;`` -> emoji).
2. Invisible characters are removed: zero-width and joiner characters, bidi
   controls, soft hyphens, variation selectors, tag characters, and C0/C1 control
   characters other than whitespace.
3. Non-ASCII characters get Unicode compatibility folding (NFKC applied per
   character) with combining marks dropped, so ``ｉｄｉｏｔ``, ``𝐢𝐝𝐢𝐨𝐭`` and
   ``ïdïöt`` all become ``idiot``.
4. Homoglyphs (Cyrillic and Greek letters that look Latin) fold to Latin.
5. Lower-casing.
6. URLs and e-mail addresses become ``xxurl`` (OLID's ``URL`` token too), and
   @mentions become ``xxuser``.
7. Leetspeak folds inside tokens that mix letters with look-alike digits or
   symbols (``y0u`` -> ``you``, ``1d10t`` -> ``idiot``, ``$hit`` -> ``shit``);
   plain numbers and numbers with unit suffixes (``1st``, ``90s``, ``5pm``) stay.
8. Letters spaced out with single separators join up (``i d i o t`` -> ``idiot``).
9. Runs of three or more of the same non-digit character squeeze to one
   (``stuuupid`` -> ``stupid``, ``!!!!`` -> ``!``).
10. Whitespace runs become one space; leading and trailing space is dropped.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

URL_TOKEN = "xxurl"
USER_TOKEN = "xxuser"

# The rules' constants. The regular expressions below are built from them, and the
# compiled kernels of ``model.fast`` build their lookup tables from them
# (``model.fast.tables``), so each rule's data is written once, here.
LEET_MAP = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "$": "s", "@": "a"}
"""Look-alike characters and the letters they stand for inside a leetspeak run."""
LEET_INNER = {"!": "i", "|": "l"}
"""Look-alikes that stand for a letter only between two letters or digits of a run."""
LEET_CHARACTERS = "0123456789$@!|"
"""Characters that make a run of letters a leetspeak candidate (every digit counts)."""
SPACED_SEPARATORS = " .*_-"
"""What may stand between spaced-out letters (``i.d.i.o.t``)."""
SPACED_MIN_PAIRS = 3
"""Separator-letter pairs after the first letter that make a spaced-out word (four letters)."""
REPEAT_MIN_RUN = 3
"""A run of at least this many equal characters (not digits or spaces) squeezes to one."""


def char_class(chars: str) -> str:
    """Return a regular-expression character class matching exactly ``chars``."""
    return "[" + "".join("\\" + c if c in "\\]^-[" else c for c in chars) + "]"


@dataclass(frozen=True, slots=True)
class Normalized:
    """A normalised text with, per character, the original span it came from."""

    text: str
    starts: list[int]
    ends: list[int]

    def span(self, begin: int, end: int) -> tuple[int, int]:
        """Return the original ``[start, end)`` covering normalised chars ``[begin, end)``."""
        if not 0 <= begin < end <= len(self.text):
            raise ValueError(f"bad normalised span [{begin}, {end}) for length {len(self.text)}")
        return self.starts[begin], max(self.ends[begin:end])


# An edit replaces text[a:b] with r. Edits passed to _apply are sorted and disjoint.
Edit = tuple[int, int, str]


class _Doc:
    """Mutable working state of one normalisation: text plus its offset map."""

    __slots__ = ("ends", "starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = list(range(len(text)))
        self.ends = list(range(1, len(text) + 1))

    def apply(self, edits: Iterable[Edit]) -> None:
        """Apply sorted, disjoint edits; map each new char back to its source span."""
        text, starts, ends = self.text, self.starts, self.ends
        parts: list[str] = []
        new_starts: list[int] = []
        new_ends: list[int] = []
        pos = 0
        changed = False
        for a, b, rep in edits:
            changed = True
            parts.append(text[pos:a])
            parts.append(rep)
            new_starts.extend(starts[pos:a])
            new_ends.extend(ends[pos:a])
            if rep:
                if len(rep) == b - a:
                    # Same length: characters correspond one to one.
                    new_starts.extend(starts[a:b])
                    new_ends.extend(ends[a:b])
                else:
                    # Anything else maps every new char to the whole source span.
                    lo, hi = starts[a], max(ends[a:b])
                    new_starts.extend([lo] * len(rep))
                    new_ends.extend([hi] * len(rep))
            pos = b
        if not changed:
            return
        parts.append(text[pos:])
        self.text = "".join(parts)
        new_starts.extend(starts[pos:])
        new_ends.extend(ends[pos:])
        self.starts, self.ends = new_starts, new_ends

    def substitute(self, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str]) -> None:
        """Replace every match of ``pattern`` with ``repl(match)``."""
        edits = []
        for m in pattern.finditer(self.text):
            rep = repl(m)
            if rep != m.group():
                edits.append((m.start(), m.end(), rep))
        self.apply(edits)

    def delete(self, positions: Iterable[int]) -> None:
        """Delete the characters at the given sorted positions."""
        self.apply((p, p + 1, "") for p in positions)


# -- stage 1: HTML entities ---------------------------------------------------------

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")


def _unescape(m: re.Match[str]) -> str:
    return html.unescape(m.group())


# -- stage 2: invisible characters ----------------------------------------------------

INVISIBLE = re.compile(
    "["
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0/C1 controls except \t \n \r
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164"
    "\ufe00-\ufe0f\ufeff\uffa0"
    "\U000e0000-\U000e0fff"  # tag characters and variation selectors supplement
    "]"
)

# -- stage 3: compatibility folding ---------------------------------------------------

_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=65536)
def _fold_char(c: str) -> str:
    """Fold one non-ASCII character: NFKD, drop combining marks, then NFKC."""
    decomposed = unicodedata.normalize("NFKD", c)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", kept)


def _fold(m: re.Match[str]) -> str:
    return _fold_char(m.group())


# -- stage 4: homoglyphs ---------------------------------------------------------------

# Cyrillic and Greek letters commonly swapped in for Latin ones, plus a few symbols.
_HOMOGLYPHS = str.maketrans(
    {
        # Cyrillic lower case
        "а": "a", "е": "e", "ѕ": "s", "і": "i", "ј": "j", "к": "k",
        "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "ԁ": "d",
        "һ": "h", "ԛ": "q", "ԝ": "w", "ү": "y", "ӏ": "l", "ɡ": "g",
        # Cyrillic upper case
        "А": "A", "В": "B", "Е": "E", "Ѕ": "S", "І": "I", "Ј": "J", "К": "K", "М": "M",
        "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ү": "Y",
        "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I",
        # Greek
        "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
        "τ": "t", "υ": "u", "χ": "x", "γ": "y",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
        # Latin look-alikes outside ASCII that NFKC leaves alone
        "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ƀ": "b",
    }
)  # fmt: skip

_LETTER_RUN = re.compile(r"[^\W\d_]+")
_ANY_HOMOGLYPH = re.compile("[" + "".join(sorted(chr(k) for k in _HOMOGLYPHS)) + "]")
_HOMOGLYPH_CHARS = frozenset(chr(k) for k in _HOMOGLYPHS)


def _dehomoglyph(m: re.Match[str]) -> str:
    """Fold look-alikes only in words that are Latin already or made wholly of look-alikes.

    That catches ``іdіot`` (Cyrillic і) without garbling real Russian or Greek words.
    """
    word = m.group()
    if word.isascii():
        return word
    if any(c.isascii() for c in word) or all(c in _HOMOGLYPH_CHARS for c in word):
        return word.translate(_HOMOGLYPHS)
    return word


# -- stage 6: URLs and mentions ----------------------------------------------------------

URL_SUFFIXES = ("com", "net", "org", "co", "ly", "io", "gov", "edu", "uk", "ca", "us", "me", "tv", "info", "be", "gl")
"""Domain endings that make a bare ``name.com`` a URL."""
_SUFFIX = "(?:" + "|".join(URL_SUFFIXES) + ")"
# Linear in the text's length: an e-mail address starts only where a run of its
# characters starts, and a bare domain only where a chain of "label." pieces starts
# (not after a label character, nor after one and a dot). Unanchored, both were
# tried again at every later position of a run and rescanned it to its end: 20 KB
# of "a." took seconds. A later start inside a run or chain can only fail where the
# first one failed, so the anchors lose a match only where an earlier match ended
# inside a run ("x.com+y@z.org"): no text of the shared data sets changed.
_URL = re.compile(
    r"(?<![\w.+-])[\w.+-]++@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses (possessive: a run cannot hold "@")
    r"|(?:\b(?:https?|ftp)://|\bwww\.)\S+"
    r"|\b(?<![a-z0-9-])(?<![a-z0-9-]\.)(?:[a-z0-9-]+\.)+" + _SUFFIX + r"(?:/\S*)?(?![\w.])"
    r"|\burl\b"
)
_MENTION = re.compile(r"(?<![\w@])@\w+")
# Every alternative of _URL needs one of these, so a text without any cannot match. An
# e-mail address needs "@", a name and a dot: plain @mentions do not wake the URL pass.
_URL_HINT = re.compile(r"@[\w-]+\.[\w-]|://|www\.|url|\." + _SUFFIX)

# -- stage 7: leetspeak ----------------------------------------------------------------

# A maximal run of letters and leet characters holding a leet character; runs
# without a letter are left alone (checked in ``_unleet_run``).
_LEET_CLASS = char_class(LEET_CHARACTERS)
_RUN_CLASS = char_class("abcdefghijklmnopqrstuvwxyz" + LEET_CHARACTERS)
_LEET_RUN = re.compile(f"(?<!{_RUN_CLASS})[a-z]*+{_LEET_CLASS}{_RUN_CLASS}*+")
_LEET_CHARS = re.compile(_LEET_CLASS)
LEET_KEEP_SUFFIXES = (
    "st", "nd", "rd", "th", "s", "k", "m", "b", "x", "d", "h", "g", "p", "am", "pm", "gb", "mb", "kb", "km", "kg",
    "mm", "cm", "ft", "lb", "lbs", "mph", "yr", "yrs", "hr", "hrs", "min", "mins",
)  # fmt: skip
"""Letters after a number that keep it a number: 1st, 90s, 5pm, 10kg."""
_LEET_KEEP = re.compile(r"[a-z]+\d+|\d+(?:" + "|".join(LEET_KEEP_SUFFIXES) + ")")  # covid19, win10; 90s


def _unleet(m: re.Match[str]) -> str:
    tok = m.group()
    core = tok.strip("".join(LEET_INNER))
    if _LEET_KEEP.fullmatch(core) or not any(c.isalpha() for c in core):
        return tok
    out = list(tok)
    for i, c in enumerate(tok):
        if c in LEET_MAP:
            out[i] = LEET_MAP[c]
        elif c in LEET_INNER and 0 < i < len(tok) - 1 and tok[i - 1].isalnum() and tok[i + 1].isalnum():
            out[i] = LEET_INNER[c]
    return "".join(out)


def _unleet_run(m: re.Match[str]) -> str:
    tok = m.group()
    for c in tok:
        if "a" <= c <= "z":
            return _unleet(m)
    return tok


# -- stage 8: spaced-out letters ------------------------------------------------------

_SPACED = re.compile(
    r"(?<![\w])[a-z](?:" + char_class(SPACED_SEPARATORS) + f"[a-z]){{{SPACED_MIN_PAIRS},}}" + r"(?![\w])"
)

# -- stage 9 and 10: repeats and whitespace ---------------------------------------------

_REPEAT = re.compile(r"([^\d\s])\1" + f"{{{REPEAT_MIN_RUN - 1},}}")
_SPACE_RUN = re.compile(r"\s+")


def _run(text: str) -> _Doc:
    doc = _Doc(text)
    if "&" in doc.text:
        doc.substitute(_ENTITY, _unescape)
    doc.delete(m.start() for m in INVISIBLE.finditer(doc.text))
    if not doc.text.isascii():
        doc.substitute(_NON_ASCII, _fold)
        # Folding can create characters the earlier stage removes (e.g. via NFKC).
        doc.delete(m.start() for m in INVISIBLE.finditer(doc.text))
        doc.substitute(_LETTER_RUN, _dehomoglyph)
    doc.apply(_same_length(doc.text, doc.text.lower()))
    doc.substitute(_URL, lambda m: URL_TOKEN)
    doc.substitute(_MENTION, lambda m: USER_TOKEN)
    doc.substitute(_LEET_RUN, _unleet_run)
    doc.delete(_spaced_separators(doc.text))
    # One character stands for the whole run, so offsets cover all of "!!!!".
    doc.substitute(_REPEAT, lambda m: m.group(1))
    doc.apply(_space_edits(doc.text))
    return doc


def _same_length(old: str, new: str) -> list[Edit]:
    """Express a whole-string rewrite as edits that keep the offset map exact."""
    if old == new:
        return []
    if len(old) == len(new):
        return [(0, len(old), new)]
    # A few characters change length when lower-cased (e.g. U+0130): go per char.
    return [(i, i + 1, c.lower()) for i, c in enumerate(old) if c.lower() != c]


def _spaced_separators(text: str) -> list[int]:
    return [p for m in _SPACED.finditer(text) for p in range(m.start() + 1, m.end(), 2)]


def _space_edits(text: str) -> list[Edit]:
    edits: list[Edit] = []
    n = len(text)
    for m in _SPACE_RUN.finditer(text):
        a, b = m.start(), m.end()
        if a == 0 or b == n:
            edits.append((a, b, ""))
        elif b - a > 1 or m.group() != " ":
            edits.append((a, b, " "))
    return edits


def _lower(text: str) -> str:
    """Lower-case exactly as ``_same_length`` edits do."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() for c in text)


def _join_spaced(m: re.Match[str]) -> str:
    return m.group()[::2]


def normalize_head(text: str) -> str:
    """Return ``text`` after stages 1 to 6 up to URLs (entities, invisibles, folding, lower-casing, URLs).

    The fast path finishes the job in its compiled kernel (``model.fast``), which
    applies ``normalize_tail``'s stages to code points.
    """
    if "&" in text:
        text = _ENTITY.sub(_unescape, text)
    if not (text.isascii() and text.isprintable()):  # printable ASCII holds no invisible character
        text = INVISIBLE.sub("", text)
    if not text.isascii():
        text = _NON_ASCII.sub(_fold, text)
        text = INVISIBLE.sub("", text)
        if _ANY_HOMOGLYPH.search(text):  # words without one are left as they are
            text = _LETTER_RUN.sub(_dehomoglyph, text)
    text = _lower(text)
    if _URL_HINT.search(text):
        text = _URL.sub(URL_TOKEN, text)
    return text


def normalize_tail(text: str) -> str:
    """Return the output of ``normalize_head`` after the remaining stages (mentions to whitespace)."""
    if "@" in text:
        text = _MENTION.sub(USER_TOKEN, text)
    if _LEET_CHARS.search(text):
        text = _LEET_RUN.sub(_unleet_run, text)
    text = _SPACED.sub(_join_spaced, text)
    text = _REPEAT.sub(r"\1", text)
    # str.split() and the regex's \s agree on what whitespace is (both use str.isspace).
    return " ".join(text.split())


def normalize(text: str) -> str:
    """Return the normalised form of ``text`` (no offsets).

    The same stages as ``normalize_with_offsets`` in the same order, written as
    ``re.sub`` calls so that most of the work runs in C; a property test holds the
    two to identical output.
    """
    return normalize_tail(normalize_head(text))


def normalize_with_offsets(text: str) -> Normalized:
    """Return the normalised form of ``text`` with a map back to original offsets."""
    doc = _run(text)
    return Normalized(doc.text, doc.starts, doc.ends)
