"""The progress bar: share of the input read, rows, rows per second and time left, on the stream given."""

from __future__ import annotations

import io
import re

from bulk.progress import Progress


def test_bar_shows_share_rows_rate_and_eta() -> None:
    out = io.StringIO()
    bar = Progress(1000, stream=out)
    bar.skip(5_000, 100)  # committed by an earlier run: counted in rows, not in the rate
    bar.update(2_000, 550)
    bar.close(550)
    line = out.getvalue().splitlines()[-1]
    assert re.fullmatch(r"scoring \[#{13} {11}\]  55%  7,000 rows  [\d,]+ rows/s  ETA \d:\d\d:\d\d", line), line


def test_quiet_bar_prints_nothing() -> None:
    out = io.StringIO()
    bar = Progress(10, quiet=True, stream=out)
    bar.update(10, 10)
    bar.close(10)
    assert out.getvalue() == ""
