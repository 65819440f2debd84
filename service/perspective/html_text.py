"""Turn an HTML comment (``comment.type: HTML``) into the plain text it shows.

A small tolerant scan, linear in the markup's length: tags go, entities are
decoded, ``script``/``style`` contents are dropped (as are the contents of
``template``, ``noscript`` and ``head``), and block elements and ``<br>`` become
line breaks so sentences stay apart. Markup that never closes (a tag, comment or
declaration without its ``>``) runs to the end of the text and is dropped, as an
HTML5 parser drops it at the end of the input.

The standard library's ``HTMLParser`` did this before. It rescans unclosed
constructs from the start on every call, so 20 KB of ``<a `` took 3.6 s of CPU
(and 4x that at twice the size), and ``<![<![`` made it raise an assertion (a
500). Every search here starts where the last one ended, or ends the scan.
"""

from __future__ import annotations

import html
import re

BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)
HIDDEN = frozenset({"script", "style", "template", "noscript", "head"})
RAW_TEXT = frozenset({"script", "style"})
"""Elements whose content is not markup: it runs to their end tag."""

# A tag from its name to its ">", possessive throughout so a miss never backtracks:
# runs of ordinary characters, "=" with an optional quoted value, or a stray quote.
_TAG = re.compile(r"<(/?)([A-Za-z][^\t\n\f\r />]*+)(?:[^>\"'=]++|=[\t\n\f\r ]*+(?:\"[^\"]*+\"|'[^']*+')?+|[\"'=])*+>")
_HORIZONTAL_SPACE = re.compile(r"[ \t\r\f\v]+")
_SPACE_RUN = re.compile(r"\s+")


def _markup_end(markup: str, i: int) -> tuple[int, str | None, bool]:
    """Return where the markup starting with ``<`` at ``i`` ends, its tag name (lower case) and whether it closes."""
    m = _TAG.match(markup, i)
    if m is not None:
        return m.end(), m.group(2).lower(), bool(m.group(1))
    nxt = markup[i + 1 : i + 2]
    if markup.startswith("<!--", i):
        close = markup.find("-->", i + 4)
        return (len(markup) if close < 0 else close + 3), None, False
    if nxt in ("!", "?", "/") or (nxt.isascii() and nxt.isalpha()):
        # A declaration, processing instruction, bogus end tag or a tag without its ">".
        close = markup.find(">", i + 1)
        return (len(markup) if close < 0 else close + 1), None, False
    return i, None, False  # a "<" that starts no markup is text


def html_to_text(markup: str) -> str:
    """Return the visible text of an HTML fragment."""
    parts: list[str] = []
    hidden = 0
    pos = 0
    text_from = 0
    n = len(markup)
    while (i := markup.find("<", pos)) >= 0:
        end, name, closing = _markup_end(markup, i)
        if end == i:
            pos = i + 1
            continue
        if not hidden:
            parts.append(html.unescape(markup[text_from:i]))
        pos = text_from = end
        if name in HIDDEN:
            if closing:
                hidden = max(0, hidden - 1)
            elif name in RAW_TEXT:
                # The content is text up to the end tag; skip it, and the end tag with it.
                close = _find_end_tag(markup, name, end)
                pos = text_from = n if close < 0 else _markup_end(markup, close)[0]
            else:
                hidden += 1
        elif name in BLOCKS and not hidden:
            parts.append("\n")
    if not hidden:
        parts.append(html.unescape(markup[text_from:]))
    text = _HORIZONTAL_SPACE.sub(" ", "".join(parts))
    # Each run of whitespace holding a line break becomes one line break (a linear
    # rewrite of r"\s*\n\s*", which rescans a long run without one from every position).
    return _SPACE_RUN.sub(lambda m: "\n" if "\n" in m.group() else m.group(), text).strip()


def _find_end_tag(markup: str, name: str, start: int) -> int:
    """Return where ``</name`` (any case) next starts after ``start``, or -1."""
    m = re.compile(f"</{name}(?=[\\t\\n\\f\\r />])", re.IGNORECASE).search(markup, start)
    return -1 if m is None else m.start()
