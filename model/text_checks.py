"""Which comment texts cannot be scored, and why: one rule for the service, bulk scoring and Spark.

``text_problem(text, limit)`` returns ``(code, predicate)`` or ``None``. The
predicate has no subject, so each caller names the text its own way: the service
says ``comments[2].text holds a NUL character ...``, a rejects file says
``the text holds ...``. Nothing here quotes the text. The codes are the native
API's, so one vocabulary runs through the API's 422s, the bulk rejects file and
Spark's ``score_error`` column:

- ``missing_text``: null (or pandas' missing value);
- ``bad_text``: not a string;
- ``invalid_text``: not valid UTF-8 (a lone surrogate, or a byte a file reader could not
  decode and escaped) or a NUL character;
- ``comment_empty``: empty or whitespace only;
- ``comment_too_long``: over ``limit`` bytes of UTF-8 (never cut to fit).
"""

from __future__ import annotations

INVALID_TEXT = "invalid_text"
COMMENT_EMPTY = "comment_empty"
COMMENT_TOO_LONG = "comment_too_long"


def text_problem(text: object, limit: int) -> tuple[str, str] | None:
    """Return why ``text`` cannot be scored as ``(code, predicate)``, or None when it can."""
    if not isinstance(text, str):
        if text is None or text != text:  # NaN is pandas' missing value
            return ("missing_text", "is missing (null)")
        return ("bad_text", f"is a {type(text).__name__}, not a string")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        return (INVALID_TEXT, f"is not valid UTF-8 (a lone surrogate or undecodable byte at character {exc.start})")
    if (nul := text.find("\x00")) >= 0:
        # NUL is refused rather than dropped: nothing else in a comment means "end of
        # string" to a C library or a database downstream, and no person typed it.
        return (INVALID_TEXT, f"holds a NUL character (U+0000) at character {nul}")
    if not text.strip():
        return (COMMENT_EMPTY, "is empty or whitespace only")
    if size > limit:
        return (COMMENT_TOO_LONG, f"is {size} bytes of UTF-8; the limit is {limit}")
    return None
