"""A progress bar on stderr: share of the input read, rows, rows per second and the time left.

The share is by bytes of the input file (compressed or not), which the reader
knows without counting rows first. On a terminal the bar redraws in place at
most five times a second; otherwise (a log, CI) it prints a line every
``LOG_EVERY`` seconds. No dependency: this is all a batch job needs.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

LOG_EVERY = 10.0
WIDTH = 24


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


class Progress:
    """Draw the bar; ``update`` after each committed chunk, ``close`` at the end."""

    def __init__(self, total_bytes: int, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total = max(1, total_bytes)
        self.quiet = quiet
        self.tty = self.stream.isatty()
        self.start = time.monotonic()
        self.last = self.start
        self.rows = 0
        self.skipped = 0
        self.base = 0

    def skip(self, rows: int, position: int) -> None:
        """Count rows committed by an earlier run (read again, not scored): rate and ETA leave them out."""
        self.skipped += rows
        self.base = position
        self.start = time.monotonic()

    def line(self, position: int) -> str:
        """Return the bar for ``position`` bytes read."""
        elapsed = max(time.monotonic() - self.start, 1e-9)
        share = min(1.0, position / self.total)
        rate = self.rows / elapsed
        left = elapsed * (self.total - position) / max(position - self.base, 1) if share < 1 else 0.0
        bar = "#" * int(share * WIDTH)
        return (
            f"scoring [{bar:<{WIDTH}}] {share:4.0%}  {self.skipped + self.rows:,} rows  "
            f"{rate:,.0f} rows/s  ETA {_clock(left)}"
        )

    def update(self, rows: int, position: int) -> None:
        """Count ``rows`` more scored rows and redraw if it is time."""
        self.rows += rows
        now = time.monotonic()
        if self.quiet or now - self.last < (0.2 if self.tty else LOG_EVERY):
            return
        self.last = now
        self.stream.write(("\r" if self.tty else "") + self.line(position) + ("" if self.tty else "\n"))
        self.stream.flush()

    def close(self, position: int) -> None:
        """Draw the final state and end the line."""
        if self.quiet:
            return
        self.stream.write(("\r" if self.tty else "") + self.line(position) + "\n")
        self.stream.flush()
