r"""Impermium "Detecting Insults in Social Commentary" (Kaggle 2012): news and social comments.

Mapping: INSULT = the ``Insult`` column (1/0). Nothing else: a non-insult here may
still be toxic (insults to non-participants were labelled 0), so TOXICITY is left
unknown rather than guessed.

Text quirk (PROVENANCE section 9): every comment is wrapped in an extra pair of
double quotes and holds Python escape sequences as text. Single escapes (``\\n``,
``\\xa0``, ``\\u1ea1``) are code points; doubled ones (``\\\\xc2\\\\xa0``) are UTF-8
bytes escaped twice. ``unescape_comment`` undoes both levels.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import find_file, read_rows
from training.records import Record

SOURCE = "impermium-insults"

_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", "'": "'", '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[nrt'\"\\])")
_BYTE_RUN = re.compile(r"(?:\\x[0-9a-fA-F]{2})+")
_SIMPLE_ESCAPE = re.compile(r"\\([nrt'\"\\])")


def _code_point(m: re.Match[str]) -> str:
    body = m.group(1)
    if body in _SIMPLE:
        return _SIMPLE[body]
    return chr(int(body[1:], 16))


def _utf8_bytes(m: re.Match[str]) -> str:
    data = bytes(int(h, 16) for h in m.group().split("\\x")[1:])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def unescape_comment(raw: str) -> str:
    """Recover a comment as written from its published, escaped form."""
    text = raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] == '"' else raw
    text = _ESCAPE.sub(_code_point, text)  # first level: code points
    text = _BYTE_RUN.sub(_utf8_bytes, text)  # second level: UTF-8 byte runs
    return _SIMPLE_ESCAPE.sub(lambda m: _SIMPLE[m.group(1)], text)


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per row of the competition's ``train.csv``."""
    path = find_file(folder, "train.csv")
    for row in read_rows(path, ("Insult", "Date", "Comment")):
        insult = row.choice("Insult", ("0", "1"))
        yield Record(
            text=unescape_comment(row.need("Comment")),
            source=SOURCE,
            labels={"INSULT": int(insult)},
            ref=f"{path.name}:{row.line}",
        )
